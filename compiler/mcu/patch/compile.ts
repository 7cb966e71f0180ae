// `nacc mcu --schedule patch|auto`: the MCU pipeline with a patch-based stage, scheduled by the
// same decision and memory rules as `nacc mcu-schedule` (one schedule, one peak figure).
import type { QModel } from '../../ir/quantized.ts';
import {
  kernelPathOf,
  loweredForMcu,
  predictedJson,
  type InputMode,
  type McuCompiled,
  type McuCompileOptions,
  type McuSummary,
} from '../summary.ts';
import { compileLayerForMcu } from '../layer-compile.ts';
import { programRules } from '../program-rules.ts';
import { predictPatchInstructions, type KernelPath } from '../instructions.ts';
import type { McuBoard } from '../targets.ts';
import { emitPatchProgram, type EmittedPatchProgram } from './emit.ts';
import { graphFromQModel, type PatchGraph } from './graph.ts';
import { decideSchedule, type ScheduleDecision } from './report.ts';
import type { ScheduleReport } from './schedule.ts';
import { DEFAULT_MAX_MAC_OVERHEAD } from './search.ts';

export { programRules } from '../program-rules.ts';

export interface ScheduledCompile extends McuCompiled {
  decision: ScheduleDecision;
}

function summaryOf(
  model: QModel,
  g: PatchGraph,
  board: McuBoard,
  prog: EmittedPatchProgram,
  r: ScheduleReport,
  base: McuSummary,
  input: InputMode,
  path: KernelPath,
): McuSummary {
  return {
    ...base,
    schedule: { kind: 'patch', split: r.split, patches: r.patches, patch_input: r.patchInput, input },
    mac_overhead: Number(r.macOverhead.toFixed(6)),
    peak_sram_bytes: r.peakSramBytes,
    arena_bytes: prog.layout.arenaBytes,
    peak_live_bytes: r.peakSramBytes,
    macs: r.macs,
    weight_bytes: prog.weightBytes,
    fits_sram: prog.layout.arenaBytes <= board.sramBytes,
    fits_flash: prog.weightBytes <= board.flashBytes,
    model: model.name,
    ...predictedJson(predictPatchInstructions(model, g, prog.plan, prog.rest, prog.restPlan, path), path, board),
  };
}

/**
 * Compile with --schedule patch (split/patches given or defaulted) or auto. The schedule is
 * decided by decideSchedule under programRules, exactly as `nacc mcu-schedule` decides it.
 */
export function compileScheduledForMcu(source: QModel, board: McuBoard, opts: McuCompileOptions): ScheduledCompile {
  const g = graphFromQModel(source);
  const rules = programRules(opts);
  const decision =
    opts.schedule === 'patch'
      ? decideSchedule(g, { schedule: 'patch', split: opts.split, patches: opts.patches, rules })
      : decideSchedule(g, {
          schedule: 'auto',
          maxMacOverhead: opts.maxMacOverhead ?? DEFAULT_MAX_MAC_OVERHEAD,
          sramBytes: board.sramBytes,
          rules,
        });
  const layer = compileLayerForMcu(source, board, opts);
  const r = decision.chosen;
  if (r.kind === 'layer') return { ...layer, decision };
  const input = opts.input ?? 'streamed';
  const prog = emitPatchProgram(source, r.split!, r.patches!, board, g, {
    streamInput: input !== 'whole',
    path: kernelPathOf(board, opts),
  });
  return {
    model: loweredForMcu(source, opts),
    plan: layer.plan,
    program: prog,
    decision,
    summary: summaryOf(source, g, board, prog, r, layer.summary, input, kernelPathOf(board, opts)),
  };
}
