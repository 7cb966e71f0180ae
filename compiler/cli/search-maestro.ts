// `nacc search ... --evaluator maestro --protocol paper`: NAAS as the paper evaluated it —
// MAESTRO costs every design, baselines run MAESTRO's templates, energy has no DRAM term.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { D, ExitCode, fail, pickDeclared } from '../diagnostics/index.ts';
import { loadPrograms } from '../frontend/index.ts';
import { maestroCommand, maestroHwText, maestroMappingText } from '../naas/maestro/export.ts';
import { problemToMaestro } from '../naas/maestro/from-problem.ts';
import {
  evaluatePaperBaseline,
  hardwareOf,
  paperRatios,
  paperResources,
  paperTotals,
  searchPaper,
  type PaperNetworkCost,
  type PaperWorkloads,
} from '../naas/maestro/paper.ts';
import type { MaestroHardware, MaestroNetwork } from '../naas/maestro/types.ts';
import { buildWorkloads } from '../naas/problems.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { BAD_OPTION_VALUE, OPTION_NOT_APPLICABLE, parseChoice, parseSeed } from './options.ts';
import { createProgress } from './progress.ts';
import { parseBudget } from './search-budget.ts';
import { formatTable, thousands } from './table.ts';

export interface MaestroSearchOptions {
  network: string;
  space: string;
  baseline: string;
  seed: string;
  budget?: string;
  with?: string[];
  json?: boolean;
  out?: string;
  evaluator?: string;
  protocol?: string;
  rtl?: boolean;
}

/** True when the command line asks for the MAESTRO evaluator; checks --evaluator/--protocol. */
export function maestroRequested(o: { evaluator?: string; protocol?: string }): boolean {
  const evaluator = parseChoice(o.evaluator ?? 'timeloop', '--evaluator', ['timeloop', 'maestro'] as const, 'evaluator');
  if (o.protocol !== undefined) parseChoice(o.protocol, '--protocol', ['paper'] as const, 'protocol');
  if (evaluator === 'timeloop' && o.protocol !== undefined)
    fail(OPTION_NOT_APPLICABLE, `--protocol ${o.protocol} applies to --evaluator maestro only`, undefined, ExitCode.usage);
  return evaluator === 'maestro';
}

const networkJson = (n: PaperNetworkCost) => ({
  name: n.name,
  cycles: n.cycles,
  energy_nj: n.energyNj,
  edp: n.edp,
  layers: n.layers.map((l) => ({ name: l.name, cycles: l.cycles, energy_nj: l.energyNj })),
});

function maestroNetworks(costs: PaperNetworkCost[], workloads: PaperWorkloads): MaestroNetwork[] {
  return costs.map((n, i) => ({
    name: n.name,
    layers: n.layers.map((l, j) => {
      const shape = problemToMaestro(workloads.problems[workloads.networks[i].layers[j].key]);
      return { name: l.name, type: shape.type, dims: shape.dims, dataflow: l.dataflow };
    }),
  }));
}

export async function searchWithMaestro(file: string, o: MaestroSearchOptions): Promise<void> {
  if (o.protocol === undefined)
    fail(
      BAD_OPTION_VALUE,
      "--evaluator maestro needs --protocol paper (the NAAS paper's protocol, the only one modelled)",
      undefined,
      ExitCode.usage,
    );
  if (o.rtl)
    fail(
      OPTION_NOT_APPLICABLE,
      '--rtl applies to --evaluator timeloop only (the RTL replays Timeloop-style mappings)',
      undefined,
      ExitCode.usage,
    );
  const prog = loadPrograms([file, ...(o.with ?? [])]);
  const wanted = o.network
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const workloads = buildWorkloads(wanted.map((n) => pickDeclared('network', n, prog.networks, prog.file)));
  const space = pickDeclared('space', o.space, prog.spaces, file);
  const baselineSpec = pickDeclared('accelerator', o.baseline, prog.accelerators, prog.file);
  // Under the paper's protocol the design gets exactly the baseline's resources.
  const res = paperResources(baselineSpec);
  const seed = parseSeed(o.seed);
  const b = parseBudget(o.budget);
  const budget = {
    generations: b.generations,
    population: b.population,
    mappingSamples: b.inner.generations * b.inner.population,
    mappingSteps: b.inner.generations * b.inner.population,
  };
  const bar = createProgress({ label: 'search', total: budget.generations + 1, json: o.json });
  const t0 = performance.now();
  let baseline: PaperNetworkCost[];
  let found: ReturnType<typeof searchPaper>;
  try {
    baseline = evaluatePaperBaseline(workloads, res);
    bar.tick(1, 'baseline evaluated');
    found = searchPaper(workloads, res, budget, seed, (g, edp) => bar.tick(1, `gen ${g + 1}: best EDP ${edp.toExponential(3)}`));
  } finally {
    bar.stop();
  }
  const best = found.best;
  if (!best.valid)
    fail(D.maestroSearchEmpty, `no design within ${baselineSpec.name}'s resources mapped every layer under MAESTRO; raise --budget`);
  const seconds = (performance.now() - t0) / 1000;
  const ratios = paperRatios(baseline, best.networks);
  const d = best.design;
  const designHw: MaestroHardware = hardwareOf({
    numPes: d.clusters * d.clusterSize,
    l1: d.l1,
    l2: d.l2,
    nocBw: d.nocBw,
    offchipBw: d.offchipBw,
  });
  const baselineHw = hardwareOf(res);
  const result = {
    file,
    networks: workloads.networks.map((n) => n.name),
    space: space.name,
    evaluator: 'maestro',
    protocol: 'paper',
    seed,
    budget: b,
    resources: {
      pes: res.numPes,
      l1_elements_per_pe: res.l1,
      l2_elements: res.l2,
      noc_bandwidth: res.nocBw,
      offchip_bandwidth: res.offchipBw,
    },
    best: {
      design: {
        clusters: d.clusters,
        pes_per_cluster: d.clusterSize,
        pes: d.clusters * d.clusterSize,
        parallel: [d.outerParallel, d.innerParallel],
        l1_elements_per_pe: d.l1,
        l2_elements: d.l2,
        noc_bandwidth: d.nocBw,
        offchip_bandwidth: d.offchipBw,
      },
      totals: paperTotals(best.networks),
      networks: best.networks.map(networkJson),
    },
    baseline: { name: baselineSpec.name, template: res.template, totals: paperTotals(baseline), networks: baseline.map(networkJson) },
    speedup: ratios.speedup,
    energy_ratio: ratios.energy_ratio,
    edp_ratio: ratios.edp_ratio,
    evaluations: found.evaluations,
    seconds: Math.round(seconds * 1000) / 1000,
    history: found.history,
  };
  let written: string[] = [];
  if (o.out) {
    const out = o.out;
    const files = (dir: string): string[] => {
      const put = (rel: string, text: string): string => {
        const p = join(dir, rel);
        mkdirSync(join(p, '..'), { recursive: true });
        writeFileSync(p, text);
        return rel;
      };
      const rels: string[] = [];
      for (const [who, costs, hw] of [
        ['naas_best', best.networks, designHw],
        [baselineSpec.name, baseline, baselineHw],
      ] as const) {
        rels.push(put(`maestro/${who}/hw.m`, maestroHwText(hw)));
        for (const net of maestroNetworks([...costs], workloads)) {
          const name = `${net.name}.m`;
          rels.push(
            put(
              `maestro/${who}/${name}`,
              maestroMappingText(net, `nacc search --evaluator maestro --protocol paper: ${who}\nrun: ${maestroCommand(name, hw)}`),
            ),
          );
        }
      }
      return rels;
    };
    written = (await writeOutputDir(out, files, { carryOver: () => true })).map((p) => join(out, p));
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ ...result, artefacts: written }, null, 2) + '\n');
    return;
  }
  const t = (n: ReturnType<typeof paperTotals>) => [thousands(n.cycles), n.energy_nj.toExponential(4), n.edp.toExponential(4)];
  process.stdout.write(
    `naas_best: ${d.clusters} clusters x ${d.clusterSize} PEs (${d.outerParallel} across clusters, ${d.innerParallel} within), L1 ${d.l1} / PE, L2 ${d.l2} elements\n` +
      formatTable(
        ['design (MAESTRO, paper protocol)', 'cycles', 'energy nJ', 'EDP'],
        [
          ['naas_best', ...t(result.best.totals)],
          [`${baselineSpec.name} (${res.template})`, ...t(result.baseline.totals)],
        ],
      ) +
      '\n' +
      `speedup ${ratios.speedup.toFixed(2)}x, energy ratio ${ratios.energy_ratio.toFixed(2)}x, EDP ratio ${ratios.edp_ratio.toFixed(2)}x (${baselineSpec.name} / naas_best); ${thousands(found.evaluations)} evaluations in ${seconds.toFixed(1)} s\n`,
  );
  for (const w of written) process.stdout.write(`wrote ${w}\n`);
}
