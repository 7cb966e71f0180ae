// Real mode: N worker processes and an aggregator talking over TCP, the link between them
// being either
//  - relay: loopback TCP through a relay process that delays every frame by the job's latency
//    (and jitter) and paces it to its bandwidth; the aggregator is this process; or
//  - netem: private network namespaces, one per worker and one for the aggregator, joined by
//    veth pairs shaped by the kernel's netem qdisc (see netem.ts); aggregator and workers are
//    child processes started through `ip netns exec`.
// Same workers, same arithmetic as the simulator; time is the wall clock from one common start
// instant. The aggregator snapshots the consensus model at each sampled average and the
// snapshots are evaluated afterwards, so evaluation never delays the traffic it is timing.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { ExitCode, fail } from '../diagnostics/index.ts';
import type { ChildInit } from './loopback-child.ts';
import { Evaluator, describeAlgorithm, timeToTarget, type CurvePoint, type FlRunResult, type JobSetup } from './simulator.ts';
import type { Network } from '../ir/network.ts';
import { subset } from './data.ts';
import { startAggregatorServer, type AverageEvent } from './aggregator-server.ts';
import { DelayStat, type DelaySummary } from './frames.ts';
import { resolveTool } from '../verify/run-tool.ts';
import { NetnsSession, namespacePrefix, planNetns, probeNetem, removeStaleNamespaces, type KernelShaper, type NetemProbe } from './netem.ts';
import { siblingScript } from '../util/project-paths.ts';

/** What the user asks for: the kernel's netem when it works here (auto), or one of the two. */
export type LinkChoice = 'auto' | 'netem' | 'relay';
export type LinkKind = 'netem' | 'relay';

export interface RealOptions {
  /** Progress for humans. */
  log?: (m: string) => void;
  /** The link (default auto). */
  link?: LinkChoice;
  /**
   * Tests only: shape the namespace links with tbf (rate only, no latency) instead of netem,
   * to exercise the namespace plumbing on a kernel without sch_netem.
   */
  kernelShaper?: KernelShaper;
  /**
   * Scheduling priority (nice value) for the run's processes, when the OS allows it (root or
   * CAP_SYS_NICE); undefined leaves them as they are.
   */
  nice?: number;
}

/**
 * Could the kernel's netem shape real mode's links here? Tries it in a throw-away namespace
 * (see probeNetem); cached per process.
 */
export async function netemAvailable(): Promise<boolean> {
  return (await probeNetem()).available;
}

/** Resolve auto/netem/relay; `netem` where it cannot work is a user error naming what is missing (exit 4). */
export async function resolveLink(choice: LinkChoice): Promise<{ link: LinkKind; probe?: NetemProbe }> {
  if (choice === 'relay') return { link: 'relay' };
  const probe = await probeNetem();
  if (probe.available) return { link: 'netem', probe };
  if (choice === 'netem') fail('F0010', `--link netem: the kernel link is not available here: ${probe.reason}; use --link relay (or auto)`, undefined, ExitCode.toolMissing);
  return { link: 'relay', probe };
}

function childArgs(): { script: string; execArgv: string[] } {
  return siblingScript(import.meta.url, 'loopback-child');
}

/** Start a child; with `ns`, inside that network namespace (`ip netns exec` keeps the IPC channel). */
function spawnChild(init: ChildInit, children: ChildProcess[], ns?: string, niceness?: number): ChildProcess {
  const { script, execArgv } = childArgs();
  const child = ns
    ? // A long-lived child with an IPC channel, so not run-tool's runTool; `ip` is found as it finds tools.
      spawn(resolveTool('ip'), ['netns', 'exec', ns, process.execPath, ...execArgv, script], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  if (niceness !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, niceness);
    } catch {
      // not permitted: run at the default priority
    }
  }
  child.send(init);
  return child;
}

const once = <T>(child: ChildProcess, kind: string): Promise<T> =>
  new Promise((res, rej) => {
    const onMsg = (m: { kind: string; message?: string }) => {
      if (m.kind === kind) {
        child.off('message', onMsg);
        res(m as T);
      } else if (m.kind === 'error') rej(new Error(`fl child: ${m.message}`));
    };
    child.on('message', onMsg);
    child.once('exit', (code, signal) => rej(new Error(`fl child ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before '${kind}'`)));
  });

/** The aggregator as the workers see it, wherever it runs. */
interface AggregatorEnd {
  /** Where worker i connects. */
  address(worker: number): { host: string; port: number };
  hellos: Promise<void>;
  /** Resolves with the final consensus once every round is averaged. */
  finished: Promise<{ consensus: Float32Array; roundsDone: number; receive: number[] }>;
  /** The relay's own delays (relay link only). */
  relayStats?: () => Promise<{ receive: number[]; timerLate: number[] }>;
  start(atEpochMs: number): void;
  describe: string;
}

let runCounter = 0;

/** Run a job for real: worker processes and an aggregator over TCP through the chosen link. */
export async function runReal(setup: JobSetup, network: Network, opts: RealOptions = {}): Promise<FlRunResult> {
  const { job, cfg } = setup;
  const N = job.workers;
  const log = opts.log ?? (() => undefined);
  const link: LinkKind = opts.kernelShaper === 'tbf' ? 'netem' : (await resolveLink(opts.link ?? 'auto')).link;
  const children: ChildProcess[] = [];
  const totalRounds = Math.floor(setup.stepsPerWorker / cfg.K);
  const events: AverageEvent[] = [];
  const aggInit = { cfg, workers: N, init: setup.init, totalRounds, evalEvery: setup.evalEvery };
  const shape = { latencyMs: job.latencyMs, jitterMs: job.jitterMs ?? 0, bandwidthMbitPerS: job.bandwidthMbitPerS };
  let session: NetnsSession | undefined;
  let closeLocal: () => void = () => undefined;
  const ownPriority = getPriority();
  if (opts.nice !== undefined && link === 'relay') {
    try {
      setPriority(opts.nice);
    } catch {
      // not permitted
    }
  }
  try {
    let end: AggregatorEnd;
    if (link === 'relay') {
      const srv = await startAggregatorServer({ ...aggInit, host: '127.0.0.1' }, (e) => events.push(e));
      closeLocal = srv.close;
      const relay = spawnChild({ role: 'relay', aggregatorPort: srv.port, latencyMs: job.latencyMs, jitterMs: job.jitterMs ?? 0, bandwidthMbitPerS: job.bandwidthMbitPerS, seed: job.seed }, children, undefined, opts.nice);
      const { port: relayPort } = await once<{ port: number }>(relay, 'ready');
      end = {
        address: () => ({ host: '127.0.0.1', port: relayPort }),
        hellos: srv.hellos,
        finished: srv.rounds.then(() => {
          const f = srv.failure();
          if (f) throw f;
          return { consensus: srv.agg.consensus, roundsDone: srv.agg.roundsDone, receive: srv.receive.raw() };
        }),
        relayStats: () => {
          const reply = once<{ receive: number[]; timerLate: number[] }>(relay, 'stats');
          relay.send({ kind: 'stats' });
          return reply;
        },
        start: (at) => srv.setStart(at),
        describe: `relay on 127.0.0.1:${relayPort} -> aggregator on 127.0.0.1:${srv.port}`,
      };
    } else {
      await removeStaleNamespaces();
      const plan = planNetns(namespacePrefix(process.pid, runCounter++), N, shape, opts.kernelShaper ?? 'netem');
      try {
        session = await NetnsSession.create(plan);
      } catch (e) {
        fail('F0011', `could not build the kernel link: ${(e as Error).message}`, undefined, ExitCode.toolMissing);
      }
      const aggregator = spawnChild({ role: 'aggregator', ...aggInit, host: '0.0.0.0' }, children, plan.aggregatorNs, opts.nice);
      aggregator.on('message', (m: { kind: string } & AverageEvent) => {
        if (m.kind === 'average') events.push({ done: m.done, t: m.t, ...(m.snapshot ? { snapshot: m.snapshot } : {}) });
      });
      const hellos = once<unknown>(aggregator, 'hellos');
      const finished = once<{ consensus: Float32Array; roundsDone: number; receive: number[] }>(aggregator, 'finished');
      // Keep rejections observed until awaited.
      hellos.catch(() => undefined);
      finished.catch(() => undefined);
      const { port } = await once<{ port: number }>(aggregator, 'ready');
      end = {
        address: (i) => ({ host: plan.links[i].aggIp, port }),
        hellos: hellos.then(() => undefined),
        finished,
        start: (at) => aggregator.send({ kind: 'start', at }),
        describe: `aggregator in namespace ${plan.aggregatorNs} on port ${port}; ${N} worker namespaces over veth with ${opts.kernelShaper ?? 'netem'}`,
      };
    }
    log(`${end.describe}; starting ${N} workers`);
    const workers = setup.data.parts.map((idx, i) => {
      const shard = subset(setup.data.train, idx);
      const { host, port } = end.address(i);
      return spawnChild(
        {
          role: 'worker',
          id: i,
          network,
          cfg,
          init: setup.init,
          features: shard.features,
          classes: shard.classes,
          x: shard.x,
          y: shard.y,
          seed: job.seed,
          stepMs: setup.workerStepMs[i],
          steps: setup.stepsPerWorker,
          host,
          port,
        },
        children,
        session ? session.namespaces[i + 1] : undefined,
        opts.nice,
      );
    });
    await Promise.all(workers.map((w) => once(w, 'ready')));
    // A measured step time is re-measured here with all N worker processes computing at once,
    // which is what each of them gets in the run (N processes share this machine's cores).
    let workerStepMs = setup.workerStepMs;
    let stepMs = setup.stepMs;
    if (setup.stepSource === 'measured') {
      const replies = workers.map((w) => once<{ perStepMs: number }>(w, 'calibrated'));
      const at = performance.timeOrigin + performance.now() + 100;
      // Long enough (about 300 ms of steps) for the processes to overlap however they are scheduled.
      const steps = Math.min(400, Math.max(20, Math.ceil(300 / Math.max(0.05, setup.stepMs))));
      for (const w of workers) w.send({ kind: 'calibrate', at, steps });
      // Every round waits for the slowest worker: its pace is the step time.
      const paces = (await Promise.all(replies)).map((r) => r.perStepMs);
      stepMs = Math.max(setup.stepMs, ...paces);
      workerStepMs = setup.workerStepMs.map((t) => (t / setup.stepMs) * stepMs);
      log(`measured step time with ${N} worker processes at once: ${stepMs.toFixed(2)} ms (alone: ${setup.stepMs.toFixed(2)} ms)`);
    }
    await end.hellos;
    const dones = workers.map((w) => once<{ stallMs: number; computeMs: number; sendLate: number[]; wake: number[] }>(w, 'done'));
    // Start everyone at one absolute instant a little ahead, past the IPC delivery delay.
    const at = performance.timeOrigin + performance.now() + 250;
    end.start(at);
    workers.forEach((w, i) => w.send({ kind: 'start', at, stepMs: workerStepMs[i] }));
    log(`started; ${setup.stepsPerWorker} steps per worker, ${totalRounds} rounds`);
    const stats = await Promise.all(dones);
    const { consensus, roundsDone, receive } = await end.finished;
    const relayStats = end.relayStats ? await end.relayStats() : undefined;
    const evaluator = new Evaluator(setup);
    const curve: CurvePoint[] = [{ round: 0, time_s: 0, accuracy: evaluator.curve(setup.init) }];
    for (const e of events) if (e.snapshot) curve.push({ round: e.done, time_s: e.t / 1000, accuracy: evaluator.curve(e.snapshot) });
    const averageTimes = events.map((e) => e.t / 1000);
    const computeMean = stats.reduce((a, s) => a + s.computeMs, 0) / N / Math.max(1, setup.stepsPerWorker);
    if (computeMean > Math.min(...workerStepMs)) {
      log(`warning: a step computes in ${computeMean.toFixed(1)} ms on this machine, more than the ${Math.min(...workerStepMs).toFixed(1)} ms step time; wall-clock times will run long`);
    }
    const serMs = job.bandwidthMbitPerS ? ((setup.messageBytes * 8) / (job.bandwidthMbitPerS * 1e6)) * 1000 : 0;
    const stat = (values: number[], minus = 0): DelaySummary => {
      const d = new DelayStat();
      d.merge(values.map((v) => v - minus));
      return d.summary();
    };
    const sendLate = stat(stats.flatMap((s) => s.sendLate));
    // On the kernel link a hop includes the modelled transfer; report what it took beyond it.
    const overheads: Record<string, DelaySummary> = relayStats
      ? {
          worker_send_late: sendLate,
          relay_receive: stat(relayStats.receive),
          relay_timer_late: stat(relayStats.timerLate),
          aggregator_receive: stat(receive),
          worker_receive: stat(stats.flatMap((s) => s.wake)),
        }
      : {
          worker_send_late: sendLate,
          aggregator_receive_beyond_model: stat(receive, job.latencyMs + serMs),
          worker_receive_beyond_model: stat(stats.flatMap((s) => s.wake), job.latencyMs + serMs),
        };
    return {
      name: job.name,
      algorithm: describeAlgorithm(cfg),
      mode: 'real',
      workers: N,
      final_accuracy: evaluator.full(consensus),
      time_to_target_s: timeToTarget(curve, job.targetAccuracy),
      target_accuracy: job.targetAccuracy ?? null,
      rounds: roundsDone,
      steps_per_worker: setup.stepsPerWorker,
      total_time_s: averageTimes.length ? averageTimes[averageTimes.length - 1] : 0,
      step_time_ms: stepMs,
      step_time_source: setup.stepSource,
      message_ms: job.latencyMs + serMs,
      message_bytes: setup.messageBytes,
      messages: receive.length,
      stall_s: stats.reduce((a, s) => a + s.stallMs, 0) / N / 1000,
      curve,
      average_times_s: averageTimes,
      transport: link === 'relay' ? 'tcp loopback via delay relay' : `tcp over veth pairs between network namespaces shaped by ${opts.kernelShaper ?? 'netem'}`,
      link: link === 'netem' && opts.kernelShaper === 'tbf' ? 'tbf' : link,
      compute_ms_per_step: computeMean,
      overheads,
    };
  } finally {
    for (const c of children) {
      if (c.connected) c.send({ kind: 'exit' });
    }
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode !== null) return res();
            const timer = setTimeout(() => {
              c.kill('SIGKILL');
              res();
            }, 3000);
            c.once('exit', () => {
              clearTimeout(timer);
              res();
            });
          }),
      ),
    );
    closeLocal();
    if (opts.nice !== undefined && link === 'relay') {
      try {
        setPriority(ownPriority);
      } catch {
        // cannot go back (lowering a nice value needs the same permission): leave it
      }
    }
    // Only now that no process is left inside them can the namespaces really go.
    await session?.destroy();
  }
}
