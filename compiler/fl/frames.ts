// Wire format of the loopback transport: length-prefixed binary frames.
//   u32 length of the rest | u8 type | u32 worker | u32 round | f64 stamp | float32 payload
// (little endian). The stamp is the epoch millisecond at which the frame was last written
// to a socket (each hop re-stamps it): it measures the emulation's own per-hop delays.
import type { Socket } from 'node:net';

export const FRAME_HELLO = 1;
export const FRAME_ROUND = 2;
export const FRAME_AVERAGE = 3;

export interface Frame {
  type: number;
  worker: number;
  round: number;
  payload: Float32Array;
  stamp: number;
}

const HEADER = 21;

/** Epoch milliseconds, comparable across processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export function encodeFrame(type: number, worker: number, round: number, payload?: Float32Array, stamp = epochNow()): Buffer {
  const n = payload ? payload.byteLength : 0;
  const buf = Buffer.allocUnsafe(4 + HEADER - 4 + n);
  buf.writeUInt32LE(HEADER - 4 + n, 0);
  buf.writeUInt8(type, 4);
  buf.writeUInt32LE(worker, 5);
  buf.writeUInt32LE(round, 9);
  buf.writeDoubleLE(stamp, 13);
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
  const stamp = raw.readDoubleLE(13);
  const bytes = raw.length - HEADER;
  const payload = new Float32Array(bytes / 4);
  Buffer.from(payload.buffer).set(raw.subarray(HEADER));
  return { type, worker, round, payload, stamp };
}

export const frameBytes = (payloadFloats: number) => HEADER + payloadFloats * 4;

/** When the frame was last written (epoch ms). */
export const frameStamp = (raw: Buffer): number => raw.readDoubleLE(13);
/** Re-stamp a frame about to be written again. */
export const restamp = (raw: Buffer, t = epochNow()): void => void raw.writeDoubleLE(t, 13);

/** Running figures of one kind of delay (milliseconds). */
export class DelayStat {
  private readonly values: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  merge(values: number[]): void {
    for (const v of values) this.values.push(v);
  }
  raw(): number[] {
    return this.values;
  }
  summary(): DelaySummary {
    const v = [...this.values].sort((a, b) => a - b);
    const n = v.length;
    return {
      count: n,
      mean_ms: n ? v.reduce((a, b) => a + b, 0) / n : 0,
      p95_ms: n ? v[Math.min(n - 1, Math.floor(0.95 * n))] : 0,
      max_ms: n ? v[n - 1] : 0,
    };
  }
}

export interface DelaySummary {
  count: number;
  mean_ms: number;
  p95_ms: number;
  max_ms: number;
}
