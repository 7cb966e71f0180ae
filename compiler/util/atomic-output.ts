// All-or-nothing output folders: a command writes into a fresh hidden sibling of its target and
// renames it into place only when complete, so an interrupted or failed run never leaves a
// complete-looking folder, and the previous output stays whole until the new one replaces it.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';

export interface OutputDirOptions {
  /**
   * Entries (top-level names) of the previous target folder that this run did not write and
   * that are copied into the new folder before it replaces the old one: a user's own files
   * beside the generated ones. Default: none (the new folder is exactly what the run wrote).
   */
  carryOver?: (name: string) => boolean;
}

/**
 * Test hook: with NACC_HOLD_OUTPUT=1 the run stops after writing everything into the temporary
 * folder and before renaming it, until it is killed; tests use it to interrupt "mid-write" at the
 * worst moment without depending on timing.
 */
export const HOLD_ENV = 'NACC_HOLD_OUTPUT';

let serial = 0;

/** The hidden siblings of `target` made by runs: `.<name>.partial-<pid>-<n>` and `.<name>.replaced-<pid>-<n>`. */
export function siblingPattern(target: string): RegExp {
  const name = basename(resolve(target)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.(partial|replaced)-(\\d+)-\\d+$`);
}

/**
 * Run `write(dir)` on a fresh temporary sibling of `target` and, when it returns, swap the
 * folder into place. When `write` throws, or the process gets SIGINT/SIGTERM, the temporary
 * folder is removed and `target` is left as it was. Returns what `write` returned.
 */
export async function writeOutputDir<T>(target: string, write: (dir: string) => Promise<T> | T, opts: OutputDirOptions = {}): Promise<T> {
  // A symlinked target is replaced where it points, so the link keeps naming the output.
  const final = existsSync(target) && lstatSync(target).isSymbolicLink() ? realpathSync(target) : resolve(target);
  const parent = dirname(final);
  const name = basename(final);
  if (existsSync(final) && !statSync(final).isDirectory())
    fail(D.outputNotFolder, `${target} exists and is not a folder; give another output folder`);
  // The whole folder is replaced: never the one we stand in, nor one that contains it.
  const cwd = process.cwd();
  if (final === parent || cwd === final || cwd.startsWith(final + sep))
    fail(D.outputHoldsCwd, `${target} contains the current folder; give an output folder of its own (e.g. out/NAME)`);
  const n = ++serial;
  const tmp = join(parent, `.${name}.partial-${process.pid}-${n}`);
  try {
    mkdirSync(parent, { recursive: true });
    removeStaleSiblings(final);
    mkdirSync(tmp);
  } catch (e) {
    fail(D.outputNotCreated, `cannot create the output folder ${target}: ${(e as Error).message}`);
  }
  track(tmp, true);
  try {
    const result = await write(tmp);
    if (opts.carryOver && existsSync(final)) carryOver(final, tmp, opts.carryOver);
    if (process.env[HOLD_ENV] === '1') await holdUntilKilled();
    swapIntoPlace(tmp, final, join(parent, `.${name}.replaced-${process.pid}-${n}`));
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // nothing left to remove after a successful swap
    track(tmp, false);
  }
}

/** Partial and replaced folders of runs that no longer exist (a SIGKILL, a power cut). */
function removeStaleSiblings(final: string): void {
  const pattern = siblingPattern(final);
  for (const entry of readdirSync(dirname(final))) {
    const m = pattern.exec(entry);
    if (m && !isAlive(Number(m[2]))) rmSync(join(dirname(final), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function carryOver(from: string, to: string, keep: (name: string) => boolean): void {
  for (const entry of readdirSync(from)) {
    if (!keep(entry) || existsSync(join(to, entry))) continue;
    cpSync(join(from, entry), join(to, entry), { recursive: true, preserveTimestamps: true });
  }
}

/** Two renames: the old folder aside, the new one in; then the old one is deleted. */
function swapIntoPlace(tmp: string, final: string, aside: string): void {
  const hadOld = existsSync(final);
  if (hadOld) renameSync(final, aside);
  try {
    renameSync(tmp, final);
  } catch (e) {
    if (hadOld && !existsSync(final)) renameSync(aside, final);
    throw e;
  }
  if (hadOld) rmSync(aside, { recursive: true, force: true });
}

function holdUntilKilled(): Promise<never> {
  process.stderr.write(`${HOLD_ENV}: holding before the rename\n`);
  return new Promise(() => setInterval(() => {}, 1 << 30));
}

// Temporary folders of this process; the exit and signal hooks are installed only while one exists.
const live = new Set<string>();
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
const removeAll = (): void => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
};
const onSignal = (sig: keyof typeof SIGNALS): void => {
  removeAll();
  // End as the signal would have ended the process without a handler.
  process.exit(128 + SIGNALS[sig]);
};

function track(dir: string, alive: boolean): void {
  const before = live.size;
  if (alive) live.add(dir);
  else live.delete(dir);
  const signals = Object.keys(SIGNALS) as (keyof typeof SIGNALS)[];
  if (before === 0 && live.size > 0) {
    process.on('exit', removeAll);
    for (const sig of signals) process.on(sig, onSignal);
  } else if (before > 0 && live.size === 0) {
    process.off('exit', removeAll);
    for (const sig of signals) process.off(sig, onSignal);
  }
}
