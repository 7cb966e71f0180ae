// Evaluating one accelerator candidate: map every distinct layer shape of every network
// (NAAS: inner CMA-ES over the mapping encoding; fixed dataflows: the mapper), then add
// up network energy and cycles. Pure and seeded, so it can run in a worker thread.
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import type { AcceleratorSpec, DesignSpace } from '../ir/targets.ts';
import { specToArchitecture } from './arch-from-spec.ts';
import { CmaEs } from './cmaes.ts';
import {
  connectivityConstraints,
  dataflowConstraints,
  objectiveValue,
  withLoopOrder,
  type MappingConstraints,
  type Objective,
} from './dataflow.ts';
import { decodeHardware, decodeMapping, decodeSizing, MAP_VECTOR_LENGTH, ORDER_DIMS, type SpaceLimits } from './encoding.ts';
import { bestMapping, polishMapping } from './mapper.ts';
import { rtlExecutableMapping, type RtlAxis } from './rtl-executable.ts';
import { costArchitecture, dramBeatBytes, rtlParallel } from './rtl-architecture.ts';
import { prepare, type Evaluation } from './model.ts';
import type { Architecture } from '../ir/architecture.ts';
import { acceleratorArea, UM2_PER_MM2 } from './area.ts';

export interface WorkloadLayer {
  name: string;
  /** Key into Workloads.problems (layers of equal shape share one). */
  key: string;
}

export interface Workloads {
  networks: { name: string; layers: WorkloadLayer[] }[];
  problems: Record<string, Problem>;
}

export interface InnerBudget {
  /** NAAS: CMA-ES generations and population per layer shape. Mapper: samples + steps = generations * population. */
  generations: number;
  population: number;
  /** Hill-climbing steps after the inner CMA-ES (defaults to generations * population). */
  polish?: number;
}

/** Every task may name the objective its mappings and networks are scored by (default EDP). */
export type CandidateTask = {
  objective?: Objective;
  /** A fixed loop order at every level (the space's loop_order list). */
  loopOrder?: string[];
  /** Only mappings the generated RTL executes on the design's axes (rtl-executable.ts; not the baselines, which have no RTL axes of their own). */
  rtl?: boolean;
  /** With `rtl`: the generated global buffer single-buffered (whole bank shares, loads not overlapped); default double. */
  rtlSingleBuffer?: boolean;
} &
  /** `start`: per layer shape, a mapping vector to start the inner search from (the best design so far's), when known. */
  (
    | {
        kind: 'naas';
        x: number[];
        space: DesignSpace;
        limits: SpaceLimits;
        workloads: Workloads;
        inner: InnerBudget;
        seed: number;
        start?: Record<string, number[]>;
      }
    | { kind: 'sizing'; x: number[]; space: DesignSpace; limits: SpaceLimits; workloads: Workloads; inner: InnerBudget; seed: number }
    | { kind: 'fixed'; spec: AcceleratorSpec; workloads: Workloads; inner: InnerBudget; seed: number }
    /** Re-map a chosen NAAS design with the baseline's mapper effort (starting from its inner-search mappings). */
    | {
        kind: 'remap';
        spec: AcceleratorSpec;
        parallel: string[];
        start: Record<string, Mapping>;
        workloads: Workloads;
        inner: InnerBudget;
        seed: number;
      }
    /**
     * Map a whole design (its dataflow, or its `parallel` connectivity) with `effort` mapper
     * evaluations per layer shape, from `start` mappings when given (design-mapping.ts). With
     * `networkObjective`, part of the effort re-polishes every layer for e/E + c/C at the
     * design's network totals E, C (edp and edap), so layers agree with the network's E x C.
     * `restarts` (default 1) splits the fresh search of every layer into that many independent
     * mapper runs and keeps each layer's best. `starts`: per layer shape, more mappings to start
     * from (found on other designs); each is evaluated once and the best valid one is polished.
     */
    | {
        kind: 'design';
        spec: AcceleratorSpec;
        workloads: Workloads;
        effort: number;
        seed: number;
        start?: Record<string, Mapping>;
        starts?: Record<string, Mapping[]>;
        networkObjective?: boolean;
        restarts?: number;
      }
  );

export interface LayerResult {
  name: string;
  key: string;
  cycles: number;
  energyPj: number;
  mapping: Mapping;
}

export interface NetworkResult {
  name: string;
  cycles: number;
  energyPj: number;
  edp: number;
  layers: LayerResult[];
}

export interface CandidateResult {
  valid: boolean;
  spec?: AcceleratorSpec;
  /** Geometric mean over the networks of the objective (EDP unless the task names another); Infinity when invalid. */
  cost: number;
  cycles: number;
  energyPj: number;
  networks: NetworkResult[];
  evaluations: number;
  /** NAAS: per layer shape, the mapping vector of the chosen mapping before refinement (inherited by later candidates). */
  vectors?: Record<string, number[]>;
}

export const INVALID: CandidateResult = {
  valid: false,
  cost: Infinity,
  cycles: Infinity,
  energyPj: Infinity,
  networks: [],
  evaluations: 0,
};

/** A small deterministic integer hash for deriving sub-seeds. */
export function subSeed(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h ^= Math.floor(x) + 0x7f4a7c15 + (h << 6) + (h >>> 2);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  }
  return h >>> 0;
}

/** Inner NAAS search: CMA-ES over one layer's mapping vector. */
export function mapLayerNaas(
  problem: Problem,
  arch: Architecture,
  c: MappingConstraints,
  inner: InnerBudget,
  seed: number,
  start?: number[],
): { mapping: Mapping; evaluation: Evaluation; evaluations: number; x: number[] } | undefined {
  const n = MAP_VECTOR_LENGTH;
  const nO = ORDER_DIMS.length;
  // A safe start: everything temporal at DRAM, so small buffers still fit.
  const safe = new Array(n).fill(0.5);
  for (let i = 3 * nO; i < n; i++) safe[i] = 0;
  let evaluations = 0;
  let best: { mapping: Mapping; evaluation: Evaluation; x: number[] } | undefined;
  // Scored from the prepared model's totals; the full evaluation is built for new bests only.
  const model = prepare(problem, arch);
  let bestCost = Infinity;
  const consider = (x: number[]): number => {
    const decoded = decodeMapping(x, problem, c);
    const mapping = c.rtlAxes ? rtlExecutableMapping(problem, decoded, c.rtlAxes, c.rtlBeat) : decoded;
    const t = model.totals(mapping);
    evaluations++;
    if (!t) return Infinity;
    const cost = objectiveValue(t, c.objective);
    if (!best || cost < bestCost) {
      best = { mapping, evaluation: model.evaluate(mapping), x };
      bestCost = cost;
    }
    return cost;
  };
  consider(safe);
  // An inherited vector (the best design's mapping of this layer) decodes onto this
  // hardware as the same loop orders and tiling ratios: when it is valid, search around it.
  const inherited = start && start.length === n && Number.isFinite(consider(start));
  const cma = inherited
    ? new CmaEs(n, { lambda: inner.population, seed, sigma: 0.3, mean: start })
    : new CmaEs(n, { lambda: inner.population, seed, sigma: 0.8 });
  for (let g = 0; g < inner.generations; g++) {
    const xs: number[][] = [];
    const costs: number[] = [];
    for (let i = 0; i < cma.lambda; i++) {
      let x = cma.sample();
      let cost = consider(x);
      // Reject and resample invalid mappings a few times before giving up on this slot.
      for (let r = 0; r < 4 && !Number.isFinite(cost); r++) {
        x = cma.sample();
        cost = consider(x);
      }
      xs.push(x);
      costs.push(Number.isFinite(cost) ? Math.log(cost) : 1e6);
    }
    cma.tell(xs, costs);
  }
  if (!best) return undefined;
  // Local refinement of the CMA-ES result on its factor placement.
  const polished = polishMapping(problem, arch, c, best.mapping, inner.polish ?? inner.generations * inner.population, subSeed(seed, 7));
  evaluations += polished.evaluations;
  const better =
    polished.evaluation.valid && objectiveValue(polished.evaluation, c.objective) < objectiveValue(best.evaluation, c.objective);
  return { ...(better ? { ...polished, x: best.x } : best), evaluations };
}

export function mapAll(
  spec: AcceleratorSpec,
  workloads: Workloads,
  mapOne: (
    p: Problem,
    arch: Architecture,
    seed: number,
    key: string,
  ) => { mapping: Mapping; evaluation: Evaluation; evaluations: number; x?: number[] } | undefined,
  seed: number,
  objective: Objective = 'edp',
  rtlAxes?: RtlAxis[],
  doubleBuffered = true,
): CandidateResult {
  // Mappings the generated RTL executes are costed on the model's description of that RTL.
  const arch = costArchitecture(spec, rtlAxes, Object.values(workloads.problems), doubleBuffered);
  const perKey = new Map<string, { mapping: Mapping; evaluation: Evaluation }>();
  const vectors: Record<string, number[]> = {};
  let evaluations = 0;
  const keys = Object.keys(workloads.problems).sort();
  for (let i = 0; i < keys.length; i++) {
    const r = mapOne(workloads.problems[keys[i]], arch, subSeed(seed, i), keys[i]);
    if (!r) return { ...INVALID, spec, evaluations };
    evaluations += r.evaluations;
    perKey.set(keys[i], r);
    if (r.x) vectors[keys[i]] = r.x;
  }
  const networks: NetworkResult[] = workloads.networks.map((net) => {
    const layers = net.layers.map((l) => {
      const r = perKey.get(l.key) as { mapping: Mapping; evaluation: Evaluation };
      return { name: l.name, key: l.key, cycles: r.evaluation.cycles, energyPj: r.evaluation.energyPj, mapping: r.mapping };
    });
    const cycles = layers.reduce((a, l) => a + l.cycles, 0);
    const energyPj = layers.reduce((a, l) => a + l.energyPj, 0);
    return { name: net.name, cycles, energyPj, edp: cycles * energyPj, layers };
  });
  // edap: the networks' EDP times the design's area in mm² (the same for every network).
  const areaFactor = objective === 'edap' ? acceleratorArea(spec).um2 / UM2_PER_MM2 : 1;
  const cost = areaFactor * Math.exp(networks.reduce((a, n) => a + Math.log(objectiveValue(n, objective)), 0) / networks.length);
  return {
    valid: true,
    spec,
    cost,
    cycles: networks.reduce((a, n) => a + n.cycles, 0),
    energyPj: networks.reduce((a, n) => a + n.energyPj, 0),
    networks,
    evaluations,
    ...(Object.keys(vectors).length ? { vectors } : {}),
  };
}

export const mapperBudget = (inner: InnerBudget) => {
  const total = inner.generations * inner.population;
  return { samples: Math.ceil(total / 2), steps: Math.floor(total / 2) };
};

/** Whether a design keeps within its space's area bound (`area: 1.5 mm2`), if it has one. */
export function withinAreaBound(spec: AcceleratorSpec, space: DesignSpace): boolean {
  return space.maxAreaMm2 === undefined || acceleratorArea(spec).um2 <= space.maxAreaMm2 * UM2_PER_MM2;
}

/** Constraints that also keep every mapping executable by the generated RTL on these axes, when asked (and the design names its parallel dimensions). */
export function withRtl(
  c: MappingConstraints,
  rtl: boolean | undefined,
  parallel: string[] | undefined,
  peArray: number[],
  dramBandwidth?: number,
): MappingConstraints {
  if (!rtl || !parallel || parallel.length !== peArray.length) return c;
  return {
    ...c,
    rtlAxes: parallel.map((d, i) => ({ dim: d as RtlAxis['dim'], size: peArray[i] })),
    ...(dramBandwidth !== undefined ? { rtlBeat: dramBeatBytes(dramBandwidth) } : {}),
  };
}
