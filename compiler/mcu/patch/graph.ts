// The graph the patch scheduler works on: activation tensors and nodes with sliding windows,
// built from a quantised TFLite model (QModel) or a .nacc/ONNX network. PAD ops that feed a
// convolution are folded into its window, as the generated code folds them into the kernel.
import type { Location } from '../../diagnostics/index.ts';
import type { Layer, Network, TensorType } from '../../ir/network.ts';
import { elementBytes } from '../../ir/network.ts';
import { opDef } from '../../ir/ops.ts';
import type { QModel, QOp } from '../../ir/quantized.ts';
import { opMacs, Q_DTYPE_BYTES, qElements } from '../../ir/quantized.ts';
import { IDENTITY_WINDOW, type Window1D } from './geometry.ts';

export interface PTensor {
  id: number;
  name: string;
  /** Spatial tensors are [1, H, W, C]; others have h = w = 1 and c = element count. */
  h: number;
  w: number;
  c: number;
  spatial: boolean;
  elemBytes: number;
}

export type PNodeKind = 'conv' | 'dwconv' | 'pool' | 'pad' | 'eltwise' | 'concat' | 'other';

export interface PNode {
  /** Position in the graph (topological = execution order). */
  index: number;
  name: string;
  kind: PNodeKind;
  /** The op as its source names it (CONV_2D, dwconv2d...), with a folded PAD noted. */
  op: string;
  inputs: number[];
  output: number;
  /** Window per axis; absent for elementwise and non-spatial ops. */
  window?: { h: Window1D; w: Window1D };
  /** MACs of the whole layer (layer-by-layer). */
  macs: number;
  patchable: boolean;
  /** Why a node cannot run patch by patch. */
  reason?: string;
  /**
   * Split index after this node: the patch stage of split N holds the nodes with end <= N.
   * For TFLite models it is the op index after the node's last op; for networks, layer index + 1.
   */
  end: number;
  /** Source op positions (QModel.ops indices) this node executes, in order; empty for networks. */
  ops: number[];
}

export interface PatchGraph {
  name: string;
  tensors: PTensor[];
  nodes: PNode[];
  inputs: number[];
  outputs: number[];
  /** What a split index counts. */
  splitUnit: 'op' | 'layer';
  /** The network's declaration when the graph comes from a .nacc network (for located errors). */
  location?: Location;
}

export function tensorBytesOf(t: PTensor): number {
  return t.h * t.w * t.c * t.elemBytes;
}

/** Last node reading each tensor; graph outputs live to the end (nodes.length). */
export function lastUses(g: PatchGraph): Int32Array {
  const last = new Int32Array(g.tensors.length).fill(-1);
  for (const n of g.nodes) for (const i of n.inputs) last[i] = Math.max(last[i], n.index);
  for (const o of g.outputs) last[o] = g.nodes.length;
  return last;
}

/** Producer node of each tensor (-1 for graph inputs). */
export function producers(g: PatchGraph): Int32Array {
  const p = new Int32Array(g.tensors.length).fill(-1);
  for (const n of g.nodes) p[n.output] = n.index;
  return p;
}

// ---------------------------------------------------------------- from a quantised model

const ELEMENTWISE_Q = new Set(['ADD', 'MUL', 'QUANTIZE', 'DEQUANTIZE']);

function qTensor(model: QModel, id: number): PTensor {
  const t = model.tensors[id];
  const spatial = t.shape.length === 4 && t.shape[0] === 1;
  const eb = Q_DTYPE_BYTES[t.dtype];
  if (spatial) return { id, name: t.name, h: t.shape[1], w: t.shape[2], c: t.shape[3], spatial, elemBytes: eb };
  return { id, name: t.name, h: 1, w: 1, c: qElements(t.shape), spatial: false, elemBytes: eb };
}

function padOf(model: QModel, op: QOp): { top: number; bottom: number; left: number; right: number; other: boolean } {
  const pads = model.tensors[op.inputs[1]].data as Int32Array;
  const other = pads[0] !== 0 || pads[1] !== 0 || pads[6] !== 0 || pads[7] !== 0;
  return { top: pads[2], bottom: pads[3], left: pads[4], right: pads[5], other };
}

function samePad(padding: string | undefined, inSize: number, k: number, s: number, d: number): [number, number] {
  if (padding !== 'SAME') return [0, 0];
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + eff - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Build the patch graph of a quantised model. Tensor ids are the model's tensor ids. */
export function graphFromQModel(model: QModel): PatchGraph {
  const tensors = model.tensors.map((_, id) => qTensor(model, id));
  const consumers = new Map<number, number>();
  for (const op of model.ops) for (const i of op.inputs) if (i >= 0) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const isConst = (id: number) => id < 0 || model.tensors[id].data !== undefined;
  const nodes: PNode[] = [];
  const folded = new Map<number, QOp>(); // conv op index -> the PAD folded into it
  const skip = new Set<number>();
  model.ops.forEach((op, k) => {
    if (op.kind !== 'PAD') return;
    const next = model.ops[k + 1];
    const out = op.outputs[0];
    if (!next || (next.kind !== 'CONV_2D' && next.kind !== 'DEPTHWISE_CONV_2D') || next.inputs[0] !== out) return;
    if ((consumers.get(out) ?? 0) !== 1 || model.outputs.includes(out)) return;
    const p = padOf(model, op);
    const inT = model.tensors[op.inputs[0]];
    // Folding is exact only when the pad value is the conv's input zero point (it contributes 0).
    if (p.other || !inT.quant || !model.tensors[out].quant || inT.quant.zeroPoint[0] !== model.tensors[out].quant!.zeroPoint[0]) return;
    if (inT.quant.scale[0] !== model.tensors[out].quant!.scale[0]) return;
    folded.set(k + 1, op);
    skip.add(k);
  });
  model.ops.forEach((op, k) => {
    if (skip.has(k)) return;
    const pad = folded.get(k);
    const acts = op.inputs.filter((i) => !isConst(i));
    const inputs = pad ? [pad.inputs[0], ...acts.slice(1)] : acts;
    const output = op.outputs[0];
    const outT = tensors[output];
    const o = op.options;
    const node: PNode = {
      index: nodes.length,
      name: `${op.index}:${op.kind.toLowerCase()}`,
      kind: 'other',
      op: pad ? `PAD+${op.kind}` : op.kind,
      inputs,
      output,
      macs: opMacs(model, op),
      patchable: false,
      end: op.index + 1,
      ops: pad ? [pad.index, op.index] : [op.index],
    };
    if (pad) node.name = `${pad.index}-${op.index}:${op.kind.toLowerCase()}`;
    const inT = tensors[inputs[0]];
    const allSpatial = [...inputs, output].every((t) => tensors[t].spatial);
    switch (op.kind) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const f = model.tensors[op.inputs[1]].shape;
        const [kh, kw] = [f[1], f[2]];
        const [sh, sw, dh, dw] = [o.strideH ?? 1, o.strideW ?? 1, o.dilationH ?? 1, o.dilationW ?? 1];
        const convIn = model.tensors[op.inputs[0]].shape;
        const epad = o.explicitPad ?? [0, 0, 0, 0];
        const [pt, pb] = samePad(o.padding, convIn[1] + epad[0] + epad[2], kh, sh, dh);
        const [pl, pr] = samePad(o.padding, convIn[2] + epad[1] + epad[3], kw, sw, dw);
        const ep = o.explicitPad ?? [0, 0, 0, 0]; // [top, left, bottom, right], from the backend's PAD folding
        const pp0 = pad ? padOf(model, pad) : { top: 0, bottom: 0, left: 0, right: 0 };
        const pp = { top: pp0.top + ep[0], left: pp0.left + ep[1], bottom: pp0.bottom + ep[2], right: pp0.right + ep[3] };
        node.kind = op.kind === 'CONV_2D' ? 'conv' : 'dwconv';
        node.window = {
          h: { kernel: kh, stride: sh, dilation: dh, padBefore: pt + pp.top, padAfter: pb + pp.bottom },
          w: { kernel: kw, stride: sw, dilation: dw, padBefore: pl + pp.left, padAfter: pr + pp.right },
        };
        node.patchable = allSpatial;
        break;
      }
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const [kh, kw, sh, sw] = [o.filterH ?? 1, o.filterW ?? 1, o.strideH ?? 1, o.strideW ?? 1];
        const [pt, pb] = samePad(o.padding, inT.h, kh, sh, 1);
        const [pl, pr] = samePad(o.padding, inT.w, kw, sw, 1);
        node.kind = 'pool';
        node.window = {
          h: { kernel: kh, stride: sh, dilation: 1, padBefore: pt, padAfter: pb },
          w: { kernel: kw, stride: sw, dilation: 1, padBefore: pl, padAfter: pr },
        };
        // A pool over the whole map is a global reduction: it needs every pixel.
        node.patchable = allSpatial && !(outT.h === 1 && outT.w === 1 && (inT.h > 1 || inT.w > 1));
        if (!node.patchable) node.reason = 'global pooling';
        break;
      }
      case 'PAD': {
        const p = padOf(model, op);
        node.kind = 'pad';
        node.window = {
          h: { kernel: 1, stride: 1, dilation: 1, padBefore: p.top, padAfter: p.bottom },
          w: { kernel: 1, stride: 1, dilation: 1, padBefore: p.left, padAfter: p.right },
        };
        node.patchable = allSpatial && !p.other;
        if (p.other) node.reason = 'pads batch or channels';
        break;
      }
      case 'CONCATENATION': {
        node.kind = 'concat';
        const rank = model.tensors[output].shape.length;
        const axis = (o.axis ?? 0) < 0 ? (o.axis ?? 0) + rank : (o.axis ?? 0);
        node.patchable = allSpatial && axis === 3 && inputs.every((t) => tensors[t].h === outT.h && tensors[t].w === outT.w);
        if (!node.patchable) node.reason = 'concatenation not along channels';
        break;
      }
      default:
        if (ELEMENTWISE_Q.has(op.kind)) {
          node.kind = 'eltwise';
          const same = inputs.every(
            (t) => tensors[t].spatial && tensors[t].h === outT.h && tensors[t].w === outT.w && tensors[t].c === outT.c,
          );
          node.patchable = allSpatial && same;
          if (!node.patchable) node.reason = 'broadcast or non-spatial operands';
        } else {
          node.reason = `${op.kind} is not a spatial op`;
        }
    }
    if (!node.patchable && !node.reason) node.reason = 'non-spatial tensors';
    nodes.push(node);
  });
  return { name: model.name, tensors, nodes, inputs: [...model.inputs], outputs: [...model.outputs], splitUnit: 'op' };
}

// ---------------------------------------------------------------- from a network (.nacc / ONNX)

const ELEMENTWISE_NET = new Set(['add', 'mul', 'relu', 'relu6', 'clip', 'quantize', 'dequantize', 'batchnorm']);

function netTensor(id: number, name: string, t: TensorType): PTensor {
  const eb = elementBytes(t.dtype);
  if (t.kind === 'feature' && t.shape.length === 3)
    return { id, name, h: t.shape[0], w: t.shape[1], c: t.shape[2], spatial: true, elemBytes: eb };
  return { id, name, h: 1, w: 1, c: t.shape.reduce((a, b) => a * b, 1), spatial: false, elemBytes: eb };
}

function pairAttr(l: Layer, k: string, dflt: number): [number, number] {
  const v = l.attrs[k];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  if (typeof v === 'number') return [v, v];
  return [dflt, dflt];
}

function padAttr(l: Layer): [number, number, number, number] {
  const v = l.attrs.pad;
  if (Array.isArray(v) && v.length === 4) return v.map(Number) as [number, number, number, number];
  return [0, 0, 0, 0];
}

/**
 * Build the patch graph of a network as the MCU backend lowers it (compiler/mcu/calibrate.ts):
 * activations are int8; a float32 input is read by a QUANTIZE node first, and float outputs
 * get a DEQUANTIZE node, so `nacc mcu-schedule` and `nacc mcu` weigh the same buffers. A split
 * counts the ops `nacc mcu` runs: the layers, after the input's QUANTIZE when there is one.
 */
export function graphFromNetwork(net: Network): PatchGraph {
  const ids = new Map<string, number>();
  const tensors: PTensor[] = [];
  const int8 = (t: TensorType): TensorType => ({ ...t, dtype: 'int8' }) as TensorType;
  const input = net.inputs.length === 1 ? net.inputs[0] : undefined;
  const floatIO = input?.type.dtype === 'float32';
  for (const i of net.inputs) {
    ids.set(i.name, tensors.length);
    tensors.push(netTensor(tensors.length, i.name, i.type));
  }
  const pre: PNode[] = [];
  if (floatIO) {
    const f = ids.get(input!.name)!;
    const q = tensors.length;
    tensors.push(netTensor(q, `${input!.name}_int8`, int8(input!.type)));
    ids.set(input!.name, q);
    const spatial = tensors[q].spatial;
    pre.push({
      index: 0,
      name: `${input!.name}_int8`,
      kind: 'eltwise',
      op: 'QUANTIZE',
      inputs: [f],
      output: q,
      macs: 0,
      patchable: spatial,
      end: 1,
      ops: [],
      ...(spatial ? {} : { reason: 'non-spatial or broadcast operands' }),
    });
  }
  for (const l of net.layers) {
    ids.set(l.name, tensors.length);
    tensors.push(netTensor(tensors.length, l.name, int8(l.output)));
  }
  const typeOf = (n: string): TensorType => net.inputs.find((i) => i.name === n)?.type ?? net.layers.find((l) => l.name === n)!.output;
  const nodes: PNode[] = net.layers.map((l, k) => {
    const inputs = l.inputs.map((n) => ids.get(n)!);
    const output = ids.get(l.name)!;
    const def = opDef(l.op);
    const macs = def ? def.macs(l, l.inputs.map(typeOf)) : 0;
    const node: PNode = {
      index: k + pre.length,
      name: l.name,
      kind: 'other',
      op: l.op,
      inputs,
      output,
      macs,
      patchable: false,
      end: k + 1 + pre.length,
      ops: [],
    };
    const outT = tensors[output];
    const allSpatial = [...inputs, output].every((t) => tensors[t].spatial);
    const win = (): { h: Window1D; w: Window1D } => {
      const [kh, kw] = pairAttr(l, 'kernel', 1);
      const [sh, sw] = pairAttr(l, 'stride', 1);
      const [dh, dw] = pairAttr(l, 'dilation', 1);
      const [pt, pl, pb, pr] = padAttr(l);
      return {
        h: { kernel: kh, stride: sh, dilation: dh, padBefore: pt, padAfter: pb },
        w: { kernel: kw, stride: sw, dilation: dw, padBefore: pl, padAfter: pr },
      };
    };
    if (l.op === 'conv2d' || l.op === 'dwconv2d') {
      node.kind = l.op === 'conv2d' ? 'conv' : 'dwconv';
      node.window = win();
      node.patchable = allSpatial;
    } else if ((l.op === 'maxpool' || l.op === 'avgpool') && l.attrs.global !== true) {
      node.kind = 'pool';
      node.window = win();
      node.patchable = allSpatial;
    } else if (l.op === 'pad') {
      const [pt, pl, pb, pr] = padAttr(l);
      node.kind = 'pad';
      node.window = { h: { ...IDENTITY_WINDOW, padBefore: pt, padAfter: pb }, w: { ...IDENTITY_WINDOW, padBefore: pl, padAfter: pr } };
      node.patchable = allSpatial;
    } else if (l.op === 'concat') {
      node.kind = 'concat';
      node.patchable = allSpatial && inputs.every((t) => tensors[t].h === outT.h && tensors[t].w === outT.w);
    } else if (ELEMENTWISE_NET.has(l.op)) {
      node.kind = 'eltwise';
      node.patchable = allSpatial && inputs.every((t) => tensors[t].h === outT.h && tensors[t].w === outT.w && tensors[t].c === outT.c);
    }
    if (!node.patchable)
      node.reason =
        node.kind === 'other'
          ? `${l.op}${l.attrs.global === true ? ' (global)' : ''} is not a spatial op`
          : 'non-spatial or broadcast operands';
    return node;
  });
  const all = [...pre, ...nodes];
  const outputs = net.outputs.map((o) => {
    const id = ids.get(o)!;
    const t = net.layers.find((l) => l.name === o)?.output ?? input?.type;
    if (!floatIO && t?.dtype !== 'float32') return id;
    // the backend hands float outputs back through a DEQUANTIZE
    const f = tensors.length;
    tensors.push({ ...tensors[id], id: f, name: `${o}_float`, elemBytes: 4 });
    all.push({
      index: all.length,
      name: `${o}_float`,
      kind: 'eltwise',
      op: 'DEQUANTIZE',
      inputs: [id],
      output: f,
      macs: 0,
      patchable: tensors[f].spatial,
      end: all.length + 1,
      ops: [],
    });
    return f;
  });
  return {
    name: net.name,
    tensors,
    nodes: all,
    inputs: net.inputs.map((i) => (floatIO && i === input ? 0 : ids.get(i.name)!)),
    outputs,
    splitUnit: 'layer',
    location: net.location,
  };
}
