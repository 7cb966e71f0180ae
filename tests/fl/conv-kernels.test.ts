// The trainer's fast convolution paths (1x1 GEMM, depthwise) against the general kernel on the
// same inputs: forward outputs, weight, bias and input gradients must be bit-identical.
import { describe, expect, it } from 'vitest';
import {
  convBackward,
  convBackwardGeneral,
  convForward,
  convForwardGeneral,
  isDepthwise,
  isPointwise,
  type ConvGeom,
} from '../../compiler/fl/conv-kernels.ts';
import { Prng } from '../../compiler/util/prng.ts';

const geom = (o: Partial<ConvGeom> & { ih: number; cin: number; cout: number }): ConvGeom => {
  const g = { iw: o.ih, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, groups: 1, ...o } as ConvGeom;
  const oh = Math.floor((g.ih + 2 * g.pt - g.dh * (g.kh - 1) - 1) / g.sh) + 1;
  const ow = Math.floor((g.iw + 2 * g.pl - g.dw * (g.kw - 1) - 1) / g.sw) + 1;
  return { ...g, oh, ow };
};

function compare(g: ConvGeom, n: number, seed: number, sparse: boolean) {
  const rng = new Prng(seed);
  // Some exact zeros (ReLU outputs) so the general kernel's zero skipping is exercised.
  const rand = (len: number) => Float32Array.from({ length: len }, () => (sparse && rng.next() < 0.3 ? 0 : rng.normal()));
  const wCount = g.kh * g.kw * (g.cin / g.groups) * g.cout;
  const p = rand(wCount + g.cout);
  const x = rand(n * g.ih * g.iw * g.cin);
  const dy = rand(n * g.oh * g.ow * g.cout);
  for (const bias of [wCount, -1]) {
    const yFast = new Float32Array(dy.length);
    const yGen = new Float32Array(dy.length);
    convForward(x, yFast, p, 0, bias, g, n);
    convForwardGeneral(x, yGen, p, 0, bias, g, n);
    expect(Buffer.from(yFast.buffer).equals(Buffer.from(yGen.buffer))).toBe(true);
    for (const needDx of [true, false]) {
      // Gradients accumulate onto what is there: start both from the same non-zero values.
      const grFast = rand(p.length);
      const grGen = Float32Array.from(grFast);
      const dxFast = rand(x.length);
      const dxGen = Float32Array.from(dxFast);
      convBackward(x, dy, dxFast, p, grFast, 0, bias, g, n, needDx);
      convBackwardGeneral(x, dy, dxGen, p, grGen, 0, bias, g, n, needDx);
      expect(Buffer.from(grFast.buffer).equals(Buffer.from(grGen.buffer))).toBe(true);
      expect(Buffer.from(dxFast.buffer).equals(Buffer.from(dxGen.buffer))).toBe(true);
    }
  }
}

describe('convolution kernels', () => {
  it('1x1 convolutions (GEMM path) are bit-identical to the general kernel, ragged sizes included', () => {
    const cases = [
      geom({ ih: 5, cin: 16, cout: 48 }),
      geom({ ih: 3, cin: 7, cout: 10 }),
      geom({ ih: 1, cin: 3, cout: 2 }),
      geom({ ih: 4, cin: 12, cout: 5 }),
    ];
    for (const g of cases) expect(isPointwise(g)).toBe(true);
    cases.forEach((g, i) => compare(g, 3, 10 + i, i % 2 === 0));
  });

  it('depthwise convolutions are bit-identical to the general kernel: stride, padding, dilation', () => {
    const cases = [
      geom({ ih: 7, cin: 8, cout: 8, groups: 8, kh: 5, kw: 5, pt: 2, pl: 2 }),
      geom({ ih: 8, cin: 6, cout: 6, groups: 6, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1 }),
      geom({ ih: 6, cin: 3, cout: 3, groups: 3, kh: 3, kw: 3, dh: 2, dw: 2, pt: 2, pl: 2 }),
    ];
    for (const g of cases) expect(isDepthwise(g) && !isPointwise(g)).toBe(true);
    cases.forEach((g, i) => compare(g, 2, 20 + i, i !== 1));
  });

  it('other shapes take the general kernel', () => {
    expect(isPointwise(geom({ ih: 4, cin: 4, cout: 4, groups: 2 }))).toBe(false);
    expect(isDepthwise(geom({ ih: 4, cin: 4, cout: 8, groups: 4, kh: 3, kw: 3, pt: 1, pl: 1 }))).toBe(false);
    compare(geom({ ih: 6, cin: 2, cout: 4, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1 }), 2, 30, true);
  });
});
