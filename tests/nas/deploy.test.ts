// A trained subnet on a microcontroller: trained weights carried into the network's layers in
// the layouts calibration reads, real-image calibration, and `nacc nas-deploy` running the
// emitted C over a test split on the host and in QEMU with the batch harness.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { Trainer, compileModel, initParams } from '../../compiler/fl/trainer.ts';
import { prepareData } from '../../compiler/fl/data.ts';
import { quantizeNetwork } from '../../compiler/mcu/calibrate.ts';
import { fromBytes, runModel } from '../../compiler/reference/int8/executor.ts';
import { withTrainedWeights } from '../../compiler/nas/deploy-weights.ts';
import { argmaxRows, floatAccuracy, quantizeInputs, trainedSubnetOf } from '../../compiler/nas/deploy.ts';
import { DEFAULT_TRAIN_OPTIONS, trainSupernet } from '../../compiler/nas/accuracy/train.ts';
import { loadSupernetWeights, saveSupernetWeights } from '../../compiler/nas/accuracy/weights-file.ts';
import { largestConfig, lowerSubnet, smallestConfig } from '../../compiler/nas/supernet.ts';
import { nacc } from '../helpers/cli.ts';
import { naccInProcess } from '../helpers/in-process.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';
import { TINY } from './tiny-supernet.ts';

const tiny = () => compileSource(new SourceFile('tiny.nacc', TINY)).program.supernets[0];

describe('trained weights through int8 calibration', () => {
  it('the int8 model of a subnet with given weights follows the float model (layouts of conv, depthwise, dense)', () => {
    const spec = tiny();
    const c = largestConfig(spec);
    const net = lowerSubnet(spec, c, 'int8');
    const model = compileModel(net);
    const params = initParams(model, 7, 'he');
    // non-zero biases, so a bias in the wrong place shows too
    for (const p of model.params) for (let o = 0; o < p.shape[p.shape.length - 1]; o++) params[p.b + o] = 0.05 * Math.sin(o + p.b);
    const data = prepareData(spec.data!, 1, 3).test;
    const n = 40;
    const x = data.x.slice(0, n * model.inputSize);
    const q = quantizeNetwork(withTrainedWeights(net, model, params), {
      seed: 1,
      inputs: { count: 20, data: data.x.slice(n * model.inputSize, (n + 20) * model.inputSize) },
    });
    const bytes = quantizeInputs(q, x);
    const inT = q.tensors[q.inputs[0]];
    const outT = q.tensors[q.outputs[0]];
    const t = new Trainer(model, n);
    const floatLogits = t.forward(params, x, n).slice(0, n * 10);
    let agree = 0;
    let err = 0;
    let mag = 0;
    const int8Out = new Uint8Array(n * 10);
    for (let i = 0; i < n; i++) {
      const out = runModel(q, [fromBytes(inT, bytes.subarray(i * model.inputSize, (i + 1) * model.inputSize), 'x')])[0] as Int8Array;
      int8Out.set(new Uint8Array(out.buffer, out.byteOffset, 10), i * 10);
      for (let k = 0; k < 10; k++) {
        const deq = outT.quant!.scale[0] * (out[k] - outT.quant!.zeroPoint[0]);
        err += Math.abs(deq - floatLogits[i * 10 + k]);
        mag += Math.abs(floatLogits[i * 10 + k]);
      }
    }
    const pred = argmaxRows(int8Out, n, 10, 'int8');
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (floatLogits[i * 10 + k] > floatLogits[i * 10 + best]) best = k;
      if (best === pred[i]) agree++;
    }
    // the int8 logits are the float ones within a few percent; a transposed kernel would not be
    expect(err / mag).toBeLessThan(0.1);
    expect(agree).toBeGreaterThanOrEqual(n - 4);
  });

  it('an int8 input calibrated on real images takes their range; too few calibration values are a located error', () => {
    const spec = tiny();
    const net = lowerSubnet(spec, largestConfig(spec), 'int8');
    const size = 16 * 16;
    const images = new Float32Array(4 * size).map((_, i) => (i % 7) / 6); // pixels in [0, 1]
    const q = quantizeNetwork(net, { seed: 1, inputs: { count: 4, data: images } });
    const quant = q.tensors[q.inputs[0]].quant!;
    expect(quant.scale[0]).toBeCloseTo(1 / 255, 6);
    expect(quant.zeroPoint[0]).toBe(-128);
    expect(() => quantizeNetwork(net, { seed: 1, inputs: { count: 5, data: images } })).toThrow(/E0743|calibration input/);
  });
});

describe('nacc nas-deploy', async () => {
  const tools = [await needTool('gcc'), await needTool('arm-none-eabi-gcc'), await needTool('qemu-system-arm')];
  itNeeds(
    tools,
    'a trained subnet over a test split on the host and in QEMU: the same predictions, int8 beside float accuracy',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nacc-nas-deploy-'));
      const file = join(dir, 'super.nacc');
      writeFileSync(file, TINY);
      const out = join(dir, 'deployed');
      // a supernet trained here and written as a weights file, which the command reads
      const spec = tiny();
      const data = prepareData(spec.data!, 1, 2);
      const shared = trainSupernet(spec, data.train, {
        ...DEFAULT_TRAIN_OPTIONS,
        largestEpochs: 1,
        sandwichEpochs: 1,
        seed: 2,
        imageSide: 16,
      });
      const weights = join(dir, 'tiny.weights.json');
      saveSupernetWeights(weights, shared, { image_side: 16 });
      const r = await nacc([
        'nas-deploy',
        file,
        '--supernet',
        'tiny',
        '--target',
        'stm32f412',
        '--config',
        'smallest',
        '--weights',
        weights,
        '--calibration',
        '32',
        '--images',
        '48',
        '--reference',
        '4',
        '--seed',
        '2',
        '--json',
        '--out',
        out,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({
        supernet: 'tiny',
        accuracy_source: 'train',
        target: 'stm32f412',
        images: 48,
        calibration_images: 32,
        reference: { images: 4, bit_exact: 4 },
      });
      expect(j.config).toBe('r12/d1-w0.5-e2-k3/d1-w0.5-e2-k3');
      expect(j.host.agrees_with_qemu).toBe(true);
      expect(j.qemu.accuracy).toBe(j.int8_accuracy);
      expect(j.host.accuracy).toBe(j.int8_accuracy);
      expect(j.qemu.instructions_per_inference).toBeGreaterThan(j.macs);
      expect(j.drop_points).toBeCloseTo((j.int8_accuracy - j.float_accuracy) * 100, 3);
      // the accuracy is what the QEMU run's outputs say, against the labels it was given
      const outputs = readFileSync(join(out, 'run-batch-qemu', 'outputs.bin'));
      const labels = readFileSync(join(out, 'test-labels.bin'));
      expect(outputs.length).toBe(48 * 10);
      const pred = argmaxRows(outputs, 48, 10, 'int8');
      expect(pred.filter((p, i) => p === labels[i]).length / 48).toBeCloseTo(j.int8_accuracy, 6);
      expect(JSON.parse(readFileSync(join(out, 'deploy.json'), 'utf8')).int8_accuracy).toBe(j.int8_accuracy);
      // the float accuracy is the same subnet's, batch norm recalibrated and folded, on the same 48 images
      const loaded = loadSupernetWeights(weights, spec);
      loaded.useCalibration(data.train, DEFAULT_TRAIN_OPTIONS.calibrationImages, 2);
      const c = smallestConfig(spec);
      const x = loaded.resized(data.test.x, 48, c.resolution);
      expect(j.float_accuracy).toBeCloseTo(floatAccuracy(trainedSubnetOf(loaded, c), x, data.test.y.slice(0, 48)), 6);
      expect(j.float_accuracy).toBeCloseTo(loaded.accuracy(c, data.test, 48), 6);
    },
    300_000,
  );

  it('--from: the most accurate feasible subnet of a nacc nas result; without runs the reference executor gives the int8 accuracy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-nas-deploy-'));
    const file = join(dir, 'super.nacc');
    writeFileSync(file, TINY);
    const spec = tiny();
    const shared = trainSupernet(spec, prepareData(spec.data!, 1, 1).train, {
      ...DEFAULT_TRAIN_OPTIONS,
      largestEpochs: 1,
      sandwichEpochs: 0,
      seed: 1,
      imageSide: 16,
    });
    const weights = join(dir, 'w.json');
    saveSupernetWeights(weights, shared, { image_side: 16 });
    const search = join(dir, 'search');
    const pareto = [
      { config: 'r16/d2-w1-e3-k5/d2-w1-e3-k5', accuracy: 0.9, feasible: false },
      { config: 'r12/d1-w1-e2-k3/d2-w0.5-e3-k5', accuracy: 0.8, feasible: true },
      { config: 'r12/d1-w0.5-e2-k3/d1-w0.5-e2-k3', accuracy: 0.7, feasible: true },
    ];
    mkdirSync(search);
    writeFileSync(join(search, 'result.json'), JSON.stringify({ supernet: 'tiny', pareto }));
    const r = await naccInProcess([
      'nas-deploy',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--from',
      search,
      '--weights',
      weights,
      '--no-host',
      '--no-qemu',
      '--images',
      '16',
      '--calibration',
      '8',
      '--json',
      '--out',
      join(dir, 'out'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.config).toBe('r12/d1-w1-e2-k3/d2-w0.5-e3-k5');
    expect(j.images).toBe(16);
    expect(j.host).toBeUndefined();
    expect(j.qemu).toBeUndefined();
    expect(j.int8_accuracy).toBeGreaterThanOrEqual(0);
    expect(Math.round(j.int8_accuracy * 16)).toBeCloseTo(j.int8_accuracy * 16, 6);
  });

  it('usage errors: --config and --from together, a configuration of another supernet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-nas-deploy-'));
    const file = join(dir, 'super.nacc');
    writeFileSync(file, TINY);
    const both = await naccInProcess([
      'nas-deploy',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--config',
      'largest',
      '--from',
      dir,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error[N0130]');
    const bad = await naccInProcess(['nas-deploy', file, '--supernet', 'tiny', '--target', 'stm32f412', '--config', 'r28/d2-w1-e3-k5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/N0130.*not a configuration of supernet 'tiny'/);
    const from = await naccInProcess(['nas-deploy', file, '--supernet', 'tiny', '--target', 'stm32f412', '--from', dir]);
    expect(from.code).toBe(1);
    expect(from.stderr).toContain('error[N0131]');
  });
});
