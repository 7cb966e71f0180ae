// Trained float weights carried into a network's layers: the trainer keeps one flat vector
// (conv [kh, kw, cin/groups, out], dense [in, out]); the IR's layers take the layouts the ONNX
// importer gives and calibration reads (conv OHWI, depthwise [1, kh, kw, C], dense [out, in]).
import type { ConstTensor, Layer, Network } from '../ir/network.ts';
import type { TrainableModel } from '../fl/trainer.ts';

type TrainerParam = TrainableModel['params'][number];

/** One layer's kernel in the IR's layout for its op. */
function kernelOf(l: Layer, p: TrainerParam, params: Float32Array): ConstTensor {
  const oc = p.shape[p.shape.length - 1];
  const at = (i: number) => params[p.w + i];
  if (p.shape.length === 2) {
    const [inn] = p.shape;
    const k = new Float32Array(inn * oc);
    for (let i = 0; i < inn; i++) for (let o = 0; o < oc; o++) k[o * inn + i] = at(i * oc + o);
    return { dtype: 'float32', shape: [oc, inn], data: k };
  }
  const [kh, kw, ci] = p.shape;
  if (l.op === 'dwconv2d') {
    // [kh][kw][1][C] is already the depthwise layout
    return { dtype: 'float32', shape: [1, kh, kw, oc], data: params.slice(p.w, p.w + kh * kw * oc) };
  }
  const k = new Float32Array(kh * kw * ci * oc);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++) for (let o = 0; o < oc; o++) k[((o * kh + y) * kw + x) * ci + c] = at(((y * kw + x) * ci + c) * oc + o);
  return { dtype: 'float32', shape: [oc, kh, kw, ci], data: k };
}

/**
 * The network with the trained weights in its layers. `model` must have been compiled from
 * this network (the trainer keys its parameters by layer name).
 */
export function withTrainedWeights(net: Network, model: TrainableModel, params: Float32Array): Network {
  if (params.length !== model.paramCount)
    throw new Error(`trained weights: ${params.length} values for a model of ${model.paramCount} parameters`);
  const byLayer = new Map(model.params.map((p) => [p.layer, p]));
  const layers = net.layers.map((l) => {
    const p = byLayer.get(l.name);
    if (!p) return l;
    byLayer.delete(l.name);
    const oc = p.shape[p.shape.length - 1];
    return {
      ...l,
      weights: { kernel: kernelOf(l, p, params), bias: { dtype: 'float32' as const, shape: [oc], data: params.slice(p.b, p.b + oc) } },
    };
  });
  if (byLayer.size) throw new Error(`trained weights: layers ${[...byLayer.keys()].join(', ')} are not in network '${net.name}'`);
  return { ...net, layers };
}
