// Small jobs for the fl tests: a tiny MLP on a few hundred digits.
import type { FederatedJob, FlAlgorithm } from '../../compiler/ir/targets.ts';
import { mlp } from '../../compiler/fl/build.ts';
import { prepareData } from '../../compiler/fl/data.ts';
import { setupJob, type JobSetup } from '../../compiler/fl/simulator.ts';

export function tinyJob(algorithm: FlAlgorithm, over: Partial<FederatedJob> = {}): FederatedJob {
  return {
    name: `tiny_${algorithm.kind}`,
    network: 'tiny_mlp',
    data: { generator: 'synthetic_digits', samples: 400, partition: { kind: 'dirichlet', alpha: 0.5 }, args: { test: 200 } },
    workers: 4,
    stepTimeMs: 50,
    latencyMs: 100,
    bandwidthMbitPerS: 20,
    algorithm,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.5 },
    batch: 8,
    targetAccuracy: 0.3,
    maxSteps: 40,
    seed: 3,
    ...over,
  };
}

export const tinyNet = mlp('tiny_mlp', [16, 16, 1], 12, 10);

export function tinySetup(job: FederatedJob): JobSetup {
  return setupJob(job, tinyNet, prepareData(job.data, job.workers, job.seed));
}
