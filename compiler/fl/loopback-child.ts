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
import { FRAME_AVERAGE, FRAME_HELLO, FRAME_ROUND, decodeFrame, encodeFrame, onRawFrames } from './frames.ts';
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
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** One direction of one link: serialises frames at the bandwidth, then adds the latency. */
class Link {
  private free = 0;
  constructor(private readonly init: RelayInit, private readonly rng: Prng, private readonly out: () => Socket | undefined) {}
  push(raw: Buffer): void {
    const now = performance.now();
    const ser = this.init.bandwidthMbitPerS ? (raw.length * 8) / (this.init.bandwidthMbitPerS * 1e6) * 1000 : 0;
    const depart = Math.max(now, this.free);
    this.free = depart + ser;
    const j = this.init.jitterMs > 0 ? this.rng.uniform(-this.init.jitterMs, this.init.jitterMs) : 0;
    const at = depart + ser + Math.max(0, this.init.latencyMs + j);
    setTimeout(() => {
      const s = this.out();
      if (s && !s.destroyed) s.write(raw);
    }, at - now);
  }
}

function runRelay(init: RelayInit): void {
  const rng = new Prng(init.seed * 131 + 7);
  const server = createServer((down) => {
    down.setNoDelay(true);
    const up = connect({ host: '127.0.0.1', port: init.aggregatorPort });
    up.setNoDelay(true);
    const upLink = new Link(init, rng, () => up);
    const downLink = new Link(init, rng, () => down);
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
    if (waiting && waiting.round === f.round) waiting.wake();
  });
  sock.on('error', () => undefined);
  sock.write(encodeFrame(FRAME_HELLO, init.id, 0));
  const start = new Promise<number>((res) => {
    process.on('message', (m: { kind: string; at?: number }) => {
      // Every process starts at the same absolute instant (epoch ms), whenever the IPC
      // message happened to arrive, so start-up skew does not become stall time.
      if (m.kind === 'start') {
        const local = m.at! - performance.timeOrigin;
        setTimeout(() => res(local), Math.max(0, local - performance.now()));
      }
      if (m.kind === 'exit') {
        sock.destroy();
        process.exit(0);
      }
    });
  });
  // Warm the JIT up on a scratch copy so the first timed steps are not compile-bound.
  const scratch = Float32Array.from(init.init);
  const b = Math.min(init.cfg.batch, n);
  for (let i = 0; i < 5; i++) trainer.lossAndGradient(scratch, init.x.subarray(0, b * init.features), init.y.subarray(0, b), b);
  send({ kind: 'ready', id: init.id });
  let stepStart = await start;
  let stallMs = 0;
  let computeMs = 0;
  for (let s = 0; s < init.steps; s++) {
    const c0 = performance.now();
    const msg = worker.compute(trainer);
    computeMs += performance.now() - c0;
    // The step takes step_time of wall-clock time, measured from its start (no drift).
    const deadline = stepStart + init.stepMs;
    await sleep(deadline - performance.now());
    if (msg) sock.write(encodeFrame(FRAME_ROUND, init.id, msg.round, msg.values));
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
  send({ kind: 'done', id: init.id, stallMs, computeMs });
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
  send({ kind: 'finished', consensus: Float32Array.from(srv.agg.consensus), roundsDone: srv.agg.roundsDone });
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
