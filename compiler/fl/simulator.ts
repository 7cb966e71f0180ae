// Virtual-clock simulation of a federated job: every worker computes its local steps for
// real (the trainer runs), while time is modelled — per-worker compute time per step, a
// one-way latency per message, serialisation at the link bandwidth, jitter and stragglers.
// FedAvg stalls every round for the round trip; DGA stalls only when an average is not back
// by the step that needs it. Events: step, send, arrive, average, stall, eval.
import type { FederatedJob } from '../ir/targets.ts';
import type { Network } from '../ir/network.ts';
import { D, fail } from '../diagnostics/index.ts';
import { Prng } from '../util/prng.ts';
import { Trainer, accuracy, compileModel, initParams, type TrainableModel } from './trainer.ts';
import { Aggregator, FlWorker, algoConfig, correctionRound, type AlgoConfig, type RoundMessage } from './algorithms.ts';
import type { FederatedData } from './data.ts';
import { frameBytes } from './frames.ts';

export interface FlEvent {
  /** Seconds of (virtual or wall-clock) time. */
  t: number;
  kind: 'step' | 'send' | 'arrive' | 'average' | 'stall' | 'eval';
  worker?: number;
  round?: number;
  /** Stall length in seconds; accuracy for eval. */
  value?: number;
}

export interface CurvePoint {
  round: number;
  time_s: number;
  accuracy: number;
}

/** Result of one job run, simulated or real. Field names are the CLI's JSON. */
export interface FlRunResult {
  name: string;
  algorithm: string;
  mode: 'simulated' | 'real';
  workers: number;
  /** The job's order seed, when one was given (`--order-seed`). */
  order_seed?: number;
  final_accuracy: number;
  time_to_target_s: number | null;
  target_accuracy: number | null;
  /** Rounds averaged by the aggregator. */
  rounds: number;
  steps_per_worker: number;
  total_time_s: number;
  step_time_ms: number;
  step_time_source: 'job' | 'device' | 'measured';
  /** One-way transfer time of one model-sized message: latency + size / bandwidth. */
  message_ms: number;
  message_bytes: number;
  /** Worker-to-aggregator messages the aggregator received (one per worker per round). */
  messages: number;
  /** Mean over workers of the time spent waiting for an average. */
  stall_s: number;
  curve: CurvePoint[];
  /** Time at which the aggregator formed each round's average (seconds). */
  average_times_s?: number[];
  events?: FlEvent[];
  transport?: string;
  /** Real mode: the link used, the userspace delay relay or the kernel's netem ('tbf': the tests' rate-only kernel link). */
  link?: 'relay' | 'netem' | 'tbf' | 'direct';
  /** Real mode: mean wall-clock milliseconds a worker spent computing one step (preemption included). */
  compute_ms_per_step?: number;
  /**
   * Real mode: the emulation's own delays per hop (ms), e.g. how late round sums left after
   * their step's end and how long each process took to read a frame after it was written.
   */
  overheads?: Record<string, { count: number; mean_ms: number; p95_ms: number; max_ms: number }>;
  /** Real mode: workers dropped (disconnected or silent) and after how many averaged rounds. */
  dropped?: { worker: number; after_rounds: number; reason: string }[];
  /** Real mode: workers that took a dropped worker's place. */
  rejoined?: { worker: number; at_round: number }[];
  /** Real mode: the checkpoint the aggregator resumed from (null: a fresh start). */
  resumed?: { from_round: number; checkpoint: string } | null;
  /** Real mode: how many workers each run of rounds was averaged from (fewer after a drop). */
  workers_per_round?: { from_round: number; workers: number }[];
}

/** Everything a run needs, built once from the job, its network and its data. */
export interface JobSetup {
  job: FederatedJob;
  model: TrainableModel;
  init: Float32Array;
  cfg: AlgoConfig;
  data: FederatedData;
  stepsPerWorker: number;
  /** Base compute time per step in ms and where it came from. */
  stepMs: number;
  stepSource: 'job' | 'device' | 'measured';
  /** Per-worker compute time per step (stragglers slowed). */
  workerStepMs: number[];
  messageBytes: number;
  evalEvery: number;
}

export interface SetupOptions {
  /** Override of the job's max_steps (local steps per worker). */
  maxSteps?: number;
  /** Milliseconds per step measured on this machine, used when the job gives no step time. */
  measureStepMs?: () => number;
}

const DEFAULT_STEPS = 1000;

export function setupJob(job: FederatedJob, net: Network, data: FederatedData, opts: SetupOptions = {}): JobSetup {
  const model = compileModel(net);
  if (data.train.features !== model.inputSize) {
    fail(
      D.flDataMismatch,
      `job '${job.name}': the data has ${data.train.features} values per sample but network '${net.name}' takes ${model.inputSize}`,
      job.location,
    );
  }
  if (data.train.classes > model.classes) {
    fail(
      D.flDataMismatch,
      `job '${job.name}': the data has ${data.train.classes} classes but network '${net.name}' outputs ${model.classes}`,
      job.location,
    );
  }
  if (!(job.workers >= 1)) fail(D.flJobSettings, `job '${job.name}': workers must be at least 1`, job.location);
  if (!(job.algorithm.localSteps >= 1)) fail(D.flJobSettings, `job '${job.name}': local_steps must be at least 1`, job.location);
  if (job.algorithm.kind === 'dga' && !(job.algorithm.delay >= 0))
    fail(D.flJobSettings, `job '${job.name}': delay must be 0 or more`, job.location);
  const stepsPerWorker = opts.maxSteps ?? job.maxSteps ?? DEFAULT_STEPS;
  const cfg = algoConfig(job.algorithm, job.optimizer, job.batch, stepsPerWorker);
  let stepMs: number;
  let stepSource: JobSetup['stepSource'];
  if (job.stepTimeMs !== undefined) {
    stepMs = job.stepTimeMs;
    stepSource = 'job';
  } else if (job.deviceGflops !== undefined) {
    // Forward + backward is about three forward passes; two flops per multiply-accumulate.
    stepMs = ((6 * model.forwardMacs * job.batch) / (job.deviceGflops * 1e9)) * 1000;
    stepSource = 'device';
  } else {
    if (!opts.measureStepMs) fail(D.flStepTime, `job '${job.name}' gives neither step_time nor device_gflops`, job.location);
    stepMs = opts.measureStepMs();
    stepSource = 'measured';
  }
  const rng = new Prng(job.seed * 31 + 5);
  const slow = Math.round((job.stragglers ?? 0) * job.workers);
  const order = Array.from({ length: job.workers }, (_, i) => i);
  rng.shuffle(order);
  const slowSet = new Set(order.slice(0, slow));
  const workerStepMs = order.map((_, i) => (slowSet.has(i) ? stepMs * (job.stragglerSlowdown ?? 3) : stepMs));
  const rounds = Math.floor(stepsPerWorker / cfg.K);
  return {
    job,
    model,
    init: initParams(model, job.seed),
    cfg,
    data,
    stepsPerWorker,
    stepMs,
    stepSource,
    workerStepMs,
    messageBytes: frameBytes(model.paramCount),
    evalEvery: Math.max(1, Math.ceil(rounds / 120)),
  };
}

/** Measure this machine's milliseconds per training step of a model (median of a few). */
export function measureStepMs(model: TrainableModel, data: FederatedData, batch: number): number {
  const t = new Trainer(model, batch);
  const p = initParams(model, 1);
  const f = data.train.features;
  const n = Math.min(batch, data.train.count);
  const x = data.train.x.subarray(0, n * f);
  const y = data.train.y.subarray(0, n);
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    t.lossAndGradient(p, x, y, n);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** One-way transfer time of a message in ms, before jitter. */
export function transferMs(job: FederatedJob, bytes: number): number {
  const ser = job.bandwidthMbitPerS ? ((bytes * 8) / (job.bandwidthMbitPerS * 1e6)) * 1000 : 0;
  return job.latencyMs + ser;
}

/** Evaluates the consensus model on (a prefix of) the test set. */
export class Evaluator {
  private readonly trainer: Trainer;
  constructor(
    private readonly setup: JobSetup,
    private readonly limit = 1000,
  ) {
    this.trainer = new Trainer(setup.model, 128);
  }
  curve(params: Float32Array): number {
    const te = this.setup.data.test;
    return accuracy(this.trainer, params, te.x, te.y, Math.min(this.limit, te.count));
  }
  full(params: Float32Array): number {
    const te = this.setup.data.test;
    return accuracy(this.trainer, params, te.x, te.y, te.count);
  }
}

/** The seed of the workers' minibatch order: the job's order seed, else its seed. */
export function workerSeed(setup: JobSetup): number {
  return setup.job.orderSeed ?? setup.job.seed;
}

export function makeWorkers(setup: JobSetup): FlWorker[] {
  return setup.data.parts.map((idx, i) => new FlWorker(i, setup.cfg, setup.init, setup.data.train, idx, workerSeed(setup)));
}

/** Time to the first curve point at or above the target, or null. */
export function timeToTarget(curve: CurvePoint[], target: number | undefined): number | null {
  if (target === undefined) return null;
  const hit = curve.find((p) => p.accuracy >= target);
  return hit ? hit.time_s : null;
}

interface SimEvent {
  t: number;
  seq: number;
  kind: 'step_done' | 'server_arrival' | 'worker_arrival';
  worker: number;
  round: number;
  msg?: RoundMessage;
  mean?: Float32Array;
}

/** Binary min-heap on (t, seq): equal times pop in insertion order, so runs are reproducible. */
class EventQueue {
  private readonly h: SimEvent[] = [];
  private seq = 0;
  push(e: Omit<SimEvent, 'seq'>): void {
    const ev = { ...e, seq: this.seq++ } as SimEvent;
    const h = this.h;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): SimEvent | undefined {
    const h = this.h;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: SimEvent, b: SimEvent) => a.t < b.t || (a.t === b.t && a.seq < b.seq);

export interface SimulateOptions {
  recordEvents?: boolean;
  /** Called after every applied step with the workers (tests watch the models). */
  onApplied?: (workers: FlWorker[], worker: number) => void;
  /** Called after each global average, with rounds done and the rounds the run will take (progress bars). */
  onAverage?: (roundsDone: number, totalRounds: number) => void;
  /** Called at the end with the aggregator's consensus model and the workers. */
  onFinish?: (consensus: Float32Array, workers: FlWorker[]) => void;
  /**
   * Model time only: no training, no evaluation. The schedule of a job never depends on its
   * numbers, so a trained run's accuracy per round can be re-timed under other network
   * conditions from this (see retime).
   */
  timingOnly?: boolean;
}

/** Stands in for FlWorker when only the clock matters: same schedule, no arithmetic. */
class ClockWorker {
  step = 0;
  private readonly arrived = new Set<number>();
  constructor(
    readonly id: number,
    private readonly cfg: AlgoConfig,
  ) {}
  get round(): number {
    return Math.floor(this.step / this.cfg.K);
  }
  needs(): number {
    return correctionRound(this.cfg, this.step);
  }
  hasAverage(r: number): boolean {
    return this.arrived.has(r);
  }
  receiveAverage(r: number): void {
    this.arrived.add(r);
  }
  compute(): RoundMessage | undefined {
    return (this.step % this.cfg.K) + 1 === this.cfg.K ? { worker: this.id, round: this.round, values: EMPTY } : undefined;
  }
  apply(): void {
    const r = this.needs();
    if (r >= 0) this.arrived.delete(r);
    this.step++;
  }
}
const EMPTY = new Float32Array(0);

/** Counts messages per round; the average itself is not computed. */
class ClockAggregator {
  private readonly counts = new Map<number, number>();
  roundsDone = 0;
  readonly consensus = EMPTY;
  constructor(private readonly workers: number) {}
  receive(msg: RoundMessage): Float32Array | undefined {
    const n = (this.counts.get(msg.round) ?? 0) + 1;
    this.counts.set(msg.round, n);
    if (n < this.workers) return undefined;
    this.counts.delete(msg.round);
    this.roundsDone++;
    return EMPTY;
  }
}

/** Run a job on the virtual clock. */
export function simulate(setup: JobSetup, opts: SimulateOptions = {}): FlRunResult {
  const { job, cfg } = setup;
  const N = job.workers;
  const timing = opts.timingOnly === true;
  const trainer = timing ? undefined : new Trainer(setup.model, cfg.batch);
  const workers: (FlWorker | ClockWorker)[] = timing ? setup.data.parts.map((_, i) => new ClockWorker(i, cfg)) : makeWorkers(setup);
  const agg = timing ? new ClockAggregator(N) : new Aggregator(cfg, N, setup.init);
  const evaluator = timing ? undefined : new Evaluator(setup);
  const averageTimes: number[] = [];
  const net = new Prng(job.seed * 131 + 7);
  const jitter = job.jitterMs ?? 0;
  const serMs = job.bandwidthMbitPerS ? ((setup.messageBytes * 8) / (job.bandwidthMbitPerS * 1e6)) * 1000 : 0;
  const delayMs = () => Math.max(0, job.latencyMs + (jitter > 0 ? net.uniform(-jitter, jitter) : 0));
  const upFree = new Float64Array(N);
  const downFree = new Float64Array(N);
  const stalledOn = new Int32Array(N).fill(-1);
  const stallSince = new Float64Array(N);
  const stallTotal = new Float64Array(N);
  const events: FlEvent[] = [];
  const log = (e: FlEvent) => {
    if (opts.recordEvents) events.push(e);
  };
  const curve: CurvePoint[] = evaluator ? [{ round: 0, time_s: 0, accuracy: evaluator.curve(agg.consensus) }] : [];
  const totalRounds = Math.floor(setup.stepsPerWorker / cfg.K);
  let lastAverageMs = 0;
  let messages = 0;
  const q = new EventQueue();
  for (let i = 0; i < N; i++) if (setup.stepsPerWorker > 0) q.push({ t: setup.workerStepMs[i], kind: 'step_done', worker: i, round: 0 });

  const applyAndContinue = (i: number, t: number) => {
    const w = workers[i];
    w.apply();
    if (opts.onApplied && w instanceof FlWorker) opts.onApplied(workers as FlWorker[], i);
    if (w.step < setup.stepsPerWorker) q.push({ t: t + setup.workerStepMs[i], kind: 'step_done', worker: i, round: w.round });
  };

  for (let ev = q.pop(); ev; ev = q.pop()) {
    const t = ev.t;
    const i = ev.worker;
    if (ev.kind === 'step_done') {
      const w = workers[i];
      const msg = w instanceof FlWorker ? w.compute(trainer!) : w.compute();
      log({ t: t / 1000, kind: 'step', worker: i, round: w.round });
      if (msg) {
        const depart = Math.max(t, upFree[i]);
        upFree[i] = depart + serMs;
        q.push({ t: depart + serMs + delayMs(), kind: 'server_arrival', worker: i, round: msg.round, msg });
        log({ t: t / 1000, kind: 'send', worker: i, round: msg.round });
      }
      const r = w.needs();
      if (r >= 0 && !w.hasAverage(r)) {
        stalledOn[i] = r;
        stallSince[i] = t;
      } else applyAndContinue(i, t);
    } else if (ev.kind === 'server_arrival') {
      log({ t: t / 1000, kind: 'arrive', worker: i, round: ev.round });
      messages++;
      const mean = agg.receive(ev.msg!);
      if (!mean) continue;
      lastAverageMs = t;
      averageTimes.push(t / 1000);
      log({ t: t / 1000, kind: 'average', round: ev.round });
      const done = ev.round + 1;
      opts.onAverage?.(done, totalRounds);
      if (evaluator && (done % setup.evalEvery === 0 || done === totalRounds)) {
        const acc = evaluator.curve(agg.consensus);
        curve.push({ round: done, time_s: t / 1000, accuracy: acc });
        log({ t: t / 1000, kind: 'eval', round: ev.round, value: acc });
      }
      for (let j = 0; j < N; j++) {
        const depart = Math.max(t, downFree[j]);
        downFree[j] = depart + serMs;
        q.push({ t: depart + serMs + delayMs(), kind: 'worker_arrival', worker: j, round: ev.round, mean });
      }
    } else {
      const w = workers[i];
      if (w instanceof FlWorker) w.receiveAverage(ev.round, ev.mean!);
      else w.receiveAverage(ev.round);
      log({ t: t / 1000, kind: 'arrive', worker: i, round: ev.round });
      if (stalledOn[i] === ev.round) {
        stalledOn[i] = -1;
        stallTotal[i] += t - stallSince[i];
        log({ t: stallSince[i] / 1000, kind: 'stall', worker: i, round: ev.round, value: (t - stallSince[i]) / 1000 });
        applyAndContinue(i, t);
      }
    }
  }
  if (stalledOn.some((r) => r >= 0)) throw new Error('simulation ended with a worker still waiting for an average');
  const final = evaluator ? evaluator.full(agg instanceof Aggregator ? agg.finalModel() : agg.consensus) : NaN;
  if (!timing) opts.onFinish?.(agg.consensus, workers as FlWorker[]);
  return {
    name: job.name,
    algorithm: describeAlgorithm(setup.cfg),
    mode: 'simulated',
    workers: N,
    ...(job.orderSeed !== undefined ? { order_seed: job.orderSeed } : {}),
    final_accuracy: final,
    time_to_target_s: timeToTarget(curve, job.targetAccuracy),
    target_accuracy: job.targetAccuracy ?? null,
    rounds: agg.roundsDone,
    steps_per_worker: setup.stepsPerWorker,
    total_time_s: lastAverageMs / 1000,
    step_time_ms: setup.stepMs,
    step_time_source: setup.stepSource,
    message_ms: job.latencyMs + serMs,
    message_bytes: setup.messageBytes,
    messages,
    stall_s: stallTotal.reduce((a, b) => a + b, 0) / N / 1000,
    curve,
    average_times_s: averageTimes,
    ...(opts.recordEvents ? { events } : {}),
  };
}

/**
 * The same training under other network conditions: a trained run's accuracy per round on
 * the clock of a timing-only run of the modified job (exact, as the schedule ignores values).
 */
export function retime(trained: FlRunResult, clock: FlRunResult): FlRunResult {
  const at = (round: number) => (round === 0 ? 0 : clock.average_times_s![round - 1]);
  const curve = trained.curve.map((p) => ({ ...p, time_s: at(p.round) }));
  return {
    ...trained,
    curve,
    time_to_target_s: timeToTarget(curve, trained.target_accuracy ?? undefined),
    total_time_s: clock.total_time_s,
    message_ms: clock.message_ms,
    stall_s: clock.stall_s,
    average_times_s: clock.average_times_s,
    events: undefined,
  };
}

export function describeAlgorithm(cfg: AlgoConfig): string {
  if (cfg.kind === 'dga') {
    const extra = `${cfg.syncRounds ? `, warmup_rounds: ${cfg.syncRounds}` : ''}${cfg.localWeight !== undefined ? `, local_weight: ${cfg.localWeight}` : ''}${cfg.finalSyncRounds ? `, cooldown_rounds: ${cfg.finalSyncRounds}` : ''}${cfg.tailRounds ? `, tail_average: ${cfg.tailRounds}` : ''}`;
    return `dga(local_steps: ${cfg.K}, delay: ${cfg.D}${extra})`;
  }
  return `${cfg.kind}(local_steps: ${cfg.K})`;
}
