// nacc search --redis on a private redis-server with `nacc worker` processes: the same JSON as a
// local run with 1, 2 and 3 workers and with a worker killed mid-job, resume of a killed search,
// exit 4 naming an unreachable URL without its password, and workers rejecting invalid payloads.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeExact } from '../../compiler/naas/dispatch/codec.ts';
import { JOB_SCHEMA } from '../../compiler/naas/dispatch/job-schema.ts';
import { DEFAULT_QUEUE, JOB_NAME } from '../../compiler/naas/dispatch/queue-dispatcher.ts';
import { NACC, nacc } from '../helpers/cli.ts';
import { freePort, Proc, startRedis, startWorker, type RedisServer } from '../helpers/redis.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const FILE = 'examples/naas_accelerators.nacc';
const SEARCH = [
  'search',
  FILE,
  '--network',
  'tinyconv',
  '--space',
  'naas_eyeriss',
  '--baseline',
  'eyeriss',
  '--seed',
  '4',
  '--budget',
  'generations=2,population=4,inner=2x4,baseline=100',
  '--json',
];
/** How soon a dead worker's job is handed on, here (BullMQ's default is 30 s). */
const STALL_MS = 1500;

/** The search JSON without its wall-clock time and the paths it wrote (which name the folder). */
const comparable = (stdout: string): string => {
  const j = JSON.parse(stdout);
  delete j.seconds;
  delete j.artefacts;
  return JSON.stringify(j, null, 2);
};

describeNeeds([await needTool('redis-server')], 'nacc search --redis with nacc worker processes', () => {
  let dir: string;
  let redis: RedisServer;
  let admin: Redis;
  const workers: Proc[] = [];
  let local: { code: number; stdout: string; stderr: string };
  let localOut: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nacc-queue-'));
    redis = await startRedis(dir);
    admin = new Redis(redis.url);
    localOut = join(dir, 'local-out');
    const [run] = await Promise.all([
      nacc([...SEARCH, '--threads', '1', '--out', localOut]),
      startWorker(redis.url, { stallMs: STALL_MS }).then((w) => workers.push(w)),
    ]);
    local = run;
    expect(local.code, local.stderr).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    admin?.disconnect();
    await redis?.stop();
  });

  it("1, 2 and 3 workers give the local run's JSON byte for byte", async () => {
    for (const n of [1, 2, 3]) {
      while (workers.length < n) workers.push(await startWorker(redis.url, { stallMs: STALL_MS }));
      // Finished jobs stay in Redis for a restarted search: drop them so every run evaluates afresh.
      await admin.flushall();
      const from = workers.map((w) => w.lines.length);
      const r = await nacc([...SEARCH, '--redis', redis.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(comparable(r.stdout), `${n} workers`).toBe(comparable(local.stdout));
      const done = workers.map((w, i) => w.lines.slice(from[i]).filter((l) => / done: /.test(l)).length);
      expect(
        done.reduce((a, b) => a + b, 0),
        `jobs done by the workers: ${done}`,
      ).toBeGreaterThan(n);
    }
  });

  it('workers reject job payloads that do not validate, and go on working', async () => {
    const queue = new Queue(DEFAULT_QUEUE, { connection: { url: redis.url } });
    try {
      const bad = [
        {
          name: JOB_NAME,
          data: { schema: JOB_SCHEMA, task: encodeExact({ kind: 'naas', x: ['1; rm -rf /'] }) },
          message: /invalid job payload: .*task\.x\[0\]: expected a finite number/,
        },
        { name: JOB_NAME, data: { schema: 'something/else', task: '{}' }, message: /invalid job payload: job data\.schema/ },
        { name: 'exec', data: {}, message: /unknown job name 'exec'/ },
      ];
      for (const b of bad) {
        const job = await queue.add(b.name, b.data, { attempts: 3 });
        // Poll the job's state rather than wait for its event: a failure that lands before the
        // event stream is read was missed once and hung this test until its timeout.
        let state = await queue.getJobState(job.id!);
        while (state !== 'failed' && state !== 'completed') {
          await new Promise((done) => setTimeout(done, 50));
          state = await queue.getJobState(job.id!);
        }
        expect((await queue.getJob(job.id!))?.failedReason).toMatch(b.message);
        // Rejected for good: never retried.
        expect(await queue.getJobState(job.id!)).toBe('failed');
        expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
      }
    } finally {
      await queue.close();
    }
    expect(workers.some((w) => w.lines.some((l) => /rejected: invalid payload/.test(l)))).toBe(true);
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  });

  it('a worker killed in the middle of a job: another finishes it and the JSON is the same', async () => {
    await admin.flushall();
    const queue = new Queue(DEFAULT_QUEUE, { connection: { url: redis.url } });
    const victim = workers[0];
    const search = nacc([...SEARCH, '--redis', redis.url]);
    const ended = search.then(() => undefined);
    let caught: string | undefined;
    try {
      // Freeze the victim as it starts a job; kill it if the job is still running in Redis's eyes
      // (else let it go on and try its next job), so the kill lands mid-job whatever the timing.
      let from = victim.lines.length;
      while (!caught) {
        const line = await Promise.race([victim.waitFor(/job \S+ started/, from), ended]);
        if (line === undefined) throw new Error(`the search ended before the victim was caught in a job:\n${victim.lines.join('\n')}`);
        from = victim.lines.length;
        victim.child.kill('SIGSTOP');
        const id = /job (\S+) started/.exec(line)![1];
        if ((await queue.getJobState(id)) === 'active') {
          caught = id;
          victim.child.kill('SIGKILL');
        } else victim.child.kill('SIGCONT');
      }
    } finally {
      await queue.close();
    }
    await victim.exited;
    workers.shift();
    const r = await search;
    expect(r.code, r.stderr).toBe(0);
    expect(comparable(r.stdout)).toBe(comparable(local.stdout));
    // The victim may have printed `done` before it froze, but Redis never got the result: it was still active.
    expect(
      workers.some((w) => w.lines.some((l) => l.includes(`job ${caught} done`))),
      `job ${caught} finished by another worker`,
    ).toBe(true);
  });

  it('a search killed mid-way and restarted with the same --out resumes: same JSON and artefacts, nothing counted twice', async () => {
    await admin.flushall();
    const out = join(dir, 'queue-out');
    const journal = join(dir, '.queue-out.search-journal');
    const first = new Proc(
      spawn(process.execPath, [NACC, ...SEARCH, '--redis', redis.url, '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CI: 'true' },
      }),
    );
    // Killed once a few evaluations are in its journal.
    while ((existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').length - 2 : 0) < 3) {
      expect(first.child.exitCode, `the first run ended before it was killed:\n${first.lines.join('\n')}`).toBeNull();
      await sleep(20);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(out)).toBe(false);
    const r = await nacc([...SEARCH, '--redis', redis.url, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const reused = Number(/resumed an interrupted run from .*: (\d+) evaluations came from it/.exec(r.stderr)?.[1]);
    expect(reused, r.stderr).toBeGreaterThanOrEqual(3);
    // The evaluation count is the uninterrupted run's: the resumed results are counted once.
    expect(comparable(r.stdout)).toBe(comparable(local.stdout));
    for (const f of ['design.nacc', 'mappings/tinyconv.txt', 'timeloop/arch.yaml'])
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(localOut, f), 'utf8'));
    expect(existsSync(journal)).toBe(false);
  });

  it('Redis lost in the middle of a search is exit 4 naming it, not a hang', async () => {
    const other = await startRedis(mkdtempSync(join(tmpdir(), 'nacc-queue-lost-')));
    const probe = new Redis(other.url);
    try {
      // No worker listens on this server: the search waits on its first jobs when the server goes.
      const search = new Proc(
        spawn(process.execPath, [NACC, ...SEARCH, '--redis', other.url], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, CI: 'true', NACC_REDIS_LOST_MS: '2000' },
        }),
      );
      while ((await probe.dbsize()) === 0) {
        expect(search.child.exitCode, search.lines.join('\n')).toBeNull();
        await sleep(50);
      }
      probe.disconnect();
      await other.stop();
      const end = await search.exited;
      expect(end.code, search.lines.join('\n')).toBe(4);
      expect(search.lines.join('\n')).toContain(`error[NQ006]: lost the Redis server at ${other.url}`);
    } finally {
      probe.disconnect();
      await other.stop();
    }
  }, 180_000);

  it('an unreachable Redis is exit 4 naming the URL, never its password', async () => {
    const port = await freePort();
    const url = `redis://alice:s3cret-pw@127.0.0.1:${port}/0`;
    const runs = await Promise.all(
      [
        [...SEARCH, '--redis', url],
        ['worker', '--redis', url],
      ].map((args) => nacc(args)),
    );
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain(`error[NQ003]: cannot use the Redis server at redis://***@127.0.0.1:${port}/0`);
      expect(r.stderr + r.stdout).not.toContain('s3cret');
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});
