// The MCU pipeline as one data-in/data-out stage: quantised model -> graph rewrites ->
// memory plan -> C files, plus the summary that `nacc mcu --json` prints and the manifest
// that `nacc verify` reads back. Layer-by-layer programs: layer-compile.ts; patch-based and
// auto: patch/compile.ts; their options and summary: summary.ts.
import type { QModel } from '../ir/quantized.ts';
import type { McuBoard } from './targets.ts';
import { compileLayerForMcu } from './layer-compile.ts';
import { compileScheduledForMcu } from './patch/compile.ts';
import type { McuCompiled, McuCompileOptions } from './summary.ts';

export * from './summary.ts';

export function compileForMcu(source: QModel, board: McuBoard, opts: McuCompileOptions): McuCompiled {
  return opts.schedule === 'layer' ? compileLayerForMcu(source, board, opts) : compileScheduledForMcu(source, board, opts);
}
