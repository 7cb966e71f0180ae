// The network level of the co-search: an evolutionary search over a supernet's subnets, each
// scored on accuracy (a pluggable source) and on its hardware (EDP after its own NAAS inner
// search, or peak SRAM of its patch schedule on a microcontroller), keeping the Pareto front.
// Beside it, the sequential baseline the papers beat: the network first (best accuracy under
// a MAC budget), then the hardware for it.
import type { SubnetConfig, SupernetSpec } from '../ir/supernet.ts';
import { Prng } from '../util/prng.ts';
import type { AccuracySource } from './accuracy/source.ts';
import { configKey, crossoverConfig, largestConfig, mutateConfig, sampleConfig, smallestConfig } from './supernet.ts';

/** What the hardware level says of one subnet. `value` is minimised (EDP, or peak SRAM bytes). */
export interface HardwareScore {
  value: number;
  macs: number;
  /** False when the subnet does not fit (a microcontroller's SRAM or flash). */
  feasible: boolean;
  /** Further figures reported with the point (flash bytes, cycles, energy...). */
  extra?: Record<string, number | string>;
}

export interface NasPoint {
  config: string;
  accuracy: number;
  accuracy_source: string;
  value: number;
  macs: number;
  feasible: boolean;
  extra?: Record<string, number | string>;
}

export interface NasOptions {
  spec: SupernetSpec;
  source: AccuracySource;
  /** Hardware level: called once per distinct subnet. */
  hardware: (c: SubnetConfig) => Promise<HardwareScore>;
  /** Cheap MAC count of a subnet (no hardware search), for the sequential baseline's budgets. */
  macs: (c: SubnetConfig) => number;
  seed: number;
  population: number;
  generations: number;
  /** Number of MAC budgets of the sequential baseline (its front has at most this many points). */
  budgets: number;
  onGeneration?: (g: number, front: NasPoint[]) => void;
}

export interface NasResult {
  pareto: NasPoint[];
  /** Every subnet the joint search scored, in the order it scored them. */
  evaluated: NasPoint[];
  sequential: { pareto: NasPoint[]; mac_budgets: number[]; chosen: NasPoint[]; accuracy_evaluations: number; hardware_evaluations: number };
  /** Accuracy and hardware evaluations of both searches (each distinct subnet once per level). */
  evaluations: { accuracy: number; hardware: number };
}

/** a dominates b: at least as accurate and as cheap, better in one. Infeasible points dominate nothing. */
export function dominates(a: NasPoint, b: NasPoint): boolean {
  if (!a.feasible) return false;
  if (!b.feasible) return true;
  return a.accuracy >= b.accuracy && a.value <= b.value && (a.accuracy > b.accuracy || a.value < b.value);
}

/** The non-dominated feasible points, by ascending hardware value (ties: config key). */
export function paretoOf(points: NasPoint[]): NasPoint[] {
  const feasible = points.filter((p) => p.feasible);
  const front = feasible.filter((p) => !feasible.some((q) => q !== p && dominates(q, p)));
  const seen = new Set<string>();
  return front
    .filter((p) => (seen.has(p.config) ? false : (seen.add(p.config), true)))
    .sort((a, b) => a.value - b.value || b.accuracy - a.accuracy || (a.config < b.config ? -1 : 1));
}

/** Non-dominated sorting ranks (0 = front). */
function ranks(points: NasPoint[]): number[] {
  const r = new Array<number>(points.length).fill(-1);
  let left = points.map((_, i) => i);
  for (let rank = 0; left.length; rank++) {
    const front = left.filter((i) => !left.some((j) => j !== i && dominates(points[j], points[i])));
    const take = front.length ? front : left;
    for (const i of take) r[i] = rank;
    left = left.filter((i) => r[i] < 0);
  }
  return r;
}

/**
 * NSGA-II crowding distance of each point within its rank: the normalised gap between its
 * neighbours along accuracy and along the hardware value (a front's ends get infinity), so
 * selection keeps a front spread over the whole range instead of crowding at the accurate end.
 */
export function crowding(points: NasPoint[], rank: number[]): number[] {
  const d = new Array<number>(points.length).fill(0);
  const byRank = new Map<number, number[]>();
  rank.forEach((r, i) => byRank.set(r, [...(byRank.get(r) ?? []), i]));
  for (const members of byRank.values()) {
    for (const key of [(p: NasPoint) => p.accuracy, (p: NasPoint) => Math.log(Math.max(p.value, 1e-300))]) {
      const order = [...members].sort((a, b) => key(points[a]) - key(points[b]) || (points[a].config < points[b].config ? -1 : 1));
      const lo = key(points[order[0]]);
      const hi = key(points[order[order.length - 1]]);
      d[order[0]] = d[order[order.length - 1]] = Infinity;
      if (hi <= lo) continue;
      for (let k = 1; k < order.length - 1; k++) d[order[k]] += (key(points[order[k + 1]]) - key(points[order[k - 1]])) / (hi - lo);
    }
  }
  return d;
}

/** Memoised scoring: each distinct subnet's accuracy and hardware are computed once. */
class Scorer {
  readonly acc = new Map<string, number>();
  readonly hw = new Map<string, HardwareScore>();
  constructor(private readonly o: NasOptions) {}

  async accuracy(cs: SubnetConfig[]): Promise<number[]> {
    const todo = cs.filter((c, i) => !this.acc.has(configKey(c)) && cs.findIndex((d) => configKey(d) === configKey(c)) === i);
    if (todo.length) {
      const a = await this.o.source.accuracy(todo);
      todo.forEach((c, i) => this.acc.set(configKey(c), a[i]));
    }
    return cs.map((c) => this.acc.get(configKey(c))!);
  }

  async hardware(c: SubnetConfig): Promise<HardwareScore> {
    const k = configKey(c);
    let h = this.hw.get(k);
    if (!h) this.hw.set(k, (h = await this.o.hardware(c)));
    return h;
  }

  async point(c: SubnetConfig): Promise<NasPoint> {
    const [accuracy] = await this.accuracy([c]);
    const h = await this.hardware(c);
    return {
      config: configKey(c),
      accuracy,
      accuracy_source: this.o.source.name,
      value: h.value,
      macs: h.macs,
      feasible: h.feasible,
      ...(h.extra ? { extra: h.extra } : {}),
    };
  }
}

/** Map a configuration onto what the accuracy source knows (a table's rows), else itself. */
const known = (o: NasOptions, c: SubnetConfig) => (o.source.nearest ? o.source.nearest(c) : c);

/** The joint search: accuracy and hardware together, NSGA-II selection (rank, then crowding distance) on both. */
export async function jointSearch(o: NasOptions): Promise<{ pareto: NasPoint[]; evaluated: NasPoint[]; scorer: Scorer }> {
  const rng = new Prng(o.seed);
  const scorer = new Scorer(o);
  const evaluated: NasPoint[] = [];
  const configs = new Map<string, SubnetConfig>();
  const add = async (c: SubnetConfig) => {
    const k = configKey(c);
    if (configs.has(k)) return;
    configs.set(k, c);
    evaluated.push(await scorer.point(c));
  };
  // The extremes first, then uniform samples.
  await add(known(o, largestConfig(o.spec)));
  await add(known(o, smallestConfig(o.spec)));
  for (let tries = 0; configs.size < o.population && tries < o.population * 20; tries++) await add(known(o, sampleConfig(o.spec, rng)));
  let population = [...evaluated];
  for (let g = 0; g < o.generations; g++) {
    const r = ranks(population);
    const cd = crowding(population, r);
    // Binary tournament on rank, then crowding distance (NSGA-II).
    const pickParent = () => {
      const a = rng.int(population.length);
      const b = rng.int(population.length);
      return r[a] < r[b] || (r[a] === r[b] && cd[a] >= cd[b]) ? population[a] : population[b];
    };
    const before = evaluated.length;
    for (let tries = 0; evaluated.length - before < o.population && tries < o.population * 20; tries++) {
      const child = mutateConfig(
        o.spec,
        crossoverConfig(configs.get(pickParent().config)!, configs.get(pickParent().config)!, rng),
        rng,
        0.25,
      );
      await add(known(o, child));
    }
    // Survivors: the best `population` of parents and children by rank, then crowding distance.
    const pool = [...population, ...evaluated.slice(before)];
    const pr = ranks(pool);
    const pc = crowding(pool, pr);
    population = pool
      .map((p, i) => ({ p, r: pr[i], c: pc[i] }))
      .sort(
        (a, b) =>
          a.r - b.r ||
          (a.c === b.c ? 0 : a.c > b.c ? -1 : 1) ||
          b.p.accuracy - a.p.accuracy ||
          a.p.value - b.p.value ||
          (a.p.config < b.p.config ? -1 : 1),
      )
      .slice(0, o.population)
      .map((x) => x.p);
    o.onGeneration?.(g, paretoOf(evaluated));
  }
  return { pareto: paretoOf(evaluated), evaluated, scorer };
}

/**
 * The sequential baseline: for each of `budgets` MAC budgets spread over the space's range,
 * the most accurate subnet within the budget (an accuracy-only evolutionary search with the
 * joint search's accuracy evaluations shared out over the budgets), then its hardware.
 */
export async function sequentialSearch(o: NasOptions, accuracyEvaluations: number): Promise<NasResult['sequential']> {
  const rng = new Prng(o.seed ^ 0x2bad);
  const scorer = new Scorer(o);
  const lo = o.macs(smallestConfig(o.spec));
  const hi = o.macs(largestConfig(o.spec));
  const budgets = Array.from({ length: o.budgets }, (_, i) => Math.round(lo + ((hi - lo) * (i + 1)) / o.budgets));
  const perBudget = Math.max(4, Math.floor(accuracyEvaluations / o.budgets));
  const chosen: NasPoint[] = [];
  for (const budget of budgets) {
    const within = (c: SubnetConfig) => o.macs(c) <= budget;
    const pool: SubnetConfig[] = [];
    const seen = new Set<string>();
    const consider = (c: SubnetConfig) => {
      const k = configKey(c);
      if (seen.has(k) || !within(c)) return;
      seen.add(k);
      pool.push(c);
    };
    // The extremes first, as the joint search starts from them: the smallest fits every budget,
    // the largest the top one.
    consider(known(o, largestConfig(o.spec)));
    consider(known(o, smallestConfig(o.spec)));
    for (let tries = 0; pool.length < Math.ceil(perBudget / 2) && tries < perBudget * 40; tries++)
      consider(known(o, sampleConfig(o.spec, rng)));
    // Evolve on accuracy alone within the budget.
    for (let tries = 0; pool.length < perBudget && tries < perBudget * 40; tries++) {
      const acc = await scorer.accuracy(pool);
      const order = pool.map((c, i) => ({ c, a: acc[i] })).sort((a, b) => b.a - a.a || (configKey(a.c) < configKey(b.c) ? -1 : 1));
      const parents = order.slice(0, Math.max(2, Math.ceil(order.length / 3)));
      const p1 = parents[rng.int(parents.length)].c;
      const p2 = parents[rng.int(parents.length)].c;
      consider(known(o, mutateConfig(o.spec, crossoverConfig(p1, p2, rng), rng, 0.25)));
    }
    const acc = await scorer.accuracy(pool);
    let best = 0;
    for (let i = 1; i < pool.length; i++)
      if (acc[i] > acc[best] || (acc[i] === acc[best] && o.macs(pool[i]) < o.macs(pool[best]))) best = i;
    if (pool.length) chosen.push(await scorer.point(pool[best]));
  }
  return {
    pareto: paretoOf(chosen),
    mac_budgets: budgets,
    chosen,
    accuracy_evaluations: scorer.acc.size,
    hardware_evaluations: scorer.hw.size,
  };
}

/** Both searches, as `nacc nas` reports them. */
export async function networkSearch(o: NasOptions): Promise<NasResult> {
  const joint = await jointSearch(o);
  const sequential = await sequentialSearch(o, joint.scorer.acc.size);
  return {
    pareto: joint.pareto,
    evaluated: joint.evaluated,
    sequential,
    evaluations: {
      accuracy: joint.scorer.acc.size + sequential.accuracy_evaluations,
      hardware: joint.scorer.hw.size + sequential.hardware_evaluations,
    },
  };
}
