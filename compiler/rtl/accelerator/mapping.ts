// The program the accelerator runs for one layer: a loop order over the temporal trip counts
// (each dimension's bound divided by its parallel size), where partial sums are drained, and
// the register-file addressing — encoded as the configuration words the sequencer reads.
// CONFIG_FIELDS is the one place that defines the configuration register map.
import { D, fail } from '../../diagnostics/index.ts';
import { DIMS, REDUCTION_DIMS, OUTPUT_DIMS, type ConvProblem, type Dim } from './problem.ts';
import { DEFAULT_ORDER, QPARAM_BYTES, parallelSize, type AcceleratorHardware } from './array.ts';
import { rtlSpatialFactor } from '../../naas/rtl-executable.ts';
import type { LayerTile } from './tiling.ts';

export interface LayerMapping {
  /** Loop order, outermost first; every one of the six dimensions appears once. */
  order: Dim[];
  /** Temporal trip count of each dimension. */
  trips: Record<Dim, number>;
  /** Level (index into order) of the outermost reduction loop: partial sums drain after it completes. */
  drainLevel: number;
  /** Partial sums each PE keeps live: product of the trips of output loops inside drainLevel. */
  footprint: number;
  /** Register-file address stride of each level (0 outside the drained output loops). */
  rfStride: number[];
  /** The loop bounds the program runs (the layer's, or its tile's). */
  bounds: Record<Dim, number>;
  /**
   * PEs each dimension runs on (its array axis's spatial factor, at most the axis size; 1 off the
   * array). A dimension's index is trip x par + lane; lanes at or beyond par stay idle.
   */
  par: Record<Dim, number>;
}

// The planner's default order lives with the array's structure (array.ts); re-exported for existing importers.
export { DEFAULT_ORDER } from './array.ts';

export function parseOrder(text: string): Dim[] {
  const dims = text
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .split('');
  if (dims.length !== 6 || new Set(dims).size !== 6 || dims.some((d) => !(DIMS as readonly string[]).includes(d))) {
    fail(D.rtlLoopOrder, `loop order '${text}' must list each of K, C, P, Q, R, S once (outermost first), e.g. KPQCRS`);
  }
  return dims as Dim[];
}

/**
 * The spatial factor the planner runs each dimension of a program with these bounds on: the
 * largest divisor of the bound within its axis, so that every step uses the same lanes and the
 * cost model's exact factors describe the program (28 rows on 8 PEs: 7 PEs x 4 trips, as many
 * trips as a ceil split; 25 rows: 5 PEs x 5 trips). The one rule; rtl-executable.ts projects
 * searched mappings with it (rtlSpatialFactor).
 */
export function spatialFactors(hw: AcceleratorHardware, bounds: Record<Dim, number>): Record<Dim, number> {
  return Object.fromEntries(DIMS.map((d) => [d, rtlSpatialFactor(bounds[d], parallelSize(hw, d))])) as Record<Dim, number>;
}

export function mapLayer(
  hw: AcceleratorHardware,
  p: ConvProblem,
  order: Dim[] = DEFAULT_ORDER,
  par: Record<Dim, number> = spatialFactors(hw, p.bounds),
): LayerMapping {
  for (const d of DIMS) {
    if (!(par[d] >= 1 && par[d] <= parallelSize(hw, d)))
      throw new Error(`spatial factor of ${d} is ${par[d]}; its axis has ${parallelSize(hw, d)} PEs`);
  }
  const trips = Object.fromEntries(DIMS.map((d) => [d, Math.ceil(p.bounds[d] / par[d])])) as Record<Dim, number>;
  const drainLevel = order.findIndex((d) => REDUCTION_DIMS.includes(d));
  const rfStride = order.map(() => 0);
  let footprint = 1;
  for (let l = order.length - 1; l > drainLevel; l--) {
    if (OUTPUT_DIMS.includes(order[l])) {
      rfStride[l] = footprint;
      footprint *= trips[order[l]];
    }
  }
  // The register file is double-buffered: one half fills while the drain engine empties the other.
  if (footprint > hw.rfDepth / 2) {
    fail(
      D.rtlPartialSums,
      `layer '${p.layer}': loop order ${order.join('')} keeps ${footprint} partial sums per PE live, but each half of the double-buffered register file holds ${hw.rfDepth / 2}; move output loops (${order
        .slice(drainLevel + 1)
        .filter((d) => OUTPUT_DIMS.includes(d))
        .join(', ')}) outside the reduction loops`,
      p.location,
    );
  }
  return { order, trips, drainLevel, footprint, rfStride, bounds: { ...p.bounds }, par: { ...par } };
}

export interface ConfigField {
  name: string;
  bits: number;
  signed?: boolean;
}

const perLevel = (base: string, bits: number): ConfigField[] => DIMS.map((_, l) => ({ name: `${base}${l}`, bits }));
const perDim = (base: string, bits: number, dims: readonly Dim[] = DIMS): ConfigField[] =>
  dims.map((d) => ({ name: `${base}_${d}`, bits }));

/** The sequencer's configuration registers, in address order (16-bit writes). */
export const CONFIG_FIELDS: ConfigField[] = [
  ...DIMS.map((d) => ({ name: `bound_${d}`, bits: 16 })),
  { name: 'in_h', bits: 16 },
  { name: 'in_w', bits: 16 },
  { name: 'in_c', bits: 16 },
  /** Address strides, so that lanes add constant multiples of them: W*Cin, stride_h*W*Cin, stride_w*Cin, S*R*C, R*C. */
  { name: 'in_row', bits: 16 },
  { name: 'in_row_step', bits: 16 },
  { name: 'in_col_step', bits: 16 },
  { name: 'w_stride_k', bits: 16 },
  { name: 'w_stride_s', bits: 16 },
  { name: 'stride_h', bits: 16 },
  { name: 'stride_w', bits: 16 },
  { name: 'pad_t', bits: 16 },
  { name: 'pad_l', bits: 16 },
  { name: 'depthwise', bits: 1 },
  { name: 'in_offset', bits: 9, signed: true },
  { name: 'out_zp', bits: 8, signed: true },
  { name: 'act_min', bits: 8, signed: true },
  { name: 'act_max', bits: 8, signed: true },
  { name: 'in_beats', bits: 16 },
  { name: 'w_beats', bits: 16 },
  { name: 'q_beats', bits: 16 },
  { name: 'drain_level', bits: 3 },
  { name: 'out_base_lo', bits: 16 },
  { name: 'out_base_hi', bits: 16 },
  /** Tiles: DRAM addresses of the loads (inputs: byte address and byte strides of their segments; weights and records: beats), bank offsets, output strides. */
  { name: 'in_dram_lo', bits: 16 },
  { name: 'in_dram_hi', bits: 16 },
  { name: 'in_seg_beats', bits: 16 },
  { name: 'in_seg_stride', bits: 16 },
  { name: 'in_row_segs', bits: 16 },
  { name: 'in_row_stride', bits: 16 },
  { name: 'w_dram_lo', bits: 16 },
  { name: 'w_dram_hi', bits: 16 },
  { name: 'q_dram_lo', bits: 16 },
  { name: 'q_dram_hi', bits: 16 },
  { name: 'in_off', bits: 16 },
  { name: 'w_off', bits: 16 },
  { name: 'out_row', bits: 16 },
  { name: 'out_pix', bits: 16 },
  /** Input-channel chunks: start from zero (else add the carried partial sums), requantise and write (else carry); partial-sum bank strides of an output row and column. */
  { name: 'c_first', bits: 1 },
  { name: 'c_last', bits: 1 },
  { name: 'ps_row', bits: 16 },
  { name: 'ps_pix', bits: 16 },
  ...perLevel('order_dim', 3),
  ...perLevel('trip', 16),
  ...perLevel('rf_stride', 16),
  ...perDim('level', 3),
  ...perDim('trip', 16, OUTPUT_DIMS),
  ...perDim('rf_stride', 16, OUTPUT_DIMS),
  /** Spatial factor of each dimension (LayerMapping.par): index = trip x par + lane, lanes >= par idle. */
  ...perDim('par', 16),
];

export interface LayerMemoryMap {
  inBeats: number;
  wBeats: number;
  qBeats: number;
  /** Byte address of the output region in DRAM. */
  outBase: number;
  outBytes: number;
  /** Bytes of the DRAM image (inputs, weights, qparams, then the output region). */
  dramBytes: number;
}

export function memoryMap(hw: AcceleratorHardware, p: ConvProblem): LayerMemoryMap {
  const beats = (n: number) => Math.ceil(n / hw.dramBeatBytes);
  const inBeats = beats(p.inH * p.inW * p.inC);
  const wBeats = beats(p.bounds.K * p.bounds.C * p.bounds.R * p.bounds.S);
  const qBeats = beats(p.bounds.K * QPARAM_BYTES);
  const outBase = (inBeats + wBeats + qBeats) * hw.dramBeatBytes;
  const outBytes = p.bounds.K * p.bounds.P * p.bounds.Q;
  return { inBeats, wBeats, qBeats, outBase, outBytes, dramBytes: outBase + outBytes };
}

/** Configuration words (field order of CONFIG_FIELDS) for one tile (a whole layer is its one tile). */
export function configWords(
  t: LayerTile,
  m: LayerMapping,
  q: { inputOffset: number; outputZeroPoint: number; actMin: number; actMax: number },
): number[] {
  const p = t.problem;
  const ld = t.load;
  const level = (d: Dim) => m.order.indexOf(d);
  const lo = (v: number) => v % 65536;
  const hi = (v: number) => Math.floor(v / 65536);
  const values: Record<string, number> = {
    in_h: p.inH,
    in_w: p.inW,
    in_c: ld.pixPitch,
    stride_h: p.strideH,
    stride_w: p.strideW,
    pad_t: p.padTop,
    pad_l: p.padLeft,
    in_row: ld.rowPitch,
    in_row_step: p.strideH * ld.rowPitch,
    in_col_step: p.strideW * ld.pixPitch,
    w_stride_k: p.bounds.S * p.bounds.R * p.bounds.C,
    w_stride_s: p.bounds.R * p.bounds.C,
    depthwise: p.depthwise ? 1 : 0,
    in_offset: q.inputOffset,
    out_zp: q.outputZeroPoint,
    act_min: q.actMin,
    act_max: q.actMax,
    in_beats: ld.inBeats,
    w_beats: ld.wBeats,
    q_beats: ld.qBeats,
    drain_level: m.drainLevel,
    out_base_lo: lo(ld.outBase),
    out_base_hi: hi(ld.outBase),
    in_dram_lo: lo(ld.inDramByte),
    in_dram_hi: hi(ld.inDramByte),
    in_seg_beats: ld.inSegBeats,
    in_seg_stride: ld.inSegStride,
    in_row_segs: ld.inRowSegs,
    in_row_stride: ld.inRowStride,
    w_dram_lo: lo(ld.wDramBeat),
    w_dram_hi: hi(ld.wDramBeat),
    q_dram_lo: lo(ld.qDramBeat),
    q_dram_hi: hi(ld.qDramBeat),
    in_off: ld.inOff,
    w_off: ld.wOff,
    out_row: ld.outRow,
    out_pix: ld.outPix,
    c_first: t.firstChunk ? 1 : 0,
    c_last: t.lastChunk ? 1 : 0,
    ps_row: t.pc * t.kc,
    ps_pix: t.kc,
  };
  for (const d of DIMS) {
    values[`bound_${d}`] = p.bounds[d];
    values[`level_${d}`] = level(d);
    values[`trip_${d}`] = m.trips[d];
    values[`rf_stride_${d}`] = m.rfStride[level(d)];
    values[`par_${d}`] = m.par[d];
  }
  m.order.forEach((d, l) => {
    values[`order_dim${l}`] = DIMS.indexOf(d);
    values[`trip${l}`] = m.trips[d];
    values[`rf_stride${l}`] = m.rfStride[l];
  });
  return CONFIG_FIELDS.map((f) => {
    const v = values[f.name];
    if (v === undefined) throw new Error(`config field ${f.name} has no value`);
    const lim = f.signed ? 2 ** (f.bits - 1) : 2 ** f.bits;
    if (f.signed ? v < -lim || v >= lim : v < 0 || v >= lim)
      fail(D.rtlConfigRegister, `layer '${p.layer}': ${f.name} = ${v} does not fit the ${f.bits}-bit configuration register`, p.location);
    return v & 0xffff;
  });
}
