// `nacc mcu --schedule layer`: the layer-by-layer MCU pipeline — quantised model -> graph
// rewrites -> memory plan -> C files, and the summary of the program.
import type { QModel } from '../ir/quantized.ts';
import { modelMacs, qTensorBytes } from '../ir/quantized.ts';
import { emitProgram } from './emit.ts';
import { planMemory } from './planner.ts';
import type { McuBoard } from './targets.ts';
import { programRules } from './program-rules.ts';
import { graphFromQModel } from './patch/graph.ts';
import { layerSchedule } from './patch/schedule.ts';
import { predictInstructions } from './instructions.ts';
import { kernelPathOf, loweredForMcu, predictedJson, type McuCompiled, type McuCompileOptions, type McuSummary } from './summary.ts';

/** A layer-by-layer program (whatever `opts.schedule` says): one op at a time over the whole maps. */
export function compileLayerForMcu(source: QModel, board: McuBoard, opts: McuCompileOptions): McuCompiled {
  const model = loweredForMcu(source, opts);
  const plan = planMemory(model, { inPlaceDepthwise: opts.inPlaceDepthwise });
  const program = emitProgram(model, plan, board, { path: kernelPathOf(board, opts) });
  const io = (ids: number[]) =>
    ids.map((id) => {
      const t = model.tensors[id];
      return { name: t.name, dtype: t.dtype, shape: t.shape, bytes: qTensorBytes(t) };
    });
  const summary: McuSummary = {
    model: model.name,
    target: { name: board.name, core: board.core, sram_bytes: board.sramBytes, flash_bytes: board.flashBytes, clock_hz: board.clockHz },
    schedule: { kind: 'layer', split: null, patches: null, patch_input: null, input: 'whole' },
    mac_overhead: 0,
    peak_sram_bytes: layerSchedule(graphFromQModel(source), programRules(opts)).peakSramBytes,
    arena_bytes: plan.arenaBytes,
    peak_live_bytes: plan.peakLiveBytes,
    macs: modelMacs(model),
    ops: model.ops.length,
    weight_bytes: program.weightBytes,
    in_place_ops: plan.inPlace.size,
    folded_pads: source.ops.length - model.ops.length,
    fits_sram: plan.arenaBytes <= board.sramBytes,
    fits_flash: program.weightBytes <= board.flashBytes,
    inputs: io(model.inputs),
    outputs: io(model.outputs),
    ...predictedJson(predictInstructions(model, plan, kernelPathOf(board, opts)), kernelPathOf(board, opts), board),
  };
  return { model, plan, program, summary };
}
