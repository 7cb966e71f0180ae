// Turns simulator and linter messages into nacc Diagnostics (plain data, with file:line:col
// and the line's text when the file can be read).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Diagnostic, Location, Severity } from '../../compiler/diagnostics/index.ts';

const lineCache = new Map<string, string[]>();

function location(file: string, line: number, column: number, cwd: string): Location {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let lines = lineCache.get(path);
  if (!lines) {
    try {
      lines = readFileSync(path, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    lineCache.set(path, lines);
  }
  return { file, line, column: Math.max(1, column), length: 1, lineText: lines[line - 1] ?? '' };
}

/** Verilator: `%Warning-UNUSEDSIGNAL: file.v:12:5: message` / `%Error: file.v:3:1: message`. */
export function parseVerilatorMessages(text: string, cwd: string): Diagnostic[] {
  lineCache.clear();
  const out: Diagnostic[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^%(Warning|Error)(?:-([A-Z0-9_]+))?: ([^:\s]+):(\d+):(?:(\d+):)? (.*)$/);
    if (m) {
      const severity: Severity = m[1] === 'Warning' ? 'warning' : 'error';
      out.push({
        severity,
        code: `verilator-${m[2] ?? 'ERROR'}`,
        message: m[6],
        location: location(m[3], Number(m[4]), Number(m[5] ?? 1), cwd),
      });
      continue;
    }
    const g = line.match(/^%(Warning|Error)(?:-([A-Z0-9_]+))?: (.*)$/);
    if (g && !/^Exiting due to/.test(g[3])) {
      out.push({ severity: g[1] === 'Warning' ? 'warning' : 'error', code: `verilator-${g[2] ?? 'ERROR'}`, message: g[3] });
    }
  }
  return out;
}

/** Icarus: `file.v:12: error: message` / `file.v:12: syntax error` / `file.v:12: warning: ...`. */
export function parseIcarusMessages(text: string, cwd: string): Diagnostic[] {
  lineCache.clear();
  const out: Diagnostic[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^([^:\s]+):(\d+): (?:(error|warning|sorry): )?(.*)$/);
    if (!m) continue;
    const severity: Severity = m[3] === 'warning' ? 'warning' : 'error';
    out.push({ severity, code: `iverilog-${m[3] ?? 'error'}`, message: m[4], location: location(m[1], Number(m[2]), 1, cwd) });
  }
  return out;
}
