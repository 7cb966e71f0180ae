// The problem compiled once for the cost model: dimensions, bounds and each data space's
// projection as flat typed tables, with the box geometry every later stage reads (axisExt, boxSize).
import type { Problem } from '../../ir/problem.ts';

/** A problem's dimensions and data-space projections as flat tables (immutable once built). */
export class ProblemTables {
  readonly problem: Problem;
  readonly nd: number;
  readonly dimNames: readonly string[];
  readonly bounds: readonly number[];
  readonly macs: number;
  readonly nds: number;
  readonly dsNames: readonly string[];
  readonly dsRw: readonly boolean[];
  readonly dsNa: Int32Array;
  /** Per data space, the index of its first axis in the flat axis tables. */
  readonly dsAxis0: Int32Array;
  /** Per flat axis, its terms [termStart[g], termStart[g+1]) of (termD, termC). */
  readonly termStart: Int32Array;
  readonly termD: Int32Array;
  readonly termC: Float64Array;
  /** Per flat axis: number of terms, and the first term (the only one, usually). */
  readonly axTerms: Int32Array;
  readonly ax1D: Int32Array;
  readonly ax1C: Float64Array;
  /** coef[(j * nd + d) * maxNa + a]: coefficient sum of dim d in axis a of data space j. */
  readonly coef: Float64Array;
  readonly maxNa: number;
  /** Every projection coefficient is an integer (so every walk term is). */
  readonly integral: boolean;
  /** Per data space: the sparse walk applies (integer terms, no dimension on two axes). */
  readonly sparse: readonly boolean[];
  /** Axis of dim d in data space j: the axis when exactly one, -1 none, -2 several. */
  readonly dimAxis: Int32Array;
  /** Two data spaces share a name (their level records merge; rare). */
  readonly dupNames: boolean;
  /** Per dim: whether it indexes a read-write data space (outputs); the others are reductions. */
  readonly outRelevant: Uint8Array;
  /** Words of each data space over the whole problem (the partition above every spatial loop). */
  readonly fullSize: readonly number[];

  constructor(problem: Problem) {
    this.problem = problem;
    const nd = problem.dims.length;
    this.nd = nd;
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
    this.integral = this.termC.every((c) => Number.isInteger(c));
    this.sparse = problem.dataSpaces.map((_, j) => {
      if (!this.integral) return false;
      for (let d = 0; d < nd; d++) if (this.dimAxis[j * nd + d] === -2) return false;
      return true;
    });
    this.outRelevant = new Uint8Array(nd);
    problem.dataSpaces.forEach((s, j) => {
      if (!s.readWrite) return;
      for (let d = 0; d < nd; d++)
        for (let a = 0; a < s.projection.length; a++) if (this.coef[(j * nd + d) * maxNa + a] !== 0) this.outRelevant[d] = 1;
    });
    const bounds = Float64Array.from(this.bounds);
    this.fullSize = problem.dataSpaces.map((_, j) => this.boxSize(j, bounds, 0));
  }

  /** Index of the dimension called name (the last one of that name), -1 when none. */
  dimOf(name: string): number {
    const names = this.dimNames;
    for (let d = names.length - 1; d >= 0; d--) if (names[d] === name) return d;
    return -1;
  }

  /** Extent along flat axis g of a box with per-dim extents ext[off..off+nd). */
  axisExt(g: number, ext: Float64Array, off: number): number {
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

  /** Words of data space j in a box with per-dim extents ext[off..off+nd). */
  boxSize(j: number, ext: Float64Array, off: number): number {
    const g0 = this.dsAxis0[j];
    const na = this.dsNa[j];
    let p = 1;
    for (let a = 0; a < na; a++) p *= this.axisExt(g0 + a, ext, off);
    return p;
  }
}
