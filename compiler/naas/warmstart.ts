// Warm start of the outer NAAS search: before any cost-model evaluation, rank every
// connectivity (parallel dimensions) and array shape of the space by the cycles it could
// reach on the workload, and hand the best few to the first generation.
//
// A mapping can put on an array axis only a divisor of the dimension it parallelises
// (perfect factorisation, as in Timeloop), so an axis of size s mapping a dimension of
// bound n keeps largestDivisorAtMost(n, s) of its s PEs busy. Per layer the estimate is
// max(MACs / busy PEs, compulsory DRAM words / DRAM bandwidth); the network's is the sum.
// This ranks shapes whose sizes divide the workload's dimensions (8x16 for power-of-two
// channel counts, 14x12 for 56x56 images) above shapes that leave PEs idle, and it is
// cheap: no mapping is searched.
import type { AcceleratorSpec, DesignSpace } from '../ir/targets.ts';
import { layerBound } from './bound.ts';
import type { Workloads } from './candidate.ts';
import { decodeHardware, encodeHardware, largestDivisorAtMost, PARALLEL_DIMS, type SpaceLimits } from './encoding.ts';

export interface WarmCandidate {
  peArray: number[];
  /** The PE-count gene that decodes to this shape. */
  pe: number;
  parallel: string[];
  /** Estimated network cycles (a lower bound for this connectivity and shape). */
  cycles: number;
  x: number[];
}

function gridValues(r: { min: number; max: number; step: number }, cap = Infinity): number[] {
  const out: number[] = [];
  for (let v = r.min; v <= Math.min(r.max, cap); v += r.step) out.push(v);
  return out;
}

/** Array shapes the decoder can produce: axis sizes on the grid, the last taking what the PE count leaves. */
export function arrayShapes(space: DesignSpace, lim: SpaceLimits): { shape: number[]; pe: number }[] {
  const dimsR = space.arrayDims ?? { min: 1, max: 3, step: 1 };
  const peR = space.peCount ?? { min: 8, max: lim.maxPes, step: 8 };
  const sizeR = space.arraySize ?? { min: 2, max: 64, step: 2 };
  const seen = new Set<string>();
  const out: { shape: number[]; pe: number }[] = [];
  const pes = gridValues(peR, lim.maxPes);
  const sizes = gridValues(sizeR);
  const add = (prefix: number[]): void => {
    const prod = prefix.reduce((a, b) => a * b, 1);
    for (const pe of pes) {
      const last = Math.min(Math.floor(pe / prod / sizeR.step) * sizeR.step, sizeR.max);
      if (last < sizeR.min) continue;
      const s = [...prefix, last];
      const key = s.join('x');
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ shape: s, pe });
      }
    }
  };
  for (let k = dimsR.min; k <= dimsR.max; k += dimsR.step) {
    if (k === 1) add([]);
    else if (k === 2) for (const a of sizes) add([a]);
    else if (k === 3) for (const a of sizes) for (const b of sizes) if (a * b <= lim.maxPes / sizeR.min) add([a, b]);
  }
  return out;
}

/** Ordered choices of k distinct parallel dimensions (the space's own list when it fixes one). */
function parallelChoices(space: DesignSpace, k: number, dims: string[]): string[][] {
  if (Array.isArray(space.parallel)) return space.parallel.length >= k ? [space.parallel.slice(0, k)] : [];
  const out: string[][] = [];
  const rec = (acc: string[]): void => {
    if (acc.length === k) {
      out.push(acc);
      return;
    }
    for (const d of dims) if (!acc.includes(d)) rec([...acc, d]);
  };
  rec([]);
  return out;
}

/**
 * The `count` most promising (connectivity, shape) points of the space for the workloads,
 * at most one per set of parallel dimensions first (so the first generation is diverse),
 * each encoded as a hardware vector with the resources' buffer sizes.
 */
export function warmStartCandidates(
  workloads: Workloads,
  space: DesignSpace,
  resources: AcceleratorSpec,
  lim: SpaceLimits,
  count: number,
): WarmCandidate[] {
  const layers: { bounds: Record<string, number>; macs: number; dramCycles: number; weight: number }[] = [];
  const uses = new Map<string, number>();
  for (const n of workloads.networks) for (const l of n.layers) uses.set(l.key, (uses.get(l.key) ?? 0) + 1);
  const dramWordsPerCycle = lim.dramBandwidthBytesPerCycle / (lim.wordBits / 8);
  for (const [key, weight] of uses) {
    const p = workloads.problems[key];
    const b = layerBound(p, resources);
    layers.push({ bounds: p.bounds, macs: b.macs, dramCycles: Math.ceil(b.compulsoryDramWords / dramWordsPerCycle), weight });
  }
  // Dimensions worth parallelising: those some layer has more than one of (N is batch).
  const dims = PARALLEL_DIMS.filter((d) =>
    layers.some((l) => (l.bounds[d] ?? 1) > 1 || ((d === 'K' || d === 'C') && (l.bounds.G ?? 1) > 1)),
  );
  const scored: WarmCandidate[] = [];
  for (const { shape, pe } of arrayShapes(space, lim)) {
    for (const par of parallelChoices(space, shape.length, dims.length >= shape.length ? dims : [...PARALLEL_DIMS])) {
      let cycles = 0;
      for (const l of layers) {
        let busy = 1;
        let groupsUsed = false;
        par.forEach((d, a) => {
          let n = l.bounds[d] ?? 1;
          // Grouped and depthwise layers may put groups on a K or C axis.
          if ((d === 'K' || d === 'C') && !groupsUsed && (l.bounds.G ?? 1) > 1) {
            n *= l.bounds.G;
            groupsUsed = true;
          }
          busy *= largestDivisorAtMost(n, shape[a]);
        });
        cycles += l.weight * Math.max(Math.ceil(l.macs / busy), l.dramCycles);
      }
      scored.push({ peArray: shape, pe, parallel: par, cycles, x: [] });
    }
  }
  const pes = (c: WarmCandidate): number => c.peArray.reduce((x, y) => x * y, 1);
  // Equal estimates: the smaller array (fewer idle PEs, more room for buffers), then fewer axes.
  scored.sort(
    (a, b) =>
      a.cycles - b.cycles ||
      pes(a) - pes(b) ||
      a.peArray.length - b.peArray.length ||
      a.peArray.join('x').localeCompare(b.peArray.join('x')) ||
      a.parallel.join().localeCompare(b.parallel.join()),
  );
  const picked: WarmCandidate[] = [];
  const sets = new Set<string>();
  const take = (c: WarmCandidate): boolean => {
    const spec: AcceleratorSpec = { ...resources, peArray: c.peArray, parallel: c.parallel, dataflow: undefined };
    const x = encodeHardware(spec, space, lim, c.parallel);
    const peR = space.peCount ?? { min: 8, max: lim.maxPes, step: 8 };
    if (peR.max > peR.min) x[1] = (c.pe - peR.min) / (peR.max - peR.min);
    const d = decodeHardware(x, space, lim);
    if (!d || d.spec.peArray.join('x') !== c.peArray.join('x') || d.parallel.join() !== c.parallel.join()) return false;
    picked.push({ ...c, x });
    return true;
  };
  for (const c of scored) {
    if (picked.length >= count) break;
    const set = [...c.parallel].sort().join();
    if (sets.has(set)) continue;
    if (take(c)) sets.add(set);
  }
  for (const c of scored) {
    if (picked.length >= count) break;
    if (picked.some((p) => p.peArray.join('x') === c.peArray.join('x') && p.parallel.join() === c.parallel.join())) continue;
    take(c);
  }
  return picked;
}
