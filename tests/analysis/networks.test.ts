// Shapes, MACs, parameters, receptive fields and peak memory of reference networks.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeNetwork, findLayer } from '../../compiler/analysis/analyze.ts';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource, loadProgram } from '../../compiler/frontend/index.ts';
import type { Network } from '../../compiler/ir/network.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';

const classic = loadProgram(join(process.cwd(), 'examples/classic.nacc'));
const net = (name: string, p = classic): Network => p.networks.find((n) => n.name === name)!;

function compile(text: string): Network {
  const r = compileSource(new SourceFile('test.nacc', text));
  expect(r.diagnostics).toEqual([]);
  return r.program.networks[0];
}

describe('reference MAC counts (conv + dense multiply-accumulates)', () => {
  it('ResNet-50 = 4,089,184,256', () => expect(analyzeNetwork(net('resnet50')).totals.macs).toBe(4_089_184_256));
  it('VGG16 = 15,470,264,320', () => expect(analyzeNetwork(net('vgg16')).totals.macs).toBe(15_470_264_320));
  it('MobileNetV2 1.0 @224 = 300,774,272', () => expect(analyzeNetwork(net('mobilenet_v2')).totals.macs).toBe(300_774_272));
  it('VGG16 has 138,357,544 parameters (with biases)', () => expect(analyzeNetwork(net('vgg16')).totals.params).toBe(138_357_544));
});

describeNeeds([needShared('dsl-examples')], 'shared examples', () => {
  const p = (f: string) => loadProgram(join(process.cwd(), '../shared/dsl-examples', f));
  it('MobileNetV2 with the built-in mbconv matches its comment', () => {
    const s = analyzeNetwork(net('mobilenetv2', p('mobilenetv2.nacc')));
    expect(s.totals.macs).toBe(300_774_272);
    expect(s.layers.at(-1)!.outputShape).toEqual([1000]);
  });
  it('ResNet-18 from a user block: 1.81 GMACs, downsampling shortcuts projected', () => {
    const n = net('resnet18', p('resnet18.nacc'));
    const s = analyzeNetwork(n);
    expect(s.totals.macs).toBe(1_814_073_344);
    expect(n.layers.filter((l) => l.origin === 'shortcut').map((l) => l.output.shape)).toEqual([
      [28, 28, 128],
      [14, 14, 256],
      [7, 7, 512],
    ]);
  });
  it('DS-CNN keeps SAME padding with a [10, 4] kernel at stride 2', () => {
    const n = net('ds_cnn', p('tiny.nacc'));
    expect(n.layers[0].output.shape).toEqual([25, 5, 64]);
    expect(n.layers[0].attrs.pad).toEqual([4, 1, 5, 1]); // TF SAME: total H pad 9 (extra at the end), W pad 2
  });
  it('point clouds: set abstraction, group_all and edge_conv shapes', () => {
    const pc = p('pointclouds.nacc');
    const pn = net('pointnet2_ssg', pc);
    expect(findLayer(pn, 'l1')!.output.shape).toBeDefined();
    const l1 = pn.layers.filter((l) => l.name.startsWith('l1.'));
    expect(l1.map((l) => l.op)).toEqual(['fps', 'ball_query', 'group', 'shared_mlp', 'shared_mlp', 'shared_mlp', 'reduce_max']);
    expect(l1.at(-1)!.output.shape).toEqual([512, 3 + 128]);
    expect(pn.layers.find((l) => l.name === 'l3.pool')!.output).toMatchObject({ kind: 'vector', shape: [1024] });
    // first MLP of l1 sees 3 relative coordinates of 512 x 32 neighbours
    expect(analyzeNetwork(pn).layers.find((l) => l.name === 'l1.mlp1')!.macs).toBe(512 * 32 * 3 * 64);
    const dg = net('dgcnn', pc);
    expect(dg.layers.find((l) => l.name === 'e1.edges')!.output.shape).toEqual([1024, 20, 6]);
    expect(dg.layers.find((l) => l.name === 'e2.edges')!.output.shape).toEqual([1024, 20, 128]);
  });
  it('sparse voxels: the voxel count is the declared N, marked as an estimate', () => {
    const mk = net('minkunet_small', p('pointclouds.nacc'));
    for (const l of mk.layers) {
      expect(l.output.shape[0]).toBe(100_000);
      expect(l.output.estimated).toBe(true);
    }
    expect(mk.layers.at(-1)!.output.shape).toEqual([100_000, 3 + 19]);
    expect(mk.inputs[0].attrs).toEqual({ voxel_size: 0.05 });
  });
});

describe('language semantics', () => {
  it('re-bound names get stable unique names; names bound once keep theirs', () => {
    const n = compile(`network n {
      input img: int8[8, 8, 4]
      a = conv2d(img, out: 4, kernel: 3)
      x = relu(a)
      x = relu(x)
      x = conv2d(x, out: 4, kernel: 1) * 3
      output x
    }`);
    expect(n.layers.map((l) => l.name)).toEqual(['a', 'x_1', 'x_2', 'x_3[1]', 'x_3[2]', 'x_3[3]']);
    expect(n.outputs).toEqual(['x_3[3]']);
  });

  it('stride applies to the first repeat only', () => {
    const n = compile(`network n {
      input img: int8[32, 32, 8]
      x = conv2d(img, out: 8, kernel: 3, stride: 2) * 3
      output x
    }`);
    expect(n.layers.map((l) => l.output.shape)).toEqual([
      [16, 16, 8],
      [16, 16, 8],
      [16, 16, 8],
    ]);
    expect(n.layers.map((l) => l.attrs.stride)).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
  });

  it('blocks take defaults and keyword arguments; arithmetic on parameters', () => {
    const n = compile(`block wide(x, w, k: 3) {
      return conv2d(x, out: w * 2 + 1, kernel: k)
    }
    network n {
      input img: int8[8, 8, 2]
      y = wide(img, w: 4)
      output y
    }`);
    expect(n.layers[0]).toMatchObject({ name: 'y.conv2d', op: 'conv2d', output: { shape: [8, 8, 9] }, attrs: { kernel: [3, 3] } });
  });

  it('receptive field and peak layer-by-layer memory', () => {
    const n = compile(`network n {
      input img: int8[32, 32, 1]
      a = conv2d(img, out: 8, kernel: 3, stride: 2)
      b = conv2d(a, out: 8, kernel: 3)
      c = conv2d(b, out: 8, kernel: 3, dilation: 2)
      output c
    }`);
    const s = analyzeNetwork(n);
    expect(s.layers.map((l) => l.receptiveField)).toEqual([
      [3, 3],
      [7, 7],
      [15, 15],
    ]);
    // while `a` runs, the input (1024 B) and its output (2048 B) are live
    expect(s.layers[0].liveBytes).toBe(32 * 32 + 16 * 16 * 8);
    expect(s.totals.peakActivationBytes).toBe(Math.max(32 * 32 + 2048, 2048 + 2048));
  });

  it('a skip connection keeps its tensor alive', () => {
    const n = compile(`network n {
      input img: int8[8, 8, 4]
      a = conv2d(img, out: 4, kernel: 1)
      b = conv2d(a, out: 4, kernel: 1)
      c = conv2d(b, out: 4, kernel: 1)
      d = add(a, c)
      output d
    }`);
    const s = analyzeNetwork(n);
    // when c runs: a (kept for d), b, c
    expect(s.layers[2].liveBytes).toBe(3 * 256);
  });
});
