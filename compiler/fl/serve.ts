// Running a served job from the aggregator's side, wherever its workers are: the worker jobs
// a setup hands out, the sequence ready -> (calibrate) -> start -> finished, and the result
// (the same FlRunResult `nacc fl --job J` prints). Used by `nacc fl serve` and by `--real`.
import type { Network } from '../ir/network.ts';
import { subset } from './data.ts';
import { DelayStat, type DelaySummary } from './frames.ts';
import { Evaluator, describeAlgorithm, timeToTarget, workerSeed, type CurvePoint, type FlRunResult, type JobSetup } from './simulator.ts';
import type { ServerFinish, WorkerJob } from './aggregator-server.ts';

/** Worker slot i's job: its data partition (the setup's partition i), the model, the schedule. */
export function workerJobs(setup: JobSetup, network: Network): WorkerJob[] {
  return setup.data.parts.map((idx, i) => {
    const shard = subset(setup.data.train, idx);
    return {
      id: i,
      network,
      cfg: setup.cfg,
      init: setup.init,
      features: shard.features,
      classes: shard.classes,
      x: shard.x,
      y: shard.y,
      seed: workerSeed(setup),
      stepMs: setup.workerStepMs[i],
      steps: setup.stepsPerWorker,
    };
  });
}

/** The aggregator as the driver sees it: in this process or a child in a network namespace. */
export interface AggregatorEnd {
  ready: Promise<void>;
  calibrate(at: number, steps: number): Promise<number[]>;
  start(at: number, stepMs: number[]): void;
  finished: Promise<ServerFinish>;
}

export interface Driven {
  fin: ServerFinish;
  stepMs: number;
  workerStepMs: number[];
}

const epochSoon = (ms: number) => performance.timeOrigin + performance.now() + ms;

/** Wait for every worker, re-measure a measured step time with all of them at once, start, finish. */
export async function driveJob(end: AggregatorEnd, setup: JobSetup, log: (m: string) => void): Promise<Driven> {
  await end.ready;
  let workerStepMs = setup.workerStepMs;
  let stepMs = setup.stepMs;
  if (setup.stepSource === 'measured') {
    // N worker processes share this machine's cores: measure them computing together, about
    // 300 ms of steps from one instant; every round waits for the slowest, so its pace is the step time.
    const steps = Math.min(400, Math.max(20, Math.ceil(300 / Math.max(0.05, setup.stepMs))));
    const paces = await end.calibrate(epochSoon(100), steps);
    stepMs = Math.max(setup.stepMs, ...paces);
    workerStepMs = setup.workerStepMs.map((t) => (t / setup.stepMs) * stepMs);
    log(`measured step time with ${paces.length} worker processes at once: ${stepMs.toFixed(2)} ms (alone: ${setup.stepMs.toFixed(2)} ms)`);
  }
  // Start everyone at one absolute instant a little ahead, past the delivery delay of the start frame.
  end.start(epochSoon(250), workerStepMs);
  log(`started; ${setup.stepsPerWorker} steps per worker, ${Math.floor(setup.stepsPerWorker / setup.cfg.K)} rounds`);
  return { fin: await end.finished, stepMs, workerStepMs };
}

export interface LinkFacts {
  transport: string;
  link: 'relay' | 'netem' | 'tbf' | 'direct';
  /** The checkpoint a resumed job started from. */
  resumed?: { from_round: number; checkpoint: string };
  /** The relay's own delays (relay link only). */
  relay?: { receive: number[]; timerLate: number[] };
}

/** The result of a served run: curve from the aggregator's snapshots, figures from the workers. */
export function servedResult(setup: JobSetup, driven: Driven, facts: LinkFacts, log: (m: string) => void): FlRunResult {
  const { job } = setup;
  const { fin, stepMs, workerStepMs } = driven;
  const N = job.workers;
  const evaluator = new Evaluator(setup);
  const curve: CurvePoint[] = [{ round: 0, time_s: 0, accuracy: evaluator.curve(setup.init) }];
  for (const e of fin.events) if (e.snapshot) curve.push({ round: e.done, time_s: e.t / 1000, accuracy: evaluator.curve(e.snapshot) });
  const averageTimes = fin.events.map((e) => e.t / 1000);
  const stats = fin.workerStats;
  const finishedWorkers = Math.max(1, stats.length);
  const computeMean = stats.reduce((a, s) => a + s.computeMs, 0) / finishedWorkers / Math.max(1, setup.stepsPerWorker);
  if (computeMean > Math.min(...workerStepMs)) {
    log(
      `warning: a step computes in ${computeMean.toFixed(1)} ms on this machine, more than the ${Math.min(...workerStepMs).toFixed(1)} ms step time; wall-clock times will run long`,
    );
  }
  const serMs = job.bandwidthMbitPerS ? ((setup.messageBytes * 8) / (job.bandwidthMbitPerS * 1e6)) * 1000 : 0;
  const stat = (values: number[], minus = 0): DelaySummary => {
    const d = new DelayStat();
    d.merge(values.map((v) => v - minus));
    return d.summary();
  };
  const sendLate = stat(stats.flatMap((s) => s.sendLate));
  // On a shaped kernel link (or a real network) a hop includes the modelled transfer; report what it took beyond it.
  const overheads: Record<string, DelaySummary> = facts.relay
    ? {
        worker_send_late: sendLate,
        relay_receive: stat(facts.relay.receive),
        relay_timer_late: stat(facts.relay.timerLate),
        aggregator_receive: stat(fin.receive),
        worker_receive: stat(stats.flatMap((s) => s.wake)),
      }
    : {
        worker_send_late: sendLate,
        aggregator_receive_beyond_model: stat(fin.receive, job.latencyMs + serMs),
        worker_receive_beyond_model: stat(
          stats.flatMap((s) => s.wake),
          job.latencyMs + serMs,
        ),
      };
  return {
    name: job.name,
    algorithm: describeAlgorithm(setup.cfg),
    mode: 'real',
    workers: N,
    ...(job.orderSeed !== undefined ? { order_seed: job.orderSeed } : {}),
    final_accuracy: evaluator.full(fin.finalModel),
    time_to_target_s: timeToTarget(curve, job.targetAccuracy),
    target_accuracy: job.targetAccuracy ?? null,
    rounds: fin.roundsDone,
    steps_per_worker: setup.stepsPerWorker,
    total_time_s: averageTimes.length ? averageTimes[averageTimes.length - 1] : 0,
    step_time_ms: stepMs,
    step_time_source: setup.stepSource,
    message_ms: job.latencyMs + serMs,
    message_bytes: setup.messageBytes,
    messages: fin.messages,
    stall_s: stats.reduce((a, s) => a + s.stallMs, 0) / finishedWorkers / 1000,
    curve,
    average_times_s: averageTimes,
    transport: facts.transport,
    link: facts.link,
    compute_ms_per_step: computeMean,
    overheads,
    dropped: fin.dropped,
    rejoined: fin.rejoined,
    resumed: facts.resumed ?? null,
    workers_per_round: workersPerRound(fin.contributors),
  };
}

/** Runs of rounds averaged from the same number of workers: [{from_round, workers}], one entry when none dropped. */
export function workersPerRound(contributors: number[]): { from_round: number; workers: number }[] {
  const out: { from_round: number; workers: number }[] = [];
  contributors.forEach((n, r) => {
    if (!out.length || out[out.length - 1].workers !== n) out.push({ from_round: r, workers: n });
  });
  return out;
}
