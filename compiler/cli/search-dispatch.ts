// Where `nacc search` evaluates its candidates: local threads (--threads) or the Redis queue
// (--redis, --queue), and with --out the resume journal in front of either (naas/dispatch/).
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { D, fail } from '../diagnostics/index.ts';
import { localDispatcher, type Dispatcher } from '../naas/dispatch/dispatcher.ts';
import { encodeExact } from '../naas/dispatch/codec.ts';
import { journalPathFor, openJournal } from '../naas/dispatch/journal.ts';
import { DEFAULT_QUEUE } from '../naas/dispatch/queue-dispatcher.ts';
import { REDIS_URL_ENV, redisUrlOption } from '../naas/dispatch/redis-url.ts';
import { queueNameOption } from './worker.ts';

export interface DispatchFlags {
  threads?: string;
  redis?: string | true;
  queue?: string;
  out?: string;
}

/** The flags that choose where a search evaluates (added to `nacc search`). */
export function addDispatchOptions(cmd: Command): Command {
  return cmd
    .option(
      '--redis [url]',
      `evaluate on \`nacc worker\` processes through this Redis server (redis://[USER:PASSWORD@]HOST:PORT[/DB]; bare --redis reads ${REDIS_URL_ENV}) instead of local threads`,
    )
    .option('--queue <name>', `queue name with --redis (default ${DEFAULT_QUEUE})`);
}

export interface SearchDispatcher extends Dispatcher {
  /** The search finished and its --out folder is written: drop the journal, say what was resumed. */
  finished(): void;
}

/**
 * The dispatcher a search's flags ask for. `search` is everything that decides the search's
 * results (inputs, seed, budget, options): a journal written for other inputs is not resumed.
 */
export async function openSearchDispatcher(
  flags: DispatchFlags,
  search: unknown,
  say: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<SearchDispatcher> {
  let threads = availableParallelism();
  if (flags.threads !== undefined) {
    threads = Number(flags.threads);
    if (!Number.isInteger(threads) || threads < 1) fail(D.threadsInteger, `--threads needs a positive integer, got '${flags.threads}'`);
  }
  if (flags.threads !== undefined && flags.redis !== undefined)
    fail(D.threadsWithRedis, "--threads is for local evaluation; with --redis the workers' --concurrency sets the threads");
  if (flags.queue !== undefined && flags.redis === undefined)
    fail(D.queueWithoutRedis, '--queue names the queue of --redis; give --redis URL too');
  let base: Dispatcher;
  if (flags.redis !== undefined) {
    const url = redisUrlOption(flags.redis);
    const queue = queueNameOption(flags.queue);
    // Loaded only here: local searches never load BullMQ or ioredis.
    const { queueDispatcher } = await import('../naas/dispatch/queue-dispatcher.ts');
    base = await queueDispatcher({ url, queue });
  } else base = localDispatcher(threads);
  if (!flags.out) return { ...base, finished: () => undefined };
  const key = createHash('sha256').update(encodeExact(search)).digest('hex');
  const journal = openJournal(journalPathFor(flags.out), key, base.run);
  return {
    run: journal.run,
    close: base.close,
    finished: () => {
      if (journal.resumed)
        say(
          `search: resumed an interrupted run from ${journal.path}: ${journal.reused} evaluations came from it, ${journal.evaluated} ran now`,
        );
      journal.remove();
    },
  };
}
