// The mapper: finds a low-EDP mapping of one problem onto the DRAM -> GlobalBuffer -> PE
// array -> RegisterFile hierarchy within a dataflow's constraints. Random sampling of prime
// factor placements and loop orders, then seeded hill climbing on the best samples. Used
// for the baselines (so each gets the best mapping we can find) and sizing-only search.
import type { Architecture } from '../ir/architecture.ts';
import type { LevelMapping, Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import { Prng } from '../util/prng.ts';
import { imposeOrder, mappingScore, type MappingConstraints } from './dataflow.ts';
import { prepare, type Evaluation } from './model.ts';
import { meshAxis } from './arch-from-spec.ts';
import { rtlExecutableMapping } from './rtl-executable.ts';

/** Where each prime factor of each dimension goes: 0 DRAM, 1 GlobalBuffer, 2 RegisterFile, 3+a spatial axis a. */
export interface FactorPlacement {
  dims: string[];
  primes: number[][];
  slot: number[][];
  order: { DRAM: string[]; GlobalBuffer: string[]; RegisterFile: string[] };
}

export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let x = n;
  for (let p = 2; p * p <= x; p++) {
    while (x % p === 0) {
      out.push(p);
      x /= p;
    }
  }
  if (x > 1) out.push(x);
  return out;
}

/** Builds the Mapping IR from a placement. */
export function placementToMapping(pl: FactorPlacement, c: MappingConstraints): Mapping {
  const f = (slot: number, d: number): number => pl.primes[d].reduce((a, p, i) => (pl.slot[d][i] === slot ? a * p : a), 1);
  const temporal = (slot: number, order: string[]) =>
    order.map((dim) => ({ dim, bound: f(slot, pl.dims.indexOf(dim)) })).filter((l) => l.bound > 1);
  const spatial: LevelMapping['spatial'] = [];
  c.axisSizes.forEach((_, a) => {
    pl.dims.forEach((dim, d) => {
      const b = f(3 + a, d);
      if (b > 1) spatial.push({ dim, bound: b, axis: meshAxis(a, c.axisSizes.length) });
    });
  });
  const all = ['Weights', 'Inputs', 'Outputs'];
  return {
    levels: [
      { level: 'DRAM', temporal: temporal(0, imposeOrder(pl.order.DRAM, c.order?.DRAM)), spatial: [], keep: all },
      { level: 'GlobalBuffer', temporal: temporal(1, imposeOrder(pl.order.GlobalBuffer, c.order?.GlobalBuffer)), spatial, keep: all },
      {
        level: 'RegisterFile',
        temporal: temporal(2, imposeOrder(pl.order.RegisterFile, c.order?.RegisterFile)),
        spatial: [],
        keep: c.rfKeep,
      },
    ],
  };
}

/** A placement's mapping, made executable by the generated RTL when the constraints ask for it. */
function mappingOf(problem: Problem, pl: FactorPlacement, c: MappingConstraints): Mapping {
  const m = placementToMapping(pl, c);
  return c.rtlAxes ? rtlExecutableMapping(problem, m, c.rtlAxes, c.rtlBeat) : m;
}

function shuffle<T>(xs: T[], rng: Prng): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function allowedSlots(c: MappingConstraints, dim: string): number[] {
  const s = [0, 1];
  if (!c.rfDims || c.rfDims.includes(dim)) s.push(2);
  c.axisDims.forEach((dims, a) => {
    if (dims.includes(dim)) s.push(3 + a);
  });
  return s;
}

function axisLoad(pl: FactorPlacement, a: number): number {
  let p = 1;
  pl.slot.forEach((row, d) => row.forEach((s, i) => (s === 3 + a ? (p *= pl.primes[d][i]) : 0)));
  return p;
}

/** A random placement; spatial axes are filled greedily first so the array is used. */
export function randomPlacement(problem: Problem, c: MappingConstraints, rng: Prng): FactorPlacement {
  const dims = problem.dims;
  const primes = dims.map((d) => primeFactors(problem.bounds[d]));
  const slot = primes.map((ps) => ps.map(() => 0));
  const pl: FactorPlacement = {
    dims,
    primes,
    slot,
    order: { DRAM: shuffle(dims, rng), GlobalBuffer: shuffle(dims, rng), RegisterFile: shuffle(dims, rng) },
  };
  // Spatial first: with probability 0.85 try to put each prime on an allowed axis.
  const items: [number, number][] = [];
  primes.forEach((ps, d) => ps.forEach((_, i) => items.push([d, i])));
  for (const [d, i] of shuffle(items, rng)) {
    const slots = allowedSlots(c, dims[d]);
    const sp = slots.filter((s) => s >= 3 && axisLoad(pl, s - 3) * primes[d][i] <= c.axisSizes[s - 3]);
    if (sp.length && rng.next() < 0.85) slot[d][i] = sp[rng.int(sp.length)];
    else {
      const t = slots.filter((s) => s < 3);
      slot[d][i] = t[rng.int(t.length)];
    }
  }
  return pl;
}

function clonePlacement(pl: FactorPlacement): FactorPlacement {
  return {
    dims: pl.dims,
    primes: pl.primes,
    slot: pl.slot.map((r) => r.slice()),
    order: { DRAM: pl.order.DRAM.slice(), GlobalBuffer: pl.order.GlobalBuffer.slice(), RegisterFile: pl.order.RegisterFile.slice() },
  };
}

function mutate(pl: FactorPlacement, c: MappingConstraints, rng: Prng): FactorPlacement {
  const n = clonePlacement(pl);
  const kind = rng.int(3);
  if (kind < 2) {
    const cand: [number, number][] = [];
    n.primes.forEach((ps, d) => ps.forEach((_, i) => cand.push([d, i])));
    if (cand.length) {
      const [d, i] = cand[rng.int(cand.length)];
      const slots = allowedSlots(c, n.dims[d]).filter((s) => s !== n.slot[d][i]);
      const s = slots[rng.int(slots.length)];
      if (s >= 3 && axisLoad(n, s - 3) * n.primes[d][i] > c.axisSizes[s - 3]) return n;
      n.slot[d][i] = s;
    }
  } else {
    const lv = (['DRAM', 'GlobalBuffer', 'RegisterFile'] as const)[rng.int(3)];
    const o = n.order[lv];
    const i = rng.int(o.length);
    const j = rng.int(o.length);
    [o[i], o[j]] = [o[j], o[i]];
  }
  return n;
}

export interface MapperOptions {
  seed: number;
  /** Random samples before hill climbing. */
  samples?: number;
  /** Hill-climbing steps. */
  steps?: number;
}

export interface MapperResult {
  mapping: Mapping;
  evaluation: Evaluation;
  evaluations: number;
}

const score = (e: Evaluation, c: MappingConstraints): number => (e.valid ? mappingScore(e, c) : Infinity);

/** Best mapping found for one problem within the constraints (deterministic for a seed). */
export function bestMapping(problem: Problem, arch: Architecture, c: MappingConstraints, opts: MapperOptions): MapperResult | undefined {
  const rng = new Prng(opts.seed);
  const samples = opts.samples ?? 300;
  const steps = opts.steps ?? 300;
  // The model specialised to this problem and architecture; candidates are scored from its
  // totals and only the winner's full evaluation is built (the same result, as it is pure).
  const model = prepare(problem, arch);
  let best: { pl: FactorPlacement; s: number } | undefined;
  let evaluations = 0;
  const tryOne = (pl: FactorPlacement): number | undefined => {
    evaluations++;
    const t = model.totals(mappingOf(problem, pl, c));
    return t && mappingScore(t, c);
  };
  for (let i = 0; i < samples; i++) {
    const pl = randomPlacement(problem, c, rng);
    const s = tryOne(pl);
    if (s !== undefined && (!best || s < best.s)) best = { pl, s };
  }
  // If nothing fit, fall back to everything temporal at DRAM/GB and retry a few times.
  for (let i = 0; !best && i < samples; i++) {
    const pl = randomPlacement(problem, { ...c, axisDims: c.axisDims.map(() => []) }, rng);
    const s = tryOne(pl);
    if (s !== undefined) best = { pl, s };
  }
  // Last resort: the smallest tiles, every factor at DRAM — first of the output dimensions only
  // (reductions whole in the buffer), then of all (hill climbing grows them).
  const dims = problem.dims;
  const primes = dims.map((d) => primeFactors(problem.bounds[d]));
  for (const atDram of [(d: string) => ['N', 'G', 'K', 'P', 'Q'].includes(d), () => true]) {
    if (best) break;
    const pl: FactorPlacement = {
      dims,
      primes,
      slot: primes.map((ps, i) => ps.map(() => (atDram(dims[i]) ? 0 : 1))),
      order: { DRAM: [...dims], GlobalBuffer: [...dims], RegisterFile: [...dims] },
    };
    const s = tryOne(pl);
    if (s !== undefined) best = { pl, s };
  }
  if (!best) return undefined;
  for (let i = 0; i < steps; i++) {
    const pl = mutate(best.pl, c, rng);
    const s = tryOne(pl);
    if (s !== undefined && s < best.s) best = { pl, s };
  }
  const mapping = mappingOf(problem, best.pl, c);
  return { mapping, evaluation: model.evaluate(mapping), evaluations };
}

/** The factor placement of an existing mapping (so hill climbing can start from it). */
export function mappingToPlacement(problem: Problem, m: Mapping, c: MappingConstraints): FactorPlacement {
  const dims = problem.dims;
  const primes: number[][] = dims.map(() => []);
  const slot: number[][] = dims.map(() => []);
  const add = (dim: string, bound: number, s: number): void => {
    const d = dims.indexOf(dim);
    for (const p of primeFactors(bound)) {
      primes[d].push(p);
      slot[d].push(s);
    }
  };
  const [dram, gb, rf] = m.levels;
  for (const l of dram.temporal) add(l.dim, l.bound, 0);
  for (const l of gb.temporal) add(l.dim, l.bound, 1);
  for (const l of rf.temporal) add(l.dim, l.bound, 2);
  // Spatial loops: X is the last axis (meshAxis); Y loops go to the first other axis that allows the dim.
  const k = c.axisSizes.length;
  for (const l of gb.spatial) {
    let a = k - 1;
    if (l.axis === 'Y') {
      a = c.axisDims.findIndex((ds, i) => i < k - 1 && ds.includes(l.dim));
      if (a < 0) a = 0;
    }
    add(l.dim, l.bound, 3 + a);
  }
  const order = (ls: { dim: string }[]): string[] => [...ls.map((l) => l.dim), ...dims.filter((d) => !ls.some((l) => l.dim === d))];
  return { dims, primes, slot, order: { DRAM: order(dram.temporal), GlobalBuffer: order(gb.temporal), RegisterFile: order(rf.temporal) } };
}

/** Seeded hill climbing from a given mapping; returns the better of start and result. */
export function polishMapping(
  problem: Problem,
  arch: Architecture,
  c: MappingConstraints,
  start: Mapping,
  steps: number,
  seed: number,
): MapperResult {
  const rng = new Prng(seed);
  const model = prepare(problem, arch);
  let pl = mappingToPlacement(problem, start, c);
  const e = model.evaluate(mappingOf(problem, pl, c));
  let evaluations = 1;
  if (!e.valid) {
    const s = model.evaluate(start);
    return { mapping: start, evaluation: s, evaluations };
  }
  let s = score(e, c);
  let improved = false;
  for (let i = 0; i < steps; i++) {
    const n = mutate(pl, c, rng);
    const t = model.totals(mappingOf(problem, n, c));
    evaluations++;
    if (t && mappingScore(t, c) < s) {
      pl = n;
      s = mappingScore(t, c);
      improved = true;
    }
  }
  const mapping = mappingOf(problem, pl, c);
  return { mapping, evaluation: improved ? model.evaluate(mapping) : e, evaluations };
}
