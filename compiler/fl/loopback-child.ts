// Child processes of real mode (started by loopback.ts through fork, or through
// `ip netns exec` on the kernel link):
//  - aggregator: the aggregator server inside its network namespace (kernel link only; behind
//    the relay the aggregator runs in the parent process);
//  - relay: sits between every worker and the aggregator and delays each frame by the link's
//    one-way latency (plus jitter) after pacing it to the bandwidth, per direction and worker;
//  - join: one worker, `nacc fl join`'s code (join.ts), given the token over IPC.
// Workers get their job and every control message over TCP from the server; IPC carries only
// the child's role, the aggregator's control in its namespace, errors and exit.
import { connect, createServer, type Socket } from 'node:net';
import { Prng } from '../util/prng.ts';
import { DelayStat, onRawFrames } from './frames.ts';
import { Link, type RelayStats } from './relay-link.ts';
import { joinJob } from './join.ts';
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

/** A worker: `nacc fl join`'s code path, given the token over IPC (never on a command line). */
export interface JoinInit {
  role: 'join';
  host: string;
  port: number;
  token: string;
}

export type ChildInit = RelayInit | JoinInit | AggregatorInit;

const send = (m: unknown) => process.send?.(m);
function runRelay(init: RelayInit): void {
  const rng = new Prng(init.seed * 131 + 7);
  const stats: RelayStats = { receive: new DelayStat(), timerLate: new DelayStat() };
  const server = createServer((down) => {
    down.setNoDelay(true);
    const up = connect({ host: '127.0.0.1', port: init.aggregatorPort });
    up.setNoDelay(true);
    const upLink = new Link(init, rng, () => up, stats);
    const downLink = new Link(init, rng, () => down, stats);
    onRawFrames(down, (raw) => upLink.push(raw));
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

/**
 * The aggregator server inside its network namespace. IPC: sends ready {port}, workers-ready,
 * calibrated {paces}, finished {ServerFinish}, error; takes calibrate {at, steps}, start {at,
 * stepMs}, exit.
 */
async function runAggregator(init: AggregatorInit): Promise<void> {
  const srv = await startAggregatorServer(init);
  process.on('message', (m: { kind: string; at?: number; steps?: number; stepMs?: number[] }) => {
    if (m.kind === 'calibrate') void srv.calibrate(m.at!, m.steps!).then((paces) => send({ kind: 'calibrated', paces }));
    if (m.kind === 'start') srv.start(m.at!, m.stepMs!);
    if (m.kind === 'exit') {
      srv.close();
      process.exit(0);
    }
  });
  send({ kind: 'ready', port: srv.port });
  await srv.ready;
  send({ kind: 'workers-ready' });
  const fin = await srv.finished;
  send({ kind: 'finished', ...fin, consensus: Float32Array.from(fin.consensus), finalModel: Float32Array.from(fin.finalModel) });
}

const reportAndExit = (e: unknown) => {
  send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
};

process.once('message', (m: ChildInit) => {
  if (m.role === 'relay') runRelay(m);
  else if (m.role === 'aggregator') runAggregator(m).catch(reportAndExit);
  else
    joinJob({ host: m.host, port: m.port, token: m.token })
      .then(() => send({ kind: 'joined-done' }))
      .catch(reportAndExit);
  // Exit when told to, at any point.
  process.on('message', (c: { kind: string }) => {
    if (c.kind === 'exit') process.exit(0);
  });
});
