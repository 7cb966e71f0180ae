// The SMLAD kernel library for Cortex-M4/M7 (templates/mcu/dsp-library/, one file per kernel family): bit-exact with the
// portable kernels, linked into programs for cores with the DSP extension. Which calls go to it is
// the kernel registry's business (kernel-registry.ts); this module knows the library's text, its
// column buffer and which cores get it.
import { readFileSync } from 'node:fs';
import type { QModel } from '../ir/quantized.ts';
import { projectUrl } from '../util/project-paths.ts';

/**
 * The library's files in the order model.c carries them (each kernel family uses the helpers of
 * the files before it; see templates/mcu/dsp-library/README.md).
 */
export const FAST_LIBRARY_FILES = [
  'common.c', // DSP instruction macros (and their portable C definitions), column buffer, output stages
  'conv.c', // convolutions (general and 1x1) and the out-of-place depthwise
  'depthwise-ring.c', // in-place depthwise through a row ring, four channels at a time
  'depthwise-tiny.c', // depthwise on 3x3 and 5x5 maps, one channel at a time; the in-place entry point
  'quantize.c', // QUANTIZE of float input without floating point
  'ops.c', // ADD, FULLY_CONNECTED, AVERAGE_POOL_2D
] as const;

/** The C text of one file of the library (a name of FAST_LIBRARY_FILES). */
export function fastLibraryFile(name: (typeof FAST_LIBRARY_FILES)[number]): string {
  return readFileSync(projectUrl(`templates/mcu/dsp-library/${name}`), 'utf8');
}

/** Cores whose generated code gets the DSP kernels. */
export function hasDsp(core: string): boolean {
  return /cortex-m(4|7|33|35p|55|85)/.test(core);
}

/** Whether a program for this core gets the DSP kernels (unless turned off). */
export function usesFastKernels(core: string, enabled = true): boolean {
  return enabled && hasDsp(core);
}

/**
 * Words of the fast kernels' column buffer (declared as int16_t[2][n], i.e. n 32-bit words): the
 * largest of, per convolution, the two interleaved 16-bit receptive fields (4 words per group of
 * four taps) plus, unless the layer is a 1x1 over a multiple of 4 channels, two int8 staging
 * columns (2 words per group); at least the older kernel's two 16-bit columns (kh * kw * in_c).
 */
export function fastColumnSize(model: QModel): number {
  let n = 4;
  for (const op of model.ops) {
    if (op.kind !== 'CONV_2D') continue;
    const f = model.tensors[op.inputs[1]].shape;
    const kdim = f[1] * f[2] * f[3];
    const groups = Math.ceil(kdim / 4);
    const direct = f[1] === 1 && f[2] === 1 && f[3] % 4 === 0;
    n = Math.max(n, Math.ceil(kdim / 4) * 4, groups * (direct ? 4 : 6));
  }
  return n;
}

/** The library as model.c carries it: its column-buffer size, then the kernels' C text. */
export function fastLibrary(columnWords: number): { defines: [string, string | number][]; text: string } {
  return {
    defines: [['NACC_FAST_COL', columnWords]],
    // the kernel files back to back, ops.c after a blank line (model.c as before the split)
    text: ['#include <string.h>', FAST_LIBRARY_FILES.slice(0, -1).map(fastLibraryFile).join(''), fastLibraryFile('ops.c')].join('\n'),
  };
}
