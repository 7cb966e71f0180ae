// Builds and runs a generated MCU program: gcc on the host, arm-none-eabi-gcc for the
// Cortex-M4 and QEMU's mps2-an386 with semihosting (always under a timeout). Measures RAM
// from the ELF (.data + .bss, the arena included) plus the painted stack, and instructions
// per inference from SysTick under `-icount shift=0` (one instruction per virtual ns).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../diagnostics/index.ts';
import { requireTool } from '../verify/tools.ts';
import { ARM_LINK_FLAGS, C_WARN_FLAGS, armFlags } from './emit.ts';
import { QEMU_AN386_CLOCK_HZ } from './targets.ts';

const COMMON_SOURCES = ['model.c', 'nacc_kernels.c', 'main.c'];

async function compile(tool: string, args: string[], cwd: string): Promise<void> {
  const r = await execa(tool, args, { cwd, reject: false, all: true, stdin: 'ignore', timeout: 600_000 });
  if (r.exitCode !== 0) {
    throw new ToolError(tool, `compilation failed in ${cwd}:\n${(r.all ?? '').split('\n').slice(0, 30).join('\n')}`);
  }
}

export async function buildHost(dir: string, opts: { debugDump?: boolean } = {}): Promise<string> {
  const gcc = await requireTool('gcc');
  const outDir = join(dir, 'build', opts.debugDump ? 'host-debug' : 'host');
  mkdirSync(outDir, { recursive: true });
  const exe = join(outDir, 'model');
  await compile(gcc, [...C_WARN_FLAGS, ...(opts.debugDump ? ['-DNACC_DEBUG_DUMP'] : []), ...COMMON_SOURCES, 'io_host.c', '-o', exe], dir);
  return exe;
}

export interface ArmBuild {
  elf: string;
  sections: { text: number; data: number; bss: number; stack: number };
  /** Largest static frame reported by -fstack-usage (one function, not a call chain). */
  maxFrameBytes: number;
}

export async function buildArm(dir: string, opts: { debugDump?: boolean } = {}): Promise<ArmBuild> {
  const gcc = await requireTool('arm-none-eabi-gcc');
  await requireTool('newlib');
  const outDir = join(dir, 'build', opts.debugDump ? 'mcu-debug' : 'mcu');
  mkdirSync(outDir, { recursive: true });
  const elf = join(outDir, 'model.elf');
  // the QEMU board is a Cortex-M4, whatever the target part
  const flags = [...C_WARN_FLAGS, ...armFlags('cortex-m4'), ...(opts.debugDump ? ['-DNACC_DEBUG_DUMP'] : [])];
  const objs: string[] = [];
  for (const src of [...COMMON_SOURCES, 'io_semihost.c', 'startup_cm4.c']) {
    const obj = join(outDir, src.replace(/\.c$/, '.o'));
    await compile(gcc, [...flags, '-c', src, '-o', obj], dir);
    objs.push(obj);
  }
  await compile(gcc, [...flags, ...objs, '-o', elf, ...ARM_LINK_FLAGS], dir);
  const size = await execa('arm-none-eabi-size', ['-A', elf], { reject: false, stdin: 'ignore' });
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
  const r = await execa(resolve(exe), ['input.bin', 'output.bin', 'ops.bin'], { cwd: runDir, reject: false, stdin: 'ignore', timeout: 300_000, all: true });
  if (r.exitCode !== 0) throw new ToolError('host program', `exited with ${r.exitCode ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${r.all}`);
  return {
    output: readFileSync(join(runDir, 'output.bin')),
    dump: opts.debugDump ? readFileSync(join(runDir, 'ops.bin')) : undefined,
    ticks: 0,
    stackBytes: 0,
    stdout: r.stdout,
  };
}

export async function runQemu(elf: string, input: Uint8Array, workDir: string, opts: { debugDump?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  const qemu = await requireTool('qemu-system-arm');
  const runDir = freshDir(join(workDir, 'run-qemu'));
  writeFileSync(join(runDir, 'input.bin'), input);
  copyFileSync(elf, join(runDir, 'model.elf'));
  // semihosting console text goes to a file: QEMU would otherwise write it to the terminal
  const args = ['-M', 'mps2-an386', '-nographic', '-monitor', 'none', '-serial', 'none',
    '-chardev', 'file,id=nacc_console,path=console.txt',
    '-semihosting-config', 'enable=on,target=native,chardev=nacc_console', '-icount', 'shift=0', '-kernel', 'model.elf'];
  const r = await execa(qemu, args, { cwd: runDir, reject: false, stdin: 'ignore', timeout: opts.timeoutMs ?? 600_000, all: true });
  if (r.timedOut) throw new ToolError('qemu-system-arm', `timed out after ${(opts.timeoutMs ?? 600_000) / 1000} s`);
  if (r.exitCode !== 0) throw new ToolError('qemu-system-arm', `exited with ${r.exitCode}: ${r.all}`);
  const consolePath = join(runDir, 'console.txt');
  const consoleText = existsSync(consolePath) ? readFileSync(consolePath, 'utf8') : '';
  const ticks = Number(consoleText.match(/NACC_TICKS (\d+)/)?.[1] ?? NaN);
  const stackBytes = Number(consoleText.match(/NACC_STACK (\d+)/)?.[1] ?? NaN);
  if (!existsSync(join(runDir, 'output.bin'))) throw new ToolError('qemu-system-arm', `no output written: ${r.all}`);
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

