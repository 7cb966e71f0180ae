// Patch-based execution of a quantised model with the int8 reference kernels: for every patch,
// copy the input region (with halo), run the patch stage on patch-sized buffers, write the
// output tile into the full-size map; then run the rest layer by layer. Must give the same
// bits as layer-by-layer execution (tests check it on every model).
import type { QData, QModel, QOp } from '../../ir/quantized.ts';
import { allocateData, runModel, type RunOptions } from '../../reference/int8/executor.ts';
import * as K from '../../reference/int8/kernels.ts';
import type {
  AddParams,
  ConcatParams,
  ConvParams,
  DequantizeParams,
  MulParams,
  OpParams,
  PadParams,
  PoolParams,
  QuantizeParams,
} from '../../reference/int8/params.ts';
import { computeOpParams } from '../../reference/int8/params.ts';
import { regionHeight, regionWidth, type Region } from './geometry.ts';
import { graphFromQModel, type PatchGraph, type PNode } from './graph.ts';
import { planPatches, type PatchPlan } from './schedule.ts';

type Ctor = { new (n: number): QData };

function ctorOf(d: QData): Ctor {
  return d.constructor as Ctor;
}

/** A patch buffer: the region of a tensor it holds, channels-last. */
interface Patch {
  region: Region;
  c: number;
  data: QData;
}

/** Copy `sub` (inside `src.region`) out of a patch or full map into a new dense buffer. */
function crop(src: Patch, sub: Region): QData {
  const h = regionHeight(sub);
  const w = regionWidth(sub);
  const { c } = src;
  const sw = regionWidth(src.region);
  const out = new (ctorOf(src.data))(h * w * c);
  if (sub.y0 < src.region.y0 || sub.x0 < src.region.x0 || sub.y1 > src.region.y1 || sub.x1 > src.region.x1) {
    throw new Error(
      `internal: region [${sub.y0},${sub.y1})x[${sub.x0},${sub.x1}) is outside the buffer's [${src.region.y0},${src.region.y1})x[${src.region.x0},${src.region.x1})`,
    );
  }
  for (let y = 0; y < h; y++) {
    const from = ((sub.y0 - src.region.y0 + y) * sw + (sub.x0 - src.region.x0)) * c;
    (out as Int8Array).set((src.data as Int8Array).subarray(from, from + w * c), y * w * c);
  }
  return out;
}

/** Write a dense tile into a full-size map. */
function paste(full: QData, fullW: number, c: number, tile: Region, data: QData): void {
  const w = regionWidth(tile);
  for (let y = 0; y < regionHeight(tile); y++) {
    (full as Int8Array).set((data as Int8Array).subarray(y * w * c, (y + 1) * w * c), ((tile.y0 + y) * fullW + tile.x0) * c);
  }
}

/** The op a node executes (a folded PAD becomes the conv's explicit padding). */
export function nodeOp(model: QModel, n: PNode): QOp {
  const last = model.ops[n.ops[n.ops.length - 1]];
  if (n.ops.length === 1) return last;
  const pad = model.ops[n.ops[0]];
  const pads = model.tensors[pad.inputs[1]].data as Int32Array;
  const prev = last.options.explicitPad ?? [0, 0, 0, 0];
  return {
    ...last,
    inputs: [pad.inputs[0], ...last.inputs.slice(1)],
    options: { ...last.options, explicitPad: [prev[0] + pads[2], prev[1] + pads[4], prev[2] + pads[3], prev[3] + pads[5]] },
  };
}

/** Params of a windowed op re-based onto patch buffers: input region `rin`, output region `rout`. */
function windowed<P extends ConvParams | PoolParams>(p: P, rin: Region, rout: Region): P {
  return {
    ...p,
    inH: regionHeight(rin),
    inW: regionWidth(rin),
    outH: regionHeight(rout),
    outW: regionWidth(rout),
    padTop: p.padTop - rout.y0 * p.strideH + rin.y0,
    padLeft: p.padLeft - rout.x0 * p.strideW + rin.x0,
  };
}

export interface PatchRunOptions extends RunOptions {
  /** Precomputed graph and plan (else built here). */
  graph?: PatchGraph;
  plan?: PatchPlan;
}

/**
 * Run `model` with its first `split` ops patch by patch over a p x p grid. `inputs` as for
 * runModel. Returns the model outputs.
 */
export function runPatchBased(model: QModel, inputs: QData[], split: number, p: number, opts: PatchRunOptions = {}): QData[] {
  const g = opts.graph ?? graphFromQModel(model);
  const plan = opts.plan ?? planPatches(g, split, p);
  const stage = g.nodes.slice(0, plan.stageNodes);
  const params = new Map<number, OpParams>(stage.map((n) => [n.index, computeOpParams(model, nodeOp(model, n))]));
  const cutT = g.tensors[plan.cut];
  const cutData = allocLike(model, plan.cut, cutT.h * cutT.w * cutT.c);
  const full = new Map<number, Patch>();
  model.inputs.forEach((id, i) => {
    const t = g.tensors[id];
    full.set(id, { region: { y0: 0, y1: t.h, x0: 0, x1: t.w }, c: t.c, data: inputs[i] });
  });

  plan.regions.forEach((regions, pi) => {
    const bufs = new Map<number, Patch>();
    // Copy the input patches (with their halos) out of the full inputs.
    for (const id of model.inputs) {
      const r = regions.get(id);
      if (r) bufs.set(id, { region: r, c: g.tensors[id].c, data: crop(full.get(id)!, r) });
    }
    for (const n of stage) {
      const rout = regions.get(n.output);
      if (!rout) continue;
      const outT = g.tensors[n.output];
      const out = allocLike(model, n.output, regionHeight(rout) * regionWidth(rout) * outT.c);
      const prm = params.get(n.index)!;
      const op = nodeOp(model, n);
      const src = (i: number) => {
        const b = bufs.get(i);
        if (!b) throw new Error(`internal: patch ${pi}: tensor ${i} not computed before ${n.name}`);
        return b;
      };
      const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? (model.tensors[op.inputs[2]].data as Int32Array) : undefined;
      switch (prm.kind) {
        case 'conv':
        case 'dwconv': {
          const b = src(n.inputs[0]);
          const q = windowed(prm, b.region, rout);
          const filter = model.tensors[op.inputs[1]].data as Int8Array;
          if (prm.kind === 'conv') K.conv2d(q, b.data as Int8Array, filter, bias, out as Int8Array);
          else K.depthwiseConv2d(q, b.data as Int8Array, filter, bias, out as Int8Array);
          break;
        }
        case 'avgpool':
        case 'maxpool': {
          const b = src(n.inputs[0]);
          const q = windowed(prm, b.region, rout);
          if (prm.kind === 'avgpool') K.averagePool2d(q, b.data as Int8Array, out as Int8Array);
          else K.maxPool2d(q, b.data as Int8Array, out as Int8Array);
          break;
        }
        case 'pad': {
          const b = src(n.inputs[0]);
          const win = n.window!;
          // Exactly the input pixels this output region copies (the buffer may hold more).
          const need: Region = {
            y0: Math.max(0, rout.y0 - win.h.padBefore),
            y1: Math.min(g.tensors[n.inputs[0]].h, rout.y1 - win.h.padBefore),
            x0: Math.max(0, rout.x0 - win.w.padBefore),
            x1: Math.min(g.tensors[n.inputs[0]].w, rout.x1 - win.w.padBefore),
          };
          const pp = prm as PadParams;
          if (need.y1 <= need.y0 || need.x1 <= need.x0) {
            (out as Int8Array).fill(pp.padValue);
            break;
          }
          const local: PadParams = {
            ...pp,
            inShape: [1, regionHeight(need), regionWidth(need), outT.c],
            outShape: [1, regionHeight(rout), regionWidth(rout), outT.c],
            before: [0, need.y0 + win.h.padBefore - rout.y0, need.x0 + win.w.padBefore - rout.x0, 0],
          };
          K.pad(local, crop(b, need) as Int8Array, out as Int8Array);
          break;
        }
        case 'add':
        case 'mul': {
          const shape = [1, regionHeight(rout), regionWidth(rout), outT.c];
          const q = { ...prm, broadcast: { outShape: shape, strides1: [], strides2: [], needed: false } } as AddParams | MulParams;
          const a = crop(src(n.inputs[0]), rout) as Int8Array;
          const bb = crop(src(n.inputs[1]), rout) as Int8Array;
          if (q.kind === 'add') K.add(q, a, bb, out as Int8Array);
          else K.mul(q, a, bb, out as Int8Array);
          break;
        }
        case 'quantize': {
          const q: QuantizeParams = { ...prm, count: out.length };
          K.quantize(q, crop(src(n.inputs[0]), rout) as Float32Array | Int8Array, out as Int8Array);
          break;
        }
        case 'dequantize': {
          const q: DequantizeParams = { ...prm, count: out.length };
          K.dequantize(q, crop(src(n.inputs[0]), rout) as Int8Array, out as Float32Array);
          break;
        }
        case 'concat': {
          const area = regionHeight(rout) * regionWidth(rout);
          const q: ConcatParams = { ...prm, outer: area, chunks: n.inputs.map((i) => g.tensors[i].c) };
          K.concatenation(
            q,
            n.inputs.map((i) => crop(src(i), rout) as Int8Array),
            out as Int8Array,
          );
          break;
        }
        default:
          throw new Error(`internal: ${n.name} (${prm.kind}) cannot run on a patch`);
      }
      bufs.set(n.output, { region: rout, c: outT.c, data: out });
    }
    // Write this patch's tile of the split tensor into the full-size map.
    paste(cutData, cutT.w, cutT.c, plan.tiles[pi], crop(bufs.get(plan.cut)!, plan.tiles[pi]));
  });

  // The per-layer stage: the rest of the model, fed by the full map.
  const rest: QModel = { ...model, ops: model.ops.filter((op) => op.index >= split), inputs: [plan.cut] };
  return runModel(rest, [cutData], opts);
}

function allocLike(model: QModel, id: number, n: number): QData {
  return allocateData(model.tensors[id].dtype, n);
}
