// The aggregator of real mode as a TCP server: it takes one connection per worker (hello
// frame), averages each round when the last worker's round sum arrives and writes the average
// back to every worker. Used in-process behind the delay relay, and inside the aggregator's
// network namespace (a child process) on the kernel link. Times are wall-clock milliseconds
// since the run's common start instant (epoch ms), so every process measures the same axis.
import { createServer, type Server, type Socket } from 'node:net';
import { Aggregator, type AlgoConfig } from './algorithms.ts';
import { DelayStat, FRAME_AVERAGE, FRAME_HELLO, FRAME_ROUND, decodeFrame, encodeFrame, epochNow, onRawFrames } from './frames.ts';

export interface AggregatorServerInit {
  cfg: AlgoConfig;
  workers: number;
  init: Float32Array;
  totalRounds: number;
  evalEvery: number;
  /** Listen address: 127.0.0.1 behind the relay, 0.0.0.0 in the aggregator's namespace. */
  host: string;
}

export interface AverageEvent {
  /** Rounds averaged so far (round index + 1). */
  done: number;
  /** Milliseconds since the start instant. */
  t: number;
  /** A copy of the consensus when the curve samples this round. */
  snapshot?: Float32Array;
}

export interface AggregatorServer {
  port: number;
  server: Server;
  agg: Aggregator;
  /** Resolves when every worker has said hello. */
  hellos: Promise<void>;
  /** Resolves when every round has been averaged (at once when there are none). */
  rounds: Promise<void>;
  /** The common start instant, epoch milliseconds. */
  setStart(atEpochMs: number): void;
  failure(): Error | undefined;
  /** Milliseconds from a round sum's last write (its stamp) to the aggregator's reading it. */
  receive: DelayStat;
  close(): void;
}

export async function startAggregatorServer(init: AggregatorServerInit, onAverage: (e: AverageEvent) => void): Promise<AggregatorServer> {
  const N = init.workers;
  const agg = new Aggregator(init.cfg, N, init.init);
  const sockets: (Socket | undefined)[] = new Array(N).fill(undefined);
  let helloCount = 0;
  let startEpoch = 0;
  let failure: Error | undefined;
  const receive = new DelayStat();
  let onHellos: () => void = () => undefined;
  let onRounds: () => void = () => undefined;
  const hellos = new Promise<void>((res) => (onHellos = res));
  const rounds = new Promise<void>((res) => (onRounds = res));
  if (init.totalRounds === 0) onRounds();
  const server = createServer((sock) => {
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
      receive.add(epochNow() - f.stamp);
      let mean: Float32Array | undefined;
      try {
        mean = agg.receive({ worker: f.worker, round: f.round, values: f.payload });
      } catch (e) {
        failure = e as Error;
        return;
      }
      if (!mean) return;
      const t = performance.timeOrigin + performance.now() - startEpoch;
      const frame = encodeFrame(FRAME_AVERAGE, 0, f.round, mean);
      for (const s of sockets) s?.write(frame);
      const done = f.round + 1;
      const sample = done % init.evalEvery === 0 || done === init.totalRounds;
      onAverage({ done, t, ...(sample ? { snapshot: Float32Array.from(agg.consensus) } : {}) });
      if (agg.roundsDone === init.totalRounds) onRounds();
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, init.host, () => res());
  });
  return {
    port: (server.address() as { port: number }).port,
    server,
    agg,
    hellos,
    rounds,
    setStart: (at) => (startEpoch = at),
    failure: () => failure,
    receive,
    close: () => {
      for (const s of sockets) s?.destroy();
      server.close();
    },
  };
}
