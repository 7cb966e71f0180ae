// Verification of a generated MCU program: build and run it on the host and/or in QEMU,
// compare its output bytes (and, in debug mode, every op's output) with the int8 reference
// executor, and measure RAM (ELF .data + .bss, arena included, + painted stack) and
// instructions per inference (SysTick under -icount).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { D, ExitCode, fail, UserError, type Location } from '../../compiler/diagnostics/index.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import type { QModel } from '../../compiler/ir/quantized.ts';
import { fromBytes, prepareModel, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { loweredForMcu, MANIFEST, type McuManifest } from '../../compiler/mcu/compile.ts';
import { makeInput } from '../../compiler/mcu/inputs.ts';
import { loadQModel } from '../../compiler/mcu/load.ts';
import { foldPads } from '../../compiler/mcu/fold.ts';
import { planMemory } from '../../compiler/mcu/planner.ts';
import { buildArm, buildHost, parseDump, runHost, runQemu, ticksToInstructions, type RunResult } from './runner.ts';

export interface VerifyOptions {
  host: boolean;
  qemu: boolean;
  /** Raw input bytes; default: the LCG input of seed 1 (TFLM reference input 0). */
  input?: Uint8Array;
  /** Also compare every op's output (builds with NACC_DEBUG_DUMP). */
  debug?: boolean;
  timeoutMs?: number;
}

export interface PerOpCheck {
  ops_checked: number;
  first_mismatch: { op: number; kind: string } | null;
}

export interface HostReport {
  bit_exact: boolean;
  output_bytes: number;
  debug?: PerOpCheck;
}

export interface QemuReport {
  bit_exact: boolean;
  ram_bytes: number;
  stack_bytes: number;
  instructions: number;
  instructions_per_mac: number;
  /** The schedule's peak (`nacc mcu` / `nacc mcu-schedule`), beside the measured ram_bytes. */
  peak_sram_bytes: number;
  arena_bytes: number;
  data_bytes: number;
  bss_bytes: number;
  text_bytes: number;
  debug?: PerOpCheck;
}

export interface VerifyReport {
  model: string;
  dir: string;
  macs: number;
  host?: HostReport;
  qemu?: QemuReport;
  /** The program's raw output bytes (QEMU's when it ran, else the host's). */
  output?: Uint8Array;
}

export function readManifest(dir: string): McuManifest {
  const p = join(dir, MANIFEST);
  if (!existsSync(p))
    fail(D.notMcuFolder, `${dir} is not an MCU program folder (no ${MANIFEST}; create one with 'nacc mcu MODEL --out ${dir}')`);
  return JSON.parse(readFileSync(p, 'utf8')) as McuManifest;
}

/** The quantised model a program folder was compiled from, lowered the same way. */
export async function manifestModel(m: McuManifest): Promise<QModel> {
  if (!existsSync(m.source.path)) fail(D.mcuSourceGone, `the model ${m.source.path} this program was compiled from is gone`);
  const { model } = await loadQModel(m.source.path, { network: m.source.network, seed: m.source.seed });
  return loweredForMcu(model, m.options);
}

/** The declaration of the part a program was built for, when its source .nacc declares it. */
function partDeclaration(m: McuManifest): Location | undefined {
  if (m.source.kind !== 'nacc' || !existsSync(m.source.path)) return undefined;
  return loadProgram(m.source.path).mcus.find((t) => t.name === m.board.name)?.location;
}

/** A program larger than its part (M0501) is located at the part's declaration when a .nacc declares it. */
async function atPart<T>(m: McuManifest, build: Promise<T>): Promise<T> {
  try {
    return await build;
  } catch (e) {
    const d = e instanceof UserError ? e.diagnostics[0] : undefined;
    const location = d?.code === D.mcuMemory.code && !d.location ? partDeclaration(m) : undefined;
    if (location) throw new UserError([{ ...d!, location }, ...(e as UserError).diagnostics.slice(1)], (e as UserError).exitCode);
    throw e;
  }
}

/** One dumped tensor to compare: the dump's op number, and the model op it reports as. */
interface DumpCheck {
  dump: number;
  op: number;
  kind: string;
  expected: Uint8Array | undefined;
}

function perOp(checks: DumpCheck[], dump: Uint8Array): PerOpCheck {
  const got = parseDump(dump);
  let first: PerOpCheck['first_mismatch'] = null;
  let checked = 0;
  for (const c of checks) {
    const g = got.get(c.dump);
    checked++;
    if (!c.expected || !g || !Buffer.from(c.expected).equals(Buffer.from(g))) {
      first = { op: c.op, kind: c.kind };
      break;
    }
  }
  return { ops_checked: checked, first_mismatch: first };
}

/** Layer-by-layer programs dump every op of the lowered model under its own index. */
function layerChecks(model: QModel, expected: Map<number, Uint8Array>, inPlace?: boolean): DumpCheck[] {
  const unstored = fusedConvs(model, inPlace);
  return model.ops
    .filter((op) => !unstored.has(op.index))
    .map((op) => ({ dump: op.index, op: op.index, kind: op.kind, expected: expected.get(op.index) }));
}

/** Convolutions fused with a residual ADD: their output is never stored, so never dumped. */
function fusedConvs(model: QModel, inPlace?: boolean): Set<number> {
  return new Set(planMemory(model, { inPlaceDepthwise: inPlace }).fused.keys());
}

/**
 * Patch programs (compiler/mcu/patch/emit.ts) never hold the per-patch stage's tensors whole:
 * they dump the full split map as op -1, then the ops of the per-layer stage, numbered within
 * that stage (the source model's ops from the split on, PADs folded). Each dump is compared
 * with the reference output of the source op that produces the same tensor; mismatches are
 * reported under that source op's index. The per-patch stage's own ops are checked through
 * the split map.
 */
function patchChecks(source: QModel, split: number, expected: Map<number, Uint8Array>, inPlace?: boolean): DumpCheck[] {
  const producer = new Map<number, QModel['ops'][number]>();
  for (const op of source.ops) for (const t of op.outputs) producer.set(t, op);
  const readAfter = new Set(source.ops.filter((op) => op.index >= split).flatMap((op) => op.inputs));
  const cuts = source.ops
    .filter((op) => op.index < split)
    .flatMap((op) => op.outputs)
    .filter((t) => readAfter.has(t));
  if (cuts.length !== 1)
    fail(
      D.patchSplitMismatch,
      `the patch program's split (op ${split}) is not crossed by exactly one feature map in ${source.name}; the program folder and its model disagree`,
      undefined,
      ExitCode.internal,
    );
  const cut = cuts[0];
  const rest = foldPads({
    ...source,
    ops: source.ops.filter((op) => op.index >= split).map((op, index) => ({ ...op, index })),
    inputs: [cut],
  });
  const of = (t: number, dump: number): DumpCheck => {
    const op = producer.get(t)!;
    return { dump, op: op.index, kind: op.kind, expected: expected.get(op.index) };
  };
  const unstored = fusedConvs(rest, inPlace);
  return [of(cut, -1), ...rest.ops.filter((_, k) => !unstored.has(k)).map((op) => of(op.outputs[0], op.index))];
}

export async function verifyProgram(dir: string, opts: VerifyOptions): Promise<VerifyReport> {
  const manifest = readManifest(dir);
  const model = await manifestModel(manifest);
  const input = opts.input ?? makeInput(model, 1);
  const inT = model.tensors[model.inputs[0]];
  const expectedPerOp = new Map<number, Uint8Array>();
  const outs = runModel(
    model,
    [fromBytes(inT, input, 'input')],
    {
      onOp: (i, o) => expectedPerOp.set(i, new Uint8Array(toBytes(o[0]))),
    },
    prepareModel(model),
  );
  const expected = Buffer.concat(outs.map((o) => Buffer.from(toBytes(o))));
  const report: VerifyReport = { model: model.name, dir, macs: manifest.summary.macs };
  let checks: DumpCheck[] = [];
  if (opts.debug) {
    const sched = manifest.summary.schedule;
    if (sched?.kind === 'patch') {
      // the reference on the model as the patch emitter saw it (before PAD folding, whose op
      // indices the split counts); folding is exact, so its tensors hold the same bytes
      const { model: source } = await loadQModel(manifest.source.path, { network: manifest.source.network, seed: manifest.source.seed });
      const srcExpected = new Map<number, Uint8Array>();
      runModel(
        source,
        [fromBytes(source.tensors[source.inputs[0]], input, 'input')],
        {
          onOp: (i, o) => srcExpected.set(i, new Uint8Array(toBytes(o[0]))),
        },
        prepareModel(source),
      );
      checks = patchChecks(source, sched.split!, srcExpected, manifest.options.inPlaceDepthwise);
    } else checks = layerChecks(model, expectedPerOp, manifest.options.inPlaceDepthwise);
  }
  const same = (r: RunResult) => Buffer.from(r.output).equals(expected);

  if (opts.host) {
    const exe = await atPart(manifest, buildHost(dir));
    const r = await runHost(exe, input, join(dir, 'build'));
    report.host = { bit_exact: same(r), output_bytes: r.output.length };
    report.output = r.output;
    if (opts.debug) {
      const dexe = await atPart(manifest, buildHost(dir, { debugDump: true }));
      const d = await runHost(dexe, input, join(dir, 'build', 'debug'), { debugDump: true });
      report.host.debug = perOp(checks, d.dump!);
    }
  }
  if (opts.qemu) {
    const arm = await atPart(manifest, buildArm(dir));
    const r = await runQemu(arm.elf, input, join(dir, 'build'), { timeoutMs: opts.timeoutMs });
    const instructions = ticksToInstructions(r.ticks);
    report.qemu = {
      bit_exact: same(r),
      ram_bytes: arm.sections.data + arm.sections.bss + r.stackBytes,
      stack_bytes: r.stackBytes,
      instructions,
      instructions_per_mac: manifest.summary.macs > 0 ? Number((instructions / manifest.summary.macs).toFixed(3)) : 0,
      peak_sram_bytes: manifest.summary.peak_sram_bytes,
      arena_bytes: manifest.summary.arena_bytes,
      data_bytes: arm.sections.data,
      bss_bytes: arm.sections.bss,
      text_bytes: arm.sections.text,
    };
    report.output = r.output;
    if (opts.debug) {
      const darm = await atPart(manifest, buildArm(dir, { debugDump: true }));
      const d = await runQemu(darm.elf, input, join(dir, 'build', 'debug'), { debugDump: true, timeoutMs: opts.timeoutMs });
      report.qemu.debug = perOp(checks, d.dump!);
    }
  }
  return report;
}
