// The report as a person sees it: headless Chromium (found on PATH) opens it from disk with the
// network unused; no console errors, every plot drawn with marks. Screenshots go to a temp folder.
import { afterAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, plotsFor, renderSvg } from '../../compiler/report/index.ts';
import { checkReportInBrowser, type PageCheck } from './browser.ts';
import { fixtureSections, writeFixtures } from './fixtures.ts';
import { nacc } from '../helpers/cli.ts';
import { describeNeeds, needChromium } from '../helpers/requires.ts';

const CHROMIUM = await needChromium();
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-report-browser-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function expectRendered(check: PageCheck, expectedPlots: number) {
  expect(check.consoleErrors).toEqual([]);
  expect(check.requests).toEqual([]);
  expect(check.plots).toHaveLength(expectedPlots);
  for (const p of check.plots) {
    expect(p.width, `${p.section}/${p.plot} width`).toBeGreaterThan(100);
    expect(p.height, `${p.section}/${p.plot} height`).toBeGreaterThan(50);
    expect(p.marks, `${p.section}/${p.plot} marks`).toBeGreaterThan(0);
  }
}

/** Plots people read (issue 26): tick labels on both axes of every Vega plot, legends where series are coloured and never on the data. */
function expectReadable(check: PageCheck) {
  const vega = check.plots.filter((p) => p.section !== '');
  expect(vega.length).toBeGreaterThan(0);
  for (const p of vega) {
    expect(p.axisLabels.length, `${p.section}/${p.plot} axes`).toBeGreaterThanOrEqual(2);
    for (const n of p.axisLabels) expect(n, `${p.section}/${p.plot} tick labels per axis`).toBeGreaterThanOrEqual(2);
    if (LEGEND_PLOTS.includes(p.plot)) expect(p.legends, `${p.section}/${p.plot} legend`).toBeGreaterThanOrEqual(1);
    expect(p.marksUnderLegends, `${p.section}/${p.plot} data under a legend`).toBe(0);
  }
}

/** Plots that colour several series and so need a legend. */
const LEGEND_PLOTS = ['memory', 'cycles', 'accuracy', 'checks'];

describeNeeds([CHROMIUM], 'report in Chromium', () => {
  it('renders every plot of a generated fixture without console errors', async () => {
    const dir = join(OUT, 'browser-fixture');
    writeFixtures(dir, 21);
    // A standalone figure a command drew itself, in a folder with no section file.
    mkdirSync(join(dir, 'extra'), { recursive: true });
    writeFileSync(join(dir, 'extra', 'accuracy.svg'), await renderSvg(plotsFor(fixtureSections(22)['fl-digits'])[0].spec, 'standalone'));
    const summary = await buildReport(dir);
    expect(summary.figures).toEqual(['extra/accuracy.svg']);
    const shot = join(OUT, 'report-fixture.png');
    const check = await checkReportInBrowser(CHROMIUM.path!, summary.file, shot);
    const sections = Object.values(fixtureSections(21));
    expectRendered(check, sections.reduce((a, s) => a + plotsFor(s).length, 0) + 1);
    expectReadable(check);
    expect(check.sections).toBe(sections.length);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  // Real run outputs, written here by the commands themselves: `nacc fl --out` (a section; its
  // own plot beside it is the section's, not a figure) and `nacc mcu-schedule --svg` (a figure with no section).
  it('renders the run outputs that nacc fl and nacc mcu-schedule write', async () => {
    const dir = join(OUT, 'real');
    mkdirSync(join(dir, 'mcu'), { recursive: true });
    const fl = await nacc([
      'fl',
      'examples/federated.nacc',
      '--compare',
      'quick_fedavg,quick_dga',
      '--max-steps',
      '48',
      '--out',
      join(dir, 'fl'),
      '--plot',
      join(dir, 'fl', 'quick.svg'),
    ]);
    expect(fl.code, fl.stderr).toBe(0);
    const sched = await nacc([
      'mcu-schedule',
      'examples/mcunetv2-mobilenetv2.nacc',
      '--network',
      'mbv2_224',
      '--target',
      'stm32f412',
      '--svg',
      join(dir, 'mcu', 'schedule.svg'),
    ]);
    expect(sched.code, sched.stderr).toBe(0);
    const summary = await buildReport(dir, join(OUT, 'real-report', 'report.html'));
    expect(summary.sections).toHaveLength(1);
    expect(summary.sections[0].plots).toBeGreaterThan(0);
    expect(summary.figures).toEqual(['mcu/schedule.svg']);
    const check = await checkReportInBrowser(CHROMIUM.path!, summary.file, join(OUT, 'report-real.png'));
    expectRendered(check, summary.sections.reduce((a, s) => a + s.plots, 0) + summary.figures.length);
  });
});

describeNeeds([CHROMIUM], 'browser check', () => {
  it('does catch a page that reaches for the network or throws', async () => {
    const bad = join(OUT, 'bad-page.html');
    writeFileSync(
      bad,
      `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><figure class="plot"><svg width="10" height="10"></svg></figure><img src="http://example.invalid/x.png"></body></html>`,
    );
    const check = await checkReportInBrowser(CHROMIUM.path!, bad, join(OUT, 'bad-page.png'));
    expect(check.consoleErrors.length).toBeGreaterThan(0);
    expect(check.plots).toEqual([
      { section: '', plot: '', width: 10, height: 10, marks: 0, axisLabels: [], legends: 0, marksUnderLegends: 0 },
    ]);
  });
});
