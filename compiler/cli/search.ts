// `nacc search`: NAAS accelerator + mapping co-search against a baseline accelerator, and
// `nacc cost`: the per-layer cost of a network on a fixed accelerator under its dataflow.
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { D, fail, pickDeclared } from '../diagnostics/index.ts';
import { invocation, nextStep, parseChoice, parseSeed } from './options.ts';
import { writeRunManifest } from '../report/run-manifest.ts';
import { shellWord } from '../util/names.ts';
import { loadPrograms } from '../frontend/index.ts';
import { spaceFloorOptions, workloadBound } from '../naas/bound.ts';
import { TIMELOOP_DIALECTS, type TimeloopDialect } from '../naas/timeloop-export.ts';
import { designExportOf, designFiles, timeloopWriter } from '../naas/design-export.ts';
import { maestroWriter } from '../naas/maestro/design-writer.ts';
import { formatLoopNest } from '../ir/mapping.ts';
import type { Program } from '../ir/program.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { specToArchitecture } from '../naas/arch-from-spec.ts';
import type { CandidateResult, Workloads } from '../naas/candidate.ts';
import { buildWorkloads } from '../naas/problems.ts';
import { areaPowerJson } from '../naas/area.ts';
import { acceleratorToNacc, htmlReport } from '../naas/report.ts';
import { maestroRequested, searchWithMaestro, type MaestroSearchOptions } from './search-maestro.ts';
import { parseBudget } from './search-budget.ts';
import { evaluateFixed, inlineRunner } from '../naas/search.ts';
import { runStrategy, STRATEGIES } from '../naas/strategy/index.ts';
import { addDispatchOptions, openSearchDispatcher } from './search-dispatch.ts';
import { rtlMappings } from './rtl-from.ts';
import { createProgress } from './progress.ts';
import { formatTable, thousands } from './table.ts';
import { writeOutputDir } from '../util/atomic-output.ts';

export { parseBudget } from './search-budget.ts';

function pickNetworks(prog: Program, names: string): Workloads {
  const wanted = names
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const nets = wanted.map((n) => pickDeclared('network', n, prog.networks, prog.file));
  return buildWorkloads(nets);
}

function pickAccelerator(prog: Program, name: string): AcceleratorSpec {
  return pickDeclared('accelerator', name, prog.accelerators, prog.file);
}

/** Networks, accelerators and spaces may come from several files: FILE plus any --with files. */
function loadAll(file: string, extra: string[] = []): Program {
  return loadPrograms([file, ...extra]);
}

/** Geometric mean of the networks' EDPs (equal to cycles x energy for one network), whatever the search's objective. */
const edpOf = (r: CandidateResult): number => Math.exp(r.networks.reduce((a, n) => a + Math.log(n.edp), 0) / r.networks.length);
const totals = (r: CandidateResult) => ({ cycles: r.cycles, energy_pj: round(r.energyPj), edp: edpOf(r) });
const round = (x: number): number => Math.round(x * 1000) / 1000;
const areaPowerCells = (d: ReturnType<typeof areaPowerJson>): string[] => [
  (d.area.um2 / 1e6).toFixed(3),
  `${d.power_mw.dynamic.toPrecision(3)} + ${d.power_mw.leakage.toPrecision(3)}`,
];
const networksJson = (r: CandidateResult) =>
  r.networks.map((n) => ({
    name: n.name,
    cycles: n.cycles,
    energy_pj: round(n.energyPj),
    edp: n.edp,
    layers: n.layers.map((l) => ({ name: l.name, cycles: l.cycles, energy_pj: round(l.energyPj) })),
  }));

/**
 * The `--out` folder: design.nacc, per-format exports of the design (timeloop/...) and of the
 * baseline it was compared with (baseline/timeloop/...), mappings/<network>.txt, report.html.
 */
export function writeArtefacts(
  out: string,
  best: CandidateResult,
  workloads: Workloads,
  report: string,
  o: { baseline?: { spec: AcceleratorSpec; result: CandidateResult }; dialect?: TimeloopDialect } = {},
): string[] {
  const written: string[] = [];
  const put = (rel: string, text: string): void => {
    const p = join(out, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    written.push(p);
  };
  if (!best.spec) return written;
  put('design.nacc', `// Found by nacc search.\n${acceleratorToNacc(best.spec, 'naas_best')}`);
  // One writer per format; a MAESTRO mapping writer (issue 17, the MAESTRO cost model) joins this list.
  const writers = [timeloopWriter(o.dialect ?? 'v3'), maestroWriter()];
  for (const [rel, text] of designFiles(designExportOf('naas_best', specToArchitecture(best.spec), best, workloads), writers))
    put(rel, text);
  if (o.baseline) {
    const b = o.baseline;
    for (const [rel, text] of designFiles(designExportOf(b.spec.name, specToArchitecture(b.spec), b.result, workloads), writers))
      put(`baseline/${rel}`, text);
  }
  for (const n of best.networks) {
    const nest: string[] = [];
    for (const l of n.layers) {
      nest.push(`# ${l.name}: ${thousands(l.cycles)} cycles, ${l.energyPj.toExponential(4)} pJ\n${formatLoopNest(l.mapping)}`);
    }
    put(`mappings/${n.name}.txt`, nest.join('\n'));
  }
  put('report.html', report);
  return written;
}

export function registerSearch(program: Command): void {
  addDispatchOptions(program.command('search <file>'))
    .description('NAAS: co-search accelerator connectivity, sizing and per-layer mappings; compare with a baseline')
    .requiredOption('--network <names>', 'network(s) to optimise, comma-separated (EDP geometric mean)')
    .requiredOption('--space <name>', 'design space (a space block)')
    .requiredOption('--baseline <name>', 'baseline accelerator (an accelerator block)')
    .option('--seed <k>', 'random seed', '1')
    .option(
      '--strategy <name>',
      `outer search: ${STRATEGIES.join('|')} (naas: successive halving + CMA-ES on sizes; sweep: the plain sweep; random: uniform samples of the encoding)`,
      'naas',
    )
    .option('--budget <spec>', 'tiny|small|default|large or generations=G,population=P,inner=GxP,baseline=N')
    .option('--threads <n>', 'worker threads (default: all cores; not with --redis)')
    .option('--with <files...>', 'more .nacc files providing networks, accelerators or spaces')
    .option('--json', 'print JSON')
    .option('--out <dir>', 'write the design, mappings, Timeloop YAML (design and baseline) and an HTML report')
    .option(
      '--timeloop-dialect <d>',
      `keyword dialect of the Timeloop YAML --out writes: ${TIMELOOP_DIALECTS.join('|')} (v3: timeloop-model v3.0.3)`,
      'v3',
    )
    .option(
      '--rtl',
      "map only as the generated RTL executes (PEs keep partial sums only, one loop per dimension in a tile, the array's own spatial factors), so `nacc rtl --from` replays every layer",
    )
    .option('--evaluator <model>', 'cost model: timeloop (Timeloop-faithful, default) or maestro')
    .option(
      '--protocol <name>',
      "with --evaluator maestro: paper (the NAAS paper's protocol: MAESTRO templates for baselines, the baseline's resources, no DRAM energy)",
    )
    .action(
      async (
        file: string,
        o: {
          network: string;
          space: string;
          baseline: string;
          seed: string;
          budget?: string;
          threads?: string;
          with?: string[];
          json?: boolean;
          out?: string;
          rtl?: boolean;
          redis?: string | true;
          queue?: string;
          timeloopDialect: string;
        },
      ) => {
        if (maestroRequested(o as MaestroSearchOptions)) return searchWithMaestro(file, o as MaestroSearchOptions);
        const dialect = parseChoice(o.timeloopDialect, '--timeloop-dialect', TIMELOOP_DIALECTS, 'dialect');
        const prog = loadAll(file, o.with);
        const workloads = pickNetworks(prog, o.network);
        const space = pickDeclared('space', o.space, prog.spaces, file);
        const baselineSpec = pickAccelerator(prog, o.baseline);
        const resources = space.resources ? pickAccelerator(prog, space.resources) : baselineSpec;
        const seed = parseSeed(o.seed);
        const budget = parseBudget(o.budget);
        const strategy = parseChoice((o as { strategy?: string }).strategy ?? 'naas', '--strategy', STRATEGIES, 'strategy');
        if (strategy !== 'naas' && space.dataflow !== undefined)
          fail(
            D.strategyNeedsSpace,
            `--strategy ${strategy} searches a NAAS space; '${space.name}' fixes a dataflow (sizing only: --strategy naas)`,
          );
        // Local threads or the Redis queue; with --out, a journal that a restarted search resumes from.
        const dispatcher = await openSearchDispatcher(o, {
          workloads,
          space,
          resources,
          baseline: baselineSpec,
          seed,
          budget,
          rtl: o.rtl === true,
        });
        const run = dispatcher.run;
        const t0 = performance.now();
        const bar = createProgress({ label: 'search', total: budget.generations + 2, json: o.json });
        try {
          const objective = space.objective;
          const baseline = await evaluateFixed(baselineSpec, workloads, budget.baselineEvaluations, seed, run, objective);
          bar.tick(1, 'baseline mapped');
          if (!baseline.valid) fail(D.unmappableDesign, `baseline '${baselineSpec.name}' cannot map every layer (buffers too small?)`);
          // The baseline is one of the strategy's candidates (NAAS never reports less than 1.0x).
          const res = await runStrategy(strategy, {
            workloads,
            space,
            resources,
            seed,
            budget,
            run,
            rtl: o.rtl,
            baseline,
            onGeneration: (g, total) => {
              bar.setTotal(total + 1);
              bar.tick(1, `step ${g.generation + 1}: best EDP ${g.best_edp.toExponential(3)}`);
            },
          });
          const best = res.best;
          bar.stop();
          const seconds = (performance.now() - t0) / 1000;
          // Every cost-model evaluation the command ran (the baseline's mapping and the strategy's, all levels).
          const evaluations = baseline.evaluations + res.evaluations;
          // best.cost / baseline.cost are in the space's objective; the EDP ratio is always reported.
          const edpRatio = edpOf(baseline) / edpOf(best);
          const spec = best.spec as AcceleratorSpec;
          const ceiling = workloadBound(workloads, resources);
          // The tighter floor of this space: also the register-file accesses and idle PEs no design of it avoids.
          const floor = workloadBound(workloads, resources, spaceFloorOptions(space, baselineSpec, o.rtl));
          const result = {
            file,
            networks: workloads.networks.map((n) => n.name),
            space: space.name,
            seed,
            budget,
            strategy,
            best: {
              accelerator: { ...spec, name: 'naas_best' },
              totals: totals(best),
              ...areaPowerJson(spec, best),
              networks: networksJson(best),
            },
            baseline: {
              name: baselineSpec.name,
              accelerator: baselineSpec,
              totals: totals(baseline),
              ...areaPowerJson(baselineSpec, baseline),
              networks: networksJson(baseline),
            },
            ...(space.maxAreaMm2 !== undefined ? { area_bound_mm2: space.maxAreaMm2 } : {}),
            edp_ratio: edpRatio,
            objective,
            objective_ratio: baseline.cost / best.cost,
            evaluations,
            hardware_candidates: res.hardwareCandidates,
            seconds: round(seconds),
            // The anytime curve: best objective so far against the strategy's own evaluations (not the baseline's).
            history: res.history,
            // The floor no design within the resources can beat under this model (compiler/naas/bound.ts):
            // how far the best design and the baseline are from it.
            ceiling: {
              totals: ceiling.totals,
              edp_ratio: edpOf(baseline) / ceiling.totals.edp,
              best_to_ceiling: edpOf(best) / ceiling.totals.edp,
            },
            floor: { totals: floor.totals, edp_ratio: edpOf(baseline) / floor.totals.edp, best_to_floor: edpOf(best) / floor.totals.edp },
          };
          let written: string[] = [];
          if (o.out) {
            const report = htmlReport({
              title: `NAAS search: ${result.networks.join(', ')} in ${space.name}`,
              best,
              baseline,
              baselineName: baselineSpec.name,
              history: res.history,
              points: res.points,
              edpRatio,
              seconds,
              evaluations,
              ceiling: ceiling.totals,
              objective,
              maxAreaMm2: space.maxAreaMm2,
            });
            // The folder appears only when complete; files the search does not write (e.g. a later rtl/ folder) are carried over.
            const out = o.out;
            const inTmp = await writeOutputDir(
              out,
              (dir) => {
                // What `nacc report` reads (compiler/report/run-manifest.ts): the result with every candidate.
                const points = res.points
                  .filter((p) => p.generation >= 0)
                  .map((p) => ({ generation: p.generation, cycles: p.cycles, energy_pj: p.energy_pj }));
                writeRunManifest(dir, {
                  kind: 'search',
                  title: `NAAS search: ${result.networks.join(', ')} in ${space.name} (design naas_best)`,
                  command: invocation(),
                  result: { ...result, points },
                });
                return writeArtefacts(dir, best, workloads, report, { baseline: { spec: baselineSpec, result: baseline }, dialect }).map(
                  (p) => relative(dir, p),
                );
              },
              { carryOver: () => true },
            );
            written = inTmp.map((p) => join(out, p));
          }
          dispatcher.finished();
          if (o.json) {
            const { location: _l, ...acc } = result.baseline.accelerator;
            void _l;
            process.stdout.write(
              JSON.stringify({ ...result, baseline: { ...result.baseline, accelerator: acc }, artefacts: written }, null, 2) + '\n',
            );
          } else {
            process.stdout.write(acceleratorToNacc(spec, 'naas_best'));
            process.stdout.write(
              formatTable(
                ['design', 'cycles', 'energy pJ', 'EDP', 'area mm2', 'power mW (dyn + leak)'],
                [
                  [
                    'naas_best',
                    thousands(best.cycles),
                    best.energyPj.toExponential(4),
                    edpOf(best).toExponential(4),
                    ...areaPowerCells(result.best),
                  ],
                  [
                    baselineSpec.name,
                    thousands(baseline.cycles),
                    baseline.energyPj.toExponential(4),
                    edpOf(baseline).toExponential(4),
                    ...areaPowerCells(result.baseline),
                  ],
                ],
              ) + '\n',
            );
            if (objective !== 'edp')
              process.stdout.write(
                `${objective} ratio (${baselineSpec.name} / naas_best, the space's objective): ${result.objective_ratio.toFixed(2)}x\n`,
              );
            process.stdout.write(
              `EDP ratio (${baselineSpec.name} / naas_best): ${edpRatio.toFixed(2)}x; ${thousands(evaluations)} evaluations in ${seconds.toFixed(1)} s\n`,
            );
            process.stdout.write(
              `ceiling: no design within ${resources.name}'s resources can beat ${baselineSpec.name} by more than ${result.ceiling.edp_ratio.toFixed(2)}x under this model (naas_best is ${result.ceiling.best_to_ceiling.toFixed(2)}x above that floor)\n`,
            );
            process.stdout.write(
              `floor of ${space.name} (also its register-file accesses and idle PEs): naas_best is ${result.floor.best_to_floor.toFixed(2)}x above it, ${baselineSpec.name} ${result.floor.edp_ratio.toFixed(2)}x\n`,
            );
            for (const w of written) process.stdout.write(`wrote ${w}\n`);
            if (o.out) nextStep(`nacc rtl ${shellWord(file)} --from ${shellWord(o.out)} --network ${workloads.networks[0].name}`);
          }
        } finally {
          bar.stop();
          await dispatcher.close();
        }
      },
    );
}

export function registerCost(program: Command): void {
  program
    .command('cost <file>')
    .description('cost of a network on a fixed accelerator: best mapping per layer within its dataflow')
    .requiredOption('--network <name>', 'network')
    .requiredOption('--accelerator <name>', 'accelerator block')
    .option('--seed <k>', 'mapper seed', '1')
    .option('--effort <n>', 'mapper evaluations per distinct layer shape', '2000')
    .option('--with <files...>', 'more .nacc files providing networks or accelerators')
    .option('--json', 'print JSON')
    .option(
      '--rtl',
      'map only as the generated RTL executes and cost on its architecture (naas/rtl-architecture.ts): the mappings and model cycles `nacc rtl --accelerator` programs and `nacc verify` predicts',
    )
    .action(
      async (
        file: string,
        o: { network: string; accelerator: string; seed: string; effort: string; with?: string[]; json?: boolean; rtl?: boolean },
      ) => {
        const prog = loadAll(file, o.with);
        const workloads = pickNetworks(prog, o.network);
        const spec = pickAccelerator(prog, o.accelerator);
        // --rtl: the mappings `nacc rtl --accelerator` programs (the mapper's, or the tile planner's where the model scores it better).
        const nets = workloads.networks.map((n) => pickDeclared('network', n.name, prog.networks, prog.file));
        const r = o.rtl
          ? (await rtlMappings(spec, nets, Number(o.effort), Number(o.seed))).result
          : await evaluateFixed(spec, workloads, Number(o.effort), Number(o.seed), inlineRunner, 'edp');
        if (!r.valid) fail(D.unmappableDesign, `accelerator '${spec.name}' cannot map every layer of '${o.network}' (buffers too small?)`);
        const net = r.networks[0];
        if (o.json) {
          const out = {
            network: net.name,
            accelerator: spec.name,
            layers: net.layers.map((l) => ({ name: l.name, cycles: l.cycles, energy_pj: round(l.energyPj), edp: l.cycles * l.energyPj })),
            totals: { cycles: net.cycles, energy_pj: round(net.energyPj), edp: net.edp },
            ...areaPowerJson(spec, net),
          };
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return;
        }
        process.stdout.write(
          formatTable(
            ['layer', 'cycles', 'energy pJ', 'EDP'],
            [
              ...net.layers.map((l) => [
                l.name,
                thousands(l.cycles),
                l.energyPj.toExponential(4),
                (l.cycles * l.energyPj).toExponential(3),
              ]),
              ['total', thousands(net.cycles), net.energyPj.toExponential(4), net.edp.toExponential(3)],
            ],
            ['l', 'r', 'r', 'r'],
          ) + '\n',
        );
      },
    );
}
