// CMA-ES (Hansen's (mu/mu_w, lambda) covariance matrix adaptation evolution strategy) with
// rank-one and rank-mu updates, step-size control by cumulative path length, and a Jacobi
// eigendecomposition. Seeded: every sample comes from the Prng it is given.
import { Prng } from '../util/prng.ts';

export interface CmaOptions {
  /** Initial mean (defaults to 0.5 in every coordinate). */
  mean?: number[];
  sigma?: number;
  lambda?: number;
  seed: number;
}

export class CmaEs {
  readonly n: number;
  readonly lambda: number;
  readonly mu: number;
  private readonly weights: number[];
  private readonly mueff: number;
  private readonly cc: number;
  private readonly cs: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly damps: number;
  private readonly chiN: number;
  mean: number[];
  sigma: number;
  private pc: number[];
  private ps: number[];
  private C: number[][];
  private B: number[][];
  private D: number[];
  private readonly rng: Prng;
  generation = 0;
  /** Candidates told since B and D last followed C (the decomposition is lazy, as in Hansen's reference code). */
  private toldSinceEigen = 0;

  constructor(n: number, opts: CmaOptions) {
    this.n = n;
    this.rng = new Prng(opts.seed);
    this.lambda = opts.lambda ?? 4 + Math.floor(3 * Math.log(n));
    this.mu = Math.floor(this.lambda / 2);
    const w = Array.from({ length: this.mu }, (_, i) => Math.log(this.mu + 0.5) - Math.log(i + 1));
    const sw = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / sw);
    this.mueff = 1 / this.weights.reduce((a, b) => a + b * b, 0);
    this.cc = (4 + this.mueff / n) / (n + 4 + (2 * this.mueff) / n);
    this.cs = (this.mueff + 2) / (n + this.mueff + 5);
    this.c1 = 2 / ((n + 1.3) ** 2 + this.mueff);
    this.cmu = Math.min(1 - this.c1, (2 * (this.mueff - 2 + 1 / this.mueff)) / ((n + 2) ** 2 + this.mueff));
    this.damps = 1 + 2 * Math.max(0, Math.sqrt((this.mueff - 1) / (n + 1)) - 1) + this.cs;
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.mean = opts.mean ? opts.mean.slice() : new Array(n).fill(0.5);
    this.sigma = opts.sigma ?? 0.3;
    this.pc = new Array(n).fill(0);
    this.ps = new Array(n).fill(0);
    this.C = identity(n);
    this.B = identity(n);
    this.D = new Array(n).fill(1);
  }

  /** One candidate: x = m + sigma * B D z. */
  sample(): number[] {
    this.refreshEigen();
    const z = Array.from({ length: this.n }, () => this.rng.normal());
    const y = new Array(this.n).fill(0);
    for (let i = 0; i < this.n; i++) {
      let s = 0;
      for (let j = 0; j < this.n; j++) s += this.B[i][j] * this.D[j] * z[j];
      y[i] = s;
    }
    return y.map((v, i) => this.mean[i] + this.sigma * v);
  }

  /** Update from a generation of candidates and their costs (lower is better). */
  tell(xs: number[][], costs: number[]): void {
    const n = this.n;
    const idx = costs
      .map((c, i) => [c, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((x) => x[1]);
    const sel = idx.slice(0, this.mu).map((i) => xs[i]);
    const old = this.mean;
    const mean = new Array(n).fill(0);
    sel.forEach((x, k) => x.forEach((v, i) => (mean[i] += this.weights[k] * v)));
    const ymean = mean.map((v, i) => (v - old[i]) / this.sigma);
    // C^{-1/2} ymean = B D^{-1} B^T ymean
    const bt = new Array(n).fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += this.B[i][j] * ymean[i];
      bt[j] = s / this.D[j];
    }
    const invsq = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.B[i][j] * bt[j];
      invsq[i] = s;
    }
    const csn = Math.sqrt(this.cs * (2 - this.cs) * this.mueff);
    this.ps = this.ps.map((p, i) => (1 - this.cs) * p + csn * invsq[i]);
    const psNorm = Math.sqrt(this.ps.reduce((a, b) => a + b * b, 0));
    const hsig = psNorm / Math.sqrt(1 - (1 - this.cs) ** (2 * (this.generation + 1))) / this.chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
    const ccn = Math.sqrt(this.cc * (2 - this.cc) * this.mueff);
    this.pc = this.pc.map((p, i) => (1 - this.cc) * p + hsig * ccn * ymean[i]);
    const ys = sel.map((x) => x.map((v, i) => (v - old[i]) / this.sigma));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rmu = 0;
        for (let k = 0; k < this.mu; k++) rmu += this.weights[k] * ys[k][i] * ys[k][j];
        const v =
          (1 - this.c1 - this.cmu) * this.C[i][j] +
          this.c1 * (this.pc[i] * this.pc[j] + (1 - hsig) * this.cc * (2 - this.cc) * this.C[i][j]) +
          this.cmu * rmu;
        this.C[i][j] = v;
        this.C[j][i] = v;
      }
    }
    this.sigma *= Math.exp((this.cs / this.damps) * (psNorm / this.chiN - 1));
    this.sigma = Math.min(Math.max(this.sigma, 1e-4), 2);
    this.mean = mean;
    this.toldSinceEigen += xs.length;
    this.generation++;
  }

  /**
   * Re-decomposes C before sampling once enough candidates were told since the last time
   * (lambda / ((c1 + cmu) n 10), Hansen's criterion; C moves by at most that much in between),
   * so a search never pays for a decomposition it does not sample from.
   */
  private refreshEigen(): void {
    if (this.toldSinceEigen === 0 || this.toldSinceEigen <= this.lambda / ((this.c1 + this.cmu) * this.n * 10)) return;
    const { vectors, values } = jacobiEigen(this.C);
    this.B = vectors;
    this.D = values.map((v) => Math.sqrt(Math.max(v, 1e-20)));
    this.toldSinceEigen = 0;
  }
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Columns of `vectors` are eigenvectors. */
export function jacobiEigen(M: number[][]): { values: number[]; vectors: number[][] } {
  const n = M.length;
  const a = M.map((r) => r.slice());
  const v = identity(n);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}
