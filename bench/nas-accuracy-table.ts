// An accuracy table (`nacc nas --accuracy table:FILE`) from one trained supernet: a seeded
// sample of subnets (the largest and smallest included), each scored with its slice of the
// shared weights, batch norm recalibrated, on the first test images. Lets several search seeds
// share one set of accuracy measurements.
//   npx tsx bench/nas-accuracy-table.ts --weights FILE [--subnets 200] [--test 1000] [--seed 1] --out table.csv
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadPrograms } from '../compiler/frontend/index.ts';
import { DEFAULT_TRAIN_OPTIONS } from '../compiler/nas/accuracy/train.ts';
import { loadSupernetWeights } from '../compiler/nas/accuracy/weights-file.ts';
import { supernetData } from '../compiler/nas/data.ts';
import { configKey, largestConfig, sampleConfig, smallestConfig } from '../compiler/nas/supernet.ts';
import { Prng } from '../compiler/util/prng.ts';

const args = process.argv.slice(2);
const arg = (k: string, d?: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const weights = arg('--weights');
const out = arg('--out');
if (!weights || !out)
  throw new Error('usage: bench/nas-accuracy-table.ts --weights FILE --out table.csv [--subnets 200] [--test 1000] [--seed 1]');
const subnets = Number(arg('--subnets', '200'));
const testCount = Number(arg('--test', '1000'));
const seed = Number(arg('--seed', '1'));

const spec = loadPrograms(['examples/supernet.nacc']).supernets.find((s) => s.name === 'fashion_supernet')!;
const data = await supernetData(spec, seed);
const shared = loadSupernetWeights(weights, spec);
shared.useCalibration(data.train, DEFAULT_TRAIN_OPTIONS.calibrationImages, seed);
const rng = new Prng(seed);
const configs = new Map([largestConfig(spec), smallestConfig(spec)].map((c) => [configKey(c), c]));
for (let tries = 0; configs.size < subnets && tries < subnets * 20; tries++) {
  const c = sampleConfig(spec, rng);
  configs.set(configKey(c), c);
}
const t0 = performance.now();
const rows: string[] = ['config,accuracy'];
let k = 0;
for (const [key, c] of configs) {
  const a = shared.accuracy(c, data.test, testCount);
  rows.push(`${key},${a.toFixed(4)}`);
  if (++k % 20 === 0)
    console.error(`${k}/${configs.size} subnets (${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)})`);
}
writeFileSync(out, `${rows.join('\n')}\n`);
const accs = rows.slice(1).map((r) => Number(r.split(',')[1]));
console.log(
  `${configs.size} subnets of ${spec.name} scored on ${testCount} test images in ${((performance.now() - t0) / 1000).toFixed(0)} s (load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' ',
    )}): accuracy ${(Math.min(...accs) * 100).toFixed(2)}-${(Math.max(...accs) * 100).toFixed(2)}%, largest ${(accs[0] * 100).toFixed(2)}%, smallest ${(accs[1] * 100).toFixed(2)}%; wrote ${out}`,
);
