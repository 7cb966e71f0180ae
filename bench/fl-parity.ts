// Accuracy parity of two federated jobs (default: examples/federated.nacc, fashion_fedavg
// against fashion_dga) over several seeds, and the run-to-run spread of each job alone: the
// same seed replicated with other minibatch orders (`--order-seed`: same data, partition and
// initial model). Prints, per seed, each job's final accuracy and time to target, the gap
// (second minus first; within the bar both ways, and not below by more than it) and the
// speedup, then the mean and standard deviation of the gap, and for the replicates each job's
// spread and how often two runs of the *same* job differ by more than the bar. Every run is
// its own `nacc fl --json` process, `--parallel` at a time.
//   npx tsx bench/fl-parity.ts [--file F] [--pair A,B] [--seeds 1,2,3,4,5] [--orders 1,2,3,4,5]
//                              [--order-of SEED] [--bar 0.5] [--speedup-bar 2.55] [--parallel 2]
//                              [--samples N] [--workers N] [--max-steps N] [--json]
// --orders '' skips the replicates; the replicate whose order seed equals its seed is the
// plain run of that seed (run once).
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { speedupOf } from '../compiler/fl/run.ts';
import type { FlRunResult } from '../compiler/fl/simulator.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt?: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean).map(Number) : []);
const json = args.includes('--json');
const NACC = fileURLToPath(new URL('../bin/nacc.js', import.meta.url));
const FILE = resolve(arg('--file') ?? fileURLToPath(new URL('../examples/federated.nacc', import.meta.url)));
const [A, B] = (arg('--pair') ?? 'fashion_fedavg,fashion_dga').split(',');
const seeds = list(arg('--seeds', '1,2,3,4,5'));
const orders = list(arg('--orders', '1,2,3,4,5'));
const orderOf = Number(arg('--order-of', String(seeds[0] ?? 1)));
const bar = Number(arg('--bar', '0.5'));
const speedupBar = Number(arg('--speedup-bar', '2.55'));
const parallel = Math.max(1, Number(arg('--parallel', '2')));
const passOn = ['--samples', '--workers', '--max-steps'].flatMap((f) => (arg(f) !== undefined ? [f, arg(f)!] : []));
const say = (s: string) => process.stderr.write(`fl-parity: ${s}\n`);
const load = () => loadavg()[0].toFixed(1);

interface Run {
  job: string;
  seed: number;
  order: number;
  /** The job's result as `nacc fl --json` printed it. */
  result: FlRunResult;
  wall: number;
  load: string;
}

function runOne(job: string, seed: number, order: number): Promise<Run> {
  const argv = [NACC, 'fl', FILE, '--job', job, '--seed', String(seed), '--json', ...passOn];
  if (order !== seed) argv.push('--order-seed', String(order));
  const ld = load();
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return rej(new Error(`nacc fl --job ${job} --seed ${seed} (order ${order}) exited ${code}:\n${err}`));
      const j = JSON.parse(out).jobs[0] as FlRunResult;
      const wall = (Date.now() - t0) / 1000;
      say(`${job} seed ${seed} order ${order}: ${(j.final_accuracy * 100).toFixed(2)}% in ${wall.toFixed(0)} s (load ${ld}-${load()})`);
      res({ job, seed, order, result: j, wall, load: `${ld}-${load()}` });
    });
  });
}

// Every distinct (job, seed, order) once; a replicate with order = seed is the plain run.
const wanted = new Map<string, { job: string; seed: number; order: number }>();
const key = (job: string, seed: number, order: number) => `${job}/${seed}/${order}`;
for (const s of seeds) for (const job of [A, B]) wanted.set(key(job, s, s), { job, seed: s, order: s });
for (const o of orders) for (const job of [A, B]) wanted.set(key(job, orderOf, o), { job, seed: orderOf, order: o });
const runs = new Map<string, Run>();
{
  const queue = [...wanted.entries()];
  const t0 = Date.now();
  say(`${queue.length} runs of ${FILE}, ${parallel} at a time`);
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let next; (next = queue.shift());) runs.set(next[0], await runOne(next[1].job, next[1].seed, next[1].order));
    }),
  );
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pt = (x: number) => (x * 100).toFixed(2);
const get = (job: string, seed: number, order: number) => runs.get(key(job, seed, order))!;

const perSeed = seeds.map((s) => {
  const a = get(A, s, s);
  const b = get(B, s, s);
  const gap = (b.result.final_accuracy - a.result.final_accuracy) * 100;
  const speedup = speedupOf(a.result, b.result);
  return {
    seed: s,
    a,
    b,
    gap,
    speedup,
    within: Math.abs(gap) <= bar + 1e-9,
    notBelow: gap >= -bar - 1e-9,
    fast: speedup !== null && speedup >= speedupBar,
  };
});
/** Of all pairs of runs of one job, how many have finals more than the bar (points) apart. */
const pairsBeyond = (xs: number[]) => {
  let n = 0;
  let beyond = 0;
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      n++;
      if (Math.abs(xs[i] - xs[j]) * 100 > bar + 1e-9) beyond++;
    }
  return { pairs: n, beyond };
};
const replicates = orders.length
  ? [A, B].map((job) => {
      const finals = orders.map((o) => get(job, orderOf, o).result.final_accuracy);
      return { job, seed: orderOf, orders, finals, mean: mean(finals), sd: sd(finals), ...pairsBeyond(finals) };
    })
  : [];
const gaps = perSeed.map((r) => r.gap);
const summary = {
  file: FILE,
  pair: [A, B],
  bar_points: bar,
  speedup_bar: speedupBar,
  seeds: perSeed.map((r) => ({
    seed: r.seed,
    [A]: { final_accuracy: r.a.result.final_accuracy, time_to_target_s: r.a.result.time_to_target_s },
    [B]: { final_accuracy: r.b.result.final_accuracy, time_to_target_s: r.b.result.time_to_target_s },
    gap_points: r.gap,
    speedup: r.speedup,
  })),
  gap_mean_points: gaps.length ? mean(gaps) : null,
  gap_sd_points: gaps.length ? sd(gaps) : null,
  seeds_within_bar: perSeed.filter((r) => r.within).length,
  seeds_not_below_bar: perSeed.filter((r) => r.notBelow).length,
  seeds_at_speedup: perSeed.filter((r) => r.fast).length,
  replicates: replicates.map((r) => ({
    job: r.job,
    seed: r.seed,
    order_seeds: r.orders,
    finals: r.finals,
    mean: r.mean,
    sd_points: r.sd * 100,
    pairs: r.pairs,
    pairs_beyond_bar: r.beyond,
  })),
  runs: [...runs.values()].map((r) => ({ job: r.job, seed: r.seed, order_seed: r.order, wall_s: r.wall, load: r.load })),
};

if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`| seed | ${A} final | to target | ${B} final | to target | gap | speedup |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of perSeed)
    console.log(
      `| ${r.seed} | ${pt(r.a.result.final_accuracy)}% | ${r.a.result.time_to_target_s === null ? 'missed' : `${r.a.result.time_to_target_s.toFixed(2)} s`} | ${pt(r.b.result.final_accuracy)}% | ${r.b.result.time_to_target_s === null ? 'missed' : `${r.b.result.time_to_target_s.toFixed(2)} s`} | ${r.gap >= 0 ? '+' : ''}${r.gap.toFixed(2)}${r.within ? '' : r.notBelow ? ' (above by more than the bar)' : ' (below by more than the bar)'} | ${r.speedup === null ? 'n/a' : `${r.speedup.toFixed(2)}x`} |`,
    );
  if (gaps.length)
    console.log(
      `\ngap ${B} - ${A}: mean ${mean(gaps).toFixed(2)}, sd ${sd(gaps).toFixed(2)} points over ${gaps.length} seeds; within ${bar} point on ${summary.seeds_within_bar}/${gaps.length} (no more than ${bar} below on ${summary.seeds_not_below_bar}/${gaps.length}); speedup >= ${speedupBar}x on ${summary.seeds_at_speedup}/${gaps.length}`,
    );
  for (const r of replicates)
    console.log(
      `${r.job}, seed ${r.seed}, order seeds ${r.orders.join(',')}: ${r.finals.map(pt).join(' / ')}% -> mean ${pt(r.mean)}%, sd ${(r.sd * 100).toFixed(2)} points; ${r.beyond} of ${r.pairs} pairs of runs of this one job differ by more than ${bar} point`,
    );
}
