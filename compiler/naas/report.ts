// Artefacts of a search as strings: the design as a .nacc accelerator block, and an HTML
// report with inline SVG plots (best EDP against evaluations; latency against energy with the
// Pareto front). The CLI writes them; nothing here touches the file system.
import type { AcceleratorSpec } from '../ir/targets.ts';
import type { CandidateResult } from './candidate.ts';
import { acceleratorArea, UM2_PER_MM2 } from './area.ts';
import { paretoFront, type GenerationStat, type SearchPoint } from './search.ts';

const bytes = (b: number): string => (b % 1024 === 0 ? `${b / 1024} KB` : `${b} B`);

export function acceleratorToNacc(spec: AcceleratorSpec, name = spec.name): string {
  const lines = [
    `accelerator ${name} {`,
    `  pe_array: [${spec.peArray.join(', ')}]`,
    ...(spec.dataflow ? [`  dataflow: ${spec.dataflow}`] : []),
    ...(spec.parallel && spec.parallel.length ? [`  parallel: [${spec.parallel.join(', ')}]`] : []),
    `  register_file: ${bytes(spec.registerFileBytesPerPe)} per pe`,
    `  global_buffer: ${bytes(spec.globalBufferBytes)}`,
    `  dram_bandwidth: ${spec.dramBandwidthBytesPerCycle} B/cycle`,
    `  word: ${spec.wordBits} bit`,
    ...(spec.clockMHz ? [`  clock: ${spec.clockMHz} MHz`] : []),
    '}',
  ];
  return lines.join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function axisTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) out.push(e);
  return out;
}

/** A log-log or log-y scatter/line plot as an SVG string. */
export function svgPlot(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; color: string; points: [number, number][]; line?: boolean }[];
  logX?: boolean;
}): string {
  const W = 560;
  const H = 340;
  const m = { l: 70, r: 20, t: 30, b: 45 };
  const all = opts.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && y > 0 && (!opts.logX || x > 0));
  const fx = (x: number): number => (opts.logX ? Math.log10(x) : x);
  const fy = (y: number): number => Math.log10(y);
  const xs = all.map(([x]) => fx(x));
  const ys = all.map(([, y]) => fy(y));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!all.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 0.5;
  const px = (x: number): number => m.l + ((fx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((fy(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(opts.yLabel)}</text>`,
  ];
  for (const e of axisTicks(y0, y1)) {
    if (e < y0 - 1e-9 || e > y1 + 1e-9) continue;
    const y = H - m.b - ((e - y0) / (y1 - y0)) * (H - m.t - m.b);
    parts.push(
      `<line x1="${m.l - 4}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="#ddd"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end">1e${e}</text>`,
    );
  }
  for (const s of opts.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && y > 0 && (!opts.logX || x > 0));
    if (s.line && pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const [x, y] of pts)
      parts.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="${s.line ? 3 : 2.5}" fill="${s.color}" fill-opacity="0.7"/>`,
      );
  }
  opts.series.forEach((s, i) =>
    parts.push(
      `<rect x="${W - m.r - 150}" y="${m.t + 4 + i * 16}" width="10" height="10" fill="${s.color}"/><text x="${W - m.r - 135}" y="${m.t + 13 + i * 16}">${esc(s.name)}</text>`,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

export interface ReportInput {
  title: string;
  best: CandidateResult;
  baseline: CandidateResult;
  baselineName: string;
  history: GenerationStat[];
  points: SearchPoint[];
  edpRatio: number;
  seconds: number;
  evaluations: number;
  /** The EDP floor of any design within the resources (compiler/naas/bound.ts), when known. */
  ceiling?: { cycles: number; energy_pj: number; edp: number };
  /** The space's objective (the per-generation plot shows it); default EDP. */
  objective?: 'edp' | 'energy' | 'latency' | 'edap';
  /** The space's area bound in mm², drawn on the area plot when set. */
  maxAreaMm2?: number;
}

const networkEdp = (c: CandidateResult): number =>
  Math.exp(c.networks.reduce((a, n) => a + Math.log(n.edp), 0) / Math.max(1, c.networks.length));

export function htmlReport(r: ReportInput): string {
  const objective = r.objective ?? 'edp';
  const label = objective === 'edp' ? 'EDP' : objective === 'edap' ? 'EDAP' : objective === 'energy' ? 'energy' : 'latency';
  // The anytime curve: best so far against the search's cost-model evaluations (every strategy reports them).
  const edpPlot = svgPlot({
    title: `Best and batch median ${label} against evaluations`,
    xLabel: 'cost-model evaluations (log)',
    logX: true,
    yLabel:
      objective === 'edp'
        ? 'EDP (pJ x cycles, log)'
        : objective === 'edap'
          ? 'EDAP (pJ x cycles x mm2, log)'
          : objective === 'energy'
            ? 'energy (pJ, log)'
            : 'cycles (log)',
    series: [
      { name: 'best so far', color: '#d62728', points: r.history.map((h) => [h.evaluations, h.best_edp]), line: true },
      { name: 'batch median', color: '#1f77b4', points: r.history.map((h) => [h.evaluations, h.median_edp]), line: true },
      {
        name: `${r.baselineName} (baseline)`,
        color: '#2ca02c',
        points: r.history.map((h) => [h.evaluations, r.baseline.cost]),
        line: true,
      },
      ...(r.ceiling && objective !== 'edap'
        ? [
            {
              name: 'floor (any design)',
              color: '#7f7f7f',
              points: r.history.map((h): [number, number] => [
                h.evaluations,
                objective === 'edp' ? r.ceiling!.edp : objective === 'energy' ? r.ceiling!.energy_pj : r.ceiling!.cycles,
              ]),
              line: true,
            },
          ]
        : []),
    ],
  });
  const front = paretoFront(r.points);
  const paretoPlot = svgPlot({
    title: 'Latency against energy of every valid candidate',
    xLabel: 'cycles (log)',
    yLabel: 'energy pJ (log)',
    logX: true,
    series: [
      { name: 'candidates', color: '#9ecae1', points: r.points.map((p) => [p.cycles, p.energy_pj]) },
      { name: 'Pareto front', color: '#d62728', points: front.map((p) => [p.cycles, p.energy_pj]), line: true },
      { name: r.baselineName, color: '#2ca02c', points: [[r.baseline.cycles, r.baseline.energyPj]] },
      ...(r.ceiling
        ? [{ name: 'floor (any design)', color: '#7f7f7f', points: [[r.ceiling.cycles, r.ceiling.energy_pj]] as [number, number][] }]
        : []),
    ],
  });
  // Area against EDP of every candidate (compiler/naas/area.ts), with the best design, the baseline and the bound.
  const mm2 = (spec: CandidateResult['spec']): number => (spec ? acceleratorArea(spec).um2 / UM2_PER_MM2 : NaN);
  const areaPlot = svgPlot({
    title: 'Area against EDP of every valid candidate',
    xLabel: 'area mm2 (log)',
    yLabel: 'EDP pJ x cycles (log)',
    logX: true,
    series: [
      { name: 'candidates', color: '#9ecae1', points: r.points.map((p) => [p.area_um2 / UM2_PER_MM2, p.cycles * p.energy_pj]) },
      { name: 'best design', color: '#d62728', points: [[mm2(r.best.spec), r.best.cycles * r.best.energyPj]] },
      { name: r.baselineName, color: '#2ca02c', points: [[mm2(r.baseline.spec), r.baseline.cycles * r.baseline.energyPj]] },
    ],
  });
  const rows = r.best.networks
    .map((n, i) => {
      const b = r.baseline.networks[i];
      return `<tr><td>${esc(n.name)}</td><td>${n.cycles.toExponential(3)}</td><td>${n.energyPj.toExponential(3)}</td><td>${n.edp.toExponential(3)}</td><td>${b ? b.edp.toExponential(3) : '-'}</td><td>${b ? (b.edp / n.edp).toFixed(2) : '-'}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}pre{background:#f6f6f6;padding:8px}</style>
</head><body>
<h1>${esc(r.title)}</h1>
<p>EDP ratio against ${esc(r.baselineName)}: <b>${r.edpRatio.toFixed(2)}x</b> &middot; ${r.evaluations} model evaluations in ${r.seconds.toFixed(1)} s</p>
${r.ceiling ? `<p>Floor: no design within the resources can reach an EDP below ${r.ceiling.edp.toExponential(3)} under this model (every MAC on a PE, every compulsory word through DRAM once), so no search can beat ${esc(r.baselineName)} by more than <b>${(networkEdp(r.baseline) / r.ceiling.edp).toFixed(2)}x</b>; the best design is ${(networkEdp(r.best) / r.ceiling.edp).toFixed(2)}x above the floor.</p>` : ''}
<h2>Design</h2><pre>${esc(r.best.spec ? acceleratorToNacc(r.best.spec, 'naas_best') : '')}</pre>
<h2>Networks</h2>
<table><tr><th>network</th><th>cycles</th><th>energy pJ</th><th>EDP</th><th>baseline EDP</th><th>ratio</th></tr>
${rows}
</table>
<h2>Search</h2>
${edpPlot}
${paretoPlot}
${r.maxAreaMm2 !== undefined ? `<p>Area bound: ${r.maxAreaMm2} mm2 (designs above it are never evaluated).</p>` : ''}
${areaPlot}
</body></html>
`;
}
