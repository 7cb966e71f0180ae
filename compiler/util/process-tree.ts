// Kills a process and every process it started (its descendants), as a timeout must:
// killing only the direct child leaves `make`'s compilers or a shell's pipeline running.

import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every live process, read from /proc (empty where /proc is absent). */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended while we read the table.
    }
  }
  return parents;
}

/** `pid` and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const parents = parentsByPid();
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), child]);
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (tree.includes(p)) continue;
    tree.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return tree;
}

/**
 * End `pid` and all its descendants: SIGTERM first (a simulator flushes what it printed), then
 * SIGKILL to whichever of the same processes is still there after `graceMs`. The tree is read
 * once, before anything is signalled: an orphaned grandchild is no longer found under `pid`.
 * Returns a function that cancels the SIGKILL (call it once the run has ended).
 */
export function killTree(pid: number, graceMs = 2000): () => void {
  const tree = processTree(pid);
  const signal = (s: NodeJS.Signals) => {
    for (const p of tree) {
      try {
        process.kill(p, s);
      } catch {
        // Already gone.
      }
    }
  };
  signal('SIGTERM');
  const force = setTimeout(() => signal('SIGKILL'), graceMs);
  force.unref();
  return () => clearTimeout(force);
}
