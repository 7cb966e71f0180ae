// The accelerator's microarchitecture, fixed once per (accelerator, network): PE-array axes and
// the parallel loop dimension on each, the operand lanes that follow from them (multicast
// where a dimension does not index an operand, reduction where an axis maps C, R or S; the
// lane arithmetic is array.ts), global-buffer bank sizes (tiling.ts plans them when layers do
// not fit whole), register-file depth and DRAM beat width. Layers are then run on it by
// per-layer configurations (mapping.ts); nothing here depends on a single layer.
import { D, UserError, fail } from '../../diagnostics/index.ts';
import { verilogIdentifier } from '../../util/names.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { DIMS, INPUT_DIMS, OUTPUT_DIMS, REDUCTION_DIMS, WEIGHT_DIMS, type ConvProblem, type Dim } from './problem.ts';
import { DEFAULT_ORDER, QPARAM_BYTES, dataflowParallel, laneSet, type AcceleratorHardware, type Axis } from './array.ts';
import { dramBeatBytes as beatBytes, registerFileDepth } from '../../naas/rtl-architecture.ts';
import { planTiles, type ForcedTile, type TileShape } from './tiling.ts';

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
  /** false: single-buffered banks even when double-buffered ones would fit (`nacc rtl --single-buffer`). */
  doubleBuffer = true,
): { hardware: AcceleratorHardware; shapes: TileShape[] | null } {
  const parallel = spec.parallel ?? dataflowParallel(spec);
  if (parallel.length !== spec.peArray.length) {
    fail(
      D.rtlParallelAxes,
      `accelerator '${spec.name}': pe_array has ${spec.peArray.length} axes but parallel lists ${parallel.length} dimensions`,
      spec.location,
    );
  }
  const axes: Axis[] = parallel.map((d, i) => {
    if (!(DIMS as readonly string[]).includes(d))
      fail(
        D.rtlParallelBatch,
        `accelerator '${spec.name}': dimension '${d}' cannot be parallel on this accelerator (batch is 1); use K, C, P, Q, R or S`,
        spec.location,
      );
    return { dim: d as Dim, size: spec.peArray[i] };
  });
  if (new Set(parallel).size !== parallel.length)
    fail(D.rtlParallelTwice, `accelerator '${spec.name}': a dimension is parallel on two axes`, spec.location);
  if (spec.wordBits < 8)
    fail(D.rtlWordBits, `accelerator '${spec.name}': ${spec.wordBits}-bit words cannot hold int8 operands`, spec.location);
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
    maskedInputWrites: problems.some((p) => p.depthwise && p.inC % dramBeatBytes !== 0),
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
    doubleBuffer: false,
  };
  hw.globalBufferUsed = hw.inputBankBytes * inputLanes.count + hw.weightBankBytes * weightLanes.count + hw.maxChannels * QPARAM_BYTES;
  if (!forced && hw.globalBufferUsed <= spec.globalBufferBytes) return { hardware: hw, shapes: null };
  // Some layer does not fit whole (or tiles were asked for): run every layer as buffer-sized
  // tiles, banks sized by the largest tile.
  // Double-buffered banks when the tiles fit the buffer with the input, weight and record banks
  // doubled (the planner then sizes each half): always for given tiles (--tile, replayed searched
  // mappings, which the search sized for halved banks), for the planner's own tiles when it
  // estimates fewer cycles than with single-buffered banks (whole banks, larger tiles); else single.
  let double: ReturnType<typeof planTiles> | undefined;
  if (doubleBuffer) {
    try {
      double = planTiles({ ...hw, doubleBuffer: true }, problems, order, spec.location, forced);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
  }
  let single: ReturnType<typeof planTiles> | undefined;
  try {
    single = planTiles(hw, problems, order, spec.location, forced);
  } catch (e) {
    if (!(e instanceof UserError) || !double) throw e;
  }
  hw.doubleBuffer = !!double && (!single || !!forced || double.cycles < single.cycles);
  const plan = hw.doubleBuffer ? double! : single!;
  hw.tiled = true;
  hw.inputBankBytes = plan.inputBankBytes;
  hw.weightBankBytes = plan.weightBankBytes;
  hw.maxChannels = plan.maxChannels;
  hw.psumWords = plan.psumWords;
  hw.globalBufferUsed = plan.used;
  return { hardware: hw, shapes: plan.shapes };
}

// Moved to array.ts (the structure every generator module shares); re-exported for existing importers.
export { MAX_RF_DEPTH, QPARAM_BYTES, dataflowParallel, laneOf, laneOffsets, parallelSize, peCoordinates } from './array.ts';
export type { AcceleratorHardware, Axis, LaneSet } from './array.ts';
