// Opens a report in headless Debian Chromium (playwright-core) and measures what a person
// would see: console errors, blocked requests, and the drawn size and marks of every plot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PlotCheck {
  section: string;
  plot: string;
  width: number;
  height: number;
  /** Mark paths (role-mark groups) with a non-empty path and a non-zero box. */
  marks: number;
  /** Tick labels drawn on each axis (Vega plots; empty for standalone figures). */
  axisLabels: number[];
  /** Legends drawn. */
  legends: number;
  /** Data marks (not text) whose box meets a legend's box: a legend sitting on the data. */
  marksUnderLegends: number;
}

export interface PageCheck {
  consoleErrors: string[];
  /** Any request other than the report file itself (a self-contained report makes none). */
  requests: string[];
  plots: PlotCheck[];
  sections: number;
  title: string;
}

/** Load htmlFile in a fresh profile of the Chromium at `executable` (found on PATH by the caller), check it, and save a full-page screenshot. */
export async function checkReportInBrowser(executable: string, htmlFile: string, screenshot: string): Promise<PageCheck> {
  const profile = mkdtempSync(join(tmpdir(), 'nacc-report-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    args: ARGS,
    viewport: { width: 1200, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(htmlFile).href;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    // Runs in the page; typed loosely because the project's lib has no DOM types.
    const result = await page.evaluate(() => {
      /* eslint-disable @typescript-eslint/no-explicit-any */
      const doc = (globalThis as any).document;
      const plots = [...doc.querySelectorAll('figure.plot')].map((fig: any) => {
        const svg = fig.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        // Vega plots: mark paths with geometry. Other SVG figures: drawn shapes smaller than
        // the whole figure (a background rect alone does not count).
        const external = fig.classList.contains('external');
        const marks = !svg
          ? 0
          : external
            ? [...svg.querySelectorAll('path, rect, line, circle, ellipse, polyline, polygon')].filter((e: any) => {
                const b = e.getBBox();
                return (b.width > 0 || b.height > 0) && !(b.width >= box.width - 1 && b.height >= box.height - 1);
              }).length
            : [...svg.querySelectorAll('g.role-mark path')].filter((p: any) => {
                const d = p.getAttribute('d') ?? '';
                const b = p.getBBox();
                return d.length > 0 && (b.width > 0 || b.height > 0);
              }).length;
        const axisLabels =
          external || !svg
            ? []
            : [...svg.querySelectorAll('g.role-axis-label')].map(
                (g: any) =>
                  [...g.querySelectorAll('text')].filter(
                    (t: any) => (t.textContent ?? '').trim().length > 0 && t.getBoundingClientRect().width > 0,
                  ).length,
              );
        const legendBoxes =
          external || !svg
            ? []
            : [...svg.querySelectorAll('g.role-legend')]
                .map((g: any) => g.getBoundingClientRect())
                .filter((b: any) => b.width > 0 && b.height > 0);
        const meets = (a: any, b: any) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const dataMarks =
          external || !svg
            ? []
            : [...svg.querySelectorAll('g.role-mark:not(.mark-text) path')]
                .map((p: any) => p.getBoundingClientRect())
                .filter((b: any) => b.width > 0 || b.height > 0);
        return {
          section: String(fig.closest('section')?.id ?? ''),
          plot: String(fig.getAttribute('data-plot') ?? ''),
          width: Number(box?.width ?? 0),
          height: Number(box?.height ?? 0),
          marks,
          axisLabels,
          legends: legendBoxes.length,
          marksUnderLegends: dataMarks.filter((m: any) => legendBoxes.some((l: any) => meets(m, l))).length,
        };
      });
      return { plots: plots as PlotCheck[], sections: Number(doc.querySelectorAll('section[data-kind]').length), title: String(doc.title) };
    });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { consoleErrors, requests, ...result };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
