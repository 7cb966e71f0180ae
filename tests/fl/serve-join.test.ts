// `nacc fl serve` and `nacc fl join` as separate processes on loopback: the token stays in its
// file, hostile clients are turned away with a message while the server keeps going, and a
// worker that is killed or stalls is dropped while the job completes with the others.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NACC, nacc } from '../helpers/cli.ts';
import {
  ANY_SLOT,
  FRAME_AUTH,
  FRAME_CHALLENGE,
  FRAME_JOB,
  FRAME_REJECT,
  PROTOCOL_VERSION,
  encodeBytesFrame,
  onRawFrames,
  payloadBytes,
} from '../../compiler/fl/frames.ts';
import { proof } from '../../compiler/fl/token.ts';

const dir = mkdtempSync(join(tmpdir(), 'nacc-fl-serve-'));
const NACC_FILE = join(dir, 'jobs.nacc');
writeFileSync(
  NACC_FILE,
  `network tiny { input x: float32[16, 16, 1]\n y = dense(x, out: 12, act: relu)\n output dense(y, out: 10) }\n` +
    `federated small { network: tiny\n data: synthetic_digits(samples: 300, partition: iid, test: 100)\n workers: 3\n step_time: 20 ms\n latency: 10 ms\n` +
    ` algorithm: fedavg(local_steps: 3)\n optimizer: sgd(lr: 0.1)\n batch: 8\n max_steps: 24\n seed: 5 }\n` +
    `federated long { network: tiny\n data: synthetic_digits(samples: 400, partition: iid, test: 100)\n workers: 4\n step_time: 40 ms\n latency: 10 ms\n` +
    ` algorithm: fedavg(local_steps: 3)\n optimizer: sgd(lr: 0.1)\n batch: 8\n max_steps: 300\n seed: 5 }\n` +
    `federated delayed { network: tiny\n data: synthetic_digits(samples: 300, partition: iid, test: 100)\n workers: 3\n step_time: 30 ms\n latency: 10 ms\n` +
    ` algorithm: dga(local_steps: 3, delay: 4)\n optimizer: sgd(lr: 0.1)\n batch: 8\n max_steps: 210\n seed: 5 }\n`,
);

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves when stderr matches. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [NACC, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let out = '';
  let err = '';
  const watchers: { re: RegExp; res: (m: RegExpMatchArray) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...watchers]) {
      const m = w.re.exec(err);
      if (m) {
        watchers.splice(watchers.indexOf(w), 1);
        w.res(m);
      }
    }
  });
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor: (re) =>
      new Promise((res, rej) => {
        const m = re.exec(err);
        if (m) return res(m);
        watchers.push({ re, res });
        void exit.then(() => setTimeout(() => rej(new Error(`exited before /${re.source}/; stderr:\n${err}`)), 200));
      }),
  };
}

/** A raw client: the server's challenge, then whatever the test sends; resolves with the reject text. */
function rawClient(port: number, reply: (nonce: Buffer, sock: Socket) => void): Promise<string> {
  return new Promise((res, rej) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('error', rej);
    onRawFrames(sock, (raw) => {
      const type = raw.readUInt8(4);
      if (type === FRAME_CHALLENGE) reply(payloadBytes(raw).subarray(4), sock);
      if (type === FRAME_REJECT) res(payloadBytes(raw).toString('utf8'));
    });
    sock.on('close', () => res('(closed without a reason)'));
  });
}

const authFrame = (version: number, token: string, nonce: Buffer) => {
  const body = Buffer.concat([Buffer.alloc(4), proof(token, nonce), Buffer.alloc(32)]);
  body.writeUInt32LE(version, 0);
  return encodeBytesFrame(FRAME_AUTH, ANY_SLOT, 0, body);
};

describe('nacc fl serve / join on loopback', () => {
  it("three joins complete the job with the simulator's arithmetic; wrong token, malformed, oversized and wrong-version clients are turned away", async () => {
    const tokenFile = join(dir, 'small.token');
    const serve = start(['fl', 'serve', NACC_FILE, '--job', 'small', '--listen', '127.0.0.1:0', '--token-file', tokenFile, '--json']);
    const joins: Proc[] = [];
    try {
      const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(token).toMatch(/^[0-9a-f]{64}$/);

      // A worker with another token: refused with a clear message, and the server keeps serving.
      const wrongFile = join(dir, 'wrong.token');
      writeFileSync(wrongFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
      const wrong = await nacc(['fl', 'join', `127.0.0.1:${port}`, '--token-file', wrongFile], { timeout: 120_000 });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused this worker: unknown worker/);
      expect(wrong.stderr).not.toMatch(/at .*\.ts:/);

      // Garbage where the auth frame belongs; a length prefix of 2 GB; the right token in the wrong version.
      const garbage = await rawClient(port, (_n, s) => s.write(Buffer.from([9, 0, 0, 0, 99, 1, 2, 3, 4, 5, 6, 7, 8])));
      expect(garbage).toMatch(/malformed/);
      const huge = await rawClient(port, (_n, s) => s.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 5])));
      expect(huge).toMatch(/oversized frame: 2147483651 bytes, the limit for this job is \d+ bytes/);
      const old = await rawClient(port, (nonce, s) => s.write(authFrame(PROTOCOL_VERSION + 97, token, nonce)));
      expect(old).toMatch(
        new RegExp(`version mismatch: the worker speaks protocol version ${PROTOCOL_VERSION + 97}, this server speaks ${PROTOCOL_VERSION}`),
      );

      for (let i = 0; i < 3; i++) joins.push(start(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile]));
      expect(await serve.exit, serve.stderr()).toBe(0);
      for (const j of joins) expect(await j.exit, j.stderr()).toBe(0);
      const result = JSON.parse(serve.stdout());
      const job = result.jobs[0];
      expect(job.mode).toBe('real');
      expect(job.workers).toBe(3);
      expect(job.rounds).toBe(8);
      expect(job.messages).toBe(24);
      expect(job.dropped).toEqual([]);
      expect(job.workers_per_round).toEqual([{ from_round: 0, workers: 3 }]);
      // Every rejection was logged by the server, which then ran the job.
      expect(serve.stderr()).toMatch(/rejected .*unknown worker/);
      expect(serve.stderr()).toMatch(/rejected .*malformed/);
      expect(serve.stderr()).toMatch(/rejected .*oversized/);
      expect(serve.stderr()).toMatch(/rejected .*version mismatch/);
      // The token never shows in any output.
      for (const text of [serve.stdout(), serve.stderr(), ...joins.flatMap((j) => [j.stdout(), j.stderr()])])
        expect(text).not.toContain(token);
      // Same arithmetic as the simulation of the same job.
      const sim = await nacc(['fl', NACC_FILE, '--job', 'small', '--json', '--plot', join(dir, 'small.svg')]);
      expect(sim.code, sim.stderr).toBe(0);
      const simJob = JSON.parse(sim.stdout).jobs[0];
      expect(job.final_accuracy).toBe(simJob.final_accuracy);
      expect(job.curve.map((p: { accuracy: number }) => p.accuracy)).toEqual(simJob.curve.map((p: { accuracy: number }) => p.accuracy));
    } finally {
      for (const p of [serve, ...joins]) p.child.kill('SIGKILL');
    }
  }, 300_000);

  it('a killed worker and a stalled one are dropped, a new join takes a dropped place; FedAvg finishes every round with the workers present', async () => {
    const tokenFile = join(dir, 'long.token');
    const serve = start([
      'fl',
      'serve',
      NACC_FILE,
      '--job',
      'long',
      '--listen',
      '127.0.0.1:0',
      '--token-file',
      tokenFile,
      '--json',
      '--drop-after',
      '5000',
    ]);
    const joins: Proc[] = [];
    try {
      const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      for (let i = 0; i < 4; i++) joins.push(start(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile]));
      // Slots are handed out in the order the joins reach the server: each join names its own.
      const ids = await Promise.all(joins.map(async (j) => Number((await j.waitFor(/fl join: worker (\d+):/))[1])));
      await serve.waitFor(/started;/);
      // 300 steps of 40 ms: the job runs for 12 s or more; the faults land inside it.
      await new Promise((r) => setTimeout(r, 1000));
      joins[1].child.kill('SIGKILL');
      joins[2].child.kill('SIGSTOP');
      await serve.waitFor(new RegExp(`dropped worker ${ids[1]} after \\d+ rounds: disconnected`));
      const rejoiner = start(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile]);
      joins.push(rejoiner);
      expect(await serve.exit, serve.stderr()).toBe(0);
      expect(await rejoiner.exit, rejoiner.stderr()).toBe(0);
      // The rejoiner takes the lowest dropped place: the killed worker's, or the stalled one's when a
      // loaded host starts the new process after the stall timeout has dropped that one too.
      const took = Number(rejoiner.stderr().match(/worker (\d+): joining the running job at round \d+/)?.[1]);
      expect([ids[1], ids[2]], rejoiner.stderr()).toContain(took);
      const job = JSON.parse(serve.stdout()).jobs[0];
      expect(job.rounds).toBe(100);
      expect(job.rejoined).toHaveLength(1);
      expect(job.rejoined[0].worker).toBe(took);
      const byWorker = Object.fromEntries(job.dropped.map((d: { worker: number; reason: string }) => [d.worker, d.reason]));
      expect(Object.keys(byWorker).sort(), serve.stderr()).toEqual([String(ids[1]), String(ids[2])].sort());
      expect(byWorker[ids[1]]).toBe('disconnected');
      expect(byWorker[ids[2]]).toMatch(/^stalled: silent for 5\.0 s/);
      expect(job.workers_per_round[0].workers).toBeGreaterThanOrEqual(3);
      expect(Math.min(...job.workers_per_round.map((w: { workers: number }) => w.workers))).toBeLessThan(4);
      expect(job.resumed).toBeNull();
      expect(serve.stderr()).toMatch(new RegExp(`dropped worker ${ids[1]} after \\d+ rounds: disconnected`));
      for (const j of [joins[0], joins[3]]) expect(await j.exit, j.stderr()).toBe(0);
    } finally {
      for (const p of [serve, ...joins]) p.child.kill('SIGKILL');
    }
  }, 300_000);

  it('a restarted server resumes from its checkpoint without losing finished rounds', async () => {
    const tokenFile = join(dir, 'resume.token');
    const checkpoint = join(dir, 'long.ckpt');
    const args = [
      'fl',
      'serve',
      NACC_FILE,
      '--job',
      'long',
      '--listen',
      '127.0.0.1:0',
      '--token-file',
      tokenFile,
      '--json',
      '--checkpoint',
      checkpoint,
    ];
    const first = start(args);
    let joins: Proc[] = [];
    let second: Proc | undefined;
    try {
      const port = Number((await first.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      for (let i = 0; i < 4; i++) joins.push(start(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile]));
      await first.waitFor(/started;/);
      while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000));
      first.child.kill('SIGKILL');
      // The workers lose their server and say so.
      for (const j of joins) {
        expect(await j.exit).toBe(1);
        expect(j.stderr()).toMatch(/the (server at \S+ closed the connection|connection to the server at \S+ broke)/);
      }
      second = start(args);
      const port2 = Number((await second.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      const from = Number((await second.waitFor(/resuming long from .* after round (\d+)/))[1]);
      expect(from).toBeGreaterThan(0);
      expect(from).toBeLessThan(100);
      joins = Array.from({ length: 4 }, () => start(['fl', 'join', `127.0.0.1:${port2}`, '--token-file', tokenFile]));
      expect(await second.exit, second.stderr()).toBe(0);
      const job = JSON.parse(second.stdout()).jobs[0];
      expect(job.rounds).toBe(100);
      expect(job.resumed).toEqual({ from_round: from, checkpoint });
      expect(job.messages).toBe(400);
      const rounds = job.curve.map((p: { round: number }) => p.round);
      expect(rounds).toEqual([...rounds].sort((a: number, b: number) => a - b));
      const times = job.curve.map((p: { time_s: number }) => p.time_s);
      expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
      // A finished job is not run again from its checkpoint.
      const again = await nacc(args, { timeout: 120_000 });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/holds the finished job \(100 rounds\)/);
    } finally {
      for (const p of [first, ...(second ? [second] : []), ...joins]) p.child.kill('SIGKILL');
    }
  }, 400_000);

  it('DGA keeps going when a worker is killed: every round is averaged from the workers left', async () => {
    const tokenFile = join(dir, 'dga.token');
    const serve = start(['fl', 'serve', NACC_FILE, '--job', 'delayed', '--listen', '127.0.0.1:0', '--token-file', tokenFile, '--json']);
    const joins: Proc[] = [];
    try {
      const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      for (let i = 0; i < 3; i++) joins.push(start(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile]));
      const ids = await Promise.all(joins.map(async (j) => Number((await j.waitFor(/fl join: worker (\d+):/))[1])));
      await serve.waitFor(/started;/);
      await new Promise((r) => setTimeout(r, 1000));
      joins[0].child.kill('SIGKILL');
      expect(await serve.exit, serve.stderr()).toBe(0);
      const job = JSON.parse(serve.stdout()).jobs[0];
      expect(job.rounds).toBe(70);
      expect(job.dropped).toEqual([{ worker: ids[0], after_rounds: job.dropped[0].after_rounds, reason: 'disconnected' }]);
      expect(job.workers_per_round[job.workers_per_round.length - 1].workers).toBe(2);
      for (const j of joins.slice(1)) expect(await j.exit, j.stderr()).toBe(0);
    } finally {
      for (const p of [serve, ...joins]) p.child.kill('SIGKILL');
    }
  }, 300_000);

  it('usage errors name the problem without a stack: bad address, no job, missing or readable token file, no server', async () => {
    const tokenFile = join(dir, 'usage.token');
    const badListen = await nacc(['fl', 'serve', NACC_FILE, '--job', 'small', '--listen', 'nowhere', '--token-file', tokenFile]);
    expect(badListen.code).toBe(2);
    expect(badListen.stderr).toMatch(/--listen needs HOST:PORT/);
    const noJob = await nacc(['fl', 'serve', NACC_FILE, '--listen', '127.0.0.1:0', '--token-file', tokenFile]);
    expect(noJob.code).toBe(2);
    expect(noJob.stderr).toMatch(/needs --job NAME/);
    const missing = await nacc(['fl', 'join', '127.0.0.1:9', '--token-file', join(dir, 'absent.token')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the token file .*ENOENT/);
    const open = join(dir, 'open.token');
    writeFileSync(open, `${'cd'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(open, 0o644);
    const readable = await nacc(['fl', 'join', '127.0.0.1:9', '--token-file', open]);
    expect(readable.code).toBe(2);
    expect(readable.stderr).toMatch(/can be read by others \(mode 0644\); it must be 0600/);
    chmodSync(open, 0o600);
    const noServer = await nacc(['fl', 'join', '127.0.0.1:9', '--token-file', open]);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/cannot reach the server at 127\.0\.0\.1:9: ECONNREFUSED/);
    for (const r of [badListen, noJob, missing, readable, noServer]) {
      expect(r.stderr).not.toMatch(/at .*\.ts:/);
      expect(r.stderr).not.toContain('cd'.repeat(32));
    }
  }, 120_000);

  it('a worker takes a job only from a server that proves it holds the token', async () => {
    const tokenFile = join(dir, 'fake.token');
    writeFileSync(tokenFile, `${'ef'.repeat(32)}\n`, { mode: 0o600 });
    // A server that does not know the token: it answers the auth with a job it cannot sign.
    const fake = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.write(encodeBytesFrame(FRAME_CHALLENGE, 0, 0, Buffer.concat([Buffer.from([PROTOCOL_VERSION, 0, 0, 0]), Buffer.alloc(32)])));
      onRawFrames(sock, (raw) => {
        if (raw.readUInt8(4) === FRAME_AUTH) sock.write(encodeBytesFrame(FRAME_JOB, 0, 0, Buffer.alloc(64, 7)));
      });
    });
    await new Promise<void>((res) => fake.listen(0, '127.0.0.1', () => res()));
    try {
      const port = (fake.address() as { port: number }).port;
      const r = await nacc(['fl', 'join', `127.0.0.1:${port}`, '--token-file', tokenFile], { timeout: 120_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the server did not prove it holds the token/);
    } finally {
      fake.close();
    }
  }, 120_000);
});
