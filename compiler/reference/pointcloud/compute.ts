// Golden compute operations of point-cloud networks: gather/scatter of per-point features,
// int8 shared MLPs with TFLite requantisation, max pooling over neighbours and the
// gather-matmul-scatter form of a sparse convolution. Integer arithmetic only, bit-exact.
//
// TFLite requantisation (reference kernels): acc (int32) -> MultiplyByQuantizedMultiplier(acc,
// M, shift) = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << max(shift,0), M),
// max(-shift,0)), + output zero point, clamped to the activation range. Weights are symmetric
// (zero point 0); the input zero point is folded into the bias (bias - zx * sum(w)), which is
// what the systolic array sees.

// One requantisation for every int8 path: TFLite's, checked against TFLite Micro.
import { mbqm, quantizeMultiplier } from '../int8/fixedpoint.ts';

export { quantizeMultiplier };

export interface QuantLayer {
  /** [cout][cin] int8 weights. */
  weights: number[][];
  /** int32 bias per output channel (input zero point not yet folded). */
  bias: number[];
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** Per output channel. */
  multiplier: number[];
  shift: number[];
  relu: boolean;
}

/** Bias with the input zero point folded in: bias - zx * sum(w) (what the matrix unit adds). */
export function foldedBias(l: QuantLayer): number[] {
  return l.bias.map((b, o) => b - l.inputZeroPoint * l.weights[o].reduce((s, w) => s + w, 0));
}

export function requantize(acc: number, l: QuantLayer, o: number): number {
  const v = mbqm(acc, l.multiplier[o], l.shift[o]) + l.outputZeroPoint;
  const lo = l.relu ? Math.max(-128, l.outputZeroPoint) : -128;
  return Math.min(127, Math.max(lo, v));
}

/** Shared MLP layer (1x1 conv on every row): int8 [rows][cin] -> int8 [rows][cout]. */
export function sharedMlpInt8(x: number[][], l: QuantLayer): number[][] {
  const bias = foldedBias(l);
  return x.map((row) =>
    l.weights.map((w, o) => {
      let acc = bias[o];
      for (let c = 0; c < row.length; c++) acc += row[c] * w[c];
      return requantize(acc, l, o);
    }),
  );
}

/** Max over neighbours: [M][K][C] -> [M][C]. */
export function maxPool(x: number[][][]): number[][] {
  return x.map((nbrs) => nbrs[0].map((_, c) => nbrs.reduce((m, r) => Math.max(m, r[c]), -Infinity)));
}

/** Gather rows of a [N][C] table by an index list (or an [M][K] index table -> [M][K][C]). */
export function gather<T>(table: T[], idx: number[]): T[] {
  return idx.map((i) => table[i]);
}

export function gatherGroups<T>(table: T[], idx: number[][]): T[][] {
  return idx.map((row) => gather(table, row));
}

/** Scatter-add rows into an [n][C] accumulator. */
export function scatterAdd(values: number[][], idx: number[], n: number, channels: number): number[][] {
  const out = Array.from({ length: n }, () => new Array<number>(channels).fill(0));
  values.forEach((v, r) => v.forEach((x, c) => (out[idx[r]][c] += x)));
  return out;
}

/**
 * Sparse convolution as gather-matmul-scatter: int32 partial sums acc[o] = sum over offsets
 * d and pairs (i, o) of W_d x[i] (x already offset by its zero point), per output channel.
 */
export function sparseConvAcc(x: number[][], weights: number[][][], map: { pairs: [number, number][] }[], nOut: number): number[][] {
  const cout = weights[0].length;
  const acc = Array.from({ length: nOut }, () => new Array<number>(cout).fill(0));
  map.forEach((entry, d) => {
    for (const [i, o] of entry.pairs) {
      for (let co = 0; co < cout; co++) {
        let s = 0;
        for (let ci = 0; ci < x[i].length; ci++) s += weights[d][co][ci] * x[i][ci];
        acc[o][co] += s;
      }
    }
  });
  return acc;
}
