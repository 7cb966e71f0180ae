// The network-level search as a page: accuracy against EDP (or peak SRAM) for every subnet
// scored, the joint Pareto front and the sequential baseline's, in one self-contained SVG chart.
import type { NasPoint } from './search.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface NasReport {
  title: string;
  metric: 'edp' | 'peak_sram_bytes';
  joint: NasPoint[];
  evaluated: NasPoint[];
  sequential: NasPoint[];
  source: string;
}

/** Tick values: decades on a log axis, else ~5 round steps. */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.floor(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(v);
  return out;
}

export function nasReportHtml(r: NasReport): string {
  const all = [...r.evaluated, ...r.sequential].filter((p) => p.feasible && p.value > 0);
  const W = 900;
  const H = 480;
  const m = { l: 80, r: 200, t: 20, b: 60 };
  const log = r.metric === 'edp';
  const xs = all.map((p) => p.value);
  const ys = all.map((p) => p.accuracy * 100);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (log) [x0, x1] = [x0 / 1.2, x1 * 1.2];
  else [x0, x1] = [x0 - (x1 - x0) * 0.05 - 1, x1 + (x1 - x0) * 0.05 + 1];
  [y0, y1] = [y0 - (y1 - y0) * 0.05 - 0.5, y1 + (y1 - y0) * 0.05 + 0.5];
  const sx = (v: number) =>
    m.l + ((log ? Math.log10(v) - Math.log10(x0) : v - x0) / (log ? Math.log10(x1) - Math.log10(x0) : x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const fmtX = (v: number) => (log ? `1e${Math.round(Math.log10(v))}` : v >= 1024 ? `${(v / 1024).toFixed(0)} KB` : `${v}`);
  const parts: string[] = [];
  for (const t of ticks(x0, x1, log).filter((t) => t >= x0 && t <= x1)) {
    parts.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${sx(t)}" y="${H - m.b + 18}" text-anchor="middle" class="tick">${fmtX(t)}</text>`,
    );
  }
  for (const t of ticks(y0, y1, false).filter((t) => t >= y0 && t <= y1)) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/><text x="${m.l - 8}" y="${sy(t) + 4}" text-anchor="end" class="tick">${t.toFixed(1)}%</text>`,
    );
  }
  const dot = (p: NasPoint, fill: string, rad: number) =>
    `<circle cx="${sx(p.value)}" cy="${sy(p.accuracy * 100)}" r="${rad}" fill="${fill}"><title>${esc(p.config)}: ${(p.accuracy * 100).toFixed(2)}%, ${p.value}, ${p.macs} MACs</title></circle>`;
  const line = (ps: NasPoint[], stroke: string) =>
    ps.length > 1
      ? `<polyline fill="none" stroke="${stroke}" stroke-width="2" points="${ps.map((p) => `${sx(p.value)},${sy(p.accuracy * 100)}`).join(' ')}"/>`
      : '';
  parts.push(...r.evaluated.filter((p) => p.feasible && p.value > 0).map((p) => dot(p, '#bbb', 3)));
  parts.push(line(r.sequential, '#d62728'), ...r.sequential.map((p) => dot(p, '#d62728', 5)));
  parts.push(line(r.joint, '#1f77b4'), ...r.joint.map((p) => dot(p, '#1f77b4', 5)));
  const legend = [
    ['#1f77b4', 'joint front'],
    ['#d62728', 'sequential (network, then hardware)'],
    ['#bbb', 'every subnet scored'],
  ]
    .map(
      ([c, t], i) =>
        `<circle cx="${W - m.r + 20}" cy="${m.t + 20 + i * 22}" r="5" fill="${c}"/><text x="${W - m.r + 32}" y="${m.t + 24 + i * 22}" class="tick">${t}</text>`,
    )
    .join('');
  const xLabel = r.metric === 'edp' ? 'EDP (pJ x cycles, log)' : 'peak SRAM (bytes)';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 ${W} ${H}">${parts.join('')}${legend}<text x="${(W - m.r + m.l) / 2}" y="${H - 15}" text-anchor="middle">${xLabel}</text><text transform="translate(18 ${(H - m.b) / 2}) rotate(-90)" text-anchor="middle">top-1 accuracy (${esc(r.source)})</text></svg>`;
  const row = (front: string, p: NasPoint) =>
    `<tr><td>${front}</td><td>${esc(p.config)}</td><td>${(p.accuracy * 100).toFixed(2)}%</td><td>${r.metric === 'edp' ? p.value.toExponential(3) : p.value}</td><td>${p.macs}</td></tr>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>body{font-family:sans-serif;margin:1em 2em}.tick{font-size:12px;fill:#333}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}td:nth-child(2){text-align:left;font-family:monospace}</style></head><body><h1>${esc(r.title)}</h1><p>Accuracy source: ${esc(r.source)}.</p>${svg}<table><tr><th>front</th><th>configuration</th><th>accuracy</th><th>${r.metric}</th><th>MACs</th></tr>${r.joint.map((p) => row('joint', p)).join('')}${r.sequential.map((p) => row('sequential', p)).join('')}</table></body></html>\n`;
}
