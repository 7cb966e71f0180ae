// Simulator, linter and synthesis runners (Icarus Verilog, Verilator, Yosys) through execa.
// Runners report what happened as data; callers decide what a mismatch means (the CLI exits 3).
import { mkdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { ExitCode, UserError, type Diagnostic } from '../diagnostics/index.ts';
import { requireTool } from './tools.ts';
import { parseTestbenchOutput, type TestbenchReport } from './testbench-output.ts';
import { parseIcarusMessages, parseVerilatorMessages } from './diagnostics.ts';

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
}

export interface SimResult extends TestbenchReport {
  sim: 'iverilog' | 'verilator';
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the bench printed its summary with zero failures and exited 0. */
  ok: boolean;
}

/** A tool that ran but failed (compile error, crash, timeout): exit 4 with its messages. */
function toolFailure(tool: string, message: string, diagnostics: Diagnostic[] = []): UserError {
  return new UserError([{ severity: 'error', code: 'T0002', message: `${tool}: ${message}` }, ...diagnostics], ExitCode.toolMissing);
}

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

function simResult(sim: SimResult['sim'], r: { exitCode?: number; stdout?: unknown; stderr?: unknown }): SimResult {
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  const report = parseTestbenchOutput(stdout + '\n' + stderr);
  const exitCode = r.exitCode ?? -1;
  return { sim, exitCode, stdout, stderr, ...report, ok: exitCode === 0 && report.failed === 0 && report.passed !== undefined };
}

export interface BuildOptions {
  files: string[];
  top: string;
  /** Directory the file paths are relative to. */
  cwd: string;
  /** Where build products go (default cwd/build-<sim>). */
  buildDir?: string;
}

export interface RunOptions {
  cwd: string;
  plusargs?: string[];
  timeoutMs?: number;
}

/** `iverilog -g2012 -s top`; returns the compiled .vvp file. A compile error is a tool failure (exit 4). */
export async function buildIverilog(o: BuildOptions): Promise<string> {
  await requireTool('iverilog');
  const buildDir = resolve(o.cwd, o.buildDir ?? 'build-iverilog');
  mkdirSync(buildDir, { recursive: true });
  const vvpFile = join(buildDir, `${o.top}.vvp`);
  const c = await execa('iverilog', ['-g2012', '-s', o.top, '-o', vvpFile, ...o.files], { cwd: o.cwd, reject: false, stdin: 'ignore', all: true });
  if (c.exitCode !== 0) {
    throw toolFailure('iverilog', `compilation of ${o.top} failed:\n${tail(c.all ?? '')}`, parseIcarusMessages(c.all ?? '', o.cwd));
  }
  return vvpFile;
}

/** `vvp -N` with stdin closed, so that $stop ends the run instead of waiting for input. */
export async function runVvp(vvpFile: string, o: RunOptions): Promise<SimResult> {
  await requireTool('vvp');
  const timeout = o.timeoutMs ?? 300_000;
  const r = await execa('vvp', ['-N', vvpFile, ...(o.plusargs ?? [])], { cwd: o.cwd, reject: false, stdin: 'ignore', timeout });
  if (r.timedOut) throw toolFailure('vvp', `simulation ${vvpFile} timed out after ${timeout} ms`);
  return simResult('iverilog', r);
}

/** iverilog -g2012, then `vvp -N` with stdin closed. */
export async function runIverilog(o: SimOptions): Promise<SimResult> {
  return runVvp(await buildIverilog(o), o);
}

/** `verilator --binary --timing` (the bench is clocked with delays); returns the model executable. */
export async function buildVerilator(o: BuildOptions & { jobs?: number; trace?: boolean }): Promise<string> {
  await requireTool('verilator');
  const buildDir = resolve(o.cwd, o.buildDir ?? 'build-verilator');
  mkdirSync(buildDir, { recursive: true });
  const exe = `V${o.top}`;
  // --trace lets the bench's $dumpvars write a VCD under +vcd (Verilator ignores it otherwise).
  const args = ['--binary', '--timing', ...(o.trace === false ? [] : ['--trace']), '-j', String(o.jobs ?? 2), '-O1', '-Wno-fatal', '-Wno-lint', '-Wno-style', '--top-module', o.top, '--Mdir', buildDir, '-o', exe, ...o.files];
  const c = await execa('verilator', args, { cwd: o.cwd, reject: false, stdin: 'ignore', all: true, timeout: 900_000 });
  if (c.exitCode !== 0 || !existsSync(join(buildDir, exe))) {
    throw toolFailure('verilator', `build of ${o.top} failed:\n${tail(c.all ?? '')}`, parseVerilatorMessages(c.all ?? '', o.cwd).filter((d) => d.severity === 'error'));
  }
  return join(buildDir, exe);
}

/** Run a Verilator-built model. */
export async function runVerilatorModel(exe: string, o: RunOptions): Promise<SimResult> {
  const timeout = o.timeoutMs ?? 300_000;
  const r = await execa(exe, o.plusargs ?? [], { cwd: o.cwd, reject: false, stdin: 'ignore', timeout });
  if (r.timedOut) throw toolFailure('verilator', `simulation ${exe} timed out after ${timeout} ms`);
  return simResult('verilator', r);
}

/** verilator --binary --timing, then run the model. */
export async function runVerilator(o: SimOptions & { jobs?: number }): Promise<SimResult> {
  return runVerilatorModel(await buildVerilator(o), o);
}

/** `verilator --lint-only -Wall` over design files; every message as a Diagnostic. */
export async function lintVerilator(files: string[], opts: { top?: string; cwd?: string } = {}): Promise<Diagnostic[]> {
  await requireTool('verilator');
  const cwd = opts.cwd ?? process.cwd();
  const args = ['--lint-only', '-Wall', ...(opts.top ? ['--top-module', opts.top] : []), ...files];
  const r = await execa('verilator', args, { cwd, reject: false, stdin: 'ignore', all: true });
  const diags = parseVerilatorMessages(r.all ?? '', cwd);
  if (r.exitCode !== 0 && diags.length === 0) throw toolFailure('verilator', `lint failed:\n${tail(r.all ?? '')}`);
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
export async function runYosys(files: string[], top: string, opts: { cwd?: string; blackbox?: string[]; timeoutMs?: number } = {}): Promise<SynthResult> {
  await requireTool('yosys');
  const cwd = opts.cwd ?? process.cwd();
  const script = [
    ...(opts.blackbox ?? []).map((f) => `read_verilog -sv -lib ${f}`),
    `read_verilog -sv ${files.join(' ')}`,
    `synth -flatten -top ${top}`,
    'stat',
  ].join('; ');
  const r = await execa('yosys', ['-p', script], { cwd, reject: false, stdin: 'ignore', all: true, timeout: opts.timeoutMs ?? 600_000 });
  const log = r.all ?? '';
  if (r.exitCode !== 0) throw toolFailure('yosys', `synthesis of ${top} failed:\n${tail(log)}`);
  // The last `stat` block is the flattened top.
  const statAt = log.lastIndexOf('Number of cells:');
  if (statAt < 0) throw toolFailure('yosys', `no cell statistics in the log of ${top}`);
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
