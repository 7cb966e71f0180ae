import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { nacc } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'nacc-fl-'));

describe('nacc fl', () => {
  it('--compare --json: the documented fields, a speedup and an SVG plot', async () => {
    const plot = join(dir, 'cmp.svg');
    const r = await nacc([
      'fl',
      'examples/federated.nacc',
      '--compare',
      'quick_fedavg,quick_dga',
      '--max-steps',
      '48',
      '--json',
      '--plot',
      plot,
      '--sweep-latency',
      '1,400',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.jobs.map((x: { name: string }) => x.name)).toEqual(['quick_fedavg', 'quick_dga']);
    for (const job of j.jobs) {
      for (const k of ['name', 'final_accuracy', 'time_to_target_s', 'rounds', 'curve', 'stall_s']) expect(job).toHaveProperty(k);
      expect(job.rounds).toBe(12);
    }
    expect(j).toHaveProperty('speedup');
    if (j.jobs.every((x: { time_to_target_s: number | null }) => x.time_to_target_s !== null)) {
      expect(j.speedup).toBeCloseTo(j.jobs[0].time_to_target_s / j.jobs[1].time_to_target_s, 9);
    }
    expect(j.latency_sweep.map((row: { latency_ms: number }) => row.latency_ms)).toEqual([1, 400]);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg/);
  });

  it("--seed replaces the job's seed (same seed, same bytes); a bad one is a usage error", async () => {
    const run = (seed: string) =>
      nacc(['fl', 'examples/federated.nacc', '--job', 'quick_dga', '--max-steps', '16', '--json', '--seed', seed]);
    const [a, b, c, bad] = await Promise.all([run('7'), run('7'), run('8'), run('-1')]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).jobs[0].curve).not.toEqual(JSON.parse(c.stdout).jobs[0].curve);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seed needs an integer of 0 or more, got '-1'/);
  });

  it('--job with a CSV data set next to the .nacc file', async () => {
    const rows = ['x1,x2,x3,x4,label'];
    for (let i = 0; i < 120; i++) {
      const a = ((i * 37) % 17) / 17;
      const b = ((i * 11) % 13) / 13;
      rows.push(`${a},${b},${(a + b) / 2},${a - b},${a > b ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'points.csv'), rows.join('\n') + '\n');
    writeFileSync(
      join(dir, 'csv.nacc'),
      `network tiny { input x: float32[4]\n y = dense(x, out: 8, act: relu)\n output dense(y, out: 2) }\n` +
        `federated csvjob { network: tiny\n data: csv("points.csv", partition: iid)\n workers: 2\n step_time: 10 ms\n latency: 20 ms\n` +
        ` algorithm: dga(local_steps: 2, delay: 3)\n optimizer: sgd(lr: 0.2)\n batch: 8\n max_steps: 30\n seed: 4 }\n`,
    );
    const r = await nacc(['fl', join(dir, 'csv.nacc'), '--job', 'csvjob', '--json', '--plot', join(dir, 'csv.svg')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.jobs[0].rounds).toBe(15);
    expect(j.jobs[0].time_to_target_s).toBeNull();
    expect(existsSync(join(dir, 'csv.svg'))).toBe(true);
  });

  it('user errors: unknown job (exit 2), missing mode (exit 2), data that does not fit the network (exit 1)', async () => {
    const unknown = await nacc(['fl', 'examples/federated.nacc', '--job', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no federated job 'nope'/);
    expect(unknown.stderr).not.toMatch(/at .*\.ts:/);
    const none = await nacc(['fl', 'examples/federated.nacc']);
    expect(none.code).toBe(2);
    writeFileSync(
      join(dir, 'bad.nacc'),
      `network wide { input x: float32[8, 8, 1]\n y = flatten(x)\n output dense(y, out: 10) }\n` +
        `federated bad { network: wide\n data: synthetic_digits(samples: 100)\n workers: 2\n step_time: 10 ms\n latency: 20 ms\n` +
        ` algorithm: fedavg(local_steps: 2)\n optimizer: sgd(lr: 0.1)\n batch: 8\n seed: 1 }\n`,
    );
    const bad = await nacc(['fl', join(dir, 'bad.nacc'), '--job', 'bad']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/256 values per sample but network 'wide' takes 64/);
    expect(bad.stderr).toMatch(/bad\.nacc:\d+:\d+/);
  });
});
