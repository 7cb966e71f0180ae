// ONNX import: decodes a ModelProto and lowers it into the network IR (channels-last, batch 1).
// Every problem with the file is a UserError (exit 1) naming the file, and the node where known.
import { readFileSync } from 'node:fs';
import type { Network } from '../../ir/network.ts';
import { UserError } from '../../diagnostics/index.ts';
import { onnx, type ModelProto } from './proto.ts';
import { lowerModel, OnnxCode, type LoweredOnnx } from './lower.ts';

export { SUPPORTED_ONNX_OPS, OnnxCode, type LoweredOnnx } from './lower.ts';

/** Decode ONNX protobuf bytes; a malformed file is a located UserError, never a crash. */
export function decodeOnnx(bytes: Uint8Array, fileName: string): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserError([
      { severity: 'error', code: OnnxCode.malformed, message: `${fileName}: not a valid ONNX model (protobuf decoding failed: ${why})` },
    ]);
  }
}

/** Decode and lower, keeping the ONNX shape of every tensor (tests compare them with onnxruntime). */
export function lowerOnnxBytes(bytes: Uint8Array, fileName: string): LoweredOnnx {
  return lowerModel(decodeOnnx(bytes, fileName), fileName);
}

export function importOnnxBytes(bytes: Uint8Array, fileName: string): Network {
  return lowerOnnxBytes(bytes, fileName).network;
}

export function importOnnx(path: string): Network {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new UserError([{ severity: 'error', code: OnnxCode.malformed, message: `${path}: cannot read the file (${why})` }]);
  }
  return importOnnxBytes(bytes, path);
}
