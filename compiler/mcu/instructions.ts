// Latency before deployment: the instructions one inference of the emitted program takes on a
// Cortex-M4, per op and in total. Each op's kernel calls and their loops' trip counts come from
// kernel-loops.ts; a class's coefficients (instructions per trip of each loop, per call) were
// calibrated on single-op micro-benchmarks (bench/mcu-instruction-calibrate.ts), not on the models.
import type { QModel } from '../ir/quantized.ts';
import type { MemoryPlan } from './planner.ts';
import { nodeOp } from './patch/execute.ts';
import { fastColumnSize } from './fast-library.ts';
import { regionArea } from './patch/geometry.ts';
import type { PatchGraph } from './patch/graph.ts';
import type { PatchPlan } from './patch/schedule.ts';
import { INSTRUCTION_MODEL } from './instruction-model.ts';
import { cyclesPerInstruction, fixedCycles } from './cycles.ts';
import { opLoops, type KernelLoops, type KernelPath, type OpLoopContext } from './kernel-loops.ts';

export type { KernelPath } from './kernel-loops.ts';

const table: { fixed: number; classes: Record<string, number[]> } = INSTRUCTION_MODEL;

/** The loop context of a layer-by-layer program (its memory plan's in-place ops and fusions). */
export function loopContext(model: QModel, plan: Pick<MemoryPlan, 'fused' | 'inPlace'>): OpLoopContext {
  const fusedAdds = new Set([...plan.fused.values()].map((f) => f.add));
  return {
    colWords: fastColumnSize(model),
    inPlace: (k) => plan.inPlace.has(k),
    fused: (k) => {
      const f = plan.fused.get(k);
      return f ? { pixels: f.pixels, chunk: f.chunkPixels, add: f.add } : undefined;
    },
    fusedAdd: (k) => fusedAdds.has(k),
  };
}

export interface PredictedInstructions {
  total: number;
  /** Cycles on a Cortex-M4 at zero wait states: each loop's instructions times its code's cycles per instruction (cycles.ts). */
  cycles: number;
  /**
   * Per op: layer-by-layer programs by the lowered model's op index; patch programs list the
   * per-patch stage's ops (source op indices, all patches summed) then the per-layer stage's
   * (op indices of that stage, as its debug dumps number them).
   */
  per_op: { op: number; kind: string; kernel: string; instructions: number; cycles: number; stage?: 'patch' | 'layer' }[];
  /** Classes without coefficients (their ops count 0). */
  unknown: string[];
}

/**
 * A class the micro-benchmarks did not reach takes a class with the same loops: the unrolled
 * 8-bit-filter kernels the rolled one, the 16-bit-filter kernels each other, a specialised ring
 * kernel the generic row kernel, the one-plane depthwise kernels each other.
 */
const SAME_LOOPS: Record<string, string[]> = {
  'f:conv.pairs.k8': ['f:conv.pairs.full'],
  'f:conv.pairs.k16': ['f:conv.pairs.full'],
  'f:conv.pairs.k24': ['f:conv.pairs.full'],
  'f:conv.pairs.full': ['f:conv.pairs.any'],
  'f:conv.pairs.p16any': ['f:conv.pairs.p16'],
  'f:conv.pairs.p16': ['f:conv.pairs.p16any'],
  'f:dw.small': ['f:dw.plane', 'f:dw.generic'],
  'f:dw.plane': ['f:dw.small', 'f:dw.generic'],
  'f:dw.generic': ['f:dw.plane', 'f:dw.small'],
  'p:maxpool': ['p:avgpool'],
  'f:fc.few': ['f:fc.expand'],
  'f:fc.expand': ['f:fc.few'],
};

function coefficientsOf(cls: string): number[] | undefined {
  if (table.classes[cls]) return table.classes[cls];
  if (cls.startsWith('f:dw.ring.')) return table.classes['f:dw.ring.any'];
  for (const other of SAME_LOOPS[cls] ?? []) if (table.classes[other]) return table.classes[other];
  return undefined;
}

/**
 * Instructions and cycles of some kernel calls; `scale` scales every trip count but the calls
 * (patch stages). A loop's cycles are its instructions times its code's cycles per instruction:
 * the innermost loop's (the first feature) or the rest of the kernel's (cycles.ts).
 */
export function loopCost(parts: KernelLoops[], unknown: Set<string>, scale = 1): { instructions: number; cycles: number } {
  let instructions = 0,
    cycles = 0;
  for (const part of parts) {
    const c = coefficientsOf(part.cls);
    if (!c) {
      unknown.add(part.cls);
      continue;
    }
    const [inner, rest] = cyclesPerInstruction(part.cls);
    part.features.forEach((f, i) => {
      const n = f * (c[i] ?? 0) * (i < part.features.length - 1 ? scale : 1);
      instructions += n;
      cycles += n * (i === 0 ? inner : rest);
    });
  }
  return { instructions, cycles };
}

const opCost = (parts: KernelLoops[], unknown: Set<string>, scale = 1) => {
  const c = loopCost(parts, unknown, scale);
  return { instructions: Math.max(0, Math.round(c.instructions)), cycles: Math.max(0, Math.round(c.cycles)) };
};

const totals = (perOp: { instructions: number; cycles: number }[]) => ({
  total: Math.round(table.fixed) + perOp.reduce((s, o) => s + o.instructions, 0),
  cycles: Math.round(fixedCycles(table.fixed)) + perOp.reduce((s, o) => s + o.cycles, 0),
});

/** Predicted instructions of one inference of the layer-by-layer program of `model` (lowered). */
export function predictInstructions(model: QModel, plan: Pick<MemoryPlan, 'fused' | 'inPlace'>, path: KernelPath): PredictedInstructions {
  const unknown = new Set<string>();
  const ctx = loopContext(model, plan);
  const perOp = model.ops.map((op) => {
    const parts = opLoops(model, op, path, ctx);
    return { op: op.index, kind: op.kind, kernel: parts.map((x) => x.cls).join('+') || 'fused', ...opCost(parts, unknown) };
  });
  return { ...totals(perOp), per_op: perOp, unknown: [...unknown] };
}

/**
 * A patch program: each per-patch stage op costs, per patch, its loops scaled by the share of
 * its output map the patch computes (plus its per-call term); the per-layer stage as above.
 */
export function predictPatchInstructions(
  source: QModel,
  g: PatchGraph,
  plan: PatchPlan,
  rest: QModel,
  restPlan: Pick<MemoryPlan, 'fused' | 'inPlace'>,
  path: KernelPath,
): PredictedInstructions {
  const unknown = new Set<string>();
  // inside a per-patch stage only depthwise layers run in place, and nothing is fused
  const ctx: OpLoopContext = {
    colWords: fastColumnSize(source),
    inPlace: (k) => source.ops[k]?.kind === 'DEPTHWISE_CONV_2D',
    fused: () => undefined,
    fusedAdd: () => false,
  };
  const stage = g.nodes.slice(0, plan.stageNodes).map((n) => {
    const op = nodeOp(source, n);
    const parts = opLoops(source, op, path, ctx);
    const t = g.tensors[n.output];
    let instructions = 0,
      cycles = 0;
    for (const r of plan.regions) {
      const reg = r.get(n.output);
      if (!reg) continue;
      const c = loopCost(parts, unknown, regionArea(reg) / (t.h * t.w));
      instructions += c.instructions;
      cycles += c.cycles;
    }
    return {
      op: op.index,
      kind: op.kind,
      kernel: parts.map((x) => x.cls).join('+'),
      instructions: Math.round(instructions),
      cycles: Math.round(cycles),
      stage: 'patch' as const,
    };
  });
  const layer = predictInstructions(rest, restPlan, path);
  layer.unknown.forEach((u) => unknown.add(u));
  const perOp = [...stage, ...layer.per_op.map((o) => ({ ...o, stage: 'layer' as const }))];
  return { ...totals(perOp), per_op: perOp, unknown: [...unknown] };
}
