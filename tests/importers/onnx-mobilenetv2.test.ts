// MobileNetV2 1.0 at 224 written as an ONNX graph (BatchNorm already folded, as exporters do):
// the import must give the reference 300,774,272 MACs and onnxruntime's output shape.
import { describe, expect, it } from 'vitest';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { DataType } from '../../compiler/importers/onnx/proto.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { importAndCompare } from './onnx-helpers.ts';

function mobilenetV2(): Uint8Array {
  const b = new OnnxBuilder('mobilenet_v2');
  const lo = b.init('clip.min', [], [0]);
  const hi = b.init('clip.max', [], [6]);
  let k = 0;
  const conv = (x: string, cin: number, cout: number, ks: number, stride: number, group: number, relu6: boolean): string => {
    const id = k++;
    const w = b.init(`w${id}`, [cout, cin / group, ks, ks], new Float32Array(cout * (cin / group) * ks * ks).fill(0.01));
    const bias = b.init(`b${id}`, [cout], new Float32Array(cout));
    const p = ks >> 1;
    const y = b.node('Conv', [x, w, bias], { pads: [p, p, p, p], strides: [stride, stride], group });
    return relu6 ? b.node('Clip', [y, lo, hi]) : y;
  };
  let x = conv(b.input('input', [1, 3, 224, 224]), 3, 32, 3, 2, 1, true);
  let c = 32;
  const settings: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  for (const [t, out, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = c * t;
      let y = t === 1 ? x : conv(x, c, hidden, 1, 1, 1, true);
      y = conv(y, hidden, hidden, 3, stride, hidden, true);
      y = conv(y, hidden, out, 1, 1, 1, false);
      x = stride === 1 && c === out ? b.node('Add', [y, x]) : y;
      c = out;
    }
  }
  x = conv(x, c, 1280, 1, 1, 1, true);
  x = b.node('Reshape', [b.node('GlobalAveragePool', [x]), b.init('flat', [2], [1, -1], DataType.INT64)]);
  b.output(
    b.node('Gemm', [x, b.init('fc.w', [1000, 1280], new Float32Array(1_280_000)), b.init('fc.b', [1000], new Float32Array(1000))], {
      transB: 1,
    }),
  );
  return b.toBytes();
}

describe('ONNX MobileNetV2 1.0 @ 224', () => {
  it('imports with the reference MAC count and onnxruntime output shape', async () => {
    const { network } = await importAndCompare(mobilenetV2(), 3);
    const stats = analyzeNetwork(network);
    expect(stats.totals.macs).toBe(300_774_272);
    expect(network.layers.filter((l) => l.op === 'dwconv2d')).toHaveLength(17);
    expect(network.layers.filter((l) => l.op === 'add')).toHaveLength(10);
    expect(network.layers.filter((l) => l.op === 'clip' || l.op === 'relu6')).toHaveLength(0);
  });
});
