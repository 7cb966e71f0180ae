// Dataflows as constraints on a mapping of the DRAM -> GlobalBuffer -> RegisterFile
// hierarchy: which loop dimensions may be parallel on each PE-array axis, which data the
// register file keeps, and which dimensions may iterate inside a PE. Named dataflows
// follow Eyeriss (row stationary), ShiDianNao (output stationary) and NVDLA (weight
// stationary); NAAS connectivity gives one parallel dimension per array axis.
import type { Dataflow } from '../ir/targets.ts';
import type { RtlAxis } from './rtl-executable.ts';

export const CONV_DIMS = ['N', 'G', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;

/** What a search minimises: energy x delay, energy, delay (cycles), or energy x delay x area. */
export type Objective = 'edp' | 'energy' | 'latency' | 'edap';

/**
 * The objective's value of a mapping's or a network's energy and cycles. A mapping does not
 * change the hardware's area, so `edap` ranks mappings as EDP; the area factor enters per
 * design (candidate.ts).
 */
export function objectiveValue(e: { energyPj: number; cycles: number }, o: Objective = 'edp'): number {
  return o === 'energy' ? e.energyPj : o === 'latency' ? e.cycles : e.energyPj * e.cycles;
}

/**
 * A level's loop order with a fixed order imposed (outermost first): listed dimensions come
 * first in the listed order, the others keep their relative order after them.
 */
export function imposeOrder(order: string[], fixed: string[] | undefined): string[] {
  if (!fixed || fixed.length === 0) return order;
  const listed = fixed.filter((d) => order.includes(d));
  return [...listed, ...order.filter((d) => !listed.includes(d))];
}

/** Constraints with the same loop order (outermost first) at every level, e.g. a space's `loop_order: [K, C, P, Q, R, S]`. */
export function withLoopOrder(c: MappingConstraints, order: string[] | undefined): MappingConstraints {
  if (!order || order.length === 0) return c;
  return { ...c, order: { DRAM: order, GlobalBuffer: order, RegisterFile: order } };
}

export interface MappingConstraints {
  /** Per array axis in pe_array order (the last is X, the others fold into Y: meshAxis), the dimensions allowed to be parallel on it. */
  axisDims: string[][];
  /** Array axis sizes (PEs along each). */
  axisSizes: number[];
  /** Data spaces the register file keeps. */
  rfKeep: string[];
  /** Dimensions allowed in the register file's temporal loops (undefined: all). */
  rfDims?: string[];
  /** A fixed loop order per level (outermost first), when the dataflow fixes it. */
  order?: Partial<Record<'DRAM' | 'GlobalBuffer' | 'RegisterFile', string[]>>;
  /** When set, every mapping is made executable by the generated RTL with these array axes (rtl-executable.ts rtlExecutableMapping). */
  rtlAxes?: RtlAxis[];
  /** With rtlAxes: bytes per DRAM beat of the design (which tiles the load engine can fetch). */
  rtlBeat?: number;
  /** What the mapper minimises per layer (default: EDP). */
  objective?: Objective;
  /**
   * When set, the mapper minimises weights.energy * e + weights.cycles * c instead: with
   * weights 1/E and 1/C (the network totals at this design) that is the layer's first-order
   * share of the network's E x C, so per-layer mappings agree with the network objective.
   */
  weights?: { energy: number; cycles: number };
}

/** What a mapper minimises for one layer under these constraints (lower is better). */
export function mappingScore(e: { energyPj: number; cycles: number }, c: MappingConstraints): number {
  return c.weights ? c.weights.energy * e.energyPj + c.weights.cycles * e.cycles : objectiveValue(e, c.objective);
}

const ALL = ['Weights', 'Inputs', 'Outputs'];

/** Constraints of a named dataflow on an array with the given axis sizes. */
export function dataflowConstraints(df: Dataflow, axisSizes: number[]): MappingConstraints {
  switch (df) {
    // Axes in pe_array order [rows, columns]: rows run down meshY, columns across meshX (meshAxis).
    case 'row_stationary':
      // Eyeriss (and Timeloop's eyeriss_like): filter rows (S) with channels down the 12 rows,
      // output rows (Q) across the 14 columns; a PE convolves one filter row (R) with one
      // input row, psums stay in the PE.
      return {
        axisDims: [
          ['S', 'C', 'K', 'G'],
          ['Q', 'K'],
        ],
        axisSizes,
        rfKeep: ALL,
        rfDims: ['R', 'K', 'C', 'G', 'N'],
      };
    case 'output_stationary':
      // ShiDianNao: each PE owns output pixels (P across, Q down) and accumulates over C, R, S in place.
      return { axisDims: [['Q'], ['P']], axisSizes, rfKeep: ['Outputs'], rfDims: ['C', 'R', 'S', 'G'] };
    case 'weight_stationary':
      // NVDLA: input channels across, output channels down; weights stay, pixels stream.
      return { axisDims: [['K'], ['C', 'G']], axisSizes, rfKeep: ['Weights'], rfDims: ['P', 'Q', 'N'] };
    case 'input_stationary':
      return { axisDims: [['Q'], ['P']], axisSizes, rfKeep: ['Inputs'], rfDims: ['K', 'N'] };
  }
}

/** NAAS connectivity: one parallel dimension per array axis, everything else free. */
export function connectivityConstraints(parallel: string[], axisSizes: number[]): MappingConstraints {
  return { axisDims: parallel.map((d) => (d === 'K' || d === 'C' ? [d, 'G'] : [d])), axisSizes, rfKeep: ALL };
}
