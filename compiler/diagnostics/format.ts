// Prints diagnostics as `file:line:col: error[CODE]: message` followed by a code frame.
import type { Diagnostic, Location } from './diagnostic.ts';

function codeFrame(loc: Location): string {
  const gutter = String(loc.line).length;
  const pad = ' '.repeat(gutter);
  const text = loc.lineText.replace(/\t/g, ' ');
  const caretLen = Math.max(1, Math.min(loc.length, Math.max(1, text.length - loc.column + 1)));
  return [`${pad} |`, `${loc.line} | ${text}`, `${pad} | ${' '.repeat(Math.max(0, loc.column - 1))}${'^'.repeat(caretLen)}`].join('\n');
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.severity}[${d.code}]: ${d.message}`;
  const lines: string[] = [];
  if (d.location) {
    lines.push(`${d.location.file}:${d.location.line}:${d.location.column}: ${head}`);
    lines.push(codeFrame(d.location));
  } else {
    lines.push(`nacc: ${head}`);
  }
  for (const n of d.notes ?? []) {
    if (n.location) lines.push(`${n.location.file}:${n.location.line}:${n.location.column}: note: ${n.message}`, codeFrame(n.location));
    else lines.push(`  note: ${n.message}`);
  }
  return lines.join('\n');
}

export function formatDiagnostics(ds: Diagnostic[]): string {
  return ds.map(formatDiagnostic).join('\n\n');
}
