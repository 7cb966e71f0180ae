// IDX files (the MNIST / Fashion-MNIST container: magic, dimensions, unsigned bytes), raw or
// gzipped, validated so a damaged file gets a located error (a hex frame of its header) instead of garbage.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { D, UserError, type Location } from '../diagnostics/index.ts';

/** An IDX tensor of unsigned bytes: dims as stored (e.g. [60000, 28, 28]) and the values. */
export interface IdxTensor {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** A location in a binary file: line 1 is a hex rendering of its first bytes, the caret under `offset`. */
function byteLocation(file: string, bytes: Uint8Array, offset: number, length: number): Location {
  const shown = Math.min(bytes.length, 16);
  const hex = Array.from(bytes.subarray(0, shown), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const lineText = `${hex}${bytes.length > shown ? ' …' : ''}  (${bytes.length} bytes${offset >= shown ? `; problem at byte ${offset}` : ''})`;
  const column = offset < shown ? 3 * offset + 1 : lineText.length - 1;
  return { file, line: 1, column, length: offset < shown ? Math.max(2, 3 * Math.min(length, shown - offset) - 1) : 1, lineText };
}

function idxError(file: string, bytes: Uint8Array, offset: number, length: number, message: string): UserError {
  return new UserError([{ severity: 'error', code: D.idxData.code, message, location: byteLocation(file, bytes, offset, length) }]);
}

/**
 * Parse IDX bytes. `expectDims` (the rank) guards against swapped files (labels given as images).
 * Checks the magic (two zero bytes, type 0x08 = unsigned byte, rank), the dimensions and the
 * length: a truncated file and trailing bytes are both errors.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectRank?: number): IdxTensor {
  if (bytes.length < 4)
    throw idxError(file, bytes, 0, bytes.length, `not an IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw idxError(file, bytes, 0, 2, 'not an IDX file: the magic number must start with two zero bytes');
  if (bytes[2] !== UBYTE)
    throw idxError(
      file,
      bytes,
      2,
      1,
      `IDX element type 0x${bytes[2].toString(16).padStart(2, '0')} is not supported (expected 0x08, unsigned byte)`,
    );
  const rank = bytes[3];
  if (rank === 0 || (expectRank !== undefined && rank !== expectRank)) {
    throw idxError(file, bytes, 3, 1, `IDX rank ${rank}, expected ${expectRank ?? 'at least 1'}`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header)
    throw idxError(
      file,
      bytes,
      bytes.length,
      1,
      `truncated IDX header: ${rank} dimensions need ${header} bytes, the file has ${bytes.length}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) throw idxError(file, bytes, 4 + 4 * i, 4, `IDX dimension ${i} is 0`);
    dims.push(d);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have < count) {
    throw idxError(
      file,
      bytes,
      bytes.length,
      1,
      `truncated IDX file: dimensions ${dims.join('×')} need ${count} data bytes after the ${header}-byte header, the file has ${have}`,
    );
  }
  if (have > count)
    throw idxError(file, bytes, header + count, have - count, `IDX file has ${have - count} bytes after the ${dims.join('×')} data`);
  return { dims, data: bytes.subarray(header, header + count) };
}

/** Read an IDX file from disk, gunzipping `.gz` (or any gzip-magic) content first. */
export function readIdx(path: string, expectRank?: number): IdxTensor {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new UserError([
      {
        severity: 'error',
        code: D.idxRead.code,
        message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      },
    ]);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw idxError(path, raw, raw.length, 1, `damaged gzip stream (${(e as Error).message}); the file is probably truncated`);
    }
  }
  return parseIdx(raw, path, expectRank);
}
