// Fast convolution kernels for Cortex-M4/M7 (SMLAD on packed 16-bit operands): appended to a
// generated program's model.c, with the conv / depthwise calls routed to them. Bit-exact with
// the reference kernels; on cores without the DSP extension the same C runs portably.
import { readFileSync } from 'node:fs';
import type { QModel } from '../../ir/quantized.ts';
import { projectUrl } from '../../util/project-paths.ts';

const FAST_C = projectUrl('templates/mcu/patch/nacc_fast.c');
/** The DSP versions of the simple kernels the emitter calls by name (emit.ts, FAST_OP_KERNELS). */
const FAST_OPS_C = projectUrl('templates/mcu/patch/nacc_fast_ops.c');

/** Cores whose generated code gets the DSP kernels. */
export function hasDsp(core: string): boolean {
  return /cortex-m(4|7|33|35p|55|85)/.test(core);
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

/** Route model.c's conv2d / depthwise calls to the fast kernels and append them. */
export function withFastKernels(files: Record<string, string>, model: QModel): Record<string, string> {
  const modelC = files['model.c'];
  if (/^void nacc_fast_conv2d\(const nacc_conv_params \*p/m.test(modelC)) return files;
  const routed = modelC
    .replace(/\bnacc_conv2d\(/g, 'nacc_fast_conv2d(')
    .replace(/\bnacc_depthwise_conv2d\(/g, 'nacc_fast_depthwise_conv2d(')
    .replace(/\bnacc_depthwise_conv2d_inplace\(/g, 'nacc_fast_depthwise_conv2d_inplace(')
    .replace(/\bnacc_quantize_float\(/g, 'nacc_fast_quantize_float(');
  const code = [
    '',
    '#include <string.h>',
    `#define NACC_FAST_COL ${fastColumnSize(model)}`,
    'void nacc_fast_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);',
    'void nacc_fast_depthwise_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);',
    'void nacc_fast_depthwise_conv2d_inplace(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch);',
    'void nacc_fast_quantize_float(const nacc_quantize_params *p, const float *input, int8_t *output);',
    readFileSync(FAST_C, 'utf8'),
    readFileSync(FAST_OPS_C, 'utf8'),
  ].join('\n');
  // The fast kernels go before the first use (the prototypes are enough: append at the end).
  // anchored at a line start: user text only ever sits inside a one-line comment
  const withProto = routed.replace(
    /^#include "nacc_kernels.h"$/m,
    '#include "nacc_kernels.h"\n#include <string.h>\nvoid nacc_fast_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);\nvoid nacc_fast_depthwise_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);\nvoid nacc_fast_depthwise_conv2d_inplace(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch);\nvoid nacc_fast_quantize_float(const nacc_quantize_params *p, const float *input, int8_t *output);',
  );
  return { ...files, 'model.c': `${withProto.trimEnd()}\n${code}` };
}

/** Whether a program for this core gets the DSP kernels (emit with EmitOptions.fastOps the same). */
export function usesFastKernels(core: string, enabled = true): boolean {
  return enabled && hasDsp(core);
}

/** The program a target gets: DSP kernels on cores that have them, unless turned off. */
export function fastKernelsFor<T extends { files: Record<string, string> }>(program: T, model: QModel, core: string, enabled = true): T {
  return usesFastKernels(core, enabled) ? { ...program, files: withFastKernels(program.files, model) } : program;
}
