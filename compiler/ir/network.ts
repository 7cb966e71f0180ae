// The network graph IR: what the .nacc front-end, the ONNX importer and (via a calibration
// step) the TFLite importer produce, and what analysis and every back-end consume.
import type { Location } from '../diagnostics/diagnostic.ts';

export type ElementType = 'int8' | 'float32';

/**
 * Tensor kinds and their shape conventions (batch is always 1 and never stored):
 * - feature: [H, W, C]          a dense image-like activation
 * - vector:  [C]                after flatten / global pooling / dense
 * - points:  [N, 3 + F]         a point cloud: 3 coordinates then F features
 * - voxels:  [N, 3 + F]         a sparse voxel cloud; N is an estimate (the declared count)
 */
export type TensorKind = 'feature' | 'vector' | 'points' | 'voxels';

export interface TensorType {
  kind: TensorKind;
  dtype: ElementType;
  shape: number[];
  /** True when a dimension is an estimate (sparse voxel counts). */
  estimated?: boolean;
}

export type AttrValue = number | string | boolean | number[] | string[];
export type Attrs = Record<string, AttrValue>;

/** One primitive operation. Composite ops (mbconv, set_abstraction, user blocks) are expanded by lowering. */
export interface Layer {
  /** Unique, stable name: the bound name when bound once, else `name_2`, `name_3`...; sub-layers `x.expand`. */
  name: string;
  /** Primitive op name, a key of the op registry (compiler/ir/ops.ts). */
  op: string;
  /** Names of producer layers or network inputs, in argument order. */
  inputs: string[];
  /** Normalised attributes (see each op's definition for the keys). */
  attrs: Attrs;
  output: TensorType;
  /** The composite op or block call this layer came from, if any (e.g. `mbconv`). */
  origin?: string;
  /** Where the user wrote it. */
  location?: Location;
  /** Constant operands an importer decoded, by role (kernel, bias, scale, shift); layouts in docs/onnx.md. */
  weights?: Record<string, ConstTensor>;
}

/** A constant tensor kept from an imported model (e.g. ONNX initializers), row-major. */
export interface ConstTensor {
  dtype: 'float32' | 'int8' | 'uint8' | 'int32';
  shape: number[];
  data: Float32Array | Int8Array | Uint8Array | Int32Array;
}

export interface NetworkInput {
  name: string;
  type: TensorType;
  /** Extra declared properties, e.g. voxel_size for voxel inputs. */
  attrs?: Attrs;
  location?: Location;
}

export interface Network {
  name: string;
  inputs: NetworkInput[];
  /** Topologically ordered. */
  layers: Layer[];
  /** Names of layers (or inputs) that are network outputs. */
  outputs: string[];
  source: 'nacc' | 'onnx' | 'tflite';
  location?: Location;
}

export function elementBytes(dtype: ElementType): number {
  return dtype === 'int8' ? 1 : 4;
}

export function tensorElements(t: TensorType): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

export function tensorBytes(t: TensorType): number {
  return tensorElements(t) * elementBytes(t.dtype);
}

/** Find a producer (layer or input) by name. */
export function producerType(net: Network, name: string): TensorType | undefined {
  const input = net.inputs.find((i) => i.name === name);
  if (input) return input.type;
  return net.layers.find((l) => l.name === name)?.output;
}
