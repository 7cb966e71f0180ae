// Our IR to the YAML `timeloop-model` reads, in either keyword dialect: v3 (Timeloop v3.0.3:
// `data-spaces`, `read-write`) or latest (after v3.0.3: `data_spaces`, `read_write`). A v0.4
// architecture (one flat `local` list with meshes), its ERT, a problem, and a mapping list
// (permutations innermost first). Timeloop allows one factor per dimension per level and
// type, so a dimension spread over both array axes of a level is exported as several
// dimensions (its loops' digits): see timeloopForm().
import { stringify } from 'yaml';
import type { Architecture } from '../ir/architecture.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';

export type TimeloopDialect = 'v3' | 'latest';
export const TIMELOOP_DIALECTS: readonly TimeloopDialect[] = ['v3', 'latest'];

/** The dialect's spelling of the problem keywords that changed after v3.0.3. */
const KEYS: Record<TimeloopDialect, { dataSpaces: string; readWrite: string }> = {
  v3: { dataSpaces: 'data-spaces', readWrite: 'read-write' },
  latest: { dataSpaces: 'data_spaces', readWrite: 'read_write' },
};

/** First line of every exported file: which tool and dialect it is written for. */
export function exportHeader(dialect: TimeloopDialect, what: string): string {
  const tool =
    dialect === 'v3'
      ? 'Timeloop v3.0.3 (dialect v3: hyphenated problem keys)'
      : 'Timeloop after v3.0.3 (dialect latest: underscored problem keys)';
  return `# ${what} for ${tool}, written by nacc\n`;
}

const range = (n: number): string => `[1..${n}]`;
const dump = (doc: unknown): string => stringify(doc, { aliasDuplicateObjects: false });

/** Levels (by index) where a mapping puts one dimension on both mesh axes, and those dimensions. */
function bothAxes(mapping: Mapping): { level: number; dim: string }[] {
  const out: { level: number; dim: string }[] = [];
  mapping.levels.forEach((lm, level) => {
    const xs = new Set(lm.spatial.filter((s) => s.axis === 'X' && s.bound > 1).map((s) => s.dim));
    for (const dim of new Set(lm.spatial.filter((s) => s.axis === 'Y' && s.bound > 1 && xs.has(s.dim)).map((s) => s.dim)))
      out.push({ level, dim });
  });
  return out;
}

/** Letters Timeloop can take as fresh single-character dimension names. */
const SPARE_DIMS = 'ABDEFHIJLMOTUVWXYZ';

/**
 * The problem and mapping as Timeloop is given them. Timeloop has one spatial factor per
 * dimension per level, so a dimension d the mapping puts on both mesh axes of a level is
 * written as several dimensions, one per run of its loops (outermost first) that does or does
 * not lie on that level's X axis: d = sum of run index x the bounds of the runs inside it.
 * The data spaces project the runs with those coefficients, so every tile, delta and count is
 * the same as for the layer itself. Problems and mappings that need no split are unchanged.
 */
export function timeloopForm(problem: Problem, mapping: Mapping): { problem: Problem; mapping: Mapping } {
  const splits = bothAxes(mapping);
  if (splits.length === 0) return { problem, mapping };
  const spare = [...SPARE_DIMS].filter((c) => !problem.dims.includes(c));
  let p: Problem = problem;
  let m: Mapping = mapping;
  for (const dim of new Set(splits.map((x) => x.dim))) {
    const xLevels = new Set(splits.filter((x) => x.dim === dim).map((x) => x.level));
    // The dimension's loops in nest order (per level: temporal, then spatial), each tagged
    // with whether it is an X loop on a split level; runs of equal tags become dimensions.
    const runOf = new Map<string, number>();
    const runBounds: number[] = [];
    let last: boolean | undefined;
    m.levels.forEach((lm, l) => {
      const loops = [
        ...lm.temporal.map((t, i) => ({ key: `${l}T${i}`, dim: t.dim, bound: t.bound, x: false })),
        ...lm.spatial.map((s, i) => ({ key: `${l}S${i}`, dim: s.dim, bound: s.bound, x: xLevels.has(l) && s.axis === 'X' })),
      ];
      for (const lp of loops) {
        if (lp.dim !== dim || lp.bound <= 1) continue;
        if (lp.x !== last) runBounds.push(1);
        last = lp.x;
        runBounds[runBounds.length - 1] *= lp.bound;
        runOf.set(lp.key, runBounds.length - 1);
      }
    });
    if (spare.length < runBounds.length - 1) throw new Error(`timeloopForm: no spare dimension names left to split ${dim}`);
    const names = runBounds.map((_, r) => (r === 0 ? dim : (spare.shift() as string)));
    const weight = runBounds.map((_, r) => runBounds.slice(r + 1).reduce((a, b) => a * b, 1));
    const q = p;
    p = {
      ...q,
      dims: q.dims.flatMap((d) => (d === dim ? names : [d])),
      bounds: {
        ...Object.fromEntries(Object.entries(q.bounds).filter(([d]) => d !== dim)),
        ...Object.fromEntries(names.map((n, r) => [n, runBounds[r]])),
      },
      dataSpaces: q.dataSpaces.map((ds) => ({
        ...ds,
        projection: ds.projection.map((axis) =>
          axis.flatMap((t) => (t.dim === dim ? names.map((n, r) => ({ dim: n, coef: t.coef * weight[r] })) : [t])),
        ),
      })),
    };
    m = {
      levels: m.levels.map((lm, l) => ({
        ...lm,
        temporal: lm.temporal.map((t, i) => (t.dim === dim ? { ...t, dim: names[runOf.get(`${l}T${i}`) ?? 0] } : t)),
        spatial: lm.spatial.map((s, i) => (s.dim === dim ? { ...s, dim: names[runOf.get(`${l}S${i}`) ?? 0] } : s)),
      })),
    };
  }
  return { problem: p, mapping: m };
}

export function architectureToYaml(arch: Architecture, dialect: TimeloopDialect = 'v3'): string {
  const local: unknown[] = arch.levels.map((lv) => {
    if (lv.dummy) {
      return {
        name: `${lv.name}${range(lv.instances)}`,
        class: 'dummy_storage',
        attributes: { width: 1, depth: 1, datawidth: 1, meshX: lv.meshX, meshY: lv.meshY },
      };
    }
    const attributes: Record<string, unknown> = {
      datawidth: lv.wordBits,
      width: lv.wordBits * lv.blockSize,
      meshX: lv.meshX,
      meshY: lv.meshY,
    };
    if (lv.sizeWords !== undefined) attributes.depth = Math.ceil(lv.sizeWords / lv.blockSize);
    if (lv.readBandwidth !== undefined) attributes.read_bandwidth = lv.readBandwidth;
    if (lv.writeBandwidth !== undefined) attributes.write_bandwidth = lv.writeBandwidth;
    if (lv.sharedBandwidth !== undefined) attributes.shared_bandwidth = lv.sharedBandwidth;
    if (lv.sizeWords === undefined) attributes.type = 'LPDDR4';
    const cls = lv.sizeWords === undefined ? 'DRAM' : lv.sizeWords <= 1024 ? 'smartbuffer_RF' : 'smartbuffer_SRAM';
    return { name: `${lv.name}${range(lv.instances)}`, class: cls, attributes };
  });
  local.push({
    name: `${arch.compute.name}${range(arch.compute.instances)}`,
    class: 'intmac',
    attributes: { datawidth: arch.compute.wordBits, meshX: arch.compute.meshX, meshY: arch.compute.meshY },
  });
  return (
    exportHeader(dialect, `architecture ${arch.name}`) +
    dump({
      architecture: {
        version: '0.4',
        subtree: [{ name: 'system', attributes: { technology: '45nm', global_cycle_seconds: 1e-9 }, local }],
      },
    })
  );
}

/**
 * The energy reference table our model charges, so Timeloop uses our energies rather than
 * its own: per vector access read/write/update, per MAC compute, and leak (which Timeloop
 * v3.0.3 does not charge, nor does our model).
 */
export function ertToYaml(arch: Architecture, dialect: TimeloopDialect = 'v3'): string {
  const tables = arch.levels
    .filter((l) => !l.dummy)
    .map((l) => ({
      name: `system.${l.name}${range(l.instances)}`,
      actions: [
        { name: 'read', arguments: {}, energy: l.energy.read },
        { name: 'write', arguments: {}, energy: l.energy.write },
        { name: 'update', arguments: {}, energy: l.energy.update },
        { name: 'leak', arguments: {}, energy: l.energy.leak },
      ],
    }));
  tables.push({
    name: `system.${arch.compute.name}${range(arch.compute.instances)}`,
    actions: [
      { name: 'compute', arguments: {}, energy: arch.compute.energyPerMac },
      { name: 'leak', arguments: {}, energy: arch.compute.leakPerCycle },
    ],
  });
  return exportHeader(dialect, `energy reference table of ${arch.name}`) + dump({ ERT: { version: '0.4', tables } });
}

/** Named projection coefficients: `<dim>_coef`, then `<dim>_coef2`... for further values of the same dimension. */
function coefficientNames(p: Problem): Map<string, string> {
  const names = new Map<string, string>();
  const perDim = new Map<string, number>();
  for (const t of p.dataSpaces.flatMap((d) => d.projection.flat())) {
    const key = `${t.dim}=${t.coef}`;
    if (t.coef === 1 || names.has(key)) continue;
    const n = (perDim.get(t.dim) ?? 0) + 1;
    perDim.set(t.dim, n);
    names.set(key, n === 1 ? `${t.dim}_coef` : `${t.dim}_coef${n}`);
  }
  return names;
}

export function problemToYaml(p: Problem, dialect: TimeloopDialect = 'v3'): string {
  const k = KEYS[dialect];
  const coefs = coefficientNames(p);
  const term = (t: { dim: string; coef: number }): string[] =>
    t.coef === 1 ? [t.dim] : [t.dim, coefs.get(`${t.dim}=${t.coef}`) as string];
  return (
    exportHeader(dialect, `problem ${p.name}`) +
    dump({
      problem: {
        version: '0.4',
        shape: {
          name: p.name,
          dimensions: p.dims,
          coefficients: [...coefs.values()].map((name) => ({ name, default: 1 })),
          [k.dataSpaces]: p.dataSpaces.map((d) => ({
            name: d.name,
            projection: d.projection.map((axis) => axis.map(term)),
            ...(d.readWrite ? { [k.readWrite]: true } : {}),
          })),
        },
        instance: {
          ...Object.fromEntries(p.dims.map((d) => [d, p.bounds[d]])),
          ...Object.fromEntries([...coefs].map(([key, name]) => [name, Number(key.split('=')[1])])),
        },
      },
    })
  );
}

/** Factor of each dimension among loops; Timeloop has one per dimension, so repeats multiply. */
function factorsOf(loops: readonly { dim: string; bound: number }[], p: Problem): string {
  const f = new Map<string, number>();
  for (const l of loops) f.set(l.dim, (f.get(l.dim) ?? 1) * l.bound);
  return p.dims.map((d) => `${d}=${f.get(d) ?? 1}`).join(' ');
}

/** Dimensions of loops innermost first, each once, then the unused ones. */
function permutationOf(loops: readonly { dim: string; bound: number }[], p: Problem): string[] {
  const inner: string[] = [];
  for (const l of [...loops].reverse()) if (l.bound > 1 && !inner.includes(l.dim)) inner.push(l.dim);
  return [...inner, ...p.dims.filter((d) => !inner.includes(d))];
}

/**
 * The mapping list of a mapping in Timeloop form (timeloopForm): at most one factor per
 * dimension per level and type. A dimension with two non-unit temporal loops at one level
 * cannot be written: that is an internal error, never a silently different file.
 */
export function mappingToYaml(m: Mapping, p: Problem, dialect: TimeloopDialect = 'v3'): string {
  const out: unknown[] = [];
  for (const lv of m.levels) {
    const seen = new Set<string>();
    for (const t of lv.temporal) {
      if (t.bound <= 1) continue;
      if (seen.has(t.dim)) throw new Error(`mappingToYaml: ${lv.level} has two temporal loops over ${t.dim}; Timeloop allows one`);
      seen.add(t.dim);
    }
    out.push({
      target: lv.level,
      type: 'temporal',
      factors: factorsOf(lv.temporal, p),
      permutation: permutationOf(lv.temporal, p).join(''),
    });
    const xs = lv.spatial.filter((s) => s.axis === 'X' && s.bound > 1);
    const ys = lv.spatial.filter((s) => s.axis === 'Y' && s.bound > 1);
    if (xs.length + ys.length > 0) {
      const both = xs.filter((x) => ys.some((y) => y.dim === x.dim)).map((x) => x.dim);
      if (both.length)
        throw new Error(
          `mappingToYaml: ${lv.level} maps ${both.join(', ')} on both axes; export timeloopForm() of the problem and mapping`,
        );
      const xd = permutationOf(xs, p).slice(0, new Set(xs.map((s) => s.dim)).size);
      const yd = permutationOf(ys, p).slice(0, new Set(ys.map((s) => s.dim)).size);
      out.push({
        target: lv.level,
        type: 'spatial',
        factors: factorsOf([...xs, ...ys], p),
        permutation: [...xd, ...yd, ...p.dims.filter((d) => !xd.includes(d) && !yd.includes(d))].join(''),
        split: xd.length,
        // Children never pass data to their neighbours (our model has no link transfers;
        // Timeloop v3.0.3 would otherwise shift sliding windows between them).
        no_link_transfer: p.dataSpaces.map((d) => d.name),
      });
    }
    out.push({
      target: lv.level,
      type: 'datatype',
      keep: lv.keep,
      bypass: p.dataSpaces.map((d) => d.name).filter((d) => !lv.keep.includes(d)),
    });
  }
  return exportHeader(dialect, `mapping of ${p.name}`) + dump({ mapping: out });
}
