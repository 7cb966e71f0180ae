// The architecture compiled once for the cost model: each storage level's energies, sizes,
// bandwidths and program terms in one fixed shape, the fanouts below each level, and the area.
import type { ProgramTerms } from '../../ir/architecture.ts';
import type { Architecture, StorageLevel } from '../../ir/architecture.ts';
import { fanoutBelow } from '../../ir/architecture.ts';

/** What the evaluation reads of a storage level, in one fixed shape. */
export interface LevelConst {
  dummy: boolean;
  sizeWords: number | undefined;
  read: number;
  write: number;
  update: number;
  /** max(read, write, update): the 2020 convention's per-access energy. */
  maxAction: number;
  blockSize: number;
  leak: number;
  readBandwidth: number | undefined;
  writeBandwidth: number | undefined;
  sharedBandwidth: number | undefined;
  drainBandwidth: number | undefined;
  drainOverheadCycles: number;
  serialFill: boolean;
  programs: ProgramTerms | undefined;
  /** Copies of each data space's tile, by data-space name (1 when absent). */
  copies: Record<string, number>;
  partitions: Record<string, number> | undefined;
  blocks: Record<string, { words: number; dims: string[]; rowDims?: string[] }> | undefined;
}

export const levelConst = (lv: StorageLevel): LevelConst => ({
  dummy: !!lv.dummy,
  sizeWords: lv.sizeWords,
  read: lv.energy.read,
  write: lv.energy.write,
  update: lv.energy.update,
  maxAction: Math.max(lv.energy.read, lv.energy.write, lv.energy.update),
  blockSize: lv.blockSize,
  leak: lv.energy.leak,
  readBandwidth: lv.readBandwidth,
  writeBandwidth: lv.writeBandwidth,
  sharedBandwidth: lv.sharedBandwidth,
  drainBandwidth: lv.drainBandwidth,
  drainOverheadCycles: lv.drainOverheadCycles ?? 0,
  serialFill: !!lv.serialFill,
  programs: lv.programs,
  copies: lv.copies ?? {},
  partitions: lv.partitions,
  blocks: lv.blocks,
});

/** An architecture's levels as the cost model reads them (immutable once built). */
export class LevelTables {
  readonly arch: Architecture;
  readonly L: number;
  readonly levelNames: readonly string[];
  readonly lc: readonly LevelConst[];
  /** Per level: dims whose tile extents count its per-channel records (ProgramTerms.records). */
  readonly recordDims: readonly (readonly number[])[];
  /** Spatial fanout below each level, per axis. */
  readonly fanX: Float64Array;
  readonly fanY: Float64Array;
  readonly areaUm2: number;

  constructor(arch: Architecture, dimNames: readonly string[]) {
    this.arch = arch;
    const L = arch.levels.length;
    this.L = L;
    this.levelNames = arch.levels.map((l) => l.name);
    this.lc = arch.levels.map(levelConst);
    this.recordDims = this.lc.map((c) => (c.programs?.records?.dims ?? []).map((n) => dimNames.indexOf(n)).filter((d) => d >= 0));
    this.fanX = new Float64Array(L);
    this.fanY = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      const f = fanoutBelow(arch, l);
      this.fanX[l] = f.x;
      this.fanY[l] = f.y;
    }
    this.areaUm2 = arch.compute.areaUm2 * arch.compute.instances + arch.levels.reduce((a, x) => a + x.areaUm2 * x.instances, 0);
  }
}
