// Deterministic test inputs for quantised models, generated the way the TFLite Micro
// reference folders describe: an LCG (x = 1103515245 x + 12345 mod 2^31, byte = x >> 16)
// seeded with k + 1 gives the int8 tensor; a float input gets TFLM's dequantisation of it.
import type { QModel } from '../ir/quantized.ts';
import { qElements } from '../ir/quantized.ts';

export function lcgInt8(count: number, seed: number): Int8Array {
  const out = new Int8Array(count);
  let x = BigInt(seed);
  for (let n = 0; n < count; n++) {
    x = (1103515245n * x + 12345n) % 2147483648n;
    out[n] = (Number((x >> 16n) & 0xffn) << 24) >> 24;
  }
  return out;
}

/** Raw bytes of model input `index` for LCG seed `seed`. */
export function makeInput(model: QModel, seed: number, index = 0): Uint8Array {
  const t = model.tensors[model.inputs[index]];
  const n = qElements(t.shape);
  const q = lcgInt8(n, seed);
  if (t.dtype === 'int8') return new Uint8Array(q.buffer);
  if (t.dtype === 'float32') {
    // float input quantised by the first op: feed exactly the dequantised q
    const consumer = model.ops.find((op) => op.kind === 'QUANTIZE' && op.inputs[0] === t.id);
    const qt = consumer ? model.tensors[consumer.outputs[0]].quant : undefined;
    const scale = qt?.scale[0] ?? 1 / 128;
    const zp = qt?.zeroPoint[0] ?? 0;
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) f[i] = Math.fround(scale * (q[i] - zp));
    return new Uint8Array(f.buffer);
  }
  throw new Error(`no input generator for ${t.dtype} inputs`);
}
