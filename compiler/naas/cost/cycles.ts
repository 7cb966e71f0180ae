// Cycles (Timeloop's BufferLevel::ComputePerformance, plus nacc's own terms): compute cycles
// from the temporal iterations, each level throttled by its bandwidths against the per-cycle
// demand of its access counts, fills of levels that are not double-buffered added serially,
// and the per-program overhead and drain-pipeline restarts of StorageLevel.programs.
import type { AccessCounts } from './access-counts.ts';
import type { LevelConst } from './level-tables.ts';
import type { TileAnalysis } from './tile-analysis.ts';

/** Words per cycle a level can read: the tighter of its read and shared bandwidths (0: unlimited). */
function readRate(lv: LevelConst): number {
  const r = lv.readBandwidth || Infinity;
  const s = lv.sharedBandwidth || Infinity;
  const m = Math.min(r, s);
  return m === Infinity ? 0 : m;
}

/**
 * Cycles of a level whose per-cycle demands are `readDemand` (reads served to the child)
 * and `writeDemand` (fills + updates), each summed per data space as count / compute cycles,
 * exactly as Timeloop v3.0.3's BufferLevel::ComputePerformance: the worst ratio of a
 * bandwidth to its demand is the slowdown, and cycles = ceil(compute / slowdown), in
 * floating point (so an exact quotient can come out one cycle above the integer ceiling).
 */
export function bandwidthCycles(
  computeCycles: number,
  readDemand: number,
  writeDemand: number,
  bw: { readBandwidth?: number; writeBandwidth?: number; sharedBandwidth?: number },
): number {
  let slowdown = 1;
  const { readBandwidth: rb, writeBandwidth: wb, sharedBandwidth: sb } = bw;
  if (rb && rb < readDemand) slowdown = Math.min(slowdown, rb / readDemand);
  if (wb && wb < writeDemand) slowdown = Math.min(slowdown, wb / writeDemand);
  if (sb && sb < readDemand + writeDemand) slowdown = Math.min(slowdown, sb / (readDemand + writeDemand));
  return Math.ceil(computeCycles / slowdown);
}

/** The cycles of one evaluation, on scratch reused across mappings. */
export class Cycles {
  private readonly ta: TileAnalysis;
  private readonly serialReads: Float64Array;
  /** Per level: its bandwidth-throttled cycles. */
  readonly levelCycles: Float64Array;
  computeCycles = 0;
  /** Cycles of non-overlapped fills (levels with serialFill), included in cycles. */
  serialFillCycles = 0;
  cycles = 0;

  constructor(ta: TileAnalysis) {
    this.ta = ta;
    this.serialReads = new Float64Array(ta.lt.L);
    this.levelCycles = new Float64Array(ta.lt.L);
  }

  /** Cycles of the mapping the TileAnalysis last analysed, from its access counts. */
  count(ac: AccessCounts): void {
    const ta = this.ta;
    const L = ta.lt.L;
    const lc = ta.lt.lc;
    const nds = ta.pt.nds;
    const utilInst = ta.utilInst;
    const temporalIters = ta.temporalIters;
    const entry = ac.entry;
    const drainsInto = ac.drainsInto;
    // Cycles: compute-bound unless a level's bandwidth throttles it. Fills of a level that is
    // not double-buffered (serialFill) are read from its parent before compute starts: their
    // cycles add to the run and leave the parent's overlapped traffic.
    const computeCycles = temporalIters;
    const serialReads = this.serialReads;
    for (let l = 0; l < L; l++) serialReads[l] = 0;
    let serialFillCycles = 0;
    // Fills double-buffered across programs (ProgramTerms.overlappedFill): level, fill cycles.
    let overlapped: { l: number; fill: number } | undefined;
    for (let l = 1; l < L; l++) {
      if (!lc[l].serialFill) continue;
      let words = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x >= 0) words += ac.sF[l * nds + x] * utilInst[l];
      }
      const rec = lc[l].programs?.records;
      if (rec) {
        const ps = ta.programStats(l);
        words += rec.words * ps.channels * ps.completing * utilInst[l];
      }
      const parent = lc[l - 1];
      const perInstance = words / Math.max(1, utilInst[l - 1]);
      serialReads[l - 1] += perInstance;
      const rate = readRate(parent);
      if (!rate) continue;
      if (lc[l].programs?.overlappedFill && !overlapped) overlapped = { l, fill: Math.ceil(perInstance / rate) };
      else serialFillCycles += Math.ceil(perInstance / rate);
    }
    let cycles = computeCycles;
    for (let l = 0; l < L; l++) {
      const lv = lc[l];
      // Demands per cycle summed per data space in Timeloop's order (bandwidthCycles).
      let dr = 0;
      let dw = 0;
      let u = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[l * nds + j];
        if (x < 0) continue;
        const y = l * nds + x;
        dr += ac.sR[y] / computeCycles;
        dw += (ac.sF[y] + ac.sU[y]) / computeCycles;
        u += ac.sU[y];
      }
      if (serialReads[l] > 0) dr -= serialReads[l] / computeCycles;
      let c = bandwidthCycles(computeCycles, dr, dw, lv);
      if (lv.drainBandwidth) c = Math.max(c, Math.ceil(u / lv.drainBandwidth + drainsInto[l] * lv.drainOverheadCycles));
      this.levelCycles[l] = c;
      cycles = Math.max(cycles, c);
    }
    cycles += serialFillCycles;
    // Per-program costs (StorageLevel.programs): the fixed overhead, and the compute -> drain
    // pipeline restarting in every program (its non-bottleneck stage's first or last block).
    for (let l = 0; l < L; l++) {
      const pt = lc[l].programs;
      if (!pt) continue;
      const ps = ta.programStats(l);
      let perProgram = pt.overheadCycles;
      const bw = lc[l].drainBandwidth;
      if (pt.pipelineFill && bw) {
        let u = 0;
        for (let j = 0; j < nds; j++) {
          const x = entry[l * nds + j];
          if (x >= 0) u += ac.sU[l * nds + x];
        }
        const steps = computeCycles / ps.programs;
        const drains = ps.levelSteps;
        const outputs = u / ps.programs;
        const drainWork = outputs / bw + drains * lc[l].drainOverheadCycles;
        if (outputs > 0)
          perProgram += steps >= drainWork ? lc[l].drainOverheadCycles - 1 + Math.ceil(outputs / drains / bw) : steps / drains - 1;
      }
      cycles += perProgram * ps.programs;
    }
    if (overlapped) {
      // Programs of equal shares: the first fill, then per program the longest of its busy time,
      // the next fill (after the start gap) and the host's configuration issue.
      const { latencyCycles, gapCycles, issueCycles } = lc[overlapped.l].programs!.overlappedFill!;
      const n = ta.programStats(overlapped.l).programs;
      const fill = overlapped.fill / n + latencyCycles;
      const busy = (cycles - serialFillCycles) / n;
      // The parent's writes (outputs drained to it), served first, share its port with the next fill.
      const parent = overlapped.l - 1;
      let writes = 0;
      for (let j = 0; j < nds; j++) {
        const x = entry[parent * nds + j];
        if (x >= 0) writes += ac.sU[parent * nds + x];
      }
      const rate = readRate(lc[parent]);
      const writeCycles = rate ? writes / rate / n : 0;
      cycles = Math.ceil(serialFillCycles + fill + busy + (n - 1) * Math.max(busy, fill + writeCycles + gapCycles, issueCycles));
      serialFillCycles += fill;
    }
    this.computeCycles = computeCycles;
    this.serialFillCycles = serialFillCycles;
    this.cycles = cycles;
  }
}
