// `nacc report DIR`: one self-contained HTML file over every run output (section files and
// recognised command JSON) under DIR, with inline SVG plots. Prints the path it wrote.
import type { Command } from 'commander';
import { buildReport } from '../report/index.ts';
import { formatTable } from './table.ts';
import { writeJson } from './options.ts';

export interface ReportOptions {
  out?: string;
  title: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report <dir>')
    .description('write one HTML report (inline SVG plots, no network needed) over the run outputs under DIR')
    .option('--out <file>', 'HTML file to write (default DIR/report.html)')
    .option('--title <text>', 'page title', 'nacc report')
    .option(
      '--json',
      'print JSON: {"file","sections":[{"kind","title","source","name","section_kind","plots","ok","headline"}],"figures":[path],"files":[path]} (kind: search, rtl, mcu, pointacc or fl; paths relative to DIR)',
    )
    .action(async (dir: string, opts: ReportOptions) => {
      const summary = await buildReport(dir, opts.out, opts.title);
      if (opts.json) {
        const sections = summary.sections.map((s) => ({
          kind: s.run_kind,
          title: s.title,
          source: s.source,
          name: s.name,
          section_kind: s.kind,
          plots: s.plots,
          ok: s.ok,
          headline: s.headline,
        }));
        writeJson({ file: summary.file, sections, figures: summary.figures, files: summary.files });
        return;
      }
      if (summary.sections.length) {
        process.stdout.write(
          formatTable(
            ['section', 'kind', 'plots', 'status', 'headline'],
            summary.sections.map((s) => [s.name, s.kind, s.plots, s.ok ? 'ok' : 'attention', s.headline]),
            ['l', 'l', 'r', 'l', 'l'],
          ) + '\n',
        );
      }
      if (summary.figures.length) process.stdout.write(`other figures: ${summary.figures.join(', ')}\n`);
      if (summary.files.length) process.stdout.write(`other files linked: ${summary.files.length}\n`);
      if (!summary.sections.length && !summary.figures.length) process.stdout.write(`no run outputs found under ${dir}\n`);
      process.stdout.write(`report: ${summary.file}\n`);
    });
}
