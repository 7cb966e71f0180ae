// `nacc nas`: the joint search over a supernet against the sequential baseline, through the CLI
// and the JSON the issue names, with a table accuracy source so the checks are exact.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { allConfigs, configKey, lowerSubnet, parseConfigKey } from '../../compiler/nas/supernet.ts';
import { DEFAULT_TRAIN_OPTIONS, trainSupernet } from '../../compiler/nas/accuracy/train.ts';
import { saveSupernetWeights } from '../../compiler/nas/accuracy/weights-file.ts';
import { supernetData } from '../../compiler/nas/data.ts';
import { nacc } from '../helpers/cli.ts';
import { TINY } from './tiny-supernet.ts';

/** The tiny supernet in a temp folder, and a table whose accuracy grows with MACs. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-nas-cli-'));
  const file = join(dir, 'super.nacc');
  writeFileSync(file, TINY);
  const s = compileSource(new SourceFile(file, TINY)).program.supernets[0];
  const configs = allConfigs(s)!;
  const macs = configs.map((c) => analyzeNetwork(lowerSubnet(s, c)).totals.macs);
  const max = Math.max(...macs);
  const table = join(dir, 'acc.csv');
  writeFileSync(
    table,
    `config,accuracy\n${configs.map((c, i) => `${configKey(c)},${(0.6 + 0.3 * Math.sqrt(macs[i] / max)).toFixed(4)}`).join('\n')}\n`,
  );
  return {
    dir,
    file,
    table,
    accuracyOf: new Map(configs.map((c, i) => [configKey(c), Number((0.6 + 0.3 * Math.sqrt(macs[i] / max)).toFixed(4))])),
  };
}

type Point = {
  config: string;
  accuracy: number;
  accuracy_source: string;
  macs: number;
  peak_sram_bytes?: number;
  edp?: number;
  feasible: boolean;
};
const dominated = (p: Point, front: Point[], v: (x: Point) => number) =>
  front.some((q) => q !== p && q.accuracy >= p.accuracy && v(q) <= v(p) && (q.accuracy > p.accuracy || v(q) < v(p)));

describe('nacc nas', () => {
  it('--target: subnets scored on accuracy and peak SRAM of their patch schedule; a true front; reproducible', async () => {
    const { dir, file, table, accuracyOf } = setup();
    const args = [
      'nas',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--accuracy',
      `table:${table}`,
      '--population',
      '6',
      '--generations',
      '2',
      '--budgets',
      '3',
      '--seed',
      '4',
      '--json',
    ];
    const r = await nacc(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ supernet: 'tiny', accuracy_source: `table:${table}`, objective: 'peak_sram_bytes', target: 'stm32f412' });
    expect(j.pareto.length).toBeGreaterThan(0);
    for (const p of j.pareto as Point[]) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['config', 'accuracy', 'accuracy_source', 'peak_sram_bytes', 'macs']));
      expect(p.accuracy).toBe(accuracyOf.get(p.config));
      expect(p.accuracy_source).toBe(`table:${table}`);
      expect(p.peak_sram_bytes).toBeGreaterThan(0);
      expect(dominated(p, j.pareto, (x) => x.peak_sram_bytes!)).toBe(false);
    }
    expect(j.sequential.mac_budgets).toHaveLength(3);
    expect(j.sequential.pareto.length).toBeGreaterThan(0);
    // The sequential choice under each budget is within it.
    j.sequential.chosen.forEach((p: Point, i: number) => expect(p.macs).toBeLessThanOrEqual(j.sequential.mac_budgets[i]));
    // Both searches start from the extremes: the top budget is the largest subnet's MACs, and the
    // largest (the table's most accurate) is what the accuracy-only search keeps there.
    expect(j.sequential.chosen.at(-1).accuracy).toBe(Math.max(...accuracyOf.values()));
    expect(j.evaluations).toBeGreaterThan(6);
    expect(typeof j.seconds).toBe('number');
    const again = JSON.parse((await nacc(args)).stdout);
    expect({ ...again, seconds: 0 }).toEqual({ ...j, seconds: 0 });
    // --out: the result, the front as CSV, each front subnet as .nacc that compiles, and a report.
    const out = join(dir, 'out');
    const w = await nacc([...args.filter((a) => a !== '--json'), '--out', out]);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/joint Pareto front/);
    for (const f of ['result.json', 'pareto.csv', 'report.html', 'subnet-0.nacc']) expect(existsSync(join(out, f)), f).toBe(true);
    const sub = compileSource(new SourceFile('s.nacc', readFileSync(join(out, 'subnet-0.nacc'), 'utf8')));
    expect(sub.diagnostics).toEqual([]);
    expect(sub.program.networks).toHaveLength(1);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/joint front.*sequential/s);
  }, 300_000);

  it('--space: each subnet gets its own NAAS accelerator and mappings, scored by EDP', async () => {
    const { file, table } = setup();
    const r = await nacc([
      'nas',
      file,
      '--supernet',
      'tiny',
      '--with',
      'examples/naas_accelerators.nacc',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--accuracy',
      `table:${table}`,
      '--population',
      '2',
      '--generations',
      '1',
      '--budgets',
      '1',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ objective: 'edp', space: 'naas_eyeriss', baseline: 'eyeriss' });
    for (const p of j.pareto as Point[]) {
      expect(p.edp).toBeGreaterThan(0);
      expect(dominated(p, j.pareto, (x) => x.edp!)).toBe(false);
    }
    expect(j.sequential.pareto[0].edp).toBeGreaterThan(0);
  }, 600_000);

  it('--weights: accuracy from a trained supernet saved to a file, no training in the command', async () => {
    const { dir, file, table } = setup();
    const s = compileSource(new SourceFile(file, TINY)).program.supernets[0];
    const seed = 2;
    const data = await supernetData(s, seed);
    const shared = trainSupernet(s, data.train, {
      ...DEFAULT_TRAIN_OPTIONS,
      largestEpochs: 1,
      sandwichEpochs: 0,
      seed,
      imageSide: data.side,
    });
    const weights = join(dir, 'tiny.weights.json');
    saveSupernetWeights(weights, shared, { image_side: data.side });
    const r = await nacc([
      'nas',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--accuracy',
      'train',
      '--weights',
      weights,
      '--population',
      '4',
      '--generations',
      '1',
      '--budgets',
      '1',
      '--seed',
      String(seed),
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.accuracy_source).toBe('train');
    // Every front subnet is scored as the saved weights score it here (batch norm recalibrated alike).
    expect(j.pareto.length).toBeGreaterThan(0);
    for (const p of j.pareto as Point[]) expect(p.accuracy).toBe(shared.accuracy(parseConfigKey(s, p.config)!, data.test));
    expect(j.test_images).toBe(data.test.count);
    // --test-images N: the same subnets scored on the first N test images only, and the JSON says so.
    const few = Math.floor(data.test.count / 3);
    const fewRun = await nacc([
      'nas',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--accuracy',
      'train',
      '--weights',
      weights,
      '--test-images',
      String(few),
      '--population',
      '4',
      '--generations',
      '1',
      '--budgets',
      '1',
      '--seed',
      String(seed),
      '--json',
    ]);
    expect(fewRun.stderr).toBe('');
    expect(fewRun.code).toBe(0);
    const jf = JSON.parse(fewRun.stdout);
    expect(jf.test_images).toBe(few);
    for (const p of jf.pareto as Point[]) expect(p.accuracy).toBeCloseTo(shared.accuracy(parseConfigKey(s, p.config)!, data.test, few), 6);
    const wrong = await nacc([
      'nas',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--accuracy',
      `table:${table}`,
      '--weights',
      weights,
    ]);
    expect(wrong.code).toBe(2);
    const wrongTest = await nacc([
      'nas',
      file,
      '--supernet',
      'tiny',
      '--target',
      'stm32f412',
      '--accuracy',
      `table:${table}`,
      '--test-images',
      '10',
    ]);
    expect(wrongTest.code).toBe(2);
    expect(wrongTest.stderr).toMatch(/--test-images/);
    writeFileSync(weights, '{"format":"something else"}');
    const bad = await nacc(['nas', file, '--supernet', 'tiny', '--target', 'stm32f412', '--accuracy', 'train', '--weights', weights]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a supernet weights file/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);

  it('usage and input errors are clear and distinct', async () => {
    const { file, table } = setup();
    const both = await nacc(['nas', file, '--supernet', 'tiny', '--space', 's', '--target', 'stm32f412', '--accuracy', 'train']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --space SP --baseline B .* or --target MCU/);
    const source = await nacc(['nas', file, '--supernet', 'tiny', '--target', 'stm32f412', '--accuracy', 'oracle']);
    expect(source.code).toBe(2);
    expect(source.stderr).toMatch(/--accuracy must be train, table:FILE or predictor:FILE/);
    const unknown = await nacc(['nas', file, '--supernet', 'tiyn', '--target', 'stm32f412', '--accuracy', `table:${table}`]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/tiny/);
    const noData = file.replace('super.nacc', 'nodata.nacc');
    writeFileSync(noData, TINY.replace('  data: synthetic_digits(samples: 256)\n', ''));
    const train = await nacc(['nas', noData, '--supernet', 'tiny', '--target', 'stm32f412', '--accuracy', 'train']);
    expect(train.code).toBe(1);
    expect(train.stderr).toMatch(/names no data set to train on/);
    expect(train.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 300_000);
});
