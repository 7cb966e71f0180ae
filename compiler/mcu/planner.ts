// Memory planner for layer-by-layer execution: tensor lifetimes from the graph, aliasing
// (RESHAPE shares its input's buffer; depthwise and elementwise ops run in place where legal,
// TinyEngine-style; a pointwise convolution feeding a residual ADD adds straight into the skip
// tensor), scratch buffers, and greedy placement in one arena. The analytic model of the same
// rules is compiler/mcu/patch/schedule.ts (MemoryRules); the two must agree.
import type { QModel, QOp, QTensor } from '../ir/quantized.ts';
import { qElements, qTensorBytes } from '../ir/quantized.ts';

export const ARENA_ALIGN = 8;
const alignUp = (n: number, a = ARENA_ALIGN) => Math.ceil(n / a) * a;

export interface PlannedBuffer {
  /** Tensor ids sharing this buffer (several when aliased); empty for a scratch buffer. */
  tensors: number[];
  /** Op whose scratch this is, or -1. */
  scratchOf: number;
  /** Largest size over the buffer's life. */
  size: number;
  /** First and last op index the buffer is live at (-1 = before op 0, ops.length = after the last op). */
  first: number;
  last: number;
  /** Size over time: one segment per tensor sharing the buffer (an in-place op's input and output). */
  segments: { first: number; last: number; size: number }[];
  offset: number;
}

export interface MemoryPlan {
  buffers: PlannedBuffer[];
  /** Arena offset of every activation tensor. */
  tensorOffset: Map<number, number>;
  /** Scratch buffer (offset, bytes) of each op that needs one. */
  scratch: Map<number, { offset: number; size: number }>;
  /** Ops that run in place: depthwise convolutions, QUANTIZE, ADD/MUL over a dying operand. */
  inPlace: Set<number>;
  /** Pointwise convolutions fused with the residual ADD after them (conv op -> fusion). */
  fused: Map<number, ResidualFusion>;
  arenaBytes: number;
  /** Largest sum of live bytes at any op: the lower bound any placement must meet. */
  peakLiveBytes: number;
  /** Placement order that gave the arena (the greedy planner tries several). */
  strategy: string;
}

export interface PlanOptions {
  /** Allow ops in place and residual fusion (default true; `nacc mcu --no-in-place` turns it off). */
  inPlaceDepthwise?: boolean;
}

/**
 * A 1x1 stride-1 convolution whose only reader is the residual ADD right after it: the program
 * computes `chunkPixels` output pixels at a time into a scratch buffer and adds them into the
 * skip tensor in place, so the convolution's output is never stored whole.
 */
export interface ResidualFusion {
  conv: number;
  add: number;
  /** The ADD's other operand, overwritten by the ADD's output. */
  skip: number;
  /** Whether the convolution's output is the ADD's first operand. */
  convFirst: boolean;
  pixels: number;
  channels: number;
  chunkPixels: number;
}

/**
 * Pixels per chunk of a fused convolution: an even number of whole output pixels that fits one
 * plane of the output map (h x w bytes, the depthwise scratch's size), but at least 8 (the fast
 * kernels take pixels in pairs and pay a per-call setup; fewer would cost ~7% on mcunet-vww1).
 */
export function fusedChunkPixels(h: number, w: number, c: number): number {
  return Math.min(h * w, Math.max(8, 2 * Math.floor((h * w) / c / 2)));
}

/** Whether op k is a convolution that reads one pixel per output pixel (1x1, stride 1, no padding). */
function isPointwiseConv(model: QModel, op: QOp): boolean {
  if (op.kind !== 'CONV_2D') return false;
  const f = model.tensors[op.inputs[1]].shape;
  const ep = op.options.explicitPad ?? [0, 0, 0, 0];
  const inS = model.tensors[op.inputs[0]].shape;
  const outS = model.tensors[op.outputs[0]].shape;
  return (
    f[1] === 1 &&
    f[2] === 1 &&
    (op.options.strideH ?? 1) === 1 &&
    (op.options.strideW ?? 1) === 1 &&
    ep.every((v) => v === 0) &&
    inS.length === 4 &&
    outS.length === 4 &&
    inS[0] === 1 &&
    inS[1] === outS[1] &&
    inS[2] === outS[2]
  );
}

/** Bytes of scratch an op's kernel needs (besides in-place planes). */
export function scratchBytes(model: QModel, op: QOp): number {
  if (op.kind === 'MEAN') return qElements(model.tensors[op.outputs[0]].shape) * 4;
  return 0;
}

/**
 * The input an op overwrites, if it can run in place: a depthwise convolution with multiplier 1
 * whose output plane is no larger than its input plane, a float -> int8 QUANTIZE (output byte i
 * only overwrites float elements already read), an int8 requantisation, or an ADD / MUL over an
 * operand of the output's shape (element i is read before it is written). The input must die
 * here, with every tensor sharing its buffer.
 */
function inPlaceOperand(model: QModel, op: QOp, lastUse: Map<number, number>, aliasOf: (id: number) => number): number | undefined {
  const output = model.tensors[op.outputs[0]];
  const sameShape = (t: QTensor) => t.shape.length === output.shape.length && t.shape.every((d, i) => d === output.shape[i]);
  let candidates: number[] = [];
  if (op.kind === 'QUANTIZE') {
    const input = model.tensors[op.inputs[0]];
    if ((input.dtype === 'float32' || (input.dtype === 'int8' && sameShape(input))) && output.dtype === 'int8') candidates = [input.id];
  } else if (op.kind === 'DEPTHWISE_CONV_2D') {
    const input = model.tensors[op.inputs[0]];
    if (input.shape[3] === output.shape[3] && input.shape[0] === 1 && output.shape[1] * output.shape[2] <= input.shape[1] * input.shape[2])
      candidates = [input.id];
  } else if (op.kind === 'ADD' || op.kind === 'MUL') {
    candidates = op.inputs.filter(
      (i) => i >= 0 && model.tensors[i].dtype === 'int8' && output.dtype === 'int8' && sameShape(model.tensors[i]),
    );
  }
  return candidates.find((id) => {
    if (model.tensors[id].data) return false;
    const root = aliasOf(id);
    if (model.outputs.some((o) => aliasOf(o) === root)) return false;
    // every tensor sharing the input's buffer must be dead after this op
    for (const [t, last] of lastUse) if (aliasOf(t) === root && last > op.index) return false;
    return true;
  });
}

/** The residual fusions of a (PAD-folded) model; see ResidualFusion. */
function residualFusions(model: QModel, lastUse: Map<number, number>): Map<number, ResidualFusion> {
  const readers = new Map<number, number>();
  for (const op of model.ops) for (const i of op.inputs) if (i >= 0) readers.set(i, (readers.get(i) ?? 0) + 1);
  const out = new Map<number, ResidualFusion>();
  model.ops.forEach((add, a) => {
    if (add.kind !== 'ADD' || a === 0 || add.inputs.length !== 2) return;
    const conv = model.ops[a - 1];
    if (!isPointwiseConv(model, conv)) return;
    const u = conv.outputs[0];
    const convFirst = add.inputs[0] === u;
    const v = convFirst ? add.inputs[1] : add.inputs[0];
    if (!convFirst && add.inputs[1] !== u) return;
    if (v === u || v < 0 || model.tensors[v].data || readers.get(u) !== 1 || model.outputs.includes(u) || conv.inputs.includes(v)) return;
    if (lastUse.get(v) !== a || model.outputs.includes(v)) return;
    const [tu, tv, ts] = [u, v, add.outputs[0]].map((t) => model.tensors[t]);
    if (![tu, tv, ts].every((t) => t.dtype === 'int8' && t.shape.length === 4 && t.shape.every((d, i) => d === tu.shape[i]))) return;
    const [, h, w, c] = tu.shape;
    out.set(a - 1, { conv: a - 1, add: a, skip: v, convFirst, pixels: h * w, channels: c, chunkPixels: fusedChunkPixels(h, w, c) });
  });
  return out;
}

export function planMemory(model: QModel, opts: PlanOptions = {}): MemoryPlan {
  const n = model.ops.length;
  const isActivation = (id: number) => id >= 0 && model.tensors[id].data === undefined;
  // union-find over aliased tensors
  const parent = new Map<number, number>();
  const find = (id: number): number => {
    let r = id;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number) => parent.set(find(b), find(a));

  const firstDef = new Map<number, number>();
  const lastUse = new Map<number, number>();
  for (const id of model.inputs) firstDef.set(id, -1);
  model.ops.forEach((op, k) => {
    for (const id of op.outputs) if (isActivation(id) && !firstDef.has(id)) firstDef.set(id, k);
    for (const id of op.inputs) if (isActivation(id)) lastUse.set(id, Math.max(lastUse.get(id) ?? -1, k));
  });
  for (const id of model.outputs) lastUse.set(id, n);

  const inPlace = new Set<number>();
  const planeScratch = new Map<number, number>();
  const allowInPlace = opts.inPlaceDepthwise ?? true;
  // Unions only join a tensor to one still to be written, so fusions found on the lifetimes
  // before them stay valid: a fused ADD's skip dies at the ADD whatever shares its buffer.
  const fused = allowInPlace ? residualFusions(model, lastUse) : new Map<number, ResidualFusion>();
  const fusedAdds = new Map([...fused.values()].map((f) => [f.add, f]));
  model.ops.forEach((op, k) => {
    if (op.kind === 'RESHAPE' && isActivation(op.inputs[0]) && !model.inputs.includes(op.outputs[0])) {
      union(op.inputs[0], op.outputs[0]);
      return;
    }
    if (!allowInPlace) return;
    let f = fusedAdds.get(k);
    if (f && [...lastUse].some(([t, last]) => find(t) === find(f!.skip) && last > k)) {
      // the skip's buffer is still read later (an alias of it): no fusion
      fused.delete(f.conv);
      f = undefined;
    }
    // A fused ADD writes over its skip operand; the convolution's output gets no buffer.
    const target = f ? f.skip : inPlaceOperand(model, op, lastUse, find);
    if (target === undefined) return;
    inPlace.add(k);
    union(target, op.outputs[0]);
    const t = model.tensors[target];
    if (op.kind === 'DEPTHWISE_CONV_2D') planeScratch.set(k, t.shape[1] * t.shape[2]);
  });
  for (const f of fused.values()) {
    const u = model.ops[f.conv].outputs[0];
    firstDef.delete(u);
    lastUse.delete(u);
    planeScratch.set(f.conv, f.chunkPixels * f.channels);
  }

  const groups = new Map<number, PlannedBuffer>();
  for (const [id, first] of firstDef) {
    const root = find(id);
    const size = alignUp(qTensorBytes(model.tensors[id]));
    const last = lastUse.get(id) ?? first;
    const g = groups.get(root);
    const segment = { first, last, size };
    if (!g) groups.set(root, { tensors: [id], scratchOf: -1, size, first, last, segments: [segment], offset: 0 });
    else {
      g.tensors.push(id);
      g.segments.push(segment);
      g.size = Math.max(g.size, size);
      g.first = Math.min(g.first, first);
      g.last = Math.max(g.last, last);
    }
  }
  const buffers = [...groups.values()];
  model.ops.forEach((op, k) => {
    const bytes = scratchBytes(model, op) + (planeScratch.get(k) ?? 0);
    if (bytes > 0)
      buffers.push({
        tensors: [],
        scratchOf: k,
        size: alignUp(bytes),
        first: k,
        last: k,
        segments: [{ first: k, last: k, size: alignUp(bytes) }],
        offset: 0,
      });
  });

  let peakLiveBytes = 0;
  for (let k = -1; k <= n; k++) {
    peakLiveBytes = Math.max(
      peakLiveBytes,
      buffers.reduce((sum, b) => sum + liveSize(b, k), 0),
    );
  }

  const orders: [string, (a: PlannedBuffer, b: PlannedBuffer) => number][] = [
    ['size', (a, b) => b.size - a.size || a.first - b.first],
    ['first-use', (a, b) => a.first - b.first || b.size - a.size],
    ['size x lifetime', (a, b) => b.size * (b.last - b.first + 1) - a.size * (a.last - a.first + 1) || b.size - a.size],
    ['lifetime', (a, b) => b.last - b.first - (a.last - a.first) || b.size - a.size],
  ];
  let best: { arena: number; offsets: number[]; strategy: string } | undefined;
  for (const [strategy, cmp] of orders) {
    const order = buffers.map((_, i) => i).sort((i, j) => cmp(buffers[i], buffers[j]));
    const offsets = greedyPlace(buffers, order);
    const arena = Math.max(0, ...buffers.map((b, i) => offsets[i] + b.size));
    if (!best || arena < best.arena) best = { arena, offsets, strategy };
  }
  buffers.forEach((b, i) => (b.offset = best!.offsets[i]));

  const tensorOffset = new Map<number, number>();
  const scratch = new Map<number, { offset: number; size: number }>();
  for (const b of buffers) {
    for (const t of b.tensors) tensorOffset.set(t, b.offset);
    if (b.scratchOf >= 0) scratch.set(b.scratchOf, { offset: b.offset, size: b.size });
  }
  return { buffers, tensorOffset, scratch, inPlace, fused, arenaBytes: best!.arena, peakLiveBytes, strategy: best!.strategy };
}

/** Bytes a buffer occupies at op k (its segments share one offset, so the largest live one). */
export function liveSize(b: PlannedBuffer, k: number): number {
  let size = 0;
  for (const s of b.segments) if (s.first <= k && k <= s.last) size = Math.max(size, s.size);
  return size;
}

/**
 * Place buffers in the given order, each at the lowest offset where none of its segments
 * overlaps, in time and in address, a segment of a buffer already placed.
 */
function greedyPlace(buffers: PlannedBuffer[], order: number[]): number[] {
  const offsets = new Array<number>(buffers.length).fill(-1);
  const placed: number[] = [];
  for (const i of order) {
    const b = buffers[i];
    // b.offset must avoid (start - sb.size, end) for every pair of segments alive together
    const forbidden: { lo: number; hi: number }[] = [];
    for (const j of placed) {
      const c = buffers[j];
      if (c.first > b.last || b.first > c.last) continue;
      for (const sb of b.segments) {
        for (const sc of c.segments) {
          if (sc.first <= sb.last && sb.first <= sc.last) forbidden.push({ lo: offsets[j] - sb.size, hi: offsets[j] + sc.size });
        }
      }
    }
    forbidden.sort((x, y) => x.lo - y.lo);
    let offset = 0;
    for (const f of forbidden) {
      if (f.hi <= offset) continue;
      if (f.lo >= offset) break; // offset lies at or below the interval's open start: free
      offset = f.hi;
    }
    offsets[i] = offset;
    placed.push(i);
  }
  return offsets;
}
