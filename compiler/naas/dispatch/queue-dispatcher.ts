// Candidate evaluations dispatched through a BullMQ queue on Redis to `nacc worker` processes
// on any number of hosts. Each result comes back under its task's id (codec.ts), never by arrival.
import { createRequire } from 'node:module';
import type { Job, Queue as BullQueue, QueueEvents as BullQueueEvents } from 'bullmq';
import { D, fail } from '../../diagnostics/index.ts';
import type { CandidateResult, CandidateTask } from '../candidate.ts';
import type { Dispatcher } from './dispatcher.ts';
import { decodeExact, encodeExact, taskId } from './codec.ts';
import { JOB_SCHEMA, type JobData } from './job-schema.ts';
import { checkRedisReachable, loadIoredis, redactRedisUrl, scrubCredentials } from './redis-url.ts';

/** The queue searches and workers meet on unless --queue names another. */
export const DEFAULT_QUEUE = 'nacc-naas';

/** The job name every evaluation carries (one kind of job per queue). */
export const JOB_NAME = 'candidate';

/**
 * Finished jobs stay in Redis for an hour (at most 2000 of them): a search restarted within
 * that time finds the results of jobs that finished while it was down, by id.
 */
const KEEP_FINISHED = { age: 3600, count: 2000 };

/** How long Redis may stay unreachable during a search before it fails (ms); NACC_REDIS_LOST_MS overrides. */
const REDIS_LOST_MS = 60_000;

/** How often the state of a job still running is read, in case its end event was missed (ms). */
const POLL_MS = 5_000;

export interface QueueRunnerOptions {
  url: string;
  queue?: string;
  /** Where connection trouble is reported (default: stderr). */
  warn?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** BullMQ, loaded on demand so local searches never load it. */
export function loadBullmq(): typeof import('bullmq') {
  return createRequire(import.meta.url)('bullmq') as typeof import('bullmq');
}

/**
 * A Dispatcher whose jobs run on the queue's workers. It checks that Redis answers first (exit 4
 * naming the redacted URL otherwise). Jobs are added under their task id, so a task already
 * queued, running or recently finished (by this search before a restart, or by an identical
 * one) is joined, not run again.
 */
export async function queueDispatcher(o: QueueRunnerOptions): Promise<Dispatcher> {
  const env = o.env ?? process.env;
  const warn = o.warn ?? ((line: string) => process.stderr.write(line + '\n'));
  await checkRedisReachable(o.url, env);
  const { Queue, QueueEvents } = loadBullmq();
  const name = o.queue ?? DEFAULT_QUEUE;
  const where = redactRedisUrl(o.url);
  const queue: BullQueue = new Queue(name, { connection: { url: o.url } });
  // QueueEvents reads the event stream from '$' by default, which misses events written before
  // its first blocking read (and again after an idle read): start from the stream's last event.
  const events: BullQueueEvents = new QueueEvents(name, {
    connection: { url: o.url },
    lastEventId: await lastEventId(o.url, queue.keys.events),
  });
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  // Pending evaluations, so that losing Redis for good fails them instead of waiting forever.
  const pending = new Set<(e: Error) => void>();
  let lostSince: number | undefined;
  let lost = false;
  let warnedAt = -Infinity;
  const lostMs = Number(env.NACC_REDIS_LOST_MS) > 0 ? Number(env.NACC_REDIS_LOST_MS) : REDIS_LOST_MS;
  const onError = (e: Error): void => {
    lostSince ??= Date.now();
    // The client retries every few hundred ms: say so once every 10 s, not every time.
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    warn(`search: Redis at ${where}: ${scrubCredentials(e.message, o.url)} (retrying; the search fails after ${lostMs / 1000} s)`);
  };
  queue.on('error', onError);
  events.on('error', onError);
  // While Redis is away, commands wait in the client's queue: a probe that does not answer in time failed.
  const answers = (): Promise<boolean> =>
    Promise.race([
      queue.count().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(resolve, 2_000, false).unref()),
    ]);
  const watchdog = setInterval(
    () => {
      if (lostSince === undefined || lost) return;
      void answers().then((ok) => {
        if (ok) {
          lostSince = undefined;
          return;
        }
        if (lostSince === undefined || Date.now() - lostSince < lostMs) return;
        lost = true;
        const err = lostRedis(where, lostMs);
        for (const reject of pending) reject(err);
      });
    },
    Math.min(5_000, lostMs / 4),
  );
  // Referenced until close(): while Redis is away nothing else may keep the search's process alive.
  try {
    await events.waitUntilReady();
  } catch (e) {
    clearInterval(watchdog);
    await Promise.allSettled([events.disconnect(), queue.disconnect()]);
    throw e;
  }

  const inflight = new Map<string, Promise<CandidateResult>>();
  // The job's end, from its event or, should an event ever be missed, from its state every few seconds.
  const polls = new Set<NodeJS.Timeout>();
  const finished = (job: Job, id: string): Promise<string> => {
    let poll: NodeJS.Timeout | undefined;
    const polled = new Promise<string>((resolve, reject) => {
      poll = setInterval(() => {
        void queue.getJob(id).then(
          async (j) => {
            const state = j ? await j.getState() : 'unknown';
            if (state === 'completed') resolve(j!.returnvalue as string);
            else if (state === 'failed') reject(new Error(j!.failedReason));
          },
          () => undefined,
        );
      }, POLL_MS);
      polls.add(poll);
    });
    return Promise.race([job.waitUntilFinished(events) as Promise<string>, polled]).finally(() => {
      clearInterval(poll);
      polls.delete(poll!);
    });
  };
  const waitFor = async (job: Job, id: string): Promise<string> => {
    try {
      return await finished(job, id);
    } catch (e) {
      // A job that stalled too often (workers killed under it) is retried once more; any other failure is final.
      if (!/stalled more than allowable limit/.test((e as Error).message)) throw e;
      await job.retry('failed');
      return await finished(job, id);
    }
  };
  const attempt = async (text: string, id: string): Promise<CandidateResult> => {
    const data: JobData = { schema: JOB_SCHEMA, task: text };
    const job = await queue.add(JOB_NAME, data, { jobId: id, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
    let reply: string;
    try {
      reply = await waitFor(job, id);
    } catch (e) {
      return fail(
        D.queueJobFailed,
        `evaluation job ${id} failed on a worker of queue '${name}' at ${where}: ${scrubCredentials((e as Error).message, o.url)}`,
      );
    }
    if (typeof reply !== 'string')
      fail(D.queueJobEmpty, `evaluation job ${id} came back without a result (a worker of another nacc version on queue '${name}'?)`);
    return decodeExact(reply) as CandidateResult;
  };
  // Every step (adding the job too) may wait on Redis: losing it for good rejects the whole evaluation.
  const evaluate = (text: string, id: string): Promise<CandidateResult> =>
    new Promise<CandidateResult>((resolve, reject) => {
      pending.add(reject);
      attempt(text, id)
        .then(resolve, reject)
        .finally(() => pending.delete(reject));
    });
  return {
    run: (task: CandidateTask) => {
      // One job per id even when a search asks for the same task twice at once.
      const text = encodeExact(task);
      const id = taskId(text);
      let p = inflight.get(id);
      if (!p) {
        p = evaluate(text, id).finally(() => inflight.delete(id));
        inflight.set(id, p);
      }
      return p;
    },
    close: async () => {
      clearInterval(watchdog);
      // Polls of jobs whose evaluation was abandoned (Redis lost, the search failed) end here.
      for (const poll of polls) clearInterval(poll);
      polls.clear();
      // A graceful close waits for Redis; without it (or if it takes long), drop the connections.
      // The timers are referenced: a close that never settles must not leave the process without work.
      const within = <T>(p: Promise<T>, ms: number, otherwise: T): Promise<T> =>
        Promise.race([p, new Promise<T>((resolve) => setTimeout(resolve, ms, otherwise))]);
      const closed =
        !lost &&
        (await within(
          Promise.all([events.close(), queue.close()]).then(() => true),
          5_000,
          false,
        ));
      if (!closed)
        await within(
          Promise.allSettled([events.disconnect(), queue.disconnect()]).then(() => true),
          1_000,
          false,
        );
    },
  };
}

/** The id of the newest event in the queue's event stream ('0-0' when it has none yet). */
async function lastEventId(url: string, key: string): Promise<string> {
  const Redis = loadIoredis();
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const newest = await client.xrevrange(key, '+', '-', 'COUNT', 1);
    return newest.length ? newest[0][0] : '0-0';
  } finally {
    client.disconnect();
  }
}

function lostRedis(where: string, ms: number): Error {
  try {
    fail(D.redisLost, `lost the Redis server at ${where} for more than ${ms / 1000} s during the search`);
  } catch (e) {
    return e as Error;
  }
}
