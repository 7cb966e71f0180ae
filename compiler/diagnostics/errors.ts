// Errors a user can cause carry diagnostics and an exit code; the CLI prints them without a
// stack. Anything else that escapes is an internal error (exit 70).
import type { Diagnostic, Location } from './diagnostic.ts';
import { D, type DiagnosticCode } from './codes.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

export class UserError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly exitCode: ExitCodeValue = ExitCode.inputError,
  ) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'UserError';
  }
}

/**
 * Throw a single located (or unlocated) error: `fail(D.name, message, location)` exits with the
 * table's exit code for that diagnostic (codes.ts); a bare code string exits 1 unless told.
 */
export function fail(code: DiagnosticCode | string, message: string, location?: Location, exitCode?: ExitCodeValue): never {
  const entry = typeof code === 'string' ? undefined : code;
  throw new UserError(
    [{ severity: 'error', code: entry?.code ?? (code as string), message, location }],
    exitCode ?? entry?.exit ?? ExitCode.inputError,
  );
}

/** An external tool is missing or failed to run (exit 4). */
export class ToolError extends UserError {
  constructor(tool: string, message: string) {
    super([{ severity: 'error', code: D.toolMissing.code, message: `${tool}: ${message}` }], D.toolMissing.exit);
    this.name = 'ToolError';
  }
}

/** A simulation or comparison disagreed with the golden model (exit 3). */
export class VerificationError extends UserError {
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super([{ severity: 'error', code: D.verificationFailed.code, message }, ...diagnostics], D.verificationFailed.exit);
    this.name = 'VerificationError';
  }
}

/**
 * nacc itself is wrong: e.g. a compiler rejected code nacc generated. Not a UserError, so the
 * CLI prints it with the stack and a request to report it (exit 70).
 */
export class InternalError extends Error {
  readonly exitCode = ExitCode.internal;
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'InternalError';
  }
}
