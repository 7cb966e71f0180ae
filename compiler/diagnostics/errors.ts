// Errors a user can cause carry diagnostics and an exit code; the CLI prints them without a
// stack. Anything else that escapes is an internal error (exit 70).
import type { Diagnostic, Location } from './diagnostic.ts';
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

/** Throw a single located (or unlocated) input error. */
export function fail(code: string, message: string, location?: Location, exitCode: ExitCodeValue = ExitCode.inputError): never {
  throw new UserError([{ severity: 'error', code, message, location }], exitCode);
}

/** An external tool is missing or failed to run (exit 4). */
export class ToolError extends UserError {
  constructor(tool: string, message: string) {
    super([{ severity: 'error', code: 'T0001', message: `${tool}: ${message}` }], ExitCode.toolMissing);
    this.name = 'ToolError';
  }
}

/** A simulation or comparison disagreed with the golden model (exit 3). */
export class VerificationError extends UserError {
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super([{ severity: 'error', code: 'V0001', message }, ...diagnostics], ExitCode.verificationFailed);
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
