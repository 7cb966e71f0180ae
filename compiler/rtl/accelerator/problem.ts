// A network layer as the accelerator sees it: a 7-D convolution loop nest (batch 1) over
// K (output channels), C (input channels per group), P x Q output and R x S kernel, in
// Timeloop's orientation as the cost model uses it (compiler/ir/problem.ts): P and R walk the
// width, Q and S the height. Plus strides, padding, and whether the input channel follows K.
import { D, fail } from '../../diagnostics/index.ts';
import type { Location } from '../../diagnostics/index.ts';
import type { Layer, Network } from '../../ir/network.ts';
import { producerType } from '../../ir/network.ts';

export const DIMS = ['K', 'C', 'P', 'Q', 'R', 'S'] as const;
export type Dim = (typeof DIMS)[number];
export const dimIndex = (d: Dim): number => DIMS.indexOf(d);
/** Dimensions that index each operand. */
export const WEIGHT_DIMS: readonly Dim[] = ['K', 'C', 'R', 'S'];
export const OUTPUT_DIMS: readonly Dim[] = ['K', 'P', 'Q'];
export const REDUCTION_DIMS: readonly Dim[] = ['C', 'R', 'S'];
/** Input dims of a regular conv; a depthwise conv's input channel is K. */
export const INPUT_DIMS: readonly Dim[] = ['C', 'P', 'Q', 'R', 'S'];

export interface ConvProblem {
  layer: string;
  /** The layer's declaration, for the back end's errors about it. */
  location?: Location;
  op: string;
  /** Loop bounds. C is input channels per group (1 for depthwise). */
  bounds: Record<Dim, number>;
  /** Input tensor H x W x Cin (HWC). */
  inH: number;
  inW: number;
  inC: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  depthwise: boolean;
  act: 'none' | 'relu' | 'relu6';
  macs: number;
}

const pair = (v: unknown, d: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1])] : typeof v === 'number' ? [v, v] : [d, d];

/** The conv problem of one layer, or a located error if the accelerator cannot run it. */
export function convProblem(net: Network, layer: Layer): ConvProblem {
  const x = producerType(net, layer.inputs[0]);
  const where = layer.location;
  if (!x) fail(D.rtlLayerInput, `layer '${layer.name}': input '${layer.inputs[0]}' not found`, where);
  const act = (layer.attrs.act ?? 'none') as string;
  if (act !== 'none' && act !== 'relu' && act !== 'relu6')
    fail(D.rtlActivation, `layer '${layer.name}': activation '${act}' is not fused by the accelerator`, where);
  if (layer.op === 'dense') {
    const cin = x.shape.reduce((a, b) => a * b, 1);
    const k = Number(layer.attrs.out);
    return {
      layer: layer.name,
      op: layer.op,
      bounds: { K: k, C: cin, P: 1, Q: 1, R: 1, S: 1 },
      inH: 1,
      inW: 1,
      inC: cin,
      strideH: 1,
      strideW: 1,
      padTop: 0,
      padLeft: 0,
      depthwise: false,
      act,
      macs: k * cin,
    };
  }
  if (layer.op !== 'conv2d' && layer.op !== 'dwconv2d') {
    fail(D.rtlLayerOp, `layer '${layer.name}' is a ${layer.op}; the accelerator runs conv2d, dwconv2d and dense layers`, where);
  }
  if (x.kind !== 'feature') fail(D.rtlLayerInputKind, `layer '${layer.name}': expected a feature map input, got ${x.kind}`, where);
  const [inH, inW, inC] = x.shape;
  const [kh, kw] = pair(layer.attrs.kernel, 1);
  const [sh, sw] = pair(layer.attrs.stride, 1);
  const [dh, dw] = pair(layer.attrs.dilation, 1);
  if (dh !== 1 || dw !== 1)
    fail(D.rtlDilation, `layer '${layer.name}': dilated convolution is not supported by the accelerator's address generators`, where);
  const pad = (layer.attrs.pad as number[] | undefined) ?? [0, 0, 0, 0];
  const [outH, outW, outC] = layer.output.shape;
  let depthwise = false;
  let c = inC;
  if (layer.op === 'dwconv2d') {
    if (Number(layer.attrs.multiplier ?? 1) !== 1)
      fail(D.rtlDepthMultiplier, `layer '${layer.name}': depthwise multiplier ${layer.attrs.multiplier} is not supported (only 1)`, where);
    depthwise = true;
    c = 1;
  } else {
    const groups = Number(layer.attrs.groups ?? 1);
    if (groups === inC && outC === inC && groups > 1) {
      depthwise = true;
      c = 1;
    } else if (groups !== 1) {
      fail(D.rtlGroups, `layer '${layer.name}': grouped convolution with ${groups} groups is not supported (only 1 or depthwise)`, where);
    }
  }
  const bounds = { K: outC, C: c, P: outW, Q: outH, R: kw, S: kh };
  return {
    layer: layer.name,
    location: layer.location,
    op: layer.op,
    bounds,
    inH,
    inW,
    inC,
    strideH: sh,
    strideW: sw,
    padTop: pad[0],
    padLeft: pad[1],
    depthwise,
    act: act as ConvProblem['act'],
    macs: outC * c * outH * outW * kh * kw,
  };
}

/** Layers of a network the accelerator can run (conv, depthwise, dense), in order. */
export function acceleratableLayers(net: Network): Layer[] {
  return net.layers.filter((l) => l.op === 'conv2d' || l.op === 'dwconv2d' || l.op === 'dense');
}

/** Whether `nacc rtl` builds the network: image or vector inputs (point and voxel clouds run on PointAcc) and some layer to run. */
export function acceleratorNetwork(net: Network): boolean {
  return net.inputs.every((i) => i.type.kind === 'feature' || i.type.kind === 'vector') && acceleratableLayers(net).length > 0;
}
