// Test vectors for one layer: seeded random int8 activations and weights, synthetic per-channel
// quantisation (TFLite conventions: symmetric int8 weights, asymmetric activations, Q31
// multiplier + shift per output channel), and the expected outputs from the shared int8
// reference kernels (compiler/reference/int8), laid out as the accelerator's DRAM image.
import { Prng } from '../../util/prng.ts';
import { quantizeMultiplier } from '../../reference/int8/fixedpoint.ts';
import { conv2d, depthwiseConv2d } from '../../reference/int8/kernels.ts';
import type { ConvParams } from '../../reference/int8/params.ts';
import type { ConvProblem } from './problem.ts';
import { QPARAM_BYTES } from './array.ts';
import type { LayerMemoryMap } from './mapping.ts';

/** A layer's weights and requantisation as the accelerator loads them (a bench's random layer or a network's op). */
export interface LayerConstants {
  /** OHWI: [K][kernel rows S][kernel cols R][C] (C per group; 1 for depthwise). */
  weights: Int8Array;
  bias: Int32Array;
  multipliers: Int32Array;
  shifts: Int32Array;
  inputOffset: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
}

export interface LayerVectors extends LayerConstants {
  input: Int8Array;
  /** Expected output, HWC: [Q rows][P cols][K]. */
  output: Int8Array;
}

const int8 = (rng: Prng) => rng.int(256) - 128;

export function layerVectors(p: ConvProblem, seed: number): LayerVectors {
  const rng = new Prng(seed);
  const { K, C, P, Q, R, S } = p.bounds;
  const input = Int8Array.from({ length: p.inH * p.inW * p.inC }, () => int8(rng));
  const weights = Int8Array.from({ length: K * R * S * C }, () => rng.int(255) - 127);
  const bias = Int32Array.from({ length: K }, () => rng.int(8192) - 4096);
  const inputZeroPoint = int8(rng);
  const outputZeroPoint = rng.int(41) - 20;
  // Scale each channel so that its accumulator spread (about 74^2 * sqrt(taps)) maps to a few
  // tens of output steps, varied per channel so that some outputs saturate.
  const taps = C * R * S;
  const multipliers = new Int32Array(K);
  const shifts = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const real = 40 / (5476 * Math.sqrt(taps) * (0.4 + rng.next()));
    const q = quantizeMultiplier(real);
    multipliers[k] = q.multiplier;
    shifts[k] = q.shift;
  }
  const actMin = p.act === 'none' ? -128 : Math.max(-128, outputZeroPoint);
  const actMax = p.act === 'relu6' ? Math.min(127, outputZeroPoint + 60) : 127;
  const params: ConvParams = {
    kind: p.depthwise ? 'dwconv' : 'conv',
    inH: p.inH,
    inW: p.inW,
    inC: p.inC,
    outH: Q,
    outW: P,
    outC: K,
    kH: S,
    kW: R,
    strideH: p.strideH,
    strideW: p.strideW,
    dilationH: 1,
    dilationW: 1,
    padTop: p.padTop,
    padLeft: p.padLeft,
    filterInC: C,
    depthMultiplier: 1,
    inputOffset: -inputZeroPoint,
    outputOffset: outputZeroPoint,
    multipliers,
    shifts,
    actMin,
    actMax,
    batches: 1,
  };
  const output = new Int8Array(K * P * Q);
  if (p.depthwise) {
    // TFLite's depthwise filter is [1][kernel rows][kernel cols][K].
    const hwk = new Int8Array(R * S * K);
    for (let k = 0; k < K; k++)
      for (let y = 0; y < S; y++) for (let x = 0; x < R; x++) hwk[(y * R + x) * K + k] = weights[(k * S + y) * R + x];
    depthwiseConv2d(params, input, hwk, bias, output);
  } else {
    conv2d(params, input, weights, bias, output);
  }
  return { input, weights, bias, multipliers, shifts, inputOffset: -inputZeroPoint, outputZeroPoint, actMin, actMax, output };
}

/**
 * Weights as the accelerator reads them: OHWI when input channels are whole (cc = C), else
 * chunk-major, [chunk][K][S][R][cc] (the last chunk may be smaller), so that each input-channel
 * chunk of each run of output channels is one contiguous DRAM read (tiling.ts tileLoad).
 */
export function weightImage(weights: Int8Array, bounds: Pick<ConvProblem['bounds'], 'K' | 'C' | 'R' | 'S'>, cc: number): Uint8Array {
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.length);
  const { K, C, R, S } = bounds;
  if (cc >= C) return bytes;
  const out = new Uint8Array(bytes.length);
  let at = 0;
  for (let c0 = 0; c0 < C; c0 += cc) {
    const n = Math.min(cc, C - c0);
    for (let k = 0; k < K; k++)
      for (let y = 0; y < S; y++)
        for (let x = 0; x < R; x++) {
          const from = ((k * S + y) * R + x) * C + c0;
          out.set(bytes.subarray(from, from + n), at);
          at += n;
        }
  }
  return out;
}

/** DRAM image: inputs (HWC), weights (weightImage), 16-byte requantisation records, each region beat-aligned. */
export function dramImage(v: LayerVectors, mem: LayerMemoryMap, beatBytes: number, p: ConvProblem, cc = p.bounds.C): Uint8Array {
  const img = new Uint8Array(mem.outBase);
  img.set(new Uint8Array(v.input.buffer, v.input.byteOffset, v.input.length), 0);
  const wBase = mem.inBeats * beatBytes;
  img.set(weightImage(v.weights, p.bounds, cc), wBase);
  const qBase = wBase + mem.wBeats * beatBytes;
  const dv = new DataView(img.buffer);
  for (let k = 0; k < v.bias.length; k++) {
    const at = qBase + k * QPARAM_BYTES;
    dv.setInt32(at, v.bias[k], true);
    dv.setInt32(at + 4, v.multipliers[k], true);
    dv.setInt8(at + 8, v.shifts[k]);
  }
  return img;
}
