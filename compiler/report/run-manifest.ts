// The small manifest every command's `--out` folder carries (`nacc-run.json`: which command, a
// title, its result) and the verification result `nacc verify` leaves beside it, and how
// `nacc report` turns such a folder into sections wherever it sits under the report's folder.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { naasSearchSection } from './adapters.ts';
import { isObject, type McuProgramSection, type ReportSection, type RtlCyclesSection, type RunKind } from './sections.ts';

export const RUN_MANIFEST = 'nacc-run.json';
/** What `nacc verify DIR` measured, written into DIR (its --json output). */
export const VERIFY_RESULT = 'nacc-verify.json';
const FORMAT = 1;

export interface RunManifest {
  nacc_run: typeof FORMAT;
  kind: RunKind;
  title: string;
  /** The command line that made the folder, to re-run it. */
  command: string;
  /** The command's own result (its --json object) when the folder holds no other record of it. */
  result?: unknown;
}

/** JSON written atomically (a reader never sees half a file). */
function writeJsonFile(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function writeRunManifest(dir: string, m: Omit<RunManifest, 'nacc_run'>): string {
  const path = join(dir, RUN_MANIFEST);
  writeJsonFile(path, { nacc_run: FORMAT, ...m });
  return path;
}

export function writeVerifyResult(dir: string, report: unknown): void {
  writeJsonFile(join(dir, VERIFY_RESULT), report);
}

const RUN_KINDS: RunKind[] = ['search', 'rtl', 'mcu', 'pointacc', 'fl'];

/** A manifest's content, or why it is not one. */
export function parseRunManifest(json: unknown): RunManifest | string {
  if (!isObject(json) || json.nacc_run !== FORMAT) return `"nacc_run" must be ${FORMAT}`;
  if (!RUN_KINDS.includes(json.kind as RunKind)) return `"kind" must be one of ${RUN_KINDS.join(', ')}`;
  if (typeof json.title !== 'string') return '"title" must be a string';
  return json as unknown as RunManifest;
}

type Obj = Record<string, unknown>;
const readJson = (path: string): Obj | undefined => {
  if (!existsSync(path)) return undefined;
  try {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    return isObject(j) ? j : undefined;
  } catch {
    return undefined;
  }
};
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** The sections of one run folder (fl folders hold section files, read as any other). */
export function sectionsOfRun(dir: string, m: RunManifest): ReportSection[] {
  switch (m.kind) {
    case 'search': {
      const s = naasSearchSection(m.result);
      return s ? [{ ...s, title: m.title }] : [];
    }
    case 'rtl':
    case 'pointacc': {
      const s = designCycles(dir, m);
      return s ? [s] : [];
    }
    case 'mcu': {
      const s = mcuProgram(dir, m);
      return s ? [s] : [];
    }
    case 'fl':
      return [];
  }
}

/** Predicted cycles per layer from the design's manifest.json, measured ones from nacc-verify.json. */
function designCycles(dir: string, m: RunManifest): RtlCyclesSection | undefined {
  const design = readJson(join(dir, 'manifest.json'));
  if (!design) return undefined;
  const verified = readJson(join(dir, VERIFY_RESULT));
  const measured = new Map<string, number>();
  const predicted = new Map<string, number>();
  let tool: string | undefined;
  if (verified) {
    const sims = arr(verified.sims).map((s) => String(s.name));
    tool = sims.includes('verilator') ? 'verilator' : sims[0];
    for (const l of arr(verified.layers)) {
      const c = num(l.cycles);
      if (c !== undefined) measured.set(String(l.name), c);
      const p = num(l.predicted_cycles);
      if (p !== undefined) predicted.set(String(l.name), p);
    }
  }
  const layerRows = arr(design.layers).length
    ? arr(design.layers).map((l) => ({ name: String(l.name), predicted: num(l.predicted_cycles) }))
    : [{ name: String(design.layer ?? design.top ?? 'design'), predicted: num(design.predicted_cycles) }];
  const layers = layerRows.map((l) => ({
    name: l.name,
    ...((predicted.get(l.name) ?? l.predicted) !== undefined ? { predicted_cycles: predicted.get(l.name) ?? l.predicted } : {}),
    ...(measured.has(l.name) ? { measured_cycles: measured.get(l.name) } : {}),
  }));
  // A single-op PointAcc bench reports one layer under its own name: pair it with the one predicted row.
  if (layers.length === 1 && layers[0].measured_cycles === undefined && measured.size === 1)
    layers[0].measured_cycles = [...measured.values()][0];
  const sims = verified ? arr(verified.sims) : [];
  return {
    kind: 'rtl-cycles',
    title: m.title,
    design: String(design.accelerator ?? design.top ?? m.title),
    layers,
    ...(tool ? { tool } : {}),
    facts: {
      ...(verified
        ? {
            checks: `${sims.reduce((a, s) => a + (num(s.passed) ?? 0), 0)} passed, ${sims.reduce((a, s) => a + (num(s.failed) ?? 0), 0)} failed (${sims.map((s) => String(s.name)).join(', ')})`,
            ...(isObject(verified.lint) && num(verified.lint.warnings) !== undefined
              ? { 'lint warnings': num(verified.lint.warnings)! }
              : {}),
            verdict: verified.ok === true ? 'bit-exact, lint clean' : 'FAILED',
          }
        : { verdict: 'not simulated yet (nacc verify)' }),
      command: m.command,
    },
  };
}

/** The program's memory and flash against its target, and once verified what QEMU measured. */
function mcuProgram(dir: string, m: RunManifest): McuProgramSection | undefined {
  const man = readJson(join(dir, 'nacc-mcu.json'));
  if (!man || !isObject(man.summary) || !isObject(man.board)) return undefined;
  const s = man.summary as Obj;
  const board = man.board as Obj;
  const target = isObject(s.target) ? (s.target as Obj) : {};
  const verified = readJson(join(dir, VERIFY_RESULT));
  const qemu = verified && isObject(verified.qemu) ? (verified.qemu as Obj) : undefined;
  const host = verified && isObject(verified.host) ? (verified.host as Obj) : undefined;
  const clockHz = num(board.clockHz);
  const predicted = isObject(s.predicted_instructions) ? num((s.predicted_instructions as Obj).total) : undefined;
  const measured = qemu ? num(qemu.instructions) : undefined;
  const measuredFlash =
    qemu && num(qemu.text_bytes) !== undefined && num(qemu.data_bytes) !== undefined
      ? num(qemu.text_bytes)! + num(qemu.data_bytes)!
      : undefined;
  // Cycles and time predicted by the instruction model and the core's timings (compiler/mcu/cycles.ts); QEMU counts instructions only.
  const cycles = num(s.predicted_cycles);
  const ms = num(s.predicted_ms);
  const sched = isObject(s.schedule) ? String((s.schedule as Obj).kind) : '';
  return {
    kind: 'mcu-program',
    title: m.title,
    network: String(s.model),
    mcu: String(target.name ?? board.name),
    sram_bytes: num(target.sram_bytes) ?? num(board.sramBytes) ?? 0,
    flash_bytes: num(target.flash_bytes) ?? num(board.flashBytes) ?? 0,
    peak_sram_bytes: num(s.peak_sram_bytes) ?? 0,
    flash_used_bytes: measuredFlash ?? num(s.weight_bytes) ?? 0,
    flash_source: measuredFlash !== undefined ? 'measured' : 'predicted',
    ...(qemu && num(qemu.ram_bytes) !== undefined ? { measured_ram_bytes: num(qemu.ram_bytes)! } : {}),
    facts: {
      schedule: sched,
      MACs: num(s.macs) ?? 0,
      'arena (B)': num(s.arena_bytes) ?? 0,
      ...(clockHz ? { clock: `${clockHz / 1e6} MHz` } : {}),
      ...(predicted !== undefined ? { 'instructions (predicted, instruction model)': predicted } : {}),
      ...(cycles !== undefined ? { 'cycles (predicted, Cortex-M4 timings)': cycles } : {}),
      ...(ms !== undefined ? { 'time at the clock (predicted)': `${ms.toFixed(2)} ms` } : {}),
      ...(measured !== undefined ? { 'instructions (measured, QEMU)': measured } : {}),
      ...(qemu
        ? { 'bit-exact': qemu.bit_exact === true && (!host || host.bit_exact === true) ? 'yes' : 'no' }
        : { verified: 'not yet (nacc verify)' }),
      command: m.command,
    },
  };
}
