// The ONNX protobuf schema (onnx-proto's generated protobufjs 6 code) and the small helpers
// every other file of the importer needs: int64 → number, constant tensors decoded from TensorProto.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = InstanceType<typeof onnx.ModelProto>;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** TensorProto.DataType codes (onnx.proto). */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

export const DATA_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]));

/** AttributeProto.AttributeType codes. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

interface LongLike {
  toNumber(): number;
}

/** protobufjs decodes int64 as Long (when the `long` package is present) or number. */
export function int64(v: number | LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return v.toNumber();
}

/** A decoded constant (initializer, Constant node or folded expression), ONNX layout. */
export interface Const {
  dataType: number;
  dims: number[];
  /** Row-major values; integers are exact up to 2^53. */
  data: Float32Array | Float64Array;
}

export const constSize = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * Decode a TensorProto's values. Returns a message (not a throw) for what the importer cannot
 * read, so the caller can locate the error at the node or initializer that holds the tensor.
 */
export function decodeTensor(t: TensorProto): Const | string {
  const dims = (t.dims ?? []).map((d) => int64(d));
  const dataType = t.dataType ?? 0;
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) return `invalid dims [${dims.join(', ')}]`;
  const n = constSize(dims);
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) return 'tensors stored as external data are not supported';
  if (t.segment) return 'segmented tensors are not supported';
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const width: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };
  const w = width[dataType];
  if (w === undefined) return `tensor data type ${DATA_TYPE_NAMES[dataType] ?? dataType} is not supported`;
  if (view && view.byteLength !== n * w) return `raw data holds ${view.byteLength} bytes, dims [${dims.join(', ')}] need ${n * w}`;
  const given = view
    ? n
    : ((dataType === DataType.FLOAT
        ? t.floatData
        : dataType === DataType.DOUBLE
          ? t.doubleData
          : dataType === DataType.INT64
            ? t.int64Data
            : dataType === DataType.UINT32 || dataType === DataType.UINT64
              ? t.uint64Data
              : t.int32Data
      )?.length ?? 0);
  if (given !== n) return `tensor holds ${given} values, dims [${dims.join(', ')}] need ${n}`;
  // Lengths are checked before allocating, so a corrupt dims field cannot ask for gigabytes.
  const out = dataType === DataType.FLOAT ? new Float32Array(n) : new Float64Array(n);
  if (view) {
    for (let i = 0; i < n; i++) {
      const o = i * w;
      switch (dataType) {
        case DataType.FLOAT:
          out[i] = view.getFloat32(o, true);
          break;
        case DataType.UINT8:
        case DataType.BOOL:
          out[i] = view.getUint8(o);
          break;
        case DataType.INT8:
          out[i] = view.getInt8(o);
          break;
        case DataType.UINT16:
          out[i] = view.getUint16(o, true);
          break;
        case DataType.INT16:
          out[i] = view.getInt16(o, true);
          break;
        case DataType.INT32:
          out[i] = view.getInt32(o, true);
          break;
        case DataType.INT64:
          out[i] = Number(view.getBigInt64(o, true));
          break;
        case DataType.FLOAT16:
          out[i] = half(view.getUint16(o, true));
          break;
        case DataType.DOUBLE:
          out[i] = view.getFloat64(o, true);
          break;
        case DataType.UINT32:
          out[i] = view.getUint32(o, true);
          break;
        case DataType.UINT64:
          out[i] = Number(view.getBigUint64(o, true));
          break;
      }
    }
    return { dataType, dims, data: out };
  }
  let src: ArrayLike<number | LongLike>;
  switch (dataType) {
    case DataType.FLOAT:
      src = t.floatData ?? [];
      break;
    case DataType.DOUBLE:
      src = t.doubleData ?? [];
      break;
    case DataType.INT64:
      src = t.int64Data ?? [];
      break;
    case DataType.UINT32:
    case DataType.UINT64:
      src = t.uint64Data ?? [];
      break;
    default:
      src = t.int32Data ?? [];
  }
  if (src.length !== n) return `tensor holds ${src.length} values, dims [${dims.join(', ')}] need ${n}`;
  for (let i = 0; i < n; i++) {
    const v = int64(src[i]);
    out[i] = dataType === DataType.FLOAT16 ? half(v) : v;
  }
  return { dataType, dims, data: out };
}

/** IEEE 754 half → number. */
function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
