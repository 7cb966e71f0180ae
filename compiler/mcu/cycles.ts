// Predicted Cortex-M cycles of kernel calls: each loop's predicted instructions (instructions.ts)
// times the cycles per instruction of that loop's machine code under the Cortex-M4 TRM timings
// (cycle-model.ts, derived by bench/mcu-cycle-model.ts; the timings in cortex-m4-timing.ts).
import { CYCLE_MODEL } from './cycle-model.ts';

/** Where the cycle figures come from, stated beside them in JSON and tables. */
export const CYCLE_TIMINGS = 'Cortex-M4 TRM instruction timings, zero wait states';

/** Cycles per instruction of a class's innermost loop (its first loop feature) and of the rest. */
export function cyclesPerInstruction(cls: string): [number, number] {
  const c = CYCLE_MODEL.classes[cls] ?? (cls.startsWith('f:dw.ring.') ? CYCLE_MODEL.classes['f:dw.ring.any'] : undefined);
  return c ?? [CYCLE_MODEL.fallback, CYCLE_MODEL.fallback];
}

/** Cycles of the instructions outside any kernel (the fixed per-inference term). */
export const fixedCycles = (instructions: number): number => instructions * CYCLE_MODEL.fallback;

/** Milliseconds of `cycles` at `clockHz`, rounded to the microsecond. */
export function msAtClock(cycles: number, clockHz: number): number {
  return Math.round((cycles / clockHz) * 1e6) / 1e3;
}
