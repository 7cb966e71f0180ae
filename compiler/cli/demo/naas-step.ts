// Demo: the accelerator cost model against Timeloop's references (when present), then a
// small NAAS search on an example network against Eyeriss with its artefacts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoStep } from './step.ts';
import { loadProgram } from '../../frontend/index.ts';
import { checkCase, findCases } from '../../../testbench/fidelity/timeloop-cases.ts';
import { buildWorkloads } from '../../naas/problems.ts';
import { evaluateFixed, remapFinalists, searchSpace, workerRunner } from '../../naas/search.ts';
import { htmlReport } from '../../naas/report.ts';
import { writeArtefacts } from '../search.ts';
import { writeReportSection } from '../../report/index.ts';

const REFERENCE = '../shared/reference/timeloop';

export const naasStep: DemoStep = {
  name: 'naas search',
  async run(ctx) {
    const problems: string[] = [];
    let timeloop = 'Timeloop references absent';
    if (existsSync(REFERENCE)) {
      const results = findCases(REFERENCE).map((c) => checkCase(c).result);
      const ok = results.filter(
        (r) => r.valid && r.counts_match && r.cycles.ours === r.cycles.reference && r.energy_pj.relative_error < 0.01,
      );
      timeloop = `Timeloop ${ok.length}/${results.length} cases equal`;
      if (ok.length !== results.length) problems.push(`${results.length - ok.length} Timeloop cases differ`);
    }
    const file = join(ctx.examplesDir, 'naas_accelerators.nacc');
    const prog = loadProgram(file);
    const workloads = buildWorkloads(prog.networks.filter((n) => n.name === 'tinyconv'));
    const eyeriss = prog.accelerators.find((a) => a.name === 'eyeriss');
    const space = prog.spaces.find((s) => s.name === 'naas_eyeriss');
    if (!eyeriss || !space) return { status: 'failed', summary: `${file} lacks eyeriss or naas_eyeriss` };
    const pool = workerRunner(2);
    const t0 = performance.now();
    try {
      ctx.log('naas: mapping the Eyeriss baseline');
      const baseline = await evaluateFixed(eyeriss, workloads, 600, ctx.seed, pool.run);
      ctx.log('naas: searching naas_eyeriss');
      const budget = { generations: 4, population: 6, inner: { generations: 3, population: 6 }, baselineEvaluations: 600 };
      const res = await searchSpace({ workloads, space, resources: eyeriss, seed: ctx.seed, budget, run: pool.run });
      const { best } = await remapFinalists(res, workloads, 600, ctx.seed, pool.run);
      const seconds = (performance.now() - t0) / 1000;
      const ratio = baseline.cost / best.cost;
      const out = join(ctx.outDir, 'naas');
      const report = htmlReport({
        title: 'NAAS demo: tinyconv under Eyeriss resources',
        best,
        baseline,
        baselineName: 'eyeriss',
        history: res.history,
        points: res.points,
        edpRatio: ratio,
        seconds,
        evaluations: res.evaluations,
      });
      const files = writeArtefacts(out, best, workloads, report);
      // The written design must be a valid accelerator block again.
      const again = loadProgram(join(out, 'design.nacc')).accelerators[0];
      if (!again || again.peArray.join('x') !== best.spec?.peArray.join('x')) problems.push('design.nacc does not reload');
      if (!best.valid || !Number.isFinite(ratio)) problems.push('search found no valid design');
      const ok = (c: number, e: number) => Number.isFinite(c) && Number.isFinite(e) && c > 0 && e > 0;
      writeReportSection(out, 'search', {
        kind: 'naas-search',
        title: 'NAAS search: tinyconv under Eyeriss resources',
        network: 'tinyconv',
        space: space.name,
        objective: 'edp',
        points: res.points
          .filter((p) => ok(p.cycles, p.energy_pj))
          .map((p) => ({ iteration: Math.max(0, p.generation), latency_cycles: p.cycles, energy_pj: p.energy_pj })), // generation -1 is the warm-up,
        history: res.history
          .filter((h) => Number.isFinite(h.best_edp) && h.best_edp > 0)
          .map((h) => ({
            iteration: h.generation,
            best: h.best_edp,
            ...(Number.isFinite(h.median_edp) && h.median_edp > 0 ? { median: h.median_edp } : {}),
          })),
        baselines: [{ name: 'eyeriss', latency_cycles: baseline.cycles, energy_pj: baseline.energyPj }],
        best: {
          latency_cycles: best.cycles,
          energy_pj: best.energyPj,
          label: `PE ${best.spec?.peArray.join('x')}, parallel ${best.spec?.parallel?.join('') ?? '-'}`,
        },
        facts: { 'EDP ratio (eyeriss / best)': Number(ratio.toFixed(3)), 'mapping evaluations': res.evaluations, seed: ctx.seed },
      });
      writeFileSync(
        join(out, 'summary.json'),
        JSON.stringify({ edp_ratio: ratio, best: best.spec, baseline_edp: baseline.cost, best_edp: best.cost, seconds }, null, 2),
      );
      return {
        status: problems.length ? 'failed' : 'ok',
        summary: `${timeloop}; tinyconv EDP ${ratio.toFixed(2)}x vs eyeriss (${best.spec?.peArray.join('x')} ${best.spec?.parallel?.join('')}) in ${seconds.toFixed(0)} s${problems.length ? ' — ' + problems.join('; ') : ''}`,
        artifacts: files.filter((f) => f.endsWith('.html') || f.endsWith('.nacc')),
      };
    } finally {
      await pool.close();
    }
  },
};
