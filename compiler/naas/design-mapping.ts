// Mapping every layer of a whole design with the mapper (the `design` candidate task): the
// evaluation the search strategies share. Pure and seeded, so any dispatch path may run it.
//
// With `networkObjective` (edp/edap), the mapper first minimises each layer's own objective,
// then polishes every layer for wE·e + wC·c with wE = Σ count/E and wC = Σ count/C at the
// design's network totals E, C (summed over networks, for their geometric mean). That is
// the layer's first-order share of log(E·C); by AM-GM a step that does not raise
// Σ(e/E + c/C) never raises E·C, so the polish cannot make the network worse.
import type { Architecture } from '../ir/architecture.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { costArchitecture } from './rtl-architecture.ts';
import { INVALID, mapAll, subSeed, withRtl, type CandidateResult, type CandidateTask } from './candidate.ts';
import {
  connectivityConstraints,
  dataflowConstraints,
  mappingScore,
  withLoopOrder,
  type MappingConstraints,
  type Objective,
} from './dataflow.ts';
import { bestMapping, polishMapping, type MapperResult } from './mapper.ts';

/** The mapping constraints of a design: its named dataflow, else its one-dimension-per-axis connectivity. */
export function designConstraints(spec: AcceleratorSpec, objective: Objective, loopOrder?: string[], rtl?: boolean): MappingConstraints {
  if (spec.dataflow) return { ...withLoopOrder(dataflowConstraints(spec.dataflow, spec.peArray), loopOrder), objective };
  const parallel = spec.parallel ?? [];
  return withRtl(
    { ...withLoopOrder(connectivityConstraints(parallel, spec.peArray), loopOrder), objective },
    rtl,
    parallel,
    spec.peArray,
    spec.dramBandwidthBytesPerCycle,
  );
}

/** Share of the effort spent on the first (per-layer objective) pass when the network objective follows. */
const FIRST_PASS = 0.6;

type DesignTask = Extract<CandidateTask, { kind: 'design' }>;

const better = (a: MapperResult | undefined, b: MapperResult | undefined, c: MappingConstraints): MapperResult | undefined => {
  const ok = (r: MapperResult | undefined): r is MapperResult => !!r && r.evaluation.valid;
  if (!ok(a)) return ok(b) ? b : undefined;
  if (!ok(b)) return a;
  return mappingScore(b.evaluation, c) < mappingScore(a.evaluation, c) ? b : a;
};

/**
 * The mapping a layer starts from: `start`, or the best on this design of it and the layer's
 * `starts` (mappings found on other designs of the same shape), each evaluated once.
 */
function startOf(
  task: DesignTask,
  key: string,
  p: Problem,
  arch: Architecture,
  c: MappingConstraints,
): { mapping?: Mapping; evaluations: number } {
  const given = task.start?.[key];
  const more = task.starts?.[key] ?? [];
  if (!more.length) return { mapping: given, evaluations: 0 };
  let best: MapperResult | undefined;
  let evaluations = 0;
  for (const m of given ? [given, ...more] : more) {
    const r = polishMapping(p, arch, c, m, 0, 0);
    evaluations += r.evaluations;
    best = better(best, r, c);
  }
  return { mapping: best?.mapping ?? given, evaluations };
}

export function mapDesign(task: DesignTask, objective: Objective): CandidateResult {
  const spec = task.spec;
  const c = designConstraints(spec, objective, task.loopOrder, task.rtl);
  const arch = costArchitecture(spec, c.rtlAxes, Object.values(task.workloads.problems));
  const keys = Object.keys(task.workloads.problems).sort();
  const networkPass = !!task.networkObjective && (objective === 'edp' || objective === 'edap');
  const first = networkPass ? Math.max(2, Math.ceil(task.effort * FIRST_PASS)) : Math.max(2, task.effort);
  const restarts = Math.max(1, Math.floor(task.restarts ?? 1));
  const chosen = new Map<string, MapperResult>();
  let evaluations = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const p = task.workloads.problems[key];
    const seed = subSeed(task.seed, i);
    const start = startOf(task, key, p, arch, c);
    evaluations += start.evaluations;
    // From a start mapping, one share of the effort polishes it and the rest searches afresh
    // (the start may not fit this design): half and half with one restart.
    const freshEffort = start.mapping ? Math.ceil((first * restarts) / (restarts + 1)) : first;
    // Independent restarts, each layer keeping its best: a hill climb stuck in one layer's
    // local optimum does not hold back the others (one run per layer when restarts is 1).
    let best: MapperResult | undefined;
    for (let k = 0; k < restarts; k++) {
      const e = Math.ceil(freshEffort / restarts);
      const fresh = bestMapping(p, arch, c, {
        seed: k === 0 ? seed : subSeed(seed, 13, k),
        samples: Math.ceil(e / 2),
        steps: Math.floor(e / 2),
      });
      evaluations += fresh?.evaluations ?? 0;
      best = better(best, fresh, c);
    }
    if (start.mapping) {
      const pol = polishMapping(p, arch, c, start.mapping, first - freshEffort, subSeed(seed, 9));
      evaluations += pol.evaluations;
      best = better(best, pol, c);
    }
    if (!best) return { ...INVALID, spec, evaluations };
    chosen.set(key, best);
  }
  if (networkPass) {
    // Network totals at this design, then each layer shape's weights summed over its uses.
    const weights = new Map<string, { energy: number; cycles: number }>();
    for (const net of task.workloads.networks) {
      let e = 0;
      let cy = 0;
      for (const l of net.layers) {
        const r = chosen.get(l.key)!;
        e += r.evaluation.energyPj;
        cy += r.evaluation.cycles;
      }
      for (const l of net.layers) {
        const w = weights.get(l.key) ?? { energy: 0, cycles: 0 };
        weights.set(l.key, { energy: w.energy + 1 / e, cycles: w.cycles + 1 / cy });
      }
    }
    const second = Math.max(0, task.effort - first);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const w = weights.get(key);
      if (!w || second === 0) continue;
      const cw = { ...c, weights: w };
      const start = chosen.get(key)!;
      const pol = polishMapping(task.workloads.problems[key], arch, cw, start.mapping, second, subSeed(task.seed, i, 11));
      evaluations += pol.evaluations;
      chosen.set(key, better(start, pol, cw)!);
    }
  }
  const r = mapAll(spec, task.workloads, (_p, _a, _s, key) => ({ ...chosen.get(key)!, evaluations: 0 }), task.seed, objective);
  return { ...r, evaluations };
}
