// Area and power of an accelerator design (a .nacc accelerator or a point of a NAAS space):
// PE array, global buffer (SRAM macros), network and sequencer, in NAND2 gate equivalents and µm² at 45 nm.
import type { AcceleratorSpec } from '../ir/targets.ts';

/**
 * Technology: 45 nm. One gate equivalent (GE) is a NAND2_X1 of the NanGate FreePDK45 Open Cell
 * Library, 0.798 µm². The SRAM bit cell is Intel's 45 nm 6T cell, 0.346 µm² (Mistry et al.,
 * IEDM 2007). Everything else in this file is an estimate derived below (docs/naas.md, "Area and power").
 */
export const TECHNOLOGY_NM = 45;
export const UM2_PER_GE = 0.798;
export const SRAM_BITCELL_UM2 = 0.346;

/** Clock assumed for power when a design states none (the examples' 200 MHz). */
export const DEFAULT_CLOCK_MHZ = 200;

/**
 * Logic coefficients in GE, fitted by least squares (relative error) to yosys's logic gate
 * equivalents of the generated RTL (`nacc rtl --synth`) on the `fit` designs of
 * bench/area-designs.ts; tests/naas/area.test.ts re-fits them from the committed measurements
 * (tests/naas/fixtures/area-calibration.json) and checks the held-back designs.
 */
export const LOGIC_GE = {
  /** Sequencer and fixed logic: configuration registers, loop counters, address generation, requantiser. */
  fixed: 42101.725,
  /** Per PE, for an 8-bit datapath: multiplier, 32-bit accumulator, PE control (scaled by (word/8)² for the multiplier share). */
  perPe: 1665.2217,
  /** Per register-file bit (flip-flops with their write enables and read multiplexers). */
  perRfBit: 8.42148,
  /** Per network wire bit: operand lanes multicast to the array (word bits each) and reduction lanes (32-bit sums). */
  perNetworkBit: 20.41354,
};

/** Width of a partial sum in the datapath (int32 accumulation). */
export const PSUM_BITS = 32;

/** Loop dimensions that index each operand of a convolution (a lane per distinct index). */
const WEIGHT_DIMS = ['K', 'C', 'R', 'S', 'G'];
const INPUT_DIMS = ['N', 'C', 'P', 'Q', 'R', 'S', 'G'];
const REDUCTION_DIMS = ['C', 'R', 'S'];

/** The largest SRAM macro a buffer is built from; bigger buffers are banks of these. */
export const MAX_MACRO_BYTES = 32 * 1024;

/**
 * Area of one SRAM macro of `bytes` bytes and `widthBits`-bit words, in µm². An estimate: the
 * bit cells (SRAM_BITCELL_UM2 each) in a near-square array, plus periphery in GE: per row a
 * decoder and word-line driver (30 GE), per column precharge, column mux, bit-line
 * conditioning and write driver (40 GE), per output bit a sense amplifier and I/O latch
 * (24 GE), and 600 GE of control: array efficiency 28% at 1 KB, 75% at 32 KB.
 */
export function sramMacroUm2(bytes: number, widthBits: number): number {
  const bits = Math.max(bytes, 1) * 8;
  const cols = Math.max(widthBits, 2 ** Math.round(Math.log2(Math.sqrt(bits))));
  const rows = Math.ceil(bits / cols);
  const peripheryGe = 30 * rows + 40 * cols + 24 * widthBits + 600;
  return bits * SRAM_BITCELL_UM2 + peripheryGe * UM2_PER_GE;
}

/** Area of a global buffer: banks of at most MAX_MACRO_BYTES. */
export function sramBufferUm2(bytes: number, widthBits: number): number {
  if (bytes <= 0) return 0;
  const banks = Math.ceil(bytes / MAX_MACRO_BYTES);
  return banks * sramMacroUm2(bytes / banks, widthBits);
}

/** The structural counts the logic area is linear in (also the calibration's features). */
export interface AreaFeatures {
  pes: number;
  /** PE count weighted by the datapath's size relative to 8 bits. */
  peUnits: number;
  rfBits: number;
  networkBits: number;
}

/** Axes of the array with their parallel dimension (the spec's `parallel`, else its dataflow's). */
function axisDims(spec: AcceleratorSpec): string[] {
  if (spec.parallel && spec.parallel.length) return spec.parallel;
  const byFlow: Record<string, string[]> = {
    weight_stationary: ['C', 'K', 'R'],
    output_stationary: ['P', 'Q', 'K'],
    row_stationary: ['Q', 'S', 'K'],
    input_stationary: ['P', 'Q', 'C'],
  };
  return (byFlow[spec.dataflow ?? 'row_stationary'] ?? ['K', 'C', 'Q']).slice(0, spec.peArray.length);
}

export function areaFeatures(spec: AcceleratorSpec): AreaFeatures {
  const pes = spec.peArray.reduce((a, b) => a * b, 1);
  const dims = axisDims(spec);
  const lanes = (relevant: string[]): number => spec.peArray.reduce((p, size, i) => p * (relevant.includes(dims[i] ?? '') ? size : 1), 1);
  const w = spec.wordBits;
  // Multiplier share grows with the square of the word, the accumulator linearly: half and half at 8 bits.
  const peUnits = pes * (0.5 * (w / 8) ** 2 + 0.5);
  const reductionLanes = lanes(REDUCTION_DIMS);
  const networkBits = lanes(WEIGHT_DIMS) * w + lanes(INPUT_DIMS) * (w + 1) + (reductionLanes > 1 ? reductionLanes * PSUM_BITS : 0);
  return { pes, peUnits, rfBits: pes * spec.registerFileBytesPerPe * 8, networkBits };
}

export interface AreaBreakdown {
  /** PE array: MACs and PE control, register files. */
  peGe: number;
  registerFileGe: number;
  /** Multicast operand lanes and reduction wiring. */
  networkGe: number;
  /** Sequencer and fixed logic. */
  sequencerGe: number;
  /** Global buffer SRAM macros. */
  globalBufferUm2: number;
}

export interface Area {
  /** Total in gate equivalents (SRAM converted at UM2_PER_GE). */
  ge: number;
  um2: number;
  /** Logic only (what yosys synthesises; the global buffer is macros). */
  logicGe: number;
  breakdown: AreaBreakdown;
}

/** Area of a design: fitted logic plus SRAM macros. Pure. */
export function acceleratorArea(spec: AcceleratorSpec, coefficients = LOGIC_GE): Area {
  const f = areaFeatures(spec);
  const breakdown: AreaBreakdown = {
    peGe: coefficients.perPe * f.peUnits,
    registerFileGe: coefficients.perRfBit * f.rfBits,
    networkGe: coefficients.perNetworkBit * f.networkBits,
    sequencerGe: coefficients.fixed,
    globalBufferUm2: sramBufferUm2(
      spec.globalBufferBytes,
      Math.max(spec.wordBits, 8 * Math.min(16, Math.max(1, spec.dramBandwidthBytesPerCycle))),
    ),
  };
  const logicGe = breakdown.peGe + breakdown.registerFileGe + breakdown.networkGe + breakdown.sequencerGe;
  const um2 = logicGe * UM2_PER_GE + breakdown.globalBufferUm2;
  return { ge: Math.round(um2 / UM2_PER_GE), um2: Math.round(um2), logicGe: Math.round(logicGe), breakdown };
}

/**
 * Leakage power density, an estimate for a 45 nm general-purpose process at 25 °C: 20 nW per
 * gate equivalent of logic and 40 pW per SRAM bit cell, both expressed per µm² of their area.
 */
export const LOGIC_LEAKAGE_MW_PER_UM2 = 20e-6 / UM2_PER_GE;
export const SRAM_LEAKAGE_MW_PER_UM2 = 40e-9 / SRAM_BITCELL_UM2;

export interface Power {
  dynamic: number;
  leakage: number;
}

/** Leakage (mW) from the area: logic and SRAM at their densities. */
export function leakageMw(area: Area): number {
  const sram = area.breakdown.globalBufferUm2;
  return (area.um2 - sram) * LOGIC_LEAKAGE_MW_PER_UM2 + sram * SRAM_LEAKAGE_MW_PER_UM2;
}

/**
 * Power in mW of a design running a workload: dynamic = the energy the cost model counts
 * (actions × energy per action) over the run's time at the design's clock; leakage from the area.
 */
export function acceleratorPower(spec: AcceleratorSpec, run: { energyPj: number; cycles: number }, area = acceleratorArea(spec)): Power {
  const mhz = spec.clockMHz ?? DEFAULT_CLOCK_MHZ;
  const dynamic = run.cycles > 0 ? (run.energyPj * mhz) / run.cycles / 1000 : 0;
  return { dynamic, leakage: leakageMw(area) };
}

/** The JSON fields `nacc search` and `nacc cost` add per design. */
export function areaPowerJson(
  spec: AcceleratorSpec,
  run: { energyPj: number; cycles: number },
): { area: { ge: number; um2: number }; power_mw: { dynamic: number; leakage: number } } {
  const area = acceleratorArea(spec);
  const p = acceleratorPower(spec, run, area);
  const r4 = (x: number): number => Number(x.toPrecision(4));
  return { area: { ge: area.ge, um2: area.um2 }, power_mw: { dynamic: r4(p.dynamic), leakage: r4(p.leakage) } };
}

/** Square millimetres to µm². */
export const UM2_PER_MM2 = 1e6;
