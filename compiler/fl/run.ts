// Job-level entry points of the fl stage: resolve a job in a program, build its data and
// setup, run it (simulated), compare jobs, sweep latency. File reading is injected.
import { D, fail, pickDeclared } from '../diagnostics/index.ts';
import type { Program } from '../ir/program.ts';
import type { FederatedJob, Partition } from '../ir/targets.ts';
import { prepareData } from './data.ts';
import { measureStepMs, retime, setupJob, simulate, type FlRunResult, type JobSetup } from './simulator.ts';
import { compileModel } from './trainer.ts';

export interface JobOverrides {
  maxSteps?: number;
  latencyMs?: number;
  partition?: Partition;
  /** Replace the data set's sample count. */
  samples?: number;
  /** Replace the number of workers (the data is partitioned across them). */
  workers?: number;
  /** Replace the job's seed (data sample and partition, initial model, batch order, jitter). */
  seed?: number;
  /** Seed the workers' minibatch order alone (FederatedJob.orderSeed). */
  orderSeed?: number;
}

export interface JobContext {
  program: Program;
  /** Reads a CSV path named in the job (resolved by the caller). */
  readText?: (path: string) => string;
}

export function findJob(program: Program, name: string): FederatedJob {
  return pickDeclared('federated job', name, program.federated, program.file);
}

export function applyOverrides(job: FederatedJob, o: JobOverrides): FederatedJob {
  return {
    ...job,
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.orderSeed !== undefined ? { orderSeed: o.orderSeed } : {}),
    data: { ...job.data, ...(o.partition ? { partition: o.partition } : {}), ...(o.samples !== undefined ? { samples: o.samples } : {}) },
  };
}

export function prepareJob(ctx: JobContext, jobIn: FederatedJob, o: JobOverrides = {}): JobSetup {
  const job = applyOverrides(jobIn, o);
  const net = ctx.program.networks.find((n) => n.name === job.network);
  if (!net) fail(D.flUnknownNetwork, `federated job '${job.name}': unknown network '${job.network}'`, job.location);
  const data = prepareData(job.data, job.workers, job.seed, ctx.readText, job.location);
  return setupJob(job, net, data, { measureStepMs: () => measureStepMs(compileModel(net), data, job.batch) });
}

/** Parse `iid`, `dirichlet(0.5)` / `dirichlet:0.5`, `shards(2)`. */
export function parsePartition(text: string): Partition {
  const m = /^\s*(iid|dirichlet|shards)\s*(?:[(:]\s*([0-9.eE+-]+)\s*\)?)?\s*$/.exec(text);
  if (!m) fail(D.flPartition, `unknown partition '${text}' (iid, dirichlet(ALPHA), shards(N))`);
  if (m[1] === 'iid') return { kind: 'iid' };
  const v = Number(m[2]);
  if (!Number.isFinite(v) || v <= 0) fail(D.flPartition, `partition '${text}' needs a positive number`);
  return m[1] === 'dirichlet' ? { kind: 'dirichlet', alpha: v } : { kind: 'shards', perWorker: Math.round(v) };
}

export interface CompareResult {
  jobs: FlRunResult[];
  /** time_to_target of the first job over that of the second (null when either missed it). */
  speedup: number | null;
}

export function speedupOf(a: FlRunResult, b: FlRunResult): number | null {
  if (a.time_to_target_s === null || b.time_to_target_s === null || b.time_to_target_s === 0) return null;
  return a.time_to_target_s / b.time_to_target_s;
}

export interface SweepRow {
  latency_ms: number;
  jobs: { name: string; time_to_target_s: number | null; total_time_s: number; stall_s: number }[];
  speedup: number | null;
}

/**
 * Speedup against one-way latency: each job is trained once; under each latency its
 * accuracy-per-round is re-timed on a timing-only run (training does not depend on time).
 */
export function latencySweep(setups: JobSetup[], trained: FlRunResult[], latencies: number[]): SweepRow[] {
  return latencies.map((latency) => {
    const runs = setups.map((s, i) => {
      const clock = simulate({ ...s, job: { ...s.job, latencyMs: latency } }, { timingOnly: true });
      return retime(trained[i], clock);
    });
    return {
      latency_ms: latency,
      jobs: runs.map((r) => ({ name: r.name, time_to_target_s: r.time_to_target_s, total_time_s: r.total_time_s, stall_s: r.stall_s })),
      speedup: runs.length >= 2 ? speedupOf(runs[0], runs[1]) : null,
    };
  });
}
