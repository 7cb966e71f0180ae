// MCU boards the backend can target: the parts the MCUNet papers use (and QEMU's mps2-an386,
// the emulated Cortex-M4 that checks run on), or any `mcu` declared in a .nacc file.
import { fail, unknownDeclaration } from '../diagnostics/index.ts';
import type { McuTarget } from '../ir/targets.ts';

export interface McuBoard {
  name: string;
  core: string;
  sramBytes: number;
  flashBytes: number;
  clockHz: number;
}

const KB = 1024;
export const BUILTIN_BOARDS: McuBoard[] = [
  { name: 'mps2-an386', core: 'cortex-m4', sramBytes: 4096 * KB, flashBytes: 4096 * KB, clockHz: 25_000_000 },
  { name: 'stm32f412', core: 'cortex-m4', sramBytes: 256 * KB, flashBytes: 1024 * KB, clockHz: 100_000_000 },
  { name: 'stm32f746', core: 'cortex-m7', sramBytes: 320 * KB, flashBytes: 1024 * KB, clockHz: 216_000_000 },
  { name: 'stm32h743', core: 'cortex-m7', sramBytes: 512 * KB, flashBytes: 2048 * KB, clockHz: 480_000_000 },
];

/** Clock of QEMU's mps2-an386 SysTick (ticks per second of virtual time). */
export const QEMU_AN386_CLOCK_HZ = 25_000_000;

export function boardFromTarget(t: McuTarget): McuBoard {
  return { name: t.name, core: t.core, sramBytes: t.sramBytes, flashBytes: t.flashBytes, clockHz: (t.clockMHz ?? 25) * 1e6 };
}

/** Resolve --target: a .nacc-declared mcu (if given) first, then the built-in boards. */
export function resolveBoard(name: string, declared: McuTarget[] = []): McuBoard {
  const d = declared.find((t) => t.name === name);
  if (d) return boardFromTarget(d);
  const b = BUILTIN_BOARDS.find((x) => x.name === name);
  if (b) return b;
  const known = [...declared.map((t) => t.name), ...BUILTIN_BOARDS.map((x) => x.name)];
  return unknownDeclaration('MCU target', name, known, declared.length ? 'the file or the built-in boards' : 'the built-in boards');
}
