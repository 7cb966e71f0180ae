// MAESTRO's reuse analysis of one cluster level: how many elements of each tensor a
// sub-cluster holds (mapped), how many are new per step (unique), at full and at edge tiles,
// and from those the ingress/egress traffic and partial sums of one iteration case.
import type { ClusterUnit, Tensor } from './clusters.ts';
import { DimensionTable } from './dimensions.ts';
import { MaestroAnalysisError } from './errors.ts';
import { isEdge, stateOf, type IterationCase, type IterationState } from './iterations.ts';
import { idiv } from './types.ts';
import { D } from '../../diagnostics/index.ts';

/** std::map<string,int> read with operator[]: a missing key reads as 0. */
class Counts {
  private readonly m = new Map<string, number>();
  get(k: string): number {
    return this.m.get(k) ?? 0;
  }
  set(k: string, v: number): void {
    this.m.set(k, v);
  }
  has(k: string): boolean {
    return this.m.has(k);
  }
}

const outputName = (dim: string): string => (dim === 'Y' ? "Y'" : dim === 'X' ? "X'" : dim);

export class ReuseAnalysis {
  private readonly mapped = new Counts();
  private readonly mappedEdge = new Counts();
  private readonly unique = new Counts();
  private readonly uniqueEdge = new Counts();

  constructor(readonly cluster: ClusterUnit) {
    const dims = cluster.dims;
    for (const d of cluster.dataflow) {
      const v = d.variable;
      const map = d.size;
      const ofs = d.ofs;
      const dim = dims.size(v);
      const steady = Math.max(idiv(dim - map, ofs), 0);
      const hasEdge = steady * ofs + map < dim || map > dim;
      this.mapped.set(v, map);
      this.unique.set(v, Math.min(map, ofs));
      if (d.kind === 'temporal' && dim <= map) this.unique.set(v, 0);
      let edgeMap = dim - (steady + 1) * ofs;
      if (edgeMap < 0) edgeMap = dim;
      this.mappedEdge.set(v, hasEdge ? edgeMap : map);
      this.uniqueEdge.set(v, Math.max(ofs - (map - edgeMap), 0));
    }
    for (const d of cluster.dataflow) {
      const v = d.variable;
      if (!dims.isReference(v)) continue;
      const sliding = dims.counterpart(v);
      const out = v === 'Y' ? "Y'" : "X'";
      this.mapped.set(out, this.mapped.get(v) - this.mapped.get(sliding) + 1);
      this.unique.set(out, Math.min(d.ofs, d.size));
      this.mappedEdge.set(out, this.mappedEdge.get(v) - this.mappedEdge.get(sliding) + 1);
      this.uniqueEdge.set(out, Math.min(d.ofs, this.mappedEdge.get(out)));
    }
  }

  /** Elements of a tensor one sub-cluster holds at once (for the L1 size requirement). */
  mappedVolume(t: Tensor): number {
    let ret = 1;
    for (const v of t.vars) if (this.mapped.has(v)) ret *= this.mapped.get(v);
    return ret;
  }

  /** The tile of the level below in this case (ConstructSubClusterDimension). */
  subClusterDimensions(c: IterationCase, spEdgeEdge: boolean): DimensionTable {
    const ret = new DimensionTable([]);
    const cur = this.cluster.dims;
    const nEdge = this.cluster.clusters(true);
    for (const d of this.cluster.dataflow) {
      const v = d.variable;
      const s = stateOf(c, v);
      let size: number;
      if (d.kind === 'temporal') size = isEdge(s) ? this.mappedEdge.get(v) : this.mapped.get(v);
      else {
        const edgeTile = nEdge === 1 || spEdgeEdge;
        if (s.position === 'init') size = isEdge(s) && edgeTile ? this.mappedEdge.get(v) : this.mapped.get(v);
        else if (s.position === 'steady') size = this.mapped.get(v);
        else size = edgeTile ? this.mappedEdge.get(v) : this.mapped.get(v);
      }
      ret.add(v, size, cur.stride(v));
    }
    for (const d of this.cluster.dataflow) {
      const v = d.variable;
      if (v === 'Y') ret.add("Y'", ret.size('Y') - ret.size('R') + 1, 1);
      else if (v === 'X') ret.add("X'", ret.size('X') - ret.size('S') + 1, 1);
      if (cur.isReference(v)) ret.overlaps.push([v, cur.counterpart(v)]);
    }
    return ret;
  }

  private spatialState(t: Tensor, c: IterationCase): { mapped: boolean; edge: boolean; state?: IterationState } {
    let mapped = false;
    let edge = false;
    let state: IterationState | undefined;
    for (const v of t.vars) {
      const d = this.cluster.find(v);
      if (!d)
        throw new MaestroAnalysisError(
          D.maestroUndefinedDimension.code,
          `dimension ${v} has no directive at cluster level ${this.cluster.level}`,
        );
      if (d.kind === 'spatial') {
        mapped = true;
        state = stateOf(c, v);
        if (isEdge(state)) edge = true;
      }
    }
    return { mapped, edge, state };
  }

  private peMappedVolume(t: Tensor, c: IterationCase, firstPe: boolean, edgeEdgePe: boolean): number {
    let ret = 1;
    const nActive = this.cluster.clusters(true);
    for (const d of this.cluster.dataflow) {
      const v = d.variable;
      if (!t.vars.includes(v)) continue;
      const s = stateOf(c, v);
      if (d.kind === 'temporal') ret *= isEdge(s) ? this.mappedEdge.get(v) : this.mapped.get(v);
      else if (isEdge(s)) {
        if (nActive === 1 && (firstPe || edgeEdgePe)) ret *= this.mappedEdge.get(v);
        else if (nActive > 1) ret *= edgeEdgePe ? this.mappedEdge.get(v) : this.mapped.get(v);
      } else ret *= this.mapped.get(v);
    }
    return ret;
  }

  /** New elements of an input tensor one sub-cluster receives in this case (GetPEIngressVolume). */
  private peIngressVolume(t: Tensor, c: IterationCase, firstPe = true, edgeEdgePe = false): number {
    const df = this.cluster.dataflow;
    let changing = -1;
    df.forEach((d, i) => {
      if (stateOf(c, d.variable).position !== 'init') changing = i;
    });
    if (changing === -1) return this.peMappedVolume(t, c, firstPe, edgeEdgePe);
    let inited = false;
    for (let i = 0; i < df.length; i++) {
      const s = stateOf(c, df[i].variable);
      if (s.position === 'init' && t.vars.includes(df[i].variable) && i > changing && !s.unrolled) {
        inited = true;
        break;
      }
    }
    let ret = 1;
    let tensorChanging = false;
    for (let i = 0; i < df.length; i++) {
      const d = df[i];
      const v = d.variable;
      if (!t.vars.includes(v)) continue;
      const s = stateOf(c, v);
      const isChanging = i === changing;
      const isReset = i > changing;
      if (isChanging) tensorChanging = true;
      const m = edgeEdgePe ? this.mappedEdge.get(v) : this.mapped.get(v);
      const u = edgeEdgePe ? this.uniqueEdge.get(v) : this.unique.get(v);
      if (d.kind === 'temporal') {
        if (s.position === 'init') ret *= isEdge(s) ? this.mappedEdge.get(v) : this.mapped.get(v);
        else if (isChanging && !inited) {
          if (this.unique.get(v) === 0)
            throw new MaestroAnalysisError(
              D.maestroStuckMap.code,
              `dimension ${v} advances but its map covers the whole dimension (no new elements per step)`,
              d.location,
            );
          ret *= Math.max(this.unique.get(v), 1);
        } else ret *= this.mapped.get(v);
      } else if (s.position === 'init') {
        ret *= firstPe || !isReset ? m : u;
      } else {
        ret *= firstPe ? m : !inited && isChanging ? u : m;
      }
    }
    return tensorChanging ? ret : 0;
  }

  /** Elements of an input tensor sent over the NoC to all sub-clusters in this case. */
  spatialIngress(t: Tensor, c: IterationCase): number {
    const sp = this.spatialState(t, c);
    if (!sp.mapped) return this.peIngressVolume(t, c);
    const n = this.cluster.clusters(false);
    const nEdge = this.cluster.clusters(true);
    if (!sp.edge) return this.peIngressVolume(t, c, true, false) + (n - 1) * this.peIngressVolume(t, c, false, false);
    const ee = sp.state!.spEdgeEdge;
    let ret = nEdge === 1 && ee ? this.peIngressVolume(t, c, true, true) : this.peIngressVolume(t, c, true, false);
    if (nEdge > 1) {
      const nEE = ee ? 1 : 0;
      const nFull = Math.max(nEdge - nEE - 1, 0);
      ret += nFull * this.peIngressVolume(t, c, false, false);
      ret += nEE * this.peIngressVolume(t, c, false, true);
    }
    return ret;
  }

  /** Output (or, with psums, partial-sum) elements one sub-cluster produces (GetPEEgressVolume). */
  private peEgressVolume(t: Tensor, c: IterationCase, psums = false, firstPe = true, edgeEdgePe = false, reuseAtEdge = true): number {
    const df = this.cluster.dataflow;
    const nActive = this.cluster.clusters(true);
    let ret = 1;
    const uniqueIfAny = (k: string) => {
      const u = this.unique.get(k);
      if (u !== 0) ret *= u;
    };
    if (psums) {
      for (const d of df) {
        const v = d.variable;
        if (t.vars.includes(v)) continue;
        const s = stateOf(c, v);
        if (d.kind === 'temporal') {
          ret *= isEdge(s) ? this.mappedEdge.get(v) : this.mapped.get(v);
          continue;
        }
        if (s.position === 'init') {
          if (isEdge(s) && edgeEdgePe) {
            if (nActive === 1) ret *= this.mappedEdge.get(v);
            else if (nActive > 1) ret *= this.mappedEdge.get(v);
          } else if (firstPe) ret *= this.mapped.get(v);
          else uniqueIfAny(v);
        } else if (s.position === 'steady') {
          if (firstPe) ret *= this.mapped.get(v);
          else uniqueIfAny(v);
        } else if (nActive === 1 && (firstPe || edgeEdgePe)) ret *= this.mappedEdge.get(v);
        else if (nActive > 1) {
          if (edgeEdgePe) ret *= this.uniqueEdge.get(v);
          else if (firstPe) ret *= this.mapped.get(v);
          else uniqueIfAny(v);
        }
      }
    }
    for (const v of t.vars) {
      const d = df.find((x) => x.variable === v);
      if (!d)
        throw new MaestroAnalysisError(
          D.maestroUndefinedDimension.code,
          `output dimension ${v} has no directive at cluster level ${this.cluster.level}`,
        );
      const s = stateOf(c, v);
      const a = outputName(v);
      if (d.kind === 'temporal') {
        if (s.position === 'init') ret *= isEdge(s) ? this.mappedEdge.get(a) : this.mapped.get(a);
        else if (s.position === 'steady') ret *= this.mapped.get(a);
        else ret *= this.mappedEdge.get(a);
        continue;
      }
      if (s.position === 'init') {
        if (isEdge(s) && edgeEdgePe) {
          if (nActive === 1) ret *= this.mappedEdge.get(a);
          else if (nActive > 1) ret *= reuseAtEdge ? this.uniqueEdge.get(a) : this.mappedEdge.get(a);
        } else if (firstPe) ret *= this.mapped.get(a);
        else uniqueIfAny(a);
      } else if (s.position === 'steady') {
        if (firstPe) ret *= this.mapped.get(a);
        else uniqueIfAny(a);
      } else if (nActive === 1 && (firstPe || edgeEdgePe)) ret *= this.mappedEdge.get(v);
      else if (nActive > 1) {
        if (edgeEdgePe) ret *= this.uniqueEdge.get(a);
        else if (firstPe) ret *= this.mapped.get(a);
        else uniqueIfAny(a);
      }
    }
    return ret;
  }

  /** Output elements written back over the NoC by all sub-clusters in this case. */
  spatialEgress(t: Tensor, c: IterationCase): number {
    const sp = this.spatialState(t, c);
    if (!sp.mapped) return this.peEgressVolume(t, c);
    const n = this.cluster.clusters(false);
    const nEdge = this.cluster.clusters(true);
    if (!sp.edge) return this.peEgressVolume(t, c, false, true, false) + (n - 1) * this.peEgressVolume(t, c, false, false, false);
    const ee = sp.state!.spEdgeEdge;
    let ret = nEdge === 1 && ee ? this.peEgressVolume(t, c, false, true, true) : this.peEgressVolume(t, c, false, true, false);
    if (nEdge > 1) {
      const nEE = ee ? 1 : 0;
      const nFull = Math.max(nEdge - nEE - 1, 0);
      ret += nFull * this.peEgressVolume(t, c, false, false, false);
      ret += nEE * this.peEgressVolume(t, c, false, false, true);
    }
    return ret;
  }

  /** Partial sums on the busiest sub-cluster: the compute delay of the innermost level. */
  criticalPathPartialSums(t: Tensor, c: IterationCase): number {
    const sp = this.spatialState(t, c);
    if (!sp.mapped) return this.peEgressVolume(t, c, true);
    if (!sp.edge) return this.peEgressVolume(t, c, true, true, false);
    const ee = sp.state!.spEdgeEdge;
    return this.cluster.clusters(true) === 1 && ee
      ? this.peEgressVolume(t, c, true, true, true)
      : this.peEgressVolume(t, c, true, true, false);
  }

  /** Outputs (or partial sums, i.e. MACs) over all sub-clusters in this case. */
  outputSpatialMappingSize(t: Tensor, c: IterationCase, psums: boolean): number {
    let { mapped, edge, state } = this.spatialState(t, c);
    if (psums) {
      for (const d of this.cluster.dataflow) {
        if (d.kind !== 'spatial') continue;
        mapped = true;
        state = stateOf(c, d.variable);
        if (isEdge(state)) edge = true;
      }
    }
    const n = this.cluster.clusters(false);
    if (!mapped) return n * this.peEgressVolume(t, c, psums);
    if (!edge) return n * this.peEgressVolume(t, c, psums, true, false);
    const nEdge = this.cluster.clusters(true);
    const ee = state!.spEdgeEdge;
    let ret = nEdge === 1 && ee ? this.peEgressVolume(t, c, psums, true, true) : this.peEgressVolume(t, c, psums, true, false);
    if (nEdge > 1) {
      const nEE = ee ? 1 : 0;
      const nFull = Math.max(nEdge - nEE - 1, 0);
      ret += nFull * this.peEgressVolume(t, c, psums, true, false);
      ret += nEE * this.peEgressVolume(t, c, psums, false, true, false);
    }
    return ret;
  }
}
