// The order seed: replicates of one job that differ only in the workers' minibatch order (same
// data, partition and initial model), to measure a job's run-to-run spread.
import { describe, expect, it } from 'vitest';
import { simulate, workerSeed } from '../../compiler/fl/simulator.ts';
import { workerJobs } from '../../compiler/fl/serve.ts';
import { jobFingerprint } from '../../compiler/fl/checkpoint.ts';
import { nacc } from '../helpers/cli.ts';
import { tinyJob, tinyNet, tinySetup } from './helpers.ts';

describe('order seed', () => {
  const job = tinyJob({ kind: 'dga', localSteps: 2, delay: 3 });

  it('absent or equal to the seed it changes nothing; another value changes only the batch order', () => {
    const base = tinySetup(job);
    const same = tinySetup({ ...job, orderSeed: job.seed });
    const other = tinySetup({ ...job, orderSeed: job.seed + 1 });
    expect(workerSeed(base)).toBe(job.seed);
    expect(workerSeed(other)).toBe(job.seed + 1);
    // Data, partition and initial model are the seed's.
    expect(other.data.parts).toEqual(base.data.parts);
    expect(other.init).toEqual(base.init);
    const a = simulate(base);
    expect(simulate(same).curve).toEqual(a.curve);
    const b = simulate(other);
    expect(b.curve.map((p) => p.accuracy)).not.toEqual(a.curve.map((p) => p.accuracy));
    // Reproducible, and the timing does not depend on the numbers.
    expect(simulate(tinySetup({ ...job, orderSeed: job.seed + 1 })).curve).toEqual(b.curve);
    expect(b.total_time_s).toBe(a.total_time_s);
    expect(b.order_seed).toBe(job.seed + 1);
    expect(a.order_seed).toBeUndefined();
  });

  it('reaches served workers and tells a checkpoint of one replicate from another', () => {
    const other = tinySetup({ ...job, orderSeed: 11 });
    expect(workerJobs(other, tinyNet).map((w) => w.seed)).toEqual([11, 11, 11, 11]);
    expect(jobFingerprint(other)).not.toBe(jobFingerprint(tinySetup(job)));
    expect(jobFingerprint(tinySetup(job))).toBe(jobFingerprint(tinySetup(job)));
  });

  it('nacc fl --order-seed: echoed in the JSON, reproducible; a bad one is a usage error', async () => {
    const run = (o: string[]) => nacc(['fl', 'examples/federated.nacc', '--job', 'quick_fedavg', '--max-steps', '16', '--json', ...o]);
    const [plain, a, b, bad] = await Promise.all([
      run([]),
      run(['--order-seed', '5']),
      run(['--order-seed', '5']),
      run(['--order-seed', 'x']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const ja = JSON.parse(a.stdout).jobs[0];
    expect(ja.order_seed).toBe(5);
    expect(JSON.parse(plain.stdout).jobs[0]).not.toHaveProperty('order_seed');
    expect(ja.curve).not.toEqual(JSON.parse(plain.stdout).jobs[0].curve);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--order-seed needs an integer of 0 or more, got 'x'/);
  });
});
