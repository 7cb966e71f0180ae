// What kind of model a file holds (.nacc text, ONNX protobuf, TFLite flatbuffer), decided from
// its name and checked against its first bytes, so no command reads a binary as .nacc text.
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';

export type ModelFormat = 'nacc' | 'onnx' | 'tflite' | 'maestro';

/** The formats a model file may be in, as errors name them. */
export const MODEL_FORMATS = '.nacc (text), .onnx, .tflite or MAESTRO .m';

/** Code of "this file is not in a format the command reads". */
export const UNREADABLE_FORMAT = D.unreadableFormat.code;

function head(file: string, n = 4096): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = new Uint8Array(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch {
    return fail(D.cannotRead, `cannot read file '${file}'`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A TFLite flatbuffer carries the file identifier "TFL3" at bytes 4..8. */
const isTflite = (b: Uint8Array): boolean => b.length >= 8 && String.fromCharCode(...b.subarray(4, 8)) === 'TFL3';

/** Text: valid UTF-8 without NUL bytes (a .nacc file, or any other text). */
function isText(b: Uint8Array): boolean {
  if (b.includes(0)) return false;
  try {
    // A multi-byte character cut at the end of the sample is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(b.length === 4096 ? b.subarray(0, 4090) : b);
    return true;
  } catch {
    return false;
  }
}

/**
 * The format of a model file: by extension when its content agrees, by content when the
 * extension is not one of ours. Anything else is one error (exit 1) naming the formats.
 */
export function modelFormat(file: string): ModelFormat {
  const b = head(file);
  const ext = extname(file).toLowerCase();
  const other = (what: string): never => fail(UNREADABLE_FORMAT, `${file}: ${what}; nacc reads ${MODEL_FORMATS} models`);
  if (ext === '.tflite') return isTflite(b) ? 'tflite' : other('not a TFLite flatbuffer (no "TFL3" identifier)');
  if (ext === '.onnx') return isTflite(b) ? other('a TFLite flatbuffer named .onnx') : 'onnx';
  if (ext === '.nacc') return isText(b) ? 'nacc' : other('binary content, not .nacc text');
  if (ext === '.m') return isText(b) ? 'maestro' : other('binary content, not a MAESTRO model');
  if (isTflite(b)) return 'tflite';
  if (isText(b)) return 'nacc';
  return other(`binary content of an unknown format (extension '${ext || 'none'}')`);
}
