// MAESTRO's cost engine (AnalyzeClusterLevel_V2): walks a level's iteration cases, recursing
// into the level below for its compute delay, and adds up buffer accesses, NoC delays
// (double-buffered), the off-chip term at the top level, and the runtime.
import type { ClusterUnit, Tensor } from './clusters.ts';
import type { DimensionTable } from './dimensions.ts';
import { MaestroAnalysisError } from './errors.ts';
import { allInit, isEdge, iterationCases, stateOf } from './iterations.ts';
import { ReuseAnalysis } from './reuse.ts';
import { idiv, type MaestroHardware } from './types.ts';
import { D } from '../../diagnostics/index.ts';

export interface TensorCounts {
  l1Read: number;
  l1Write: number;
  l2Read: number;
  l2Write: number;
  /** Double-buffered size requirements, in elements. */
  l1Size: number;
  l2Size: number;
}

export interface DelayStats {
  min: number;
  max: number;
  avg: number;
}

/** One cluster level's results for one tile (MAESTRO's CostAnalyisResults). */
export interface LevelResult {
  level: number;
  runtime: number;
  /** MACs (partial sums) over the level. */
  computations: number;
  counts: Record<Tensor['name'], TensorCounts>;
  peakNocBw: number;
  avgNocBw: number;
  offchipBwReq: number;
  ingressDelay: DelayStats;
  egressDelay: DelayStats;
  computeDelay: DelayStats;
  avgActiveClusters: number;
  arithmeticIntensity: number;
  /** How many sub-clusters of the level above run this tile at once. */
  spatialOccurrences: number;
}

/** Delay of moving `amount` elements over a NoC: head latency plus one cycle per extra flit. */
export function nocDelay(hw: MaestroHardware, amount: number): number {
  const sends = amount % hw.nocBw !== 0 ? idiv(amount, hw.nocBw) + 1 : idiv(amount, hw.nocBw);
  return hw.nocLatency + (sends - 1);
}

const emptyCounts = (): TensorCounts => ({ l1Read: 0, l1Write: 0, l2Read: 0, l2Write: 0, l1Size: 0, l2Size: 0 });

interface Memo {
  first?: LevelResult;
  produced: number;
  levels: Map<string, LevelResult>;
}

export interface LayerAnalysis {
  top: LevelResult;
  /** The first result the recursion produced (the innermost level of the first case), or the top. */
  first: LevelResult;
  /** Number of level results produced (1 when the layer has a single cluster level). */
  produced: number;
}

/** Runs the engine over all cluster levels of one layer (outermost first in `clusters`). */
export function analyzeLayer(clusters: readonly ClusterUnit[], tensors: readonly Tensor[], hw: MaestroHardware): LayerAnalysis {
  const out: Memo = { produced: 0, levels: new Map() };
  const reuse = clusters.map((c) => new ReuseAnalysis(c));
  const top = analyzeLevel(0, clusters, reuse, tensors, hw, clusters[0].dims, out);
  return { top, first: out.first ?? top, produced: out.produced };
}

function analyzeLevel(
  idx: number,
  clusters: readonly ClusterUnit[],
  reuses: readonly ReuseAnalysis[],
  tensors: readonly Tensor[],
  hw: MaestroHardware,
  dims: DimensionTable,
  out: Memo,
): LevelResult {
  // A level below the top depends only on its tile: analyse each distinct tile once.
  const key = idx > 0 ? `${idx}|${dims.key()}` : '';
  const seen = idx > 0 ? out.levels.get(key) : undefined;
  if (seen) {
    out.produced++;
    return { ...seen };
  }
  const cluster = clusters[idx];
  const reuse = reuses[idx];
  const nSub = cluster.clusters(false);
  const nEdge = cluster.clusters(true);
  const outputs = tensors.filter((t) => t.isOutput);
  const inputs = tensors.filter((t) => !t.isOutput);
  const counts = { input: emptyCounts(), filter: emptyCounts(), output: emptyCounts() };
  const r: LevelResult = {
    level: idx,
    runtime: 0,
    computations: 0,
    counts,
    peakNocBw: 0,
    avgNocBw: 0,
    offchipBwReq: 0,
    ingressDelay: { min: Infinity, max: -Infinity, avg: 0 },
    egressDelay: { min: Infinity, max: -Infinity, avg: 0 },
    computeDelay: { min: Infinity, max: -Infinity, avg: 0 },
    avgActiveClusters: 0,
    arithmeticIntensity: 0,
    spatialOccurrences: 1,
  };
  const spDirective = cluster.dataflow[cluster.spatialIdx];
  let total = 0;
  let caseId = 0;
  let avgBw = 0;
  for (const c of iterationCases(cluster, dims)) {
    if (caseId === 0) bufferRequirements(r, dims, reuse, c, inputs, outputs);
    const occ = c.occurrences;
    let ingress = 0;
    let egress = 0;
    let psums = 0;
    let macs = 0;
    for (const t of outputs) {
      const eg = reuse.spatialEgress(t, c);
      macs += reuse.outputSpatialMappingSize(t, c, true);
      egress += eg;
      const k = counts[t.name];
      k.l2Write += occ * eg;
      k.l1Write += occ * macs;
      k.l1Read += occ * macs;
      psums += reuse.criticalPathPartialSums(t, c);
    }
    if (psums <= 0) continue;
    for (const t of inputs) {
      const ing = reuse.spatialIngress(t, c);
      ingress += ing;
      const k = counts[t.name];
      const prevRead = k.l2Read;
      k.l2Read = prevRead + occ * ing;
      k.l1Write = prevRead + occ * ing;
      k.l1Read += occ * macs;
    }
    r.arithmeticIntensity = macs / ingress;
    const sp = stateOf(c, spDirective.variable);
    const nActive = isEdge(sp) ? nEdge : nSub;
    let compute = 0;
    const subs: LevelResult[] = [];
    if (idx < clusters.length - 1) {
      const run = (edgeEdge: boolean, occurrences: number) => {
        const sub = analyzeLevel(idx + 1, clusters, reuses, tensors, hw, reuse.subClusterDimensions(c, edgeEdge), out);
        sub.spatialOccurrences = occurrences;
        subs.push(sub);
      };
      if (isEdge(sp)) {
        if (sp.spEdgeEdge) {
          run(true, 1);
          if (nEdge - 1 > 0) run(false, nEdge - 1);
        } else run(false, nEdge);
      } else run(false, nSub);
      for (const s of subs) compute = Math.max(compute, s.runtime);
    } else compute = Math.ceil(psums / hw.simdLanes);
    const ingressDelay = nocDelay(hw, ingress);
    const egressDelay = nocDelay(hw, egress);
    let delay = allInit(c) ? compute + ingressDelay : Math.max(egressDelay, compute, ingressDelay);
    if (idx === 0) {
      const outSize = counts.output.l2Size;
      const inSize = counts.input.l2Size + counts.filter.l2Size;
      delay = Math.max(idiv(idiv(inSize, hw.offchipBw), 2), delay, idiv(idiv(outSize, hw.offchipBw), 2));
      if (compute === 0)
        throw new MaestroAnalysisError(
          D.maestroNoCompute.code,
          `a case at the top cluster level has no compute (division by zero in MAESTRO)`,
          spDirective.location,
        );
      r.offchipBwReq = Math.max(r.offchipBwReq, idiv(outSize, compute));
      r.offchipBwReq = Math.max(r.offchipBwReq, idiv(inSize, compute));
      r.offchipBwReq = idiv(r.offchipBwReq, 2);
    }
    r.runtime += occ * delay;
    r.computations += occ * macs;
    let active = 0;
    for (const s of subs) active += s.avgActiveClusters * s.spatialOccurrences;
    if (active === 0) active = nActive;
    r.avgActiveClusters += active * occ;
    if (compute === 0) compute = 1;
    const traffic = Math.max(ingress, egress);
    r.peakNocBw = Math.max(r.peakNocBw, idiv(traffic, compute));
    avgBw += idiv(occ * traffic, compute);
    for (const [stats, v] of [
      [r.ingressDelay, ingressDelay],
      [r.egressDelay, egressDelay],
      [r.computeDelay, compute],
    ] as const) {
      stats.avg += occ * v;
      stats.min = Math.min(stats.min, v);
      stats.max = Math.max(stats.max, v);
    }
    total += occ;
    caseId++;
  }
  r.avgNocBw = avgBw / total;
  if (total !== 0) r.avgActiveClusters /= total;
  for (const s of [r.ingressDelay, r.egressDelay, r.computeDelay]) s.avg = Math.trunc(s.avg / total);
  out.produced++;
  if (!out.first) out.first = r;
  if (idx > 0) out.levels.set(key, { ...r });
  return r;
}

/** Size requirements and the fills of L2 from off-chip, read from the level's first case. */
function bufferRequirements(
  r: LevelResult,
  dims: DimensionTable,
  reuse: ReuseAnalysis,
  c: ReturnType<typeof iterationCases>[number],
  inputs: Tensor[],
  outputs: Tensor[],
): void {
  for (const t of inputs) {
    let size = 1;
    for (const v of t.vars) size *= dims.size(v);
    const k = r.counts[t.name];
    k.l2Size += reuse.spatialIngress(t, c) * 2;
    k.l2Write = size;
    k.l1Size += 2 * reuse.mappedVolume(t);
  }
  for (const t of outputs) {
    let size = 1;
    for (const v of t.vars) size *= dims.isOverlapped(v) ? dims.size(v) - dims.size(dims.counterpart(v)) + 1 : dims.size(v);
    const k = r.counts[t.name];
    k.l2Size = 2 * reuse.spatialEgress(t, c);
    k.l2Read = size;
    k.l1Size = 2 * reuse.mappedVolume(t);
  }
}
