// int8 reference kernels, one function per op kind, following TFLite's reference kernels
// step by step (offsets, per-channel requantisation, clamps, rounding). The patch-based
// executor reuses them on sub-tensors, so they take plain arrays and precomputed params.
import type {
  AddParams,
  ConcatParams,
  ConvParams,
  DequantizeParams,
  FcParams,
  MeanParams,
  MulParams,
  PadParams,
  PoolParams,
  QuantizeParams,
  ResizeParams,
  SoftmaxParams,
  TransposeParams,
} from './params.ts';
import { expOnNegativeValues, getReciprocal, mbqm, rdbpot, rescale, roundHalfAway, srdhm } from './fixedpoint.ts';

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export function conv2d(p: ConvParams, input: Int8Array, filter: Int8Array, bias: Int32Array | undefined, out: Int8Array): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW, filterInC } = p;
  const groups = inC / filterInC;
  const filtersPerGroup = outC / groups;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * p.strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * p.strideW - p.padLeft;
        for (let oc = 0; oc < outC; oc++) {
          const g = Math.floor(oc / filtersPerGroup);
          let acc = 0;
          for (let fy = 0; fy < kH; fy++) {
            const iy = iy0 + p.dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < kW; fx++) {
              const ix = ix0 + p.dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              const ib = ((b * inH + iy) * inW + ix) * inC + g * filterInC;
              const fb = ((oc * kH + fy) * kW + fx) * filterInC;
              for (let ic = 0; ic < filterInC; ic++) acc += filter[fb + ic] * (input[ib + ic] + p.inputOffset);
            }
          }
          if (bias) acc += bias[oc];
          acc = mbqm(acc | 0, p.multipliers[oc], p.shifts[oc]) + p.outputOffset;
          out[((b * outH + oy) * outW + ox) * outC + oc] = clamp(acc, p.actMin, p.actMax);
        }
      }
    }
  }
}

export function depthwiseConv2d(p: ConvParams, input: Int8Array, filter: Int8Array, bias: Int32Array | undefined, out: Int8Array): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW, depthMultiplier } = p;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * p.strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * p.strideW - p.padLeft;
        for (let ic = 0; ic < inC; ic++) {
          for (let m = 0; m < depthMultiplier; m++) {
            const oc = m + ic * depthMultiplier;
            let acc = 0;
            for (let fy = 0; fy < kH; fy++) {
              const iy = iy0 + p.dilationH * fy;
              if (iy < 0 || iy >= inH) continue;
              for (let fx = 0; fx < kW; fx++) {
                const ix = ix0 + p.dilationW * fx;
                if (ix < 0 || ix >= inW) continue;
                acc += filter[(fy * kW + fx) * outC + oc] * (input[((b * inH + iy) * inW + ix) * inC + ic] + p.inputOffset);
              }
            }
            if (bias) acc += bias[oc];
            acc = mbqm(acc | 0, p.multipliers[oc], p.shifts[oc]) + p.outputOffset;
            out[((b * outH + oy) * outW + ox) * outC + oc] = clamp(acc, p.actMin, p.actMax);
          }
        }
      }
    }
  }
}

export function fullyConnected(p: FcParams, input: Int8Array, filter: Int8Array, bias: Int32Array | undefined, out: Int8Array): void {
  const { accumDepth, outDepth } = p;
  for (let b = 0; b < p.batches; b++) {
    for (let oc = 0; oc < outDepth; oc++) {
      let acc = 0;
      const ib = b * accumDepth;
      const fb = oc * accumDepth;
      for (let d = 0; d < accumDepth; d++) acc += (filter[fb + d] + p.filterOffset) * (input[ib + d] + p.inputOffset);
      if (bias) acc += bias[oc];
      acc = mbqm(acc | 0, p.multipliers[oc], p.shifts[oc]) + p.outputOffset;
      out[b * outDepth + oc] = clamp(acc, p.actMin, p.actMax);
    }
  }
}

function pool(p: PoolParams, input: Int8Array, out: Int8Array, average: boolean): void {
  const { inH, inW, channels: C, outH, outW } = p;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const iy0 = oy * p.strideH - p.padTop;
        const ix0 = ox * p.strideW - p.padLeft;
        const fy0 = Math.max(0, -iy0);
        const fy1 = Math.min(p.kH, inH - iy0);
        const fx0 = Math.max(0, -ix0);
        const fx1 = Math.min(p.kW, inW - ix0);
        for (let c = 0; c < C; c++) {
          let acc = average ? 0 : -128;
          let count = 0;
          for (let fy = fy0; fy < fy1; fy++) {
            for (let fx = fx0; fx < fx1; fx++) {
              const v = input[((b * inH + iy0 + fy) * inW + ix0 + fx) * C + c];
              if (average) acc += v;
              else if (v > acc) acc = v;
              count++;
            }
          }
          if (average) {
            const half = Math.trunc(count / 2);
            acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          }
          out[((b * outH + oy) * outW + ox) * C + c] = clamp(acc, p.actMin, p.actMax);
        }
      }
    }
  }
}

export function averagePool2d(p: PoolParams, input: Int8Array, out: Int8Array): void {
  pool(p, input, out, true);
}

export function maxPool2d(p: PoolParams, input: Int8Array, out: Int8Array): void {
  pool(p, input, out, false);
}

/** Visit every output index with the matching flat indices of both operands. */
function forEachBroadcast(m: AddParams['broadcast'], f: (o: number, i1: number, i2: number) => void): void {
  const shape = m.outShape;
  const rank = shape.length;
  const total = shape.reduce((a, b) => a * b, 1);
  if (!m.needed) {
    for (let i = 0; i < total; i++) f(i, i, i);
    return;
  }
  const idx = new Array(rank).fill(0);
  for (let o = 0; o < total; o++) {
    let i1 = 0;
    let i2 = 0;
    for (let d = 0; d < rank; d++) {
      i1 += idx[d] * m.strides1[d];
      i2 += idx[d] * m.strides2[d];
    }
    f(o, i1, i2);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

export function add(p: AddParams, a: Int8Array, b: Int8Array, out: Int8Array): void {
  const ls = 2 ** p.leftShift;
  forEachBroadcast(p.broadcast, (o, i1, i2) => {
    const v1 = (a[i1] + p.input1Offset) * ls;
    const v2 = (b[i2] + p.input2Offset) * ls;
    const s1 = mbqm(v1, p.input1Multiplier, p.input1Shift);
    const s2 = mbqm(v2, p.input2Multiplier, p.input2Shift);
    const raw = mbqm((s1 + s2) | 0, p.outputMultiplier, p.outputShift) + p.outputOffset;
    out[o] = clamp(raw, p.actMin, p.actMax);
  });
}

export function mul(p: MulParams, a: Int8Array, b: Int8Array, out: Int8Array): void {
  forEachBroadcast(p.broadcast, (o, i1, i2) => {
    const prod = (a[i1] + p.input1Offset) * (b[i2] + p.input2Offset);
    out[o] = clamp(p.outputOffset + mbqm(prod, p.outputMultiplier, p.outputShift), p.actMin, p.actMax);
  });
}

export function mean(p: MeanParams, input: Int8Array, out: Int8Array): void {
  const sums = new Int32Array(p.numOutputs);
  const rank = p.inShape.length;
  // Output strides over the kept dims (keep_dims or not, the flat layout is the same).
  const outStride = new Array(rank).fill(0);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!p.reduced[d]) {
      outStride[d] = acc;
      acc *= p.inShape[d];
    }
  }
  const idx = new Array(rank).fill(0);
  const total = input.length;
  for (let i = 0; i < total; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o += idx[d] * outStride[d];
    sums[o] = (sums[o] + input[i]) | 0;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.inShape[d]) break;
      idx[d] = 0;
    }
  }
  for (let o = 0; o < p.numOutputs; o++) {
    const shifted = (sums[o] - p.inputZeroPoint * p.numElementsInAxis) | 0;
    out[o] = clamp(mbqm(shifted, p.multiplier, p.shift) + p.outputZeroPoint, -128, 127);
  }
}

export function softmax(p: SoftmaxParams, input: Int8Array, out: Int8Array): void {
  const kScaledDiffIntegerBits = 5;
  const kAccumulationIntegerBits = 12;
  for (let r = 0; r < p.rows; r++) {
    const base = r * p.depth;
    let maxInRow = -128;
    for (let c = 0; c < p.depth; c++) maxInRow = Math.max(maxInRow, input[base + c]);
    let sumOfExps = 0;
    for (let c = 0; c < p.depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= p.diffMin) {
        const rescaled = srdhm(Math.imul(diff, (2 ** p.inputLeftShift) | 0), p.inputMultiplier);
        const e = expOnNegativeValues(rescaled, kScaledDiffIntegerBits);
        sumOfExps = (sumOfExps + rescale(e, 0, kAccumulationIntegerBits)) | 0;
      }
    }
    const { scale, numBitsOverUnit } = getReciprocal(sumOfExps, kAccumulationIntegerBits);
    for (let c = 0; c < p.depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= p.diffMin) {
        const rescaled = srdhm(Math.imul(diff, (2 ** p.inputLeftShift) | 0), p.inputMultiplier);
        const e = expOnNegativeValues(rescaled, kScaledDiffIntegerBits);
        const unsat = rdbpot(srdhm(scale, e), numBitsOverUnit + 31 - 8);
        out[base + c] = clamp(unsat - 128, -128, 127);
      } else {
        out[base + c] = -128;
      }
    }
  }
}

export function pad(p: PadParams, input: Int8Array, out: Int8Array): void {
  out.fill(p.padValue);
  const rank = p.inShape.length;
  const outStrides = new Array(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) outStrides[d] = outStrides[d + 1] * p.outShape[d + 1];
  const idx = new Array(rank).fill(0);
  for (let i = 0; i < input.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o += (idx[d] + p.before[d]) * outStrides[d];
    out[o] = input[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.inShape[d]) break;
      idx[d] = 0;
    }
  }
}

export function transpose<T extends Int8Array | Float32Array>(p: TransposeParams, input: T, out: T): void {
  const rank = p.inShape.length;
  const inStrides = new Array(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1] * p.inShape[d + 1];
  const outShape = p.perm.map((a) => p.inShape[a]);
  const idx = new Array(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let i = 0;
    for (let d = 0; d < rank; d++) i += idx[d] * inStrides[p.perm[d]];
    out[o] = input[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
}

export function concatenation(p: ConcatParams, inputs: Int8Array[], out: Int8Array): void {
  let o = 0;
  for (let k = 0; k < p.outer; k++) {
    for (let j = 0; j < inputs.length; j++) {
      const n = p.chunks[j];
      out.set(inputs[j].subarray(k * n, (k + 1) * n), o);
      o += n;
    }
  }
}

export function resizeNearestNeighbor(p: ResizeParams, input: Int8Array, out: Int8Array): void {
  const C = p.channels;
  for (let b = 0; b < p.batches; b++) {
    for (let y = 0; y < p.outH; y++) {
      for (let x = 0; x < p.outW; x++) {
        const src = ((b * p.inH + p.srcY[y]) * p.inW + p.srcX[x]) * C;
        out.set(input.subarray(src, src + C), ((b * p.outH + y) * p.outW + x) * C);
      }
    }
  }
}

export function quantize(p: QuantizeParams, input: Float32Array | Int8Array, out: Int8Array): void {
  if (p.fromFloat) {
    const scale = Math.fround(p.scale);
    for (let i = 0; i < p.count; i++) {
      const v = roundHalfAway(Math.fround(input[i] / scale)) + p.zeroPoint;
      out[i] = clamp(v, -128, 127);
    }
  } else {
    for (let i = 0; i < p.count; i++) {
      const v = mbqm(input[i] - p.inputZeroPoint, p.multiplier, p.shift) + p.zeroPoint;
      out[i] = clamp(v, -128, 127);
    }
  }
}

export function dequantize(p: DequantizeParams, input: Int8Array, out: Float32Array): void {
  for (let i = 0; i < p.count; i++) out[i] = Math.fround(p.scale * (input[i] - p.zeroPoint));
}
