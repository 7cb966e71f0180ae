// The optimised cost model must return exactly what the model returned before the speed
// work: every field of evaluate()'s result (counts, energies, cycles, reasons, key presence),
// compared with toStrictEqual against a frozen copy of the old model (model-oracle.ts), on
// the Timeloop reference cases and on a seeded corpus of random valid and invalid mappings of
// conv, strided/dilated conv, depthwise and dense problems across several architectures.
import { describe, expect, it } from 'vitest';
import { findCases, conventionOf } from '../../testbench/fidelity/timeloop-cases.ts';
import { fanoutBelow, type Architecture } from '../../compiler/ir/architecture.ts';
import type { LevelMapping, Mapping } from '../../compiler/ir/mapping.ts';
import { convProblem, denseProblem, depthwiseProblem, type Problem } from '../../compiler/ir/problem.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { connectivityConstraints, dataflowConstraints, type MappingConstraints } from '../../compiler/naas/dataflow.ts';
import { placementToMapping, primeFactors, randomPlacement } from '../../compiler/naas/mapper.ts';
import * as model from '../../compiler/naas/model.ts';
import { Prng } from '../../compiler/util/prng.ts';
import * as oracle from './model-oracle.ts';
import { itNeeds, needShared } from '../helpers/requires.ts';

const REF = '../shared/reference/timeloop';
const NEED_REF = needShared('reference', 'timeloop');
const haveRef = NEED_REF.present;

const problems: Problem[] = [
  convProblem({ name: 'vgg_conv3_2', K: 256, C: 256, P: 56, Q: 56, R: 3, S: 3 }),
  convProblem({ name: 'small', K: 16, C: 8, P: 14, Q: 14, R: 3, S: 3 }),
  convProblem({ name: 'strided', K: 32, C: 12, P: 7, Q: 9, R: 5, S: 3, strideW: 2, strideH: 3 }),
  convProblem({ name: 'dilated', N: 2, K: 6, C: 10, P: 8, Q: 6, R: 3, S: 2, dilationW: 2, dilationH: 3, strideW: 2 }),
  convProblem({ name: 'pointwise', K: 96, C: 24, P: 28, Q: 28, R: 1, S: 1 }),
  depthwiseProblem({ name: 'dw', channels: 32, P: 14, Q: 14, R: 3, S: 3 }),
  depthwiseProblem({ name: 'dw_s2_mult', channels: 18, multiplier: 2, P: 10, Q: 5, R: 5, S: 5, strideW: 2, strideH: 2 }),
  denseProblem({ name: 'fc', K: 1000, C: 512 }),
  denseProblem({ name: 'fc_batch', N: 6, K: 10, C: 84 }),
  // Edge cases the fast paths must also reproduce: fractional projection coefficients (the
  // walk's summation order matters), and two data spaces sharing a name (one record entry).
  convProblem({ name: 'fractional', K: 8, C: 4, P: 6, Q: 4, R: 3, S: 2, strideW: 1.1, dilationH: 0.3 }),
  // A dimension addressing two axes of one data space (a skewed extra input axis P + Q).
  ((p: Problem): Problem => ({
    ...p,
    name: 'skewed',
    dataSpaces: p.dataSpaces.map((d) =>
      d.name === 'Inputs'
        ? {
            ...d,
            projection: [
              ...d.projection,
              [
                { dim: 'P', coef: 1 },
                { dim: 'Q', coef: 2 },
              ],
            ],
          }
        : d,
    ),
  }))(convProblem({ K: 8, C: 6, P: 6, Q: 4, R: 3, S: 3 })),
  ((p: Problem): Problem => ({
    ...p,
    name: 'dup_names',
    dataSpaces: p.dataSpaces.map((d) => (d.name === 'Inputs' ? { ...d, name: 'Weights' } : d)),
  }))(convProblem({ K: 12, C: 6, P: 7, Q: 7, R: 3, S: 3 })),
];

const spec = (name: string, peArray: number[], rf: number, gb: number, bw: number, wordBits = 16) => ({
  name,
  peArray,
  registerFileBytesPerPe: rf,
  globalBufferBytes: gb,
  dramBandwidthBytesPerCycle: bw,
  wordBits,
});
const archs: { arch: Architecture; c: MappingConstraints[] }[] = [
  {
    arch: specToArchitecture(spec('eyeriss', [12, 14], 520, 110592, 8)),
    c: [
      dataflowConstraints('row_stationary', [12, 14]),
      dataflowConstraints('output_stationary', [12, 14]),
      dataflowConstraints('weight_stationary', [12, 14]),
    ],
  },
  {
    arch: specToArchitecture(spec('tiny', [4, 4], 16, 2048, 4, 8)),
    c: [dataflowConstraints('input_stationary', [4, 4]), connectivityConstraints(['K', 'C'], [4, 4])],
  },
  { arch: specToArchitecture(spec('line', [16], 64, 16384, 16)), c: [connectivityConstraints(['P'], [16])] },
  {
    arch: specToArchitecture(spec('cube', [4, 3, 2], 128, 65536, 8)),
    c: [connectivityConstraints(['K', 'Q', 'S'], [4, 3, 2]), dataflowConstraints('row_stationary', [4, 6])],
  },
  {
    arch: specToArchitecture(spec('rtl', [4, 4], 64, 32768, 8, 8), { drainWordsPerCycle: 1, drainOverheadCycles: 2, serialLoad: true }),
    c: [connectivityConstraints(['K', 'C'], [4, 4]), dataflowConstraints('output_stationary', [4, 4])],
  },
  {
    arch: specToArchitecture(spec('drain', [8, 8], 256, 65536, 16), { drainWordsPerCycle: 3 }),
    c: [dataflowConstraints('weight_stationary', [8, 8])],
  },
];

/** A random mapping of any problem onto any hierarchy: primes scattered over levels and axes. */
function genericMapping(p: Problem, arch: Architecture, rng: Prng): Mapping {
  const L = arch.levels.length;
  const levels: LevelMapping[] = arch.levels.map((lv) => ({ level: lv.name, temporal: [], spatial: [], keep: [] }));
  // Spatial room left below each level on each axis (mostly respected, so most mappings fit).
  const room = arch.levels.map((_, l) => fanoutBelow(arch, l));
  for (const d of rng.shuffle(p.dims.slice())) {
    for (const f of primeFactors(p.bounds[d])) {
      const l = rng.int(L);
      const lm = levels[l];
      const axis = rng.next() < 0.5 ? 'x' : 'y';
      if (rng.next() < 0.6 && (room[l][axis] >= f || rng.next() < 0.03)) {
        room[l][axis] = Math.floor(room[l][axis] / f);
        lm.spatial.push({ dim: d, bound: f, axis: axis === 'x' ? 'X' : 'Y' });
      } else {
        // Sometimes a second loop of the same dimension at the same level, sometimes merged.
        const same = lm.temporal.find((t) => t.dim === d);
        if (same && rng.next() < 0.6) same.bound *= f;
        else lm.temporal.splice(rng.int(lm.temporal.length + 1), 0, { dim: d, bound: f });
      }
    }
  }
  for (let l = 0; l < L; l++) {
    if (rng.next() < 0.2) levels[l].temporal.push({ dim: p.dims[rng.int(p.dims.length)], bound: 1 });
    for (const s of p.dataSpaces) if (l === 0 || rng.next() < 0.7) levels[l].keep.push(s.name);
  }
  return { levels };
}

/** Ways to break a mapping; each must give the same invalid result (and reason) as before. */
function breakMapping(m: Mapping, p: Problem, rng: Prng): Mapping {
  const c: Mapping = structuredClone(m);
  const lm = c.levels[rng.int(c.levels.length)];
  const loops = [...lm.temporal, ...lm.spatial];
  switch (rng.int(7)) {
    case 0:
      if (loops.length) loops[rng.int(loops.length)].bound *= 2;
      else lm.temporal.push({ dim: p.dims[0], bound: 3 });
      break;
    case 1:
      lm.temporal.push({ dim: p.dims[rng.int(p.dims.length)], bound: [0, 2.5, NaN, -2][rng.int(4)] });
      break;
    case 2:
      lm.spatial.push({ dim: 'Z', bound: 2, axis: 'X' });
      break;
    case 3:
      lm.level = `${lm.level}_renamed`;
      break;
    case 4:
      c.levels.pop();
      break;
    case 5:
      lm.spatial.push({ dim: p.dims[rng.int(p.dims.length)], bound: 1 + rng.int(40), axis: rng.next() < 0.5 ? 'X' : 'Y' });
      break;
    default:
      if (loops.length) loops[rng.int(loops.length)].bound = 1;
  }
  return c;
}

interface Item {
  label: string;
  problem: Problem;
  arch: Architecture;
  mapping: Mapping;
  options: model.EvaluateOptions;
}

function corpus(n: number, seed: number, refArchs: Architecture[]): Item[] {
  const rng = new Prng(seed);
  const items: Item[] = [];
  for (let i = 0; i < n; i++) {
    const problem = problems[rng.int(problems.length)];
    const useRef = refArchs.length > 0 && rng.next() < 0.25;
    let arch: Architecture;
    let mapping: Mapping;
    if (useRef) {
      arch = refArchs[rng.int(refArchs.length)];
      mapping = genericMapping(problem, arch, rng);
    } else {
      const a = archs[rng.int(archs.length)];
      arch = a.arch;
      if (rng.next() < 0.8) {
        const c = a.c[rng.int(a.c.length)];
        mapping = placementToMapping(randomPlacement(problem, c, rng), c);
      } else mapping = genericMapping(problem, arch, rng);
    }
    if (rng.next() < 0.2) mapping = breakMapping(mapping, problem, rng);
    const options: model.EvaluateOptions = {};
    const r = rng.next();
    if (r < 0.3) options.convention = '2020';
    else if (r < 0.45) options.convention = 'v3';
    if (rng.next() < 0.3) options.ignoreCapacity = rng.next() < 0.8;
    items.push({ label: `#${i} ${problem.name} on ${arch.name}`, problem, arch, mapping, options });
  }
  return items;
}

const refCases = haveRef ? findCases(REF) : [];
const items = corpus(
  2000,
  20261127,
  refCases.map((c) => c.arch),
);

describe('optimised cost model = frozen oracle', () => {
  it('the corpus exercises valid and invalid mappings of every kind of problem', () => {
    let valid = 0;
    const reasons = new Set<string>();
    for (const it of items) {
      const e = oracle.evaluate(it.problem, it.arch, it.mapping, it.options);
      if (e.valid) valid++;
      else reasons.add((e.reason ?? '').replace(/[\d.]+/g, '#').replace(/^\S+: /, ''));
    }
    expect(valid).toBeGreaterThan(600);
    expect(items.length - valid).toBeGreaterThan(300);
    // capacity, fanout, factor products, bad factor, unknown dim, level name, level count
    expect(reasons.size).toBeGreaterThanOrEqual(7);
  });

  it('evaluate() returns identical results on 2,000 seeded random mappings', () => {
    for (const it of items) {
      const want = oracle.evaluate(it.problem, it.arch, it.mapping, it.options);
      const got = model.evaluate(it.problem, it.arch, it.mapping, it.options);
      expect(got, it.label).toStrictEqual(want);
      expect(JSON.stringify(got), it.label).toBe(JSON.stringify(want));
    }
  });

  it('prepare(): evaluate, edp and totals agree with the oracle on the same corpus', () => {
    const prepared = new Map<unknown, model.PreparedModel>();
    const ids = new Map<unknown, number>();
    const id = (x: unknown): number => ids.get(x) ?? (ids.set(x, ids.size), ids.size - 1);
    let i = 0;
    for (const it of items) {
      // One evaluator per (problem, architecture, options), reused across mappings as the
      // mapper does, interleaved so scratch left by one mapping cannot leak into the next.
      const key = `${id(it.problem)}|${id(it.arch)}|${it.options.convention}|${it.options.ignoreCapacity}`;
      let pm = prepared.get(key);
      if (!pm) prepared.set(key, (pm = model.prepare(it.problem, it.arch, it.options)));
      const want = oracle.evaluate(it.problem, it.arch, it.mapping, it.options);
      const which = i++ % 3;
      if (which === 0) expect(pm.evaluate(it.mapping), it.label).toStrictEqual(want);
      else if (which === 1) expect(pm.edp(it.mapping), it.label).toBe(want.valid ? want.energyPj * want.cycles : Infinity);
      else {
        const t = pm.totals(it.mapping);
        expect(t === undefined ? undefined : { cycles: t.cycles, energyPj: t.energyPj }, it.label).toStrictEqual(
          want.valid ? { cycles: want.cycles, energyPj: want.energyPj } : undefined,
        );
      }
    }
    expect(prepared.size).toBeGreaterThan(20);
  });

  itNeeds([NEED_REF], 'evaluate() returns identical results on every Timeloop reference case', () => {
    expect(refCases.length).toBeGreaterThan(0);
    for (const c of refCases) {
      const options = { convention: conventionOf(c) };
      expect(model.evaluate(c.problem, c.arch, c.mapping, options), c.name).toStrictEqual(
        oracle.evaluate(c.problem, c.arch, c.mapping, options),
      );
    }
  });

  it('temporalDeltaSum agrees with the oracle on random loop nests', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 500; i++) {
      const na = 1 + rng.int(4);
      const ext = Array.from({ length: na }, () => 1 + rng.int(9));
      const frac = i % 5 === 0 ? 0.37 : 0;
      const loops = Array.from({ length: rng.int(8) }, () => ({
        n: 1 + rng.int(5),
        u: Array.from({ length: na }, () => (rng.next() < 0.6 ? 0 : rng.int(6) + frac)),
      }));
      expect(model.temporalDeltaSum(ext, loops)).toBe(oracle.temporalDeltaSum(ext, loops));
    }
  });
});
