// The MCUNetV2 figure: live activation memory per layer, layer-by-layer against patch-based,
// as a self-contained SVG (no scripts, no external fonts).

export interface MemorySeries {
  label: string;
  perLayer: number[];
  color: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceStep(max: number): number {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/**
 * Grouped bars per layer for each series; `splitAfter` draws the patch/layer stage boundary,
 * `budget` the target's SRAM as a dashed line. Memory in bytes, labelled in kB (1024 B).
 */
export function memorySvg(opts: {
  title: string;
  layerNames: string[];
  series: MemorySeries[];
  splitAfter?: number;
  budget?: number;
}): string {
  const W = 900;
  const H = 380;
  const m = { left: 70, right: 20, top: 40, bottom: 95 };
  const n = opts.layerNames.length;
  const dataMax = Math.max(1, ...opts.series.flatMap((s) => s.perLayer));
  // A budget far above the data would flatten the bars: then it is only named in the title.
  const showBudget = opts.budget !== undefined && opts.budget <= 1.5 * dataMax;
  const maxY = Math.max(dataMax, showBudget ? opts.budget! : 0) / 1024;
  const step = niceStep(maxY);
  const top = Math.ceil(maxY / step) * step;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const x = (i: number) => m.left + (i * pw) / Math.max(1, n);
  const y = (kb: number) => m.top + ph - (kb / top) * ph;
  const bw = pw / Math.max(1, n) / (opts.series.length + 0.5);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${m.left}" y="20" font-size="14">${esc(opts.title)}${opts.budget !== undefined && !showBudget ? ` (SRAM ${(opts.budget / 1024).toFixed(0)} kB, off scale)` : ''}</text>`,
  );
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toFixed(1))}</text>`);
  }
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">live activation memory (kB)</text>`);
  opts.series.forEach((s, si) => {
    s.perLayer.forEach((b, i) => {
      const h = (b / 1024 / top) * ph;
      out.push(
        `<rect x="${(x(i) + bw * (si + 0.25)).toFixed(1)}" y="${(m.top + ph - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(opts.layerNames[i])}: ${esc(s.label)} ${b} B</title></rect>`,
      );
    });
  });
  if (opts.splitAfter !== undefined && opts.splitAfter > 0 && opts.splitAfter < n) {
    const sx = x(opts.splitAfter).toFixed(1);
    out.push(`<line x1="${sx}" x2="${sx}" y1="${m.top}" y2="${m.top + ph}" stroke="#444" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${Number(sx) - 4}" y="${m.top + 12}" text-anchor="end">per-patch stage</text>`);
    out.push(`<text x="${Number(sx) + 4}" y="${m.top + 12}">per-layer stage</text>`);
  }
  if (showBudget) {
    const by = y(opts.budget! / 1024).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${by}" y2="${by}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(
      `<text x="${W - m.right}" y="${Number(by) - 4}" text-anchor="end" fill="#c00">SRAM ${(opts.budget! / 1024).toFixed(0)} kB</text>`,
    );
  }
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#000"/>`);
  const every = Math.max(1, Math.ceil(n / 30));
  opts.layerNames.forEach((name, i) => {
    if (i % every) return;
    const lx = x(i) + pw / Math.max(1, n) / 2;
    out.push(
      `<text transform="translate(${lx.toFixed(1)} ${m.top + ph + 8}) rotate(60)" font-size="9">${esc(name.length > 18 ? `${name.slice(0, 17)}…` : name)}</text>`,
    );
  });
  opts.series.forEach((s, si) => {
    const lx = W - m.right - 420 + si * 210;
    out.push(`<rect x="${lx}" y="26" width="12" height="10" fill="${s.color}"/><text x="${lx + 16}" y="35">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
