// The registry of MCU kernels: for every kernel an op can call, its portable C function
// (templates/mcu/nacc_kernels.c.hbs) and, where one exists, its SMLAD version for cores with the
// DSP extension (the fast kernel library). The emitters pick the function while they make an op's
// call record (c-program.ts), so no emitted code is ever rewritten to reroute a call.
import type { KernelPath } from './kernel-loops.ts';

interface KernelEntry {
  portable: string;
  /** The SMLAD version (bit-exact with the portable one), if there is one. */
  smlad?: string;
}

export const KERNELS = {
  conv2d: { portable: 'nacc_conv2d', smlad: 'nacc_fast_conv2d' },
  depthwise_conv2d: { portable: 'nacc_depthwise_conv2d', smlad: 'nacc_fast_depthwise_conv2d' },
  depthwise_conv2d_inplace: { portable: 'nacc_depthwise_conv2d_inplace', smlad: 'nacc_fast_depthwise_conv2d_inplace' },
  fully_connected: { portable: 'nacc_fully_connected', smlad: 'nacc_fast_fully_connected' },
  average_pool2d: { portable: 'nacc_average_pool2d', smlad: 'nacc_fast_average_pool2d' },
  max_pool2d: { portable: 'nacc_max_pool2d' },
  add: { portable: 'nacc_add', smlad: 'nacc_fast_add' },
  mul: { portable: 'nacc_mul' },
  mean: { portable: 'nacc_mean' },
  softmax: { portable: 'nacc_softmax' },
  pad: { portable: 'nacc_pad' },
  transpose: { portable: 'nacc_transpose' },
  resize_nearest: { portable: 'nacc_resize_nearest' },
  quantize_float: { portable: 'nacc_quantize_float', smlad: 'nacc_fast_quantize_float' },
  requantize: { portable: 'nacc_requantize' },
  dequantize: { portable: 'nacc_dequantize' },
  copy: { portable: 'nacc_copy' },
  concat: { portable: 'nacc_concat' },
} as const satisfies Record<string, KernelEntry>;

export type KernelName = keyof typeof KERNELS;

/** The C function a call of kernel `name` goes to on this path. */
export function kernelFunction(name: KernelName, path: KernelPath): string {
  const k: KernelEntry = KERNELS[name];
  return path === 'smlad' && k.smlad ? k.smlad : k.portable;
}

/** Whether a program on this path links the SMLAD library (some kernel it may call has a version there). */
export const needsFastLibrary = (path: KernelPath): boolean => path === 'smlad';
