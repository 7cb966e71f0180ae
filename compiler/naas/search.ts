// The two-level NAAS search: CMA-ES over the hardware encoding outside, and for every
// hardware candidate an inner search over each layer's mapping. The reward is network
// EDP (geometric mean over networks). Candidates of a generation are evaluated in
// parallel worker threads (piscina); every candidate has its own derived seed, so the
// result does not depend on the number of threads or their scheduling.
import { createRequire } from 'node:module';
import type { Piscina as PiscinaPool } from 'piscina';
import type { Mapping } from '../ir/mapping.ts';
import type { AcceleratorSpec, DesignSpace } from '../ir/targets.ts';
import { subSeed, withinAreaBound, type CandidateResult, type CandidateTask, type InnerBudget, type Workloads } from './candidate.ts';
import { runCandidate } from './run-candidate.ts';
import { CmaEs } from './cmaes.ts';
import { acceleratorArea } from './area.ts';
import type { Objective } from './dataflow.ts';
import { warmStartCandidates } from './warmstart.ts';
import { paretoFront2 } from '../util/pareto.ts';
import {
  decodeHardware,
  decodeSizing,
  encodeHardware,
  encodeSizing,
  HW_VECTOR_LENGTH,
  limitsOf,
  SIZING_VECTOR_LENGTH,
} from './encoding.ts';

export interface SearchBudget {
  /** Outer (hardware) CMA-ES generations and population. */
  generations: number;
  population: number;
  /** Inner (mapping) search per layer shape. */
  inner: InnerBudget;
  /** Mapper effort for the fixed baseline (samples + steps per layer shape). */
  baselineEvaluations: number;
}

/** The space's fixed loop order (outermost first), when it gives a list instead of `search`. */
export function spaceLoopOrder(space: DesignSpace): string[] | undefined {
  return Array.isArray(space.loopOrder) ? space.loopOrder : undefined;
}

/** Distinct designs re-mapped with the baseline's mapper effort at the end of a search. */
export const FINALISTS = 3;

/** Designs the workload-aware warm start adds to the first generation. */
export const WARM_START_DESIGNS = 6;

export const DEFAULT_BUDGET: SearchBudget = {
  generations: 8,
  population: 8,
  inner: { generations: 4, population: 8 },
  baselineEvaluations: 2000,
};

export interface GenerationStat {
  generation: number;
  /** Cost-model evaluations of the search so far (all levels), for the anytime curve. */
  evaluations: number;
  best_edp: number;
  median_edp: number;
  valid: number;
}

export interface SearchPoint {
  generation: number;
  cycles: number;
  energy_pj: number;
  /** The design's area (compiler/naas/area.ts), for the report's area-against-EDP plot. */
  area_um2: number;
}

export const pointOf = (generation: number, r: CandidateResult): SearchPoint => ({
  generation,
  cycles: r.cycles,
  energy_pj: r.energyPj,
  area_um2: r.spec ? acceleratorArea(r.spec).um2 : 0,
});

export interface SearchResult {
  best: CandidateResult;
  /** The best few distinct designs (best first): the inner mapping search is short, so the final re-mapping picks among them. */
  finalists: CandidateResult[];
  history: GenerationStat[];
  points: SearchPoint[];
  evaluations: number;
  hardwareCandidates: number;
}

export type Runner = (task: CandidateTask) => Promise<CandidateResult>;

/** Runs candidate tasks in the current thread. */
export const inlineRunner: Runner = async (task) => runCandidate(task);

/** A piscina pool of worker threads; call close() when done. */
export function workerRunner(threads: number): { run: Runner; close: () => Promise<void> } {
  // piscina is loaded here, not with the module, so `nacc search --help` and `cost` without
  // threads never load it.
  const { Piscina } = createRequire(import.meta.url)('piscina') as { Piscina: typeof PiscinaPool };
  const pool = new Piscina({ filename: new URL('./worker-entry.mjs', import.meta.url).href, minThreads: threads, maxThreads: threads });
  return { run: (task) => pool.run(task) as Promise<CandidateResult>, close: () => pool.destroy() };
}

export interface SearchOptions {
  workloads: Workloads;
  space: DesignSpace;
  resources: AcceleratorSpec;
  seed: number;
  budget: SearchBudget;
  run: Runner;
  /** Only mappings the generated RTL executes (rtl-executable.ts), so `nacc rtl --from` replays every layer. */
  rtl?: boolean;
  onGeneration?: (g: GenerationStat, total: number) => void;
}

export const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Infinity;
};

/** Outer search over the space: the full NAAS encoding, or sizing only when the space fixes a dataflow. */
export async function searchSpace(o: SearchOptions): Promise<SearchResult> {
  const sizingOnly = o.space.dataflow !== undefined;
  const loopOrder = spaceLoopOrder(o.space);
  const limits = limitsOf(o.resources);
  const n = sizingOnly ? SIZING_VECTOR_LENGTH : HW_VECTOR_LENGTH;
  // Start from the resources' own sizes. NAAS connectivity has one parallel dimension per
  // array axis: a warm-up generation evaluates the resources' array under a few classic
  // connectivities (or the resources' own `parallel`) and the search starts from the best.
  let best: CandidateResult | undefined;
  const finalists: CandidateResult[] = [];
  const designKey = (r: CandidateResult): string =>
    JSON.stringify([r.spec?.peArray, r.spec?.parallel, r.spec?.registerFileBytesPerPe, r.spec?.globalBufferBytes, r.spec?.dataflow]);
  const consider = (r: CandidateResult): void => {
    if (!r.valid) return;
    const k = designKey(r);
    const i = finalists.findIndex((f) => designKey(f) === k);
    if (i >= 0) {
      if (finalists[i].cost <= r.cost) return;
      finalists.splice(i, 1);
    }
    finalists.push(r);
    finalists.sort((a, b) => a.cost - b.cost);
    finalists.length = Math.min(finalists.length, FINALISTS);
  };
  const history: GenerationStat[] = [];
  const points: SearchPoint[] = [];
  let evaluations = 0;
  let hardwareCandidates = 0;
  let mean: number[];
  if (sizingOnly) mean = encodeSizing(o.resources, o.space);
  else {
    const k = o.resources.peArray.length;
    const options = o.resources.parallel
      ? [o.resources.parallel]
      : [
          ['K', 'C'],
          ['C', 'K'],
          ['K', 'Q'],
          ['Q', 'K'],
          ['P', 'Q'],
          ['K', 'P'],
        ].map((p) => (k === 1 ? p.slice(0, 1) : k >= 3 ? [...p, 'Q', 'P', 'C'].filter((d, i, a) => a.indexOf(d) === i).slice(0, k) : p));
    // Plus the shapes and connectivities whose array the workload's dimensions fill best
    // (compiler/naas/warmstart.ts), so the search does not start from idle PEs.
    const fits = (x: number[]): boolean => {
      const d = decodeHardware(x, o.space, limits);
      return d !== undefined && withinAreaBound(d.spec, o.space);
    };
    const seeds = options.map((par) => encodeHardware(o.resources, o.space, limits, par)).filter(fits);
    const key = (x: number[]): string => {
      const d = decodeHardware(x, o.space, limits)!;
      return `${d.spec.peArray.join('x')}:${d.parallel.join('')}`;
    };
    const have = new Set(seeds.map(key));
    for (const c of warmStartCandidates(o.workloads, o.space, o.resources, limits, WARM_START_DESIGNS)) {
      if (!have.has(key(c.x)) && fits(c.x)) {
        have.add(key(c.x));
        seeds.push(c.x);
      }
    }
    const results = await Promise.all(
      seeds.map((x, i) =>
        o.run({
          kind: 'naas',
          x,
          space: o.space,
          limits,
          workloads: o.workloads,
          inner: o.budget.inner,
          seed: subSeed(o.seed, 5, i),
          objective: o.space.objective,
          loopOrder,
          rtl: o.rtl,
        }),
      ),
    );
    hardwareCandidates += results.length;
    let bi = -1;
    results.forEach((r, i) => {
      evaluations += r.evaluations;
      consider(r);
      if (!r.valid) return;
      points.push(pointOf(-1, r));
      if (!best || r.cost < best.cost) {
        best = r;
        bi = i;
      }
    });
    mean = bi >= 0 ? seeds[bi] : encodeHardware(o.resources, o.space, limits, ['K', 'C', 'Q'].slice(0, k));
  }
  const cma = new CmaEs(n, { lambda: o.budget.population, seed: subSeed(o.seed, 1), sigma: 0.3, mean });
  // Vectors that decode to a design inside the space, the resources and the area bound.
  const decodes = (x: number[]): boolean => {
    const spec = sizingOnly ? decodeSizing(x, o.space, limits) : decodeHardware(x, o.space, limits)?.spec;
    return spec !== undefined && withinAreaBound(spec, o.space);
  };
  for (let g = 0; g < o.budget.generations; g++) {
    const xs: number[][] = [];
    for (let i = 0; i < cma.lambda; i++) {
      // Reject and resample vectors that break the space or the resources.
      let x = cma.sample();
      for (let r = 0; r < 200 && !decodes(x); r++) x = cma.sample();
      xs.push(x);
    }
    const tasks: CandidateTask[] = xs.map((x, i) => ({
      kind: sizingOnly ? 'sizing' : 'naas',
      x,
      space: o.space,
      limits,
      workloads: o.workloads,
      inner: o.budget.inner,
      seed: subSeed(o.seed, 2, g, i),
      objective: o.space.objective,
      loopOrder,
      rtl: o.rtl,
      // Mapping inheritance: every candidate of a generation starts its inner search from the
      // best design so far's mapping vectors (fixed per generation, so thread count does not matter).
      ...(best?.vectors ? { start: best.vectors } : {}),
    }));
    const results = await Promise.all(tasks.map((t) => o.run(t)));
    hardwareCandidates += results.length;
    const costs = results.map((r) => (r.valid ? Math.log(r.cost) : 1e6));
    for (const r of results) {
      evaluations += r.evaluations;
      consider(r);
      if (r.valid) {
        points.push(pointOf(g, r));
        if (!best || r.cost < best.cost) best = r;
      }
    }
    cma.tell(xs, costs);
    const stat = {
      generation: g,
      evaluations,
      best_edp: best ? best.cost : Infinity,
      median_edp: median(results.map((r) => r.cost)),
      valid: results.filter((r) => r.valid).length,
    };
    history.push(stat);
    o.onGeneration?.(stat, o.budget.generations);
  }
  if (!best) throw new Error('search found no valid accelerator; widen the space or raise the budget');
  return { best, finalists, history, points, evaluations, hardwareCandidates };
}

/** A fixed accelerator mapped by the mapper within its dataflow. */
export async function evaluateFixed(
  spec: AcceleratorSpec,
  workloads: Workloads,
  evaluationsPerLayer: number,
  seed: number,
  run: Runner,
  objective: Objective = 'edp',
  rtl?: boolean,
  rtlSingleBuffer?: boolean,
): Promise<CandidateResult> {
  const population = 50;
  const generations = Math.max(1, Math.ceil(evaluationsPerLayer / population));
  // rtl: only mappings the generated RTL executes, costed on its architecture (naas/rtl-architecture.ts).
  return run({
    kind: 'fixed',
    spec,
    workloads,
    inner: { generations, population },
    seed: subSeed(seed, 3),
    objective,
    ...(rtl ? { rtl } : {}),
    ...(rtl && rtlSingleBuffer ? { rtlSingleBuffer } : {}),
  });
}

/** Re-maps a design with the given mapper effort; keeps the design's own mappings when they are better. */
async function remapDesign(
  best: CandidateResult,
  workloads: Workloads,
  evaluationsPerLayer: number,
  seed: number,
  run: Runner,
  objective: Objective = 'edp',
  loopOrder?: string[],
  rtl?: boolean,
): Promise<{ result: CandidateResult; evaluations: number }> {
  if (!best.spec) return { result: best, evaluations: 0 };
  const start: Record<string, Mapping> = {};
  for (const n of best.networks) for (const l of n.layers) start[l.key] = l.mapping;
  const population = 50;
  const generations = Math.max(1, Math.ceil(evaluationsPerLayer / population));
  const task: CandidateTask = best.spec.dataflow
    ? { kind: 'fixed', spec: best.spec, workloads, inner: { generations, population }, seed: subSeed(seed, 4), objective, loopOrder, rtl }
    : {
        kind: 'remap',
        spec: best.spec,
        parallel: best.spec.parallel ?? [],
        start,
        workloads,
        inner: { generations, population },
        seed: subSeed(seed, 4),
        objective,
        loopOrder,
        rtl,
      };
  const r = await run(task);
  return { result: r.valid && r.cost <= best.cost ? r : best, evaluations: r.evaluations };
}

/**
 * Re-maps every finalist of a search with the baseline's mapper effort and returns the best
 * after re-mapping, with the evaluations spent (deterministic: ties keep the search's order).
 */
export async function remapFinalists(
  res: SearchResult,
  workloads: Workloads,
  evaluationsPerLayer: number,
  seed: number,
  run: Runner,
  objective: Objective = 'edp',
  loopOrder?: string[],
  rtl?: boolean,
): Promise<{ best: CandidateResult; evaluations: number }> {
  const list = res.finalists.length ? res.finalists : [res.best];
  const remapped = await Promise.all(list.map((f) => remapDesign(f, workloads, evaluationsPerLayer, seed, run, objective, loopOrder, rtl)));
  let best = remapped[0].result;
  let evaluations = 0;
  for (const r of remapped) {
    evaluations += r.evaluations;
    if (r.result.cost < best.cost) best = r.result;
  }
  return { best, evaluations };
}

/** Pareto front (minimal cycles and energy) of the explored points. */
export function paretoFront(points: SearchPoint[]): SearchPoint[] {
  return paretoFront2(
    points,
    (p) => p.cycles,
    (p) => p.energy_pj,
  );
}
