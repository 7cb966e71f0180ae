// The int8 reference executor: runs a quantised model op by op with the reference kernels.
// Golden model for the generated C (and, through the TFLM dumps, checked against TFLite Micro).
import { D, fail } from '../../diagnostics/index.ts';
import type { QData, QModel, QTensor } from '../../ir/quantized.ts';
import { qElements, Q_DTYPE_BYTES } from '../../ir/quantized.ts';
import * as K from './kernels.ts';
import { computeOpParams, type OpParams } from './params.ts';

export type Activations = Map<number, QData>;

function allocate(t: QTensor): QData {
  return allocateData(t.dtype, qElements(t.shape));
}

/** A zeroed typed array of n elements of a tensor dtype. */
export function allocateData(dtype: QTensor['dtype'], n: number): QData {
  switch (dtype) {
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
      return new Uint8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'float32':
      return new Float32Array(n);
  }
}

/** View raw little-endian bytes as the tensor's typed array (copying for alignment). */
export function fromBytes(t: QTensor, bytes: Uint8Array, what: string): QData {
  const need = qElements(t.shape) * Q_DTYPE_BYTES[t.dtype];
  if (bytes.length !== need) {
    fail(D.int8Inputs, `${what}: ${bytes.length} bytes, but tensor '${t.name}' (${t.dtype} [${t.shape.join(', ')}]) needs ${need}`);
  }
  const out = allocate(t);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function toBytes(d: QData): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export interface RunOptions {
  /** Called after every op with its output (for per-op dumps and comparisons). */
  onOp?: (opIndex: number, outputs: QData[]) => void;
}

/** Precompute the integer params of every op (the same ones the C emitter bakes in). */
export function prepareModel(model: QModel): OpParams[] {
  return model.ops.map((op) => computeOpParams(model, op));
}

/** Run the model on one set of inputs (one typed array per model input, in order). */
export function runModel(model: QModel, inputs: QData[], opts: RunOptions = {}, params = prepareModel(model)): QData[] {
  const values: Activations = new Map();
  if (inputs.length !== model.inputs.length) fail(D.int8Inputs, `${model.name} has ${model.inputs.length} inputs, got ${inputs.length}`);
  model.inputs.forEach((id, i) => values.set(id, inputs[i]));
  const get = (id: number): QData => {
    const t = model.tensors[id];
    const v = t.data ?? values.get(id);
    if (!v) throw new Error(`tensor ${id} '${t.name}' read before it is written`);
    return v;
  };
  model.ops.forEach((op, k) => {
    const p = params[k];
    const outT = model.tensors[op.outputs[0]];
    const out = allocate(outT);
    const in0 = get(op.inputs[0]);
    const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? (get(op.inputs[2]) as Int32Array) : undefined;
    switch (p.kind) {
      case 'conv':
        K.conv2d(p, in0 as Int8Array, get(op.inputs[1]) as Int8Array, bias, out as Int8Array);
        break;
      case 'dwconv':
        K.depthwiseConv2d(p, in0 as Int8Array, get(op.inputs[1]) as Int8Array, bias, out as Int8Array);
        break;
      case 'fc':
        K.fullyConnected(p, in0 as Int8Array, get(op.inputs[1]) as Int8Array, bias, out as Int8Array);
        break;
      case 'avgpool':
        K.averagePool2d(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'maxpool':
        K.maxPool2d(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'add':
        K.add(p, in0 as Int8Array, get(op.inputs[1]) as Int8Array, out as Int8Array);
        break;
      case 'mul':
        K.mul(p, in0 as Int8Array, get(op.inputs[1]) as Int8Array, out as Int8Array);
        break;
      case 'mean':
        K.mean(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'softmax':
        K.softmax(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'pad':
        K.pad(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'transpose':
        K.transpose(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'concat':
        K.concatenation(
          p,
          op.inputs.map((i) => get(i) as Int8Array),
          out as Int8Array,
        );
        break;
      case 'resize':
        K.resizeNearestNeighbor(p, in0 as Int8Array, out as Int8Array);
        break;
      case 'quantize':
        K.quantize(p, in0 as Float32Array | Int8Array, out as Int8Array);
        break;
      case 'dequantize':
        K.dequantize(p, in0 as Int8Array, out as Float32Array);
        break;
      case 'copy':
        new Uint8Array(out.buffer).set(new Uint8Array(in0.buffer, in0.byteOffset, out.byteLength));
        break;
    }
    values.set(op.outputs[0], out);
    opts.onOp?.(op.index, [out]);
  });
  return model.outputs.map((id) => get(id));
}
