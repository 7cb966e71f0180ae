// Exact text form of candidate tasks and results for the queue and the resume journal: JSON in
// which every number survives the round trip (Infinity, NaN and -0 included), and a task's id.
import { createHash } from 'node:crypto';

/** A number JSON cannot spell, written as {"$num": "Infinity"}; no task or result has a `$num` key of its own. */
const TAG = '$num';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (Number.isFinite(value)) return Object.is(value, -0) ? { [TAG]: '-0' } : value;
  return { [TAG]: String(value) };
}

const SPECIAL: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN, '-0': -0 };

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === TAG) {
      const s = (value as Record<string, unknown>)[TAG];
      if (typeof s === 'string' && s in SPECIAL) return SPECIAL[s];
      throw new SyntaxError(`bad ${TAG} value ${JSON.stringify(s)}`);
    }
  }
  return value;
}

/** JSON text of plain data, numbers exact (JavaScript prints the shortest string that reads back as the same double). */
export function encodeExact(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** The inverse of encodeExact; throws SyntaxError on text it did not write. */
export function decodeExact(text: string): unknown {
  return JSON.parse(text, reviver);
}

/**
 * A task's id: the hash of its exact text. Evaluation is a pure function of the task, so equal
 * ids mean equal results: the queue never runs one twice while it holds its result, and the
 * resume journal finds the results of a search's earlier run by id.
 */
export function taskId(encodedTask: string): string {
  return 'c' + createHash('sha256').update(encodedTask).digest('hex').slice(0, 40);
}
