// One federated worker joining a served job (`nacc fl join HOST:PORT`, and every worker of
// `--real`): it proves the token, receives its job (data partition, model, schedule) from the
// server, runs its local steps taking step_time of wall-clock time each, sends round sums and
// stalls for averages exactly like the simulator's worker, and reports its figures at the end.
import { connect, type Socket } from 'node:net';
import { deserialize } from 'node:v8';
import { FlWorker } from './algorithms.ts';
import {
  ANY_SLOT,
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
import { newNonce, proof, serverProofMatches } from './token.ts';
import { Trainer, compileModel } from './trainer.ts';
import type { WorkerJob } from './aggregator-server.ts';

export interface JoinOptions {
  host: string;
  port: number;
  token: string;
  log?: (m: string) => void;
  /** Tests only: claim this protocol version instead of ours. */
  protocolVersion?: number;
}

export interface JoinSummary {
  id: number;
  steps: number;
  stallMs: number;
}

/** Why a join ended early: refused by the server, or the connection failed or closed. */
export class JoinError extends Error {}

/** The job frame carries a whole data partition; the server is trusted with this much. */
const MAX_JOB_FRAME = 1 << 30;

const immediate = () => new Promise<void>((r) => setImmediate(r));
/**
 * Wait until a performance.now() instant. Node's timers have millisecond granularity: a due
 * step only yields to the event loop (so socket data is still read); otherwise a timer, which
 * may end up to about a millisecond late (the schedule is anchored to deadlines, so that does
 * not accumulate). No busy waiting: spinning processes lose priority on a loaded host.
 */
async function waitUntil(t: number): Promise<void> {
  const rem = t - performance.now();
  if (rem > 0) await new Promise<void>((r) => setTimeout(r, rem));
  else await immediate();
}

/** Local performance.now() instant of an epoch-ms instant (the server's clock; see docs/fl.md on clocks). */
const localInstant = (atEpochMs: number): number => atEpochMs - performance.timeOrigin;

export async function joinJob(opts: JoinOptions): Promise<JoinSummary> {
  const log = opts.log ?? (() => undefined);
  const ownNonce = newNonce();
  const sock: Socket = connect({ host: opts.host, port: opts.port });
  sock.setNoDelay(true);
  let failed: ((e: Error) => void) | undefined;
  const failure = new Promise<never>((_, rej) => (failed = rej));
  failure.catch(() => undefined);
  let job: WorkerJob | undefined;
  let worker: FlWorker | undefined;
  let trainer: Trainer | undefined;
  let finished = false;
  const arrivals = new Map<number, number>();
  const sendLate = new DelayStat();
  const wake = new DelayStat();
  let waiting: { round: number; wake: () => void } | undefined;
  let onJob: (() => void) | undefined;
  let onStart: ((at: number, stepMs: number) => void) | undefined;
  const gotJob = new Promise<void>((r) => (onJob = r));
  const started = new Promise<{ at: number; stepMs: number }>((r) => (onStart = (at, stepMs) => r({ at, stepMs })));
  const die = (m: string) => {
    if (finished) return;
    finished = true;
    sock.destroy();
    failed?.(new JoinError(m));
  };
  let connected = false;
  sock.once('connect', () => (connected = true));
  sock.on('error', (e: NodeJS.ErrnoException) =>
    die(
      connected
        ? `the connection to the server at ${opts.host}:${opts.port} broke (${e.code ?? e.message})${job ? ` (worker ${job.id}, step ${worker?.step ?? 0})` : ''}`
        : `cannot reach the server at ${opts.host}:${opts.port}: ${e.code ?? e.message}`,
    ),
  );
  sock.on('close', () =>
    die(
      `the server at ${opts.host}:${opts.port} closed the connection${job ? ` (worker ${job.id}, step ${worker?.step ?? 0})` : ' before sending a job'}`,
    ),
  );

  const calibrate = (at: number, steps: number) => {
    const scratch = Float32Array.from(job!.init);
    const b = Math.min(job!.cfg.batch, job!.y.length);
    setTimeout(
      async () => {
        const t0 = performance.now();
        for (let i = 0; i < steps; i++) {
          trainer!.lossAndGradient(scratch, job!.x.subarray(0, b * job!.features), job!.y.subarray(0, b), b);
          await immediate();
        }
        sock.write(encodeF64Frame(FRAME_CALIBRATED, job!.id, 0, [(performance.now() - t0) / steps]));
      },
      Math.max(0, localInstant(at) - performance.now()),
    );
  };

  onCheckedFrames(
    sock,
    () => (job ? frameBytes(job.init.length) + 64 : MAX_JOB_FRAME),
    (raw) => {
      const type = raw.readUInt8(4);
      if (type === FRAME_REJECT) return die(`the server refused this worker: ${payloadBytes(raw).toString('utf8')}`);
      if (type === FRAME_CHALLENGE) {
        const body = payloadBytes(raw);
        const version = body.readUInt32LE(0);
        if (version !== PROTOCOL_VERSION)
          return die(`version mismatch: the server speaks protocol version ${version}, this nacc speaks ${PROTOCOL_VERSION}`);
        const auth = Buffer.concat([Buffer.alloc(4), proof(opts.token, body.subarray(4)), ownNonce]);
        auth.writeUInt32LE(opts.protocolVersion ?? PROTOCOL_VERSION, 0);
        sock.write(encodeBytesFrame(FRAME_AUTH, ANY_SLOT, 0, auth));
        return;
      }
      if (type === FRAME_JOB && !job) {
        // Decode a job only from a server that proves it holds the token too.
        const body = payloadBytes(raw);
        if (!serverProofMatches(opts.token, ownNonce, body.subarray(0, MAC_BYTES)))
          return die('the server did not prove it holds the token: it is not the server of this job');
        job = deserialize(body.subarray(MAC_BYTES)) as WorkerJob;
        onJob?.();
        return;
      }
      if (!job) return die(`the server sent a ${frameName(type)} frame before the job`);
      if (type === FRAME_CALIBRATE) {
        const [at, steps] = payloadF64(raw);
        return calibrate(at, steps);
      }
      if (type === FRAME_START) {
        const [at, stepMs] = payloadF64(raw);
        return onStart?.(at, stepMs);
      }
      if (type === FRAME_AVERAGE && worker) {
        const f = decodeFrame(raw);
        worker.receiveAverage(f.round, f.payload);
        arrivals.set(f.round, performance.now());
        wake.add(epochNow() - f.stamp);
        if (waiting && waiting.round === f.round) waiting.wake();
        return;
      }
      die(`the server sent an unexpected ${frameName(type)} frame`);
    },
    (e) => die(`the server sent a bad frame: ${e.message}`),
  );

  await Promise.race([gotJob, failure]);
  const j = job!;
  log(`worker ${j.id}: ${j.y.length} samples, ${j.steps} steps`);
  trainer = new Trainer(compileModel(j.network), j.cfg.batch);
  const n = j.y.length;
  worker = new FlWorker(
    j.id,
    j.cfg,
    j.init,
    { features: j.features, classes: j.classes, count: n, x: j.x, y: j.y },
    Int32Array.from({ length: n }, (_, i) => i),
    j.seed,
    j.firstRound ?? 0,
  );
  if (j.firstRound) log(`worker ${j.id}: joining the running job at round ${j.firstRound}`);
  // Warm the JIT up on a scratch copy so the first timed steps are not compile-bound.
  const scratch = Float32Array.from(j.init);
  const b = Math.min(j.cfg.batch, n);
  for (let i = 0; i < 5; i++) trainer.lossAndGradient(scratch, j.x.subarray(0, b * j.features), j.y.subarray(0, b), b);
  sock.write(encodeFrame(FRAME_READY, j.id, 0));
  const go = await Promise.race([started, failure]);
  let stepMs = go.stepMs;
  let stepStart = localInstant(go.at);
  await Promise.race([waitUntil(stepStart), failure]);
  let stallMs = 0;
  let computeMs = 0;
  while (worker.step < j.steps) {
    const c0 = performance.now();
    const msg = worker.compute(trainer);
    computeMs += performance.now() - c0;
    // The step takes step_time of wall-clock time, measured from its start (no drift).
    const deadline = stepStart + stepMs;
    await Promise.race([waitUntil(deadline), failure]);
    if (msg) {
      sendLate.add(performance.now() - deadline);
      sock.write(encodeFrame(FRAME_ROUND, j.id, msg.round, msg.values));
    }
    const r = worker.needs();
    let next = deadline;
    if (r >= 0 && !worker.hasAverage(r)) {
      await Promise.race([new Promise<void>((w) => (waiting = { round: r, wake: w })), failure]);
      waiting = undefined;
      const at = arrivals.get(r)!;
      stallMs += Math.max(0, at - deadline);
      next = Math.max(deadline, at);
    }
    worker.apply();
    stepStart = next;
    stepMs = go.stepMs;
  }
  const late = sendLate.raw();
  sock.write(encodeF64Frame(FRAME_DONE, j.id, 0, [stallMs, computeMs, late.length, ...late, ...wake.raw()]));
  // The server closes every connection once the job is complete; a close now is the normal end.
  finished = true;
  await new Promise<void>((res) => (sock.destroyed ? res() : sock.once('close', () => res())));
  return { id: j.id, steps: j.steps, stallMs };
}
