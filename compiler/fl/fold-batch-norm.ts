// Folding batch normalisation into the convolutions before it, for deployment: a model trained
// with batch norm (conv → BN → act) becomes the plain network (conv with bias → act) every back
// end takes, using the running statistics (recalibrated per subnet) of the trainer.
import type { BatchNormState } from './batch-norm.ts';
import { BN_EPS } from './batch-norm.ts';
import type { TrainableModel } from './trainer.ts';

/**
 * The parameters of `plain` (the same network compiled without batch norm) equivalent to
 * `params` of `withBn` in inference mode: W'[.., c] = W[.., c] · s[c] and
 * b'[c] = (b[c] − mean[c]) · s[c] + beta[c], with s[c] = gamma[c] / sqrt(var[c] + eps).
 */
export function foldBatchNorm(
  withBn: TrainableModel,
  params: Float32Array,
  states: readonly BatchNormState[],
  plain: TrainableModel,
): Float32Array {
  const out = new Float32Array(plain.paramCount);
  const target = new Map(plain.params.map((p) => [p.layer, p]));
  const bnIndex = new Map<number, number>();
  for (const e of withBn.execs) if (e.kind === 'conv' && e.bn) bnIndex.set(e.w, e.bn.index);
  for (const p of withBn.params) {
    const q = target.get(p.layer);
    if (!q || q.shape.join() !== p.shape.join() || q.bn)
      throw new Error(`folding batch norm: layer '${p.layer}' does not match the plain network`);
    const count = p.shape.reduce((a, b) => a * b, 1);
    const cout = p.shape[p.shape.length - 1];
    if (!p.bn) {
      out.set(params.subarray(p.w, p.w + count), q.w);
      out.set(params.subarray(p.b, p.b + cout), q.b);
      continue;
    }
    const s = states[bnIndex.get(p.w)!];
    const scale = new Float64Array(cout);
    for (let c = 0; c < cout; c++) scale[c] = params[p.bn.gamma + c] / Math.sqrt(s.runVar[c] + BN_EPS);
    for (let i = 0; i < count; i++) out[q.w + i] = params[p.w + i] * scale[i % cout];
    for (let c = 0; c < cout; c++) out[q.b + c] = (params[p.b + c] - s.runMean[c]) * scale[c] + params[p.bn.beta + c];
  }
  return out;
}
