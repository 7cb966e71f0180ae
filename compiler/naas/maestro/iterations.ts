// MAESTRO's iteration cases: per directive the Init / Steady / Edge states of its loop, and
// the combinations of those states ("cases") the cost engine visits, each with how often it occurs.
import type { ClusterUnit } from './clusters.ts';
import type { DimensionTable } from './dimensions.ts';
import { idiv } from './types.ts';

export type IterPosition = 'init' | 'steady' | 'edge';

export interface IterationState {
  readonly variable: string;
  readonly position: IterPosition;
  readonly occurrences: number;
  readonly unrolled: boolean;
  /** The init tile already runs past the dimension (map larger than what is left). */
  readonly initEdge: boolean;
  /** In the spatial edge iteration the last active sub-cluster gets a partial tile. */
  readonly spEdgeEdge: boolean;
}

export const isEdge = (s: IterationState): boolean => s.position === 'edge' || s.initEdge;

export interface IterationCase {
  readonly occurrences: number;
  /** State of each mapped dimension (the last directive on a dimension wins). */
  readonly states: ReadonlyMap<string, IterationState>;
}

export function stateOf(c: IterationCase, variable: string): IterationState {
  const s = c.states.get(variable);
  if (!s) throw new Error(`maestro: no iteration state for ${variable}`);
  return s;
}

export const allInit = (c: IterationCase): boolean => [...c.states.values()].every((s) => s.position === 'init');

function statesOfDirective(cluster: ClusterUnit, dims: DimensionTable, index: number): IterationState[] {
  const d = cluster.dataflow[index];
  const v = d.variable;
  const dim = dims.size(v);
  const map = d.size;
  const ofs = d.ofs;
  const st = (position: IterPosition, occurrences: number, unrolled: boolean, initEdge: boolean, spEdgeEdge = false): IterationState => ({
    variable: v,
    position,
    occurrences,
    unrolled,
    initEdge,
    spEdgeEdge,
  });
  const out: IterationState[] = [];
  if (d.kind === 'temporal') {
    const initEdge = dim < map;
    out.push(st('init', 1, dim <= map, initEdge));
    const steady = idiv(dim - map, ofs);
    if (map < dim && steady > 0) out.push(st('steady', steady, false, false));
    if (!initEdge && steady * ofs + map < dim) out.push(st('edge', 1, false, false));
    return out;
  }
  const n = cluster.clusters(false);
  const coverage = map + ofs * (n - 1);
  const initUnroll = dim <= coverage;
  const initEdge = dim < coverage;
  out.push(st('init', 1, initUnroll, initEdge, initEdge));
  const steady = idiv(idiv(dim - map, ofs) + 1, n) - 1;
  const hasEdge = !initUnroll && (steady + 1) * (ofs * n) + coverage > dim && steady * (ofs * n) + coverage !== dim;
  if (coverage < dim && steady > 0) out.push(st('steady', steady, false, false));
  const remaining = dim - (steady + 1) * ofs * n;
  let active = remaining < map ? 1 : idiv(remaining - map, ofs) + 1;
  let edgeEdge = false;
  if ((active - 1) * ofs + map < remaining) {
    active++;
    edgeEdge = true;
  }
  if (!initEdge && hasEdge) out.push(st('edge', 1, false, false, edgeEdge));
  return out;
}

/**
 * Every case of a cluster level over `dims` (its tile in this iteration of the level above).
 * The enumeration is MAESTRO's own: each dimension's counter advances when the case number is
 * a multiple of the product of the later dimensions' state counts, after it is read.
 */
export function iterationCases(cluster: ClusterUnit, dims: DimensionTable): IterationCase[] {
  const lists = cluster.dataflow.map((_, i) => statesOfDirective(cluster, dims, i));
  const total = lists.reduce((p, l) => p * l.length, 1);
  const freq: number[] = new Array(lists.length);
  let acc = 1;
  for (let i = lists.length - 1; i >= 0; i--) {
    freq[i] = acc;
    acc *= lists[i].length;
  }
  const counters = lists.map(() => 0);
  const cases: IterationCase[] = [];
  for (let id = 0; id < total; id++) {
    const states = new Map<string, IterationState>();
    let occurrences = 1;
    for (let i = 0; i < lists.length; i++) {
      const s = lists[i][counters[i]];
      states.set(s.variable, s);
      occurrences *= s.occurrences;
      if (id % freq[i] === 0) counters[i] = counters[i] + 1 === lists[i].length ? 0 : counters[i] + 1;
    }
    cases.push({ occurrences, states });
  }
  return cases;
}
