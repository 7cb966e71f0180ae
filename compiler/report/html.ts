// The report page: one self-contained HTML string (inline CSS and SVG, no scripts, nothing
// fetched) from sections whose plots are already rendered. Pure; index.ts does the I/O.
import { edpOf, paretoFront, bestSoFar, objectiveOf } from './plots.ts';
import { KIND_HEADINGS, SECTION_KINDS, type LocatedSection, type ReportSection, type SectionKind } from './sections.ts';

export interface RenderedPlot {
  id: string;
  title: string;
  svg: string;
}

/** A file a section points at, resolved against the report's folder. */
export interface ResolvedLink {
  href: string;
  exists: boolean;
}

export interface PageSection {
  located: LocatedSection;
  plots: RenderedPlot[];
  /** Link for a path written in the section (waveform, log). */
  link(path: string): ResolvedLink;
}

/** A standalone SVG a command wrote, shown as it is (ids already made unique). */
export interface ExternalFigure {
  name: string;
  svg: string;
}

export interface PageInput {
  title: string;
  /** Other files under the folder (name shown, link target). */
  files?: { name: string; href: string }[];
  /** Figures outside any section, shown last under "Other figures". */
  figures?: ExternalFigure[];
  /** Shown under the title, e.g. the folder the report was made from. */
  subtitle?: string;
  sections: PageSection[];
}

export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fmt = (n: number, digits = 4) => {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n.toLocaleString('en-US');
  const a = Math.abs(n);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? n.toExponential(digits - 1) : Number(n.toPrecision(digits)).toString();
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const anchor = (name: string) => `s-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function table(headers: string[], rows: (string | number)[][], opts: { raw?: boolean[]; numeric?: boolean[] } = {}): string {
  const cell = (v: string | number, i: number, tag: string) => {
    const cls = (opts.numeric?.[i] ?? typeof v === 'number') ? ' class="num"' : '';
    const text = typeof v === 'number' ? fmt(v) : opts.raw?.[i] ? v : esc(v);
    return `<${tag}${cls}>${text}</${tag}>`;
  };
  return (
    `<table><thead><tr>${headers.map((h, i) => cell(h, i, 'th')).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((v, i) => cell(v, i, 'td')).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function factsTable(facts: [string, string | number][]): string {
  if (!facts.length) return '';
  return `<table class="facts"><tbody>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${typeof v === 'number' ? fmt(v) : esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

const extra = (f: Record<string, string | number> | undefined): [string, string | number][] => (f ? Object.entries(f) : []);

/** One-line headline of a section, for the overview table. */
export function headline(s: ReportSection): { text: string; ok: boolean } {
  switch (s.kind) {
    case 'naas-search': {
      const best = s.best ?? [...s.points].sort((a, b) => objectiveOf(s).value(a) - objectiveOf(s).value(b))[0];
      const baselines = (s.baselines ?? []).map((b) => `EDP ${b.name}/best ${(edpOf(b) / edpOf(best)).toFixed(2)}x`);
      return {
        text: [...(s.points.length ? [`${s.points.length} candidates`] : []), `best EDP ${fmt(edpOf(best))}`, ...baselines].join(', '),
        ok: true,
      };
    }
    case 'mcu-memory': {
      const peak = mcuPeak(s);
      const fits = s.sram_bytes === undefined || peak.patch_based_bytes <= s.sram_bytes;
      return {
        text: `${s.network}: peak ${kb(peak.layer_by_layer_bytes)} layer-by-layer, ${kb(peak.patch_based_bytes)} patch-based (${(peak.layer_by_layer_bytes / Math.max(1, peak.patch_based_bytes)).toFixed(2)}x)${s.sram_bytes !== undefined ? `, SRAM ${kb(s.sram_bytes)}` : ''}`,
        ok: fits,
      };
    }
    case 'pointacc-cycles': {
      const t = pointaccTotals(s);
      return {
        text: `${s.network}: ${fmt(t.unfused)} cycles without fusion, ${fmt(t.fused)} with (${(t.unfused / Math.max(1, t.fused)).toFixed(2)}x)`,
        ok: true,
      };
    }
    case 'fl-training':
      return {
        text: s.runs
          .map(
            (r) =>
              `${r.name}: ${pct(Math.max(...r.points.map((p) => p.accuracy)))}${r.time_to_target_s !== undefined ? ` (target at ${fmt(r.time_to_target_s)} s)` : ''}`,
          )
          .join('; '),
        ok: true,
      };
    case 'rtl-verify': {
      const passed = s.results.reduce((a, r) => a + r.passed, 0);
      const failed = s.results.reduce((a, r) => a + r.failed, 0);
      const badBenches = s.results.filter((r) => r.failed > 0).length;
      return {
        text: `${s.results.length} testbenches, ${passed} checks passed, ${failed} failed${badBenches ? ` (${badBenches} failing benches)` : ''}`,
        ok: failed === 0,
      };
    }
    case 'rtl-cycles': {
      // Compare like with like: only layers that have both a prediction and a measurement.
      const predicted = s.layers.filter((l) => l.predicted_cycles !== undefined && l.predicted_cycles !== null);
      const unpredicted = s.layers.length - predicted.length;
      const pred = predicted.reduce((a, l) => a + l.predicted_cycles!, 0);
      const simulated = s.layers.every((l) => l.measured_cycles !== undefined);
      const meas = predicted.reduce((a, l) => a + (l.measured_cycles ?? 0), 0);
      const without = unpredicted ? `; ${unpredicted} without a prediction` : '';
      const text = simulated
        ? `${s.design}: ${s.layers.length} layers; on the ${predicted.length} with a prediction ${fmt(pred)} cycles predicted, ${fmt(meas)} measured (${(((pred - meas) / Math.max(1, meas)) * 100).toFixed(1)}%)${without}`
        : `${s.design}: ${s.layers.length} layers, ${fmt(pred)} cycles predicted${without}, not simulated yet (nacc verify)`;
      return { text, ok: s.facts?.verdict !== 'FAILED' };
    }
    case 'mcu-program':
      return {
        text: `${s.network} on ${s.mcu}: peak SRAM ${kb(s.peak_sram_bytes)} of ${kb(s.sram_bytes)}, flash ${kb(s.flash_used_bytes)} of ${kb(s.flash_bytes)} (${s.flash_source})`,
        ok: s.peak_sram_bytes <= s.sram_bytes && s.flash_used_bytes <= s.flash_bytes && s.facts?.['bit-exact'] !== 'no',
      };
  }
}

export function mcuPeak(s: Extract<ReportSection, { kind: 'mcu-memory' }>) {
  return (
    s.peak ?? {
      layer_by_layer_bytes: Math.max(...s.layers.map((l) => l.layer_by_layer_bytes)),
      patch_based_bytes: Math.max(...s.layers.map((l) => l.patch_based_bytes)),
    }
  );
}

export function pointaccTotals(s: Extract<ReportSection, { kind: 'pointacc-cycles' }>) {
  return { unfused: s.layers.reduce((a, l) => a + l.cycles_unfused, 0), fused: s.layers.reduce((a, l) => a + l.cycles_fused, 0) };
}

function body(p: PageSection): string {
  const s = p.located.section;
  switch (s.kind) {
    case 'rtl-cycles':
    case 'mcu-program':
      return runBody(s);
    case 'naas-search': {
      const front = paretoFront(s.points);
      const iters = bestSoFar(s);
      const best = s.best;
      const facts: [string, string | number][] = [
        ...(s.network ? [['network', s.network] as [string, string]] : []),
        ...(s.space ? [['design space', s.space] as [string, string]] : []),
        ['objective', s.objective ?? 'edp'],
        ...(s.points.length ? [['candidates plotted', s.points.length] as [string, number]] : []),
        ['iterations', iters.length],
        ...(s.points.length ? [['Pareto-optimal candidates', front.length] as [string, number]] : []),
        ...(best
          ? ([
              ['best latency (cycles)', best.latency_cycles],
              ['best energy (pJ)', best.energy_pj],
              ['best EDP', edpOf(best)],
              ...(best.label ? [['best design', best.label]] : []),
            ] as [string, string | number][])
          : []),
        ...extra(s.facts),
      ];
      const baselines = s.baselines?.length
        ? '<h4>Baselines</h4>' +
          table(
            ['design', 'latency (cycles)', 'energy (pJ)', 'EDP', 'EDP / best EDP'],
            s.baselines.map((b) => [
              b.name,
              b.latency_cycles,
              b.energy_pj,
              edpOf(b),
              best ? (edpOf(b) / edpOf(best)).toFixed(2) + 'x' : '-',
            ]),
            { numeric: [false, true, true, true, true] },
          )
        : '';
      return factsTable(facts) + baselines;
    }
    case 'mcu-memory': {
      const peak = mcuPeak(s);
      const facts: [string, string | number][] = [
        ['network', s.network],
        ...(s.mcu ? [['target', s.mcu] as [string, string]] : []),
        ...(s.sram_bytes !== undefined ? [['SRAM', kb(s.sram_bytes)] as [string, string]] : []),
        ['peak, layer-by-layer', kb(peak.layer_by_layer_bytes)],
        ['peak, patch-based', kb(peak.patch_based_bytes)],
        ['peak reduction', `${(peak.layer_by_layer_bytes / Math.max(1, peak.patch_based_bytes)).toFixed(2)}x`],
        ...extra(s.facts),
      ];
      return (
        factsTable(facts) +
        details(
          'Per-layer figures',
          table(
            ['layer', 'layer-by-layer (B)', 'patch-based (B)'],
            s.layers.map((l) => [l.name, l.layer_by_layer_bytes, l.patch_based_bytes]),
          ),
        )
      );
    }
    case 'pointacc-cycles': {
      const t = pointaccTotals(s);
      const facts: [string, string | number][] = [
        ['network', s.network],
        ...(s.config ? [['configuration', s.config] as [string, string]] : []),
        ['cycles without fusion', t.unfused],
        ['cycles with fusion', t.fused],
        ['speedup from fusion', `${(t.unfused / Math.max(1, t.fused)).toFixed(2)}x`],
        ...extra(s.facts),
      ];
      return (
        factsTable(facts) +
        details(
          'Per-layer figures',
          table(
            ['layer', 'cycles without fusion', 'cycles with fusion', 'ratio'],
            s.layers.map((l) => [
              l.name,
              l.cycles_unfused,
              l.cycles_fused,
              (l.cycles_unfused / Math.max(1, l.cycles_fused)).toFixed(2) + 'x',
            ]),
            { numeric: [false, true, true, true] },
          ),
        )
      );
    }
    case 'fl-training': {
      const facts: [string, string | number][] = [
        ...(s.network ? [['network', s.network] as [string, string]] : []),
        ...(s.target_accuracy !== undefined ? [['target accuracy', pct(s.target_accuracy)] as [string, string]] : []),
        ...extra(s.facts),
      ];
      return (
        factsTable(facts) +
        table(
          ['run', 'evaluations', 'final accuracy', 'best accuracy', 'time to target (s)', 'duration (s)'],
          s.runs.map((r) => [
            r.name,
            r.points.length,
            pct(r.points[r.points.length - 1].accuracy),
            pct(Math.max(...r.points.map((q) => q.accuracy))),
            r.time_to_target_s !== undefined ? fmt(r.time_to_target_s) : 'not reached',
            Math.max(...r.points.map((q) => q.time_s)),
          ]),
          { numeric: [false, true, true, true, true, true] },
        )
      );
    }
    case 'rtl-verify': {
      const linkCell = (path: string | undefined, label: string) => {
        if (!path) return '';
        const l = p.link(path);
        return l.exists
          ? `<a href="${esc(l.href)}">${esc(label)}</a>`
          : `<span class="missing" title="${esc(l.href)}">${esc(label)} (missing)</span>`;
      };
      return (
        factsTable(extra(s.facts)) +
        table(
          ['testbench', 'tool', 'passed', 'failed', 'status', 'waveform', 'log', 'detail'],
          s.results.map((r) => [
            esc(r.name),
            esc(r.tool ?? ''),
            r.passed,
            r.failed,
            r.failed === 0 ? '<span class="ok">pass</span>' : '<span class="bad">FAIL</span>',
            linkCell(r.waveform, 'VCD'),
            linkCell(r.log, 'log'),
            esc(r.detail ?? ''),
          ]),
          { raw: [true, true, false, false, true, true, true, true] },
        )
      );
    }
  }
}

function runBody(s: Extract<ReportSection, { kind: 'rtl-cycles' | 'mcu-program' }>): string {
  if (s.kind === 'mcu-program') {
    const facts: [string, string | number][] = [
      ['network', s.network],
      ['target', s.mcu],
      ['peak SRAM', `${kb(s.peak_sram_bytes)} of ${kb(s.sram_bytes)}`],
      [`flash (${s.flash_source})`, `${kb(s.flash_used_bytes)} of ${kb(s.flash_bytes)}`],
      ...(s.measured_ram_bytes !== undefined ? [['RAM measured in QEMU', kb(s.measured_ram_bytes)] as [string, string]] : []),
      ...extra(s.facts),
    ];
    return factsTable(facts);
  }
  const rows = s.layers.map((l) => [
    l.name,
    l.predicted_cycles ?? '-',
    l.measured_cycles ?? '-',
    l.predicted_cycles !== undefined && l.measured_cycles !== undefined && l.measured_cycles > 0
      ? `${(((l.predicted_cycles - l.measured_cycles) / l.measured_cycles) * 100).toFixed(1)}%`
      : '-',
  ]);
  // Full layer names here (the plot's axis may shorten them).
  return (
    factsTable([['design', s.design], ...extra(s.facts)]) +
    table(['layer', 'predicted cycles', `measured cycles${s.tool ? ` (${s.tool})` : ''}`, 'error'], rows, {
      numeric: [false, true, true, true],
    })
  );
}

const details = (summary: string, html: string) => `<details><summary>${esc(summary)}</summary>${html}</details>`;

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:min(1800px,98vw);margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:22px 0 6px}h4{font-size:14px;margin:14px 0 4px}
.sub{color:#666;margin:0 0 18px}.file{color:#888;font-size:12px;font-family:monospace}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.facts th{width:220px;font-weight:normal;color:#555;background:#fafafa}
.ok{color:#1b7f1b;font-weight:bold}.bad{color:#c62828;font-weight:bold}.missing{color:#999}
figure{margin:10px 0 18px;overflow-x:auto}figure svg{display:block;max-width:none}
details{margin:6px 0}summary{cursor:pointer;color:#1f5fa8}
nav ul{margin:4px 0;padding-left:20px}.empty{color:#666;font-style:italic}
`;

/** The whole page. Section order is the input order (collectSections sorts by pipeline). */
export function buildReportHtml(input: PageInput): string {
  const figures = input.figures ?? [];
  const overview =
    input.sections.length || figures.length
      ? table(
          ['part', 'section', 'status', 'headline'],
          [
            ...input.sections.map((p) => {
              const h = headline(p.located.section);
              return [
                esc(KIND_HEADINGS[p.located.section.kind]),
                `<a href="#${anchor(p.located.name)}">${esc(p.located.name)}</a>`,
                h.ok ? '<span class="ok">ok</span>' : '<span class="bad">attention</span>',
                esc(h.text),
              ];
            }),
            ...((input.files ?? []).length
              ? [['Other files', '<a href="#files">files</a>', '', esc(`${input.files!.length} file(s): HTML reports, waveforms, designs`)]]
              : []),
            ...(figures.length
              ? [
                  [
                    'Other figures',
                    '<a href="#figures">figures</a>',
                    '',
                    esc(`${figures.length} figure(s) written by commands: ${figures.map((f) => f.name).join(', ')}`),
                  ],
                ]
              : []),
          ],
          { raw: [true, true, true, true] },
        )
      : '<p class="empty">No run outputs were found: run nacc search / mcu / pointacc / fl / verify with --out into this folder.</p>';

  const byKind = new Map<SectionKind, PageSection[]>();
  for (const p of input.sections) byKind.set(p.located.section.kind, [...(byKind.get(p.located.section.kind) ?? []), p]);
  const parts: string[] = [];
  for (const kind of SECTION_KINDS) {
    const list = byKind.get(kind);
    if (!list) continue; // a capability with no outputs is simply not in the report
    parts.push(`<h2 id="k-${kind}">${esc(KIND_HEADINGS[kind])}</h2>`);
    for (const p of list) {
      const s = p.located.section;
      parts.push(
        `<section id="${anchor(p.located.name)}" data-kind="${esc(kind)}">` +
          `<h3>${esc(s.title ?? p.located.name)}</h3>` +
          `<div class="file">${esc(p.located.name)}</div>` +
          p.plots.map((pl) => `<figure class="plot" data-plot="${esc(pl.id)}" aria-label="${esc(pl.title)}">${pl.svg}</figure>`).join('') +
          body(p) +
          '</section>',
      );
    }
  }
  if (figures.length) {
    parts.push('<h2 id="figures">Other figures</h2>');
    for (const f of figures)
      parts.push(
        `<figure class="plot external" data-plot="${esc(f.name)}"><figcaption class="file">${esc(f.name)}</figcaption>${f.svg}</figure>`,
      );
  }
  const files = input.files ?? [];
  if (files.length) {
    parts.push(
      '<h2 id="files">Other files</h2><ul class="files">' +
        files.map((f) => `<li><a href="${esc(f.href)}">${esc(f.name)}</a></li>`).join('') +
        '</ul>',
    );
  }
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    // No network: forbid every fetch, so a stray reference fails loudly in the browser test.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>${esc(input.title)}</title><style>${CSS}</style></head><body><main>` +
    `<h1>${esc(input.title)}</h1>` +
    (input.subtitle ? `<p class="sub">${esc(input.subtitle)}</p>` : '') +
    `<h2>Overview</h2>${overview}` +
    parts.join('\n') +
    '</main></body></html>\n'
  );
}
