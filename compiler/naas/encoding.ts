// The NAAS encoding (Lin et al., DAC 2021): real vectors decoded into hardware and mappings.
// Hardware: array dimensionality (1-3), PE count on a step-8 grid, array axis sizes on a
// step-2 grid, register file and global buffer sizes on a 16-byte grid, and one importance
// value per convolution dimension whose top-k become the parallel dimensions of a k-D array.
// Mapping (per layer, per hardware): per memory level, loop order as importance values
// sorted outermost-first; tiling as per-dimension ratios of each level's share.
// Ties are broken by dimension order (N K C P Q R S); undecodable vectors return undefined
// (the optimiser rejects and resamples them).
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import type { AcceleratorSpec, DesignSpace, IntRange } from '../ir/targets.ts';
import { meshAxis, onChipBytes } from './arch-from-spec.ts';
import { imposeOrder, type MappingConstraints } from './dataflow.ts';

export const PARALLEL_DIMS = ['N', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;
export const ORDER_DIMS = ['N', 'G', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** A value in [0,1] onto a grid range. */
export function onGrid(x: number, r: IntRange): number {
  const steps = Math.floor((r.max - r.min) / r.step);
  return r.min + Math.round(clamp01(x) * steps) * r.step;
}

/** Sort indices by value descending; equal values keep the lower index first. */
export function rankByImportance(values: number[]): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map((x) => x[1]);
}

export interface HardwarePoint {
  spec: AcceleratorSpec;
  /** Parallel loop dimension of each array axis. */
  parallel: string[];
}

export interface SpaceLimits {
  maxPes: number;
  maxOnChipBytes: number;
  dramBandwidthBytesPerCycle: number;
  wordBits: number;
  clockMHz?: number;
}

export function limitsOf(resources: AcceleratorSpec): SpaceLimits {
  return {
    maxPes: resources.peArray.reduce((a, b) => a * b, 1),
    maxOnChipBytes: onChipBytes(resources),
    dramBandwidthBytesPerCycle: resources.dramBandwidthBytesPerCycle,
    wordBits: resources.wordBits,
    clockMHz: resources.clockMHz,
  };
}

/** Genes: dims, PE count, 2 axis sizes (a 3rd axis takes the rest), RF, buffer, one importance per parallel dimension, DRAM bandwidth. */
export const HW_VECTOR_LENGTH = 7 + PARALLEL_DIMS.length + 1;
const BW_GENE = 7 + PARALLEL_DIMS.length;

/** DRAM bandwidth of a decoded design: the space's range on its grid when it has one, never above the resources'. */
export function decodeBandwidth(x: number, space: DesignSpace, lim: SpaceLimits): number {
  const r = space.dramBandwidthBytesPerCycle;
  if (!r) return lim.dramBandwidthBytesPerCycle;
  return Math.min(onGrid(x, r), lim.dramBandwidthBytesPerCycle);
}

/** Decode a NAAS hardware vector; undefined when it breaks the space or the resources. */
export function decodeHardware(x: number[], space: DesignSpace, lim: SpaceLimits, name = 'naas'): HardwarePoint | undefined {
  const dimsR = space.arrayDims ?? { min: 1, max: 3, step: 1 };
  const peR = space.peCount ?? { min: 8, max: lim.maxPes, step: 8 };
  const sizeR = space.arraySize ?? { min: 2, max: 64, step: 2 };
  const rfR = space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const k = onGrid(x[0], dimsR);
  const peTarget = Math.min(onGrid(x[1], peR), lim.maxPes);
  const sizes: number[] = [];
  let prod = 1;
  for (let a = 0; a < k - 1; a++) {
    const s = onGrid(x[2 + a], sizeR);
    sizes.push(s);
    prod *= s;
  }
  // The last axis takes what the PE budget leaves, on the step-2 grid.
  let last = Math.floor(peTarget / prod / sizeR.step) * sizeR.step;
  last = Math.min(last, sizeR.max);
  if (last < sizeR.min) return undefined;
  sizes.push(last);
  const pes = prod * last;
  if (pes > lim.maxPes || pes < peR.min) return undefined;
  const rf = onGrid(x[5], rfR);
  const gb = onGrid(x[6], gbR);
  const spec: AcceleratorSpec = {
    name,
    peArray: sizes,
    registerFileBytesPerPe: rf,
    globalBufferBytes: gb,
    dramBandwidthBytesPerCycle: decodeBandwidth(x[BW_GENE] ?? 1, space, lim),
    wordBits: lim.wordBits,
    clockMHz: lim.clockMHz,
  };
  if (onChipBytes(spec) > lim.maxOnChipBytes) return undefined;
  const imp = x.slice(7, 7 + PARALLEL_DIMS.length);
  let parallel: string[];
  if (Array.isArray(space.parallel)) parallel = space.parallel.slice(0, k);
  else
    parallel = rankByImportance(imp)
      .slice(0, k)
      .map((i) => PARALLEL_DIMS[i]);
  spec.parallel = parallel;
  return { spec, parallel };
}

export const MAP_LEVELS = ['DRAM', 'GlobalBuffer', 'RegisterFile'] as const;
export const MAP_VECTOR_LENGTH = 3 * ORDER_DIMS.length + 2 * ORDER_DIMS.length;

const divisorCache = new Map<number, readonly number[]>();
/** Divisors of n in ascending order (memoised: callers only read them). */
function divisors(n: number): readonly number[] {
  let out = divisorCache.get(n);
  if (!out) {
    const d: number[] = [];
    for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
    divisorCache.set(n, (out = d));
  }
  return out;
}

/** The divisor of n closest to n^ratio in log space (ties: the smaller). */
export function divisorNear(n: number, ratio: number): number {
  if (n <= 1) return 1;
  const target = Math.log(n) * clamp01(ratio);
  let best = 1;
  let bd = Infinity;
  for (const d of divisors(n)) {
    const dist = Math.abs(Math.log(d) - target);
    if (dist < bd - 1e-12) {
      bd = dist;
      best = d;
    }
  }
  return best;
}

/** Largest divisor of n not above cap. */
export function largestDivisorAtMost(n: number, cap: number): number {
  let best = 1;
  for (const d of divisors(n)) if (d <= cap) best = d;
  return best;
}

/** Decode a NAAS mapping vector for one problem on hardware with the given constraints. */
export function decodeMapping(x: number[], problem: Problem, c: MappingConstraints): Mapping {
  const dims = problem.dims;
  const bound = (d: string): number => problem.bounds[d] ?? 1;
  const remaining: Record<string, number> = {};
  for (const d of dims) remaining[d] = bound(d);
  const spatial: Mapping['levels'][number]['spatial'] = [];
  c.axisDims.forEach((allowed, a) => {
    const cap = c.axisSizes[a];
    let load = 1;
    for (const d of allowed) {
      if (!dims.includes(d) || remaining[d] <= 1) continue;
      const f = largestDivisorAtMost(remaining[d], Math.floor(cap / load));
      if (f > 1) {
        spatial.push({ dim: d, bound: f, axis: meshAxis(a, c.axisSizes.length) });
        remaining[d] /= f;
        load *= f;
      }
      if (c.axisDims[a].length === 1 || load >= cap) break;
    }
  });
  const rf: Record<string, number> = {};
  const gb: Record<string, number> = {};
  const dram: Record<string, number> = {};
  const nO = ORDER_DIMS.length;
  for (const d of dims) {
    const oi = ORDER_DIMS.indexOf(d as (typeof ORDER_DIMS)[number]);
    const rfAllowed = !c.rfDims || c.rfDims.includes(d);
    const r1 = oi >= 0 ? x[3 * nO + oi] : 0.5;
    const r2 = oi >= 0 ? x[4 * nO + oi] : 0.5;
    rf[d] = rfAllowed ? divisorNear(remaining[d], r1) : 1;
    const left = remaining[d] / rf[d];
    gb[d] = divisorNear(left, r2);
    dram[d] = left / gb[d];
  }
  const order = (lvl: number): string[] => {
    const imp = ORDER_DIMS.map((_, i) => x[lvl * nO + i]);
    const ranked = rankByImportance(imp)
      .map((i) => ORDER_DIMS[i] as string)
      .filter((d) => dims.includes(d));
    // A fixed loop order (the space's loop_order) wins over the importance values.
    return imposeOrder(ranked, c.order?.[MAP_LEVELS[lvl]]);
  };
  const temporal = (f: Record<string, number>, lvl: number) =>
    order(lvl)
      .map((dim) => ({ dim, bound: f[dim] }))
      .filter((l) => l.bound > 1);
  const all = ['Weights', 'Inputs', 'Outputs'];
  return {
    levels: [
      { level: 'DRAM', temporal: temporal(dram, 0), spatial: [], keep: all },
      { level: 'GlobalBuffer', temporal: temporal(gb, 1), spatial, keep: all },
      { level: 'RegisterFile', temporal: temporal(rf, 2), spatial: [], keep: c.rfKeep },
    ],
  };
}

/** Sizing-only hardware: a fixed dataflow on a 2-D array whose sizes, buffers and DRAM bandwidth move. */
export const SIZING_VECTOR_LENGTH = 5;

export function decodeSizing(x: number[], space: DesignSpace, lim: SpaceLimits, name = 'sizing'): AcceleratorSpec | undefined {
  const axes = space.peArray ?? [
    { min: 2, max: 32, step: 2 },
    { min: 2, max: 32, step: 2 },
  ];
  const sizes = axes.map((r, a) => onGrid(x[a], r));
  const rfR = space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const spec: AcceleratorSpec = {
    name,
    peArray: sizes,
    dataflow: space.dataflow,
    registerFileBytesPerPe: onGrid(x[axes.length], rfR),
    globalBufferBytes: onGrid(x[axes.length + 1], gbR),
    dramBandwidthBytesPerCycle: decodeBandwidth(x[axes.length + 2] ?? 1, space, lim),
    wordBits: lim.wordBits,
    clockMHz: lim.clockMHz,
  };
  if (sizes.reduce((a, b) => a * b, 1) > lim.maxPes) return undefined;
  if (onChipBytes(spec) > lim.maxOnChipBytes) return undefined;
  return spec;
}

export const toUnit = (v: number, r: IntRange): number => (r.max === r.min ? 0.5 : clamp01((v - r.min) / (r.max - r.min)));
/** Like toUnit, but onto the grid point at or below v (so resource caps still hold after decoding). */
export const toUnitFloor = (v: number, r: IntRange): number => {
  const steps = Math.floor((r.max - r.min) / r.step);
  if (steps <= 0) return 0.5;
  return clamp01(Math.floor((v - r.min) / r.step) / steps);
};

/**
 * A hardware vector that decodes to (or near) a given accelerator: the search starts from
 * the resources' own design. Parallel dimensions get descending importance in order.
 */
export function encodeHardware(spec: AcceleratorSpec, space: DesignSpace, lim: SpaceLimits, parallel: string[]): number[] {
  const dimsR = space.arrayDims ?? { min: 1, max: 3, step: 1 };
  const peR = space.peCount ?? { min: 8, max: lim.maxPes, step: 8 };
  const sizeR = space.arraySize ?? { min: 2, max: 64, step: 2 };
  const rfR = space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const pes = spec.peArray.reduce((a, b) => a * b, 1);
  const x = new Array(HW_VECTOR_LENGTH).fill(0.3);
  x[0] = toUnit(spec.peArray.length, dimsR);
  x[1] = toUnit(pes, peR);
  spec.peArray.slice(0, -1).forEach((s, a) => (x[2 + a] = toUnit(s, sizeR)));
  x[5] = toUnitFloor(spec.registerFileBytesPerPe, rfR);
  x[6] = toUnitFloor(spec.globalBufferBytes, gbR);
  parallel.forEach((d, i) => {
    const j = PARALLEL_DIMS.indexOf(d as (typeof PARALLEL_DIMS)[number]);
    if (j >= 0) x[7 + j] = 0.9 - 0.1 * i;
  });
  const bwR = space.dramBandwidthBytesPerCycle;
  x[BW_GENE] = bwR ? toUnitFloor(Math.min(spec.dramBandwidthBytesPerCycle, lim.dramBandwidthBytesPerCycle), bwR) : 1;
  return x;
}

/** The sizing-only vector of a 2-D accelerator. */
export function encodeSizing(spec: AcceleratorSpec, space: DesignSpace): number[] {
  const axes = space.peArray ?? [
    { min: 2, max: 32, step: 2 },
    { min: 2, max: 32, step: 2 },
  ];
  const rfR = space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const bwR = space.dramBandwidthBytesPerCycle;
  const bw = bwR ? toUnitFloor(spec.dramBandwidthBytesPerCycle, bwR) : 1;
  return [
    ...axes.map((r, a) => toUnitFloor(spec.peArray[a] ?? r.min, r)),
    toUnitFloor(spec.registerFileBytesPerPe, rfR),
    toUnitFloor(spec.globalBufferBytes, gbR),
    bw,
  ];
}
