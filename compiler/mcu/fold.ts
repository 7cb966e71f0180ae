// Graph rewrites before planning: a PAD whose only reader is a VALID convolution becomes
// that convolution's explicit padding. The padded value is the conv input's zero point, so
// those taps add filter * 0, exactly as skipping them does: outputs stay bit-identical
// while the padded copy of the feature map disappears from the memory plan.
import type { QModel, QOp } from '../ir/quantized.ts';

export function foldPads(model: QModel): QModel {
  const readers = new Map<number, number[]>();
  model.ops.forEach((op, k) => op.inputs.forEach((t) => t >= 0 && readers.set(t, [...(readers.get(t) ?? []), k])));
  const drop = new Set<number>();
  const replaced = new Map<number, QOp>();
  model.ops.forEach((op, k) => {
    if (op.kind !== 'PAD') return;
    const padded = op.outputs[0];
    const r = readers.get(padded) ?? [];
    if (r.length !== 1 || model.outputs.includes(padded)) return;
    const conv = model.ops[r[0]];
    if ((conv.kind !== 'CONV_2D' && conv.kind !== 'DEPTHWISE_CONV_2D') || conv.inputs[0] !== padded) return;
    if (conv.options.padding !== 'VALID' || conv.options.explicitPad) return;
    const pads = model.tensors[op.inputs[1]].data as Int32Array;
    const src = model.tensors[op.inputs[0]];
    if (pads.length !== 8 || pads[0] || pads[1] || pads[6] || pads[7] || src.data) return;
    if (
      src.quant?.zeroPoint[0] !== model.tensors[padded].quant?.zeroPoint[0] ||
      src.quant?.scale[0] !== model.tensors[padded].quant?.scale[0]
    )
      return;
    drop.add(k);
    replaced.set(r[0], {
      ...conv,
      inputs: [op.inputs[0], ...conv.inputs.slice(1)],
      options: { ...conv.options, explicitPad: [pads[2], pads[4], pads[3], pads[5]] },
    });
  });
  if (drop.size === 0) return model;
  const ops = model.ops
    .map((op, k) => replaced.get(k) ?? op)
    .filter((_, k) => !drop.has(k))
    .map((op, index) => ({ ...op, index }));
  return { ...model, ops };
}
