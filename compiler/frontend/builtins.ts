// Built-in ops of the .nacc language: each one's argument schema (for `unknown argument`,
// missing and mistyped diagnostics) and how it lowers into primitive IR ops (compiler/ir/ops.ts).
import type { Attrs, TensorType } from '../ir/network.ts';
import { samePadding } from '../ir/ops.ts';
import type { Value } from './values.ts';

export type ParamType = 'tensor' | 'tensors' | 'int' | 'pair' | 'pad' | 'act' | 'bool' | 'number' | 'ints';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required?: boolean;
  /** Positional slot; params without one are keyword-only. 'tensors' swallows the rest. */
  positional?: boolean;
  default?: unknown;
}

export type TensorValue = Extract<Value, { t: 'tensor' }>;

/** What an op builder may do: emit primitive layers (shape-checked) and name them. */
export interface BuildContext {
  emit(op: string, inputs: TensorValue[], attrs: Attrs, local?: string): TensorValue;
}

/** Arguments after checking against the schema: tensors and normalised plain values. */
export type BuiltArgs = Record<string, TensorValue | TensorValue[] | number | number[] | string | boolean | undefined>;

export interface BuiltinOp {
  params: ParamSpec[];
  summary: string;
  /** True when one call emits several primitive layers (names get a `.sub` suffix); may depend on the arguments. */
  composite?: boolean | ((a: BuiltArgs) => boolean);
  build(ctx: BuildContext, a: BuiltArgs): TensorValue;
}

export const ACTIVATIONS = ['none', 'relu', 'relu6'] as const;

const T = (name: string): ParamSpec => ({ name, type: 'tensor', required: true, positional: true });
const act: ParamSpec = { name: 'act', type: 'act', default: 'none' };
const bias: ParamSpec = { name: 'bias', type: 'bool', default: true };

const tensor = (a: BuiltArgs, k: string) => a[k] as TensorValue;
const int = (a: BuiltArgs, k: string) => a[k] as number;
const pair = (a: BuiltArgs, k: string): [number, number] => {
  const v = a[k] as number | number[];
  return Array.isArray(v) ? [v[0], v[1]] : [v, v];
};

/** `pad` argument -> [top, left, bottom, right] for a window over input x. */
export function resolvePadding(
  pad: unknown,
  x: TensorType,
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const [t, b] = samePadding(x.shape[0], kernel[0], stride[0], dilation[0]);
    const [l, r] = samePadding(x.shape[1], kernel[1], stride[1], dilation[1]);
    return [t, l, b, r];
  }
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  const p = pad as number[];
  if (p.length === 2) return [p[0], p[1], p[0], p[1]];
  return [p[0], p[1], p[2], p[3]];
}

function convAttrs(a: BuiltArgs, x: TensorType) {
  const kernel = pair(a, 'kernel');
  const stride = pair(a, 'stride');
  const dilation = pair(a, 'dilation');
  return { kernel, stride, dilation, pad: resolvePadding(a.pad, x, kernel, stride, dilation) };
}

const windowParams: ParamSpec[] = [
  { name: 'stride', type: 'pair', default: 1 },
  { name: 'dilation', type: 'pair', default: 1 },
  { name: 'pad', type: 'pad', default: 'same' },
];

function mlpList(a: BuiltArgs): number[] {
  const m = (a.mlp ?? a.out) as number[] | number | undefined;
  if (m === undefined) return [];
  return Array.isArray(m) ? m : [m];
}

function emitMlp(ctx: BuildContext, x: TensorValue, widths: number[], act: string, prefix = 'mlp'): TensorValue {
  let y = x;
  widths.forEach((w, i) => {
    y = ctx.emit('shared_mlp', [y], { out: w, act, bias: true }, widths.length === 1 ? prefix : `${prefix}${i + 1}`);
  });
  return y;
}

export const BUILTINS: Record<string, BuiltinOp> = {
  conv2d: {
    summary: '2-D convolution (HWC), optional groups and fused activation',
    params: [
      T('x'),
      { name: 'out', type: 'int', required: true },
      { name: 'kernel', type: 'pair', required: true },
      ...windowParams,
      { name: 'groups', type: 'int', default: 1 },
      act,
      bias,
    ],
    build(ctx, a) {
      const x = tensor(a, 'x');
      return ctx.emit('conv2d', [x], {
        out: int(a, 'out'),
        ...convAttrs(a, x.type),
        groups: int(a, 'groups'),
        act: a.act as string,
        bias: a.bias as boolean,
      });
    },
  },
  dwconv2d: {
    summary: 'depthwise 2-D convolution',
    params: [
      T('x'),
      { name: 'kernel', type: 'pair', required: true },
      ...windowParams,
      { name: 'multiplier', type: 'int', default: 1 },
      act,
      bias,
    ],
    build(ctx, a) {
      const x = tensor(a, 'x');
      return ctx.emit('dwconv2d', [x], {
        multiplier: int(a, 'multiplier'),
        ...convAttrs(a, x.type),
        act: a.act as string,
        bias: a.bias as boolean,
      });
    },
  },
  dense: {
    summary: 'fully connected layer (flattens a feature map first)',
    params: [T('x'), { name: 'out', type: 'int', required: true }, act, bias],
    build(ctx, a) {
      return ctx.emit('dense', [tensor(a, 'x')], { out: int(a, 'out'), act: a.act as string, bias: a.bias as boolean });
    },
  },
  add: {
    summary: 'element-wise sum of equal-shaped tensors',
    params: [{ name: 'inputs', type: 'tensors', required: true, positional: true }, act],
    build(ctx, a) {
      return ctx.emit('add', a.inputs as TensorValue[], { act: a.act as string });
    },
  },
  mul: {
    summary: 'element-wise product of equal-shaped tensors',
    params: [{ name: 'inputs', type: 'tensors', required: true, positional: true }],
    build(ctx, a) {
      return ctx.emit('mul', a.inputs as TensorValue[], {});
    },
  },
  concat: {
    summary: 'concatenation along channels (features for clouds)',
    params: [{ name: 'inputs', type: 'tensors', required: true, positional: true }],
    build(ctx, a) {
      return ctx.emit('concat', a.inputs as TensorValue[], {});
    },
  },
  relu: { summary: 'max(x, 0)', params: [T('x')], build: (ctx, a) => ctx.emit('relu', [tensor(a, 'x')], {}) },
  relu6: { summary: 'min(max(x, 0), 6)', params: [T('x')], build: (ctx, a) => ctx.emit('relu6', [tensor(a, 'x')], {}) },
  softmax: { summary: 'softmax over the last axis', params: [T('x')], build: (ctx, a) => ctx.emit('softmax', [tensor(a, 'x')], {}) },
  flatten: { summary: 'flatten to a vector', params: [T('x')], build: (ctx, a) => ctx.emit('flatten', [tensor(a, 'x')], {}) },
  maxpool: poolBuiltin('maxpool'),
  avgpool: poolBuiltin('avgpool'),
  pad: {
    summary: 'zero padding: pad: n | [h, w] | [top, left, bottom, right]',
    params: [T('x'), { name: 'pad', type: 'pad', required: true }],
    build(ctx, a) {
      const x = tensor(a, 'x');
      if (a.pad === 'same' || a.pad === 'valid') return ctx.emit('pad', [x], { pad: [0, 0, 0, 0], value: 0 });
      return ctx.emit('pad', [x], { pad: resolvePadding(a.pad, x.type, [1, 1], [1, 1], [1, 1]), value: 0 });
    },
  },
  reshape: {
    summary: 'reshape to shape: [..] (-1 infers one dimension)',
    params: [T('x'), { name: 'shape', type: 'ints', required: true }],
    build: (ctx, a) => ctx.emit('reshape', [tensor(a, 'x')], { shape: a.shape as number[] }),
  },
  mbconv: {
    summary: 'MobileNetV2 inverted residual: expand 1x1, depthwise, project 1x1, residual when shapes allow',
    composite: true,
    params: [
      T('x'),
      { name: 'expand', type: 'int', required: true },
      { name: 'out', type: 'int', required: true },
      { name: 'kernel', type: 'pair', default: 3 },
      { name: 'stride', type: 'pair', default: 1 },
      { name: 'act', type: 'act', default: 'relu6' },
    ],
    build(ctx, a) {
      const x = tensor(a, 'x');
      const cin = x.type.shape[x.type.shape.length - 1];
      const actName = a.act as string;
      let y = x;
      if (int(a, 'expand') !== 1) {
        y = ctx.emit(
          'conv2d',
          [y],
          {
            out: cin * int(a, 'expand'),
            kernel: [1, 1],
            stride: [1, 1],
            dilation: [1, 1],
            pad: [0, 0, 0, 0],
            groups: 1,
            act: actName,
            bias: true,
          },
          'expand',
        );
      }
      const kernel = pair(a, 'kernel');
      const stride = pair(a, 'stride');
      y = ctx.emit(
        'dwconv2d',
        [y],
        {
          multiplier: 1,
          kernel,
          stride,
          dilation: [1, 1],
          pad: resolvePadding('same', y.type, kernel, stride, [1, 1]),
          act: actName,
          bias: true,
        },
        'dw',
      );
      y = ctx.emit(
        'conv2d',
        [y],
        { out: int(a, 'out'), kernel: [1, 1], stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0], groups: 1, act: 'none', bias: true },
        'project',
      );
      if (y.type.shape.join(',') === x.type.shape.join(',')) y = ctx.emit('add', [x, y], { act: 'none' }, 'add');
      return y;
    },
  },
  shortcut: {
    summary: 'identity, or a 1x1 projection (strided) to match the shape of `like`',
    params: [T('x'), { name: 'like', type: 'tensor', required: true }],
    build(ctx, a) {
      const x = tensor(a, 'x');
      const like = tensor(a, 'like');
      if (x.type.shape.join(',') === like.type.shape.join(',')) return x;
      const [h, w] = x.type.shape;
      const [lh, lw, lc] = like.type.shape;
      const stride: [number, number] = [Math.max(1, Math.round(h / lh)), Math.max(1, Math.round(w / lw))];
      return ctx.emit('conv2d', [x], {
        out: lc,
        kernel: [1, 1],
        stride,
        dilation: [1, 1],
        pad: [0, 0, 0, 0],
        groups: 1,
        act: 'none',
        bias: true,
      });
    },
  },
  // ---- point clouds ----
  fps: {
    summary: 'farthest point sampling of `centers` points',
    params: [T('x'), { name: 'centers', type: 'int', required: true }],
    build: (ctx, a) => ctx.emit('fps', [tensor(a, 'x')], { centers: int(a, 'centers') }),
  },
  ball_query: {
    summary: 'neighbours within radius of each center (PointNet++ semantics)',
    params: [
      T('centers'),
      T('cloud'),
      { name: 'radius', type: 'number', required: true },
      { name: 'neighbors', type: 'int', required: true },
    ],
    build: (ctx, a) =>
      ctx.emit('ball_query', [tensor(a, 'centers'), tensor(a, 'cloud')], { radius: a.radius as number, neighbors: int(a, 'neighbors') }),
  },
  knn: {
    summary: 'k nearest neighbours of each center in cloud',
    params: [T('centers'), { name: 'cloud', type: 'tensor', positional: true }, { name: 'neighbors', type: 'int', required: true }],
    build(ctx, a) {
      const c = tensor(a, 'centers');
      return ctx.emit('knn', [c, (a.cloud as TensorValue | undefined) ?? c], { neighbors: int(a, 'neighbors') });
    },
  },
  group: {
    summary: 'gather neighbour features relative to their centers',
    params: [T('cloud'), T('centers'), T('neighbors')],
    build: (ctx, a) => ctx.emit('group', [tensor(a, 'cloud'), tensor(a, 'centers'), tensor(a, 'neighbors')], { mode: 'ball' }),
  },
  shared_mlp: {
    summary: 'a 1x1 conv per point (or grouped neighbour) for each width in the list',
    composite: (a) => mlpList(a).length > 1,
    params: [
      T('x'),
      { name: 'mlp', type: 'ints', positional: true },
      { name: 'out', type: 'int' },
      { name: 'act', type: 'act', default: 'relu' },
    ],
    build: (ctx, a) => emitMlp(ctx, tensor(a, 'x'), mlpList(a), a.act as string),
  },
  reduce_max: {
    summary: 'max over neighbours (grouped -> cloud) or over points (cloud -> vector)',
    params: [T('x')],
    build: (ctx, a) => ctx.emit('reduce_max', [tensor(a, 'x')], { keep_centers: true }),
  },
  set_abstraction: {
    summary: 'PointNet++ set abstraction: fps, ball query, group, shared MLP, max pool',
    composite: true,
    params: [
      T('x'),
      { name: 'centers', type: 'int', required: true },
      { name: 'radius', type: 'number', required: true },
      { name: 'neighbors', type: 'int', required: true },
      { name: 'mlp', type: 'ints', required: true },
    ],
    build(ctx, a) {
      const x = tensor(a, 'x');
      const c = ctx.emit('fps', [x], { centers: int(a, 'centers') }, 'fps');
      const idx = ctx.emit('ball_query', [c, x], { radius: a.radius as number, neighbors: int(a, 'neighbors') }, 'ball_query');
      const g = ctx.emit('group', [x, c, idx], { mode: 'ball' }, 'group');
      const f = emitMlp(ctx, g, mlpList(a), 'relu');
      return ctx.emit('reduce_max', [f], { keep_centers: true }, 'pool');
    },
  },
  group_all: {
    summary: 'PointNet++ global set abstraction: one group of all points, shared MLP, max pool',
    composite: true,
    params: [T('x'), { name: 'mlp', type: 'ints', required: true }],
    build(ctx, a) {
      const g = ctx.emit('group_all', [tensor(a, 'x')], {}, 'group');
      const f = emitMlp(ctx, g, mlpList(a), 'relu');
      return ctx.emit('reduce_max', [f], { keep_centers: false }, 'pool');
    },
  },
  edge_conv: {
    summary: 'DGCNN EdgeConv: kNN in feature space, edge features (x_i, x_j - x_i), shared MLP, max',
    composite: true,
    params: [T('x'), { name: 'neighbors', type: 'int', required: true }, { name: 'mlp', type: 'ints', required: true }],
    build(ctx, a) {
      const x = tensor(a, 'x');
      const idx = ctx.emit('knn', [x, x], { neighbors: int(a, 'neighbors') }, 'knn');
      const g = ctx.emit('group', [x, x, idx], { mode: 'edge' }, 'edges');
      const f = emitMlp(ctx, g, mlpList(a), 'relu');
      return ctx.emit('reduce_max', [f], { keep_centers: true }, 'pool');
    },
  },
  interpolate: {
    summary: 'feature propagation: inverse-distance interpolation from source onto target points',
    params: [T('target'), T('source'), { name: 'neighbors', type: 'int', default: 3 }],
    build: (ctx, a) => ctx.emit('interpolate', [tensor(a, 'target'), tensor(a, 'source')], { neighbors: int(a, 'neighbors') }),
  },
  sparse_conv3d: sparseBuiltin('sparse_conv3d'),
  sparse_deconv3d: sparseBuiltin('sparse_deconv3d'),
};

function poolBuiltin(op: 'maxpool' | 'avgpool'): BuiltinOp {
  return {
    summary: `${op === 'maxpool' ? 'max' : 'average'} pooling; global: true pools the whole map to a vector`,
    params: [
      T('x'),
      { name: 'kernel', type: 'pair' },
      { name: 'stride', type: 'pair' },
      { name: 'pad', type: 'pad', default: 'same' },
      { name: 'global', type: 'bool', default: false },
    ],
    build(ctx, a) {
      const x = tensor(a, 'x');
      if (a.global === true) return ctx.emit(op, [x], { global: true });
      const kernel: [number, number] = a.kernel === undefined ? [2, 2] : pair(a, 'kernel');
      const stride: [number, number] = a.stride === undefined ? kernel : pair(a, 'stride');
      return ctx.emit(op, [x], { kernel, stride, pad: resolvePadding(a.pad, x.type, kernel, stride, [1, 1]), global: false });
    },
  };
}

function sparseBuiltin(op: string): BuiltinOp {
  return {
    summary:
      op === 'sparse_conv3d'
        ? 'sparse 3-D convolution on voxels (submanifold when stride 1)'
        : 'sparse 3-D transposed convolution (upsampling)',
    params: [
      T('x'),
      { name: 'out', type: 'int', required: true },
      { name: 'kernel', type: 'int', required: true },
      { name: 'stride', type: 'int', default: 1 },
      act,
      bias,
    ],
    build: (ctx, a) =>
      ctx.emit(op, [tensor(a, 'x')], {
        out: int(a, 'out'),
        kernel: int(a, 'kernel'),
        stride: int(a, 'stride'),
        act: a.act as string,
        bias: a.bias as boolean,
      }),
  };
}

export function builtin(name: string): BuiltinOp | undefined {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name) ? BUILTINS[name] : undefined;
}

/** Element types an input declaration may use, and the tensor kind each gives. */
export const INPUT_TYPES: Record<string, { kind: TensorType['kind']; dtype: TensorType['dtype']; rank: number[] }> = {
  int8: { kind: 'feature', dtype: 'int8', rank: [1, 3] },
  float32: { kind: 'feature', dtype: 'float32', rank: [1, 3] },
  points: { kind: 'points', dtype: 'float32', rank: [2] },
  voxels: { kind: 'voxels', dtype: 'float32', rank: [2] },
};
