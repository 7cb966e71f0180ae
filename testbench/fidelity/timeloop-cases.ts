// Finds Timeloop reference cases under a folder (every `*.stats.txt`), loads the inputs
// that produced each one, and compares our model's figures with the reference's.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { D, fail, UserError } from '../../compiler/diagnostics/index.ts';
import type { Architecture } from '../../compiler/ir/architecture.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import type { Problem } from '../../compiler/ir/problem.ts';
import { evaluate, type Convention, type Evaluation } from '../../compiler/naas/model.ts';
import {
  architectureFromTimeloop,
  mappingFromLoopNestText,
  mappingFromTimeloopYaml,
  parseErt,
  parseStatsText,
  problemFromTimeloop,
  sameMapping,
  type ReferenceStats,
} from '../../compiler/importers/timeloop/parse.ts';

export interface TimeloopCase {
  name: string;
  dir: string;
  format: 'v0.4' | '2020';
  problem: Problem;
  arch: Architecture;
  mapping: Mapping;
  mappingSource: string;
  reference: ReferenceStats;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (e.endsWith('.stats.txt')) out.push(p);
  }
}

const readYaml = (p: string): unknown => {
  try {
    return parseYaml(readFileSync(p, 'utf8'));
  } catch (e) {
    return fail(D.timeloopYaml, `${p}: not valid YAML (${(e as Error).message})`);
  }
};

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Looks upward from `start` (not above `root`) for a folder holding `sub`. */
function findUp(start: string, root: string, sub: string): string | undefined {
  let d = start;
  for (;;) {
    if (existsSync(join(d, sub))) return join(d, sub);
    if (d === root || relative(root, d).startsWith('..')) return undefined;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** Chooses the mapping: a YAML mapping that matches the printed nest, else the printout. */
function chooseMapping(
  candidates: { source: string; doc: unknown }[],
  mapTxt: string | undefined,
  arch: Architecture,
  problem: Problem,
): { mapping: Mapping; source: string } {
  const printed = mapTxt ? mappingFromLoopNestText(readFileSync(mapTxt, 'utf8'), arch, problem, mapTxt) : undefined;
  const parsed = candidates.map((c) => ({ source: c.source, mapping: mappingFromTimeloopYaml(c.doc, arch, problem, c.source) }));
  if (printed) {
    const match = parsed.find((p) => sameMapping(p.mapping, printed));
    if (match) return match;
    return { mapping: printed, source: mapTxt as string };
  }
  if (parsed.length === 1) return parsed[0];
  return fail(
    D.timeloopCaseMapping,
    `cannot tell which mapping produced the reference (${parsed.map((p) => p.source).join(', ') || 'none found'})`,
  );
}

/** One file, or the one whose name shares most tokens with the case's folder names. */
function pickByName(files: string[], caseName: string, what: string): string {
  if (files.length === 1) return files[0];
  if (files.length === 0) return fail(D.timeloopCaseYaml, `${caseName}: no ${what} YAML found`);
  const where = caseName
    .toLowerCase()
    .split(/[\/\\]/)
    .flatMap((p) => p.split(/[-_.+]/))
    .filter(Boolean);
  const scored = files.map((f) => {
    const tokens = basename(f)
      .toLowerCase()
      .replace(/\.ya?ml$/, '')
      .split(/[-_.+]/)
      .filter(Boolean);
    return { f, score: tokens.filter((t) => where.includes(t)).length };
  });
  scored.sort((a, b) => b.score - a.score);
  if (scored[0].score === 0 || (scored.length > 1 && scored[1].score === scored[0].score)) {
    return fail(
      D.timeloopCaseYaml,
      `${caseName}: cannot tell which ${what} YAML produced the reference (${files.map((f) => basename(f)).join(', ')})`,
    );
  }
  return scored[0].f;
}

export function loadCase(statsPath: string, root: string): TimeloopCase {
  const dir = dirname(statsPath);
  const prefix = basename(statsPath).replace(/\.stats\.txt$/, '');
  const reference = parseStatsText(readFileSync(statsPath, 'utf8'));
  const ertPath = join(dir, `${prefix}.ERT.yaml`);
  if (!existsSync(ertPath)) fail(D.timeloopCaseErt, `${dir}: no ${prefix}.ERT.yaml next to the stats`);
  const ert = parseErt(readYaml(ertPath));
  const mapTxt = existsSync(join(dir, `${prefix}.map.txt`)) ? join(dir, `${prefix}.map.txt`) : undefined;
  const name = relative(root, dir) || basename(dir);
  const processed = join(dir, 'parsed-processed-input.yaml');
  if (existsSync(processed)) {
    const doc = readYaml(processed);
    const problem = problemFromTimeloop(doc, processed);
    const arch = architectureFromTimeloop(doc, ert, processed);
    const maps = yamlFiles(dir)
      .filter((f) => f.endsWith('.map.yaml'))
      .map((f) => ({ source: f, doc: readYaml(f) }));
    // timeloop-model runs carry their mapping inside the processed input.
    if (Array.isArray((doc as { mapping?: unknown }).mapping)) maps.push({ source: processed, doc });
    const { mapping, source } = chooseMapping(maps, mapTxt, arch, problem);
    return { name, dir, format: 'v0.4', problem, arch, mapping, mappingSource: source, reference };
  }
  const archDir = findUp(dir, root, 'arch');
  const probDir = findUp(dir, root, 'prob');
  if (!archDir || !probDir) fail(D.timeloopCaseInputs, `${dir}: no parsed-processed-input.yaml and no arch/ and prob/ folders above it`);
  const archFile = pickByName(yamlFiles(archDir), name, 'architecture');
  const probFile = pickByName(yamlFiles(probDir), name, 'problem');
  const problem = problemFromTimeloop(readYaml(probFile), probFile);
  const arch = architectureFromTimeloop(readYaml(archFile), ert, archFile);
  const mapDir = findUp(dir, root, 'map');
  const maps = (mapDir ? yamlFiles(mapDir) : []).map((f) => ({ source: f, doc: readYaml(f) }));
  const { mapping, source } = chooseMapping(maps, mapTxt, arch, problem);
  return { name, dir, format: '2020', problem, arch, mapping, mappingSource: source, reference };
}

export function findCases(root: string): TimeloopCase[] {
  return findCasesWithErrors(root).cases;
}

/** Every case under root; cases whose inputs cannot be read are reported, not fatal. */
export function findCasesWithErrors(root: string): { cases: TimeloopCase[]; errors: { name: string; message: string }[] } {
  if (!existsSync(root)) fail(D.timeloopCasesFolder, `${root}: no such folder`);
  const stats: string[] = [];
  walk(root, stats);
  const cases: TimeloopCase[] = [];
  const errors: { name: string; message: string }[] = [];
  for (const s of stats) {
    try {
      cases.push(loadCase(s, root));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      errors.push({ name: relative(root, dirname(s)) || basename(dirname(s)), message: e.message });
    }
  }
  return { cases, errors };
}

export interface CountMismatch {
  level: string;
  dataSpace: string;
  field: 'reads' | 'fills' | 'updates';
  ours: number;
  reference: number;
}

export interface CaseResult {
  name: string;
  format: 'v0.4' | '2020';
  mapping: string;
  cycles: { ours: number; reference: number };
  energy_pj: { ours: number; reference: number; relative_error: number };
  counts_match: boolean;
  mismatches: CountMismatch[];
  valid: boolean;
  reason?: string;
}

export function conventionOf(c: TimeloopCase): Convention {
  return c.format === '2020' ? '2020' : 'v3';
}

export function checkCase(c: TimeloopCase): { result: CaseResult; evaluation: Evaluation } {
  const ev = evaluate(c.problem, c.arch, c.mapping, { convention: conventionOf(c), chargeLeak: c.reference.chargesLeak });
  const mismatches: CountMismatch[] = [];
  for (const [level, dss] of Object.entries(c.reference.levels)) {
    const ours = ev.levels.find((l) => l.name === level);
    for (const [dsName, ref] of Object.entries(dss)) {
      const o = ours?.dataSpaces[dsName];
      for (const field of ['reads', 'fills', 'updates'] as const) {
        const v = o ? o[field] : 0;
        if (v !== ref[field]) mismatches.push({ level, dataSpace: dsName, field, ours: v, reference: ref[field] });
      }
    }
  }
  const rel = Math.abs(ev.energyPj - c.reference.energyPj) / c.reference.energyPj;
  return {
    evaluation: ev,
    result: {
      name: c.name,
      format: c.format,
      mapping: c.mappingSource,
      cycles: { ours: ev.cycles, reference: c.reference.cycles },
      energy_pj: { ours: round(ev.energyPj), reference: round(c.reference.energyPj), relative_error: round(rel, 6) },
      counts_match: mismatches.length === 0,
      mismatches,
      valid: ev.valid,
      reason: ev.reason,
    },
  };
}

const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
