// Batch normalisation in the trainer: its gradients against finite differences, exact
// recalibrated statistics, and folding into the convolutions (plain network, same outputs).
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../compiler/fl/build.ts';
import { foldBatchNorm } from '../../compiler/fl/fold-batch-norm.ts';
import { Trainer, compileModel, initParams } from '../../compiler/fl/trainer.ts';
import { Prng } from '../../compiler/util/prng.ts';

const net = () =>
  buildNetwork('bn', { name: 'img', type: { kind: 'feature', dtype: 'float32', shape: [6, 6, 2] } }, [
    { name: 'c1', op: 'conv2d', attrs: { out: 4, kernel: [3, 3], pad: [1, 1, 1, 1], act: 'relu6' } },
    { name: 'd1', op: 'dwconv2d', attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], act: 'relu' } },
    { name: 'p1', op: 'conv2d', attrs: { out: 5, kernel: [1, 1] } },
    { name: 'g', op: 'avgpool', attrs: { global: true } },
    { name: 'out', op: 'dense', attrs: { out: 3 } },
  ]);

const data = (n: number, features: number, seed: number) => {
  const rng = new Prng(seed);
  return {
    x: Float32Array.from({ length: n * features }, () => rng.next() * 2 - 0.5),
    y: Int32Array.from({ length: n }, () => rng.int(3)),
  };
};

describe('batch norm', () => {
  it('gradients (through batch statistics) match finite differences', () => {
    const model = compileModel(net(), { batchNorm: true });
    expect(model.batchNorms).toBe(3);
    const n = 4;
    const t = new Trainer(model, n);
    const p = initParams(model, 3, 'he');
    const rng = new Prng(4);
    for (let i = 0; i < p.length; i++) p[i] += 0.1 * (rng.next() - 0.5);
    const { x, y } = data(n, model.inputSize, 5);
    t.lossAndGradient(p, x, y, n);
    const analytic = Float32Array.from(t.grad);
    let worst = 0;
    let off = 0;
    const bnParams = model.params.flatMap((q) => (q.bn ? [q.bn.gamma, q.bn.beta] : []));
    const probes = [...bnParams, ...Array.from({ length: 60 }, () => rng.int(p.length))];
    for (const j of probes) {
      const keep = p[j];
      const h = 1e-3;
      p[j] = keep + h;
      const lp = t.lossAndGradient(p, x, y, n);
      p[j] = keep - h;
      const lm = t.lossAndGradient(p, x, y, n);
      p[j] = keep;
      const numeric = (lp - lm) / (2 * h);
      const err = Math.abs(numeric - analytic[j]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[j]));
      worst = Math.max(worst, err);
      if (err > 0.02) off++;
    }
    // A probe may straddle a ReLU kink (one did at 0.07 relative, 7e-4 absolute); the rest agree to 2%.
    expect(off).toBeLessThanOrEqual(1);
    expect(worst).toBeLessThan(0.1);
  });

  it('recalibration sets exact statistics; folded into the convolutions, the plain network gives the same outputs', () => {
    const withBn = compileModel(net(), { batchNorm: true });
    const plain = compileModel(net());
    const p = initParams(withBn, 7, 'he');
    const rng = new Prng(8);
    for (let i = 0; i < p.length; i++) p[i] += 0.2 * (rng.next() - 0.5);
    const t = new Trainer(withBn, 20);
    const cal = data(20, withBn.inputSize, 9);
    // Statistics recalibrated on one batch are that batch's: inference on it then gives the loss
    // the batch-statistics (training) pass gives.
    const trainLoss = t.lossAndGradient(p, cal.x, cal.y, 20);
    t.recalibrate(p, cal.x, 20);
    const logits = t.forward(p, cal.x, 20);
    let evalLoss = 0;
    for (let b = 0; b < 20; b++) {
      const z = Array.from(logits.subarray(b * 3, b * 3 + 3));
      const mx = Math.max(...z);
      evalLoss += Math.log(z.reduce((acc, v) => acc + Math.exp(v - mx), 0)) - (z[cal.y[b]] - mx);
    }
    expect(evalLoss / 20).toBeCloseTo(trainLoss, 4);
    const s0 = t.batchNorms[0];
    expect(s0.runMean.some((m) => Math.abs(m) > 1e-3)).toBe(true);
    const folded = foldBatchNorm(withBn, p, t.batchNorms, plain);
    const test = data(8, withBn.inputSize, 10);
    const a = Float32Array.from(t.forward(p, test.x, 8).subarray(0, 24));
    const b = new Trainer(plain, 8).forward(folded, test.x, 8).subarray(0, 24);
    expect(a.some((v) => Math.abs(v) > 1e-2)).toBe(true);
    for (let i = 0; i < 24; i++) expect(b[i]).toBeCloseTo(a[i], 4);
    // Calibration over the same images twice gives the same statistics (exact, not a running average).
    const before = Float64Array.from(s0.runMean);
    t.recalibrate(p, cal.x, 20);
    expect([...s0.runMean]).toEqual([...before]);
  });

  it('networks compiled without batch norm keep their layout', () => {
    const m = compileModel(net());
    expect(m.batchNorms).toBe(0);
    expect(m.params.every((q) => q.bn === undefined)).toBe(true);
    expect(compileModel(net(), { batchNorm: true }).paramCount).toBe(m.paramCount + 2 * (4 + 4 + 5));
  });
});
