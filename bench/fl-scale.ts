// How the federated simulator scales with the number of workers: wall time and peak RSS of
// FedAvg and DGA runs at 10, 100 and 1,000 simulated workers (a small MLP, few local steps).
// Each run is a child process of its own, so its peak RSS is its own.
//   npx tsx bench/fl-scale.ts [--workers 10,100,1000] [--json]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mlp } from '../compiler/fl/build.ts';
import { prepareData } from '../compiler/fl/data.ts';
import { setupJob, simulate } from '../compiler/fl/simulator.ts';
import type { FederatedJob, FlAlgorithm } from '../compiler/ir/targets.ts';

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);

function job(workers: number, algorithm: FlAlgorithm): FederatedJob {
  return {
    name: `scale_${algorithm.kind}_${workers}`,
    network: 'scale_mlp',
    // Ten training samples per worker, so the data grows with the workers as in a real fleet.
    data: { generator: 'synthetic_digits', samples: 10 * workers, partition: { kind: 'iid' }, args: { test: 200 } },
    workers,
    stepTimeMs: 50,
    latencyMs: 200,
    bandwidthMbitPerS: 20,
    algorithm,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.5 },
    batch: 8,
    maxSteps: 20,
    seed: 1,
  };
}

const ALGORITHMS: FlAlgorithm[] = [
  { kind: 'fedavg', localSteps: 2 },
  { kind: 'dga', localSteps: 2, delay: 4 },
];

if (arg('--child')) {
  const [n, k] = arg('--child')!.split(':').map(Number);
  const j = job(n, ALGORITHMS[k]);
  const t0 = performance.now();
  const setup = setupJob(j, mlp('scale_mlp', [16, 16, 1], 32, 10), prepareData(j.data, j.workers, j.seed));
  const r = simulate(setup);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({
      workers: n,
      algorithm: r.algorithm,
      rounds: r.rounds,
      messages: r.messages,
      final_accuracy: r.final_accuracy,
      seconds,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
} else {
  const counts = (arg('--workers') ?? '10,100,1000').split(',').map(Number);
  const rows: Record<string, unknown>[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const n of counts) {
    for (let k = 0; k < ALGORITHMS.length; k++) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', `${n}:${k}`], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      rows.push(JSON.parse(out.trim().split('\n').pop()!));
    }
  }
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ load_average: load, rows }, null, 2) + '\n');
  else {
    process.stdout.write(`federated simulator scale (load average ${load})\n`);
    process.stdout.write('workers  algorithm                       rounds  messages  final acc  seconds  peak RSS MB\n');
    for (const r of rows) {
      process.stdout.write(
        `${String(r.workers).padStart(7)}  ${String(r.algorithm).padEnd(30)}  ${String(r.rounds).padStart(6)}  ${String(r.messages).padStart(8)}  ${(Number(r.final_accuracy) * 100).toFixed(1).padStart(8)}%  ${Number(r.seconds).toFixed(2).padStart(7)}  ${Number(r.peak_rss_mb).toFixed(0).padStart(11)}\n`,
      );
    }
  }
}
