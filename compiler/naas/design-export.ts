// The files an accelerator design and its per-layer mappings are exported as, for the tools
// that evaluate them: a DesignExport goes through a list of DesignWriters (format -> files).
// Timeloop's writer is here; a MAESTRO writer (issue 17) joins the list in `nacc search --out`.
import type { Architecture } from '../ir/architecture.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import { architectureToYaml, ertToYaml, mappingToYaml, problemToYaml, timeloopForm, type TimeloopDialect } from './timeloop-export.ts';
import type { CandidateResult, Workloads } from './candidate.ts';

export interface ExportedLayer {
  network: string;
  layer: string;
  problem: Problem;
  mapping: Mapping;
}

/** A design as the cost model saw it: its storage hierarchy and every layer's mapping. */
export interface DesignExport {
  name: string;
  arch: Architecture;
  layers: ExportedLayer[];
}

/** One format's files of a design: [path relative to the design's folder, text]. */
export type DesignWriter = (design: DesignExport) => [string, string][];

/** File stem of a layer (as `nacc rtl --from` looks it up). */
export const layerFileStem = (layer: string): string => layer.replace(/[^A-Za-z0-9_.-]/g, '_');

/** The design's layers, network by network, from a search or baseline result. */
export function designExportOf(name: string, arch: Architecture, result: CandidateResult, workloads: Workloads): DesignExport {
  const layers: ExportedLayer[] = [];
  for (const n of result.networks) {
    for (const l of n.layers) layers.push({ network: n.name, layer: l.name, problem: workloads.problems[l.key], mapping: l.mapping });
  }
  return { name, arch: { ...arch, name }, layers };
}

/**
 * Timeloop input per layer: the design's `timeloop/arch.yaml` and `timeloop/ERT.yaml`, and
 * `timeloop/<network>/<layer>.{prob,map}.yaml`, so that
 * `timeloop-model arch.yaml ERT.yaml <layer>.prob.yaml <layer>.map.yaml` evaluates a layer
 * (a layer whose mapping puts a dimension on both array axes is written in timeloopForm).
 */
export function timeloopWriter(dialect: TimeloopDialect): DesignWriter {
  return (d) => {
    const files: [string, string][] = [
      ['timeloop/arch.yaml', architectureToYaml(d.arch, dialect)],
      ['timeloop/ERT.yaml', ertToYaml(d.arch, dialect)],
    ];
    for (const l of d.layers) {
      const form = timeloopForm(l.problem, l.mapping);
      const base = `timeloop/${l.network}/${layerFileStem(l.layer)}`;
      files.push(
        [`${base}.prob.yaml`, problemToYaml(form.problem, dialect)],
        [`${base}.map.yaml`, mappingToYaml(form.mapping, form.problem, dialect)],
      );
    }
    return files;
  };
}

/** Every writer's files, in order. */
export function designFiles(design: DesignExport, writers: readonly DesignWriter[]): [string, string][] {
  return writers.flatMap((w) => w(design));
}
