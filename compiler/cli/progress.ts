// Progress bars for long CLI work (search, verification sweeps, training): drawn on stderr
// only when it is a terminal; silent with --json, under CI=true, or with NACC_NO_PROGRESS=1.
import { createRequire } from 'node:module';
import type { SingleBar as SingleBarClass } from 'cli-progress';

// cli-progress is loaded only when a bar is drawn: commands that import this module for
// watchFiles (inspect) start without it.
const loadSingleBar = () => (createRequire(import.meta.url)('cli-progress') as { SingleBar: typeof SingleBarClass }).SingleBar;

export interface ProgressOptions {
  /** Shown before the bar, e.g. "search", "verify". */
  label: string;
  /** Units of work; may be changed later with setTotal. */
  total: number;
  /** The command was asked for JSON: stdout is for machines, no bar anywhere. */
  json?: boolean;
  /** Where the bar goes (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Environment to read CI / NACC_NO_PROGRESS from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface Progress {
  /** True when a bar is being drawn (false for the silent one). */
  readonly active: boolean;
  /** Advance by n units (default 1); detail replaces the short text after the bar. */
  tick(n?: number, detail?: string): void;
  /** Set the absolute position. */
  update(value: number, detail?: string): void;
  setTotal(total: number): void;
  /** Remove the bar's timer and finish the line. Safe to call twice. */
  stop(): void;
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** Whether a bar should be drawn for these options. */
export function progressEnabled(opts: Pick<ProgressOptions, 'json' | 'stream' | 'env'> = {}): boolean {
  const stream = opts.stream ?? process.stderr;
  const env = opts.env ?? process.env;
  if (opts.json) return false;
  if (truthy(env.CI) || truthy(env.NACC_NO_PROGRESS)) return false;
  return stream.isTTY === true;
}

const SILENT: Progress = { active: false, tick() {}, update() {}, setTotal() {}, stop() {} };

/** A bar on a TTY, or an object whose methods do nothing. */
export function createProgress(opts: ProgressOptions): Progress {
  if (!progressEnabled(opts)) return SILENT;
  const SingleBar = loadSingleBar();
  const bar = new SingleBar({
    stream: (opts.stream ?? process.stderr) as NodeJS.WriteStream,
    format: `${opts.label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} {detail}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    etaBuffer: 20,
    fps: 10,
  });
  let value = 0;
  let stopped = false;
  bar.start(Math.max(0, opts.total), 0, { detail: '' });
  return {
    active: true,
    tick(n = 1, detail) {
      if (stopped) return;
      value += n;
      bar.update(value, detail !== undefined ? { detail } : undefined);
    },
    update(v, detail) {
      if (stopped) return;
      value = v;
      bar.update(value, detail !== undefined ? { detail } : undefined);
    },
    setTotal(total) {
      if (!stopped) bar.setTotal(Math.max(0, total));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** Run fn with a progress bar that is stopped however fn ends. */
export async function withProgress<T>(opts: ProgressOptions, fn: (p: Progress) => Promise<T> | T): Promise<T> {
  const p = createProgress(opts);
  try {
    return await fn(p);
  } finally {
    p.stop();
  }
}

// ---- Watch mode: re-run a command when its input files change (`--watch`). ----

export interface WatchOptions {
  /** Files to watch; their folders are watched so editors that replace files are seen too. */
  files: string[];
  /** Runs once at the start and after every change; a thrown UserError is reported, not fatal. */
  run: () => Promise<void> | void;
  /** Report an error from run (default: print it to stderr). The watch keeps going. */
  onError?: (e: unknown) => void;
  /** Stop watching when aborted (default: run until the process is interrupted). */
  signal?: AbortSignal;
  /** Quiet period after the last change before re-running, in ms. */
  debounceMs?: number;
  /** Progress line to stderr between runs (default: writes "watching FILE... (Ctrl-C to stop)"). */
  log?: (message: string) => void;
}

/**
 * Run, then re-run whenever one of the files changes, until the signal aborts. Changes during
 * a run queue exactly one more run. Resolves when stopped.
 */
export async function watchFiles(opts: WatchOptions): Promise<void> {
  const { watch } = await import('node:fs');
  const { basename, dirname, resolve } = await import('node:path');
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const onError =
    opts.onError ??
    (async (e: unknown) => {
      const { UserError, formatDiagnostics } = await import('../diagnostics/index.ts');
      process.stderr.write(
        (e instanceof UserError ? formatDiagnostics(e.diagnostics) : e instanceof Error ? (e.stack ?? e.message) : String(e)) + '\n',
      );
    });
  const wanted = new Map<string, Set<string>>();
  for (const f of opts.files.map((x) => resolve(x))) {
    const dir = dirname(f);
    if (!wanted.has(dir)) wanted.set(dir, new Set());
    wanted.get(dir)!.add(basename(f));
  }
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const runOnce = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          await opts.run();
        } catch (e) {
          await onError(e);
        }
      } while (again && !opts.signal?.aborted);
    } finally {
      running = false;
    }
    if (!opts.signal?.aborted) log(`watching ${opts.files.join(', ')} for changes (Ctrl-C to stop)`);
  };
  const watchers = [...wanted].map(([dir, names]) =>
    watch(dir, (_event, name) => {
      if (name && !names.has(String(name))) return;
      clearTimeout(timer);
      timer = setTimeout(() => void runOnce(), opts.debounceMs ?? 120);
    }),
  );
  await runOnce();
  await new Promise<void>((done) => {
    if (opts.signal?.aborted) return done();
    opts.signal?.addEventListener('abort', () => done(), { once: true });
    if (!opts.signal) process.once('SIGINT', () => done());
  });
  clearTimeout(timer);
  for (const w of watchers) w.close();
}
