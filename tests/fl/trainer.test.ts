import { describe, expect, it } from 'vitest';
import { buildNetwork, mlp } from '../../compiler/fl/build.ts';
import { Trainer, compileModel, initParams, accuracy } from '../../compiler/fl/trainer.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';

/** Central finite differences in float64 arithmetic on top of float32 storage. */
function gradCheck(net: ReturnType<typeof buildNetwork>, seed: number, n: number, probes: number) {
  const model = compileModel(net);
  const trainer = new Trainer(model, n);
  const params = initParams(model, seed);
  const rng = new Prng(seed + 1);
  // Biases start at zero; give them values so relu masks and bias grads are exercised.
  for (let i = 0; i < params.length; i++) params[i] += 0.05 * (rng.next() - 0.5);
  const x = new Float32Array(n * model.inputSize);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(model.classes);
  trainer.lossAndGradient(params, x, y, n);
  const analytic = Float32Array.from(trainer.grad);
  let worst = 0;
  for (let k = 0; k < probes; k++) {
    const j = rng.int(params.length);
    const keep = params[j];
    const h = 1e-3;
    params[j] = keep + h;
    const lp = trainer.lossAndGradient(params, x, y, n);
    params[j] = keep - h;
    const lm = trainer.lossAndGradient(params, x, y, n);
    params[j] = keep;
    const numeric = (lp - lm) / (2 * h);
    const err = Math.abs(numeric - analytic[j]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[j]));
    worst = Math.max(worst, err);
  }
  return worst;
}

describe('trainer', () => {
  it('MLP gradients match finite differences', () => {
    expect(gradCheck(mlp('m', [6, 6, 1], 8, 4), 3, 5, 60)).toBeLessThan(0.03);
  });

  it('conv / pool / relu gradients match finite differences', () => {
    const net = buildNetwork('c', { name: 'img', type: { kind: 'feature', dtype: 'float32', shape: [8, 8, 2] } }, [
      { name: 'c1', op: 'conv2d', attrs: { out: 4, kernel: [3, 3], pad: [1, 1, 1, 1], act: 'relu' } },
      { name: 'p1', op: 'maxpool', attrs: { kernel: [2, 2], stride: [2, 2] } },
      { name: 'c2', op: 'conv2d', attrs: { out: 4, kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 0], groups: 2 } },
      { name: 'r2', op: 'relu' },
      { name: 'p2', op: 'avgpool', attrs: { kernel: [2, 2], stride: [1, 1] } },
      { name: 'f', op: 'flatten' },
      { name: 'out', op: 'dense', attrs: { out: 3 } },
    ]);
    expect(gradCheck(net, 5, 3, 80)).toBeLessThan(0.05);
  });

  it('dilated conv, global pooling, residual add and softmax output', () => {
    const net = buildNetwork('r', { name: 'img', type: { kind: 'feature', dtype: 'float32', shape: [6, 6, 3] } }, [
      { name: 'a', op: 'conv2d', attrs: { out: 3, kernel: [3, 3], dilation: [2, 2], pad: [2, 2, 2, 2], act: 'relu6' } },
      { name: 'b', op: 'add', inputs: ['img', 'a'] },
      { name: 'g', op: 'avgpool', attrs: { global: true } },
      { name: 'd', op: 'dense', attrs: { out: 4 } },
      { name: 's', op: 'softmax' },
    ]);
    expect(gradCheck(net, 9, 2, 60)).toBeLessThan(0.05);
  });

  it('soft targets: one-hot targets are the labels exactly; distributions match finite differences', () => {
    const model = compileModel(mlp('m', [5, 6], 6, 4));
    const n = 3;
    const t = new Trainer(model, n);
    const p = initParams(model, 4);
    const rng = new Prng(5);
    const x = Float32Array.from({ length: n * model.inputSize }, () => rng.normal());
    const y = Int32Array.from([2, 0, 3]);
    const hardLoss = t.lossAndGradient(p, x, y, n);
    const hardGrad = Float32Array.from(t.grad);
    const probs = t.softmaxOf(n, new Float32Array(n * 4));
    for (let b = 0; b < n; b++) expect(probs.subarray(b * 4, b * 4 + 4).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    const oneHot = new Float32Array(n * 4);
    for (let b = 0; b < n; b++) oneHot[b * 4 + y[b]] = 1;
    expect(t.lossAndGradient(p, x, y, n, oneHot)).toBe(hardLoss);
    expect(Array.from(t.grad)).toEqual(Array.from(hardGrad));
    // A teacher's distribution (another model's softmax): gradient of -sum q log p.
    const soft = new Float32Array(n * 4);
    for (let b = 0; b < n; b++) {
      const r = [rng.next(), rng.next(), rng.next(), rng.next()];
      const z = r.reduce((a, v) => a + v, 0);
      for (let c = 0; c < 4; c++) soft[b * 4 + c] = r[c] / z;
    }
    t.lossAndGradient(p, x, y, n, soft);
    const analytic = Float32Array.from(t.grad);
    for (const j of [0, 7, 19, model.paramCount - 1, model.paramCount - 6]) {
      const keep = p[j];
      p[j] = keep + 1e-3;
      const lp = t.lossAndGradient(p, x, y, n, soft);
      p[j] = keep - 1e-3;
      const lm = t.lossAndGradient(p, x, y, n, soft);
      p[j] = keep;
      expect(Math.abs((lp - lm) / 2e-3 - analytic[j])).toBeLessThan(2e-3 + 0.03 * Math.abs(analytic[j]));
    }
  });

  it('learns a separable problem with plain SGD', () => {
    const model = compileModel(mlp('m', [4], 16, 2));
    const t = new Trainer(model, 32);
    const p = initParams(model, 1);
    const rng = new Prng(2);
    const n = 256;
    const x = new Float32Array(n * 4);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) x[i * 4 + j] = rng.normal();
      y[i] = x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0;
    }
    for (let step = 0; step < 200; step++) {
      const s = (step * 32) % n;
      t.lossAndGradient(p, x.subarray(s * 4), y.subarray(s), 32);
      for (let i = 0; i < p.length; i++) p[i] -= 0.1 * t.grad[i];
    }
    expect(accuracy(t, p, x, y, n)).toBeGreaterThan(0.9);
  });

  it('same seed, same parameters; unsupported ops fail as user errors', () => {
    const m = compileModel(mlp('m', [6, 6, 1], 8, 4));
    expect(initParams(m, 7)).toEqual(initParams(m, 7));
    expect(initParams(m, 7)).not.toEqual(initParams(m, 8));
    const bad = buildNetwork('b', { name: 'x', type: { kind: 'feature', dtype: 'float32', shape: [4, 4, 1] } }, [
      { name: 'p', op: 'pad', attrs: { pad: [1, 1, 1, 1] } },
    ]);
    expect(() => compileModel(bad)).toThrow(UserError);
  });
});
