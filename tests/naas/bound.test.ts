import { describe, expect, it } from 'vitest';
import { convProblem, problemMacs } from '../../compiler/ir/problem.ts';
import type { AcceleratorSpec } from '../../compiler/ir/targets.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { largestDivisorOfProductAtMost, layerBound, spaceFloorOptions, touchedPoints } from '../../compiler/naas/bound.ts';
import { connectivityConstraints, dataflowConstraints, type MappingConstraints } from '../../compiler/naas/dataflow.ts';
import { bestMapping, placementToMapping, randomPlacement } from '../../compiler/naas/mapper.ts';
import { evaluate } from '../../compiler/naas/model.ts';
import { Prng } from '../../compiler/util/prng.ts';

const resources: AcceleratorSpec = {
  name: 'eyeriss',
  peArray: [12, 14],
  dataflow: 'row_stationary',
  registerFileBytesPerPe: 520,
  globalBufferBytes: 110592,
  dramBandwidthBytesPerCycle: 8,
  wordBits: 16,
};

describe('touched points', () => {
  it('counts the input points a strided window touches, not the gaps', () => {
    // 1x1 stride-2 convolution: only every other row and column is read.
    const p = convProblem({ K: 4, C: 3, P: 5, Q: 5, R: 1, S: 1, strideW: 2, strideH: 2 });
    expect(touchedPoints(p, 'Inputs')).toBe(3 * 5 * 5);
    // 3x3 stride 2 covers every padded point: (2*4+3) squared.
    const q = convProblem({ K: 4, C: 3, P: 5, Q: 5, R: 3, S: 3, strideW: 2, strideH: 2 });
    expect(touchedPoints(q, 'Inputs')).toBe(3 * 11 * 11);
    // Dilation 2 with stride 1: every point of the dilated window's span.
    const d = convProblem({ K: 1, C: 1, P: 4, Q: 1, R: 3, S: 1, dilationW: 2 });
    expect(touchedPoints(d, 'Inputs')).toBe(8);
    expect(touchedPoints(q, 'Weights')).toBe(4 * 3 * 9);
    expect(touchedPoints(q, 'Outputs')).toBe(4 * 25);
  });
});

describe('layer bound', () => {
  it('is compute bound for a large conv and DRAM bound for a dense layer', () => {
    const conv = convProblem({ K: 64, C: 64, P: 56, Q: 56, R: 3, S: 3 });
    const b = layerBound(conv, resources);
    expect(b.cycles).toBe(Math.ceil(problemMacs(conv) / 168));
    const fc = convProblem({ K: 1000, C: 4096, P: 1, Q: 1, R: 1, S: 1 });
    const f = layerBound(fc, resources);
    expect(f.compulsoryDramWords).toBe(1000 * 4096 + 4096 + 1000);
    expect(f.cycles).toBe(Math.ceil(f.compulsoryDramWords / 4));
    expect(f.energyPj).toBe(problemMacs(fc) * 1 + f.compulsoryDramWords * 200);
  });

  it('is never beaten by any valid mapping of any design within the resources', () => {
    const rng = new Prng(7);
    const problems = [
      convProblem({ K: 32, C: 16, P: 28, Q: 28, R: 3, S: 3 }),
      convProblem({ K: 64, C: 32, P: 14, Q: 14, R: 1, S: 1, strideW: 2, strideH: 2 }),
      convProblem({ G: 32, K: 1, C: 1, P: 14, Q: 14, R: 3, S: 3 }),
      convProblem({ K: 100, C: 256, P: 1, Q: 1, R: 1, S: 1 }),
    ];
    const dims = ['K', 'C', 'P', 'Q', 'R', 'S'];
    let checked = 0;
    for (let trial = 0; trial < 120; trial++) {
      const a = 2 + 2 * rng.int(8);
      const b = 2 + 2 * rng.int(Math.floor(168 / a / 2));
      const rf = 16 * (1 + rng.int(32));
      const gb = 16384 * (1 + rng.int(6));
      const spec: AcceleratorSpec = {
        ...resources,
        dataflow: undefined,
        peArray: [a, b],
        registerFileBytesPerPe: rf,
        globalBufferBytes: gb,
      };
      const par = [dims[rng.int(6)], dims[rng.int(6)]];
      if (par[0] === par[1]) continue;
      const c = trial % 3 === 0 ? dataflowConstraints('row_stationary', [a, b]) : connectivityConstraints(par, [a, b]);
      const arch = specToArchitecture(spec);
      for (const p of problems) {
        const bound = layerBound(p, resources);
        for (let k = 0; k < 6; k++) {
          const m = placementToMapping(randomPlacement(p, c, rng), c);
          const e = evaluate(p, arch, m);
          if (!e.valid) continue;
          checked++;
          expect(e.cycles).toBeGreaterThanOrEqual(bound.cycles);
          expect(e.energyPj).toBeGreaterThanOrEqual(bound.energyPj * (1 - 1e-12));
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('floor of a space (utilisation of perfect factorisation, register-file accesses)', () => {
  it('keeps only as many PEs busy as a divisor of the iteration space allows', () => {
    expect(largestDivisorOfProductAtMost([97, 32, 31, 31, 3, 3], 168)).toBe(144);
    expect(largestDivisorOfProductAtMost([64, 56, 56], 168)).toBe(128);
    expect(largestDivisorOfProductAtMost([64, 56, 56, 3], 168)).toBe(168);
    expect(largestDivisorOfProductAtMost([7], 168)).toBe(7);
    // K = 97 (prime), 31 x 31 outputs: no mapping fills all 168 PEs; 144 is the most.
    const p = convProblem({ K: 97, C: 32, P: 31, Q: 31, R: 3, S: 3 });
    const b = layerBound(p, resources);
    expect(b.busyPes).toBe(144);
    expect(b.cycles).toBe(Math.ceil(problemMacs(p) / 144));
  });

  it('counts one register-file access per MAC for each operand every design keeps, at the smallest register file', () => {
    const p = convProblem({ K: 64, C: 64, P: 56, Q: 56, R: 3, S: 3 });
    const plain = layerBound(p, resources);
    const naas = layerBound(
      p,
      resources,
      spaceFloorOptions({ name: 's', objective: 'edp', registerFileBytes: { min: 64, max: 1024, step: 16 } }),
    );
    expect(naas.registerFileAccesses).toBe(3 * problemMacs(p));
    expect(naas.energyPj - plain.energyPj).toBeCloseTo(3 * problemMacs(p) * 0.125 * Math.cbrt(64), 0);
    // Output stationary keeps only outputs; --rtl designs only partial sums; the baseline's own keeps count too.
    expect(spaceFloorOptions({ name: 's', objective: 'edp', dataflow: 'output_stationary' }).registerFileKeeps).toEqual(['Outputs']);
    expect(spaceFloorOptions({ name: 's', objective: 'edp' }, undefined, true).registerFileKeeps).toEqual(['Outputs']);
    expect(
      spaceFloorOptions({ name: 's', objective: 'edp' }, { ...resources, dataflow: 'weight_stationary', registerFileBytesPerPe: 32 }),
    ).toEqual({ registerFileKeeps: ['Weights'], minRegisterFileBytes: 16 });
  });

  it('is never beaten by random or mapper-optimised mappings on 1-D, 2-D and 3-D arrays, 16- and 8-bit words', () => {
    const rng = new Prng(11);
    const problems = [
      convProblem({ K: 32, C: 16, P: 28, Q: 28, R: 3, S: 3 }),
      convProblem({ K: 97, C: 8, P: 15, Q: 15, R: 3, S: 3 }),
      convProblem({ G: 32, K: 1, C: 1, P: 14, Q: 14, R: 3, S: 3 }),
      convProblem({ K: 64, C: 32, P: 14, Q: 14, R: 1, S: 1, strideW: 2, strideH: 2 }),
    ];
    const dims = ['K', 'C', 'P', 'Q', 'R', 'S'];
    let checked = 0;
    let mapped = 0;
    for (let trial = 0; trial < 48; trial++) {
      const wordBits = trial % 2 === 0 ? 16 : 8;
      const res: AcceleratorSpec = { ...resources, wordBits, dramBandwidthBytesPerCycle: 8 };
      const k = 1 + (trial % 3);
      const shape =
        k === 1
          ? [2 + 2 * rng.int(40)]
          : k === 2
            ? [2 + 2 * rng.int(8), 2 + 2 * rng.int(5)]
            : [2 + 2 * rng.int(3), 2 + 2 * rng.int(3), 2 + 2 * rng.int(3)];
      const spec: AcceleratorSpec = {
        ...res,
        dataflow: undefined,
        peArray: shape,
        registerFileBytesPerPe: 16 * (1 + rng.int(32)),
        globalBufferBytes: 16384 * (1 + rng.int(6)),
      };
      const par: string[] = [];
      while (par.length < k) {
        const d = dims[rng.int(6)];
        if (!par.includes(d)) par.push(d);
      }
      const flow =
        k === 2 && trial % 4 === 1 ? (['row_stationary', 'output_stationary', 'weight_stationary'] as const)[rng.int(3)] : undefined;
      const c: MappingConstraints = flow ? dataflowConstraints(flow, shape) : connectivityConstraints(par, shape);
      const floor = spaceFloorOptions({ name: 's', objective: 'edp', ...(flow ? { dataflow: flow } : {}) });
      const arch = specToArchitecture(spec);
      for (const p of problems) {
        const bound = layerBound(p, res, floor);
        const check = (e: ReturnType<typeof evaluate>): void => {
          if (!e.valid) return;
          checked++;
          expect(e.cycles).toBeGreaterThanOrEqual(bound.cycles);
          expect(e.energyPj).toBeGreaterThanOrEqual(bound.energyPj * (1 - 1e-12));
        };
        for (let i = 0; i < 3; i++) check(evaluate(p, arch, placementToMapping(randomPlacement(p, c, rng), c)));
        const best = bestMapping(p, arch, c, { seed: trial, samples: 60, steps: 60 });
        if (best) {
          mapped++;
          check(best.evaluation);
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(mapped).toBeGreaterThan(120);
  });
});
