// `nacc mcu MODEL --target T --schedule layer --out DIR`: compile a .tflite/.nacc/.onnx model
// to a self-contained C program; `nacc run MODEL --input in.bin --output out.bin`: the int8
// reference executor on raw tensor bytes; `nacc verify DIR --host --qemu`: build, run and
// compare the generated program bit for bit, measuring RAM and instructions.
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { D, fail, VerificationError } from '../diagnostics/index.ts';
import { fromBytes, runModel, toBytes } from '../reference/int8/executor.ts';
import {
  compileForMcu,
  INPUT_MODES,
  MANIFEST,
  type InputMode,
  type McuManifest,
  type McuSummary,
  type ScheduleKind,
} from '../mcu/compile.ts';
import { CYCLE_TIMINGS } from '../mcu/cycles.ts';
import { loadQModel } from '../mcu/load.ts';
import { resolveBoard } from '../mcu/targets.ts';
import { readManifest, verifyProgram, manifestModel, type VerifyReport } from '../../testbench/mcu/verify.ts';
import { formatTable, thousands } from './table.ts';
import {
  PEAK_SRAM_DEFINITION,
  SHARED_DEFAULTS,
  invocation,
  nextStep,
  notApplicable,
  parseChoice,
  parseSeed,
  writeJson,
} from './options.ts';
import { VERIFY_RESULT, writeRunManifest, writeVerifyResult } from '../report/run-manifest.ts';
import { fileNameSegment, shellWord } from '../util/names.ts';
import { watchFiles } from './progress.ts';
import { parseScheduleOptions } from '../mcu/patch/report.ts';
import { writeOutputDir } from '../util/atomic-output.ts';

/** The predicted time of a summary: cycles from the instruction model and the core's timings, at the target's clock. */
const predictedTime = (s: McuSummary): string[] =>
  s.predicted_cycles === undefined ? ['-', '-'] : [thousands(s.predicted_cycles), `${s.predicted_ms!.toFixed(2)} ms`];
const CYCLES_NOTE = `cycles and time: predicted from the instruction model with ${CYCLE_TIMINGS}, at the target's clock`;

interface McuOptions {
  network?: string;
  target: string;
  schedule: string;
  out?: string;
  seed: string;
  foldPads: boolean;
  inPlace: boolean;
  json?: boolean;
  patches?: string;
  split?: string;
  maxMacOverhead?: string;
  fastKernels: boolean;
  input: string;
}

const SCHEDULES: ScheduleKind[] = ['layer', 'patch', 'auto'];

function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch {
    return fail(D.mcuInputFile, `cannot read input file ${path}`);
  }
}

export function registerMcu(program: Command): void {
  program
    .command('mcu <model>')
    .description(
      'compile an int8 model (.tflite, or a .nacc/.onnx network calibrated with a seed) to self-contained C for a microcontroller',
    )
    .option('--network <name>', 'network of a .nacc file')
    .requiredOption(
      '--target <mcu>',
      'MCU target: a built-in board (mps2-an386, stm32f412, stm32f746, stm32h743) or an mcu declared in the .nacc file',
    )
    .option(
      '--schedule <kind>',
      `execution schedule (${SCHEDULES.join('|')}; auto: patch-based when it lowers peak SRAM within --max-mac-overhead)`,
      SHARED_DEFAULTS.schedule,
    )
    .option('--out <dir>', 'output folder for the C program (default mcu-out/<model>-<target>)')
    .option('--patches <p>', 'patch-based: p x p grid (--schedule patch; default 4)')
    .option('--split <n>', 'patch-based: ops before this index run patch by patch (--schedule patch; default: lowest peak)')
    .option('--max-mac-overhead <f>', 'auto: largest extra MACs as a fraction of the network MACs', '0.15')
    .option('--seed <n>', 'calibration seed for .nacc and ONNX models', '1')
    .option('--no-fold-pads', 'keep PAD ops instead of folding them into the following convolution')
    .option('--no-in-place', 'do not run depthwise convolutions and float QUANTIZE in place')
    .option('--no-fast-kernels', 'portable reference kernels only (default on Cortex-M4/M7: SMLAD convolutions)')
    .option(
      '--input <mode>',
      `patch-based: streamed (each input patch fetched through nacc_read_input) or whole (the whole input in SRAM)`,
      'streamed',
    )
    .option('--json', 'print JSON: {"schedule":{"kind"},"peak_sram_bytes","arena_bytes","macs",...}')
    .option('--watch', 're-compile whenever the model file changes (Ctrl-C to stop)')
    .action(async (file: string, opts: McuOptions & { watch?: boolean }) => {
      parseChoice(opts.schedule, '--schedule', SCHEDULES, 'schedule');
      parseChoice(opts.input, '--input', INPUT_MODES, 'input mode');
      if (opts.watch) await watchFiles({ files: [file], run: () => compileMcuCommand(file, opts) });
      else await compileMcuCommand(file, opts);
    });

  program
    .command('run <model>')
    .description('run the int8 reference executor on raw input tensor bytes (a model file, or an MCU program folder)')
    .requiredOption('--input <file>', 'raw bytes of the input tensor (NHWC, little-endian)')
    .option(
      '--output <file>',
      "also write the raw bytes of the outputs, one after another in the model's output order (the result is printed either way)",
    )
    .option('--network <name>', 'network of a .nacc file')
    .option('--seed <n>', 'calibration seed for .nacc and ONNX models', '1')
    .option('--dump-dir <dir>', "also write every op's output as <dir>/<op>_<KIND>.bin")
    .option('--json', 'print JSON: {"model","outputs":[{"name","dtype","shape","bytes","values"}]}')
    .action(
      async (file: string, opts: { input: string; output?: string; network?: string; seed: string; dumpDir?: string; json?: boolean }) => {
        const isProgramDir = !/\.(tflite|nacc|onnx)$/i.test(file);
        rejectNetworkForTflite(file, opts.network);
        const model = isProgramDir
          ? await manifestModel(readManifest(file))
          : (await loadQModel(file, { network: opts.network, seed: parseSeed(opts.seed) })).model;
        const input = fromBytes(model.tensors[model.inputs[0]], readInput(opts.input), opts.input);
        if (opts.dumpDir) mkdirSync(opts.dumpDir, { recursive: true });
        const outs = runModel(model, [input], {
          onOp: opts.dumpDir ? (i, o) => writeFileSync(join(opts.dumpDir!, `${i}_${model.ops[i].kind}.bin`), toBytes(o[0])) : undefined,
        });
        if (opts.output) writeFileSync(opts.output, Buffer.concat(outs.map((o) => Buffer.from(toBytes(o)))));
        const info = model.outputs.map((id, i) => ({
          name: model.tensors[id].name,
          dtype: model.tensors[id].dtype,
          shape: model.tensors[id].shape,
          bytes: outs[i].byteLength,
          values: Array.from(outs[i] as ArrayLike<number | bigint>, Number),
        }));
        if (opts.json) writeJson({ model: model.name, outputs: info });
        else {
          // The result itself, so a run needs no --output file to be read.
          for (const o of info) process.stdout.write(`${o.name} ${o.dtype}[${o.shape.join(', ')}]: ${o.values.join(' ')}\n`);
          if (opts.output) process.stdout.write(`wrote ${opts.output}\n`);
        }
      },
    );
}

/** `--network` picks a network of a .nacc/.onnx file; a .tflite file holds one model. */
function rejectNetworkForTflite(file: string, network: string | undefined): void {
  if (network !== undefined && /\.tflite$/i.test(file))
    notApplicable('--network', `${file} is a TFLite model (one model, no networks to choose from)`);
}

export interface VerifyCliOptions {
  host?: boolean;
  qemu?: boolean;
  input?: string;
  output?: string;
  debug?: boolean;
  timeout?: string;
  json?: boolean;
}

export function isMcuProgram(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/** The MCU half of `nacc verify` (exported so a shared verify command can dispatch to it). */
export async function verifyMcuCommand(dir: string, opts: VerifyCliOptions): Promise<VerifyReport> {
  const host = opts.host ?? false;
  const qemu = opts.qemu ?? false;
  const both = !host && !qemu; // neither flag: do both
  // Absolute: the builds run with the folder as their working directory (a relative DIR would be read twice).
  const report = await verifyProgram(resolve(dir), {
    host: host || both,
    qemu: qemu || both,
    input: opts.input ? readInput(opts.input) : undefined,
    debug: opts.debug,
    timeoutMs: Number(opts.timeout ?? 600) * 1000,
  });
  if (opts.output && report.output) writeFileSync(opts.output, report.output);
  const { output: _omit, ...json } = report;
  // What was measured stays with the program, for `nacc report`.
  writeVerifyResult(dir, json);
  if (opts.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  else {
    const rows: string[][] = [];
    if (report.host)
      rows.push(['host', report.host.bit_exact ? 'yes' : 'NO', '-', '-', '-', report.host.debug ? debugText(report.host.debug) : '-']);
    const manifest = readManifest(dir);
    const clockHz = manifest.board.clockHz;
    if (report.qemu) {
      const q = report.qemu;
      rows.push([
        'qemu',
        q.bit_exact ? 'yes' : 'NO',
        thousands(q.peak_sram_bytes),
        thousands(q.ram_bytes),
        thousands(q.stack_bytes),
        thousands(q.text_bytes + q.data_bytes),
        `${thousands(q.instructions)} (${q.instructions_per_mac}/MAC)`,
        ...predictedTime(manifest.summary),
        q.debug ? debugText(q.debug) : '-',
      ]);
    }
    process.stdout.write(
      formatTable(
        [
          'run',
          'bit-exact',
          'peak SRAM B (schedule)',
          'RAM B (measured)',
          'stack B',
          'flash B (text+data)',
          'instructions (measured, QEMU)',
          'cycles (predicted)',
          `time at ${clockHz / 1e6} MHz (predicted)`,
          'per-op',
        ],
        rows.map((r) => (r.length === 6 ? [r[0], r[1], '-', '-', '-', '-', '-', '-', '-', r[5]] : r)),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ) +
        `\npeak SRAM: ${PEAK_SRAM_DEFINITION}; RAM: what QEMU measured (arena, stack and static data); instructions: measured in QEMU; ${CYCLES_NOTE}\n`,
    );
    if ([report.host, report.qemu].every((r) => !r || r.bit_exact)) nextStep(`nacc report ${shellWord(dirname(dir))}`);
  }
  const failed = [report.host, report.qemu].filter((r) => r && (!r.bit_exact || (r.debug && r.debug.first_mismatch)));
  if (failed.length > 0) throw new VerificationError(`${dir}: the generated program's output differs from the reference executor`);
  return report;
}

function debugText(d: { ops_checked: number; first_mismatch: { op: number; kind: string } | null }): string {
  return d.first_mismatch ? `first mismatch at op ${d.first_mismatch.op} (${d.first_mismatch.kind})` : `${d.ops_checked} ops exact`;
}

/** `nacc mcu` once: load, compile, write the program folder and print the summary. */
async function compileMcuCommand(file: string, opts: McuOptions): Promise<void> {
  rejectNetworkForTflite(file, opts.network);
  const loaded = await loadQModel(file, { network: opts.network, seed: parseSeed(opts.seed) });
  const board = resolveBoard(opts.target, loaded.mcus);
  const patch = parseScheduleOptions({
    schedule: opts.schedule,
    patches: opts.patches,
    split: opts.split,
    maxMacOverhead: opts.maxMacOverhead,
  });
  const options = {
    schedule: opts.schedule as ScheduleKind,
    foldPads: opts.foldPads,
    inPlaceDepthwise: opts.inPlace,
    patches: patch.patches,
    split: patch.split,
    maxMacOverhead: patch.maxMacOverhead,
    fastKernels: opts.fastKernels,
    input: opts.input as InputMode,
  };
  const compiled = compileForMcu(loaded.model, board, options);
  const manifest: McuManifest = { version: 1, source: loaded.ref, board, options, summary: compiled.summary };
  const out = opts.out ?? join('mcu-out', fileNameSegment(`${loaded.model.name}-${board.name}`));
  // The folder appears only when complete; the previous program's build/ goes, a user's own files stay.
  await writeOutputDir(
    out,
    (dir) => {
      for (const [name, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, name), text);
      writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
      writeRunManifest(dir, { kind: 'mcu', title: `MCU program: ${compiled.summary.model} on ${board.name}`, command: invocation() });
    },
    { carryOver: (name) => name !== 'build' && name !== VERIFY_RESULT },
  );
  const s = compiled.summary;
  if (opts.json) {
    writeJson({ ...s, out });
  } else {
    process.stdout.write(
      formatTable(
        [
          'model',
          'target',
          'schedule',
          'ops',
          'MACs',
          'peak SRAM B',
          'arena B',
          'flash B (weights)',
          'fits',
          'instructions (predicted)',
          'cycles (predicted)',
          `time at ${board.clockHz / 1e6} MHz (predicted)`,
        ],
        [
          [
            s.model,
            s.target.name,
            s.schedule.kind,
            String(s.ops),
            thousands(s.macs),
            thousands(s.peak_sram_bytes),
            thousands(s.arena_bytes),
            thousands(s.weight_bytes),
            s.fits_sram && s.fits_flash ? 'yes' : `no (${s.fits_sram ? '' : 'SRAM '}${s.fits_flash ? '' : 'flash'})`.trim(),
            s.predicted_instructions ? thousands(s.predicted_instructions.total) : '-',
            ...predictedTime(s),
          ],
        ],
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
      ) +
        `\npeak SRAM: ${PEAK_SRAM_DEFINITION}; ${CYCLES_NOTE}` +
        `\nwrote ${Object.keys(compiled.program.files).length} files to ${out} (build: make -C ${shellWord(out)} host|mcu|qemu)\n`,
    );
    nextStep(`nacc verify ${shellWord(out)}`);
  }
  if (!s.fits_sram || !s.fits_flash)
    process.stderr.write(`warning: the model does not fit ${board.name} (${s.fits_sram ? 'flash' : 'SRAM'})\n`);
}
