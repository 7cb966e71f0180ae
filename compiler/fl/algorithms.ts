// FedAvg, DGA and local SGD as clock-free state machines: a FlWorker computes local steps and
// says when it needs a round average; an Aggregator averages round messages. The simulator
// (virtual clock) and the loopback transport (wall clock) drive the same objects.
//
// DGA (Zhu et al., NeurIPS 2021), with N workers and K local steps per round: worker i sends
// its round sum m_t^i (the sum of the update directions it applied in round t). At the local
// step k (1..K) with k = D (mod K) it applies, once the average of round
// r = t - 1 - floor((D - 1) / K) is back,  w <- w - lr * (g - m_r^i + mean_r),  swapping its
// own stale contribution for the average; every other step is plain SGD. D = 0 gives r = t at
// k = K: the end-of-round barrier of FedAvg.
//
// A worker keeps its model as  w = c - lr * (sum of its pending round sums)  where c, the
// consensus, changes only by  c <- c - lr * mean_r  (the same float ops on every worker and
// on the aggregator, so all copies of c are bit-identical). Each step then is exactly
// w <- w - lr * d in real arithmetic, and dropping m_r from the pending set cancels the
// worker's own contribution exactly, which is what makes DGA(K, 0) equal FedAvg bit for bit.
import type { FlAlgorithm } from '../ir/targets.ts';
import type { Dataset } from './data.ts';
import { Prng } from '../util/prng.ts';
import { Trainer } from './trainer.ts';
import { shuffleInts } from './data.ts';

export interface AlgoConfig {
  kind: FlAlgorithm['kind'];
  /** Local steps per round. */
  K: number;
  /** DGA delay in local steps (0 for FedAvg and local SGD). */
  D: number;
  lr: number;
  momentum: number;
  batch: number;
  /** DGA warm-up: the first rounds are averaged synchronously (as FedAvg) before the delay starts. */
  syncRounds?: number;
  /**
   * DGA cool-down: the job's last rounds are averaged synchronously (as FedAvg), so the final
   * model is formed without stale gradients; needs `totalRounds`.
   */
  finalSyncRounds?: number;
  /** Rounds in the job (local steps per worker / K); only the cool-down and the tail average read it. */
  totalRounds?: number;
  /**
   * DGA tail average: the job's final model is the mean of the consensus after each of its last
   * `tailRounds` rounds (Polyak–Ruppert iterate averaging, as SWA does) instead of the last one;
   * needs `totalRounds`. Formed by the aggregator from models it already holds: no message, no time.
   */
  tailRounds?: number;
  /**
   * DGA: weight of the worker's own finished rounds still in flight in the model it computes
   * gradients at (1: the paper's DGA; below 1 leans towards the delayed consensus).
   */
  localWeight?: number;
  /** Learning-rate schedule over the job's local steps (absent: constant lr). */
  schedule?: LrSchedule;
}

/** lr(s) = lr * scale(s): linear warm-up over the first steps, then constant or cosine decay. */
export interface LrSchedule {
  warmupSteps: number;
  decay: 'constant' | 'cosine';
  totalSteps: number;
  /** The cosine decay spans the last decaySteps steps (absent: every step after the warm-up). */
  decaySteps?: number;
}

export interface OptimizerSpec {
  lr: number;
  momentum: number;
  warmupSteps?: number;
  decay?: 'constant' | 'cosine';
  decaySteps?: number;
}

export function algoConfig(alg: FlAlgorithm, opt: OptimizerSpec, batch: number, totalSteps = 0): AlgoConfig {
  const cfg: AlgoConfig = {
    kind: alg.kind,
    K: alg.localSteps,
    D: alg.kind === 'dga' ? alg.delay : 0,
    lr: opt.lr,
    momentum: opt.momentum,
    batch,
  };
  if (alg.kind === 'dga' && alg.syncRounds) cfg.syncRounds = alg.syncRounds;
  if (alg.kind === 'dga' && alg.localWeight !== undefined && alg.localWeight !== 1) cfg.localWeight = alg.localWeight;
  if (alg.kind === 'dga' && alg.finalSyncRounds) {
    cfg.finalSyncRounds = alg.finalSyncRounds;
    cfg.totalRounds = Math.floor(totalSteps / alg.localSteps);
  }
  if (alg.kind === 'dga' && alg.tailRounds) {
    cfg.tailRounds = alg.tailRounds;
    cfg.totalRounds = Math.floor(totalSteps / alg.localSteps);
  }
  if (opt.warmupSteps || (opt.decay && opt.decay !== 'constant'))
    cfg.schedule = {
      warmupSteps: opt.warmupSteps ?? 0,
      decay: opt.decay ?? 'constant',
      totalSteps,
      ...(opt.decaySteps !== undefined ? { decaySteps: opt.decaySteps } : {}),
    };
  return cfg;
}

/** The learning-rate factor of the step with 0-based global index s (1 without a schedule). */
export function lrScale(cfg: AlgoConfig, s: number): number {
  const sc = cfg.schedule;
  if (!sc) return 1;
  if (s < sc.warmupSteps) return (s + 1) / sc.warmupSteps;
  if (sc.decay === 'constant') return 1;
  const start = sc.decaySteps !== undefined ? Math.max(sc.warmupSteps, sc.totalSteps - sc.decaySteps) : sc.warmupSteps;
  if (s < start) return 1;
  const span = Math.max(1, sc.totalSteps - start);
  return 0.5 * (1 + Math.cos((Math.PI * Math.min(s - start, span)) / span));
}

/** The round whose average the step with 0-based global index s applies, or -1 for a plain step. */
export function correctionRound(cfg: AlgoConfig, s: number): number {
  const tail = coolDownStart(cfg);
  if (s >= tail * cfg.K) return coolDownRound(cfg, tail, s);
  return delayedRound(cfg, s);
}

/** The first round of DGA's synchronous cool-down (Infinity without one). */
function coolDownStart(cfg: AlgoConfig): number {
  if (cfg.kind !== 'dga' || !cfg.finalSyncRounds || cfg.totalRounds === undefined) return Infinity;
  return Math.max(0, cfg.totalRounds - cfg.finalSyncRounds);
}

/**
 * In the cool-down a round is applied at its own end (FedAvg's barrier). The rounds still in
 * flight when it starts are applied first, one per step in round order, each as soon as it is
 * finished (the worker waits for its average there); a round whose end finds older rounds still
 * queued is applied right after them. One average per step keeps every step a DGA step, and
 * with D = 0 the queue is always empty: FedAvg.
 */
function coolDownRound(cfg: AlgoConfig, tail: number, s: number): number {
  const first = tail * cfg.K;
  // The oldest round the delayed schedule had not applied before the cool-down.
  let next = 0;
  for (let b = first - 1; b >= 0; b--) {
    const r = delayedRound(cfg, b);
    if (r >= 0) {
      next = r + 1;
      break;
    }
  }
  for (let p = first; p <= s; p++) {
    const t = Math.floor(p / cfg.K);
    const finished = next < t || (next === t && (p % cfg.K) + 1 === cfg.K);
    if (p === s) return finished ? next : -1;
    if (finished) next++;
  }
  return -1;
}

/** DGA's schedule (with its synchronous warm-up): the round step s applies, or -1. */
function delayedRound(cfg: AlgoConfig, s: number): number {
  const t = Math.floor(s / cfg.K);
  const k = (s % cfg.K) + 1;
  const sync = cfg.syncRounds ?? 0;
  // FedAvg, local SGD and DGA's synchronous warm-up rounds: the barrier at the round's end.
  if (cfg.kind !== 'dga' || t < sync) return k === cfg.K ? t : -1;
  if (k % cfg.K !== cfg.D % cfg.K) return -1;
  const r = t - 1 - Math.floor((cfg.D - 1) / cfg.K);
  // Rounds of the warm-up were applied at their own end.
  return r >= sync ? r : -1;
}

/** Round sum message of one worker. */
export interface RoundMessage {
  worker: number;
  round: number;
  /** m_r^i (FedAvg, DGA) or the worker's model (local SGD). */
  values: Float32Array;
}

export class FlWorker {
  /** Global local-step index of the next step. */
  step = 0;
  readonly c: Float32Array;
  readonly w: Float32Array;
  private readonly v: Float32Array | undefined;
  /** Own round sums not yet replaced by an average, oldest first. */
  private readonly pending: { round: number; m: Float32Array }[] = [];
  private readonly averages = new Map<number, Float32Array>();
  private readonly rng: Prng;
  private readonly order: Int32Array;
  private cursor: number;
  private readonly bx: Float32Array;
  private readonly by: Int32Array;
  /** Loss of the last step's batch. */
  lastLoss = NaN;
  /** Update direction of the last step (for tests). */
  readonly lastDirection: Float32Array;

  constructor(
    readonly id: number,
    readonly cfg: AlgoConfig,
    init: Float32Array,
    private readonly data: Dataset,
    indices: Int32Array,
    seed: number,
    /** The round it starts at, its `init` being the consensus after the rounds before (a worker that rejoins, or a resumed job). */
    readonly firstRound = 0,
  ) {
    this.step = firstRound * cfg.K;
    this.c = Float32Array.from(init);
    this.w = Float32Array.from(init);
    this.v = cfg.momentum > 0 ? new Float32Array(init.length) : undefined;
    this.rng = new Prng(seed * 1000003 + id * 7919 + 17);
    this.order = Int32Array.from(indices);
    shuffleInts(this.order, this.rng);
    this.cursor = 0;
    this.bx = new Float32Array(cfg.batch * data.features);
    this.by = new Int32Array(cfg.batch);
    this.lastDirection = new Float32Array(init.length);
  }

  get round(): number {
    return Math.floor(this.step / this.cfg.K);
  }

  /** The round average the next step needs before it can be applied, or -1. */
  needs(): number {
    const r = correctionRound(this.cfg, this.step);
    // Rounds before its first are in the consensus it started from.
    return r >= this.firstRound ? r : -1;
  }

  hasAverage(round: number): boolean {
    return this.averages.has(round);
  }

  receiveAverage(round: number, mean: Float32Array): void {
    this.averages.set(round, mean);
  }

  private nextBatch(): void {
    const f = this.data.features;
    const n = this.order.length;
    for (let b = 0; b < this.cfg.batch; b++) {
      if (this.cursor >= n) {
        shuffleInts(this.order, this.rng);
        this.cursor = 0;
      }
      const s = this.order[this.cursor++];
      this.bx.set(this.data.x.subarray(s * f, (s + 1) * f), b * f);
      this.by[b] = this.data.y[s];
    }
  }

  /**
   * Compute the gradient of the next step and add its direction to the current round sum.
   * Returns the round message when this step completes a round (send it before applying).
   */
  compute(trainer: Trainer): RoundMessage | undefined {
    const cfg = this.cfg;
    const t = this.round;
    const k = (this.step % cfg.K) + 1;
    this.nextBatch();
    this.lastLoss = trainer.lossAndGradient(this.w, this.bx, this.by, cfg.batch);
    const g = trainer.grad;
    if (k === 1) this.pending.push({ round: t, m: new Float32Array(g.length) });
    const m = this.pending[this.pending.length - 1].m;
    const d = this.lastDirection;
    // The step's lr factor rides in the direction (w <- w - lr * d): a round sum carries the
    // learning rates it was applied with, and the average replaces it at those same rates.
    const sc = lrScale(cfg, this.step);
    let src = g;
    if (this.v) {
      const v = this.v;
      const mu = cfg.momentum;
      for (let j = 0; j < g.length; j++) v[j] = mu * v[j] + g[j];
      src = v;
    }
    for (let j = 0; j < g.length; j++) {
      d[j] = sc * src[j];
      m[j] += d[j];
    }
    if (k !== cfg.K) return undefined;
    if (cfg.kind === 'local_sgd') {
      // Local SGD exchanges models: the model after this step (pending still holds round t).
      const model = new Float32Array(g.length);
      this.modelInto(model);
      return { worker: this.id, round: t, values: model };
    }
    return { worker: this.id, round: t, values: Float32Array.from(m) };
  }

  /** Apply the computed step; the needed average (if any) must have arrived. */
  apply(): void {
    const r = this.needs();
    if (r >= 0) {
      const mean = this.averages.get(r);
      if (!mean) throw new Error(`worker ${this.id}: step ${this.step} needs the average of round ${r}`);
      const c = this.c;
      if (this.cfg.kind === 'local_sgd') c.set(mean);
      else {
        const lr = this.cfg.lr;
        for (let j = 0; j < c.length; j++) c[j] = c[j] - lr * mean[j];
      }
      const at = this.pending.findIndex((p) => p.round === r);
      if (at >= 0) this.pending.splice(at, 1);
      this.averages.delete(r);
      // Older averages than r can never be needed again.
      for (const key of this.averages.keys()) if (key < r) this.averages.delete(key);
    }
    this.modelInto(this.w);
    this.step++;
  }

  /** w = c - lr * sum(pending), oldest round first (the order fixes the float result). */
  private modelInto(out: Float32Array): void {
    if (this.cfg.localWeight !== undefined) return this.weightedInto(out, this.cfg.localWeight);
    const c = this.c;
    const lr = this.cfg.lr;
    const P = this.pending;
    switch (P.length) {
      case 0:
        out.set(c);
        return;
      case 1: {
        const a = P[0].m;
        for (let j = 0; j < c.length; j++) out[j] = c[j] - lr * a[j];
        return;
      }
      default: {
        for (let j = 0; j < c.length; j++) {
          let s = P[0].m[j];
          for (let q = 1; q < P.length; q++) s += P[q].m[j];
          out[j] = c[j] - lr * s;
        }
      }
    }
  }

  /**
   * w = c - lr * (a * sum of own finished rounds in flight + own sum of the round under way):
   * the model a worker steps from after its round's end is a mix of the delayed consensus and
   * its own model (FedDelAvg's weighting). Only the worker's model changes; the consensus, the
   * messages and so every average stay as in DGA.
   */
  private weightedInto(out: Float32Array, a: number): void {
    const c = this.c;
    const lr = this.cfg.lr;
    const computed = this.step + 1;
    out.set(c);
    for (const p of this.pending) {
      const f = (p.round + 1) * this.cfg.K <= computed ? lr * a : lr;
      const m = p.m;
      for (let j = 0; j < c.length; j++) out[j] -= f * m[j];
    }
  }
}

/**
 * Collects one message per worker per round and averages them in worker order. A dropped
 * worker (real mode: it disconnected or stalled) is no longer waited for: a round completes
 * when every worker still present has sent, and averages the messages it got.
 */
export class Aggregator {
  private readonly inbox = new Map<number, (Float32Array | undefined)[]>();
  private readonly absent = new Set<number>();
  /** The consensus model after every average applied so far (what is evaluated). */
  readonly consensus: Float32Array;
  roundsDone = 0;
  /** Messages each averaged round was formed from, in round order. */
  readonly contributors: number[] = [];
  /** Tail average: the sum (float64, in round order) of the consensus after each tail round so far, and their count. */
  tailSum: Float64Array | undefined;
  tailCount = 0;

  constructor(
    readonly cfg: AlgoConfig,
    readonly workers: number,
    init: Float32Array,
  ) {
    this.consensus = Float32Array.from(init);
  }

  /** Store a message; returns the average when the round is complete. */
  receive(msg: RoundMessage): Float32Array | undefined {
    let box = this.inbox.get(msg.round);
    if (!box) {
      box = new Array(this.workers).fill(undefined);
      this.inbox.set(msg.round, box);
    }
    if (box[msg.worker]) throw new Error(`duplicate message from worker ${msg.worker} for round ${msg.round}`);
    box[msg.worker] = msg.values;
    return this.completeIfReady(msg.round);
  }

  /** Stop waiting for a worker; returns the averages of rounds this completes, oldest first. */
  drop(worker: number): { round: number; mean: Float32Array }[] {
    this.absent.add(worker);
    return this.completeReady();
  }

  /** Averages of every round now complete (after a drop, or a round completed behind another). */
  completeReady(): { round: number; mean: Float32Array }[] {
    const out: { round: number; mean: Float32Array }[] = [];
    for (let mean; this.inbox.has(this.roundsDone) && (mean = this.completeIfReady(this.roundsDone));)
      out.push({ round: this.roundsDone - 1, mean });
    return out;
  }

  /** Whether the worker's message for the round is in (or the round is already averaged). */
  has(round: number, worker: number): boolean {
    return round < this.roundsDone || this.inbox.get(round)?.[worker] !== undefined;
  }

  /** Wait for the worker again (it rejoined). */
  readmit(worker: number): void {
    this.absent.delete(worker);
  }

  get present(): number {
    return this.workers - this.absent.size;
  }

  private completeIfReady(round: number): Float32Array | undefined {
    const box = this.inbox.get(round)!;
    // Rounds complete in order: a later round never overtakes an earlier one.
    if (round !== this.roundsDone) return undefined;
    for (let i = 0; i < this.workers; i++) if (!box[i] && !this.absent.has(i)) return undefined;
    const got = box.filter((m): m is Float32Array => m !== undefined);
    if (got.length === 0) return undefined;
    this.inbox.delete(round);
    const mean = averageInOrder(got);
    if (this.cfg.kind === 'local_sgd') this.consensus.set(mean);
    else {
      const lr = this.cfg.lr;
      const c = this.consensus;
      for (let j = 0; j < c.length; j++) c[j] = c[j] - lr * mean[j];
    }
    this.roundsDone++;
    this.contributors.push(got.length);
    this.addToTail();
    return mean;
  }

  /** The first round (1-based count of rounds done) whose consensus the tail average takes in. */
  get tailFrom(): number {
    const { tailRounds, totalRounds } = this.cfg;
    if (!tailRounds || totalRounds === undefined) return Infinity;
    return Math.max(1, totalRounds - tailRounds + 1);
  }

  private addToTail(): void {
    if (this.roundsDone < this.tailFrom) return;
    const c = this.consensus;
    const sum = (this.tailSum ??= new Float64Array(c.length));
    for (let j = 0; j < c.length; j++) sum[j] += c[j];
    this.tailCount++;
  }

  /**
   * The job's final model: the consensus, or with a tail average the mean of the consensus
   * after each tail round averaged so far (the consensus before the tail starts).
   */
  finalModel(): Float32Array {
    if (!this.tailSum || this.tailCount === 0) return this.consensus;
    const out = new Float32Array(this.tailSum.length);
    const inv = 1 / this.tailCount;
    for (let j = 0; j < out.length; j++) out[j] = this.tailSum[j] * inv;
    return out;
  }
}

/** Element-wise mean, summed in array order (so the result does not depend on arrival order). */
export function averageInOrder(xs: Float32Array[]): Float32Array {
  const out = new Float32Array(xs[0].length);
  const inv = 1 / xs.length;
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i][j];
    out[j] = s * inv;
  }
  return out;
}
