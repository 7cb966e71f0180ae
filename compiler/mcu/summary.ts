// The options and the result of an MCU compile: what `nacc mcu --json` prints (McuSummary), the
// manifest `nacc verify` reads back, and the summary's shared pieces (kernel path, predictions).
import type { QModel } from '../ir/quantized.ts';
import type { EmittedProgram } from './emit.ts';
import { foldPads } from './fold.ts';
import type { MemoryPlan } from './planner.ts';
import type { McuBoard } from './targets.ts';
import { hasDsp } from './fast-library.ts';
import type { KernelPath, PredictedInstructions } from './instructions.ts';
import { CYCLE_TIMINGS, msAtClock } from './cycles.ts';

export type ScheduleKind = 'layer' | 'patch' | 'auto';

export interface McuCompileOptions {
  schedule: ScheduleKind;
  /** Fold PAD into the following convolution (default true). */
  foldPads?: boolean;
  inPlaceDepthwise?: boolean;
  /** Patch-based schedules (compiler/mcu/patch): grid, split op index, MAC-overhead bound of auto. */
  patches?: number;
  split?: number;
  maxMacOverhead?: number;
  /** SMLAD convolution kernels on Cortex-M4/M7 (compiler/mcu/fast-library.ts; default true). */
  fastKernels?: boolean;
  /**
   * Patch-based programs: 'streamed' (default) fetches each input patch through the public
   * header's nacc_read_input callback; 'whole' keeps the whole input tensor in the arena.
   * Layer-by-layer programs always hold the whole input.
   */
  input?: InputMode;
}

export type InputMode = 'whole' | 'streamed';
export const INPUT_MODES: InputMode[] = ['streamed', 'whole'];

export interface McuSourceRef {
  /** Absolute path of the model file the program was compiled from. */
  path: string;
  kind: 'tflite' | 'nacc' | 'onnx';
  network?: string;
  /** Calibration seed (.nacc / ONNX). */
  seed?: number;
}

export interface McuCompiled {
  model: QModel;
  plan: MemoryPlan;
  program: EmittedProgram;
  summary: McuSummary;
}

export interface McuSummary {
  model: string;
  target: { name: string; core: string; sram_bytes: number; flash_bytes: number; clock_hz: number };
  schedule: {
    kind: ScheduleKind;
    split?: number | null;
    patches?: number | null;
    patch_input?: [number, number] | null;
    input?: InputMode;
  };
  /** Extra MACs of the patch stage's recomputation, relative to the network's MACs. */
  mac_overhead?: number;
  /** Peak SRAM of the schedule under the program's memory rules: `nacc mcu-schedule`'s figure. */
  peak_sram_bytes: number;
  /** Size of the generated program's one static arena (placement included). */
  arena_bytes: number;
  /** Sum of live buffer sizes at the worst op: no placement can beat it. */
  peak_live_bytes: number;
  macs: number;
  ops: number;
  weight_bytes: number;
  in_place_ops: number;
  folded_pads: number;
  fits_sram: boolean;
  fits_flash: boolean;
  inputs: { name: string; dtype: string; shape: number[]; bytes: number }[];
  outputs: { name: string; dtype: string; shape: number[]; bytes: number }[];
  /** Instructions of one inference on a Cortex-M4, per op and in total (compiler/mcu/instructions.ts). */
  predicted_instructions?: { total: number; kernels: KernelPath; per_op: PredictedOp[] };
  /** Cycles of one inference predicted from the instruction model and the core's timings (compiler/mcu/cycles.ts). */
  predicted_cycles?: number;
  /** predicted_cycles at the target's clock. */
  predicted_ms?: number;
  /** Whose timings the cycles use (CYCLE_TIMINGS). */
  cycle_timings?: string;
}

export type PredictedOp = Omit<PredictedInstructions['per_op'][number], 'cycles'> & { predicted_cycles: number; predicted_ms: number };

/** The kernels a program for this board gets: SMLAD on DSP cores unless turned off. */
export function kernelPathOf(board: McuBoard, opts: Pick<McuCompileOptions, 'fastKernels'>): KernelPath {
  return opts.fastKernels !== false && hasDsp(board.core) ? 'smlad' : 'portable';
}

/** The summary's predicted instructions, cycles and milliseconds at the board's clock. */
export function predictedJson(
  p: PredictedInstructions,
  kernels: KernelPath,
  board: McuBoard,
): Pick<McuSummary, 'predicted_instructions' | 'predicted_cycles' | 'predicted_ms' | 'cycle_timings'> {
  const perOp = p.per_op.map(({ cycles, ...o }) => ({ ...o, predicted_cycles: cycles, predicted_ms: msAtClock(cycles, board.clockHz) }));
  return {
    predicted_instructions: { total: p.total, kernels, per_op: perOp },
    predicted_cycles: p.cycles,
    predicted_ms: msAtClock(p.cycles, board.clockHz),
    cycle_timings: CYCLE_TIMINGS,
  };
}

/** The model the generated code runs (after the graph rewrites). */
export function loweredForMcu(model: QModel, opts: Pick<McuCompileOptions, 'foldPads'> = {}): QModel {
  return opts.foldPads === false ? model : foldPads(model);
}

export const MANIFEST = 'nacc-mcu.json';

export interface McuManifest {
  version: 1;
  source: McuSourceRef;
  board: McuBoard;
  options: McuCompileOptions;
  summary: McuSummary;
}
