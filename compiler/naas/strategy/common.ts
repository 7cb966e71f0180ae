// What the search strategies (naas, sweep, random) share: their options, the plans that turn
// a --budget into each strategy's effort, the log of evaluated designs with its anytime curve
// (best objective against cost-model evaluations), and design tasks for the common evaluator.
import type { Mapping } from '../../ir/mapping.ts';
import type { AcceleratorSpec, DesignSpace } from '../../ir/targets.ts';
import { onChipBytes } from '../arch-from-spec.ts';
import { subSeed, withinAreaBound, type CandidateResult, type CandidateTask } from '../candidate.ts';
import { onGrid, type SpaceLimits } from '../encoding.ts';
import {
  median,
  pointOf,
  spaceLoopOrder,
  type GenerationStat,
  type SearchBudget,
  type SearchOptions,
  type SearchPoint,
} from '../search.ts';

export type StrategyName = 'naas' | 'sweep' | 'random';
export const STRATEGIES: readonly StrategyName[] = ['naas', 'sweep', 'random'];

/** The search's options (one type for searchSpace and every strategy), plus the mapped baseline. */
export interface StrategyOptions extends SearchOptions {
  /** The baseline, already mapped: NAAS takes it as one of its first candidates (never reports < 1.0x). */
  baseline?: CandidateResult;
}

export interface StrategyResult {
  /** The best design after the final re-mapping. */
  best: CandidateResult;
  history: GenerationStat[];
  points: SearchPoint[];
  /** Cost-model evaluations of the strategy, all levels (not the baseline's own mapping). */
  evaluations: number;
  hardwareCandidates: number;
}

/** Mapper effort relative to the default budget's inner search (4 x 8). */
const effortScale = (b: SearchBudget): number => (b.inner.generations * b.inner.population) / 32;

/**
 * The plain sweep of issue 16: `pairs` warm-start (shape, connectivity) pairs x `registerFiles`
 * register-file sizes, each mapped with `mapper` evaluations per layer shape; the best
 * `finalists` re-mapped with `final`. Default budget: 40 x 5 x 1,000, top 3 at 4,000.
 */
export function sweepPlan(b: SearchBudget) {
  const s = effortScale(b);
  return {
    pairs: 5 * b.population,
    registerFiles: 5,
    mapper: Math.max(20, Math.round(1000 * s)),
    finalists: 3,
    final: Math.max(40, Math.round(4000 * s)),
  };
}

/**
 * NAAS by successive halving (naas.ts): `pairs` (shape, connectivity) pairs at `firstEffort`;
 * the best `keep` at `keepEffort` with the network objective; CMA-ES on the sizes of the best
 * `shapes` (`sizeGenerations` x `sizePopulation` at `sizeEffort`); the best 3 at `final` (the
 * sweep's final effort) split into `finalRestarts` mapper runs per layer. Size candidates and
 * finalists also start from the `startPool` best mappings each layer had on designs of their
 * shape. Default budget: 48 x 96, 12 x 1,000, 3 x 2 x 4 x 400, 3 x 4,000 evaluations per
 * layer shape (18% of the sweep's) plus at most 16 per pooled start.
 */
export function naasPlan(b: SearchBudget) {
  const s = effortScale(b);
  return {
    pairs: 6 * b.population,
    firstRegisterFile: 64,
    firstEffort: Math.max(10, Math.round(96 * s)),
    keep: Math.max(3, Math.round(1.5 * b.population)),
    keepEffort: Math.max(20, Math.round(1000 * s)),
    shapes: 3,
    sizeGenerations: Math.max(1, Math.round(b.generations / 4)),
    sizePopulation: Math.max(4, Math.round(b.population / 2)),
    sizeEffort: Math.max(20, Math.round(400 * s)),
    finalists: 3,
    final: sweepPlan(b).final,
    finalRestarts: 8,
    startPool: 16,
  };
}

/** A design's identity (its shape, connectivity and sizes). */
export const designKey = (s: AcceleratorSpec): string =>
  JSON.stringify([
    s.peArray,
    s.parallel ?? null,
    s.dataflow ?? null,
    s.registerFileBytesPerPe,
    s.globalBufferBytes,
    s.dramBandwidthBytesPerCycle,
  ]);
/** A design's shape and connectivity, whatever its sizes. */
export const shapeKey = (s: AcceleratorSpec): string => JSON.stringify([s.peArray, s.parallel ?? null, s.dataflow ?? null]);

/** The mappings a result chose, per layer shape (to start a re-mapping from). */
export function mappingsOf(r: CandidateResult): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  for (const n of r.networks) for (const l of n.layers) out[l.key] = l.mapping;
  return out;
}

/**
 * Per layer shape, the distinct mappings that results of one shape and connectivity chose (at
 * whatever sizes), best first by the layer's EDP on its own design, at most `n`: a pool of
 * starts, since a layer's mapping from one design often fits another of the same shape.
 */
export function mappingPool(results: CandidateResult[], shape: string, n: number): Record<string, Mapping[]> {
  const found = new Map<string, Map<string, { m: Mapping; score: number }>>();
  for (const r of results) {
    if (!r.valid || !r.spec || shapeKey(r.spec) !== shape) continue;
    for (const net of r.networks)
      for (const l of net.layers) {
        const byText = found.get(l.key) ?? new Map<string, { m: Mapping; score: number }>();
        found.set(l.key, byText);
        const text = JSON.stringify(l.mapping);
        const score = l.energyPj * l.cycles;
        if ((byText.get(text)?.score ?? Infinity) > score) byText.set(text, { m: l.mapping, score });
      }
  }
  const out: Record<string, Mapping[]> = {};
  for (const [key, byText] of found)
    out[key] = [...byText.values()]
      .sort((a, b) => a.score - b.score)
      .slice(0, n)
      .map((x) => x.m);
  return out;
}

/** The best `n` valid results with distinct keys (best first; ties keep the given order). */
export function topDistinct(rs: CandidateResult[], n: number, key: (s: AcceleratorSpec) => string = designKey): CandidateResult[] {
  const seen = new Map<string, CandidateResult>();
  for (const r of rs) {
    if (!r.valid || !r.spec) continue;
    const k = key(r.spec);
    const had = seen.get(k);
    if (!had || r.cost < had.cost) seen.set(k, r);
  }
  return [...seen.values()].sort((a, b) => a.cost - b.cost).slice(0, n);
}

/**
 * A design at given sizes: the global buffer takes what the register files leave of the
 * on-chip bytes, or the largest size on its grid that keeps the design within the area bound.
 */
export function sizedSpec(
  shape: Pick<AcceleratorSpec, 'peArray' | 'parallel' | 'dataflow'>,
  registerFileBytes: number,
  space: DesignSpace,
  lim: SpaceLimits,
  name = 'naas',
): AcceleratorSpec | undefined {
  const gbR = space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const pes = shape.peArray.reduce((a, b) => a * b, 1);
  const room = lim.maxOnChipBytes - registerFileBytes * pes;
  const steps = Math.floor((Math.min(gbR.max, room) - gbR.min) / gbR.step);
  if (steps < 0 || pes > lim.maxPes) return undefined;
  const at = (k: number): AcceleratorSpec => ({
    name,
    peArray: shape.peArray,
    ...(shape.dataflow ? { dataflow: shape.dataflow } : { parallel: shape.parallel }),
    registerFileBytesPerPe: registerFileBytes,
    globalBufferBytes: gbR.min + k * gbR.step,
    dramBandwidthBytesPerCycle: lim.dramBandwidthBytesPerCycle,
    wordBits: lim.wordBits,
    clockMHz: lim.clockMHz,
  });
  if (fitsSpace(at(steps), space, lim)) return at(steps);
  if (!fitsSpace(at(0), space, lim)) return undefined;
  // Area grows with the buffer: the largest grid step that still fits.
  let lo = 0;
  let hi = steps;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fitsSpace(at(mid), space, lim)) lo = mid;
    else hi = mid;
  }
  return at(lo);
}

/** Within the resources (PEs, on-chip bytes) and the space's area bound. */
export const fitsSpace = (spec: AcceleratorSpec, space: DesignSpace, lim: SpaceLimits): boolean =>
  spec.peArray.reduce((a, b) => a * b, 1) <= lim.maxPes && onChipBytes(spec) <= lim.maxOnChipBytes && withinAreaBound(spec, space);

/** `count` register-file sizes on the space's grid, spread evenly in log scale over what fits beside the smallest buffer. */
export function registerFileSizes(space: DesignSpace, lim: SpaceLimits, pes: number, count: number): number[] {
  const rfR = space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbMin = (space.globalBufferBytes ?? { min: 16384 }).min;
  const hi = Math.min(rfR.max, Math.floor((lim.maxOnChipBytes - gbMin) / pes));
  if (hi < rfR.min) return [];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    const v = count === 1 ? rfR.min : rfR.min * (hi / rfR.min) ** (i / (count - 1));
    const g = rfR.min + Math.floor((v - rfR.min) / rfR.step) * rfR.step;
    out.add(Math.max(rfR.min, Math.min(g, onGrid(1, { ...rfR, max: hi }))));
  }
  return [...out];
}

/** A `design` task of the common evaluator (design-mapping.ts). */
export function designTask(
  o: StrategyOptions,
  spec: AcceleratorSpec,
  effort: number,
  seed: number,
  opts: { start?: Record<string, Mapping>; starts?: Record<string, Mapping[]>; networkObjective?: boolean; restarts?: number } = {},
): CandidateTask {
  return {
    kind: 'design',
    spec,
    workloads: o.workloads,
    effort,
    seed,
    objective: o.space.objective,
    loopOrder: spaceLoopOrder(o.space),
    rtl: o.rtl,
    ...(opts.start ? { start: opts.start } : {}),
    ...(opts.starts ? { starts: opts.starts } : {}),
    ...(opts.networkObjective ? { networkObjective: true } : {}),
    ...(opts.restarts && opts.restarts > 1 ? { restarts: opts.restarts } : {}),
  };
}

/** Every design a strategy evaluated, the best so far and the anytime curve (one point per batch). */
export class SearchLog {
  evaluations = 0;
  hardwareCandidates = 0;
  best: CandidateResult | undefined;
  readonly history: GenerationStat[] = [];
  readonly points: SearchPoint[] = [];
  readonly all: CandidateResult[] = [];

  constructor(
    private readonly o: StrategyOptions,
    private readonly batches: number,
  ) {}

  /** A result evaluated before the search (the baseline): a candidate, but no evaluations of the search's. */
  seed(r: CandidateResult): void {
    if (!r.valid) return;
    this.all.push(r);
    if (!this.best || r.cost < this.best.cost) this.best = r;
  }

  /** Runs a batch of tasks (in parallel on the runner) and records it as one point of the anytime curve. */
  async batch(tasks: CandidateTask[]): Promise<CandidateResult[]> {
    const results = await Promise.all(tasks.map((t) => this.o.run(t)));
    const g = this.history.length;
    for (const r of results) {
      this.evaluations += r.evaluations;
      this.hardwareCandidates++;
      this.all.push(r);
      if (!r.valid) continue;
      this.points.push(pointOf(g, r));
      if (!this.best || r.cost < this.best.cost) this.best = r;
    }
    const stat: GenerationStat = {
      generation: g,
      evaluations: this.evaluations,
      best_edp: this.best ? this.best.cost : Infinity,
      median_edp: median(results.map((r) => r.cost)),
      valid: results.filter((r) => r.valid).length,
    };
    this.history.push(stat);
    this.o.onGeneration?.(stat, this.batches);
    return results;
  }

  /** Re-maps the best distinct designs with the final effort; the best of everything evaluated wins. */
  async finish(
    finalists: CandidateResult[],
    effort: number,
    opts: { networkObjective?: boolean; restarts?: number; starts?: (f: CandidateResult) => Record<string, Mapping[]> } = {},
  ): Promise<StrategyResult> {
    await this.batch(
      finalists.map((f, i) =>
        designTask(this.o, f.spec!, effort, subSeed(this.o.seed, 40, i), {
          start: mappingsOf(f),
          networkObjective: opts.networkObjective,
          restarts: opts.restarts,
          starts: opts.starts?.(f),
        }),
      ),
    );
    if (!this.best) throw new Error('search found no valid accelerator; widen the space or raise the budget');
    return {
      best: this.best,
      history: this.history,
      points: this.points,
      evaluations: this.evaluations,
      hardwareCandidates: this.hardwareCandidates,
    };
  }
}
