// A small ONNX model builder (encodes a ModelProto with protobufjs), so tests and example
// scripts can write .onnx files in TypeScript without Python.
import {
  AttrType,
  DataType,
  onnx,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../../compiler/importers/onnx/proto.ts';

/** An attribute value: integers become INT(S), other numbers FLOAT(S); wrap with `floats()` to force floats. */
export type AttrInput = number | number[] | string | { floats: number[] } | { tensor: TensorProto };

/** Force a float attribute even for integral values (e.g. Clip's min = 0 in opset 6). */
export const floats = (...values: number[]): { floats: number[] } => ({ floats: values });

function attribute(name: string, v: AttrInput): AttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: Buffer.from(v, 'utf8') };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: AttrType.INT, i: v } : { name, type: AttrType.FLOAT, f: v };
  if (Array.isArray(v))
    return v.every((x) => Number.isInteger(x)) ? { name, type: AttrType.INTS, ints: v } : { name, type: AttrType.FLOATS, floats: v };
  if ('tensor' in v) return { name, type: AttrType.TENSOR, t: v.tensor };
  return v.floats.length === 1 ? { name, type: AttrType.FLOAT, f: v.floats[0] } : { name, type: AttrType.FLOATS, floats: v.floats };
}

/** A TensorProto; float data as raw little-endian bytes (as exporters write it), others as typed fields. */
export function tensor(name: string, dims: number[], values: ArrayLike<number>, dataType: number = DataType.FLOAT): TensorProto {
  const vals = Array.from(values);
  const n = dims.reduce((a, b) => a * b, 1);
  if (vals.length !== n) throw new Error(`tensor ${name}: ${vals.length} values for dims [${dims.join(', ')}]`);
  if (dataType === DataType.FLOAT) {
    const raw = new Uint8Array(new Float32Array(vals).buffer);
    return { name, dims, dataType, rawData: raw };
  }
  if (dataType === DataType.INT64) return { name, dims, dataType, int64Data: vals };
  if (dataType === DataType.DOUBLE) return { name, dims, dataType, doubleData: vals };
  return { name, dims, dataType, int32Data: vals };
}

function valueInfo(name: string, elemType: number, shape?: (number | string)[]): ValueInfoProto {
  const tensorType: { elemType: number; shape?: { dim: { dimValue?: number; dimParam?: string }[] } } = { elemType };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

export class OnnxBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private counter = 0;

  constructor(
    readonly graphName = 'graph',
    readonly opset = 13,
  ) {}

  input(name: string, shape: (number | string)[], elemType: number = DataType.FLOAT): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  /** Declare a graph output (its shape is left to onnxruntime's inference). */
  output(name: string, elemType: number = DataType.FLOAT): this {
    this.outputs.push(valueInfo(name, elemType));
    return this;
  }

  init(name: string, dims: number[], values: ArrayLike<number>, dataType: number = DataType.FLOAT): string {
    this.inits.push(tensor(name, dims, values, dataType));
    return name;
  }

  /** Add a node; returns its first output's name (generated from the op type when omitted). */
  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrInput> = {},
    opts: { name?: string; outputs?: string[]; domain?: string } = {},
  ): string {
    const k = this.counter++;
    const outputs = opts.outputs ?? [`${opType.toLowerCase()}_${k}`];
    const node: NodeProto = {
      opType,
      input: inputs,
      output: outputs,
      name: opts.name ?? `${opType}_${k}`,
      attribute: Object.entries(attrs).map(([n, v]) => attribute(n, v)),
    };
    if (opts.domain) node.domain = opts.domain;
    this.nodes.push(node);
    return outputs[0];
  }

  /** The encoded model as a plain Uint8Array (not a Buffer, whose slice() would share memory). */
  toBytes(): Uint8Array {
    const encoded = onnx.ModelProto.encode({
      irVersion: 8,
      producerName: 'nacc-onnx-builder',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: this.graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    }).finish();
    return new Uint8Array(encoded);
  }
}
