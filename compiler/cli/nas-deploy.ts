// `nacc nas-deploy FILE --supernet S --target MCU [--config KEY | --from DIR]`: a trained subnet
// end to end on a microcontroller — int8 calibration on real training images, the C program,
// that program over the whole test split on the host and in QEMU, int8 beside float accuracy.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { D, VerificationError, fail, pickDeclared } from '../diagnostics/index.ts';
import { loadPrograms } from '../frontend/index.ts';
import type { SubnetConfig, SupernetSpec } from '../ir/supernet.ts';
import type { SharedSupernet } from '../nas/accuracy/train.ts';
import { configKey, largestConfig, parseConfigKey, smallestConfig, subnetName } from '../nas/supernet.ts';
import { fileNameSegment } from '../util/names.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { SHARED_DEFAULTS, notApplicable, parseChoice, parsePositiveInt, parseSeed, writeJson } from './options.ts';
import { parseTrainEpochs } from './nas.ts';
import { formatTable, thousands } from './table.ts';

interface DeployCliOptions {
  supernet: string;
  target: string;
  config?: string;
  from?: string;
  trainEpochs?: string;
  weights?: string;
  calibration: string;
  images?: string;
  reference: string;
  schedule: string;
  host: boolean;
  qemu: boolean;
  seed: string;
  with?: string[];
  json?: boolean;
  out?: string;
}

/** The subnet to deploy: `--config` (a key, largest or smallest) or the pick of a `nacc nas --out DIR` result. */
function chooseConfig(spec: SupernetSpec, o: DeployCliOptions): SubnetConfig {
  if (o.config !== undefined && o.from !== undefined) fail(D.nasDeployConfig, 'give --config or --from, not both');
  if (o.from !== undefined) {
    const file = join(o.from, 'result.json');
    let result: { supernet?: string; pareto?: { config: string; accuracy: number; feasible?: boolean }[] };
    try {
      result = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return fail(D.nasDeployFrom, `cannot read ${file} (the --out folder of a 'nacc nas' run)`);
    }
    if (result.supernet !== spec.name) fail(D.nasDeployFrom, `${file} is a search of supernet '${result.supernet}', not '${spec.name}'`);
    // The chosen subnet: the most accurate one that fits, on the joint front.
    const best = (result.pareto ?? []).filter((p) => p.feasible !== false).sort((a, b) => b.accuracy - a.accuracy)[0];
    if (!best) fail(D.nasDeployFrom, `${file}: no subnet on the joint front fits its target`);
    const c = parseConfigKey(spec, best.config);
    if (!c) fail(D.nasDeployFrom, `${file}: '${best.config}' is not a configuration of supernet '${spec.name}'`);
    return c!;
  }
  const key = o.config ?? 'largest';
  if (key === 'largest') return largestConfig(spec);
  if (key === 'smallest') return smallestConfig(spec);
  const c = parseConfigKey(spec, key);
  if (!c)
    fail(
      D.nasDeployConfig,
      `--config '${key}' is not a configuration of supernet '${spec.name}' (largest, smallest, or a key like ${configKey(smallestConfig(spec))})`,
    );
  return c!;
}

export function registerNasDeploy(program: Command): void {
  program
    .command('nas-deploy <file>')
    .description(
      'a trained subnet on a microcontroller: int8 calibration on training images, C, and its accuracy over the test split on the host and in QEMU beside the float accuracy',
    )
    .requiredOption('--supernet <name>', 'the supernet declaration (its data set is trained on and tested)')
    .requiredOption('--target <mcu>', 'microcontroller: a built-in board or an mcu declared in the files')
    .option('--config <key>', 'the subnet: largest, smallest or a configuration key (r28/d2-w1-e3-k5/...); default largest')
    .option('--from <dir>', "the subnet a 'nacc nas --target ... --out DIR' run chose: the most accurate feasible one on its joint front")
    .option('--weights <file>', 'trained supernet weights (a nacc-supernet-weights/1 file) instead of training here')
    .option(
      '--train-epochs <l,s>',
      'epochs of the largest subnet, then of sandwich sampling, when training the supernet here (default 3,3)',
    )
    .option('--calibration <n>', 'training images the int8 activation ranges are calibrated on', '500')
    .option('--images <n>', 'test images to run (default: the whole test split)')
    .option('--reference <n>', 'test images also run through the int8 reference executor, outputs compared byte for byte', '20')
    .option('--schedule <kind>', 'execution schedule (layer|patch|auto)', SHARED_DEFAULTS.schedule)
    .option('--no-host', 'skip the host (gcc) run')
    .option('--no-qemu', 'skip the QEMU (Cortex-M4) run')
    .option('--seed <k>', 'seed of training and of the calibration sample', SHARED_DEFAULTS.seed)
    .option('--with <files...>', 'more .nacc files providing mcu targets')
    .option(
      '--json',
      'print JSON: {"config","float_accuracy","int8_accuracy","images","calibration_images","host":{...},"qemu":{"accuracy","instructions_per_inference",...},...}',
    )
    .option('--out <dir>', 'the program folder, built and run in place, with deploy.json (default mcu-out/<subnet>-<target>)')
    .action(async (file: string, o: DeployCliOptions) => {
      const schedule = parseChoice(o.schedule, '--schedule', ['layer', 'patch', 'auto'] as const, 'schedule');
      const seed = parseSeed(o.seed);
      const calibration = parsePositiveInt(o.calibration, '--calibration')!;
      const images = parsePositiveInt(o.images, '--images');
      const reference = parsePositiveInt(o.reference, '--reference')!;
      const prog = loadPrograms([file, ...(o.with ?? [])]);
      const spec = pickDeclared('supernet', o.supernet, prog.supernets, file);
      const { resolveBoard } = await import('../mcu/targets.ts');
      const board = resolveBoard(o.target, prog.mcus);
      const config = chooseConfig(spec, o);
      const { supernetData } = await import('../nas/data.ts');
      const { DEFAULT_TRAIN_OPTIONS, trainSupernet } = await import('../nas/accuracy/train.ts');
      const { deploySubnet, trainedSubnetOf } = await import('../nas/deploy.ts');
      const epochs = parseTrainEpochs(o.trainEpochs, DEFAULT_TRAIN_OPTIONS);
      const progress = (what: string) => process.stderr.isTTY && process.stderr.write(`${what}\n`);
      const t0 = performance.now();
      const data = await supernetData(spec, seed);
      if (o.weights !== undefined && o.trainEpochs !== undefined)
        notApplicable('--train-epochs', `the supernet's weights come from ${o.weights}`);
      let shared: SharedSupernet;
      if (o.weights !== undefined) {
        const { loadSupernetWeights } = await import('../nas/accuracy/weights-file.ts');
        shared = loadSupernetWeights(o.weights, spec);
        // batch-norm statistics are recalibrated per subnet on training images
        shared.useCalibration(data.train, DEFAULT_TRAIN_OPTIONS.calibrationImages, seed);
      } else {
        progress(`training supernet ${spec.name} on ${data.train.count} images (${epochs.largestEpochs}+${epochs.sandwichEpochs} epochs)`);
        shared = trainSupernet(spec, data.train, { ...DEFAULT_TRAIN_OPTIONS, ...epochs, seed, imageSide: data.side });
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const subnet = trainedSubnetOf(shared, config);
      const out = o.out ?? join('mcu-out', fileNameSegment(`${subnetName(spec, config)}-${board.name}`));
      const result = await writeOutputDir(out, async (dir) => {
        const r = await deploySubnet({
          spec,
          subnet,
          train: data.train,
          test: data.test,
          imageSide: data.side,
          board,
          mcu: { schedule },
          calibrationImages: calibration,
          images: images ?? data.test.count,
          referenceImages: reference,
          seed,
          host: o.host,
          qemu: o.qemu,
          dir,
          source: file,
          onProgress: progress,
        });
        const json = {
          supernet: spec.name,
          accuracy_source: 'train',
          ...(o.weights !== undefined ? { weights: o.weights } : { train_seconds: Number(trainSeconds.toFixed(2)) }),
          ...r,
          seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
        };
        writeFileSync(join(dir, 'deploy.json'), `${JSON.stringify(json, null, 2)}\n`);
        return json;
      });
      if (o.json) writeJson({ ...result, out });
      else {
        const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);
        process.stdout.write(
          `subnet ${result.config} of ${spec.name} on ${board.name} (${result.schedule.kind} schedule, peak SRAM ${thousands(result.peak_sram_bytes)} B, weights ${thousands(result.weight_bytes)} B)\n` +
            formatTable(
              ['images', 'float', 'int8 (host)', 'int8 (QEMU)', 'drop (points)', 'reference bit-exact', 'instructions / inference (QEMU)'],
              [
                [
                  thousands(result.images),
                  pct(result.float_accuracy),
                  pct(result.host?.accuracy),
                  pct(result.qemu?.accuracy),
                  result.drop_points.toFixed(2),
                  `${result.reference.bit_exact}/${result.reference.images}`,
                  result.qemu ? thousands(result.qemu.instructions_per_inference) : '-',
                ],
              ],
              ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
            ) +
            `\ncalibrated on ${result.calibration_images} training images; wrote ${out}/ (the C program, its batch harness batch_main.c, deploy.json)\n`,
        );
      }
      if (result.reference.bit_exact < result.reference.images || result.host?.agrees_with_qemu === false) {
        throw new VerificationError(
          `${out}: the generated program's outputs differ from the int8 reference executor or between host and QEMU`,
        );
      }
    });
}
