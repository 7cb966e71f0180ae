// What the generated accelerator (compiler/rtl/accelerator) can execute of a searched mapping,
// and the sequencer program that replays it: the one predicate both the RTL and the search use.
//
// The RTL's fixed structure, as constraints on a DRAM -> GlobalBuffer -> RegisterFile mapping:
//   * DRAM loops are the tiles: only K (G for depthwise), Q, P and C may be split there, and the
//     tiles run K, then Q, then P outermost first, input-channel chunks (C) innermost.
//   * each array axis runs the one dimension the design wires to it, over at most its size PEs
//     (a configuration word per dimension: lanes beyond it stay idle), dividing the tile bound
//     exactly; no other dimension is spatial. Projected mappings take rtlSpatialFactor.
//   * inside a tile the sequencer has one loop per dimension: a dimension's temporal factor sits
//     at the GlobalBuffer or at the RegisterFile, never both; the GlobalBuffer loops hold no
//     reduction (C, R, S): partial sums stay in the PE from the first reduction loop on.
//   * the PE register file keeps partial sums only (Outputs); weights and inputs are read from
//     the global buffer every cycle; its loops start with a reduction loop (the PE drains after
//     every iteration of the loops outside its first reduction loop).
import { meshAxis } from './arch-from-spec.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';

export type RtlDim = 'K' | 'C' | 'P' | 'Q' | 'R' | 'S';
const RTL_DIMS: RtlDim[] = ['K', 'C', 'P', 'Q', 'R', 'S'];
const REDUCTION: RtlDim[] = ['C', 'R', 'S'];
/** The order the RTL runs tiles in (layerTiles), outermost first. */
export const RTL_TILE_ORDER: RtlDim[] = ['K', 'Q', 'P', 'C'];

/** An array axis of the generated design: the dimension wired to it and its PEs. */
export interface RtlAxis {
  dim: RtlDim;
  size: number;
}

export interface RtlProgram {
  /** Tile bounds (the layer's bounds divided by the DRAM factors). */
  tile: Record<RtlDim, number>;
  /** The sequencer's loop order inside a tile, outermost first: GlobalBuffer loops, RegisterFile loops, then the trivial ones (reductions first). */
  order: RtlDim[];
  /** Temporal trip count of each dimension inside a tile (GlobalBuffer factor x RegisterFile factor). */
  trips: Record<RtlDim, number>;
  /** PEs each dimension runs on (its spatial factor; 1 off the array). */
  par: Record<RtlDim, number>;
}

/**
 * PEs an axis of `size` runs a tile bound on: the largest divisor of the bound within the axis
 * (28 rows on 8 PEs: 7, in 4 trips, the trips of a ceil split; 25 rows: 5). The planner
 * (compiler/rtl/accelerator/mapping.ts spatialFactors) and the search's projection both take it.
 */
export function rtlSpatialFactor(bound: number, size: number): number {
  let f = Math.max(1, Math.min(bound, size));
  while (f > 1 && bound % f !== 0) f--;
  return f;
}

/**
 * Whether the load engine can fetch tiles that split `d` at DRAM: input-channel chunks of a
 * regular convolution need the input's channels to be whole DRAM beats (depthwise channel chunks
 * do not), column bands an input row to be (one segment per row
 * or per pixel at the same offset in its beat; compiler/rtl/accelerator/tiling.ts). Unknown beat:
 * no constraint; unknown input width: no column bands.
 */
export function rtlCanSplit(problem: Problem, d: RtlDim, beat: number | undefined): boolean {
  if (beat === undefined) return true;
  const depthwise = (problem.bounds.G ?? 1) > 1;
  const channels = depthwise ? problem.bounds.G : problem.bounds.C;
  // A depthwise channel chunk loads just its channels, whole beats or not (per pixel the beats
  // covering the chunk, only its bytes written: chunkSegmentBeats in tiling.ts).
  if (d === 'C') return !depthwise && channels % beat === 0;
  if (d === 'P') return problem.inputWidth !== undefined && (problem.inputWidth * channels) % beat === 0;
  return true;
}

/** The RTL's name for a model dimension: depthwise layers are grouped convolutions (G = channels, K = C = 1) in the model. */
function rtlDim(problem: Problem, d: string): RtlDim | undefined {
  const depthwise = (problem.bounds.G ?? 1) > 1;
  if (depthwise && d === 'G') return 'K';
  if (depthwise && (d === 'K' || d === 'C')) return undefined;
  return (RTL_DIMS as string[]).includes(d) ? (d as RtlDim) : undefined;
}

/**
 * The sequencer program that runs `mapping` exactly on a design with these axes, or the reasons
 * it cannot (each a sentence naming the loop); the search constrains itself with the same test.
 */
export function rtlProgramOf(
  problem: Problem,
  mapping: Mapping,
  axes: RtlAxis[],
  beat?: number,
): { program?: RtlProgram; issues: string[] } {
  const issues: string[] = [];
  const level = (name: string) => mapping.levels.find((l) => l.level === name);
  const dram = level('DRAM');
  const glb = level('GlobalBuffer');
  const rf = level('RegisterFile');
  if (!dram || !glb || !rf || mapping.levels.length !== 3) return { issues: ['the mapping is not DRAM -> GlobalBuffer -> RegisterFile'] };
  const bound = (d: RtlDim): number => {
    const depthwise = (problem.bounds.G ?? 1) > 1;
    return (depthwise && d === 'K' ? problem.bounds.G : d === 'C' && depthwise ? 1 : problem.bounds[d]) ?? 1;
  };
  const loops = (lv: typeof dram) =>
    lv.temporal.filter((l) => l.bound > 1).map((l) => ({ dim: rtlDim(problem, l.dim), name: l.dim, bound: l.bound }));
  const unknown = [...loops(dram), ...loops(glb), ...loops(rf)].filter((l) => !l.dim);
  for (const l of unknown) issues.push(`${l.name} = ${l.bound}: the accelerator has no loop over ${l.name}`);
  // DRAM: the tiles.
  const tile = Object.fromEntries(RTL_DIMS.map((d) => [d, bound(d)])) as Record<RtlDim, number>;
  const dramLoops = loops(dram).filter((l) => l.dim);
  for (const l of dramLoops) {
    const d = l.dim!;
    if (!RTL_TILE_ORDER.includes(d)) issues.push(`DRAM loop ${l.name} in [0:${l.bound}): tiles split only K, Q, P and input channels C`);
    else if (!rtlCanSplit(problem, d, beat))
      issues.push(
        `DRAM loop ${l.name} in [0:${l.bound}): the load engine cannot fetch ${d === 'C' ? 'input-channel chunks (the channels are not whole DRAM beats)' : 'column bands (an input row is not whole DRAM beats)'}`,
      );
    tile[d] = tile[d] / l.bound;
  }
  const dramOrder = dramLoops.map((l) => l.dim!).filter((d) => RTL_TILE_ORDER.includes(d));
  const rank = dramOrder.map((d) => RTL_TILE_ORDER.indexOf(d));
  if (rank.some((r, i) => i > 0 && r < rank[i - 1]))
    issues.push(
      `DRAM loop order ${dramOrder.join('')}: tiles run in the order ${RTL_TILE_ORDER.join('')} (outermost first, input-channel chunks innermost)`,
    );
  // Spatial: each axis runs its own dimension over at most its size PEs.
  const spatial = glb.spatial.concat(dram.spatial, rf.spatial).filter((s) => s.bound > 1);
  const par = Object.fromEntries(RTL_DIMS.map((d) => [d, 1])) as Record<RtlDim, number>;
  const placedSpatial = new Set<(typeof spatial)[number]>();
  axes.forEach((a, i) => {
    if (!RTL_DIMS.includes(a.dim)) return void issues.push(`array axis ${i} runs ${a.dim}: the accelerator has no loop over it`);
    const mesh = meshAxis(i, axes.length);
    const on = spatial.filter((s) => rtlDim(problem, s.dim) === a.dim && s.axis === mesh);
    on.forEach((s) => placedSpatial.add(s));
    const f = on.reduce((p, s) => p * s.bound, 1);
    if (f > a.size) issues.push(`spatial ${a.dim} = ${f} on ${mesh}: the axis has ${a.size} PEs`);
    par[a.dim] = f;
  });
  for (const s of spatial) {
    if (placedSpatial.has(s)) continue;
    const axisDims = axes.map((a, i) => `${meshAxis(i, axes.length)}: ${a.dim}`).join(', ');
    issues.push(`spatial ${s.dim} = ${s.bound} on ${s.axis}: the array's axes run ${axisDims}`);
  }
  // Inside a tile: one loop per dimension, no reduction at the global buffer, psums only in the PE.
  const glbLoops = loops(glb).filter((l) => l.dim);
  const rfLoops = loops(rf).filter((l) => l.dim);
  for (const l of glbLoops) {
    if (rfLoops.some((r) => r.dim === l.dim))
      issues.push(`${l.name} is split between GlobalBuffer (${l.bound}) and RegisterFile: the sequencer has one loop per dimension`);
    if (REDUCTION.includes(l.dim!))
      issues.push(
        `GlobalBuffer loop ${l.name} in [0:${l.bound}) is a reduction: the PE keeps partial sums from the first reduction loop on, so reductions belong to the RegisterFile`,
      );
  }
  for (const ds of [glbLoops, rfLoops]) {
    const seen = new Set<RtlDim>();
    for (const l of ds) {
      if (seen.has(l.dim!)) issues.push(`${l.name} appears twice at one level`);
      seen.add(l.dim!);
    }
  }
  const firstReduction = rfLoops.findIndex((l) => REDUCTION.includes(l.dim!));
  for (const l of firstReduction < 0 ? rfLoops : rfLoops.slice(0, firstReduction)) {
    issues.push(
      `RegisterFile loop ${l.name} in [0:${l.bound}) runs before any reduction loop: the PE drains after each of its iterations (it is a GlobalBuffer loop to the sequencer)`,
    );
  }
  const extra = rf.keep.filter((k) => k !== 'Outputs');
  if (extra.length) issues.push(`RegisterFile keeps ${extra.join(', ')}: the generated PE keeps partial sums (Outputs) only`);
  if (issues.length) return { issues };
  const trips = Object.fromEntries(RTL_DIMS.map((d) => [d, 1])) as Record<RtlDim, number>;
  for (const l of [...glbLoops, ...rfLoops]) trips[l.dim!] = l.bound;
  for (const d of RTL_DIMS) {
    if (trips[d] * par[d] !== tile[d]) issues.push(`${d}: ${trips[d]} temporal x ${par[d]} spatial does not cover the tile's ${tile[d]}`);
  }
  if (issues.length) return { issues };
  const placed = [...glbLoops, ...rfLoops].map((l) => l.dim!);
  const trivial = RTL_DIMS.filter((d) => !placed.includes(d));
  const order = [...placed, ...trivial.filter((d) => REDUCTION.includes(d)), ...trivial.filter((d) => !REDUCTION.includes(d))];
  return { program: { tile, order, trips, par }, issues };
}

/**
 * The search's side of the same constraint: the executable mapping nearest to `mapping` (its
 * DRAM tiles along K, Q, P, C in the RTL's tile order, the array's own spatial factors, each
 * dimension's temporal loop where the mapping had most of it — reductions in the PE — and the
 * PE keeping partial sums only). The search (`nacc search --rtl`) evaluates only these, so
 * that `nacc rtl --from` replays every layer (rtlProgramOf finds no issue in them).
 */
export function rtlExecutableMapping(problem: Problem, mapping: Mapping, axes: RtlAxis[], beat?: number): Mapping {
  const depthwise = (problem.bounds.G ?? 1) > 1;
  const modelDim = (d: RtlDim): string => (depthwise && d === 'K' ? 'G' : d);
  const bound = (d: RtlDim): number => (depthwise && d === 'C' ? 1 : (problem.bounds[modelDim(d)] ?? 1));
  const factor = (level: string, d: RtlDim): number =>
    (mapping.levels.find((l) => l.level === level)?.temporal ?? []).filter((t) => t.dim === modelDim(d)).reduce((a, t) => a * t.bound, 1);
  const orderAt = (level: string): RtlDim[] =>
    (mapping.levels.find((l) => l.level === level)?.temporal ?? []).map((t) => rtlDim(problem, t.dim)).filter((d): d is RtlDim => !!d);
  const tile = Object.fromEntries(RTL_DIMS.map((d) => [d, bound(d)])) as Record<RtlDim, number>;
  const dram: { dim: string; bound: number }[] = [];
  for (const d of RTL_TILE_ORDER) {
    const f = factor('DRAM', d);
    const t = bound(d) / f;
    if (f > 1 && Number.isInteger(t) && rtlCanSplit(problem, d, beat)) {
      tile[d] = t;
      dram.push({ dim: modelDim(d), bound: f });
    }
  }
  const spatial: Mapping['levels'][number]['spatial'] = [];
  const par = Object.fromEntries(RTL_DIMS.map((d) => [d, 1])) as Record<RtlDim, number>;
  axes.forEach((a, i) => {
    // An axis over a dimension the RTL has no loop for (N) stays idle (the RTL refuses the design: R0203).
    if (!RTL_DIMS.includes(a.dim)) return;
    const f = rtlSpatialFactor(tile[a.dim], a.size);
    par[a.dim] *= f;
    if (f > 1) spatial.push({ dim: modelDim(a.dim), bound: f, axis: meshAxis(i, axes.length) });
  });
  const inPe = (d: RtlDim) => REDUCTION.includes(d) || (factor('RegisterFile', d) > 1 && factor('GlobalBuffer', d) === 1);
  const loop = (d: RtlDim) => ({ dim: modelDim(d), bound: tile[d] / par[d] });
  const ordered = (level: string, pick: (d: RtlDim) => boolean): RtlDim[] => {
    const seen = orderAt(level).filter(pick);
    return [...new Set([...seen, ...RTL_DIMS.filter((d) => pick(d) && !seen.includes(d))])];
  };
  // The PE drains after every iteration of a loop outside its first reduction loop: output loops
  // the register file would run before any reduction are buffer loops to the sequencer.
  const pe = ordered('RegisterFile', inPe).filter((d) => tile[d] / par[d] > 1);
  const firstReduction = pe.findIndex((d) => REDUCTION.includes(d));
  const hoisted = firstReduction < 0 ? pe : pe.slice(0, firstReduction);
  const glb = [...ordered('GlobalBuffer', (d) => !inPe(d)), ...hoisted].map(loop).filter((l) => l.bound > 1);
  const rf = pe.slice(hoisted.length).map(loop);
  const all = problem.dataSpaces.map((s) => s.name);
  return {
    levels: [
      { level: 'DRAM', temporal: dram, spatial: [], keep: all },
      { level: 'GlobalBuffer', temporal: glb, spatial, keep: all },
      { level: 'RegisterFile', temporal: rf, spatial: [], keep: all.filter((s) => s === 'Outputs') },
    ],
  };
}
