// Cycle count of the generated accelerator for one layer, from its sequencer's schedule:
// load (DRAM beats at the declared bandwidth), one array step per temporal iteration, stalls
// when the drain engine (overlapped with compute on the other register-file half) is slower
// than the steps between two drains, the last drain, and the drain pipeline's flush.
// This is the formula the RTL implements, stated once.
import type { AcceleratorHardware } from './hardware.ts';
import type { LayerMapping, LayerMemoryMap } from './mapping.ts';
import { DIMS } from './problem.ts';
import { DRAIN_PIPELINE } from './top.ts';

/** Outputs the drain engine writes per cycle: one requantiser on the output path. */
export const DRAIN_WORDS_PER_CYCLE = 1;
/** Cycles of each drain beyond its outputs: one wait cycle, and the engine is free the cycle after. */
export const DRAIN_HANDSHAKE = 2;

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
}

/** Cycles the bench's DRAM model needs to deliver `beats` read beats (credit model of the bench). */
export function loadCycles(hw: AcceleratorHardware, beats: number): number {
  const step = Math.round(hw.dramBandwidth * 256);
  const cap = creditCap(hw);
  const cost = 256 * hw.dramBeatBytes;
  let credit = 0;
  let granted = 0;
  let cycle = 0;
  // Cycle 0 is the first LOAD cycle; a grant in cycle t returns data in t + 1.
  let lastGrant = 0;
  while (granted < beats) {
    if (credit >= cost) {
      granted++;
      lastGrant = cycle;
      credit = Math.min(credit + step, cap) - cost;
    } else credit = Math.min(credit + step, cap);
    cycle++;
  }
  return lastGrant + 2;
}

export function creditCap(hw: AcceleratorHardware): number {
  return Math.max(Math.round(hw.dramBandwidth * 256), 256 * hw.dramBeatBytes) * 2;
}

export function predictCycles(hw: AcceleratorHardware, m: LayerMapping, mem: LayerMemoryMap, macs: number): ScheduleBreakdown {
  const steps = DIMS.reduce((p, d) => p * m.trips[d], 1);
  const drains = m.order.slice(0, m.drainLevel).reduce((p, d) => p * m.trips[d], 1);
  const load = loadCycles(hw, mem.inBeats + mem.wBeats + mem.qBeats);
  // The drain engine is busy for one wait cycle plus one cycle per live psum and output lane,
  // and is free again the cycle after; a step that completes the next set of partial sums
  // waits for it. Steps between two such steps: steps / drains.
  const busy = DRAIN_HANDSHAKE - 1 + (m.footprint * hw.outputLanes.count) / DRAIN_WORDS_PER_CYCLE;
  const stall = Math.max(0, busy + 1 - steps / drains);
  // The last drain is not overlapped; below 1 B/cycle the DRAM also throttles output writes.
  const writeBound = hw.dramBandwidth < 1 ? Math.ceil(mem.outBytes / hw.dramBandwidth) : 0;
  const drain = Math.max((drains - 1) * stall + busy, writeBound);
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
  };
}
