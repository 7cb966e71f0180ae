// nacc's convolution problems (compiler/ir/problem.ts) as MAESTRO layers: K, C, R (kernel
// rows), S (kernel columns), Y, X (input rows/cols without padding), strides on Y and X.
import { convProblem, depthwiseProblem, type Problem } from '../../ir/problem.ts';
import { MaestroAnalysisError } from './errors.ts';
import type { LayerDimension, LayerType, MaestroLayer } from './types.ts';
import { D } from '../../diagnostics/index.ts';

export interface MaestroShape {
  type: Extract<LayerType, 'CONV' | 'DSCONV'>;
  dims: LayerDimension[];
  /**
   * Independent copies of this layer the problem holds (batch N, groups of a grouped
   * convolution, channel multiplier of a depthwise one): runtime and energy scale by it.
   */
  copies: number;
}

/** Coefficient of `dim` on the input data space's axes (its stride or dilation). */
function inputCoef(p: Problem, dim: string): number {
  const inputs = p.dataSpaces.find((d) => d.name === 'Inputs');
  for (const axis of inputs?.projection ?? []) for (const t of axis) if (t.dim === dim) return t.coef;
  return 1;
}

/**
 * nacc orients P, R along the input width and Q, S along its height (Timeloop's convention);
 * MAESTRO's R and Y are rows, S and X columns, and Y/X are input sizes with no padding.
 */
export function problemToMaestro(p: Problem): MaestroShape {
  const b = (d: string) => p.bounds[d] ?? 1;
  const sw = inputCoef(p, 'P');
  const sh = inputCoef(p, 'Q');
  const dw = inputCoef(p, 'R');
  const dh = inputCoef(p, 'S');
  const kRows = (b('S') - 1) * dh + 1;
  const kCols = (b('R') - 1) * dw + 1;
  const rows = (b('Q') - 1) * sh + kRows;
  const cols = (b('P') - 1) * sw + kCols;
  const spatial = (k: number, c: number): LayerDimension[] => [
    { name: 'K', size: k, stride: 1 },
    { name: 'C', size: c, stride: 1 },
    // MAESTRO has no dilation: a dilated kernel is modelled by its dense extent.
    { name: 'R', size: kRows, stride: 1 },
    { name: 'S', size: kCols, stride: 1 },
    { name: 'Y', size: rows, stride: sh },
    { name: 'X', size: cols, stride: sw },
  ];
  const G = b('G');
  if (G > 1 && b('C') === 1) return { type: 'DSCONV', dims: spatial(1, G), copies: b('N') * b('K') };
  return { type: 'CONV', dims: spatial(b('K'), b('C')), copies: b('N') * G };
}

/**
 * A MAESTRO layer (from a model or mapping file) as a nacc problem: output rows/cols are
 * MAESTRO's (Y - R) / stride + 1; GEMM (M x K) x (K x N) is a 1x1 convolution of M samples.
 */
export function maestroLayerToProblem(layer: MaestroLayer): Problem {
  const get = (n: string) => layer.dims.find((d) => d.name === n);
  const size = (n: string, d = 1) => get(n)?.size ?? d;
  if (layer.type === 'GEMM') return convProblem({ name: layer.name, N: size('M'), K: size('N'), C: size('K'), P: 1, Q: 1, R: 1, S: 1 });
  const R = size('R');
  const S = size('S');
  const y = get('Y');
  const x = get('X');
  const yo = get("Y'");
  const xo = get("X'");
  const sh = y?.stride ?? yo?.stride ?? 1;
  const sw = x?.stride ?? xo?.stride ?? 1;
  const Q = yo ? yo.size : Math.floor((size('Y', R) - R) / sh) + 1;
  const P = xo ? xo.size : Math.floor((size('X', S) - S) / sw) + 1;
  if (!(P > 0 && Q > 0))
    throw new MaestroAnalysisError(D.maestroKernelSize.code, `layer ${layer.name}: the kernel is larger than the input`, layer.location);
  const common = { name: layer.name, N: size('N'), P, Q, R: S, S: R, strideW: sw, strideH: sh };
  if (layer.type === 'DSCONV') return depthwiseProblem({ ...common, channels: size('C') });
  return convProblem({ ...common, G: size('G'), K: size('K'), C: size('C') });
}
