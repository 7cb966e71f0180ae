// A trained subnet end to end on a microcontroller: its trained float weights carried into the
// network, int8 calibration on real training images, the C program for the target, and that
// program run over a whole test split on the host (gcc) and in QEMU (one boot, batch harness),
// its int8 accuracy beside the float accuracy of the same subnet on the same images.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../fl/data.ts';
import { shuffleInts } from '../fl/data.ts';
import { Trainer, compileModel, type TrainableModel } from '../fl/trainer.ts';
import type { QModel } from '../ir/quantized.ts';
import { qTensorBytes } from '../ir/quantized.ts';
import type { SubnetConfig, SupernetSpec } from '../ir/supernet.ts';
import { quantizeNetwork } from '../mcu/calibrate.ts';
import { compileForMcu, type McuCompileOptions, type McuSummary } from '../mcu/compile.ts';
import { BATCH_MAIN, batchHarnessSource, runBatchHost, runBatchQemu } from '../../testbench/mcu/batch.ts';
import type { McuBoard } from '../mcu/targets.ts';
import { fromBytes, prepareModel, runModel, toBytes } from '../reference/int8/executor.ts';
import { Prng } from '../util/prng.ts';
import { resizeBatch } from './accuracy/resize.ts';
import type { SharedSupernet } from './accuracy/train.ts';
import { withTrainedWeights } from './deploy-weights.ts';
import { configKey, lowerSubnet } from './supernet.ts';

/** A subnet with its trained float parameters in the trainer's layout (`model` compiled from the subnet). */
export interface TrainedSubnet {
  config: SubnetConfig;
  model: TrainableModel;
  params: Float32Array;
}

/** A subnet of a trained supernet as a back end deploys it: batch norm (if any) folded into its convolutions. */
export function trainedSubnetOf(shared: SharedSupernet, c: SubnetConfig): TrainedSubnet {
  return { config: c, model: compileModel(lowerSubnet(shared.spec, c)), params: shared.foldedParamsOf(c) };
}

export interface DeployOptions {
  spec: SupernetSpec;
  subnet: TrainedSubnet;
  /** The data set's splits (images HWC at `imageSide`, `spec.channels` channels). */
  train: Dataset;
  test: Dataset;
  imageSide: number;
  board: McuBoard;
  mcu: McuCompileOptions;
  /** Training images the activation ranges are calibrated on (a seeded sample). */
  calibrationImages: number;
  /** Test images the program runs over (the first ones of the split). */
  images: number;
  /** Test images also run through the int8 reference executor, output bytes compared. */
  referenceImages: number;
  seed: number;
  host: boolean;
  qemu: boolean;
  /** Where the program folder is written and built (a fresh or staged folder). */
  dir: string;
  source: string;
  onProgress?: (what: string) => void;
}

export interface DeployResult {
  config: string;
  network: string;
  target: string;
  schedule: McuSummary['schedule'];
  peak_sram_bytes: number;
  weight_bytes: number;
  macs: number;
  images: number;
  calibration_images: number;
  float_accuracy: number;
  int8_accuracy: number;
  /** int8_accuracy - float_accuracy, in points. */
  drop_points: number;
  input_quant: { scale: number; zero_point: number };
  reference: { images: number; bit_exact: number };
  host?: { accuracy: number; agrees_with_qemu?: boolean; seconds: number };
  qemu?: {
    accuracy: number;
    instructions_per_inference: number;
    instructions_per_inference_max: number;
    stack_bytes: number;
    seconds: number;
  };
}

/** The first `count` images of `d`, resized to r x r (as the subnet sees them). */
function imagesAt(d: Dataset, idx: ArrayLike<number>, side: number, ch: number, r: number): Float32Array {
  const inSize = side * side * ch;
  const x = new Float32Array(idx.length * inSize);
  for (let i = 0; i < idx.length; i++) x.set(d.x.subarray(idx[i] * inSize, (idx[i] + 1) * inSize), i * inSize);
  return resizeBatch(x, idx.length, side, side, ch, r);
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Top-1 class of each of n outputs (int8 or float32 scores, first maximum on ties). */
export function argmaxRows(bytes: Uint8Array, n: number, classes: number, dtype: 'int8' | 'float32'): Int32Array {
  const v =
    dtype === 'int8'
      ? new Int8Array(bytes.buffer, bytes.byteOffset, n * classes)
      : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * classes * 4));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[i * classes + c] > v[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

const accuracyOf = (pred: Int32Array, labels: Int32Array) => pred.reduce((s, p, i) => s + (p === labels[i] ? 1 : 0), 0) / pred.length;

/** Float top-1 accuracy of the trained subnet on images already at its resolution. */
export function floatAccuracy(s: TrainedSubnet, x: Float32Array, labels: Int32Array, batch = 100): number {
  const t = new Trainer(s.model, batch);
  const pred = new Int32Array(labels.length);
  const inSize = s.model.inputSize;
  for (let at = 0; at < labels.length; at += batch) {
    const n = Math.min(batch, labels.length - at);
    t.predict(s.params, x.subarray(at * inSize, (at + n) * inSize), n, pred.subarray(at, at + n));
  }
  return accuracyOf(pred, labels);
}

/** Quantise float images with the model input's parameters into the program's input bytes. */
export function quantizeInputs(model: QModel, x: Float32Array): Uint8Array {
  const t = model.tensors[model.inputs[0]];
  if (t.dtype !== 'int8') throw new Error(`deploy: the program's input is ${t.dtype}; subnets are deployed with an int8 input`);
  const scale = t.quant!.scale[0];
  const zp = t.quant!.zeroPoint[0];
  const q = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = Math.max(-128, Math.min(127, Math.round(x[i] / scale) + zp));
  return new Uint8Array(q.buffer);
}

/** Quantise, emit, run and score a trained subnet. Writes the program folder into `o.dir`. */
export async function deploySubnet(o: DeployOptions): Promise<DeployResult> {
  const { spec, subnet, board } = o;
  const c = subnet.config;
  const ch = spec.channels;
  const r = c.resolution;
  // The deployed network takes int8 images, as the search sized its SRAM.
  const net = lowerSubnet(spec, c, 'int8');
  const trained = withTrainedWeights(net, subnet.model, subnet.params);
  if (compileModel(net).paramCount !== subnet.model.paramCount)
    throw new Error(`deploy: subnet ${configKey(c)}'s trained model does not match its network`);

  const calN = Math.min(o.calibrationImages, o.train.count);
  const order = range(o.train.count);
  shuffleInts(order, new Prng(o.seed * 7919 + 11));
  const calibration = imagesAt(o.train, order.subarray(0, calN), o.imageSide, ch, r);
  o.onProgress?.(`calibrating on ${calN} training images`);
  const qmodel = quantizeNetwork(trained, { seed: o.seed, source: o.source, inputs: { count: calN, data: calibration } });
  const compiled = compileForMcu(qmodel, board, o.mcu);
  const model = compiled.model;
  for (const [name, text] of Object.entries(compiled.program.files)) writeFileSync(join(o.dir, name), text);
  writeFileSync(join(o.dir, BATCH_MAIN), batchHarnessSource(model.name));
  // No nacc-mcu.json: `nacc verify` rebuilds a model from its source file, and trained weights
  // with real-image calibration are in no source file; the reference check below stands in.

  const n = Math.min(o.images, o.test.count);
  const testX = imagesAt(o.test, range(n), o.imageSide, ch, r);
  const labels = o.test.y.slice(0, n);
  o.onProgress?.(`float accuracy over ${n} test images`);
  const float = floatAccuracy(subnet, testX, labels);
  const inputs = quantizeInputs(model, testX);
  const inT = model.tensors[model.inputs[0]];
  const inBytes = qTensorBytes(inT);
  const outT = model.tensors[model.outputs[0]];
  const outBytes = model.outputs.reduce((s, id) => s + qTensorBytes(model.tensors[id]), 0);
  const classes = outT.shape[outT.shape.length - 1];
  if (outT.dtype !== 'int8' && outT.dtype !== 'float32') throw new Error(`deploy: output dtype ${outT.dtype}`);
  const scoreDtype = outT.dtype;
  writeFileSync(join(o.dir, 'test-labels.bin'), Uint8Array.from(labels));

  // The program's outputs must be the reference executor's, byte for byte, on a few images.
  const refN = Math.min(o.referenceImages, n);
  const params = prepareModel(model);
  const reference: Uint8Array[] = [];
  for (let i = 0; i < refN; i++) {
    const outs = runModel(model, [fromBytes(inT, inputs.subarray(i * inBytes, (i + 1) * inBytes), `test image ${i}`)], {}, params);
    reference.push(Uint8Array.from(Buffer.concat(outs.map((x) => Buffer.from(toBytes(x))))));
  }
  const exactCount = (outputs: Uint8Array) =>
    reference.filter((ref, i) => Buffer.compare(Buffer.from(ref), Buffer.from(outputs.subarray(i * outBytes, (i + 1) * outBytes))) === 0)
      .length;

  let host: DeployResult['host'];
  let qemu: DeployResult['qemu'];
  let int8 = NaN;
  let bitExact = refN;
  let hostOutputs: Uint8Array | undefined;
  if (o.host) {
    o.onProgress?.(`host program over ${n} test images`);
    const run = await runBatchHost(o.dir, inputs, n, outBytes);
    hostOutputs = run.outputs;
    const acc = accuracyOf(argmaxRows(run.outputs, n, classes, scoreDtype), labels);
    host = { accuracy: round(acc, 6), seconds: round(run.seconds, 2) };
    int8 = acc;
    bitExact = Math.min(bitExact, exactCount(run.outputs));
  }
  if (o.qemu) {
    o.onProgress?.(`QEMU (Cortex-M4) over ${n} test images`);
    const run = await runBatchQemu(o.dir, inputs, n, outBytes);
    const acc = accuracyOf(argmaxRows(run.outputs, n, classes, scoreDtype), labels);
    qemu = {
      accuracy: round(acc, 6),
      instructions_per_inference: Math.round(run.instructions!.total / n),
      instructions_per_inference_max: run.instructions!.per_inference_max,
      stack_bytes: run.stack_bytes!,
      seconds: round(run.seconds, 2),
    };
    if (host && hostOutputs) host.agrees_with_qemu = Buffer.compare(Buffer.from(hostOutputs), Buffer.from(run.outputs)) === 0;
    int8 = acc;
    bitExact = Math.min(bitExact, exactCount(run.outputs));
  }
  if (!o.host && !o.qemu) {
    // Neither program run: the int8 accuracy of the reference executor on every image.
    const all = new Uint8Array(n * outBytes);
    for (let i = 0; i < n; i++) {
      const outs = runModel(model, [fromBytes(inT, inputs.subarray(i * inBytes, (i + 1) * inBytes), `test image ${i}`)], {}, params);
      all.set(Buffer.concat(outs.map((x) => Buffer.from(toBytes(x)))), i * outBytes);
    }
    int8 = accuracyOf(argmaxRows(all, n, classes, scoreDtype), labels);
  }
  const s = compiled.summary;
  return {
    config: configKey(c),
    network: net.name,
    target: board.name,
    schedule: s.schedule,
    peak_sram_bytes: s.peak_sram_bytes,
    weight_bytes: s.weight_bytes,
    macs: s.macs,
    images: n,
    calibration_images: calN,
    float_accuracy: round(float, 6),
    int8_accuracy: round(int8, 6),
    drop_points: round((int8 - float) * 100, 4),
    input_quant: { scale: inT.quant!.scale[0], zero_point: inT.quant!.zeroPoint[0] },
    reference: { images: refN, bit_exact: bitExact },
    ...(host ? { host } : {}),
    ...(qemu ? { qemu } : {}),
  };
}

const round = (v: number, d: number) => Number(v.toFixed(d));
