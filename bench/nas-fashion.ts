// The network level on real data: trains the example supernet (examples/supernet.nacc) on
// Fashion-MNIST once, then runs the joint search and the sequential baseline against a
// microcontroller (--target) and an accelerator space (--space) for several seeds, and prints
// both fronts, where the joint front dominates, and the largest subnet's test accuracy.
//   npx tsx bench/nas-fashion.ts [--samples 60000] [--test 10000] [--epochs 3,1] (the recipe that meets the 88% bar, docs/network-search.md) [--seeds 1,2,3] [--space] [--json]
//     [--weights FILE] (write the shared weights after every epoch, weights-file.ts's format)
//     [--load FILE] (no training: the shared weights of an earlier run)
//     [--init FILE] (train starting from the shared weights of an earlier run instead of He initialisation)
//     [--checkpoint-steps K] (with --weights: also write them, and score the largest subnet, every K steps)
//     [--no-bn] [--lr 0.05] [--seeds none] (train and score only)
//     [--sandwich-gradient sum|mean] [--no-distill] (the sandwich step's rule; default sum with in-place distillation)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { loadPrograms } from '../compiler/frontend/index.ts';
import { prepareData } from '../compiler/fl/data.ts';
import { DEFAULT_TRAIN_OPTIONS, TRAIN_SCHEDULE_FACTS, sandwichFacts, sharedSource, trainSource } from '../compiler/nas/accuracy/train.ts';
import { loadSupernetWeights, readWeightsTraining, saveSupernetWeights } from '../compiler/nas/accuracy/weights-file.ts';
import { configKey, largestConfig, lowerSubnet, smallestConfig } from '../compiler/nas/supernet.ts';
import { dominates, networkSearch, type HardwareScore, type NasPoint } from '../compiler/nas/search.ts';
import { analyzeNetwork } from '../compiler/analysis/analyze.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { graphFromNetwork } from '../compiler/mcu/patch/graph.ts';
import { decideSchedule } from '../compiler/mcu/patch/report.ts';
import { programRules } from '../compiler/mcu/patch/compile.ts';
import { flashBytesOf } from '../compiler/nas/flash.ts';
import { buildWorkloads } from '../compiler/naas/problems.ts';
import { inlineRunner, type SearchBudget } from '../compiler/naas/search.ts';
import { runStrategy } from '../compiler/naas/strategy/index.ts';
import type { SubnetConfig } from '../compiler/ir/supernet.ts';

const args = process.argv.slice(2);
const arg = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const samples = Number(arg('--samples', '60000'));
const [le, se] = arg('--epochs', '3,1').split(',').map(Number);
const seeds = arg('--seeds', '1,2,3') === 'none' ? [] : arg('--seeds', '1,2,3').split(',').map(Number);
const weightsFile = args.includes('--weights') ? arg('--weights', '') : undefined;
const loadFile = args.includes('--load') ? arg('--load', '') : undefined;
const initFile = args.includes('--init') ? arg('--init', '') : undefined;
const checkpointSteps = Number(arg('--checkpoint-steps', '0'));
const batchNorm = !args.includes('--no-bn');
const lr = Number(arg('--lr', String(DEFAULT_TRAIN_OPTIONS.lr)));
const withSpace = args.includes('--space');
const testCount = Number(arg('--test', '10000'));

const prog = loadPrograms(['examples/supernet.nacc', 'examples/naas_accelerators.nacc']);
const spec = prog.supernets.find((s) => s.name === 'fashion_supernet')!;
const data = prepareData({ ...spec.data!, samples, args: { ...spec.data!.args, test: testCount } }, 1, 0);
const t0 = performance.now();
const sandwichGradient = arg('--sandwich-gradient', DEFAULT_TRAIN_OPTIONS.sandwichGradient);
if (sandwichGradient !== 'sum' && sandwichGradient !== 'mean') throw new Error(`--sandwich-gradient ${sandwichGradient}: sum or mean`);
const distill = !args.includes('--no-distill');
const trainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  largestEpochs: le,
  sandwichEpochs: se,
  seed: 0,
  imageSide: 28,
  batchNorm,
  lr,
  sandwichGradient,
  distill,
} as const;
/** The commit the run started from (with '+dirty' when the tree had changes), for the weights file. */
const commit = (() => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return head + (dirty ? '+dirty' : '');
  } catch {
    return 'unknown';
  }
})();
/** Every quick look at the largest subnet during training (epoch ends and step checkpoints): the curve. */
const curve: { step: number; phase?: string; epoch?: number; quick_largest_accuracy_1000: number; seconds: number; load: number }[] = [];
const facts = (extra: Record<string, unknown>) => ({
  command: `npx tsx bench/nas-fashion.ts ${args.join(' ')}`,
  commit,
  samples: data.train.count,
  image_side: 28,
  epochs: [le, se],
  batch: trainOptions.batch,
  lr,
  momentum: trainOptions.momentum,
  weight_decay: trainOptions.weightDecay,
  random_per_step: trainOptions.randomPerStep,
  seed: trainOptions.seed,
  calibration_images: trainOptions.calibrationImages,
  ...TRAIN_SCHEDULE_FACTS,
  ...sandwichFacts(trainOptions),
  ...initFacts,
  checkpoints: curve,
  ...extra,
});
const init = initFile ? loadSupernetWeights(initFile, spec) : undefined;
if (init && init.batchNorm !== batchNorm) throw new Error(`--init ${initFile}: batch norm ${init.batchNorm}, this run ${batchNorm}`);
const initFacts = initFile ? { init_from: initFile, init_training: readWeightsTraining(initFile) } : {};
const loaded = loadFile ? loadSupernetWeights(loadFile, spec) : undefined;
loaded?.useCalibration(data.train, trainOptions.calibrationImages, trainOptions.seed);
const source = loaded
  ? sharedSource(loaded, data.test)
  : trainSource(spec, data, {
      ...trainOptions,
      initWeights: init?.weights,
      onEpoch: (e, net) => {
        // A quick look at the largest subnet on the first 1,000 test images, and a checkpoint.
        const quick = net.accuracy(largestConfig(spec), data.test, Math.min(1000, data.test.count));
        curve.push({
          step: net.log.length * Math.floor(data.train.count / trainOptions.batch),
          phase: e.phase,
          epoch: e.epoch,
          quick_largest_accuracy_1000: quick,
          seconds: (performance.now() - t0) / 1000,
          load: loadavg()[0],
        });
        console.error(
          `train ${e.phase} epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, largest ${(quick * 100).toFixed(1)}% on 1,000 test images (${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)})`,
        );
        if (weightsFile)
          saveSupernetWeights(weightsFile, net, facts({ log: net.log, complete: false, seconds: (performance.now() - t0) / 1000 }));
      },
      onSteps:
        checkpointSteps > 0
          ? {
              every: checkpointSteps,
              call: (step, total, net) => {
                const quick = net.accuracy(largestConfig(spec), data.test, Math.min(1000, data.test.count));
                curve.push({ step, quick_largest_accuracy_1000: quick, seconds: (performance.now() - t0) / 1000, load: loadavg()[0] });
                console.error(
                  `train step ${step}/${total} (${step * trainOptions.batch} images): largest ${(quick * 100).toFixed(1)}% on 1,000 test images (${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)})`,
                );
                if (weightsFile)
                  saveSupernetWeights(
                    weightsFile,
                    net,
                    facts({
                      log: net.log,
                      complete: false,
                      steps_done: step,
                      total_steps: total,
                      quick_largest_accuracy_1000: quick,
                      seconds: (performance.now() - t0) / 1000,
                    }),
                  );
              },
            }
          : undefined,
    });
const trainSeconds = (performance.now() - t0) / 1000;
const [largestAcc, smallestAcc] = await source.accuracy([largestConfig(spec), smallestConfig(spec)]);
if (weightsFile && !loaded)
  saveSupernetWeights(
    weightsFile,
    source.shared,
    facts({
      log: source.shared.log,
      complete: true,
      seconds: trainSeconds,
      test_images: data.test.count,
      largest_accuracy: largestAcc,
      smallest_accuracy: smallestAcc,
    }),
  );
console.log(
  `${loaded ? `loaded ${loadFile} (${JSON.stringify(loaded.log)})` : `trained on ${data.train.count} Fashion-MNIST images (${le}+${se} epochs) in ${trainSeconds.toFixed(0)} s`}; test accuracy (${data.test.count} images): largest ${(largestAcc * 100).toFixed(2)}%, smallest ${(smallestAcc * 100).toFixed(2)}%`,
);

const macs = (c: SubnetConfig) => analyzeNetwork(lowerSubnet(spec, c)).totals.macs;
const board = resolveBoard('stm32f412');
const mcu = async (c: SubnetConfig): Promise<HardwareScore> => {
  const net = lowerSubnet(spec, c, 'int8');
  const d = decideSchedule(graphFromNetwork(net), { schedule: 'auto', sramBytes: board.sramBytes, rules: programRules({}) });
  return {
    value: d.chosen.peakSramBytes,
    macs: macs(c),
    feasible: d.chosen.peakSramBytes <= board.sramBytes && flashBytesOf(net) <= board.flashBytes,
  };
};
const space = prog.spaces.find((s) => s.name === 'naas_eyeriss')!;
const resources = prog.accelerators.find((a) => a.name === (space.resources ?? 'eyeriss'))!;
const tiny: SearchBudget = { generations: 3, population: 6, inner: { generations: 2, population: 6 }, baselineEvaluations: 200 };
const accel =
  (seed: number) =>
  async (c: SubnetConfig): Promise<HardwareScore> => {
    const res = await runStrategy('naas', {
      workloads: buildWorkloads([lowerSubnet(spec, c, 'int8')]),
      space,
      resources,
      seed,
      budget: tiny,
      run: inlineRunner,
    });
    return { value: res.best.networks[0]?.edp ?? res.best.energyPj * res.best.cycles, macs: macs(c), feasible: res.best.valid !== false };
  };

/** Points of `a` that no point of `b` matches or beats, and points of `b` some point of `a` dominates. */
const summary = (joint: NasPoint[], seq: NasPoint[]) => ({
  sequential_dominated: seq.filter((s) => joint.some((j) => dominates(j, s))).length,
  sequential: seq.length,
});
const fmt = (p: NasPoint, metric: string) =>
  `${(p.accuracy * 100).toFixed(2)}% ${metric === 'edp' ? p.value.toExponential(3) : `${p.value} B`} ${p.macs} MACs ${p.config}`;
const results: unknown[] = [];
for (const [metric, hw] of [['peak_sram_bytes', () => mcu] as const, ...(withSpace ? ([['edp', accel]] as const) : [])]) {
  for (const seed of seeds) {
    const s0 = performance.now();
    const r = await networkSearch({ spec, source, hardware: hw(seed), macs, seed, population: 12, generations: 6, budgets: 4 });
    const s = summary(r.pareto, r.sequential.pareto);
    console.log(
      `\n${metric} seed ${seed}: ${r.evaluated.length} subnets, ${((performance.now() - s0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)}; joint dominates ${s.sequential_dominated} of ${s.sequential} sequential points`,
    );
    console.log('  joint:      ' + r.pareto.map((p) => fmt(p, metric)).join('\n              '));
    console.log('  sequential: ' + r.sequential.pareto.map((p) => fmt(p, metric)).join('\n              '));
    results.push({ metric, seed, joint: r.pareto, sequential_front: r.sequential.pareto, ...s });
  }
}
if (args.includes('--json'))
  console.log(
    JSON.stringify(
      {
        samples,
        epochs: [le, se],
        train_seconds: trainSeconds,
        largest: largestAcc,
        smallest: smallestAcc,
        largest_config: configKey(largestConfig(spec)),
        results,
      },
      null,
      2,
    ),
  );
