// Calibration of the area model's logic coefficients against yosys measurements of generated
// RTL: a least-squares fit on relative error, and the rank correlation and error of a check set.
import type { AcceleratorSpec } from '../ir/targets.ts';
import { acceleratorArea, areaFeatures, LOGIC_GE } from './area.ts';

export interface Measured {
  name: string;
  set: 'fit' | 'check';
  spec: AcceleratorSpec;
  /** Yosys logic gate equivalents (testbench/sim/sim.ts GATE_EQUIVALENTS). */
  logic_ge: number;
}

type Coefficients = typeof LOGIC_GE;
const KEYS = ['fixed', 'perPe', 'perRfBit', 'perNetworkBit'] as const;

const row = (spec: AcceleratorSpec): number[] => {
  const f = areaFeatures(spec);
  return [1, f.peUnits, f.rfBits, f.networkBits];
};

/** Solves A x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const k = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= k * m[c][j];
    }
  }
  return m.map((r, i) => (r[i] === 0 ? 0 : r[n] / r[i]));
}

/**
 * Non-negative least squares on relative error (each design weighted by 1/measured): coefficients
 * that come out negative are dropped (set to 0) and the rest re-fitted.
 */
export function fitLogicCoefficients(designs: Measured[]): Coefficients {
  let active = KEYS.map((_, i) => i);
  for (;;) {
    const ata = active.map(() => active.map(() => 0));
    const atb = active.map(() => 0);
    for (const d of designs) {
      const r = row(d.spec);
      const w = 1 / d.logic_ge;
      active.forEach((i, a) => {
        atb[a] += r[i] * w * d.logic_ge * w;
        active.forEach((j, b) => (ata[a][b] += r[i] * w * r[j] * w));
      });
    }
    const x = solve(ata, atb);
    const neg = x.findIndex((v) => v < 0);
    if (neg < 0) {
      const out = { fixed: 0, perPe: 0, perRfBit: 0, perNetworkBit: 0 };
      active.forEach((i, a) => (out[KEYS[i]] = x[a]));
      return out;
    }
    active = active.filter((_, a) => a !== neg);
  }
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(xs: number[], ys: number[]): number {
  const rank = (v: number[]): number[] => {
    const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array(v.length).fill(0);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const [rx, ry] = [rank(xs), rank(ys)];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(rx), mean(ry)];
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

export interface CalibrationReport {
  coefficients: Coefficients;
  rows: { name: string; set: 'fit' | 'check'; measured: number; model: number; error: number }[];
  fit: { spearman: number; mae: number };
  check: { spearman: number; mae: number };
}

/** Fits on the `fit` designs and reports rank correlation and mean absolute relative error on both sets. */
export function calibrate(
  designs: Measured[],
  coefficients = fitLogicCoefficients(designs.filter((d) => d.set === 'fit')),
): CalibrationReport {
  const rows = designs.map((d) => {
    const model = acceleratorArea(d.spec, coefficients).logicGe;
    return { name: d.name, set: d.set, measured: d.logic_ge, model, error: (model - d.logic_ge) / d.logic_ge };
  });
  const stats = (set: 'fit' | 'check') => {
    const r = rows.filter((x) => x.set === set);
    return {
      spearman: spearman(
        r.map((x) => x.model),
        r.map((x) => x.measured),
      ),
      mae: r.reduce((a, x) => a + Math.abs(x.error), 0) / r.length,
    };
  };
  return { coefficients, rows, fit: stats('fit'), check: stats('check') };
}
