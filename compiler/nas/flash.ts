// Flash a subnet needs on a microcontroller once quantised: int8 weights, and per output
// channel an int32 bias and the requantisation multiplier and shift (code excluded).
import type { Network } from '../ir/network.ts';

export function flashBytesOf(net: Network): number {
  let bytes = 0;
  const shapes = new Map<string, number[]>(net.inputs.map((i) => [i.name, i.type.shape]));
  for (const l of net.layers) {
    const inShape = shapes.get(l.inputs[0]) ?? [];
    const cin = inShape[inShape.length - 1] ?? 0;
    const out = l.output.shape[l.output.shape.length - 1] ?? 0;
    if (l.op === 'conv2d' || l.op === 'dwconv2d') {
      const k = Array.isArray(l.attrs.kernel) ? (l.attrs.kernel as number[]) : [Number(l.attrs.kernel), Number(l.attrs.kernel)];
      const groups = l.op === 'dwconv2d' ? cin : Number(l.attrs.groups ?? 1);
      bytes += k[0] * k[1] * (cin / groups) * out + 12 * out;
    } else if (l.op === 'dense') {
      const inSize = inShape.reduce((a, b) => a * b, 1);
      bytes += inSize * out + 12 * out;
    }
    shapes.set(l.name, l.output.shape);
  }
  return bytes;
}
