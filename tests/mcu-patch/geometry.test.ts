import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chainInputRegions,
  demandInterval,
  maxInputPatch,
  patchGrid,
  receptiveField,
  splitBoundaries,
  tfSamePadding,
  windowOutSize,
  type Window1D,
  type WindowLayer,
} from '../../compiler/mcu/patch/geometry.ts';

const win = (kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): Window1D => ({
  kernel,
  stride,
  dilation,
  padBefore,
  padAfter,
});
const layer = (w: Window1D, size: number): WindowLayer => ({ h: w, w, inSize: [size, size] });

/** Input pixels outputs [lo, hi) really read (the kernel loop, padding skipped). */
function readsOf(w: Window1D, lo: number, hi: number, inSize: number): Set<number> {
  const s = new Set<number>();
  for (let o = lo; o < hi; o++) {
    for (let f = 0; f < w.kernel; f++) {
      const i = o * w.stride - w.padBefore + f * w.dilation;
      if (i >= 0 && i < inSize) s.add(i);
    }
  }
  return s;
}

describe('patch geometry', () => {
  it('TF SAME puts the odd padding pixel after', () => {
    expect(tfSamePadding(224, 3, 2)).toEqual([0, 1]);
    expect(tfSamePadding(112, 3, 1)).toEqual([1, 1]);
    expect(tfSamePadding(10, 4, 2)).toEqual([1, 1]);
    expect(tfSamePadding(49, 10, 2)).toEqual([4, 5]);
    expect(windowOutSize(win(3, 2, 0, 1), 224)).toBe(112);
  });

  it('demand interval is exactly the set of input pixels the kernel loop reads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 8, max: 40 }),
        fc.nat(),
        fc.nat(),
        (k, s, d, pb, pa, inSize, a, b) => {
          const w = win(k, s, pb, pa, d);
          const eff = (k - 1) * d + 1;
          fc.pre(inSize + pb + pa >= eff);
          const out = windowOutSize(w, inSize);
          const lo = a % out;
          const hi = lo + 1 + (b % (out - lo));
          const reads = readsOf(w, lo, hi, inSize);
          const r = demandInterval(w, { lo, hi }, inSize);
          for (const i of reads) expect(i >= r.lo && i < r.hi).toBe(true);
          // Tight at both ends when nothing is clipped (clipping may keep an unread border pixel).
          const raw = demandInterval(w, { lo, hi }, inSize, false);
          if (raw.lo >= 0 && raw.hi <= inSize) {
            expect(reads.has(r.lo)).toBe(true);
            expect(reads.has(r.hi - 1)).toBe(true);
          }
        },
      ),
      { seed: 8, numRuns: 400 },
    );
  });

  it('grids split near-equally and cover the map', () => {
    expect(splitBoundaries(28, 4)).toEqual([0, 7, 14, 21, 28]);
    expect(splitBoundaries(10, 3)).toEqual([0, 3, 6, 10]);
    expect(() => splitBoundaries(3, 4)).toThrow();
    const tiles = patchGrid(10, 7, 3);
    expect(tiles).toHaveLength(9);
    expect(tiles.reduce((s, t) => s + (t.y1 - t.y0) * (t.x1 - t.x0), 0)).toBe(70);
  });

  it('MobileNetV2 224 to the 28x28 stage: 75x75 input patch for 4x4 patches, as the paper', () => {
    // conv s2, dw s1, dw s2, dw s1, dw s2 (3x3, TF SAME padding at each resolution).
    const sizes = [224, 112, 112, 56, 56];
    const strides = [2, 1, 2, 1, 2];
    const layers = sizes.map((n, i) => {
      const [pb, pa] = tfSamePadding(n, 3, strides[i]);
      return layer(win(3, strides[i], pb, pa), n);
    });
    expect(receptiveField(layers)).toEqual([27, 27]);
    expect(maxInputPatch(layers, 4)).toEqual([75, 75]);
    // A corner patch is clipped by the image border: the top-left tile needs less.
    const corner = chainInputRegions(layers, { y0: 0, y1: 7, x0: 0, x1: 7 })[0];
    expect(corner).toEqual({ y0: 0, y1: 69, x0: 0, x1: 69 });
    // With the asymmetric SAME padding the bottom-right patch reaches the last pixel.
    const last = chainInputRegions(layers, { y0: 21, y1: 28, x0: 21, x1: 28 })[0];
    expect(last.y1).toBe(224);
  });
});
