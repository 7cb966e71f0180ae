// The aggregator of real mode as a TCP server (`nacc fl serve`, and `--real` behind the relay or
// in the aggregator's network namespace). A connection proves the job's token (HMAC of a nonce),
// gets its worker job (data partition, model), reports ready, and then sends round sums; the
// server averages a round when every worker present has sent and writes the average back.
// Unknown workers, malformed or oversized frames and version mismatches are turned away with a
// message and never stop the server. A worker that disconnects or stalls after the start is
// dropped: rounds then average the workers present. Times are wall-clock milliseconds since the
// run's common start instant (epoch ms), so every process measures the same axis.
import { createServer, type Server, type Socket } from 'node:net';
import { serialize } from 'node:v8';
import type { Network } from '../ir/network.ts';
import { Aggregator, type AlgoConfig } from './algorithms.ts';
import {
  ANY_SLOT,
  BadFrame,
  DelayStat,
  FRAME_AUTH,
  FRAME_AVERAGE,
  FRAME_CALIBRATE,
  FRAME_CALIBRATED,
  FRAME_CHALLENGE,
  FRAME_DONE,
  FRAME_JOB,
  FRAME_READY,
  FRAME_REJECT,
  FRAME_ROUND,
  FRAME_START,
  MAC_BYTES,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  decodeFrame,
  encodeBytesFrame,
  encodeF64Frame,
  encodeFrame,
  epochNow,
  frameBytes,
  frameName,
  onCheckedFrames,
  payloadBytes,
  payloadF64,
} from './frames.ts';
import { newNonce, proofMatches, serverProof } from './token.ts';
import type { CheckpointState } from './checkpoint.ts';

/** Everything worker `id` needs, sent in its job frame: its data partition, the model, the schedule. */
export interface WorkerJob {
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
  /** The round it starts at (a rejoining worker, a resumed job); `init` is then the consensus after the rounds before. */
  firstRound?: number;
}

export interface AggregatorServerInit {
  cfg: AlgoConfig;
  workers: number;
  init: Float32Array;
  totalRounds: number;
  evalEvery: number;
  /** Listen address: 127.0.0.1 behind the relay, 0.0.0.0 in the aggregator's namespace, or the user's. */
  host: string;
  /** Listen port (0: any free one). */
  port?: number;
  /** The job's secret; workers prove they hold it. */
  token: string;
  /** Worker slot i's job. */
  jobs: WorkerJob[];
  /** Drop a started worker silent for this long (ms); default 30 s. */
  dropAfterMs?: number;
  /** Continue from this checkpoint: its rounds are done, every worker starts after them. */
  resume?: CheckpointState;
  /** Identity of the job written into checkpoints (see checkpoint.ts). */
  fingerprint?: string;
}

export interface AverageEvent {
  /** Rounds averaged so far (round index + 1). */
  done: number;
  /** Milliseconds since the start instant. */
  t: number;
  /** A copy of the consensus when the curve samples this round. */
  snapshot?: Float32Array;
}

/** What a worker reports when it has run all its steps. */
export interface WorkerStats {
  id: number;
  stallMs: number;
  computeMs: number;
  sendLate: number[];
  wake: number[];
}

export interface DropEvent {
  worker: number;
  /** Rounds averaged when the worker was dropped. */
  after_rounds: number;
  reason: string;
}

export interface RejoinEvent {
  worker: number;
  /** The first round the new worker contributes to. */
  at_round: number;
}

export interface ServerFinish {
  consensus: Float32Array;
  /** The job's final model: the consensus, or its tail average (`tail_average`). */
  finalModel: Float32Array;
  roundsDone: number;
  /** Milliseconds from each round sum's last write (its stamp) to the aggregator's reading it. */
  receive: number[];
  events: AverageEvent[];
  /** Stats of the workers that finished (dropped ones are missing). */
  workerStats: WorkerStats[];
  dropped: DropEvent[];
  rejoined: RejoinEvent[];
  /** Workers each averaged round was formed from. */
  contributors: number[];
  /** Round sums received, before a resume included. */
  messages: number;
}

export interface AggregatorServer {
  port: number;
  server: Server;
  /** Resolves when every worker slot holds a worker that is warmed up. */
  ready: Promise<void>;
  /** Workers time back-to-back steps from `at` (epoch ms); their wall-clock ms per step. */
  calibrate(at: number, steps: number): Promise<number[]>;
  /** Start every worker at `at` (epoch ms) with its step time. */
  start(at: number, stepMs: number[]): void;
  /** Every round averaged and every worker still present done. */
  finished: Promise<ServerFinish>;
  close(): void;
}

/** Largest frame a worker may send once it holds its job: a round sum, or its final stats. */
export const maxWorkerFrame = (params: number, totalRounds: number): number =>
  Math.max(frameBytes(params), frameBytes(0) + 8 * (3 + 2 * (totalRounds + 1)));
/** Before authentication only the auth frame is expected. */
const MAX_AUTH_FRAME = frameBytes(0) + 4 + MAC_BYTES + NONCE_BYTES;
const HANDSHAKE_MS = 15000;

type Slot = { sock: Socket; state: 'joined' | 'ready' | 'running' | 'done' } | undefined;

/**
 * Start serving. `log` gets one line per rejection, join, drop and rejoin; `onCheckpoint` the
 * state after every averaged round (to be written where a restarted server finds it).
 */
export async function startAggregatorServer(
  init: AggregatorServerInit,
  log: (m: string) => void = () => undefined,
  onCheckpoint?: (state: CheckpointState) => void,
): Promise<AggregatorServer> {
  const N = init.workers;
  const params = init.init.length;
  const agg = new Aggregator(init.cfg, N, init.init);
  const slots: Slot[] = new Array(N).fill(undefined);
  const dropped = new Set<number>();
  const resume = init.resume;
  const drops: DropEvent[] = resume ? [...resume.dropped] : [];
  const rejoins: RejoinEvent[] = resume ? [...resume.rejoined] : [];
  let stepMsOf: number[] = init.jobs.map((j) => j.stepMs);
  const lastHeard = new Array<number>(N).fill(0);
  const stats: WorkerStats[] = [];
  const events: AverageEvent[] = resume ? [...resume.events] : [];
  const receive = new DelayStat();
  // A resumed job's clock goes on from its last average; its workers all start after its rounds.
  const timeOffset = events.length ? events[events.length - 1].t : 0;
  const firstRound = resume?.roundsDone ?? 0;
  if (resume) {
    agg.consensus.set(resume.consensus);
    agg.roundsDone = resume.roundsDone;
    agg.contributors.push(...resume.contributors);
    if (resume.tail) {
      agg.tailSum = Float64Array.from(resume.tail.sum);
      agg.tailCount = resume.tail.count;
    }
  }
  const jobFor = (id: number): WorkerJob =>
    resume ? { ...init.jobs[id], init: Float32Array.from(resume.consensus), firstRound } : init.jobs[id];
  const messages = () => (resume?.messages ?? 0) + receive.raw().length;
  const maxFrame = maxWorkerFrame(params, init.totalRounds);
  const dropAfterMs = init.dropAfterMs ?? 30000;
  let startEpoch = 0;
  let started = false;
  let closed = false;
  let failure: Error | undefined;
  let onReady: () => void = () => undefined;
  let onCalibrated: ((id: number, ms: number) => void) | undefined;
  let settle: { res: (f: ServerFinish) => void; rej: (e: Error) => void } | undefined;
  const ready = new Promise<void>((res) => (onReady = res));
  const finished = new Promise<ServerFinish>((res, rej) => (settle = { res, rej }));
  finished.catch(() => undefined);

  const checkReady = () => {
    if (!started && slots.every((s) => s?.state === 'ready')) onReady();
  };
  const checkFinished = () => {
    if (!settle) return;
    if (failure) {
      settle.rej(failure);
      settle = undefined;
      return;
    }
    if (agg.roundsDone < init.totalRounds) return;
    if (!slots.every((s, i) => dropped.has(i) || s?.state === 'done')) return;
    // The job is complete: every connection is closed, which ends each worker's join.
    for (const s of slots) s?.sock.end();
    settle.res({
      consensus: agg.consensus,
      finalModel: agg.finalModel(),
      roundsDone: agg.roundsDone,
      receive: receive.raw(),
      events,
      workerStats: stats.sort((a, b) => a.id - b.id),
      dropped: drops,
      rejoined: rejoins,
      contributors: agg.contributors,
      messages: messages(),
    });
    settle = undefined;
  };
  const broadcast = (round: number, mean: Float32Array) => {
    const t = epochNow() - startEpoch + timeOffset;
    const frame = encodeFrame(FRAME_AVERAGE, 0, round, mean);
    // A worker's silence counts from when it last had something to do: an average gives it the next round.
    lastHeard.fill(performance.now());
    slots.forEach((s, i) => {
      if (s && !dropped.has(i) && !s.sock.destroyed) s.sock.write(frame);
    });
    const done = round + 1;
    const sample = done % init.evalEvery === 0 || done === init.totalRounds;
    events.push({ done, t, ...(sample ? { snapshot: Float32Array.from(agg.consensus) } : {}) });
    onCheckpoint?.({
      fingerprint: init.fingerprint ?? '',
      roundsDone: agg.roundsDone,
      consensus: agg.consensus,
      events,
      contributors: agg.contributors,
      messages: messages(),
      dropped: drops,
      rejoined: rejoins,
      ...(agg.tailSum ? { tail: { sum: agg.tailSum, count: agg.tailCount } } : {}),
    });
  };
  const drop = (id: number, reason: string) => {
    if (dropped.has(id) || closed) return;
    dropped.add(id);
    drops.push({ worker: id, after_rounds: agg.roundsDone, reason });
    log(`dropped worker ${id} after ${agg.roundsDone} rounds: ${reason}; rounds now average the ${N - dropped.size} workers present`);
    const sock = slots[id]?.sock;
    if (sock && !sock.destroyed) {
      sock.end();
      setTimeout(() => sock.destroy(), 1000).unref();
    }
    if (dropped.size === N) failure = new Error(`every worker was dropped (the last: worker ${id}, ${reason})`);
    else for (const { round, mean } of agg.drop(id)) broadcast(round, mean);
    checkFinished();
  };
  const reject = (sock: Socket, who: string, why: string) => {
    log(`rejected ${who}: ${why}`);
    if (!sock.destroyed) sock.end(encodeBytesFrame(FRAME_REJECT, 0, 0, Buffer.from(why, 'utf8')));
    setTimeout(() => sock.destroy(), 1000).unref();
  };

  const server = createServer((sock) => {
    sock.setNoDelay(true);
    const who = `${sock.remoteAddress}:${sock.remotePort}`;
    const nonce = newNonce();
    let id = -1;
    const handshake = setTimeout(() => reject(sock, who, `no authentication within ${HANDSHAKE_MS / 1000} s`), HANDSHAKE_MS);
    handshake.unref();
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(handshake);
      if (id < 0 || slots[id]?.sock !== sock) return;
      const state = slots[id]!.state;
      if (state === 'done') return;
      // Before the start a slot is simply free again; after it the worker is dropped.
      if (started) drop(id, 'disconnected');
      else slots[id] = undefined;
    });
    sock.write(encodeBytesFrame(FRAME_CHALLENGE, 0, 0, Buffer.concat([u32(PROTOCOL_VERSION), nonce])));
    onCheckedFrames(
      sock,
      () => (id < 0 ? MAX_AUTH_FRAME : maxFrame),
      (raw) => {
        const type = raw.readUInt8(4);
        if (id < 0) {
          if (type !== FRAME_AUTH) throw new BadFrame(`malformed handshake: expected an auth frame, got a ${frameName(type)} frame`);
          const body = payloadBytes(raw);
          const version = body.length >= 4 ? body.readUInt32LE(0) : -1;
          if (version >= 0 && version !== PROTOCOL_VERSION)
            throw new BadFrame(
              `version mismatch: the worker speaks protocol version ${version}, this server speaks ${PROTOCOL_VERSION} (run the same nacc on both ends)`,
            );
          if (body.length !== 4 + MAC_BYTES + NONCE_BYTES)
            throw new BadFrame(`malformed auth frame: ${body.length} bytes of payload, expected ${4 + MAC_BYTES + NONCE_BYTES}`);
          const workerNonce = body.subarray(4 + MAC_BYTES);
          const jobFrame = (job: WorkerJob) =>
            encodeBytesFrame(FRAME_JOB, id, 0, Buffer.concat([serverProof(init.token, workerNonce), serialize(job)]));
          if (!proofMatches(init.token, nonce, body.subarray(4, 4 + MAC_BYTES)))
            throw new BadFrame("unknown worker: it does not hold this job's token (check --token-file)");
          clearTimeout(handshake);
          const want = raw.readUInt32LE(5);
          if (started) {
            // A running job takes a worker in the place of a dropped one, from the next round to average.
            const free = [...dropped].sort((a, b) => a - b)[0];
            if (free === undefined || agg.roundsDone >= init.totalRounds)
              throw new BadFrame(`the job is running with all ${N - dropped.size} of its workers; no place to rejoin`);
            id = free;
            dropped.delete(id);
            slots[id] = { sock, state: 'joined' };
            lastHeard[id] = performance.now();
            const at = agg.roundsDone;
            agg.readmit(id);
            rejoins.push({ worker: id, at_round: at });
            log(`worker ${id} rejoined from ${who} at round ${at}`);
            sock.write(jobFrame({ ...init.jobs[id], init: Float32Array.from(agg.consensus), firstRound: at }));
            return;
          }
          const slot = want !== ANY_SLOT && want < N && !slots[want] ? want : slots.findIndex((s) => !s);
          if (slot < 0) throw new BadFrame(`the job is full: ${N} workers have joined`);
          id = slot;
          slots[id] = { sock, state: 'joined' };
          log(`worker ${id} joined from ${who}`);
          sock.write(jobFrame(jobFor(id)));
          return;
        }
        const slot = slots[id];
        if (!slot || slot.sock !== sock) return;
        if (dropped.has(id)) return;
        lastHeard[id] = performance.now();
        if (raw.readUInt32LE(5) !== id)
          throw new BadFrame(
            `malformed frame: a ${frameName(type)} frame claims worker ${raw.readUInt32LE(5)} on worker ${id}'s connection`,
          );
        if (type === FRAME_READY && slot.state === 'joined' && started) {
          slot.state = 'running';
          sock.write(encodeF64Frame(FRAME_START, id, 0, [epochNow() + 20, stepMsOf[id]]));
        } else if (type === FRAME_READY && slot.state === 'joined') {
          slot.state = 'ready';
          checkReady();
        } else if (type === FRAME_CALIBRATED && onCalibrated) {
          onCalibrated(id, payloadF64(raw)[0]);
        } else if (type === FRAME_ROUND && slot.state === 'running') {
          const f = decodeFrame(raw);
          if (f.payload.length !== params) throw new BadFrame(`malformed round sum: ${f.payload.length} values, the model has ${params}`);
          if (f.round >= init.totalRounds || f.round < agg.roundsDone)
            throw new BadFrame(
              `malformed round sum: round ${f.round} is outside the job's rounds ${agg.roundsDone}..${init.totalRounds - 1}`,
            );
          receive.add(epochNow() - f.stamp);
          let mean: Float32Array | undefined;
          try {
            mean = agg.receive({ worker: id, round: f.round, values: f.payload });
          } catch (e) {
            throw new BadFrame((e as Error).message);
          }
          if (mean) {
            broadcast(f.round, mean);
            for (const next of agg.completeReady()) broadcast(next.round, next.mean);
          }
          checkFinished();
        } else if (type === FRAME_DONE && slot.state === 'running') {
          const v = payloadF64(raw);
          const n = v[2];
          if (!(Number.isInteger(n) && n >= 0 && 3 + n <= v.length)) throw new BadFrame('malformed done frame');
          stats.push({
            id,
            stallMs: v[0],
            computeMs: v[1],
            sendLate: Array.from(v.subarray(3, 3 + n)),
            wake: Array.from(v.subarray(3 + n)),
          });
          slot.state = 'done';
          checkFinished();
        } else throw new BadFrame(`malformed frame: a ${frameName(type)} frame is out of place (worker ${id} is ${slot.state})`);
      },
      (e) => {
        // A worker that breaks the protocol after the start is dropped; before it, its slot is freed.
        reject(sock, id >= 0 ? `worker ${id} (${who})` : who, e.message);
        if (id >= 0 && slots[id]?.sock === sock) {
          if (started) drop(id, e.message);
          else slots[id] = undefined;
        }
      },
    );
  });
  // A started worker the next average waits for, silent for dropAfterMs, is dropped (one that
  // has sent its round sum is waiting for the average, not stalled).
  const watchdog = setInterval(
    () => {
      if (!started || agg.roundsDone >= init.totalRounds) return;
      const now = performance.now();
      slots.forEach((s, i) => {
        if (
          (s?.state === 'running' || s?.state === 'joined') &&
          !dropped.has(i) &&
          !agg.has(agg.roundsDone, i) &&
          now - lastHeard[i] > dropAfterMs
        )
          drop(i, `stalled: silent for ${(dropAfterMs / 1000).toFixed(1)} s while round ${agg.roundsDone} waited for it`);
      });
    },
    Math.max(50, Math.min(1000, dropAfterMs / 4)),
  );
  watchdog.unref();
  server.on('error', (e) => {
    failure = e;
    checkFinished();
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(init.port ?? 0, init.host, () => {
      server.off('error', rej);
      res();
    });
  });
  if (init.totalRounds === 0) checkFinished();
  return {
    port: (server.address() as { port: number }).port,
    server,
    ready,
    calibrate: (at, steps) =>
      new Promise<number[]>((res) => {
        const got = new Array<number>(N).fill(NaN);
        let left = N;
        onCalibrated = (i, ms) => {
          if (!Number.isNaN(got[i])) return;
          got[i] = ms;
          if (--left === 0) {
            onCalibrated = undefined;
            res(got);
          }
        };
        slots.forEach((s, i) => s?.sock.write(encodeF64Frame(FRAME_CALIBRATE, i, 0, [at, steps])));
      }),
    start: (at, stepMs) => {
      startEpoch = at;
      started = true;
      stepMsOf = stepMs;
      const now = performance.now() + Math.max(0, at - epochNow());
      slots.forEach((s, i) => {
        // A worker that left between ready and start is not waited for.
        if (!s) return drop(i, 'left before the start');
        s.state = 'running';
        lastHeard[i] = now;
        s.sock.write(encodeF64Frame(FRAME_START, i, 0, [at, stepMs[i]]));
      });
      checkFinished();
    },
    finished,
    close: () => {
      closed = true;
      clearInterval(watchdog);
      for (const s of slots) s?.sock.end();
      for (const s of slots) s?.sock.destroy();
      server.close();
    },
  };
}

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v, 0);
  return b;
};
