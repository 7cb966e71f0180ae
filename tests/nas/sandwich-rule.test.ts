// The sandwich step's rule: the subnets' gradients are summed (once-for-all, BigNAS) or
// averaged, and with in-place distillation every subnet but the largest learns from the
// largest's softmax rather than from the labels. The largest-first phase is untouched by both.
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { syntheticDigits } from '../../compiler/fl/data.ts';
import { DEFAULT_TRAIN_OPTIONS, sandwichFacts, trainSupernet } from '../../compiler/nas/accuracy/train.ts';
import { TINY } from './tiny-supernet.ts';

const tiny = () => compileSource(new SourceFile('t.nacc', TINY)).program.supernets[0];

describe('sandwich rule', () => {
  // One step from the same initial weights, no weight decay: the step is -lr * clip * gradient.
  const oneStep = (rule: Partial<typeof DEFAULT_TRAIN_OPTIONS>, phases = { largestEpochs: 0, sandwichEpochs: 1 }) => {
    const s = tiny();
    const train = syntheticDigits(DEFAULT_TRAIN_OPTIONS.batch, 1);
    const o = { ...DEFAULT_TRAIN_OPTIONS, ...phases, ...rule, weightDecay: 0, lr: 1e-3, calibrationImages: 16, seed: 3, imageSide: 16 };
    const init = trainSupernet(s, train, { ...o, largestEpochs: 0, sandwichEpochs: 0 }).weights;
    const after = trainSupernet(s, train, { ...o, initWeights: init }).weights;
    return Float64Array.from(after, (v, i) => v - init[i]);
  };

  it('summed gradients move the shared weights k times as far as averaged ones (k subnets a step)', () => {
    const k = 2 + DEFAULT_TRAIN_OPTIONS.randomPerStep;
    const sum = oneStep({ sandwichGradient: 'sum', distill: false });
    const mean = oneStep({ sandwichGradient: 'mean', distill: false });
    const norm = (d: Float64Array) => Math.sqrt(d.reduce((a, v) => a + v * v, 0));
    expect(norm(mean)).toBeGreaterThan(0);
    // The clip (norm 2) may bind for the sum only; the direction is the same either way.
    const ratio = norm(sum) / norm(mean);
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThanOrEqual(k * (1 + 1e-4));
    const cos = sum.reduce((a, v, i) => a + v * mean[i], 0) / (norm(sum) * norm(mean));
    expect(cos).toBeGreaterThan(1 - 1e-4);
  }, 60_000);

  it('in-place distillation changes the sandwich step, not the largest-first phase', () => {
    const same = (a: Float64Array, b: Float64Array) => a.every((v, i) => v === b[i]);
    const largestOnly = { largestEpochs: 1, sandwichEpochs: 0 };
    expect(same(oneStep({ distill: true }, largestOnly), oneStep({ distill: false }, largestOnly))).toBe(true);
    expect(same(oneStep({ distill: true }), oneStep({ distill: false }))).toBe(false);
    expect(sandwichFacts({ sandwichGradient: 'sum', distill: true }).sandwich_targets).toMatch(/distillation/);
  }, 60_000);
});
