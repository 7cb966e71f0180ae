// The aggregator's checkpoint (`nacc fl serve --checkpoint FILE`): what a restarted server needs to
// continue a job without losing a finished round — the consensus after the last averaged round,
// the curve's snapshots and times so far, and the faults seen. Pure encode/decode; the CLI does the I/O.
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { D, fail } from '../diagnostics/index.ts';
import type { AverageEvent, DropEvent, RejoinEvent } from './aggregator-server.ts';
import type { JobSetup } from './simulator.ts';

const MAGIC = 'nacc-fl-checkpoint/1';

export interface CheckpointState {
  /** Which job this is (see jobFingerprint): a checkpoint only resumes the job that wrote it. */
  fingerprint: string;
  roundsDone: number;
  consensus: Float32Array;
  events: AverageEvent[];
  contributors: number[];
  /** Round sums received so far (the `messages` figure). */
  messages: number;
  dropped: DropEvent[];
  rejoined: RejoinEvent[];
  /** Tail average (`tail_average`) so far: the float64 sum of the tail rounds' consensus and their count. */
  tail?: { sum: Float64Array; count: number };
}

/** The job's identity: algorithm, workers, rounds, initial model and data partition sizes. */
export function jobFingerprint(setup: JobSetup): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      name: setup.job.name,
      cfg: setup.cfg,
      workers: setup.job.workers,
      steps: setup.stepsPerWorker,
      parts: setup.data.parts.map((p) => p.length),
      seed: setup.job.seed,
      ...(setup.job.orderSeed !== undefined ? { orderSeed: setup.job.orderSeed } : {}),
    }),
  );
  h.update(Buffer.from(setup.init.buffer, setup.init.byteOffset, setup.init.byteLength));
  return h.digest('hex');
}

export function encodeCheckpoint(state: CheckpointState): Buffer {
  return serialize({ magic: MAGIC, ...state });
}

/** Read a checkpoint of this job; a damaged file or one of another job is a user error naming the file. */
export function decodeCheckpoint(bytes: Buffer, fingerprint: string, params: number, path: string): CheckpointState {
  let v: Partial<CheckpointState> & { magic?: string };
  try {
    v = deserialize(bytes) as typeof v;
  } catch {
    fail(D.flCheckpointInvalid, `${path}: not a nacc fl checkpoint (it cannot be decoded)`);
  }
  if (!v || v.magic !== MAGIC) fail(D.flCheckpointInvalid, `${path}: not a nacc fl checkpoint (no '${MAGIC}' header)`);
  if (v.fingerprint !== fingerprint)
    fail(
      D.flCheckpointOtherJob,
      `${path}: the checkpoint is of another job (or of this job with other settings); remove it to start afresh`,
    );
  if (
    !(v.consensus instanceof Float32Array) ||
    v.consensus.length !== params ||
    !Number.isInteger(v.roundsDone) ||
    !Array.isArray(v.events) ||
    !Array.isArray(v.contributors) ||
    (v.tail !== undefined && (!(v.tail.sum instanceof Float64Array) || v.tail.sum.length !== params || !Number.isInteger(v.tail.count)))
  ) {
    fail(D.flCheckpointInvalid, `${path}: the checkpoint is damaged (missing or mis-sized fields)`);
  }
  return {
    fingerprint,
    roundsDone: v.roundsDone!,
    consensus: v.consensus,
    events: v.events,
    contributors: v.contributors,
    messages: v.messages ?? 0,
    dropped: v.dropped ?? [],
    rejoined: v.rejoined ?? [],
    ...(v.tail ? { tail: v.tail } : {}),
  };
}
