// Plain-text tables for humans (stdout); JSON goes elsewhere.
export function formatTable(headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (rows.every((r) => typeof r[i] === 'number') ? 'r' : 'l'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (al[i] === 'r' ? (c ?? '').padStart(widths[i]) : (c ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** 1234567 -> "1,234,567" */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
