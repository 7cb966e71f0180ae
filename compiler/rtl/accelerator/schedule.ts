// Cycle count of the generated accelerator for one layer, from its sequencer's schedule:
// load (DRAM beats at the declared bandwidth), one array step per temporal iteration,
// and per drain a one-cycle pipeline wait plus one cycle per live partial sum and output lane,
// then the drain pipeline's flush. This is the formula the RTL implements, stated once.
import type { AcceleratorHardware } from './hardware.ts';
import type { LayerMapping, LayerMemoryMap } from './mapping.ts';
import { DIMS } from './problem.ts';
import { DRAIN_PIPELINE } from './top.ts';

export interface ScheduleBreakdown {
  load: number;
  compute: number;
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
  // Output writes: one byte per drained lane at most; below 1 B/cycle the DRAM throttles them.
  const drainPerEvent = 1 + m.footprint * hw.outputLanes.count;
  const writeBound = hw.dramBandwidth < 1 ? Math.ceil(mem.outBytes / hw.dramBandwidth) : 0;
  const drain = Math.max(drains * drainPerEvent, writeBound);
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
