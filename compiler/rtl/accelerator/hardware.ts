// The accelerator's microarchitecture, fixed once per (accelerator, network): PE-array axes and
// the parallel loop dimension on each, the operand lanes that follow from them (multicast
// where a dimension does not index an operand, reduction where an axis maps C, R or S),
// global-buffer bank sizes, register-file depth and DRAM beat width. Layers are then run on
// it by per-layer configurations (mapping.ts); nothing here depends on a single layer.
import { fail } from '../../diagnostics/index.ts';
import { verilogIdentifier } from '../../util/names.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { DIMS, INPUT_DIMS, OUTPUT_DIMS, REDUCTION_DIMS, WEIGHT_DIMS, type ConvProblem, type Dim } from './problem.ts';
import { DEFAULT_ORDER } from './mapping.ts';
import { MAX_RF_DEPTH, QPARAM_BYTES, RTL_DATAFLOW_PARALLEL, dramBeatBytes as beatBytes, registerFileDepth } from '../../naas/rtl-architecture.ts';
import { planTiles, type ForcedTile, type TileShape } from './tiling.ts';

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
}

export { QPARAM_BYTES };
export { MAX_RF_DEPTH };

/** Parallel dimensions implied by a dataflow when the accelerator does not list them. */
export function dataflowParallel(spec: AcceleratorSpec): string[] {
  const dims = spec.dataflow ? RTL_DATAFLOW_PARALLEL[spec.dataflow] : undefined;
  if (!dims) fail('R0201', `accelerator '${spec.name}' needs 'parallel: [...]' or a dataflow to wire its PE array`, spec.location);
  return dims.slice(0, spec.peArray.length);
}

function laneSet(axes: Axis[], dims: readonly Dim[]): LaneSet {
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

const pow2Floor = (x: number) => 2 ** Math.floor(Math.log2(Math.max(1, x)));

export function buildHardware(spec: AcceleratorSpec, problems: ConvProblem[], order: Dim[] = DEFAULT_ORDER): AcceleratorHardware {
  return planHardware(spec, problems, order).hardware;
}

/**
 * The hardware and, when some layer does not fit the buffer whole, one tile shape per layer
 * (tiling.ts); `shapes` is null when every layer runs whole, as one program.
 */
export function planHardware(
  spec: AcceleratorSpec,
  problems: ConvProblem[],
  order: Dim[] = DEFAULT_ORDER,
  /** One tile for every layer (`--tile`), or one per layer (replayed searched mappings). */
  forced?: ForcedTile | (ForcedTile | undefined)[],
): { hardware: AcceleratorHardware; shapes: TileShape[] | null } {
  const parallel = spec.parallel ?? dataflowParallel(spec);
  if (parallel.length !== spec.peArray.length) {
    fail('R0202', `accelerator '${spec.name}': pe_array has ${spec.peArray.length} axes but parallel lists ${parallel.length} dimensions`, spec.location);
  }
  const axes: Axis[] = parallel.map((d, i) => {
    if (!(DIMS as readonly string[]).includes(d)) fail('R0203', `accelerator '${spec.name}': dimension '${d}' cannot be parallel on this accelerator (batch is 1); use K, C, P, Q, R or S`, spec.location);
    return { dim: d as Dim, size: spec.peArray[i] };
  });
  if (new Set(parallel).size !== parallel.length) fail('R0204', `accelerator '${spec.name}': a dimension is parallel on two axes`, spec.location);
  if (spec.wordBits < 8) fail('R0205', `accelerator '${spec.name}': ${spec.wordBits}-bit words cannot hold int8 operands`, spec.location);
  const depthwise = problems.some((p) => p.depthwise) && axes.some((a) => a.dim === 'K');
  const inputDims: Dim[] = depthwise ? [...INPUT_DIMS, 'K'] : [...INPUT_DIMS];
  const weightLanes = laneSet(axes, WEIGHT_DIMS);
  const inputLanes = laneSet(axes, inputDims);
  const dramBeatBytes = beatBytes(spec.dramBandwidthBytesPerCycle);
  const maxBound = Math.max(...problems.flatMap((p) => [...Object.values(p.bounds), p.inH, p.inW, p.inC]));
  const hw: AcceleratorHardware = {
    name: spec.name,
    prefix: verilogIdentifier(`nacc_${spec.name}`),
    axes,
    peCount: axes.reduce((p, a) => p * a.size, 1),
    depthwiseLayers: problems.some((p) => p.depthwise),
    depthwise,
    weightLanes,
    inputLanes,
    outputLanes: laneSet(axes, OUTPUT_DIMS),
    reductionLanes: laneSet(axes, REDUCTION_DIMS),
    rfDepth: registerFileDepth(spec.registerFileBytesPerPe),
    dramBeatBytes,
    dramBandwidth: spec.dramBandwidthBytesPerCycle,
    // Whole layers first: every bank holds the largest layer's tensor.
    inputBankBytes: Math.max(1, ...problems.map((p) => p.inH * p.inW * p.inC)),
    weightBankBytes: Math.max(1, ...problems.map((p) => p.bounds.K * p.bounds.C * p.bounds.R * p.bounds.S)),
    maxChannels: Math.max(1, ...problems.map((p) => p.bounds.K)),
    psumWords: 0,
    globalBufferBytes: spec.globalBufferBytes,
    globalBufferUsed: 0,
    maxBound,
    tiled: false,
  };
  hw.globalBufferUsed = hw.inputBankBytes * inputLanes.count + hw.weightBankBytes * weightLanes.count + hw.maxChannels * QPARAM_BYTES;
  if (!forced && hw.globalBufferUsed <= spec.globalBufferBytes) return { hardware: hw, shapes: null };
  // Some layer does not fit whole (or tiles were asked for): run every layer as buffer-sized
  // tiles, banks sized by the largest tile.
  const plan = planTiles(hw, problems, order, spec.location, forced);
  hw.tiled = true;
  hw.inputBankBytes = plan.inputBankBytes;
  hw.weightBankBytes = plan.weightBankBytes;
  hw.maxChannels = plan.maxChannels;
  hw.psumWords = plan.psumWords;
  hw.globalBufferUsed = plan.used;
  return { hardware: hw, shapes: plan.shapes };
}

/** Size of the array along the axis mapping `d` (1 when d is temporal only). */
export function parallelSize(hw: AcceleratorHardware, d: Dim): number {
  return hw.axes.find((a) => a.dim === d)?.size ?? 1;
}
