// Process exit codes of the nacc CLI (documented in the README). One place for this fact.
export const ExitCode = {
  ok: 0,
  inputError: 1,
  usage: 2,
  verificationFailed: 3,
  toolMissing: 4,
  internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
