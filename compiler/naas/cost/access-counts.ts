// Access counts per level (Timeloop's per-level reads, fills and updates): for every data space
// down its chain of keeping levels, the temporal deltas each tile receives, what the parent
// reads to serve them (once per distinct child delta: multicast; outputs reduced spatially),
// and which stats fill each level's record. Reads the TileAnalysis of the same mapping.
import { ensureWalk, walkClasses, walkDense, wDeltas, wEq, wExt, wN, wSuffix, wT } from './delta-walk.ts';
import type { TileAnalysis } from './tile-analysis.ts';
import type { Convention } from './types.ts';

export class AccessCounts {
  private readonly ta: TileAnalysis;
  /** Per (level, data space): reads served to the child, fills, updates, tile, partition, multicast. */
  readonly sR: Float64Array;
  readonly sF: Float64Array;
  readonly sU: Float64Array;
  readonly sTile: Float64Array;
  readonly sPart: Float64Array;
  readonly sMc: Float64Array;
  /** Per (level, data space): the index whose stats fill the record entry, -1 for none. */
  readonly entry: Int32Array;
  /** Per level: the most drains (delta / tile) any child level pushes into it (drain overhead). */
  readonly drainsInto: Float64Array;
  // Per data space, its chain of keeping levels with each one's deltas, tile and partition.
  private readonly chain: Int32Array;
  private readonly cD: Float64Array;
  private readonly cTile: Float64Array;
  private readonly cPart: Float64Array;

  constructor(ta: TileAnalysis) {
    this.ta = ta;
    const L = ta.lt.L;
    const nds = ta.pt.nds;
    this.sR = new Float64Array(L * nds);
    this.sF = new Float64Array(L * nds);
    this.sU = new Float64Array(L * nds);
    this.sTile = new Float64Array(L * nds);
    this.sPart = new Float64Array(L * nds);
    this.sMc = new Float64Array(L * nds);
    this.entry = new Int32Array(L * nds);
    this.chain = new Int32Array(L);
    this.cD = new Float64Array(L);
    this.cTile = new Float64Array(L);
    this.cPart = new Float64Array(L);
    this.drainsInto = new Float64Array(L);
  }

  /** Counts the accesses of the mapping the TileAnalysis last analysed (a valid one). */
  count(conv: Convention): void {
    const ta = this.ta;
    const L = ta.lt.L;
    const lc = ta.lt.lc;
    const nd = ta.pt.nd;
    const nds = ta.pt.nds;
    const maxNa = ta.pt.maxNa;
    const keep = ta.keep;
    const boundary = ta.boundary;
    const tileAx = ta.tileAx;
    const tileSz = ta.tileSz;
    const temporalAbove = ta.temporalAbove;
    const lD = ta.lD;
    const lN = ta.lN;
    const lSp = ta.lSp;
    const stride = ta.lStride;
    const utilInst = ta.utilInst;
    const distinct = ta.distinct;
    const temporalIters = ta.temporalIters;
    const drainsInto = this.drainsInto;
    for (let l = 0; l < L; l++) drainsInto[l] = 0;
    const chain = this.chain;
    const D = this.cD;
    const tile = this.cTile;
    const part = this.cPart;
    for (let j = 0; j < nds; j++) {
      const rw = ta.pt.dsRw[j];
      const na = ta.pt.dsNa[j];
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
        part[c] = ta.partitionSize(j, l);
        // Temporal loops above level l, innermost first, into T (suffix sums of steps).
        const k = temporalAbove[l];
        if (k === 0) {
          D[c] = size;
          continue;
        }
        // Separate programs: read-only tiles are reloaded whole by every program; carried partial sums stay on chip.
        if (lc[l].programs && c > 0) {
          D[c] = rw ? part[c] : ta.loadedWords(l, j, size) * ta.programStats(l).programs;
          continue;
        }
        // Below a level whose parent iterations are programs, every program starts afresh: the
        // walk covers the loops inside one program, and repeats once per program.
        let pl = -1;
        for (let p = l - 1; p >= 0 && pl < 0; p--) if (lc[p].programs) pl = p;
        const stop = pl >= 0 ? boundary[pl] : 0;
        const perProgram = pl >= 0 ? ta.programStats(pl).programs : 1;
        let kIn = k;
        if (pl >= 0) {
          kIn = 0;
          for (let i = stop; i < boundary[l]; i++) if (!lSp[i]) kIn++;
          if (kIn === 0) {
            D[c] = size * perProgram;
            continue;
          }
        } else if (ta.pt.sparse[j]) {
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
            const u = ta.pt.coef[cb + a] * st;
            wT[off + a] = u - wSuffix[a];
            wSuffix[a] += u;
          }
        }
        D[c] = walkDense(kIn, na, size, ta.pt.integral) * perProgram;
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
      }
    }

    // Which stats fill each level's record, in record order (data-space order; a repeated
    // data-space name keeps its first position and its last value, as object keys do).
    const entry = this.entry;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < nds; j++) entry[l * nds + j] = keep[l * nds + j] ? j : -1;
      if (!ta.pt.dupNames) continue;
      for (let j = 0; j < nds; j++) {
        if (entry[l * nds + j] < 0) continue;
        for (let j2 = j + 1; j2 < nds; j2++) {
          if (keep[l * nds + j2] && ta.pt.dsNames[j2] === ta.pt.dsNames[j]) {
            entry[l * nds + j] = j2;
            entry[l * nds + j2] = -1;
          }
        }
      }
    }
  }

  /**
   * The delta walk of data space j's tile at level l (extents staged in wExt, wSuffix zeroed)
   * under the k temporal loops above it, when every dimension moves at most one axis of j and
   * terms are integers: each T_j differs from minus the running suffix sum in one axis at
   * most, so its nonzero count, delta and equality with T_{k-1} follow in O(1) from the
   * suffix vector and its nonzero count, without writing T rows.
   */
  private sparseWalk(j: number, l: number, k: number, na: number, size: number): number {
    const nd = this.ta.pt.nd;
    const maxNa = this.ta.pt.maxNa;
    const lD = this.ta.lD;
    const lSp = this.ta.lSp;
    let nzS = 0;
    let lastAxis = -1;
    let lastVal = 0;
    let q = k;
    for (let i = this.ta.boundary[l] - 1; i >= 0; i--) {
      if (lSp[i]) continue;
      q--;
      wN[q] = this.ta.lN[i];
      const d = lD[i];
      const aj = this.ta.pt.dimAxis[j * nd + d];
      let nz = nzS;
      let tv = 0;
      let u = 0;
      let sa = 0;
      if (aj >= 0) {
        u = this.ta.pt.coef[(j * nd + d) * maxNa + aj] * this.ta.lStride[i];
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
}
