// The NAAS paper's table under the paper's protocol (MAESTRO evaluator, MAESTRO templates for
// the baselines, no DRAM energy), next to the same designs re-evaluated with the
// Timeloop-faithful model (each design and baseline best-mapped by nacc's mapper).
//
//   npx tsx bench/maestro-paper.ts [--budget tiny|small|default] [--seed N] [--effort N] [--only net:baseline,...]
//
// Prints one row per (network, baseline), then per baseline the geometric means next to the
// paper's figures, and the ceilings MAESTRO's accounting puts on any design within the
// resources: cycles >= MACs / PEs, and energy >= (1 + 4 x L1) MAC energies per MAC (every MAC
// reads its input and weight from L1 and reads and writes its partial sum there). Light models run against Eyeriss, ShiDianNao and NVDLA-256; large models
// against NVDLA-1024, as in the paper.
import { loadPrograms } from '../compiler/frontend/index.ts';
import type { AcceleratorSpec } from '../compiler/ir/targets.ts';
import { evaluatePaperBaseline, paperRatios, paperResources, searchPaper, type PaperDesign } from '../compiler/naas/maestro/paper.ts';
import { buildWorkloads } from '../compiler/naas/problems.ts';
import { problemMacs } from '../compiler/ir/problem.ts';
import { MAESTRO_ENERGY } from '../compiler/naas/maestro/types.ts';
import { evaluateFixed, inlineRunner } from '../compiler/naas/search.ts';
import { parseBudget } from '../compiler/cli/search.ts';

const args = process.argv.slice(2);
const arg = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const budgetName = arg('--budget', 'small');
const seed = Number(arg('--seed', '1'));
const effort = Number(arg('--effort', '1000'));
const only = arg('--only', '').split(',').filter(Boolean);

const PAPER: Record<string, { speedup: number; energy: number }> = {
  eyeriss: { speedup: 4.4, energy: 2.1 },
  shidiannao: { speedup: 4.4, energy: 4.9 },
  nvdla_256: { speedup: 1.7, energy: 1.4 },
  nvdla_1024: { speedup: 2.2, energy: 1.1 },
};
const RUNS: [string, string][] = [
  ...['mobilenetv2', 'squeezenet', 'mnasnet'].flatMap((n) => ['eyeriss', 'shidiannao', 'nvdla_256'].map((b): [string, string] => [n, b])),
  ...['vgg16', 'resnet50', 'unet'].map((n): [string, string] => [n, 'nvdla_1024']),
];

const PARALLEL: Record<string, string> = { K: 'K', C: 'C', "Y'": 'Q', "X'": 'P' };

/**
 * The MAESTRO design as a nacc accelerator for the Timeloop-faithful model: the same array and
 * parallel dimensions, its L1/L2 split scaled into the baseline's on-chip bytes (MAESTRO counts
 * elements, the paper's budgets are stated per element).
 */
function designSpec(d: PaperDesign, base: AcceleratorSpec, resElements: number): AcceleratorSpec {
  const pes = d.clusters * d.clusterSize;
  const baseBytes = base.peArray.reduce((a, b) => a * b, 1) * base.registerFileBytesPerPe + base.globalBufferBytes;
  const word = Math.max(1, base.wordBits / 8);
  const scale = baseBytes / resElements;
  const rf = Math.max(word, Math.floor((d.l1 * scale) / word) * word);
  return {
    name: 'naas_maestro',
    peArray: [d.clusters, d.clusterSize],
    parallel: [PARALLEL[d.outerParallel], PARALLEL[d.innerParallel]],
    registerFileBytesPerPe: rf,
    globalBufferBytes: Math.max(word, baseBytes - pes * rf),
    dramBandwidthBytesPerCycle: base.dramBandwidthBytesPerCycle,
    wordBits: base.wordBits,
  };
}

const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

async function main(): Promise<void> {
  const prog = loadPrograms(['examples/naas_networks.nacc', 'examples/naas_accelerators.nacc']);
  const b = parseBudget(budgetName);
  const budget = {
    generations: b.generations,
    population: b.population,
    mappingSamples: b.inner.generations * b.inner.population,
    mappingSteps: b.inner.generations * b.inner.population,
  };
  console.log(`budget ${budgetName} (${JSON.stringify(budget)}), seed ${seed}, Timeloop mapper effort ${effort} per layer shape`);
  console.log(
    '| network | baseline | MAESTRO speedup (ceiling) | MAESTRO energy (ceiling) | MAESTRO EDP | design | Timeloop speedup | Timeloop energy | Timeloop EDP | evals | s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const rows: {
    baseline: string;
    m: ReturnType<typeof paperRatios>;
    t: { speedup: number; energy_ratio: number; edp_ratio: number };
    ceil: { speedup: number; energy: number };
  }[] = [];
  for (const [net, baseName] of RUNS) {
    if (only.length && !only.includes(`${net}:${baseName}`)) continue;
    const t0 = performance.now();
    const workloads = buildWorkloads([prog.networks.find((n) => n.name === net)!]);
    const base = prog.accelerators.find((a) => a.name === baseName)!;
    const res = paperResources(base);
    const baseline = evaluatePaperBaseline(workloads, res);
    const found = searchPaper(workloads, res, budget, seed);
    const m = paperRatios(baseline, found.best.networks);
    const spec = designSpec(found.best.design, base, res.numPes * res.l1 + res.l2);
    const tlBase = await evaluateFixed(base, workloads, effort, seed, inlineRunner);
    const tlDesign = await inlineRunner({
      kind: 'remap',
      spec,
      parallel: spec.parallel ?? [],
      start: {},
      workloads,
      inner: { generations: Math.max(1, Math.ceil(effort / 50)), population: 50 },
      seed,
    });
    const t =
      tlDesign.valid && tlBase.valid
        ? {
            speedup: tlBase.cycles / tlDesign.cycles,
            energy_ratio: tlBase.energyPj / tlDesign.energyPj,
            edp_ratio: (tlBase.cycles * tlBase.energyPj) / (tlDesign.cycles * tlDesign.energyPj),
          }
        : { speedup: NaN, energy_ratio: NaN, edp_ratio: NaN };
    const macs = workloads.networks[0].layers.reduce((a, l) => a + problemMacs(workloads.problems[l.key]), 0);
    const ceil = {
      speedup: baseline[0].cycles / (macs / res.numPes),
      energy: baseline[0].energyNj / (macs * (1 + 4 * MAESTRO_ENERGY.l1) * MAESTRO_ENERGY.macNj),
    };
    rows.push({ baseline: baseName, m, t, ceil });
    const d = found.best.design;
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `| ${net} | ${baseName} (${res.template}) | ${f2(m.speedup)} (${f2(ceil.speedup)}) | ${f2(m.energy_ratio)} (${f2(ceil.energy)}) | ${f2(m.edp_ratio)} | ${d.clusters}x${d.clusterSize} ${d.outerParallel},${d.innerParallel} L1 ${d.l1} | ${f2(t.speedup)} | ${f2(t.energy_ratio)} | ${f2(t.edp_ratio)} | ${found.evaluations} | ${seconds.toFixed(0)} |`,
    );
  }
  console.log(
    '\n| baseline | paper speedup | ours (MAESTRO) | ceiling | Timeloop-faithful | paper energy | ours (MAESTRO) | ceiling | Timeloop-faithful | ours EDP (MAESTRO) | Timeloop EDP |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const name of Object.keys(PAPER)) {
    const rs = rows.filter((r) => r.baseline === name);
    if (!rs.length) continue;
    const g = (f: (r: (typeof rs)[number]) => number) => f2(geo(rs.map(f)));
    console.log(
      `| ${name} | ${PAPER[name].speedup} | ${g((r) => r.m.speedup)} | ${g((r) => r.ceil.speedup)} | ${g((r) => r.t.speedup)} | ${PAPER[name].energy} | ${g((r) => r.m.energy_ratio)} | ${g((r) => r.ceil.energy)} | ${g((r) => r.t.energy_ratio)} | ${g((r) => r.m.edp_ratio)} | ${g((r) => r.t.edp_ratio)} |`,
    );
  }
}

await main();
