// Energy (Timeloop's ERT applied to the access counts): each level's reads, fills and updates
// priced per word (v3) or per block at the dearest action (2020), times the utilised
// instances; leak per instance per cycle, charged only when asked; the MACs' compute energy.
import type { AccessCounts } from './access-counts.ts';
import type { LevelConst } from './level-tables.ts';
import type { TileAnalysis } from './tile-analysis.ts';
import type { Convention } from './types.ts';

/** Energy of one level's accesses to one data space for one instance. */
export function accessEnergy(e: LevelConst, reads: number, fills: number, updates: number, conv: Convention): number {
  const b = e.blockSize;
  if (conv === '2020') return (Math.ceil(reads / b) + Math.ceil(fills / b) + Math.ceil(updates / b)) * e.maxAction;
  return (reads * e.read + fills * e.write + updates * e.update) / b;
}

/** The energy of one evaluation, on scratch reused across mappings. */
export class Energy {
  private readonly ta: TileAnalysis;
  /** Per (level, data space) kept: the energy of its accesses over every utilised instance. */
  readonly sE: Float64Array;
  /** Per level: access energy, and leak over the run (charged only with chargeLeak). */
  readonly levelEnergy: Float64Array;
  readonly levelLeak: Float64Array;
  computeEnergyPj = 0;
  energyPj = 0;

  constructor(ta: TileAnalysis) {
    this.ta = ta;
    const L = ta.lt.L;
    this.sE = new Float64Array(L * ta.pt.nds);
    this.levelEnergy = new Float64Array(L);
    this.levelLeak = new Float64Array(L);
  }

  /** Energy of the mapping the TileAnalysis last analysed, from its access counts and cycles. */
  count(ac: AccessCounts, cycles: number, conv: Convention, chargeLeak: boolean): void {
    const ta = this.ta;
    const L = ta.lt.L;
    const lc = ta.lt.lc;
    const nds = ta.pt.nds;
    const keep = ta.keep;
    const utilInst = ta.utilInst;
    const entry = ac.entry;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < nds; j++) {
        const x = l * nds + j;
        if (keep[x]) this.sE[x] = accessEnergy(lc[l], ac.sR[x], ac.sF[x], ac.sU[x], conv) * utilInst[l];
      }
    }
    let levelSum = 0;
    for (let l = 0; l < L; l++) {
      let e = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x >= 0) e += this.sE[l * nds + x];
      }
      const leakPj = lc[l].leak * utilInst[l] * cycles;
      this.levelEnergy[l] = e;
      this.levelLeak[l] = leakPj;
      levelSum = chargeLeak ? levelSum + e + leakPj : levelSum + e;
    }
    this.computeEnergyPj = ta.pt.macs * ta.lt.arch.compute.energyPerMac;
    this.energyPj = this.computeEnergyPj + levelSum;
  }
}
