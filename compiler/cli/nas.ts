// `nacc nas FILE --supernet S (--space SP --baseline B | --target MCU) --accuracy SOURCE`:
// the network level — an evolutionary search over a supernet's subnets scored on accuracy and
// on their hardware (EDP after a NAAS inner search, or peak SRAM of the patch schedule on a
// microcontroller), with the sequential baseline (network first, then hardware) beside it.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { D, ExitCode, fail, pickDeclared } from '../diagnostics/index.ts';
import { loadPrograms } from '../frontend/index.ts';
import type { SubnetConfig, SupernetSpec } from '../ir/supernet.ts';
import { analyzeNetwork } from '../analysis/analyze.ts';
import type { Program } from '../ir/program.ts';
import { BAD_OPTION_VALUE, SHARED_DEFAULTS, notApplicable, parsePositiveInt, parseSeed } from './options.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { configKey, lowerSubnet, parseConfigKey, subnetSource } from '../nas/supernet.ts';
import { networkSearch, type HardwareScore, type NasPoint, type NasResult } from '../nas/search.ts';
import { predictorSource, tableSource, type AccuracySource } from '../nas/accuracy/source.ts';
import { nasReportHtml } from '../nas/report.ts';
import { flashBytesOf } from '../nas/flash.ts';

interface NasCliOptions {
  supernet: string;
  space?: string;
  baseline?: string;
  target?: string;
  accuracy: string;
  seed?: string;
  json?: boolean;
  out?: string;
  population: string;
  generations: string;
  budgets: string;
  budget: string;
  trainEpochs?: string;
  weights?: string;
  testImages?: string;
  with?: string[];
}

/** `--train-epochs L,S`: epochs of the largest subnet, then of sandwich sampling (the defaults when absent). */
export function parseTrainEpochs(
  value: string | undefined,
  defaults: { largestEpochs: number; sandwichEpochs: number },
): { largestEpochs: number; sandwichEpochs: number } {
  if (value === undefined) return { largestEpochs: defaults.largestEpochs, sandwichEpochs: defaults.sandwichEpochs };
  const m = /^(\d+),(\d+)$/.exec(value);
  if (!m) fail(BAD_OPTION_VALUE, `--train-epochs takes LARGEST,SANDWICH epochs (e.g. 3,3), got '${value}'`, undefined, ExitCode.usage);
  return { largestEpochs: Number(m![1]), sandwichEpochs: Number(m![2]) };
}

/** The accuracy source a `--accuracy` value names. */
async function openSource(
  spec: SupernetSpec,
  value: string,
  seed: number,
  trainEpochs: string | undefined,
  weights: string | undefined,
  testImages: number | undefined,
): Promise<AccuracySource & { testImages?: number }> {
  const [kind, ...rest] = value.split(':');
  const file = rest.join(':');
  if (weights !== undefined && kind !== 'train') notApplicable('--weights', `accuracy comes from ${value}, not from a trained supernet`);
  if (weights !== undefined && trainEpochs !== undefined) notApplicable('--train-epochs', `the supernet's weights come from ${weights}`);
  if (testImages !== undefined && kind !== 'train') notApplicable('--test-images', `accuracy comes from ${value}, not from the test split`);
  if (kind === 'table' && file) return tableSource(spec, file);
  if (kind === 'predictor' && file) return predictorSource(spec, file);
  if (kind === 'train' && !file) {
    const { supernetData } = await import('../nas/data.ts');
    const { DEFAULT_TRAIN_OPTIONS, sharedSource, trainSource } = await import('../nas/accuracy/train.ts');
    const { subset } = await import('../fl/data.ts');
    const { side, ...all } = await supernetData(spec, seed);
    // --test-images N: subnets are scored on the first N images of the test split (a cheaper, stated estimate).
    const data =
      testImages !== undefined && testImages < all.test.count
        ? {
            train: all.train,
            test: subset(
              all.test,
              Int32Array.from({ length: testImages }, (_, i) => i),
            ),
          }
        : all;
    const scoredOn = (source: AccuracySource) => Object.assign(source, { testImages: data.test.count });
    if (weights !== undefined) {
      const { loadSupernetWeights } = await import('../nas/accuracy/weights-file.ts');
      const shared = loadSupernetWeights(weights, spec);
      // Batch-norm statistics are recalibrated per subnet on training images.
      shared.useCalibration(data.train, DEFAULT_TRAIN_OPTIONS.calibrationImages, seed);
      return scoredOn(sharedSource(shared, data.test));
    }
    return scoredOn(
      trainSource(spec, data, {
        ...DEFAULT_TRAIN_OPTIONS,
        ...parseTrainEpochs(trainEpochs, DEFAULT_TRAIN_OPTIONS),
        seed,
        imageSide: side,
      }),
    );
  }
  return fail(D.accuracySourceKind, `--accuracy must be train, table:FILE or predictor:FILE, got '${value}'`);
}

/** A subnet's MACs (the same for any input element type), each configuration counted once. */
function macCounter(spec: SupernetSpec): (c: SubnetConfig) => number {
  const cache = new Map<string, number>();
  return (c) => {
    const k = configKey(c);
    if (!cache.has(k)) cache.set(k, analyzeNetwork(lowerSubnet(spec, c)).totals.macs);
    return cache.get(k)!;
  };
}

/** The hardware level for `--space SP --baseline B`: NAAS (accelerator and mappings) per subnet. */
async function spaceHardware(
  prog: Program,
  file: string,
  o: NasCliOptions,
  spec: SupernetSpec,
  seed: number,
  macs: (c: SubnetConfig) => number,
): Promise<{ score: (c: SubnetConfig) => Promise<HardwareScore>; describe: Record<string, unknown> }> {
  const { buildWorkloads } = await import('../naas/problems.ts');
  const { inlineRunner } = await import('../naas/search.ts');
  const { runStrategy } = await import('../naas/strategy/index.ts');
  const { parseBudget } = await import('./search.ts');
  const space = pickDeclared('space', o.space!, prog.spaces, file);
  const baseline = pickDeclared('accelerator', o.baseline!, prog.accelerators, file);
  const resources = space.resources ? pickDeclared('accelerator', space.resources, prog.accelerators, file) : baseline;
  const budget = parseBudget(o.budget);
  return {
    describe: { space: space.name, baseline: baseline.name, budget: o.budget },
    async score(c) {
      const net = lowerSubnet(spec, c, 'int8');
      const workloads = buildWorkloads([net]);
      const res = await runStrategy('naas', { workloads, space, resources, seed, budget, run: inlineRunner });
      const best = res.best;
      const edp = best.networks.length ? best.networks[0].edp : best.energyPj * best.cycles;
      return {
        value: edp,
        macs: macs(c),
        feasible: best.valid !== false,
        extra: { cycles: best.cycles, energy_pj: Math.round(best.energyPj) },
      };
    },
  };
}

/** The hardware level for `--target MCU`: the patch schedule nacc mcu would emit, within SRAM and flash. */
async function targetHardware(
  prog: Program,
  o: NasCliOptions,
  spec: SupernetSpec,
  macs: (c: SubnetConfig) => number,
): Promise<{ score: (c: SubnetConfig) => Promise<HardwareScore>; describe: Record<string, unknown> }> {
  const { resolveBoard } = await import('../mcu/targets.ts');
  const { graphFromNetwork } = await import('../mcu/patch/graph.ts');
  const { decideSchedule } = await import('../mcu/patch/report.ts');
  const { programRules } = await import('../mcu/patch/compile.ts');
  const board = resolveBoard(o.target!, prog.mcus);
  const rules = programRules({});
  return {
    describe: { target: board.name, sram_bytes: board.sramBytes, flash_bytes: board.flashBytes },
    async score(c) {
      const net = lowerSubnet(spec, c, 'int8');
      const d = decideSchedule(graphFromNetwork(net), { schedule: 'auto', sramBytes: board.sramBytes, rules });
      const flash = flashBytesOf(net);
      const sram = d.chosen.peakSramBytes;
      return {
        value: sram,
        macs: macs(c),
        feasible: sram <= board.sramBytes && flash <= board.flashBytes,
        extra: {
          flash_bytes: flash,
          schedule: d.chosen.kind === 'patch' ? `patch ${d.chosen.patches}x${d.chosen.patches} split ${d.chosen.split}` : 'layer',
        },
      };
    },
  };
}

/** A point as JSON: the hardware value under its own name (`edp` or `peak_sram_bytes`). */
function pointJson(p: NasPoint, metric: 'edp' | 'peak_sram_bytes') {
  return {
    config: p.config,
    accuracy: Number(p.accuracy.toFixed(6)),
    accuracy_source: p.accuracy_source,
    [metric]: p.value,
    macs: p.macs,
    feasible: p.feasible,
    ...(p.extra ?? {}),
  };
}

export function registerNas(program: Command): void {
  program
    .command('nas <file>')
    .description('network-level search over a supernet: accuracy with the accelerator (--space) or the microcontroller schedule (--target)')
    .requiredOption('--supernet <name>', 'the supernet declaration to search')
    .option('--space <name>', 'NAAS design space: each subnet gets its own accelerator and mappings (with --baseline)')
    .option('--baseline <accelerator>', 'with --space: the accelerator whose resources bound the space')
    .option('--target <mcu>', 'microcontroller: each subnet gets its patch schedule, within SRAM and flash')
    .requiredOption(
      '--accuracy <source>',
      'train (weight-sharing supernet on its data set), table:FILE (CSV config,accuracy) or predictor:FILE (ONNX)',
    )
    .option('--seed <k>', 'seed of the search (and of training)', SHARED_DEFAULTS.seed)
    .option('--population <n>', 'subnets per generation', '12')
    .option('--generations <n>', 'generations of the joint search', '6')
    .option('--budgets <n>', 'MAC budgets of the sequential baseline', '4')
    .option('--budget <preset>', 'with --space: the inner NAAS budget per subnet (tiny|small|default|large)', 'tiny')
    .option('--with <files...>', 'more .nacc files providing the space, accelerators or mcu targets')
    .option('--train-epochs <l,s>', 'with --accuracy train: epochs of the largest subnet, then of sandwich sampling')
    .option(
      '--weights <file>',
      'with --accuracy train: trained supernet weights (a nacc-supernet-weights/1 file, e.g. from bench/nas-fashion.ts --weights) instead of training here',
    )
    .option('--test-images <n>', 'with --accuracy train: score subnets on the first N images of the test split (default: all of it)')
    .option(
      '--json',
      'print JSON: {"pareto":[{"config","accuracy","accuracy_source","edp"|"peak_sram_bytes","macs"}],"sequential":{...},"evaluations","seconds"}',
    )
    .option('--out <dir>', 'write result.json, the front as CSV, each front subnet as .nacc, and report.html')
    .action(async (file: string, o: NasCliOptions) => {
      if (!o.space === !o.target) fail(D.nasTarget, 'give either --space SP --baseline B (accelerator) or --target MCU (microcontroller)');
      if (o.space && !o.baseline) fail(D.nasTarget, '--space needs --baseline B (the accelerator whose resources bound the search)');
      if (o.target && o.baseline) fail(D.nasTarget, '--baseline applies to --space, not --target');
      const seed = parseSeed(o.seed);
      const population = parsePositiveInt(o.population, '--population')!;
      const generations = parsePositiveInt(o.generations, '--generations')!;
      const budgets = parsePositiveInt(o.budgets, '--budgets')!;
      const prog = loadPrograms([file, ...(o.with ?? [])]);
      const spec = pickDeclared('supernet', o.supernet, prog.supernets, file);
      const t0 = performance.now();
      const testImages = o.testImages === undefined ? undefined : parsePositiveInt(o.testImages, '--test-images')!;
      const source = await openSource(spec, o.accuracy, seed, o.trainEpochs, o.weights, testImages);
      const trainSeconds = (performance.now() - t0) / 1000;
      const metric = o.space ? 'edp' : 'peak_sram_bytes';
      const macs = macCounter(spec);
      const hw = o.space ? await spaceHardware(prog, file, o, spec, seed, macs) : await targetHardware(prog, o, spec, macs);
      const res: NasResult = await networkSearch({ spec, source, hardware: hw.score, macs, seed, population, generations, budgets });
      const seconds = (performance.now() - t0) / 1000;
      const json = {
        file,
        supernet: spec.name,
        seed,
        accuracy_source: source.name,
        objective: metric,
        ...hw.describe,
        pareto: res.pareto.map((p) => pointJson(p, metric)),
        sequential: {
          pareto: res.sequential.pareto.map((p) => pointJson(p, metric)),
          chosen: res.sequential.chosen.map((p) => pointJson(p, metric)),
          mac_budgets: res.sequential.mac_budgets,
          evaluations: { accuracy: res.sequential.accuracy_evaluations, hardware: res.sequential.hardware_evaluations },
        },
        evaluations: res.evaluations.accuracy + res.evaluations.hardware,
        evaluations_by_level: res.evaluations,
        seconds: Number(seconds.toFixed(2)),
        ...(o.accuracy === 'train' ? { train_seconds: Number(trainSeconds.toFixed(2)), test_images: source.testImages } : {}),
      };
      if (o.out) {
        await writeOutputDir(o.out, (dir) => {
          writeFileSync(join(dir, 'result.json'), `${JSON.stringify(json, null, 2)}\n`);
          const csv = [
            'front,config,accuracy,accuracy_source,' + metric + ',macs',
            ...res.pareto.map((p) => `joint,${p.config},${p.accuracy},${p.accuracy_source},${p.value},${p.macs}`),
            ...res.sequential.pareto.map((p) => `sequential,${p.config},${p.accuracy},${p.accuracy_source},${p.value},${p.macs}`),
          ];
          writeFileSync(join(dir, 'pareto.csv'), `${csv.join('\n')}\n`);
          res.pareto.forEach((p, i) => writeFileSync(join(dir, `subnet-${i}.nacc`), subnetSource(spec, parseConfigKey(spec, p.config)!)));
          writeFileSync(
            join(dir, 'report.html'),
            nasReportHtml({
              title: `NAS: ${spec.name} (${metric === 'edp' ? 'accelerator' : 'microcontroller'})`,
              metric,
              joint: res.pareto,
              evaluated: res.evaluated,
              sequential: res.sequential.pareto,
              source: source.name,
            }),
          );
        });
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const fmt = (p: NasPoint) =>
        `  ${(p.accuracy * 100).toFixed(2).padStart(6)}%  ${metric === 'edp' ? p.value.toExponential(3) : `${p.value} B`}  ${p.macs} MACs  ${p.config}`;
      const lines = [
        `supernet ${spec.name}: ${res.evaluated.length} subnets scored (accuracy from ${source.name}; ${metric === 'edp' ? `EDP after NAAS in ${o.space}` : `peak SRAM on ${o.target}`}), ${seconds.toFixed(1)} s`,
        'joint Pareto front (accuracy, ' + metric + ', MACs, config):',
        ...res.pareto.map(fmt),
        'sequential (network first under MAC budgets, then hardware):',
        ...res.sequential.pareto.map(fmt),
      ];
      if (o.out)
        lines.push(`wrote ${o.out}/ (result.json, pareto.csv, subnet-*.nacc, report.html); next: nacc inspect ${o.out}/subnet-0.nacc`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
