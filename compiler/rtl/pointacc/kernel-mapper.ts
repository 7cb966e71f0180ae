// The PointAcc mapping unit's kernel mapper for sparse convolution: sort the input and output
// voxel lists by coordinate (bitonic chunk sort + streaming merge passes), then for every kernel
// offset d merge-intersect the sorted inputs with the sorted outputs shifted by d * stride_in;
// the equality detector records out[o] -> in in a slot table, and a scan of the table in output
// order emits the pairs (in, o) sorted by o, offsets in TorchSparse order.
import {
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
  wire,
  add,
  and,
  or,
  clog2,
  comment,
  slit,
  set,
} from '../verilog/index.ts';
import { kernelOffsets } from '../../reference/pointcloud/mapping.ts';
import { bitonicSorter, sorterName, type RecordShape } from './sorter.ts';

export interface KernelMapperParams {
  /** Sorter width W. */
  lanes: number;
  /** Signed coordinate bits C. */
  coordBits: number;
  /** Memory depth (power of two >= 2W): the most voxels of either list. */
  maxPoints: number;
  kernel: number;
  /** Input tensor stride the offsets are scaled by. */
  strideIn: number;
}

export function kernelMapperName(p: KernelMapperParams): string {
  return `pointacc_kernel_mapper_w${p.lanes}_c${p.coordBits}_n${p.maxPoints}_k${p.kernel}_s${p.strideIn}`;
}

export function mergeSorterName(w: number, r: RecordShape, n: number): string {
  return `pointacc_merge_sorter_w${w}_k${r.keyBits}_p${r.payloadBits}_n${n}`;
}

/**
 * Full sorter of up to N records: W-record chunks through the bitonic sorter (one per cycle)
 * into buffer A, then merge passes (one record per cycle) ping-ponging between A and B.
 * Load raw records with ld_*, pulse start with n; done pulses when `rd_rec` (combinational,
 * addressed by rd_addr) returns the sorted list.
 */
export function mergeSorter(w: number, r: RecordShape, n: number): Module[] {
  const REC = r.keyBits + r.payloadBits;
  const IW = Math.log2(n);
  const LW = Math.log2(w);
  const XW = IW + 2;
  const st = (v: number) => lit(v, 2);
  const S = { idle: 0, chunk: 1, merge: 2, finish: 3 };
  const x = (v: number) => lit(v, XW);
  const items: Item[] = [
    mem('raw', REC, n),
    mem('buf_a', REC, n),
    mem('buf_b', REC, n),
    reg('state', 2),
    reg('n_r', XW),
    reg('chunk', IW - LW),
    reg('last_chunk', IW - LW),
    reg('lr', XW),
    reg('pa', XW),
    reg('pi', XW),
    reg('pj', XW),
    reg('po', XW),
    reg('le', XW),
    reg('re', XW),
    reg('src_b', 1),
    reg('final_b', 1),
    wire('chunk_in', w * REC),
    wire('chunk_sorted', w * REC),
  ];
  for (let l = 0; l < w; l++) {
    const addr = cat(ref('chunk'), lit(l, LW));
    const valid = bin('<', cat(lit(0, 2), addr), ref('n_r'));
    items.push(assign(partsel('chunk_in', lit(l * REC), REC), cond(valid, idx('raw', addr), rep(REC, lit(1, 1)))));
  }
  items.push({
    kind: 'instance',
    module: sorterName(w, r),
    name: 'chunk_sort',
    params: [],
    conns: [
      { port: 'in_recs', expr: ref('chunk_in') },
      { port: 'out_recs', expr: ref('chunk_sorted') },
    ],
  });
  // Merge step.
  items.push(comment('verilator lint_off UNUSEDSIGNAL'));
  items.push(
    wire('src_i', REC),
    assign('src_i', cond(ref('src_b'), idx('buf_b', slice('pi', IW - 1, 0)), idx('buf_a', slice('pi', IW - 1, 0)))),
  );
  items.push(
    wire('src_j', REC),
    assign('src_j', cond(ref('src_b'), idx('buf_b', slice('pj', IW - 1, 0)), idx('buf_a', slice('pj', IW - 1, 0)))),
  );
  items.push(wire('lr2', XW), assign('lr2', add(ref('lr'), ref('lr'))));
  items.push(wire('next_a', XW), assign('next_a', add(ref('pa'), ref('lr2'))));
  items.push(wire('lr4', XW), assign('lr4', add(ref('lr2'), ref('lr2'))));
  items.push(comment('verilator lint_on UNUSEDSIGNAL'));
  items.push(
    wire('take_left', 1),
    assign('take_left', and(bin('<', ref('pi'), ref('le')), or(bin('>=', ref('pj'), ref('re')), bin('<=', ref('src_i'), ref('src_j'))))),
  );
  items.push(wire('merged', REC), assign('merged', cond(ref('take_left'), ref('src_i'), ref('src_j'))));
  const minN = (e: ReturnType<typeof ref>) => cond(bin('<', e, ref('n_r')), e, ref('n_r'));
  // Pair bounds of the pair starting at next_a (same pass) or at 0 (next pass, run length 2 lr).
  items.push(wire('na_le', XW), assign('na_le', minN(add(ref('next_a'), ref('lr')))));
  items.push(wire('na_re', XW), assign('na_re', minN(add(ref('next_a'), ref('lr2')))));
  items.push(wire('np_le', XW), assign('np_le', minN(ref('lr2'))));
  items.push(wire('np_re', XW), assign('np_re', minN(ref('lr4'))));
  items.push(assign('rd_rec', cond(ref('final_b'), idx('buf_b', ref('rd_addr')), idx('buf_a', ref('rd_addr')))));
  items.push(assign('busy', not(eq(ref('state'), st(S.idle)))));

  const chunkWrites: Stmt[] = [];
  for (let l = 0; l < w; l++) chunkWrites.push(nb(idx('buf_a', cat(ref('chunk'), lit(l, LW))), partsel('chunk_sorted', lit(l * REC), REC)));
  const wLit = x(w);
  const body: Stmt[] = [
    nb('done', lit(0, 1)),
    ifs(ref('ld_en'), [nb(idx('raw', ref('ld_addr')), ref('ld_rec'))]),
    {
      kind: 'case',
      expr: ref('state'),
      items: [
        {
          labels: [st(S.idle)],
          body: [
            ifs(ref('start'), [
              nb('n_r', cat(lit(0, 1), ref('n'))),
              nb('chunk', lit(0, IW - LW)),
              nb('last_chunk', ref('last_chunk_in')),
              nb('state', st(S.chunk)),
            ]),
          ],
        },
        {
          labels: [st(S.chunk)],
          body: [
            ...chunkWrites,
            nb('chunk', add(ref('chunk'), lit(1, IW - LW))),
            ifs(eq(ref('chunk'), ref('last_chunk')), [
              nb('src_b', lit(0, 1)),
              nb('final_b', lit(0, 1)),
              nb('lr', wLit),
              nb('pa', x(0)),
              nb('pi', x(0)),
              nb('po', x(0)),
              nb('le', minN(wLit)),
              nb('pj', minN(wLit)),
              nb('re', minN(x(2 * w))),
              nb('state', cond(bin('>=', wLit, ref('n_r')), st(S.finish), st(S.merge))),
            ]),
          ],
        },
        {
          labels: [st(S.merge)],
          body: [
            ifs(
              ref('src_b'),
              [nb(idx('buf_a', slice('po', IW - 1, 0)), ref('merged'))],
              [nb(idx('buf_b', slice('po', IW - 1, 0)), ref('merged'))],
            ),
            nb('po', add(ref('po'), x(1))),
            ifs(ref('take_left'), [nb('pi', add(ref('pi'), x(1)))], [nb('pj', add(ref('pj'), x(1)))]),
            ifs(eq(add(ref('po'), x(1)), ref('re')), [
              ifs(
                bin('>=', ref('next_a'), ref('n_r')),
                [
                  // Pass done: the data now lives in the other buffer.
                  nb('src_b', not(ref('src_b'))),
                  nb('final_b', not(ref('src_b'))),
                  nb('lr', ref('lr2')),
                  nb('pa', x(0)),
                  nb('pi', x(0)),
                  nb('po', x(0)),
                  nb('le', ref('np_le')),
                  nb('pj', ref('np_le')),
                  nb('re', ref('np_re')),
                  ifs(bin('>=', ref('lr2'), ref('n_r')), [nb('state', st(S.finish))]),
                ],
                [nb('pa', ref('next_a')), nb('pi', ref('next_a')), nb('le', ref('na_le')), nb('pj', ref('na_le')), nb('re', ref('na_re'))],
              ),
            ]),
          ],
        },
        { labels: [st(S.finish)], body: [nb('done', lit(1, 1)), nb('state', st(S.idle))] },
      ],
    },
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), [nb('state', st(S.idle)), nb('done', lit(0, 1)), nb('final_b', lit(0, 1))], body)]));
  const top: Module = {
    name: mergeSorterName(w, r, n),
    comment: [
      `Merge sorter of up to ${n} records (${r.keyBits}-bit key + ${r.payloadBits}-bit payload): ${w}-wide bitonic chunks, then streaming merge passes.`,
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('ld_en'),
      input('ld_addr', IW),
      input('ld_rec', REC),
      input('start'),
      input('n', IW + 1),
      input('last_chunk_in', IW - LW),
      output('busy'),
      output('done', 1, false, 'reg'),
      input('rd_addr', IW),
      output('rd_rec', REC),
    ],
    items,
  };
  return [top, bitonicSorter(w, r)];
}

/** All modules of the kernel mapper (top first). */
export function kernelMapperModules(p: KernelMapperParams): Module[] {
  const W = p.lanes;
  const C = p.coordBits;
  const IW = Math.log2(p.maxPoints);
  const LW = Math.log2(W);
  if (!Number.isInteger(IW) || p.maxPoints < 2 * W) throw new Error(`memory depth ${p.maxPoints} must be a power of two >= 2W`);
  const offsets = kernelOffsets(p.kernel).map((o) => o.map((d) => d * p.strideIn));
  const V = offsets.length;
  const OW = clog2(V);
  const E = C + 2; // shifted coordinates never overflow C + 2 bits
  const record: RecordShape = { keyBits: 3 * C, payloadBits: IW };
  const REC = 3 * C + IW;
  const S = { idle: 0, sort: 1, merge: 2, scan: 3, finish: 4 };
  const st = (v: number) => lit(v, 3);
  const state = ref('state');
  const inState = (v: number) => eq(state, st(v));
  // Sort key of a point: coordinates with their sign bits flipped, x most significant.
  const flip = (e: ReturnType<typeof ref>, bits: number) => bin('^', e, cat(lit(1, 1), lit(0, bits - 1)));
  const items: Item[] = [
    reg('state', 3),
    reg('n_in_r', IW + 1),
    reg('n_out_r', IW + 1),
    reg('sorted_in', 1),
    reg('sorted_out', 1),
    reg('off', OW),
    reg('p', IW + 1),
    reg('q', IW + 1),
    reg('o', IW + 1),
    mem('slot_v', 1, p.maxPoints),
    mem('slot_i', IW, p.maxPoints),
    wire('ld_key', 3 * C),
    assign(
      'ld_key',
      cat(flip(slice('ld_xyz', C - 1, 0), C), flip(slice('ld_xyz', 2 * C - 1, C), C), flip(slice('ld_xyz', 3 * C - 1, 2 * C), C)),
    ),
    wire('ld_rec', REC),
    assign('ld_rec', cat(ref('ld_key'), ref('ld_addr'))),
    wire('in_done', 1),
    wire('out_done', 1),
    wire('in_busy', 1),
    wire('out_busy', 1),
    wire('in_rec', REC),
    wire('out_rec', REC),
    wire('start_sort', 1),
    assign('start_sort', and(inState(S.idle), ref('start'))),
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire('n_in_m1', IW + 1),
    assign('n_in_m1', sub(ref('n_in'), lit(1, IW + 1))),
    wire('n_out_m1', IW + 1),
    assign('n_out_m1', sub(ref('n_out'), lit(1, IW + 1))),
    comment('verilator lint_on UNUSEDSIGNAL'),
  ];
  const sorterInst = (name: string, en: string, n: string, nm1: string, rd: string, out: string, done: string, busy: string): Item => ({
    kind: 'instance',
    module: mergeSorterName(W, record, p.maxPoints),
    name,
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'ld_en', expr: ref(en) },
      { port: 'ld_addr', expr: ref('ld_addr') },
      { port: 'ld_rec', expr: ref('ld_rec') },
      { port: 'start', expr: ref('start_sort') },
      { port: 'n', expr: ref(n) },
      { port: 'last_chunk_in', expr: slice(nm1, IW - 1, LW) },
      { port: 'busy', expr: ref(busy) },
      { port: 'done', expr: ref(done) },
      { port: 'rd_addr', expr: slice(rd, IW - 1, 0) },
      { port: 'rd_rec', expr: ref(out) },
    ],
  });
  items.push(sorterInst('sort_in', 'ld_in_en', 'n_in', 'n_in_m1', 'p', 'in_rec', 'in_done', 'in_busy'));
  items.push(sorterInst('sort_out', 'ld_out_en', 'n_out', 'n_out_m1', 'q', 'out_rec', 'out_done', 'out_busy'));
  // Offset ROM.
  for (const a of ['dx', 'dy', 'dz']) items.push(reg(a, E, true));
  items.push({
    kind: 'always_comb',
    body: [
      {
        kind: 'case',
        expr: ref('off'),
        items: offsets.map((o, j) => ({
          labels: [lit(j, OW)],
          body: [set('dx', slit(o[0], E)), set('dy', slit(o[1], E)), set('dz', slit(o[2], E))],
        })),
        default: [
          { kind: 'blocking', lhs: ref('dx'), rhs: slit(0, E) },
          { kind: 'blocking', lhs: ref('dy'), rhs: slit(0, E) },
          { kind: 'blocking', lhs: ref('dz'), rhs: slit(0, E) },
        ],
      },
    ],
  });
  // Equality / order detector between the current input and the shifted current output.
  const keyOf = (recName: string, shift: boolean) => {
    const parts = [0, 1, 2].map((a) => {
      // Key field a (x = 0) sits at bits [IW + (2 - a) C +: C], sign flipped.
      const lo = IW + (2 - a) * C;
      const raw = bin('^', slice(recName, lo + C - 1, lo), cat(lit(1, 1), lit(0, C - 1)));
      const ext = cat(rep(2, idx(`${recName}_sgn`, a)), raw);
      return ext;
    });
    return parts.map((e, a) => (shift ? add(e, ref(['dx', 'dy', 'dz'][a])) : e));
  };
  for (const r of ['in_rec', 'out_rec']) {
    items.push(wire(`${r}_sgn`, 3));
    for (let a = 0; a < 3; a++) {
      const msb = IW + (2 - a) * C + C - 1;
      items.push(assign(idx(`${r}_sgn`, a), not(idx(r, msb))));
    }
  }
  const ki = keyOf('in_rec', false);
  const ko = keyOf('out_rec', true);
  ['x', 'y', 'z'].forEach((ax, a) => {
    items.push(wire(`ci_${ax}`, E), assign(`ci_${ax}`, ki[a]));
    items.push(wire(`co_${ax}`, E), assign(`co_${ax}`, ko[a]));
  });
  const fl = (n: string) => bin('^', ref(n), cat(lit(1, 1), lit(0, E - 1)));
  items.push(wire('key_in', 3 * E), assign('key_in', cat(fl('ci_x'), fl('ci_y'), fl('ci_z'))));
  items.push(wire('key_out', 3 * E), assign('key_out', cat(fl('co_x'), fl('co_y'), fl('co_z'))));
  items.push(wire('hit', 1), assign('hit', eq(ref('key_in'), ref('key_out'))));
  items.push(wire('in_less', 1), assign('in_less', bin('<', ref('key_in'), ref('key_out'))));
  items.push(wire('merge_end', 1), assign('merge_end', or(eq(ref('p'), ref('n_in_r')), eq(ref('q'), ref('n_out_r')))));
  items.push(wire('o_idx', IW), assign('o_idx', slice('out_rec', IW - 1, 0)));
  items.push(wire('i_idx', IW), assign('i_idx', slice('in_rec', IW - 1, 0)));
  items.push(assign('busy', or(not(inState(S.idle)), ref('in_busy'), ref('out_busy'))));
  const lastOff = lit(V - 1, OW);
  const body: Stmt[] = [
    nb('done', lit(0, 1)),
    nb('pair_valid', lit(0, 1)),
    // Loading the output list clears its slots; every scan clears what it emits.
    ifs(ref('ld_out_en'), [nb(idx('slot_v', ref('ld_addr')), lit(0, 1))]),
    {
      kind: 'case',
      expr: state,
      items: [
        {
          labels: [st(S.idle)],
          body: [
            ifs(ref('start'), [
              nb('n_in_r', ref('n_in')),
              nb('n_out_r', ref('n_out')),
              nb('sorted_in', lit(0, 1)),
              nb('sorted_out', lit(0, 1)),
              nb('off', lit(0, OW)),
              nb('p', lit(0, IW + 1)),
              nb('q', lit(0, IW + 1)),
              nb('o', lit(0, IW + 1)),
              nb('state', st(S.sort)),
            ]),
          ],
        },
        {
          labels: [st(S.sort)],
          body: [
            ifs(ref('in_done'), [nb('sorted_in', lit(1, 1))]),
            ifs(ref('out_done'), [nb('sorted_out', lit(1, 1))]),
            ifs(and(or(ref('sorted_in'), ref('in_done')), or(ref('sorted_out'), ref('out_done'))), [nb('state', st(S.merge))]),
          ],
        },
        {
          labels: [st(S.merge)],
          body: [
            ifs(
              ref('merge_end'),
              [nb('state', st(S.scan)), nb('o', lit(0, IW + 1))],
              [
                ifs(
                  ref('hit'),
                  [
                    nb(idx('slot_v', ref('o_idx')), lit(1, 1)),
                    nb(idx('slot_i', ref('o_idx')), ref('i_idx')),
                    nb('q', add(ref('q'), lit(1, IW + 1))),
                  ],
                  [ifs(ref('in_less'), [nb('p', add(ref('p'), lit(1, IW + 1)))], [nb('q', add(ref('q'), lit(1, IW + 1)))])],
                ),
              ],
            ),
          ],
        },
        {
          labels: [st(S.scan)],
          body: [
            ifs(idx('slot_v', slice('o', IW - 1, 0)), [
              nb('pair_valid', lit(1, 1)),
              nb('pair_in', idx('slot_i', slice('o', IW - 1, 0))),
              nb('pair_out', slice('o', IW - 1, 0)),
              nb('pair_off', ref('off')),
              nb(idx('slot_v', slice('o', IW - 1, 0)), lit(0, 1)),
            ]),
            nb('o', add(ref('o'), lit(1, IW + 1))),
            ifs(eq(add(ref('o'), lit(1, IW + 1)), ref('n_out_r')), [
              nb('p', lit(0, IW + 1)),
              nb('q', lit(0, IW + 1)),
              nb('off', add(ref('off'), lit(1, OW))),
              nb('state', cond(eq(ref('off'), lastOff), st(S.finish), st(S.merge))),
            ]),
          ],
        },
        { labels: [st(S.finish)], body: [nb('done', lit(1, 1)), nb('state', st(S.idle))] },
      ],
      default: [nb('state', st(S.idle))],
    },
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), [nb('state', st(S.idle)), nb('done', lit(0, 1)), nb('pair_valid', lit(0, 1))], body)]));
  const top: Module = {
    name: kernelMapperName(p),
    comment: [
      `PointAcc mapping unit, kernel mapper: sparse-conv kernel map (kernel ${p.kernel}, input stride ${p.strideIn}, TorchSparse offset order)`,
      `by sorting both voxel lists and merge-intersecting them per offset; pairs stream out sorted by output.`,
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('ld_in_en'),
      input('ld_out_en'),
      input('ld_addr', IW),
      input('ld_xyz', 3 * C),
      input('start'),
      input('n_in', IW + 1),
      input('n_out', IW + 1),
      output('busy'),
      output('done', 1, false, 'reg'),
      output('pair_valid', 1, false, 'reg'),
      output('pair_in', IW, false, 'reg'),
      output('pair_out', IW, false, 'reg'),
      output('pair_off', OW, false, 'reg'),
    ],
    items,
  };
  return [top, ...mergeSorter(W, record, p.maxPoints)];
}
