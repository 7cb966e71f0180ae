// Primitive ops of the network IR. Each op's facts live here and nowhere else: how its output
// type follows from its inputs and attributes, how many MACs it performs (conv and dense
// multiply-accumulates only, incl. shared MLPs and sparse convs) and how many parameters
// it holds. Composite ops (mbconv, set_abstraction, blocks...) expand into these.
//
// Attribute keys of the primitives (all normalised by whoever builds the layer):
//   conv2d    out, kernel [kh,kw], stride [sh,sw], dilation [dh,dw], pad [top,left,bottom,right],
//             groups, act ('none'|'relu'|'relu6'), bias (boolean)
//   dwconv2d  multiplier, kernel, stride, dilation, pad, act, bias
//   dense     out, act, bias
//   maxpool / avgpool  kernel, stride, pad; or global: true (-> vector [C])
//   add / mul act;  concat (channel axis);  relu, relu6, softmax, flatten
//   clip      min, max;  pad  pad [4], value;  reshape  shape;  quantize / dequantize
//   batchnorm (an unfolded per-channel scale and shift)
//   point ops: fps centers; ball_query radius, neighbors; knn neighbors; group mode ('ball'|'edge');
//   group_all; shared_mlp out, act; reduce_max keep_centers; interpolate neighbors;
//   sparse_conv3d / sparse_deconv3d out, kernel, stride, act
import type { Attrs, Layer, TensorType } from './network.ts';

/** Thrown by a shape rule when inputs do not fit; lowering turns it into a located diagnostic. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export interface OpDef {
  /** Output type from input types and normalised attributes. */
  infer(inputs: TensorType[], attrs: Attrs): TensorType;
  macs(layer: Layer, inputs: TensorType[]): number;
  params(layer: Layer, inputs: TensorType[]): number;
  /** Spatial window for receptive-field analysis: kernel, stride and dilation per axis. */
  window?(attrs: Attrs): { kernel: [number, number]; stride: [number, number]; dilation: [number, number] };
}

const num = (a: Attrs, k: string): number => {
  const v = a[k];
  if (typeof v !== 'number') throw new ShapeError(`attribute '${k}' must be a number`);
  return v;
};
const pair = (a: Attrs, k: string): [number, number] => {
  const v = a[k];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number') return [v[0] as number, v[1] as number];
  if (typeof v === 'number') return [v, v];
  throw new ShapeError(`attribute '${k}' must be a number or a pair`);
};
/** Padding as [top, left, bottom, right]. */
const pads = (a: Attrs): [number, number, number, number] => {
  const v = a.pad;
  if (Array.isArray(v) && v.length === 4) return v as [number, number, number, number];
  return [0, 0, 0, 0];
};
const channels = (t: TensorType): number => t.shape[t.shape.length - 1];
const zero = () => 0;

function expectKind(t: TensorType | undefined, kinds: TensorType['kind'][], what: string): TensorType {
  if (!t) throw new ShapeError(`${what} is missing`);
  if (!kinds.includes(t.kind)) {
    throw new ShapeError(`${what} must be ${kinds.join(' or ')}, got ${t.kind} [${t.shape.join(', ')}]`);
  }
  return t;
}

/** Output spatial size of a sliding window. */
export function windowOut(size: number, kernel: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  const eff = (kernel - 1) * dilation + 1;
  const out = Math.floor((size + padBefore + padAfter - eff) / stride) + 1;
  if (out < 1) throw new ShapeError(`window of ${eff} does not fit an input of ${size} (padding ${padBefore}+${padAfter})`);
  return out;
}

/** TensorFlow SAME padding: total = max((ceil(n/s)-1)*s + eff - n, 0), the extra pixel at the end. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const eff = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convWindow(a: Attrs) {
  return { kernel: pair(a, 'kernel'), stride: pair(a, 'stride'), dilation: pair(a, 'dilation') };
}

function convSpatial(x: TensorType, a: Attrs): [number, number] {
  const [kh, kw] = pair(a, 'kernel');
  const [sh, sw] = pair(a, 'stride');
  const [dh, dw] = pair(a, 'dilation');
  const [pt, pl, pb, pr] = pads(a);
  return [windowOut(x.shape[0], kh, sh, dh, pt, pb), windowOut(x.shape[1], kw, sw, dw, pl, pr)];
}

const withBias = (a: Attrs, n: number) => (a.bias === false ? 0 : n);

const conv2d: OpDef = {
  infer([x], a) {
    expectKind(x, ['feature'], 'conv2d input');
    const groups = num(a, 'groups');
    const out = num(a, 'out');
    if (channels(x) % groups !== 0) throw new ShapeError(`input channels ${channels(x)} are not divisible by groups ${groups}`);
    if (out % groups !== 0) throw new ShapeError(`output channels ${out} are not divisible by groups ${groups}`);
    const [h, w] = convSpatial(x, a);
    return { kind: 'feature', dtype: x.dtype, shape: [h, w, out] };
  },
  macs(l, [x]) {
    const [kh, kw] = pair(l.attrs, 'kernel');
    const [h, w, out] = l.output.shape;
    return h * w * out * kh * kw * (channels(x) / num(l.attrs, 'groups'));
  },
  params(l, [x]) {
    const [kh, kw] = pair(l.attrs, 'kernel');
    const out = num(l.attrs, 'out');
    return kh * kw * (channels(x) / num(l.attrs, 'groups')) * out + withBias(l.attrs, out);
  },
  window: convWindow,
};

const dwconv2d: OpDef = {
  infer([x], a) {
    expectKind(x, ['feature'], 'dwconv2d input');
    const [h, w] = convSpatial(x, a);
    return { kind: 'feature', dtype: x.dtype, shape: [h, w, channels(x) * num(a, 'multiplier')] };
  },
  macs(l) {
    const [kh, kw] = pair(l.attrs, 'kernel');
    const [h, w, out] = l.output.shape;
    return h * w * out * kh * kw;
  },
  params(l) {
    const [kh, kw] = pair(l.attrs, 'kernel');
    const out = l.output.shape[2];
    return kh * kw * out + withBias(l.attrs, out);
  },
  window: convWindow,
};

function flatSize(x: TensorType): number {
  if (x.kind === 'points' || x.kind === 'voxels')
    throw new ShapeError(`cannot flatten a ${x.kind} tensor; reduce it first (reduce_max or group_all)`);
  return x.shape.reduce((p, q) => p * q, 1);
}

const dense: OpDef = {
  infer([x], a) {
    expectKind(x, ['vector', 'feature'], 'dense input');
    flatSize(x);
    return { kind: 'vector', dtype: x.dtype, shape: [num(a, 'out')] };
  },
  macs(l, [x]) {
    return flatSize(x) * num(l.attrs, 'out');
  },
  params(l, [x]) {
    const out = num(l.attrs, 'out');
    return flatSize(x) * out + withBias(l.attrs, out);
  },
};

const sameShape = (what: string): OpDef => ({
  infer([x]) {
    if (!x) throw new ShapeError(`${what} needs an input`);
    return { ...x, shape: [...x.shape] };
  },
  macs: zero,
  params: zero,
});

const elementwise = (what: string): OpDef => ({
  infer(xs) {
    if (xs.length < 2) throw new ShapeError(`${what} needs at least two inputs`);
    const [a] = xs;
    for (const b of xs.slice(1)) {
      if (a.kind !== b.kind || a.shape.join(',') !== b.shape.join(',')) {
        throw new ShapeError(`inputs need equal shapes, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
      }
    }
    return { ...a, shape: [...a.shape] };
  },
  macs: zero,
  params: zero,
});

const concat: OpDef = {
  infer(xs) {
    if (xs.length < 1) throw new ShapeError('concat needs inputs');
    const [a] = xs;
    const isCloud = a.kind === 'points' || a.kind === 'voxels';
    let c = isCloud ? 3 : 0;
    for (const b of xs) {
      if (b.kind !== a.kind) throw new ShapeError(`concat of ${a.kind} and ${b.kind}`);
      const lead = b.shape.slice(0, -1);
      if (lead.join(',') !== a.shape.slice(0, -1).join(',')) {
        throw new ShapeError(`concat needs equal leading dimensions, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
      }
      c += isCloud ? channels(b) - 3 : channels(b);
    }
    return { ...a, shape: [...a.shape.slice(0, -1), c], estimated: xs.some((x) => x.estimated) || undefined };
  },
  macs: zero,
  params: zero,
};

function poolWindow(a: Attrs) {
  return { kernel: pair(a, 'kernel'), stride: pair(a, 'stride'), dilation: [1, 1] as [number, number] };
}

const pool = (what: string): OpDef => ({
  infer([x], a) {
    expectKind(x, ['feature'], `${what} input`);
    if (a.global === true) return { kind: 'vector', dtype: x.dtype, shape: [channels(x)] };
    const [kh, kw] = pair(a, 'kernel');
    const [sh, sw] = pair(a, 'stride');
    const [pt, pl, pb, pr] = pads(a);
    return {
      kind: 'feature',
      dtype: x.dtype,
      shape: [windowOut(x.shape[0], kh, sh, 1, pt, pb), windowOut(x.shape[1], kw, sw, 1, pl, pr), channels(x)],
    };
  },
  macs: zero,
  params: zero,
  window(a) {
    if (a.global === true) return { kernel: [Infinity, Infinity], stride: [1, 1], dilation: [1, 1] };
    return poolWindow(a);
  },
});

const flatten: OpDef = {
  infer([x]) {
    return { kind: 'vector', dtype: x.dtype, shape: [flatSize(x)] };
  },
  macs: zero,
  params: zero,
};

const reshape: OpDef = {
  infer([x], a) {
    const target = a.shape as number[];
    const n = x.shape.reduce((p, q) => p * q, 1);
    const known = target.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
    const shape = target.map((d) => (d === -1 ? n / known : d));
    if (shape.reduce((p, q) => p * q, 1) !== n || shape.some((d) => !Number.isInteger(d))) {
      throw new ShapeError(`cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
    }
    return { kind: shape.length === 3 ? 'feature' : 'vector', dtype: x.dtype, shape };
  },
  macs: zero,
  params: zero,
};

const pad: OpDef = {
  infer([x], a) {
    expectKind(x, ['feature'], 'pad input');
    const [pt, pl, pb, pr] = pads(a);
    return { ...x, shape: [x.shape[0] + pt + pb, x.shape[1] + pl + pr, channels(x)] };
  },
  macs: zero,
  params: zero,
};

const castTo = (dtype: 'int8' | 'float32'): OpDef => ({
  infer([x]) {
    return { ...x, dtype, shape: [...x.shape] };
  },
  macs: zero,
  params: zero,
});

const batchnorm: OpDef = {
  ...sameShape('batchnorm'),
  params(l) {
    return 2 * channels(l.output);
  },
};

// ---- point-cloud ops -------------------------------------------------------------------

/** Features of a cloud used by an MLP: the F features, or the 3 coordinates when F = 0. */
export function cloudFeatures(t: TensorType): number {
  const f = channels(t) - 3;
  return f > 0 ? f : 3;
}

const fps: OpDef = {
  infer([x], a) {
    expectKind(x, ['points'], 'fps input');
    const m = num(a, 'centers');
    if (m > x.shape[0]) throw new ShapeError(`fps asks for ${m} centers from ${x.shape[0]} points`);
    return { kind: 'points', dtype: x.dtype, shape: [m, channels(x)] };
  },
  macs: zero,
  params: zero,
};

/** ball_query(centers, cloud) and knn(centers, cloud): neighbour indices [M, K] ('vector'-like index set). */
const neighbourSearch = (what: string): OpDef => ({
  infer([centers, cloud], a) {
    expectKind(centers, ['points'], `${what} centers`);
    expectKind(cloud ?? centers, ['points'], `${what} cloud`);
    const k = num(a, 'neighbors');
    const n = (cloud ?? centers).shape[0];
    if (what === 'knn' && k > n) throw new ShapeError(`knn asks for ${k} neighbours among ${n} points`);
    // Neighbour indices are 32-bit integers; float32 stands in for their 4-byte size.
    return { kind: 'points', dtype: 'float32', shape: [centers.shape[0], k] };
  },
  macs: zero,
  params: zero,
});

/**
 * group(cloud, centers, neighbours): features of each neighbour relative to its center,
 * [M, K, 3 + F] ('feature' layout: M rows of K neighbours). mode 'edge' gives [M, K, 2C] (DGCNN).
 */
const group: OpDef = {
  infer([cloud, centers, nbrs], a) {
    expectKind(cloud, ['points'], 'group cloud');
    expectKind(nbrs, ['points'], 'group neighbours');
    const m = centers.shape[0];
    const k = nbrs.shape[1];
    if (a.mode === 'edge') return { kind: 'feature', dtype: cloud.dtype, shape: [m, k, 2 * cloudFeatures(cloud)] };
    const f = channels(cloud) - 3;
    return { kind: 'feature', dtype: cloud.dtype, shape: [m, k, 3 + f] };
  },
  macs: zero,
  params: zero,
};

const groupAll: OpDef = {
  infer([cloud]) {
    expectKind(cloud, ['points'], 'group_all input');
    return { kind: 'feature', dtype: cloud.dtype, shape: [1, cloud.shape[0], channels(cloud)] };
  },
  macs: zero,
  params: zero,
};

/** A 1x1 conv applied to every point (or every grouped neighbour). */
const sharedMlp: OpDef = {
  infer([x], a) {
    expectKind(x, ['points', 'feature', 'voxels'], 'shared_mlp input');
    const out = num(a, 'out');
    if (x.kind === 'feature') return { ...x, shape: [x.shape[0], x.shape[1], out] };
    return { ...x, shape: [x.shape[0], 3 + out] };
  },
  macs(l, [x]) {
    const cin = x.kind === 'feature' ? channels(x) : cloudFeatures(x);
    const rows = x.kind === 'feature' ? x.shape[0] * x.shape[1] : x.shape[0];
    return rows * cin * num(l.attrs, 'out');
  },
  params(l, [x]) {
    const cin = x.kind === 'feature' ? channels(x) : cloudFeatures(x);
    const out = num(l.attrs, 'out');
    return cin * out + withBias(l.attrs, out);
  },
};

/** Max over neighbours ([M,K,C] -> points [M,3+C], or -> vector [C] when M = 1 and keep_centers is false) or over points (-> vector). */
const reduceMax: OpDef = {
  infer([x], a) {
    expectKind(x, ['points', 'feature'], 'reduce_max input');
    if (x.kind === 'points') return { kind: 'vector', dtype: x.dtype, shape: [cloudFeatures(x)] };
    if (a.keep_centers === false) return { kind: 'vector', dtype: x.dtype, shape: [x.shape[0] * channels(x)] };
    return { kind: 'points', dtype: x.dtype, shape: [x.shape[0], 3 + channels(x)] };
  },
  macs: zero,
  params: zero,
};

/** interpolate(target, source): inverse-distance 3-NN upsampling; features of source, then target's. */
const interpolate: OpDef = {
  infer([target, source]) {
    expectKind(target, ['points'], 'interpolate target');
    expectKind(source, ['points'], 'interpolate source');
    const ft = channels(target) - 3;
    const fs = channels(source) - 3;
    return { kind: 'points', dtype: source.dtype, shape: [target.shape[0], 3 + fs + ft] };
  },
  macs: zero,
  params: zero,
};

const sparseConv = (what: string): OpDef => ({
  infer([x], a) {
    expectKind(x, ['voxels'], `${what} input`);
    return { kind: 'voxels', dtype: x.dtype, shape: [x.shape[0], 3 + num(a, 'out')], estimated: true };
  },
  /** Upper bound: every output voxel sees every kernel offset (the voxel count is an estimate). */
  macs(l, [x]) {
    const k = num(l.attrs, 'kernel');
    return l.output.shape[0] * k * k * k * cloudFeatures(x) * num(l.attrs, 'out');
  },
  params(l, [x]) {
    const k = num(l.attrs, 'kernel');
    const out = num(l.attrs, 'out');
    return k * k * k * cloudFeatures(x) * out + withBias(l.attrs, out);
  },
});

export const OPS: Record<string, OpDef> = {
  conv2d,
  dwconv2d,
  dense,
  add: elementwise('add'),
  mul: elementwise('mul'),
  concat,
  relu: sameShape('relu'),
  relu6: sameShape('relu6'),
  clip: sameShape('clip'),
  softmax: sameShape('softmax'),
  batchnorm,
  maxpool: pool('maxpool'),
  avgpool: pool('avgpool'),
  flatten,
  reshape,
  pad,
  quantize: castTo('int8'),
  dequantize: castTo('float32'),
  fps,
  ball_query: neighbourSearch('ball_query'),
  knn: neighbourSearch('knn'),
  group,
  group_all: groupAll,
  shared_mlp: sharedMlp,
  reduce_max: reduceMax,
  interpolate,
  sparse_conv3d: sparseConv('sparse_conv3d'),
  sparse_deconv3d: sparseConv('sparse_deconv3d'),
};

export function opDef(op: string): OpDef | undefined {
  return Object.prototype.hasOwnProperty.call(OPS, op) ? OPS[op] : undefined;
}
