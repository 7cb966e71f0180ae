// Where a search's candidate evaluations run, behind one interface: this thread, a pool of
// local worker threads (piscina), or a Redis queue of `nacc worker` processes (queue-dispatcher.ts).
import { inlineRunner, workerRunner, type Runner } from '../search.ts';

/**
 * Evaluates candidate tasks; `run` may be called many times at once and each call resolves to
 * its own task's result (placed by the caller, never by order of arrival). Strategies take only
 * `run`; whoever made the dispatcher closes it.
 */
export interface Dispatcher {
  run: Runner;
  close(): Promise<void>;
}

/** Local evaluation: in this thread for one thread, else on a piscina pool of `threads` threads. */
export function localDispatcher(threads: number): Dispatcher {
  if (threads > 1) return workerRunner(threads);
  return { run: inlineRunner, close: async () => undefined };
}
