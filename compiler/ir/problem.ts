// A workload for the accelerator cost model: named loop dimensions with bounds, and data
// spaces whose coordinates are affine sums of those dimensions (Timeloop's problem shape).

export interface ProjectionTerm {
  dim: string;
  coef: number;
}

export interface DataSpace {
  name: string;
  /** One entry per data-space axis: the sum of coef * dim index that addresses it. */
  projection: ProjectionTerm[][];
  /** Outputs are read-modify-written (partial sums); inputs and weights are read only. */
  readWrite: boolean;
}

export interface Problem {
  name: string;
  dims: string[];
  bounds: Record<string, number>;
  dataSpaces: DataSpace[];
  /** Width of the layer's input tensor in pixels, when known (padding makes it differ from the window): what a DRAM row holds. */
  inputWidth?: number;
  /** Height of the layer's input tensor, and the zero padding above and left of it (the window rows and columns outside the image), when known. */
  inputHeight?: number;
  padTop?: number;
  padLeft?: number;
}

export interface ConvShape {
  name?: string;
  N?: number;
  /** Groups; depthwise convolution is G = channels with C = 1 per group. */
  G?: number;
  K: number;
  C: number;
  P: number;
  Q: number;
  R: number;
  S: number;
  strideW?: number;
  strideH?: number;
  dilationW?: number;
  dilationH?: number;
}

/**
 * The 7-D convolution (plus G when grouped) in Timeloop's orientation: P and R walk the
 * input width, Q and S its height. Output channels are K (Timeloop's M).
 */
export function convProblem(s: ConvShape): Problem {
  const N = s.N ?? 1;
  const G = s.G ?? 1;
  const sw = s.strideW ?? 1;
  const sh = s.strideH ?? 1;
  const dw = s.dilationW ?? 1;
  const dh = s.dilationH ?? 1;
  const grouped = G > 1;
  const dims = grouped ? ['N', 'G', 'K', 'C', 'P', 'Q', 'R', 'S'] : ['N', 'K', 'C', 'P', 'Q', 'R', 'S'];
  const bounds: Record<string, number> = { N, K: s.K, C: s.C, P: s.P, Q: s.Q, R: s.R, S: s.S };
  if (grouped) bounds.G = G;
  const t = (dim: string, coef = 1): ProjectionTerm => ({ dim, coef });
  const g = grouped ? [[t('G')]] : [];
  return {
    name: s.name ?? 'conv',
    dims,
    bounds,
    dataSpaces: [
      { name: 'Weights', projection: [...g, [t('K')], [t('C')], [t('R')], [t('S')]], readWrite: false },
      {
        name: 'Inputs',
        projection: [[t('N')], ...g, [t('C')], [t('S', dh), t('Q', sh)], [t('R', dw), t('P', sw)]],
        readWrite: false,
      },
      { name: 'Outputs', projection: [[t('N')], ...g, [t('K')], [t('Q')], [t('P')]], readWrite: true },
    ],
  };
}

/** Depthwise convolution: a grouped convolution with one input channel per group. */
export function depthwiseProblem(s: Omit<ConvShape, 'G' | 'C' | 'K'> & { channels: number; multiplier?: number }): Problem {
  return convProblem({ ...s, G: s.channels, C: 1, K: s.multiplier ?? 1, name: s.name ?? 'dwconv' });
}

/** A dense layer is a 1x1 convolution on a 1x1 image: K outputs from C inputs per sample. */
export function denseProblem(s: { name?: string; N?: number; K: number; C: number }): Problem {
  return convProblem({ name: s.name ?? 'dense', N: s.N, K: s.K, C: s.C, P: 1, Q: 1, R: 1, S: 1 });
}

/** Multiply-accumulates: the product of every dimension bound. */
export function problemMacs(p: Problem): number {
  let m = 1;
  for (const d of p.dims) m *= p.bounds[d];
  return m;
}

/** Number of distinct points of a data space over the whole problem (bounding box). */
export function dataSpaceSize(p: Problem, ds: DataSpace, extents: Record<string, number> = p.bounds): number {
  let size = 1;
  for (const axis of ds.projection) {
    let e = 1;
    for (const term of axis) e += term.coef * ((extents[term.dim] ?? 1) - 1);
    size *= e;
  }
  return size;
}
