// The (array shape, connectivity) pairs NAAS starts from, ranked by the analytic warm-start
// filter (warmstart.ts): one parallel dimension per axis, and the named dataflows' connectivity
// (several dimensions on one axis, e.g. row stationary's S, C, K down the rows) on every 2-D shape.
import type { AcceleratorSpec, Dataflow, DesignSpace } from '../../ir/targets.ts';
import { layerBound } from '../bound.ts';
import type { Workloads } from '../candidate.ts';
import { dataflowConstraints } from '../dataflow.ts';
import { largestDivisorAtMost, type SpaceLimits } from '../encoding.ts';
import { arrayShapes, warmStartCandidates } from '../warmstart.ts';

export interface DesignPair {
  peArray: number[];
  parallel?: string[];
  dataflow?: Dataflow;
  /** Estimated network cycles (max of MACs over busy PEs and compulsory DRAM time, per layer). */
  cycles: number;
}

/** Dataflows whose connectivity joins the one-dimension-per-axis pairs: row stationary (S, C, K down the rows; Q, K across), whose register files keep all three data spaces like every NAAS design (the floor in bound.ts counts on it). */
export const PAIR_DATAFLOWS: readonly Dataflow[] = ['row_stationary'];

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * PEs a layer keeps busy when axis a may run any of axisDims[a] (each dimension's factors
 * split over the axes, a product of divisors on each axis no larger than it): greedy over
 * the axes in order, the best order of dimensions on each.
 */
export function busyPes(bounds: Record<string, number>, axisDims: string[][], sizes: number[]): number {
  const rem: Record<string, number> = { ...bounds };
  let busy = 1;
  axisDims.forEach((dims, a) => {
    const live = dims.filter((d) => (rem[d] ?? 1) > 1);
    let best = 1;
    let use: Record<string, number> = {};
    for (const order of permutations(live)) {
      let load = 1;
      const u: Record<string, number> = {};
      for (const d of order) {
        const f = largestDivisorAtMost(rem[d], Math.floor(sizes[a] / load));
        if (f > 1) {
          u[d] = f;
          load *= f;
        }
      }
      if (load > best) {
        best = load;
        use = u;
      }
    }
    for (const [d, f] of Object.entries(use)) rem[d] /= f;
    busy *= best;
  });
  return busy;
}

/** The best `count` pairs of the space for the workloads (a quarter at most from the named dataflows when allowed). */
export function enumeratePairs(
  workloads: Workloads,
  space: DesignSpace,
  resources: AcceleratorSpec,
  lim: SpaceLimits,
  count: number,
  withDataflows: boolean,
): DesignPair[] {
  const flows = withDataflows && !Array.isArray(space.parallel) ? PAIR_DATAFLOWS : [];
  const perFlow = flows.length ? Math.max(1, Math.floor(count / 4 / flows.length)) : 0;
  const out: DesignPair[] = [];
  if (flows.length) {
    const uses = new Map<string, number>();
    for (const n of workloads.networks) for (const l of n.layers) uses.set(l.key, (uses.get(l.key) ?? 0) + 1);
    const dramWordsPerCycle = lim.dramBandwidthBytesPerCycle / (lim.wordBits / 8);
    const layers = [...uses].map(([key, weight]) => {
      const p = workloads.problems[key];
      const b = layerBound(p, resources);
      return { bounds: p.bounds, macs: b.macs, dram: Math.ceil(b.compulsoryDramWords / dramWordsPerCycle), weight };
    });
    const shapes = arrayShapes(space, lim).filter((s) => s.shape.length === 2);
    for (const df of flows) {
      const scored = shapes.map(({ shape }) => {
        const axisDims = dataflowConstraints(df, shape).axisDims;
        const cycles = layers.reduce((a, l) => a + l.weight * Math.max(Math.ceil(l.macs / busyPes(l.bounds, axisDims, shape)), l.dram), 0);
        return { peArray: shape, dataflow: df, cycles };
      });
      const pes = (s: number[]): number => s[0] * s[1];
      scored.sort(
        (a, b) => a.cycles - b.cycles || pes(a.peArray) - pes(b.peArray) || a.peArray.join('x').localeCompare(b.peArray.join('x')),
      );
      out.push(...scored.slice(0, perFlow));
    }
  }
  for (const c of warmStartCandidates(workloads, space, resources, lim, count - out.length))
    out.push({ peArray: c.peArray, parallel: c.parallel, cycles: c.cycles });
  return out;
}
