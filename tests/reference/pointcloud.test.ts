// Golden point-cloud ops: the reference libraries' conventions on hand-checked cases, and
// invariants on seeded synthetic clouds and the bunny.
import { describe, expect, it } from 'vitest';
import {
  ballQuery,
  bunnyCloud,
  cloudSize,
  dist2,
  downsampleCoords,
  fps,
  kernelMap,
  kernelOffsets,
  knn,
  makeCloud,
  maxPool,
  parseCloud,
  quantiseCloud,
  quantizeMultiplier,
  sharedMlpInt8,
  sphash,
  subset,
  syntheticCloud,
  voxelize,
  scatterAdd,
  gatherGroups,
  SYNTHETIC_CLOUDS,
} from '../../compiler/reference/pointcloud/index.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { mbqm } from '../../compiler/reference/int8/fixedpoint.ts';

const line = makeCloud('line', [
  [0, 0, 0],
  [1, 0, 0],
  [2, 0, 0],
  [3, 0, 0],
  [4, 0, 0],
]);

describe('fps', () => {
  it('starts at 0 and picks the farthest point, ties to the lowest index', () => {
    expect(fps(line, 3)).toEqual([0, 4, 2]);
    // Square corners: after 0, points 1 and 2 are at distance 1, 3 at 2 -> 3; then 1 and 2 tie at 1 -> 1.
    const sq = makeCloud('sq', [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
    ]);
    expect(fps(sq, 4)).toEqual([0, 3, 1, 2]);
  });
  it('repeats index 0 once every point is selected (CUDA kernel behaviour)', () => {
    const dup = makeCloud('d', [
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(fps(dup, 4)).toEqual([0, 2, 0, 0]);
  });
  it('selects distinct points on synthetic clouds while distinct points remain', () => {
    for (const kind of ['sphere', 'clutter', 'planes']) {
      const c = syntheticCloud(kind, 257, 7);
      const idx = fps(c, 64);
      expect(new Set(idx).size).toBe(64);
    }
  });
});

describe('knn', () => {
  it('ranks by (d2, index), nearest first', () => {
    expect(knn(subset(line, [2]), line, 5)).toEqual([[2, 1, 3, 0, 4]]);
  });
  it('is ordered and complete on a tie-heavy lattice', () => {
    const c = syntheticCloud('ties', 300, 3);
    const centers = subset(c, fps(c, 8));
    const res = knn(centers, c, 16);
    res.forEach((row, j) => {
      const key = (i: number) => [dist2(centers, j, c, i), i];
      for (let t = 1; t < row.length; t++) {
        const [a, ia] = key(row[t - 1]);
        const [b, ib] = key(row[t]);
        expect(a < b || (a === b && ia < ib)).toBe(true);
      }
      const last = key(row[row.length - 1]);
      for (let i = 0; i < cloudSize(c); i++) {
        if (row.includes(i)) continue;
        const [d] = key(i);
        expect(d > last[0] || (d === last[0] && i > last[1])).toBe(true);
      }
    });
  });
});

describe('ball query', () => {
  it('PointNet++ mode: first K hits in index order, strict radius, padded with the first hit', () => {
    const c = makeCloud('c', [
      [5, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [0.5, 0, 0],
    ]);
    const centers = makeCloud('q', [[0, 0, 0]]);
    // radius 1: d2 < 1 holds for indices 1 and 4 only (index 2 is at exactly r).
    expect(ballQuery(centers, c, 1, 4)).toEqual({ result: [[1, 4, 1, 1]], count: [2] });
    expect(ballQuery(centers, c, 3, 2)).toEqual({ result: [[1, 2]], count: [2] });
    expect(ballQuery(makeCloud('far', [[100, 0, 0]]), c, 1, 3)).toEqual({ result: [[0, 0, 0]], count: [0] });
  });
  it('nearest mode: nearest K within r', () => {
    const c = makeCloud('c', [
      [5, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [0.5, 0, 0],
    ]);
    const centers = makeCloud('q', [[0.9, 0, 0]]);
    expect(ballQuery(centers, c, 1, 4, 'nearest')).toEqual({ result: [[2, 4, 1, 2]], count: [3] });
    expect(ballQuery(centers, c, 0.5, 3, 'nearest')).toEqual({ result: [[2, 4, 2]], count: [2] });
  });
  it('counts never exceed K and equal the hits when fewer (sparse cloud)', () => {
    const c = syntheticCloud('sparse', 200, 5);
    const centers = subset(c, fps(c, 16));
    const r = 0.02;
    const res = ballQuery(centers, c, r, 32);
    res.count.forEach((n, j) => {
      let hits = 0;
      for (let i = 0; i < cloudSize(c); i++) if (dist2(centers, j, c, i) < r * r) hits++;
      expect(n).toBe(Math.min(32, hits));
    });
    expect(res.count.some((n) => n < 32)).toBe(true);
  });
});

describe('kernel map', () => {
  it('enumerates offsets TorchSparse-style, x fastest', () => {
    const k3 = kernelOffsets(3);
    expect(k3.length).toBe(27);
    expect(k3.slice(0, 4)).toEqual([
      [-1, -1, -1],
      [0, -1, -1],
      [1, -1, -1],
      [-1, 0, -1],
    ]);
    expect(kernelOffsets(2)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
      [1, 0, 1],
      [0, 1, 1],
      [1, 1, 1],
    ]);
  });
  it('pairs satisfy c_in = c_out + d * stride and are sorted by out', () => {
    const vox = makeCloud('v', [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [5, 5, 5],
      [1, 1, 0],
    ]);
    const map = kernelMap(vox, vox, 3);
    const centre = map[13];
    expect(centre.offset).toEqual([0, 0, 0]);
    expect(centre.pairs).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(map[14].offset).toEqual([1, 0, 0]);
    expect(map[14].pairs).toEqual([
      [1, 0],
      [4, 2],
    ]);
    for (const e of map) {
      for (const [i, o] of e.pairs) for (let a = 0; a < 3; a++) expect(vox.xyz[3 * i + a]).toBe(vox.xyz[3 * o + a] + e.offset[a]);
      for (let t = 1; t < e.pairs.length; t++) expect(e.pairs[t][1]).toBeGreaterThan(e.pairs[t - 1][1]);
    }
  });
  it('downsamples with floor and orders outputs by the FNV hash; every input maps once for k = s = 2', () => {
    const vox = voxelize(syntheticCloud('clutter', 300, 2), 0.25).voxels;
    const out = downsampleCoords(vox, 2);
    const hashes = Array.from({ length: cloudSize(out) }, (_, o) => sphash(out.xyz[3 * o], out.xyz[3 * o + 1], out.xyz[3 * o + 2]));
    for (let t = 1; t < hashes.length; t++) expect(hashes[t] > hashes[t - 1]).toBe(true);
    const map = kernelMap(vox, out, 2, 1);
    expect(map.reduce((s, e) => s + e.pairs.length, 0)).toBe(cloudSize(vox));
  });
  it('hashes like TorchSparse (FNV-1a 64-bit, folded to 60 bits)', () => {
    // Computed independently with 64-bit unsigned arithmetic in C for (0,0,0,0).
    expect(sphash(0, 0, 0, 0)).toBe(sphashC(0, 0, 0, 0));
    expect(sphash(-1, 2, -3)).toBe(sphashC(-1, 2, -3, 0));
  });
});

function sphashC(...v: number[]): bigint {
  // A second, Number-free formulation: multiply by the FNV prime via shifts and adds.
  let h = 0xcbf29ce484222325n;
  for (const x of v) {
    h ^= BigInt.asUintN(32, BigInt(x));
    h = BigInt.asUintN(64, (h << 40n) + (h << 8n) + h * 0xb3n);
  }
  return (h >> 60n) ^ BigInt.asUintN(60, h);
}

describe('clouds', () => {
  it('are seeded and have the requested size', () => {
    for (const kind of SYNTHETIC_CLOUDS.filter((k) => k !== 'bunny')) {
      const a = syntheticCloud(kind, 333, 11);
      expect(cloudSize(a)).toBe(333);
      expect(Array.from(syntheticCloud(kind, 333, 11).xyz)).toEqual(Array.from(a.xyz));
    }
    expect(cloudSize(bunnyCloud())).toBe(1839);
  });
  it('parse .xyz, ASCII and binary PLY, raw float32', () => {
    const enc = new TextEncoder();
    expect(Array.from(parseCloud(enc.encode('# c\n1 2 3\n\n4 5 6 7\n'), 'a.xyz').xyz)).toEqual([1, 2, 3, 4, 5, 6]);
    const ascii =
      'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nend_header\n1 2 3 9\n4 5 6 9\n';
    expect(Array.from(parseCloud(enc.encode(ascii), 'a.ply').xyz)).toEqual([1, 2, 3, 4, 5, 6]);
    const header = enc.encode(
      'ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n',
    );
    const body = new Float32Array([1, 2, 3, 4.5, 5, 6]);
    const bin = new Uint8Array(header.length + 24);
    bin.set(header);
    bin.set(new Uint8Array(body.buffer), header.length);
    expect(Array.from(parseCloud(bin, 'b.ply').xyz)).toEqual([1, 2, 3, 4.5, 5, 6]);
    expect(Array.from(parseCloud(new Uint8Array(body.buffer), 'c.bin').xyz)).toEqual([1, 2, 3, 4.5, 5, 6]);
    expect(() => parseCloud(enc.encode('1 2\n'), 'bad.xyz')).toThrow(UserError);
  });
  it('quantise with a power-of-two scale, keeping lattice ties exact', () => {
    const q = quantiseCloud(syntheticCloud('ties', 100, 1), 15);
    expect(q.fracBits).toBe(14); // max |x| = 0.5 and 0.5 * 2^15 > 2^14 - 1
    for (const v of q.cloud.xyz) expect(Number.isInteger(v) && Math.abs(v) <= 2 ** 14 - 1).toBe(true);
    for (const v of q.cloud.xyz) expect(Math.abs(v % 2 ** 11)).toBe(0); // k/8 * 2^14
  });
});

describe('compute ops', () => {
  it('requantises like TFLite', () => {
    const { multiplier, shift } = quantizeMultiplier(0.5);
    expect([multiplier, shift]).toEqual([2 ** 30, 0]);
    expect(mbqm(5, multiplier, shift)).toBe(3); // 2.5 rounds away from zero
    expect(mbqm(-5, multiplier, shift)).toBe(-2); // gemmlowp nudge: -2.5 -> -2
    const m = quantizeMultiplier(0.0123);
    expect(Math.abs(mbqm(100000, m.multiplier, m.shift) - 1230)).toBeLessThanOrEqual(1);
  });
  it('shared MLP folds the input zero point and clamps ReLU at the output zero point', () => {
    const q = quantizeMultiplier(0.25);
    const layer = {
      weights: [
        [1, -1],
        [2, 2],
      ],
      bias: [0, -100],
      inputZeroPoint: 3,
      outputZeroPoint: -5,
      multiplier: [q.multiplier, q.multiplier],
      shift: [q.shift, q.shift],
      relu: true,
    };
    // row [7, 3]: (4, 0) -> acc0 = 4, acc1 = 8 - 100 = -92 -> 1 - 5 = -4, -23 - 5 -> clamp -5
    expect(sharedMlpInt8([[7, 3]], layer)).toEqual([[-4, -5]]);
  });
  it('max-pools, gathers and scatters', () => {
    expect(
      maxPool([
        [
          [1, 5],
          [3, 2],
        ],
      ]),
    ).toEqual([[3, 5]]);
    expect(gatherGroups(['a', 'b', 'c'], [[2, 0]])).toEqual([['c', 'a']]);
    expect(scatterAdd([[1], [2], [3]], [0, 2, 0], 3, 1)).toEqual([[4], [0], [2]]);
  });
});
