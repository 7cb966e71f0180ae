// Real mode: N worker processes and this process as the aggregator, talking over loopback
// TCP through a relay process that delays every frame by the job's latency (and jitter) and
// paces it to its bandwidth. Same workers, same arithmetic as the simulator; time is the wall
// clock. The aggregator snapshots the consensus model at each average and evaluates the
// snapshots afterwards, so evaluation never delays the traffic it is timing.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { Aggregator } from './algorithms.ts';
import { FRAME_AVERAGE, FRAME_HELLO, FRAME_ROUND, decodeFrame, encodeFrame, onRawFrames } from './frames.ts';
import type { ChildInit } from './loopback-child.ts';
import { Evaluator, describeAlgorithm, timeToTarget, type CurvePoint, type FlRunResult, type JobSetup } from './simulator.ts';
import type { Network } from '../ir/network.ts';
import { subset } from './data.ts';

export interface RealOptions {
  /** Progress for humans. */
  log?: (m: string) => void;
}

/**
 * Could the kernel's netem qdisc shape loopback here: tc present, lo readable, sch_netem
 * available, and CAP_NET_ADMIN held. Read-only probe: nothing on the machine is changed.
 */
export async function netemAvailable(): Promise<boolean> {
  try {
    const show = await execa('tc', ['qdisc', 'show', 'dev', 'lo'], { reject: false, timeout: 3000, stdin: 'ignore' });
    if (show.exitCode !== 0) return false;
    const mod = await execa('sh', ['-c', 'test -d /sys/module/sch_netem || modinfo sch_netem >/dev/null 2>&1'], { reject: false, timeout: 3000, stdin: 'ignore' });
    if (mod.exitCode !== 0) return false;
    const status = await readFile('/proc/self/status', 'utf8');
    const cap = /CapEff:\s*([0-9a-f]+)/.exec(status);
    return cap !== null && (BigInt('0x' + cap[1]) & (1n << 12n)) !== 0n;
  } catch {
    return false;
  }
}

function childArgs(): { script: string; execArgv: string[] } {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return { script: fileURLToPath(new URL('./loopback-child.ts', import.meta.url)), execArgv: ['--import', tsx] };
}

function spawnChild(init: ChildInit, children: ChildProcess[]): ChildProcess {
  const { script, execArgv } = childArgs();
  const child = fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
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
    child.once('exit', (code) => rej(new Error(`fl child exited with code ${code} before '${kind}'`)));
  });

/** Run a job for real over loopback sockets. */
export async function runReal(setup: JobSetup, network: Network, opts: RealOptions = {}): Promise<FlRunResult> {
  const { job, cfg } = setup;
  const N = job.workers;
  const log = opts.log ?? (() => undefined);
  const children: ChildProcess[] = [];
  const agg = new Aggregator(cfg, N, setup.init);
  const sockets: (Socket | undefined)[] = new Array(N).fill(undefined);
  const totalRounds = Math.floor(setup.stepsPerWorker / cfg.K);
  const snapshots: { round: number; t: number; params: Float32Array }[] = [];
  const averageTimes: number[] = [];
  let t0 = 0;
  let helloCount = 0;
  let onHellos: () => void = () => undefined;
  let onRounds: () => void = () => undefined;
  let failure: Error | undefined;
  const server: Server = createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => undefined);
    onRawFrames(sock, (raw) => {
      const f = decodeFrame(raw);
      if (f.type === FRAME_HELLO) {
        sockets[f.worker] = sock;
        if (++helloCount === N) onHellos();
        return;
      }
      if (f.type !== FRAME_ROUND) return;
      let mean: Float32Array | undefined;
      try {
        mean = agg.receive({ worker: f.worker, round: f.round, values: f.payload });
      } catch (e) {
        failure = e as Error;
        return;
      }
      if (!mean) return;
      const t = performance.now() - t0;
      const frame = encodeFrame(FRAME_AVERAGE, 0, f.round, mean);
      for (const s of sockets) s?.write(frame);
      averageTimes.push(t / 1000);
      const done = f.round + 1;
      if (done % setup.evalEvery === 0 || done === totalRounds) snapshots.push({ round: done, t: t / 1000, params: Float32Array.from(agg.consensus) });
      if (agg.roundsDone === totalRounds) onRounds();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const aggPort = (server.address() as { port: number }).port;
  try {
    const relay = spawnChild({ role: 'relay', aggregatorPort: aggPort, latencyMs: job.latencyMs, jitterMs: job.jitterMs ?? 0, bandwidthMbitPerS: job.bandwidthMbitPerS, seed: job.seed }, children);
    const { port: relayPort } = await once<{ port: number }>(relay, 'ready');
    log(`relay on 127.0.0.1:${relayPort} -> aggregator on 127.0.0.1:${aggPort}; starting ${N} workers`);
    const hellos = new Promise<void>((res) => (onHellos = res));
    const rounds = new Promise<void>((res) => (onRounds = res));
    const workers = setup.data.parts.map((idx, i) => {
      const shard = subset(setup.data.train, idx);
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
          relayPort,
        },
        children,
      );
    });
    await Promise.all(workers.map((w) => once(w, 'ready')));
    await hellos;
    const dones = workers.map((w) => once<{ stallMs: number; computeMs: number }>(w, 'done'));
    // Start everyone at one absolute instant a little ahead, past the IPC delivery delay.
    t0 = performance.now() + 250;
    for (const w of workers) w.send({ kind: 'start', at: performance.timeOrigin + t0 });
    log(`started; ${setup.stepsPerWorker} steps per worker, ${totalRounds} rounds`);
    const stats = await Promise.all(dones);
    if (totalRounds > 0) await rounds;
    if (failure) throw failure;
    const evaluator = new Evaluator(setup);
    const curve: CurvePoint[] = [{ round: 0, time_s: 0, accuracy: evaluator.curve(setup.init) }];
    for (const s of snapshots) curve.push({ round: s.round, time_s: s.t, accuracy: evaluator.curve(s.params) });
    const computeMean = stats.reduce((a, s) => a + s.computeMs, 0) / N / Math.max(1, setup.stepsPerWorker);
    if (computeMean > Math.min(...setup.workerStepMs)) {
      log(`warning: a step computes in ${computeMean.toFixed(1)} ms on this machine, more than the ${Math.min(...setup.workerStepMs).toFixed(1)} ms step time; wall-clock times will run long`);
    }
    const serMs = job.bandwidthMbitPerS ? ((setup.messageBytes * 8) / (job.bandwidthMbitPerS * 1e6)) * 1000 : 0;
    return {
      name: job.name,
      algorithm: describeAlgorithm(cfg),
      mode: 'real',
      workers: N,
      final_accuracy: evaluator.full(agg.consensus),
      time_to_target_s: timeToTarget(curve, job.targetAccuracy),
      target_accuracy: job.targetAccuracy ?? null,
      rounds: agg.roundsDone,
      steps_per_worker: setup.stepsPerWorker,
      total_time_s: averageTimes.length ? averageTimes[averageTimes.length - 1] : 0,
      step_time_ms: setup.stepMs,
      step_time_source: setup.stepSource,
      message_ms: job.latencyMs + serMs,
      message_bytes: setup.messageBytes,
      stall_s: stats.reduce((a, s) => a + s.stallMs, 0) / N / 1000,
      curve,
      average_times_s: averageTimes,
      transport: 'tcp loopback via delay relay',
      compute_ms_per_step: computeMean,
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
    server.close();
  }
}
