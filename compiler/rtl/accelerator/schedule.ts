// Cycle count of the generated accelerator for one layer, from its sequencer's schedule:
// load (DRAM beats at the declared bandwidth), one array step per temporal iteration, stalls
// when the drain engine (overlapped with compute on the other register-file half) is slower
// than the steps between two drains, the last drain, and the drain pipeline's flush.
// This is the formula the RTL implements, stated once.
import type { LayerMapping, LayerMemoryMap } from './mapping.ts';

/** Cycles between a program's start (or its predecessor's launch) and its loads starting. */
const LAUNCH_GAP = 1;
import { DIMS, OUTPUT_DIMS } from './problem.ts';
import { QPARAM_BYTES, parallelSize, type AcceleratorHardware } from './array.ts';
import { DRAIN_HANDSHAKE, DRAIN_PIPELINE, DRAIN_WORDS_PER_CYCLE, PROGRAM_ISSUE_CYCLES } from '../../naas/rtl-architecture.ts';

// The microarchitecture's constants live with the cost model's description of it.
export { DRAIN_WORDS_PER_CYCLE, DRAIN_HANDSHAKE } from '../../naas/rtl-architecture.ts';

export interface ScheduleBreakdown {
  load: number;
  compute: number;
  /** Compute stalls waiting for the drain engine, plus the final (unoverlapped) drain. */
  drain: number;
  overhead: number;
  total: number;
  steps: number;
  drains: number;
  /** MACs / (PEs x compute steps): how well the mapping fills the array. */
  utilisation: number;
  /** Cycles the DRAM port spends on the program's output writes (served before reads: they slow the next program's overlapped loads). */
  writes: number;
  /** DRAM beats the program loads. */
  beats: number;
}

/**
 * Compute stalls waiting for the drain engine, plus the last (unoverlapped) drain. Each drain
 * keeps the engine busy for one wait cycle plus one cycle per output it walks, and it is free
 * again the cycle after; a step that completes the next set of partial sums waits for it.
 * A drain walks every live partial sum (output loops inside the drain level: all of their
 * values) times the output lanes inside the bounds at the latched outer counters: full lanes
 * except on an outer loop's last trip when the bound does not fill the axis. Drains differ only
 * in which outer output loops are on their last trip, so they are counted per such class.
 */
export function drainCycles(hw: AcceleratorHardware, m: LayerMapping): number {
  const steps = DIMS.reduce((p, d) => p * m.trips[d], 1);
  const drains = m.order.slice(0, m.drainLevel).reduce((p, d) => p * m.trips[d], 1);
  const perDrainSteps = steps / drains;
  const outer = OUTPUT_DIMS.filter((d) => m.order.indexOf(d) < m.drainLevel);
  let inner = 1;
  for (const d of OUTPUT_DIMS) if (m.order.indexOf(d) > m.drainLevel) inner *= m.bounds[d];
  // Per outer output loop: [drains with full lanes, lanes; drains on its last trip, lanes].
  const classes = outer.map((d) => {
    const size = m.par[d];
    const trips = m.trips[d];
    return [
      { count: trips - 1, lanes: size },
      { count: 1, lanes: m.bounds[d] - (trips - 1) * size },
    ];
  });
  const busy = (outputs: number) => DRAIN_HANDSHAKE - 1 + outputs / DRAIN_WORDS_PER_CYCLE;
  const stall = (outputs: number) => Math.max(0, busy(outputs) + 1 - perDrainSteps);
  let total = 0;
  let last = inner;
  const walk = (i: number, count: number, outputs: number) => {
    if (count === 0) return;
    if (i === classes.length) {
      total += count * stall(outputs);
      return;
    }
    for (const c of classes[i]) walk(i + 1, count * c.count, outputs * c.lanes);
  };
  walk(0, 1, inner);
  for (const c of classes) last *= c[1].lanes;
  return total - stall(last) + busy(last);
}

/** Cycles the bench's DRAM model needs to deliver `beats` read beats (credit model of the bench). */
export function loadCycles(hw: AcceleratorHardware, beats: number, writes = 0): number {
  const step = Math.round(hw.dramBandwidth * 256);
  const cap = creditCap(hw);
  const cost = 256 * hw.dramBeatBytes;
  let credit = 0;
  let granted = 0;
  let cycle = 0;
  // Cycle 0 is the first LOAD cycle; a grant in cycle t returns data in t + 1. `writes` output
  // bytes (the drain's, one per cycle, served first) compete from cycle 0.
  let lastGrant = 0;
  let written = 0;
  while (granted < beats) {
    let spent = 0;
    if (written < writes && credit >= 256) {
      written++;
      spent = 256;
    }
    if (credit - spent >= cost) {
      granted++;
      lastGrant = cycle;
      spent += cost;
    }
    // Capped after the cycle's grants are paid (as the bench's DRAM model does).
    credit = Math.min(credit + step - spent, cap);
    cycle++;
  }
  return lastGrant + 2;
}

/**
 * Cycles of a layer's programs run back to back on a double-buffered design: program i + 1's
 * loads start once program i computes (its bank half is the one program i - 1 used) and its
 * configuration has been written (the bench writes it once program i's loads have started);
 * program i + 1 computes when its loads are done and program i has finished. Program i's output
 * writes, served first, share the DRAM port with those loads: they are added to them (exact when
 * the loads are the bottleneck; the writes spread over program i's compute otherwise).
 */
export function overlappedCycles(
  parts: Pick<ScheduleBreakdown, 'load' | 'total' | 'writes' | 'beats'>[],
  loadWithWrites: (beats: number, writeCycles: number) => number = (beats, w) => beats + w,
): number {
  let loadStart = 0;
  let loadEnd = parts[0].load;
  let busyEnd = 0;
  for (let i = 0; i < parts.length; i++) {
    const busyStart = Math.max(loadEnd, busyEnd);
    busyEnd = busyStart + parts[i].total - parts[i].load;
    if (i + 1 < parts.length) {
      loadStart = Math.max(busyStart + LAUNCH_GAP, loadStart + PROGRAM_ISSUE_CYCLES);
      loadEnd = loadStart + Math.max(parts[i + 1].load, loadWithWrites(parts[i + 1].beats, parts[i].writes));
    }
  }
  return busyEnd;
}

/** The breakdowns of a layer's tiles added up (utilisation over all of their steps); a double-buffered design overlaps their loads. */
export function sumBreakdowns(hw: AcceleratorHardware, parts: ScheduleBreakdown[], macs: number): ScheduleBreakdown {
  const sum = (k: keyof ScheduleBreakdown) => parts.reduce((s, b) => s + b[k], 0);
  const steps = sum('steps');
  return {
    load: sum('load'),
    compute: sum('compute'),
    drain: sum('drain'),
    overhead: sum('overhead'),
    total: hw.doubleBuffer ? overlappedCycles(parts, (beats, w) => loadCycles(hw, beats, Math.round(w * hw.dramBandwidth))) : sum('total'),
    beats: sum('beats'),
    writes: sum('writes'),
    steps,
    drains: sum('drains'),
    utilisation: macs / (hw.peCount * steps),
  };
}

/**
 * Most credit the bench's DRAM model saves up (1/256 bytes): two cycles' or two beats' worth, and
 * one write byte more, so that a write and a read beat granted in the same cycle (a drain beside
 * the next program's loads) lose none of the bandwidth to the cap.
 */
export function creditCap(hw: AcceleratorHardware): number {
  return Math.max(Math.round(hw.dramBandwidth * 256), 256 * hw.dramBeatBytes) * 2 + 256;
}

/** Cycles of one sequencer program (a whole layer, or one tile of it) from its loads and mapping. */
export function predictCycles(
  hw: AcceleratorHardware,
  m: LayerMapping,
  mem: Pick<LayerMemoryMap, 'inBeats' | 'wBeats' | 'qBeats' | 'outBytes'>,
  macs: number,
): ScheduleBreakdown {
  const steps = DIMS.reduce((p, d) => p * m.trips[d], 1);
  const drains = m.order.slice(0, m.drainLevel).reduce((p, d) => p * m.trips[d], 1);
  const load = loadCycles(hw, mem.inBeats + mem.wBeats + mem.qBeats);
  // The last drain is not overlapped; below 1 B/cycle the DRAM also throttles output writes.
  const writeBound = hw.dramBandwidth < 1 ? Math.ceil(mem.outBytes / hw.dramBandwidth) : 0;
  const drain = Math.max(drainCycles(hw, m), writeBound);
  const overhead = DRAIN_PIPELINE;
  return {
    load,
    compute: steps,
    drain,
    overhead,
    total: load + steps + drain + overhead,
    steps,
    drains,
    utilisation: macs / (hw.peCount * steps),
    writes: mem.outBytes / hw.dramBandwidth,
    beats: mem.inBeats + mem.wBeats + mem.qBeats,
  };
}
