// Float32 training of small edge networks straight from the network IR: forward, backward
// and a softmax cross-entropy loss over one flat parameter vector, with every buffer
// allocated once per batch size (no per-element or per-step allocation).
//
// Layout: activations are NHWC per sample ([H, W, C] contiguous), samples contiguous.
// Parameters live in one Float32Array so that averaging and sending a model is one loop:
//   dense   W[in][out] then b[out]
//   conv2d  W[kh][kw][cin/groups][out] then b[out]
//   dwconv2d (as conv2d with groups = C, out = C * multiplier)
import { D, fail } from '../diagnostics/index.ts';
import type { Layer, Network, TensorType } from '../ir/network.ts';
import { Prng } from '../util/prng.ts';
import { BatchNormState, batchNormBackward, batchNormForward, beginCalibration, endCalibration } from './batch-norm.ts';
import { convBackward, convForward, type ConvGeom } from './conv-kernels.ts';

type Act = 'none' | 'relu' | 'relu6';

type Exec =
  | { kind: 'dense'; src: number; dst: number; inSize: number; out: number; w: number; b: number; act: Act }
  | {
      kind: 'conv';
      src: number;
      dst: number;
      g: ConvGeom;
      w: number;
      b: number;
      act: Act;
      bn?: { index: number; gamma: number; beta: number };
    }
  | { kind: 'act'; src: number; dst: number; act: Act }
  | { kind: 'pool'; src: number; dst: number; max: boolean; g: ConvGeom; global: boolean }
  | { kind: 'alias'; src: number; dst: number }
  | { kind: 'add'; srcs: number[]; dst: number; act: Act };

/** A network prepared for training: parameter layout, buffer sizes and the execution list. */
export interface TrainableModel {
  network: string;
  paramCount: number;
  inputSize: number;
  classes: number;
  /** Multiply-accumulates of one forward pass of one sample. */
  forwardMacs: number;
  /** Per-tensor element counts per sample; tensor 0 is the input. */
  sizes: number[];
  execs: Exec[];
  /** Index of the tensor holding the logits. */
  logits: number;
  /** Parameter tensors for initialisation: offset, count, fan-in, fan-out. */
  init: { offset: number; count: number; fanIn: number; fanOut: number; bias: boolean; constant?: number }[];
  /** Batch-norm layers (one after each convolution when compiled with batchNorm), in exec order. */
  batchNorms: number;
  /**
   * Where each layer's parameters sit in the flat vector: weights at `w` with `shape`
   * (dense [in, out]; conv [kh, kw, cin / groups, out]), then `out` biases at `b`; with batch
   * norm, `out` scales at `bn.gamma` and `out` shifts at `bn.beta`.
   */
  params: { layer: string; w: number; b: number; shape: number[]; bn?: { gamma: number; beta: number } }[];
}

const actOf = (l: Layer): Act => {
  const a = l.attrs.act;
  if (a === undefined || a === 'none') return 'none';
  if (a === 'relu' || a === 'relu6') return a;
  fail(D.trainerLayer, `layer '${l.name}': activation '${String(a)}' is not supported by the trainer (relu, relu6 or none)`, l.location);
};
const pairAttr = (l: Layer, k: string, dflt: number): [number, number] => {
  const v = l.attrs[k];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  if (typeof v === 'number') return [v, v];
  return [dflt, dflt];
};
const padAttr = (l: Layer): [number, number, number, number] => {
  const v = l.attrs.pad;
  if (Array.isArray(v) && v.length === 4) return v.map(Number) as [number, number, number, number];
  return [0, 0, 0, 0];
};
const elems = (t: TensorType) => t.shape.reduce((a, b) => a * b, 1);

export interface CompileOptions {
  /**
   * Batch normalisation after every convolution, before its activation (conv → BN → act), as
   * supernets train; a network lowered for deployment has it folded into the conv's weights.
   */
  batchNorm?: boolean;
}

/** Prepare a network for training. Fails with a located diagnostic on ops the trainer lacks. */
export function compileModel(net: Network, opts: CompileOptions = {}): TrainableModel {
  if (net.inputs.length !== 1)
    fail(D.trainerNetwork, `network '${net.name}': the trainer needs exactly one input, found ${net.inputs.length}`, net.location);
  if (net.outputs.length !== 1)
    fail(D.trainerNetwork, `network '${net.name}': the trainer needs exactly one output, found ${net.outputs.length}`, net.location);
  const index = new Map<string, number>();
  const types: TensorType[] = [];
  const sizes: number[] = [];
  const input = net.inputs[0];
  if (input.type.kind !== 'feature' && input.type.kind !== 'vector') {
    fail(
      D.trainerNetwork,
      `network '${net.name}': input '${input.name}' is ${input.type.kind}; the trainer takes image or vector inputs`,
      input.location,
    );
  }
  index.set(input.name, 0);
  types.push(input.type);
  sizes.push(elems(input.type));
  const execs: Exec[] = [];
  const init: TrainableModel['init'] = [];
  const params: TrainableModel['params'] = [];
  let paramCount = 0;
  let macs = 0;
  let batchNorms = 0;
  let logitsName = net.outputs[0];
  const alloc = (n: number) => {
    const o = paramCount;
    paramCount += n;
    return o;
  };
  const src = (l: Layer, i = 0): number => {
    const s = index.get(l.inputs[i]);
    if (s === undefined) fail(D.trainerNetwork, `layer '${l.name}': unknown input '${l.inputs[i]}'`, l.location);
    return s;
  };
  for (const l of net.layers) {
    const dst = types.length;
    const x = types[src(l)];
    const hasBias = l.attrs.bias !== false;
    switch (l.op) {
      case 'dense': {
        const inSize = elems(x);
        const out = Number(l.attrs.out);
        const w = alloc(inSize * out);
        const b = alloc(out);
        init.push({ offset: w, count: inSize * out, fanIn: inSize, fanOut: out, bias: false });
        init.push({ offset: b, count: out, fanIn: inSize, fanOut: out, bias: true });
        execs.push({ kind: 'dense', src: src(l), dst, inSize, out, w, b: hasBias ? b : -1, act: actOf(l) });
        params.push({ layer: l.name, w, b, shape: [inSize, out] });
        macs += inSize * out;
        break;
      }
      case 'conv2d':
      case 'dwconv2d': {
        if (x.kind !== 'feature') fail(D.trainerNetwork, `layer '${l.name}': ${l.op} needs an image input`, l.location);
        const [kh, kw] = pairAttr(l, 'kernel', 1);
        const [sh, sw] = pairAttr(l, 'stride', 1);
        const [dh, dw] = pairAttr(l, 'dilation', 1);
        const [pt, pl] = padAttr(l);
        const cin = x.shape[2];
        const groups = l.op === 'dwconv2d' ? cin : Number(l.attrs.groups ?? 1);
        const [oh, ow, cout] = l.output.shape;
        const g: ConvGeom = { ih: x.shape[0], iw: x.shape[1], cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, pt, pl, groups };
        const count = kh * kw * (cin / groups) * cout;
        const w = alloc(count);
        const b = alloc(cout);
        const fanIn = kh * kw * (cin / groups);
        init.push({ offset: w, count, fanIn, fanOut: kh * kw * (cout / groups), bias: false });
        init.push({ offset: b, count: cout, fanIn, fanOut: cout, bias: true });
        if (opts.batchNorm) {
          const gamma = alloc(cout);
          const beta = alloc(cout);
          init.push({ offset: gamma, count: cout, fanIn, fanOut: cout, bias: true, constant: 1 });
          init.push({ offset: beta, count: cout, fanIn, fanOut: cout, bias: true });
          execs.push({
            kind: 'conv',
            src: src(l),
            dst,
            g,
            w,
            b: hasBias ? b : -1,
            act: actOf(l),
            bn: { index: batchNorms++, gamma, beta },
          });
          params.push({ layer: l.name, w, b, shape: [kh, kw, cin / groups, cout], bn: { gamma, beta } });
        } else {
          execs.push({ kind: 'conv', src: src(l), dst, g, w, b: hasBias ? b : -1, act: actOf(l) });
          params.push({ layer: l.name, w, b, shape: [kh, kw, cin / groups, cout] });
        }
        macs += oh * ow * cout * fanIn;
        break;
      }
      case 'relu':
      case 'relu6':
        execs.push({ kind: 'act', src: src(l), dst, act: l.op });
        break;
      case 'maxpool':
      case 'avgpool': {
        if (x.kind !== 'feature') fail(D.trainerNetwork, `layer '${l.name}': ${l.op} needs an image input`, l.location);
        const global = l.attrs.global === true;
        const [kh, kw] = global ? [x.shape[0], x.shape[1]] : pairAttr(l, 'kernel', 2);
        const [sh, sw] = global ? [1, 1] : pairAttr(l, 'stride', kh);
        const [pt, pl] = global ? [0, 0] : padAttr(l);
        const oh = global ? 1 : l.output.shape[0];
        const ow = global ? 1 : l.output.shape[1];
        const c = x.shape[2];
        const g: ConvGeom = { ih: x.shape[0], iw: x.shape[1], cin: c, oh, ow, cout: c, kh, kw, sh, sw, dh: 1, dw: 1, pt, pl, groups: c };
        execs.push({ kind: 'pool', src: src(l), dst, max: l.op === 'maxpool', g, global });
        break;
      }
      case 'flatten':
      case 'reshape':
      case 'dequantize':
      case 'quantize':
        execs.push({ kind: 'alias', src: src(l), dst });
        break;
      case 'softmax':
        // Softmax is folded into the loss: its input's values are the logits.
        if (net.outputs[0] !== l.name) fail(D.trainerLayer, `layer '${l.name}': softmax is only supported as the final layer`, l.location);
        logitsName = l.inputs[0];
        execs.push({ kind: 'alias', src: src(l), dst });
        break;
      case 'add':
        execs.push({ kind: 'add', srcs: l.inputs.map((_, i) => src(l, i)), dst, act: actOf(l) });
        break;
      default:
        fail(
          D.trainerLayer,
          `layer '${l.name}': op '${l.op}' is not supported by the trainer (dense, conv2d, dwconv2d, relu, relu6, maxpool, avgpool, flatten, add, softmax)`,
          l.location,
        );
    }
    index.set(l.name, dst);
    types.push(l.output);
    sizes.push(elems(l.output));
  }
  const logits = index.get(logitsName);
  if (logits === undefined) fail(D.trainerNetwork, `network '${net.name}': output '${logitsName}' is not a layer`, net.location);
  const lt = types[logits];
  if (lt.kind !== 'vector')
    fail(
      D.trainerNetwork,
      `network '${net.name}': the output must be a vector of class scores, got ${lt.kind} [${lt.shape.join(', ')}]`,
      net.location,
    );
  return {
    network: net.name,
    paramCount,
    inputSize: sizes[0],
    classes: sizes[logits],
    forwardMacs: macs,
    sizes,
    execs,
    logits,
    init,
    params,
    batchNorms,
  };
}

/**
 * Uniform weights and zero biases, from a seed: Glorot (bound sqrt(6 / (fan-in + fan-out)), the
 * tfjs/Keras default) or He (bound sqrt(6 / fan-in), for deep ReLU chains without normalisation).
 */
export function initParams(model: TrainableModel, seed: number, scheme: 'glorot' | 'he' = 'glorot'): Float32Array {
  const p = new Float32Array(model.paramCount);
  const rng = new Prng(seed);
  for (const t of model.init) {
    if (t.constant !== undefined) p.fill(t.constant, t.offset, t.offset + t.count);
    if (t.bias) continue;
    const bound = Math.sqrt(6 / (scheme === 'he' ? t.fanIn : t.fanIn + t.fanOut));
    for (let i = 0; i < t.count; i++) p[t.offset + i] = (2 * rng.next() - 1) * bound;
  }
  return p;
}

/**
 * Forward/backward engine for one model at one maximum batch size. Reuses its buffers on
 * every call; not re-entrant.
 */
export class Trainer {
  readonly grad: Float32Array;
  private readonly acts: Float32Array[];
  private readonly dacts: Float32Array[];
  /** Max-pool argmax per output element. */
  private readonly argmax: Int32Array[];
  private readonly probs: Float32Array;
  /** Tensor index -> the tensor whose buffer it shares (itself unless an alias). */
  private readonly root: Int32Array;
  /** Batch-norm state per batch-norm layer (running statistics live here, per model). */
  readonly batchNorms: BatchNormState[] = [];
  /** True while a forward pass normalises with batch statistics (training, calibration). */
  private batchStats = false;

  constructor(
    readonly model: TrainableModel,
    readonly maxBatch: number,
  ) {
    this.grad = new Float32Array(model.paramCount);
    // Aliases share their source's buffer so flatten/reshape cost nothing.
    this.acts = [];
    this.dacts = [];
    this.argmax = [];
    const aliasOf = new Map<number, number>();
    for (const e of model.execs) if (e.kind === 'alias') aliasOf.set(e.dst, aliasOf.get(e.src) ?? e.src);
    this.root = Int32Array.from(model.sizes, (_, t) => aliasOf.get(t) ?? t);
    for (let t = 0; t < model.sizes.length; t++) {
      const root = aliasOf.get(t);
      if (root !== undefined) {
        this.acts.push(this.acts[root]);
        this.dacts.push(this.dacts[root]);
      } else {
        this.acts.push(new Float32Array(model.sizes[t] * maxBatch));
        this.dacts.push(new Float32Array(model.sizes[t] * maxBatch));
      }
    }
    for (let t = 0; t < model.sizes.length; t++) this.argmax.push(new Int32Array(0));
    for (const e of model.execs) if (e.kind === 'pool' && e.max) this.argmax[e.dst] = new Int32Array(model.sizes[e.dst] * maxBatch);
    this.probs = new Float32Array(model.classes * maxBatch);
    for (const e of model.execs)
      if (e.kind === 'conv' && e.bn) this.batchNorms[e.bn.index] = new BatchNormState(e.g.cout, model.sizes[e.dst] * maxBatch);
  }

  /**
   * Set every batch-norm layer's running statistics to their exact values over `count`
   * samples of x (forward passes with batch statistics over `chunk` samples at a time, as
   * once-for-all recalibrates a subnet; deeper layers' statistics depend on the chunk size).
   */
  recalibrate(params: Float32Array, x: Float32Array, count: number, chunk = this.maxBatch): void {
    if (this.batchNorms.length === 0) return;
    if (chunk > this.maxBatch) throw new Error(`calibration chunk ${chunk} exceeds the trainer's batch ${this.maxBatch}`);
    const d = this.model.inputSize;
    for (const s of this.batchNorms) beginCalibration(s);
    this.batchStats = true;
    try {
      for (let s = 0; s < count; s += chunk) {
        const n = Math.min(chunk, count - s);
        this.forward(params, x.subarray(s * d, (s + n) * d), n);
      }
    } finally {
      this.batchStats = false;
      for (const s of this.batchNorms) endCalibration(s);
    }
  }

  /** Run the network on n samples (x holds n * inputSize values); returns the logits buffer. */
  forward(params: Float32Array, x: Float32Array, n: number): Float32Array {
    if (n > this.maxBatch) throw new Error(`batch ${n} exceeds the trainer's ${this.maxBatch}`);
    this.acts[0].set(x.subarray(0, n * this.model.inputSize));
    for (const e of this.model.execs) this.forwardOne(e, params, n);
    return this.acts[this.model.logits];
  }

  /**
   * Mean softmax cross-entropy over n samples and its gradient in `this.grad`.
   * Returns the loss. With `soft` (n rows of `classes` probabilities), the targets are those
   * distributions instead of the labels (knowledge distillation from a teacher's outputs).
   */
  lossAndGradient(params: Float32Array, x: Float32Array, labels: Int32Array | Uint8Array, n: number, soft?: Float32Array): number {
    const m = this.model;
    this.batchStats = true;
    try {
      this.forward(params, x, n);
    } finally {
      this.batchStats = false;
    }
    const logits = this.acts[m.logits];
    const C = m.classes;
    for (const d of this.dacts) d.fill(0, 0, d.length);
    const dl = this.dacts[m.logits];
    let loss = 0;
    const inv = 1 / n;
    for (let b = 0; b < n; b++) {
      const o = b * C;
      let mx = -Infinity;
      for (let c = 0; c < C; c++) if (logits[o + c] > mx) mx = logits[o + c];
      let s = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(logits[o + c] - mx);
        this.probs[o + c] = e;
        s += e;
      }
      if (soft) {
        // Cross-entropy against the teacher's distribution: -sum_c q_c log p_c.
        const logS = Math.log(s);
        for (let c = 0; c < C; c++) {
          const q = soft[o + c];
          if (q > 0) loss += q * (logS - (logits[o + c] - mx));
          dl[o + c] = (this.probs[o + c] / s - q) * inv;
        }
      } else {
        const y = labels[b];
        loss += Math.log(s) - (logits[o + y] - mx);
        for (let c = 0; c < C; c++) dl[o + c] = (this.probs[o + c] / s - (c === y ? 1 : 0)) * inv;
      }
      for (let c = 0; c < C; c++) this.probs[o + c] /= s;
    }
    this.grad.fill(0);
    const ex = m.execs;
    for (let i = ex.length - 1; i >= 0; i--) this.backwardOne(ex[i], params, n);
    return loss * inv;
  }

  /** The softmax outputs of the last lossAndGradient call's n samples (n rows of `classes`), copied into out. */
  softmaxOf(n: number, out: Float32Array): Float32Array {
    out.set(this.probs.subarray(0, n * this.model.classes));
    return out;
  }

  /** Predicted classes of n samples into out. */
  predict(params: Float32Array, x: Float32Array, n: number, out: Int32Array): void {
    const C = this.model.classes;
    const logits = this.forward(params, x, n);
    for (let b = 0; b < n; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[b * C + c] > logits[b * C + best]) best = c;
      out[b] = best;
    }
  }

  /** Gradients with respect to the network input (or an alias of it) are never needed. */
  private needsDx(t: number): boolean {
    return this.root[t] !== 0;
  }

  private forwardOne(e: Exec, p: Float32Array, n: number): void {
    const sizes = this.model.sizes;
    switch (e.kind) {
      case 'dense':
        denseForward(this.acts[e.src], this.acts[e.dst], p, e.w, e.b, e.inSize, e.out, n);
        applyAct(this.acts[e.dst], 0, n * e.out, e.act);
        return;
      case 'conv':
        convForward(this.acts[e.src], this.acts[e.dst], p, e.w, e.b, e.g, n);
        if (e.bn)
          batchNormForward(this.acts[e.dst], n * sizes[e.dst], p, e.bn.gamma, e.bn.beta, this.batchNorms[e.bn.index], this.batchStats);
        if (e.act !== 'none') applyAct(this.acts[e.dst], 0, n * sizes[e.dst], e.act);
        return;
      case 'act': {
        const x = this.acts[e.src];
        const y = this.acts[e.dst];
        const len = n * sizes[e.dst];
        for (let i = 0; i < len; i++) {
          const v = x[i];
          y[i] = v > 0 ? (e.act === 'relu6' && v > 6 ? 6 : v) : 0;
        }
        return;
      }
      case 'pool':
        poolForward(this.acts[e.src], this.acts[e.dst], this.argmax[e.dst], e.g, e.max, n);
        return;
      case 'alias':
        return;
      case 'add': {
        const y = this.acts[e.dst];
        const len = n * sizes[e.dst];
        y.set(this.acts[e.srcs[0]].subarray(0, len));
        for (let k = 1; k < e.srcs.length; k++) {
          const x = this.acts[e.srcs[k]];
          for (let i = 0; i < len; i++) y[i] += x[i];
        }
        if (e.act !== 'none') applyAct(y, 0, len, e.act);
        return;
      }
    }
  }

  private backwardOne(e: Exec, p: Float32Array, n: number): void {
    const sizes = this.model.sizes;
    const gr = this.grad;
    switch (e.kind) {
      case 'dense':
        maskAct(this.dacts[e.dst], this.acts[e.dst], 0, n * e.out, e.act);
        denseBackward(this.acts[e.src], this.dacts[e.dst], this.dacts[e.src], p, gr, e.w, e.b, e.inSize, e.out, n, this.needsDx(e.src));
        return;
      case 'conv':
        if (e.act !== 'none') maskAct(this.dacts[e.dst], this.acts[e.dst], 0, n * sizes[e.dst], e.act);
        if (e.bn) batchNormBackward(this.dacts[e.dst], n * sizes[e.dst], p, gr, e.bn.gamma, e.bn.beta, this.batchNorms[e.bn.index]);
        convBackward(this.acts[e.src], this.dacts[e.dst], this.dacts[e.src], p, gr, e.w, e.b, e.g, n, this.needsDx(e.src));
        return;
      case 'act': {
        const y = this.acts[e.dst];
        const dy = this.dacts[e.dst];
        const dx = this.dacts[e.src];
        const len = n * sizes[e.dst];
        const r6 = e.act === 'relu6';
        for (let i = 0; i < len; i++) {
          const v = y[i];
          if (v > 0 && !(r6 && v >= 6)) dx[i] += dy[i];
        }
        return;
      }
      case 'pool':
        poolBackward(this.dacts[e.dst], this.dacts[e.src], this.argmax[e.dst], e.g, e.max, n);
        return;
      case 'alias':
        // Shares the buffer with its source; gradients already land there.
        return;
      case 'add': {
        const len = n * sizes[e.dst];
        const dy = this.dacts[e.dst];
        if (e.act !== 'none') maskAct(dy, this.acts[e.dst], 0, len, e.act);
        for (const s of e.srcs) {
          const dx = this.dacts[s];
          for (let i = 0; i < len; i++) dx[i] += dy[i];
        }
        return;
      }
    }
  }
}

// Dense weights are W[in][out]: the forward pass and the weight gradient both run along a
// contiguous output row (axpy), four inputs at a time to cut loads and stores of y / dW.
function denseForward(x: Float32Array, y: Float32Array, p: Float32Array, w: number, bo: number, I: number, O: number, n: number): void {
  for (let b = 0; b < n; b++) {
    const yo = b * O;
    const xo = b * I;
    if (bo >= 0) for (let j = 0; j < O; j++) y[yo + j] = p[bo + j];
    else y.fill(0, yo, yo + O);
    let i = 0;
    for (; i + 4 <= I; i += 4) {
      const x0 = x[xo + i];
      const x1 = x[xo + i + 1];
      const x2 = x[xo + i + 2];
      const x3 = x[xo + i + 3];
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const w0 = w + i * O;
      const w1 = w0 + O;
      const w2 = w1 + O;
      const w3 = w2 + O;
      for (let j = 0; j < O; j++) y[yo + j] += x0 * p[w0 + j] + x1 * p[w1 + j] + x2 * p[w2 + j] + x3 * p[w3 + j];
    }
    for (; i < I; i++) {
      const xv = x[xo + i];
      if (xv === 0) continue;
      const wo = w + i * O;
      for (let j = 0; j < O; j++) y[yo + j] += xv * p[wo + j];
    }
  }
}

function denseBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: Float32Array,
  gr: Float32Array,
  w: number,
  bo: number,
  I: number,
  O: number,
  n: number,
  needDx: boolean,
): void {
  if (bo >= 0) for (let b = 0; b < n; b++) for (let j = 0; j < O; j++) gr[bo + j] += dy[b * O + j];
  // dW[i][:] += sum_b x[b][i] * dy[b][:], four samples per pass over the row.
  let b = 0;
  for (; b + 4 <= n; b += 4) {
    const y0 = b * O;
    const y1 = y0 + O;
    const y2 = y1 + O;
    const y3 = y2 + O;
    const x0 = b * I;
    for (let i = 0; i < I; i++) {
      const a0 = x[x0 + i];
      const a1 = x[x0 + I + i];
      const a2 = x[x0 + 2 * I + i];
      const a3 = x[x0 + 3 * I + i];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const wo = w + i * O;
      for (let j = 0; j < O; j++) gr[wo + j] += a0 * dy[y0 + j] + a1 * dy[y1 + j] + a2 * dy[y2 + j] + a3 * dy[y3 + j];
    }
  }
  for (; b < n; b++) {
    const yo = b * O;
    const xo = b * I;
    for (let i = 0; i < I; i++) {
      const xv = x[xo + i];
      if (xv === 0) continue;
      const wo = w + i * O;
      for (let j = 0; j < O; j++) gr[wo + j] += xv * dy[yo + j];
    }
  }
  if (!needDx) return;
  for (let bb = 0; bb < n; bb++) {
    const yo = bb * O;
    const xo = bb * I;
    for (let i = 0; i < I; i++) {
      const wo = w + i * O;
      let s = 0;
      for (let j = 0; j < O; j++) s += p[wo + j] * dy[yo + j];
      dx[xo + i] += s;
    }
  }
}

function applyAct(y: Float32Array, o: number, len: number, act: Act): void {
  if (act === 'none') return;
  const end = o + len;
  if (act === 'relu')
    for (let i = o; i < end; i++) {
      if (y[i] < 0) y[i] = 0;
    }
  else
    for (let i = o; i < end; i++) {
      const v = y[i];
      y[i] = v < 0 ? 0 : v > 6 ? 6 : v;
    }
}

/** Zero the gradient where the fused activation was flat (the output tells where). */
function maskAct(dy: Float32Array, y: Float32Array, o: number, len: number, act: Act): void {
  if (act === 'none') return;
  const end = o + len;
  if (act === 'relu')
    for (let i = o; i < end; i++) {
      if (y[i] <= 0) dy[i] = 0;
    }
  else
    for (let i = o; i < end; i++) {
      const v = y[i];
      if (v <= 0 || v >= 6) dy[i] = 0;
    }
}

function poolForward(x: Float32Array, y: Float32Array, arg: Int32Array, g: ConvGeom, max: boolean, n: number): void {
  const { ih, iw, cin: c, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  const inS = ih * iw * c;
  const outS = oh * ow * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = b * outS + (oy * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let bi = -1;
          let sum = 0;
          let cnt = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky;
            if (iy < 0 || iy >= ih) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx;
              if (ix < 0 || ix >= iw) continue;
              const xi = b * inS + (iy * iw + ix) * c + ch;
              const v = x[xi];
              if (max) {
                if (v > best) {
                  best = v;
                  bi = xi;
                }
              } else {
                sum += v;
                cnt++;
              }
            }
          }
          if (max) {
            y[yo + ch] = bi >= 0 ? best : 0;
            arg[yo + ch] = bi;
          } else {
            // Padding is excluded from the average (TensorFlow's convention).
            y[yo + ch] = cnt ? sum / cnt : 0;
          }
        }
      }
    }
  }
}

function poolBackward(dy: Float32Array, dx: Float32Array, arg: Int32Array, g: ConvGeom, max: boolean, n: number): void {
  const { ih, iw, cin: c, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  const inS = ih * iw * c;
  const outS = oh * ow * c;
  if (max) {
    const len = n * outS;
    for (let i = 0; i < len; i++) if (arg[i] >= 0) dx[arg[i]] += dy[i];
    return;
  }
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - pt);
      const y1 = Math.min(ih, oy * sh - pt + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - pl);
        const x1 = Math.min(iw, ox * sw - pl + kw);
        const cnt = (y1 - y0) * (x1 - x0);
        if (cnt <= 0) continue;
        const yo = b * outS + (oy * ow + ox) * c;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const xo = b * inS + (iy * iw + ix) * c;
            for (let ch = 0; ch < c; ch++) dx[xo + ch] += dy[yo + ch] / cnt;
          }
        }
      }
    }
  }
}

/** Accuracy of params on a labelled set, evaluated in chunks of the trainer's batch size. */
export function accuracy(trainer: Trainer, params: Float32Array, x: Float32Array, y: Int32Array | Uint8Array, count: number): number {
  const d = trainer.model.inputSize;
  const pred = new Int32Array(trainer.maxBatch);
  let right = 0;
  for (let s = 0; s < count; s += trainer.maxBatch) {
    const n = Math.min(trainer.maxBatch, count - s);
    trainer.predict(params, x.subarray(s * d, (s + n) * d), n, pred);
    for (let b = 0; b < n; b++) if (pred[b] === y[s + b]) right++;
  }
  return count ? right / count : 0;
}
