// Seeded random input bytes for a quantised model (shared by the MCU benches): int8 values,
// or for a float input the values that quantise exactly to them through the first op's scale.
import type { QModel } from '../compiler/ir/quantized.ts';
import { toBytes } from '../compiler/reference/int8/executor.ts';
import type { Prng } from '../compiler/util/prng.ts';

export function randomModelInput(m: QModel, rng: Prng): Uint8Array {
  const t = m.tensors[m.inputs[0]];
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.dtype === 'float32') {
    const s = m.tensors[m.ops[0].outputs[0]].quant!.scale[0];
    return toBytes(Float32Array.from({ length: n }, () => Math.fround(s * (rng.int(256) - 128))));
  }
  return toBytes(Int8Array.from({ length: n }, () => rng.int(256) - 128));
}
