// A small float-input model with MobileNetV2-style residual blocks (QUANTIZE, a strided stem,
// expand 1x1 -> depthwise 3x3 -> project 1x1 -> ADD with the block input): cheap enough to
// build and run in QEMU in a test, and it has every pattern the memory rules care about.
import type { QModel, QOp, QTensor } from '../../compiler/ir/quantized.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { writeTflite, type WOp, type WTensor } from '../mcu/tflite-writer.ts';

/** `blocks` residual blocks at the stem's resolution, then a strided depthwise and a 1x1. */
export function residualModel(seed: number, opts: { size?: number; blocks?: number; channels?: number; expand?: number } = {}): QModel {
  const size = opts.size ?? 24;
  const blocks = opts.blocks ?? 2;
  const ch = opts.channels ?? 8;
  const expand = opts.expand ?? 3;
  const rng = new Prng(seed);
  const tensors: QTensor[] = [];
  const ops: QOp[] = [];
  const tensor = (
    name: string,
    shape: number[],
    dtype: QTensor['dtype'],
    scale: number[],
    zp: number[],
    axis = 0,
    data?: QTensor['data'],
  ): number => {
    tensors.push({
      id: tensors.length,
      name,
      shape,
      dtype,
      ...(dtype === 'float32' ? {} : { quant: { scale, zeroPoint: zp, axis } }),
      ...(data ? { data } : {}),
    });
    return tensors.length - 1;
  };
  const scaleOf = (t: number) => tensors[t].quant!.scale[0];
  const op = (kind: QOp['kind'], inputs: number[], output: number, options: QOp['options'] = {}) =>
    ops.push({ index: ops.length, kind, inputs, outputs: [output], options });
  let n = 0;
  const conv = (x: number, cout: number, k: number, stride: number, dw: boolean, act: 'NONE' | 'RELU6'): number => {
    const [, h, w, c] = tensors[x].shape;
    const oc = dw ? c : cout;
    const fshape = dw ? [1, k, k, oc] : [oc, k, k, c];
    const count = fshape.reduce((a, b) => a * b, 1);
    const fscale = Array.from({ length: oc }, () => 0.004 + rng.next() * 0.01);
    const f = tensor(
      `w${n}`,
      fshape,
      'int8',
      fscale,
      fscale.map(() => 0),
      dw ? 3 : 0,
      Int8Array.from({ length: count }, () => rng.int(255) - 127),
    );
    const b = tensor(
      `b${n}`,
      [oc],
      'int32',
      fscale.map((s) => s * scaleOf(x)),
      fscale.map(() => 0),
      0,
      Int32Array.from({ length: oc }, () => rng.int(2001) - 1000),
    );
    const y = tensor(
      `y${n}`,
      [1, Math.ceil(h / stride), Math.ceil(w / stride), oc],
      'int8',
      [0.05 + 0.01 * (n % 4)],
      [act === 'RELU6' ? -128 : n % 2 ? 5 : -3],
    );
    n++;
    op(dw ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', [x, f, b], y, {
      padding: 'SAME',
      strideH: stride,
      strideW: stride,
      dilationH: 1,
      dilationW: 1,
      activation: act,
      ...(dw ? { depthMultiplier: 1 } : {}),
    });
    return y;
  };
  const input = tensor('image', [1, size, size, 3], 'float32', [], []);
  const q = tensor('image_q', [1, size, size, 3], 'int8', [1 / 64], [2]);
  op('QUANTIZE', [input], q);
  let x = conv(q, ch, 3, 2, false, 'RELU6');
  for (let i = 0; i < blocks; i++) {
    const e = conv(x, ch * expand, 1, 1, false, 'RELU6');
    const d = conv(e, 0, 3, 1, true, 'RELU6');
    const p = conv(d, ch, 1, 1, false, 'NONE');
    const s = tensor(`sum${i}`, tensors[x].shape, 'int8', [0.07], [1]);
    // Alternate the operand order: the skip first, then the projection first.
    op('ADD', i % 2 ? [x, p] : [p, x], s, { activation: 'NONE' });
    x = s;
  }
  x = conv(x, 0, 3, 2, true, 'RELU6');
  x = conv(x, ch * 2, 1, 1, false, 'NONE');
  return { name: `residual_${seed}`, source: 'test', tensors, ops, inputs: [input], outputs: [x] };
}

/** The same model as a .tflite file (through tests/mcu/tflite-writer.ts), for CLI tests. */
export function residualTflite(seed: number, opts: Parameters<typeof residualModel>[1] = {}): Uint8Array {
  const m = residualModel(seed, opts);
  const tensors: WTensor[] = m.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    type: t.dtype as WTensor['type'],
    ...(t.quant ? { scale: t.quant.scale.map(Math.fround), zeroPoint: t.quant.zeroPoint, axis: t.quant.axis } : {}),
    ...(t.data ? { data: t.data as WTensor['data'] } : {}),
  }));
  const ACT = { NONE: 0, RELU6: 3 } as Record<string, number>;
  const ops: WOp[] = m.ops.map((op) => {
    const o = op.options;
    const act = ACT[o.activation ?? 'NONE'];
    switch (op.kind) {
      case 'QUANTIZE':
        return { code: 114, inputs: op.inputs, outputs: op.outputs };
      case 'ADD':
        return { code: 0, inputs: op.inputs, outputs: op.outputs, optionsType: 11, options: [[0, 'i8', act]] };
      case 'CONV_2D':
        return {
          code: 3,
          inputs: op.inputs,
          outputs: op.outputs,
          optionsType: 1,
          options: [
            [0, 'i8', 0],
            [1, 'i32', o.strideW!],
            [2, 'i32', o.strideH!],
            [3, 'i8', act],
            [4, 'i32', 1],
            [5, 'i32', 1],
          ],
        };
      case 'DEPTHWISE_CONV_2D':
        return {
          code: 4,
          inputs: op.inputs,
          outputs: op.outputs,
          optionsType: 2,
          options: [
            [0, 'i8', 0],
            [1, 'i32', o.strideW!],
            [2, 'i32', o.strideH!],
            [3, 'i32', 1],
            [4, 'i8', act],
            [5, 'i32', 1],
            [6, 'i32', 1],
          ],
        };
      default:
        throw new Error(`residualTflite: ${op.kind}`);
    }
  });
  return writeTflite(tensors, ops, m.inputs, m.outputs);
}
