// The generated accelerator's fixed structure, shared by the planner (hardware.ts, tiling.ts),
// the loop nest (mapping.ts), the schedule formula (schedule.ts) and the emitter (top.ts): the
// PE-array axes and their operand lanes, the hardware summary, and the default loop order.
// It imports no other module of the generator, so those modules import it, not each other.
import { D, fail } from '../../diagnostics/index.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { RTL_DATAFLOW_PARALLEL } from '../../naas/rtl-architecture.ts';
import type { Dim } from './problem.ts';

// Byte layouts both the planner and the emitter size banks with (stated with the cost model's description of the RTL).
export { MAX_RF_DEPTH, PSUM_BYTES, QPARAM_BYTES } from '../../naas/rtl-architecture.ts';

/** The planner's loop order, outermost first (`--order`'s default). */
export const DEFAULT_ORDER: Dim[] = ['K', 'P', 'Q', 'C', 'R', 'S'];

export interface Axis {
  dim: Dim;
  size: number;
}

/** A set of lanes over some axes: lane id = mixed-radix index of the offsets on those axes (first axis most significant). */
export interface LaneSet {
  axes: number[];
  count: number;
}

export interface AcceleratorHardware {
  name: string;
  /** Verilog module prefix: a legal identifier whatever the accelerator is called (hyphens included). */
  prefix: string;
  axes: Axis[];
  peCount: number;
  /** The layers include depthwise convolutions (the input channel then follows K). */
  depthwiseLayers: boolean;
  /**
   * Some depthwise layer's input channels are not whole DRAM beats: its channel chunks start at
   * different offsets within their beats per pixel, so the input banks take byte enables and the
   * load engine writes only a chunk's bytes (load-engine.ts). Absent: false.
   */
  maskedInputWrites?: boolean;
  /** Whether input lanes also follow K (depthwise layers and K is parallel). */
  depthwise: boolean;
  weightLanes: LaneSet;
  inputLanes: LaneSet;
  outputLanes: LaneSet;
  reductionLanes: LaneSet;
  /** int32 partial sums per PE register file (a power of two). */
  rfDepth: number;
  /** Bytes per DRAM beat (power of two <= declared bandwidth, at least 1, at most 16). */
  dramBeatBytes: number;
  dramBandwidth: number;
  /** Bytes per input bank (one bank per input lane, each holding the whole input of the largest layer, or of the largest tile when tiled). */
  inputBankBytes: number;
  weightBankBytes: number;
  /** Per-output-channel requantisation records (16 bytes: bias, multiplier, shift). */
  maxChannels: number;
  /** Words (int32) of the partial-sum bank that carries sums across input-channel chunks; 0 when no layer is split across C. */
  psumWords: number;
  globalBufferBytes: number;
  /** Bytes the banks actually use (all lanes). */
  globalBufferUsed: number;
  /** Largest loop bound any layer uses; sizes counters. */
  maxBound: number;
  /** Whether layers run as tiles (some layer does not fit the buffer whole); banks are then sized by the largest tile. */
  tiled: boolean;
  /**
   * Whether the input, weight and record banks are double-buffered: each has two halves of the
   * bank sizes above, the next program's loads fill one while the current program computes on the
   * other (the partial-sum bank is single). On when the layers run as tiles and their tiles fit
   * the buffer with every such bank doubled (bankBytes in tiling.ts), unless turned off.
   */
  doubleBuffer: boolean;
}

/** A bank's half rounded up to whole rows of its byte lanes (the second half starts there). */
export function bankHalfBytes(halfBytes: number, writeBytes: number, readBytes: number): number {
  const lanes = Math.max(writeBytes, readBytes);
  return lanes * Math.max(1, Math.ceil(halfBytes / lanes));
}

/** Bytes of a bank that holds `halfBytes` per program: two rounded halves when double-buffered. */
export function bankSramBytes(hw: AcceleratorHardware, halfBytes: number, writeBytes: number, readBytes: number): number {
  return hw.doubleBuffer ? 2 * bankHalfBytes(halfBytes, writeBytes, readBytes) : halfBytes;
}

/** Parallel dimensions implied by a dataflow when the accelerator does not list them. */
export function dataflowParallel(spec: AcceleratorSpec): string[] {
  const dims = spec.dataflow ? RTL_DATAFLOW_PARALLEL[spec.dataflow] : undefined;
  if (!dims) fail(D.rtlParallel, `accelerator '${spec.name}' needs 'parallel: [...]' or a dataflow to wire its PE array`, spec.location);
  return dims.slice(0, spec.peArray.length);
}

export function laneSet(axes: Axis[], dims: readonly Dim[]): LaneSet {
  const idx = axes.map((a, i) => (dims.includes(a.dim) ? i : -1)).filter((i) => i >= 0);
  return { axes: idx, count: idx.reduce((p, i) => p * axes[i].size, 1) };
}

/** Offsets of one lane's axes, from its lane id. */
export function laneOffsets(axes: Axis[], set: LaneSet, lane: number): Map<number, number> {
  const out = new Map<number, number>();
  let rest = lane;
  for (let j = set.axes.length - 1; j >= 0; j--) {
    const a = set.axes[j];
    out.set(a, rest % axes[a].size);
    rest = Math.floor(rest / axes[a].size);
  }
  return out;
}

/** Lane id of a PE (given its offset on every axis) within a lane set. */
export function laneOf(axes: Axis[], set: LaneSet, peOffsets: number[]): number {
  let id = 0;
  for (const a of set.axes) id = id * axes[a].size + peOffsets[a];
  return id;
}

/** Every PE's offsets, in row-major order of the axes. */
export function peCoordinates(axes: Axis[]): number[][] {
  let coords: number[][] = [[]];
  for (const a of axes) coords = coords.flatMap((c) => Array.from({ length: a.size }, (_, i) => [...c, i]));
  return coords;
}

/** Size of the array along the axis mapping `d` (1 when d is temporal only). */
export function parallelSize(hw: AcceleratorHardware, d: Dim): number {
  return hw.axes.find((a) => a.dim === d)?.size ?? 1;
}
