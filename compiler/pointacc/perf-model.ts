// PointAcc performance model: cycles, DRAM traffic and energy per layer of a point-cloud
// network on a `pointacc` configuration, with layer fusion and the gather cache switchable.
//
// What is modelled (see docs/pointacc.md):
// - mapping unit (fps, knn, ball query, kernel maps, interpolation's 3-NN): the cycle counts of
//   our RTL's microarchitecture (mapping-cycles.ts); kNN in feature space (DGCNN) costs
//   ceil(dims / 3) distance passes.
// - matrix unit (shared MLPs, dense, sparse-conv GEMMs): R x C weight-stationary systolic array.
// - gather unit (group, sparse-conv gathers, interpolation): one row per cycle, through an LRU
//   set-associative cache simulated on the layer's real index stream; without the cache every
//   access goes to DRAM. The unit blocks on a miss: each costs the DRAM latency (layer-cycles.ts).
// - fusion: a chain group -> shared_mlp* -> reduce_max (and shared_mlp -> shared_mlp) keeps its
//   intermediates on chip when the chain's weights and a tile fit the buffer; without fusion
//   every layer writes its output to DRAM and its consumer reads it back.
// - a layer takes max(unit cycles, DRAM bytes / bandwidth); layers run one after another.
// - energy: per-operation constants (ENERGY_PJ), documented assumptions for a 40 nm-class chip.
import type { Network } from '../ir/network.ts';
import type { PointAccConfig } from '../ir/targets.ts';
import { cacheLineBytes, simulateCache } from './cache.ts';
import { fpsCycles, kernelMapCycles, matrixCycles, neighbourSearchCycles } from './mapping-cycles.ts';
import { buildWorkload, sparseGatherStream, type LayerWork } from './workload.ts';
import { DRAM_ACCESS_CYCLES, missLatency } from './layer-cycles.ts';
import type { Cloud } from '../reference/pointcloud/cloud.ts';
import type { BaselineReport } from './cpu-baseline.ts';

/** Energy per operation in picojoules (assumptions; int8 MAC and SRAM figures of 40-45 nm designs, DDR4-class DRAM). */
export const ENERGY_PJ = {
  mac: 0.25,
  /** One compare-exchange of the sorter network. */
  compare: 0.05,
  /** One 3-D squared distance (3 small multiplies + adds). */
  distance: 0.6,
  /** Per byte read or written in the on-chip buffers. */
  sramByte: 1.2,
  /** Per byte served by the gather cache. */
  cacheByte: 1.5,
  /** Per byte of DRAM traffic. */
  dramByte: 80,
};

export interface PerfOptions {
  fusion: boolean;
  cache: boolean;
  /** Override of the network input size (points or voxels). */
  points?: number;
  seed?: number;
  /** The input cloud (instead of the generated one of the declared size). */
  cloud?: Cloud;
}

export interface LayerPerf {
  name: string;
  op: string;
  unit: 'mapping' | 'matrix' | 'gather' | 'mapping+gather' | 'mapping+matrix' | 'none';
  cycles: number;
  mapping_cycles: number;
  compute_cycles: number;
  memory_cycles: number;
  dram_bytes: number;
  macs: number;
  energy_uj: number;
  fused_in: boolean;
  fused_out: boolean;
  cache_hit_rate: number | null;
}

export interface PerfTotals {
  cycles: number;
  time_ms: number;
  dram_bytes: number;
  energy_uj: number;
  macs: number;
  mapping_cycles: number;
  compute_cycles: number;
}

export interface PerfReport {
  network: string;
  config: string;
  clock_mhz: number;
  options: { fusion: boolean; cache: boolean; points: number };
  layers: LayerPerf[];
  totals: PerfTotals;
  /** The same workload with fusion and/or the cache switched off. */
  ablation: { no_fusion: PerfTotals; no_cache: PerfTotals; neither: PerfTotals };
  contributions: {
    fusion_speedup: number;
    cache_speedup: number;
    fusion_dram_saved_bytes: number;
    cache_dram_saved_bytes: number;
    fusion_energy_saved_uj: number;
    cache_energy_saved_uj: number;
  };
  cache_hit_rate: number | null;
}

const FUSIBLE = new Set(['group', 'group_all', 'shared_mlp', 'reduce_max']);

function fusionPlan(work: LayerWork[], cfg: PointAccConfig): Set<string> {
  // Edges producer->consumer kept on chip: the producer has exactly one consumer, both fusible,
  // and the consumer's weights plus two tiles (one neighbourhood of rows at the widest channel
  // count) fit the buffer.
  const consumers = new Map<string, string[]>();
  for (const w of work) for (const i of w.inputs) consumers.set(i, [...(consumers.get(i) ?? []), w.layer.name]);
  const byName = new Map(work.map((w) => [w.layer.name, w]));
  const fused = new Set<string>();
  for (const w of work) {
    const cs = consumers.get(w.layer.name) ?? [];
    if (cs.length !== 1) continue;
    const c = byName.get(cs[0])!;
    if (!FUSIBLE.has(w.layer.op) || !FUSIBLE.has(c.layer.op) || c.inputs[0] !== w.layer.name) continue;
    const shape = w.layer.output.shape;
    const tileRows = shape.length === 3 ? shape[1] : 64;
    const widest = Math.max(shape[shape.length - 1], c.layer.output.shape[c.layer.output.shape.length - 1]);
    if (c.weightBytes + 2 * tileRows * widest <= cfg.bufferBytes) fused.add(w.layer.name);
  }
  return fused;
}

/** Edges matmul -> reduce_max (its only consumer): the pool takes the max as outputs leave the array. */
function poolEdges(work: LayerWork[]): Set<string> {
  const consumers = new Map<string, LayerWork[]>();
  for (const w of work) for (const i of w.inputs) consumers.set(i, [...(consumers.get(i) ?? []), w]);
  const edges = new Set<string>();
  for (const w of work) {
    const cs = consumers.get(w.layer.name) ?? [];
    if (w.item.kind === 'matmul' && cs.length === 1 && cs[0].item.kind === 'reduce' && cs[0].inputs[0] === w.layer.name)
      edges.add(w.layer.name);
  }
  return edges;
}

function sorterCompares(w: number): number {
  const p = Math.log2(w);
  return (w / 2) * ((p * (p + 1)) / 2) + (w / 2) * p;
}

function costWorkload(
  work: LayerWork[],
  cfg: PointAccConfig,
  fusion: boolean,
  cache: boolean,
): { layers: LayerPerf[]; hits: number; accesses: number } {
  const W = cfg.mappingUnit.sorterWidth;
  const [MR, MC] = cfg.matrixUnit;
  const bw = cfg.dramBandwidthBytesPerCycle;
  // Without fusion, a max-pool still sits behind the matrix unit: its input never goes to DRAM.
  const fused = fusion ? fusionPlan(work, cfg) : poolEdges(work);
  const fusedInto = new Set<string>();
  for (const w of work) if (w.inputs.some((i) => fused.has(i))) fusedInto.add(w.layer.name);
  const producerBytes = new Map(work.map((w) => [w.layer.name, w.outputBytes]));
  const kindOf = new Map(work.map((w) => [w.layer.name, w.item.kind]));
  const lineOf = cacheLineBytes;
  let hits = 0;
  let accesses = 0;
  const layers = work.map((w): LayerPerf => {
    const it = w.item;
    let mapping = 0;
    let compute = 0;
    let dram = w.weightBytes;
    let sram = 0;
    let macs = 0;
    let compares = 0;
    let distances = 0;
    let cacheBytes = 0;
    let hitRate: number | null = null;
    let unit: LayerPerf['unit'] = 'none';
    const readInputs = () => {
      for (const i of w.inputs) if (!(fused.has(i) && fusedInto.has(w.layer.name))) dram += producerBytes.get(i) ?? 0;
    };
    const gather = (stream: Int32Array | null, rows: number, rowBytes: number): void => {
      // One row per cycle per ceil(rowBytes / MC) beats.
      compute += rows * Math.ceil(rowBytes / MC);
      if (!stream) {
        dram += rows * rowBytes;
        return;
      }
      const line = lineOf(rowBytes);
      const latency = missLatency(line, bw);
      if (cache && cfg.cacheBytes >= line) {
        const st = simulateCache(stream, { bytes: cfg.cacheBytes, ways: cfg.cacheWays ?? 4, lineBytes: line });
        compute += st.misses * latency;
        dram += st.misses * line;
        cacheBytes += st.hits * rowBytes;
        hits += st.hits;
        accesses += st.accesses;
        hitRate = st.accesses ? st.hits / st.accesses : null;
      } else {
        compute += stream.length * latency;
        dram += stream.length * rowBytes;
      }
    };
    switch (it.kind) {
      case 'fps': {
        unit = 'mapping';
        mapping = fpsCycles(it.n, it.m, W);
        // Coordinates (6 B) and running minima (4 B) stay on chip when they fit, else stream every pass.
        const onChip = 10 * it.n <= cfg.bufferBytes;
        dram += onChip ? 6 * it.n : 6 * it.n + (it.m - 1) * 14 * it.n;
        distances = it.n * it.m;
        compares = Math.ceil(it.n / W) * it.m * sorterCompares(W);
        sram += 10 * it.n * it.m;
        break;
      }
      case 'search': {
        unit = 'mapping';
        const passes = Math.ceil(it.dims / 3);
        mapping = neighbourSearchCycles(it.n, it.m, W) * passes;
        const coordBytes = 2 * it.dims;
        dram += coordBytes * it.n <= cfg.bufferBytes ? coordBytes * it.n : coordBytes * it.n * it.m;
        distances = it.n * it.m * passes;
        compares = Math.ceil(it.n / W) * it.m * (sorterCompares(W) + sorterCompares(Math.max(W, 2 ** Math.ceil(Math.log2(it.k)))));
        sram += coordBytes * it.n * it.m;
        break;
      }
      case 'gather': {
        unit = 'gather';
        gather(it.stream, it.rows, it.rowBytes);
        dram += 2 * it.rows; // the index list
        break;
      }
      case 'matmul': {
        unit = 'matrix';
        readInputs();
        compute = matrixCycles(it.rows, it.cin, it.cout, MR, MC);
        // Input from another MLP layer: fused, its lines move from the activation buffer into the
        // array's activation memory (one per cycle); unfused, they were spilled to DRAM and are read
        // back at the port's pace, plus one DRAM latency (as the RTL top does, not overlapped).
        if (kindOf.get(w.inputs[0]) === 'matmul') {
          const lines = it.rows * Math.ceil(it.cin / MR);
          compute += fused.has(w.inputs[0]) ? lines : 2 * lines * Math.ceil(MR / bw) + DRAM_ACCESS_CYCLES;
        }
        macs = it.rows * it.cin * it.cout;
        sram += it.rows * it.cin * Math.ceil(it.cout / MC) + it.rows * it.cout + it.cin * it.cout;
        break;
      }
      case 'reduce': {
        unit = 'matrix';
        readInputs();
        // Behind the matrix unit the max is taken as outputs leave the array (with or without fusion:
        // fusion decides only whether those outputs also go to DRAM); what remains is reading out
        // one group x output tile per cycle.
        compute = kindOf.get(w.inputs[0]) === 'matmul' ? it.groups * Math.ceil(it.channels / MC) : Math.ceil((it.rows * it.channels) / MC);
        sram += it.rows * it.channels;
        break;
      }
      case 'interpolate': {
        unit = 'mapping+gather';
        mapping = neighbourSearchCycles(it.ns, it.nt, W);
        distances = it.ns * it.nt;
        compares = Math.ceil(it.ns / W) * it.nt * sorterCompares(W);
        gather(it.stream, it.stream.length, it.channels);
        compute += Math.ceil((it.stream.length * it.channels) / MC);
        macs = it.stream.length * it.channels;
        dram += 6 * (it.ns + it.nt);
        break;
      }
      case 'sparse_conv': {
        unit = 'mapping+matrix';
        mapping = kernelMapCycles(it.nIn, it.nOut, it.volume, W);
        compares = (it.nIn + it.nOut) * Math.ceil(Math.log2(Math.max(2, it.nIn))) + it.volume * (it.nIn + it.nOut);
        dram += 6 * (it.nIn + it.nOut);
        // When every output's int32 partial sums fit half the buffer, the layer runs offset by
        // offset over all outputs (what the RTL top does: one GEMM per offset, scatter-accumulate).
        // Otherwise outputs are processed in raster-order tiles (the mapping unit's sorted order),
        // sized so a tile's gathered rows (about 8 distinct inputs per output) fit the cache;
        // within a tile, offset by offset: one GEMM of the tile's pairs for that offset with W_offset.
        const allOnChip = 4 * it.nOut * it.cout <= cfg.bufferBytes / 2;
        const tile = allOnChip ? Math.max(1, it.nOut) : Math.max(1, Math.floor(cfg.cacheBytes / lineOf(it.cin) / 8));
        gather(sparseGatherStream(it.pairList, it.outRank, tile), it.pairList.length / 2, it.cin);
        const tiles = Math.ceil(it.nOut / tile) || 1;
        const perTile = new Int32Array(tiles * it.volume);
        let base = 0;
        it.pairs.forEach((count, d) => {
          for (let p = base; p < base + count; p++) perTile[Math.floor(it.outRank[it.pairList[2 * p + 1]] / tile) * it.volume + d]++;
          base += count;
        });
        for (const p of perTile) if (p > 0) compute += matrixCycles(p, it.cin, it.cout, MR, MC);
        const totalPairs = it.pairs.reduce((a, b) => a + b, 0);
        macs = totalPairs * it.cin * it.cout;
        // int32 partial sums of a tile stay on chip when they fit half the buffer, else they spill per pair.
        const psum = 4 * Math.min(tile, it.nOut) * it.cout;
        if (psum > cfg.bufferBytes / 2) dram += 8 * totalPairs * it.cout;
        sram += totalPairs * it.cin + 2 * psum;
        break;
      }
      case 'none':
        break;
    }
    if (!fused.has(w.layer.name)) dram += it.kind === 'none' ? 0 : w.outputBytes;
    const unitCycles = mapping + compute;
    const memory = Math.ceil(dram / bw);
    const cycles = it.kind === 'none' ? 0 : Math.max(unitCycles, memory);
    const energyPj =
      macs * ENERGY_PJ.mac +
      compares * ENERGY_PJ.compare +
      distances * ENERGY_PJ.distance +
      sram * ENERGY_PJ.sramByte +
      cacheBytes * ENERGY_PJ.cacheByte +
      dram * ENERGY_PJ.dramByte;
    return {
      name: w.layer.name,
      op: w.layer.op,
      unit,
      cycles,
      mapping_cycles: mapping,
      compute_cycles: compute,
      memory_cycles: it.kind === 'none' ? 0 : memory,
      dram_bytes: it.kind === 'none' ? 0 : dram,
      macs,
      energy_uj: energyPj / 1e6,
      fused_in: fusedInto.has(w.layer.name),
      fused_out: fused.has(w.layer.name),
      cache_hit_rate: hitRate,
    };
  });
  return { layers, hits, accesses };
}

function totals(layers: LayerPerf[], clockMHz: number): PerfTotals {
  const sum = (f: (l: LayerPerf) => number) => layers.reduce((a, l) => a + f(l), 0);
  const cycles = sum((l) => l.cycles);
  return {
    cycles,
    time_ms: cycles / (clockMHz * 1e3),
    dram_bytes: sum((l) => l.dram_bytes),
    energy_uj: sum((l) => l.energy_uj),
    macs: sum((l) => l.macs),
    mapping_cycles: sum((l) => l.mapping_cycles),
    compute_cycles: sum((l) => l.compute_cycles),
  };
}

/** Model a network on a configuration. Deterministic for a given seed. */
export function modelNetwork(net: Network, cfg: PointAccConfig, opts: PerfOptions): PerfReport {
  const work = buildWorkload(net, opts.seed ?? 1, opts.points, opts.cloud);
  const main = costWorkload(work, cfg, opts.fusion, opts.cache);
  const t = totals(main.layers, cfg.clockMHz);
  const noFusion = totals(costWorkload(work, cfg, false, opts.cache).layers, cfg.clockMHz);
  const noCache = totals(costWorkload(work, cfg, opts.fusion, false).layers, cfg.clockMHz);
  const neither = totals(costWorkload(work, cfg, false, false).layers, cfg.clockMHz);
  const input = net.inputs[0];
  return {
    network: net.name,
    config: cfg.name,
    clock_mhz: cfg.clockMHz,
    options: {
      fusion: opts.fusion,
      cache: opts.cache,
      points: opts.cloud ? opts.cloud.xyz.length / 3 : (opts.points ?? input?.type.shape[0] ?? 0),
    },
    layers: main.layers,
    totals: t,
    ablation: { no_fusion: noFusion, no_cache: noCache, neither },
    contributions: {
      fusion_speedup: t.cycles ? noFusion.cycles / t.cycles : 1,
      cache_speedup: t.cycles ? noCache.cycles / t.cycles : 1,
      fusion_dram_saved_bytes: noFusion.dram_bytes - t.dram_bytes,
      cache_dram_saved_bytes: noCache.dram_bytes - t.dram_bytes,
      fusion_energy_saved_uj: noFusion.energy_uj - t.energy_uj,
      cache_energy_saved_uj: noCache.energy_uj - t.energy_uj,
    },
    cache_hit_rate: main.accesses ? main.hits / main.accesses : null,
  };
}

const round = (x: number, d = 4) => Number(x.toPrecision(d));

/** The stable JSON of `nacc pointacc FILE --network N --json`. */
export function perfJson(r: PerfReport, baseline?: BaselineReport) {
  return {
    ...r,
    layers: r.layers.map((l) => ({
      ...l,
      energy_uj: round(l.energy_uj, 6),
      cache_hit_rate: l.cache_hit_rate === null ? null : round(l.cache_hit_rate),
    })),
    totals: { ...r.totals, time_ms: round(r.totals.time_ms, 6), energy_uj: round(r.totals.energy_uj, 6) },
    contributions: {
      ...r.contributions,
      fusion_speedup: round(r.contributions.fusion_speedup),
      cache_speedup: round(r.contributions.cache_speedup),
      fusion_energy_saved_uj: round(r.contributions.fusion_energy_saved_uj, 6),
      cache_energy_saved_uj: round(r.contributions.cache_energy_saved_uj, 6),
    },
    cache_hit_rate: r.cache_hit_rate === null ? null : round(r.cache_hit_rate),
    ...(baseline
      ? {
          baseline: {
            ...baseline,
            speedup: round(baseline.total_ms / r.totals.time_ms),
          },
        }
      : {}),
  };
}

export function perfText(r: PerfReport, baseline?: BaselineReport): string {
  const pad = (s: string | number, n: number, right = false) => (right ? String(s).padStart(n) : String(s).padEnd(n));
  const lines = [
    `network ${r.network} on pointacc ${r.config} (${r.clock_mhz} MHz, fusion ${r.options.fusion ? 'on' : 'off'}, cache ${r.options.cache ? 'on' : 'off'})`,
  ];
  lines.push(
    `${pad('layer', 16)}${pad('op', 16)}${pad('unit', 16)}${pad('cycles', 12, true)}${pad('DRAM B', 12, true)}${pad('energy uJ', 11, true)}${pad('hit', 7, true)}  fused`,
  );
  for (const l of r.layers) {
    lines.push(
      `${pad(l.name, 16)}${pad(l.op, 16)}${pad(l.unit, 16)}${pad(l.cycles, 12, true)}${pad(l.dram_bytes, 12, true)}${pad(l.energy_uj.toFixed(3), 11, true)}${pad(l.cache_hit_rate === null ? '-' : (100 * l.cache_hit_rate).toFixed(1) + '%', 7, true)}  ${l.fused_in ? 'in' : ''}${l.fused_in && l.fused_out ? '+' : ''}${l.fused_out ? 'out' : ''}`,
    );
  }
  const t = r.totals;
  lines.push(
    `total: ${t.cycles} cycles = ${t.time_ms.toFixed(4)} ms, ${t.dram_bytes} B DRAM, ${t.energy_uj.toFixed(2)} uJ, ${t.macs} MACs`,
  );
  lines.push(
    `fusion: ${r.contributions.fusion_speedup.toFixed(3)}x faster, ${r.contributions.fusion_dram_saved_bytes} B DRAM and ${r.contributions.fusion_energy_saved_uj.toFixed(1)} uJ saved; cache: ${r.contributions.cache_speedup.toFixed(3)}x faster, ${r.contributions.cache_dram_saved_bytes} B DRAM and ${r.contributions.cache_energy_saved_uj.toFixed(1)} uJ saved${r.cache_hit_rate === null ? '' : `, hit rate ${(100 * r.cache_hit_rate).toFixed(1)}%`}`,
  );
  if (baseline)
    lines.push(
      `CPU baseline (C, gcc -O3, this machine): ${baseline.total_ms.toFixed(3)} ms -> speedup ${(baseline.total_ms / t.time_ms).toFixed(1)}x at ${r.clock_mhz} MHz`,
    );
  return lines.join('\n');
}
