// `nacc worker --redis URL [--concurrency N]`: a long-running process evaluating the search
// queue's jobs for `nacc search --redis URL` (compiler/naas/dispatch/), on any number of hosts.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { D, fail } from '../diagnostics/index.ts';
import { DEFAULT_QUEUE } from '../naas/dispatch/queue-dispatcher.ts';
import { DEFAULT_STALL_MS, startQueueWorker } from '../naas/dispatch/queue-worker.ts';
import { REDIS_URL_ENV, redisUrlOption } from '../naas/dispatch/redis-url.ts';

const positiveInt = (v: string, flag: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(D.workerInteger, `${flag} needs a positive integer, got '${v}'`);
  return n;
};

/** A queue name as BullMQ keys it: no ':' (its key separator), nothing a shell or log would mangle. */
export function queueNameOption(v: string | undefined): string {
  const name = v ?? DEFAULT_QUEUE;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
    fail(D.queueName, `--queue must be letters, digits, '_', '.' or '-' (at most 64), got '${name}'`);
  return name;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('evaluate NAAS search jobs from a Redis queue (for nacc search --redis) until stopped')
    .requiredOption('--redis [url]', `Redis server, redis://[USER:PASSWORD@]HOST:PORT[/DB]; bare --redis reads ${REDIS_URL_ENV}`)
    .option('--concurrency <n>', 'jobs evaluated at once, one thread each (default: all cores)')
    .option('--queue <name>', 'queue name (searches and workers must agree)', DEFAULT_QUEUE)
    .option(
      '--stall-ms <ms>',
      `how soon a job whose worker died is handed to another worker (lock duration and stall check interval)`,
      String(DEFAULT_STALL_MS),
    )
    .option('--quiet', 'print only start-up and errors, not one line per job')
    .action(async (o: { redis: string | true; concurrency?: string; queue?: string; stallMs: string; quiet?: boolean }) => {
      const url = redisUrlOption(o.redis);
      const concurrency = o.concurrency ? positiveInt(o.concurrency, '--concurrency') : availableParallelism();
      const stallMs = positiveInt(o.stallMs, '--stall-ms');
      const queue = queueNameOption(o.queue);
      const say = (line: string) => process.stderr.write(`nacc worker: ${line}\n`);
      const worker = await startQueueWorker({
        url,
        queue,
        concurrency,
        stallMs,
        log: o.quiet ? (l) => (/^job /.test(l) && !/rejected/.test(l) ? undefined : say(l)) : say,
      });
      // First SIGINT/SIGTERM: take no more jobs, finish the running ones, exit 0. A second one
      // exits at once; the queue hands that worker's jobs to another after --stall-ms.
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
          stopping = true;
          say(`${signal}: finishing the running jobs (again to stop at once)`);
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      say('stopped');
    });
}
