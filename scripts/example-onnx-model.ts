// The example ONNX model of examples/models/ (a tiny MobileNetV2-style classifier), built with
// the tests' ONNX builder from a seed; scripts/make-example-onnx.ts writes it, the demo imports the file.
import { OnnxBuilder } from '../tests/helpers/onnx-builder.ts';
import { DataType } from '../compiler/importers/onnx/proto.ts';
import { Prng } from '../compiler/util/prng.ts';

/**
 * 32×32×3 input; stem conv 3×3/2 + BN + ReLU6; a depthwise-separable block; two inverted
 * residual blocks (expand 3×, the second with a residual Add); global average pool; Gemm to 10
 * classes; Softmax. Exercises Conv (grouped, depthwise), BatchNormalization, Clip, Add,
 * GlobalAveragePool, Flatten, Gemm and Softmax.
 */
export function exampleOnnxModel(seed = 1): Uint8Array {
  const rng = new Prng(seed);
  const rand = (n: number, scale: number) => Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const b = new OnnxBuilder('mobilenet_tiny', 13);
  const zero = b.init('zero', [], [0]);
  const six = b.init('six', [], [6]);

  const convBn = (name: string, x: string, cin: number, cout: number, k: number, stride: number, group: number, relu6: boolean): string => {
    const w = b.init(
      `${name}.weight`,
      [cout, cin / group, k, k],
      rand(cout * (cin / group) * k * k, Math.sqrt(2 / ((cin / group) * k * k))),
    );
    const p = k >> 1;
    let y = b.node('Conv', [x, w], { pads: [p, p, p, p], strides: [stride, stride], group }, { name, outputs: [`${name}.out`] });
    const bn = (what: string, n: number, base: number, scale: number) =>
      b.init(
        `${name}.bn.${what}`,
        [n],
        rand(n, scale).map((v) => base + v),
      );
    y = b.node(
      'BatchNormalization',
      [y, bn('gamma', cout, 1, 0.1), bn('beta', cout, 0, 0.1), bn('mean', cout, 0, 0.1), bn('var', cout, 1, 0.1)],
      { epsilon: 1e-5 },
      { name: `${name}.bn`, outputs: [`${name}.bn.out`] },
    );
    if (relu6) y = b.node('Clip', [y, zero, six], {}, { name: `${name}.relu6`, outputs: [`${name}.relu6.out`] });
    return y;
  };

  const x = b.input('image', ['batch', 3, 32, 32]);
  let y = convBn('stem', x, 3, 8, 3, 2, 1, true); // 16×16×8
  y = convBn('block1.dw', y, 8, 8, 3, 1, 8, true);
  y = convBn('block1.project', y, 8, 16, 1, 1, 1, false); // 16×16×16
  y = convBn('block2.expand', y, 16, 48, 1, 1, 1, true);
  y = convBn('block2.dw', y, 48, 48, 3, 2, 48, true);
  y = convBn('block2.project', y, 48, 16, 1, 1, 1, false); // 8×8×16
  const skip = y;
  y = convBn('block3.expand', y, 16, 48, 1, 1, 1, true);
  y = convBn('block3.dw', y, 48, 48, 3, 1, 48, true);
  y = convBn('block3.project', y, 48, 16, 1, 1, 1, false);
  y = b.node('Add', [y, skip], {}, { name: 'block3.add', outputs: ['block3.add.out'] });
  y = b.node('GlobalAveragePool', [y], {}, { name: 'pool', outputs: ['pool.out'] });
  y = b.node('Flatten', [y], { axis: 1 }, { name: 'flatten', outputs: ['flatten.out'] });
  y = b.node(
    'Gemm',
    [y, b.init('classifier.weight', [10, 16], rand(160, 0.25)), b.init('classifier.bias', [10], rand(10, 0.1))],
    { transB: 1 },
    { name: 'classifier', outputs: ['logits'] },
  );
  b.node('Softmax', [y], { axis: 1 }, { name: 'softmax', outputs: ['probs'] });
  b.output('probs', DataType.FLOAT);
  return b.toBytes();
}
