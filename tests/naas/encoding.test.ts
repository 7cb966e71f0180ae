import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convProblem, problemMacs } from '../../compiler/ir/problem.ts';
import type { DesignSpace } from '../../compiler/ir/targets.ts';
import { eyeriss as fixture, naasSpace } from './fixtures.ts';
import { onChipBytes } from '../../compiler/naas/arch-from-spec.ts';
import { CmaEs } from '../../compiler/naas/cmaes.ts';
import { connectivityConstraints } from '../../compiler/naas/dataflow.ts';
import {
  decodeHardware,
  decodeMapping,
  divisorNear,
  encodeHardware,
  HW_VECTOR_LENGTH,
  limitsOf,
  MAP_VECTOR_LENGTH,
  onGrid,
  rankByImportance,
} from '../../compiler/naas/encoding.ts';

const eyeriss = { ...fixture, dataflow: 'row_stationary' as const };
const space: DesignSpace = naasSpace;

describe('encoding', () => {
  it('puts values on the paper grids', () => {
    expect(onGrid(0, { min: 8, max: 168, step: 8 })).toBe(8);
    expect(onGrid(1, { min: 8, max: 168, step: 8 })).toBe(168);
    expect(onGrid(0.5, { min: 16, max: 1024, step: 16 }) % 16).toBe(0);
    expect(onGrid(7, { min: 2, max: 64, step: 2 })).toBe(64);
  });
  it('breaks importance ties by dimension order', () => {
    expect(rankByImportance([0.5, 0.9, 0.5, 0.9])).toEqual([1, 3, 0, 2]);
  });
  it('searches DRAM bandwidth on the space grid, never above the resources', () => {
    const lim = limitsOf(eyeriss);
    const bwSpace: DesignSpace = { ...space, dramBandwidthBytesPerCycle: { min: 2, max: 16, step: 2 } };
    const seen = new Set<number>();
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: HW_VECTOR_LENGTH, maxLength: HW_VECTOR_LENGTH }),
        (x) => {
          const hw = decodeHardware(x, bwSpace, lim);
          fc.pre(hw !== undefined); // rejections are allowed; a run of nothing but rejections fails
          expect(hw.spec.dramBandwidthBytesPerCycle % 2).toBe(0);
          expect(hw.spec.dramBandwidthBytesPerCycle).toBeLessThanOrEqual(8);
          seen.add(hw.spec.dramBandwidthBytesPerCycle);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
    expect(seen.size).toBeGreaterThan(2);
    // Without a range the resources' bandwidth is used, and the encoder starts there.
    const x = encodeHardware(eyeriss, bwSpace, lim, ['K', 'C']);
    expect(decodeHardware(x, bwSpace, lim)!.spec.dramBandwidthBytesPerCycle).toBe(8);
    expect(decodeHardware(encodeHardware(eyeriss, space, lim, ['K', 'C']), space, lim)!.spec.dramBandwidthBytesPerCycle).toBe(8);
  });
  it('decodes hardware inside the space and the resources, or rejects it', () => {
    const lim = limitsOf(eyeriss);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { minLength: HW_VECTOR_LENGTH, maxLength: HW_VECTOR_LENGTH }),
        (x) => {
          const hw = decodeHardware(x, space, lim);
          fc.pre(hw !== undefined); // rejections are allowed; a run of nothing but rejections fails
          const pes = hw.spec.peArray.reduce((a, b) => a * b, 1);
          expect(pes).toBeLessThanOrEqual(168);
          expect(hw.spec.peArray.length).toBeGreaterThanOrEqual(1);
          expect(hw.spec.peArray.length).toBeLessThanOrEqual(3);
          for (const s of hw.spec.peArray) expect(s % 2).toBe(0);
          expect(hw.spec.registerFileBytesPerPe % 16).toBe(0);
          expect(hw.spec.globalBufferBytes % 16).toBe(0);
          expect(onChipBytes(hw.spec)).toBeLessThanOrEqual(onChipBytes(eyeriss));
          expect(new Set(hw.parallel).size).toBe(hw.parallel.length);
          expect(hw.parallel.length).toBe(hw.spec.peArray.length);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
  it('starts from a vector that decodes to the resources design', () => {
    const lim = limitsOf(eyeriss);
    const hw = decodeHardware(encodeHardware(eyeriss, space, lim, ['Q', 'S']), space, lim);
    expect(hw?.spec.peArray).toEqual([12, 14]);
    expect(hw?.parallel).toEqual(['Q', 'S']);
  });
  it('decodes any mapping vector into a complete factorisation', () => {
    const p = convProblem({ K: 96, C: 24, P: 56, Q: 56, R: 3, S: 3, strideW: 2, strideH: 2 });
    const c = connectivityConstraints(['K', 'Q'], [12, 14]);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { minLength: MAP_VECTOR_LENGTH, maxLength: MAP_VECTOR_LENGTH }),
        (x) => {
          const m = decodeMapping(x, p, c);
          const prod: Record<string, number> = {};
          for (const lv of m.levels) for (const l of [...lv.temporal, ...lv.spatial]) prod[l.dim] = (prod[l.dim] ?? 1) * l.bound;
          for (const d of p.dims) expect(prod[d] ?? 1).toBe(p.bounds[d]);
          // pe_array [rows, columns]: the 14 columns are meshX, the 12 rows meshY.
          const xs = m.levels[1].spatial.filter((s) => s.axis === 'X').reduce((a, s) => a * s.bound, 1);
          const ys = m.levels[1].spatial.filter((s) => s.axis === 'Y').reduce((a, s) => a * s.bound, 1);
          expect(xs).toBeLessThanOrEqual(14);
          expect(ys).toBeLessThanOrEqual(12);
          expect(Object.values(prod).reduce((a, b) => a * b, 1)).toBe(problemMacs(p));
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });
  it('finds divisors near a ratio in log space', () => {
    expect(divisorNear(64, 0.5)).toBe(8);
    expect(divisorNear(64, 0)).toBe(1);
    expect(divisorNear(64, 1)).toBe(64);
    expect(divisorNear(7, 0.4)).toBe(1);
  });
});

describe('CMA-ES', () => {
  const sphere = (x: number[]): number => x.reduce((a, v, i) => a + (v - 0.1 * i) ** 2, 0);
  const run = (seed: number): number => {
    const es = new CmaEs(8, { seed, sigma: 0.5, mean: new Array(8).fill(1) });
    let best = Infinity;
    for (let g = 0; g < 120; g++) {
      const xs = Array.from({ length: es.lambda }, () => es.sample());
      const f = xs.map(sphere);
      best = Math.min(best, ...f);
      es.tell(xs, f);
    }
    return best;
  };
  it('minimises a shifted sphere', () => {
    expect(run(1)).toBeLessThan(1e-6);
  });
  it('is reproducible for a seed', () => {
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });
});
