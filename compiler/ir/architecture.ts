// An accelerator as a storage hierarchy (outermost first: DRAM, global buffer, network
// levels, per-PE register files) above an array of MAC units, with an energy-per-action
// table. Energies are per vector access (one block of `blockSize` words), in pJ.

export interface ActionEnergies {
  read: number;
  /** A fill from the parent level. */
  write: number;
  /** A partial-sum update from the child level. */
  update: number;
  /** Leakage per instance per cycle. */
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
  /** Words per cycle per instance; undefined means unlimited. */
  readBandwidth?: number;
  writeBandwidth?: number;
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
  /** Pure network levels that hold nothing (Timeloop's dummy_storage). */
  dummy?: boolean;
  /** Component class as written (DRAM, SRAM, regfile...). */
  className?: string;
}

export interface ComputeLevel {
  name: string;
  instances: number;
  meshX: number;
  meshY: number;
  wordBits: number;
  energyPerMac: number;
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
