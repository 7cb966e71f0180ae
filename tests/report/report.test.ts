import { afterAll, describe, expect, it, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import {
  buildReport,
  collectSections,
  paretoFront,
  bestSoFar,
  plotsFor,
  sectionProblems,
  writeReportSection,
  type NaasSearchSection,
} from '../../compiler/report/index.ts';
import { prefixIds } from '../../compiler/report/render.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { fixtureSections, writeFixtures } from './fixtures.ts';

const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-report-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const fresh = (name: string) => {
  const d = join(OUT, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
};

describe('section schema', () => {
  it('accepts every generated fixture and rejects broken ones with the field named', () => {
    for (const s of Object.values(fixtureSections(3))) expect(sectionProblems(s)).toEqual([]);
    expect(
      sectionProblems({ kind: 'mcu-memory', network: 'n', layers: [{ name: 'a', layer_by_layer_bytes: -1, patch_based_bytes: 'x' }] }),
    ).toEqual(['"layers[0].layer_by_layer_bytes" must be >= 0 (got -1)', '"layers[0].patch_based_bytes" must be a finite number']);
    expect(sectionProblems({ kind: 'nope' })[0]).toMatch(/"kind" must be one of/);
    expect(sectionProblems({ kind: 'fl-training', runs: [{ name: 'a', points: [{ time_s: 1, accuracy: 1.5 }] }] })).toEqual([
      '"runs[0].points[0].accuracy" must be <= 1 (got 1.5)',
    ]);
    expect(sectionProblems({ kind: 'rtl-verify', results: [] })).toEqual(['"results" must have at least 1 entry']);
  });

  it('writeReportSection refuses data that does not match and bad names', () => {
    const d = fresh('write');
    expect(() => writeReportSection(d, 'x', { kind: 'rtl-verify', results: [] })).toThrow(/at least 1 entry/);
    expect(() => writeReportSection(d, '../escape', fixtureSections(1)['verify-rtl'])).toThrow(/must match/);
    const f = writeReportSection(d, 'ok', fixtureSections(1)['verify-rtl']);
    const json = JSON.parse(readFileSync(f, 'utf8'));
    expect(json.nacc_report_section).toBe(1);
    expect(json.name).toBe('ok');
    expect(json.kind).toBe('rtl-verify');
  });
});

describe('derived series', () => {
  const pts = fc.array(fc.record({ latency_cycles: fc.integer({ min: 1, max: 1000 }), energy_pj: fc.integer({ min: 1, max: 1000 }) }), {
    minLength: 1,
    maxLength: 60,
  });
  it('paretoFront is exactly the set of points no other point dominates', () => {
    fc.assert(
      fc.property(pts, (ps) => {
        const front = paretoFront(ps);
        const dominated = (p: (typeof ps)[0]) =>
          ps.some(
            (q) =>
              q.latency_cycles <= p.latency_cycles &&
              q.energy_pj <= p.energy_pj &&
              (q.latency_cycles < p.latency_cycles || q.energy_pj < p.energy_pj),
          );
        const key = (p: (typeof ps)[0]) => `${p.latency_cycles},${p.energy_pj}`;
        const expected = new Set(ps.filter((p) => !dominated(p)).map(key));
        expect(new Set(front.map(key))).toEqual(expected);
        for (let i = 1; i < front.length; i++) expect(front[i].energy_pj).toBeLessThan(front[i - 1].energy_pj);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('bestSoFar never rises and ends at the best objective', () => {
    const s = fixtureSections(5)['naas-eyeriss'] as NaasSearchSection;
    const b = bestSoFar(s);
    for (let i = 1; i < b.length; i++) expect(b[i].best).toBeLessThanOrEqual(b[i - 1].best);
    expect(b[b.length - 1].best).toBe(Math.min(...s.points.map((p) => p.latency_cycles * p.energy_pj)));
  });

  it('prefixIds renames ids and their references only', () => {
    const svg = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/><g fill="url(#other)"/></svg>';
    expect(prefixIds(svg, 'a b')).toBe(
      '<svg><clipPath id="a-b-clip1"><rect/></clipPath><g clip-path="url(#a-b-clip1)"/><g fill="url(#other)"/></svg>',
    );
  });
});

describe('report over a folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = fresh('fixture');
    writeFixtures(dir, 7);
  });

  it('finds every section in pipeline order and renders one self-contained page', async () => {
    const summary = await buildReport(dir);
    expect(summary.sections.map((s) => s.kind)).toEqual([
      'naas-search',
      'rtl-cycles',
      'mcu-program',
      'mcu-memory',
      'pointacc-cycles',
      'fl-training',
      'rtl-verify',
    ]);
    const html = readFileSync(summary.file, 'utf8');
    const svgs = html.match(/<svg\b/g) ?? [];
    const expectedPlots = Object.values(fixtureSections(7)).reduce((a, s) => a + plotsFor(s).length, 0);
    expect(svgs.length).toBe(expectedPlots);
    expect(html).not.toMatch(/<script|<link\b|<img\b|\bsrc=/i);
    // Every href is an in-page anchor or a relative file link; nothing reaches the network.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^(#|[^:]+$)/);
    expect(html).toContain('href="waves/pe_array_tb.vcd"');
    expect(html).toContain('href="logs/pe_array_tb.log"');
    expect(html).toMatch(/VCD \(missing\)/); // sorter_tb.vcd is not on disk
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is byte-identical when built twice, and links resolve from another output folder', async () => {
    const a = readFileSync((await buildReport(dir, join(OUT, 'fixture-a.html'))).file, 'utf8');
    const b = readFileSync((await buildReport(dir, join(OUT, 'fixture-b.html'))).file, 'utf8');
    expect(a).toBe(b);
    expect(a).toContain('href="fixture/waves/pe_array_tb.vcd"');
  });

  it('escapes user text', async () => {
    const d = fresh('escape');
    writeReportSection(d, 'x', {
      kind: 'rtl-verify',
      title: '<script>alert(1)</script>',
      results: [{ name: '<b>&', passed: 1, failed: 0 }],
    });
    const html = readFileSync((await buildReport(d)).file, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;&amp;');
  });

  it('reads a bare section JSON written by a command, but prefers section files in the same folder', () => {
    const d = fresh('bare');
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    writeFileSync(join(d, 'a', 'result.json'), JSON.stringify(fixtureSections(2)['pointacc-pointnet2']));
    writeFileSync(join(d, 'b', 'result.json'), JSON.stringify(fixtureSections(2)['pointacc-pointnet2']));
    writeReportSection(join(d, 'b'), 'own', fixtureSections(2)['verify-rtl']);
    writeFileSync(join(d, 'unrelated.json'), JSON.stringify({ hello: 'world' }));
    const found = collectSections(d);
    expect(found.map((s) => [s.name, s.section.kind])).toEqual([
      ['result', 'pointacc-cycles'],
      ['own', 'rtl-verify'],
    ]);
  });

  it('names the file and the field of a malformed section file', () => {
    const d = fresh('bad');
    writeFileSync(join(d, 'broken.section.json'), JSON.stringify({ nacc_report_section: 1, kind: 'mcu-memory', network: 'n', layers: [] }));
    try {
      collectSections(d);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).diagnostics[0].message).toBe(
        'broken.section.json: not a valid report section: "layers" must have at least 1 entry',
      );
    }
  });

  it('makes clashing section names unique by folder', () => {
    const d = fresh('clash');
    writeReportSection(join(d, 'run1'), 'search', fixtureSections(1)['naas-eyeriss']);
    writeReportSection(join(d, 'run2'), 'search', fixtureSections(2)['naas-eyeriss']);
    expect(collectSections(d).map((s) => s.name)).toEqual(['run1-search', 'run2-search']);
  });
});

describe('nacc report CLI', () => {
  it('writes the report and prints JSON; a missing folder is exit 1 without a stack', async () => {
    const d = fresh('cli');
    writeFixtures(d, 9);
    const out = join(OUT, 'cli-report.html');
    const r = await execa('node', ['bin/nacc.js', 'report', d, '--out', out, '--json'], { reject: false });
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.file).toBe(out);
    expect(json.sections).toHaveLength(7);
    // Each names the run it shows (one of five kinds), a title, and its file relative to DIR.
    for (const s of json.sections) {
      expect(['search', 'rtl', 'mcu', 'pointacc', 'fl']).toContain(s.kind);
      expect(typeof s.title).toBe('string');
      expect(s.source).toMatch(/^[^/.][^:]*\.json$/);
    }
    const ok = Object.fromEntries((json.sections as { name: string; ok: boolean }[]).map((s) => [s.name, s.ok]));
    expect(ok['verify-rtl']).toBe(false); // sorter_tb has failing checks
    expect(ok['pointacc-pointnet2']).toBe(true);
    expect(existsSync(out)).toBe(true);
    const missing = await execa('node', ['bin/nacc.js', 'report', join(d, 'nope')], { reject: false });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/error\[E1001\]: report: no such folder/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('standalone figures', () => {
  it('shows SVGs from folders without sections, cleaned, and skips those next to a section', async () => {
    const d = fresh('figures');
    mkdirSync(join(d, 'fl'));
    mkdirSync(join(d, 'mcu'));
    const svg = (id: string) =>
      `<?xml version="1.0"?>\n<!-- made by a command -->\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" onload="x()"><defs><clipPath id="c"><rect width="5" height="5"/></clipPath></defs><script>alert(1)</script><rect x="10" y="10" width="${id.length * 10}" height="20" clip-path="url(#c)"/></svg>\n`;
    writeFileSync(join(d, 'fl', 'curve.svg'), svg('curve'));
    writeFileSync(join(d, 'mcu', 'memory.svg'), svg('memory'));
    writeReportSection(join(d, 'mcu'), 'memory', fixtureSections(4)['mcu-ds_cnn']);
    const summary = await buildReport(d);
    expect(summary.figures).toEqual(['fl/curve.svg']);
    const html = readFileSync(summary.file, 'utf8');
    expect(html).not.toMatch(/<\?xml|<script|onload=|made by a command/);
    expect(html).toContain('<figure class="plot external" data-plot="fl/curve.svg">');
    expect(html).toContain('id="fig0-c"');
    expect(html).toContain('url(#fig0-c)');
  });
});

describe('command JSON adapters', () => {
  it('reads nacc mcu-schedule, search, verify and paired pointacc JSON by schema', async () => {
    const { mcuScheduleSection, naasSearchSection, verifySection, adaptNativeGroup } = await import('../../compiler/report/adapters.ts');
    const fx = fixtureSections(13);
    const mem = fx['mcu-ds_cnn'] as Extract<ReturnType<typeof fixtureSections>[string], { kind: 'mcu-memory' }>;
    const mcuJson = {
      model: 'ds_cnn',
      target: { name: 'stm32f412', sram_bytes: 262144 },
      schedule: { kind: 'patch', split: 5, patches: 3 },
      memory: mem.layers.map((l) => ({
        name: l.name,
        op: 'conv2d',
        layer_bytes: l.layer_by_layer_bytes,
        scheduled_bytes: l.patch_based_bytes,
      })),
      peak_sram_bytes: Math.max(...mem.layers.map((l) => l.patch_based_bytes)),
      layer_peak_sram_bytes: Math.max(...mem.layers.map((l) => l.layer_by_layer_bytes)),
      mac_overhead: 0.093,
    };
    const m = mcuScheduleSection(mcuJson)!;
    expect(sectionProblems(m)).toEqual([]);
    expect(m.layers).toEqual(mem.layers);
    expect(m.sram_bytes).toBe(262144);
    // A layer-by-layer result compares the schedule with itself, not with made-up numbers.
    const flat = mcuScheduleSection({ ...mcuJson, schedule: { kind: 'layer' } })!;
    expect(flat.layers.every((l) => l.patch_based_bytes === l.layer_by_layer_bytes)).toBe(true);
    expect(mcuScheduleSection({ ...mcuJson, memory: [{ name: 'x' }] })).toBeUndefined();

    const naas = fx['naas-eyeriss'] as Extract<ReturnType<typeof fixtureSections>[string], { kind: 'naas-search' }>;
    const history = [0, 1, 2].map((g) => ({ generation: g, best_edp: 1e12 / (g + 1), median_edp: 3e12 / (g + 1), valid: 6 }));
    const searchJson = {
      space: 'naas_eyeriss',
      networks: ['ds_cnn'],
      best: {
        accelerator: { peArray: [2, 36], parallel: ['Q', 'K'] },
        totals: { cycles: naas.best!.latency_cycles, energy_pj: naas.best!.energy_pj, edp: 5 },
      },
      baseline: { name: 'eyeriss', totals: { cycles: 100, energy_pj: 200, edp: 20000 } },
      edp_ratio: 4000,
      history,
    };
    const n = naasSearchSection(searchJson)!;
    expect(sectionProblems(n)).toEqual([]);
    expect(n.points).toEqual([]);
    expect(bestSoFar(n).map((b) => b.best)).toEqual(history.map((h) => h.best_edp));
    expect(plotsFor(n).map((p) => p.id)).toEqual(['progress']); // no candidates, no Pareto plot
    expect(n.best!.label).toBe('PE 2x36, parallel QK');

    const d = fresh('adapters');
    mkdirSync(join(d, 'design', 'layers', 'c1'), { recursive: true });
    writeFileSync(join(d, 'design', 'layers', 'c1', 'wave.vcd'), '$enddefinitions $end\n');
    const verifyJson = {
      design: 'design',
      top: 't',
      sims: [
        {
          name: 'iverilog',
          passed: 7,
          failed: 1,
          cycles: null,
          layers: [{ name: 'c1', passed: 7, failed: 1, cycles: null, vcd: 'layers/c1/wave.vcd', first_mismatch: 'y[3]' }],
        },
      ],
      lint: { warnings: 0, diagnostics: [] },
      ok: false,
    };
    const v = verifySection(verifyJson, join(d, 'verify.json'))!;
    expect(v.results[0]).toEqual({
      name: 'c1',
      tool: 'iverilog',
      passed: 7,
      failed: 1,
      waveform: join(d, 'design', 'layers', 'c1', 'wave.vcd'),
      detail: 'y[3]; did not finish',
    });
    expect(v.results[1]).toMatchObject({ name: 'lint', passed: 1, failed: 0 });

    const pa = (fusion: boolean, cache = true) => ({
      network: 'pn',
      config: 'edge',
      options: { fusion, cache, points: 1024 },
      layers: ['a', 'b'].map((name, i) => ({ name, cycles: (i + 1) * (fusion ? 100 : 150) })),
      totals: {},
    });
    const groups = adaptNativeGroup([
      { file: '/x/fused.json', json: pa(true) },
      { file: '/x/nocache.json', json: pa(false, false) },
      { file: '/x/unfused.json', json: pa(false) },
      { file: '/y/lonely.json', json: pa(true) },
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0].files).toEqual(['/x/fused.json', '/x/unfused.json']);
    expect(groups[0].section).toMatchObject({
      kind: 'pointacc-cycles',
      layers: [
        { name: 'a', cycles_unfused: 150, cycles_fused: 100 },
        { name: 'b', cycles_unfused: 300, cycles_fused: 200 },
      ],
    });
  });
});

describe('demo report step', () => {
  it('reports every section kind found, names step folders with nothing to plot, fails on a malformed section', async () => {
    const { reportStep } = await import('../../compiler/cli/demo/report-step.ts');
    const d = fresh('demo-step');
    writeFixtures(join(d, 'all'), 5);
    mkdirSync(join(d, 'quiet'));
    writeFileSync(join(d, 'quiet', 'summary.json'), JSON.stringify({ edp_ratio: 1.1 }));
    const ctx = { outDir: d, seed: 1, examplesDir: resolve('examples'), log: () => {} };
    const r = await reportStep.run(ctx);
    expect(r.status).toBe('ok');
    expect(r.summary).toContain(
      '7 section(s), 8 plots [naas-search, rtl-cycles, mcu-program, mcu-memory, pointacc-cycles, fl-training, rtl-verify]',
    );
    expect(r.summary).toContain('nothing to plot from quiet/');
    expect(r.artifacts).toEqual([join(d, 'report.html')]);
    writeFileSync(join(d, 'quiet', 'x.section.json'), JSON.stringify({ nacc_report_section: 1, kind: 'fl-training', runs: [] }));
    await expect(reportStep.run(ctx)).rejects.toThrow(/x\.section\.json: not a valid report section/);
  });
});
