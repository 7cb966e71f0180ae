// Evaluating one candidate task, whatever its kind (the unit of work handed to worker threads):
// a fixed design's mapping (design-mapping.ts), a NAAS hardware vector, a sizing vector, or a
// finalist re-mapped from its best mappings. Kept apart from candidate.ts, which the kinds' own
// modules build on, so no module imports its importer.
import { decodeHardware, decodeSizing } from './encoding.ts';
import { bestMapping, polishMapping } from './mapper.ts';
import { connectivityConstraints, dataflowConstraints, objectiveValue, withLoopOrder } from './dataflow.ts';
import { rtlParallel } from './rtl-architecture.ts';
import { mapDesign } from './design-mapping.ts';
import {
  INVALID,
  mapAll,
  mapLayerNaas,
  mapperBudget,
  subSeed,
  withinAreaBound,
  withRtl,
  type CandidateResult,
  type CandidateTask,
} from './candidate.ts';

/** Evaluates one candidate task (the unit of work handed to worker threads). */
export function runCandidate(task: CandidateTask): CandidateResult {
  const objective = task.objective ?? 'edp';
  if (task.kind === 'design') return mapDesign(task, objective);
  if (task.kind === 'naas') {
    const hw = decodeHardware(task.x, task.space, task.limits);
    if (!hw || !withinAreaBound(hw.spec, task.space)) return INVALID;
    const c = withRtl(
      { ...withLoopOrder(connectivityConstraints(hw.parallel, hw.spec.peArray), task.loopOrder), objective },
      task.rtl,
      hw.parallel,
      hw.spec.peArray,
      hw.spec.dramBandwidthBytesPerCycle,
    );
    return mapAll(
      hw.spec,
      task.workloads,
      (p, arch, s, key) => mapLayerNaas(p, arch, c, task.inner, s, task.start?.[key]),
      task.seed,
      objective,
      c.rtlAxes,
    );
  }
  if (task.kind === 'sizing') {
    const spec = decodeSizing(task.x, task.space, task.limits);
    if (!spec || !task.space.dataflow || !withinAreaBound(spec, task.space)) return INVALID;
    const c = { ...withLoopOrder(dataflowConstraints(task.space.dataflow, spec.peArray), task.loopOrder), objective };
    return mapAll(
      spec,
      task.workloads,
      (p, arch, s) => bestMapping(p, arch, c, { seed: s, ...mapperBudget(task.inner) }),
      task.seed,
      objective,
    );
  }
  if (task.kind === 'remap') {
    const c = withRtl(
      { ...withLoopOrder(connectivityConstraints(task.parallel, task.spec.peArray), task.loopOrder), objective },
      task.rtl,
      task.parallel,
      task.spec.peArray,
      task.spec.dramBandwidthBytesPerCycle,
    );
    const budget = mapperBudget(task.inner);
    return mapAll(
      task.spec,
      task.workloads,
      (p, arch, s) => {
        const key = Object.keys(task.workloads.problems).find((k) => task.workloads.problems[k] === p) as string;
        const fresh = bestMapping(p, arch, c, { seed: s, ...budget });
        const start = task.start[key];
        const pol = start ? polishMapping(p, arch, c, start, budget.steps, subSeed(s, 9)) : undefined;
        const cands = [fresh, pol].filter((r): r is NonNullable<typeof r> => !!r && r.evaluation.valid);
        if (!cands.length) return undefined;
        cands.sort((a, b) => objectiveValue(a.evaluation, objective) - objectiveValue(b.evaluation, objective));
        return { ...cands[0], evaluations: (fresh?.evaluations ?? 0) + (pol?.evaluations ?? 0) };
      },
      task.seed,
      objective,
      c.rtlAxes,
    );
  }
  const spec = task.spec;
  // On the generated RTL a fixed design runs on the axes its wiring gives it (rtlParallel), not its dataflow's mapping constraints.
  const parallel = task.rtl ? rtlParallel(spec) : spec.parallel;
  const base =
    task.rtl && parallel
      ? connectivityConstraints(parallel, spec.peArray)
      : dataflowConstraints(spec.dataflow ?? 'row_stationary', spec.peArray);
  const c = withRtl(
    { ...withLoopOrder(base, task.loopOrder), objective },
    task.rtl,
    parallel,
    spec.peArray,
    spec.dramBandwidthBytesPerCycle,
  );
  return mapAll(
    spec,
    task.workloads,
    (p, arch, s) => bestMapping(p, arch, c, { seed: s, ...mapperBudget(task.inner) }),
    task.seed,
    objective,
    c.rtlAxes,
    !task.rtlSingleBuffer,
  );
}
