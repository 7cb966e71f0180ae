// Per-op figures of a quantised (TFLite) model in the same shape as a network's analysis
// (analyze.ts), so `nacc inspect model.tflite` prints the same table and JSON as for .nacc.
import { isConstant, opMacs, qElements, qTensorBytes, type QModel, type QTensor } from '../ir/quantized.ts';
import type { TensorKind } from '../ir/network.ts';
import type { LayerStats, NetworkStats } from './analyze.ts';

/** Shape without the batch axis; a 4-D tensor is a feature map [H, W, C], anything else a vector. */
function described(t: QTensor): { kind: TensorKind; shape: number[] } {
  const shape = t.shape.length > 1 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
  return { kind: shape.length === 3 ? 'feature' : 'vector', shape };
}

export interface QModelInspection {
  stats: NetworkStats;
  inputs: { name: string; kind: TensorKind; dtype: string; shape: number[] }[];
  outputs: string[];
}

/** Layer-by-layer figures: MACs, constant parameters, output bytes and live activation bytes. */
export function analyzeQModel(model: QModel): QModelInspection {
  const lastUse = new Map<number, number>();
  model.ops.forEach((op, i) => op.inputs.forEach((t) => t >= 0 && lastUse.set(t, i)));
  for (const o of model.outputs) lastUse.set(o, model.ops.length);
  const live = new Set<number>(model.inputs);
  const layers: LayerStats[] = [];
  let peak = 0;
  let peakLayer = '';
  model.ops.forEach((op, i) => {
    const out = model.tensors[op.outputs[0]];
    for (const o of op.outputs) live.add(o);
    let liveBytes = 0;
    for (const t of live) liveBytes += qTensorBytes(model.tensors[t]);
    if (liveBytes > peak) {
      peak = liveBytes;
      peakLayer = out.name;
    }
    for (const t of [...live]) if ((lastUse.get(t) ?? -1) <= i) live.delete(t);
    const d = described(out);
    layers.push({
      name: out.name,
      op: op.kind.toLowerCase(),
      inputs: op.inputs.filter((t) => t >= 0 && !isConstant(model.tensors[t])).map((t) => model.tensors[t].name),
      outputShape: d.shape,
      outputKind: d.kind,
      estimated: false,
      macs: opMacs(model, op),
      params: op.inputs.filter((t) => t >= 0 && isConstant(model.tensors[t])).reduce((a, t) => a + qElements(model.tensors[t].shape), 0),
      activationBytes: qTensorBytes(out),
      receptiveField: null,
      liveBytes,
    });
  });
  const sum = (k: 'macs' | 'params' | 'activationBytes') => layers.reduce((a, l) => a + l[k], 0);
  return {
    stats: {
      name: model.name,
      layers,
      totals: { macs: sum('macs'), params: sum('params'), activationBytes: sum('activationBytes'), peakActivationBytes: peak, peakLayer },
    },
    inputs: model.inputs.map((t) => ({ name: model.tensors[t].name, dtype: model.tensors[t].dtype, ...described(model.tensors[t]) })),
    outputs: model.outputs.map((t) => model.tensors[t].name),
  };
}
