// The report as a person sees it: headless Debian Chromium opens it from disk with the
// network unused; no console errors, every plot drawn with marks, a screenshot kept in _out/.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildReport, collectExternalPlots, collectSections, plotsFor, renderSvg } from '../../compiler/report/index.ts';
import { CHROMIUM, checkReportInBrowser, type PageCheck } from './browser.ts';
import { fixtureSections, writeFixtures } from './fixtures.ts';

const OUT = resolve('tests/report/_out');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`tests/report: ${CHROMIUM} is missing (npm run bootstrap installs it); browser tests skipped`);

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

describe.skipIf(!haveChromium)('report in Chromium', () => {
  it('renders every plot of a generated fixture without console errors', async () => {
    const dir = join(OUT, 'browser-fixture');
    rmSync(dir, { recursive: true, force: true });
    writeFixtures(dir, 21);
    // A standalone figure a command drew itself, in a folder with no section file.
    mkdirSync(join(dir, 'extra'), { recursive: true });
    writeFileSync(join(dir, 'extra', 'accuracy.svg'), await renderSvg(plotsFor(fixtureSections(22)['fl-digits'])[0].spec, 'standalone'));
    const summary = await buildReport(dir);
    expect(summary.figures).toEqual(['extra/accuracy.svg']);
    const shot = join(OUT, 'report-fixture.png');
    const check = await checkReportInBrowser(summary.file, shot);
    const sections = Object.values(fixtureSections(21));
    expectRendered(check, sections.reduce((a, s) => a + plotsFor(s).length, 0) + 1);
    expect(check.sections).toBe(sections.length);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  // Real run outputs, when a demo or a command has written some (npm run demo writes out/demo).
  // NACC_REPORT_DIRS (':'-separated) adds folders, e.g. a demo run with --out elsewhere.
  const candidates = ['out/demo', 'rtl-out', 'mcu-out', ...(process.env.NACC_REPORT_DIRS ?? '').split(':').filter(Boolean)];
  const realDirs = candidates.filter((d) => existsSync(d) && statSync(d).isDirectory());
  const withSections = realDirs.filter((d) => {
    try {
      return collectSections(d).length + collectExternalPlots(d).length > 0;
    } catch {
      return true; // a malformed section must fail the test below, not be skipped
    }
  });
  if (withSections.length === 0) console.warn('tests/report: no real run outputs (out/demo, rtl-out, mcu-out) hold report sections; run `npm run demo` first to check them in the browser too');
  it.skipIf(withSections.length === 0)('renders the real run outputs found on disk', async () => {
    for (const d of withSections) {
      const tag = d.replace(/[^A-Za-z0-9]+/g, '-');
      mkdirSync(OUT, { recursive: true });
      const summary = await buildReport(d, join(OUT, `real-${tag}`, 'report.html'));
      const check = await checkReportInBrowser(summary.file, join(OUT, `report-real-${tag}.png`));
      expectRendered(check, summary.sections.reduce((a, s) => a + s.plots, 0) + summary.figures.length);
    }
  });
});

describe.skipIf(!haveChromium)('browser check', () => {
  it('does catch a page that reaches for the network or throws', async () => {
    mkdirSync(OUT, { recursive: true });
    const bad = join(OUT, 'bad-page.html');
    writeFileSync(bad, `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><figure class="plot"><svg width="10" height="10"></svg></figure><img src="http://example.invalid/x.png"></body></html>`);
    const check = await checkReportInBrowser(bad, join(OUT, 'bad-page.png'));
    expect(check.consoleErrors.length).toBeGreaterThan(0);
    expect(check.plots).toEqual([{ section: '', plot: '', width: 10, height: 10, marks: 0 }]);
  });
});
