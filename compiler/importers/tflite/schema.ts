// Hand-written accessors for the parts of the TFLite flatbuffer schema (schema.fbs) the MCU
// backend reads. Field numbers follow schema.fbs; every read is bounds-checked so that a
// malformed file becomes a MalformedFlatbuffer error instead of garbage or a crash.
import { ByteBuffer } from 'flatbuffers';

export class MalformedFlatbuffer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFlatbuffer';
  }
}

/** A flatbuffer table at `pos`; field i lives at vtable slot 4 + 2i. */
export class FbTable {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
    readonly what: string,
  ) {
    check(bb, pos, 4, what);
    const vt = pos - bb.readInt32(pos);
    check(bb, vt, 4, `${what} vtable`);
  }

  private off(field: number): number {
    const o = this.bb.__offset(this.pos, 4 + 2 * field);
    return o;
  }

  /** Absolute byte position of a scalar field, or 0 when absent (used to patch test files). */
  fieldPos(field: number): number {
    const o = this.off(field);
    return o ? this.pos + o : 0;
  }

  has(field: number): boolean {
    return this.off(field) !== 0;
  }

  u8(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 1, this.what);
    return this.bb.readUint8(this.pos + o);
  }

  i8(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 1, this.what);
    return this.bb.readInt8(this.pos + o);
  }

  bool(field: number, def: boolean): boolean {
    return this.u8(field, def ? 1 : 0) !== 0;
  }

  i32(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 4, this.what);
    return this.bb.readInt32(this.pos + o);
  }

  u32(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 4, this.what);
    return this.bb.readUint32(this.pos + o);
  }

  u64(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 8, this.what);
    return Number(this.bb.readUint64(this.pos + o));
  }

  f32(field: number, def: number): number {
    const o = this.off(field);
    if (!o) return def;
    check(this.bb, this.pos + o, 4, this.what);
    return this.bb.readFloat32(this.pos + o);
  }

  string(field: number): string | undefined {
    const o = this.off(field);
    if (!o) return undefined;
    const at = this.indirect(this.pos + o);
    const len = this.bb.readInt32(at);
    check(this.bb, at + 4, len, `${this.what} string`);
    return new TextDecoder().decode(this.bb.bytes().subarray(at + 4, at + 4 + len));
  }

  table(field: number, what: string): FbTable | undefined {
    const o = this.off(field);
    if (!o) return undefined;
    return new FbTable(this.bb, this.indirect(this.pos + o), what);
  }

  /** Start (absolute byte position) and length of a vector field. */
  vector(field: number, elemBytes: number): { start: number; length: number } | undefined {
    const o = this.off(field);
    if (!o) return undefined;
    const at = this.indirect(this.pos + o);
    const length = this.bb.readInt32(at);
    if (length < 0) throw new MalformedFlatbuffer(`${this.what}: negative vector length`);
    check(this.bb, at + 4, length * elemBytes, `${this.what} vector`);
    return { start: at + 4, length };
  }

  tables(field: number, what: string): FbTable[] {
    const v = this.vector(field, 4);
    if (!v) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++) out.push(new FbTable(this.bb, this.indirect(v.start + 4 * i), `${what} ${i}`));
    return out;
  }

  i32s(field: number): number[] {
    const v = this.vector(field, 4);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) out.push(this.bb.readInt32(v.start + 4 * i));
    return out;
  }

  f32s(field: number): number[] {
    const v = this.vector(field, 4);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) out.push(this.bb.readFloat32(v.start + 4 * i));
    return out;
  }

  i64s(field: number): number[] {
    const v = this.vector(field, 8);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) out.push(Number(this.bb.readInt64(v.start + 8 * i)));
    return out;
  }

  bytes(field: number): Uint8Array | undefined {
    const v = this.vector(field, 1);
    if (!v) return undefined;
    return this.bb.bytes().subarray(v.start, v.start + v.length);
  }

  private indirect(at: number): number {
    check(this.bb, at, 4, this.what);
    const target = at + this.bb.readUint32(at);
    check(this.bb, target, 4, this.what);
    return target;
  }
}

function check(bb: ByteBuffer, at: number, len: number, what: string): void {
  if (!Number.isInteger(at) || at < 0 || at + len > bb.capacity()) {
    throw new MalformedFlatbuffer(`${what}: offset ${at} (+${len}) is outside the file (${bb.capacity()} bytes)`);
  }
}

// schema.fbs field numbers, one place.
export const F = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6 },
  Quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  DepthwiseConv2DOptions: { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 },
  FullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2 },
  SoftmaxOptions: { beta: 0 },
  ConcatenationOptions: { axis: 0, activation: 1 },
  AddOptions: { activation: 0 },
  MulOptions: { activation: 0 },
  ReducerOptions: { keepDims: 0 },
  ResizeNearestNeighborOptions: { alignCorners: 0, halfPixelCenters: 1 },
} as const;

/** TensorType enum of schema.fbs. */
export const TENSOR_TYPES: Record<number, string> = {
  0: 'float32',
  1: 'float16',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  5: 'string',
  6: 'bool',
  7: 'int16',
  8: 'complex64',
  9: 'int8',
  10: 'float64',
  11: 'complex128',
  12: 'uint64',
  15: 'uint32',
  16: 'uint16',
  17: 'int4',
};

/** BuiltinOperator codes (names for the supported ones and common others, for messages). */
export const BUILTIN_NAMES: Record<number, string> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  5: 'DEPTH_TO_SPACE',
  6: 'DEQUANTIZE',
  7: 'EMBEDDING_LOOKUP',
  8: 'FLOOR',
  9: 'FULLY_CONNECTED',
  10: 'HASHTABLE_LOOKUP',
  11: 'L2_NORMALIZATION',
  12: 'L2_POOL_2D',
  13: 'LOCAL_RESPONSE_NORMALIZATION',
  14: 'LOGISTIC',
  15: 'LSH_PROJECTION',
  16: 'LSTM',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  20: 'RELU_N1_TO_1',
  21: 'RELU6',
  22: 'RESHAPE',
  23: 'RESIZE_BILINEAR',
  24: 'RNN',
  25: 'SOFTMAX',
  26: 'SPACE_TO_DEPTH',
  27: 'SVDF',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  36: 'GATHER',
  37: 'BATCH_TO_SPACE_ND',
  38: 'SPACE_TO_BATCH_ND',
  39: 'TRANSPOSE',
  40: 'MEAN',
  41: 'SUB',
  42: 'DIV',
  43: 'SQUEEZE',
  45: 'STRIDED_SLICE',
  47: 'EXP',
  49: 'SPLIT',
  50: 'LOG_SOFTMAX',
  53: 'CAST',
  54: 'PRELU',
  55: 'MAXIMUM',
  56: 'ARG_MAX',
  57: 'MINIMUM',
  60: 'PADV2',
  65: 'SLICE',
  70: 'EXPAND_DIMS',
  74: 'SUM',
  75: 'SQRT',
  76: 'RSQRT',
  77: 'SHAPE',
  79: 'ARG_MIN',
  82: 'REDUCE_MAX',
  83: 'PACK',
  88: 'UNPACK',
  97: 'RESIZE_NEAREST_NEIGHBOR',
  98: 'LEAKY_RELU',
  102: 'SPLIT_V',
  114: 'QUANTIZE',
  117: 'HARD_SWISH',
  127: 'BATCH_MATMUL',
};

export const PADDINGS = ['SAME', 'VALID'] as const;
export const ACTIVATIONS: Record<number, string> = { 0: 'NONE', 1: 'RELU', 2: 'RELU_N1_TO_1', 3: 'RELU6', 4: 'TANH', 5: 'SIGN_BIT' };
