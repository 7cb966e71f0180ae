// Wire format of real mode (serve/join, relay, loopback): length-prefixed binary frames.
//   u32 length of the rest | u8 type | u32 worker | u32 round | f64 stamp | float32 payload
// (little endian). The stamp is the epoch millisecond at which the frame was last written
// to a socket (each hop re-stamps it): it measures the emulation's own per-hop delays.
import type { Socket } from 'node:net';

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

// ---- serve/join: the handshake and control frames (see docs/fl.md, "Across machines"); type 1,
// protocol version 1's hello, is gone ----
/** Bumped whenever a frame's layout or meaning changes; both ends must speak the same one. */
export const PROTOCOL_VERSION = 2;
/** server -> worker: u32 version | 32-byte nonce. */
export const FRAME_CHALLENGE = 4;
/** worker -> server: u32 version | HMAC-SHA256(token, nonce) | the worker's own nonce; the frame's worker field asks for a slot (ANY_SLOT: any). */
export const FRAME_AUTH = 5;
/** server -> worker: HMAC-SHA256(token, 'server' | worker's nonce) | the worker's job (v8 serialised WorkerJob). */
export const FRAME_JOB = 6;
/** server -> worker: why it is being turned away (UTF-8), then the server closes. */
export const FRAME_REJECT = 7;
/** worker -> server: warmed up, waiting for the start. */
export const FRAME_READY = 8;
/** server -> worker: f64 at (epoch ms) | f64 steps: time back-to-back steps from that instant. */
export const FRAME_CALIBRATE = 9;
/** worker -> server: f64 wall-clock ms per calibration step. */
export const FRAME_CALIBRATED = 10;
/** server -> worker: f64 at (epoch ms) | f64 step time (ms). */
export const FRAME_START = 11;
/** worker -> server: f64 stall ms | f64 compute ms | f64 n | n send-late ms | wake ms... */
export const FRAME_DONE = 12;
export const ANY_SLOT = 0xffffffff;
export const NONCE_BYTES = 32;
export const MAC_BYTES = 32;

const FRAME_NAMES: Record<number, string> = {
  [FRAME_ROUND]: 'round sum',
  [FRAME_AVERAGE]: 'average',
  [FRAME_CHALLENGE]: 'challenge',
  [FRAME_AUTH]: 'auth',
  [FRAME_JOB]: 'job',
  [FRAME_REJECT]: 'reject',
  [FRAME_READY]: 'ready',
  [FRAME_CALIBRATE]: 'calibrate',
  [FRAME_CALIBRATED]: 'calibrated',
  [FRAME_START]: 'start',
  [FRAME_DONE]: 'done',
};
export const frameName = (type: number): string => FRAME_NAMES[type] ?? `unknown type ${type}`;

/** Model traffic the delay relay delays; every other frame is set-up or control and passes straight through. */
export const isModelTraffic = (type: number): boolean => type === FRAME_ROUND || type === FRAME_AVERAGE;

/** A frame whose payload is raw bytes (control frames). */
export function encodeBytesFrame(type: number, worker: number, round: number, bytes: Uint8Array): Buffer {
  const buf = encodeFrame(type, worker, round);
  const out = Buffer.allocUnsafe(buf.length + bytes.length);
  buf.copy(out);
  out.writeUInt32LE(HEADER - 4 + bytes.length, 0);
  out.set(bytes, buf.length);
  return out;
}

/** The payload of a raw frame as bytes (a view, not a copy). */
export const payloadBytes = (raw: Buffer): Buffer => raw.subarray(HEADER);

export function encodeF64Frame(type: number, worker: number, round: number, values: number[]): Buffer {
  return encodeBytesFrame(type, worker, round, new Uint8Array(Float64Array.from(values).buffer));
}

export function payloadF64(raw: Buffer): Float64Array {
  const b = payloadBytes(raw);
  const out = new Float64Array(Math.floor(b.length / 8));
  Buffer.from(out.buffer).set(b.subarray(0, out.length * 8));
  return out;
}

/** Why a frame cannot be read: the stream is out of step or hostile, so its connection is closed. */
export class BadFrame extends Error {}

/**
 * Whole frames from a socket, each checked before it is buffered: a length prefix beyond
 * `maxBytes()` (the limit of the connection's current phase) or below the header is refused
 * without reading the rest. `onBad` is called once and nothing more is delivered.
 */
export function onCheckedFrames(sock: Socket, maxBytes: () => number, handler: (raw: Buffer) => void, onBad: (e: BadFrame) => void): void {
  let pending: Buffer[] = [];
  let have = 0;
  let need = 0;
  let broken = false;
  sock.on('data', (chunk: Buffer) => {
    if (broken) return;
    pending.push(chunk);
    have += chunk.length;
    try {
      for (;;) {
        if (need === 0) {
          if (have < 4) return;
          if (pending[0].length < 4) pending = [Buffer.concat(pending)];
          const len = pending[0].readUInt32LE(0);
          if (len < HEADER - 4) throw new BadFrame(`malformed frame: length ${len} is shorter than the ${HEADER - 4}-byte header`);
          if (4 + len > maxBytes()) throw new BadFrame(`oversized frame: ${4 + len} bytes, the limit for this job is ${maxBytes()} bytes`);
          need = 4 + len;
        }
        if (have < need) return;
        const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
        const raw = Buffer.from(all.subarray(0, need));
        const rest = all.subarray(need);
        pending = rest.length ? [rest] : [];
        have = rest.length;
        need = 0;
        if (!FRAME_NAMES[raw.readUInt8(4)]) throw new BadFrame(`malformed frame: unknown frame type ${raw.readUInt8(4)}`);
        handler(raw);
      }
    } catch (e) {
      broken = true;
      pending = [];
      onBad(e instanceof BadFrame ? e : new BadFrame(`bad frame: ${(e as Error).message}`));
    }
  });
}
