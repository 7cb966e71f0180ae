// An accelerator spec (a .nacc `accelerator` block, or a point of a NAAS design space) to
// the cost model's storage hierarchy: DRAM -> GlobalBuffer -> PE array (1-3 axes) ->
// per-PE RegisterFile -> MAC. Energies come from a small technology table (45 nm-class
// figures, scaled by word width), areas from the area model (area.ts); see docs/naas.md.
import type { Architecture, StorageLevel } from '../ir/architecture.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { acceleratorArea, UM2_PER_GE } from './area.ts';

/** Energy (pJ) of one 16-bit SRAM/RF access as a function of its capacity in bytes. */
export function sramAccessPj(bytes: number, wordBits: number): number {
  return 0.125 * Math.cbrt(Math.max(bytes, 16)) * (wordBits / 16);
}

export const DRAM_PJ_PER_16BIT = 200;
export const MAC_PJ_16BIT = 1.0;

/** Names of the hierarchy levels, outermost first. */
export const LEVELS = ['DRAM', 'GlobalBuffer', 'RegisterFile'] as const;

/**
 * Microarchitecture properties a spec does not state but a concrete implementation has (the
 * generated RTL, compiler/rtl/accelerator/): all optional, none set for NAAS's design space.
 */
export interface MicroarchitectureOptions {
  /** Words per cycle the output path (requantisers) drains from the PE register files into the global buffer. */
  drainWordsPerCycle?: number;
  /** Fixed cycles per drain of the register files (the drain engine's hand-shake). */
  drainOverheadCycles?: number;
  /** The global buffer is filled from DRAM before compute starts (no double buffering of the input fill). */
  serialLoad?: boolean;
}

/**
 * The mesh axis of array axis `index` of a `pe_array` with `axes` axes, as Timeloop names
 * them: `pe_array: [rows, columns]`, the columns run along meshX and the rows down meshY
 * (Eyeriss [12, 14]: 14 columns = meshX, 12 rows = meshY, as Timeloop's eyeriss_like). The
 * last axis is X; every earlier axis folds into Y (a 1-D array is one row of columns).
 */
export function meshAxis(index: number, axes: number): 'X' | 'Y' {
  return index === axes - 1 ? 'X' : 'Y';
}

export function specToArchitecture(spec: AcceleratorSpec, micro: MicroarchitectureOptions = {}): Architecture {
  const wb = spec.wordBits;
  const wordBytes = wb / 8;
  const pes = spec.peArray.reduce((a, b) => a * b, 1);
  const meshX = spec.peArray[spec.peArray.length - 1];
  const meshY = pes / meshX;
  const dramWords = spec.dramBandwidthBytesPerCycle / wordBytes;
  const glbPj = sramAccessPj(spec.globalBufferBytes, wb);
  const rfPj = sramAccessPj(spec.registerFileBytesPerPe, wb);
  const dramPj = DRAM_PJ_PER_16BIT * (wb / 16);
  // Per-instance areas from the area model; the network and sequencer count with the MACs.
  const area = acceleratorArea(spec).breakdown;
  const level = (l: Omit<StorageLevel, 'energy'> & { pj: number }): StorageLevel => {
    const { pj, ...rest } = l;
    return { ...rest, energy: { read: pj * l.blockSize, write: pj * l.blockSize, update: pj * l.blockSize, leak: 0 } };
  };
  const levels: StorageLevel[] = [
    // The DRAM port's bandwidth is shared by reads and writes (Timeloop's shared_bandwidth).
    level({
      name: 'DRAM',
      instances: 1,
      meshX: 1,
      meshY: 1,
      wordBits: wb,
      blockSize: 1,
      sharedBandwidth: dramWords,
      areaUm2: 0,
      pj: dramPj,
      className: 'DRAM',
    }),
    level({
      name: 'GlobalBuffer',
      instances: 1,
      meshX: 1,
      meshY: 1,
      sizeWords: Math.floor(spec.globalBufferBytes / wordBytes),
      wordBits: wb,
      blockSize: 1,
      areaUm2: area.globalBufferUm2,
      pj: glbPj,
      className: 'SRAM',
      ...(micro.drainWordsPerCycle !== undefined ? { drainBandwidth: micro.drainWordsPerCycle } : {}),
      ...(micro.drainOverheadCycles !== undefined ? { drainOverheadCycles: micro.drainOverheadCycles } : {}),
      ...(micro.serialLoad ? { serialFill: true } : {}),
    }),
    level({
      name: 'RegisterFile',
      instances: pes,
      meshX,
      meshY,
      sizeWords: Math.floor(spec.registerFileBytesPerPe / wordBytes),
      wordBits: wb,
      blockSize: 1,
      areaUm2: (area.registerFileGe / pes) * UM2_PER_GE,
      pj: rfPj,
      className: 'regfile',
    }),
  ];
  return {
    name: spec.name,
    levels,
    compute: {
      name: 'MAC',
      instances: pes,
      meshX,
      meshY,
      wordBits: wb,
      energyPerMac: MAC_PJ_16BIT * (wb / 16) ** 2,
      leakPerCycle: 0,
      areaUm2: ((area.peGe + area.networkGe + area.sequencerGe) / pes) * UM2_PER_GE,
    },
    clockMHz: spec.clockMHz,
  };
}

/** On-chip bytes of a spec: the global buffer plus every PE's register file. */
export function onChipBytes(spec: AcceleratorSpec): number {
  return spec.globalBufferBytes + spec.registerFileBytesPerPe * spec.peArray.reduce((a, b) => a * b, 1);
}
