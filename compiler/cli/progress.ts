// Progress bars for long CLI work (search, verification sweeps, training): drawn on stderr
// only when it is a terminal; silent with --json, under CI=true, or with NACC_NO_PROGRESS=1.
import { SingleBar } from 'cli-progress';

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
