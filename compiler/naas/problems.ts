// Network layers to cost-model problems: conv2d (grouped or not), dwconv2d (grouped conv
// with one channel per group) and dense. Other ops carry no MACs and are not mapped.
import { D, fail } from '../diagnostics/index.ts';
import type { Layer, Network } from '../ir/network.ts';
import { producerType } from '../ir/network.ts';
import { convProblem, type Problem } from '../ir/problem.ts';

export interface LayerProblem {
  layer: string;
  op: string;
  problem: Problem;
}

const pair = (v: unknown, d: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : typeof v === 'number' ? [v, v] : [d, d];

/** The input image a convolution's windows read (HWC shape; resolved padding [top, left, bottom, right]). */
function imageOf(shape: number[], pad: unknown): Pick<Problem, 'inputWidth' | 'inputHeight' | 'padTop' | 'padLeft'> {
  const p = Array.isArray(pad) ? pad.map(Number) : [0, 0, 0, 0];
  return { inputWidth: shape[1], inputHeight: shape[0], padTop: p[0] ?? 0, padLeft: p[1] ?? 0 };
}

/** The problem of one layer, or undefined when the op has no multiply-accumulates to map. */
export function layerProblem(net: Network, layer: Layer): Problem | undefined {
  const inT = producerType(net, layer.inputs[0]);
  if (!inT) return undefined;
  const out = layer.output.shape;
  if (layer.op === 'conv2d' || layer.op === 'dwconv2d') {
    if (layer.output.kind !== 'feature' || inT.kind !== 'feature') return undefined;
    const [kh, kw] = pair(layer.attrs.kernel, 1);
    const [sh, sw] = pair(layer.attrs.stride, 1);
    const [dh, dw] = pair(layer.attrs.dilation, 1);
    const cin = inT.shape[2];
    const [Q, P, K] = out;
    if (layer.op === 'dwconv2d') {
      const mult = Number(layer.attrs.multiplier ?? 1);
      return {
        ...convProblem({
          name: layer.name,
          G: cin,
          C: 1,
          K: mult,
          P,
          Q,
          R: kw,
          S: kh,
          strideW: sw,
          strideH: sh,
          dilationW: dw,
          dilationH: dh,
        }),
        ...imageOf(inT.shape, layer.attrs.pad),
      };
    }
    const groups = Number(layer.attrs.groups ?? 1);
    const problem = convProblem({
      name: layer.name,
      G: groups,
      C: cin / groups,
      K: K / groups,
      P,
      Q,
      R: kw,
      S: kh,
      strideW: sw,
      strideH: sh,
      dilationW: dw,
      dilationH: dh,
    });
    return { ...problem, ...imageOf(inT.shape, layer.attrs.pad) };
  }
  if (layer.op === 'dense') {
    const C = inT.shape.reduce((a, b) => a * b, 1);
    const K = out[out.length - 1];
    return convProblem({ name: layer.name, K, C, P: 1, Q: 1, R: 1, S: 1 });
  }
  return undefined;
}

/** Every mappable layer of a network, in order. */
export function networkProblems(net: Network): LayerProblem[] {
  const out: LayerProblem[] = [];
  for (const l of net.layers) {
    const p = layerProblem(net, l);
    if (p) out.push({ layer: l.name, op: l.op, problem: p });
  }
  if (out.length === 0) fail(D.noMappableLayer, `network '${net.name}' has no conv2d, dwconv2d or dense layer to map`, net.location);
  return out;
}

/** A key equal for problems with the same shape, so a search maps each shape once. */
export function problemKey(p: Problem): string {
  const proj = p.dataSpaces.map((d) => d.projection.map((a) => a.map((t) => `${t.dim}${t.coef}`).join('+')).join(',')).join(';');
  return `${p.dims.map((d) => `${d}${p.bounds[d]}`).join(' ')}|${proj}${p.inputWidth !== undefined ? `|w${p.inputWidth}h${p.inputHeight}t${p.padTop}l${p.padLeft}` : ''}`;
}

/** Networks to search workloads: every mappable layer, with equal shapes sharing one problem. */
export function buildWorkloads(nets: Network[]): {
  networks: { name: string; layers: { name: string; key: string }[] }[];
  problems: Record<string, Problem>;
} {
  const problems: Record<string, Problem> = {};
  const networks = nets.map((net) => ({
    name: net.name,
    layers: networkProblems(net).map((lp) => {
      const key = problemKey(lp.problem);
      problems[key] ??= lp.problem;
      return { name: lp.layer, key };
    }),
  }));
  return { networks, problems };
}
