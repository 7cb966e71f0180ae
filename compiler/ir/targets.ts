// IR for the non-network declarations of a .nacc file: fixed accelerators, NAAS design
// spaces, microcontroller targets, PointAcc configurations and federated-training jobs.
// Sizes are in bytes, times in milliseconds, bandwidths as the unit says, clocks in MHz.
import type { Location } from '../diagnostics/diagnostic.ts';

export interface IntRange {
  min: number;
  max: number;
  step: number;
}

export type Dataflow = 'row_stationary' | 'output_stationary' | 'weight_stationary' | 'input_stationary';

export interface AcceleratorSpec {
  name: string;
  /** PE array dimensions, 1 to 3 axes. */
  peArray: number[];
  dataflow?: Dataflow;
  /** Loop dimensions (N,K,C,P,Q,R,S) parallel on each array axis, when given explicitly. */
  parallel?: string[];
  registerFileBytesPerPe: number;
  globalBufferBytes: number;
  dramBandwidthBytesPerCycle: number;
  wordBits: number;
  clockMHz?: number;
  location?: Location;
}

export interface DesignSpace {
  name: string;
  /** Name of an accelerator whose PEs, on-chip bytes and bandwidth cap this space. */
  resources?: string;
  arrayDims?: IntRange;
  peCount?: IntRange;
  arraySize?: IntRange;
  /** 'search' or a fixed list of parallel dimensions. */
  parallel?: 'search' | string[];
  registerFileBytes?: IntRange;
  globalBufferBytes?: IntRange;
  loopOrder?: 'search' | string[];
  tiling?: 'search';
  /** Fixed dataflow (sizing-only spaces). */
  dataflow?: Dataflow;
  /** Per-axis size ranges of a fixed-dimensional array (sizing-only spaces). */
  peArray?: IntRange[];
  dramBandwidthBytesPerCycle?: IntRange;
  /** energy x delay, energy, delay, or energy x delay x area (compiler/naas/area.ts). */
  objective: 'edp' | 'energy' | 'latency' | 'edap';
  /** Upper bound on a design's area in mm² (`area: 1.5 mm2`); designs above it are never evaluated. */
  maxAreaMm2?: number;
  location?: Location;
}

export type McuCore = 'cortex-m0' | 'cortex-m0plus' | 'cortex-m3' | 'cortex-m4' | 'cortex-m7' | 'cortex-m33' | 'cortex-m55';

export interface McuTarget {
  name: string;
  core: McuCore;
  sramBytes: number;
  flashBytes: number;
  clockMHz?: number;
  location?: Location;
}

export interface PointAccConfig {
  name: string;
  mappingUnit: { sorterWidth: number; keyBits: number };
  /** Systolic matrix unit rows x cols. */
  matrixUnit: [number, number];
  cacheBytes: number;
  cacheWays?: number;
  bufferBytes: number;
  dramBandwidthBytesPerCycle: number;
  wordBits: number;
  clockMHz: number;
  location?: Location;
}

export type Partition = { kind: 'iid' } | { kind: 'dirichlet'; alpha: number } | { kind: 'shards'; perWorker: number };

/** The data sets a federated job can name, as `name(...)` in its `data:` field. */
export const DATA_GENERATORS = ['synthetic_digits', 'leaf_synthetic', 'csv', 'fashion_mnist'] as const;

export interface DataSpec {
  /** One of DATA_GENERATORS (the CLI also accepts the aliases `digits` and `synthetic`). */
  generator: string;
  samples?: number;
  path?: string;
  partition: Partition;
  /** Any further generator arguments, as written. */
  args: Record<string, number | string | boolean>;
}

export type FlAlgorithm =
  | { kind: 'fedavg'; localSteps: number }
  | {
      kind: 'dga';
      localSteps: number;
      delay: number;
      /** Warm-up: rounds averaged synchronously before the delay starts (`warmup_rounds`). */
      syncRounds?: number;
      /** Weight of a worker's own finished rounds in flight in the model it steps from (`local_weight`, default 1). */
      localWeight?: number;
      /** Cool-down: the job's last rounds averaged synchronously (`cooldown_rounds`). */
      finalSyncRounds?: number;
      /** Tail average: the final model is the mean of the consensus after each of the job's last rounds (`tail_average`). */
      tailRounds?: number;
    }
  | { kind: 'local_sgd'; localSteps: number };

export interface FederatedJob {
  name: string;
  network: string;
  data: DataSpec;
  workers: number;
  stepTimeMs?: number;
  latencyMs: number;
  bandwidthMbitPerS?: number;
  jitterMs?: number;
  algorithm: FlAlgorithm;
  /**
   * `warmup`: local steps of linear lr warm-up; `decay`: lr schedule after it; `decay_steps`: the
   * cosine decay spans only the job's last steps (default: every step after the warm-up).
   */
  optimizer: { kind: 'sgd'; lr: number; momentum: number; warmupSteps?: number; decay?: 'constant' | 'cosine'; decaySteps?: number };
  batch: number;
  targetAccuracy?: number;
  /** Upper bound on training length in local steps per worker. */
  maxSteps?: number;
  /** Edge device speed in GFLOP/s, used for the step time when stepTimeMs is absent (`device_gflops`). */
  deviceGflops?: number;
  /** Fraction of workers that are stragglers, 0..1 (`stragglers`). */
  stragglers?: number;
  /** Compute slowdown factor of a straggler, default 3 (`straggler_slowdown`). */
  stragglerSlowdown?: number;
  seed: number;
  /**
   * Seed of the workers' minibatch order alone (default: `seed`); data, partition and initial model
   * stay those of `seed`. Replicates that differ only in it measure a job's run-to-run spread.
   */
  orderSeed?: number;
  location?: Location;
}
