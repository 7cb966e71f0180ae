// Recognises the JSON other commands write for their own purposes (`--json` saved to a file)
// by its schema and turns it into report sections, so `nacc report` works on runs made before
// a command wrote section files. One adapter per known schema; unknown JSON yields nothing.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  SECTION_KINDS,
  isObject,
  sectionProblems,
  type McuMemorySection,
  type NaasSearchSection,
  type PointaccCyclesSection,
  type ReportSection,
  type RtlVerifySection,
  type VerifyResult,
} from './sections.ts';

export interface NativeAdapter {
  /** What it reads, for docs/report.md and error messages. */
  describes: string;
  /** Sections read from json (found in file; paths in them are relative to its folder). */
  adapt(json: unknown, file: string): ReportSection[] | undefined;
}

type Obj = Record<string, unknown>;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const arr = (v: unknown): v is unknown[] => Array.isArray(v);
const objs = (v: unknown): Obj[] => (arr(v) ? v.filter(isObject) : []);

/** A bare section object (the section schema without the file wrapper). */
const bareSection: NativeAdapter = {
  describes: 'a bare section object with "kind"',
  adapt(json) {
    if (!isObject(json) || !(SECTION_KINDS as unknown[]).includes(json.kind)) return undefined;
    return sectionProblems(json).length ? undefined : [json as unknown as ReportSection];
  },
};

/**
 * `nacc search ... --json`: {space, networks, best:{totals}, baseline:{name,totals}, history:
 * [{generation,best_edp,median_edp}], edp_ratio, evaluations, points?:[{generation,cycles,energy_pj}]}.
 */
export function naasSearchSection(json: unknown): NaasSearchSection | undefined {
  if (!isObject(json) || !str(json.space) || !arr(json.history) || !isObject(json.best) || !isObject(json.baseline)) return undefined;
  const best = json.best as Obj;
  const baseline = json.baseline as Obj;
  const bt = best.totals,
    lt = baseline.totals;
  if (!isObject(bt) || !isObject(lt) || !num(bt.cycles) || !num(bt.energy_pj) || !num(lt.cycles) || !num(lt.energy_pj)) return undefined;
  const networks = arr(json.networks) ? json.networks.filter(str) : [];
  const acc = isObject(best.accelerator) ? best.accelerator : {};
  const label = [arr(acc.peArray) ? `PE ${acc.peArray.join('x')}` : '', arr(acc.parallel) ? `parallel ${acc.parallel.join('')}` : '']
    .filter(Boolean)
    .join(', ');
  return {
    kind: 'naas-search',
    title: `NAAS search: ${networks.join(', ') || 'network'} in ${json.space}`,
    ...(networks.length ? { network: networks.join(', ') } : {}),
    space: json.space,
    objective: 'edp',
    points: objs(json.points)
      .filter((p) => num(p.generation) && num(p.cycles) && num(p.energy_pj) && p.cycles > 0 && p.energy_pj > 0)
      .map((p) => ({ iteration: p.generation as number, latency_cycles: p.cycles as number, energy_pj: p.energy_pj as number })),
    history: objs(json.history)
      .filter((h) => num(h.generation) && num(h.best_edp) && h.best_edp > 0)
      .map((h) => ({
        iteration: h.generation as number,
        best: h.best_edp as number,
        ...(num(h.median_edp) && h.median_edp > 0 ? { median: h.median_edp } : {}),
      })),
    baselines: [
      {
        name: str(baseline.name) ? baseline.name : 'baseline',
        latency_cycles: lt.cycles,
        energy_pj: lt.energy_pj,
        ...(num(lt.edp) ? { edp: lt.edp } : {}),
      },
    ],
    best: { latency_cycles: bt.cycles, energy_pj: bt.energy_pj, ...(num(bt.edp) ? { edp: bt.edp } : {}), ...(label ? { label } : {}) },
    facts: {
      ...(num(json.edp_ratio)
        ? { [`EDP ratio (${str(baseline.name) ? baseline.name : 'baseline'} / best)`]: Number(json.edp_ratio.toFixed(3)) }
        : {}),
      ...(num(json.evaluations) ? { 'mapping evaluations': json.evaluations } : {}),
      ...(num(json.hardware_candidates) ? { 'hardware candidates': json.hardware_candidates } : {}),
      ...(num(json.seconds) ? { 'search time (s)': json.seconds } : {}),
      ...(num(json.seed) ? { seed: json.seed } : {}),
    },
  };
}

/**
 * `nacc mcu-schedule ... --json`: {model, target?:{name,sram_bytes}, schedule:{kind,split,patches},
 * memory:[{name,layer_bytes,scheduled_bytes}], peak_sram_bytes, layer_peak_sram_bytes, mac_overhead}.
 */
export function mcuScheduleSection(json: unknown): McuMemorySection | undefined {
  if (!isObject(json) || !str(json.model) || !isObject(json.schedule) || !arr(json.memory)) return undefined;
  const rows = objs(json.memory).filter((m) => str(m.name) && num(m.layer_bytes) && num(m.scheduled_bytes));
  if (rows.length === 0 || rows.length !== json.memory.length) return undefined;
  const sched = json.schedule as Obj;
  const target = isObject(json.target) ? json.target : undefined;
  const patch = sched.kind === 'patch';
  return {
    kind: 'mcu-memory',
    title: `MCUNetV2 schedule: ${json.model}${target && str(target.name) ? ` on ${target.name}` : ''}`,
    network: json.model,
    ...(target && str(target.name) ? { mcu: target.name } : {}),
    ...(target && num(target.sram_bytes) ? { sram_bytes: target.sram_bytes } : {}),
    // A layer-by-layer result has no patch-based figure of its own: both columns are the same run.
    layers: rows.map((m) => ({
      name: m.name as string,
      layer_by_layer_bytes: m.layer_bytes as number,
      patch_based_bytes: (patch ? m.scheduled_bytes : m.layer_bytes) as number,
    })),
    ...(num(json.layer_peak_sram_bytes) && num(json.peak_sram_bytes)
      ? {
          peak: {
            layer_by_layer_bytes: json.layer_peak_sram_bytes,
            patch_based_bytes: patch ? json.peak_sram_bytes : json.layer_peak_sram_bytes,
          },
        }
      : {}),
    facts: {
      schedule: String(sched.kind),
      ...(num(sched.split) ? { 'split (layers in the patch stage)': sched.split } : {}),
      ...(num(sched.patches) ? { 'patch grid': `${sched.patches}x${sched.patches}` } : {}),
      ...(num(json.mac_overhead) ? { 'MAC overhead': `${(json.mac_overhead * 100).toFixed(1)}%` } : {}),
      ...(str(json.peak_at) ? { 'peak at': json.peak_at } : {}),
      ...(typeof json.fits_sram === 'boolean' ? { 'fits SRAM': json.fits_sram ? 'yes' : 'no' } : {}),
      ...(str(json.reason) ? { decision: json.reason } : {}),
    },
  };
}

/** One `nacc pointacc --json` performance result (fusion on or off). */
interface PointaccRun {
  network: string;
  config: string;
  fusion: boolean;
  cache: boolean;
  points: unknown;
  layers: { name: string; cycles: number }[];
}

function pointaccRun(json: unknown): PointaccRun | undefined {
  if (!isObject(json) || !str(json.network) || !str(json.config) || !isObject(json.options) || !arr(json.layers) || !isObject(json.totals))
    return undefined;
  const o = json.options as Obj;
  if (typeof o.fusion !== 'boolean') return undefined;
  const layers = objs(json.layers).filter((l) => str(l.name) && num(l.cycles));
  if (layers.length === 0 || layers.length !== json.layers.length) return undefined;
  return {
    network: json.network,
    config: json.config,
    fusion: o.fusion,
    cache: o.cache !== false,
    points: o.points,
    layers: layers.map((l) => ({ name: l.name as string, cycles: l.cycles as number })),
  };
}

/**
 * Two `nacc pointacc --json` results for the same network, configuration and input, one with
 * and one with `--no-fusion`, make one per-layer comparison. A lone run has nothing to compare.
 */
export function pointaccCyclesSection(a: PointaccRun, b: PointaccRun): PointaccCyclesSection | undefined {
  const fused = a.fusion ? a : b.fusion ? b : undefined;
  const unfused = !a.fusion ? a : !b.fusion ? b : undefined;
  if (!fused || !unfused || fused.network !== unfused.network || fused.config !== unfused.config) return undefined;
  if (fused.cache !== unfused.cache || fused.points !== unfused.points) return undefined;
  if (fused.layers.map((l) => l.name).join('\n') !== unfused.layers.map((l) => l.name).join('\n')) return undefined;
  return {
    kind: 'pointacc-cycles',
    title: `PointAcc: ${fused.network} on ${fused.config}`,
    network: fused.network,
    config: fused.config,
    layers: fused.layers.map((l, i) => ({ name: l.name, cycles_unfused: unfused.layers[i].cycles, cycles_fused: l.cycles })),
    facts: { 'gather cache': fused.cache ? 'on' : 'off', ...(num(fused.points) ? { 'input points': fused.points } : {}) },
  };
}

/** Where a waveform written relative to a design folder is, seen from a JSON file elsewhere. */
function locate(path: string, design: string, file: string): string {
  if (isAbsolute(path)) return path;
  const here = dirname(file);
  const candidates = [resolve(here, path), resolve(design, path), resolve(here, design, path)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

/**
 * `nacc verify DIR --json`: {design, top, sims:[{name, layers:[{name,passed,failed,cycles,vcd?,
 * first_mismatch?}]}], predicted_cycles, lint:{warnings}, ok}.
 */
export function verifySection(json: unknown, file: string): RtlVerifySection | undefined {
  if (!isObject(json) || !str(json.design) || !arr(json.sims) || !isObject(json.lint) || typeof json.ok !== 'boolean') return undefined;
  const lint = json.lint as Obj;
  const results: VerifyResult[] = [];
  for (const sim of objs(json.sims)) {
    if (!str(sim.name)) return undefined;
    for (const l of objs(sim.layers)) {
      if (!str(l.name) || !num(l.passed) || !num(l.failed)) return undefined;
      const detail = [
        str(l.first_mismatch) ? l.first_mismatch : '',
        num(l.cycles) ? `${l.cycles} cycles` : l.cycles === null ? 'did not finish' : '',
      ]
        .filter(Boolean)
        .join('; ');
      results.push({
        name: l.name,
        tool: sim.name,
        passed: l.passed,
        failed: l.failed,
        ...(str(l.vcd) ? { waveform: locate(l.vcd, json.design, file) } : {}),
        ...(detail ? { detail } : {}),
      });
    }
  }
  if (num(lint.warnings))
    results.push({
      name: 'lint',
      tool: 'verilator -Wall',
      passed: lint.warnings === 0 ? 1 : 0,
      failed: lint.warnings,
      ...(lint.warnings ? { detail: `${lint.warnings} warning(s)` } : {}),
    });
  if (results.length === 0) return undefined;
  const design = json.design.split(/[\\/]/).filter(Boolean).pop() ?? json.design;
  return {
    kind: 'rtl-verify',
    title: `RTL verification: ${str(json.accelerator) ? json.accelerator : design}${str(json.network) ? ` running ${json.network}` : ''}`,
    results,
    facts: {
      design: json.design,
      ...(num(json.predicted_cycles) ? { 'predicted cycles (model)': json.predicted_cycles } : {}),
      ...Object.fromEntries(
        objs(json.sims)
          .filter((s) => num(s.cycles))
          .map((s) => [`measured cycles (${s.name})`, s.cycles as number]),
      ),
      verdict: json.ok ? 'bit-exact, lint clean' : 'FAILED',
    },
  };
}

export const NATIVE_ADAPTERS: NativeAdapter[] = [
  bareSection,
  { describes: '`nacc search --json` output', adapt: (j) => wrap(naasSearchSection(j)) },
  { describes: '`nacc mcu-schedule --json` output', adapt: (j) => wrap(mcuScheduleSection(j)) },
  { describes: '`nacc verify --json` output', adapt: (j, f) => wrap(verifySection(j, f)) },
];

const wrap = (s: ReportSection | undefined) => (s ? [s] : undefined);

/** Sections from the first adapter that recognises json; [] when none does. */
export function adaptNative(json: unknown, file: string): ReportSection[] {
  for (const a of NATIVE_ADAPTERS) {
    let r: ReportSection[] | undefined;
    try {
      r = a.adapt(json, file);
    } catch {
      r = undefined; // a schema we half-recognise is still not ours
    }
    if (r && r.length) return r;
  }
  return [];
}

/**
 * Sections that need several files: `nacc pointacc --json` runs with and without fusion of the
 * same network and configuration, in the same folder, paired in file-name order.
 */
export function adaptNativeGroup(files: { file: string; json: unknown }[]): { files: string[]; section: ReportSection }[] {
  const runs = files.map((f) => ({ ...f, run: pointaccRun(f.json) })).filter((r) => r.run !== undefined);
  const used = new Set<number>();
  const out: { files: string[]; section: ReportSection }[] = [];
  runs.forEach((a, i) => {
    if (used.has(i)) return;
    for (let j = i + 1; j < runs.length; j++) {
      if (used.has(j) || dirname(runs[j].file) !== dirname(a.file)) continue;
      const section = pointaccCyclesSection(a.run!, runs[j].run!);
      if (section) {
        used.add(i).add(j);
        out.push({ files: [a.file, runs[j].file], section });
        return;
      }
    }
  });
  return out;
}
