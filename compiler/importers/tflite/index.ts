// TFLite flatbuffer importer: int8 models (per-channel quantisation, float I/O around an int8
// body) into the quantised-graph IR. Unsupported ops and malformed files are located errors.
import { ByteBuffer } from 'flatbuffers';
import { D, fail, UserError } from '../../diagnostics/index.ts';
import type { Activation, QData, QDType, QModel, QOp, QOpKind, QOpOptions, QTensor } from '../../ir/quantized.ts';
import { qElements } from '../../ir/quantized.ts';
import { ACTIVATIONS, BUILTIN_NAMES, F, FbTable, MalformedFlatbuffer, PADDINGS, TENSOR_TYPES } from './schema.ts';

const SUPPORTED: Record<string, QOpKind> = {
  CONV_2D: 'CONV_2D',
  DEPTHWISE_CONV_2D: 'DEPTHWISE_CONV_2D',
  FULLY_CONNECTED: 'FULLY_CONNECTED',
  ADD: 'ADD',
  MUL: 'MUL',
  AVERAGE_POOL_2D: 'AVERAGE_POOL_2D',
  MAX_POOL_2D: 'MAX_POOL_2D',
  MEAN: 'MEAN',
  PAD: 'PAD',
  RESHAPE: 'RESHAPE',
  TRANSPOSE: 'TRANSPOSE',
  SOFTMAX: 'SOFTMAX',
  CONCATENATION: 'CONCATENATION',
  RESIZE_NEAREST_NEIGHBOR: 'RESIZE_NEAREST_NEIGHBOR',
  QUANTIZE: 'QUANTIZE',
  DEQUANTIZE: 'DEQUANTIZE',
};

const SUPPORTED_DTYPES = new Set(['int8', 'uint8', 'int16', 'int32', 'int64', 'float32']);

/** Import a .tflite file's bytes. `file` names the file in diagnostics. */
export function importTflite(bytes: Uint8Array, file: string, name = modelNameOf(file)): QModel {
  try {
    // A plain Uint8Array view: Node Buffers' slice() does not copy.
    return parse(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file, name);
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof MalformedFlatbuffer || e instanceof RangeError || e instanceof TypeError) {
      fail(D.tfliteMalformed, `${file}: malformed TFLite flatbuffer: ${(e as Error).message}`);
    }
    throw e;
  }
}

function modelNameOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.tflite$/i, '');
}

function parse(bytes: Uint8Array, file: string, name: string): QModel {
  if (bytes.length < 8) fail(D.tfliteMalformed, `${file}: not a TFLite file (${bytes.length} bytes)`);
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (ident !== 'TFL3') fail(D.tfliteMalformed, `${file}: not a TFLite file (file identifier '${ident}', expected 'TFL3')`);
  const bb = new ByteBuffer(bytes);
  const root = new FbTable(bb, bb.readUint32(0), 'Model');
  const version = root.u32(F.Model.version, 0);
  if (version !== 3) fail(D.tfliteMalformed, `${file}: unsupported TFLite schema version ${version} (expected 3)`);

  const opcodes = root.tables(F.Model.operatorCodes, 'OperatorCode').map((t) => {
    const deprecated = t.i8(F.OperatorCode.deprecatedBuiltinCode, 0);
    const code = t.i32(F.OperatorCode.builtinCode, 0);
    const builtin = Math.max(deprecated, code);
    return { builtin, custom: t.string(F.OperatorCode.customCode) };
  });
  const buffers = root.tables(F.Model.buffers, 'Buffer');
  const subgraphs = root.tables(F.Model.subgraphs, 'SubGraph');
  if (subgraphs.length === 0) fail(D.tfliteMalformed, `${file}: the model has no subgraph`);
  if (subgraphs.length > 1) fail(D.tfliteSubgraphs, `${file}: ${subgraphs.length} subgraphs; only single-subgraph models are supported`);
  const sg = subgraphs[0];

  const bufferData = (index: number): Uint8Array | undefined => {
    if (index === 0) return undefined;
    const b = buffers[index];
    if (!b) throw new MalformedFlatbuffer(`buffer index ${index} out of range (${buffers.length} buffers)`);
    const data = b.bytes(F.Buffer.data);
    if (data && data.length > 0) return data;
    const offset = b.u64(F.Buffer.offset, 0);
    const size = b.u64(F.Buffer.size, 0);
    if (offset > 1 && size > 0) {
      if (offset + size > bytes.length) throw new MalformedFlatbuffer(`buffer ${index} lies outside the file`);
      return bytes.subarray(offset, offset + size);
    }
    return undefined;
  };

  const tensors: QTensor[] = sg.tables(F.SubGraph.tensors, 'Tensor').map((t, id) => {
    const tname = t.string(F.Tensor.name) ?? `tensor_${id}`;
    const typeCode = t.i8(F.Tensor.type, 0);
    const dtypeName = TENSOR_TYPES[typeCode] ?? `type ${typeCode}`;
    const shape = t.i32s(F.Tensor.shape);
    if (shape.some((d) => d < 0)) fail(D.tfliteDynamicShape, `${file}: tensor ${id} '${tname}' has a dynamic shape [${shape.join(', ')}]`);
    const tensor: QTensor = { id, name: tname, shape, dtype: (SUPPORTED_DTYPES.has(dtypeName) ? dtypeName : 'int8') as QDType };
    if (!SUPPORTED_DTYPES.has(dtypeName)) (tensor as QTensor & { unsupported?: string }).unsupported = dtypeName;
    const q = t.table(F.Tensor.quantization, `quantization of tensor ${id}`);
    if (q) {
      const scale = q.f32s(F.Quantization.scale);
      const zeroPoint = q.i64s(F.Quantization.zeroPoint);
      if (scale.length > 0) {
        tensor.quant = {
          scale,
          zeroPoint: zeroPoint.length > 0 ? zeroPoint : scale.map(() => 0),
          axis: q.i32(F.Quantization.quantizedDimension, 0),
        };
      }
    }
    const raw = bufferData(t.u32(F.Tensor.buffer, 0));
    if (raw) tensor.data = typedData(raw, tensor, file, id);
    return tensor;
  });

  const checkTensor = (i: number, where: string): number => {
    if (i === -1) return -1;
    if (!Number.isInteger(i) || i < 0 || i >= tensors.length) {
      fail(D.tfliteMalformed, `${file}: ${where} refers to tensor ${i}, but there are ${tensors.length}`);
    }
    return i;
  };

  const ops: QOp[] = sg.tables(F.SubGraph.operators, 'Operator').map((o, index) => {
    const oc = opcodes[o.u32(F.Operator.opcodeIndex, 0)];
    if (!oc) fail(D.tfliteMalformed, `${file}: operator ${index} has opcode index out of range`);
    const opName = oc.builtin === 32 ? `CUSTOM '${oc.custom ?? '?'}'` : (BUILTIN_NAMES[oc.builtin] ?? `builtin ${oc.builtin}`);
    const kind = SUPPORTED[opName];
    if (!kind) {
      fail(
        D.tfliteUnsupportedOp,
        `${file}: operator ${index} is ${opName}, which the MCU backend does not support (supported: ${Object.keys(SUPPORTED).join(', ')})`,
      );
    }
    const inputs = o.i32s(F.Operator.inputs).map((i) => checkTensor(i, `operator ${index} (${opName}) input`));
    const outputs = o.i32s(F.Operator.outputs).map((i) => checkTensor(i, `operator ${index} (${opName}) output`));
    const opts = o.table(F.Operator.builtinOptions, `options of operator ${index}`);
    const options = readOptions(kind, opts, `${file}: operator ${index} (${opName})`);
    for (const t of [...inputs, ...outputs]) {
      const u = t >= 0 ? (tensors[t] as QTensor & { unsupported?: string }).unsupported : undefined;
      if (u)
        fail(
          D.tfliteUnsupportedType,
          `${file}: operator ${index} (${opName}) uses tensor ${t} '${tensors[t].name}' of type ${u}, which is not supported`,
        );
    }
    return { index, kind, inputs, outputs, options };
  });

  const model: QModel = {
    name,
    source: file,
    tensors,
    ops,
    inputs: sg.i32s(F.SubGraph.inputs).map((i) => checkTensor(i, 'subgraph input')),
    outputs: sg.i32s(F.SubGraph.outputs).map((i) => checkTensor(i, 'subgraph output')),
  };
  validate(model, file);
  return model;
}

function typedData(raw: Uint8Array, t: QTensor, file: string, id: number): QData {
  const n = qElements(t.shape);
  const copy = new Uint8Array(raw); // aligned copy
  const expect = (bytesPer: number) => {
    if (copy.length < n * bytesPer) {
      fail(D.tfliteMalformed, `${file}: tensor ${id} '${t.name}' has ${copy.length} bytes of data, expected ${n * bytesPer}`);
    }
  };
  switch (t.dtype) {
    case 'int8':
      expect(1);
      return new Int8Array(copy.buffer, 0, n);
    case 'uint8':
      expect(1);
      return new Uint8Array(copy.buffer, 0, n);
    case 'int16':
      expect(2);
      return new Int16Array(copy.buffer, 0, n);
    case 'int32':
      expect(4);
      return new Int32Array(copy.buffer, 0, n);
    case 'int64':
      expect(8);
      return new BigInt64Array(copy.buffer, 0, n);
    case 'float32':
      expect(4);
      return new Float32Array(copy.buffer, 0, n);
  }
}

function activationOf(code: number, where: string): Activation {
  const a = ACTIVATIONS[code];
  if (a === 'NONE' || a === 'RELU' || a === 'RELU6' || a === 'RELU_N1_TO_1') return a;
  return fail(D.tfliteUnsupportedOption, `${where}: fused activation ${a ?? code} is not supported`);
}

function paddingOf(code: number, where: string): 'SAME' | 'VALID' {
  const p = PADDINGS[code];
  if (!p) fail(D.tfliteMalformed, `${where}: padding code ${code} is not SAME or VALID`);
  return p;
}

function readOptions(kind: QOpKind, o: FbTable | undefined, where: string): QOpOptions {
  const need = (): FbTable => o ?? fail(D.tfliteMalformed, `${where}: builtin options are missing`);
  switch (kind) {
    case 'CONV_2D': {
      const t = need();
      const f = F.Conv2DOptions;
      return {
        padding: paddingOf(t.i8(f.padding, 0), where),
        strideW: t.i32(f.strideW, 0),
        strideH: t.i32(f.strideH, 0),
        activation: activationOf(t.i8(f.activation, 0), where),
        dilationW: t.i32(f.dilationW, 1),
        dilationH: t.i32(f.dilationH, 1),
      };
    }
    case 'DEPTHWISE_CONV_2D': {
      const t = need();
      const f = F.DepthwiseConv2DOptions;
      return {
        padding: paddingOf(t.i8(f.padding, 0), where),
        strideW: t.i32(f.strideW, 0),
        strideH: t.i32(f.strideH, 0),
        depthMultiplier: t.i32(f.depthMultiplier, 0),
        activation: activationOf(t.i8(f.activation, 0), where),
        dilationW: t.i32(f.dilationW, 1),
        dilationH: t.i32(f.dilationH, 1),
      };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const t = need();
      const f = F.Pool2DOptions;
      return {
        padding: paddingOf(t.i8(f.padding, 0), where),
        strideW: t.i32(f.strideW, 0),
        strideH: t.i32(f.strideH, 0),
        filterW: t.i32(f.filterW, 0),
        filterH: t.i32(f.filterH, 0),
        activation: activationOf(t.i8(f.activation, 0), where),
      };
    }
    case 'FULLY_CONNECTED': {
      if (!o) return { activation: 'NONE', keepDims: false };
      const wf = o.i8(F.FullyConnectedOptions.weightsFormat, 0);
      if (wf !== 0) fail(D.tfliteUnsupportedOption, `${where}: shuffled weights format ${wf} is not supported`);
      return {
        activation: activationOf(o.i8(F.FullyConnectedOptions.activation, 0), where),
        keepDims: o.bool(F.FullyConnectedOptions.keepNumDims, false),
      };
    }
    case 'ADD':
      return { activation: activationOf(o ? o.i8(F.AddOptions.activation, 0) : 0, where) };
    case 'MUL':
      return { activation: activationOf(o ? o.i8(F.MulOptions.activation, 0) : 0, where) };
    case 'SOFTMAX':
      return { beta: o ? o.f32(F.SoftmaxOptions.beta, 0) : 1 };
    case 'CONCATENATION':
      return {
        axis: o ? o.i32(F.ConcatenationOptions.axis, 0) : 0,
        activation: activationOf(o ? o.i8(F.ConcatenationOptions.activation, 0) : 0, where),
      };
    case 'MEAN':
      return { keepDims: o ? o.bool(F.ReducerOptions.keepDims, false) : false };
    case 'RESIZE_NEAREST_NEIGHBOR':
      return {
        alignCorners: o ? o.bool(F.ResizeNearestNeighborOptions.alignCorners, false) : false,
        halfPixelCenters: o ? o.bool(F.ResizeNearestNeighborOptions.halfPixelCenters, false) : false,
      };
    default:
      return {};
  }
}

/** Structural checks that the executor and emitter rely on; each names the op. */
function validate(m: QModel, file: string): void {
  const where = (op: QOp) => `${file}: operator ${op.index} (${op.kind})`;
  const written = new Set<number>(m.inputs);
  for (const id of m.inputs)
    if (m.tensors[id].data) fail(D.tfliteMalformed, `${file}: model input ${id} '${m.tensors[id].name}' is a constant`);
  for (const op of m.ops) {
    for (const id of op.inputs) {
      if (id >= 0 && !m.tensors[id].data && !written.has(id))
        fail(D.tfliteMalformed, `${where(op)} reads tensor ${id} '${m.tensors[id].name}' before any operator writes it`);
    }
    for (const id of op.outputs) {
      if (m.tensors[id].data) fail(D.tfliteMalformed, `${where(op)} writes the constant tensor ${id} '${m.tensors[id].name}'`);
      if (written.has(id)) fail(D.tfliteMalformed, `${where(op)} writes tensor ${id} '${m.tensors[id].name}', which is already written`);
      written.add(id);
    }
  }
  for (const id of m.outputs)
    if (!written.has(id)) fail(D.tfliteMalformed, `${file}: model output ${id} '${m.tensors[id].name}' is never written`);
  for (const op of m.ops) {
    const t = (i: number) => m.tensors[op.inputs[i]];
    const out = m.tensors[op.outputs[0]];
    if (!out) fail(D.tfliteMalformed, `${where(op)} has no output`);
    const needInputs = (n: number) => {
      if (op.inputs.length < n || op.inputs.slice(0, n).some((i) => i < 0))
        fail(D.tfliteMalformed, `${where(op)} needs ${n} inputs, has ${op.inputs.length}`);
    };
    const needQuant8 = (x: QTensor, role: string) => {
      if (x.dtype !== 'int8') fail(D.tfliteUnsupportedType, `${where(op)}: ${role} '${x.name}' is ${x.dtype}; only int8 is supported here`);
      if (!x.quant) fail(D.tfliteUnsupportedType, `${where(op)}: ${role} '${x.name}' has no quantisation parameters`);
    };
    const needConst = (x: QTensor, role: string) => {
      if (!x.data) fail(D.tfliteUnsupportedType, `${where(op)}: ${role} '${x.name}' must be a constant`);
    };
    switch (op.kind) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
      case 'FULLY_CONNECTED': {
        needInputs(2);
        needQuant8(t(0), 'input');
        needQuant8(t(1), 'filter');
        needConst(t(1), 'filter');
        needQuant8(out, 'output');
        const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? t(2) : undefined;
        if (bias) {
          needConst(bias, 'bias');
          if (bias.dtype !== 'int32') fail(D.tfliteUnsupportedType, `${where(op)}: bias '${bias.name}' is ${bias.dtype}; int32 expected`);
        }
        if (op.kind !== 'FULLY_CONNECTED' && (t(0).shape.length !== 4 || t(1).shape.length !== 4)) {
          fail(D.tfliteUnsupportedType, `${where(op)}: 4-D input and filter expected`);
        }
        if (op.kind !== 'FULLY_CONNECTED' && ((op.options.strideH ?? 0) < 1 || (op.options.strideW ?? 0) < 1)) {
          fail(D.tfliteMalformed, `${where(op)}: strides must be positive`);
        }
        break;
      }
      case 'ADD':
      case 'MUL':
        needInputs(2);
        needQuant8(t(0), 'input 1');
        needQuant8(t(1), 'input 2');
        needQuant8(out, 'output');
        break;
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D':
      case 'SOFTMAX':
        needInputs(1);
        needQuant8(t(0), 'input');
        needQuant8(out, 'output');
        break;
      case 'MEAN':
      case 'PAD':
      case 'TRANSPOSE':
        needInputs(2);
        needQuant8(t(0), 'input');
        needConst(t(1), op.kind === 'MEAN' ? 'axis' : op.kind === 'PAD' ? 'paddings' : 'permutation');
        needQuant8(out, 'output');
        break;
      case 'RESHAPE':
      case 'RESIZE_NEAREST_NEIGHBOR':
        needInputs(1);
        if (t(0).dtype !== out.dtype) fail(D.tfliteUnsupportedType, `${where(op)}: input and output types differ`);
        break;
      case 'CONCATENATION':
        needInputs(1);
        for (let i = 0; i < op.inputs.length; i++) needQuant8(t(i), `input ${i}`);
        needQuant8(out, 'output');
        break;
      case 'QUANTIZE':
        needInputs(1);
        if (t(0).dtype !== 'float32' && t(0).dtype !== 'int8') fail(D.tfliteUnsupportedType, `${where(op)}: input must be float32 or int8`);
        needQuant8(out, 'output');
        break;
      case 'DEQUANTIZE':
        needInputs(1);
        needQuant8(t(0), 'input');
        if (out.dtype !== 'float32') fail(D.tfliteUnsupportedType, `${where(op)}: output must be float32`);
        break;
    }
  }
}
