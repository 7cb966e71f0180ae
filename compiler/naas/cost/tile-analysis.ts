// Tile analysis (Timeloop's nest analysis up to the deltas): the mapping's loop nest flattened,
// each level's tile box and size, utilised instances, whether the tiles fit, partition sizes,
// and how many distinct child positions each spatial fanout addresses.
//
// One TileAnalysis is scratch reused across mappings of one problem on one architecture;
// analyse() fills it, and the access counts, cycles and energy stages read its fields.
import type { Mapping } from '../../ir/mapping.ts';
import type { LevelTables } from './level-tables.ts';
import type { ProblemTables } from './problem-tables.ts';

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

/** Of a level whose parent iterations are programs: see TileAnalysis.programStats. */
export interface ProgramStats {
  programs: number;
  completing: number;
  levelSteps: number;
  channels: number;
}

export class TileAnalysis {
  readonly pt: ProblemTables;
  readonly lt: LevelTables;
  /** Why the last analysed mapping is invalid. */
  reason = '';
  // The flattened nest, outermost first: loop i's dim, count, spatial flag and stride (points of
  // its dim one iteration covers); level l's loops are [boundary[l], boundary[l+1]).
  private cap = 64;
  lD = new Int32Array(64);
  lN = new Float64Array(64);
  lSp = new Uint8Array(64);
  lStride = new Float64Array(64);
  nl = 0;
  readonly boundary: Int32Array;
  /** Per (level, dim): the tile's extent (loops at or below the level); row L is one MAC. */
  readonly tileExt: Float64Array;
  /** Instances used at each level (index L: the MACs). */
  readonly utilInst: Float64Array;
  /** Per (level, data space): 1 when the level keeps it (and is not a dummy). */
  readonly keep: Uint8Array;
  /** Per kept (level, data space): tile extents per axis and tile size, this run. */
  readonly tileAx: Float64Array;
  readonly tileSz: Float64Array;
  /** Per (level, data space): distinct child positions under the level's spatial loops. */
  readonly distinct: Float64Array;
  /** Temporal loops above each level's boundary. */
  temporalAbove = new Int32Array(8);
  /** Product of every temporal factor: the compute cycles. */
  temporalIters = 0;
  utilizedPes = 0;
  private readonly prodPerDim: Float64Array;
  private readonly acc: Float64Array;
  /** Per dim: a tile's extents times one level's spatial factors (partitionSize). */
  private readonly unionExt: Float64Array;
  private sums = new Float64Array(64);
  private readonly axCount: Int32Array;
  private readonly axProd: Float64Array;
  private seen = new Uint32Array(1024);
  private seenStamp = 0;

  constructor(pt: ProblemTables, lt: LevelTables) {
    this.pt = pt;
    this.lt = lt;
    const { nd, nds, maxNa } = pt;
    const L = lt.L;
    this.tileAx = new Float64Array(L * nds * maxNa);
    this.tileSz = new Float64Array(L * nds);
    this.axCount = new Int32Array(maxNa);
    this.axProd = new Float64Array(maxNa);
    this.boundary = new Int32Array(L + 1);
    this.prodPerDim = new Float64Array(nd);
    this.acc = new Float64Array(nd);
    this.tileExt = new Float64Array((L + 1) * nd);
    this.unionExt = new Float64Array(nd);
    this.utilInst = new Float64Array(L + 1);
    this.keep = new Uint8Array(L * nds);
    this.distinct = new Float64Array(L * nds);
  }

  /** Analyses one mapping into the fields; false (with reason) when the mapping is invalid. */
  analyse(mapping: Mapping, checkCapacity: boolean): boolean {
    const L = this.lt.L;
    const nd = this.pt.nd;
    const nds = this.pt.nds;
    const ml = mapping.levels;
    if (ml.length !== L) return this.fail(`mapping has ${ml.length} levels, architecture ${L}`);

    // Flatten the nest, outermost first; level boundary = index of its first loop.
    this.nl = 0;
    const prodPerDim = this.prodPerDim;
    for (let d = 0; d < nd; d++) prodPerDim[d] = 1;
    for (let l = 0; l < L; l++) {
      const lm = ml[l];
      if (lm.level !== this.lt.levelNames[l])
        return this.fail(`mapping level ${l} is ${lm.level}, architecture has ${this.lt.levelNames[l]}`);
      this.boundary[l] = this.nl;
      let sx = 1;
      let sy = 1;
      const temporal = lm.temporal;
      for (let i = 0; i < temporal.length; i++) {
        const t = temporal[i];
        const d = this.pt.dimOf(t.dim);
        if (d < 0) return this.fail(`unknown dimension ${t.dim} at ${lm.level}`);
        const b = t.bound;
        if (!(b >= 1) || !Number.isInteger(b)) return this.fail(`bad factor ${t.dim}=${t.bound} at ${lm.level}`);
        prodPerDim[d] *= b;
        if (b > 1) this.push(d, b, 0);
      }
      const spatial = lm.spatial;
      for (let i = 0; i < spatial.length; i++) {
        const s = spatial[i];
        const d = this.pt.dimOf(s.dim);
        if (d < 0) return this.fail(`unknown dimension ${s.dim} at ${lm.level}`);
        const b = s.bound;
        if (!(b >= 1) || !Number.isInteger(b)) return this.fail(`bad factor ${s.dim}=${s.bound} at ${lm.level}`);
        prodPerDim[d] *= b;
        if (s.axis === 'X') sx *= b;
        else sy *= b;
        if (b > 1) this.push(d, b, 1);
      }
      const fx = this.lt.fanX[l];
      const fy = this.lt.fanY[l];
      if (sx > fx) return this.fail(`${lm.level}: spatial X factor ${sx} exceeds fanout ${fx}`);
      if (sy > fy) return this.fail(`${lm.level}: spatial Y factor ${sy} exceeds fanout ${fy}`);
      if (sx * sy > fx * fy) return this.fail(`${lm.level}: spatial factors exceed fanout`);
    }
    const nl = this.nl;
    this.boundary[L] = nl;
    for (let d = 0; d < nd; d++) {
      const b = this.pt.bounds[d];
      if (prodPerDim[d] !== b) return this.fail(`factors of ${this.pt.dimNames[d]} multiply to ${prodPerDim[d]}, problem bound is ${b}`);
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
    this.utilizedPes = utilInst[L];
    this.temporalIters = temporalIters;

    // Keep sets.
    const keep = this.keep;
    const lc = this.lt.lc;
    for (let l = 0; l < L; l++) {
      const dummy = lc[l].dummy;
      const ks = ml[l].keep;
      for (let j = 0; j < nds; j++) keep[l * nds + j] = !dummy && ks.includes(this.pt.dsNames[j]) ? 1 : 0;
    }

    // Tiles of every kept (level, data space).
    const maxNa = this.pt.maxNa;
    const tileAx = this.tileAx;
    const tileSz = this.tileSz;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < nds; j++) {
        if (!keep[l * nds + j]) continue;
        const g0 = this.pt.dsAxis0[j];
        const na = this.pt.dsNa[j];
        const o = (l * nds + j) * maxNa;
        const block = lc[l].blocks?.[this.pt.dsNames[j]];
        let p = 1;
        for (let a = 0; a < na; a++) {
          let e = this.pt.axisExt(g0 + a, tileExt, l * nd);
          // Stored in whole blocks along a split axis (StorageLevel.blocks).
          if (
            block &&
            this.pt.axTerms[g0 + a] === 1 &&
            block.dims.includes(this.pt.dimNames[this.pt.ax1D[g0 + a]]) &&
            e < this.pt.axisExt(g0 + a, tileExt, 0)
          )
            e = blockExtent(e, this.pt.axisExt(g0 + a, tileExt, 0), block.words);
          tileAx[o + a] = e;
          p *= e;
        }
        tileSz[l * nds + j] = p;
      }
    }

    if (checkCapacity && !this.fits()) return false;

    // Distinct children positions per spatial level and data space.
    const distinct = this.distinct;
    for (let l = 0; l < L; l++) {
      let sp = 0;
      for (let i = boundary[l]; i < boundary[l + 1]; i++) sp += lSp[i];
      for (let j = 0; j < nds; j++) distinct[l * nds + j] = sp === 0 ? 1 : this.distinctAt(l, j);
    }
    return true;
  }

  /** Whether every level holds its kept tiles (StorageLevel sizes, banks and program records). */
  private fits(): boolean {
    const L = this.lt.L;
    const nds = this.pt.nds;
    const lc = this.lt.lc;
    const keep = this.keep;
    const tileSz = this.tileSz;
    for (let l = 0; l < L; l++) {
      const cap = lc[l].sizeWords;
      if (cap === undefined) continue;
      let used = 0;
      const parts = lc[l].partitions;
      for (let j = 0; j < nds; j++) {
        if (!keep[l * nds + j]) continue;
        const words = this.storedWords(l, j) * (lc[l].copies[this.pt.dsNames[j]] ?? 1);
        const part = parts?.[this.pt.dsNames[j]];
        if (part !== undefined && words > part)
          return this.fail(`${this.lt.levelNames[l]}: ${this.pt.dsNames[j]} tiles need ${words} words, their banks hold ${part}`);
        used += words;
      }
      const pt = lc[l].programs;
      if (pt) {
        const ps = this.programStats(l);
        const records = (pt.records?.words ?? 0) * ps.channels;
        let carried = 0;
        if (ps.completing < ps.programs && pt.carriedWordsPerPartialSum) {
          for (let j = 0; j < nds; j++)
            if (keep[l * nds + j] && this.pt.dsRw[j]) carried += tileSz[l * nds + j] * pt.carriedWordsPerPartialSum;
        }
        if (parts?.records !== undefined && records > parts.records)
          return this.fail(`${this.lt.levelNames[l]}: records need ${records} words, their bank holds ${parts.records}`);
        if (parts?.carried !== undefined && carried > parts.carried)
          return this.fail(`${this.lt.levelNames[l]}: carried partial sums need ${carried} words, their bank holds ${parts.carried}`);
        used += records + carried;
      }
      if (used > cap) return this.fail(`${this.lt.levelNames[l]}: tiles need ${used} words, capacity is ${cap}`);
    }
    return true;
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

  /**
   * Words of data space j one instance of level l sees over the run, as Timeloop's
   * ComputePartitionSizes: the whole data space, scaled at every spatial fanout above l by the
   * child's tile over the union of the tiles of the children (size_t arithmetic). For axes of
   * one term this is the bounds over the spatial factors; for an axis of several terms (a
   * dimension written as digit dimensions) it counts what the instance sees, not its box.
   */
  partitionSize(j: number, l: number): number {
    const nd = this.pt.nd;
    let p = this.pt.fullSize[j];
    for (let q = 0; q < l; q++) {
      let spatial = false;
      for (let i = this.boundary[q]; i < this.boundary[q + 1]; i++) if (this.lSp[i]) spatial = true;
      if (!spatial) continue;
      for (let d = 0; d < nd; d++) this.unionExt[d] = this.tileExt[(q + 1) * nd + d];
      for (let i = this.boundary[q]; i < this.boundary[q + 1]; i++) if (this.lSp[i]) this.unionExt[this.lD[i]] *= this.lN[i];
      p = Math.floor((p * this.pt.boxSize(j, this.tileExt, (q + 1) * nd)) / this.pt.boxSize(j, this.unionExt, 0));
    }
    return p;
  }

  /** Distinct child positions of data space j under the spatial loops of level l. */
  private distinctAt(l: number, j: number): number {
    const b0 = this.boundary[l];
    const b1 = this.boundary[l + 1];
    const nd = this.pt.nd;
    const na = this.pt.dsNa[j];
    const maxNa = this.pt.maxNa;
    const axCount = this.axCount;
    const axProd = this.axProd;
    for (let a = 0; a < na; a++) axCount[a] = 0;
    let any = false;
    for (let i = b0; i < b1; i++) {
      if (!this.lSp[i]) continue;
      any = true;
      const a = this.pt.dimAxis[j * nd + this.lD[i]];
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
        if (!this.lSp[i] || this.pt.dimAxis[j * nd + this.lD[i]] !== a) continue;
        const t = this.pt.coef[(j * nd + this.lD[i]) * maxNa + a] * this.lStride[i];
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
    const na = this.pt.dsNa[j];
    for (let i = this.boundary[l]; i < this.boundary[l + 1]; i++) {
      if (!this.lSp[i]) continue;
      const t: number[] = [];
      for (let a = 0; a < na; a++) t.push(this.pt.coef[(j * this.pt.nd + this.lD[i]) * this.pt.maxNa + a] * this.lStride[i]);
      loops.push({ n: this.lN[i], t });
    }
    return distinctPositionsGeneral(loops);
  }

  /**
   * Words a program loads of data space j's tile at level l, on average over the programs: with
   * ProgramTerms.clipToImage and a problem that knows its image, only the window rows and columns
   * inside the image (each band of output rows / columns clipped at the padded edges).
   */
  loadedWords(l: number, j: number, size: number): number {
    const pb = this.pt.problem;
    if (!this.lt.lc[l].programs?.clipToImage || pb.inputWidth === undefined || pb.inputHeight === undefined) return size;
    const g0 = this.pt.dsAxis0[j];
    const o = (l * this.pt.nds + j) * this.pt.maxNa;
    const nd = this.pt.nd;
    // The axis addressed by an output dim (Q or P) and a kernel dim (S or R): stride and extents.
    const clipped = (out: string, ker: string, full: number, pad: number): number | undefined => {
      const dOut = this.pt.dimNames.indexOf(out);
      const dKer = this.pt.dimNames.indexOf(ker);
      if (dOut < 0 || dKer < 0) return undefined;
      for (let a = 0; a < this.pt.dsNa[j]; a++) {
        const g = g0 + a;
        let stride = 0;
        let dil = 0;
        for (let t = this.pt.termStart[g]; t < this.pt.termStart[g + 1]; t++) {
          if (this.pt.termD[t] === dOut) stride = this.pt.termC[t];
          if (this.pt.termD[t] === dKer) dil = this.pt.termC[t];
        }
        if (!stride || !dil) continue;
        const qt = this.tileExt[l * nd + dOut];
        const st = this.tileExt[l * nd + dKer];
        const bands = Math.round(this.pt.bounds[dOut] / qt);
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
    const size = this.tileSz[l * this.pt.nds + j];
    const block = this.lt.lc[l].blocks?.[this.pt.dsNames[j]];
    if (!block) return size;
    const g0 = this.pt.dsAxis0[j];
    const o = (l * this.pt.nds + j) * this.pt.maxNa;
    const ext = (a: number) => this.pt.axisExt(g0 + a, this.tileExt, l * this.pt.nd);
    const full = (a: number) => this.pt.axisExt(g0 + a, this.tileExt, 0);
    const axisOf = (dims: string[] | undefined, single: boolean) => {
      for (let a = 0; a < this.pt.dsNa[j]; a++) {
        const g = g0 + a;
        if (single ? this.pt.axTerms[g] !== 1 : this.pt.axTerms[g] < 1) continue;
        for (let t = this.pt.termStart[g]; t < this.pt.termStart[g + 1]; t++)
          if (dims?.includes(this.pt.dimNames[this.pt.termD[t]])) return a;
      }
      return -1;
    };
    const ca = axisOf(block.dims, true);
    if (ca < 0) return size;
    const B = block.words;
    // A chunk of a tensor whose extent is not whole blocks is already its worst position's blocks (blockExtent).
    if (ext(ca) < full(ca))
      return ext(ca) % B === 0 || full(ca) % B !== 0 ? size : (size / this.tileAx[o + ca]) * (this.tileAx[o + ca] + B);
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
  programStats(l: number): ProgramStats {
    let programs = 1;
    let completing = 1;
    for (let i = 0; i < this.boundary[l]; i++) {
      if (this.lSp[i]) continue;
      programs *= this.lN[i];
      if (this.pt.outRelevant[this.lD[i]]) completing *= this.lN[i];
    }
    let levelSteps = 1;
    for (let i = this.boundary[l]; i < this.boundary[l + 1]; i++) if (!this.lSp[i]) levelSteps *= this.lN[i];
    let channels = 1;
    for (const d of this.lt.recordDims[l]) channels *= this.tileExt[l * this.pt.nd + d];
    return { programs, completing, levelSteps, channels };
  }

  private fail(reason: string): false {
    this.reason = reason;
    return false;
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Words a chunk of `ext` of a tensor's `full` extent along a block axis takes (StorageLevel.blocks):
 * whole blocks; when `full` is not whole blocks either, the chunks of different pixels start at
 * different offsets within their blocks (every multiple of gcd(full, B)), so every pixel takes the
 * blocks of the worst offset, B - gcd(ext, B), as the RTL's load engine loads them
 * (chunkSegmentBeats in compiler/rtl/accelerator/tiling.ts).
 */
export function blockExtent(ext: number, full: number, words: number): number {
  if (full % words === 0) return Math.ceil(ext / words) * words;
  return Math.ceil((ext + words - gcd(ext, words)) / words) * words;
}
