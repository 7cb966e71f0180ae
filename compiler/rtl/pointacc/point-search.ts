// The PointAcc mapping unit's point-search datapath: farthest point sampling, k-nearest
// neighbours and ball query (PointNet++ and nearest-within-r modes), all as one ranking
// problem on the bitonic sorter and the running top-B merge (sorter.ts).
//
// Microarchitecture (one row = W points per cycle):
//   issue   read a row of W points (and, for FPS, their running minimum distances), compute
//           W squared distances to the current center, form records {miss, key, index}
//   stage 1 registered records -> bitonic sorter
//   stage 2 registered sorted records -> top-B merge with the running buffer
//   stage 3 buffer (and the ball-query hit count) updated; after a center's last row the
//           buffer is the answer: out_valid pulses with out_idx / out_count.
// Keys: FPS {invalid, ~min_dist}; kNN {invalid, d2}; ball query PointNet++ {miss, 0} (so hits
// rank by index); ball query nearest {miss, d2}. Centers of kNN / ball query are the FPS
// selections kept in the center memory (run op 0 first). Points are packed {z, y, x}, x in the
// low bits, signed C-bit coordinates.
import {
  type Expr,
  type Item,
  type Module,
  type Stmt,
  alwaysFF,
  assign,
  bin,
  cat,
  cond,
  eq,
  idx,
  ifs,
  input,
  lit,
  mem,
  nb,
  not,
  output,
  partsel,
  ref,
  rep,
  reg,
  slice,
  sub,
  un,
  wire,
  add,
  and,
  or,
  clog2,
  comment,
} from '../verilog/index.ts';
import { bitonicSorter, sorterName, topkMerge, topkName, type RecordShape } from './sorter.ts';

export interface PointSearchParams {
  /** Sorter width W (points per cycle), a power of two. */
  lanes: number;
  /** Top-B buffer width (>= W and >= the largest K), a power of two. */
  buffer: number;
  /** Signed coordinate bits C. */
  coordBits: number;
  /** Point memory depth (power of two >= 2W). */
  maxPoints: number;
}

export const OP_CODE = { fps: 0, knn: 1, ball_query_pointnet2: 2, ball_query_nearest: 3 } as const;

export interface PointSearchShape {
  lanes: number;
  laneBits: number;
  rowBits: number;
  rows: number;
  indexBits: number;
  distBits: number;
  pointBits: number;
  record: RecordShape;
  recBits: number;
  kBits: number;
  buffer: number;
  coordBits: number;
}

export function pointSearchShape(p: PointSearchParams): PointSearchShape {
  const lanes = p.lanes;
  const laneBits = Math.log2(lanes);
  if (!Number.isInteger(laneBits) || lanes < 2) throw new Error(`sorter width ${lanes} must be a power of two >= 2`);
  const indexBits = Math.log2(p.maxPoints);
  if (!Number.isInteger(indexBits) || p.maxPoints < 2 * lanes) throw new Error(`point memory ${p.maxPoints} must be a power of two >= 2W`);
  const distBits = 2 * p.coordBits + 2;
  const record = { keyBits: 1 + distBits, payloadBits: indexBits };
  return {
    lanes,
    laneBits,
    rowBits: indexBits - laneBits,
    rows: p.maxPoints / lanes,
    indexBits,
    distBits,
    pointBits: 3 * p.coordBits,
    record,
    recBits: record.keyBits + record.payloadBits,
    kBits: clog2(p.buffer + 1),
    buffer: p.buffer,
    coordBits: p.coordBits,
  };
}

export function pointSearchName(p: PointSearchParams): string {
  return `pointacc_point_search_w${p.lanes}_b${p.buffer}_c${p.coordBits}_n${p.maxPoints}`;
}

const ST = { idle: 0, fpsIssue: 1, fpsWait: 2, nsIssue: 3, nsDrain: 4, finish: 5 };

/** All modules of the point-search unit (top first). */
export function pointSearchModules(p: PointSearchParams): Module[] {
  const s = pointSearchShape(p);
  const W = s.lanes;
  const C = p.coordBits;
  const IW = s.indexBits;
  const DW = s.distBits;
  const REC = s.recBits;
  const KEY = s.record.keyBits;
  const B = p.buffer;
  if (B < W || (B & (B - 1)) !== 0) throw new Error(`top-K buffer ${B} must be a power of two >= W`);
  const PW = s.pointBits;
  const st = (v: number) => lit(v, 3);
  const state = ref('state');
  const inState = (v: number) => eq(state, st(v));
  const op = ref('op_r');
  const isOp = (v: number) => eq(op, lit(v, 2));

  const items: Item[] = [
    mem('pts', W * PW, s.rows),
    mem('mind', W * DW, s.rows),
    mem('ctr', IW, p.maxPoints),
    reg('state', 3),
    reg('op_r', 2),
    reg('n_r', IW + 1),
    reg('k_r', s.kBits),
    reg('r2_r', DW),
    reg('rows_m1', s.rowBits),
    reg('m_m1', IW),
    reg('row', s.rowBits),
    reg('ci', IW),
    reg('first_iter', 1),
    reg('lxyz', PW),
    reg('emit_zero', 1),
    reg('s1_valid', 1),
    reg('s1_first', 1),
    reg('s1_last', 1),
    reg('s1_recs', W * REC),
    reg('s1_pop', s.laneBits + 1),
    reg('s2_valid', 1),
    reg('s2_first', 1),
    reg('s2_last', 1),
    reg('s2_recs', W * REC),
    reg('s2_pop', s.laneBits + 1),
    reg('buf_recs', B * REC),
    reg('cnt', IW + 1),
    reg('res_valid', 1),
    wire('issuing', 1),
    assign('issuing', or(inState(ST.fpsIssue), inState(ST.nsIssue))),
    wire('prow', W * PW),
    assign('prow', idx('pts', ref('row'))),
    wire('mrow', W * DW),
    assign('mrow', idx('mind', ref('row'))),
    // Center of the current search: FPS uses the last selection; kNN/ball query read the center memory.
    wire('cidx', IW),
    assign('cidx', idx('ctr', ref('ci'))),
    wire('crow', W * PW),
    assign('crow', idx('pts', slice('cidx', IW - 1, s.laneBits))),
    { kind: 'decl', net: 'wire', name: 'crow_lane', width: PW, depth: W },
    wire('cxyz', PW),
    assign('cxyz', idx('crow_lane', slice('cidx', s.laneBits - 1, 0))),
    wire('center', PW),
    assign('center', cond(inState(ST.fpsIssue), ref('lxyz'), ref('cxyz'))),
    // Selection of a just-finished FPS iteration and its coordinates.
    wire('sel', IW),
    assign('sel', slice('buf_recs', IW - 1, 0)),
    wire('srow', W * PW),
    assign('srow', idx('pts', slice('sel', IW - 1, s.laneBits))),
    { kind: 'decl', net: 'wire', name: 'srow_lane', width: PW, depth: W },
    wire('issue_recs', W * REC),
    wire('new_min', W * DW),
    wire('hits', W),
    wire('pop', s.laneBits + 1),
  ];
  for (let l = 0; l < W; l++) {
    items.push(assign(idx('crow_lane', l), partsel('crow', lit(l * PW), PW)));
    items.push(assign(idx('srow_lane', l), partsel('srow', lit(l * PW), PW)));
  }

  // Per-lane distance and record formation.
  const sqTerms: Expr[] = [];
  for (let l = 0; l < W; l++) {
    const L = `l${l}`;
    const sq: string[] = [];
    for (let a = 0; a < 3; a++) {
      const ax = 'xyz'[a];
      const pa = partsel('prow', lit(l * PW + a * C), C);
      const ca = partsel('center', lit(a * C), C);
      const d = `${L}_d${ax}`;
      const de = `${L}_e${ax}`;
      const q = `${L}_q${ax}`;
      items.push(wire(d, C + 1), assign(d, sub(cat(idx('prow', l * PW + a * C + C - 1), pa), cat(idx('center', a * C + C - 1), ca))));
      items.push(wire(de, DW), assign(de, cat(rep(C + 1, slice(d, C, C)), ref(d))));
      items.push(wire(q, DW), assign(q, bin('*', ref(de), ref(de))));
      sq.push(q);
    }
    const d2 = `${L}_d2`;
    items.push(wire(d2, DW), assign(d2, add(add(ref(sq[0]), ref(sq[1])), ref(sq[2]))));
    const index = `${L}_idx`;
    items.push(wire(index, IW), assign(index, cat(ref('row'), lit(l, s.laneBits))));
    const valid = `${L}_valid`;
    items.push(wire(valid, 1), assign(valid, bin('<', cat(lit(0, 1), ref(index)), ref('n_r'))));
    const hit = `${L}_hit`;
    items.push(wire(hit, 1), assign(hit, and(ref(valid), bin('<', ref(d2), ref('r2_r')))));
    items.push(assign(idx('hits', l), ref(hit)));
    const old = `${L}_old`;
    items.push(wire(old, DW), assign(old, cond(ref('first_iter'), rep(DW, lit(1, 1)), partsel('mrow', lit(l * DW), DW))));
    const nm = `${L}_nm`;
    items.push(wire(nm, DW), assign(nm, cond(bin('<', ref(d2), ref(old)), ref(d2), ref(old))));
    items.push(assign(partsel('new_min', lit(l * DW), DW), ref(nm)));
    const key = `${L}_key`;
    items.push(wire(key, KEY));
    items.push(
      assign(
        key,
        cond(
          isOp(OP_CODE.fps),
          cat(not(ref(valid)), un('~', ref(nm))),
          cond(
            isOp(OP_CODE.knn),
            cat(not(ref(valid)), ref(d2)),
            cond(isOp(OP_CODE.ball_query_pointnet2), cat(not(ref(hit)), lit(0, DW)), cat(not(ref(hit)), ref(d2))),
          ),
        ),
      ),
    );
    items.push(assign(partsel('issue_recs', lit(l * REC), REC), cat(ref(key), ref(index))));
    sqTerms.push(cat(lit(0, s.laneBits), idx('hits', l)));
  }
  items.push(
    assign(
      'pop',
      sqTerms.reduce((a, b) => add(a, b)),
    ),
  );

  // Sorter and merger.
  items.push(wire('sorted', W * REC));
  items.push({
    kind: 'instance',
    module: sorterName(W, s.record),
    name: 'sorter',
    params: [],
    conns: [
      { port: 'in_recs', expr: ref('s1_recs') },
      { port: 'out_recs', expr: ref('sorted') },
    ],
  });
  items.push(wire('merge_in', B * REC), assign('merge_in', cond(ref('s2_first'), rep(B * REC, lit(1, 1)), ref('buf_recs'))));
  items.push(wire('merged', B * REC));
  items.push({
    kind: 'instance',
    module: topkName(W, B, s.record),
    name: 'topk',
    params: [],
    conns: [
      { port: 'buf_recs', expr: ref('merge_in') },
      { port: 'new_recs', expr: ref('s2_recs') },
      { port: 'out_recs', expr: ref('merged') },
    ],
  });

  // Outputs: ball query pads with the first hit (0 when there is none) and caps the count at k.
  const kExt = cat(lit(0, IW + 1 - s.kBits), ref('k_r'));
  items.push(wire('capped', s.kBits), assign('capped', cond(bin('<', ref('cnt'), kExt), slice('cnt', s.kBits - 1, 0), ref('k_r'))));
  items.push(wire('is_bq', 1), assign('is_bq', or(isOp(OP_CODE.ball_query_pointnet2), isOp(OP_CODE.ball_query_nearest))));
  items.push(wire('pad', IW), assign('pad', cond(eq(ref('cnt'), lit(0, IW + 1)), lit(0, IW), slice('buf_recs', IW - 1, 0))));
  for (let sl = 0; sl < B; sl++) {
    const slotIdx = partsel('buf_recs', lit(sl * REC), IW);
    const padded = cond(and(ref('is_bq'), bin('>=', lit(sl, s.kBits), ref('capped'))), ref('pad'), slotIdx);
    items.push(assign(partsel('out_idx', lit(sl * IW), IW), sl === 0 ? cond(ref('emit_zero'), lit(0, IW), padded) : padded));
  }
  items.push(assign('out_count', ref('capped')));
  items.push(assign('out_valid', or(ref('res_valid'), ref('emit_zero'))));
  items.push(assign('busy', not(inState(ST.idle))));

  // Only the row bits of n - 1 and the low bits of m - 1 matter (n, m <= the memory depth).
  items.push(comment('verilator lint_off UNUSEDSIGNAL'));
  items.push(wire('n_m1', IW + 1), assign('n_m1', sub(ref('n'), lit(1, IW + 1))));
  items.push(wire('m_m1_in', IW + 1), assign('m_m1_in', sub(ref('m'), lit(1, IW + 1))));
  items.push(comment('verilator lint_on UNUSEDSIGNAL'));
  const rowsM1 = slice('n_m1', IW - 1, s.laneBits);
  const mM1 = slice('m_m1_in', IW - 1, 0);
  const control: Stmt[] = [
    nb('emit_zero', lit(0, 1)),
    nb('done', lit(0, 1)),
    ifs(ref('ld_en'), [nb(idx('pts', ref('ld_row')), ref('ld_data'))]),
    ifs(inState(ST.fpsIssue), [nb(idx('mind', ref('row')), ref('new_min'))]),
    {
      kind: 'case',
      expr: state,
      items: [
        {
          labels: [st(ST.idle)],
          body: [
            ifs(ref('start'), [
              nb('op_r', ref('op')),
              nb('n_r', ref('n')),
              nb('k_r', ref('k')),
              nb('r2_r', ref('r2')),
              nb('rows_m1', rowsM1),
              nb('m_m1', mM1),
              nb('row', lit(0, s.rowBits)),
              ifs(
                eq(ref('op'), lit(OP_CODE.fps, 2)),
                [
                  nb(idx('ctr', lit(0, IW)), lit(0, IW)),
                  nb('lxyz', partsel(idx('pts', lit(0, s.rowBits)), lit(0), PW)),
                  nb('emit_zero', lit(1, 1)),
                  nb('first_iter', lit(1, 1)),
                  nb('ci', lit(1, IW)),
                  nb('state', cond(bin('<=', ref('m'), lit(1, IW + 1)), st(ST.finish), st(ST.fpsIssue))),
                ],
                [nb('ci', lit(0, IW)), nb('state', st(ST.nsIssue))],
              ),
            ]),
          ],
        },
        {
          labels: [st(ST.fpsIssue)],
          body: [
            nb('row', add(ref('row'), lit(1, s.rowBits))),
            ifs(eq(ref('row'), ref('rows_m1')), [nb('row', lit(0, s.rowBits)), nb('state', st(ST.fpsWait))]),
          ],
        },
        {
          labels: [st(ST.fpsWait)],
          body: [
            ifs(ref('res_valid'), [
              nb(idx('ctr', ref('ci')), ref('sel')),
              nb('lxyz', idx('srow_lane', slice('sel', s.laneBits - 1, 0))),
              nb('first_iter', lit(0, 1)),
              nb('ci', add(ref('ci'), lit(1, IW))),
              nb('state', cond(eq(ref('ci'), ref('m_m1')), st(ST.finish), st(ST.fpsIssue))),
            ]),
          ],
        },
        {
          labels: [st(ST.nsIssue)],
          body: [
            nb('row', add(ref('row'), lit(1, s.rowBits))),
            ifs(eq(ref('row'), ref('rows_m1')), [
              nb('row', lit(0, s.rowBits)),
              nb('ci', add(ref('ci'), lit(1, IW))),
              ifs(eq(ref('ci'), ref('m_m1')), [nb('state', st(ST.nsDrain))]),
            ]),
          ],
        },
        {
          labels: [st(ST.nsDrain)],
          body: [ifs(and(not(ref('s1_valid')), not(ref('s2_valid'))), [nb('state', st(ST.finish))])],
        },
        { labels: [st(ST.finish)], body: [nb('done', lit(1, 1)), nb('state', st(ST.idle))] },
      ],
      default: [nb('state', st(ST.idle))],
    },
    // Pipeline.
    nb('s1_valid', ref('issuing')),
    nb('s1_first', eq(ref('row'), lit(0, s.rowBits))),
    nb('s1_last', eq(ref('row'), ref('rows_m1'))),
    nb('s1_recs', ref('issue_recs')),
    nb('s1_pop', ref('pop')),
    nb('s2_valid', ref('s1_valid')),
    nb('s2_first', ref('s1_first')),
    nb('s2_last', ref('s1_last')),
    nb('s2_recs', ref('sorted')),
    nb('s2_pop', ref('s1_pop')),
    nb('res_valid', and(ref('s2_valid'), ref('s2_last'))),
    ifs(ref('s2_valid'), [
      nb('buf_recs', ref('merged')),
      nb('cnt', add(cond(ref('s2_first'), lit(0, IW + 1), ref('cnt')), cat(lit(0, IW - s.laneBits), ref('s2_pop')))),
    ]),
  ];
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [
          nb('state', st(ST.idle)),
          nb('s1_valid', lit(0, 1)),
          nb('s2_valid', lit(0, 1)),
          nb('res_valid', lit(0, 1)),
          nb('emit_zero', lit(0, 1)),
          nb('done', lit(0, 1)),
          nb('first_iter', lit(1, 1)),
        ],
        control,
      ),
    ]),
  );

  const top: Module = {
    name: pointSearchName(p),
    comment: [
      `PointAcc mapping unit, point search: FPS, kNN and ball query on a ${W}-wide bitonic sorter`,
      `with a running top-${B} merge. ${C}-bit signed coordinates, ${DW}-bit squared distances, up to ${p.maxPoints} points.`,
      'op: 0 fps, 1 knn, 2 ball query (PointNet++), 3 ball query (nearest within r).',
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('ld_en'),
      input('ld_row', s.rowBits),
      input('ld_data', W * PW),
      input('start'),
      input('op', 2),
      input('n', IW + 1),
      input('m', IW + 1),
      input('k', s.kBits),
      input('r2', DW),
      output('busy'),
      output('done', 1, false, 'reg'),
      output('out_valid'),
      output('out_idx', B * IW),
      output('out_count', s.kBits),
    ],
    items,
  };
  return [top, bitonicSorter(W, s.record), ...topkMerge(W, B, s.record)];
}
