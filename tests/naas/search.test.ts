import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { problemMacs } from '../../compiler/ir/problem.ts';
import { buildWorkloads, networkProblems } from '../../compiler/naas/problems.ts';
import { evaluateFixed, inlineRunner, searchSpace, workerRunner } from '../../compiler/naas/search.ts';

const examples = join(process.cwd(), 'examples');

describe('network layers as problems', () => {
  const prog = loadProgram(join(examples, 'naas_networks.nacc'));
  for (const name of ['vgg16', 'mobilenetv2', 'resnet50']) {
    it(`${name}: the problems carry every MAC of the network`, () => {
      const net = prog.networks.find((n) => n.name === name)!;
      const macs = networkProblems(net).reduce((a, p) => a + problemMacs(p.problem), 0);
      expect(macs).toBe(analyzeNetwork(net).totals.macs);
    });
  }
  it('turns depthwise layers into grouped problems', () => {
    const net = prog.networks.find((n) => n.name === 'mobilenetv2')!;
    const dw = networkProblems(net).find((p) => p.op === 'dwconv2d')!;
    expect(dw.problem.dims).toContain('G');
    expect(dw.problem.bounds.C).toBe(1);
  });
});

describe('search', () => {
  const prog = loadProgram(join(examples, 'naas_accelerators.nacc'));
  const workloads = buildWorkloads(prog.networks.filter((n) => n.name === 'tinyconv'));
  const eyeriss = prog.accelerators.find((a) => a.name === 'eyeriss')!;
  const space = prog.spaces.find((s) => s.name === 'naas_eyeriss')!;
  const sizing = prog.spaces.find((s) => s.name === 'sizing_eyeriss')!;
  const budget = { generations: 2, population: 4, inner: { generations: 2, population: 4 }, baselineEvaluations: 100 };

  it('is reproducible for a seed and independent of worker threads', async () => {
    const a = await searchSpace({ workloads, space, resources: eyeriss, seed: 3, budget, run: inlineRunner });
    const b = await searchSpace({ workloads, space, resources: eyeriss, seed: 3, budget, run: inlineRunner });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const pool = workerRunner(2);
    try {
      const c = await searchSpace({ workloads, space, resources: eyeriss, seed: 3, budget, run: pool.run });
      expect(JSON.stringify(c)).toBe(JSON.stringify(a));
    } finally {
      await pool.close();
    }
    expect(a.best.valid).toBe(true);
    const pes = a.best.spec!.peArray.reduce((x, y) => x * y, 1);
    expect(pes).toBeLessThanOrEqual(168);
    expect(a.history).toHaveLength(2);
    expect(a.history[1].best_edp).toBeLessThanOrEqual(a.history[0].best_edp);
  }, 120_000);

  it('sizing-only search keeps the dataflow', async () => {
    const r = await searchSpace({ workloads, space: sizing, resources: eyeriss, seed: 1, budget, run: inlineRunner });
    expect(r.best.spec?.dataflow).toBe('row_stationary');
    expect(r.best.spec?.peArray).toHaveLength(2);
  });

  it('maps the baseline within its dataflow', async () => {
    const r = await evaluateFixed(eyeriss, workloads, 100, 1, inlineRunner);
    expect(r.valid).toBe(true);
    for (const l of r.networks[0].layers) {
      const sp = l.mapping.levels[1].spatial;
      for (const s of sp) expect(s.axis === 'X' ? ['Q', 'K'] : ['S', 'C', 'K', 'G']).toContain(s.dim);
    }
    expect(r.cost).toBeCloseTo(r.cycles * r.energyPj, -3);
  });
});

describe('predictLayer (for other stages)', () => {
  it('predicts a layer deterministically within the dataflow', async () => {
    const { predictLayer } = await import('../../compiler/naas/index.ts');
    const prog = loadProgram(join(examples, 'naas_accelerators.nacc'));
    const net = prog.networks.find((n) => n.name === 'tinyconv')!;
    const spec = prog.accelerators.find((a) => a.name === 'eyeriss')!;
    const a = predictLayer(net, net.layers[0], spec, { seed: 4, effort: 200 })!;
    const b = predictLayer(net, net.layers[0], spec, { seed: 4, effort: 200 })!;
    expect(a.cycles).toBe(b.cycles);
    expect(a.cycles).toBeGreaterThanOrEqual(Math.ceil(a.evaluation.macs / 168));
    expect(
      predictLayer(
        net,
        net.layers.find((l) => l.op === 'avgpool')!,
        spec,
      ),
    ).toBeUndefined();
  });
});
