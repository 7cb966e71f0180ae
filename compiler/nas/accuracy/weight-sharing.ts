// Weight sharing: every subnet's parameters are a slice of the supernet's (the largest
// subnet's) — the first channels of every tensor (batch-norm scales and shifts included), the
// centre of every kernel, the first blocks of every stage — as once-for-all shares them. An
// index map per subnet turns a subnet's flat parameter vector into positions in the supernet's.
import type { TrainableModel } from '../../fl/trainer.ts';

/**
 * For every parameter of `sub`, its index in `sup`. Layers are matched by name (the subnet
 * generator keeps names stable); a layer or a tensor larger than the supernet's is a bug.
 */
export function shareIndex(sub: TrainableModel, sup: TrainableModel): Int32Array {
  const idx = new Int32Array(sub.paramCount).fill(-1);
  const byName = new Map(sup.params.map((p) => [p.layer, p]));
  for (const p of sub.params) {
    const q = byName.get(p.layer);
    if (!q) throw new Error(`weight sharing: subnet layer '${p.layer}' has no counterpart in the supernet`);
    if (p.shape.length !== q.shape.length || p.shape.some((d, i) => d > q.shape[i])) {
      throw new Error(`weight sharing: layer '${p.layer}' is [${p.shape}] in the subnet but [${q.shape}] in the supernet`);
    }
    const out = p.shape[p.shape.length - 1];
    const OUT = q.shape[q.shape.length - 1];
    if (p.shape.length === 2) {
      const [inn] = p.shape;
      for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) idx[p.w + i * out + o] = q.w + i * OUT + o;
    } else {
      const [kh, kw, ci] = p.shape;
      const [KH, KW, CI] = q.shape;
      const dy = (KH - kh) >> 1;
      const dx = (KW - kw) >> 1;
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let c = 0; c < ci; c++)
            for (let o = 0; o < out; o++)
              idx[p.w + ((y * kw + x) * ci + c) * out + o] = q.w + (((y + dy) * KW + (x + dx)) * CI + c) * OUT + o;
    }
    for (let o = 0; o < out; o++) idx[p.b + o] = q.b + o;
    if (p.bn || q.bn) {
      if (!p.bn || !q.bn) throw new Error(`weight sharing: layer '${p.layer}' has batch norm in only one of subnet and supernet`);
      for (let o = 0; o < out; o++) {
        idx[p.bn.gamma + o] = q.bn.gamma + o;
        idx[p.bn.beta + o] = q.bn.beta + o;
      }
    }
  }
  if (idx.some((i) => i < 0)) throw new Error('weight sharing: a subnet parameter has no place in the supernet');
  return idx;
}

/** The subnet's parameters, read out of the supernet's. */
export function gatherParams(sup: Float32Array, idx: Int32Array, out: Float32Array = new Float32Array(idx.length)): Float32Array {
  for (let i = 0; i < idx.length; i++) out[i] = sup[idx[i]];
  return out;
}

/** Add a subnet's gradient into the supernet's. */
export function scatterAddGrad(supGrad: Float32Array, idx: Int32Array, grad: Float32Array, scale = 1): void {
  for (let i = 0; i < idx.length; i++) supGrad[idx[i]] += scale * grad[i];
}
