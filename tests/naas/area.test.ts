// The area and power model (compiler/naas/area.ts): its calibration against yosys on generated
// RTL (from the committed measurements), its parts, power, and area bounds / EDAP in a search.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, loadProgram } from '../../compiler/frontend/index.ts';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import {
  acceleratorArea,
  acceleratorPower,
  areaPowerJson,
  LOGIC_GE,
  sramBufferUm2,
  sramMacroUm2,
  UM2_PER_GE,
  UM2_PER_MM2,
} from '../../compiler/naas/area.ts';
import { calibrate, fitLogicCoefficients, spearman, type Measured } from '../../compiler/naas/area-fit.ts';
import { buildWorkloads } from '../../compiler/naas/problems.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { htmlReport } from '../../compiler/naas/report.ts';
import { evaluateFixed, inlineRunner, searchSpace } from '../../compiler/naas/search.ts';
import type { AcceleratorSpec } from '../../compiler/ir/targets.ts';
import { nacc } from '../helpers/cli.ts';

const fixture = JSON.parse(readFileSync(join(process.cwd(), 'tests/naas/fixtures/area-calibration.json'), 'utf8')) as {
  designs: Measured[];
};
const spec = (over: Partial<AcceleratorSpec> = {}): AcceleratorSpec => ({
  name: 'a',
  peArray: [4, 4],
  parallel: ['K', 'C'],
  registerFileBytesPerPe: 64,
  globalBufferBytes: 16384,
  dramBandwidthBytesPerCycle: 8,
  wordBits: 8,
  clockMHz: 200,
  ...over,
});

describe('area model calibrated against yosys on generated RTL', () => {
  const designs = fixture.designs;
  it('has at least 12 measured designs spanning 1-, 2- and 3-D arrays, fit and held-back sets', () => {
    expect(designs.length).toBeGreaterThanOrEqual(12);
    expect(new Set(designs.map((d) => d.spec.peArray.length))).toEqual(new Set([1, 2, 3]));
    expect(new Set(designs.map((d) => d.spec.parallel!.join('')).values()).size).toBeGreaterThanOrEqual(8);
    expect(designs.filter((d) => d.set === 'check').length).toBeGreaterThanOrEqual(5);
  });
  it('its coefficients are the least-squares fit on the fit designs', () => {
    const fitted = fitLogicCoefficients(designs.filter((d) => d.set === 'fit'));
    for (const k of Object.keys(LOGIC_GE) as (keyof typeof LOGIC_GE)[]) expect(LOGIC_GE[k]).toBeCloseTo(fitted[k], 3);
  });
  it('ranks and sizes the held-back designs: Spearman >= 0.9, mean absolute error <= 15%', () => {
    const r = calibrate(designs, LOGIC_GE);
    expect(r.check.spearman).toBeGreaterThanOrEqual(0.9);
    expect(r.check.mae).toBeLessThanOrEqual(0.15);
    expect(r.fit.mae).toBeLessThanOrEqual(0.15);
  });
  it('spearman: 1 for the same order, -1 reversed, ties averaged', () => {
    expect(spearman([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 2], [5, 5, 9])).toBeCloseTo(1, 12);
  });
});

describe('area of a design', () => {
  it('grows with PEs, register files, buffer and word width; parts add up', () => {
    const a = acceleratorArea(spec());
    expect(acceleratorArea(spec({ peArray: [8, 4] })).um2).toBeGreaterThan(a.um2);
    expect(acceleratorArea(spec({ registerFileBytesPerPe: 128 })).um2).toBeGreaterThan(a.um2);
    expect(acceleratorArea(spec({ globalBufferBytes: 65536 })).um2).toBeGreaterThan(a.um2);
    expect(acceleratorArea(spec({ wordBits: 16 })).um2).toBeGreaterThan(a.um2);
    const b = a.breakdown;
    expect(a.logicGe).toBeCloseTo(b.peGe + b.registerFileGe + b.networkGe + b.sequencerGe, -1);
    expect(a.um2).toBeCloseTo(a.logicGe * UM2_PER_GE + b.globalBufferUm2, -1);
    expect(Math.abs(a.ge - a.um2 / UM2_PER_GE)).toBeLessThanOrEqual(1);
  });
  it("is the cost model's area too (evaluate().areaUm2 sums the same parts)", () => {
    const s = spec({ peArray: [4, 2], registerFileBytesPerPe: 32 });
    const arch = specToArchitecture(s);
    const total = arch.compute.areaUm2 * arch.compute.instances + arch.levels.reduce((a, l) => a + l.areaUm2 * l.instances, 0);
    expect(total).toBeCloseTo(acceleratorArea(s).um2, -1);
  });
  it('SRAM macros: at least the bit cells, overhead shrinking with size, big buffers are banks', () => {
    const small = sramMacroUm2(1024, 64);
    const large = sramMacroUm2(32768, 64);
    expect(small).toBeGreaterThan(1024 * 8 * 0.346);
    expect(large / (32768 * 8 * 0.346)).toBeLessThan(small / (1024 * 8 * 0.346));
    expect(sramBufferUm2(128 * 1024, 64)).toBeCloseTo(4 * sramMacroUm2(32768, 64), 6);
  });
});

describe('power', () => {
  it('dynamic power is the counted energy over the run time at the clock; leakage follows area', () => {
    const s = spec({ clockMHz: 250 });
    // 1e6 pJ over 1e5 cycles at 250 MHz (0.4 ms): 2.5 mW.
    expect(acceleratorPower(s, { energyPj: 1e6, cycles: 1e5 }).dynamic).toBeCloseTo(2.5, 9);
    const small = acceleratorPower(s, { energyPj: 1, cycles: 1 }).leakage;
    const big = acceleratorPower(spec({ peArray: [16, 16] }), { energyPj: 1, cycles: 1 }).leakage;
    expect(small).toBeGreaterThan(0);
    expect(big).toBeGreaterThan(small);
    const j = areaPowerJson(s, { energyPj: 1e6, cycles: 1e5 });
    expect(Object.keys(j.area).sort()).toEqual(['ge', 'um2']);
    expect(Object.keys(j.power_mw).sort()).toEqual(['dynamic', 'leakage']);
  });
});

describe('area bounds and EDAP in a search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-area-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const src = readFileSync(join(process.cwd(), 'examples/naas_accelerators.nacc'), 'utf8');
  const file = join(dir, 'spaces.nacc');
  // A bound between the smallest designs of the space and eyeriss's own area, in the documented
  // spelling `area: <= 1.2 mm2`; `area: 1.2 mm2` must mean the same (checked below).
  const bounded = (area: string) => `${src}
space bounded {
  resources: eyeriss
  array_dims: 1..3
  pe_count: 8..168 step 8
  array_size: 2..64 step 2
  parallel: search
  register_file: 16 B .. 1 KB step 16 B
  global_buffer: 16 KB .. 108 KB step 16 B
  area: ${area}
  objective: edap
}
`;
  writeFileSync(file, bounded('<= 1.2 mm2'));
  const prog = loadProgram(file);
  const space = prog.spaces.find((s) => s.name === 'bounded')!;
  const eyeriss = prog.accelerators.find((a) => a.name === 'eyeriss')!;
  const workloads = buildWorkloads(prog.networks.filter((n) => n.name === 'tinyconv'));
  const budget = { generations: 2, population: 4, inner: { generations: 2, population: 4 }, baselineEvaluations: 100 };

  it('lowers `area: <= 1.2 mm2` and `objective: edap`', () => {
    expect(space.maxAreaMm2).toBeCloseTo(1.2, 12);
    expect(space.objective).toBe('edap');
    // The bound binds: the resources themselves are above it.
    expect(acceleratorArea(eyeriss).um2).toBeGreaterThan(1.2 * UM2_PER_MM2);
  });

  it('`area: 1.2 mm2` (no `<=`) lowers to the same space, so the searches below hold for both spellings', () => {
    const lowered = (area: string) => {
      const r = compileSource(new SourceFile('spaces.nacc', bounded(area)));
      expect(r.diagnostics).toEqual([]);
      return r.program.spaces.find((s) => s.name === 'bounded');
    };
    const bare = lowered('1.2 mm2');
    expect(bare?.maxAreaMm2).toBeCloseTo(1.2, 12);
    expect(bare).toEqual(lowered('<= 1.2 mm2'));
    expect(lowered('<= 1200000 um2')?.maxAreaMm2).toBeCloseTo(1.2, 12);
  });

  it('an area bound must be an area', () => {
    const r = compileSource(
      new SourceFile('t.nacc', 'space s {\n  area: <= 3 KB\n}\nspace t {\n  area: 1500\n}\nspace u {\n  area: <= 250000 um2\n}\n'),
    );
    expect(r.diagnostics.map((d) => `${d.location?.line}: ${d.message}`)).toEqual([
      '2: area: expected an area (mm2, um2), got a size (B, KB, MB)',
      "5: area: expected an area (mm2, um2), got a number without a unit; did you mean '1500 mm2'?",
    ]);
    expect(r.program.spaces.find((x) => x.name === 'u')?.maxAreaMm2).toBeCloseTo(0.25, 12);
  });

  it('never returns or evaluates a design over its area bound', async () => {
    const r = await searchSpace({ workloads, space, resources: eyeriss, seed: 4, budget, run: inlineRunner });
    expect(r.best.valid).toBe(true);
    for (const d of [r.best, ...r.finalists]) expect(acceleratorArea(d.spec!).um2).toBeLessThanOrEqual(1.2 * UM2_PER_MM2);
    expect(r.points.length).toBeGreaterThan(0);
    for (const p of r.points) expect(p.area_um2).toBeLessThanOrEqual(1.2 * UM2_PER_MM2);
    const html = htmlReport({
      title: 't',
      best: r.best,
      baseline: r.best,
      baselineName: 'b',
      history: r.history,
      points: r.points,
      edpRatio: 1,
      seconds: 0,
      evaluations: 0,
      objective: 'edap',
      maxAreaMm2: 1.2,
    });
    expect(html).toContain('Area against EDP of every valid candidate');
    expect(html).toContain('Area bound: 1.2 mm2');
    // The bound binds: the same search without it evaluates designs over 1.2 mm2.
    const free = await searchSpace({
      workloads,
      space: { ...space, maxAreaMm2: undefined },
      resources: eyeriss,
      seed: 4,
      budget,
      run: inlineRunner,
    });
    expect(free.points.some((p) => p.area_um2 > 1.2 * UM2_PER_MM2)).toBe(true);
  }, 300_000);

  it('nacc search --json and nacc cost --json report area and power per design', async () => {
    const s = await nacc([
      'search',
      file,
      '--network',
      'tinyconv',
      '--space',
      'bounded',
      '--baseline',
      'eyeriss',
      '--seed',
      '2',
      '--budget',
      'generations=1,population=4,inner=2x4,baseline=100',
      '--threads',
      '1',
      '--json',
    ]);
    expect(s.code, s.stderr).toBe(0);
    const j = JSON.parse(s.stdout);
    expect(j.area_bound_mm2).toBe(1.2);
    expect(j.objective).toBe('edap');
    expect(j.best.area.um2).toBeLessThanOrEqual(1.2e6);
    expect(j.best.area.um2).toBe(acceleratorArea(j.best.accelerator).um2);
    expect(j.baseline.area.um2).toBe(acceleratorArea(eyeriss).um2);
    for (const d of [j.best, j.baseline]) {
      expect(d.power_mw.dynamic).toBeGreaterThan(0);
      expect(d.power_mw.leakage).toBeGreaterThan(0);
    }
    const c = await nacc(['cost', file, '--network', 'tinyconv', '--accelerator', 'eyeriss', '--effort', '100', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const k = JSON.parse(c.stdout);
    expect(k.area).toEqual({ ge: acceleratorArea(eyeriss).ge, um2: acceleratorArea(eyeriss).um2 });
    const mhz = eyeriss.clockMHz ?? 200;
    expect(k.power_mw.dynamic / ((k.totals.energy_pj * mhz) / k.totals.cycles / 1000)).toBeCloseTo(1, 3);
  }, 300_000);

  it('edap scores a design as its EDP times its area in mm2', async () => {
    const edp = await evaluateFixed(eyeriss, workloads, 100, 1, inlineRunner, 'edp');
    const edap = await evaluateFixed(eyeriss, workloads, 100, 1, inlineRunner, 'edap');
    expect(edap.cost / edp.cost).toBeCloseTo(acceleratorArea(eyeriss).um2 / UM2_PER_MM2, 6);
  }, 120_000);
});
