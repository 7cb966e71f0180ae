// The MAESTRO view of a workload: layers with named dimensions and a data-centric dataflow
// (SpatialMap / TemporalMap / Cluster directives), and the hardware knobs MAESTRO reads.
import type { Location } from '../../diagnostics/index.ts';

export type LayerType = 'CONV' | 'DSCONV' | 'NGCONV' | 'GEMM';

export interface Directive {
  kind: 'temporal' | 'spatial' | 'cluster';
  /** Map size (for a Cluster: the number of sub-units it groups). */
  size: number;
  /** Map offset; 0 for a Cluster. */
  ofs: number;
  /** The mapped dimension; '' for a Cluster. */
  variable: string;
  /** Where the directive was written, for errors raised while analysing it. */
  location?: Location;
}

export interface LayerDimension {
  readonly name: string;
  readonly size: number;
  /** The layer's stride along this dimension (`Stride { X: 2 }`); 1 otherwise. */
  readonly stride: number;
}

export interface MaestroLayer {
  readonly name: string;
  readonly type: LayerType;
  /** In the order written (the order MAESTRO counts MACs and names CSV columns in). */
  readonly dims: readonly LayerDimension[];
  readonly dataflow: readonly Directive[];
  /** `TRCONV` is analysed as CONV (MAESTRO's hard-coded inner stride never reaches the model). */
  readonly transposed?: boolean;
  readonly location?: Location;
}

export interface MaestroNetwork {
  readonly name: string;
  readonly layers: readonly MaestroLayer[];
}

/** The resources MAESTRO's analysis reads (sizes in elements, bandwidths in elements/cycle). */
export interface MaestroHardware {
  numPes: number;
  /** NoC bandwidth, the same at every cluster level. */
  nocBw: number;
  /** Latency of one NoC transfer before the pipeline: hops x hop latency (0 from flags, NoC_NumHops from a HW file). */
  nocLatency: number;
  offchipBw: number;
  simdLanes: number;
  /** Only warned about by MAESTRO; kept for reports. */
  l1Size: number;
  l2Size: number;
}

/** MAESTRO's command-line defaults (option.hpp). */
export const MAESTRO_DEFAULTS: MaestroHardware = {
  numPes: 7,
  nocBw: 2147483647,
  nocLatency: 0,
  offchipBw: 70000,
  simdLanes: 1,
  l1Size: 2147483647,
  l2Size: 2147483647,
};

/** MAESTRO's energy constants, in units of one MAC's energy, and one MAC in nJ. */
export const MAESTRO_ENERGY = { l1: 1.68, l2: 18.61, macNj: 0.00023 } as const;

/** C++ integer division (truncates toward zero) by a positive divisor, exact beyond 2^31. */
export function idiv(a: number, b: number): number {
  if (!(b > 0)) throw new RangeError(`integer division by ${b}`);
  if (a < 0) return -idiv(-a, b);
  let q = Math.floor(a / b);
  // a/b in floating point can round across an integer when a is large: correct by one step.
  if (q * b > a) q -= 1;
  else if ((q + 1) * b <= a) q += 1;
  return q;
}
