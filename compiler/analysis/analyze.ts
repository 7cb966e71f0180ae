// Network analysis: per-layer MACs, parameters, activation bytes and receptive field, and the
// peak activation memory of layer-by-layer execution. Pure functions of the IR; each op's
// own rules come from its definition in compiler/ir/ops.ts.
import { opDef } from '../ir/ops.ts';
import { tensorBytes, type Layer, type Network, type TensorType } from '../ir/network.ts';

export interface LayerStats {
  name: string;
  op: string;
  origin?: string;
  inputs: string[];
  outputShape: number[];
  outputKind: TensorType['kind'];
  estimated: boolean;
  macs: number;
  params: number;
  /** Bytes of this layer's output tensor. */
  activationBytes: number;
  /** Receptive field [h, w] in input pixels, or null where it has no spatial meaning. */
  receptiveField: [number, number] | null;
  /** Live activation bytes while this layer runs (its inputs, its output, and tensors kept for later). */
  liveBytes: number;
}

export interface NetworkStats {
  name: string;
  layers: LayerStats[];
  totals: {
    macs: number;
    params: number;
    activationBytes: number;
    peakActivationBytes: number;
    /** The layer at which the peak occurs. */
    peakLayer: string;
  };
}

interface Field {
  size: [number, number];
  jump: [number, number];
}

export function inputTypes(net: Network, layer: Layer): TensorType[] {
  return layer.inputs.map((n) => {
    const t = net.inputs.find((i) => i.name === n)?.type ?? net.layers.find((l) => l.name === n)?.output;
    if (!t) throw new Error(`internal: layer ${layer.name} reads unknown tensor ${n}`);
    return t;
  });
}

/** Receptive field of every feature tensor, propagated through windowed ops. */
function receptiveFields(net: Network): Map<string, Field | null> {
  const fields = new Map<string, Field | null>();
  for (const i of net.inputs) fields.set(i.name, i.type.kind === 'feature' ? { size: [1, 1], jump: [1, 1] } : null);
  for (const l of net.layers) {
    const ins = l.inputs.map((n) => fields.get(n) ?? null);
    if (l.output.kind !== 'feature' || ins.some((f) => f === null) || ins.length === 0) {
      // Global reductions see the whole input; other kinds have no spatial field.
      fields.set(l.name, null);
      continue;
    }
    const base: Field = {
      size: [Math.max(...ins.map((f) => f!.size[0])), Math.max(...ins.map((f) => f!.size[1]))],
      jump: [Math.max(...ins.map((f) => f!.jump[0])), Math.max(...ins.map((f) => f!.jump[1]))],
    };
    const w = opDef(l.op)?.window?.(l.attrs);
    if (!w) {
      fields.set(l.name, base);
      continue;
    }
    const grow = (axis: 0 | 1) => base.size[axis] + (w.kernel[axis] - 1) * w.dilation[axis] * base.jump[axis];
    fields.set(l.name, { size: [grow(0), grow(1)], jump: [base.jump[0] * w.stride[0], base.jump[1] * w.stride[1]] });
  }
  return fields;
}

/** Clip a receptive field to the input image (a field never exceeds what exists). */
function clipToInput(net: Network, f: Field | null): [number, number] | null {
  if (!f) return null;
  const img = net.inputs.find((i) => i.type.kind === 'feature');
  if (!img) return f.size;
  return [Math.min(f.size[0], img.type.shape[0]), Math.min(f.size[1], img.type.shape[1])];
}

export function analyzeNetwork(net: Network): NetworkStats {
  const fields = receptiveFields(net);
  // Last use of every tensor, for layer-by-layer liveness.
  const lastUse = new Map<string, number>();
  net.layers.forEach((l, i) => l.inputs.forEach((n) => lastUse.set(n, i)));
  for (const o of net.outputs) lastUse.set(o, net.layers.length);
  const bytesOf = new Map<string, number>();
  for (const i of net.inputs) bytesOf.set(i.name, tensorBytes(i.type));
  const live = new Set<string>(net.inputs.map((i) => i.name));

  const layers: LayerStats[] = [];
  let peak = 0;
  let peakLayer = '';
  net.layers.forEach((l, i) => {
    const def = opDef(l.op);
    if (!def) throw new Error(`internal: unknown op ${l.op}`);
    const ins = inputTypes(net, l);
    const activationBytes = tensorBytes(l.output);
    bytesOf.set(l.name, activationBytes);
    live.add(l.name);
    let liveBytes = 0;
    for (const n of live) liveBytes += bytesOf.get(n) ?? 0;
    if (liveBytes > peak) {
      peak = liveBytes;
      peakLayer = l.name;
    }
    // Free tensors whose last reader was this layer (inputs never read again, dead outputs).
    for (const n of [...live]) if ((lastUse.get(n) ?? -1) <= i) live.delete(n);
    const rf =
      l.op === 'avgpool' || l.op === 'maxpool'
        ? l.attrs.global === true
          ? null
          : clipToInput(net, fields.get(l.name) ?? null)
        : clipToInput(net, fields.get(l.name) ?? null);
    layers.push({
      name: l.name,
      op: l.op,
      origin: l.origin,
      inputs: l.inputs,
      outputShape: l.output.shape,
      outputKind: l.output.kind,
      estimated: !!l.output.estimated,
      macs: def.macs(l, ins),
      params: def.params(l, ins),
      activationBytes,
      receptiveField: rf,
      liveBytes,
    });
  });
  const sum = (k: 'macs' | 'params' | 'activationBytes') => layers.reduce((a, l) => a + l[k], 0);
  return {
    name: net.name,
    layers,
    totals: { macs: sum('macs'), params: sum('params'), activationBytes: sum('activationBytes'), peakActivationBytes: peak, peakLayer },
  };
}

/** Find a layer by the user's name: exact, or the first layer a re-bound / repeated / composite name produced. */
export function findLayer(net: Network, name: string): Layer | undefined {
  return (
    net.layers.find((l) => l.name === name) ??
    net.layers.find((l) => l.name.startsWith(`${name}_1`) || l.name.startsWith(`${name}[1]`) || l.name.startsWith(`${name}.`))
  );
}
