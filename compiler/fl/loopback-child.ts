// Child processes of real mode (started by loopback.ts through fork, or through
// `ip netns exec` on the kernel link):
//  - aggregator: the aggregator server inside its network namespace (kernel link only; behind
//    the relay the aggregator runs in the parent process);
//  - relay: sits between every worker and the aggregator and delays each frame by the link's
//    one-way latency (plus jitter) after pacing it to the bandwidth, per direction and worker;
//  - worker: one federated worker running real local steps on its shard, taking step_time of
//    wall-clock time per step, sending round sums and stalling for averages like the simulator.
// Control (ready, start, done, exit) goes over the IPC channel; model traffic over TCP.
import { connect, createServer, type Socket } from 'node:net';
import type { Network } from '../ir/network.ts';
import { Prng } from '../util/prng.ts';
import { FlWorker, type AlgoConfig } from './algorithms.ts';
import { DelayStat, FRAME_AVERAGE, FRAME_HELLO, FRAME_ROUND, decodeFrame, encodeFrame, epochNow, frameStamp, onRawFrames, restamp } from './frames.ts';
import { Trainer, compileModel } from './trainer.ts';
import { startAggregatorServer, type AggregatorServerInit } from './aggregator-server.ts';

export interface AggregatorInit extends AggregatorServerInit {
  role: 'aggregator';
}

export interface RelayInit {
  role: 'relay';
  aggregatorPort: number;
  latencyMs: number;
  jitterMs: number;
  bandwidthMbitPerS?: number;
  seed: number;
}

export interface WorkerInit {
  role: 'worker';
  id: number;
  network: Network;
  cfg: AlgoConfig;
  init: Float32Array;
  features: number;
  classes: number;
  x: Float32Array;
  y: Int32Array;
  seed: number;
  stepMs: number;
  steps: number;
  /** Where the worker connects: the relay on 127.0.0.1, or the aggregator across its veth link. */
  host: string;
  port: number;
}

export type ChildInit = RelayInit | WorkerInit | AggregatorInit;

const send = (m: unknown) => process.send?.(m);
const immediate = () => new Promise<void>((r) => setImmediate(r));
/**
 * Wait until a performance.now() instant. Node's timers have millisecond granularity: a
 * setTimeout of 0 still takes a millisecond or more, which would lengthen every step that is
 * already due (short steps, or catching up). A due step only yields to the event loop (so
 * socket data is still read); otherwise a timer, which may end up to about a millisecond late
 * (the schedule is anchored to deadlines, so that does not accumulate). No busy waiting:
 * spinning processes lose their scheduling priority on a loaded host.
 */
async function waitUntil(t: number): Promise<void> {
  const rem = t - performance.now();
  if (rem > 0) await new Promise<void>((r) => setTimeout(r, rem));
  else await immediate();
}

/** One direction of one link: serialises frames at the bandwidth, then adds the latency. */
class Link {
  private free = 0;
  constructor(
    private readonly init: RelayInit,
    private readonly rng: Prng,
    private readonly out: () => Socket | undefined,
    private readonly stats: RelayStats,
  ) {}
  push(raw: Buffer): void {
    const now = performance.now();
    // How long after its sender wrote it the relay got to the frame (loopback + wake-up).
    if (raw.readUInt8(4) !== FRAME_HELLO) this.stats.receive.add(epochNow() - frameStamp(raw));
    const ser = this.init.bandwidthMbitPerS ? (raw.length * 8) / (this.init.bandwidthMbitPerS * 1e6) * 1000 : 0;
    const depart = Math.max(now, this.free);
    this.free = depart + ser;
    const j = this.init.jitterMs > 0 ? this.rng.uniform(-this.init.jitterMs, this.init.jitterMs) : 0;
    const at = depart + ser + Math.max(0, this.init.latencyMs + j);
    setTimeout(() => {
      this.stats.timerLate.add(performance.now() - at);
      const s = this.out();
      restamp(raw);
      if (s && !s.destroyed) s.write(raw);
    }, at - now);
  }
}

interface RelayStats {
  receive: DelayStat;
  timerLate: DelayStat;
}

function runRelay(init: RelayInit): void {
  const rng = new Prng(init.seed * 131 + 7);
  const stats: RelayStats = { receive: new DelayStat(), timerLate: new DelayStat() };
  const server = createServer((down) => {
    down.setNoDelay(true);
    const up = connect({ host: '127.0.0.1', port: init.aggregatorPort });
    up.setNoDelay(true);
    const upLink = new Link(init, rng, () => up, stats);
    const downLink = new Link(init, rng, () => down, stats);
    onRawFrames(down, (raw) => {
      // The hello is set-up traffic, not model traffic: pass it straight through.
      if (raw.readUInt8(4) === FRAME_HELLO) up.write(raw);
      else upLink.push(raw);
    });
    onRawFrames(up, (raw) => downLink.push(raw));
    const close = () => {
      up.destroy();
      down.destroy();
    };
    down.on('error', close);
    up.on('error', close);
    down.on('close', close);
    up.on('close', close);
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    send({ kind: 'ready', port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('message', (m: { kind: string }) => {
    if (m.kind === 'stats') send({ kind: 'stats', receive: stats.receive.raw(), timerLate: stats.timerLate.raw() });
    if (m.kind === 'exit') process.exit(0);
  });
}

async function runWorker(init: WorkerInit): Promise<void> {
  const model = compileModel(init.network);
  const trainer = new Trainer(model, init.cfg.batch);
  const n = init.y.length;
  const data = { features: init.features, classes: init.classes, count: n, x: init.x, y: init.y };
  const worker = new FlWorker(init.id, init.cfg, init.init, data, Int32Array.from({ length: n }, (_, i) => i), init.seed);
  const arrivals = new Map<number, number>();
  // Emulation delays: how late a round sum left after its step's end, and how long after its
  // last writer an average reached this worker's code.
  const sendLate = new DelayStat();
  const wake = new DelayStat();
  let waiting: { round: number; wake: () => void } | undefined;
  const sock = connect({ host: init.host, port: init.port });
  sock.setNoDelay(true);
  await new Promise<void>((res, rej) => {
    sock.once('connect', () => res());
    sock.once('error', rej);
  });
  onRawFrames(sock, (raw) => {
    const f = decodeFrame(raw);
    if (f.type !== FRAME_AVERAGE) return;
    worker.receiveAverage(f.round, f.payload);
    arrivals.set(f.round, performance.now());
    wake.add(epochNow() - f.stamp);
    if (waiting && waiting.round === f.round) waiting.wake();
  });
  sock.on('error', () => undefined);
  sock.write(encodeFrame(FRAME_HELLO, init.id, 0));
  const scratch = Float32Array.from(init.init);
  const b = Math.min(init.cfg.batch, n);
  const xb = init.x.subarray(0, b * init.features);
  const yb = init.y.subarray(0, b);
  let stepMs = init.stepMs;
  const start = new Promise<number>((res) => {
    process.on('message', (m: { kind: string; at?: number; stepMs?: number; steps?: number }) => {
      // Every process starts at the same absolute instant (epoch ms), whenever the IPC
      // message happened to arrive, so start-up skew does not become stall time.
      if (m.kind === 'start') {
        if (m.stepMs !== undefined) stepMs = m.stepMs;
        const local = m.at! - performance.timeOrigin;
        setTimeout(() => res(local), Math.max(0, local - performance.now()));
      }
      // Run steps back to back, all workers from one instant, yielding between steps as the
      // run does: wall time per step with every worker process competing for this machine's
      // cores (time spent waiting for a core included), as in the run.
      if (m.kind === 'calibrate') {
        const local = m.at! - performance.timeOrigin;
        setTimeout(async () => {
          const t0 = performance.now();
          for (let i = 0; i < m.steps!; i++) {
            trainer.lossAndGradient(scratch, xb, yb, b);
            await immediate();
          }
          send({ kind: 'calibrated', id: init.id, perStepMs: (performance.now() - t0) / m.steps! });
        }, Math.max(0, local - performance.now()));
      }
      if (m.kind === 'exit') {
        sock.destroy();
        process.exit(0);
      }
    });
  });
  // Warm the JIT up on a scratch copy so the first timed steps are not compile-bound.
  for (let i = 0; i < 5; i++) trainer.lossAndGradient(scratch, xb, yb, b);
  send({ kind: 'ready', id: init.id });
  let stepStart = await start;
  let stallMs = 0;
  let computeMs = 0;
  for (let s = 0; s < init.steps; s++) {
    const c0 = performance.now();
    const msg = worker.compute(trainer);
    computeMs += performance.now() - c0;
    // The step takes step_time of wall-clock time, measured from its start (no drift).
    const deadline = stepStart + stepMs;
    await waitUntil(deadline);
    if (msg) {
      sendLate.add(performance.now() - deadline);
      sock.write(encodeFrame(FRAME_ROUND, init.id, msg.round, msg.values));
    }
    const r = worker.needs();
    let next = deadline;
    if (r >= 0 && !worker.hasAverage(r)) {
      await new Promise<void>((wake) => (waiting = { round: r, wake }));
      waiting = undefined;
      const at = arrivals.get(r)!;
      stallMs += Math.max(0, at - deadline);
      next = Math.max(deadline, at);
    }
    worker.apply();
    stepStart = next;
  }
  send({ kind: 'done', id: init.id, stallMs, computeMs, sendLate: sendLate.raw(), wake: wake.raw() });
}

/** IPC: ready {port}, hellos, average {done, t, snapshot?}, finished {consensus}; takes start {at}, exit. */
async function runAggregator(init: AggregatorInit): Promise<void> {
  const srv = await startAggregatorServer(init, (e) => send({ kind: 'average', ...e }));
  process.on('message', (m: { kind: string; at?: number }) => {
    if (m.kind === 'start') srv.setStart(m.at!);
    if (m.kind === 'exit') {
      srv.close();
      process.exit(0);
    }
  });
  send({ kind: 'ready', port: srv.port });
  await srv.hellos;
  send({ kind: 'hellos' });
  await srv.rounds;
  const failure = srv.failure();
  if (failure) throw failure;
  send({ kind: 'finished', consensus: Float32Array.from(srv.agg.consensus), roundsDone: srv.agg.roundsDone, receive: srv.receive.raw() });
}

process.once('message', (m: ChildInit) => {
  if (m.role === 'relay') runRelay(m);
  else if (m.role === 'aggregator')
    runAggregator(m).catch((e) => {
      send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    });
  else
    runWorker(m).catch((e) => {
      send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    });
});
