// FROZEN ORACLE: a verbatim copy of compiler/naas/model.ts as of commit 7d9a240 (before the
// speed work), kept only so tests/naas/model-equivalence.test.ts can check that the optimised model
// returns identical results. Do not edit it; nothing under compiler/ may import it.
// The analytical accelerator cost model: a pure function of problem x architecture x
// mapping giving per-level reads/fills/updates, multicast, utilisation, cycles, energy, area.
//
// Conventions follow Timeloop's nest analysis (v3.0.3) so counts agree with its stats:
// - a level's tile is the bounding box (AAHR) of every loop at or below that level;
// - fills are temporal deltas between consecutive tiles, walked the way Timeloop walks a
//   loop (iteration 0, then iteration 1 standing for the remaining n-1), keeping sliding-
//   window overlap only while the tile keeps moving by the same translation; a change of
//   stride (including moving after standing still) discards the residual;
// - a parent serves each distinct child delta once (multicast); equal output deltas from
//   several children are reduced spatially before the update;
// - for read-write data the first read of every output is elided; under the 'v3'
//   convention the first fill of an output tile is not counted either, under '2020' it is
//   (the ISPASS 2020 artefacts count it at the child but not as a parent read).
import type { Architecture, StorageLevel } from '../../compiler/ir/architecture.ts';
import { fanoutBelow } from '../../compiler/ir/architecture.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import type { Problem } from '../../compiler/ir/problem.ts';

export type Convention = 'v3' | '2020';

export interface EvaluateOptions {
  convention?: Convention;
  /** Skip the capacity check (Timeloop's model does check it; the importers keep it on). */
  ignoreCapacity?: boolean;
  /** Charge storage levels' ERT leak per utilized instance per cycle (Timeloop after v3.0.3). */
  chargeLeak?: boolean;
}

export interface DataSpaceStats {
  reads: number;
  fills: number;
  updates: number;
  /** Words of this data space held by one instance (the tile). */
  tileSize: number;
  /** Distinct words one instance sees over the whole run. */
  partitionSize: number;
  utilizedInstances: number;
  /** Average number of children served by one parent read of this level's deltas. */
  multicast: number;
  energyPj: number;
}

export interface LevelStats {
  name: string;
  dataSpaces: Record<string, DataSpaceStats>;
  energyPj: number;
  leakPj: number;
  cycles: number;
  utilizedInstances: number;
}

export interface Evaluation {
  valid: boolean;
  reason?: string;
  macs: number;
  cycles: number;
  computeCycles: number;
  /** Cycles of non-overlapped fills (levels with `serialFill`), included in `cycles`. */
  serialFillCycles?: number;
  energyPj: number;
  edp: number;
  areaUm2: number;
  utilization: number;
  utilizedPes: number;
  computeEnergyPj: number;
  levels: LevelStats[];
}

interface Loop {
  d: number; // dim index
  n: number;
  spatial: boolean;
  level: number;
}

const invalid = (reason: string, macs: number): Evaluation => ({
  valid: false,
  reason,
  macs,
  cycles: Infinity,
  computeCycles: Infinity,
  energyPj: Infinity,
  edp: Infinity,
  areaUm2: 0,
  utilization: 0,
  utilizedPes: 0,
  computeEnergyPj: 0,
  levels: [],
});

/** Compiled form of a problem's projections: per data space, per axis, [dimIndex, coef][]. */
interface DsShape {
  name: string;
  rw: boolean;
  axes: [number, number][][];
}

const compiled = new WeakMap<Problem, { dimIndex: Map<string, number>; ds: DsShape[] }>();

function compileProblem(p: Problem): { dimIndex: Map<string, number>; ds: DsShape[] } {
  const hit = compiled.get(p);
  if (hit) return hit;
  const r = compileProblemUncached(p);
  compiled.set(p, r);
  return r;
}

function compileProblemUncached(p: Problem): { dimIndex: Map<string, number>; ds: DsShape[] } {
  const dimIndex = new Map<string, number>();
  p.dims.forEach((d, i) => dimIndex.set(d, i));
  const ds = p.dataSpaces.map((s) => ({
    name: s.name,
    rw: s.readWrite,
    axes: s.projection.map((axis) =>
      axis.map((t): [number, number] => {
        const i = dimIndex.get(t.dim);
        if (i === undefined) throw new Error(`data space ${s.name} uses unknown dimension ${t.dim}`);
        return [i, t.coef];
      }),
    ),
  }));
  return { dimIndex, ds };
}

function boxExtents(shape: DsShape, ext: number[]): number[] {
  return shape.axes.map((axis) => {
    let e = 1;
    for (const [d, c] of axis) e += c * (ext[d] - 1);
    return e;
  });
}

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** Translation of a data space's tile when loop dimension d advances by `stride` points. */
function translation(shape: DsShape, d: number, stride: number): number[] {
  return shape.axes.map((axis) => {
    let t = 0;
    for (const [dd, c] of axis) if (dd === d) t += c * stride;
    return t;
  });
}

/**
 * Sum of temporal deltas of a tile with box extents `ext` moved by the given loops (outermost
 * first, each with its unit translation), walked as Timeloop's extrapolating nest analysis
 * does: iteration 0 once, iteration 1 standing for the other n-1.
 */
export function temporalDeltaSum(ext: number[], loops: { n: number; u: number[] }[]): number {
  let size = 1;
  for (const e of ext) size *= e;
  const k = loops.length;
  if (k === 0) return size;
  const na = ext.length;
  // T_j: translation when loop j steps 0->1 while every inner loop falls back from 1 to 0
  // (u_j minus the sum of the inner loops' steps), built from suffix sums.
  if (tBuf.length < k * na) tBuf = new Float64Array(2 * k * na);
  const T = tBuf;
  const suffix = new Float64Array(na);
  for (let j = k - 1; j >= 0; j--) {
    const u = loops[j].u;
    for (let a = 0; a < na; a++) {
      T[j * na + a] = u[a] - suffix[a];
      suffix[a] += u[a];
    }
  }
  // Canonical ids so equal vectors compare equal; delta size of each step.
  const canon = new Int32Array(k);
  const deltas = new Float64Array(k);
  const hash = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let h = 0;
    for (let a = 0; a < na; a++) h = h * 1000003 + T[j * na + a];
    hash[j] = h;
    canon[j] = j;
    for (let i = 0; i < j; i++) {
      if (hash[i] !== h) continue;
      let eq = true;
      for (let a = 0; a < na; a++) if (T[i * na + a] !== T[j * na + a]) eq = false;
      if (eq) {
        canon[j] = i;
        break;
      }
    }
    deltas[j] = stepDeltaAt(T, j * na, na, ext, size);
  }
  // Walk: state s = canonical id of the remembered translation (-1 none); a leaf's incoming
  // step t is -2 for the very first tile. Memoised over (j, t, s) in reusable buffers.
  const W = k + 2;
  const S = k + 1;
  const need = k * W * S;
  if (memoStamp.length < need) {
    memoStamp = new Uint32Array(need * 2);
    memoSum = new Float64Array(need * 2);
    memoState = new Int32Array(need * 2);
  }
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    memoStamp.fill(0);
    stamp = 1;
  }
  wk = k;
  wW = W;
  wS = S;
  wLoops = loops;
  wCanon = canon;
  wDeltas = deltas;
  wSize = size;
  return walk(0, -2, -1);
}

let tBuf = new Float64Array(256);

/** Size of the tile minus its overlap with the tile moved by T[off..off+na). */
function stepDeltaAt(T: Float64Array, off: number, na: number, ext: number[], size: number): number {
  let axis = -1;
  for (let a = 0; a < na; a++) {
    if (T[off + a] !== 0) {
      if (axis >= 0) return size;
      axis = a;
    }
  }
  if (axis < 0) return 0;
  const t = Math.abs(T[off + axis]);
  if (t >= ext[axis]) return size;
  return (size / ext[axis]) * t;
}

// Scratch state of the memoised walk (module-level to avoid allocation in the hot path).
let memoStamp = new Uint32Array(4096);
let memoSum = new Float64Array(4096);
let memoState = new Int32Array(4096);
let stamp = 0;
let wk = 0;
let wW = 0;
let wS = 0;
let wLoops: { n: number }[] = [];
let wCanon = new Int32Array(0);
let wDeltas = new Float64Array(0);
let wSize = 0;
/** State after the last walk() call returned. */
let wOut = -1;

function walk(j: number, t: number, s: number): number {
  if (j === wk) {
    if (t === -2) {
      wOut = -1;
      return wSize;
    }
    if (s === -1) {
      wOut = wCanon[t];
      return wDeltas[t];
    }
    if (wCanon[t] === s) {
      wOut = s;
      return wDeltas[t];
    }
    wOut = -1;
    return wSize;
  }
  const key = (j * wW + (t + 2)) * wS + (s + 1);
  if (memoStamp[key] === stamp) {
    wOut = memoState[key];
    return memoSum[key];
  }
  const a = walk(j + 1, t, s);
  const b = walk(j + 1, j, wOut);
  const sum = a + (wLoops[j].n - 1) * b;
  memoStamp[key] = stamp;
  memoSum[key] = sum;
  memoState[key] = wOut;
  return sum;
}

/** Number of distinct positions reached by sum_k i_k * t_k over the spatial loops of one level. */
function distinctPositions(loops: { n: number; t: number[] }[]): number {
  if (loops.length === 0) return 1;
  const naxes = loops[0].t.length;
  let total = 1;
  const multi: { n: number; t: number[] }[] = [];
  // Loops moving a single axis combine per axis (a Cartesian product across axes).
  for (let a = 0; a < naxes; a++) {
    let sums: number[] | undefined;
    let prod = 1;
    let shared = false;
    for (const l of loops) {
      let nz = 0;
      for (const x of l.t) if (x !== 0) nz++;
      if (nz !== 1 || l.t[a] === 0) continue;
      if (sums === undefined) {
        sums = [];
        for (let i = 0; i < l.n; i++) sums.push(i * l.t[a]);
        prod = l.n;
      } else {
        shared = true;
        const next: number[] = [];
        for (const s0 of sums) for (let i = 0; i < l.n; i++) next.push(s0 + i * l.t[a]);
        sums = next;
      }
    }
    if (sums) total *= shared ? new Set(sums).size : prod;
  }
  for (const l of loops) {
    let nz = 0;
    for (const x of l.t) if (x !== 0) nz++;
    if (nz > 1) multi.push(l);
  }
  if (multi.length === 0) return total;
  // General case (a dimension addressing several axes): enumerate.
  let points = new Set<string>([loops[0].t.map(() => 0).join(',')]);
  for (const l of loops.filter((x) => x.t.some((v) => v !== 0))) {
    const next = new Set<string>();
    for (const p of points) {
      const base = p.split(',').map(Number);
      for (let i = 0; i < l.n; i++) next.add(base.map((x, a) => x + i * l.t[a]).join(','));
    }
    points = next;
  }
  return points.size;
}

/** Energy of one level's accesses to one data space for one instance. */
function accessEnergy(level: StorageLevel, reads: number, fills: number, updates: number, conv: Convention): number {
  const b = level.blockSize;
  const e = level.energy;
  if (conv === '2020') {
    const v = Math.max(e.read, e.write, e.update);
    return (Math.ceil(reads / b) + Math.ceil(fills / b) + Math.ceil(updates / b)) * v;
  }
  return (reads * e.read + fills * e.write + updates * e.update) / b;
}

/** Evaluate one mapping. Invalid mappings come back with `valid: false` and a reason. */
export function evaluate(problem: Problem, arch: Architecture, mapping: Mapping, options: EvaluateOptions = {}): Evaluation {
  const conv: Convention = options.convention ?? 'v3';
  const { dimIndex, ds } = compileProblem(problem);
  const nd = problem.dims.length;
  const macs = product(problem.dims.map((d) => problem.bounds[d]));
  const L = arch.levels.length;
  if (mapping.levels.length !== L) return invalid(`mapping has ${mapping.levels.length} levels, architecture ${L}`, macs);

  // Flatten the nest, outermost first; level boundary = index of its first loop.
  const loops: Loop[] = [];
  const boundary: number[] = [];
  const prodPerDim = new Array(nd).fill(1);
  for (let l = 0; l < L; l++) {
    const lm = mapping.levels[l];
    if (lm.level !== arch.levels[l].name)
      return invalid(`mapping level ${l} is ${lm.level}, architecture has ${arch.levels[l].name}`, macs);
    boundary.push(loops.length);
    let sx = 1;
    let sy = 1;
    for (const t of lm.temporal) {
      const d = dimIndex.get(t.dim);
      if (d === undefined) return invalid(`unknown dimension ${t.dim} at ${lm.level}`, macs);
      if (!(t.bound >= 1) || !Number.isInteger(t.bound)) return invalid(`bad factor ${t.dim}=${t.bound} at ${lm.level}`, macs);
      prodPerDim[d] *= t.bound;
      if (t.bound > 1) loops.push({ d, n: t.bound, spatial: false, level: l });
    }
    for (const s of lm.spatial) {
      const d = dimIndex.get(s.dim);
      if (d === undefined) return invalid(`unknown dimension ${s.dim} at ${lm.level}`, macs);
      if (!(s.bound >= 1) || !Number.isInteger(s.bound)) return invalid(`bad factor ${s.dim}=${s.bound} at ${lm.level}`, macs);
      prodPerDim[d] *= s.bound;
      if (s.axis === 'X') sx *= s.bound;
      else sy *= s.bound;
      if (s.bound > 1) loops.push({ d, n: s.bound, spatial: true, level: l });
    }
    const f = fanoutBelow(arch, l);
    if (sx > f.x) return invalid(`${lm.level}: spatial X factor ${sx} exceeds fanout ${f.x}`, macs);
    if (sy > f.y) return invalid(`${lm.level}: spatial Y factor ${sy} exceeds fanout ${f.y}`, macs);
    if (sx * sy > f.x * f.y) return invalid(`${lm.level}: spatial factors exceed fanout`, macs);
  }
  boundary.push(loops.length);
  for (let d = 0; d < nd; d++) {
    const b = problem.bounds[problem.dims[d]];
    if (prodPerDim[d] !== b) return invalid(`factors of ${problem.dims[d]} multiply to ${prodPerDim[d]}, problem bound is ${b}`, macs);
  }

  // stride[i][.]: points of loop i's dimension covered by one iteration (product of inner factors).
  const strideOf = new Array(loops.length).fill(1);
  {
    const acc = new Array(nd).fill(1);
    for (let i = loops.length - 1; i >= 0; i--) {
      strideOf[i] = acc[loops[i].d];
      acc[loops[i].d] *= loops[i].n;
    }
  }
  // Extents of the tile of each level (loops at or below its boundary), per dim.
  const tileExt: number[][] = [];
  for (let l = 0; l <= L; l++) {
    const e = new Array(nd).fill(1);
    for (let i = boundary[l]; i < loops.length; i++) e[loops[i].d] *= loops[i].n;
    tileExt.push(e);
  }
  // Instances used at each level (and the MACs at index L): spatial factors above it.
  const utilInst: number[] = [];
  for (let l = 0; l <= L; l++) {
    let u = 1;
    for (let i = 0; i < boundary[l]; i++) if (loops[i].spatial) u *= loops[i].n;
    utilInst.push(u);
  }
  // Words of data space s one instance of level l sees (Timeloop's partition): the whole
  // space scaled at each spatial fanout above by child tile / union of the children's tiles.
  const partitionOf = (s: DsShape, l: number): number => {
    let p = product(
      boxExtents(
        s,
        problem.dims.map((d) => problem.bounds[d]),
      ),
    );
    for (let q = 0; q < l; q++) {
      const sp = loops.slice(boundary[q], boundary[q + 1]).filter((x) => x.spatial);
      if (sp.length === 0) continue;
      const union = [...tileExt[q + 1]];
      for (const x of sp) union[x.d] *= x.n;
      p = Math.floor((p * product(boxExtents(s, tileExt[q + 1]))) / product(boxExtents(s, union)));
    }
    return p;
  };
  const utilizedPes = utilInst[L];
  let temporalIters = 1;
  for (const lp of loops) if (!lp.spatial) temporalIters *= lp.n;

  // Keep sets.
  const keeps: boolean[][] = [];
  for (let l = 0; l < L; l++) {
    const row: boolean[] = [];
    for (const s of ds) row.push(!arch.levels[l].dummy && mapping.levels[l].keep.includes(s.name));
    keeps.push(row);
  }

  // Capacity.
  if (!options.ignoreCapacity) {
    for (let l = 0; l < L; l++) {
      const cap = arch.levels[l].sizeWords;
      if (cap === undefined) continue;
      let used = 0;
      for (let j = 0; j < ds.length; j++) if (keeps[l][j]) used += product(boxExtents(ds[j], tileExt[l]));
      if (used > cap) return invalid(`${arch.levels[l].name}: tiles need ${used} words, capacity is ${cap}`, macs);
    }
  }

  // Distinct children positions per spatial level and data space.
  const distinct: number[][] = [];
  for (let l = 0; l < L; l++) {
    const row: number[] = [];
    for (const s of ds) {
      const sl = [];
      for (let i = boundary[l]; i < boundary[l + 1]; i++) {
        if (loops[i].spatial) sl.push({ n: loops[i].n, t: translation(s, loops[i].d, strideOf[i]) });
      }
      row.push(distinctPositions(sl));
    }
    distinct.push(row);
  }

  const stats: Record<string, DataSpaceStats>[] = arch.levels.map(() => ({}));
  // Child tiles drained into each level (one drain moves every utilised child's tile at once).
  const drainsInto = new Array(L).fill(0);
  for (let j = 0; j < ds.length; j++) {
    const s = ds[j];
    const chain: number[] = [];
    for (let l = 0; l < L; l++) if (keeps[l][j]) chain.push(l);
    const D: number[] = [];
    const part: number[] = [];
    const tile: number[] = [];
    for (const l of chain) {
      const ext = boxExtents(s, tileExt[l]);
      tile.push(product(ext));
      part.push(partitionOf(s, l));
      const tl: { n: number; u: number[] }[] = [];
      for (let i = 0; i < boundary[l]; i++) {
        if (!loops[i].spatial) tl.push({ n: loops[i].n, u: translation(s, loops[i].d, strideOf[i]) });
      }
      D.push(temporalDeltaSum(ext, tl));
    }
    for (let c = 0; c < chain.length; c++) {
      const l = chain[c];
      const top = c === 0;
      const innermost = c === chain.length - 1;
      let fills = 0;
      if (!top) fills = s.rw && conv === 'v3' ? D[c] - part[c] : D[c];
      let reads = 0;
      let updates = 0;
      let multicast = 1;
      if (innermost) {
        let dist = 1;
        for (let q = l; q < L; q++) dist *= distinct[q][j];
        multicast = utilInst[L] / utilInst[l] / dist;
        const acc = temporalIters * dist;
        if (s.rw) {
          updates = acc;
          reads = acc - part[c];
        } else reads = acc;
      } else {
        const child = chain[c + 1];
        let dist = 1;
        for (let q = l; q < child; q++) dist *= distinct[q][j];
        multicast = utilInst[child] / utilInst[l] / dist;
        if (s.rw) {
          updates = D[c + 1] * dist;
          reads = (D[c + 1] - part[c + 1]) * dist;
          drainsInto[l] = Math.max(drainsInto[l], D[c + 1] / tile[c + 1]);
        } else {
          const childFills = D[c + 1];
          reads = childFills * dist;
        }
      }
      stats[l][s.name] = {
        reads,
        fills,
        updates,
        tileSize: tile[c],
        partitionSize: part[c],
        utilizedInstances: utilInst[l],
        multicast,
        energyPj: accessEnergy(arch.levels[l], reads, fills, updates, conv) * utilInst[l],
      };
    }
  }

  // Cycles: compute-bound unless a level's bandwidth throttles it. Fills of a level that is
  // not double-buffered (serialFill) are read from its parent before compute starts: their
  // cycles add to the run and leave the parent's overlapped traffic.
  const computeCycles = temporalIters;
  const serialReads = new Array(L).fill(0);
  let serialFillCycles = 0;
  for (let l = 1; l < L; l++) {
    if (!arch.levels[l].serialFill) continue;
    let words = 0;
    for (const k of Object.keys(stats[l])) words += stats[l][k].fills * stats[l][k].utilizedInstances;
    const parent = arch.levels[l - 1];
    const perInstance = words / Math.max(1, utilInst[l - 1]);
    serialReads[l - 1] += perInstance;
    const rate = Math.min(parent.readBandwidth || Infinity, parent.sharedBandwidth || Infinity);
    if (rate !== Infinity) serialFillCycles += Math.ceil(perInstance / rate);
  }
  let cycles = computeCycles;
  const levelCycles: number[] = [];
  for (let l = 0; l < L; l++) {
    const lv = arch.levels[l];
    // Timeloop's slowdown: per-data-space demands per cycle against read, write and shared bandwidth.
    let r = 0;
    let w = 0;
    let u = 0;
    for (const k of Object.keys(stats[l])) {
      r += stats[l][k].reads / computeCycles;
      w += (stats[l][k].fills + stats[l][k].updates) / computeCycles;
      u += stats[l][k].updates;
    }
    if (serialReads[l] > 0) r -= serialReads[l] / computeCycles;
    let slowdown = 1;
    if (lv.readBandwidth && lv.readBandwidth < r) slowdown = Math.min(slowdown, lv.readBandwidth / r);
    if (lv.writeBandwidth && lv.writeBandwidth < w) slowdown = Math.min(slowdown, lv.writeBandwidth / w);
    if (lv.sharedBandwidth && lv.sharedBandwidth < r + w) slowdown = Math.min(slowdown, lv.sharedBandwidth / (r + w));
    let c = Math.ceil(computeCycles / slowdown);
    if (lv.drainBandwidth) c = Math.max(c, Math.ceil(u / lv.drainBandwidth + drainsInto[l] * (lv.drainOverheadCycles ?? 0)));
    levelCycles.push(c);
    cycles = Math.max(cycles, c);
  }
  cycles += serialFillCycles;

  const levels: LevelStats[] = arch.levels.map((lv, l) => {
    const e = Object.values(stats[l]).reduce((a, x) => a + x.energyPj, 0);
    const leakPj = lv.energy.leak * utilInst[l] * cycles;
    return { name: lv.name, dataSpaces: stats[l], energyPj: e, leakPj, cycles: levelCycles[l], utilizedInstances: utilInst[l] };
  });
  // Leak is reported; charged on storage levels only when asked (Timeloop v3.0.3 charges none).
  const computeEnergyPj = macs * arch.compute.energyPerMac;
  const energyPj = computeEnergyPj + levels.reduce((a, x) => a + x.energyPj + (options.chargeLeak ? x.leakPj : 0), 0);
  const areaUm2 = arch.compute.areaUm2 * arch.compute.instances + arch.levels.reduce((a, x) => a + x.areaUm2 * x.instances, 0);
  return {
    valid: true,
    macs,
    cycles,
    computeCycles,
    ...(serialFillCycles > 0 ? { serialFillCycles } : {}),
    energyPj,
    edp: energyPj * cycles,
    areaUm2,
    utilization: macs / (arch.compute.instances * cycles),
    utilizedPes,
    computeEnergyPj,
    levels,
  };
}
