// A lower bound on the cycles, energy and EDP that ANY accelerator within a set of resources
// can reach on a workload under this cost model, whatever its connectivity, sizes and
// mappings. It answers "how much better than the baseline could a design possibly be?",
// so a search result can be read against its ceiling (docs/naas.md, "EDP ceiling").
//
// Per layer, the model can never do better than:
// - cycles: every MAC on one of the busy PEs, and every compulsory DRAM word moved through
//   the resources' DRAM bandwidth (DRAM reads and writes share it). Busy PEs are at most the
//   largest divisor of the iteration space (the product of the loop bounds) not above the
//   PE count: spatial factors divide their dimensions (perfect factorisation), so their
//   product divides the iteration space — the utilisation floor of every connectivity;
// - energy: one MAC energy per MAC, one DRAM access per compulsory word, and (with
//   `registerFileKeeps`, the data every design of a space keeps in its register files) one
//   register-file access per MAC for each kept operand (weights and inputs are read there,
//   outputs updated there: the model counts exactly MACs of each at the innermost keeper)
//   at the energy of the smallest register file the space allows.
// Compulsory words: every weight once, every input point a window actually touches once
// (in the padded input the model addresses), every output written once.
// Network totals add layers, and EDP = total energy x total cycles, as the search scores it.
import type { Problem } from '../ir/problem.ts';
import { problemMacs } from '../ir/problem.ts';
import type { AcceleratorSpec, Dataflow, DesignSpace } from '../ir/targets.ts';
import { dataflowConstraints } from './dataflow.ts';
import { DRAM_PJ_PER_16BIT, MAC_PJ_16BIT, sramAccessPj } from './arch-from-spec.ts';
import type { Workloads } from './candidate.ts';
import { primeFactors } from './mapper.ts';

/** What no design of a space avoids beyond MACs and compulsory DRAM traffic. */
export interface FloorOptions {
  /** Data spaces every design keeps in its per-PE register file (e.g. all three for NAAS connectivity and row stationary). */
  registerFileKeeps?: readonly string[];
  /** The smallest register file (bytes per PE) of any design: its access energy is the cheapest. */
  minRegisterFileBytes?: number;
}

export interface LayerBound {
  macs: number;
  compulsoryDramWords: number;
  /** The most PEs any mapping keeps busy (perfect factorisation). */
  busyPes: number;
  /** Register-file accesses no design of the space avoids (0 without FloorOptions). */
  registerFileAccesses: number;
  cycles: number;
  energyPj: number;
}

export interface WorkloadBound {
  networks: { name: string; cycles: number; energy_pj: number; edp: number }[];
  /** As the search reports totals: cycles and energy add over networks, EDP is their geometric mean. */
  totals: { cycles: number; energy_pj: number; edp: number };
}

/** Distinct values of sum(coef_i * x_i) with 0 <= x_i < bound_i: the points one data-space axis touches. */
function distinctAxisPoints(terms: { coef: number; bound: number }[]): number {
  const live = terms.filter((t) => t.bound > 1 && t.coef !== 0);
  if (live.length === 0) return 1;
  if (live.length === 1) return live[0].bound;
  const extent = live.reduce((a, t) => a + t.coef * (t.bound - 1), 0) + 1;
  let reach = new Uint8Array(extent);
  reach[0] = 1;
  for (const t of live) {
    const next = new Uint8Array(extent);
    for (let v = 0; v < extent; v++) {
      if (!reach[v]) continue;
      for (let i = 0; i < t.bound; i++) next[v + i * t.coef] = 1;
    }
    reach = next;
  }
  let n = 0;
  for (let v = 0; v < extent; v++) n += reach[v];
  return n;
}

/** Points of a data space that some iteration of the problem addresses. */
export function touchedPoints(problem: Problem, dataSpace: string): number {
  const ds = problem.dataSpaces.find((d) => d.name === dataSpace);
  if (!ds) return 0;
  let n = 1;
  for (const axis of ds.projection) n *= distinctAxisPoints(axis.map((t) => ({ coef: t.coef, bound: problem.bounds[t.dim] ?? 1 })));
  return n;
}

/** The largest divisor of the product of `factors` that is at most `cap`. */
export function largestDivisorOfProductAtMost(factors: number[], cap: number): number {
  const exps = new Map<number, number>();
  for (const f of factors) for (const p of primeFactors(f)) exps.set(p, (exps.get(p) ?? 0) + 1);
  const primes = [...exps].sort((a, b) => b[0] - a[0]);
  let best = 1;
  const walk = (i: number, v: number): void => {
    if (v > best) best = v;
    if (i === primes.length || best === cap) return;
    const [p, e] = primes[i];
    let x = v;
    for (let k = 0; k <= e && x <= cap; k++, x *= p) walk(i + 1, x);
  };
  walk(0, 1);
  return best;
}

/** The per-layer floor of cycles and energy on any design within the resources (and the space's FloorOptions). */
export function layerBound(problem: Problem, resources: AcceleratorSpec, floor: FloorOptions = {}): LayerBound {
  const wb = resources.wordBits;
  const pes = resources.peArray.reduce((a, b) => a * b, 1);
  const dramWordsPerCycle = resources.dramBandwidthBytesPerCycle / (wb / 8);
  const macs = problemMacs(problem);
  const words = problem.dataSpaces.reduce((a, ds) => a + touchedPoints(problem, ds.name), 0);
  const busyPes = largestDivisorOfProductAtMost(
    problem.dims.map((d) => problem.bounds[d] ?? 1),
    pes,
  );
  const cycles = Math.max(Math.ceil(macs / busyPes), Math.ceil(words / dramWordsPerCycle));
  const kept = (floor.registerFileKeeps ?? []).filter((d) => problem.dataSpaces.some((ds) => ds.name === d));
  const registerFileAccesses = macs * kept.length;
  const rfPj = sramAccessPj(floor.minRegisterFileBytes ?? 16, wb);
  const energyPj = macs * MAC_PJ_16BIT * (wb / 16) ** 2 + words * DRAM_PJ_PER_16BIT * (wb / 16) + registerFileAccesses * rfPj;
  return { macs, compulsoryDramWords: words, busyPes, registerFileAccesses, cycles, energyPj };
}

/** The floor of every network of a workload set, and of their totals as the search scores them. */
export function workloadBound(workloads: Workloads, resources: AcceleratorSpec, floor: FloorOptions = {}): WorkloadBound {
  const cache = new Map<string, LayerBound>();
  const per = (key: string): LayerBound => {
    let b = cache.get(key);
    if (!b) cache.set(key, (b = layerBound(workloads.problems[key], resources, floor)));
    return b;
  };
  const networks = workloads.networks.map((n) => {
    let cycles = 0;
    let energy = 0;
    for (const l of n.layers) {
      const b = per(l.key);
      cycles += b.cycles;
      energy += b.energyPj;
    }
    return { name: n.name, cycles, energy_pj: energy, edp: cycles * energy };
  });
  const cycles = networks.reduce((a, n) => a + n.cycles, 0);
  const energy = networks.reduce((a, n) => a + n.energy_pj, 0);
  const edp = Math.exp(networks.reduce((a, n) => a + Math.log(n.edp), 0) / networks.length);
  return { networks, totals: { cycles, energy_pj: energy, edp } };
}

const ALL_DATA = ['Weights', 'Inputs', 'Outputs'];

/**
 * What every design of a search keeps in its register files, and its smallest register file:
 * a NAAS space (one dimension per axis, or row stationary) keeps all three data spaces, a
 * sizing space what its dataflow keeps, `--rtl` designs partial sums (Outputs) only; the
 * baseline is a candidate too, so only what it also keeps counts.
 */
export function spaceFloorOptions(space: DesignSpace, baseline?: AcceleratorSpec, rtl?: boolean): FloorOptions {
  const keepsOf = (df: Dataflow | undefined): string[] => (df ? dataflowConstraints(df, [1, 1]).rfKeep : ALL_DATA);
  let keeps = rtl ? ['Outputs'] : keepsOf(space.dataflow);
  if (baseline) keeps = keeps.filter((d) => keepsOf(baseline.dataflow).includes(d));
  const spaceMin = space.registerFileBytes?.min ?? 16;
  return { registerFileKeeps: keeps, minRegisterFileBytes: Math.max(16, Math.min(spaceMin, baseline?.registerFileBytesPerPe ?? spaceMin)) };
}
