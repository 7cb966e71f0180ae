// Wire format of the loopback transport: length-prefixed binary frames.
//   u32 length of the rest | u8 type | u32 worker | u32 round | float32 payload (little endian)
import type { Socket } from 'node:net';

export const FRAME_HELLO = 1;
export const FRAME_ROUND = 2;
export const FRAME_AVERAGE = 3;

export interface Frame {
  type: number;
  worker: number;
  round: number;
  payload: Float32Array;
}

const HEADER = 13;

export function encodeFrame(type: number, worker: number, round: number, payload?: Float32Array): Buffer {
  const n = payload ? payload.byteLength : 0;
  const buf = Buffer.allocUnsafe(4 + HEADER - 4 + n);
  buf.writeUInt32LE(HEADER - 4 + n, 0);
  buf.writeUInt8(type, 4);
  buf.writeUInt32LE(worker, 5);
  buf.writeUInt32LE(round, 9);
  if (payload) Buffer.from(payload.buffer, payload.byteOffset, n).copy(buf, HEADER);
  return buf;
}

/** Whole raw frames (prefix included) as they arrive on a socket. */
export function onRawFrames(sock: Socket, handler: (raw: Buffer) => void): void {
  let pending: Buffer[] = [];
  let have = 0;
  // Bytes the frame at the head of the queue needs (0 = its length prefix is not read yet).
  let need = 0;
  sock.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    have += chunk.length;
    for (;;) {
      if (need === 0) {
        if (have < 4) return;
        if (pending[0].length < 4) pending = [Buffer.concat(pending)];
        need = 4 + pending[0].readUInt32LE(0);
      }
      // Concatenate once per frame, when all of it is here (not on every chunk).
      if (have < need) return;
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      const raw = Buffer.from(all.subarray(0, need));
      const rest = all.subarray(need);
      pending = rest.length ? [rest] : [];
      have = rest.length;
      need = 0;
      handler(raw);
    }
  });
}

export function decodeFrame(raw: Buffer): Frame {
  const type = raw.readUInt8(4);
  const worker = raw.readUInt32LE(5);
  const round = raw.readUInt32LE(9);
  const bytes = raw.length - HEADER;
  const payload = new Float32Array(bytes / 4);
  Buffer.from(payload.buffer).set(raw.subarray(HEADER));
  return { type, worker, round, payload };
}

export const frameBytes = (payloadFloats: number) => HEADER + payloadFloats * 4;
