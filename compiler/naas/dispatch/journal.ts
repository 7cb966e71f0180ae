// Resume for `nacc search --out DIR`: every finished evaluation is appended to a journal beside
// DIR under its task's id, and a restarted search takes results from it instead of evaluating again.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CandidateResult } from '../candidate.ts';
import type { Runner } from '../search.ts';
import { decodeExact, encodeExact, taskId } from './codec.ts';

const FORMAT = 'nacc.naas.journal/1';

/** `.NAME.search-journal` beside the output folder NAME: outside it, so it survives a run that never wrote the folder. */
export function journalPathFor(out: string): string {
  const full = resolve(out);
  return join(dirname(full), `.${basename(full)}.search-journal`);
}

export interface Journal {
  /** The runner, answering from the journal what an earlier run finished and recording what this one finishes. */
  run: Runner;
  /** Evaluations answered from the journal and evaluated afresh so far. */
  readonly reused: number;
  readonly evaluated: number;
  /** Whether the journal held results of an earlier, interrupted run of this search. */
  readonly resumed: boolean;
  path: string;
  /** Removes the journal: the search finished and its folder is written. */
  remove(): void;
}

/**
 * Wraps `inner` with the journal at `path`. `searchKey` names the search (its inputs, seed and
 * budget, and nacc's version); a journal of another search is started afresh. Evaluation is a
 * pure function of the task, so a result found by task id is the one the task would give again:
 * the restarted search visits the same tasks and counts each evaluation once, as an uninterrupted
 * run would. A line cut short by a kill is ignored.
 */
export function openJournal(path: string, searchKey: string, inner: Runner): Journal {
  const header = JSON.stringify({ format: FORMAT, search: searchKey });
  const done = new Map<string, string>();
  let resumed = false;
  if (existsSync(path)) {
    const lines = readFileSync(path, 'utf8').split('\n');
    if (lines[0] === header) {
      for (const line of lines.slice(1)) {
        const tab = line.indexOf('\t');
        if (tab <= 0) continue;
        const text = line.slice(tab + 1);
        try {
          decodeExact(text);
        } catch {
          continue;
        }
        done.set(line.slice(0, tab), text);
      }
      resumed = done.size > 0;
    }
  }
  // Rewritten with only whole lines, so a line cut short by a kill is not continued by the next one.
  // `--out runs/search` where runs/ does not exist yet: the journal's folder is made first.
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, [header, ...[...done].map(([id, text]) => `${id}\t${text}`)].join('\n') + '\n');
  renameSync(`${path}.tmp`, path);
  const state = { reused: 0, evaluated: 0 };
  return {
    path,
    get reused() {
      return state.reused;
    },
    get evaluated() {
      return state.evaluated;
    },
    resumed,
    run: async (task) => {
      const id = taskId(encodeExact(task));
      const known = done.get(id);
      if (known !== undefined) {
        state.reused++;
        return decodeExact(known) as CandidateResult;
      }
      const result = await inner(task);
      const text = encodeExact(result);
      if (!done.has(id)) {
        done.set(id, text);
        // One line per result, written whole before the search goes on.
        appendFileSync(path, `${id}\t${text}\n`);
      }
      state.evaluated++;
      return result;
    },
    remove: () => rmSync(path, { force: true }),
  };
}
