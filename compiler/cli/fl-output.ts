// What `nacc fl` reads and prints (the job options the command line overrides, data files, the
// job JSON, the accuracy plot), shared by the simulated and real runs (fl.ts) and the serve/join
// path (fl-serve.ts).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';
import { parsePartition, type JobOverrides } from '../fl/run.ts';
import type { FlRunResult } from '../fl/simulator.ts';
import { plotsFor, renderSvg, type FlTrainingSection } from '../report/index.ts';

export interface FlOptions {
  job?: string;
  compare?: string;
  real?: boolean;
  link?: string;
  workers?: string;
  json?: boolean;
  maxSteps?: string;
  latency?: string;
  partition?: string;
  samples?: string;
  seed?: string;
  orderSeed?: string;
  sweepLatency?: string;
  plot?: string;
  out?: string;
  events?: string;
}

/** The JSON of one job (stable schema; see docs/fl.md). */
export function jobJson(r: FlRunResult) {
  return {
    name: r.name,
    algorithm: r.algorithm,
    mode: r.mode,
    workers: r.workers,
    ...(r.order_seed !== undefined ? { order_seed: r.order_seed } : {}),
    final_accuracy: r.final_accuracy,
    time_to_target_s: r.time_to_target_s,
    target_accuracy: r.target_accuracy,
    rounds: r.rounds,
    steps_per_worker: r.steps_per_worker,
    total_time_s: r.total_time_s,
    stall_s: r.stall_s,
    step_time_ms: r.step_time_ms,
    step_time_source: r.step_time_source,
    message_ms: r.message_ms,
    message_bytes: r.message_bytes,
    messages: r.messages,
    ...(r.transport ? { transport: r.transport } : {}),
    ...(r.link ? { link: r.link } : {}),
    ...(r.compute_ms_per_step !== undefined ? { compute_ms_per_step: r.compute_ms_per_step } : {}),
    ...(r.overheads ? { overheads: r.overheads } : {}),
    ...(r.dropped
      ? { dropped: r.dropped, rejoined: r.rejoined ?? [], resumed: r.resumed ?? null, workers_per_round: r.workers_per_round ?? [] }
      : {}),
    curve: r.curve,
  };
}

/** An option that takes a positive integer (undefined when not given). */
export const positiveInt = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(D.flUsage, `${flag} needs a positive integer, got '${v}'`);
  return n;
};

/** An option that takes a number of milliseconds, 0 or more (undefined when not given). */
export const nonNegative = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(D.flUsage, `${flag} needs a number of milliseconds, got '${v}'`);
  return n;
};

/** The job settings the command line overrides: the same options for nacc fl and nacc fl serve. */
export function jobOverrides(opts: FlOptions): JobOverrides {
  return {
    maxSteps: positiveInt(opts.maxSteps, '--max-steps'),
    latencyMs: nonNegative(opts.latency, '--latency'),
    partition: opts.partition ? parsePartition(opts.partition) : undefined,
    samples: positiveInt(opts.samples, '--samples'),
    workers: positiveInt(opts.workers, '--workers'),
    seed: seedOption(opts.seed),
    orderSeed: seedOption(opts.orderSeed, '--order-seed'),
  };
}

/** Reads the data files a job names (csv(path: ...)), relative to the .nacc file at `path`. */
export function dataFileReader(path: string): (file: string) => string {
  return (p) => {
    const full = isAbsolute(p) ? p : join(dirname(path), p);
    try {
      return readFileSync(full, 'utf8');
    } catch {
      return fail(D.flDataFile, `cannot read data file '${full}'`);
    }
  };
}

export const seedOption = (v: string | undefined, flag = '--seed'): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(D.badOptionValue, `${flag} needs an integer of 0 or more, got '${v}'`);
  return n;
};

/** Render the accuracy-vs-time plot of some runs to SVG. */
export async function flPlotSvg(runs: FlRunResult[], title: string): Promise<string> {
  const section = flSection(runs, title);
  const [plot] = plotsFor(section);
  return renderSvg(plot.spec, 'fl');
}

export function flSection(runs: FlRunResult[], network: string): FlTrainingSection {
  const targets = [...new Set(runs.map((r) => r.target_accuracy).filter((t): t is number => t !== null))];
  return {
    kind: 'fl-training',
    network,
    ...(targets.length === 1 ? { target_accuracy: targets[0] } : {}),
    clock: runs.every((r) => r.mode === 'real') ? 'wall' : runs.some((r) => r.mode === 'real') ? 'mixed' : 'simulated',
    runs: runs.map((r) => ({
      name: `${r.name}${r.mode === 'real' ? ' (real)' : ''}`,
      points: r.curve.map((p) => ({ time_s: p.time_s, accuracy: p.accuracy })),
      ...(r.time_to_target_s !== null ? { time_to_target_s: r.time_to_target_s } : {}),
    })),
    facts: Object.fromEntries(
      runs.flatMap((r) => [
        [`${r.name} final accuracy`, Number(r.final_accuracy.toFixed(4))],
        [`${r.name} stall (s/worker)`, Number(r.stall_s.toFixed(2))],
      ]),
    ),
  };
}
