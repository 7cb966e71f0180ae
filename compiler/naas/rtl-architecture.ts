// The cost model's description of the accelerator `nacc rtl` generates (compiler/rtl/accelerator):
// the architecture both `nacc search --rtl` / `nacc cost --rtl` and `nacc verify` predict with.
//
// What the generated microarchitecture does, as properties of its global buffer (the model's
// terms, ir/architecture.ts; nothing fitted):
//   * operands are int8 whatever word size the spec declares (one word = one byte);
//   * one requantiser drains outputs, one per cycle, with a two-cycle hand-shake per drain;
//   * every DRAM-level iteration is a sequencer program: it loads its whole tile (inputs, weights
//     and, when it completes its outputs, a 16-byte requantisation record per output channel)
//     before it computes, then computes while the drain engine empties the other half of the
//     register files; partial sums carried between input-channel chunks stay in an on-chip bank;
//   * double-buffered (the default when a design runs tiles): the input, weight and record banks
//     have two halves, each a half of their share of the buffer (RTL_BANK_SPLIT), and the next
//     program's loads fill one while the current program computes on the other, so only the
//     first program's load adds in full: a program starts computing when its loads are done and
//     the one before has finished; its loads start one cycle after the one before starts
//     computing, at most one program per PROGRAM_ISSUE_CYCLES (the host writes a program's
//     configuration words one per cycle once the one before has started loading);
//   * per program: the DRAM read latency of its load (the last beat arrives two cycles after its
//     grant) and the drain pipeline's flush (DRAIN_PIPELINE registers), and the compute -> drain
//     pipeline's fill (the last drain after the last step, or the first drain's steps);
//   * a PE keeps int32 partial sums only, in one half of its double-buffered register file;
//   * every input lane and every weight lane keeps its own copy of the tile (one bank each), so
//     a tile needs lanes x its bytes of the buffer; a pixel's chunk of input channels is loaded
//     and stored in whole DRAM beats — when the tensor's channels are not whole beats, the beats
//     of the worst offset a pixel's chunk can start at (every pixel loads as many: blockExtent in
//     cost/tile-analysis.ts);
//   * a searched design's buffer is split into fixed bank groups (RTL_BANK_SPLIT), so that every
//     layer's tiles fit the banks together, whatever the other layers' tiles are.
// Not modelled (error left to measure): a chunk of a tensor whose channels are whole beats that
// straddles a beat boundary loads one beat more per pixel, and the zero padding the model counts
// in a tile's input is not loaded.
import type { Architecture } from '../ir/architecture.ts';
import type { Problem } from '../ir/problem.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { specToArchitecture } from './arch-from-spec.ts';
import type { RtlAxis } from './rtl-executable.ts';

/** Outputs the drain engine writes per cycle: one requantiser on the output path. */
export const DRAIN_WORDS_PER_CYCLE = 1;
/** Cycles of each drain beyond its outputs: one wait cycle, and the engine is free the cycle after. */
export const DRAIN_HANDSHAKE = 2;
/** Registers of the drain path (requantiser stages and the write port) flushed after the last output. */
export const DRAIN_PIPELINE = 4;
/** Cycles from a DRAM read grant to compute starting on the loaded beat (data one cycle later, then the state change). */
export const DRAM_READ_LATENCY = 2;
/** Bytes of one output channel's requantisation record (bias, multiplier, shift). */
export const QPARAM_BYTES = 16;
/** Bytes per partial sum carried between input-channel chunks (int32). */
export const PSUM_BYTES = 4;
/** Shares of the global buffer for input banks, weight banks, requantisation records and carried partial sums, when the search sizes tiles. */
export const RTL_BANK_SPLIT = { Inputs: 7 / 16, Weights: 7 / 16, records: 1 / 16, carried: 1 / 16 };

/** Configuration words of a sequencer program (compiler/rtl/accelerator/mapping.ts CONFIG_FIELDS; a test keeps the two equal). */
export const RTL_CONFIG_WORDS = 83;
/** Cycles between two programs' start pulses when the host writes their configurations back to back: one per word, then the start pulse. */
export const PROGRAM_ISSUE_CYCLES = RTL_CONFIG_WORDS + 2;

/** Most int32 partial sums a PE's register file holds (both halves). */
export const MAX_RF_DEPTH = 16;

/** Partial sums a PE's register file holds: a power of two of int32 words within the declared bytes, 2 to MAX_RF_DEPTH; half of them fill while the drain empties the other half. */
export function registerFileDepth(bytesPerPe: number): number {
  return Math.max(2, Math.min(MAX_RF_DEPTH, 2 ** Math.floor(Math.log2(Math.max(1, bytesPerPe / 4)))));
}

/** Bytes per DRAM beat: the largest power of two within the declared bandwidth, 1 to 16. */
export function dramBeatBytes(bandwidthBytesPerCycle: number): number {
  return Math.min(16, 2 ** Math.floor(Math.log2(Math.max(1, bandwidthBytesPerCycle))));
}

/** Parallel dimensions the generated array wires a dataflow to, per axis (when the spec does not list `parallel`). */
export const RTL_DATAFLOW_PARALLEL: Record<string, string[]> = {
  weight_stationary: ['K', 'C', 'R'],
  output_stationary: ['P', 'Q', 'K'],
  row_stationary: ['R', 'P', 'K'],
  input_stationary: ['C', 'P', 'Q'],
};

/** The dimension each array axis of the generated design runs, or undefined when the spec names neither `parallel` nor a known dataflow. */
export function rtlParallel(spec: AcceleratorSpec): string[] | undefined {
  return spec.parallel ?? RTL_DATAFLOW_PARALLEL[spec.dataflow ?? '']?.slice(0, spec.peArray.length);
}

/** Dimensions whose array axes need their own copy of each operand (the generated wiring: lanes). */
const WEIGHT_DIMS = ['K', 'C', 'R', 'S'];
const INPUT_DIMS = ['C', 'P', 'Q', 'R', 'S'];

/** Input and weight lanes of the generated array: an operand is multicast along axes whose dimension does not index it. */
export function rtlLanes(parallel: string[], peArray: number[], depthwiseLayers: boolean): { input: number; weight: number } {
  const inputDims = depthwiseLayers ? [...INPUT_DIMS, 'K'] : INPUT_DIMS;
  const lanes = (dims: string[]) => parallel.reduce((p, d, i) => (dims.includes(d) ? p * peArray[i] : p), 1);
  return { input: lanes(inputDims), weight: lanes(WEIGHT_DIMS) };
}

/**
 * The generated accelerator as the cost model's architecture. `depthwiseLayers`: the network
 * has depthwise layers (their input channel follows K, so a K axis also splits the inputs);
 * `doubleBuffered`: the global buffer's banks are double-buffered (halved shares, overlapped loads).
 */
export function rtlArchitecture(spec: AcceleratorSpec, parallel: string[], depthwiseLayers: boolean, doubleBuffered = true): Architecture {
  const arch = specToArchitecture(
    { ...spec, wordBits: 8 },
    { drainWordsPerCycle: DRAIN_WORDS_PER_CYCLE, drainOverheadCycles: DRAIN_HANDSHAKE, serialLoad: true },
  );
  const lanes = rtlLanes(parallel, spec.peArray, depthwiseLayers);
  const levels = arch.levels.map((lv) =>
    lv.name === 'RegisterFile'
      ? // One half of the double-buffered register file keeps the live partial sums.
        { ...lv, sizeWords: registerFileDepth(spec.registerFileBytesPerPe) / 2 }
      : lv.name !== 'GlobalBuffer'
        ? lv
        : {
            ...lv,
            programs: {
              ...(doubleBuffered
                ? {
                    overheadCycles: DRAIN_PIPELINE,
                    overlappedFill: { latencyCycles: DRAM_READ_LATENCY, gapCycles: 1, issueCycles: PROGRAM_ISSUE_CYCLES },
                  }
                : { overheadCycles: DRAM_READ_LATENCY + DRAIN_PIPELINE }),
              pipelineFill: true,
              // Depthwise layers are grouped convolutions in the model: their channels are G.
              records: { words: QPARAM_BYTES, dims: ['K', 'G'] },
              carriedWordsPerPartialSum: PSUM_BYTES,
              clipToImage: true,
            },
            // Outputs go from the drain straight to DRAM: the buffer holds none.
            copies: { Inputs: lanes.input, Weights: lanes.weight, Outputs: 0 },
            // Double-buffered: a program's tile has half of its bank's share (the partial-sum bank is single).
            partitions: Object.fromEntries(
              Object.entries(RTL_BANK_SPLIT).map(([k, share]) => [
                k,
                Math.floor((doubleBuffered && k !== 'carried' ? 0.5 : 1) * share * spec.globalBufferBytes),
              ]),
            ),
            // A pixel's channel chunk, or a column band's row, is loaded in whole DRAM beats (worst alignment for the banks;
            // a chunk of channels that are not whole beats: the worst offset's beats, as the load engine fetches them).
            blocks: { Inputs: { words: dramBeatBytes(spec.dramBandwidthBytesPerCycle), dims: ['C', 'G'], rowDims: ['P', 'R'] } },
          },
  );
  return { ...arch, levels };
}

/**
 * The architecture a search or a mapper costs a design on: the generated RTL's (above) when its
 * mappings are constrained to what the RTL executes (`rtlAxes`, nacc search --rtl, nacc cost
 * --rtl), else the spec's own. `problems`: the workload (depthwise layers widen the input lanes).
 */
export function costArchitecture(
  spec: AcceleratorSpec,
  rtlAxes: RtlAxis[] | undefined,
  problems: Problem[],
  doubleBuffered = true,
): Architecture {
  if (!rtlAxes) return specToArchitecture(spec);
  return rtlArchitecture(
    spec,
    rtlAxes.map((a) => a.dim),
    problems.some((p) => (p.bounds.G ?? 1) > 1),
    doubleBuffered,
  );
}
