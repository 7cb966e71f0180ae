// Diagnostics as plain data (esbuild-style): one type for the parser, importers, lowering
// and external tools. Printing lives in format.ts; exit codes in exit-codes.ts.

import type { DiagnosticCode } from './codes.ts';

export type Severity = 'error' | 'warning' | 'note';

/** A location in a user's file; line and column are 1-based, length in characters. */
export interface Location {
  file: string;
  line: number;
  column: number;
  length: number;
  /** The full text of the line, for the code frame. */
  lineText: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable ID users can filter on, e.g. E0101. */
  code: string;
  message: string;
  location?: Location;
  notes?: { message: string; location?: Location }[];
}

/** Source text with a line index, so spans can be turned into Locations cheaply. */
export class SourceFile {
  readonly lineStarts: number[];
  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const end = line < this.lineStarts.length ? this.lineStarts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  /** Location from a 0-based offset and a length. */
  locationAt(offset: number, length = 1): Location {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const line = lo + 1;
    return { file: this.path, line, column: offset - this.lineStarts[lo] + 1, length: Math.max(1, length), lineText: this.lineText(line) };
  }
}

export function error(code: DiagnosticCode | string, message: string, location?: Location): Diagnostic {
  return { severity: 'error', code: typeof code === 'string' ? code : code.code, message, location };
}
