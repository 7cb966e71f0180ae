// Timeloop input formats to our IR: v0.4 (`parsed-processed-input.yaml`, `*.map.yaml`,
// ERT) and the ISPASS 2020 format (arch/prob/map YAML, v0.2 architectures, ERT with
// argument-dependent read energies). Pure functions from parsed YAML/text to IR.
import { D, fail } from '../../diagnostics/index.ts';
import type { Architecture, ComputeLevel, StorageLevel } from '../../ir/architecture.ts';
import type { LevelMapping, Mapping, SpatialLoop, TemporalLoop } from '../../ir/mapping.ts';
import type { DataSpace, Problem, ProjectionTerm } from '../../ir/problem.ts';

type Y = Record<string, unknown>;
const obj = (v: unknown): Y => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Y) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const numAttr = (a: Y, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
};

/** `name[1..168]` / `name[0..15]` -> base name and instance count. */
export function splitInstanceName(name: string): { base: string; count: number } {
  const m = /^(.*)\[(\d+)\.\.(\d+)\]$/.exec(name.trim());
  if (!m) return { base: name.trim(), count: 1 };
  return { base: m[1], count: Number(m[3]) - Number(m[2]) + 1 };
}

export interface ErtEntry {
  read: number;
  write: number;
  update: number;
  leak: number;
  compute: number;
}

/** ERT tables keyed by component base name; argument variants collapse to their maximum. */
export function parseErt(doc: unknown): Map<string, ErtEntry> {
  const tables = arr(obj(obj(doc).ERT).tables);
  const out = new Map<string, ErtEntry>();
  for (const t of tables) {
    const to = obj(t);
    const full = String(to.name ?? '');
    const base = splitInstanceName(full).base.split('.').pop() ?? full;
    const e: ErtEntry = { read: 0, write: 0, update: 0, leak: 0, compute: 0 };
    let macRandom: number | undefined;
    for (const a of arr(to.actions)) {
      const ao = obj(a);
      const name = String(ao.name);
      const energy = Number(ao.energy ?? 0);
      if (name === 'read') e.read = Math.max(e.read, energy);
      else if (name === 'write') e.write = Math.max(e.write, energy);
      else if (name === 'update') e.update = Math.max(e.update, energy);
      else if (name === 'leak') e.leak = Math.max(e.leak, energy);
      else if (name === 'compute') e.compute = Math.max(e.compute, energy);
      else if (name === 'mac_random') macRandom = energy;
    }
    if (macRandom !== undefined && e.compute === 0) e.compute = macRandom;
    if (e.update === 0) e.update = e.write;
    out.set(base, e);
  }
  return out;
}

const COMPUTE_CLASS = /mac|compute|alu/i;

interface RawComponent {
  base: string;
  cls: string;
  attrs: Y;
  count: number;
}

function flattenTree(node: Y, multiplicity: number, v04: boolean, out: RawComponent[]): void {
  for (const c of arr(node.local)) {
    const co = obj(c);
    const name = String(co.name);
    const { base, count } = splitInstanceName(name);
    const hasRange = base !== name.trim();
    const attrs = { ...obj(co.attributes) };
    const inst = numAttr(attrs, 'instances');
    // v0.4 processed inputs give totals on the component; otherwise a subtree's range
    // multiplies what it contains (2020: own ranges are per parent instance).
    const total = v04 ? (hasRange ? count : multiplicity) : (inst ?? count) * multiplicity;
    out.push({ base, cls: String(co.class ?? ''), attrs, count: total });
  }
  for (const s of arr(node.subtree)) {
    const so = obj(s);
    const { count } = splitInstanceName(String(so.name ?? ''));
    flattenTree(so, multiplicity * count, v04, out);
  }
}

/**
 * A buffer's bandwidths as Timeloop reads them: `read_bandwidth` bounds reads,
 * `write_bandwidth` fills + updates, `shared_bandwidth` their sum; the deprecated `bandwidth`
 * means read = write = bandwidth / 2 unless those are given. Either dialect's spelling.
 */
function bandwidths(attrs: Y): Pick<StorageLevel, 'readBandwidth' | 'writeBandwidth' | 'sharedBandwidth'> {
  const legacy = numAttr(attrs, 'bandwidth');
  const read = numAttr(attrs, 'read_bandwidth', 'read-bandwidth') ?? (legacy !== undefined ? legacy / 2 : undefined);
  const write = numAttr(attrs, 'write_bandwidth', 'write-bandwidth') ?? (legacy !== undefined ? legacy / 2 : undefined);
  const shared = numAttr(attrs, 'shared_bandwidth', 'shared-bandwidth');
  return {
    ...(read !== undefined ? { readBandwidth: read } : {}),
    ...(write !== undefined ? { writeBandwidth: write } : {}),
    ...(shared !== undefined ? { sharedBandwidth: shared } : {}),
  };
}

/** Architecture from either format's `architecture:` block and its ERT. */
export function architectureFromTimeloop(doc: unknown, ert: Map<string, ErtEntry>, file = 'architecture'): Architecture {
  const a = obj(obj(doc).architecture);
  const version = String(a.version ?? '');
  const v04 = version.startsWith('0.4');
  const comps: RawComponent[] = [];
  flattenTree(a, 1, v04, comps);
  if (comps.length === 0) fail(D.timeloopNoComponents, `${file}: no components in the architecture`);
  const computeIdx = comps.findIndex((c) => COMPUTE_CLASS.test(c.cls) && !/buffer|sram|regfile|dram/i.test(c.cls));
  if (computeIdx < 0) fail(D.timeloopNoCompute, `${file}: no compute (MAC) component in the architecture`);
  const storage = comps.filter((_, i) => i !== computeIdx);
  const mac = comps[computeIdx];
  const mesh = (c: RawComponent): { meshX: number; meshY: number } => {
    const mx = numAttr(c.attrs, 'meshX');
    const my = numAttr(c.attrs, 'meshY');
    if (mx !== undefined && my !== undefined) return { meshX: mx, meshY: my };
    if (mx !== undefined) return { meshX: mx, meshY: Math.max(1, c.count / mx) };
    return { meshX: c.count, meshY: 1 };
  };
  const levels: StorageLevel[] = storage.map((c) => {
    const e = ert.get(c.base) ?? { read: 0, write: 0, update: 0, leak: 0, compute: 0 };
    const wordBits = numAttr(c.attrs, 'datawidth', 'word-bits', 'word_bits', 'wordbits') ?? 8;
    const width = numAttr(c.attrs, 'width', 'memory_width');
    const blockSize = numAttr(c.attrs, 'block_size', 'block-size') ?? (width ? Math.max(1, Math.floor(width / wordBits)) : 1);
    const depth = numAttr(c.attrs, 'depth', 'memory_depth');
    const dummy = /dummy/i.test(c.cls);
    const isDram = /dram/i.test(c.cls);
    const sizeWords = isDram || depth === undefined || dummy ? undefined : depth * blockSize;
    return {
      name: c.base,
      instances: c.count,
      ...mesh(c),
      sizeWords,
      wordBits,
      blockSize,
      ...bandwidths(c.attrs),
      energy: { read: e.read, write: e.write, update: e.update, leak: e.leak },
      areaUm2: 0,
      dummy,
      className: c.cls,
    };
  });
  const me = ert.get(mac.base);
  const compute: ComputeLevel = {
    name: mac.base,
    instances: mac.count,
    ...mesh(mac),
    wordBits: numAttr(mac.attrs, 'datawidth', 'word-bits', 'word_bits', 'multiplier_width') ?? 8,
    energyPerMac: me?.compute ?? 0,
    leakPerCycle: me?.leak ?? 0,
    areaUm2: 0,
  };
  return { name: String(obj(arr(a.subtree)[0]).name ?? 'timeloop'), levels, compute };
}

/** Problem from `problem:` (v0.4 snake_case or 2020 kebab-case keys). */
export function problemFromTimeloop(doc: unknown, file = 'problem'): Problem {
  const p = obj(obj(doc).problem);
  const shape = obj(p.shape);
  const instance = obj(p.instance);
  const dims = arr(shape.dimensions).map(String);
  if (dims.length === 0) fail(D.timeloopNoDimensions, `${file}: problem shape has no dimensions`);
  const coefficients = new Map<string, number>();
  for (const c of arr(shape.coefficients)) {
    const co = obj(c);
    coefficients.set(String(co.name), Number(co.default ?? 1));
  }
  const coef = (name: string): number => {
    const v = numAttr(instance, name);
    if (v !== undefined) return v;
    const d = coefficients.get(name);
    if (d !== undefined) return d;
    if (/stride|dilation/i.test(name)) return 1;
    return fail(D.timeloopCoefficient, `${file}: unknown projection coefficient ${name}`);
  };
  const bounds: Record<string, number> = {};
  for (const d of dims) bounds[d] = numAttr(instance, d) ?? 1;
  const spaces = arr(shape['data_spaces'] ?? shape['data-spaces']);
  const dataSpaces: DataSpace[] = spaces.map((s) => {
    const so = obj(s);
    const projection: ProjectionTerm[][] = arr(so.projection).map((axis) =>
      arr(axis).map((term) => {
        const t = arr(term).map(String);
        const [dim, c] = t;
        if (!dims.includes(dim)) fail(D.timeloopDataSpaceDimension, `${file}: data space ${String(so.name)} uses unknown dimension ${dim}`);
        return { dim, coef: c === undefined ? 1 : coef(c) };
      }),
    );
    return { name: String(so.name), projection, readWrite: Boolean(so.read_write ?? so['read-write'] ?? false) };
  });
  return { name: String(shape.name ?? 'problem'), dims, bounds, dataSpaces };
}

function parseFactors(s: unknown): Map<string, number> {
  const m = new Map<string, number>();
  for (const tok of String(s ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const r = /^([A-Za-z_]+)=?(\d+)$/.exec(tok);
    if (r) m.set(r[1], Number(r[2]));
  }
  return m;
}

/** Splits a Timeloop permutation string (innermost first) into dimension names. */
function parsePermutation(s: unknown, dims: string[]): string[] {
  const str = String(s ?? '');
  const out: string[] = [];
  let i = 0;
  const sorted = [...dims].sort((a, b) => b.length - a.length);
  while (i < str.length) {
    const d = sorted.find((x) => str.startsWith(x, i));
    if (!d) {
      i++;
      continue;
    }
    out.push(d);
    i += d.length;
  }
  for (const d of dims) if (!out.includes(d)) out.push(d);
  return out;
}

function emptyMapping(arch: Architecture, problem: Problem): Mapping {
  return {
    levels: arch.levels.map((lv) => ({
      level: lv.name,
      temporal: [],
      spatial: [],
      keep: lv.dummy ? [] : problem.dataSpaces.map((d) => d.name),
    })),
  };
}

/** Mapping from a `mapping:` list (v0.4 `*.map.yaml` or the 2020 map YAML). */
export function mappingFromTimeloopYaml(doc: unknown, arch: Architecture, problem: Problem, file = 'mapping'): Mapping {
  const list = arr(obj(doc).mapping);
  const m = emptyMapping(arch, problem);
  const byName = new Map(m.levels.map((l) => [l.level, l] as const));
  for (const e of list) {
    const eo = obj(e);
    const target = String(eo.target);
    const lv = byName.get(target);
    if (!lv) fail(D.timeloopMappingLevel, `${file}: mapping targets unknown level ${target}`);
    const type = String(eo.type);
    if (type === 'temporal' || type === 'spatial') {
      const f = parseFactors(eo.factors);
      const perm = parsePermutation(eo.permutation, problem.dims); // innermost first
      const order = [...perm].reverse();
      if (type === 'temporal') {
        lv.temporal = order.map((d): TemporalLoop => ({ dim: d, bound: f.get(d) ?? 1 }));
      } else {
        const split = eo.split === undefined ? perm.length : Number(eo.split);
        lv.spatial = order.map((d): SpatialLoop => ({ dim: d, bound: f.get(d) ?? 1, axis: perm.indexOf(d) < split ? 'X' : 'Y' }));
      }
    } else if (type === 'datatype' || type === 'bypass') {
      const keep = arr(eo.keep).map(String);
      const bypass = arr(eo.bypass).map(String);
      const all = problem.dataSpaces.map((d) => d.name);
      lv.keep = eo.keep !== undefined ? all.filter((d) => keep.includes(d)) : all.filter((d) => !bypass.includes(d));
    }
  }
  return m;
}

/** Mapping from the mapper's printed loop nest (`timeloop-mapper.map.txt`). */
export function mappingFromLoopNestText(text: string, arch: Architecture, problem: Problem, file = 'map.txt'): Mapping {
  const m = emptyMapping(arch, problem);
  const byName = new Map(m.levels.map((l) => [l.level, l] as const));
  let cur: LevelMapping | undefined;
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const head = /^(\S+) \[(.*)\]\s*$/.exec(line);
    if (head) {
      cur = byName.get(head[1]);
      if (!cur) fail(D.timeloopNestLevel, `${file}: loop nest names unknown level ${head[1]}`);
      seen.add(head[1]);
      cur.keep = [...head[2].matchAll(/([A-Za-z_][\w]*):\d+/g)].map((x) => x[1]);
      continue;
    }
    const loop = /for (\w+) in \[0:(\d+)\)(?: \(Spatial-([XY])\))?/.exec(line);
    if (loop && cur) {
      const [, dim, b, axis] = loop;
      if (!problem.dims.includes(dim)) fail(D.timeloopDimension, `${file}: unknown dimension ${dim}`);
      if (axis) cur.spatial.push({ dim, bound: Number(b), axis: axis as 'X' | 'Y' });
      else cur.temporal.push({ dim, bound: Number(b) });
    }
  }
  // Levels the printout leaves out hold nothing in this mapping.
  for (const l of m.levels) if (!seen.has(l.level)) l.keep = [];
  return m;
}

/** Two mappings describe the same nest (ignoring unit loops). */
export function sameMapping(a: Mapping, b: Mapping): boolean {
  if (a.levels.length !== b.levels.length) return false;
  const sig = (l: LevelMapping): string =>
    [
      l.temporal
        .filter((x) => x.bound > 1)
        .map((x) => `${x.dim}${x.bound}`)
        .join(','),
      l.spatial
        .filter((x) => x.bound > 1)
        .map((x) => `${x.dim}${x.bound}${x.axis}`)
        .sort()
        .join(','),
      [...l.keep].sort().join(','),
    ].join('|');
  return a.levels.every((l, i) => sig(l) === sig(b.levels[i]));
}

export interface ReferenceStats {
  cycles: number;
  energyPj: number;
  computes: number;
  /** The Timeloop that wrote the stats charges ERT leak (prints "Leakage energy"; after v3.0.3). */
  chargesLeak: boolean;
  /** level -> data space -> counts (per instance). */
  levels: Record<string, Record<string, { reads: number; fills: number; updates: number }>>;
}

/** The figures of a `timeloop-model.stats.txt` / `timeloop-mapper.stats.txt` we compare. */
export function parseStatsText(text: string): ReferenceStats {
  const levels: ReferenceStats['levels'] = {};
  let level: string | undefined;
  let ds: string | undefined;
  let inNetworks = false;
  let cycles = NaN;
  let topologyPj = NaN;
  let fjPerCompute = NaN;
  let computes = NaN;
  let summaryEnergyUj = NaN;
  let inFj = false;
  let chargesLeak = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^Leakage energy \(total\)\s*:/.test(line)) chargesLeak = true;
    if (/^Networks$/.test(line) || /^Operational Intensity Stats$/.test(line)) inNetworks = true;
    if (/^Summary Stats$/.test(line)) inNetworks = true;
    const lv = /^=== (\S+) ===$/.exec(line);
    if (lv && !inNetworks) {
      level = lv[1];
      ds = undefined;
      continue;
    }
    const dsm = /^(\w+):$/.exec(line);
    if (dsm && level && !inNetworks) {
      ds = dsm[1];
      continue;
    }
    const kv = /^Scalar (reads|fills|updates) \(per-instance\)\s*:\s*([\d.e+]+)/.exec(line);
    if (kv && level && ds && !inNetworks) {
      const t = ((levels[level] ??= {})[ds] ??= { reads: 0, fills: 0, updates: 0 });
      t[kv[1] as 'reads' | 'fills' | 'updates'] = Number(kv[2]);
      continue;
    }
    let r: RegExpExecArray | null;
    if ((r = /^Cycles: (\d+)/.exec(line))) cycles = Number(r[1]);
    if ((r = /^Total topology energy: ([\d.e+]+) pJ/.exec(line))) topologyPj = Number(r[1]);
    if ((r = /^Energy: ([\d.e+]+) uJ/.exec(line))) summaryEnergyUj = Number(r[1]);
    if ((r = /^(?:Computes|MACCs) = (\d+)/.exec(line))) computes = Number(r[1]);
    if (/^fJ\/Compute/.test(line)) inFj = true;
    if (inFj && (r = /^Total\s*=\s*([\d.]+)/.exec(line))) fjPerCompute = Number(r[1]);
    if ((r = /Computes \(total\)\s*:\s*(\d+)/.exec(line)) && Number.isNaN(computes)) computes = Number(r[1]);
  }
  let energyPj = topologyPj;
  if (Number.isNaN(energyPj) && !Number.isNaN(fjPerCompute) && !Number.isNaN(computes)) energyPj = (fjPerCompute * computes) / 1000;
  if (Number.isNaN(energyPj)) energyPj = summaryEnergyUj * 1e6;
  return { cycles, energyPj, computes, chargesLeak, levels };
}
