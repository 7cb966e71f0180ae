// A small TFLite flatbuffer writer for tests: builds int8 models with the ops the shared
// models lack (dilation, groups, depth multiplier, MUL/ADD broadcasting, RESIZE_NEAREST_NEIGHBOR,
// MAX_POOL_2D, CONCATENATION, requantising QUANTIZE) so import, reference and C can be
// checked on them. Field numbers follow schema.fbs (see compiler/importers/tflite/schema.ts).
import { Builder } from 'flatbuffers';
import { Prng } from '../../compiler/util/prng.ts';

type Offset = number;

export interface WTensor {
  name: string;
  shape: number[];
  type: 'int8' | 'int32' | 'float32';
  scale?: number[];
  zeroPoint?: number[];
  axis?: number;
  data?: Int8Array | Int32Array | Float32Array;
}

export interface WOp {
  code: number; // BuiltinOperator
  inputs: number[];
  outputs: number[];
  /** builtin_options union type and fields (slot, kind, value). */
  optionsType?: number;
  options?: [number, 'i8' | 'i32' | 'f32' | 'bool', number][];
}

const TYPE_CODE = { float32: 0, int32: 2, int8: 9 } as const;

function vecI32(b: Builder, xs: number[]): Offset {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
  return b.endVector();
}
function vecF32(b: Builder, xs: number[]): Offset {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]);
  return b.endVector();
}
function vecI64(b: Builder, xs: number[]): Offset {
  b.startVector(8, xs.length, 8);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt64(BigInt(xs[i]));
  return b.endVector();
}
function vecBytes(b: Builder, xs: Uint8Array): Offset {
  b.startVector(1, xs.length, 16);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt8(xs[i]);
  return b.endVector();
}
function vecOffsets(b: Builder, xs: Offset[]): Offset {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]);
  return b.endVector();
}

export function writeTflite(tensors: WTensor[], ops: WOp[], inputs: number[], outputs: number[]): Uint8Array {
  const b = new Builder(1024);
  // buffers: 0 is the empty sentinel; one per constant tensor
  const bufferOffsets: Offset[] = [];
  b.startObject(3);
  bufferOffsets.push(b.endObject());
  const tensorBuffer: number[] = [];
  for (const t of tensors) {
    if (!t.data) {
      tensorBuffer.push(0);
      continue;
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const data = vecBytes(b, bytes);
    b.startObject(3);
    b.addFieldOffset(0, data, 0);
    bufferOffsets.push(b.endObject());
    tensorBuffer.push(bufferOffsets.length - 1);
  }
  const tensorOffsets = tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = vecI32(b, t.shape);
    let quant = 0;
    if (t.scale) {
      const scale = vecF32(b, t.scale);
      const zp = vecI64(b, t.zeroPoint ?? t.scale.map(() => 0));
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zp, 0);
      b.addFieldInt32(6, t.axis ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, TYPE_CODE[t.type], 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  const codes = [...new Set(ops.map((o) => o.code))];
  const opcodeOffsets = codes.map((c) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c, 127), 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, c, 0);
    return b.endObject();
  });
  const opOffsets = ops.map((o) => {
    const ins = vecI32(b, o.inputs);
    const outs = vecI32(b, o.outputs);
    let opts = 0;
    if (o.options) {
      b.startObject(12);
      for (const [slot, kind, v] of o.options) {
        if (kind === 'i8' || kind === 'bool') b.addFieldInt8(slot, v, -1);
        else if (kind === 'i32') b.addFieldInt32(slot, v, -1);
        else b.addFieldFloat32(slot, v, -1);
      }
      opts = b.endObject();
    }
    b.startObject(13);
    b.addFieldInt32(0, codes.indexOf(o.code), 0);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    if (opts) {
      b.addFieldInt8(3, o.optionsType ?? 1, 0);
      b.addFieldOffset(4, opts, 0);
    }
    return b.endObject();
  });
  const tensorsVec = vecOffsets(b, tensorOffsets);
  const inVec = vecI32(b, inputs);
  const outVec = vecI32(b, outputs);
  const opsVec = vecOffsets(b, opOffsets);
  const sgName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inVec, 0);
  b.addFieldOffset(2, outVec, 0);
  b.addFieldOffset(3, opsVec, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();
  const opcodesVec = vecOffsets(b, opcodeOffsets);
  const subgraphsVec = vecOffsets(b, [subgraph]);
  const buffersVec = vecOffsets(b, bufferOffsets);
  const desc = b.createString('nacc test model');
  b.startObject(8);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, opcodesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, buffersVec, 0);
  const model = b.endObject();
  b.finish(model, 'TFL3');
  return b.asUint8Array().slice();
}

/**
 * An int8 model using every op the shared models lack, with seeded weights:
 * input [1,8,8,4] -> CONV_2D (3x3, dilation 2, SAME, 2 groups, per-channel) -> DEPTHWISE
 * (multiplier 2, stride 2, VALID) -> MUL by a broadcast constant -> RESIZE_NEAREST_NEIGHBOR
 * (half-pixel) -> MAX_POOL_2D (SAME, 3x3/2) ; a second branch AVERAGE_POOL + requantising
 * QUANTIZE + ADD with broadcast ; CONCATENATION -> RESHAPE -> FULLY_CONNECTED (per-channel)
 * -> SOFTMAX.
 */
export function allOpsModel(seed: number): Uint8Array {
  const rng = new Prng(seed);
  const i8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(255) - 127);
  const i32 = (n: number, r: number) => Int32Array.from({ length: n }, () => rng.int(2 * r) - r);
  const scales = (n: number, base: number) => Array.from({ length: n }, () => Math.fround(base * (0.5 + rng.next())));
  const T: WTensor[] = [];
  const add = (t: WTensor) => T.push(t) - 1;
  const act = (name: string, shape: number[], scale: number, zp: number) =>
    add({ name, shape, type: 'int8', scale: [Math.fround(scale)], zeroPoint: [zp] });

  const x = act('input', [1, 8, 8, 4], 0.05, 3);
  const w1 = add({
    name: 'conv.w',
    shape: [6, 3, 3, 2],
    type: 'int8',
    scale: scales(6, 0.01),
    zeroPoint: new Array(6).fill(0),
    axis: 0,
    data: i8(6 * 9 * 2),
  });
  const b1 = add({ name: 'conv.b', shape: [6], type: 'int32', data: i32(6, 500) });
  const c1 = act('conv', [1, 8, 8, 6], 0.04, -20);
  const w2 = add({
    name: 'dw.w',
    shape: [1, 3, 3, 12],
    type: 'int8',
    scale: scales(12, 0.02),
    zeroPoint: new Array(12).fill(0),
    axis: 3,
    data: i8(9 * 12),
  });
  const b2 = add({ name: 'dw.b', shape: [12], type: 'int32', data: i32(12, 300) });
  const d1 = act('dw', [1, 3, 3, 12], 0.06, 5);
  const k = add({ name: 'mul.k', shape: [1, 1, 1, 12], type: 'int8', scale: [Math.fround(0.02)], zeroPoint: [-3], data: i8(12) });
  const m1 = act('mul', [1, 3, 3, 12], 0.03, -7);
  const size = add({ name: 'resize.size', shape: [2], type: 'int32', data: Int32Array.from([7, 5]) });
  const r1 = act('resize', [1, 7, 5, 12], 0.03, -7);
  const p1 = act('maxpool', [1, 4, 3, 12], 0.03, -7);
  // branch 2 from the input
  const a1 = act('avgpool', [1, 4, 3, 4], 0.05, 3);
  const q1 = act('requant', [1, 4, 3, 4], 0.07, -10);
  const bias2 = add({ name: 'add.k', shape: [1, 1, 3, 4], type: 'int8', scale: [Math.fround(0.04)], zeroPoint: [2], data: i8(12) });
  const s1 = act('add', [1, 4, 3, 4], 0.03, -7);
  const cat = act('concat', [1, 4, 3, 16], 0.03, -7);
  const shp = add({ name: 'reshape.shape', shape: [2], type: 'int32', data: Int32Array.from([1, 192]) });
  const flat = act('flat', [1, 192], 0.03, -7);
  const w3 = add({
    name: 'fc.w',
    shape: [10, 192],
    type: 'int8',
    scale: scales(10, 0.005),
    zeroPoint: new Array(10).fill(0),
    axis: 0,
    data: i8(1920),
  });
  const b3 = add({ name: 'fc.b', shape: [10], type: 'int32', data: i32(10, 2000) });
  const f1 = act('fc', [1, 10], 0.2, 4);
  const sm = act('softmax', [1, 10], 1 / 256, -128);

  const ops: WOp[] = [
    // Conv2DOptions (type 1): padding SAME=0, stride_w, stride_h, act RELU6=3, dilation_w, dilation_h
    {
      code: 3,
      inputs: [x, w1, b1],
      outputs: [c1],
      optionsType: 1,
      options: [
        [0, 'i8', 0],
        [1, 'i32', 1],
        [2, 'i32', 1],
        [3, 'i8', 3],
        [4, 'i32', 2],
        [5, 'i32', 2],
      ],
    },
    // DepthwiseConv2DOptions (type 2): VALID, stride 2, multiplier 2, RELU
    {
      code: 4,
      inputs: [c1, w2, b2],
      outputs: [d1],
      optionsType: 2,
      options: [
        [0, 'i8', 1],
        [1, 'i32', 2],
        [2, 'i32', 2],
        [3, 'i32', 2],
        [4, 'i8', 1],
        [5, 'i32', 1],
        [6, 'i32', 1],
      ],
    },
    { code: 18, inputs: [d1, k], outputs: [m1], optionsType: 21, options: [[0, 'i8', 0]] },
    // ResizeNearestNeighborOptions: align_corners false, half_pixel_centers true
    {
      code: 97,
      inputs: [m1, size],
      outputs: [r1],
      optionsType: 74,
      options: [
        [0, 'bool', 0],
        [1, 'bool', 1],
      ],
    },
    // Pool2DOptions (type 5): SAME, stride 2, filter 3x3
    {
      code: 17,
      inputs: [r1],
      outputs: [p1],
      optionsType: 5,
      options: [
        [0, 'i8', 0],
        [1, 'i32', 2],
        [2, 'i32', 2],
        [3, 'i32', 3],
        [4, 'i32', 3],
        [5, 'i8', 0],
      ],
    },
    {
      code: 1,
      inputs: [x],
      outputs: [a1],
      optionsType: 5,
      options: [
        [0, 'i8', 0],
        [1, 'i32', 3],
        [2, 'i32', 2],
        [3, 'i32', 2],
        [4, 'i32', 3],
        [5, 'i8', 0],
      ],
    },
    { code: 114, inputs: [a1], outputs: [q1] },
    { code: 0, inputs: [q1, bias2], outputs: [s1], optionsType: 11, options: [[0, 'i8', 1]] },
    {
      code: 2,
      inputs: [p1, s1],
      outputs: [cat],
      optionsType: 10,
      options: [
        [0, 'i32', 3],
        [1, 'i8', 0],
      ],
    },
    { code: 22, inputs: [cat, shp], outputs: [flat] },
    { code: 9, inputs: [flat, w3, b3], outputs: [f1], optionsType: 8, options: [[0, 'i8', 0]] },
    { code: 25, inputs: [f1], outputs: [sm], optionsType: 9, options: [[0, 'f32', 1]] },
  ];
  return writeTflite(T, ops, [x], [sm, f1]);
}
