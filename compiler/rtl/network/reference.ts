// The int8 reference of a whole network as the accelerator runs it: the network quantised
// exactly as `nacc run` does (mcu/calibrate.ts, same --seed), a seeded input, every op's output
// from the reference executor, and each conv/depthwise/dense op's weights and requantisation.
import { D, fail, type Location } from '../../diagnostics/index.ts';
import type { LayerConstants } from '../accelerator/golden.ts';
import type { Network } from '../../ir/network.ts';
import type { QData, QModel, QOp } from '../../ir/quantized.ts';
import { quantizeNetwork } from '../../mcu/calibrate.ts';
import { runModel, prepareModel } from '../../reference/int8/executor.ts';
import type { ConvParams, FcParams, OpParams } from '../../reference/int8/params.ts';
import { Prng } from '../../util/prng.ts';

/** Weights and requantisation of one conv/depthwise/dense op, in the accelerator's layouts (as a bench layer's). */
export type AcceleratorOpData = LayerConstants;

export interface NetworkReference {
  model: QModel;
  params: OpParams[];
  /** The network's input as int8 bytes in DRAM (after a float input's quantisation). */
  inputTensor: number;
  /** Every int8 activation tensor's value (by tensor id): the input and each op's output. */
  values: Map<number, Int8Array>;
}

/** Quantises the network as `nacc run` does and runs the int8 reference on a seeded input. */
export function networkReference(net: Network, seed: number): NetworkReference {
  const model = quantizeNetwork(net, { seed, source: net.name });
  const params = prepareModel(model);
  const inT = model.tensors[model.inputs[0]];
  const rng = new Prng(seed * 7919 + 17);
  const count = inT.shape.reduce((a, b) => a * b, 1);
  const input: QData =
    inT.dtype === 'float32'
      ? Float32Array.from({ length: count }, () => rng.next() * 2 - 1)
      : Int8Array.from({ length: count }, () => rng.int(256) - 128);
  const values = new Map<number, Int8Array>();
  if (input instanceof Int8Array) values.set(model.inputs[0], input);
  runModel(
    model,
    [input],
    {
      onOp: (i, outs) => {
        const out = outs[0];
        if (out instanceof Int8Array) values.set(model.ops[i].outputs[0], out);
      },
    },
    params,
  );
  // A float input is quantised by the model's first op; its int8 output is what DRAM holds.
  const q = model.ops.find((op) => op.kind === 'QUANTIZE' && op.inputs[0] === model.inputs[0]);
  return { model, params, inputTensor: q ? q.outputs[0] : model.inputs[0], values };
}

/** The weights and requantisation of a conv/depthwise/dense op as the accelerator loads them. */
export function acceleratorOpData(ref: NetworkReference, op: QOp, where?: Location): AcceleratorOpData {
  const p = ref.params[op.index];
  const filter = ref.model.tensors[op.inputs[1]];
  const biasT = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? ref.model.tensors[op.inputs[2]] : undefined;
  if (p.kind !== 'conv' && p.kind !== 'dwconv' && p.kind !== 'fc')
    fail(D.rtlNetworkOp, `op ${op.index} (${op.kind}) is not a convolution or dense layer`, where);
  const w = filter.data as Int8Array;
  const size = filter.shape.reduce((a, b) => a * b, 1);
  if (!w || w.length !== size)
    fail(
      D.rtlNetworkFilter,
      `op ${op.index} (${op.kind}, '${ref.model.tensors[op.outputs[0]].name}'): the quantised model's filter holds ${w?.length ?? 0} values for its shape [${filter.shape.join(', ')}] (${size}); the int8 reference cannot run it`,
      where,
    );
  let weights = w;
  if (p.kind === 'dwconv') {
    // TFLite's depthwise filter is [1][kernel rows][kernel cols][K]; the accelerator reads [K][rows][cols].
    const [, kh, kw, K] = filter.shape;
    weights = new Int8Array(w.length);
    for (let k = 0; k < K; k++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) weights[(k * kh + y) * kw + x] = w[(y * kw + x) * K + k];
  }
  const channels = p.kind === 'fc' ? (p as FcParams).outDepth : (p as ConvParams).outC;
  if (p.kind === 'fc' && (p as FcParams).filterOffset !== 0)
    fail(D.rtlDenseZeroPoint, `op ${op.index}: dense weights with a zero point are not supported by the accelerator`, where);
  return {
    weights,
    bias: biasT ? (biasT.data as Int32Array) : new Int32Array(channels),
    multipliers: p.multipliers,
    shifts: p.shifts,
    inputOffset: p.inputOffset,
    outputZeroPoint: p.outputOffset,
    actMin: p.actMin,
    actMax: p.actMax,
  };
}
