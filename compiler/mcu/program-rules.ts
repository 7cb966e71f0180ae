// The memory rules of the programs `nacc mcu` emits, shared by the layer and patch compiles and
// by `nacc mcu-schedule` (one schedule, one peak figure for both commands).
import type { McuCompileOptions } from './summary.ts';
import { DEFAULT_RULES, type MemoryRules } from './patch/schedule.ts';

/**
 * The memory rules of the program `nacc mcu` emits with these options. They are also
 * `nacc mcu-schedule`'s, so both commands print one peak for one schedule and pick one auto
 * schedule: the generated program runs depthwise and elementwise ops in place and fuses
 * pointwise convolutions into residual ADDs (compiler/mcu/planner.ts) unless --no-in-place,
 * and streams the input of patch schedules unless --input whole.
 */
export function programRules(opts: Pick<McuCompileOptions, 'inPlaceDepthwise' | 'input'> = {}): MemoryRules {
  const inPlace = opts.inPlaceDepthwise !== false;
  return {
    ...DEFAULT_RULES,
    inPlaceDepthwise: inPlace,
    inPlaceElementwise: inPlace,
    fuseResidualAdd: inPlace,
    streamInput: opts.input !== 'whole',
  };
}
