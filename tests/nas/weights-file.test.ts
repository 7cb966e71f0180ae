// A trained supernet saved and loaded (one training run serves many searches and deployments),
// and its subnets' batch norm folded for deployment: same accuracy as the shared weights give.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceFile, UserError } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { syntheticDigits } from '../../compiler/fl/data.ts';
import { Trainer, accuracy, compileModel } from '../../compiler/fl/trainer.ts';
import { DEFAULT_TRAIN_OPTIONS, trainSupernet } from '../../compiler/nas/accuracy/train.ts';
import { loadSupernetWeights, saveSupernetWeights } from '../../compiler/nas/accuracy/weights-file.ts';
import { largestConfig, lowerSubnet, smallestConfig } from '../../compiler/nas/supernet.ts';
import { TINY } from './tiny-supernet.ts';

const tiny = () => compileSource(new SourceFile('t.nacc', TINY)).program.supernets[0];

describe('supernet weights', () => {
  it('round-trip through a file; folded subnets score as the shared weights do', () => {
    const s = tiny();
    const train = syntheticDigits(96, 1);
    const test = syntheticDigits(64, 2);
    const net = trainSupernet(s, train, {
      ...DEFAULT_TRAIN_OPTIONS,
      largestEpochs: 1,
      sandwichEpochs: 1,
      calibrationImages: 48,
      seed: 3,
      imageSide: 16,
    });
    expect(net.batchNorm).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'nacc-nas-w-')), 'tiny.weights.json');
    saveSupernetWeights(file, net, { image_side: 16, note: 'test' });
    const back = loadSupernetWeights(file, s, 32);
    expect(Buffer.from(back.weights.buffer).equals(Buffer.from(net.weights.buffer))).toBe(true);
    back.useCalibration(train, 48, 3);
    for (const c of [largestConfig(s), smallestConfig(s)]) {
      const acc = net.accuracy(c, test);
      expect(back.accuracy(c, test)).toBe(acc);
      // The plain subnet (what every back end takes) with batch norm folded in.
      const plain = compileModel(lowerSubnet(s, c));
      const folded = back.foldedParamsOf(c);
      expect(folded.length).toBe(plain.paramCount);
      const x = back.resized(test.x, test.count, c.resolution);
      expect(Math.abs(accuracy(new Trainer(plain, 32), folded, x, test.y, test.count) - acc)).toBeLessThanOrEqual(1 / test.count);
    }
    // Another supernet's (or a damaged) file is an input error naming the file.
    const body = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...body, supernet: 'other' }));
    expect(() => loadSupernetWeights(file, s)).toThrow(UserError);
    writeFileSync(file, JSON.stringify({ ...body, param_count: body.param_count + 1 }));
    expect(() => loadSupernetWeights(file, s)).toThrow(/another layout/);
  }, 120_000);

  it('training continues from given weights (a weights file), not from a fresh initialisation', () => {
    const s = tiny();
    const train = syntheticDigits(64, 1);
    const o = { ...DEFAULT_TRAIN_OPTIONS, largestEpochs: 1, sandwichEpochs: 0, calibrationImages: 32, seed: 3, imageSide: 16 };
    const first = trainSupernet(s, train, o);
    // No steps: the weights are the given ones exactly.
    const kept = trainSupernet(s, train, { ...o, largestEpochs: 0, initWeights: first.weights });
    expect(Buffer.from(kept.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(true);
    // A fresh run of the same seed repeats the first run; one continued from its weights moves on.
    const fresh = trainSupernet(s, train, o);
    const continued = trainSupernet(s, train, { ...o, initWeights: first.weights });
    expect(Buffer.from(fresh.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(true);
    expect(Buffer.from(continued.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(false);
    expect(() => trainSupernet(s, train, { ...o, initWeights: new Float32Array(3) })).toThrow(/initial weights: 3 parameters/);
  }, 60_000);
});
