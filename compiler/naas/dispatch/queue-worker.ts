// The consumer side of the search queue (`nacc worker`): takes evaluation jobs from Redis,
// validates each payload against the job schema, evaluates it on local threads, returns the result.
import type { Job, Worker as BullWorker } from 'bullmq';
import { workerRunner } from '../search.ts';
import { encodeExact } from './codec.ts';
import { parseJob } from './job-schema.ts';
import { DEFAULT_QUEUE, JOB_NAME, loadBullmq } from './queue-dispatcher.ts';
import { checkRedisReachable, redactRedisUrl, scrubCredentials } from './redis-url.ts';

/**
 * How long a job's lock lasts without renewal (ms), and so how soon the job of a killed worker is
 * handed to another: BullMQ's stall check runs at this interval too. Evaluations run on threads,
 * so a busy worker still renews its locks.
 */
export const DEFAULT_STALL_MS = 30_000;

/** How many times a job may lose its worker and be handed to another before it fails. */
export const MAX_STALLS = 5;

export interface QueueWorkerOptions {
  url: string;
  queue?: string;
  /** Jobs evaluated at once, one thread each. */
  concurrency: number;
  stallMs?: number;
  /** One line per event (started, job done, job rejected, connection trouble). */
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunningWorker {
  /** Stops taking jobs, finishes the ones running and disconnects. */
  close(): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningWorker> {
  await checkRedisReachable(o.url, o.env);
  const { Worker, UnrecoverableError } = loadBullmq();
  const name = o.queue ?? DEFAULT_QUEUE;
  const stallMs = o.stallMs ?? DEFAULT_STALL_MS;
  const pool = workerRunner(o.concurrency);
  const processJob = async (job: Job): Promise<string> => {
    if (job.name !== JOB_NAME)
      throw new UnrecoverableError(`rejected job ${job.id}: unknown job name '${String(job.name).slice(0, 64)}' (expected '${JOB_NAME}')`);
    const parsed = parseJob(job.data);
    if ('errors' in parsed) {
      o.log(`job ${job.id} rejected: invalid payload: ${parsed.errors.join('; ')}`);
      throw new UnrecoverableError(`invalid job payload: ${parsed.errors.join('; ')}`);
    }
    const t0 = performance.now();
    o.log(`job ${job.id} started (${parsed.task.kind})`);
    const result = await pool.run(parsed.task);
    o.log(`job ${job.id} done: ${result.evaluations} evaluations in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return encodeExact(result);
  };
  const worker: BullWorker = new Worker(name, processJob, {
    connection: { url: o.url, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: MAX_STALLS,
    // Finished jobs are kept as the search's queue asks (queue-dispatcher.ts); a few seconds of idle polling.
    drainDelay: 5,
  });
  // Redis going away is retried for ever (a worker outlives a Redis restart); said once every 10 s.
  let warnedAt = -Infinity;
  worker.on('error', (e: Error) => {
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    o.log(`Redis at ${redactRedisUrl(o.url)}: ${scrubCredentials(e.message, o.url)} (retrying)`);
  });
  await worker.waitUntilReady();
  o.log(
    `listening on queue '${name}' at ${redactRedisUrl(o.url)} with ${o.concurrency} thread${o.concurrency === 1 ? '' : 's'} (stalled jobs handed on after ${stallMs / 1000} s)`,
  );
  return {
    close: async () => {
      await worker.close();
      await pool.close();
    },
  };
}
