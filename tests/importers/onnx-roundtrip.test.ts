// Round trips: small models built in TypeScript, run in onnxruntime-node, imported, then run
// again with a plain float evaluator of the IR using the kept weights. Shapes must be equal
// and values close, which checks kernel layouts, BatchNorm folding and flatten order.
import { describe, expect, it } from 'vitest';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { DataType } from '../../compiler/importers/onnx/proto.ts';
import { opDef } from '../../compiler/ir/ops.ts';
import type { Network } from '../../compiler/ir/network.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { EXAMPLE_ONNX_FILE } from '../../compiler/cli/demo/onnx-step.ts';
import { exampleOnnxModel } from '../../scripts/example-onnx-model.ts';
import { readFileSync } from 'node:fs';
import { expectSameValues, importAndCompare } from './onnx-helpers.ts';

const SEED = 2026;
const rand = (n: number, rng: Prng, scale = 0.5) => Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);

function bn(b: OnnxBuilder, rng: Prng, name: string, x: string, c: number): string {
  return b.node('BatchNormalization', [
    x,
    b.init(`${name}.gamma`, [c], rand(c, rng, 1)),
    b.init(`${name}.beta`, [c], rand(c, rng)),
    b.init(`${name}.mean`, [c], rand(c, rng)),
    b.init(
      `${name}.var`,
      [c],
      rand(c, rng).map((v) => Math.abs(v) + 0.3),
    ),
  ]);
}

function conv(
  b: OnnxBuilder,
  rng: Prng,
  name: string,
  x: string,
  cin: number,
  cout: number,
  k: number,
  attrs: Record<string, number | number[]> = {},
): string {
  const group = (attrs.group as number) ?? 1;
  const w = b.init(`${name}.w`, [cout, cin / group, k, k], rand(cout * (cin / group) * k * k, rng));
  return b.node('Conv', [x, w], { pads: [k >> 1, k >> 1, k >> 1, k >> 1], ...attrs }, { name });
}

const totalMacs = (net: Network) =>
  net.layers.reduce(
    (s, l) =>
      s +
      opDef(l.op)!.macs(
        l,
        l.inputs.map((n) => net.layers.find((x) => x.name === n)?.output ?? net.inputs.find((x) => x.name === n)!.type),
      ),
    0,
  );

describe('ONNX round trips', () => {
  it('small CNN: conv+bn+relu, maxpool, conv+bn+relu, flatten, gemm, softmax', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder('small_cnn');
    const x = b.input('image', ['N', 3, 16, 16]);
    let y = b.node('Relu', [bn(b, rng, 'bn1', conv(b, rng, 'conv1', x, 3, 8, 3), 8)]);
    y = b.node('MaxPool', [y], { kernel_shape: [2, 2], strides: [2, 2] });
    y = b.node('Relu', [bn(b, rng, 'bn2', conv(b, rng, 'conv2', y, 8, 16, 3, { strides: [2, 2] }), 16)]);
    y = b.node('Flatten', [y]);
    y = b.node(
      'Gemm',
      [y, b.init('fc.w', [10, 256], rand(2560, rng, 0.1)), b.init('fc.b', [10], rand(10, rng))],
      { transB: 1 },
      { name: 'fc' },
    );
    b.output(b.node('Softmax', [y], { axis: 1 }, { outputs: ['probs'] }));
    const { network, ort } = await importAndCompare(b.toBytes(), SEED);
    expect(network.layers.map((l) => `${l.name}:${l.op}:${l.attrs.act ?? ''}`)).toEqual([
      'conv1:conv2d:relu',
      'MaxPool_3:maxpool:',
      'conv2:conv2d:relu',
      'Flatten_7:flatten:',
      'fc:dense:none',
      'Softmax_9:softmax:',
    ]);
    expect(network.inputs[0]).toMatchObject({ name: 'image', type: { kind: 'feature', shape: [16, 16, 3] } });
    expect(totalMacs(network)).toBe(16 * 16 * 8 * 27 + 4 * 4 * 16 * 72 + 256 * 10);
    expectSameValues(network, ort, 1e-4);
  });

  it('depthwise-separable inverted residual block with relu6 and a residual add', async () => {
    const rng = new Prng(SEED + 1);
    const b = new OnnxBuilder('dw_block');
    const x = b.input('x', [1, 8, 12, 12]);
    const six = [b.init('zero', [], [0]), b.init('six', [], [6])];
    let y = b.node('Clip', [bn(b, rng, 'bn_e', conv(b, rng, 'expand', x, 8, 24, 1), 24), ...six]);
    y = b.node('Clip', [bn(b, rng, 'bn_d', conv(b, rng, 'depthwise', y, 24, 24, 3, { group: 24 }), 24), ...six]);
    y = bn(b, rng, 'bn_p', conv(b, rng, 'project', y, 24, 8, 1), 8);
    y = b.node('Add', [y, x], {}, { name: 'residual' });
    y = b.node('Flatten', [b.node('GlobalAveragePool', [y])]);
    b.output(b.node('Gemm', [y, b.init('fc.w', [8, 4], rand(32, rng))], {}, { name: 'fc' }));
    const { network, ort } = await importAndCompare(b.toBytes(), SEED);
    expect(network.layers.map((l) => `${l.op}:${l.attrs.act ?? ''}`)).toEqual([
      'conv2d:relu6',
      'dwconv2d:relu6',
      'conv2d:none',
      'add:none',
      'avgpool:',
      'flatten:',
      'dense:none',
    ]);
    expect(totalMacs(network)).toBe(144 * 24 * 8 + 144 * 24 * 9 + 144 * 8 * 24 + 8 * 4);
    expectSameValues(network, ort, 1e-4);
  });

  it('QDQ model: quantize → dequantize → conv with dequantized per-channel int8 weights → relu → quantize', async () => {
    const rng = new Prng(SEED + 2);
    const b = new OnnxBuilder('qdq');
    const x = b.input('x', [1, 3, 10, 10]);
    const s = b.init('s', [], [0.01]);
    const z = b.init('z', [], [0], DataType.INT8);
    const xq = b.node('DequantizeLinear', [b.node('QuantizeLinear', [x, s, z]), s, z]);
    const wq = b.init(
      'wq',
      [6, 3, 3, 3],
      Array.from({ length: 162 }, () => rng.int(255) - 127),
      DataType.INT8,
    );
    const ws = b.init('ws', [6], [0.002, 0.003, 0.001, 0.004, 0.002, 0.0025]);
    const wz = b.init('wz', [6], [0, 0, 0, 0, 0, 0], DataType.INT8);
    const w = b.node('DequantizeLinear', [wq, ws, wz], { axis: 0 });
    const y = b.node('Relu', [b.node('Conv', [xq, w], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'qconv' })]);
    const ys = b.init('ys', [], [0.02]);
    b.output(b.node('DequantizeLinear', [b.node('QuantizeLinear', [y, ys, z]), ys, z]));
    const { network, ort } = await importAndCompare(b.toBytes(), SEED);
    expect(network.layers.map((l) => `${l.op}:${l.output.dtype}`)).toEqual([
      'quantize:int8',
      'dequantize:float32',
      'conv2d:float32',
      'quantize:int8',
      'dequantize:float32',
    ]);
    expect(network.layers[2].attrs.act).toBe('relu');
    // One quantisation step of the output is the most float rounding can move a value.
    expectSameValues(network, ort, 0.02 + 1e-6);
  });

  it('QOperator model: QLinearConv → depthwise QLinearConv → DequantizeLinear → GlobalAveragePool', async () => {
    const rng = new Prng(SEED + 3);
    const b = new OnnxBuilder('qlinear');
    const x = b.input('x', [1, 4, 9, 9], DataType.UINT8);
    const s = b.init('s', [], [0.05]);
    const z = b.init('z', [], [128], DataType.UINT8);
    const ws = b.init('ws', [], [0.01]);
    const wz = b.init('wz', [], [0], DataType.INT8);
    const w1 = b.init(
      'w1',
      [8, 4, 3, 3],
      Array.from({ length: 288 }, () => rng.int(255) - 127),
      DataType.INT8,
    );
    const w2 = b.init(
      'w2',
      [8, 1, 3, 3],
      Array.from({ length: 72 }, () => rng.int(255) - 127),
      DataType.INT8,
    );
    let y = b.node('QLinearConv', [x, s, z, w1, ws, wz, s, z], { pads: [1, 1, 1, 1] });
    y = b.node('QLinearConv', [y, s, z, w2, ws, wz, s, z], { group: 8, strides: [2, 2], auto_pad: 'SAME_UPPER' });
    b.output(b.node('GlobalAveragePool', [b.node('DequantizeLinear', [y, s, z])]));
    const { network } = await importAndCompare(b.toBytes(), SEED);
    expect(network.layers.map((l) => `${l.op}:${l.output.dtype}:${l.output.shape.join('x')}`)).toEqual([
      'conv2d:int8:9x9x8',
      'dwconv2d:int8:5x5x8',
      'dequantize:float32:5x5x8',
      'avgpool:float32:8',
    ]);
    expect(network.inputs[0].attrs).toEqual({ signed: false });
  });

  it('the committed example model is what scripts/make-example-onnx.ts writes, and imports exactly', async () => {
    const bytes = exampleOnnxModel(1);
    expect(
      Buffer.compare(readFileSync(`examples/${EXAMPLE_ONNX_FILE}`), Buffer.from(bytes)),
      'regenerate with: npx tsx scripts/make-example-onnx.ts',
    ).toBe(0);
    const { network, ort } = await importAndCompare(bytes, SEED);
    expect(network.layers.filter((l) => l.op === 'dwconv2d').length).toBe(3);
    expect(network.layers.filter((l) => l.op === 'batchnorm').length).toBe(0);
    expectSameValues(network, ort, 1e-5);
  });
});
