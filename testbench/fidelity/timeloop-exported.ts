// A Timeloop design folder as `nacc search --out` writes it (timeloop/arch.yaml, ERT.yaml,
// <network>/<layer>.{prob,map}.yaml) read back layer by layer, and our model's figures for a
// layer compared with what `timeloop-model` printed for it (counts, cycles, energy).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { D, fail } from '../../compiler/diagnostics/index.ts';
import type { Architecture } from '../../compiler/ir/architecture.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import type { Problem } from '../../compiler/ir/problem.ts';
import type { Evaluation } from '../../compiler/naas/model.ts';
import {
  architectureFromTimeloop,
  mappingFromTimeloopYaml,
  parseErt,
  problemFromTimeloop,
  type ReferenceStats,
} from '../../compiler/importers/timeloop/parse.ts';

export interface ExportedLayer {
  network: string;
  /** File stem of the layer: `<network>/<stem>.prob.yaml`. */
  stem: string;
  prob: string;
  map: string;
}

export interface ExportedDesign {
  dir: string;
  archFile: string;
  ertFile: string;
  arch: Architecture;
  layers: ExportedLayer[];
}

const readYaml = (p: string): unknown => {
  try {
    return parseYaml(readFileSync(p, 'utf8'));
  } catch (e) {
    return fail(D.timeloopYaml, `${p}: not valid YAML (${(e as Error).message})`);
  }
};

/** The design in `dir` (a folder holding arch.yaml, ERT.yaml and one folder per network). */
export function loadExportedDesign(dir: string): ExportedDesign {
  const archFile = join(dir, 'arch.yaml');
  const ertFile = join(dir, 'ERT.yaml');
  for (const f of [archFile, ertFile])
    if (!existsSync(f)) fail(D.timeloopExportFile, `${dir}: no ${f.slice(dir.length + 1)} (not a folder nacc search --out wrote?)`);
  const arch = architectureFromTimeloop(readYaml(archFile), parseErt(readYaml(ertFile)), archFile);
  const layers: ExportedLayer[] = [];
  for (const network of readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const f of readdirSync(join(dir, network))
      .filter((x) => x.endsWith('.prob.yaml'))
      .sort()) {
      const stem = f.slice(0, -'.prob.yaml'.length);
      const map = join(dir, network, `${stem}.map.yaml`);
      if (!existsSync(map)) fail(D.timeloopExportMap, `${join(dir, network, f)}: no ${stem}.map.yaml beside it`);
      layers.push({ network, stem, prob: join(dir, network, f), map });
    }
  }
  return { dir, archFile, ertFile, arch, layers };
}

/** A layer's problem and mapping, as Timeloop reads them. */
export function loadExportedLayer(design: ExportedDesign, layer: ExportedLayer): { problem: Problem; mapping: Mapping } {
  const problem = problemFromTimeloop(readYaml(layer.prob), layer.prob);
  const mapping = mappingFromTimeloopYaml(readYaml(layer.map), design.arch, problem, layer.map);
  return { problem, mapping };
}

export interface LayerComparison {
  counts_match: boolean;
  mismatches: { level: string; dataSpace: string; field: 'reads' | 'fills' | 'updates'; ours: number; reference: number }[];
  cycles: { ours: number; reference: number };
  energy_pj: { ours: number; reference: number; relative_error: number };
  computes: { ours: number; reference: number };
}

/** Our evaluation of a layer against Timeloop's stats of the same files. */
export function compareWithStats(ev: Evaluation, ref: ReferenceStats): LayerComparison {
  const mismatches: LayerComparison['mismatches'] = [];
  const levels = new Set([...Object.keys(ref.levels), ...ev.levels.map((l) => l.name)]);
  for (const level of levels) {
    const ours = ev.levels.find((l) => l.name === level);
    const theirs = ref.levels[level] ?? {};
    for (const ds of new Set([...Object.keys(theirs), ...Object.keys(ours?.dataSpaces ?? {})])) {
      for (const field of ['reads', 'fills', 'updates'] as const) {
        const o = ours?.dataSpaces[ds]?.[field] ?? 0;
        const r = theirs[ds]?.[field] ?? 0;
        if (o !== r) mismatches.push({ level, dataSpace: ds, field, ours: o, reference: r });
      }
    }
  }
  return {
    counts_match: mismatches.length === 0 && ev.macs === ref.computes,
    mismatches,
    cycles: { ours: ev.cycles, reference: ref.cycles },
    energy_pj: { ours: ev.energyPj, reference: ref.energyPj, relative_error: Math.abs(ev.energyPj - ref.energyPj) / ref.energyPj },
    computes: { ours: ev.macs, reference: ref.computes },
  };
}
