// The one way nacc runs an external program (simulators, compilers, QEMU, yosys, ip/tc): found
// on PATH, argv as an array (never a shell), stdin closed, always under a timeout, and the
// outcome returned as plain data with a verdict. What a failed verdict means for the exit code
// (missing 4, tool failing 4, verification failed 3, nacc's own bug 70, input error 1) is
// decided here too, in `failureOf`, so that no caller interprets exit statuses on its own.
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { D, ExitCode, InternalError, ToolError, UserError, VerificationError, type Diagnostic } from '../../compiler/diagnostics/index.ts';
import { TOOLS } from './tool-list.ts';
import { killTree } from '../../compiler/util/process-tree.ts';

/** Why a run did not succeed; `ok` when it exited 0 and printed no failure message. */
export type ToolVerdict =
  | { ok: true }
  | {
      ok: false;
      /** exit: non-zero status; signal: killed or crashed; timeout: ran out of time; message: printed a failure line (e.g. $fatal). */
      kind: 'exit' | 'signal' | 'timeout' | 'message';
      /** One line for a human: "vvp exited with status 1 after printing: FATAL: tb.v:4: boom". */
      reason: string;
    };

export interface ToolRun {
  /** The name used in messages (the command's basename unless given). */
  tool: string;
  /** The resolved executable and its arguments, as run. */
  argv: string[];
  cwd: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as the program wrote them. */
  output: string;
  verdict: ToolVerdict;
}

export interface RunToolOptions {
  cwd?: string;
  /** Kill the program after this long (default 10 minutes); a run never waits forever. */
  timeoutMs?: number;
  /** Extra environment variables (the rest of the environment is inherited). */
  env?: Record<string, string>;
  /** Name in messages (default: basename of the command). */
  name?: string;
  /** Output lines that mean failure whatever the exit status: see FAILURE_MESSAGES. */
  failureMessages?: readonly RegExp[];
  /** Debian package to name when the command is missing (default: from tools.json). */
  debian?: string;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 600_000;

/**
 * How simulators and emulators report a failure that their exit status may not show. Icarus
 * prints `FATAL:` for $fatal (exit 1) and `ERROR:` for $error (exit 0, the run goes on);
 * Verilator `%Error:`/`%Fatal:` (after a `[time]` stamp) and aborts; QEMU `qemu...: fatal:` on a
 * CPU lockup (a HardFault inside the fault handler).
 */
export const FAILURE_MESSAGES = {
  icarus: [/^(?:FATAL|ERROR): .*$/m],
  verilator: [/^(?:\[\d+\] )?%(?:Error|Fatal)\b.*$/m],
  qemu: [/^qemu(?:-system-[\w-]+)?: fatal: .*$/m],
} as const;

/** The Debian package that provides a command (tools.json, plus helpers not listed there). */
function debianPackage(binary: string): string | undefined {
  const EXTRA: Record<string, string> = { ip: 'iproute2', tc: 'iproute2', 'arm-none-eabi-size': 'binutils-arm-none-eabi' };
  return TOOLS.find((t) => t.binary === binary || t.name === binary)?.debian ?? EXTRA[binary];
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where a command is: a path (with a `/`) as given, else the first executable on PATH. */
export function findOnPath(command: string, pathVar = process.env.PATH ?? ''): string | undefined {
  if (command.includes('/')) return isExecutableFile(command) ? resolve(command) : undefined;
  for (const dir of pathVar.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** A command's path, or a ToolError (exit 4) naming the package to install. */
export function resolveTool(command: string, o: { name?: string; debian?: string } = {}): string {
  const path = findOnPath(command);
  if (path) return path;
  const name = o.name ?? basename(command);
  if (command.includes('/')) throw new ToolError(name, `${command} does not exist or is not executable`);
  const pkg = o.debian ?? debianPackage(command);
  throw new ToolError(name, `not found on PATH; install it with: apt-get install -y ${pkg ?? command}`);
}

/** The last lines of a program's output, for messages. */
export function outputTail(text: string, lines = 30): string {
  return text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
}

function verdictOf(
  tool: string,
  r: { exitCode: number | null; signal: string | null; timedOut: boolean; output: string },
  timeoutMs: number,
  patterns: readonly RegExp[],
): ToolVerdict {
  const printed = patterns.map((p) => r.output.match(p)?.[0]).find((m) => m !== undefined);
  const after = printed ? ` after printing: ${printed.trim()}` : '';
  if (r.timedOut) return { ok: false, kind: 'timeout', reason: `${tool} timed out after ${timeoutMs / 1000} s${after}` };
  if (r.signal) return { ok: false, kind: 'signal', reason: `${tool} was killed by ${r.signal}${after}` };
  if (r.exitCode !== 0) return { ok: false, kind: 'exit', reason: `${tool} exited with status ${r.exitCode}${after}` };
  if (printed) return { ok: false, kind: 'message', reason: `${tool} printed: ${printed.trim()}` };
  return { ok: true };
}

/** Run a program to completion. Never throws for how it ended (see `verdict`); only a missing program throws (exit 4). */
export async function runTool(command: string, args: readonly string[], o: RunToolOptions = {}): Promise<ToolRun> {
  const tool = o.name ?? basename(command);
  const exe = resolveTool(command, { name: tool, debian: o.debian });
  const cwd = resolve(o.cwd ?? process.cwd());
  const timeoutMs = o.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  // Our own timer, not execa's: on timeout the whole process tree goes (a `make` under
  // verilator, a shell's children), or the grandchildren would keep running and hold the pipes.
  const child = execa(exe, args, { cwd, env: o.env, reject: false, stdin: 'ignore', all: true, shell: false, stripFinalNewline: false });
  let timedOut = false;
  let cancelForce = () => {};
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) cancelForce = killTree(child.pid);
  }, timeoutMs);
  const r = await child.finally(() => {
    clearTimeout(timer);
    cancelForce();
  });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  const output = String(r.all ?? stdout + stderr);
  // A failure to start (EACCES, ENOENT after resolution) has neither status nor signal.
  if (r.exitCode === undefined && r.signal === undefined && !timedOut)
    throw new ToolError(tool, `could not be started: ${r.shortMessage ?? r.message}`);
  const base = { exitCode: r.exitCode ?? null, signal: r.signal ?? null, timedOut, output };
  return { tool, argv: [exe, ...args], cwd, stdout, stderr, ...base, verdict: verdictOf(tool, base, timeoutMs, o.failureMessages ?? []) };
}

/** The same, synchronously: for exit and signal hooks, where nothing asynchronous runs any more. */
export function runToolSync(command: string, args: readonly string[], o: RunToolOptions = {}): ToolRun {
  const tool = o.name ?? basename(command);
  const exe = resolveTool(command, { name: tool, debian: o.debian });
  const cwd = resolve(o.cwd ?? process.cwd());
  const timeoutMs = o.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const r = spawnSync(exe, args, {
    cwd,
    env: o.env ? { ...process.env, ...o.env } : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    encoding: 'utf8',
    shell: false,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT')
    throw new ToolError(tool, `could not be started: ${r.error.message}`);
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const base = { exitCode: r.status, signal: timedOut ? null : r.signal, timedOut, output: stdout + stderr };
  return { tool, argv: [exe, ...args], cwd, stdout, stderr, ...base, verdict: verdictOf(tool, base, timeoutMs, o.failureMessages ?? []) };
}

/**
 * What a run is, which decides what its failure means:
 *  - 'generated-build': a compiler, elaborator or synthesiser given code nacc generated. It
 *    rejecting that code is nacc's bug (exit 70, with the tool's messages and a request to
 *    report it); the tool crashing or timing out is a failing tool (exit 4).
 *  - 'user-build': the same for code a user wrote: a rejection is an input error (exit 1).
 *  - 'check': a simulation or a generated program whose results are checked. Any failure (exit
 *    status, signal, timeout, a $fatal/$error line) fails the verification (exit 3), whatever
 *    it printed before — a passing summary followed by $fatal is a failure.
 *  - 'helper': any other tool (size, ip, tc, a measurement): any failure is a failing tool (exit 4).
 */
export type ToolRole = 'generated-build' | 'user-build' | 'check' | 'helper';

/** The error a failed run stands for (undefined when it succeeded). `what` says what was being done. */
export function failureOf(run: ToolRun, role: ToolRole, what: string, diagnostics: Diagnostic[] = []): Error | undefined {
  const v = run.verdict;
  if (v.ok) return undefined;
  const tail = outputTail(run.output);
  const detail = tail ? `:\n${tail}` : '';
  if (role === 'check') return new VerificationError(`${what}: ${v.reason}${detail}`);
  if (role === 'helper' || v.kind === 'signal' || v.kind === 'timeout') {
    return new UserError(
      [{ severity: 'error', code: D.toolFailed.code, message: `${what}: ${v.reason}${detail}` }, ...diagnostics],
      ExitCode.toolMissing,
    );
  }
  if (role === 'user-build')
    return new UserError(
      [{ severity: 'error', code: D.toolRejectedInput.code, message: `${what}: ${v.reason}${detail}` }, ...diagnostics],
      ExitCode.inputError,
    );
  // The CLI adds the request to report it (as for every internal error).
  return new InternalError(`${what}: ${run.tool} rejected code that nacc generated (${v.reason})${detail}`, diagnostics);
}

/** Throw `failureOf(...)` when the run failed. */
export function expectSuccess(run: ToolRun, role: ToolRole, what: string, diagnostics: Diagnostic[] = []): ToolRun {
  const e = failureOf(run, role, what, diagnostics);
  if (e) throw e;
  return run;
}
