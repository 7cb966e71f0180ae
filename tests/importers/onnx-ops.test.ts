// Each supported ONNX op, built in TypeScript, run in onnxruntime-node and imported: the shapes
// the importer derives must equal onnxruntime's, and each op must lower to the documented IR op.
import { describe, expect, it } from 'vitest';
import { OnnxBuilder, floats, tensor } from '../helpers/onnx-builder.ts';
import { DataType } from '../../compiler/importers/onnx/proto.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { expectSameValues, importAndCompare } from './onnx-helpers.ts';

const SEED = 7;
const rand = (n: number, rng: Prng, scale = 0.5) => Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
const ops = (net: { layers: { op: string }[] }) => net.layers.map((l) => l.op);

/** Conv with the given attributes on an input of [1, c, h, w]. */
function convModel(
  c: number,
  h: number,
  w: number,
  m: number,
  k: [number, number],
  attrs: Record<string, number[] | number | string>,
  group = 1,
): OnnxBuilder {
  const rng = new Prng(SEED);
  const b = new OnnxBuilder('conv');
  const x = b.input('x', [1, c, h, w]);
  const wt = b.init('w', [m, c / group, k[0], k[1]], rand(m * (c / group) * k[0] * k[1], rng));
  const bias = b.init('b', [m], rand(m, rng));
  b.output(b.node('Conv', [x, wt, bias], { ...attrs, group }));
  return b;
}

describe('ONNX Conv', () => {
  const cases: [string, () => OnnxBuilder, string][] = [
    ['asymmetric pads and strides', () => convModel(3, 11, 9, 8, [3, 3], { pads: [1, 0, 2, 1], strides: [2, 3] }), 'conv2d'],
    ['dilation', () => convModel(4, 12, 12, 4, [3, 3], { dilations: [2, 3], pads: [2, 3, 2, 3] }), 'conv2d'],
    ['non-square kernel', () => convModel(2, 10, 10, 6, [1, 5], { pads: [0, 2, 0, 2] }), 'conv2d'],
    [
      'auto_pad SAME_UPPER stride 2 on odd sizes',
      () => convModel(3, 7, 9, 5, [3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }),
      'conv2d',
    ],
    ['auto_pad SAME_LOWER', () => convModel(3, 8, 8, 5, [4, 4], { auto_pad: 'SAME_LOWER', strides: [3, 3] }), 'conv2d'],
    ['auto_pad VALID', () => convModel(3, 9, 9, 5, [3, 3], { auto_pad: 'VALID', strides: [2, 2] }), 'conv2d'],
    ['grouped (2 groups)', () => convModel(8, 6, 6, 12, [3, 3], { pads: [1, 1, 1, 1] }, 2), 'conv2d'],
    ['depthwise', () => convModel(6, 10, 10, 6, [3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, 6), 'dwconv2d'],
    ['depthwise with multiplier 2', () => convModel(4, 8, 8, 8, [5, 5], { pads: [2, 2, 2, 2] }, 4), 'dwconv2d'],
  ];
  for (const [name, build, op] of cases) {
    it(`${name} → ${op}`, async () => {
      const { network, ort } = await importAndCompare(build().toBytes());
      expect(ops(network)).toEqual([op]);
      expectSameValues(network, ort, 1e-4);
      const l = network.layers[0];
      const [kh, kw, cout] = [...(l.attrs.kernel as number[]), l.output.shape[2]];
      const cin = network.inputs[0].type.shape[2];
      expect(l.weights?.kernel.shape).toEqual(op === 'dwconv2d' ? [kh, kw, cout] : [cout, kh, kw, cin / (l.attrs.groups as number)]);
      expect(l.attrs.bias).toBe(true);
    });
  }

  it('depthwise attributes: multiplier and channels-last kernel layout', async () => {
    const { network } = await importAndCompare(convModel(4, 8, 8, 8, [5, 5], { pads: [2, 2, 2, 2] }, 4).toBytes());
    const l = network.layers[0];
    expect(l.attrs.multiplier).toBe(2);
    expect(l.weights!.kernel.shape).toEqual([5, 5, 8]);
    expect(l.output.shape).toEqual([8, 8, 8]);
  });
});

describe('ONNX dense ops', () => {
  it('Gemm with transB, alpha and beta', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 20]);
    const w = b.init('w', [7, 20], rand(140, rng));
    const c = b.init('c', [7], rand(7, rng));
    b.output(b.node('Gemm', [x, w, c], { transB: 1, alpha: 0.5, beta: floats(2) }));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['dense']);
    expect(network.layers[0].attrs).toMatchObject({ out: 7, bias: true });
    expectSameValues(network, ort, 1e-5);
  });

  it('MatMul followed by a bias Add folds into one dense', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 12]);
    const w = b.init('w', [12, 5], rand(60, rng));
    const bias = b.init('bias', [5], rand(5, rng));
    const y = b.node('MatMul', [x, w]);
    b.output(b.node('Add', [y, bias]));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['dense']);
    expect(network.layers[0].attrs.bias).toBe(true);
    expectSameValues(network, ort, 1e-5);
  });
});

describe('ONNX activations', () => {
  function convThen(act: (b: OnnxBuilder, y: string) => string, opset = 13): OnnxBuilder {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder('act', opset);
    const x = b.input('x', [1, 3, 6, 6]);
    const w = b.init('w', [4, 3, 3, 3], rand(108, rng));
    const y = b.node('Conv', [x, w], { pads: [1, 1, 1, 1] });
    b.output(act(b, y));
    return b;
  }
  it('Relu fuses into the conv it follows', async () => {
    const { network } = await importAndCompare(convThen((b, y) => b.node('Relu', [y])).toBytes());
    expect(ops(network)).toEqual(['conv2d']);
    expect(network.layers[0].attrs.act).toBe('relu');
  });
  it('Clip(0, 6) from inputs (opset 13) fuses as relu6', async () => {
    const m = convThen((b, y) => b.node('Clip', [y, b.init('lo', [], [0]), b.init('hi', [], [6])]));
    const { network } = await importAndCompare(m.toBytes());
    expect(network.layers[0].attrs.act).toBe('relu6');
  });
  it('Clip(0, 6) from attributes (opset 6) fuses as relu6', async () => {
    const m = convThen((b, y) => b.node('Clip', [y], { min: floats(0), max: floats(6) }), 6);
    const { network } = await importAndCompare(m.toBytes());
    expect(network.layers[0].attrs.act).toBe('relu6');
  });
  it('Clip with other bounds stays a clip layer', async () => {
    const m = convThen((b, y) => b.node('Clip', [y, b.init('lo', [], [-1]), b.init('hi', [], [0.5])]));
    const { network } = await importAndCompare(m.toBytes());
    expect(ops(network)).toEqual(['conv2d', 'clip']);
    expect(network.layers[1].attrs).toEqual({ min: -1, max: 0.5 });
  });
  it('Relu is not fused when the conv output has another consumer', async () => {
    const m = convThen((b, y) => b.node('Add', [b.node('Relu', [y]), y]));
    const { network } = await importAndCompare(m.toBytes());
    expect(ops(network)).toEqual(['conv2d', 'relu', 'add']);
  });
  it('fusion looks through pass-through nodes: conv → Identity → Relu with the conv also used elsewhere stays unfused', async () => {
    const m = convThen((b, y) => b.node('Add', [b.node('Relu', [b.node('Identity', [y])]), y]));
    const { network, ort } = await importAndCompare(m.toBytes());
    expect(ops(network)).toEqual(['conv2d', 'relu', 'add']);
    expectSameValues(network, ort, 1e-5);
  });
  it('conv → BatchNormalization → Relu folds and fuses into one conv', async () => {
    const rng = new Prng(SEED);
    const m = convThen((b, y) =>
      b.node('Relu', [
        b.node('BatchNormalization', [y, ...['s', 'b', 'm'].map((n) => b.init(n, [4], rand(4, rng))), b.init('v', [4], [1, 2, 0.5, 1.5])]),
      ]),
    );
    const { network, ort } = await importAndCompare(m.toBytes());
    expect(ops(network)).toEqual(['conv2d']);
    expect(network.layers[0].attrs).toMatchObject({ act: 'relu', bias: true });
    expectSameValues(network, ort, 1e-5);
  });
  it('Softmax over a vector', async () => {
    const b = new OnnxBuilder();
    b.output(b.node('Softmax', [b.input('x', [1, 10])], { axis: 1 }));
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['softmax']);
  });
});

describe('ONNX structure ops', () => {
  it('Add of two activations and Concat on channels', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 4, 5, 5]);
    const y = b.input('y', [1, 4, 5, 5]);
    const z = b.input('z', [1, 3, 5, 5]);
    const s = b.node('Add', [x, y]);
    b.output(b.node('Concat', [s, z, x], { axis: 1 }));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['add', 'concat']);
    expectSameValues(network, ort, 1e-6);
    expect(network.layers[1].output.shape).toEqual([5, 5, 11]);
  });

  it('MaxPool with pads and ceil_mode, AveragePool with count_include_pad', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 3, 10, 11]);
    b.output(b.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }));
    b.output(b.node('MaxPool', [x], { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 1, 0, 1] }));
    b.output(b.node('AveragePool', [x], { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }));
    b.output(b.node('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' }));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['maxpool', 'maxpool', 'avgpool', 'avgpool']);
    expectSameValues(network, ort, 1e-5);
  });

  it('ceil_mode drops a last window that would start inside the end padding (as onnxruntime does)', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 2, 4, 5]);
    b.output(b.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 }));
    b.output(b.node('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(network.layers[0].output.shape).toEqual([2, 3, 2]);
    expectSameValues(network, ort, 1e-5);
  });

  it('GlobalAveragePool → Flatten → Gemm, and GlobalAveragePool → Conv (SE-style)', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 8, 7, 7]);
    const g = b.node('GlobalAveragePool', [x]);
    const f = b.node('Flatten', [g]);
    b.output(b.node('Gemm', [f, b.init('w', [8, 3], rand(24, rng))]));
    b.output(b.node('Conv', [g, b.init('w2', [4, 8, 1, 1], rand(32, rng))]));
    b.output(b.node('GlobalMaxPool', [x]));
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['avgpool', 'flatten', 'dense', 'reshape', 'conv2d', 'maxpool']);
    expect(network.layers[0].output).toMatchObject({ kind: 'vector', shape: [8] });
  });

  it('ReduceMean / ReduceMax over H, W (keepdims 1 and 0) are global pools; Squeeze / Unsqueeze of activations reshape', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 6, 5, 7]);
    const m = b.node('ReduceMean', [x], { axes: [2, 3], keepdims: 1 });
    b.output(b.node('Conv', [m, b.init('w', [3, 6, 1, 1], rand(18, rng))]));
    const sq = b.node('Squeeze', [m, b.init('ax', [2], [2, 3], DataType.INT64)]);
    b.output(b.node('Gemm', [sq, b.init('fc', [6, 4], rand(24, rng))]));
    b.output(b.node('Unsqueeze', [b.node('ReduceMax', [x], { axes: [-1, -2], keepdims: 0 }), b.init('ax2', [2], [2, 3], DataType.INT64)]));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['avgpool', 'reshape', 'conv2d', 'reshape', 'dense', 'maxpool', 'reshape']);
    expectSameValues(network, ort, 1e-5);
  });

  it('Flatten of a feature map, Reshape with 0 and -1, Reshape back to 4-D', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 4, 3, 5]);
    b.output(b.node('Flatten', [x], { axis: 1 }));
    const r = b.node('Reshape', [x, b.init('s', [2], [0, -1], DataType.INT64)]);
    b.output(r);
    b.output(b.node('Reshape', [r, b.init('s4', [4], [1, 6, 2, 5], DataType.INT64)]));
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['flatten', 'flatten', 'reshape']);
    expect(network.layers[2].output.shape).toEqual([2, 5, 6]);
  });

  it('PyTorch-style view(x.size(0), -1): Shape/Gather/Unsqueeze/Concat fold to a constant', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 2, 4, 4]);
    const shape = b.node('Shape', [x]);
    const n = b.node('Gather', [shape, b.init('zero', [], [0], DataType.INT64)], { axis: 0 });
    const un = b.node('Unsqueeze', [n, b.init('ax', [1], [0], DataType.INT64)]);
    const cat = b.node('Concat', [un, b.init('minus1', [1], [-1], DataType.INT64)], { axis: 0 });
    b.output(b.node('Reshape', [x, cat]));
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['flatten']);
    expect(network.layers[0].output.shape).toEqual([32]);
  });

  it('Pad from inputs (opset 13) and from attributes (opset 2)', async () => {
    for (const opset of [13, 2]) {
      const b = new OnnxBuilder('pad', opset);
      const x = b.input('x', [1, 3, 5, 6]);
      const pads = [0, 0, 1, 2, 0, 0, 3, 0];
      const y =
        opset >= 11
          ? b.node('Pad', [x, b.init('p', [8], pads, DataType.INT64), b.init('v', [], [0.5])])
          : b.node('Pad', [x], { pads, value: 0.5 });
      b.output(y);
      const { network, ort } = await importAndCompare(b.toBytes());
      expect(ops(network)).toEqual(['pad']);
      expectSameValues(network, ort, 1e-7);
      expect(network.layers[0].attrs.pad).toEqual([1, 2, 3, 0]);
      expect(network.layers[0].output.shape).toEqual([9, 8, 3]);
    }
  });

  it('BatchNormalization folds into the conv, and stays a batchnorm layer after an Add', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 3, 6, 6]);
    const bn = (name: string, y: string) =>
      b.node(
        'BatchNormalization',
        [
          y,
          b.init(`${name}s`, [4], rand(4, rng)),
          b.init(`${name}b`, [4], rand(4, rng)),
          b.init(`${name}m`, [4], rand(4, rng)),
          b.init(
            `${name}v`,
            [4],
            rand(4, rng).map((v) => Math.abs(v) + 0.5),
          ),
        ],
        { epsilon: 1e-3 },
      );
    const c = b.node('Conv', [x, b.init('w', [4, 3, 3, 3], rand(108, rng))], { pads: [1, 1, 1, 1] });
    const y = bn('bn1', c);
    b.output(bn('bn2', b.node('Add', [y, y])));
    const { network, ort } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['conv2d', 'add', 'batchnorm']);
    expectSameValues(network, ort, 1e-4);
    expect(network.layers[0].attrs.bias).toBe(true);
  });

  it('Constant nodes (tensor, value_float, value_ints) feed Clip bounds and Reshape shapes', async () => {
    const b = new OnnxBuilder('const', 13);
    const x = b.input('x', [1, 3, 4, 4]);
    const lo = b.node('Constant', [], { value: { tensor: tensor('', [], [0]) } });
    const hi = b.node('Constant', [], { value_float: floats(6) });
    const shape = b.node('Constant', [], { value_ints: [1, 48] });
    const y = b.node('Clip', [x, lo, hi]);
    const cast = b.node('Cast', [b.node('Constant', [], { value_ints: [1, 48] })], { to: DataType.INT64 });
    const sq = b.node('Squeeze', [b.node('Unsqueeze', [cast, b.init('ax0', [1], [0], DataType.INT64)]), 'ax0']);
    b.output(b.node('Reshape', [y, shape]));
    b.output(
      b.node('Reshape', [
        y,
        b.node(
          'Concat',
          [
            b.init('one', [1], [1], DataType.INT64),
            b.node('Unsqueeze', [b.node('Gather', [sq, b.init('i1', [], [1], DataType.INT64)]), b.init('ax', [1], [0], DataType.INT64)]),
          ],
          { axis: 0 },
        ),
      ]),
    );
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['relu6', 'flatten', 'flatten']);
  });

  it('Identity and Dropout pass through', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 6]);
    b.output(b.node('Relu', [b.node('Dropout', [b.node('Identity', [x])])]));
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['relu']);
    expect(network.layers[0].inputs).toEqual(['x']);
  });
});

describe('ONNX quantisation ops', () => {
  it('QuantizeLinear (int8 and uint8) and DequantizeLinear', async () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 3, 4, 4]);
    const q = b.node('QuantizeLinear', [x, b.init('s', [], [0.05]), b.init('z', [], [3], DataType.INT8)]);
    b.output(b.node('DequantizeLinear', [q, 's', 'z']));
    b.output(b.node('QuantizeLinear', [x, 's', b.init('zu', [], [128], DataType.UINT8)]), DataType.UINT8);
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['quantize', 'dequantize', 'quantize']);
    expect(network.layers[0]).toMatchObject({
      attrs: { scale: expect.closeTo(0.05, 6), zero_point: 3, signed: true },
      output: { dtype: 'int8' },
    });
    expect(network.layers[1].output.dtype).toBe('float32');
    expect(network.layers[2].attrs.signed).toBe(false);
  });

  it('QuantizeLinear without a zero point quantises to uint8', async () => {
    const b = new OnnxBuilder();
    b.output(b.node('QuantizeLinear', [b.input('x', [1, 8]), b.init('s', [], [0.1])]), DataType.UINT8);
    const { network } = await importAndCompare(b.toBytes());
    expect(network.layers[0]).toMatchObject({
      op: 'quantize',
      attrs: { zero_point: 0, signed: false },
      output: { dtype: 'int8', shape: [8] },
    });
  });

  it('QLinearConv (uint8 activations, per-channel int8 weights) and QLinearMatMul', async () => {
    const rng = new Prng(SEED);
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 3, 8, 8], DataType.UINT8);
    const xs = b.init('xs', [], [0.02]);
    const xz = b.init('xz', [], [128], DataType.UINT8);
    const w = b.init(
      'w',
      [4, 3, 3, 3],
      Array.from({ length: 108 }, () => rng.int(255) - 127),
      DataType.INT8,
    );
    const ws = b.init('ws', [4], [0.01, 0.02, 0.015, 0.03]);
    const wz = b.init('wz', [4], [0, 0, 0, 0], DataType.INT8);
    const ys = b.init('ys', [], [0.1]);
    const yz = b.init('yz', [], [100], DataType.UINT8);
    const bias = b.init('bias', [4], [10, -20, 30, 0], DataType.INT32);
    const c = b.node('QLinearConv', [x, xs, xz, w, ws, wz, ys, yz, bias], { pads: [1, 1, 1, 1], strides: [2, 2] });
    b.output(c, DataType.UINT8);
    const f = b.node('Reshape', [c, b.init('shape', [2], [1, -1], DataType.INT64)]);
    const w2 = b.init(
      'w2',
      [64, 5],
      Array.from({ length: 320 }, () => rng.int(255) - 127),
      DataType.INT8,
    );
    b.output(
      b.node('QLinearMatMul', [f, ys, yz, w2, b.init('w2s', [], [0.01]), b.init('w2z', [], [0], DataType.INT8), ys, yz]),
      DataType.UINT8,
    );
    const { network } = await importAndCompare(b.toBytes());
    expect(ops(network)).toEqual(['conv2d', 'flatten', 'dense']);
    expect(network.layers[0]).toMatchObject({
      attrs: { weight_scale: [0.01, 0.02, 0.015, 0.03].map((v) => expect.closeTo(v, 6)), input_zero_point: 128, output_zero_point: 100 },
      output: { dtype: 'int8', shape: [4, 4, 4] },
    });
    expect(network.layers[0].weights!.kernel.dtype).toBe('int8');
    expect(network.layers[0].weights!.bias!.dtype).toBe('int32');
    expect(network.layers[2].output).toMatchObject({ dtype: 'int8', shape: [5] });
  });
});
