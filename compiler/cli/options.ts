// The CLI's shared conventions in code (README "CLI conventions"): option values every command
// parses the same way (seeds, integers, choices with "did you mean"), shared defaults, options
// that do not apply to an input, `--json` to stdout alone, and the hint naming the next step.
import { D, ExitCode, fail } from '../diagnostics/index.ts';
import { suggestion } from '../util/suggest.ts';
import { invokedArgs } from './invocation.ts';

/** A value an option does not take (exit 2): the message lists what it takes. */
export const BAD_OPTION_VALUE = D.badOptionValue.code;
/** An option that does not apply to this input or to the other options given (exit 2). */
export const OPTION_NOT_APPLICABLE = D.optionNotApplicable.code;

/** Defaults shared by every command that takes the option (the conventions test checks them). */
export const SHARED_DEFAULTS = {
  /** `--seed`: every random choice; the same seed gives byte-identical outputs. */
  seed: '1',
  /** `--schedule` of `nacc mcu` and `nacc mcu-schedule`: auto picks patch-based when it lowers peak SRAM within the MAC budget. */
  schedule: 'auto',
  /** `--k`: neighbours per center of kNN and ball query (`nacc pointacc --op`, `nacc pointops`). */
  k: '16',
} as const;

/** One name and one definition of peak SRAM for every command (mcu, mcu-schedule, verify, report). */
export const PEAK_SRAM_DEFINITION =
  "the schedule's largest sum of live activation bytes (nacc mcu-schedule's figure; the arena adds placement)";

/** `--seed N`: an integer. */
export function parseSeed(value: string | undefined, flag = '--seed'): number {
  const n = Number(value ?? SHARED_DEFAULTS.seed);
  if (value !== undefined && (value.trim() === '' || !Number.isInteger(n)))
    fail(BAD_OPTION_VALUE, `${flag} takes an integer, got '${value}'`, undefined, ExitCode.usage);
  return n;
}

/** A positive integer option (`--threads`, `--k`, …); undefined when not given. */
export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    fail(BAD_OPTION_VALUE, `${flag} takes a positive integer, got '${value}'`, undefined, ExitCode.usage);
  return n;
}

/** One of a fixed set of values (presets, schedules, simulators): others are E0520 with the list and a suggestion. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[], what = 'value'): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const guess = suggestion(value, choices);
  return fail(
    BAD_OPTION_VALUE,
    `${flag}: unknown ${what} '${value}'${guess ? `; did you mean '${guess}'?` : ''} (${what}s: ${choices.join(', ')})`,
    undefined,
    ExitCode.usage,
  );
}

/** Several comma-separated choices (`demo --only a,b`), each checked as parseChoice does. */
export function parseChoices<T extends string>(value: string, flag: string, choices: readonly T[], what = 'value'): T[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseChoice(s, flag, choices, what));
}

/** An option given where it has no effect: rejected, never ignored silently. */
export function notApplicable(flag: string, why: string): never {
  return fail(OPTION_NOT_APPLICABLE, `${flag} does not apply here: ${why}`, undefined, ExitCode.usage);
}

/** The command line being run (main.ts records it), for manifests that say how a folder was made. */
export function invocation(): string {
  return ['nacc', ...invokedArgs().map((w) => (/^[A-Za-z0-9_.,+=\/:@%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`))].join(' ');
}

/** `--json`: the one JSON document on stdout (progress, warnings and hints go to stderr). */
export function writeJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** After writing an artefact: the command that usually follows, on its own line (not with --json). */
export function nextStep(command: string, json?: boolean): void {
  if (!json) process.stdout.write(`next: ${command}\n`);
}
