// The tensor table a hand-built test model grows: each added tensor gets the next id.
import type { QTensor } from '../../compiler/ir/quantized.ts';

export function tensorTable(): {
  tensors: QTensor[];
  add: (
    name: string,
    shape: number[],
    dtype: QTensor['dtype'],
    scale: number[],
    zp: number[],
    axis?: number,
    data?: QTensor['data'],
  ) => number;
} {
  const tensors: QTensor[] = [];
  const add = (
    name: string,
    shape: number[],
    dtype: QTensor['dtype'],
    scale: number[],
    zp: number[],
    axis = 0,
    data?: QTensor['data'],
  ): number => {
    tensors.push({ id: tensors.length, name, shape, dtype, quant: { scale, zeroPoint: zp, axis }, ...(data ? { data } : {}) });
    return tensors.length - 1;
  };
  return { tensors, add };
}
