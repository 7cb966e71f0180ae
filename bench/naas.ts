// NAAS and sizing-only search against Eyeriss on the six NAAS networks; prints EDP ratios,
// evaluations and seconds. Run: npx tsx bench/naas.ts [--budget small|default|large|spec]
//   [--networks vgg16,resnet50,...] [--threads N] [--seed K] [--json]
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseBudget } from '../compiler/cli/search.ts';
import { formatTable } from '../compiler/cli/table.ts';
import { loadProgram } from '../compiler/frontend/index.ts';
import { workloadBound } from '../compiler/naas/bound.ts';
import { buildWorkloads } from '../compiler/naas/problems.ts';
import { evaluateFixed, remapFinalists, searchSpace, workerRunner } from '../compiler/naas/search.ts';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const root = join(import.meta.dirname, '..', 'examples');
const nets = loadProgram(join(root, 'naas_networks.nacc')).networks;
const acc = loadProgram(join(root, 'naas_accelerators.nacc'));
const eyeriss = acc.accelerators.find((a) => a.name === 'eyeriss')!;
const naasSpace = acc.spaces.find((s) => s.name === 'naas_eyeriss')!;
const sizingSpace = acc.spaces.find((s) => s.name === 'sizing_eyeriss')!;
const names = (arg('networks') ?? 'vgg16,resnet50,mobilenetv2,squeezenet,mnasnet,unet').split(',');
const budget = parseBudget(arg('budget', 'small'));
const seed = Number(arg('seed', '1'));
const threads = Number(arg('threads', String(availableParallelism())));
const pool = workerRunner(threads);
const rows: (string | number)[][] = [];
const out: unknown[] = [];
let logNaas = 0;
let logSizing = 0;
let logCeiling = 0;
try {
  for (const name of names) {
    const net = nets.find((n) => n.name === name);
    if (!net) throw new Error(`no network ${name}`);
    const w = buildWorkloads([net]);
    const t0 = performance.now();
    const base = await evaluateFixed(eyeriss, w, budget.baselineEvaluations, seed, pool.run);
    const tb = performance.now();
    const naasRes = await searchSpace({ workloads: w, space: naasSpace, resources: eyeriss, seed, budget, run: pool.run });
    const naas = (await remapFinalists(naasRes, w, budget.baselineEvaluations, seed, pool.run)).best;
    const tn = performance.now();
    const sizingRes = await searchSpace({ workloads: w, space: sizingSpace, resources: eyeriss, seed, budget, run: pool.run });
    const sizing = (await remapFinalists(sizingRes, w, budget.baselineEvaluations, seed, pool.run)).best;
    const ts = performance.now();
    const rN = base.cost / naas.cost;
    const rS = base.cost / sizing.cost;
    logNaas += Math.log(rN);
    logSizing += Math.log(rS);
    // The most any design within Eyeriss's resources could gain under this model.
    const rC = base.cost / workloadBound(w, eyeriss).totals.edp;
    logCeiling += Math.log(rC);
    const design = `${naas.spec?.peArray.join('x')} ${naas.spec?.parallel?.join('')} rf${naas.spec?.registerFileBytesPerPe} gb${naas.spec?.globalBufferBytes}`;
    rows.push([name, base.cost.toExponential(3), rC.toFixed(2), rN.toFixed(2), rS.toFixed(2), (sizing.cost / naas.cost).toFixed(2), naasRes.evaluations, ((tn - tb) / 1000).toFixed(1), ((ts - tn) / 1000).toFixed(1), design]);
    out.push({ network: name, eyeriss_edp: base.cost, naas_edp: naas.cost, sizing_edp: sizing.cost, ceiling_ratio: rC, naas_ratio: rN, sizing_ratio: rS, naas_vs_sizing: sizing.cost / naas.cost, naas_evaluations: naasRes.evaluations, naas_seconds: (tn - tb) / 1000, sizing_seconds: (ts - tn) / 1000, baseline_seconds: (tb - t0) / 1000, naas_design: naas.spec, sizing_design: sizing.spec });
    process.stderr.write(`${name} done\n`);
  }
} finally {
  await pool.close();
}
const k = names.length;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ budget, seed, threads, results: out, geomean_ceiling_ratio: Math.exp(logCeiling / k), geomean_naas_ratio: Math.exp(logNaas / k), geomean_sizing_ratio: Math.exp(logSizing / k) }, null, 2));
} else {
  console.log(`budget ${JSON.stringify(budget)}, seed ${seed}, ${threads} threads`);
  console.log(formatTable(['network', 'eyeriss EDP', 'ceiling x', 'naas x', 'sizing x', 'naas/sizing', 'naas evals', 'naas s', 'sizing s', 'naas design'], rows));
  console.log(`geometric mean EDP ratio vs eyeriss: NAAS ${Math.exp(logNaas / k).toFixed(2)}x, sizing-only ${Math.exp(logSizing / k).toFixed(2)}x, ceiling (no design within the resources can pass it) ${Math.exp(logCeiling / k).toFixed(2)}x`);
}
