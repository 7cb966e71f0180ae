// Per-op integer parameters, computed once from the float scales exactly as TFLite Micro's
// Prepare functions do (double arithmetic on float32 scales). The TS kernels and the C
// emitter both consume these, so the generated code cannot drift from the reference.
import { D, fail } from '../../diagnostics/index.ts';
import type { Activation, Padding, QModel, QOp, QTensor } from '../../ir/quantized.ts';
import { qElements } from '../../ir/quantized.ts';
import { quantizeMultiplier, roundHalfAway } from './fixedpoint.ts';

const f32 = Math.fround;

export interface ConvParams {
  kind: 'conv' | 'dwconv';
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  /** conv: input channels per group; dwconv: depth multiplier. */
  filterInC: number;
  depthMultiplier: number;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  batches: number;
}

export interface FcParams {
  kind: 'fc';
  batches: number;
  accumDepth: number;
  outDepth: number;
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export interface PoolParams {
  kind: 'avgpool' | 'maxpool';
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  actMin: number;
  actMax: number;
}

export interface AddParams {
  kind: 'add';
  leftShift: number;
  input1Offset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Offset: number;
  input2Multiplier: number;
  input2Shift: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  broadcast: BroadcastMap;
}

export interface MulParams {
  kind: 'mul';
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  broadcast: BroadcastMap;
}

/** Output shape and, per operand, the strides (0 where broadcast) over that shape. */
export interface BroadcastMap {
  outShape: number[];
  strides1: number[];
  strides2: number[];
  needed: boolean;
}

export interface MeanParams {
  kind: 'mean';
  /** Input shape, and for each input dim whether it is reduced. */
  inShape: number[];
  reduced: boolean[];
  numOutputs: number;
  numElementsInAxis: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** Multiplier and shift after folding 1/numElementsInAxis in, as TFLite does. */
  multiplier: number;
  shift: number;
}

export interface SoftmaxParams {
  kind: 'softmax';
  rows: number;
  depth: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

export interface PadParams {
  kind: 'pad';
  inShape: number[];
  outShape: number[];
  before: number[];
  padValue: number;
}

export interface TransposeParams {
  kind: 'transpose';
  inShape: number[];
  perm: number[];
}

export interface ConcatParams {
  kind: 'concat';
  /** Outer count, and per input the contiguous chunk copied per outer step. */
  outer: number;
  chunks: number[];
}

export interface ResizeParams {
  kind: 'resize';
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  /** Source row/column for each output row/column (float math done here, once). */
  srcY: number[];
  srcX: number[];
}

export interface QuantizeParams {
  kind: 'quantize';
  fromFloat: boolean;
  scale: number;
  zeroPoint: number;
  /** int8 -> int8 requantisation. */
  inputZeroPoint: number;
  multiplier: number;
  shift: number;
  count: number;
}

export interface DequantizeParams {
  kind: 'dequantize';
  scale: number;
  zeroPoint: number;
  count: number;
}

export interface CopyParams {
  kind: 'copy';
  bytes: number;
}

export type OpParams =
  | ConvParams
  | FcParams
  | PoolParams
  | AddParams
  | MulParams
  | MeanParams
  | SoftmaxParams
  | PadParams
  | TransposeParams
  | ConcatParams
  | ResizeParams
  | QuantizeParams
  | DequantizeParams
  | CopyParams;

export function computePadding(
  padding: Padding,
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
): { out: number; pad: number } {
  const eff = (filter - 1) * dilation + 1;
  const out = padding === 'SAME' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - eff) / stride);
  const total = Math.max(0, (out - 1) * stride + eff - inSize);
  return { out, pad: Math.floor(total / 2) };
}

/** TFLite CalculateActivationRangeQuantized for int8 outputs. */
export function activationRange(act: Activation | undefined, out: QTensor): { actMin: number; actMax: number } {
  const scale = out.quant!.scale[0];
  const zp = out.quant!.zeroPoint[0];
  const q = (v: number) => zp + roundHalfAway(f32(f32(v) / scale));
  let lo = -128;
  let hi = 127;
  if (act === 'RELU') lo = Math.max(lo, q(0));
  else if (act === 'RELU6') {
    lo = Math.max(lo, q(0));
    hi = Math.min(hi, q(6));
  } else if (act === 'RELU_N1_TO_1') {
    lo = Math.max(lo, q(-1));
    hi = Math.min(hi, q(1));
  }
  return { actMin: lo, actMax: hi };
}

function perChannelMultipliers(
  input: QTensor,
  filter: QTensor,
  output: QTensor,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const inScale = input.quant!.scale[0];
  const outScale = output.quant!.scale[0];
  const fs = filter.quant!.scale;
  for (let c = 0; c < channels; c++) {
    const filterScale = fs.length > 1 ? fs[c] : fs[0];
    const { multiplier, shift } = quantizeMultiplier((inScale * filterScale) / outScale);
    multipliers[c] = multiplier;
    shifts[c] = shift;
  }
  return { multipliers, shifts };
}

function broadcastMap(a: number[], b: number[], out: number[]): BroadcastMap {
  const rank = out.length;
  const ext = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const stridesOf = (s: number[]) => {
    const e = ext(s);
    const st = new Array(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      st[i] = e[i] === 1 && out[i] !== 1 ? 0 : acc;
      acc *= e[i];
    }
    return st;
  };
  const same = a.length === b.length && a.every((d, i) => d === b[i]);
  return { outShape: out, strides1: stridesOf(a), strides2: stridesOf(b), needed: !same };
}

export function computeOpParams(model: QModel, op: QOp): OpParams {
  const T = (i: number) => model.tensors[op.inputs[i]];
  const input = T(0);
  const output = model.tensors[op.outputs[0]];
  const where = `${model.source}: operator ${op.index} (${op.kind})`;
  const o = op.options;
  checkShapes(model, op, where);
  switch (op.kind) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const filter = T(1);
      const [batches, inH, inW, inC] = input.shape;
      const dw = op.kind === 'DEPTHWISE_CONV_2D';
      const kH = filter.shape[1];
      const kW = filter.shape[2];
      const outC = output.shape[3];
      const ep = o.explicitPad ?? [0, 0, 0, 0];
      const ph = computePadding(o.padding!, inH + ep[0] + ep[2], kH, o.strideH!, o.dilationH ?? 1);
      const pw = computePadding(o.padding!, inW + ep[1] + ep[3], kW, o.strideW!, o.dilationW ?? 1);
      ph.pad += ep[0];
      pw.pad += ep[1];
      if (ph.out !== output.shape[1] || pw.out !== output.shape[2]) {
        fail(D.int8Shapes, `${where}: output shape [${output.shape.join(', ')}] does not follow from the input, filter and strides`);
      }
      const filterInC = dw ? 1 : filter.shape[3];
      if (!dw && (inC % filterInC !== 0 || outC % (inC / filterInC) !== 0 || filter.shape[0] !== outC)) {
        fail(D.int8Shapes, `${where}: channel counts do not match (input ${inC}, filter [${filter.shape.join(', ')}], output ${outC})`);
      }
      const depthMultiplier = dw ? outC / inC : 1;
      if (dw && (filter.shape[3] !== outC || !Number.isInteger(depthMultiplier))) {
        fail(D.int8Shapes, `${where}: depthwise filter [${filter.shape.join(', ')}] does not match ${inC} -> ${outC} channels`);
      }
      return {
        kind: dw ? 'dwconv' : 'conv',
        batches,
        inH,
        inW,
        inC,
        outH: ph.out,
        outW: pw.out,
        outC,
        kH,
        kW,
        strideH: o.strideH!,
        strideW: o.strideW!,
        dilationH: o.dilationH ?? 1,
        dilationW: o.dilationW ?? 1,
        padTop: ph.pad,
        padLeft: pw.pad,
        filterInC,
        depthMultiplier,
        inputOffset: -input.quant!.zeroPoint[0],
        outputOffset: output.quant!.zeroPoint[0],
        ...perChannelMultipliers(input, filter, output, outC),
        ...activationRange(o.activation, output),
      };
    }
    case 'FULLY_CONNECTED': {
      const filter = T(1);
      const accumDepth = filter.shape[filter.shape.length - 1];
      const outDepth = filter.shape[0];
      const total = qElements(input.shape);
      if (total % accumDepth !== 0) fail(D.int8Shapes, `${where}: input of ${total} elements is not a multiple of ${accumDepth}`);
      return {
        kind: 'fc',
        batches: total / accumDepth,
        accumDepth,
        outDepth,
        inputOffset: -input.quant!.zeroPoint[0],
        filterOffset: -filter.quant!.zeroPoint[0],
        outputOffset: output.quant!.zeroPoint[0],
        ...perChannelMultipliers(input, filter, output, outDepth),
        ...activationRange(o.activation, output),
      };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const [batches, inH, inW, channels] = input.shape;
      const ep = o.explicitPad ?? [0, 0, 0, 0];
      const ph = computePadding(o.padding!, inH + ep[0] + ep[2], o.filterH!, o.strideH!, 1);
      const pw = computePadding(o.padding!, inW + ep[1] + ep[3], o.filterW!, o.strideW!, 1);
      ph.pad += ep[0];
      pw.pad += ep[1];
      if (ph.out !== output.shape[1] || pw.out !== output.shape[2]) {
        fail(D.int8Shapes, `${where}: output shape [${output.shape.join(', ')}] does not follow from the input, window and strides`);
      }
      return {
        kind: op.kind === 'AVERAGE_POOL_2D' ? 'avgpool' : 'maxpool',
        batches,
        inH,
        inW,
        channels,
        outH: ph.out,
        outW: pw.out,
        kH: o.filterH!,
        kW: o.filterW!,
        strideH: o.strideH!,
        strideW: o.strideW!,
        padTop: ph.pad,
        padLeft: pw.pad,
        ...activationRange(o.activation, output),
      };
    }
    case 'ADD': {
      const in2 = T(1);
      const s1 = input.quant!.scale[0];
      const s2 = in2.quant!.scale[0];
      const so = output.quant!.scale[0];
      const leftShift = 20;
      const twiceMax = 2 * Math.max(s1, s2);
      const m1 = quantizeMultiplier(s1 / twiceMax);
      const m2 = quantizeMultiplier(s2 / twiceMax);
      const mo = quantizeMultiplier(twiceMax / ((1 << leftShift) * so));
      return {
        kind: 'add',
        leftShift,
        input1Offset: -input.quant!.zeroPoint[0],
        input1Multiplier: m1.multiplier,
        input1Shift: m1.shift,
        input2Offset: -in2.quant!.zeroPoint[0],
        input2Multiplier: m2.multiplier,
        input2Shift: m2.shift,
        outputOffset: output.quant!.zeroPoint[0],
        outputMultiplier: mo.multiplier,
        outputShift: mo.shift,
        ...activationRange(o.activation, output),
        broadcast: broadcastMap(input.shape, in2.shape, output.shape),
      };
    }
    case 'MUL': {
      const in2 = T(1);
      const m = quantizeMultiplier((input.quant!.scale[0] * in2.quant!.scale[0]) / output.quant!.scale[0]);
      return {
        kind: 'mul',
        input1Offset: -input.quant!.zeroPoint[0],
        input2Offset: -in2.quant!.zeroPoint[0],
        outputOffset: output.quant!.zeroPoint[0],
        outputMultiplier: m.multiplier,
        outputShift: m.shift,
        ...activationRange(o.activation, output),
        broadcast: broadcastMap(input.shape, in2.shape, output.shape),
      };
    }
    case 'MEAN': {
      const axes = Array.from(T(1).data as Int32Array, (a) => (a < 0 ? a + input.shape.length : a));
      const reduced = input.shape.map((_, i) => axes.includes(i));
      const numElementsInAxis = input.shape.reduce((p, d, i) => (reduced[i] ? p * d : p), 1);
      const base = quantizeMultiplier(input.quant!.scale[0] / output.quant!.scale[0]);
      // 63 - clz64(n): the index of n's top bit.
      let shift = numElementsInAxis.toString(2).length - 1;
      shift = Math.min(shift, 32, 31 + base.shift);
      const multiplier = Number((BigInt(base.multiplier) << BigInt(shift)) / BigInt(numElementsInAxis));
      return {
        kind: 'mean',
        inShape: input.shape,
        reduced,
        numOutputs: qElements(output.shape),
        numElementsInAxis,
        inputZeroPoint: input.quant!.zeroPoint[0],
        outputZeroPoint: output.quant!.zeroPoint[0],
        multiplier: Number(BigInt.asIntN(32, BigInt(multiplier))),
        shift: base.shift - shift,
      };
    }
    case 'SOFTMAX': {
      if (output.quant!.zeroPoint[0] !== -128 || output.quant!.scale[0] !== 1 / 256) {
        fail(D.int8Shapes, `${where}: int8 softmax output must have scale 1/256 and zero point -128`);
      }
      const kScaledDiffIntegerBits = 5;
      const real = Math.min(o.beta! * input.quant!.scale[0] * 2 ** (31 - kScaledDiffIntegerBits), 2147483647);
      const { multiplier, shift } = quantizeMultiplier(real);
      const maxInputRescaled = (((1 << kScaledDiffIntegerBits) - 1) * 2 ** (31 - kScaledDiffIntegerBits)) / 2 ** shift;
      const depth = input.shape[input.shape.length - 1];
      return {
        kind: 'softmax',
        rows: qElements(input.shape) / depth,
        depth,
        inputMultiplier: multiplier,
        inputLeftShift: shift,
        diffMin: -Math.floor(maxInputRescaled),
      };
    }
    case 'PAD': {
      const pads = T(1).data as Int32Array;
      const rank = input.shape.length;
      if (pads.length !== rank * 2) fail(D.int8Shapes, `${where}: paddings must be [${rank}, 2]`);
      const before = Array.from({ length: rank }, (_, i) => pads[2 * i]);
      return { kind: 'pad', inShape: input.shape, outShape: output.shape, before, padValue: output.quant!.zeroPoint[0] };
    }
    case 'TRANSPOSE': {
      const perm = Array.from(T(1).data as Int32Array);
      return { kind: 'transpose', inShape: input.shape, perm };
    }
    case 'CONCATENATION': {
      const rank = output.shape.length;
      const axis = o.axis! < 0 ? o.axis! + rank : o.axis!;
      const ins = op.inputs.map((i) => model.tensors[i]);
      for (const t of ins) {
        if (t.quant!.scale[0] !== output.quant!.scale[0] || t.quant!.zeroPoint[0] !== output.quant!.zeroPoint[0]) {
          fail(D.int8Shapes, `${where}: inputs with quantisation different from the output are not supported`);
        }
      }
      const outer = output.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return { kind: 'concat', outer, chunks: ins.map((t) => t.shape.slice(axis).reduce((a, b) => a * b, 1)) };
    }
    case 'RESIZE_NEAREST_NEIGHBOR': {
      const [batches, inH, inW, channels] = input.shape;
      const [, outH, outW] = output.shape;
      const near = (v: number, inSize: number, outSize: number) => {
        const scale = o.alignCorners && outSize > 1 ? f32((inSize - 1) / f32(outSize - 1)) : f32(inSize / f32(outSize));
        const offset = o.halfPixelCenters ? 0.5 : 0;
        const p = f32(f32(v + offset) * scale);
        let r = Math.min(o.alignCorners ? roundHalfAway(p) : Math.floor(p), inSize - 1);
        if (o.halfPixelCenters) r = Math.max(0, r);
        return r;
      };
      return {
        kind: 'resize',
        batches,
        inH,
        inW,
        channels,
        outH,
        outW,
        srcY: Array.from({ length: outH }, (_, y) => near(y, inH, outH)),
        srcX: Array.from({ length: outW }, (_, x) => near(x, inW, outW)),
      };
    }
    case 'QUANTIZE': {
      const count = qElements(output.shape);
      const fromFloat = input.dtype === 'float32';
      const base = { kind: 'quantize' as const, fromFloat, scale: output.quant!.scale[0], zeroPoint: output.quant!.zeroPoint[0], count };
      if (fromFloat) return { ...base, inputZeroPoint: 0, multiplier: 0, shift: 0 };
      const m = quantizeMultiplier(input.quant!.scale[0] / output.quant!.scale[0]);
      return { ...base, inputZeroPoint: input.quant!.zeroPoint[0], multiplier: m.multiplier, shift: m.shift };
    }
    case 'DEQUANTIZE':
      return { kind: 'dequantize', scale: input.quant!.scale[0], zeroPoint: input.quant!.zeroPoint[0], count: qElements(output.shape) };
    case 'RESHAPE':
      return { kind: 'copy', bytes: qElements(output.shape) * (output.dtype === 'float32' || output.dtype === 'int32' ? 4 : 1) };
  }
}

/** Shape facts the kernels rely on (so generated C never reads or writes out of bounds). */
function checkShapes(model: QModel, op: QOp, where: string): void {
  const T = (i: number) => model.tensors[op.inputs[i]];
  const out = model.tensors[op.outputs[0]];
  const n = (t: QTensor) => qElements(t.shape);
  const bad = (what: string): never => fail(D.int8Shapes, `${where}: ${what}`);
  const outC = out.shape[out.shape.length - 1];
  const hasBias = op.inputs[2] !== undefined && op.inputs[2] >= 0;
  switch (op.kind) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
      if (out.shape.length !== 4 || T(0).shape[0] !== out.shape[0])
        bad(`output [${out.shape.join(', ')}] must be 4-D with the input's batch`);
      if (hasBias && n(T(2)) !== outC) bad(`bias has ${n(T(2))} values for ${outC} output channels`);
      break;
    case 'FULLY_CONNECTED': {
      const f = T(1);
      if (f.shape.length !== 2) bad(`filter [${f.shape.join(', ')}] must be 2-D`);
      if (outC !== f.shape[0]) bad(`output [${out.shape.join(', ')}] does not end in the filter's ${f.shape[0]} units`);
      if (n(out) !== (n(T(0)) / f.shape[1]) * f.shape[0])
        bad(`output [${out.shape.join(', ')}] does not match input [${T(0).shape.join(', ')}] and filter [${f.shape.join(', ')}]`);
      if (hasBias && n(T(2)) !== f.shape[0]) bad(`bias has ${n(T(2))} values for ${f.shape[0]} units`);
      break;
    }
    case 'ADD':
    case 'MUL': {
      const a = T(0).shape;
      const b = T(1).shape;
      const rank = Math.max(a.length, b.length);
      if (out.shape.length !== rank) bad(`output rank ${out.shape.length} is not the operands' ${rank}`);
      for (let i = 0; i < rank; i++) {
        const da = a[i - (rank - a.length)] ?? 1;
        const db = b[i - (rank - b.length)] ?? 1;
        if (da !== db && da !== 1 && db !== 1) bad(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
        if (out.shape[i] !== Math.max(da, db))
          bad(`output [${out.shape.join(', ')}] is not the broadcast of [${a.join(', ')}] and [${b.join(', ')}]`);
      }
      break;
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
      if (T(0).shape.length !== 4 || out.shape.length !== 4 || out.shape[3] !== T(0).shape[3] || out.shape[0] !== T(0).shape[0])
        bad('pooling needs 4-D input and output with equal batch and channels');
      break;
    case 'MEAN': {
      const axes = Array.from(T(1).data as Int32Array);
      if (axes.some((a) => a < -T(0).shape.length || a >= T(0).shape.length)) bad(`axes [${axes.join(', ')}] out of range`);
      const r = T(0).shape.length;
      const kept = T(0)
        .shape.filter((_, i) => !axes.map((a) => (a < 0 ? a + r : a)).includes(i))
        .reduce((p, d) => p * d, 1);
      if (n(out) !== kept) bad(`output [${out.shape.join(', ')}] does not hold the ${kept} means`);
      break;
    }
    case 'PAD': {
      const p = T(1).data as Int32Array;
      const r = T(0).shape.length;
      if (p.length !== 2 * r || out.shape.length !== r || p.some((v) => v < 0)) bad('paddings must be a non-negative [rank, 2] tensor');
      for (let i = 0; i < r; i++)
        if (out.shape[i] !== T(0).shape[i] + p[2 * i] + p[2 * i + 1]) bad(`output [${out.shape.join(', ')}] does not match the paddings`);
      if (r > 6) bad('more than 6 dimensions');
      break;
    }
    case 'TRANSPOSE': {
      const perm = Array.from(T(1).data as Int32Array);
      const r = T(0).shape.length;
      if (perm.length !== r || [...perm].sort((x, y) => x - y).some((v, i) => v !== i))
        bad(`[${perm.join(', ')}] is not a permutation of ${r} axes`);
      if (out.shape.some((d, i) => d !== T(0).shape[perm[i]])) bad(`output [${out.shape.join(', ')}] does not follow the permutation`);
      if (r > 6) bad('more than 6 dimensions');
      break;
    }
    case 'CONCATENATION': {
      const r = out.shape.length;
      const axis = (op.options.axis ?? 0) < 0 ? (op.options.axis ?? 0) + r : (op.options.axis ?? 0);
      if (axis < 0 || axis >= r) bad(`axis ${op.options.axis} out of range`);
      const ins = op.inputs.map((i) => model.tensors[i]);
      if (ins.some((t) => t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== out.shape[i])))
        bad('inputs must match the output except along the axis');
      if (ins.reduce((s, t) => s + t.shape[axis], 0) !== out.shape[axis]) bad('input sizes along the axis do not add up to the output');
      break;
    }
    case 'RESIZE_NEAREST_NEIGHBOR':
      if (T(0).shape.length !== 4 || out.shape.length !== 4 || out.shape[3] !== T(0).shape[3] || out.shape[0] !== T(0).shape[0])
        bad('resize needs 4-D input and output with equal batch and channels');
      break;
    case 'SOFTMAX':
    case 'RESHAPE':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      if (n(out) !== n(T(0))) bad(`input has ${n(T(0))} elements, output ${n(out)}`);
      break;
  }
}
