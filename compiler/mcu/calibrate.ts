// Seeded post-training quantisation of a network-IR graph (.nacc or ONNX) into the
// quantised-graph IR, so all three model sources reach the same MCU backend. Weights the
// network does not carry are drawn from a seeded He-normal; a float reference pass over
// calibration inputs (real samples when given, else seeded uniform ones) gives each
// activation's range; then TFLite's int8 scheme:
// asymmetric per-tensor activations, symmetric per-channel weights, int32 biases at
// input_scale * weight_scale, softmax output at 1/256 with zero point -128.
import { D, fail } from '../diagnostics/index.ts';
import type { Layer, Network, TensorType } from '../ir/network.ts';
import type { Activation, QModel, QOp, QOpKind, QOpOptions, QTensor, QuantParams } from '../ir/quantized.ts';
import { opDef } from '../ir/ops.ts';
import { Prng } from '../util/prng.ts';

export interface CalibrationOptions {
  seed: number;
  /** Calibration samples (default 8). */
  samples?: number;
  source?: string;
  /**
   * Real calibration samples (e.g. a few hundred training images), `count` inputs of the
   * network's input shape one after another (HWC floats). When given they replace the seeded
   * inputs, and an int8 input is quantised over their range too (else it is taken to span [-1, 1)).
   */
  inputs?: { count: number; data: Float32Array };
}

type F = Float32Array;

interface FloatTensor {
  shape: number[]; // [H, W, C] or [C]
  data: F;
}

interface LayerWeights {
  kernel?: F;
  bias?: F;
  scale?: F;
  shift?: F;
}

const pairOf = (v: unknown, d: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1])] : typeof v === 'number' ? [v, v] : [d, d];
const padsOf = (v: unknown): [number, number, number, number] =>
  Array.isArray(v) && v.length === 4 ? (v.map(Number) as [number, number, number, number]) : [0, 0, 0, 0];
const hwc = (s: number[]): [number, number, number] => (s.length === 3 ? [s[0], s[1], s[2]] : [1, 1, s[0]]);

function actOf(l: Layer): Activation {
  const a = l.attrs.act;
  if (a === undefined || a === 'none') return 'NONE';
  if (a === 'relu') return 'RELU';
  if (a === 'relu6') return 'RELU6';
  return fail(D.mcuQuantisation, `${l.name}: activation '${String(a)}' cannot be quantised for the MCU backend`, l.location);
}

function applyAct(v: number, act: Activation): number {
  if (act === 'RELU') return Math.max(0, v);
  if (act === 'RELU6') return Math.min(6, Math.max(0, v));
  return v;
}

/** Float weights of a layer: the network's own (dequantised as raw values if integer) or seeded He-normal. */
function weightsOf(l: Layer, inType: TensorType, rng: Prng): LayerWeights {
  const given = l.weights ?? {};
  const toF = (k: string) => (given[k] ? Float32Array.from(given[k].data as ArrayLike<number>) : undefined);
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => rng.normal() * std);
  const cin = inType.shape[inType.shape.length - 1];
  if (l.op === 'conv2d') {
    const [kh, kw] = pairOf(l.attrs.kernel, 1);
    const out = Number(l.attrs.out);
    const groups = Number(l.attrs.groups ?? 1);
    const fan = kh * kw * (cin / groups);
    return { kernel: toF('kernel') ?? normal(out * fan, Math.sqrt(2 / fan)), bias: toF('bias') ?? normal(out, 0.05) };
  }
  if (l.op === 'dwconv2d') {
    const [kh, kw] = pairOf(l.attrs.kernel, 1);
    const out = cin * Number(l.attrs.multiplier ?? 1);
    return { kernel: toF('kernel') ?? normal(kh * kw * out, Math.sqrt(2 / (kh * kw))), bias: toF('bias') ?? normal(out, 0.05) };
  }
  if (l.op === 'dense') {
    const out = Number(l.attrs.out);
    return { kernel: toF('kernel') ?? normal(out * cin, Math.sqrt(2 / cin)), bias: toF('bias') ?? normal(out, 0.05) };
  }
  if (l.op === 'batchnorm') {
    return {
      scale: toF('scale') ?? Float32Array.from({ length: cin }, () => 1 + 0.1 * rng.normal()),
      shift: toF('shift') ?? normal(cin, 0.05),
    };
  }
  return {};
}

/** Float reference of one layer (channels-last, batch 1). */
function runFloat(l: Layer, ins: FloatTensor[], w: LayerWeights): FloatTensor {
  const x = ins[0];
  const outShape = l.output.shape;
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  const a = l.attrs;
  switch (l.op) {
    case 'conv2d':
    case 'dwconv2d': {
      const [H, W, C] = hwc(x.shape);
      const [OH, OW, OC] = hwc(outShape);
      const [kh, kw] = pairOf(a.kernel, 1);
      const [sh, sw] = pairOf(a.stride, 1);
      const [dh, dw] = pairOf(a.dilation, 1);
      const [pt, pl] = padsOf(a.pad);
      const dwise = l.op === 'dwconv2d';
      const groups = dwise ? C : Number(a.groups ?? 1);
      const icg = dwise ? 1 : C / groups;
      const ocg = OC / groups;
      const act = actOf(l);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++)
          for (let oc = 0; oc < OC; oc++) {
            const g = Math.floor(oc / ocg);
            let s = w.bias ? w.bias[oc] : 0;
            for (let fy = 0; fy < kh; fy++) {
              const iy = oy * sh - pt + fy * dh;
              if (iy < 0 || iy >= H) continue;
              for (let fx = 0; fx < kw; fx++) {
                const ix = ox * sw - pl + fx * dw;
                if (ix < 0 || ix >= W) continue;
                if (dwise) s += w.kernel![(fy * kw + fx) * OC + oc] * x.data[(iy * W + ix) * C + Math.floor(oc / (OC / C))];
                else
                  for (let ic = 0; ic < icg; ic++)
                    s += w.kernel![((oc * kh + fy) * kw + fx) * icg + ic] * x.data[(iy * W + ix) * C + g * icg + ic];
              }
            }
            out[(oy * OW + ox) * OC + oc] = applyAct(s, act);
          }
      break;
    }
    case 'dense': {
      const n = x.data.length;
      const oc = out.length;
      const act = actOf(l);
      for (let o = 0; o < oc; o++) {
        let s = w.bias ? w.bias[o] : 0;
        for (let i = 0; i < n; i++) s += w.kernel![o * n + i] * x.data[i];
        out[o] = applyAct(s, act);
      }
      break;
    }
    case 'add':
    case 'mul': {
      const act = actOf(l);
      for (let i = 0; i < out.length; i++) out[i] = applyAct(l.op === 'add' ? x.data[i] + ins[1].data[i] : x.data[i] * ins[1].data[i], act);
      break;
    }
    case 'concat': {
      const C = outShape[outShape.length - 1];
      const rows = out.length / C;
      let c0 = 0;
      for (const t of ins) {
        const c = t.shape[t.shape.length - 1];
        for (let r = 0; r < rows; r++) for (let k = 0; k < c; k++) out[r * C + c0 + k] = t.data[r * c + k];
        c0 += c;
      }
      break;
    }
    case 'relu':
    case 'relu6':
    case 'clip': {
      const lo = l.op === 'clip' ? Number(a.min) : 0;
      const hi = l.op === 'relu6' ? 6 : l.op === 'clip' ? Number(a.max) : Infinity;
      for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, x.data[i]));
      break;
    }
    case 'softmax': {
      const C = outShape[outShape.length - 1];
      for (let r = 0; r < out.length / C; r++) {
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, x.data[r * C + c]);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(x.data[r * C + c] - m);
        for (let c = 0; c < C; c++) out[r * C + c] = Math.exp(x.data[r * C + c] - m) / s;
      }
      break;
    }
    case 'batchnorm': {
      const C = x.shape[x.shape.length - 1];
      for (let i = 0; i < out.length; i++) out[i] = x.data[i] * w.scale![i % C] + w.shift![i % C];
      break;
    }
    case 'maxpool':
    case 'avgpool': {
      const [H, W, C] = hwc(x.shape);
      const global = a.global === true;
      const [kh, kw] = global ? [H, W] : pairOf(a.kernel, 1);
      const [sh, sw] = global ? [1, 1] : pairOf(a.stride, 1);
      const [pt, pl] = global ? [0, 0] : padsOf(a.pad);
      const OH = global ? 1 : outShape[0];
      const OW = global ? 1 : outShape[1];
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++)
          for (let c = 0; c < C; c++) {
            let s = l.op === 'maxpool' ? -Infinity : 0;
            let n = 0;
            for (let fy = 0; fy < kh; fy++)
              for (let fx = 0; fx < kw; fx++) {
                const iy = oy * sh - pt + fy;
                const ix = ox * sw - pl + fx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const v = x.data[(iy * W + ix) * C + c];
                s = l.op === 'maxpool' ? Math.max(s, v) : s + v;
                n++;
              }
            out[(oy * OW + ox) * C + c] = l.op === 'maxpool' ? s : s / n;
          }
      break;
    }
    case 'flatten':
    case 'reshape':
    case 'quantize':
    case 'dequantize':
      out.set(x.data);
      break;
    case 'pad': {
      const [H, W, C] = hwc(x.shape);
      const [pt, pl] = padsOf(a.pad);
      const OW = outShape[1];
      out.fill(Number(a.value ?? 0));
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) out[((y + pt) * OW + xx + pl) * C + c] = x.data[(y * W + xx) * C + c];
      break;
    }
    default:
      fail(D.mcuUnsupportedLayer, `${l.name}: op '${l.op}' is not supported by the MCU backend`, l.location);
  }
  return { shape: outShape, data: out };
}

function f32(v: number): number {
  return Math.fround(v);
}

/** Asymmetric int8 parameters for a float range (the range always contains 0). */
function activationQuant(lo: number, hi: number): QuantParams {
  lo = Math.min(0, lo);
  hi = Math.max(0, hi);
  if (hi - lo < 1e-6) hi = lo + 1e-6;
  const scale = f32((hi - lo) / 255);
  const zp = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale: [scale], zeroPoint: [zp], axis: 0 };
}

/** Symmetric per-channel int8 weights along `axis` (0 for OHWI and [out,in], 3 for depthwise). */
function quantizeWeights(w: F, shape: number[], axis: number): { data: Int8Array; quant: QuantParams } {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const maxAbs = new Array(channels).fill(0);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
  }
  const scale = maxAbs.map((m) => f32(m > 0 ? m / 127 : 1e-6));
  const data = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    data[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale[c])));
  }
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), axis } };
}

export function quantizeNetwork(net: Network, opts: CalibrationOptions): QModel {
  const rng = new Prng(opts.seed);
  const typeOfAny = (name: string) => net.inputs.find((i) => i.name === name)?.type ?? net.layers.find((l) => l.name === name)!.output;
  const macs = net.layers.reduce((sum, l) => sum + (opDef(l.op)?.macs(l, l.inputs.map(typeOfAny)) ?? 0), 0);
  // as many float passes as ~40M MACs allow, between 1 and 8
  const samples = opts.inputs ? opts.inputs.count : (opts.samples ?? Math.max(1, Math.min(8, Math.floor(4e7 / Math.max(1, macs)))));
  const source = opts.source ?? net.name;
  if (net.inputs.length !== 1)
    fail(D.mcuNetworkIo, `${net.name}: the MCU backend takes networks with exactly one input (it has ${net.inputs.length})`, net.location);
  if (net.outputs.length < 1) fail(D.mcuNetworkIo, `${net.name}: the network has no output`, net.location);
  for (const i of net.inputs) {
    if (i.type.kind !== 'feature' && i.type.kind !== 'vector')
      fail(
        D.mcuUnsupportedLayer,
        `${net.name}: input '${i.name}' is a ${i.type.kind} tensor; the MCU backend takes images and vectors`,
        i.location,
      );
  }
  const typeOf = new Map<string, TensorType>(net.inputs.map((i) => [i.name, i.type]));
  for (const l of net.layers) typeOf.set(l.name, l.output);
  const weights = new Map<string, LayerWeights>();
  for (const l of net.layers) weights.set(l.name, weightsOf(l, typeOf.get(l.inputs[0])!, rng));

  // float passes over seeded calibration inputs: ranges of every value
  const range = new Map<string, [number, number]>();
  const note = (name: string, d: F) => {
    let [lo, hi] = range.get(name) ?? [Infinity, -Infinity];
    for (let i = 0; i < d.length; i++) {
      if (d[i] < lo) lo = d[i];
      if (d[i] > hi) hi = d[i];
    }
    range.set(name, [lo, hi]);
  };
  const input = net.inputs[0];
  const inCount = input.type.shape.reduce((a, b) => a * b, 1);
  if (opts.inputs && (opts.inputs.count < 1 || opts.inputs.data.length < opts.inputs.count * inCount)) {
    fail(
      D.calibrationInputs,
      `${net.name}: ${opts.inputs.count} calibration input(s) of ${inCount} values each need ${opts.inputs.count * inCount} values, got ${opts.inputs.data.length}`,
      net.location,
    );
  }
  for (let s = 0; s < samples; s++) {
    const vals = new Map<string, FloatTensor>();
    const x = opts.inputs
      ? opts.inputs.data.slice(s * inCount, (s + 1) * inCount)
      : Float32Array.from({ length: inCount }, () => rng.next() * 2 - 1);
    vals.set(input.name, { shape: input.type.shape, data: x });
    note(input.name, x);
    for (const l of net.layers) {
      const r = runFloat(
        l,
        l.inputs.map((n) => vals.get(n)!),
        weights.get(l.name)!,
      );
      vals.set(l.name, r);
      note(l.name, r.data);
    }
  }

  // quantised graph
  const tensors: QTensor[] = [];
  const ops: QOp[] = [];
  const tensorOf = new Map<string, number>();
  const nchw = (t: TensorType) => [1, ...t.shape];
  const addTensor = (t: Omit<QTensor, 'id'>): number => {
    tensors.push({ ...t, id: tensors.length });
    return tensors.length - 1;
  };
  const addOp = (kind: QOpKind, inputs: number[], outputs: number[], options: QOpOptions = {}) => {
    ops.push({ index: ops.length, kind, inputs, outputs, options });
  };
  const constI32 = (name: string, values: number[]) =>
    addTensor({ name, shape: [values.length], dtype: 'int32', data: Int32Array.from(values) });
  const actQuant = (name: string) => {
    const [lo, hi] = range.get(name)!;
    return activationQuant(lo, hi);
  };

  const floatIO = input.type.dtype === 'float32';
  const int8Input = addTensor({
    name: floatIO ? `${input.name}_int8` : input.name,
    shape: nchw(input.type),
    dtype: 'int8',
    // an int8 input means "already quantised": over the real calibration inputs' range when
    // given (the application quantises its samples with these parameters), else [-1, 1)
    quant: floatIO || opts.inputs ? actQuant(input.name) : { scale: [f32(1 / 128)], zeroPoint: [0], axis: 0 },
  });
  let modelInput = int8Input;
  if (floatIO) {
    modelInput = addTensor({ name: input.name, shape: nchw(input.type), dtype: 'float32' });
    addOp('QUANTIZE', [modelInput], [int8Input]);
  }
  tensorOf.set(input.name, int8Input);

  for (const l of net.layers) {
    const ins = l.inputs.map((n) => tensorOf.get(n)!);
    const inT = tensors[ins[0]];
    const outShape = nchw(l.output);
    const w = weights.get(l.name)!;
    const newOut = (quant: QuantParams, shape = outShape) => addTensor({ name: l.name, shape, dtype: 'int8', quant });
    const where = `${source}: layer '${l.name}'`;
    switch (l.op) {
      case 'conv2d':
      case 'dwconv2d':
      case 'dense': {
        const out = newOut(actQuant(l.name));
        const dwise = l.op === 'dwconv2d';
        const OC = l.output.shape[l.output.shape.length - 1];
        let fShape: number[];
        if (l.op === 'dense') fShape = [OC, inT.shape.slice(1).reduce((a, b) => a * b, 1)];
        else {
          const [kh, kw] = pairOf(l.attrs.kernel, 1);
          fShape = dwise ? [1, kh, kw, OC] : [OC, kh, kw, inT.shape[3] / Number(l.attrs.groups ?? 1)];
        }
        const qw = quantizeWeights(w.kernel!, fShape, dwise ? 3 : 0);
        const filter = addTensor({ name: `${l.name}.kernel`, shape: fShape, dtype: 'int8', data: qw.data, quant: qw.quant });
        const sIn = inT.quant!.scale[0];
        const bias = addTensor({
          name: `${l.name}.bias`,
          shape: [OC],
          dtype: 'int32',
          data: Int32Array.from({ length: OC }, (_, c) => Math.round((w.bias ? w.bias[c] : 0) / (sIn * qw.quant.scale[c]))),
          quant: { scale: qw.quant.scale.map((s) => f32(sIn * s)), zeroPoint: qw.quant.scale.map(() => 0), axis: 0 },
        });
        if (l.op === 'dense') {
          addOp('FULLY_CONNECTED', [ins[0], filter, bias], [out], { activation: actOf(l), keepDims: false });
        } else {
          const [sh, sw] = pairOf(l.attrs.stride, 1);
          const [dh, dw] = pairOf(l.attrs.dilation, 1);
          addOp(dwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', [ins[0], filter, bias], [out], {
            padding: 'VALID',
            strideH: sh,
            strideW: sw,
            dilationH: dh,
            dilationW: dw,
            activation: actOf(l),
            explicitPad: padsOf(l.attrs.pad),
            ...(dwise ? { depthMultiplier: Number(l.attrs.multiplier ?? 1) } : {}),
          });
        }
        tensorOf.set(l.name, out);
        break;
      }
      case 'add':
      case 'mul': {
        const out = newOut(actQuant(l.name));
        addOp(l.op === 'add' ? 'ADD' : 'MUL', ins, [out], { activation: actOf(l) });
        tensorOf.set(l.name, out);
        break;
      }
      case 'concat': {
        const q = actQuant(l.name);
        const parts = ins.map((id) => {
          const t = tensors[id];
          if (t.quant!.scale[0] === q.scale[0] && t.quant!.zeroPoint[0] === q.zeroPoint[0]) return id;
          const r = addTensor({ name: `${t.name}.requant`, shape: t.shape, dtype: 'int8', quant: q });
          addOp('QUANTIZE', [id], [r]);
          return r;
        });
        const out = newOut(q);
        addOp('CONCATENATION', parts, [out], { axis: outShape.length - 1, activation: 'NONE' });
        tensorOf.set(l.name, out);
        break;
      }
      case 'relu':
      case 'relu6':
      case 'clip': {
        // requantising into a range that starts at the clamp makes int8 saturation the clamp
        const [, hi] = range.get(l.name)!;
        const lo = l.op === 'clip' ? Number(l.attrs.min) : 0;
        const top = l.op === 'relu6' ? Math.min(6, hi) : l.op === 'clip' ? Math.min(Number(l.attrs.max), hi) : hi;
        if (lo > 0) fail(D.mcuQuantisation, `${where}: clip with a positive minimum is not supported`, l.location);
        const out = newOut(activationQuant(lo, top));
        addOp('QUANTIZE', ins, [out]);
        tensorOf.set(l.name, out);
        break;
      }
      case 'softmax': {
        const out = newOut({ scale: [f32(1 / 256)], zeroPoint: [-128], axis: 0 });
        addOp('SOFTMAX', ins, [out], { beta: 1 });
        tensorOf.set(l.name, out);
        break;
      }
      case 'batchnorm': {
        // per-channel affine as a depthwise 1x1 convolution
        const C = inT.shape[inT.shape.length - 1];
        if (inT.shape.length !== 4) fail(D.mcuUnsupportedLayer, `${where}: batchnorm on a vector is not supported`, l.location);
        const out = newOut(actQuant(l.name));
        const qw = quantizeWeights(w.scale!, [1, 1, 1, C], 3);
        const filter = addTensor({ name: `${l.name}.scale`, shape: [1, 1, 1, C], dtype: 'int8', data: qw.data, quant: qw.quant });
        const sIn = inT.quant!.scale[0];
        const bias = addTensor({
          name: `${l.name}.shift`,
          shape: [C],
          dtype: 'int32',
          data: Int32Array.from({ length: C }, (_, c) => Math.round(w.shift![c] / (sIn * qw.quant.scale[c]))),
        });
        addOp('DEPTHWISE_CONV_2D', [ins[0], filter, bias], [out], {
          padding: 'VALID',
          strideH: 1,
          strideW: 1,
          dilationH: 1,
          dilationW: 1,
          depthMultiplier: 1,
          activation: 'NONE',
        });
        tensorOf.set(l.name, out);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        if (l.attrs.global === true) {
          const [H, W] = [inT.shape[1], inT.shape[2]];
          if (l.op === 'avgpool') {
            const out = newOut(inT.quant!);
            addOp('MEAN', [ins[0], constI32(`${l.name}.axes`, [1, 2])], [out], { keepDims: false });
            tensorOf.set(l.name, out);
          } else {
            const pooled = addTensor({ name: `${l.name}.pooled`, shape: [1, 1, 1, inT.shape[3]], dtype: 'int8', quant: inT.quant });
            addOp('MAX_POOL_2D', [ins[0]], [pooled], {
              padding: 'VALID',
              strideH: 1,
              strideW: 1,
              filterH: H,
              filterW: W,
              activation: 'NONE',
            });
            const out = newOut(inT.quant!);
            addOp('RESHAPE', [pooled], [out]);
            tensorOf.set(l.name, out);
          }
        } else {
          const [kh, kw] = pairOf(l.attrs.kernel, 1);
          const [sh, sw] = pairOf(l.attrs.stride, 1);
          const out = newOut(inT.quant!);
          addOp(l.op === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', [ins[0]], [out], {
            padding: 'VALID',
            strideH: sh,
            strideW: sw,
            filterH: kh,
            filterW: kw,
            activation: 'NONE',
            explicitPad: padsOf(l.attrs.pad),
          });
          tensorOf.set(l.name, out);
        }
        break;
      }
      case 'flatten':
      case 'reshape': {
        const out = newOut(inT.quant!);
        addOp('RESHAPE', [ins[0]], [out]);
        tensorOf.set(l.name, out);
        break;
      }
      case 'pad': {
        if (Number(l.attrs.value ?? 0) !== 0)
          fail(D.mcuQuantisation, `${where}: padding with a value other than 0 is not supported`, l.location);
        const [pt, pl, pb, pr] = padsOf(l.attrs.pad);
        const out = newOut(inT.quant!);
        addOp('PAD', [ins[0], constI32(`${l.name}.paddings`, [0, 0, pt, pb, pl, pr, 0, 0])], [out]);
        tensorOf.set(l.name, out);
        break;
      }
      case 'quantize':
      case 'dequantize':
        tensorOf.set(l.name, ins[0]);
        break;
      default:
        fail(D.mcuUnsupportedLayer, `${where}: op '${l.op}' is not supported by the MCU backend`, l.location);
    }
  }

  const outputs = net.outputs.map((name) => {
    const id = tensorOf.get(name)!;
    const t = net.layers.find((l) => l.name === name)?.output ?? input.type;
    if (!floatIO && t.dtype !== 'float32') return id;
    const f = addTensor({ name: `${name}_float`, shape: tensors[id].shape, dtype: 'float32' });
    addOp('DEQUANTIZE', [id], [f]);
    return f;
  });
  return { name: net.name, source, tensors, ops, inputs: [modelInput], outputs };
}
