// A lower bound on the cycles, energy and EDP that ANY accelerator within a set of resources
// can reach on a workload under this cost model, whatever its connectivity, sizes and
// mappings. It answers "how much better than the baseline could a design possibly be?",
// so a search result can be read against its ceiling (docs/naas.md, "EDP ceiling").
//
// Per layer, the model can never do better than:
// - cycles: every MAC on one of the resources' PEs (MACs / PEs), and every compulsory DRAM
//   word moved through the resources' DRAM bandwidth (DRAM reads and writes share it);
// - energy: one MAC energy per MAC, plus one DRAM access per compulsory word.
// Compulsory words: every weight once, every input point a window actually touches once
// (in the padded input the model addresses), every output written once.
// Network totals add layers, and EDP = total energy x total cycles, as the search scores it.
import type { Problem } from '../ir/problem.ts';
import { problemMacs } from '../ir/problem.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { DRAM_PJ_PER_16BIT, MAC_PJ_16BIT } from './arch-from-spec.ts';
import type { Workloads } from './candidate.ts';

export interface LayerBound {
  macs: number;
  compulsoryDramWords: number;
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

/** The per-layer floor of cycles and energy on any design within the resources. */
export function layerBound(problem: Problem, resources: AcceleratorSpec): LayerBound {
  const wb = resources.wordBits;
  const pes = resources.peArray.reduce((a, b) => a * b, 1);
  const dramWordsPerCycle = resources.dramBandwidthBytesPerCycle / (wb / 8);
  const macs = problemMacs(problem);
  const words = problem.dataSpaces.reduce((a, ds) => a + touchedPoints(problem, ds.name), 0);
  const cycles = Math.max(Math.ceil(macs / pes), Math.ceil(words / dramWordsPerCycle));
  const energyPj = macs * MAC_PJ_16BIT * (wb / 16) ** 2 + words * DRAM_PJ_PER_16BIT * (wb / 16);
  return { macs, compulsoryDramWords: words, cycles, energyPj };
}

/** The floor of every network of a workload set, and of their totals as the search scores them. */
export function workloadBound(workloads: Workloads, resources: AcceleratorSpec): WorkloadBound {
  const cache = new Map<string, LayerBound>();
  const per = (key: string): LayerBound => {
    let b = cache.get(key);
    if (!b) cache.set(key, (b = layerBound(workloads.problems[key], resources)));
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
