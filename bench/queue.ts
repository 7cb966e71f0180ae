// Search queue throughput (issue 23): cost-model evaluations per second of one seeded NAAS search
// against the number of `nacc worker` processes on this machine, beside local threads (piscina),
// and the queue's overhead per job (round trip of a near-empty job through Redis, less its work).
// Run: npx tsx bench/queue.ts [--network resnet50] [--strategy naas] [--workers 1,2,3,4] [--threads 1,2]
//   [--budget generations=4,population=8,inner=2x8,baseline=100] [--jobs 40] [--json]
// It starts its own redis-server (loopback, no persistence) and worker processes (concurrency 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseBudget } from '../compiler/cli/search.ts';
import { formatTable } from '../compiler/cli/table.ts';
import { loadPrograms } from '../compiler/frontend/index.ts';
import type { CandidateTask } from '../compiler/naas/candidate.ts';
import { runCandidate } from '../compiler/naas/run-candidate.ts';
import { encodeExact } from '../compiler/naas/dispatch/codec.ts';
import { localDispatcher, type Dispatcher } from '../compiler/naas/dispatch/dispatcher.ts';
import { queueDispatcher } from '../compiler/naas/dispatch/queue-dispatcher.ts';
import { buildWorkloads } from '../compiler/naas/problems.ts';
import { runStrategy, STRATEGIES, type StrategyName } from '../compiler/naas/strategy/index.ts';
import { startRedis, startWorker, type Proc } from '../tests/helpers/redis.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const ints = (s: string): number[] =>
  s
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);

const networkName = arg('network', 'resnet50');
const workerCounts = ints(arg('workers', '1,2,3,4'));
const threadCounts = ints(arg('threads', '1,2'));
const budget = parseBudget(arg('budget', 'generations=4,population=8,inner=2x8,baseline=100'));
const strategy = arg('strategy', 'naas') as StrategyName;
if (!STRATEGIES.includes(strategy)) throw new Error(`--strategy: one of ${STRATEGIES.join(', ')}`);
const overheadJobs = Number(arg('jobs', '40'));
const asJson = process.argv.includes('--json');
const log = (s: string) => process.stderr.write(`queue bench: ${s}\n`);

const prog = loadPrograms([
  new URL('../examples/naas_accelerators.nacc', import.meta.url).pathname,
  new URL('../examples/naas_networks.nacc', import.meta.url).pathname,
]);
const net = prog.networks.find((n) => n.name === networkName);
if (!net) throw new Error(`no network ${networkName}`);
const workloads = buildWorkloads([net]);
const space = prog.spaces.find((s) => s.name === 'naas_eyeriss')!;
const resources = prog.accelerators.find((a) => a.name === 'eyeriss')!;

// A near-empty job: one small layer, two mapper samples.
const tiny = buildWorkloads([prog.networks.find((n) => n.name === 'tinyconv')!]);
const tinyKey = Object.keys(tiny.problems)[0];
const one = { networks: [{ name: 'one', layers: [{ name: tinyKey, key: tinyKey }] }], problems: { [tinyKey]: tiny.problems[tinyKey] } };
const task = (seed: number): CandidateTask => ({
  kind: 'fixed',
  spec: resources,
  workloads: one,
  inner: { generations: 1, population: 2 },
  seed,
});
let warmSeed = 1 << 30;

interface Row {
  where: string;
  processes: number;
  jobs: number;
  evaluations: number;
  seconds: number;
  evaluations_per_s: number;
  identical: boolean;
}

let reference: string | undefined;
async function measure(where: string, processes: number, d: Dispatcher): Promise<Row> {
  // Threads start (and load the compiler) on their first job: start them all before timing.
  await Promise.all(Array.from({ length: 4 * processes }, () => d.run(task(warmSeed++))));
  let jobs = 0;
  const t0 = performance.now();
  // The strategy `nacc search` runs (without its baseline, which is one more job).
  const res = await runStrategy(strategy, { workloads, space, resources, seed: 1, budget, run: (t) => (jobs++, d.run(t)) });
  const seconds = (performance.now() - t0) / 1000;
  const key = encodeExact(res);
  reference ??= key;
  const row = {
    where,
    processes,
    jobs,
    evaluations: res.evaluations,
    seconds,
    evaluations_per_s: res.evaluations / seconds,
    identical: key === reference,
  };
  log(`${where} x${processes}: ${row.evaluations} evaluations in ${seconds.toFixed(2)} s (load ${loadavg()[0].toFixed(2)})`);
  return row;
}

const load0 = loadavg()[0];
const dir = mkdtempSync(join(tmpdir(), 'nacc-queue-bench-'));
const redis = await startRedis(dir);
const admin = new Redis(redis.url);
const workers: Proc[] = [];
const rows: Row[] = [];
let overhead: { jobs: number; inline_ms: number; queue_ms: number; overhead_ms: number; parallel_jobs_per_s: number } | undefined;
try {
  for (const t of threadCounts) {
    const d = localDispatcher(t);
    rows.push(await measure(t === 1 ? 'local, this thread' : 'local piscina threads', t, d));
    await d.close();
  }
  for (const w of workerCounts) {
    while (workers.length < w) workers.push(await startWorker(redis.url, { concurrency: 1 }));
    while (workers.length > w) await workers.pop()!.stop();
    // Finished jobs stay in Redis for restarted searches: drop them so every run evaluates afresh.
    await admin.flushall();
    const d = await queueDispatcher({ url: redis.url });
    rows.push(await measure('queue, worker processes', w, d));
    await d.close();
  }
  // Overhead: near-empty jobs, one after the other, inline
  // and through the queue to one worker; then all at once to measure the queue's job rate.
  while (workers.length > 1) await workers.pop()!.stop();
  await admin.flushall();
  let t0 = performance.now();
  for (let i = 0; i < overheadJobs; i++) runCandidate(task(i));
  const inlineMs = (performance.now() - t0) / overheadJobs;
  const d = await queueDispatcher({ url: redis.url });
  await d.run(task(warmSeed++)); // the worker's first job starts its thread
  t0 = performance.now();
  for (let i = 0; i < overheadJobs; i++) await d.run(task(i));
  const queueMs = (performance.now() - t0) / overheadJobs;
  t0 = performance.now();
  await Promise.all(Array.from({ length: overheadJobs }, (_, i) => d.run(task(1000 + i))));
  const parallel = overheadJobs / ((performance.now() - t0) / 1000);
  await d.close();
  overhead = { jobs: overheadJobs, inline_ms: inlineMs, queue_ms: queueMs, overhead_ms: queueMs - inlineMs, parallel_jobs_per_s: parallel };
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  admin.disconnect();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
const load1 = loadavg()[0];
const base = rows[0].evaluations_per_s;
if (asJson)
  process.stdout.write(
    JSON.stringify(
      { network: networkName, strategy, budget, cores: availableParallelism(), loadavg: [load0, load1], rows, overhead },
      null,
      2,
    ) + '\n',
  );
else {
  process.stdout.write(
    `${networkName} on naas_eyeriss, strategy ${strategy}, budget ${JSON.stringify(budget)}, seed 1; ${availableParallelism()} cores; load average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end\n`,
  );
  process.stdout.write(
    formatTable(
      ['evaluated by', 'processes / threads', 'jobs', 'evaluations', 'seconds', 'evaluations/s', 'vs first row', 'same result'],
      rows.map((r) => [
        r.where,
        String(r.processes),
        String(r.jobs),
        String(r.evaluations),
        r.seconds.toFixed(2),
        r.evaluations_per_s.toFixed(0),
        `${(r.evaluations_per_s / base).toFixed(2)}x`,
        r.identical ? 'yes' : 'NO',
      ]),
    ) + '\n',
  );
  if (overhead)
    process.stdout.write(
      `queue overhead per job: ${overhead.overhead_ms.toFixed(2)} ms (a near-empty job: ${overhead.inline_ms.toFixed(2)} ms inline, ${overhead.queue_ms.toFixed(2)} ms through the queue, one at a time, ${overhead.jobs} jobs); ${overhead.parallel_jobs_per_s.toFixed(0)} such jobs/s submitted at once to one worker\n`,
    );
}
if (rows.some((r) => !r.identical)) process.exitCode = 3;
