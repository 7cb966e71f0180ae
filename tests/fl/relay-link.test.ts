// The delay relay's link keeps the stream's order: a control frame (a worker's "done") never
// overtakes the round sums sent before it, however the model frames' timers fire.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { DelayStat, FRAME_AVERAGE, FRAME_DONE, FRAME_ROUND, FRAME_START, encodeF64Frame, encodeFrame } from '../../compiler/fl/frames.ts';
import { Link } from '../../compiler/fl/relay-link.ts';
import { Prng } from '../../compiler/util/prng.ts';

function link(latencyMs: number, jitterMs: number) {
  const written: number[] = [];
  const sock = { destroyed: false, write: (raw: Buffer) => written.push(raw.readUInt8(4)) } as unknown as Socket;
  const l = new Link({ latencyMs, jitterMs, bandwidthMbitPerS: 50 }, new Prng(3), () => sock, {
    receive: new DelayStat(),
    timerLate: new DelayStat(),
  });
  return { l, written };
}
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('relay link', () => {
  it('passes a control frame at once when nothing is in flight', () => {
    const { l, written } = link(40, 0);
    l.push(encodeF64Frame(FRAME_START, 0, 0, [1, 2]));
    expect(written).toEqual([FRAME_START]);
  });

  it('holds a control frame until every model frame pushed before it is delivered', async () => {
    const { l, written } = link(40, 0);
    const sum = new Float32Array(100);
    l.push(encodeFrame(FRAME_ROUND, 1, 0, sum));
    l.push(encodeF64Frame(FRAME_DONE, 1, 0, [0, 0, 0]));
    expect(written).toEqual([]);
    await settle(150);
    expect(written).toEqual([FRAME_ROUND, FRAME_DONE]);
  });

  it('with jitter, the control frame still comes after all earlier model frames', async () => {
    const { l, written } = link(30, 25);
    for (let r = 0; r < 5; r++) l.push(encodeFrame(FRAME_AVERAGE, 0, r, new Float32Array(10)));
    l.push(encodeF64Frame(FRAME_DONE, 0, 0, [0, 0, 0]));
    l.push(encodeFrame(FRAME_AVERAGE, 0, 5, new Float32Array(10)));
    await settle(200);
    expect(written).toHaveLength(7);
    expect(written.indexOf(FRAME_DONE)).toBeGreaterThanOrEqual(5);
  });
});
