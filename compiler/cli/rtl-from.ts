// `nacc rtl --from DIR`: reads the folder `nacc search --out` wrote (design.nacc, and per layer
// timeloop/<network>/<layer>.{prob,map}.yaml) and turns each layer's searched mapping into the
// sequencer program that replays it (compiler/naas/rtl-executable.ts), or says why it cannot;
// without --from, the mapper's best mapping under the same predicate, never worse under the
// model than the tile planner's program (mapperLayers, rtlMappings: also `nacc cost --rtl`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { D, fail } from '../diagnostics/index.ts';
import { mappingFromTimeloopYaml, problemFromTimeloop } from '../importers/timeloop/parse.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Network } from '../ir/network.ts';
import type { Problem } from '../ir/problem.ts';
import { buildWorkloads } from '../naas/problems.ts';
import { evaluateFixed, inlineRunner } from '../naas/search.ts';
import type { CandidateResult, Workloads } from '../naas/candidate.ts';
import { evaluate } from '../naas/model.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { specToArchitecture } from '../naas/arch-from-spec.ts';
import { rtlProgramOf, type RtlAxis } from '../naas/rtl-executable.ts';
import { costArchitecture, dramBeatBytes, rtlParallel } from '../naas/rtl-architecture.ts';
import { dataflowParallel } from '../rtl/accelerator/hardware.ts';
import { plannerMappings, selectLayers, type SearchedProgram } from '../rtl/accelerator/index.ts';

/** The accelerator `nacc search --out` names its design. */
export const SEARCHED_ACCELERATOR = 'naas_best';

export interface SearchedLayers {
  searched: Record<string, SearchedProgram>;
  /** Layers with a searched mapping the hardware cannot run, and why. */
  notReplayed: Record<string, string[]>;
  /** Layers the folder has no mapping for (they run the planner's program). */
  missing: string[];
}

export function searchFolderDesign(dir: string): string {
  const design = join(dir, 'design.nacc');
  if (!existsSync(design)) fail(D.rtlFromFolder, `--from ${dir}: no design.nacc there (a folder written by \`nacc search --out\`)`);
  return design;
}

/** Each selected layer's searched mapping as a sequencer program, read from a search folder. */
export function readSearchedLayers(dir: string, spec: AcceleratorSpec, net: Network, layers?: string[]): SearchedLayers {
  const arch = specToArchitecture(spec);
  return replayable(spec, net, layers, (layer) => {
    const base = join(dir, 'timeloop', net.name, layer.replace(/[^A-Za-z0-9_.-]/g, '_'));
    if (!existsSync(`${base}.map.yaml`) || !existsSync(`${base}.prob.yaml`)) return undefined;
    const problem = problemFromTimeloop(parseYaml(readFileSync(`${base}.prob.yaml`, 'utf8')), `${base}.prob.yaml`);
    const mapping = mappingFromTimeloopYaml(parseYaml(readFileSync(`${base}.map.yaml`, 'utf8')), arch, problem, `${base}.map.yaml`);
    return { problem, mapping };
  });
}

/**
 * Each selected layer's best mapping from the mapper, constrained to what the generated RTL
 * executes and costed on its architecture (naas/rtl-architecture.ts): the mappings `nacc cost
 * --rtl` reports with the same seed and effort (the whole network is mapped, as there).
 */
export async function mapperLayers(
  spec: AcceleratorSpec,
  net: Network,
  layers: string[] | undefined,
  seed: number,
  effort = RTL_MAPPER_EFFORT,
  buffering: Buffering = 'best',
): Promise<SearchedLayers & { reason?: string; doubleBuffer: boolean }> {
  const { workloads, result: r, doubleBuffer } = await rtlMappings(spec, [net], effort, seed, buffering);
  const byLayer = new Map((r.networks[0]?.layers ?? []).map((l) => [l.name, { problem: workloads.problems[l.key], mapping: l.mapping }]));
  const out = { ...replayable(spec, net, layers, (layer) => byLayer.get(layer)), doubleBuffer };
  return r.valid
    ? out
    : { ...out, reason: `the mapper found no mapping the generated RTL runs within the buffer's banks for some layer of '${net.name}'` };
}

/**
 * How the generated global buffer is built for mapper-chosen mappings: double-buffered (halved
 * bank shares, the next tile's loads overlapping the current tile's compute), single-buffered
 * (whole banks, larger tiles), or `best`: both mapped, and the one whose mappings the model scores
 * better (network EDP, the mapper's objective) is built. Halved banks can cost more than the
 * overlap saves where every lane keeps its own copy of the inputs (eyeriss: an 8x8x8 3x3 layer's
 * whole-layer tile needs 40,320 input words against 24,192 in a half bank).
 */
export type Buffering = 'best' | 'double' | 'single';

/**
 * The mapper's best mappings of the networks' layers for the generated RTL (what `nacc cost --rtl`
 * reports and `nacc rtl --accelerator` programs): per layer shape, the mapper's best under the
 * RTL predicate, or the tile planner's program (its tiles as DRAM loops and its loop order) when
 * the model scores that better by the mapper's objective (per-layer EDP), so the chosen mapping
 * is never worse than the planner's under the model; `doubleBuffer` says which buffer they are for.
 */
export async function rtlMappings(
  spec: AcceleratorSpec,
  nets: Network[],
  effort: number,
  seed: number,
  buffering: Buffering = 'best',
): Promise<{ workloads: Workloads; result: CandidateResult; doubleBuffer: boolean }> {
  const workloads = buildWorkloads(nets);
  const mapped = async (double: boolean): Promise<CandidateResult> => {
    const r = await evaluateFixed(spec, workloads, effort, seed, inlineRunner, 'edp', true, !double);
    return r.valid ? withPlannerCandidates(spec, nets, workloads, r, double) : r;
  };
  if (buffering !== 'best') return { workloads, result: await mapped(buffering === 'double'), doubleBuffer: buffering === 'double' };
  const double = await mapped(true);
  const single = await mapped(false);
  const useSingle = single.valid && (!double.valid || single.cost < double.cost);
  return { workloads, result: useSingle ? single : double, doubleBuffer: !useSingle };
}

function withPlannerCandidates(
  spec: AcceleratorSpec,
  nets: Network[],
  workloads: Workloads,
  r: CandidateResult,
  doubleBuffered: boolean,
): CandidateResult {
  const parallel = rtlParallel(spec);
  if (!parallel) return r;
  const axes = parallel.map((d, i) => ({ dim: d, size: spec.peArray[i] })) as RtlAxis[];
  const arch = costArchitecture(spec, axes, Object.values(workloads.problems), doubleBuffered);
  // Per layer shape (the mapper maps shapes): the planner's mapping when the model scores it better.
  const better = new Map<string, { mapping: Mapping; cycles: number; energyPj: number } | null>();
  const networks = r.networks.map((n, i) => {
    const planned = plannerMappings(spec, nets[i]);
    const layers = n.layers.map((l) => {
      if (!better.has(l.key)) {
        const m = planned[l.name];
        const e = m ? evaluate(workloads.problems[l.key], arch, m) : undefined;
        better.set(
          l.key,
          e?.valid && e.cycles * e.energyPj < l.cycles * l.energyPj ? { mapping: m!, cycles: e.cycles, energyPj: e.energyPj } : null,
        );
      }
      const b = better.get(l.key);
      return b ? { ...l, ...b } : l;
    });
    const cycles = layers.reduce((a, l) => a + l.cycles, 0);
    const energyPj = layers.reduce((a, l) => a + l.energyPj, 0);
    return { ...n, layers, cycles, energyPj, edp: cycles * energyPj };
  });
  if (![...better.values()].some(Boolean)) return r;
  const cost = Math.exp(networks.reduce((a, n) => a + Math.log(n.edp), 0) / networks.length);
  return {
    ...r,
    networks,
    cost,
    cycles: networks.reduce((a, n) => a + n.cycles, 0),
    energyPj: networks.reduce((a, n) => a + n.energyPj, 0),
  };
}

/** The mapper's effort per layer shape for `nacc rtl` (as `nacc cost --effort`'s default). */
export const RTL_MAPPER_EFFORT = 2000;

/** Each selected layer's mapping (from `source`) as the sequencer program that runs it exactly, or why it cannot. */
function replayable(
  spec: AcceleratorSpec,
  net: Network,
  layers: string[] | undefined,
  source: (layer: string) => { problem: Problem; mapping: Mapping } | undefined,
): SearchedLayers {
  const parallel = spec.parallel ?? dataflowParallel(spec);
  const axes = parallel.map((d, i) => ({ dim: d, size: spec.peArray[i] })) as RtlAxis[];
  const out: SearchedLayers = { searched: {}, notReplayed: {}, missing: [] };
  for (const p of selectLayers(net, layers)) {
    const found = source(p.layer);
    if (!found) {
      out.missing.push(p.layer);
      continue;
    }
    // The problem with the layer's input image: its width decides which column bands the RTL can
    // fetch, its padding what a tile loads (the search's problem carries the same).
    const problem: Problem = { ...found.problem, inputWidth: p.inW, inputHeight: p.inH, padTop: p.padTop, padLeft: p.padLeft };
    const mapping = found.mapping;
    const r = rtlProgramOf(problem, mapping, axes, dramBeatBytes(spec.dramBandwidthBytesPerCycle));
    const depthwise = (problem.bounds.G ?? 1) > 1;
    const same = (['K', 'C', 'P', 'Q', 'R', 'S'] as const).every(
      (d) => (depthwise && d === 'K' ? problem.bounds.G : depthwise && d === 'C' ? p.bounds.C : problem.bounds[d]) === p.bounds[d],
    );
    if (!same) r.issues.unshift(`the searched problem ${JSON.stringify(problem.bounds)} is not this layer's`);
    // The model costs the layer on exactly this problem and mapping: the number the search (or the mapper) reported.
    if (r.program && same) out.searched[p.layer] = { ...r.program, searched: { problem, mapping } };
    else out.notReplayed[p.layer] = r.issues;
  }
  return out;
}
