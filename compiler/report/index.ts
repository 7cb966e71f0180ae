// The report layer: sections (JSON, one per capability run) -> one self-contained HTML file
// with inline SVG plots. `nacc report DIR` and the demo's last step call buildReport.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { buildReportHtml, headline, type PageSection } from './html.ts';
import { plotsFor } from './plots.ts';
import { renderSvg } from './render.ts';
import { collectExternalPlots, collectLinkedFiles, collectSections } from './section-io.ts';
import { prefixIds } from './render.ts';
import { KIND_HEADINGS, RUN_KIND_OF, type LocatedSection, type RunKind } from './sections.ts';

export * from './sections.ts';
export { writeReportSection, collectSections, collectExternalPlots, parseSectionFile } from './section-io.ts';
export { NATIVE_ADAPTERS } from './adapters.ts';
export { RUN_MANIFEST, VERIFY_RESULT, writeRunManifest, writeVerifyResult, type RunManifest } from './run-manifest.ts';
export { plotsFor, paretoFront, bestSoFar } from './plots.ts';
export { renderSvg } from './render.ts';
export { buildReportHtml, headline } from './html.ts';

export interface ReportSummary {
  file: string;
  sections: {
    name: string;
    kind: string;
    run_kind: RunKind;
    title: string;
    source: string;
    plots: number;
    ok: boolean;
    headline: string;
  }[];
  /** Standalone SVG files shown under "Other figures" (paths relative to DIR). */
  figures: string[];
  /** Other files linked under "Other files" (paths relative to DIR). */
  files: string[];
}

/** Page sections with their plots rendered and their file links resolved against outFile. */
export async function renderSections(located: LocatedSection[], outFile: string): Promise<PageSection[]> {
  const outDir = dirname(resolve(outFile));
  const pages: PageSection[] = [];
  for (const l of located) {
    const plots = [];
    for (const p of plotsFor(l.section)) plots.push({ id: p.id, title: p.title, svg: await renderSvg(p.spec, `${l.name}-${p.id}`) });
    pages.push({
      located: l,
      plots,
      link(path: string) {
        const abs = isAbsolute(path) ? path : resolve(l.baseDir, path);
        const href = relative(outDir, abs).split(sep).map(encodeURIComponent).join('/');
        return { href, exists: existsSync(abs) };
      },
    });
  }
  return pages;
}

/**
 * Write the HTML report for every section found under dir to outFile (default
 * DIR/report.html). Same inputs give byte-identical output: no dates, sorted sections.
 * shownDir is the folder the page names (default dir): a run writing into a temporary folder
 * names where its outputs will be.
 */
export async function buildReport(dir: string, outFile?: string, title = 'nacc report', shownDir = dir): Promise<ReportSummary> {
  const root = resolve(dir);
  const file = resolve(outFile ?? resolve(root, 'report.html'));
  const located = collectSections(root);
  const pages = await renderSections(located, file);
  const figures = collectExternalPlots(root).map((f, i) => ({ name: f.name, svg: prefixIds(f.svg, `fig${i}`) }));
  // The folder by its own name: the page reads the same from wherever it was made.
  const rel = basename(resolve(shownDir));
  const counts = `${located.length} section${located.length === 1 ? '' : 's'}${figures.length ? `, ${figures.length} other figure${figures.length === 1 ? '' : 's'}` : ''}`;
  // Waveforms already linked from a verification table are not listed again.
  const linked = located.flatMap((l) =>
    (l.section.kind === 'rtl-verify' ? l.section.results.flatMap((r) => [r.waveform, r.log]) : [])
      .filter((p): p is string => !!p)
      .map((p) => resolve(l.baseDir, p)),
  );
  const outDir = dirname(file);
  const files = collectLinkedFiles(root, [file, ...linked]).map((f) => ({
    name: relative(root, f).split(sep).join('/'),
    href: relative(outDir, f).split(sep).map(encodeURIComponent).join('/'),
  }));
  const html = buildReportHtml({ title, subtitle: `Run outputs under ${rel}: ${counts}`, sections: pages, figures, files });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  return {
    file,
    sections: pages.map((p) => {
      const h = headline(p.located.section);
      return {
        name: p.located.name,
        kind: p.located.section.kind,
        run_kind: p.located.runKind ?? RUN_KIND_OF[p.located.section.kind],
        title: p.located.section.title ?? KIND_HEADINGS[p.located.section.kind],
        source: relative(root, p.located.file).split(sep).join('/'),
        plots: p.plots.length,
        ok: h.ok,
        headline: h.text,
      };
    }),
    figures: figures.map((f) => f.name),
    files: files.map((f) => f.name),
  };
}
