// Memory planner for layer-by-layer execution: tensor lifetimes from the graph, aliasing
// (RESHAPE shares its input's buffer; depthwise runs in place where legal, TinyEngine-style,
// with a one-channel scratch plane), scratch buffers, and greedy placement in one arena.
import type { QModel, QOp } from '../ir/quantized.ts';
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
  /** Ops whose depthwise convolution runs in place. */
  inPlace: Set<number>;
  arenaBytes: number;
  /** Largest sum of live bytes at any op: the lower bound any placement must meet. */
  peakLiveBytes: number;
  /** Placement order that gave the arena (the greedy planner tries several). */
  strategy: string;
}

export interface PlanOptions {
  /** Allow depthwise convolutions in place (default true). */
  inPlaceDepthwise?: boolean;
}

/** Bytes of scratch an op's kernel needs (besides in-place planes). */
export function scratchBytes(model: QModel, op: QOp): number {
  if (op.kind === 'MEAN') return qElements(model.tensors[op.outputs[0]].shape) * 4;
  return 0;
}

/**
 * Whether an op can overwrite its input: a depthwise convolution with multiplier 1 whose
 * output plane is no larger than its input plane, or a float -> int8 QUANTIZE (output byte i
 * only overwrites float elements already read); in both cases the input must die here.
 */
function canRunInPlace(model: QModel, op: QOp, lastUse: Map<number, number>, aliasOf: (id: number) => number): boolean {
  const input = model.tensors[op.inputs[0]];
  const output = model.tensors[op.outputs[0]];
  if (input.data) return false;
  if (op.kind === 'QUANTIZE') {
    if (input.dtype !== 'float32' || output.dtype !== 'int8') return false;
  } else if (op.kind === 'DEPTHWISE_CONV_2D') {
    if (input.shape[3] !== output.shape[3] || input.shape[0] !== 1) return false;
    if (output.shape[1] * output.shape[2] > input.shape[1] * input.shape[2]) return false;
  } else return false;
  const root = aliasOf(input.id);
  if (model.outputs.some((o) => aliasOf(o) === root)) return false;
  // every tensor sharing the input's buffer must be dead after this op
  for (const [id, last] of lastUse) if (aliasOf(id) === root && last > op.index) return false;
  return true;
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
  model.ops.forEach((op, k) => {
    if (op.kind === 'RESHAPE' && isActivation(op.inputs[0]) && !model.inputs.includes(op.outputs[0])) {
      union(op.inputs[0], op.outputs[0]);
    } else if ((opts.inPlaceDepthwise ?? true) && canRunInPlace(model, op, lastUse, find)) {
      inPlace.add(k);
      union(op.inputs[0], op.outputs[0]);
      const t = model.tensors[op.inputs[0]];
      if (op.kind === 'DEPTHWISE_CONV_2D') planeScratch.set(k, t.shape[1] * t.shape[2]);
    }
  });

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
    if (bytes > 0) buffers.push({ tensors: [], scratchOf: k, size: alignUp(bytes), first: k, last: k, segments: [{ first: k, last: k, size: alignUp(bytes) }], offset: 0 });
  });

  let peakLiveBytes = 0;
  for (let k = -1; k <= n; k++) {
    peakLiveBytes = Math.max(peakLiveBytes, buffers.reduce((sum, b) => sum + liveSize(b, k), 0));
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
  return { buffers, tensorOffset, scratch, inPlace, arenaBytes: best!.arena, peakLiveBytes, strategy: best!.strategy };
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
