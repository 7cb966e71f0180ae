// Cycles of a whole point-cloud layer on the PointAcc top (compiler/rtl/pointacc/layer-top.ts):
// the sequencer runs its phases back to back, so the layer is the sum of the units' own cycle
// formulas plus the sequencer's hand-over cycles between phases.
import { fpsCycles, kernelMapCycles, matrixCycles, neighbourSearchCycles } from './mapping-cycles.ts';

/** DRAM latency of a gather miss: a fixed access latency plus the row's transfer at the configured bandwidth. */
export const DRAM_ACCESS_CYCLES = 8;
export function missLatency(rowBytes: number, bandwidthBytesPerCycle: number): number {
  return DRAM_ACCESS_CYCLES + Math.ceil(rowBytes / Math.max(1, bandwidthBytesPerCycle));
}

/** Sequencer cycles around each unit phase: the registered start pulse and the done it waits for. */
export const HANDOVER_CYCLES = 2;

export interface SaLayerShape {
  points: number;
  centers: number;
  k: number;
  /** Input channels, then the output channels of each shared-MLP layer. */
  channels: number[];
  sorterWidth: number;
  arrayRows: number;
  arrayCols: number;
  /** Gather requests that miss the cache (the cache model on the layer's neighbour stream). */
  misses: number;
  latency: number;
  /** Intermediates stay on chip (true) or go through DRAM (false). */
  fusion: boolean;
  /** Cycles per activation line on the DRAM port. */
  lineCycles: number;
}

export interface LayerCycles {
  fps: number;
  ballQuery: number;
  /** Per MLP layer: filling the array's activation memory (gather, on-chip move, or DRAM spill + fill) with the weight copy alongside. */
  input: number[];
  matrix: number[];
  drain: number;
  total: number;
}

/**
 * Set-abstraction layer: FPS, ball query, then per shared-MLP layer its input phase and the
 * GEMM over the M*K rows, then one pooled center x output tile per cycle. The input phase of
 * layer 0 is the gather (one row per cycle plus the DRAM latency of every miss); of a later
 * layer the move of its input lines (rows x input tiles) from the activation buffer, one per
 * cycle (fused), or their spill to DRAM and fill back at the port's pace plus one DRAM latency
 * (unfused). The layer's weights (output tiles x input tiles x array rows lines) are copied into
 * the array alongside; the phase lasts as long as the longer of the two.
 */
export function saLayerCycles(s: SaLayerShape): LayerCycles {
  const rows = s.centers * s.k;
  const fps = fpsCycles(s.points, s.centers, s.sorterWidth) + HANDOVER_CYCLES;
  const ballQuery = neighbourSearchCycles(s.points, s.centers, s.sorterWidth) + HANDOVER_CYCLES;
  const input: number[] = [];
  const matrix: number[] = [];
  for (let l = 0; l + 1 < s.channels.length; l++) {
    const [cin, cout] = [s.channels[l], s.channels[l + 1]];
    const inTiles = Math.ceil(cin / s.arrayRows);
    const weightLines = Math.ceil(cout / s.arrayCols) * inTiles * s.arrayRows;
    const lines = rows * inTiles;
    let fill: number;
    if (l === 0) fill = rows + s.misses * s.latency + 1;
    else if (s.fusion) fill = lines;
    else fill = lines * s.lineCycles + 1 + lines * s.lineCycles + DRAM_ACCESS_CYCLES;
    input.push(Math.max(fill, weightLines) + 1);
    matrix.push(matrixCycles(rows, cin, cout, s.arrayRows, s.arrayCols) + HANDOVER_CYCLES);
  }
  const drain = s.centers * Math.ceil(s.channels[s.channels.length - 1] / s.arrayCols) + 1;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { fps, ballQuery, input, matrix, drain, total: fps + ballQuery + sum(input) + sum(matrix) + drain };
}

export interface SparseConvShape {
  inputs: number;
  outputs: number;
  kernel: number;
  cin: number;
  cout: number;
  sorterWidth: number;
  arrayRows: number;
  arrayCols: number;
  /** Accumulator entries the sequencer clears while the kernel map runs ({voxel, output tile} address space). */
  accumulatorEntries: number;
  /** Per non-empty kernel offset, in order: its pairs and how many of their gathers miss the cache. */
  groups: { rows: number; misses: number }[];
  latency: number;
}

export interface SparseConvCycles {
  kernelMap: number;
  gather: number;
  matrix: number;
  drain: number;
  total: number;
}

/**
 * Sparse conv: the kernel map (in parallel with clearing the accumulators); per non-empty
 * offset the gather of its rows in parallel with copying W_d into the array (one line per
 * array row and output tile), then the GEMM over those rows, whose raw sums are added into the
 * accumulators as they leave the array; last, one requantised voxel x output tile per cycle.
 */
export function sparseConvCycles(s: SparseConvShape): SparseConvCycles {
  const kernelMap = Math.max(kernelMapCycles(s.inputs, s.outputs, s.kernel ** 3, s.sorterWidth), s.accumulatorEntries) + HANDOVER_CYCLES;
  const weightLines = Math.ceil(s.cout / s.arrayCols) * s.arrayRows;
  let gather = 0;
  let matrix = 0;
  for (const g of s.groups) {
    gather += Math.max(g.rows + g.misses * s.latency + 1, weightLines) + 1;
    matrix += matrixCycles(g.rows, s.cin, s.cout, s.arrayRows, s.arrayCols) + HANDOVER_CYCLES;
  }
  const drain = s.outputs * Math.ceil(s.cout / s.arrayCols) + 1;
  return { kernelMap, gather, matrix, drain, total: kernelMap + gather + matrix + drain };
}
