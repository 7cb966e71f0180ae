// An accelerator as a storage hierarchy (outermost first: DRAM, global buffer, network
// levels, per-PE register files) above an array of MAC units, with an energy-per-action
// table. Energies are per vector access (one block of `blockSize` words), in pJ.

export interface ActionEnergies {
  read: number;
  /** A fill from the parent level. */
  write: number;
  /** A partial-sum update from the child level. */
  update: number;
  /**
   * Leakage per instance per cycle (the ERT's `leak` action). Timeloop v3.0.3 charges none of
   * it; the model reports it beside the energy (LevelStats.leakPj), never inside it.
   */
  leak: number;
}

export interface StorageLevel {
  name: string;
  /** Total instances across the chip; meshX * meshY = instances. */
  instances: number;
  meshX: number;
  meshY: number;
  /** Capacity in words; undefined means unbounded (DRAM). */
  sizeWords?: number;
  wordBits: number;
  /** Words per vector access. */
  blockSize: number;
  /**
   * Words per cycle per instance, as Timeloop defines them (`read_bandwidth`,
   * `write_bandwidth`, `shared_bandwidth`): reads served to the child level; writes = fills
   * from the parent plus updates from the child; shared = reads + writes through one port.
   * Undefined means unlimited.
   */
  readBandwidth?: number;
  writeBandwidth?: number;
  sharedBandwidth?: number;
  energy: ActionEnergies;
  areaUm2: number;
  /**
   * Words per cycle per instance of updates (partial sums or finished outputs) drained into
   * this level from its child storage level, e.g. a single requantiser on the output path;
   * undefined means unlimited (Timeloop's behaviour).
   */
  drainBandwidth?: number;
  /** Fixed cycles per child tile drained into this level (the drain engine's hand-shake); 0 if undefined. */
  drainOverheadCycles?: number;
  /**
   * Fills from the parent level are not double-buffered: they complete before compute starts,
   * so their cycles at the parent's read bandwidth add to the run instead of overlapping it.
   * Undefined/false means overlapped (Timeloop's behaviour).
   */
  serialFill?: boolean;
  /**
   * Every iteration of the loops above this level is a separate program that fills the level
   * afresh (the generated RTL's sequencer programs, compiler/rtl/accelerator): read-only tiles
   * are reloaded whole (no reuse across iterations), partial sums carried across iterations stay
   * on chip (no fills), and each program adds its fixed cost. Undefined: Timeloop's behaviour.
   */
  programs?: ProgramTerms;
  /** Copies of a data space's tile the level holds (one per operand lane of an array that does not share them); 1 when absent. */
  copies?: Record<string, number>;
  /**
   * Words of the level reserved for a data space's tile (copies included), by data-space name,
   * and under `records` and `carried` for the programs' records and carried partial sums: a fixed split of the
   * buffer into banks, so that the tiles of different layers fit together. Unlimited when absent.
   */
  partitions?: Record<string, number>;
  /**
   * A data space's tile whose extent along one of `dims` is less than the problem's is stored
   * and filled in whole blocks of `words` along that axis (DRAM beats per pixel when channels are
   * split): the extent rounds up to a multiple of `words`.
   */
  blocks?: Record<string, { words: number; dims: string[]; rowDims?: string[] }>;
  /** Pure network levels that hold nothing (Timeloop's dummy_storage). */
  dummy?: boolean;
  /** Component class as written (DRAM, SRAM, regfile...). */
  className?: string;
}

/** Per-program costs of a level whose parent iterations are separate programs (StorageLevel.programs). */
export interface ProgramTerms {
  /** Fixed cycles per program: e.g. the DRAM read latency of its load and the drain pipeline's flush. */
  overheadCycles: number;
  /**
   * The compute -> drain pipeline (drainBandwidth, drainOverheadCycles) restarts every program:
   * when compute is the bottleneck its last drain follows the last step; when the drain is, the
   * first drain waits for its steps.
   */
  pipelineFill: boolean;
  /** Words per index of `dims` in the level's tile (per-channel requantisation records), filled with the program that completes the outputs (the last iteration of the reductions above). */
  records?: { words: number; dims: string[] };
  /** A program loads only the part of its input windows inside the image (Problem.inputWidth/inputHeight/padTop/padLeft): the zero padding is not fetched. */
  clipToImage?: boolean;
  /** Words of on-chip storage per partial sum carried between programs when a reduction loop sits above the level. */
  carriedWordsPerPartialSum?: number;
  /**
   * The level's serial fills are double-buffered across programs: the next program's fill runs
   * while the current one computes, so only the first program's fill adds in full. A fill takes
   * `latencyCycles` beyond its words (instead of in overheadCycles); it starts `gapCycles` after
   * the program before it starts computing, and at most one per `issueCycles` (the host writing
   * a program's configuration). Absent: every fill precedes its program's compute.
   */
  overlappedFill?: { latencyCycles: number; gapCycles: number; issueCycles: number };
}

export interface ComputeLevel {
  name: string;
  instances: number;
  meshX: number;
  meshY: number;
  wordBits: number;
  energyPerMac: number;
  /** The ERT's `leak` per MAC unit per cycle: kept for export; no Timeloop version charges it. */
  leakPerCycle: number;
  areaUm2: number;
}

export interface Architecture {
  name: string;
  /** Outermost (DRAM) first. */
  levels: StorageLevel[];
  compute: ComputeLevel;
  clockMHz?: number;
}

/** Spatial fanout below storage level `i` (to level i+1, or to the MACs under the last level). */
export function fanoutBelow(arch: Architecture, i: number): { x: number; y: number } {
  const parent = arch.levels[i];
  const child = i + 1 < arch.levels.length ? arch.levels[i + 1] : arch.compute;
  return {
    x: Math.max(1, Math.floor(child.meshX / parent.meshX)),
    y: Math.max(1, Math.floor(child.meshY / parent.meshY)),
  };
}
