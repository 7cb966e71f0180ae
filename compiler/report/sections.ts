// The data behind each part of the HTML report, one kind per capability, and the checks that
// turn untrusted JSON into it. Commands write these with writeReportSection (section-io.ts).

/** File-format version of `*.section.json`; bumped only on incompatible changes. */
export const SECTION_FORMAT = 1;
/** Every section file ends with this, so `nacc report DIR` finds them without guessing. */
export const SECTION_SUFFIX = '.section.json';

/** One evaluated design point of a NAAS search. */
export interface SearchPoint {
  /** Iteration (generation) of the optimiser that proposed it, from 0. */
  iteration: number;
  latency_cycles: number;
  energy_pj: number;
  /** Energy-delay product (pJ x cycles); computed from the two when absent. */
  edp?: number;
  /** Short human description of the accelerator + mapping, shown on hover. */
  label?: string;
}

export interface NaasSearchSection {
  kind: 'naas-search';
  title?: string;
  network?: string;
  space?: string;
  objective?: string;
  /** Every evaluated candidate (may be a sample when the search is large; may be empty when history is given). */
  points: SearchPoint[];
  /** Objective per iteration as the optimiser logged it, when candidates were not kept. */
  history?: { iteration: number; best: number; median?: number }[];
  /** Named fixed designs to compare with (Eyeriss, NVDLA, ...), drawn on the Pareto plot. */
  baselines?: { name: string; latency_cycles: number; energy_pj: number; edp?: number }[];
  best?: { latency_cycles: number; energy_pj: number; edp?: number; label?: string };
  facts?: Record<string, string | number>;
}

export interface McuMemorySection {
  kind: 'mcu-memory';
  title?: string;
  network: string;
  mcu?: string;
  /** SRAM of the target in bytes, drawn as a limit line. */
  sram_bytes?: number;
  /** Activation memory live while each layer runs, under each schedule. */
  layers: { name: string; layer_by_layer_bytes: number; patch_based_bytes: number }[];
  /** Peak over the network; the max of the per-layer figures when absent. */
  peak?: { layer_by_layer_bytes: number; patch_based_bytes: number };
  /** Extra figures shown in the section's table (e.g. patch grid, MAC overhead). */
  facts?: Record<string, string | number>;
}

export interface PointaccCyclesSection {
  kind: 'pointacc-cycles';
  title?: string;
  network: string;
  config?: string;
  layers: { name: string; cycles_unfused: number; cycles_fused: number }[];
  facts?: Record<string, string | number>;
}

export interface FlRun {
  /** e.g. "fedavg", "dga (delay 20)". */
  name: string;
  /** Test accuracy in [0, 1] against wall-clock (virtual) seconds. */
  points: { time_s: number; accuracy: number }[];
  /** Seconds until target_accuracy was first reached, when it was. */
  time_to_target_s?: number;
}

export interface FlTrainingSection {
  kind: 'fl-training';
  title?: string;
  network?: string;
  target_accuracy?: number;
  /** The clock of the runs' times: simulated (virtual, the default), wall (real runs) or mixed. */
  clock?: 'simulated' | 'wall' | 'mixed';
  runs: FlRun[];
  facts?: Record<string, string | number>;
}

export interface VerifyResult {
  /** Testbench or design name. */
  name: string;
  /** Simulator or checker, e.g. iverilog, verilator, yosys. */
  tool?: string;
  passed: number;
  failed: number;
  /** Path of the VCD waveform; relative paths are relative to the section file's folder. */
  waveform?: string;
  /** Path of the simulator log, same convention as waveform. */
  log?: string;
  /** Free text such as the first mismatch. */
  detail?: string;
}

export interface RtlVerifySection {
  kind: 'rtl-verify';
  title?: string;
  results: VerifyResult[];
  facts?: Record<string, string | number>;
}

/** A generated design (nacc rtl, nacc pointacc --out): each layer's predicted cycles, and the simulators' once verified. */
export interface RtlCyclesSection {
  kind: 'rtl-cycles';
  title?: string;
  design: string;
  layers: { name: string; predicted_cycles?: number; measured_cycles?: number }[];
  /** The simulator the measured cycles come from. */
  tool?: string;
  facts?: Record<string, string | number>;
}

/** A generated MCU program (nacc mcu) and, once verified, what QEMU measured. */
export interface McuProgramSection {
  kind: 'mcu-program';
  title?: string;
  network: string;
  mcu: string;
  sram_bytes: number;
  flash_bytes: number;
  /** Peak SRAM (README: the schedule's peak of live activation bytes under the program's rules). */
  peak_sram_bytes: number;
  /** Flash the program needs: weights (predicted), or the measured text + data sections. */
  flash_used_bytes: number;
  flash_source: 'predicted' | 'measured';
  /** RAM QEMU measured (arena, stack and static data), when verified. */
  measured_ram_bytes?: number;
  facts?: Record<string, string | number>;
}

export type ReportSection =
  | NaasSearchSection
  | McuMemorySection
  | McuProgramSection
  | PointaccCyclesSection
  | FlTrainingSection
  | RtlVerifySection
  | RtlCyclesSection;
export type SectionKind = ReportSection['kind'];

/** Order of the kinds in the report: the pipeline order of DESIGN.md. */
export const SECTION_KINDS: SectionKind[] = [
  'naas-search',
  'rtl-cycles',
  'mcu-program',
  'mcu-memory',
  'pointacc-cycles',
  'fl-training',
  'rtl-verify',
];

export const KIND_HEADINGS: Record<SectionKind, string> = {
  'naas-search': 'NAAS accelerator search',
  'rtl-cycles': 'RTL: predicted against measured cycles',
  'mcu-program': 'MCU programs: memory, flash, instructions and time',
  'mcu-memory': 'MCU memory: layer-by-layer vs patch-based',
  'pointacc-cycles': 'PointAcc cycles: with and without fusion',
  'fl-training': 'Federated training: accuracy vs time',
  'rtl-verify': 'RTL verification',
};

/** The run a section reports, as `nacc report --json` names it (one per command that writes --out). */
export type RunKind = 'search' | 'rtl' | 'mcu' | 'pointacc' | 'fl';
export const RUN_KIND_OF: Record<SectionKind, RunKind> = {
  'naas-search': 'search',
  'rtl-cycles': 'rtl',
  'rtl-verify': 'rtl',
  'mcu-program': 'mcu',
  'mcu-memory': 'mcu',
  'pointacc-cycles': 'pointacc',
  'fl-training': 'fl',
};

/** A section located on disk; `name` is unique within one report. */
export interface LocatedSection {
  name: string;
  /** Folder paths in the section are relative to (absolute path). */
  baseDir: string;
  /** The file it came from (absolute path). */
  file: string;
  section: ReportSection;
  /** The run it shows when a run folder's manifest says (a PointAcc design is an rtl-cycles section of a pointacc run). */
  runKind?: RunKind;
}

/** Why a JSON value is not a valid section of its kind (empty when it is). */
export function sectionProblems(value: unknown): string[] {
  const p: string[] = [];
  if (!isObject(value)) return ['not a JSON object'];
  const kind = value.kind;
  if (typeof kind !== 'string' || !(SECTION_KINDS as string[]).includes(kind)) {
    return [`"kind" must be one of ${SECTION_KINDS.join(', ')} (got ${JSON.stringify(kind)})`];
  }
  optString(value, 'title', p);
  switch (kind as SectionKind) {
    case 'naas-search':
      optString(value, 'network', p);
      optString(value, 'space', p);
      optString(value, 'objective', p);
      rows(value, 'points', p, (r, at) => {
        num(r, 'iteration', at, p, { min: 0 });
        num(r, 'latency_cycles', at, p, { min: 0 });
        num(r, 'energy_pj', at, p, { min: 0 });
        optNum(r, 'edp', at, p);
        optString(r, 'label', p, at);
      });
      if (value.history !== undefined)
        rows(value, 'history', p, (r, at) => {
          num(r, 'iteration', at, p, { min: 0 });
          num(r, 'best', at, p, { min: 0 });
          optNum(r, 'median', at, p);
        });
      if (Array.isArray(value.points) && value.points.length === 0) {
        if (!Array.isArray(value.history) || value.history.length === 0) p.push('"points" or "history" must have at least 1 entry');
        if (value.best === undefined) p.push('"best" is required when "points" is empty');
      }
      facts(value, p);
      if (value.baselines !== undefined)
        rows(value, 'baselines', p, (r, at) => {
          str(r, 'name', at, p);
          num(r, 'latency_cycles', at, p, { min: 0 });
          num(r, 'energy_pj', at, p, { min: 0 });
        });
      if (value.best !== undefined) {
        if (!isObject(value.best)) p.push('"best" must be an object');
        else {
          num(value.best, 'latency_cycles', 'best', p, { min: 0 });
          num(value.best, 'energy_pj', 'best', p, { min: 0 });
        }
      }
      break;
    case 'mcu-memory':
      str(value, 'network', '', p);
      optString(value, 'mcu', p);
      optNum(value, 'sram_bytes', '', p);
      rows(
        value,
        'layers',
        p,
        (r, at) => {
          str(r, 'name', at, p);
          num(r, 'layer_by_layer_bytes', at, p, { min: 0 });
          num(r, 'patch_based_bytes', at, p, { min: 0 });
        },
        1,
      );
      facts(value, p);
      break;
    case 'pointacc-cycles':
      str(value, 'network', '', p);
      optString(value, 'config', p);
      rows(
        value,
        'layers',
        p,
        (r, at) => {
          str(r, 'name', at, p);
          num(r, 'cycles_unfused', at, p, { min: 0 });
          num(r, 'cycles_fused', at, p, { min: 0 });
        },
        1,
      );
      facts(value, p);
      break;
    case 'fl-training':
      optString(value, 'network', p);
      optNum(value, 'target_accuracy', '', p);
      if (value.clock !== undefined && !['simulated', 'wall', 'mixed'].includes(value.clock as string))
        p.push('"clock" must be simulated, wall or mixed');
      rows(
        value,
        'runs',
        p,
        (r, at) => {
          str(r, 'name', at, p);
          optNum(r, 'time_to_target_s', at, p);
          rows(
            r,
            'points',
            p,
            (q, at2) => {
              num(q, 'time_s', at2, p, { min: 0 });
              num(q, 'accuracy', at2, p, { min: 0, max: 1 });
            },
            1,
            at,
          );
        },
        1,
      );
      facts(value, p);
      break;
    case 'rtl-cycles':
      str(value, 'design', '', p);
      optString(value, 'tool', p);
      rows(
        value,
        'layers',
        p,
        (r, at) => {
          str(r, 'name', at, p);
          optNum(r, 'predicted_cycles', at, p);
          optNum(r, 'measured_cycles', at, p);
        },
        1,
      );
      facts(value, p);
      break;
    case 'mcu-program':
      str(value, 'network', '', p);
      str(value, 'mcu', '', p);
      for (const k of ['sram_bytes', 'flash_bytes', 'peak_sram_bytes', 'flash_used_bytes']) num(value, k, '', p, { min: 0 });
      if (value.flash_source !== 'predicted' && value.flash_source !== 'measured')
        p.push('"flash_source" must be "predicted" or "measured"');
      optNum(value, 'measured_ram_bytes', '', p);
      facts(value, p);
      break;
    case 'rtl-verify':
      rows(
        value,
        'results',
        p,
        (r, at) => {
          str(r, 'name', at, p);
          optString(r, 'tool', p, at);
          num(r, 'passed', at, p, { min: 0, integer: true });
          num(r, 'failed', at, p, { min: 0, integer: true });
          optString(r, 'waveform', p, at);
          optString(r, 'log', p, at);
          optString(r, 'detail', p, at);
        },
        1,
      );
      facts(value, p);
      break;
  }
  return p;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const where = (at: string, key: string) => (at ? `${at}.${key}` : key);

function str(o: Record<string, unknown>, key: string, at: string, p: string[]) {
  if (typeof o[key] !== 'string' || (o[key] as string).length === 0) p.push(`"${where(at, key)}" must be a non-empty string`);
}
function optString(o: Record<string, unknown>, key: string, p: string[], at = '') {
  if (o[key] !== undefined && typeof o[key] !== 'string') p.push(`"${where(at, key)}" must be a string`);
}
function num(o: Record<string, unknown>, key: string, at: string, p: string[], r: { min?: number; max?: number; integer?: boolean } = {}) {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) return void p.push(`"${where(at, key)}" must be a finite number`);
  if (r.min !== undefined && v < r.min) p.push(`"${where(at, key)}" must be >= ${r.min} (got ${v})`);
  if (r.max !== undefined && v > r.max) p.push(`"${where(at, key)}" must be <= ${r.max} (got ${v})`);
  if (r.integer && !Number.isInteger(v)) p.push(`"${where(at, key)}" must be an integer (got ${v})`);
}
function optNum(o: Record<string, unknown>, key: string, at: string, p: string[]) {
  if (o[key] !== undefined) num(o, key, at, p);
}
function rows(
  o: Record<string, unknown>,
  key: string,
  p: string[],
  check: (row: Record<string, unknown>, at: string) => void,
  minLength = 0,
  at = '',
) {
  const v = o[key];
  const name = where(at, key);
  if (!Array.isArray(v)) return void p.push(`"${name}" must be an array`);
  if (v.length < minLength) p.push(`"${name}" must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
  const before = p.length;
  v.forEach((row, i) => {
    // Stop after a few bad rows: one message per column is enough to fix a writer.
    if (p.length - before >= 5) return;
    if (!isObject(row)) p.push(`"${name}[${i}]" must be an object`);
    else check(row, `${name}[${i}]`);
  });
}
function facts(o: Record<string, unknown>, p: string[]) {
  const f = o.facts;
  if (f === undefined) return;
  if (!isObject(f)) return void p.push('"facts" must be an object');
  for (const [k, v] of Object.entries(f))
    if (typeof v !== 'string' && typeof v !== 'number') p.push(`"facts.${k}" must be a string or number`);
}
