import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../../compiler/ir/architecture.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import { convProblem, problemMacs } from '../../compiler/ir/problem.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { dataflowConstraints } from '../../compiler/naas/dataflow.ts';
import { placementToMapping, randomPlacement } from '../../compiler/naas/mapper.ts';
import { evaluate, temporalDeltaSum } from '../../compiler/naas/model.ts';
import { Prng } from '../../compiler/util/prng.ts';

const eyeriss = specToArchitecture({
  name: 'eyeriss',
  peArray: [12, 14],
  dataflow: 'row_stationary',
  registerFileBytesPerPe: 520,
  globalBufferBytes: 110592,
  dramBandwidthBytesPerCycle: 8,
  wordBits: 16,
});

describe('temporal deltas', () => {
  it('keeps sliding-window overlap while the tile moves by the same step', () => {
    // A 16-wide input window moved 3 times by one column: 16 + 1 + 1.
    expect(temporalDeltaSum([16], [{ n: 3, u: [1] }])).toBe(18);
  });
  it('charges nothing while the tile stands still', () => {
    expect(temporalDeltaSum([4, 4], [{ n: 5, u: [0, 0] }])).toBe(16);
  });
  it('discards the residual when the stride changes after standing still', () => {
    // Outer loop moves the tile by 8 rows (overlap 1 of 9), inner loop is irrelevant:
    // Timeloop refetches the whole tile at every outer step.
    expect(
      temporalDeltaSum(
        [9, 3],
        [
          { n: 4, u: [8, 0] },
          { n: 2, u: [0, 0] },
        ],
      ),
    ).toBe(4 * 27);
    // Without the inner loop the overlap is kept.
    expect(temporalDeltaSum([9, 3], [{ n: 4, u: [8, 0] }])).toBe(27 + 3 * 24);
  });
  it('refetches everything when a step moves two axes', () => {
    expect(
      temporalDeltaSum(
        [2, 2],
        [
          { n: 2, u: [1, 0] },
          { n: 2, u: [0, 1] },
        ],
      ),
    ).toBe(4 + 2 + 4 + 2);
  });
});

describe('evaluate', () => {
  const p = convProblem({ K: 16, C: 8, P: 14, Q: 14, R: 3, S: 3 });
  const m = (rfK = 2): Mapping => ({
    levels: [
      {
        level: 'DRAM',
        temporal: [
          { dim: 'K', bound: 16 / (4 * rfK) },
          { dim: 'C', bound: 2 },
        ],
        spatial: [],
        keep: ['Weights', 'Inputs', 'Outputs'],
      },
      {
        level: 'GlobalBuffer',
        temporal: [
          { dim: 'Q', bound: 7 },
          { dim: 'P', bound: 14 },
        ],
        spatial: [
          { dim: 'K', bound: 4, axis: 'X' },
          { dim: 'Q', bound: 2, axis: 'X' },
          { dim: 'C', bound: 4, axis: 'Y' },
          { dim: 'S', bound: 3, axis: 'Y' },
        ],
        keep: ['Weights', 'Inputs', 'Outputs'],
      },
      {
        level: 'RegisterFile',
        temporal: [
          { dim: 'K', bound: rfK },
          { dim: 'R', bound: 3 },
        ],
        spatial: [],
        keep: ['Weights', 'Inputs', 'Outputs'],
      },
    ],
  });
  it('counts every MAC once and derives cycles from the utilised PEs', () => {
    const e = evaluate(p, eyeriss, m());
    expect(e.valid).toBe(true);
    expect(e.macs).toBe(problemMacs(p));
    expect(e.utilizedPes).toBe(4 * 2 * 4 * 3);
    expect(e.computeCycles * e.utilizedPes).toBe(e.macs);
    expect(e.edp).toBeCloseTo(e.energyPj * e.cycles);
    const rf = e.levels[2].dataSpaces;
    // The innermost keeper of weights serves one read per MAC of its PE.
    expect(rf.Weights.reads).toBe(e.computeCycles);
    // Outputs: one update per MAC, a read for all but the first update of each output.
    expect(rf.Outputs.updates).toBe(e.computeCycles);
    expect(rf.Outputs.reads).toBe(e.computeCycles - rf.Outputs.partitionSize);
    // DRAM sends each weight exactly once here (weights stay resident across P, Q).
    expect(e.levels[0].dataSpaces.Weights.reads).toBe(16 * 8 * 9);
    // Outputs reach DRAM once each.
    expect(e.levels[0].dataSpaces.Outputs.updates).toBe(16 * 14 * 14);
  });
  it('multicasts weights to PEs that differ only in output rows', () => {
    const e = evaluate(p, eyeriss, m());
    // Q is spatial on X (2-way): those PEs share weights.
    expect(e.levels[1].dataSpaces.Weights.multicast).toBe(2);
  });
  it('rejects mappings with a reason', () => {
    const bad = m();
    bad.levels[2].temporal[0].bound = 3;
    expect(evaluate(p, eyeriss, bad)).toMatchObject({ valid: false });
    expect(evaluate(p, eyeriss, bad).reason).toMatch(/factors of K/);
    const wide = m();
    wide.levels[1].spatial[0].bound = 16;
    wide.levels[0].temporal[0].bound = 1;
    wide.levels[2].temporal[0].bound = 1;
    expect(evaluate(p, eyeriss, wide).reason).toMatch(/spatial X factor 32 exceeds fanout 14/);
    const tiny: Architecture = { ...eyeriss, levels: eyeriss.levels.map((l) => (l.name === 'RegisterFile' ? { ...l, sizeWords: 4 } : l)) };
    expect(evaluate(p, tiny, m()).reason).toMatch(/RegisterFile: tiles need \d+ words, capacity is 4/);
  });

  it('holds conservation laws on random mappings (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom(4, 8, 16),
        fc.constantFrom(3, 6),
        fc.constantFrom(7, 14),
        fc.constantFrom(1, 3),
        (seed, K, C, P, R) => {
          const prob = convProblem({ K, C, P, Q: P, R, S: R, strideW: 1 + (seed % 2), strideH: 1 });
          const c = dataflowConstraints('row_stationary', [12, 14]);
          const mp = placementToMapping(randomPlacement(prob, c, new Prng(seed)), c);
          const e = evaluate(prob, eyeriss, mp, { ignoreCapacity: true });
          expect(e.valid).toBe(true);
          expect(e.computeCycles * e.utilizedPes).toBe(e.macs);
          for (const lv of e.levels) {
            for (const [name, s] of Object.entries(lv.dataSpaces)) {
              // A level is filled with at least its tile, never more than once per iteration above it.
              if (lv.name !== 'DRAM' && name !== 'Outputs') expect(s.fills).toBeGreaterThanOrEqual(s.tileSize);
              expect(s.reads).toBeGreaterThanOrEqual(0);
              expect(s.fills).toBeGreaterThanOrEqual(0);
            }
          }
          // Every output value reaches DRAM at least once; each extra visit is read back first.
          const out = e.levels[0].dataSpaces.Outputs;
          expect(out.updates).toBeGreaterThanOrEqual(K * P * P);
          expect(out.reads).toBe(out.updates - K * P * P);
          expect(e.cycles).toBeGreaterThanOrEqual(Math.ceil(e.macs / e.utilizedPes));
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});

describe('microarchitecture bottlenecks (off unless set; set for the generated RTL)', () => {
  // 1x1 convolution on a 4 K x 4 C array: 4 x 4 output pixels at the global buffer, the two
  // remaining C steps inside a register-file tile. 32 array steps, 64 outputs in 16 drains,
  // 128 input + 32 weight words loaded at 8 words/cycle.
  const spec = {
    name: 'kc',
    peArray: [4, 4],
    parallel: ['K', 'C'],
    registerFileBytesPerPe: 64,
    globalBufferBytes: 32768,
    dramBandwidthBytesPerCycle: 8,
    wordBits: 8,
  };
  const p = convProblem({ K: 4, C: 8, P: 4, Q: 4, R: 1, S: 1 });
  const mapping: Mapping = {
    levels: [
      { level: 'DRAM', temporal: [], spatial: [], keep: ['Weights', 'Inputs', 'Outputs'] },
      {
        level: 'GlobalBuffer',
        temporal: [
          { dim: 'P', bound: 4 },
          { dim: 'Q', bound: 4 },
        ],
        spatial: [
          { dim: 'K', bound: 4, axis: 'X' },
          { dim: 'C', bound: 4, axis: 'Y' },
        ],
        keep: ['Weights', 'Inputs', 'Outputs'],
      },
      { level: 'RegisterFile', temporal: [{ dim: 'C', bound: 2 }], spatial: [], keep: ['Outputs'] },
    ],
  };
  it('without them the run is compute-bound, as Timeloop would have it', () => {
    const e = evaluate(p, specToArchitecture(spec), mapping);
    expect(e.valid).toBe(true);
    expect(e.cycles).toBe(32);
    expect(e.serialFillCycles).toBeUndefined();
  });
  it('a one-word-per-cycle drain with a 2-cycle hand-shake and a serial load bound it: 160/8 + 64 + 16 x 2', () => {
    const e = evaluate(p, specToArchitecture(spec, { drainWordsPerCycle: 1, drainOverheadCycles: 2, serialLoad: true }), mapping);
    expect(e.serialFillCycles).toBe(20);
    expect(e.levels.find((l) => l.name === 'GlobalBuffer')!.cycles).toBe(96);
    expect(e.cycles).toBe(116);
  });
  it('a drain fast enough to hide behind compute leaves only the load', () => {
    const e = evaluate(p, specToArchitecture(spec, { drainWordsPerCycle: 2, serialLoad: true }), mapping);
    expect(e.cycles).toBe(20 + 32);
  });
});
