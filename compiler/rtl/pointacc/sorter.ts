// The ranking kernel of the PointAcc mapping unit: a bitonic sorter of W records, a bitonic
// merger, and the running top-B merge built from them. A record is {key, payload} packed with
// the key in the high bits, so one unsigned compare ranks by (key, payload): payloads are point
// indices, which is how every mapping op breaks ties towards the lowest index.
// Widths are generation-time parameters (they fix the network's shape); module names carry them.
import { type Expr, type Item, type Module, assign, bin, cat, cond, input, lit, output, partsel, ref, wire } from '../verilog/index.ts';

export interface RecordShape {
  /** Key bits (the ranked quantity, incl. any miss flag in its MSB). */
  keyBits: number;
  /** Payload bits (point index). */
  payloadBits: number;
}

export const recordBits = (r: RecordShape): number => r.keyBits + r.payloadBits;

/** Compare-exchange network of a full bitonic sort of n = 2^p elements, stage by stage. */
export function bitonicSortStages(n: number): [number, number][][] {
  const stages: [number, number][][] = [];
  for (let k = 2; k <= n; k *= 2) {
    for (let j = k >> 1; j > 0; j >>= 1) {
      const st: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const l = i ^ j;
        // [lo, hi]: the smaller record goes to lo.
        if (l > i) st.push((i & k) === 0 ? [i, l] : [l, i]);
      }
      stages.push(st);
    }
  }
  return stages;
}

/** Compare-exchange network sorting a bitonic sequence of n = 2^p elements ascending. */
export function bitonicMergeStages(n: number): [number, number][][] {
  const stages: [number, number][][] = [];
  for (let j = n >> 1; j > 0; j >>= 1) {
    const st: [number, number][] = [];
    for (let i = 0; i < n; i++) if ((i ^ j) > i) st.push([i, i ^ j]);
    stages.push(st);
  }
  return stages;
}

/** Apply a network in software (used by the tests and the cycle model's self-check). */
export function applyNetwork<T>(xs: T[], stages: [number, number][][], less: (a: T, b: T) => boolean): T[] {
  const v = [...xs];
  for (const st of stages) {
    for (const [lo, hi] of st) {
      if (less(v[hi], v[lo])) [v[lo], v[hi]] = [v[hi], v[lo]];
    }
  }
  return v;
}

const isPow2 = (n: number) => n >= 1 && (n & (n - 1)) === 0;

/**
 * Items implementing a compare-exchange network from vector `inName` to vector `outName`.
 * Every record of every stage is its own wire (`P{stage}_{i}`): simulators then re-evaluate only
 * the compare-exchanges whose inputs changed, instead of every reader of one wide vector.
 */
function networkItems(prefix: string, n: number, rec: number, stages: [number, number][][], inName: string, outName: string): Item[] {
  const items: Item[] = [];
  let cur: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = `${prefix}0_${i}`;
    items.push(wire(w, rec), assign(w, partsel(ref(inName), lit(i * rec), rec)));
    cur.push(w);
  }
  stages.forEach((st, s) => {
    const next = [...cur];
    for (const [lo, hi] of st) {
      const a = ref(cur[lo]);
      const b = ref(cur[hi]);
      const swap = `${prefix}${s + 1}_x${lo}_${hi}`;
      const nlo = `${prefix}${s + 1}_${lo}`;
      const nhi = `${prefix}${s + 1}_${hi}`;
      items.push(wire(swap, 1), assign(swap, bin('<', b, a)));
      items.push(wire(nlo, rec), assign(nlo, cond(ref(swap), b, a)));
      items.push(wire(nhi, rec), assign(nhi, cond(ref(swap), a, b)));
      next[lo] = nlo;
      next[hi] = nhi;
    }
    cur = next;
  });
  items.push(assign(outName, cat(...[...cur].reverse().map((w) => ref(w)))));
  return items;
}

export function sorterName(w: number, r: RecordShape): string {
  return `pointacc_bitonic_sorter_w${w}_k${r.keyBits}_p${r.payloadBits}`;
}

export function mergerName(n: number, r: RecordShape): string {
  return `pointacc_bitonic_merger_w${n}_k${r.keyBits}_p${r.payloadBits}`;
}

export function topkName(w: number, b: number, r: RecordShape): string {
  return `pointacc_topk_merge_w${w}_b${b}_k${r.keyBits}_p${r.payloadBits}`;
}

/** Combinational bitonic sorter: `in_recs` (W records, record i at [i*R +: R]) -> `out_recs` ascending. */
export function bitonicSorter(w: number, r: RecordShape): Module {
  if (!isPow2(w) || w < 2) throw new Error(`sorter width ${w} must be a power of two >= 2`);
  const rec = recordBits(r);
  return {
    name: sorterName(w, r),
    comment: [
      `Bitonic sorter: ${w} records of ${r.keyBits}-bit key + ${r.payloadBits}-bit payload, ascending by {key, payload}.`,
      'Combinational; the caller registers around it.',
    ],
    params: [],
    ports: [input('in_recs', w * rec), output('out_recs', w * rec)],
    items: networkItems('st', w, rec, bitonicSortStages(w), 'in_recs', 'out_recs'),
  };
}

/** Combinational bitonic merger: a bitonic sequence of N records -> ascending. */
export function bitonicMerger(n: number, r: RecordShape): Module {
  if (!isPow2(n) || n < 2) throw new Error(`merger width ${n} must be a power of two >= 2`);
  const rec = recordBits(r);
  return {
    name: mergerName(n, r),
    comment: [`Bitonic merger: ${n} records forming a bitonic sequence -> ascending by {key, payload}.`],
    params: [],
    ports: [input('in_recs', n * rec), output('out_recs', n * rec)],
    items: networkItems('mg', n, rec, bitonicMergeStages(n), 'in_recs', 'out_recs'),
  };
}

/**
 * Running top-B merge: `buf_recs` (B ascending) and `new_recs` (W ascending, W <= B) ->
 * the B smallest of both, ascending. Element-wise min of buf[i] and new[B-1-i] (new padded
 * with +inf) is bitonic and holds the B smallest; the merger sorts it.
 */
export function topkMerge(w: number, b: number, r: RecordShape): Module[] {
  if (b < w) throw new Error(`top-K buffer ${b} is narrower than the sorter ${w}`);
  const rec = recordBits(r);
  const items: Item[] = [wire('bitonic', b * rec)];
  for (let i = 0; i < b; i++) {
    const bi = partsel(ref('buf_recs'), lit(i * rec), rec);
    const j = b - 1 - i;
    let v: Expr = bi;
    if (j < w) {
      const nj = partsel(ref('new_recs'), lit(j * rec), rec);
      v = cond(bin('<', nj, bi), nj, bi);
    }
    items.push(assign(partsel(ref('bitonic'), lit(i * rec), rec), v));
  }
  items.push({
    kind: 'instance',
    module: mergerName(b, r),
    name: 'merge',
    params: [],
    conns: [
      { port: 'in_recs', expr: ref('bitonic') },
      { port: 'out_recs', expr: ref('out_recs') },
    ],
  });
  return [
    {
      name: topkName(w, b, r),
      comment: [`Running top-${b} merge of ${w} new sorted records into ${b} kept ones (ascending).`],
      params: [],
      ports: [input('buf_recs', b * rec), input('new_recs', w * rec), output('out_recs', b * rec)],
      items,
    },
    bitonicMerger(b, r),
  ];
}
