// Joint against sequential on the example supernet over several seeds, through `nacc nas --json`:
// per seed the two fronts, how many sequential points the joint front dominates (and the other
// way round), and where. Any accuracy source `nacc nas` takes (a table from
// bench/nas-accuracy-table.ts makes seeds cheap). Also, per SRAM budget where either front has a
// point, which front reaches the higher accuracy within it.
//   npx tsx bench/nas-joint-vs-sequential.ts --accuracy table:FILE [--target stm32f412] [--seeds 1,2,3]
//     [--population 12] [--generations 6] [--budgets 4] [--json]
//   npx tsx bench/nas-joint-vs-sequential.ts --accuracy train --weights FILE [--test-images N] [...]
//     (a trained supernet's weights file: no training per seed; subnets scored on the first N test images)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dominates, type NasPoint } from '../compiler/nas/search.ts';

const args = process.argv.slice(2);
const arg = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const accuracy = arg('--accuracy', '');
if (!accuracy) throw new Error('usage: bench/nas-joint-vs-sequential.ts --accuracy table:FILE|train|predictor:FILE [...]');
const target = arg('--target', 'stm32f412');
const seeds = arg('--seeds', '1,2,3').split(',').map(Number);
const extra = [
  '--population',
  arg('--population', '12'),
  '--generations',
  arg('--generations', '6'),
  '--budgets',
  arg('--budgets', '4'),
  ...(args.includes('--weights') ? ['--weights', arg('--weights', '')] : []),
  ...(args.includes('--test-images') ? ['--test-images', arg('--test-images', '')] : []),
];

type Point = { config: string; accuracy: number; peak_sram_bytes: number; macs: number; feasible: boolean };
const asNas = (p: Point): NasPoint => ({
  config: p.config,
  accuracy: p.accuracy,
  accuracy_source: '',
  value: p.peak_sram_bytes,
  macs: p.macs,
  feasible: p.feasible,
});
const fmt = (p: Point) => `${(p.accuracy * 100).toFixed(2)}% @ ${p.peak_sram_bytes} B`;
/**
 * The fronts as the best accuracy each reaches within a peak-SRAM budget, compared at every budget
 * where either front has a point: the budgets where `a` is more accurate than `b` (a region where a
 * is ahead, whether or not one of b's points is dominated point by point).
 */
const aheadAt = (a: Point[], b: Point[]) => {
  const best = (f: Point[], v: number) =>
    Math.max(-Infinity, ...f.filter((p) => p.feasible && p.peak_sram_bytes <= v).map((p) => p.accuracy));
  const levels = [...new Set([...a, ...b].map((p) => p.peak_sram_bytes))].sort((x, y) => x - y);
  return levels
    .filter((v) => best(a, v) > best(b, v))
    .map((v) => `${v} B: ${(best(a, v) * 100).toFixed(2)}% vs ${best(b, v) === -Infinity ? 'none' : `${(best(b, v) * 100).toFixed(2)}%`}`);
};
const results = [];
for (const seed of seeds) {
  const t0 = performance.now();
  const out = execFileSync(
    'node',
    [
      'bin/nacc.js',
      'nas',
      'examples/supernet.nacc',
      '--supernet',
      'fashion_supernet',
      '--target',
      target,
      '--accuracy',
      accuracy,
      '--seed',
      String(seed),
      ...extra,
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const j = JSON.parse(out) as { pareto: Point[]; sequential: { pareto: Point[] }; evaluations: number; test_images?: number };
  const joint = j.pareto.map(asNas);
  const seq = j.sequential.pareto.map(asNas);
  const seqDominated = j.sequential.pareto.filter((_, i) => joint.some((p) => dominates(p, seq[i])));
  const jointDominated = j.pareto.filter((_, i) => seq.some((p) => dominates(p, joint[i])));
  const r = {
    seed,
    joint: j.pareto.length,
    sequential: j.sequential.pareto.length,
    sequential_dominated_by_joint: seqDominated.length,
    joint_dominated_by_sequential: jointDominated.length,
    evaluations: j.evaluations,
    test_images: j.test_images,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    load: Number(loadavg()[0].toFixed(1)),
    joint_front: j.pareto.map(fmt),
    sequential_front: j.sequential.pareto.map(fmt),
    // Each dominated sequential point with a joint point that dominates it (the region where the joint front is ahead).
    dominated: seqDominated.map((q) => {
      const by = j.pareto.find((p) => dominates(asNas(p), asNas(q)))!;
      return `${fmt(q)} by ${fmt(by)}`;
    }),
    joint_ahead_at: aheadAt(j.pareto, j.sequential.pareto),
    sequential_ahead_at: aheadAt(j.sequential.pareto, j.pareto),
  };
  results.push(r);
  console.error(
    `seed ${seed}${r.test_images ? ` (accuracy on ${r.test_images} test images)` : ''}: joint ${r.joint} points, sequential ${r.sequential}; joint dominates ${r.sequential_dominated_by_joint}/${r.sequential} sequential points, sequential dominates ${r.joint_dominated_by_sequential}/${r.joint} joint points (${r.seconds} s, load ${r.load})`,
  );
  console.error(`  joint:      ${r.joint_front.join(', ')}`);
  console.error(`  sequential: ${r.sequential_front.join(', ')}`);
  console.error(`  joint more accurate within: ${r.joint_ahead_at.join('; ') || '-'}`);
  console.error(`  sequential more accurate within: ${r.sequential_ahead_at.join('; ') || '-'}`);
}
if (args.includes('--json')) console.log(JSON.stringify({ accuracy, target, seeds: results }, null, 2));
else {
  console.log(
    '| seed | joint front | sequential front | sequential points the joint front dominates | joint points the sequential front dominates | SRAM budgets where the joint front is more accurate | where the sequential is |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.seed} | ${r.joint} | ${r.sequential} | ${r.sequential_dominated_by_joint} (${r.dominated.join('; ') || '-'}) | ${r.joint_dominated_by_sequential} | ${r.joint_ahead_at.join('; ') || '-'} | ${r.sequential_ahead_at.join('; ') || '-'} |`,
    );
}
