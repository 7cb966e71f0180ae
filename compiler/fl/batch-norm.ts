// Batch normalisation for the float trainer (per channel over NHWC pixels): training mode
// normalises with the batch's statistics and folds them into running statistics; inference
// mode uses the running ones. Recalibration (once-for-all's per-subnet BN statistics) sets
// the running statistics to the exact mean and variance over a calibration set.

export const BN_EPS = 1e-5;
/** Weight of a new batch in the running statistics during training. */
export const BN_MOMENTUM = 0.1;

/** One batch-norm layer's state: running statistics, and the batch's, kept for the backward pass. */
export class BatchNormState {
  readonly runMean: Float64Array;
  readonly runVar: Float64Array;
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
  /** Per-channel scratch sums, reused every pass. */
  readonly sumA: Float64Array;
  readonly sumB: Float64Array;
  /** The convolution's output before normalisation (backward needs it). */
  readonly z: Float32Array;
  /** Recalibration sums (count, sum, sum of squares per channel), or undefined when not calibrating. */
  calib?: { count: number; sum: Float64Array; sumSq: Float64Array };

  constructor(
    readonly channels: number,
    elements: number,
  ) {
    this.runMean = new Float64Array(channels);
    this.runVar = new Float64Array(channels).fill(1);
    this.mean = new Float64Array(channels);
    this.invStd = new Float64Array(channels);
    this.sumA = new Float64Array(channels);
    this.sumB = new Float64Array(channels);
    this.z = new Float32Array(elements);
  }
}

/**
 * Normalise y (len = pixels × C, NHWC) in place: with the batch's statistics when `train`
 * (updating the running ones, or the calibration sums when calibrating), else the running ones.
 */
export function batchNormForward(
  y: Float32Array,
  len: number,
  p: Float32Array,
  gamma: number,
  beta: number,
  s: BatchNormState,
  train: boolean,
): void {
  const C = s.channels;
  const pixels = len / C;
  const { mean, invStd } = s;
  if (train) {
    s.z.set(y.subarray(0, len));
    mean.fill(0);
    const sq = s.sumA.fill(0);
    for (let i = 0; i < len; i += C) for (let c = 0; c < C; c++) mean[c] += y[i + c];
    for (let c = 0; c < C; c++) mean[c] /= pixels;
    for (let i = 0; i < len; i += C) {
      for (let c = 0; c < C; c++) {
        const d = y[i + c] - mean[c];
        sq[c] += d * d;
      }
    }
    const cal = s.calib;
    for (let c = 0; c < C; c++) {
      const v = sq[c] / pixels;
      invStd[c] = 1 / Math.sqrt(v + BN_EPS);
      if (cal) {
        cal.sum[c] += mean[c] * pixels;
        cal.sumSq[c] += sq[c] + pixels * mean[c] * mean[c];
      } else {
        s.runMean[c] = (1 - BN_MOMENTUM) * s.runMean[c] + BN_MOMENTUM * mean[c];
        s.runVar[c] = (1 - BN_MOMENTUM) * s.runVar[c] + BN_MOMENTUM * (pixels > 1 ? (v * pixels) / (pixels - 1) : v);
      }
    }
    if (cal) cal.count += pixels;
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = s.runMean[c];
      invStd[c] = 1 / Math.sqrt(s.runVar[c] + BN_EPS);
    }
  }
  for (let i = 0; i < len; i += C) {
    for (let c = 0; c < C; c++) y[i + c] = p[gamma + c] * (y[i + c] - mean[c]) * invStd[c] + p[beta + c];
  }
}

/**
 * Given dy (gradient at the normalised output, activation already masked), add the gamma and
 * beta gradients into gr and overwrite dy with the gradient at the convolution's output.
 */
export function batchNormBackward(
  dy: Float32Array,
  len: number,
  p: Float32Array,
  gr: Float32Array,
  gamma: number,
  beta: number,
  s: BatchNormState,
): void {
  const C = s.channels;
  const pixels = len / C;
  const { z, mean, invStd } = s;
  const sumDy = s.sumA.fill(0);
  const sumDyXhat = s.sumB.fill(0);
  for (let i = 0; i < len; i += C) {
    for (let c = 0; c < C; c++) {
      const d = dy[i + c];
      sumDy[c] += d;
      sumDyXhat[c] += d * (z[i + c] - mean[c]) * invStd[c];
    }
  }
  for (let c = 0; c < C; c++) {
    gr[gamma + c] += sumDyXhat[c];
    gr[beta + c] += sumDy[c];
  }
  for (let i = 0; i < len; i += C) {
    for (let c = 0; c < C; c++) {
      const xhat = (z[i + c] - mean[c]) * invStd[c];
      dy[i + c] = ((p[gamma + c] * invStd[c]) / pixels) * (pixels * dy[i + c] - sumDy[c] - xhat * sumDyXhat[c]);
    }
  }
}

/** Start recalibrating: the next training-mode forward passes accumulate exact statistics. */
export function beginCalibration(s: BatchNormState): void {
  s.calib = { count: 0, sum: new Float64Array(s.channels), sumSq: new Float64Array(s.channels) };
}

/** Set the running statistics to the calibration set's mean and (population) variance. */
export function endCalibration(s: BatchNormState): void {
  const cal = s.calib;
  s.calib = undefined;
  if (!cal || cal.count === 0) return;
  for (let c = 0; c < s.channels; c++) {
    const m = cal.sum[c] / cal.count;
    s.runMean[c] = m;
    s.runVar[c] = Math.max(0, cal.sumSq[c] / cal.count - m * m);
  }
}
