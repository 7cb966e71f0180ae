// Build a network IR in code (tests, benchmarks): each layer's output type comes from the op
// registry's shape rule, the same one the .nacc lowering uses.
import type { Attrs, Network, TensorType } from '../ir/network.ts';
import { opDef } from '../ir/ops.ts';

export interface LayerSpec {
  name: string;
  op: string;
  /** Input names; default: the previous layer (or the network input). */
  inputs?: string[];
  attrs?: Attrs;
}

const CONV_DEFAULTS: Attrs = { stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0], groups: 1, act: 'none', bias: true };
const POOL_DEFAULTS: Attrs = { kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] };

export function buildNetwork(name: string, input: { name: string; type: TensorType }, specs: LayerSpec[]): Network {
  const types = new Map<string, TensorType>([[input.name, input.type]]);
  const layers: Network['layers'] = [];
  let prev = input.name;
  for (const s of specs) {
    const def = opDef(s.op);
    if (!def) throw new Error(`unknown op ${s.op}`);
    const defaults =
      s.op === 'conv2d' || s.op === 'dwconv2d'
        ? CONV_DEFAULTS
        : s.op.endsWith('pool')
          ? POOL_DEFAULTS
          : s.op === 'dense'
            ? { act: 'none', bias: true }
            : {};
    const attrs: Attrs = { ...defaults, ...(s.attrs ?? {}) };
    if (s.op === 'dwconv2d' && attrs.multiplier === undefined) attrs.multiplier = 1;
    const inputs = s.inputs ?? [prev];
    const output = def.infer(
      inputs.map((i) => types.get(i)!),
      attrs,
    );
    layers.push({ name: s.name, op: s.op, inputs, attrs, output });
    types.set(s.name, output);
    prev = s.name;
  }
  return { name, inputs: [{ name: input.name, type: input.type }], layers, outputs: [prev], source: 'nacc' };
}

/** The MLP of the federated examples: flatten, dense(hidden, relu), dense(classes). */
export function mlp(name: string, inputShape: number[], hidden: number, classes: number): Network {
  const kind = inputShape.length === 3 ? 'feature' : 'vector';
  return buildNetwork(name, { name: 'image', type: { kind, dtype: 'float32', shape: inputShape } }, [
    ...(kind === 'feature' ? [{ name: 'flat', op: 'flatten' }] : []),
    { name: 'hidden', op: 'dense', attrs: { out: hidden, act: 'relu' } },
    { name: 'logits', op: 'dense', attrs: { out: classes } },
  ]);
}
