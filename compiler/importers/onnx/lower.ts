// Lowers a decoded ONNX ModelProto (NCHW, batch N) into the channels-last network IR
// (H, W, C; batch 1 dropped). One handler per ONNX op; constants are folded, BatchNormalization
// is folded into the preceding conv/dense, Relu/Clip(0,6) into its producer's `act`.
import { basename, extname } from 'node:path';
import type { Attrs, ConstTensor, Layer, Network, NetworkInput, TensorType } from '../../ir/network.ts';
import { opDef, samePadding, ShapeError } from '../../ir/ops.ts';
import { D, UserError } from '../../diagnostics/index.ts';
import { AttrType, DATA_TYPE_NAMES, DataType, constSize, decodeTensor, int64 } from './proto.ts';
import type { AttributeProto, Const, GraphProto, ModelProto, NodeProto, ValueInfoProto } from './proto.ts';

/** Diagnostic codes of the ONNX importer. */
export const OnnxCode = {
  malformed: D.onnxMalformed.code,
  unsupportedOp: D.onnxUnsupportedOp.code,
  invalidModel: D.onnxInvalidModel.code,
  unsupportedForm: D.onnxUnsupportedForm.code,
  shape: D.onnxShape.code,
} as const;

/** An activation: a tensor produced at run time by a layer or a network input. */
interface Act {
  kind: 'act';
  producer: string;
  type: TensorType;
  /** The tensor's ONNX shape with batch 1 (what onnxruntime reports). */
  onnxShape: number[];
  /** Set when this vector is a flattened CHW feature [C, H, W]: dense weights are permuted to HWC order. */
  flattenedFrom?: [number, number, number];
}
interface ConstValue {
  kind: 'const';
  c: Const;
}
type Value = Act | ConstValue;

const WEIGHTED = new Set(['conv2d', 'dwconv2d', 'dense']);

/** IR type → ONNX shape (batch 1), the default correspondence. */
function onnxShapeOf(t: TensorType): number[] {
  if (t.kind === 'feature') return [1, t.shape[2], t.shape[0], t.shape[1]];
  return [1, ...t.shape];
}

function fmt(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

function elemDtype(dataType: number): 'float32' | 'int8' | undefined {
  if (dataType === DataType.FLOAT) return 'float32';
  if (dataType === DataType.INT8 || dataType === DataType.UINT8) return 'int8';
  return undefined;
}

function toConstTensor(c: Const, shape: number[] = c.dims, order?: ArrayLike<number>): ConstTensor {
  const n = constSize(shape);
  const pick = (i: number) => c.data[order ? order[i] : i];
  if (c.dataType === DataType.INT8) return { dtype: 'int8', shape, data: Int8Array.from({ length: n }, (_, i) => pick(i)) };
  if (c.dataType === DataType.UINT8) return { dtype: 'uint8', shape, data: Uint8Array.from({ length: n }, (_, i) => pick(i)) };
  if (c.dataType === DataType.INT32) return { dtype: 'int32', shape, data: Int32Array.from({ length: n }, (_, i) => pick(i)) };
  return { dtype: 'float32', shape, data: Float32Array.from({ length: n }, (_, i) => pick(i)) };
}

/** Lowering state for one graph; handlers read inputs and attributes of `node` through it. */
class GraphLowering {
  readonly values = new Map<string, Value>();
  readonly consumers = new Map<string, number>();
  readonly graphOutputs = new Set<string>();
  readonly layers: Layer[] = [];
  readonly layerByName = new Map<string, Layer>();
  readonly usedNames = new Set<string>();
  readonly inputs: NetworkInput[] = [];
  node: NodeProto = {};
  index = -1;

  constructor(
    readonly file: string,
    readonly graph: GraphProto,
    readonly opset: number,
  ) {}

  // ---- diagnostics ----------------------------------------------------------------------

  where(): string {
    const name = this.node.name ? ` '${this.node.name}'` : '';
    return `node ${this.index}${name} (${this.node.opType})`;
  }

  fail(code: string, message: string): never {
    throw new UserError([{ severity: 'error', code, message: `${this.file}: ${this.where()}: ${message}` }]);
  }

  // ---- attributes -----------------------------------------------------------------------

  attr(name: string): AttributeProto | undefined {
    return (this.node.attribute ?? []).find((a) => a.name === name);
  }
  int(name: string, dflt: number): number {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.type !== AttrType.INT && a.i === undefined) this.fail(OnnxCode.invalidModel, `attribute '${name}' must be an int`);
    return int64(a.i);
  }
  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    return (a.ints ?? []).map((v) => int64(v));
  }
  float(name: string, dflt: number): number {
    const a = this.attr(name);
    if (!a) return dflt;
    return a.f ?? dflt;
  }
  str(name: string, dflt: string): string {
    const a = this.attr(name);
    if (!a || !a.s) return dflt;
    return Buffer.from(a.s).toString('utf8');
  }

  // ---- operands -------------------------------------------------------------------------

  inputName(i: number): string | undefined {
    const n = (this.node.input ?? [])[i];
    return n ? n : undefined;
  }
  input(i: number): Value | undefined {
    const name = this.inputName(i);
    if (name === undefined) return undefined;
    const v = this.values.get(name);
    if (!v) this.fail(OnnxCode.invalidModel, `input '${name}' is not produced by any earlier node, initializer or graph input`);
    return v;
  }
  /** Input i, which must be present (activation or constant). */
  required(i: number): Value {
    const v = this.input(i);
    if (!v) this.fail(OnnxCode.invalidModel, `input ${i} is missing`);
    return v;
  }
  act(i: number): Act {
    const v = this.input(i);
    if (!v) this.fail(OnnxCode.invalidModel, `input ${i} is missing`);
    if (v.kind !== 'act')
      this.fail(OnnxCode.unsupportedForm, `input ${i} ('${this.inputName(i)}') is a constant; nacc needs a run-time tensor here`);
    return v;
  }
  constant(i: number, what: string): Const {
    const v = this.input(i);
    if (!v) this.fail(OnnxCode.invalidModel, `${what} (input ${i}) is missing`);
    if (v.kind !== 'const')
      this.fail(OnnxCode.unsupportedForm, `${what} (input ${i}, '${this.inputName(i)}') must be an initializer or a constant`);
    return v.c;
  }
  optConstant(i: number, what: string): Const | undefined {
    return this.inputName(i) === undefined ? undefined : this.constant(i, what);
  }
  scalar(c: Const, what: string): number {
    if (c.data.length !== 1) this.fail(OnnxCode.unsupportedForm, `${what} must be a scalar (per-tensor), got shape ${fmt(c.dims)}`);
    return c.data[0];
  }
  setOutput(i: number, v: Value): void {
    const name = (this.node.output ?? [])[i];
    if (name) this.values.set(name, v);
  }
  outputUsed(i: number): boolean {
    const name = (this.node.output ?? [])[i];
    return !!name && ((this.consumers.get(name) ?? 0) > 0 || this.graphOutputs.has(name));
  }

  /** Nodes that passed an activation through unchanged (Identity, folded BN, fused Relu), per activation. */
  readonly aliasUses = new Map<Value, number>();

  /** Output i is input value v itself (a pass-through or a fold into v's producer). */
  alias(i: number, v: Value): void {
    this.setOutput(i, v);
    this.aliasUses.set(v, (this.aliasUses.get(v) ?? 0) + 1);
  }

  /**
   * True when the activation behind input i feeds only this node (so it may be fused into its
   * producer): uses under all of its names, minus the pass-through nodes that produced those
   * names, is 1, and none of its names is a graph output.
   */
  soleConsumer(i: number): boolean {
    const v = this.input(i);
    if (!v) return false;
    let uses = 0;
    for (const [name, w] of this.values) {
      if (w !== v) continue;
      if (this.graphOutputs.has(name)) return false;
      uses += this.consumers.get(name) ?? 0;
    }
    return uses - (this.aliasUses.get(v) ?? 0) === 1;
  }
  /** The layer that produced an activation, when it is a layer (not a network input). */
  layerOf(a: Act): Layer | undefined {
    return this.layerByName.get(a.producer);
  }

  // ---- layers ---------------------------------------------------------------------------

  uniqueName(base: string): string {
    let name = base;
    for (let k = 2; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  /** Add a layer; its output type comes from the op's shape rule in compiler/ir/ops.ts. */
  emit(
    op: string,
    inputs: Act[],
    attrs: Attrs,
    opts: { onnxShape?: number[]; weights?: Record<string, ConstTensor>; name?: string; flattenedFrom?: [number, number, number] } = {},
  ): Act {
    const def = opDef(op);
    if (!def) throw new Error(`ONNX importer emitted unknown IR op '${op}'`);
    let output: TensorType;
    try {
      output = def.infer(
        inputs.map((x) => x.type),
        attrs,
      );
    } catch (e) {
      if (e instanceof ShapeError) this.fail(OnnxCode.shape, e.message);
      throw e;
    }
    // A last guard for corrupt attributes: every imported shape is finite and non-empty.
    if (output.shape.some((d) => !Number.isSafeInteger(d) || d < 1)) this.fail(OnnxCode.shape, `gives the shape ${fmt(output.shape)}`);
    const name = this.uniqueName(opts.name ?? (this.node.name || (this.node.output ?? [])[0] || `${this.node.opType}_${this.index}`));
    const layer: Layer = { name, op, inputs: inputs.map((x) => x.producer), attrs, output, origin: `onnx:${this.node.opType}` };
    if (opts.weights) layer.weights = opts.weights;
    this.layers.push(layer);
    this.layerByName.set(name, layer);
    const act: Act = { kind: 'act', producer: name, type: output, onnxShape: opts.onnxShape ?? onnxShapeOf(output) };
    if (opts.flattenedFrom) act.flattenedFrom = opts.flattenedFrom;
    return act;
  }

  /** A vector that ONNX still sees as [1, C, 1, 1] (after global pooling) as an IR feature [1, 1, C]. */
  asFeature(a: Act): Act {
    if (a.type.kind === 'feature') return a;
    const s = a.onnxShape;
    if (s.length === 4 && s[0] === 1) {
      return this.emit('reshape', [a], { shape: [s[2], s[3], s[1]] }, { name: `${a.producer}.nhwc`, onnxShape: s });
    }
    this.fail(OnnxCode.unsupportedForm, `expects an N×C×H×W tensor, got ${fmt(s)}`);
  }
}

// ---- constants ---------------------------------------------------------------------------

function makeConst(dataType: number, dims: number[], values: ArrayLike<number>): ConstValue {
  const data = dataType === DataType.FLOAT ? Float32Array.from(values) : Float64Array.from(values);
  return { kind: 'const', c: { dataType, dims, data } };
}

/** Round half to even, as QuantizeLinear does. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per-axis broadcast index of element i of a tensor with dims, along axis, for a 1-D parameter. */
function axisIndex(dims: number[], axis: number, i: number): number {
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Math.floor(i / inner) % dims[axis];
}

function normAxis(g: GraphLowering, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) g.fail(OnnxCode.invalidModel, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

// ---- convolution and friends ----------------------------------------------------------------

/** Spatial padding [top, left, bottom, right] from pads / auto_pad. */
function spatialPads(
  g: GraphLowering,
  inHW: [number, number],
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
): [number, number, number, number] {
  const autoPad = g.str('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const [t, b] = samePadding(inHW[0], kernel[0], stride[0], dilation[0]);
    const [l, r] = samePadding(inHW[1], kernel[1], stride[1], dilation[1]);
    return autoPad === 'SAME_UPPER' ? [t, l, b, r] : [b, r, t, l];
  }
  if (autoPad !== 'NOTSET') g.fail(OnnxCode.invalidModel, `unknown auto_pad '${autoPad}'`);
  const pads = g.ints('pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) g.fail(OnnxCode.unsupportedForm, `pads ${fmt(pads)}: only 2-D spatial padding is supported`);
  if (pads.some((p) => p < 0)) g.fail(OnnxCode.unsupportedForm, `negative pads ${fmt(pads)} are not supported`);
  return [pads[0], pads[1], pads[2], pads[3]];
}

function pair(g: GraphLowering, name: string, dflt: [number, number]): [number, number] {
  const v = g.ints(name);
  if (!v) return dflt;
  if (v.length !== 2) g.fail(OnnxCode.unsupportedForm, `${name} ${fmt(v)}: only 2-D windows are supported`);
  if (v.some((d) => !Number.isSafeInteger(d) || d < 1)) g.fail(OnnxCode.invalidModel, `${name} ${fmt(v)} must be positive`);
  return [v[0], v[1]];
}

interface ConvQuant {
  attrs: Attrs;
}

/**
 * Conv / QLinearConv: conv2d, or dwconv2d when groups == C_in > 1. Kernels go to the IR layout
 * (conv2d [out, kh, kw, cin/groups]; dwconv2d [kh, kw, C*multiplier]).
 */
function lowerConv(g: GraphLowering, xIn: Act, w: Const, b: Const | undefined, quant?: ConvQuant): void {
  const x = g.asFeature(xIn);
  if (w.dims.length !== 4)
    g.fail(OnnxCode.unsupportedForm, `weight shape ${fmt(w.dims)}: only 2-D convolutions (4-D weights) are supported`);
  const [m, cg, kh, kw] = w.dims;
  if (w.dims.some((d) => d < 1)) g.fail(OnnxCode.invalidModel, `weight shape ${fmt(w.dims)} has an empty dimension`);
  const cin = x.type.shape[2];
  const groups = g.int('group', 1);
  if (groups < 1 || cg * groups !== cin)
    g.fail(OnnxCode.shape, `weight ${fmt(w.dims)} with group ${groups} does not fit ${cin} input channels`);
  if (m % groups !== 0) g.fail(OnnxCode.shape, `${m} output channels are not divisible by group ${groups}`);
  const ks = g.ints('kernel_shape');
  if (ks && (ks.length !== 2 || ks[0] !== kh || ks[1] !== kw))
    g.fail(OnnxCode.invalidModel, `kernel_shape ${fmt(ks)} disagrees with weight shape ${fmt(w.dims)}`);
  const stride = pair(g, 'strides', [1, 1]);
  const dilation = pair(g, 'dilations', [1, 1]);
  const pad = spatialPads(g, [x.type.shape[0], x.type.shape[1]], [kh, kw], stride, dilation);
  if (b && constSize(b.dims) !== m) g.fail(OnnxCode.shape, `bias of shape ${fmt(b.dims)} does not match ${m} output channels`);
  const common: Attrs = { kernel: [kh, kw], stride, dilation, pad, act: 'none', bias: !!b, ...(quant?.attrs ?? {}) };
  const weights: Record<string, ConstTensor> = {};
  const depthwise = groups === cin && groups > 1;
  if (depthwise) {
    // ONNX [C*m, 1, kh, kw] → IR [kh, kw, C*m]
    const order = new Int32Array(kh * kw * m);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++) for (let o = 0; o < m; o++) order[(y * kw + xx) * m + o] = (o * kh + y) * kw + xx;
    weights.kernel = toConstTensor(w, [kh, kw, m], order);
  } else {
    // ONNX OIHW → IR OHWI
    const order = new Int32Array(m * kh * kw * cg);
    for (let o = 0; o < m; o++)
      for (let y = 0; y < kh; y++)
        for (let xx = 0; xx < kw; xx++)
          for (let c = 0; c < cg; c++) order[((o * kh + y) * kw + xx) * cg + c] = ((o * cg + c) * kh + y) * kw + xx;
    weights.kernel = toConstTensor(w, [m, kh, kw, cg], order);
  }
  if (b) weights.bias = toConstTensor(b, [m]);
  const attrs: Attrs = depthwise ? { multiplier: m / cin, ...common } : { out: m, groups, ...common };
  g.setOutput(0, g.emit(depthwise ? 'dwconv2d' : 'conv2d', [x], attrs, { weights }));
}

/** Dense from a [K, N] (or transposed [N, K]) weight; rows permuted when the input is a flattened CHW feature. */
function lowerDense(
  g: GraphLowering,
  a: Act,
  w: Const,
  transB: boolean,
  alpha: number,
  bias: number[] | undefined,
  extraAttrs: Attrs = {},
  biasConst?: Const,
): void {
  if (a.onnxShape.length !== 2 || a.onnxShape[0] !== 1)
    g.fail(OnnxCode.unsupportedForm, `expects a [1, K] input, got ${fmt(a.onnxShape)}; flatten it first`);
  if (w.dims.length !== 2 || w.dims.some((d) => d < 1))
    g.fail(OnnxCode.unsupportedForm, `weight shape ${fmt(w.dims)} must be 2-D and non-empty`);
  const [k, n] = transB ? [w.dims[1], w.dims[0]] : w.dims;
  const kIn = a.onnxShape[1];
  if (k !== kIn) g.fail(OnnxCode.shape, `weight ${fmt(w.dims)} does not fit an input of ${kIn} features`);
  // IR input index j (HWC order) ← ONNX index (CHW order).
  const irToOnnx = new Int32Array(k);
  const f = a.flattenedFrom;
  for (let j = 0; j < k; j++) {
    if (f) {
      const [c, h, wd] = f;
      const ch = j % c;
      const hw = Math.floor(j / c);
      irToOnnx[j] = (ch * h + Math.floor(hw / wd)) * wd + (hw % wd);
    } else irToOnnx[j] = j;
  }
  const order = new Int32Array(n * k);
  for (let o = 0; o < n; o++) for (let j = 0; j < k; j++) order[o * k + j] = transB ? o * k + irToOnnx[j] : irToOnnx[j] * n + o;
  const kernel = toConstTensor(w, [n, k], order);
  if (alpha !== 1 && kernel.data instanceof Float32Array) for (let i = 0; i < kernel.data.length; i++) kernel.data[i] *= alpha;
  const weights: Record<string, ConstTensor> = { kernel };
  if (biasConst) weights.bias = toConstTensor(biasConst, [n]);
  else if (bias) weights.bias = { dtype: 'float32', shape: [n], data: Float32Array.from(bias) };
  const x = a.type.kind === 'vector' ? a : g.fail(OnnxCode.unsupportedForm, `expects a vector input`);
  g.setOutput(0, g.emit('dense', [x], { out: n, act: 'none', bias: !!(bias || biasConst), ...extraAttrs }, { weights }));
}

/** Per-output-channel vector of a constant broadcast against an activation, or undefined when it is not per-channel. */
function perChannel(c: Const, act: Act): number[] | undefined {
  const s = act.onnxShape;
  const channels = s[1];
  const rank = s.length;
  if (c.dims.length > rank) return undefined;
  const dims = [...Array(rank - c.dims.length).fill(1), ...c.dims];
  if (dims.every((d) => d === 1)) return Array(channels).fill(c.data[0]);
  if (dims.some((d, i) => (i === 1 ? d !== channels : d !== 1))) return undefined;
  return Array.from(c.data);
}

/** Fold y = x * scale + shift (per channel) into the producer's kernel and bias. */
function foldAffine(producer: Layer, scale: number[], shift: number[]): void {
  const kernel = producer.weights?.kernel;
  if (!kernel || !(kernel.data instanceof Float32Array)) throw new Error('foldAffine needs float weights');
  const out = scale.length;
  const data = kernel.data;
  // conv2d / dense: output channel is the leading axis; dwconv2d: the trailing axis.
  const trailing = producer.op === 'dwconv2d';
  const per = data.length / out;
  for (let i = 0; i < data.length; i++) data[i] *= scale[trailing ? i % out : Math.floor(i / per)];
  const oldBias = producer.weights?.bias?.data;
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) bias[o] = (oldBias ? oldBias[o] : 0) * scale[o] + shift[o];
  producer.weights!.bias = { dtype: 'float32', shape: [out], data: bias };
  producer.attrs.bias = true;
}

/** Can the activation behind input i take a per-channel affine fold or an activation fusion? */
function fusableProducer(g: GraphLowering, i: number, forWeights: boolean): Layer | undefined {
  const v = g.input(i);
  if (!v || v.kind !== 'act') return undefined;
  const p = g.layerOf(v);
  if (!p || !WEIGHTED.has(p.op) || p.attrs.act !== 'none' || !g.soleConsumer(i)) return undefined;
  if (forWeights && (p.output.dtype !== 'float32' || !(p.weights?.kernel?.data instanceof Float32Array))) return undefined;
  return p;
}

/** Relu, Clip(0, 6) and Clip(0, ∞): fused into the producing conv/dense when it feeds only this node. */
function lowerActivation(g: GraphLowering, lo: number, hi: number): void {
  const kind = lo === 0 && hi === 6 ? 'relu6' : lo === 0 && hi === Infinity ? 'relu' : 'clip';
  const x = g.act(0);
  const p = kind === 'clip' ? undefined : fusableProducer(g, 0, false);
  if (p) {
    p.attrs.act = kind;
    g.alias(0, x);
    return;
  }
  const attrs: Attrs = {};
  if (kind === 'clip') {
    if (lo > -Infinity) attrs.min = lo;
    if (hi < Infinity) attrs.max = hi;
  }
  g.setOutput(0, g.emit(kind, [x], attrs, { onnxShape: x.onnxShape }));
}

// ---- pooling ---------------------------------------------------------------------------------

function lowerPool(g: GraphLowering, op: 'maxpool' | 'avgpool'): void {
  const x = g.asFeature(g.act(0));
  const ks = g.ints('kernel_shape');
  if (!ks || ks.length !== 2) g.fail(OnnxCode.unsupportedForm, `kernel_shape ${ks ? fmt(ks) : '(missing)'}: only 2-D pooling is supported`);
  if (ks.some((d) => d < 1)) g.fail(OnnxCode.invalidModel, `kernel_shape ${fmt(ks)} must be positive`);
  const kernel: [number, number] = [ks[0], ks[1]];
  const stride = pair(g, 'strides', [1, 1]);
  const dilation = pair(g, 'dilations', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) g.fail(OnnxCode.unsupportedForm, `dilated pooling ${fmt(dilation)} is not supported`);
  if (g.outputUsed(1)) g.fail(OnnxCode.unsupportedForm, 'the Indices output of MaxPool is not supported');
  const [h, w] = [x.type.shape[0], x.type.shape[1]];
  const pad = spatialPads(g, [h, w], kernel, stride, dilation);
  if (g.int('ceil_mode', 0) === 1 && g.str('auto_pad', 'NOTSET') === 'NOTSET') {
    // ceil_mode: the IR pools with floor, so the extra window becomes extra bottom/right padding.
    // A last window that would start inside the end padding is dropped (as onnxruntime does).
    const ceilOut = (n: number, k: number, s: number, pb: number, pe: number) => {
      let o = Math.ceil((n + pb + pe - k) / s) + 1;
      if ((o - 1) * s >= n + pb) o--;
      return o;
    };
    const oh = ceilOut(h, kernel[0], stride[0], pad[0], pad[2]);
    const ow = ceilOut(w, kernel[1], stride[1], pad[1], pad[3]);
    pad[2] = Math.max(pad[2], (oh - 1) * stride[0] + kernel[0] - h - pad[0]);
    pad[3] = Math.max(pad[3], (ow - 1) * stride[1] + kernel[1] - w - pad[1]);
  }
  const attrs: Attrs = { kernel, stride, pad };
  if (op === 'avgpool') attrs.count_include_pad = g.int('count_include_pad', 0) === 1;
  g.setOutput(0, g.emit(op, [x], attrs));
}

function lowerGlobalPool(g: GraphLowering, op: 'maxpool' | 'avgpool'): void {
  const x = g.asFeature(g.act(0));
  const c = x.type.shape[2];
  g.setOutput(0, g.emit(op, [x], { global: true }, { onnxShape: [1, c, 1, 1] }));
}

/** ReduceMean / ReduceMax over H and W of an N×C×H×W tensor: a global pool. */
function lowerSpatialReduce(g: GraphLowering, op: 'maxpool' | 'avgpool'): void {
  const x = g.act(0);
  const rank = x.onnxShape.length;
  const axes = (axesOf(g, 1) ?? []).map((a) => normAxis(g, a, rank)).sort();
  if (rank !== 4 || axes.join(',') !== '2,3')
    g.fail(
      OnnxCode.unsupportedForm,
      `reducing axes ${fmt(axes)} of ${fmt(x.onnxShape)}: only the spatial axes [2, 3] of an N×C×H×W tensor (a global pool) are supported`,
    );
  const f = g.asFeature(x);
  const c = f.type.shape[2];
  g.setOutput(0, g.emit(op, [f], { global: true }, { onnxShape: g.int('keepdims', 1) === 1 ? [1, c, 1, 1] : [1, c] }));
}

// ---- reshaping -----------------------------------------------------------------------------

/** A tensor of ONNX shape `target` (batch 1) as the IR sees it, or a message why it cannot. */
function reshapeTo(g: GraphLowering, x: Act, target: number[], flatten = false): void {
  const n = constSize(x.onnxShape);
  if (constSize(target) !== n || target.some((d) => d < 1)) g.fail(OnnxCode.shape, `cannot reshape ${fmt(x.onnxShape)} to ${fmt(target)}`);
  if ((target.length === 2 && target[0] === 1) || target.length === 1) {
    if (x.type.kind === 'feature' || flatten) {
      const [h, w, c] = x.type.kind === 'feature' ? x.type.shape : [1, 1, n];
      g.setOutput(0, g.emit('flatten', [x], {}, { onnxShape: target, flattenedFrom: x.flattenedFrom ?? [c, h, w] }));
    } else {
      const v = g.emit('reshape', [x], { shape: [n] }, { onnxShape: target });
      if (x.flattenedFrom) v.flattenedFrom = x.flattenedFrom;
      g.setOutput(0, v);
    }
    return;
  }
  if (target.length === 4 && target[0] === 1) {
    g.setOutput(0, g.emit('reshape', [x], { shape: [target[2], target[3], target[1]] }, { onnxShape: target }));
    return;
  }
  g.fail(
    OnnxCode.unsupportedForm,
    `reshaping to ${fmt(target)} has no channels-last equivalent (the IR holds [1, C, H, W] and [1, N] tensors)`,
  );
}

// ---- quantisation ----------------------------------------------------------------------------

/** scale and zero point of a per-tensor (de)quantisation; signed from the zero point's type. */
function quantParams(
  g: GraphLowering,
  scaleIdx: number,
  zpIdx: number,
  what: string,
): { scale: number; zero_point: number; signed: boolean } {
  const scale = g.scalar(g.constant(scaleIdx, `${what} scale`), `${what} scale`);
  const zp = g.optConstant(zpIdx, `${what} zero point`);
  const zero_point = zp ? g.scalar(zp, `${what} zero point`) : 0;
  const signed = zp ? zp.dataType === DataType.INT8 : false;
  if (zp && zp.dataType !== DataType.INT8 && zp.dataType !== DataType.UINT8) {
    g.fail(
      OnnxCode.unsupportedForm,
      `${what} zero point of type ${DATA_TYPE_NAMES[zp.dataType] ?? zp.dataType}: only 8-bit quantisation is supported`,
    );
  }
  return { scale, zero_point, signed };
}

/** Per-tensor or per-channel scale as an attribute value. */
function scaleAttr(c: Const): number | number[] {
  return c.data.length === 1 ? c.data[0] : Array.from(c.data);
}

function lowerQuantize(g: GraphLowering): void {
  const x = g.input(0);
  if (x?.kind === 'const') {
    const scale = g.constant(1, 'y_scale');
    const zp = g.optConstant(2, 'y_zero_point');
    const axis = normAxis(g, g.int('axis', 1), Math.max(1, x.c.dims.length));
    const signed = zp?.dataType === DataType.INT8;
    const [lo, hi] = signed ? [-128, 127] : [0, 255];
    const q = Array.from(x.c.data, (v, i) => {
      const k = scale.data.length === 1 ? 0 : axisIndex(x.c.dims, axis, i);
      return Math.min(hi, Math.max(lo, roundEven(v / scale.data[k]) + (zp ? zp.data[zp.data.length === 1 ? 0 : k] : 0)));
    });
    g.setOutput(0, makeConst(signed ? DataType.INT8 : DataType.UINT8, x.c.dims, q));
    return;
  }
  const a = g.act(0);
  if (a.type.dtype !== 'float32') g.fail(OnnxCode.invalidModel, 'QuantizeLinear input must be float');
  const attrs = quantParams(g, 1, 2, 'y');
  g.setOutput(0, g.emit('quantize', [a], attrs, { onnxShape: a.onnxShape, flattenedFrom: a.flattenedFrom }));
}

function lowerDequantize(g: GraphLowering): void {
  const x = g.input(0);
  if (x?.kind === 'const') {
    const scale = g.constant(1, 'x_scale');
    const zp = g.optConstant(2, 'x_zero_point');
    const axis = normAxis(g, g.int('axis', 1), Math.max(1, x.c.dims.length));
    const f = Array.from(x.c.data, (v, i) => {
      const k = scale.data.length === 1 ? 0 : axisIndex(x.c.dims, axis, i);
      return (v - (zp ? zp.data[zp.data.length === 1 ? 0 : k] : 0)) * scale.data[k];
    });
    g.setOutput(0, makeConst(DataType.FLOAT, x.c.dims, f));
    return;
  }
  const a = g.act(0);
  const attrs = quantParams(g, 1, 2, 'x');
  g.setOutput(0, g.emit('dequantize', [a], attrs, { onnxShape: a.onnxShape, flattenedFrom: a.flattenedFrom }));
}

/** Scale/zero-point attributes of QLinearConv / QLinearMatMul (x, w, y triples). */
function qlinearAttrs(g: GraphLowering, xs: number, ws: number, ys: number): Attrs {
  const x = quantParams(g, xs, xs + 1, 'x');
  const wScale = g.constant(ws, 'w scale');
  const wZp = g.optConstant(ws + 1, 'w zero point');
  const y = quantParams(g, ys, ys + 1, 'y');
  return {
    input_scale: x.scale,
    input_zero_point: x.zero_point,
    weight_scale: scaleAttr(wScale),
    weight_zero_point: wZp ? scaleAttr(wZp) : 0,
    output_scale: y.scale,
    output_zero_point: y.zero_point,
    signed: y.signed,
  };
}

// ---- the op table ---------------------------------------------------------------------------

type Handler = (g: GraphLowering) => void;

/** Constant-only helper ops (shape arithmetic that exporters emit): folded, never layers. */
function constOnly(g: GraphLowering, fold: () => Value): void {
  g.setOutput(0, fold());
}

function axesOf(g: GraphLowering, inputIdx: number): number[] | undefined {
  const fromInput = g.inputName(inputIdx) !== undefined ? Array.from(g.constant(inputIdx, 'axes').data) : undefined;
  return fromInput ?? g.ints('axes');
}

const HANDLERS: Record<string, Handler> = {
  Conv(g: GraphLowering) {
    lowerConv(g, g.act(0), g.constant(1, 'weight'), g.optConstant(2, 'bias'));
  },
  QLinearConv(g: GraphLowering) {
    const x = g.act(0);
    if (x.type.dtype !== 'int8') g.fail(OnnxCode.invalidModel, 'QLinearConv input must be a quantised (8-bit) tensor');
    const w = g.constant(3, 'weight');
    lowerConv(g, x, w, g.optConstant(8, 'bias'), { attrs: qlinearAttrs(g, 1, 4, 6) });
  },
  Gemm(g: GraphLowering) {
    if (g.int('transA', 0) !== 0) g.fail(OnnxCode.unsupportedForm, 'transA = 1 is not supported');
    const w = g.constant(1, 'B');
    const transB = g.int('transB', 0) === 1;
    const alpha = g.float('alpha', 1);
    const beta = g.float('beta', 1);
    const c = g.optConstant(2, 'C');
    let bias: number[] | undefined;
    if (c) {
      const n = transB ? w.dims[0] : w.dims[1];
      const nc = constSize(c.dims);
      if (nc !== 1 && nc !== n) g.fail(OnnxCode.unsupportedForm, `bias C of shape ${fmt(c.dims)} must broadcast per output (${n})`);
      bias = Array.from({ length: n }, (_, i) => beta * c.data[nc === 1 ? 0 : i]);
    }
    lowerDense(g, g.act(0), w, transB, alpha, bias);
  },
  MatMul(g: GraphLowering) {
    lowerDense(g, g.act(0), g.constant(1, 'B (weights)'), false, 1, undefined);
  },
  QLinearMatMul(g: GraphLowering) {
    const a = g.act(0);
    if (a.type.dtype !== 'int8') g.fail(OnnxCode.invalidModel, 'QLinearMatMul input must be a quantised (8-bit) tensor');
    lowerDense(g, a, g.constant(3, 'B (weights)'), false, 1, undefined, qlinearAttrs(g, 1, 4, 6));
  },
  Relu(g: GraphLowering) {
    lowerActivation(g, 0, Infinity);
  },
  Clip(g: GraphLowering) {
    let lo = -Infinity;
    let hi = Infinity;
    if ((g.node.input ?? []).length > 1) {
      const mn = g.optConstant(1, 'min');
      const mx = g.optConstant(2, 'max');
      if (mn) lo = g.scalar(mn, 'min');
      if (mx) hi = g.scalar(mx, 'max');
    } else {
      lo = g.float('min', -Infinity);
      hi = g.float('max', Infinity);
    }
    lowerActivation(g, lo, hi);
  },
  Add(g: GraphLowering) {
    const a = g.input(0);
    const b = g.input(1);
    if (a?.kind === 'act' && b?.kind === 'act') {
      if (a.onnxShape.join(',') !== b.onnxShape.join(','))
        g.fail(OnnxCode.unsupportedForm, `broadcasting Add of ${fmt(a.onnxShape)} and ${fmt(b.onnxShape)} is not supported`);
      const [x, y] = a.type.kind === b.type.kind ? [a, b] : [g.asFeature(a), g.asFeature(b)];
      g.setOutput(0, g.emit('add', [x, y], { act: 'none' }, { onnxShape: a.onnxShape }));
      return;
    }
    const [actIdx, c] = a?.kind === 'act' ? [0, b] : [1, a];
    if (!c || c.kind !== 'const') g.fail(OnnxCode.unsupportedForm, 'Add of two constants is not supported');
    const x = g.act(actIdx);
    const shift = perChannel(c.c, x);
    if (!shift)
      g.fail(
        OnnxCode.unsupportedForm,
        `Add of a constant of shape ${fmt(c.c.dims)} to ${fmt(x.onnxShape)}: only per-channel constants (biases) are supported`,
      );
    const p = fusableProducer(g, actIdx, true);
    if (p && p.output.shape[p.output.shape.length - 1] === shift.length) {
      foldAffine(p, Array(shift.length).fill(1), shift);
      g.alias(0, x);
      return;
    }
    const weights = {
      scale: { dtype: 'float32' as const, shape: [shift.length], data: new Float32Array(shift.length).fill(1) },
      shift: { dtype: 'float32' as const, shape: [shift.length], data: Float32Array.from(shift) },
    };
    g.setOutput(0, g.emit('batchnorm', [x], {}, { weights, onnxShape: x.onnxShape, flattenedFrom: x.flattenedFrom }));
  },
  Concat(g: GraphLowering) {
    const ins = (g.node.input ?? []).map((_, i) => g.input(i));
    if (ins.length === 0) g.fail(OnnxCode.invalidModel, 'Concat has no inputs');
    const axisAttr = g.int('axis', 1);
    if (ins.every((v) => v?.kind === 'const')) {
      const cs = ins.map((v) => (v as ConstValue).c);
      if (cs.some((c) => c.dims.length !== 1)) g.fail(OnnxCode.unsupportedForm, 'only 1-D constant Concat is folded');
      g.setOutput(
        0,
        makeConst(
          cs[0].dataType,
          [cs.reduce((s, c) => s + c.data.length, 0)],
          cs.flatMap((c) => Array.from(c.data)),
        ),
      );
      return;
    }
    const xs = ins.map((_, i) => g.act(i));
    const rank = xs[0].onnxShape.length;
    const axis = normAxis(g, axisAttr, rank);
    if (axis !== 1)
      g.fail(OnnxCode.unsupportedForm, `Concat along axis ${axisAttr} of ${fmt(xs[0].onnxShape)}: only the channel axis (1) is supported`);
    const kinds = new Set(xs.map((x) => x.type.kind));
    const ys = kinds.size > 1 ? xs.map((x) => g.asFeature(x)) : xs;
    const onnxShape = [...xs[0].onnxShape];
    onnxShape[1] = xs.reduce((s, x) => s + x.onnxShape[1], 0);
    g.setOutput(0, g.emit('concat', ys, {}, { onnxShape }));
  },
  MaxPool(g: GraphLowering) {
    lowerPool(g, 'maxpool');
  },
  AveragePool(g: GraphLowering) {
    lowerPool(g, 'avgpool');
  },
  GlobalAveragePool(g: GraphLowering) {
    lowerGlobalPool(g, 'avgpool');
  },
  GlobalMaxPool(g: GraphLowering) {
    lowerGlobalPool(g, 'maxpool');
  },
  Flatten(g: GraphLowering) {
    const x = g.act(0);
    const s = x.onnxShape;
    const axis = normAxis(g, g.int('axis', 1), s.length + 1);
    const lead = s.slice(0, axis).reduce((a, b) => a * b, 1);
    if (lead !== 1)
      g.fail(OnnxCode.unsupportedForm, `Flatten at axis ${axis} of ${fmt(s)} keeps ${lead} rows; only a single row (batch 1) is supported`);
    reshapeTo(g, x, [1, constSize(s)], true);
  },
  Reshape(g: GraphLowering) {
    const x = g.input(0);
    const shape = Array.from(g.constant(1, 'shape').data);
    const allowZero = g.int('allowzero', 0) === 1;
    const src = x?.kind === 'const' ? x.c.dims : g.act(0).onnxShape;
    const resolved = shape.map((d, i) => (d === 0 && !allowZero ? src[i] : d));
    const known = resolved.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const total = constSize(src);
    const target = resolved.map((d) => (d === -1 ? total / known : d));
    if (resolved.filter((d) => d === -1).length > 1 || !target.every((d) => Number.isInteger(d) && d >= 0) || constSize(target) !== total) {
      g.fail(OnnxCode.shape, `cannot reshape ${fmt(src)} to ${fmt(shape)}`);
    }
    if (x?.kind === 'const') {
      g.setOutput(0, { kind: 'const', c: { ...x.c, dims: target } });
      return;
    }
    reshapeTo(g, g.act(0), target);
  },
  Pad(g: GraphLowering) {
    const x = g.asFeature(g.act(0));
    const mode = g.str('mode', 'constant');
    let pads: number[];
    let value = 0;
    if ((g.node.input ?? []).length > 1) {
      pads = Array.from(g.constant(1, 'pads').data);
      const cv = g.optConstant(2, 'constant_value');
      if (cv) value = g.scalar(cv, 'constant_value');
      const axes = g.inputName(3) !== undefined ? Array.from(g.constant(3, 'axes').data).map((a) => normAxis(g, a, 4)) : undefined;
      if (axes) {
        const full = Array(8).fill(0);
        axes.forEach((a, i) => {
          full[a] = pads[i];
          full[a + 4] = pads[i + axes.length];
        });
        pads = full;
      }
    } else {
      pads = g.ints('pads') ?? [];
      value = g.float('value', 0);
    }
    if (pads.length !== 8) g.fail(OnnxCode.unsupportedForm, `pads ${fmt(pads)}: expected 8 values for an N×C×H×W tensor`);
    if (pads[0] || pads[1] || pads[4] || pads[5])
      g.fail(OnnxCode.unsupportedForm, `pads ${fmt(pads)}: only spatial (H, W) padding is supported`);
    if (pads.some((p) => p < 0)) g.fail(OnnxCode.unsupportedForm, `negative pads ${fmt(pads)} (cropping) are not supported`);
    g.setOutput(0, g.emit('pad', [x], { pad: [pads[2], pads[3], pads[6], pads[7]], value, mode }));
  },
  BatchNormalization(g: GraphLowering) {
    if (g.outputUsed(1) || g.outputUsed(2))
      g.fail(OnnxCode.unsupportedForm, 'training-mode BatchNormalization (running mean/var outputs) is not supported');
    const x = g.act(0);
    const [s, bb, mean, v] = [1, 2, 3, 4].map((i) => g.constant(i, ['scale', 'B', 'mean', 'var'][i - 1]));
    const eps = g.float('epsilon', 1e-5);
    const c = x.onnxShape[1];
    if ([s, bb, mean, v].some((t) => t.data.length !== c)) g.fail(OnnxCode.shape, `parameters must have ${c} values (one per channel)`);
    const scale = Array.from({ length: c }, (_, i) => s.data[i] / Math.sqrt(v.data[i] + eps));
    const shift = Array.from({ length: c }, (_, i) => bb.data[i] - mean.data[i] * scale[i]);
    const p = fusableProducer(g, 0, true);
    if (p) {
      foldAffine(p, scale, shift);
      g.alias(0, x);
      return;
    }
    const weights = {
      scale: { dtype: 'float32' as const, shape: [c], data: Float32Array.from(scale) },
      shift: { dtype: 'float32' as const, shape: [c], data: Float32Array.from(shift) },
    };
    g.setOutput(0, g.emit('batchnorm', [x], {}, { weights, onnxShape: x.onnxShape, flattenedFrom: x.flattenedFrom }));
  },
  Softmax(g: GraphLowering) {
    const x = g.act(0);
    const rank = x.onnxShape.length;
    const axis = normAxis(g, g.int('axis', g.opset >= 13 ? -1 : 1), rank);
    const overChannels = rank === 2 ? axis === 1 : g.opset >= 13 && axis === 1 && x.onnxShape.slice(2).every((d) => d === 1);
    if (!overChannels)
      g.fail(
        OnnxCode.unsupportedForm,
        `Softmax along axis ${axis} of ${fmt(x.onnxShape)}: only softmax over the channels of a vector is supported`,
      );
    g.setOutput(0, g.emit('softmax', [x], {}, { onnxShape: x.onnxShape, flattenedFrom: x.flattenedFrom }));
  },
  QuantizeLinear: lowerQuantize,
  DequantizeLinear: lowerDequantize,
  Identity(g: GraphLowering) {
    g.alias(0, g.required(0));
  },
  Dropout(g: GraphLowering) {
    if (g.outputUsed(1)) g.fail(OnnxCode.unsupportedForm, 'the mask output of Dropout is not supported');
    g.alias(0, g.required(0));
  },
  Constant(g: GraphLowering) {
    const a = (g.node.attribute ?? [])[0];
    if (!a) g.fail(OnnxCode.invalidModel, 'Constant has no value');
    let v: ConstValue;
    if (a.name === 'value' && a.t) {
      const c = decodeTensor(a.t);
      if (typeof c === 'string') g.fail(OnnxCode.unsupportedForm, c);
      v = { kind: 'const', c };
    } else if (a.name === 'value_float') v = makeConst(DataType.FLOAT, [], [a.f ?? 0]);
    else if (a.name === 'value_floats') v = makeConst(DataType.FLOAT, [(a.floats ?? []).length], a.floats ?? []);
    else if (a.name === 'value_int') v = makeConst(DataType.INT64, [], [int64(a.i)]);
    else if (a.name === 'value_ints')
      v = makeConst(
        DataType.INT64,
        [(a.ints ?? []).length],
        (a.ints ?? []).map((i) => int64(i)),
      );
    else g.fail(OnnxCode.unsupportedForm, `Constant attribute '${a.name}' is not supported`);
    g.setOutput(0, v);
  },
  Shape(g: GraphLowering) {
    const v = g.required(0);
    const dims = v.kind === 'const' ? v.c.dims : v.onnxShape;
    const r = dims.length;
    const clampAxis = (a: number) => Math.min(r, Math.max(0, a < 0 ? a + r : a));
    const start = clampAxis(g.int('start', 0));
    const end = clampAxis(g.int('end', r));
    constOnly(g, () => makeConst(DataType.INT64, [Math.max(0, end - start)], dims.slice(start, end)));
  },
  Gather(g: GraphLowering) {
    const data = g.constant(0, 'data');
    const idx = g.constant(1, 'indices');
    if (data.dims.length !== 1) g.fail(OnnxCode.unsupportedForm, 'only Gather from a 1-D constant (shape arithmetic) is supported');
    const n = data.dims[0];
    constOnly(g, () =>
      makeConst(
        data.dataType,
        idx.dims,
        Array.from(idx.data, (i) => data.data[i < 0 ? i + n : i]),
      ),
    );
  },
  Unsqueeze(g: GraphLowering) {
    const v = g.required(0);
    const src = v.kind === 'const' ? v.c.dims : v.onnxShape;
    const axes = axesOf(g, 1) ?? [];
    const rank = src.length + axes.length;
    const norm = axes.map((a) => normAxis(g, a, rank));
    const dims: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : src[k++]);
    if (v.kind === 'const') g.setOutput(0, { kind: 'const', c: { ...v.c, dims } });
    else reshapeTo(g, v, dims);
  },
  Squeeze(g: GraphLowering) {
    const v = g.required(0);
    const src = v.kind === 'const' ? v.c.dims : v.onnxShape;
    const axes = axesOf(g, 1)?.map((a) => normAxis(g, a, src.length));
    if (axes?.some((a) => src[a] !== 1)) g.fail(OnnxCode.invalidModel, `cannot squeeze axes ${fmt(axes)} of ${fmt(src)}`);
    const dims = src.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
    if (v.kind === 'const') g.setOutput(0, { kind: 'const', c: { ...v.c, dims } });
    else reshapeTo(g, v, dims);
  },
  ReduceMean(g: GraphLowering) {
    lowerSpatialReduce(g, 'avgpool');
  },
  ReduceMax(g: GraphLowering) {
    lowerSpatialReduce(g, 'maxpool');
  },
  Cast(g: GraphLowering) {
    const c = g.constant(0, 'input');
    const to = g.int('to', DataType.FLOAT);
    const isInt = to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== DataType.FLOAT16;
    constOnly(g, () =>
      makeConst(
        to,
        c.dims,
        Array.from(c.data, (v) => (isInt ? Math.trunc(v) : v)),
      ),
    );
  },
};

export const SUPPORTED_ONNX_OPS = Object.keys(HANDLERS).sort();

// ---- graph inputs and the driver ------------------------------------------------------------

function lowerInput(g: GraphLowering, vi: ValueInfoProto): void {
  const name = vi.name ?? '';
  const where = `${g.file}: graph input '${name}'`;
  const bad = (msg: string): never => {
    throw new UserError([{ severity: 'error', code: OnnxCode.unsupportedForm, message: `${where}: ${msg}` }]);
  };
  const tt = vi.type?.tensorType;
  if (!tt) bad('is not a tensor');
  const dtype = elemDtype(tt!.elemType ?? 0);
  if (!dtype)
    bad(`has element type ${DATA_TYPE_NAMES[tt!.elemType ?? 0] ?? tt!.elemType}; only float32, int8 and uint8 inputs are supported`);
  const dims = (tt!.shape?.dim ?? []).map((d, i) => {
    if (d.dimValue !== undefined && d.dimValue !== null && int64(d.dimValue) > 0) return int64(d.dimValue);
    if (i === 0) return 1; // a symbolic batch is batch 1
    return bad(`dimension ${i} is symbolic ('${d.dimParam ?? '?'}'); nacc needs static shapes (export with a fixed input size)`);
  });
  if (!tt!.shape) bad('has no shape');
  if (dims[0] !== 1) bad(`batch ${dims[0]}: only batch 1 is supported`);
  let type: TensorType;
  if (dims.length === 4) type = { kind: 'feature', dtype: dtype!, shape: [dims[2], dims[3], dims[1]] };
  else if (dims.length === 2) type = { kind: 'vector', dtype: dtype!, shape: [dims[1]] };
  else return bad(`shape ${fmt(dims)}: only N×C×H×W and N×C inputs are supported`);
  const irName = g.uniqueName(name);
  const input: NetworkInput = { name: irName, type };
  if (tt!.elemType === DataType.UINT8) input.attrs = { signed: false };
  g.inputs.push(input);
  g.values.set(name, { kind: 'act', producer: irName, type, onnxShape: dims });
}

export interface LoweredOnnx {
  network: Network;
  /** ONNX shape (batch 1) of every activation tensor, by ONNX name; for tests and tools. */
  onnxShapes: Map<string, number[]>;
}

/** Lower a decoded model. Throws UserError for anything the IR cannot express. */
export function lowerModel(model: ModelProto, file: string): LoweredOnnx {
  const graph = model.graph;
  const fail = (code: string, message: string): never => {
    throw new UserError([{ severity: 'error', code, message: `${file}: ${message}` }]);
  };
  if (!graph) return fail(OnnxCode.malformed, 'not an ONNX model: it has no graph');
  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = defaultOpset ? int64(defaultOpset.version) : 13;
  const g = new GraphLowering(file, graph, opset);

  for (const init of graph.initializer ?? []) {
    const c = decodeTensor(init);
    if (typeof c === 'string') fail(OnnxCode.unsupportedForm, `initializer '${init.name}': ${c}`);
    g.values.set(init.name ?? '', { kind: 'const', c: c as Const });
  }
  for (const vi of graph.input ?? []) {
    if (g.values.has(vi.name ?? '')) continue; // an initializer listed as an input (IR < 4)
    lowerInput(g, vi);
  }
  for (const node of graph.node ?? []) for (const i of node.input ?? []) if (i) g.consumers.set(i, (g.consumers.get(i) ?? 0) + 1);
  for (const o of graph.output ?? []) g.graphOutputs.add(o.name ?? '');

  (graph.node ?? []).forEach((node, index) => {
    g.node = node;
    g.index = index;
    const domain = node.domain ?? '';
    const handler: Handler | undefined = domain === '' || domain === 'ai.onnx' ? HANDLERS[node.opType ?? ''] : undefined;
    if (!handler) {
      const op = domain && domain !== 'ai.onnx' ? `${domain}.${node.opType}` : node.opType;
      return g.fail(OnnxCode.unsupportedOp, `unsupported ONNX op '${op}'; supported: ${SUPPORTED_ONNX_OPS.join(', ')}`);
    }
    handler(g);
    (node.output ?? []).forEach((o, i) => {
      if (o && !g.values.has(o) && (g.consumers.get(o) || g.graphOutputs.has(o)))
        g.fail(OnnxCode.unsupportedForm, `output ${i} ('${o}') is not supported`);
    });
  });

  const outputs: string[] = [];
  for (const o of graph.output ?? []) {
    const v = g.values.get(o.name ?? '');
    if (!v) fail(OnnxCode.invalidModel, `graph output '${o.name}' is not produced by any node`);
    if (v!.kind !== 'act') fail(OnnxCode.unsupportedForm, `graph output '${o.name}' is a constant`);
    outputs.push((v as Act).producer);
  }
  const onnxShapes = new Map<string, number[]>();
  for (const [name, v] of g.values) if (v.kind === 'act') onnxShapes.set(name, v.onnxShape);
  const name = graph.name || basename(file, extname(file));
  return { network: { name, inputs: g.inputs, layers: g.layers, outputs, source: 'onnx' }, onnxShapes };
}
