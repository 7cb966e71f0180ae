// Training steps per second of nacc's float32 trainer against TensorFlow.js's pure-JS CPU
// backend on the same models, data and batch size (SGD, softmax cross-entropy).
//   npx tsx bench/fl-trainer.ts [--json] [--seconds S]
import * as tf from '@tensorflow/tfjs';
import { buildNetwork, mlp } from '../compiler/fl/build.ts';
import { syntheticDigits } from '../compiler/fl/data.ts';
import { Trainer, compileModel, initParams } from '../compiler/fl/trainer.ts';
import type { Network } from '../compiler/ir/network.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 3) || 3;
const BATCH = 32;
const data = syntheticDigits(2048, 1);

const cnn = buildNetwork('digits_cnn', { name: 'image', type: { kind: 'feature', dtype: 'float32', shape: [16, 16, 1] } }, [
  { name: 'c1', op: 'conv2d', attrs: { out: 8, kernel: [3, 3], pad: [1, 1, 1, 1], act: 'relu' } },
  { name: 'p1', op: 'maxpool', attrs: { kernel: [2, 2], stride: [2, 2] } },
  { name: 'c2', op: 'conv2d', attrs: { out: 16, kernel: [3, 3], pad: [1, 1, 1, 1], act: 'relu' } },
  { name: 'p2', op: 'maxpool', attrs: { kernel: [2, 2], stride: [2, 2] } },
  { name: 'f', op: 'flatten' },
  { name: 'out', op: 'dense', attrs: { out: 10 } },
]);
const models: { net: Network; tfModel: () => tf.LayersModel }[] = [
  {
    net: mlp('digits_mlp', [16, 16, 1], 64, 10),
    tfModel: () =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [16, 16, 1] }),
          tf.layers.dense({ units: 64, activation: 'relu' }),
          tf.layers.dense({ units: 10 }),
        ],
      }),
  },
  {
    net: cnn,
    tfModel: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10 }),
        ],
      }),
  },
];

function timeLoop(step: (i: number) => void): number {
  for (let i = 0; i < 5; i++) step(i); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) step(n++);
  return n / ((performance.now() - t0) / 1000);
}

await tf.setBackend('cpu');
await tf.ready();
const batches = Math.floor(data.count / BATCH);
const rows: { model: string; params: number; nacc_steps_per_s: number; tfjs_steps_per_s: number; ratio: number }[] = [];
for (const { net, tfModel } of models) {
  const model = compileModel(net);
  const trainer = new Trainer(model, BATCH);
  const p = initParams(model, 1);
  const ours = timeLoop((i) => {
    const b = i % batches;
    trainer.lossAndGradient(p, data.x.subarray(b * BATCH * 256), data.y.subarray(b * BATCH), BATCH);
    const g = trainer.grad;
    for (let j = 0; j < p.length; j++) p[j] -= 0.05 * g[j];
  });
  const m = tfModel();
  const opt = tf.train.sgd(0.05);
  const xs = Array.from({ length: batches }, (_, b) =>
    tf.tensor4d(data.x.slice(b * BATCH * 256, (b + 1) * BATCH * 256), [BATCH, 16, 16, 1]),
  );
  const ys = Array.from({ length: batches }, (_, b) => tf.oneHot(tf.tensor1d(data.y.slice(b * BATCH, (b + 1) * BATCH), 'int32'), 10));
  const theirs = timeLoop((i) => {
    const b = i % batches;
    tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(ys[b], m.apply(xs[b]) as tf.Tensor) as tf.Scalar);
    });
  });
  rows.push({ model: net.name, params: model.paramCount, nacc_steps_per_s: ours, tfjs_steps_per_s: theirs, ratio: ours / theirs });
}
if (json) process.stdout.write(JSON.stringify({ batch: BATCH, backend: tf.getBackend(), tfjs: tf.version.tfjs, rows }, null, 2) + '\n');
else {
  process.stdout.write(`batch ${BATCH}, tfjs ${tf.version.tfjs} backend '${tf.getBackend()}'\n`);
  for (const r of rows)
    process.stdout.write(
      `${r.model.padEnd(12)} params ${String(r.params).padStart(6)}  nacc ${r.nacc_steps_per_s.toFixed(0).padStart(5)} steps/s  tfjs ${r.tfjs_steps_per_s.toFixed(0).padStart(5)} steps/s  ${r.ratio.toFixed(2)}x\n`,
    );
}
