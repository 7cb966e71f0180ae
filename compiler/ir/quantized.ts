// Quantised-graph IR of the MCU backend: what a TFLite flatbuffer (or a calibrated .nacc/ONNX
// network) becomes. The int8 executor, the memory planner and the C emitter all consume it.

export type QDType = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float32';

export const Q_DTYPE_BYTES: Record<QDType, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, float32: 4 };

export interface QuantParams {
  /** One scale per tensor, or one per channel along `axis` (float32 values, kept exact). */
  scale: number[];
  zeroPoint: number[];
  /** Quantised dimension for per-channel parameters. */
  axis: number;
}

export type QData = Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array;

export interface QTensor {
  id: number;
  name: string;
  shape: number[];
  dtype: QDType;
  quant?: QuantParams;
  /** Present for constants (weights, biases, axes, shapes); activations have none. */
  data?: QData;
}

export type QOpKind =
  | 'CONV_2D'
  | 'DEPTHWISE_CONV_2D'
  | 'FULLY_CONNECTED'
  | 'ADD'
  | 'MUL'
  | 'AVERAGE_POOL_2D'
  | 'MAX_POOL_2D'
  | 'MEAN'
  | 'PAD'
  | 'RESHAPE'
  | 'TRANSPOSE'
  | 'SOFTMAX'
  | 'CONCATENATION'
  | 'RESIZE_NEAREST_NEIGHBOR'
  | 'QUANTIZE'
  | 'DEQUANTIZE';

export type Padding = 'SAME' | 'VALID';
export type Activation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6';

/** Builtin options of the supported ops (only the fields an op uses are set). */
export interface QOpOptions {
  padding?: Padding;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  filterH?: number;
  filterW?: number;
  depthMultiplier?: number;
  activation?: Activation;
  keepDims?: boolean;
  beta?: number;
  axis?: number;
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
  /** Explicit zero-point padding [top, left, bottom, right] folded in from a PAD op (padding is then VALID). */
  explicitPad?: [number, number, number, number];
}

export interface QOp {
  /** Position in execution order (the flatbuffer's operator index for TFLite). */
  index: number;
  kind: QOpKind;
  /** Tensor ids; -1 marks an omitted optional input (e.g. no bias). */
  inputs: number[];
  outputs: number[];
  options: QOpOptions;
}

export interface QModel {
  name: string;
  /** Where it came from (file path), for diagnostics. */
  source: string;
  tensors: QTensor[];
  ops: QOp[];
  inputs: number[];
  outputs: number[];
}

export function qElements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function qTensorBytes(t: QTensor): number {
  return qElements(t.shape) * Q_DTYPE_BYTES[t.dtype];
}

export function isConstant(t: QTensor): boolean {
  return t.data !== undefined;
}

/** Multiply-accumulates of one op (conv, depthwise, fully connected; zero elsewhere). */
export function opMacs(model: QModel, op: QOp): number {
  const out = model.tensors[op.outputs[0]];
  switch (op.kind) {
    case 'CONV_2D': {
      const f = model.tensors[op.inputs[1]].shape; // [OC, KH, KW, IC/groups]
      return qElements(out.shape) * f[1] * f[2] * f[3];
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = model.tensors[op.inputs[1]].shape; // [1, KH, KW, OC]
      return qElements(out.shape) * f[1] * f[2];
    }
    case 'FULLY_CONNECTED': {
      const f = model.tensors[op.inputs[1]].shape; // [OC, IC]
      return qElements(out.shape) * f[f.length - 1];
    }
    default:
      return 0;
  }
}

export function modelMacs(model: QModel): number {
  return model.ops.reduce((s, op) => s + opMacs(model, op), 0);
}
