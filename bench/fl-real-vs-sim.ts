// Real mode against the virtual clock: time to target accuracy of the same federated job run
// by the simulator and for real (worker processes + aggregator over TCP through the link).
// Jobs: the federated examples in examples/ and ../shared/dsl-examples/federated.nacc, with
// FedAvg and DGA, one-way latencies 10/100/500 ms and 2-8 workers. Each real run is cut a few
// rounds after the simulator reaches the target (training never depends on time, so the cut
// changes nothing before it); both sides run the same cut job.
//   npx tsx bench/fl-real-vs-sim.ts [--json] [--quick] [--link auto|relay|netem] [--only TEXT]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadProgram } from '../compiler/frontend/index.ts';
import { findJob, prepareJob, type JobOverrides } from '../compiler/fl/run.ts';
import { retime, simulate, type FlRunResult } from '../compiler/fl/simulator.ts';
import { runReal, type LinkChoice } from '../compiler/fl/loopback.ts';
import type { Program } from '../compiler/ir/program.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const link = (arg('--link') ?? 'relay') as LinkChoice;
const only = arg('--only');
const nice = arg('--nice') !== undefined ? Number(arg('--nice')) : undefined;

interface Case {
  file: string;
  pair: [string, string];
  workers?: number;
  /** Replace the job's target accuracy (one both algorithms reach with these workers). */
  target?: number;
  /** Drop the job's step_time: the step time is measured on this machine (step_time_source "measured"). */
  measured?: boolean;
  latencies: number[];
}

const SHARED = '../shared/dsl-examples/federated.nacc';
const cases: Case[] = quick
  ? [{ file: 'examples/federated.nacc', pair: ['quick_fedavg', 'quick_dga'], latencies: [10, 100] }]
  : [
      { file: 'examples/federated.nacc', pair: ['quick_fedavg', 'quick_dga'], latencies: [10, 100, 500] },
      { file: 'examples/federated.nacc', pair: ['quick_fedavg', 'quick_dga'], workers: 2, latencies: [100] },
      { file: 'examples/federated.nacc', pair: ['quick_fedavg', 'quick_dga'], workers: 8, latencies: [100] },
      { file: 'examples/federated.nacc', pair: ['digits_fedavg', 'digits_dga'], latencies: [10, 100, 500] },
      { file: 'examples/federated.nacc', pair: ['quick_fedavg', 'quick_dga'], measured: true, latencies: [10, 100] },
      { file: 'examples/federated-leaf.nacc', pair: ['leaf_fedavg', 'leaf_dga'], workers: 8, target: 0.72, latencies: [10, 100, 500] },
      ...(existsSync(SHARED)
        ? [{ file: SHARED, pair: ['digits_fedavg', 'digits_dga'] as [string, string], workers: 8, latencies: [10, 100, 500] }]
        : []),
    ];
if (!existsSync(SHARED) && !quick) console.warn(`fl-real-vs-sim: ${SHARED} is absent; its jobs are skipped`);

export interface Row {
  file: string;
  job: string;
  algorithm: string;
  step_time_ms: number;
  step_time_source: string;
  workers: number;
  latency_ms: number;
  steps_per_worker: number;
  sim_time_to_target_s: number | null;
  real_time_to_target_s: number | null;
  difference: number | null;
  /** real / sim - 1 of the time of the last average. */
  total_difference: number;
  /** Real runs of this row (the median one is reported) and the range of their total-time differences. */
  runs: number;
  total_difference_range: [number, number];
  sim_total_s: number;
  real_total_s: number;
  rounds: number;
  /** (real total - sim total) / rounds: what each round costs the real processes beyond the model. */
  overhead_ms_per_round: number;
  sim_stall_s: number;
  real_stall_s: number;
  compute_ms_per_step: number | null;
  overheads: FlRunResult['overheads'];
  link: string;
  load_before: number;
  load_after: number;
}

const programs = new Map<string, Program>();
const rows: Row[] = [];
const log = (m: string) => process.stderr.write(`${m}\n`);

for (const c of cases) {
  if (!programs.has(c.file)) programs.set(c.file, loadProgram(c.file));
  const program = programs.get(c.file)!;
  for (const latency of c.latencies) {
    for (const name of c.pair) {
      const label = `${c.file}:${name}@${latency}ms${c.workers ? `x${c.workers}` : ''}${c.measured ? ':measured' : ''}`;
      if (only && !label.includes(only)) continue;
      const named = findJob(program, name);
      const job = {
        ...named,
        ...(c.target !== undefined ? { targetAccuracy: c.target } : {}),
        ...(c.measured ? { stepTimeMs: undefined } : {}),
      };
      const base: JobOverrides = { latencyMs: latency, ...(c.workers ? { workers: c.workers } : {}) };
      // Where does the simulator reach the target? Cut the run a few rounds later.
      const full = prepareJob({ program }, job, base);
      const first = simulate(full);
      const hit = first.curve.find((p) => first.target_accuracy !== null && p.accuracy >= first.target_accuracy);
      const totalRounds = Math.floor(full.stepsPerWorker / full.cfg.K);
      const rounds = hit ? Math.min(totalRounds, hit.round + Math.max(2, Math.ceil(hit.round * 0.1))) : Math.min(totalRounds, 40);
      const setup = prepareJob({ program }, job, { ...base, maxSteps: rounds * full.cfg.K });
      setup.evalEvery = full.evalEvery;
      let sim = simulate(setup);
      const load_before = loadavg()[0];
      log(
        `${label}: ${setup.job.workers} workers, ${setup.stepsPerWorker} steps, sim to target ${sim.time_to_target_s?.toFixed(2) ?? '-'} s; running for real`,
      );
      // Short runs are at the mercy of a burst of other work on a shared host: run them three
      // times and keep the median run (by total time); the spread is reported.
      const repeats = sim.total_time_s < 10 ? 3 : 1;
      const runs: FlRunResult[] = [];
      for (let k = 0; k < repeats; k++)
        runs.push(
          await runReal(
            setup,
            program.networks.find((n) => n.name === setup.job.network)!,
            { link, nice },
          ),
        );
      runs.sort((a, b) => a.total_time_s - b.total_time_s);
      const real = runs[Math.floor(runs.length / 2)];
      const spread = runs.map((r) => r.total_time_s);
      const load_after = loadavg()[0];
      if (real.step_time_ms !== setup.stepMs) {
        // A measured step time, re-measured by the real run under N concurrent workers: the
        // simulator's run on that step time (training is unchanged; only the clock moves).
        const k = real.step_time_ms / setup.stepMs;
        const clock = simulate(
          { ...setup, stepMs: real.step_time_ms, workerStepMs: setup.workerStepMs.map((t) => t * k) },
          { timingOnly: true },
        );
        log(
          `  step time measured alone ${setup.stepMs.toFixed(2)} ms, with ${setup.job.workers} workers at once ${real.step_time_ms.toFixed(2)} ms: simulator re-timed (to target ${sim.time_to_target_s?.toFixed(2) ?? '-'} s alone)`,
        );
        sim = retime(sim, clock);
      }
      const diff =
        sim.time_to_target_s !== null && real.time_to_target_s !== null ? real.time_to_target_s / sim.time_to_target_s - 1 : null;
      if (real.final_accuracy !== sim.final_accuracy)
        log(`  warning: real final accuracy ${real.final_accuracy} differs from the simulator's ${sim.final_accuracy}`);
      const row: Row = {
        file: c.file,
        job: name,
        algorithm: sim.algorithm,
        step_time_ms: real.step_time_ms,
        step_time_source: setup.stepSource,
        workers: setup.job.workers,
        latency_ms: latency,
        steps_per_worker: setup.stepsPerWorker,
        sim_time_to_target_s: sim.time_to_target_s,
        real_time_to_target_s: real.time_to_target_s,
        difference: diff,
        total_difference: real.total_time_s / sim.total_time_s - 1,
        runs: repeats,
        total_difference_range: [spread[0] / sim.total_time_s - 1, spread[spread.length - 1] / sim.total_time_s - 1],
        sim_total_s: sim.total_time_s,
        real_total_s: real.total_time_s,
        rounds: real.rounds,
        overhead_ms_per_round: ((real.total_time_s - sim.total_time_s) * 1000) / Math.max(1, real.rounds),
        sim_stall_s: sim.stall_s,
        real_stall_s: real.stall_s,
        compute_ms_per_step: real.compute_ms_per_step ?? null,
        overheads: real.overheads,
        link: real.link ?? 'relay',
        load_before,
        load_after,
      };
      rows.push(row);
      log(
        `  hops (mean/p95 ms): ${Object.entries(real.overheads ?? {})
          .map(([k, o]) => `${k} ${o.mean_ms.toFixed(1)}/${o.p95_ms.toFixed(1)}`)
          .join(', ')}`,
      );
      if (repeats > 1) log(`  ${repeats} runs, total ${spread.map((t) => t.toFixed(2)).join(', ')} s; the median one:`);
      log(
        `  real to target ${real.time_to_target_s?.toFixed(2) ?? '-'} s (${diff === null ? 'n/a' : `${(diff * 100).toFixed(1)}%`}), total ${real.total_time_s.toFixed(2)} s vs ${sim.total_time_s.toFixed(2)} s, load ${load_before.toFixed(1)}-${load_after.toFixed(1)}`,
      );
    }
  }
}

const pct = (d: number | null) => (d === null ? 'n/a' : `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}%`);
const s = (t: number | null) => (t === null ? 'not reached' : t.toFixed(2));
const worst = rows.reduce((m, r) => (r.difference === null ? m : Math.max(m, Math.abs(r.difference))), 0);
const worstTotal = rows.reduce((m, r) => Math.max(m, Math.abs(r.total_difference)), 0);
if (json) {
  process.stdout.write(
    JSON.stringify(
      {
        link,
        rows,
        max_abs_difference: worst,
        max_abs_total_difference: worstTotal,
        over_15_percent: rows.filter((r) => r.difference !== null && Math.abs(r.difference) > 0.15).length,
      },
      null,
      2,
    ) + '\n',
  );
} else {
  const lines = [
    '| file | job | algorithm | step | workers | latency | steps | sim to target (s) | real to target (s) | difference | sim total (s) | real total (s) | difference (range of runs) | overhead ms/round | hop delays, mean ms | compute ms/step | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.file} | ${r.job} | ${r.algorithm} | ${r.step_time_source === 'job' ? '' : `${r.step_time_source} `}${r.step_time_ms.toFixed(r.step_time_ms < 10 ? 2 : 0)} ms | ${r.workers} | ${r.latency_ms} ms | ${r.steps_per_worker} | ${s(r.sim_time_to_target_s)} | ${s(r.real_time_to_target_s)} | ${pct(r.difference)} | ${r.sim_total_s.toFixed(2)} | ${r.real_total_s.toFixed(2)} | ${pct(r.total_difference)}${r.runs > 1 ? ` (${pct(r.total_difference_range[0])} to ${pct(r.total_difference_range[1])}, ${r.runs} runs)` : ''} | ${r.overhead_ms_per_round.toFixed(1)} | ${Object.values(
        r.overheads ?? {},
      )
        .map((o) => o.mean_ms.toFixed(1))
        .join(' / ')} | ${r.compute_ms_per_step?.toFixed(2) ?? '-'} | ${r.load_before.toFixed(1)}-${r.load_after.toFixed(1)} |`,
    );
  }
  if (rows[0]?.overheads) lines.push('', `hop delays: ${Object.keys(rows[0].overheads).join(' / ')}`);
  process.stdout.write(
    lines.join('\n') +
      `\n\nlink: ${link}; largest |difference| to target: ${(worst * 100).toFixed(1)}%, of total time: ${(worstTotal * 100).toFixed(1)}%\n`,
  );
}
