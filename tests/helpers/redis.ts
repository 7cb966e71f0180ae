// A private redis-server on a free loopback port (no persistence, in a temp folder) and `nacc
// worker` processes on it, for the search-queue tests and bench/queue.ts. Everything started here is stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolveTool } from '../../testbench/tools/run-tool.ts';
import { NACC } from './cli.ts';

/** A loopback port nothing listens on (at the time of asking). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A child process whose output lines are kept, with a wait for a line matching a pattern. */
export class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  constructor(readonly child: ChildProcess) {
    let buf = '';
    const take = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.re.test(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }
  get pid(): number {
    return this.child.pid as number;
  }
  /** The first line from line `from` on (already seen or coming) matching `re`; rejects when the process exits first. */
  waitFor(re: RegExp, from = 0): Promise<string> {
    const seen = this.lines.slice(from).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, resolve });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`exited (${code ?? signal}) before printing ${re}:\n${this.lines.join('\n')}`)),
      );
    });
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

export interface RedisServer {
  url: string;
  port: number;
  proc: Proc;
  stop(): Promise<void>;
}

/** redis-server on 127.0.0.1 at a free port, in `dir`, saving nothing. */
export async function startRedis(dir: string): Promise<RedisServer> {
  const exe = resolveTool('redis-server');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = new Proc(
      spawn(
        exe,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    try {
      await proc.waitFor(/Ready to accept connections/);
      return { url: `redis://127.0.0.1:${port}`, port, proc, stop: () => proc.stop() };
    } catch (e) {
      // Another process took the port between our probe and the server's bind: try another.
      if (attempt >= 3) throw e;
    }
  }
}

/** `nacc worker` on `url`; resolves once it listens. */
export async function startWorker(
  url: string,
  o: { concurrency?: number; stallMs?: number; queue?: string; env?: Record<string, string> } = {},
): Promise<Proc> {
  const args = [NACC, 'worker', '--redis', url, '--concurrency', String(o.concurrency ?? 1), '--stall-ms', String(o.stallMs ?? 30_000)];
  if (o.queue) args.push('--queue', o.queue);
  const proc = new Proc(
    spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', ...o.env } }),
  );
  await proc.waitFor(/nacc worker: listening on queue/);
  return proc;
}
