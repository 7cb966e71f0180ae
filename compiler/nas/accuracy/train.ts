// The "train" accuracy source: a weight-sharing supernet trained with nacc's own trainer
// (largest subnet first, then sandwich sampling — largest, smallest and random subnets each
// step — as once-for-all does), and subnets scored on a held-out split with the shared
// weights. Convolutions are batch-normalised in training; a subnet's batch-norm statistics
// are recalibrated on a fixed sample of training images before it is scored, and folded into
// its convolutions when it is deployed (foldedParamsOf).
import type { Dataset } from '../../fl/data.ts';
import { shuffleInts } from '../../fl/data.ts';
import { foldBatchNorm } from '../../fl/fold-batch-norm.ts';
import { Trainer, accuracy, compileModel, initParams, type TrainableModel } from '../../fl/trainer.ts';
import type { SubnetConfig, SupernetSpec } from '../../ir/supernet.ts';
import { Prng } from '../../util/prng.ts';
import { configKey, largestConfig, lowerSubnet, sampleConfig, smallestConfig } from '../supernet.ts';
import { resizeBatch } from './resize.ts';
import type { AccuracySource } from './source.ts';
import { gatherParams, scatterAddGrad, shareIndex } from './weight-sharing.ts';

export interface SupernetTrainOptions {
  /** Epochs of the largest subnet alone, then of sandwich sampling. */
  largestEpochs: number;
  sandwichEpochs: number;
  /** Random subnets per sandwich step, beside the largest and the smallest. */
  randomPerStep: number;
  /**
   * How a sandwich step combines its subnets' gradients: 'sum' (once-for-all and BigNAS
   * accumulate them, so the largest keeps its full step) or 'mean' (each subnet moves the
   * shared weights at 1/k of the rate). On Fashion-MNIST, 2 + 1 epochs, mean without
   * distillation ended the largest half a point and the smallest 3.4 points below sum with it
   * (docs/network-search.md).
   */
  sandwichGradient: 'sum' | 'mean';
  /**
   * In-place distillation (BigNAS): in a sandwich step the largest subnet learns from the
   * labels and every other subnet from the largest's softmax outputs on the same batch.
   */
  distill: boolean;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  /** Batch normalisation after every convolution (recalibrated per subnet). */
  batchNorm: boolean;
  /** Training images each subnet's batch-norm statistics are recalibrated on. */
  calibrationImages: number;
  /** Side of the data set's square images and their channels. */
  imageSide: number;
  /** Shared weights to start from instead of He initialisation (continue a trained supernet, e.g. from a weights file). */
  initWeights?: Float32Array;
  /** Called after every epoch (progress; `net` holds the weights so far). */
  onEpoch?: (e: { phase: 'largest' | 'sandwich'; epoch: number; loss: number }, net: SharedSupernet) => void;
  /** Called every `every` steps with the steps done so far (checkpoints within long epochs). */
  onSteps?: { every: number; call: (step: number, totalSteps: number, net: SharedSupernet) => void };
}

/**
 * Calibration images per batch-statistics pass when batch norm is recalibrated: fixed, so a
 * subnet's accuracy does not depend on the batch size a supernet was built or loaded with.
 */
const CALIBRATION_CHUNK = 32;

/** Share of all steps over which the learning rate warms up, and the gradient-norm clip. */
const WARMUP_FRACTION = 0.03;
const CLIP_NORM = 2;

/** The learning-rate schedule and update rule trainSupernet follows, as facts a weights file records. */
export const TRAIN_SCHEDULE_FACTS = {
  lr_schedule: 'linear warm-up over the first 3% of all steps, then one cosine to 0 over all steps of both phases',
  warmup_fraction: WARMUP_FRACTION,
  clip_norm: CLIP_NORM,
} as const;

/** The sandwich phase's rule as a fact a weights file records. */
export function sandwichFacts(o: Pick<SupernetTrainOptions, 'sandwichGradient' | 'distill'>): Record<string, string> {
  return {
    sandwich_gradient: `${o.sandwichGradient} over the step's subnets (largest, smallest, random_per_step random)`,
    sandwich_targets: o.distill
      ? "largest: labels; the others: the largest's softmax on the same batch (in-place distillation)"
      : 'labels for every subnet',
  };
}

export const DEFAULT_TRAIN_OPTIONS: Omit<SupernetTrainOptions, 'imageSide' | 'seed'> = {
  largestEpochs: 3,
  sandwichEpochs: 3,
  randomPerStep: 2,
  sandwichGradient: 'sum',
  distill: true,
  batch: 32,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 4e-5,
  batchNorm: true,
  calibrationImages: 500,
};

interface Compiled {
  model: TrainableModel;
  trainer: Trainer;
  index: Int32Array;
  params: Float32Array;
}

/** A trained supernet: shared weights and what it takes to run any of its subnets. */
export class SharedSupernet {
  readonly supModel: TrainableModel;
  readonly weights: Float32Array;
  readonly log: { phase: 'largest' | 'sandwich'; epoch: number; loss: number }[] = [];
  readonly batchNorm: boolean;
  /** Training images (at imageSide) that batch-norm statistics are recalibrated on. */
  private calibration?: { x: Float32Array; count: number };
  private readonly cache = new Map<string, Compiled>();

  constructor(
    readonly spec: SupernetSpec,
    readonly batch: number,
    readonly imageSide: number,
    seed: number,
    opts: { batchNorm?: boolean } = {},
  ) {
    this.batchNorm = opts.batchNorm ?? false;
    this.supModel = compileModel(lowerSubnet(spec, largestConfig(spec)), { batchNorm: this.batchNorm });
    // He, not Glorot: it keeps the deep ReLU6 chain with global pooling learning when there
    // is no batch normalisation.
    this.weights = initParams(this.supModel, seed, 'he');
  }

  /** Take `count` training images, chosen by `seed`, as the batch-norm recalibration set. */
  useCalibration(data: Dataset, count: number, seed: number): void {
    const n = Math.min(count, data.count);
    const order = Int32Array.from({ length: data.count }, (_, i) => i);
    shuffleInts(order, new Prng(seed ^ 0xca11b));
    const d = data.x.length / data.count;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) x.set(data.x.subarray(order[i] * d, (order[i] + 1) * d), i * d);
    this.calibration = { x, count: n };
  }

  /** Recalibrate the subnet's batch-norm statistics for its current parameters (no-op without batch norm). */
  private recalibrate(c: SubnetConfig, s: Compiled): void {
    if (!this.batchNorm) return;
    const cal = this.calibration;
    if (!cal) throw new Error('supernet with batch norm: no calibration images (useCalibration)');
    s.trainer.recalibrate(s.params, this.resized(cal.x, cal.count, c.resolution), cal.count, CALIBRATION_CHUNK);
  }

  /** The compiled subnet (cached: a search scores many). */
  subnet(c: SubnetConfig): Compiled {
    const key = configKey(c);
    let s = this.cache.get(key);
    if (!s) {
      const model = compileModel(lowerSubnet(this.spec, c), { batchNorm: this.batchNorm });
      s = {
        model,
        trainer: new Trainer(model, Math.max(this.batch, CALIBRATION_CHUNK)),
        index: shareIndex(model, this.supModel),
        params: new Float32Array(model.paramCount),
      };
      if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, s);
    }
    return s;
  }

  /** The subnet's own parameters (a copy of its slice of the shared weights). */
  paramsOf(c: SubnetConfig): Float32Array {
    const s = this.subnet(c);
    return gatherParams(this.weights, s.index, new Float32Array(s.index.length));
  }

  /**
   * The subnet's parameters for the plain network `lowerSubnet` gives (no batch norm): its
   * slice of the shared weights with recalibrated batch-norm statistics folded into each
   * convolution's weights and bias. What a back end deploys.
   */
  foldedParamsOf(c: SubnetConfig): Float32Array {
    const s = this.subnet(c);
    gatherParams(this.weights, s.index, s.params);
    if (!this.batchNorm) return Float32Array.from(s.params);
    this.recalibrate(c, s);
    return foldBatchNorm(s.model, s.params, s.trainer.batchNorms, compileModel(lowerSubnet(this.spec, c)));
  }

  /** Accuracy of a subnet on `data` (its images resized to the subnet's resolution), batch norm recalibrated. */
  accuracy(c: SubnetConfig, data: Dataset, count = data.count): number {
    const s = this.subnet(c);
    gatherParams(this.weights, s.index, s.params);
    this.recalibrate(c, s);
    const x = this.resized(data.x, count, c.resolution);
    return accuracy(s.trainer, s.params, x, data.y, count);
  }

  /** Images of `data` at resolution r (the data set's own when equal). */
  resized(x: Float32Array, count: number, r: number): Float32Array {
    const side = this.imageSide;
    const ch = this.spec.channels;
    return r === side ? x.subarray(0, count * side * side * ch) : resizeBatch(x, count, side, side, ch, r);
  }
}

/** Train a supernet's shared weights on `train`. Deterministic for a seed. */
export function trainSupernet(spec: SupernetSpec, train: Dataset, o: SupernetTrainOptions): SharedSupernet {
  const net = new SharedSupernet(spec, o.batch, o.imageSide, o.seed, { batchNorm: o.batchNorm });
  if (o.initWeights) {
    if (o.initWeights.length !== net.weights.length)
      throw new Error(`initial weights: ${o.initWeights.length} parameters, the supernet has ${net.weights.length}`);
    net.weights.set(o.initWeights);
  }
  net.useCalibration(train, o.calibrationImages, o.seed);
  const rng = new Prng(o.seed ^ 0x5a17);
  const w = net.weights;
  const velocity = new Float32Array(w.length);
  const grad = new Float32Array(w.length);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const stepsPerEpoch = Math.floor(train.count / o.batch);
  const totalSteps = (o.largestEpochs + o.sandwichEpochs) * stepsPerEpoch;
  const side = o.imageSide;
  const ch = spec.channels;
  const inSize = side * side * ch;
  const bx = new Float32Array(o.batch * inSize);
  const by = new Int32Array(o.batch);
  const resizedBuf = new Map<number, Float32Array>();
  let step = 0;
  const largest = largestConfig(spec);
  const smallest = smallestConfig(spec);
  const teacher = new Float32Array(o.batch * spec.classes);
  const lossOf = (c: SubnetConfig, scale: number, soft?: Float32Array): number => {
    const s = net.subnet(c);
    gatherParams(w, s.index, s.params);
    let x: Float32Array = bx;
    if (c.resolution !== side) {
      let buf = resizedBuf.get(c.resolution);
      if (!buf) resizedBuf.set(c.resolution, (buf = new Float32Array(o.batch * c.resolution * c.resolution * ch)));
      x = resizeBatch(bx, o.batch, side, side, ch, c.resolution, buf);
    }
    const loss = s.trainer.lossAndGradient(s.params, x, by, o.batch, soft);
    scatterAddGrad(grad, s.index, s.trainer.grad, scale);
    return loss;
  };
  const phases: { phase: 'largest' | 'sandwich'; epochs: number }[] = [
    { phase: 'largest', epochs: o.largestEpochs },
    { phase: 'sandwich', epochs: o.sandwichEpochs },
  ];
  for (const { phase, epochs } of phases) {
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInts(order, rng);
      let lossSum = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        for (let i = 0; i < o.batch; i++) {
          const k = order[b * o.batch + i];
          bx.set(train.x.subarray(k * inSize, (k + 1) * inSize), i * inSize);
          by[i] = train.y[k];
        }
        grad.fill(0);
        if (phase === 'largest') lossSum += lossOf(largest, 1);
        else {
          // Sandwich rule: the largest and the smallest bound the space; random ones fill it.
          const subnets = [largest, smallest, ...Array.from({ length: o.randomPerStep }, () => sampleConfig(spec, rng))];
          const scale = o.sandwichGradient === 'sum' ? 1 : 1 / subnets.length;
          let l = 0;
          for (const c of subnets) {
            l += lossOf(c, scale, o.distill && c !== largest ? teacher : undefined);
            // The largest comes first: its softmax on this batch is the others' target.
            if (o.distill && c === largest) net.subnet(c).trainer.softmaxOf(o.batch, teacher);
          }
          lossSum += l / subnets.length;
        }
        // SGD with momentum and weight decay; the learning rate warms up linearly, then follows a
        // cosine over both phases; the gradient's norm is clipped (without batch normalisation an
        // early large step can kill every ReLU for good: the loss then sits at ln(classes)).
        const warm = Math.max(1, Math.round(WARMUP_FRACTION * totalSteps));
        const lr =
          step < warm
            ? (o.lr * (step + 1)) / warm
            : 0.5 * o.lr * (1 + Math.cos((Math.PI * (step - warm)) / Math.max(1, totalSteps - warm)));
        let norm = 0;
        for (let i = 0; i < grad.length; i++) norm += grad[i] * grad[i];
        norm = Math.sqrt(norm);
        const clip = norm > CLIP_NORM ? CLIP_NORM / norm : 1;
        for (let i = 0; i < w.length; i++) {
          const g = clip * grad[i] + o.weightDecay * w[i];
          velocity[i] = o.momentum * velocity[i] + g;
          w[i] -= lr * velocity[i];
        }
        step++;
        if (o.onSteps && step % o.onSteps.every === 0) o.onSteps.call(step, totalSteps, net);
      }
      const e = { phase, epoch, loss: stepsPerEpoch ? lossSum / stepsPerEpoch : 0 };
      net.log.push(e);
      o.onEpoch?.(e, net);
    }
  }
  return net;
}

/** The `train` accuracy source: trains the supernet once, then scores subnets on the test split. */
export function trainSource(
  spec: SupernetSpec,
  data: { train: Dataset; test: Dataset },
  o: SupernetTrainOptions,
): AccuracySource & { shared: SharedSupernet } {
  return sharedSource(trainSupernet(spec, data.train, o), data.test);
}

/** The `train` accuracy source over an already trained supernet (e.g. loaded from a weights file). */
export function sharedSource(shared: SharedSupernet, test: Dataset): AccuracySource & { shared: SharedSupernet } {
  return {
    name: 'train',
    shared,
    async accuracy(configs) {
      return configs.map((c) => shared.accuracy(c, test));
    },
  };
}
