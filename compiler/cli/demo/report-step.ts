import { join, relative } from 'node:path';
import type { DemoStep } from './step.ts';
import { buildReport, SECTION_KINDS } from '../../report/index.ts';
import { renderedMarkCount } from '../../report/render.ts';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Last demo step: one HTML report over everything the earlier steps wrote under ctx.outDir
 * (section files and recognised command JSON; layout in docs/report.md). Fails when a section
 * is malformed or a plot comes out without marks.
 */
export const reportStep: DemoStep = {
  name: 'report',
  async run(ctx) {
    const file = `${ctx.outDir}/report.html`;
    const summary = await buildReport(ctx.outDir, file, 'nacc demo report', ctx.finalDir);
    const html = readFileSync(summary.file, 'utf8');
    // Plots from sections are Vega SVGs with mark groups; other figures need some drawn shape.
    const figures = [...html.matchAll(/<figure class="plot( external)?"[\s\S]*?<\/figure>/g)];
    const empty = figures.filter((m) =>
      m[1] ? !/<(path|rect|line|circle|polyline|polygon)\b/.test(m[0]) : renderedMarkCount(m[0]) === 0,
    ).length;
    const svgs = figures.filter((m) => /<svg\b/.test(m[0]));
    const expected = summary.sections.reduce((a, s) => a + s.plots, 0) + summary.figures.length;
    const kinds = SECTION_KINDS.filter((k) => summary.sections.some((s) => s.kind === k));
    const missing = SECTION_KINDS.filter((k) => !kinds.includes(k));
    const finalFile = join(ctx.finalDir ?? ctx.outDir, relative(ctx.outDir, summary.file));
    const shown = relative(process.cwd(), finalFile) || finalFile;
    // Step folders that gave the report nothing to plot (no section, command JSON or figure).
    const plotted = new Set([...summary.sections.map((s) => s.source), ...summary.figures].map((p) => p.split('/')[0]));
    const silent = readdirSync(ctx.outDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !plotted.has(e.name))
      .map((e) => e.name)
      .sort();
    ctx.log(`report: ${finalFile}`);
    for (const s of summary.sections) ctx.log(`  ${s.kind} ${s.name} (${s.source}): ${s.headline}`);
    const problems = [
      ...(svgs.length !== expected ? [`${svgs.length} plots drawn, ${expected} expected`] : []),
      ...(empty ? [`${empty} plot(s) without marks`] : []),
    ];
    return {
      status: problems.length ? 'failed' : 'ok',
      summary:
        `${shown}: ${summary.sections.length} section(s), ${svgs.length} plots` +
        (summary.figures.length ? ` (${summary.figures.length} standalone figure(s))` : '') +
        (kinds.length ? ` [${kinds.join(', ')}]` : '') +
        (missing.length ? `; no output for ${missing.join(', ')}` : '') +
        (silent.length ? `; nothing to plot from ${silent.join(', ')}/` : '') +
        (problems.length ? `; ${problems.join('; ')}` : ''),
      artifacts: [summary.file],
    };
  },
};
