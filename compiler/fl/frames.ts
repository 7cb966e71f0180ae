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
  sock.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    have += chunk.length;
    for (;;) {
      if (have < 4) return;
      const head = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      pending = [head];
      const len = head.readUInt32LE(0);
      if (have < 4 + len) return;
      const raw = head.subarray(0, 4 + len);
      const rest = head.subarray(4 + len);
      pending = rest.length ? [rest] : [];
      have = rest.length;
      handler(Buffer.from(raw));
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
