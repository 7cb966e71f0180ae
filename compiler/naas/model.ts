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
//   (the ISPASS 2020 artefacts count it at the child but not as a parent read);
// - bandwidth throttles a level as BufferLevel::ComputePerformance does: per-cycle read and
//   write demands against read_bandwidth, write_bandwidth and shared_bandwidth give a
//   slowdown, cycles = ceil(compute cycles / slowdown) in floating point (bandwidthCycles);
// - ERT `leak` is reported per level (leakPj) and charged only with `chargeLeak`: Timeloop
//   v3.0.3 charges none; later versions charge storage levels per utilized instance per
//   cycle; no version charges the MAC's leak.
//
// Speed: prepare(problem, arch, options) compiles everything that does not depend on the
// mapping once (dimension and data-space tables, fanouts, area) and returns an evaluator
// whose per-mapping work runs on reused typed-array scratch, with capacity and fanout
// rejection before the delta walks. evaluate() uses the same evaluator (cached per problem
// and architecture object, so both are treated as immutable values once evaluated).
// tests/naas/model-equivalence.test.ts checks every field against the pre-optimisation model.
import type { ProgramTerms } from '../ir/architecture.ts';
import type { Architecture, StorageLevel } from '../ir/architecture.ts';
import { fanoutBelow } from '../ir/architecture.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';

export type Convention = 'v3' | '2020';

export interface EvaluateOptions {
  convention?: Convention;
  /** Skip the capacity check (Timeloop's model does check it; the importers keep it on). */
  ignoreCapacity?: boolean;
  /**
   * Charge storage levels' ERT leak per utilized instance per cycle, as Timeloop after v3.0.3
   * does (v3.0.3 and the 2020 release charge none; default).
   */
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

// ---------------------------------------------------------------------------------------
// Temporal delta walk (Timeloop's extrapolating nest analysis), on module-level scratch.
//
// Loops are outermost first. T_j is the translation when loop j steps 0 -> 1 while every
// inner loop falls back 1 -> 0 (u_j minus the sum of the inner loops' steps). The walk
// visits iteration 0 of every loop once and lets iteration 1 stand for the other n-1, so
// its tiles are the leaves of a binary counter over the loops (innermost bit lowest); the
// step into a leaf is the loop whose bit turns on. A step costs its delta (tile minus
// overlap with the moved tile) when nothing is remembered or it repeats the remembered
// translation (then remembered), and the whole tile otherwise (then nothing is remembered);
// the very first tile costs the whole tile.
//
// Every other step of a binary counter is the innermost loop's, so before any other step
// the memory holds nothing or T_{k-1}; and a sub-walk over loops j..k-1 first steps the
// innermost loop, so it only depends on whether the memory on entry is compatible with
// T_{k-1} (nothing or T_{k-1}) or not. That gives a linear recurrence over two classes,
// needing per loop only its delta and whether T_j equals T_{k-1}:
//   H(j, c) = H(j+1, c) + (n_j - 1) * (leaf(j, end of H(j+1, c)) + H(j+1, class after it)).
// Its association differs from the plain recursion, which is exact for integer terms (every
// term is an integer when projection coefficients are); with fractional coefficients the
// plain recursion (walkOrdered) runs instead so sums stay bit-identical.

let wT = new Float64Array(256);
let wN = new Float64Array(32);
let wExt = new Float64Array(16);
let wSuffix = new Float64Array(16);
let wDeltas = new Float64Array(32);
/** wEq[j]: T_j equals T_{k-1}. */
let wEq = new Uint8Array(32);
let wCanon = new Int32Array(32);

/** Makes the walk scratch hold k loops over na axes. */
function ensureWalk(k: number, na: number): void {
  if (wT.length < k * na) wT = new Float64Array(2 * k * na);
  if (wN.length < k) {
    wN = new Float64Array(2 * k);
    wDeltas = new Float64Array(2 * k);
    wEq = new Uint8Array(2 * k);
    wCanon = new Int32Array(2 * k);
  }
  if (wExt.length < na) {
    wExt = new Float64Array(2 * na);
    wSuffix = new Float64Array(2 * na);
  }
}

/** Size of the tile minus its overlap with the tile moved by wT[off..off+na). */
function stepDeltaAt(off: number, na: number, size: number): number {
  let axis = -1;
  for (let a = 0; a < na; a++) {
    if (wT[off + a] !== 0) {
      if (axis >= 0) return size;
      axis = a;
    }
  }
  if (axis < 0) return 0;
  const t = Math.abs(wT[off + axis]);
  if (t >= wExt[axis]) return size;
  return (size / wExt[axis]) * t;
}

/** The walk over k >= 1 loops staged in wN, wDeltas and wEq (integer terms). */
function walkClasses(k: number, size: number): number {
  // H(k-1, .): compatible memory -> the step's delta, remembering T_{k-1} ("star");
  // incompatible -> the whole tile, remembering nothing.
  const m = wN[k - 1] - 1;
  let hA = 0 + m * (wDeltas[k - 1] + 0);
  let starA = true;
  let hB = 0 + m * (size + 0);
  let starB = false;
  for (let j = k - 2; j >= 0; j--) {
    const mj = wN[j] - 1;
    const d = wDeltas[j];
    const eq = wEq[j] === 1;
    // Entering with class A: H(j+1, A) ends in memory starA ? T_{k-1} : nothing.
    let lv: number;
    let toA: boolean;
    if (!starA) {
      lv = d; // nothing remembered: delta, remember T_j (compatible iff T_j = T_{k-1})
      toA = eq;
    } else if (eq) {
      lv = d;
      toA = true;
    } else {
      lv = size; // a different translation: whole tile, memory cleared (compatible)
      toA = true;
    }
    const nA = hA + mj * (lv + (toA ? hA : hB));
    const nStarA: boolean = toA ? starA : starB;
    if (!starB) {
      lv = d;
      toA = eq;
    } else if (eq) {
      lv = d;
      toA = true;
    } else {
      lv = size;
      toA = true;
    }
    const nB = hB + mj * (lv + (toA ? hA : hB));
    const nStarB: boolean = toA ? starA : starB;
    hA = nA;
    starA = nStarA;
    hB = nB;
    starB = nStarB;
  }
  return size + hA;
}

// The plain recursion memoised over (loop j, incoming step t, remembered canonical
// translation s), summing in the recursion's own order (for fractional terms).
let memoStamp = new Uint32Array(4096);
let memoSum = new Float64Array(4096);
let memoState = new Int32Array(4096);
let stamp = 0;
let wk = 0;
let wW = 0;
let wS = 0;
let wSize = 0;
/** State after the last walkOrdered() call returned. */
let wOut = -1;

function walkOrdered(j: number, t: number, s: number): number {
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
  const a = walkOrdered(j + 1, t, s);
  const b = walkOrdered(j + 1, j, wOut);
  const sum = a + (wN[j] - 1) * b;
  memoStamp[key] = stamp;
  memoSum[key] = sum;
  memoState[key] = wOut;
  return sum;
}

/**
 * The walk over k >= 1 loops whose T rows (k x na) are in wT, counts in wN and extents in
 * wExt: deltas and equalities from the rows, then the two-class recurrence (integral) or
 * the ordered recursion.
 */
function walkDense(k: number, na: number, size: number, integral: boolean): number {
  const last = (k - 1) * na;
  for (let j = 0; j < k; j++) {
    const off = j * na;
    wDeltas[j] = stepDeltaAt(off, na, size);
    let eq = 1;
    for (let a = 0; a < na; a++) if (wT[off + a] !== wT[last + a]) eq = 0;
    wEq[j] = eq;
  }
  if (integral) return walkClasses(k, size);
  // Canonical ids so equal translation vectors compare equal.
  for (let j = 0; j < k; j++) {
    wCanon[j] = j;
    for (let i = 0; i < j; i++) {
      let eq = true;
      for (let a = 0; a < na; a++) if (wT[i * na + a] !== wT[j * na + a]) eq = false;
      if (eq) {
        wCanon[j] = i;
        break;
      }
    }
  }
  const S = k + 1;
  const W = k + 2;
  const need = k * W * S;
  if (memoStamp.length < need) {
    memoStamp = new Uint32Array(need * 2);
    memoSum = new Float64Array(need * 2);
    memoState = new Int32Array(need * 2);
    stamp = 0;
  }
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    memoStamp.fill(0);
    stamp = 1;
  }
  wk = k;
  wS = S;
  wW = W;
  wSize = size;
  return walkOrdered(0, -2, -1);
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
  ensureWalk(k, na);
  let integral = Number.isInteger(size);
  for (let a = 0; a < na; a++) {
    wExt[a] = ext[a];
    wSuffix[a] = 0;
    if (!Number.isInteger(ext[a])) integral = false;
  }
  // T_j from suffix sums of the inner loops' steps.
  for (let j = k - 1; j >= 0; j--) {
    const u = loops[j].u;
    wN[j] = loops[j].n;
    if (!Number.isInteger(loops[j].n)) integral = false;
    for (let a = 0; a < na; a++) {
      wT[j * na + a] = u[a] - wSuffix[a];
      wSuffix[a] += u[a];
      if (!Number.isInteger(u[a])) integral = false;
    }
  }
  return walkDense(k, na, size, integral);
}

/** Number of distinct positions reached by sum_k i_k * t_k over loops (general case, any axes). */
function distinctPositionsGeneral(loops: { n: number; t: number[] }[]): number {
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
function accessEnergy(e: LevelConst, reads: number, fills: number, updates: number, conv: Convention): number {
  const b = e.blockSize;
  if (conv === '2020') return (Math.ceil(reads / b) + Math.ceil(fills / b) + Math.ceil(updates / b)) * e.maxAction;
  return (reads * e.read + fills * e.write + updates * e.update) / b;
}

/** What the evaluation reads of a storage level, in one fixed shape. */
interface LevelConst {
  dummy: boolean;
  sizeWords: number | undefined;
  read: number;
  write: number;
  update: number;
  /** max(read, write, update): the 2020 convention's per-access energy. */
  maxAction: number;
  blockSize: number;
  leak: number;
  readBandwidth: number | undefined;
  writeBandwidth: number | undefined;
  sharedBandwidth: number | undefined;
  drainBandwidth: number | undefined;
  drainOverheadCycles: number;
  serialFill: boolean;
  programs: ProgramTerms | undefined;
  /** Copies of each data space's tile, by data-space name (1 when absent). */
  copies: Record<string, number>;
  partitions: Record<string, number> | undefined;
  blocks: Record<string, { words: number; dims: string[]; rowDims?: string[] }> | undefined;
}

const levelConst = (lv: StorageLevel): LevelConst => ({
  dummy: !!lv.dummy,
  sizeWords: lv.sizeWords,
  read: lv.energy.read,
  write: lv.energy.write,
  update: lv.energy.update,
  maxAction: Math.max(lv.energy.read, lv.energy.write, lv.energy.update),
  blockSize: lv.blockSize,
  leak: lv.energy.leak,
  readBandwidth: lv.readBandwidth,
  writeBandwidth: lv.writeBandwidth,
  sharedBandwidth: lv.sharedBandwidth,
  drainBandwidth: lv.drainBandwidth,
  drainOverheadCycles: lv.drainOverheadCycles ?? 0,
  serialFill: !!lv.serialFill,
  programs: lv.programs,
  copies: lv.copies ?? {},
  partitions: lv.partitions,
  blocks: lv.blocks,
});

/** Words per cycle a level can read: the tighter of its read and shared bandwidths (0: unlimited). */
function readRate(lv: LevelConst): number {
  const r = lv.readBandwidth || Infinity;
  const s = lv.sharedBandwidth || Infinity;
  const m = Math.min(r, s);
  return m === Infinity ? 0 : m;
}

/**
 * Cycles of a level whose per-cycle demands are `readDemand` (reads served to the child)
 * and `writeDemand` (fills + updates), each summed per data space as count / compute cycles,
 * exactly as Timeloop v3.0.3's BufferLevel::ComputePerformance: the worst ratio of a
 * bandwidth to its demand is the slowdown, and cycles = ceil(compute / slowdown), in
 * floating point (so an exact quotient can come out one cycle above the integer ceiling).
 */
export function bandwidthCycles(
  computeCycles: number,
  readDemand: number,
  writeDemand: number,
  bw: { readBandwidth?: number; writeBandwidth?: number; sharedBandwidth?: number },
): number {
  let slowdown = 1;
  const { readBandwidth: rb, writeBandwidth: wb, sharedBandwidth: sb } = bw;
  if (rb && rb < readDemand) slowdown = Math.min(slowdown, rb / readDemand);
  if (wb && wb < writeDemand) slowdown = Math.min(slowdown, wb / writeDemand);
  if (sb && sb < readDemand + writeDemand) slowdown = Math.min(slowdown, sb / (readDemand + writeDemand));
  return Math.ceil(computeCycles / slowdown);
}

/** A cost model specialised to one problem on one architecture (see prepare()). */
export interface PreparedModel {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly options: Readonly<EvaluateOptions>;
  /** Exactly evaluate(problem, arch, mapping, options). */
  evaluate(mapping: Mapping): Evaluation;
  /**
   * EDP (energyPj * cycles) of a valid mapping, Infinity for an invalid one: the same number
   * evaluate(mapping) gives, without building the per-level result objects.
   */
  edp(mapping: Mapping): number;
  /**
   * Cycles and energy of a valid mapping (undefined when invalid) without building the
   * per-level result: the same numbers evaluate(mapping) gives. The object is reused: it
   * holds this mapping's figures only until the next call.
   */
  totals(mapping: Mapping): Readonly<ModelTotals> | undefined;
}

/** Totals of one evaluation (as in Evaluation). */
export interface ModelTotals {
  cycles: number;
  energyPj: number;
}

/** Outcome scalars of the last run (valid ones). */
interface RunTotals {
  cycles: number;
  computeCycles: number;
  serialFillCycles: number;
  energyPj: number;
  computeEnergyPj: number;
  utilizedPes: number;
}

class Prepared implements PreparedModel {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly options: Readonly<EvaluateOptions>;
  private readonly conv: Convention;
  private readonly checkCapacity: boolean;
  private readonly chargeLeak: boolean;
  // Problem tables.
  private readonly nd: number;
  private readonly dimNames: string[];
  private readonly bounds: number[];
  private readonly macs: number;
  private readonly nds: number;
  private readonly dsNames: string[];
  private readonly dsRw: boolean[];
  private readonly dsNa: Int32Array;
  /** Per data space, the index of its first axis in the flat axis tables. */
  private readonly dsAxis0: Int32Array;
  /** Per flat axis, its terms [termStart[g], termStart[g+1]) of (termD, termC). */
  private readonly termStart: Int32Array;
  private readonly termD: Int32Array;
  private readonly termC: Float64Array;
  /** Per flat axis: number of terms, and the first term (the only one, usually). */
  private readonly axTerms: Int32Array;
  private readonly ax1D: Int32Array;
  private readonly ax1C: Float64Array;
  /** Per kept (level, data space): tile extents per axis and tile size, this run. */
  private readonly tileAx: Float64Array;
  private readonly tileSz: Float64Array;
  /** coef[(j * nd + d) * maxNa + a]: coefficient sum of dim d in axis a of data space j. */
  private readonly coef: Float64Array;
  private readonly maxNa: number;
  /** Every projection coefficient is an integer (so every walk term is). */
  private readonly integral: boolean;
  /** Per data space: the sparse walk applies (integer terms, no dimension on two axes). */
  private readonly sparse: boolean[];
  /** Axis of dim d in data space j: the axis when exactly one, -1 none, -2 several. */
  private readonly dimAxis: Int32Array;
  /** Per level: for each data space, -1 when another data space of the same name makes the record merge (rare). */
  private readonly dupNames: boolean;
  // Architecture tables.
  private readonly L: number;
  private readonly levelNames: string[];
  private readonly lc: LevelConst[];
  /** Per dim: whether it indexes a read-write data space (outputs); the others are reductions. */
  private readonly outRelevant: Uint8Array;
  /** Per level: dims whose tile extents count its per-channel records (ProgramTerms.records). */
  private readonly recordDims: number[][];
  /** Words of each data space over the whole problem (the partition above every spatial loop). */
  private readonly fullSize: number[];
  private readonly fanX: Float64Array;
  private readonly fanY: Float64Array;
  private readonly areaUm2: number;
  // Scratch.
  private cap = 64;
  private lD = new Int32Array(64);
  private lN = new Float64Array(64);
  private lSp = new Uint8Array(64);
  private lStride = new Float64Array(64);
  private nl = 0;
  private readonly boundary: Int32Array;
  private readonly prodPerDim: Float64Array;
  private readonly acc: Float64Array;
  private readonly tileExt: Float64Array;
  /** Per dim: a tile's extents times one level's spatial factors (partitionSize). */
  private readonly unionExt: Float64Array;
  private readonly utilInst: Float64Array;
  private readonly keep: Uint8Array;
  private readonly distinct: Float64Array;
  private readonly sR: Float64Array;
  private readonly sF: Float64Array;
  private readonly sU: Float64Array;
  private readonly sTile: Float64Array;
  private readonly sPart: Float64Array;
  private readonly sMc: Float64Array;
  private readonly sE: Float64Array;
  /** Per (level, data space): the index whose stats fill the record entry, -1 for none. */
  private readonly entry: Int32Array;
  private readonly chain: Int32Array;
  private readonly cD: Float64Array;
  private readonly cTile: Float64Array;
  private readonly cPart: Float64Array;
  private readonly drainsInto: Float64Array;
  private readonly serialReads: Float64Array;
  private readonly levelCycles: Float64Array;
  private readonly levelEnergy: Float64Array;
  private readonly levelLeak: Float64Array;
  private sums = new Float64Array(64);
  private readonly axCount: Int32Array;
  private readonly axProd: Float64Array;
  private readonly spatialAt: Int32Array;
  private seen = new Uint32Array(1024);
  private seenStamp = 0;
  /** Temporal loops above each level's boundary. */
  private temporalAbove = new Int32Array(8);
  private reason = '';
  private readonly tot: RunTotals = { cycles: 0, computeCycles: 0, serialFillCycles: 0, energyPj: 0, computeEnergyPj: 0, utilizedPes: 0 };

  constructor(problem: Problem, arch: Architecture, options: EvaluateOptions) {
    this.problem = problem;
    this.arch = arch;
    this.options = { ...options };
    this.conv = options.convention ?? 'v3';
    this.checkCapacity = !options.ignoreCapacity;
    this.chargeLeak = !!options.chargeLeak;
    const nd = problem.dims.length;
    this.nd = nd;
    const L0 = arch.levels.length;
    this.dimNames = problem.dims.slice();
    this.bounds = problem.dims.map((d) => problem.bounds[d]);
    this.macs = problem.dims.map((d) => problem.bounds[d]).reduce((a, b) => a * b, 1);
    // Dimension lookup as a Map does it (a repeated name resolves to its last index).
    const dimIndex = new Map<string, number>();
    problem.dims.forEach((d, i) => dimIndex.set(d, i));
    const nds = problem.dataSpaces.length;
    this.nds = nds;
    this.dsNames = problem.dataSpaces.map((s) => s.name);
    this.dsRw = problem.dataSpaces.map((s) => s.readWrite);
    this.dupNames = new Set(this.dsNames).size !== nds;
    this.dsNa = new Int32Array(nds);
    this.dsAxis0 = new Int32Array(nds);
    let maxNa = 1;
    let axes = 0;
    let terms = 0;
    problem.dataSpaces.forEach((s, j) => {
      this.dsNa[j] = s.projection.length;
      this.dsAxis0[j] = axes;
      axes += s.projection.length;
      maxNa = Math.max(maxNa, s.projection.length);
      for (const axis of s.projection) terms += axis.length;
    });
    this.maxNa = maxNa;
    this.termStart = new Int32Array(axes + 1);
    this.termD = new Int32Array(terms);
    this.termC = new Float64Array(terms);
    this.coef = new Float64Array(nds * nd * maxNa);
    this.dimAxis = new Int32Array(nds * nd).fill(-1);
    let g = 0;
    let t = 0;
    problem.dataSpaces.forEach((s, j) => {
      s.projection.forEach((axis, a) => {
        this.termStart[g] = t;
        for (const term of axis) {
          const i = dimIndex.get(term.dim);
          if (i === undefined) throw new Error(`data space ${s.name} uses unknown dimension ${term.dim}`);
          this.termD[t] = i;
          this.termC[t] = term.coef;
          this.coef[(j * nd + i) * maxNa + a] += term.coef;
          t++;
        }
        g++;
      });
      for (let d = 0; d < nd; d++) {
        let axis = -1;
        for (let a = 0; a < s.projection.length; a++) {
          if (this.coef[(j * nd + d) * maxNa + a] === 0) continue;
          axis = axis === -1 ? a : -2;
        }
        this.dimAxis[j * nd + d] = axis;
      }
    });
    this.termStart[g] = t;
    this.axTerms = new Int32Array(axes);
    this.ax1D = new Int32Array(axes);
    this.ax1C = new Float64Array(axes);
    for (let a = 0; a < axes; a++) {
      this.axTerms[a] = this.termStart[a + 1] - this.termStart[a];
      if (this.axTerms[a] > 0) {
        this.ax1D[a] = this.termD[this.termStart[a]];
        this.ax1C[a] = this.termC[this.termStart[a]];
      }
    }
    this.tileAx = new Float64Array(L0 * nds * maxNa);
    this.tileSz = new Float64Array(L0 * nds);
    this.integral = this.termC.every((c) => Number.isInteger(c));
    this.sparse = problem.dataSpaces.map((_, j) => {
      if (!this.integral) return false;
      for (let d = 0; d < nd; d++) if (this.dimAxis[j * nd + d] === -2) return false;
      return true;
    });

    const L = arch.levels.length;
    this.L = L;
    this.levelNames = arch.levels.map((l) => l.name);
    this.lc = arch.levels.map(levelConst);
    this.outRelevant = new Uint8Array(nd);
    problem.dataSpaces.forEach((s, j) => {
      if (!s.readWrite) return;
      for (let d = 0; d < nd; d++)
        for (let a = 0; a < s.projection.length; a++) if (this.coef[(j * nd + d) * maxNa + a] !== 0) this.outRelevant[d] = 1;
    });
    this.recordDims = this.lc.map((c) => (c.programs?.records?.dims ?? []).map((n) => this.dimNames.indexOf(n)).filter((d) => d >= 0));
    const bounds = Float64Array.from(this.bounds);
    this.fullSize = problem.dataSpaces.map((_, j) => this.boxSize(j, bounds, 0));
    this.fanX = new Float64Array(L);
    this.fanY = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      const f = fanoutBelow(arch, l);
      this.fanX[l] = f.x;
      this.fanY[l] = f.y;
    }
    this.areaUm2 = arch.compute.areaUm2 * arch.compute.instances + arch.levels.reduce((a, x) => a + x.areaUm2 * x.instances, 0);

    this.axCount = new Int32Array(maxNa);
    this.axProd = new Float64Array(maxNa);
    this.spatialAt = new Int32Array(L);
    this.boundary = new Int32Array(L + 1);
    this.prodPerDim = new Float64Array(nd);
    this.acc = new Float64Array(nd);
    this.tileExt = new Float64Array((L + 1) * nd);
    this.unionExt = new Float64Array(nd);
    this.utilInst = new Float64Array(L + 1);
    this.keep = new Uint8Array(L * nds);
    this.distinct = new Float64Array(L * nds);
    this.sR = new Float64Array(L * nds);
    this.sF = new Float64Array(L * nds);
    this.sU = new Float64Array(L * nds);
    this.sTile = new Float64Array(L * nds);
    this.sPart = new Float64Array(L * nds);
    this.sMc = new Float64Array(L * nds);
    this.sE = new Float64Array(L * nds);
    this.entry = new Int32Array(L * nds);
    this.chain = new Int32Array(L);
    this.cD = new Float64Array(L);
    this.cTile = new Float64Array(L);
    this.cPart = new Float64Array(L);
    this.drainsInto = new Float64Array(L);
    this.serialReads = new Float64Array(L);
    this.levelCycles = new Float64Array(L);
    this.levelEnergy = new Float64Array(L);
    this.levelLeak = new Float64Array(L);
  }

  evaluate(mapping: Mapping): Evaluation {
    if (!this.run(mapping)) return invalid(this.reason, this.macs);
    return this.result();
  }

  edp(mapping: Mapping): number {
    if (!this.run(mapping)) return Infinity;
    return this.tot.energyPj * this.tot.cycles;
  }

  totals(mapping: Mapping): Readonly<ModelTotals> | undefined {
    return this.run(mapping) ? this.tot : undefined;
  }

  private dimOf(name: string): number {
    const names = this.dimNames;
    for (let d = names.length - 1; d >= 0; d--) if (names[d] === name) return d;
    return -1;
  }

  private push(d: number, n: number, spatial: number): void {
    if (this.nl === this.cap) {
      this.cap *= 2;
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.lD = grow(this.lD, new Int32Array(this.cap));
      this.lN = grow(this.lN, new Float64Array(this.cap));
      this.lSp = grow(this.lSp, new Uint8Array(this.cap));
      this.lStride = new Float64Array(this.cap);
    }
    this.lD[this.nl] = d;
    this.lN[this.nl] = n;
    this.lSp[this.nl] = spatial;
    this.nl++;
  }

  /** Extent along flat axis g of a box with per-dim extents ext[off..off+nd). */
  private axisExt(g: number, ext: Float64Array, off: number): number {
    const n = this.axTerms[g];
    if (n === 1) return 1 + this.ax1C[g] * (ext[off + this.ax1D[g]] - 1);
    if (n === 2) {
      const q = this.termStart[g];
      return 1 + this.termC[q] * (ext[off + this.termD[q]] - 1) + this.termC[q + 1] * (ext[off + this.termD[q + 1]] - 1);
    }
    let e = 1;
    for (let q = this.termStart[g]; q < this.termStart[g + 1]; q++) e += this.termC[q] * (ext[off + this.termD[q]] - 1);
    return e;
  }

  /**
   * Words of data space j one instance of level l sees over the run, as Timeloop's
   * ComputePartitionSizes: the whole data space, scaled at every spatial fanout above l by the
   * child's tile over the union of the tiles of the children (size_t arithmetic). For axes of
   * one term this is the bounds over the spatial factors; for an axis of several terms (a
   * dimension written as digit dimensions) it counts what the instance sees, not its box.
   */
  private partitionSize(j: number, l: number): number {
    const nd = this.nd;
    let p = this.fullSize[j];
    for (let q = 0; q < l; q++) {
      let spatial = false;
      for (let i = this.boundary[q]; i < this.boundary[q + 1]; i++) if (this.lSp[i]) spatial = true;
      if (!spatial) continue;
      for (let d = 0; d < nd; d++) this.unionExt[d] = this.tileExt[(q + 1) * nd + d];
      for (let i = this.boundary[q]; i < this.boundary[q + 1]; i++) if (this.lSp[i]) this.unionExt[this.lD[i]] *= this.lN[i];
      p = Math.floor((p * this.boxSize(j, this.tileExt, (q + 1) * nd)) / this.boxSize(j, this.unionExt, 0));
    }
    return p;
  }

  /** Words of data space j in a box with per-dim extents ext[off..off+nd). */
  private boxSize(j: number, ext: Float64Array, off: number): number {
    const g0 = this.dsAxis0[j];
    const na = this.dsNa[j];
    let p = 1;
    for (let a = 0; a < na; a++) p *= this.axisExt(g0 + a, ext, off);
    return p;
  }

  /**
   * The delta walk of data space j's tile at level l (extents staged in wExt, wSuffix zeroed)
   * under the k temporal loops above it, when every dimension moves at most one axis of j and
   * terms are integers: each T_j differs from minus the running suffix sum in one axis at
   * most, so its nonzero count, delta and equality with T_{k-1} follow in O(1) from the
   * suffix vector and its nonzero count, without writing T rows.
   */
  private sparseWalk(j: number, l: number, k: number, na: number, size: number): number {
    const nd = this.nd;
    const maxNa = this.maxNa;
    const lD = this.lD;
    const lSp = this.lSp;
    let nzS = 0;
    let lastAxis = -1;
    let lastVal = 0;
    let q = k;
    for (let i = this.boundary[l] - 1; i >= 0; i--) {
      if (lSp[i]) continue;
      q--;
      wN[q] = this.lN[i];
      const d = lD[i];
      const aj = this.dimAxis[j * nd + d];
      let nz = nzS;
      let tv = 0;
      let u = 0;
      let sa = 0;
      if (aj >= 0) {
        u = this.coef[(j * nd + d) * maxNa + aj] * this.lStride[i];
        sa = wSuffix[aj];
        tv = u - sa;
        if (sa !== 0) nz--;
        if (tv !== 0) nz++;
      }
      let axis = -1;
      let val = 0;
      if (nz === 1) {
        if (aj >= 0 && tv !== 0) {
          axis = aj;
          val = tv;
        } else {
          for (let a = 0; a < na; a++) {
            if (a !== aj && wSuffix[a] !== 0) {
              axis = a;
              val = 0 - wSuffix[a];
              break;
            }
          }
        }
        const t = Math.abs(val);
        wDeltas[q] = t >= wExt[axis] ? size : (size / wExt[axis]) * t;
      } else wDeltas[q] = nz === 0 ? 0 : size;
      if (q === k - 1) {
        lastAxis = axis;
        lastVal = val;
        wEq[q] = 1;
      } else wEq[q] = (lastAxis === -1 ? nz === 0 : nz === 1 && axis === lastAxis && val === lastVal) ? 1 : 0;
      if (aj >= 0) {
        const ns = sa + u;
        wSuffix[aj] = ns;
        if (sa !== 0) nzS--;
        if (ns !== 0) nzS++;
      }
    }
    return walkClasses(k, size);
  }

  /** Distinct child positions of data space j under the spatial loops of level l. */
  private distinctAt(l: number, j: number): number {
    const b0 = this.boundary[l];
    const b1 = this.boundary[l + 1];
    const nd = this.nd;
    const na = this.dsNa[j];
    const maxNa = this.maxNa;
    const axCount = this.axCount;
    const axProd = this.axProd;
    for (let a = 0; a < na; a++) axCount[a] = 0;
    let any = false;
    for (let i = b0; i < b1; i++) {
      if (!this.lSp[i]) continue;
      any = true;
      const a = this.dimAxis[j * nd + this.lD[i]];
      if (a === -2) return this.distinctGeneral(l, j);
      if (a >= 0) {
        axCount[a]++;
        axProd[a] = this.lN[i];
      }
    }
    if (!any) return 1;
    // Loops moving a single axis combine per axis (a Cartesian product across axes).
    let total = 1;
    for (let a = 0; a < na; a++) {
      const count = axCount[a];
      if (count === 0) continue;
      if (count === 1) {
        total *= axProd[a];
        continue;
      }
      // Several loops on one axis: count the distinct sums of i * t.
      let len = 0;
      for (let i = b0; i < b1; i++) {
        if (!this.lSp[i] || this.dimAxis[j * nd + this.lD[i]] !== a) continue;
        const t = this.coef[(j * nd + this.lD[i]) * maxNa + a] * this.lStride[i];
        const n = this.lN[i];
        if (len === 0) {
          if (this.sums.length < n) this.sums = new Float64Array(2 * n);
          for (let x = 0; x < n; x++) this.sums[x] = x * t;
          len = n;
        } else {
          if (this.sums.length < len * n) {
            const s = new Float64Array(2 * len * n);
            s.set(this.sums.subarray(0, len));
            this.sums = s;
          }
          // Expand in place, back to front: entry q*n + x = old[q] + x * t.
          for (let q = len - 1; q >= 0; q--) {
            const s0 = this.sums[q];
            for (let x = n - 1; x >= 0; x--) this.sums[q * n + x] = s0 + x * t;
          }
          len *= n;
        }
      }
      total *= this.countDistinct(len);
    }
    return total;
  }

  /** Number of distinct values among this.sums[0..len). */
  private countDistinct(len: number): number {
    const sums = this.sums;
    let max = 0;
    let small = true;
    for (let q = 0; q < len; q++) {
      const v = sums[q];
      if (!(v >= 0 && v <= 65535 && Number.isInteger(v))) {
        small = false;
        break;
      }
      if (v > max) max = v;
    }
    if (small) {
      // Non-negative small integers: mark each value in a stamped table.
      if (this.seen.length <= max) this.seen = new Uint32Array(Math.max(2 * max + 2, 1024));
      this.seenStamp = (this.seenStamp + 1) >>> 0;
      if (this.seenStamp === 0) {
        this.seen.fill(0);
        this.seenStamp = 1;
      }
      const st = this.seenStamp;
      let distinct = 0;
      for (let q = 0; q < len; q++) {
        const v = sums[q];
        if (this.seen[v] !== st) {
          this.seen[v] = st;
          distinct++;
        }
      }
      return distinct;
    }
    const view = sums.slice(0, len).sort();
    let distinct = 1;
    for (let q = 1; q < len; q++) if (view[q] !== view[q - 1]) distinct++;
    return distinct;
  }

  private distinctGeneral(l: number, j: number): number {
    const loops: { n: number; t: number[] }[] = [];
    const na = this.dsNa[j];
    for (let i = this.boundary[l]; i < this.boundary[l + 1]; i++) {
      if (!this.lSp[i]) continue;
      const t: number[] = [];
      for (let a = 0; a < na; a++) t.push(this.coef[(j * this.nd + this.lD[i]) * this.maxNa + a] * this.lStride[i]);
      loops.push({ n: this.lN[i], t });
    }
    return distinctPositionsGeneral(loops);
  }

  /** Evaluates into the scratch; false (with this.reason) when the mapping is invalid. */
  private run(mapping: Mapping): boolean {
    const L = this.L;
    const nd = this.nd;
    const nds = this.nds;
    const ml = mapping.levels;
    if (ml.length !== L) return this.fail(`mapping has ${ml.length} levels, architecture ${L}`);

    // Flatten the nest, outermost first; level boundary = index of its first loop.
    this.nl = 0;
    const prodPerDim = this.prodPerDim;
    for (let d = 0; d < nd; d++) prodPerDim[d] = 1;
    for (let l = 0; l < L; l++) {
      const lm = ml[l];
      if (lm.level !== this.levelNames[l]) return this.fail(`mapping level ${l} is ${lm.level}, architecture has ${this.levelNames[l]}`);
      this.boundary[l] = this.nl;
      let sx = 1;
      let sy = 1;
      const temporal = lm.temporal;
      for (let i = 0; i < temporal.length; i++) {
        const t = temporal[i];
        const d = this.dimOf(t.dim);
        if (d < 0) return this.fail(`unknown dimension ${t.dim} at ${lm.level}`);
        const b = t.bound;
        if (!(b >= 1) || !Number.isInteger(b)) return this.fail(`bad factor ${t.dim}=${t.bound} at ${lm.level}`);
        prodPerDim[d] *= b;
        if (b > 1) this.push(d, b, 0);
      }
      const spatial = lm.spatial;
      for (let i = 0; i < spatial.length; i++) {
        const s = spatial[i];
        const d = this.dimOf(s.dim);
        if (d < 0) return this.fail(`unknown dimension ${s.dim} at ${lm.level}`);
        const b = s.bound;
        if (!(b >= 1) || !Number.isInteger(b)) return this.fail(`bad factor ${s.dim}=${s.bound} at ${lm.level}`);
        prodPerDim[d] *= b;
        if (s.axis === 'X') sx *= b;
        else sy *= b;
        if (b > 1) this.push(d, b, 1);
      }
      const fx = this.fanX[l];
      const fy = this.fanY[l];
      if (sx > fx) return this.fail(`${lm.level}: spatial X factor ${sx} exceeds fanout ${fx}`);
      if (sy > fy) return this.fail(`${lm.level}: spatial Y factor ${sy} exceeds fanout ${fy}`);
      if (sx * sy > fx * fy) return this.fail(`${lm.level}: spatial factors exceed fanout`);
    }
    const nl = this.nl;
    this.boundary[L] = nl;
    for (let d = 0; d < nd; d++) {
      const b = this.bounds[d];
      if (prodPerDim[d] !== b) return this.fail(`factors of ${this.dimNames[d]} multiply to ${prodPerDim[d]}, problem bound is ${b}`);
    }
    const lD = this.lD;
    const lN = this.lN;
    const lSp = this.lSp;
    const boundary = this.boundary;

    // Points of loop i's dimension covered by one iteration (product of inner factors).
    const stride = this.lStride;
    const acc = this.acc;
    for (let d = 0; d < nd; d++) acc[d] = 1;
    for (let i = nl - 1; i >= 0; i--) {
      stride[i] = acc[lD[i]];
      acc[lD[i]] *= lN[i];
    }
    // Extents of the tile of each level (loops at or below its boundary), per dim; instances
    // used (index L: the MACs).
    const tileExt = this.tileExt;
    const utilInst = this.utilInst;
    for (let d = 0; d < nd; d++) tileExt[L * nd + d] = 1;
    for (let l = L - 1; l >= 0; l--) {
      for (let d = 0; d < nd; d++) tileExt[l * nd + d] = tileExt[(l + 1) * nd + d];
      for (let i = boundary[l]; i < boundary[l + 1]; i++) tileExt[l * nd + lD[i]] *= lN[i];
    }
    utilInst[0] = 1;
    let temporalIters = 1;
    if (this.temporalAbove.length < L + 1) this.temporalAbove = new Int32Array(L + 1);
    const temporalAbove = this.temporalAbove;
    let tc = 0;
    for (let l = 0; l < L; l++) {
      temporalAbove[l] = tc;
      for (let i = boundary[l]; i < boundary[l + 1]; i++) if (!lSp[i]) tc++;
      let u = utilInst[l];
      for (let i = boundary[l]; i < boundary[l + 1]; i++) {
        if (lSp[i]) u *= lN[i];
        else temporalIters *= lN[i];
      }
      utilInst[l + 1] = u;
    }
    const utilizedPes = utilInst[L];

    // Keep sets.
    const keep = this.keep;
    const lc = this.lc;
    for (let l = 0; l < L; l++) {
      const dummy = lc[l].dummy;
      const ks = ml[l].keep;
      for (let j = 0; j < nds; j++) keep[l * nds + j] = !dummy && ks.includes(this.dsNames[j]) ? 1 : 0;
    }

    // Tiles of every kept (level, data space).
    const maxNa = this.maxNa;
    const tileAx = this.tileAx;
    const tileSz = this.tileSz;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < nds; j++) {
        if (!keep[l * nds + j]) continue;
        const g0 = this.dsAxis0[j];
        const na = this.dsNa[j];
        const o = (l * nds + j) * maxNa;
        const block = lc[l].blocks?.[this.dsNames[j]];
        let p = 1;
        for (let a = 0; a < na; a++) {
          let e = this.axisExt(g0 + a, tileExt, l * nd);
          // Stored in whole blocks along a split axis (StorageLevel.blocks).
          if (
            block &&
            this.axTerms[g0 + a] === 1 &&
            block.dims.includes(this.dimNames[this.ax1D[g0 + a]]) &&
            e < this.axisExt(g0 + a, tileExt, 0)
          )
            e = Math.ceil(e / block.words) * block.words;
          tileAx[o + a] = e;
          p *= e;
        }
        tileSz[l * nds + j] = p;
      }
    }

    // Capacity.
    if (this.checkCapacity) {
      for (let l = 0; l < L; l++) {
        const cap = lc[l].sizeWords;
        if (cap === undefined) continue;
        let used = 0;
        const parts = lc[l].partitions;
        for (let j = 0; j < nds; j++) {
          if (!keep[l * nds + j]) continue;
          const words = this.storedWords(l, j) * (lc[l].copies[this.dsNames[j]] ?? 1);
          const part = parts?.[this.dsNames[j]];
          if (part !== undefined && words > part)
            return this.fail(`${this.levelNames[l]}: ${this.dsNames[j]} tiles need ${words} words, their banks hold ${part}`);
          used += words;
        }
        const pt = lc[l].programs;
        if (pt) {
          const ps = this.programStats(l);
          const records = (pt.records?.words ?? 0) * ps.channels;
          let carried = 0;
          if (ps.completing < ps.programs && pt.carriedWordsPerPartialSum) {
            for (let j = 0; j < nds; j++)
              if (keep[l * nds + j] && this.dsRw[j]) carried += tileSz[l * nds + j] * pt.carriedWordsPerPartialSum;
          }
          if (parts?.records !== undefined && records > parts.records)
            return this.fail(`${this.levelNames[l]}: records need ${records} words, their bank holds ${parts.records}`);
          if (parts?.carried !== undefined && carried > parts.carried)
            return this.fail(`${this.levelNames[l]}: carried partial sums need ${carried} words, their bank holds ${parts.carried}`);
          used += records + carried;
        }
        if (used > cap) return this.fail(`${this.levelNames[l]}: tiles need ${used} words, capacity is ${cap}`);
      }
    }

    // Distinct children positions per spatial level and data space.
    const distinct = this.distinct;
    for (let l = 0; l < L; l++) {
      let sp = 0;
      for (let i = boundary[l]; i < boundary[l + 1]; i++) sp += lSp[i];
      for (let j = 0; j < nds; j++) distinct[l * nds + j] = sp === 0 ? 1 : this.distinctAt(l, j);
    }

    const conv = this.conv;
    const drainsInto = this.drainsInto;
    for (let l = 0; l < L; l++) drainsInto[l] = 0;
    const chain = this.chain;
    const D = this.cD;
    const tile = this.cTile;
    const part = this.cPart;
    for (let j = 0; j < nds; j++) {
      const rw = this.dsRw[j];
      const na = this.dsNa[j];
      let nc = 0;
      for (let l = 0; l < L; l++) if (keep[l * nds + j]) chain[nc++] = l;
      for (let c = 0; c < nc; c++) {
        const l = chain[c];
        // Tile extents of this data space at level l, staged for the walk.
        ensureWalk(boundary[l], na);
        const o = (l * nds + j) * maxNa;
        for (let a = 0; a < na; a++) {
          wExt[a] = tileAx[o + a];
          wSuffix[a] = 0;
        }
        const size = tileSz[l * nds + j];
        tile[c] = size;
        part[c] = this.partitionSize(j, l);
        // Temporal loops above level l, innermost first, into T (suffix sums of steps).
        const k = temporalAbove[l];
        if (k === 0) {
          D[c] = size;
          continue;
        }
        // Separate programs: read-only tiles are reloaded whole by every program; carried partial sums stay on chip.
        if (lc[l].programs && c > 0) {
          D[c] = rw ? part[c] : this.loadedWords(l, j, size) * this.programStats(l).programs;
          continue;
        }
        // Below a level whose parent iterations are programs, every program starts afresh: the
        // walk covers the loops inside one program, and repeats once per program.
        let pl = -1;
        for (let p = l - 1; p >= 0 && pl < 0; p--) if (lc[p].programs) pl = p;
        const stop = pl >= 0 ? boundary[pl] : 0;
        const perProgram = pl >= 0 ? this.programStats(pl).programs : 1;
        let kIn = k;
        if (pl >= 0) {
          kIn = 0;
          for (let i = stop; i < boundary[l]; i++) if (!lSp[i]) kIn++;
          if (kIn === 0) {
            D[c] = size * perProgram;
            continue;
          }
        } else if (this.sparse[j]) {
          D[c] = this.sparseWalk(j, l, k, na, size);
          continue;
        }
        let q = kIn;
        for (let i = boundary[l] - 1; i >= stop; i--) {
          if (lSp[i]) continue;
          q--;
          wN[q] = lN[i];
          const cb = (j * nd + lD[i]) * maxNa;
          const st = stride[i];
          const off = q * na;
          for (let a = 0; a < na; a++) {
            const u = this.coef[cb + a] * st;
            wT[off + a] = u - wSuffix[a];
            wSuffix[a] += u;
          }
        }
        D[c] = walkDense(kIn, na, size, this.integral) * perProgram;
      }
      for (let c = 0; c < nc; c++) {
        const l = chain[c];
        const top = c === 0;
        const innermost = c === nc - 1;
        let fills = 0;
        if (!top) fills = rw && conv === 'v3' ? D[c] - part[c] : D[c];
        let reads = 0;
        let updates = 0;
        let multicast = 1;
        if (innermost) {
          let dist = 1;
          for (let q = l; q < L; q++) dist *= distinct[q * nds + j];
          multicast = utilInst[L] / utilInst[l] / dist;
          const acc2 = temporalIters * dist;
          if (rw) {
            updates = acc2;
            reads = acc2 - part[c];
          } else reads = acc2;
        } else {
          const child = chain[c + 1];
          let dist = 1;
          for (let q = l; q < child; q++) dist *= distinct[q * nds + j];
          multicast = utilInst[child] / utilInst[l] / dist;
          if (rw) {
            updates = D[c + 1] * dist;
            reads = (D[c + 1] - part[c + 1]) * dist;
            drainsInto[l] = Math.max(drainsInto[l], D[c + 1] / tile[c + 1]);
          } else {
            reads = D[c + 1] * dist;
          }
        }
        const x = l * nds + j;
        this.sR[x] = reads;
        this.sF[x] = fills;
        this.sU[x] = updates;
        this.sTile[x] = tile[c];
        this.sPart[x] = part[c];
        this.sMc[x] = multicast;
        this.sE[x] = accessEnergy(lc[l], reads, fills, updates, conv) * utilInst[l];
      }
    }

    // Which stats fill each level's record, in record order (data-space order; a repeated
    // data-space name keeps its first position and its last value, as object keys do).
    const entry = this.entry;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < nds; j++) entry[l * nds + j] = keep[l * nds + j] ? j : -1;
      if (!this.dupNames) continue;
      for (let j = 0; j < nds; j++) {
        if (entry[l * nds + j] < 0) continue;
        for (let j2 = j + 1; j2 < nds; j2++) {
          if (keep[l * nds + j2] && this.dsNames[j2] === this.dsNames[j]) {
            entry[l * nds + j] = j2;
            entry[l * nds + j2] = -1;
          }
        }
      }
    }

    // Cycles: compute-bound unless a level's bandwidth throttles it. Fills of a level that is
    // not double-buffered (serialFill) are read from its parent before compute starts: their
    // cycles add to the run and leave the parent's overlapped traffic.
    const computeCycles = temporalIters;
    const serialReads = this.serialReads;
    for (let l = 0; l < L; l++) serialReads[l] = 0;
    let serialFillCycles = 0;
    for (let l = 1; l < L; l++) {
      if (!lc[l].serialFill) continue;
      let words = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x >= 0) words += this.sF[l * nds + x] * utilInst[l];
      }
      const rec = lc[l].programs?.records;
      if (rec) {
        const ps = this.programStats(l);
        words += rec.words * ps.channels * ps.completing * utilInst[l];
      }
      const parent = lc[l - 1];
      const perInstance = words / Math.max(1, utilInst[l - 1]);
      serialReads[l - 1] += perInstance;
      const rate = readRate(parent);
      if (rate) serialFillCycles += Math.ceil(perInstance / rate);
    }
    let cycles = computeCycles;
    for (let l = 0; l < L; l++) {
      const lv = lc[l];
      // Demands per cycle summed per data space in Timeloop's order (bandwidthCycles).
      let dr = 0;
      let dw = 0;
      let u = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x < 0) continue;
        const y = l * nds + x;
        dr += this.sR[y] / computeCycles;
        dw += (this.sF[y] + this.sU[y]) / computeCycles;
        u += this.sU[y];
      }
      if (serialReads[l] > 0) dr -= serialReads[l] / computeCycles;
      let c = bandwidthCycles(computeCycles, dr, dw, lv);
      if (lv.drainBandwidth) c = Math.max(c, Math.ceil(u / lv.drainBandwidth + drainsInto[l] * lv.drainOverheadCycles));
      this.levelCycles[l] = c;
      cycles = Math.max(cycles, c);
    }
    cycles += serialFillCycles;
    // Per-program costs (StorageLevel.programs): the fixed overhead, and the compute -> drain
    // pipeline restarting in every program (its non-bottleneck stage's first or last block).
    for (let l = 0; l < L; l++) {
      const pt = lc[l].programs;
      if (!pt) continue;
      const ps = this.programStats(l);
      let perProgram = pt.overheadCycles;
      const bw = lc[l].drainBandwidth;
      if (pt.pipelineFill && bw) {
        let u = 0;
        for (let j = 0; j < nds; j++) {
          const x = entry[l * nds + j];
          if (x >= 0) u += this.sU[l * nds + x];
        }
        const steps = computeCycles / ps.programs;
        const drains = ps.levelSteps;
        const outputs = u / ps.programs;
        const drainWork = outputs / bw + drains * lc[l].drainOverheadCycles;
        if (outputs > 0)
          perProgram += steps >= drainWork ? lc[l].drainOverheadCycles - 1 + Math.ceil(outputs / drains / bw) : steps / drains - 1;
      }
      cycles += perProgram * ps.programs;
    }

    let levelSum = 0;
    for (let l = 0; l < L; l++) {
      let e = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x >= 0) e += this.sE[l * nds + x];
      }
      const leakPj = lc[l].leak * utilInst[l] * cycles;
      this.levelEnergy[l] = e;
      this.levelLeak[l] = leakPj;
      levelSum = this.chargeLeak ? levelSum + e + leakPj : levelSum + e;
    }
    const compute = this.arch.compute;
    const computeEnergyPj = this.macs * compute.energyPerMac;
    const tot = this.tot;
    tot.cycles = cycles;
    tot.computeCycles = computeCycles;
    tot.serialFillCycles = serialFillCycles;
    tot.energyPj = computeEnergyPj + levelSum;
    tot.computeEnergyPj = computeEnergyPj;
    tot.utilizedPes = utilizedPes;
    return true;
  }

  /**
   * Words a program loads of data space j's tile at level l, on average over the programs: with
   * ProgramTerms.clipToImage and a problem that knows its image, only the window rows and columns
   * inside the image (each band of output rows / columns clipped at the padded edges).
   */
  private loadedWords(l: number, j: number, size: number): number {
    const pb = this.problem;
    if (!this.lc[l].programs?.clipToImage || pb.inputWidth === undefined || pb.inputHeight === undefined) return size;
    const g0 = this.dsAxis0[j];
    const o = (l * this.nds + j) * this.maxNa;
    const nd = this.nd;
    // The axis addressed by an output dim (Q or P) and a kernel dim (S or R): stride and extents.
    const clipped = (out: string, ker: string, full: number, pad: number): number | undefined => {
      const dOut = this.dimNames.indexOf(out);
      const dKer = this.dimNames.indexOf(ker);
      if (dOut < 0 || dKer < 0) return undefined;
      for (let a = 0; a < this.dsNa[j]; a++) {
        const g = g0 + a;
        let stride = 0;
        let dil = 0;
        for (let t = this.termStart[g]; t < this.termStart[g + 1]; t++) {
          if (this.termD[t] === dOut) stride = this.termC[t];
          if (this.termD[t] === dKer) dil = this.termC[t];
        }
        if (!stride || !dil) continue;
        const qt = this.tileExt[l * nd + dOut];
        const st = this.tileExt[l * nd + dKer];
        const bands = Math.round(this.bounds[dOut] / qt);
        const len = (qt - 1) * stride + (st - 1) * dil + 1;
        let sum = 0;
        for (let b = 0; b < bands; b++) {
          const start = b * qt * stride - pad;
          sum += Math.max(0, Math.min(full, start + len) - Math.max(0, start));
        }
        // The tile's extent on this axis, and the mean of what its bands load.
        return sum / bands / this.tileAx[o + a];
      }
      return undefined;
    };
    const rows = clipped('Q', 'S', pb.inputHeight, pb.padTop ?? 0);
    const cols = clipped('P', 'R', pb.inputWidth, pb.padLeft ?? 0);
    return size * (rows ?? 1) * (cols ?? 1);
  }

  /**
   * Words a tile of data space j occupies at level l in the worst position (StorageLevel.blocks):
   * a split block axis (a pixel's channel chunk) takes whole blocks plus one when the chunk can
   * straddle a block; else, when a row axis is split (a column band), each row of the band
   * (row extent x block-axis extent, contiguous) takes whole blocks plus one for its alignment.
   */
  private storedWords(l: number, j: number): number {
    const size = this.tileSz[l * this.nds + j];
    const block = this.lc[l].blocks?.[this.dsNames[j]];
    if (!block) return size;
    const g0 = this.dsAxis0[j];
    const o = (l * this.nds + j) * this.maxNa;
    const ext = (a: number) => this.axisExt(g0 + a, this.tileExt, l * this.nd);
    const full = (a: number) => this.axisExt(g0 + a, this.tileExt, 0);
    const axisOf = (dims: string[] | undefined, single: boolean) => {
      for (let a = 0; a < this.dsNa[j]; a++) {
        const g = g0 + a;
        if (single ? this.axTerms[g] !== 1 : this.axTerms[g] < 1) continue;
        for (let t = this.termStart[g]; t < this.termStart[g + 1]; t++) if (dims?.includes(this.dimNames[this.termD[t]])) return a;
      }
      return -1;
    };
    const ca = axisOf(block.dims, true);
    if (ca < 0) return size;
    const B = block.words;
    if (ext(ca) < full(ca)) return ext(ca) % B === 0 ? size : (size / this.tileAx[o + ca]) * (this.tileAx[o + ca] + B);
    const wa = axisOf(block.rowDims, false);
    if (wa < 0 || ext(wa) >= full(wa)) return size;
    const row = ext(wa) * ext(ca);
    return (size / row) * (Math.ceil(row / B) + 1) * B;
  }

  /**
   * Of a level whose parent iterations are programs (this run): how many programs, how many of
   * them complete their outputs (the last iteration of every reduction loop above), the level's
   * own temporal iterations per program (its drains), and its tile's extent over the record dims.
   */
  private programStats(l: number): { programs: number; completing: number; levelSteps: number; channels: number } {
    let programs = 1;
    let completing = 1;
    for (let i = 0; i < this.boundary[l]; i++) {
      if (this.lSp[i]) continue;
      programs *= this.lN[i];
      if (this.outRelevant[this.lD[i]]) completing *= this.lN[i];
    }
    let levelSteps = 1;
    for (let i = this.boundary[l]; i < this.boundary[l + 1]; i++) if (!this.lSp[i]) levelSteps *= this.lN[i];
    let channels = 1;
    for (const d of this.recordDims[l]) channels *= this.tileExt[l * this.nd + d];
    return { programs, completing, levelSteps, channels };
  }

  private fail(reason: string): false {
    this.reason = reason;
    return false;
  }

  /** Builds the Evaluation of the last valid run. */
  private result(): Evaluation {
    const L = this.L;
    const nds = this.nds;
    const levels: LevelStats[] = [];
    for (let l = 0; l < L; l++) {
      const u = this.utilInst[l];
      const dataSpaces: Record<string, DataSpaceStats> = {};
      for (let j = 0; j < nds; j++) {
        const x = this.entry[l * nds + j];
        if (x < 0) continue;
        const y = l * nds + x;
        dataSpaces[this.dsNames[j]] = {
          reads: this.sR[y],
          fills: this.sF[y],
          updates: this.sU[y],
          tileSize: this.sTile[y],
          partitionSize: this.sPart[y],
          utilizedInstances: u,
          multicast: this.sMc[y],
          energyPj: this.sE[y],
        };
      }
      levels.push({
        name: this.levelNames[l],
        dataSpaces,
        energyPj: this.levelEnergy[l],
        leakPj: this.levelLeak[l],
        cycles: this.levelCycles[l],
        utilizedInstances: u,
      });
    }
    const t = this.tot;
    return {
      valid: true,
      macs: this.macs,
      cycles: t.cycles,
      computeCycles: t.computeCycles,
      // Present only when some level fills serially (the key order of the result stays fixed).
      ...(t.serialFillCycles > 0 ? { serialFillCycles: t.serialFillCycles } : {}),
      energyPj: t.energyPj,
      edp: t.energyPj * t.cycles,
      areaUm2: this.areaUm2,
      utilization: this.macs / (this.arch.compute.instances * t.cycles),
      utilizedPes: t.utilizedPes,
      computeEnergyPj: t.computeEnergyPj,
      levels,
    };
  }
}

/**
 * The cost model specialised to one problem on one architecture: compile once, then
 * evaluate many mappings (the mapper's and the NAAS search's inner loop). The problem and
 * architecture must not be mutated afterwards.
 */
export function prepare(problem: Problem, arch: Architecture, options: EvaluateOptions = {}): PreparedModel {
  return new Prepared(problem, arch, options);
}

// evaluate()'s evaluators, per architecture object, problem object and option set.
const cache = new WeakMap<Architecture, WeakMap<Problem, Map<string, PreparedModel>>>();

function preparedFor(problem: Problem, arch: Architecture, options: EvaluateOptions): PreparedModel {
  let byProblem = cache.get(arch);
  if (!byProblem) {
    byProblem = new WeakMap();
    cache.set(arch, byProblem);
  }
  let byOptions = byProblem.get(problem);
  if (!byOptions) {
    byOptions = new Map();
    byProblem.set(problem, byOptions);
  }
  const key = `${options.convention ?? 'v3'}${options.ignoreCapacity ? '!' : ''}${options.chargeLeak ? '+leak' : ''}`;
  let p = byOptions.get(key);
  if (!p) {
    p = prepare(problem, arch, options);
    byOptions.set(key, p);
  }
  return p;
}

/** Evaluate one mapping. Invalid mappings come back with `valid: false` and a reason. */
export function evaluate(problem: Problem, arch: Architecture, mapping: Mapping, options: EvaluateOptions = {}): Evaluation {
  return preparedFor(problem, arch, options).evaluate(mapping);
}
