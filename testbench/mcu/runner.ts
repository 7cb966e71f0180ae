// Builds and runs a generated MCU program: gcc on the host, arm-none-eabi-gcc for the
// Cortex-M4 and QEMU's mps2-an386 with semihosting (always under a timeout). Measures RAM
// from the ELF (.data + .bss, the arena included) plus the painted stack, and instructions
// per inference from SysTick under `-icount shift=0` (one instruction per virtual ns).
// Every program runs through testbench/tools/run-tool.ts: a compile error in the generated C is nacc's bug
// (exit 70), a program that fails in any way (status, signal, timeout, QEMU fatal) fails verification (3).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { D, UserError, VerificationError } from '../../compiler/diagnostics/index.ts';
import { requireTool } from '../tools/tools.ts';
import { FAILURE_MESSAGES, expectSuccess, outputTail, runTool } from '../tools/run-tool.ts';
import { ARM_LINK_FLAGS, C_WARN_FLAGS, armFlags } from '../../compiler/mcu/emit.ts';
import { QEMU_AN386_CLOCK_HZ } from '../../compiler/mcu/targets.ts';

const COMMON_SOURCES = ['model.c', 'nacc_kernels.c', 'main.c'];

/** A linker that ran out of a memory region: the program does not fit the part, which the user chose. */
const REGION_OVERFLOW = /region `?\w+'? overflowed|will not fit in region/;

async function compile(tool: string, args: string[], cwd: string): Promise<void> {
  const r = await runTool(tool, args, { cwd, timeoutMs: 600_000 });
  if (!r.verdict.ok && r.verdict.kind === 'exit' && REGION_OVERFLOW.test(r.output)) {
    throw new UserError([
      {
        severity: 'error',
        code: D.mcuMemory.code,
        message: `the program does not fit the part's memory (${cwd}):\n${outputTail(r.output)}`,
      },
    ]);
  }
  expectSuccess(r, 'generated-build', `compiling the generated C in ${cwd}`);
}

/**
 * Another harness in place of main.c (e.g. the batch harness of testbench/mcu/batch.ts): its
 * source file in the program folder, its -D defines, and the build folder's name.
 */
export interface Harness {
  main: string;
  defines: string[];
  name: string;
}

const sourcesOf = (h: Harness | undefined) => (h ? COMMON_SOURCES.map((s) => (s === 'main.c' ? h.main : s)) : COMMON_SOURCES);
const definesOf = (h: Harness | undefined) => (h ? h.defines.map((d) => `-D${d}`) : []);

export async function buildHost(dir: string, opts: { debugDump?: boolean; harness?: Harness } = {}): Promise<string> {
  const gcc = await requireTool('gcc');
  const outDir = join(dir, 'build', opts.harness ? `host-${opts.harness.name}` : opts.debugDump ? 'host-debug' : 'host');
  mkdirSync(outDir, { recursive: true });
  const exe = join(outDir, 'model');
  await compile(
    gcc,
    [
      ...C_WARN_FLAGS,
      ...(opts.debugDump ? ['-DNACC_DEBUG_DUMP'] : []),
      ...definesOf(opts.harness),
      ...sourcesOf(opts.harness),
      'io_host.c',
      '-o',
      exe,
    ],
    dir,
  );
  return exe;
}

export interface ArmBuild {
  elf: string;
  sections: { text: number; data: number; bss: number; stack: number };
  /** Largest static frame reported by -fstack-usage (one function, not a call chain). */
  maxFrameBytes: number;
}

export async function buildArm(dir: string, opts: { debugDump?: boolean; harness?: Harness } = {}): Promise<ArmBuild> {
  const gcc = await requireTool('arm-none-eabi-gcc');
  await requireTool('newlib');
  const outDir = join(dir, 'build', opts.harness ? `mcu-${opts.harness.name}` : opts.debugDump ? 'mcu-debug' : 'mcu');
  mkdirSync(outDir, { recursive: true });
  const elf = join(outDir, 'model.elf');
  // the QEMU board is a Cortex-M4, whatever the target part
  const flags = [...C_WARN_FLAGS, ...armFlags('cortex-m4'), ...(opts.debugDump ? ['-DNACC_DEBUG_DUMP'] : []), ...definesOf(opts.harness)];
  const objs: string[] = [];
  for (const src of [...sourcesOf(opts.harness), 'io_semihost.c', 'startup_cm4.c']) {
    const obj = join(outDir, src.replace(/\.c$/, '.o'));
    await compile(gcc, [...flags, '-c', src, '-o', obj], dir);
    objs.push(obj);
  }
  await compile(gcc, [...flags, ...objs, '-o', elf, ...ARM_LINK_FLAGS], dir);
  const size = expectSuccess(
    await runTool('arm-none-eabi-size', ['-A', elf], { timeoutMs: 60_000 }),
    'helper',
    `reading the section sizes of ${elf}`,
  );
  const sec = (name: string) => Number(size.stdout.match(new RegExp(`^\\${name}\\s+(\\d+)`, 'm'))?.[1] ?? 0);
  let maxFrameBytes = 0;
  for (const f of readdirSync(outDir).filter((x) => x.endsWith('.su'))) {
    for (const line of readFileSync(join(outDir, f), 'utf8').split('\n')) {
      const m = line.match(/\t(\d+)\t/);
      if (m) maxFrameBytes = Math.max(maxFrameBytes, Number(m[1]));
    }
  }
  return {
    elf,
    sections: { text: sec('.text') + sec('.isr_vector'), data: sec('.data'), bss: sec('.bss'), stack: sec('.stack') },
    maxFrameBytes,
  };
}

export interface RunResult {
  output: Uint8Array;
  dump?: Uint8Array;
  /** SysTick ticks of the inference (QEMU only). */
  ticks: number;
  stackBytes: number;
  stdout: string;
}

export async function runHost(exe: string, input: Uint8Array, workDir: string, opts: { debugDump?: boolean } = {}): Promise<RunResult> {
  const runDir = freshDir(join(workDir, 'run-host'));
  writeFileSync(join(runDir, 'input.bin'), input);
  const r = await runTool(resolve(exe), ['input.bin', 'output.bin', 'ops.bin'], { cwd: runDir, timeoutMs: 300_000, name: 'host program' });
  expectSuccess(r, 'check', `running ${exe} on the host`);
  return {
    output: readFileSync(join(runDir, 'output.bin')),
    dump: opts.debugDump ? readFileSync(join(runDir, 'ops.bin')) : undefined,
    ticks: 0,
    stackBytes: 0,
    stdout: r.stdout,
  };
}

/**
 * QEMU's command line for `model.elf` in the working folder: the Cortex-M4 board, semihosting
 * console text to console.txt (QEMU would otherwise write it to the terminal), one instruction
 * per virtual nanosecond.
 */
export const QEMU_ARGS = [
  '-M',
  'mps2-an386',
  '-nographic',
  '-monitor',
  'none',
  '-serial',
  'none',
  '-chardev',
  'file,id=nacc_console,path=console.txt',
  '-semihosting-config',
  'enable=on,target=native,chardev=nacc_console',
  '-icount',
  'shift=0',
  '-kernel',
  'model.elf',
];

export async function runQemu(
  elf: string,
  input: Uint8Array,
  workDir: string,
  opts: { debugDump?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const qemu = await requireTool('qemu-system-arm');
  const runDir = freshDir(join(workDir, 'run-qemu'));
  writeFileSync(join(runDir, 'input.bin'), input);
  copyFileSync(elf, join(runDir, 'model.elf'));
  const r = await runTool(qemu, QEMU_ARGS, {
    cwd: runDir,
    timeoutMs: opts.timeoutMs ?? 600_000,
    failureMessages: FAILURE_MESSAGES.qemu,
    name: 'qemu-system-arm',
  });
  const consolePath = join(runDir, 'console.txt');
  const consoleText = existsSync(consolePath) ? readFileSync(consolePath, 'utf8') : '';
  // The program's own console shows why it stopped (e.g. a HardFault exits with status 1).
  expectSuccess({ ...r, output: `${consoleText}${r.output}` }, 'check', `running ${elf} in QEMU`);
  const ticks = Number(consoleText.match(/NACC_TICKS (\d+)/)?.[1] ?? NaN);
  const stackBytes = Number(consoleText.match(/NACC_STACK (\d+)/)?.[1] ?? NaN);
  if (!existsSync(join(runDir, 'output.bin')))
    throw new VerificationError(`running ${elf} in QEMU: the program wrote no output:\n${outputTail(consoleText + r.output)}`);
  return {
    output: readFileSync(join(runDir, 'output.bin')),
    dump: opts.debugDump ? readFileSync(join(runDir, 'ops.bin')) : undefined,
    ticks,
    stackBytes,
    stdout: consoleText,
  };
}

/** Instructions executed for a SysTick count under `-icount shift=0`. */
export function ticksToInstructions(ticks: number): number {
  return Math.round((ticks * 1e9) / QEMU_AN386_CLOCK_HZ /* calibrated: a 3M-instruction loop reads 74999 ticks */);
}

/** Split a debug dump ([op int32][bytes int32][data]...) into per-op outputs. */
export function parseDump(dump: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const dv = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
  let at = 0;
  while (at + 8 <= dump.length) {
    const op = dv.getInt32(at, true);
    const n = dv.getInt32(at + 4, true);
    out.set(op, dump.subarray(at + 8, at + 8 + n));
    at += 8 + n;
  }
  return out;
}

function freshDir(d: string): string {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}
