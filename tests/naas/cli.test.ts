import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { nacc } from '../helpers/cli.ts';
import { itNeeds, needShared } from '../helpers/requires.ts';

const FILE = 'examples/naas_accelerators.nacc';

describe('nacc search / cost / timeloop check', () => {
  it('search --json has the documented shape and writes the artefacts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'naas-'));
    const r = await nacc([
      'search',
      FILE,
      '--network',
      'tinyconv',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--seed',
      '2',
      '--budget',
      'generations=2,population=4,inner=2x4,baseline=100',
      '--threads',
      '1',
      '--json',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.best.totals).sort()).toEqual(['cycles', 'edp', 'energy_pj']);
    expect(j.best.accelerator.peArray.length).toBeGreaterThan(0);
    expect(Object.keys(j.baseline.totals).sort()).toEqual(['cycles', 'edp', 'energy_pj']);
    expect(j.edp_ratio).toBeCloseTo(j.baseline.totals.edp / j.best.totals.edp, 6);
    expect(j.evaluations).toBeGreaterThan(0);
    // The floor of any design: neither the baseline nor the best design is below it.
    expect(j.ceiling.totals.edp).toBeLessThanOrEqual(j.best.totals.edp);
    expect(j.ceiling.edp_ratio).toBeGreaterThanOrEqual(j.edp_ratio);
    expect(j.ceiling.best_to_ceiling).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('floor (any design)');
    expect(typeof j.seconds).toBe('number');
    for (const f of ['design.nacc', 'report.html', 'mappings/tinyconv.txt', 'timeloop/arch.yaml'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    const again = loadProgram(join(out, 'design.nacc')).accelerators[0];
    expect(again.peArray).toEqual(j.best.accelerator.peArray);
  }, 120_000);

  it('search follows the space objective (latency, energy) and still reports the EDP ratio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'naas-obj-'));
    // A space names its resources within its own file.
    const res = `accelerator res {\n  pe_array: [12, 14]\n  dataflow: row_stationary\n  register_file: 520 B per pe\n  global_buffer: 108 KB\n  dram_bandwidth: 8 B/cycle\n  word: 16 bit\n}\n`;
    const spaces =
      res +
      ['latency', 'energy']
        .map(
          (o) =>
            `space obj_${o} {\n  resources: res\n  array_dims: 2..2\n  pe_count: 8..168 step 8\n  array_size: 2..64 step 2\n  parallel: search\n  register_file: 16 B .. 1 KB step 16 B\n  global_buffer: 16 KB .. 108 KB step 16 B\n  objective: ${o}\n}\n`,
        )
        .join('\n');
    writeFileSync(join(dir, 'spaces.nacc'), spaces);
    for (const o of ['latency', 'energy']) {
      const r = await nacc([
        'search',
        FILE,
        '--with',
        join(dir, 'spaces.nacc'),
        '--network',
        'tinyconv',
        '--space',
        `obj_${o}`,
        '--baseline',
        'eyeriss',
        '--seed',
        '1',
        '--budget',
        'generations=2,population=4,inner=2x4,baseline=100',
        '--threads',
        '1',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.objective).toBe(o);
      const pick = (t: { cycles: number; energy_pj: number }) => (o === 'latency' ? t.cycles : t.energy_pj);
      expect(j.objective_ratio).toBeCloseTo(pick(j.baseline.totals) / pick(j.best.totals), 3);
      expect(j.edp_ratio).toBeCloseTo(j.baseline.totals.edp / j.best.totals.edp, 6);
      expect(j.best.totals.edp).toBeCloseTo(j.best.totals.cycles * j.best.totals.energy_pj, -6);
    }
  }, 120_000);

  it('search keeps a space loop_order list at every level, and rejects unknown dimensions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'naas-order-'));
    const res = `accelerator res {\n  pe_array: [12, 14]\n  dataflow: row_stationary\n  register_file: 520 B per pe\n  global_buffer: 108 KB\n  dram_bandwidth: 8 B/cycle\n  word: 16 bit\n}\n`;
    // The space names its resources from FILE: --with files see each other's accelerators.
    writeFileSync(
      join(dir, 'order.nacc'),
      `space fixed_order {\n  resources: eyeriss\n  array_dims: 2..2\n  parallel: search\n  loop_order: [K, C, Q, P, R, S]\n}\n`,
    );
    const out = join(dir, 'out');
    const r = await nacc([
      'search',
      FILE,
      '--with',
      join(dir, 'order.nacc'),
      '--network',
      'tinyconv',
      '--space',
      'fixed_order',
      '--baseline',
      'eyeriss',
      '--seed',
      '3',
      '--budget',
      'generations=2,population=4,inner=2x4,baseline=100',
      '--threads',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const nests = readFileSync(join(out, 'mappings/tinyconv.txt'), 'utf8');
    const fixed = ['K', 'C', 'Q', 'P', 'R', 'S'];
    let blocks = 0;
    for (const block of nests.split(/\n(?=\w+ \[)/)) {
      const dims = [...block.matchAll(/for (\w+) in \[0:\d+\)(?! \(Spatial)/g)].map((m) => m[1]);
      // Listed dimensions in the listed order; unlisted ones (groups of a depthwise layer) after them.
      const pos = dims.map((d) => fixed.indexOf(d)).map((p) => (p < 0 ? fixed.length : p));
      expect(pos, block).toEqual([...pos].sort((a, b) => a - b));
      blocks++;
    }
    expect(blocks).toBeGreaterThan(5);
    writeFileSync(join(dir, 'bad.nacc'), res + `space bad {\n  resources: res\n  loop_order: [K, X]\n}\n`);
    const bad = await nacc(['inspect', join(dir, 'bad.nacc')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.nacc:\d+:\d+: error\[E0401\]: loop_order: 'X' is not a loop dimension/);
  }, 120_000);

  it('cost --json lists every layer and the totals', async () => {
    const r = await nacc(['cost', FILE, '--network', 'tinyconv', '--accelerator', 'eyeriss', '--effort', '200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.layers.length).toBe(5);
    expect(j.totals.cycles).toBe(j.layers.reduce((a: number, l: { cycles: number }) => a + l.cycles, 0));
    expect(j.totals.edp).toBeCloseTo(j.totals.cycles * j.totals.energy_pj, -3);
  }, 60_000);

  it('unknown names are usage errors without a stack', async () => {
    const r = await nacc(['search', FILE, '--network', 'nope', '--space', 'naas_eyeriss', '--baseline', 'eyeriss']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no network 'nope'/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  itNeeds(
    [needShared('reference', 'timeloop')],
    'timeloop check --json reports every reference case matching',
    async () => {
      const r = await nacc(['timeloop', 'check', '../shared/reference/timeloop', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.cases.length).toBeGreaterThanOrEqual(15);
      for (const c of j.cases) {
        expect(c.counts_match, c.name).toBe(true);
        expect(c.cycles.ours).toBe(c.cycles.reference);
        expect(Math.abs(c.energy_pj.ours - c.energy_pj.reference) / c.energy_pj.reference).toBeLessThan(0.01);
      }
    },
    60_000,
  );
});
