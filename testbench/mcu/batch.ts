// Runs a generated MCU program over many inputs in one process: the batch harness
// (testbench/mcu/batch_main.c.hbs) in place of main.c reads N inputs from one file and writes
// N outputs, so QEMU boots once for a whole test set. Host gcc and QEMU builds alike.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VerificationError } from '../../compiler/diagnostics/index.ts';
import { requireTool } from '../tools/tools.ts';
import { FAILURE_MESSAGES, expectSuccess, outputTail, runTool } from '../tools/run-tool.ts';
import { cComment } from '../../compiler/util/names.ts';
import { render } from '../../compiler/mcu/emit.ts';
import { QEMU_ARGS, buildArm, buildHost, ticksToInstructions, type Harness } from './runner.ts';

/** The harness's file name in a program folder. */
export const BATCH_MAIN = 'batch_main.c';

/** The batch harness's C source for a model. */
export function batchHarnessSource(modelName: string): string {
  return render('batch_main.c', { model: cComment(modelName) });
}

export interface BatchRun {
  /** Every input's output bytes, one after another. */
  outputs: Uint8Array;
  /** QEMU only: instructions of all inferences, and of the slowest one; stack high-water mark. */
  instructions?: { total: number; per_inference_max: number };
  stack_bytes?: number;
  /** Wall time of the run itself (build excluded). */
  seconds: number;
}

const harness = (count: number): Harness => ({ main: BATCH_MAIN, defines: [`NACC_BATCH_COUNT=${count}`], name: `batch${count}` });

function prepare(dir: string, where: string, inputs: Uint8Array): string {
  if (!existsSync(join(dir, BATCH_MAIN)))
    throw new Error(`${dir} has no ${BATCH_MAIN} (write batchHarnessSource into the program folder first)`);
  const runDir = join(dir, `run-batch-${where}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'inputs.bin'), inputs);
  return runDir;
}

function outputsOf(runDir: string, what: string, log: string, expectBytes: number): Uint8Array {
  const path = join(runDir, 'outputs.bin');
  if (!existsSync(path)) throw new VerificationError(`${what}: the program wrote no outputs:\n${outputTail(log)}`);
  const out = readFileSync(path);
  if (out.length !== expectBytes) throw new VerificationError(`${what}: ${out.length} output bytes, expected ${expectBytes}`);
  return out;
}

/** Build the program folder `dir` with the batch harness for gcc and run it over `count` inputs. */
export async function runBatchHost(
  dir: string,
  inputs: Uint8Array,
  count: number,
  outputBytes: number,
  timeoutMs = 600_000,
): Promise<BatchRun> {
  dir = resolve(dir);
  const exe = await buildHost(dir, { harness: harness(count) });
  const runDir = prepare(dir, 'host', inputs);
  const t0 = performance.now();
  const r = await runTool(exe, ['inputs.bin', 'outputs.bin'], { cwd: runDir, timeoutMs, name: 'host program (batch)' });
  expectSuccess(r, 'check', `running ${exe} over ${count} inputs`);
  return { outputs: outputsOf(runDir, exe, r.output, count * outputBytes), seconds: (performance.now() - t0) / 1000 };
}

/** The same for the Cortex-M4 build in QEMU (mps2-an386, semihosting), one boot for all inputs. */
export async function runBatchQemu(
  dir: string,
  inputs: Uint8Array,
  count: number,
  outputBytes: number,
  timeoutMs = 3_600_000,
): Promise<BatchRun> {
  dir = resolve(dir);
  const qemu = await requireTool('qemu-system-arm');
  const build = await buildArm(dir, { harness: harness(count) });
  const runDir = prepare(dir, 'qemu', inputs);
  copyFileSync(build.elf, join(runDir, 'model.elf'));
  const t0 = performance.now();
  const r = await runTool(qemu, QEMU_ARGS, { cwd: runDir, timeoutMs, failureMessages: FAILURE_MESSAGES.qemu, name: 'qemu-system-arm' });
  const seconds = (performance.now() - t0) / 1000;
  const consolePath = join(runDir, 'console.txt');
  const consoleText = existsSync(consolePath) ? readFileSync(consolePath, 'utf8') : '';
  expectSuccess({ ...r, output: `${consoleText}${r.output}` }, 'check', `running ${build.elf} in QEMU over ${count} inputs`);
  const num = (k: string) => Number(consoleText.match(new RegExp(`^${k} (\\d+)$`, 'm'))?.[1] ?? NaN);
  if (num('NACC_BATCH') !== count)
    throw new VerificationError(
      `running ${build.elf} in QEMU: the batch harness did not finish ${count} inputs:\n${outputTail(consoleText + r.output)}`,
    );
  return {
    outputs: outputsOf(runDir, `running ${build.elf} in QEMU`, consoleText + r.output, count * outputBytes),
    instructions: { total: ticksToInstructions(num('NACC_TICKS_TOTAL')), per_inference_max: ticksToInstructions(num('NACC_TICKS_MAX')) },
    stack_bytes: num('NACC_STACK'),
    seconds,
  };
}
