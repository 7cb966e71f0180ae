import { describe, expect, it } from 'vitest';
import { leafSynthetic, parseCsv, partitionIndices, prepareData, syntheticDigits } from '../../compiler/fl/data.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';

const covers = (parts: Int32Array[], n: number) => {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) seen[i]++;
  return seen.every((c) => c === 1);
};
const labelsOf = (y: Int32Array, p: Int32Array) => new Set(Array.from(p, (i) => y[i]));
const maxClassShare = (y: Int32Array, p: Int32Array) => {
  const c = new Map<number, number>();
  for (const i of p) c.set(y[i], (c.get(y[i]) ?? 0) + 1);
  return Math.max(...c.values()) / p.length;
};

describe('synthetic digits', () => {
  it('is seeded, balanced and in [0, 1]', () => {
    const a = syntheticDigits(200, 4);
    expect(syntheticDigits(200, 4)).toEqual(a);
    expect(syntheticDigits(200, 5).x).not.toEqual(a.x);
    expect(a.features).toBe(256);
    for (let d = 0; d < 10; d++) expect(Array.from(a.y).filter((v) => v === d).length).toBe(20);
    expect(Math.min(...a.x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.x)).toBeLessThanOrEqual(1);
    // Ink is a minority of pixels but present in every image.
    for (let i = 0; i < a.count; i++) {
      const ink = a.x.subarray(i * 256, (i + 1) * 256).filter((v) => v > 0.5).length;
      expect(ink).toBeGreaterThan(8);
      expect(ink).toBeLessThan(150);
    }
  });

  it('distortion makes two renderings of the same digit differ', () => {
    const a = syntheticDigits(20, 1);
    const ones = Array.from(a.y).flatMap((v, i) => (v === 1 ? [i] : []));
    const [p, q] = ones;
    let diff = 0;
    for (let k = 0; k < 256; k++) diff += Math.abs(a.x[p * 256 + k] - a.x[q * 256 + k]);
    expect(diff).toBeGreaterThan(5);
  });
});

describe('partitions', () => {
  const data = syntheticDigits(1000, 2);
  it('IID splits evenly and covers every sample once', () => {
    const parts = partitionIndices(data.y, 10, 7, { kind: 'iid' }, 1);
    expect(covers(parts, 1000)).toBe(true);
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
  it('Dirichlet skews labels more as alpha falls', () => {
    const skew = (alpha: number) => {
      const parts = partitionIndices(data.y, 10, 10, { kind: 'dirichlet', alpha }, 3);
      expect(covers(parts, 1000)).toBe(true);
      return parts.reduce((a, p) => a + maxClassShare(data.y, p), 0) / parts.length;
    };
    const iid = partitionIndices(data.y, 10, 10, { kind: 'iid' }, 3).reduce((a, p) => a + maxClassShare(data.y, p), 0) / 10;
    expect(skew(0.1)).toBeGreaterThan(skew(100) + 0.2);
    expect(skew(100)).toBeLessThan(iid + 0.1);
  });
  it('label shards give each worker few labels', () => {
    const parts = partitionIndices(data.y, 10, 5, { kind: 'shards', perWorker: 2 }, 4);
    expect(covers(parts, 1000)).toBe(true);
    for (const p of parts) expect(labelsOf(data.y, p).size).toBeLessThanOrEqual(4);
  });
});

describe('LEAF synthetic and CSV', () => {
  it('LEAF synthetic: 60 features, 10 classes, one device per worker', () => {
    const { data, devices } = leafSynthetic(600, 6, 9);
    expect(data.features).toBe(60);
    expect(devices.length).toBe(6);
    expect(covers(devices, 600)).toBe(true);
    expect(Math.max(...data.y)).toBeLessThan(10);
    expect(leafSynthetic(600, 6, 9).data.x).toEqual(data.x);
    const fd = prepareData({ generator: 'leaf_synthetic', samples: 400, partition: { kind: 'iid' }, args: {} }, 5, 1);
    expect(fd.parts.length).toBe(5);
    expect(fd.train.count + fd.test.count).toBe(500);
  });

  it('CSV: header, named label column, string classes, located errors', () => {
    const d = parseCsv('a,label,b\n1,cat,2\n3,dog,4\n5,cat,6\n', 'x.csv', { label: 'label' });
    expect(d.features).toBe(2);
    expect(d.classes).toBe(2);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4, 5, 6]);
    const n = parseCsv('0.5,0.25,3\n1,2,0\n', 'y.csv');
    expect(Array.from(n.y)).toEqual([3, 0]);
    expect(n.classes).toBe(4);
    try {
      parseCsv('1,2,0\n1,oops,1\n', 'z.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).diagnostics[0].location?.line).toBe(2);
    }
    const fd = prepareData(
      { generator: 'csv', path: 'd.csv', partition: { kind: 'iid' }, args: {} },
      2,
      1,
      () => 'f1,f2,y\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n'),
    );
    expect(fd.train.count).toBe(40);
    expect(fd.test.count).toBe(10);
  });
});
