// Latency before deployment: a per-op instruction-count model of the emitted kernels (Cortex-M4,
// portable and SMLAD paths). Each op maps to a kernel class and a few shape features (MACs,
// output elements, pixels, calls); its count is their dot product with the class's coefficients.
import type { QModel, QOp } from '../ir/quantized.ts';
import { opMacs, qElements } from '../ir/quantized.ts';
import type { MemoryPlan } from './planner.ts';
import { nodeOp } from './patch/execute.ts';
import { regionArea } from './patch/geometry.ts';
import type { PatchGraph } from './patch/graph.ts';
import type { PatchPlan } from './patch/schedule.ts';
import { INSTRUCTION_MODEL } from './instruction-model.ts';

export type KernelPath = 'smlad' | 'portable';

/** The kernel class an op runs and its features, in the order of the class's coefficients. */
export interface OpCostFeatures {
  op: number;
  kind: string;
  cls: string;
  features: number[];
}

/**
 * Feature vectors. Convolutions: [MACs, output elements, output elements x taps, pixels x taps x
 * input channels, output pixels, kernel calls];
 * depthwise: [MACs, output elements, input elements, 1]; elementwise and data movement:
 * [elements, 1]; fully connected: [MACs, outputs]; pools: [window taps x outputs, outputs, 1].
 * A convolution fused with a residual ADD (planner.ts) also pays the ADD's elements; the ADD
 * itself then costs nothing.
 */
export function opCostFeatures(model: QModel, op: QOp, plan: Pick<MemoryPlan, 'fused'>, path: KernelPath): OpCostFeatures[] {
  const k = op.index;
  const inT = model.tensors[op.inputs[0]];
  const outT = model.tensors[op.outputs[0]];
  const outElems = qElements(outT.shape);
  const inElems = qElements(inT.shape);
  const macs = opMacs(model, op);
  const p = path === 'smlad' ? 'f' : 'p';
  const one = (cls: string, features: number[]): OpCostFeatures[] => [{ op: k, kind: op.kind, cls, features }];
  const fusedAdd = [...plan.fused.values()].find((f) => f.add === k);
  switch (op.kind) {
    case 'CONV_2D': {
      const f = model.tensors[op.inputs[1]].shape;
      const pixels = outT.shape[1] * outT.shape[2];
      const fused = plan.fused.get(k);
      const calls = fused ? Math.ceil(fused.pixels / fused.chunkPixels) : 1;
      const taps = f[1] * f[2];
      // per MAC; per output (requantisation); per output and tap (the portable loop's bounds
      // checks); per pixel, tap and input channel (the fast kernels' column); per pixel; per call
      const strided = (op.options.strideH ?? 1) > 1 && taps === 1 ? 's2' : '';
      const conv = one(`${p}:conv${taps === 1 ? '1x1' : 'kxk'}${strided}`, [macs, outElems, outElems * taps, pixels * taps * f[3], pixels, calls]);
      return fused ? [...conv, { op: k, kind: 'ADD', cls: 'add', features: [outElems, calls] }] : conv;
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = model.tensors[op.inputs[1]].shape;
      const s = op.options.strideH ?? 1;
      const tiny = path === 'smlad' && outT.shape[1] * outT.shape[2] <= 25 && inT.shape[1] <= 5 ? ':tiny' : '';
      return one(`${p}:dw${f[1]}x${f[2]}s${s}${tiny}`, [macs, outElems, inElems, 1]);
    }
    case 'FULLY_CONNECTED':
      return one('fc', [macs, outElems]);
    case 'ADD':
      return fusedAdd ? [] : one('add', [outElems, 1]);
    case 'QUANTIZE':
      return inT.dtype === 'float32' ? one(`${p}:quantize_float`, [outElems, 1]) : one('requantize', [outElems, 1]);
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const taps = (op.options.filterH ?? 1) * (op.options.filterW ?? 1);
      return one(op.kind === 'MAX_POOL_2D' ? 'maxpool' : 'avgpool', [taps * outElems, outElems, 1]);
    }
    case 'MEAN':
      return one('mean', [inElems, outElems, 1]);
    case 'RESHAPE':
      return one('copy', [outElems * (outT.dtype === 'float32' ? 4 : 1), 1]);
    default:
      return one(op.kind.toLowerCase(), [Math.max(inElems, outElems), 1]);
  }
}

const table: { fixed: number; classes: Record<string, number[]> } = INSTRUCTION_MODEL;

/** Coefficients of a class: those fitted, else the nearest class of the other path, else none. */
function coefficientsOf(cls: string): number[] | undefined {
  if (table.classes[cls]) return table.classes[cls];
  const other = cls.startsWith('f:') ? `p:${cls.slice(2)}` : cls.startsWith('p:') ? `f:${cls.slice(2)}` : undefined;
  const base = cls.replace(/:tiny$/, '').replace(/^(\w:conv1x1)s2$/, '$1');
  return table.classes[base] ?? (other ? table.classes[other] ?? table.classes[other.replace(/:tiny$/, '')] : undefined);
}

export interface PredictedInstructions {
  total: number;
  /**
   * Per op: layer-by-layer programs by the lowered model's op index; patch programs list the
   * per-patch stage's ops (source op indices, all patches summed) then the per-layer stage's
   * (op indices of that stage, as its debug dumps number them).
   */
  per_op: { op: number; kind: string; kernel: string; instructions: number; stage?: 'patch' | 'layer' }[];
  /** Classes without coefficients (their ops count 0). */
  unknown: string[];
}

function cost(parts: OpCostFeatures[], unknown: Set<string>, scale = 1): number {
  let instructions = 0;
  for (const part of parts) {
    const c = coefficientsOf(part.cls);
    if (!c) {
      unknown.add(part.cls);
      continue;
    }
    // every feature but the last (calls, or the per-call constant) grows with the region computed
    instructions += part.features.reduce((s, f, i) => s + f * (c[i] ?? 0) * (i < part.features.length - 1 ? scale : 1), 0);
  }
  return instructions;
}

/** Predicted instructions of one inference of the layer-by-layer program of `model` (lowered). */
export function predictInstructions(model: QModel, plan: Pick<MemoryPlan, 'fused'>, path: KernelPath): PredictedInstructions {
  const unknown = new Set<string>();
  const perOp = model.ops.map((op) => {
    const parts = opCostFeatures(model, op, plan, path);
    return { op: op.index, kind: op.kind, kernel: parts.map((x) => x.cls).join('+') || 'fused', instructions: Math.max(0, Math.round(cost(parts, unknown))) };
  });
  return { total: Math.round(table.fixed) + perOp.reduce((s, o) => s + o.instructions, 0), per_op: perOp, unknown: [...unknown] };
}

/**
 * A patch program: each per-patch stage op costs, per patch, its features scaled by the share of
 * its output map the patch computes (plus the per-call term); the per-layer stage as above.
 */
export function predictPatchInstructions(
  source: QModel, g: PatchGraph, plan: PatchPlan, rest: QModel, restPlan: Pick<MemoryPlan, 'fused'>, path: KernelPath,
): PredictedInstructions {
  const unknown = new Set<string>();
  const noFusion = { fused: new Map() };
  const stage = g.nodes.slice(0, plan.stageNodes).map((n) => {
    const op = nodeOp(source, n);
    const parts = opCostFeatures(source, op, noFusion, path);
    const t = g.tensors[n.output];
    let instructions = 0;
    for (const r of plan.regions) {
      const reg = r.get(n.output);
      if (reg) instructions += cost(parts, unknown, regionArea(reg) / (t.h * t.w));
    }
    return { op: op.index, kind: op.kind, kernel: parts.map((x) => x.cls).join('+'), instructions: Math.round(instructions), stage: 'patch' as const };
  });
  const layer = predictInstructions(rest, restPlan, path);
  layer.unknown.forEach((u) => unknown.add(u));
  const perOp = [...stage, ...layer.per_op.map((o) => ({ ...o, stage: 'layer' as const }))];
  return { total: Math.round(table.fixed) + perOp.reduce((s, o) => s + o.instructions, 0), per_op: perOp, unknown: [...unknown] };
}
