// Front-end entry: .nacc text -> Program (lowered IR) with diagnostics.
import { readFileSync } from 'node:fs';
import { SourceFile, UserError, fail, type Diagnostic } from '../diagnostics/index.ts';
import type { Program } from '../ir/program.ts';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Parse and lower a .nacc source; never throws for user errors (they are in diagnostics). */
export function compileSource(source: SourceFile): ParseResult {
  void source;
  throw new Error('front-end not implemented yet');
}

/** Read, parse and lower a .nacc file; throws UserError with every diagnostic on failure. */
export function loadProgram(path: string): Program {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail('E0001', `cannot read file '${path}'`);
  }
  const result = compileSource(new SourceFile(path, text));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new UserError(result.diagnostics);
  return result.program;
}
