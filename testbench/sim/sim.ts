// Simulator, linter and synthesis runners (Icarus Verilog, Verilator, Yosys) through run-tool.ts.
// Runners report what happened as data; callers decide what a mismatch means (the CLI exits 3).
import { mkdirSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { toolPathArg } from '../../compiler/util/names.ts';
import { InternalError, ToolError, type Diagnostic } from '../../compiler/diagnostics/index.ts';
import { FAILURE_MESSAGES, expectSuccess, outputTail, runTool, type ToolRole, type ToolRun } from '../tools/run-tool.ts';
import { parseTestbenchOutput, type TestbenchReport } from './testbench-output.ts';
import { parseIcarusMessages, parseVerilatorMessages } from './diagnostics.ts';

/** Who wrote the Verilog: nacc (a compile error is nacc's bug, exit 70) or a user (exit 1). */
export type SourceOrigin = 'generated' | 'user';
const buildRole = (origin: SourceOrigin | undefined): ToolRole => (origin === 'user' ? 'user-build' : 'generated-build');

export interface SimOptions {
  /** Verilog files: design and testbench. */
  files: string[];
  /** Top module (the testbench). */
  top: string;
  /** e.g. ['+vcd'] */
  plusargs?: string[];
  /** Working directory: $readmemh paths and VCD files are relative to it. */
  cwd: string;
  timeoutMs?: number;
  /** Where build products go (default cwd/build-<sim>). */
  buildDir?: string;
  /** Default 'generated'. */
  origin?: SourceOrigin;
}

export interface SimResult extends TestbenchReport {
  sim: 'iverilog' | 'verilator';
  /** null when the simulator was killed (see signal, timedOut). */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  output: string;
  /**
   * Why the run failed whatever its summary said: a non-zero exit, a signal, a timeout or a
   * $fatal/$error message. Undefined when the simulator ran cleanly.
   */
  failure?: string;
  /** True when the simulator ran cleanly and the bench printed its summary with zero failures. */
  ok: boolean;
}

/** Default time one simulation run may take. */
export const SIM_TIMEOUT_MS = 300_000;

/** Default time one simulator build (iverilog, verilator) may take; `nacc verify --build-timeout S` changes it. */
export const BUILD_TIMEOUT_MS = 900_000;

function simResult(sim: SimResult['sim'], r: ToolRun): SimResult {
  const report = parseTestbenchOutput(r.output);
  const failure = r.verdict.ok ? undefined : r.verdict.reason;
  return {
    sim,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    stdout: r.stdout,
    stderr: r.stderr,
    output: r.output,
    ...report,
    ...(failure === undefined ? {} : { failure }),
    ok: failure === undefined && report.failed === 0 && report.passed !== undefined,
  };
}

export interface BuildOptions {
  files: string[];
  top: string;
  /** Directory the file paths are relative to. */
  cwd: string;
  /** Where build products go (default cwd/build-<sim>). */
  buildDir?: string;
  /** Default 'generated'. */
  origin?: SourceOrigin;
  /** Limit of the build (default BUILD_TIMEOUT_MS); a build that exceeds it fails (exit 4: the tool timed out). */
  buildTimeoutMs?: number;
}

export interface RunOptions {
  cwd: string;
  plusargs?: string[];
  timeoutMs?: number;
}

/**
 * A path as a build tool gets it: relative to the tool's cwd, so no part of the user's folder
 * names reaches it (iverilog hands its arguments on through a command file, where a newline
 * splits a path; Verilator writes them into a Makefile and runs make).
 */
const toolRelative = (cwd: string, path: string): string => toolPathArg(relative(cwd, resolve(cwd, path)) || '.');

/** `iverilog -g2012 -s top`; returns the compiled .vvp file. A compile error: see run-tool's ToolRole. */
export async function buildIverilog(o: BuildOptions): Promise<string> {
  const buildDir = resolve(o.cwd, o.buildDir ?? 'build-iverilog');
  mkdirSync(buildDir, { recursive: true });
  const vvpFile = join(buildDir, `${o.top}.vvp`);
  const c = await runTool(
    'iverilog',
    ['-g2012', '-s', o.top, '-o', toolRelative(o.cwd, vvpFile), ...o.files.map((f) => toolRelative(o.cwd, f))],
    { cwd: o.cwd, timeoutMs: o.buildTimeoutMs ?? BUILD_TIMEOUT_MS },
  );
  expectSuccess(c, buildRole(o.origin), `iverilog: compiling ${o.top}`, parseIcarusMessages(c.output, o.cwd));
  return vvpFile;
}

/** `vvp -N` with stdin closed, so that $stop ends the run instead of waiting for input. */
export async function runVvp(vvpFile: string, o: RunOptions): Promise<SimResult> {
  const r = await runTool('vvp', ['-N', vvpFile, ...(o.plusargs ?? [])], {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? SIM_TIMEOUT_MS,
    failureMessages: FAILURE_MESSAGES.icarus,
  });
  return simResult('iverilog', r);
}

/** iverilog -g2012, then `vvp -N` with stdin closed. */
export async function runIverilog(o: SimOptions): Promise<SimResult> {
  return runVvp(await buildIverilog(o), o);
}

/** `verilator --binary --timing` (the bench is clocked with delays); returns the model executable. */
export async function buildVerilator(o: BuildOptions & { jobs?: number; trace?: boolean }): Promise<string> {
  const buildDir = resolve(o.cwd, o.buildDir ?? 'build-verilator');
  mkdirSync(buildDir, { recursive: true });
  const exe = `V${o.top}`;
  // --trace lets the bench's $dumpvars write a VCD under +vcd (Verilator ignores it otherwise).
  const args = [
    '--binary',
    '--timing',
    ...(o.trace === false ? [] : ['--trace']),
    '-j',
    String(o.jobs ?? 2),
    '-O1',
    '-Wno-fatal',
    '-Wno-lint',
    '-Wno-style',
    '--top-module',
    o.top,
    '--Mdir',
    toolRelative(o.cwd, buildDir),
    '-o',
    exe,
    ...o.files.map((f) => toolRelative(o.cwd, f)),
  ];
  const c = await runTool('verilator', args, { cwd: o.cwd, timeoutMs: o.buildTimeoutMs ?? BUILD_TIMEOUT_MS });
  expectSuccess(
    c,
    buildRole(o.origin),
    `verilator: building ${o.top}`,
    parseVerilatorMessages(c.output, o.cwd).filter((d) => d.severity === 'error'),
  );
  if (!existsSync(join(buildDir, exe)))
    throw new InternalError(`verilator: building ${o.top} exited 0 but wrote no ${exe}:\n${outputTail(c.output)}`);
  return join(buildDir, exe);
}

/** Run a Verilator-built model. */
export async function runVerilatorModel(exe: string, o: RunOptions): Promise<SimResult> {
  const r = await runTool(exe, o.plusargs ?? [], {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? SIM_TIMEOUT_MS,
    failureMessages: FAILURE_MESSAGES.verilator,
  });
  return simResult('verilator', r);
}

/** verilator --binary --timing, then run the model. */
export async function runVerilator(o: SimOptions & { jobs?: number }): Promise<SimResult> {
  return runVerilatorModel(await buildVerilator(o), o);
}

/**
 * `verilator --lint-only -Wall` over design files; every message as a Diagnostic. Verilator
 * exits non-zero when it has anything to say: that is data. A run that says nothing we can
 * parse, crashes or times out fails as a build of `origin` code would.
 */
export async function lintVerilator(
  files: string[],
  opts: { top?: string; cwd?: string; origin?: SourceOrigin } = {},
): Promise<Diagnostic[]> {
  const cwd = opts.cwd ?? process.cwd();
  const args = ['--lint-only', '-Wall', ...(opts.top ? ['--top-module', opts.top] : []), ...files];
  const r = await runTool('verilator', args, { cwd });
  const diags = parseVerilatorMessages(r.output, cwd);
  if (!r.verdict.ok && !(r.verdict.kind === 'exit' && diags.length > 0)) expectSuccess(r, buildRole(opts.origin), 'verilator: lint');
  return diags;
}

export interface SynthResult {
  top: string;
  /** Total cells after `synth -flatten` (blackboxed macros count as one cell each). */
  cells: number;
  cellTypes: Record<string, number>;
  /** Rough area in NAND2 gate equivalents of the logic cells (see GATE_EQUIVALENTS). */
  logicGateEquivalents: number;
  log: string;
}

/**
 * Rough NAND2-equivalent sizes of yosys's internal gate library, from typical standard-cell
 * libraries (a D flip-flop is about 4.5-5 NAND2). Good for comparing designs, not for signoff.
 */
export const GATE_EQUIVALENTS: Record<string, number> = {
  $_NOT_: 0.67,
  $_BUF_: 1,
  $_AND_: 1.33,
  $_NAND_: 1,
  $_OR_: 1.33,
  $_NOR_: 1,
  $_XOR_: 2.33,
  $_XNOR_: 2.33,
  $_ANDNOT_: 1.33,
  $_ORNOT_: 1.33,
  $_MUX_: 2.33,
  $_NMUX_: 2.33,
  $_AOI3_: 1.33,
  $_OAI3_: 1.33,
  $_AOI4_: 1.67,
  $_OAI4_: 1.67,
};
const FLOP_GE = 4.67;

/** `yosys synth -flatten -top TOP; stat`. Modules in `blackbox` files are read with -lib (macros). */
export async function runYosys(
  files: string[],
  top: string,
  opts: { cwd?: string; blackbox?: string[]; timeoutMs?: number; origin?: SourceOrigin } = {},
): Promise<SynthResult> {
  const cwd = opts.cwd ?? process.cwd();
  const script = [
    ...(opts.blackbox ?? []).map((f) => `read_verilog -sv -lib ${f}`),
    `read_verilog -sv ${files.join(' ')}`,
    `synth -flatten -top ${top}`,
    'stat',
  ].join('; ');
  const r = await runTool('yosys', ['-p', script], { cwd, timeoutMs: opts.timeoutMs ?? 600_000 });
  expectSuccess(r, buildRole(opts.origin), `yosys: synthesising ${top}`);
  const log = r.output;
  // The last `stat` block is the flattened top.
  const statAt = log.lastIndexOf('Number of cells:');
  if (statAt < 0) throw new ToolError('yosys', `no cell statistics in the log of ${top}:\n${outputTail(log)}`);
  const block = log.slice(statAt).split('\n');
  const cells = Number(block[0].match(/Number of cells:\s+(\d+)/)?.[1] ?? NaN);
  const cellTypes: Record<string, number> = {};
  for (const line of block.slice(1)) {
    const m = line.match(/^\s+(\S+)\s+(\d+)\s*$/);
    if (m) cellTypes[m[1]] = Number(m[2]);
    else if (line.trim() !== '' && Object.keys(cellTypes).length) break;
  }
  let ge = 0;
  for (const [type, n] of Object.entries(cellTypes)) {
    if (GATE_EQUIVALENTS[type] !== undefined) ge += GATE_EQUIVALENTS[type] * n;
    else if (/^\$_S?DFF/.test(type) || /^\$_DLATCH/.test(type)) ge += FLOP_GE * n;
  }
  return { top, cells, cellTypes, logicGateEquivalents: Math.round(ge), log };
}
