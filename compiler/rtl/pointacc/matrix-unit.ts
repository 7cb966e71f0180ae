// The PointAcc matrix unit: an R x C weight-stationary int8 systolic array for shared MLPs (and
// sparse-conv GEMMs), with int32 accumulation across input-channel tiles and TFLite
// requantisation (MultiplyByQuantizedMultiplier, output zero point, activation clamp) per
// output channel.
//
// Per (output tile o, input tile t): MR cycles load the tile's weights into the PEs, then the
// rows stream through (R + MR + MC - 1 cycles): activations enter row r skewed by r cycles and
// move right, partial sums move down; column c's result for row j leaves the bottom at stream
// cycle j + MR + c and is accumulated (bias first) or, on the last input tile, requantised and
// emitted. Memories are loaded through ld_* ports (weights pre-arranged per tile).
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
  wire,
  add,
  and,
  or,
  comment,
  un,
  signed,
  mul,
} from '../verilog/index.ts';

export interface MatrixUnitParams {
  rows: number;
  cols: number;
  /** Max rows of a layer (power of two). */
  maxRows: number;
  /** Max input / output channel tiles (powers of two). */
  maxInTiles: number;
  maxOutTiles: number;
  /** Also output the raw int32 sums (out_acc) next to the requantised bytes: sparse convs scatter-accumulate them. */
  accOut?: boolean;
}

export function matrixUnitName(p: MatrixUnitParams): string {
  return `pointacc_matrix_unit_r${p.rows}_c${p.cols}_n${p.maxRows}_i${p.maxInTiles}_o${p.maxOutTiles}${p.accOut ? '_acc' : ''}`;
}

export const REQUANT_NAME = 'pointacc_requant';

/** TFLite requantisation of one int32 accumulator (see compiler/reference/pointcloud/compute.ts). */
export function requantModule(): Module {
  const items: Item[] = [
    wire('left', 5),
    assign('left', cond(bin('>', signed(ref('shift')), signed(lit(0, 6))), slice('shift', 4, 0), lit(0, 5))),
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire('neg_shift', 6),
    assign('neg_shift', sub(lit(0, 6), ref('shift'))),
    comment('verilator lint_on UNUSEDSIGNAL'),
    wire('right', 5),
    assign('right', cond(bin('>', signed(ref('shift')), signed(lit(0, 6))), lit(0, 5), slice('neg_shift', 4, 0))),
    wire('xs', 32),
    assign('xs', bin('<<', ref('acc'), ref('left'))),
    wire('ab', 64),
    assign('ab', mul(cat(rep(32, idx('xs', 31)), ref('xs')), cat(rep(32, idx('mult', 31)), ref('mult')))),
    wire('nudged', 64),
    assign('nudged', add(ref('ab'), cond(idx('ab', 63), lit(0xffffffffc0000001n, 64), lit(0x40000000n, 64)))),
    wire('neg_nudged', 64),
    assign('neg_nudged', sub(lit(0, 64), ref('nudged'))),
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire('pos_q', 64),
    assign('pos_q', bin('>>', ref('nudged'), lit(31, 6))),
    wire('neg_q', 64),
    assign('neg_q', sub(lit(0, 64), bin('>>', ref('neg_nudged'), lit(31, 6)))),
    wire('q64', 64),
    assign('q64', cond(idx('nudged', 63), ref('neg_q'), ref('pos_q'))),
    wire('mask_full', 33),
    assign('mask_full', sub(bin('<<', lit(1, 33), ref('right')), lit(1, 33))),
    comment('verilator lint_on UNUSEDSIGNAL'),
    wire('hm', 32),
    assign('hm', slice('q64', 31, 0)),
    wire('mask', 32),
    assign('mask', slice('mask_full', 31, 0)),
    wire('rem', 32),
    assign('rem', bin('&', ref('hm'), ref('mask'))),
    wire('thr', 32),
    assign('thr', add(bin('>>', ref('mask'), lit(1, 5)), cat(lit(0, 31), idx('hm', 31)))),
    wire('shifted', 32),
    assign('shifted', { kind: 'call', fn: '$unsigned', args: [bin('>>>', signed(ref('hm')), ref('right'))] }),
    wire('rounded', 32),
    assign('rounded', add(ref('shifted'), cat(lit(0, 31), bin('>', ref('rem'), ref('thr'))))),
    wire('with_zp', 32),
    assign('with_zp', add(ref('rounded'), cat(rep(24, idx('zp', 7)), ref('zp')))),
    wire('lo', 32),
    assign('lo', cat(rep(24, idx('act_min', 7)), ref('act_min'))),
    assign(
      'q',
      cond(
        bin('>', signed(ref('with_zp')), signed(lit(127, 32))),
        lit(127, 8),
        cond(bin('<', signed(ref('with_zp')), signed(ref('lo'))), ref('act_min'), slice('with_zp', 7, 0)),
      ),
    ),
  ];
  return {
    name: REQUANT_NAME,
    comment: [
      'TFLite requantisation: MultiplyByQuantizedMultiplier(acc, mult, shift) + zp, clamped to [act_min, 127].',
      'mult is a positive Q31 multiplier (never INT32_MIN).',
    ],
    params: [],
    ports: [input('acc', 32), input('mult', 32), input('shift', 6), input('zp', 8), input('act_min', 8), output('q', 8)],
    items,
  };
}

/** All modules of the matrix unit (top first). */
export function matrixUnitModules(p: MatrixUnitParams): Module[] {
  const MR = p.rows;
  const MC = p.cols;
  const RW = Math.log2(p.maxRows);
  const TW = Math.max(1, Math.log2(p.maxInTiles));
  const OW = Math.max(1, Math.log2(p.maxOutTiles));
  const KW = Math.max(1, Math.ceil(Math.log2(MR)));
  for (const v of [p.maxRows, p.maxInTiles, p.maxOutTiles])
    if (!Number.isInteger(Math.log2(v))) throw new Error('matrix unit memory sizes must be powers of two');
  const SW = RW + 2; // stream cycle counter: up to maxRows + MR + MC
  const S = { idle: 0, loadw: 1, stream: 2, finish: 3 };
  const st = (v: number) => lit(v, 2);
  const state = ref('state');
  const inState = (v: number) => eq(state, st(v));
  const items: Item[] = [
    mem('xmem', MR * 8, p.maxRows * 2 ** TW),
    mem('wmem', MC * 8, 2 ** (OW + TW + KW)),
    mem('bmem', MC * 32, 2 ** OW),
    mem('mmem', MC * 32, 2 ** OW),
    mem('smem', MC * 6, 2 ** OW),
    reg('state', 2),
    reg('rows_r', RW + 1),
    reg('tin_last', TW),
    reg('tout_last', OW),
    reg('zp_r', 8),
    reg('amin_r', 8),
    reg('ti', TW),
    reg('to', OW),
    reg('kr', KW),
    reg('sc', SW),
    reg('first_tile', 1),
    reg('last_tile', 1),
  ];
  for (let r = 0; r < MR; r++) items.push(reg(`w_${r}`, MC * 8));
  // Input row of this stream cycle and the skew lines.
  items.push(
    wire('xrow_ok', 1),
    assign('xrow_ok', and(inState(S.stream), bin('<', cat(lit(0, 1), ref('sc')), cat(lit(0, 2), ref('rows_r'))))),
  );
  items.push(comment('verilator lint_off UNUSEDSIGNAL'));
  items.push(wire('sc_row', SW), assign('sc_row', ref('sc')));
  items.push(comment('verilator lint_on UNUSEDSIGNAL'));
  items.push(
    wire('xrow', MR * 8),
    assign('xrow', cond(ref('xrow_ok'), idx('xmem', cat(slice('sc_row', RW - 1, 0), ref('ti'))), lit(0, MR * 8))),
  );
  const laneIn: string[] = [];
  for (let r = 0; r < MR; r++) {
    let prev: Expr = partsel('xrow', lit(r * 8), 8);
    for (let d = 0; d < r; d++) {
      const name = `sk_${r}_${d}`;
      items.push(reg(name, 8));
      items.push(alwaysFF('clk', [nb(name, prev)]));
      prev = ref(name);
    }
    const lane = `lane_${r}`;
    items.push(wire(lane, 8), assign(lane, prev));
    laneIn.push(lane);
  }
  // PE array.
  for (let r = 0; r < MR; r++) {
    for (let c = 0; c < MC; c++) {
      const a = `a_${r}_${c}`;
      const pr = `p_${r}_${c}`;
      const actIn = c === 0 ? ref(laneIn[r]) : ref(`a_${r}_${c - 1}`);
      items.push(reg(pr, 32));
      if (c < MC - 1) items.push(reg(a, 8));
      const prod = `m_${r}_${c}`;
      items.push(wire(prod, 32));
      items.push(
        assign(
          prod,
          mul(cat(rep(24, idx(`w_${r}`, c * 8 + 7)), partsel(`w_${r}`, lit(c * 8), 8)), cat(rep(24, idx(actIn as never, 7)), actIn)),
        ),
      );
      const psum = nb(pr, add(r === 0 ? lit(0, 32) : ref(`p_${r - 1}_${c}`), ref(prod)));
      items.push(alwaysFF('clk', c < MC - 1 ? [nb(a, actIn), psum] : [psum]));
    }
  }
  // Bottom of each column: row index, accumulate or requantise.
  const ctrl: Stmt[] = [];
  for (let c = 0; c < MC; c++) {
    const j = `row_${c}`;
    items.push(comment('verilator lint_off UNUSEDSIGNAL'));
    items.push(wire(j, SW), assign(j, sub(ref('sc'), lit(MR + c, SW))));
    items.push(comment('verilator lint_on UNUSEDSIGNAL'));
    const ok = `ok_${c}`;
    items.push(
      wire(ok, 1),
      assign(ok, and(inState(S.stream), bin('>=', ref('sc'), lit(MR + c, SW)), bin('<', ref(j), cat(lit(0, 1), ref('rows_r'))))),
    );
    items.push(mem(`acc_${c}`, 32, p.maxRows));
    const prev = `prev_${c}`;
    items.push(
      wire(prev, 32),
      assign(prev, cond(ref('first_tile'), partsel(idx('bmem', ref('to')), lit(c * 32), 32), idx(`acc_${c}`, slice(j, RW - 1, 0)))),
    );
    const sum = `sum_${c}`;
    items.push(wire(sum, 32), assign(sum, add(ref(prev), ref(`p_${MR - 1}_${c}`))));
    items.push({
      kind: 'instance',
      module: REQUANT_NAME,
      name: `rq_${c}`,
      params: [],
      conns: [
        { port: 'acc', expr: ref(sum) },
        { port: 'mult', expr: partsel(idx('mmem', ref('to')), lit(c * 32), 32) },
        { port: 'shift', expr: partsel(idx('smem', ref('to')), lit(c * 6), 6) },
        { port: 'zp', expr: ref('zp_r') },
        { port: 'act_min', expr: ref('amin_r') },
        { port: 'q', expr: partsel('out_q', lit(c * 8), 8) },
      ],
    });
    if (p.accOut) items.push(assign(partsel('out_acc', lit(c * 32), 32), ref(sum)));
    items.push(assign(idx('out_v', c), and(ref(ok), ref('last_tile'))));
    items.push(assign(partsel('out_row', lit(c * RW), RW), slice(j, RW - 1, 0)));
    ctrl.push(ifs(and(ref(ok), not(ref('last_tile'))), [nb(idx(`acc_${c}`, slice(j, RW - 1, 0)), ref(sum))]));
  }
  items.push(assign('out_o', ref('to')));
  items.push(assign('busy', not(inState(S.idle))));
  items.push(wire('stream_end', SW), assign('stream_end', add(cat(lit(0, 1), ref('rows_r')), lit(MR + MC - 2, SW))));
  const wLoad: Stmt[] = [];
  for (let r = 0; r < MR; r++)
    wLoad.push(ifs(eq(ref('kr'), lit(r, KW)), [nb(`w_${r}`, idx('wmem', cat(ref('to'), ref('ti'), ref('kr'))))]));
  const body: Stmt[] = [
    nb('done', lit(0, 1)),
    ifs(ref('ld_x_en'), [nb(idx('xmem', ref('ld_x_addr')), ref('ld_x_data'))]),
    ifs(ref('ld_w_en'), [nb(idx('wmem', ref('ld_w_addr')), ref('ld_w_data'))]),
    ifs(ref('ld_q_en'), [
      nb(idx('bmem', ref('ld_q_addr')), ref('ld_bias')),
      nb(idx('mmem', ref('ld_q_addr')), ref('ld_mult')),
      nb(idx('smem', ref('ld_q_addr')), ref('ld_shift')),
    ]),
    ...ctrl,
    {
      kind: 'case',
      expr: state,
      items: [
        {
          labels: [st(S.idle)],
          body: [
            ifs(ref('start'), [
              nb('rows_r', ref('rows')),
              nb('tin_last', ref('in_tiles_m1')),
              nb('tout_last', ref('out_tiles_m1')),
              nb('zp_r', ref('zp')),
              nb('amin_r', ref('act_min')),
              nb('ti', lit(0, TW)),
              nb('to', lit(0, OW)),
              nb('kr', lit(0, KW)),
              nb('state', st(S.loadw)),
            ]),
          ],
        },
        {
          labels: [st(S.loadw)],
          body: [
            ...wLoad,
            nb('kr', add(ref('kr'), lit(1, KW))),
            ifs(eq(ref('kr'), lit(MR - 1, KW)), [
              nb('sc', lit(0, SW)),
              nb('first_tile', eq(ref('ti'), lit(0, TW))),
              nb('last_tile', eq(ref('ti'), ref('tin_last'))),
              nb('state', st(S.stream)),
            ]),
          ],
        },
        {
          labels: [st(S.stream)],
          body: [
            nb('sc', add(ref('sc'), lit(1, SW))),
            ifs(eq(ref('sc'), ref('stream_end')), [
              nb('kr', lit(0, KW)),
              ifs(
                eq(ref('ti'), ref('tin_last')),
                [
                  nb('ti', lit(0, TW)),
                  nb('to', add(ref('to'), lit(1, OW))),
                  nb('state', cond(eq(ref('to'), ref('tout_last')), st(S.finish), st(S.loadw))),
                ],
                [nb('ti', add(ref('ti'), lit(1, TW))), nb('state', st(S.loadw))],
              ),
            ]),
          ],
        },
        { labels: [st(S.finish)], body: [nb('done', lit(1, 1)), nb('state', st(S.idle))] },
      ],
    },
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), [nb('state', st(S.idle)), nb('done', lit(0, 1))], body)]));
  const top: Module = {
    name: matrixUnitName(p),
    comment: [
      `PointAcc matrix unit: ${MR} x ${MC} weight-stationary int8 systolic array, int32 accumulation over input tiles,`,
      'TFLite requantisation per output channel. Up to ' +
        `${p.maxRows} rows, ${p.maxInTiles * MR} input and ${p.maxOutTiles * MC} output channels.`,
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('ld_x_en'),
      input('ld_x_addr', RW + TW),
      input('ld_x_data', MR * 8),
      input('ld_w_en'),
      input('ld_w_addr', OW + TW + KW),
      input('ld_w_data', MC * 8),
      input('ld_q_en'),
      input('ld_q_addr', OW),
      input('ld_bias', MC * 32),
      input('ld_mult', MC * 32),
      input('ld_shift', MC * 6),
      input('start'),
      input('rows', RW + 1),
      input('in_tiles_m1', TW),
      input('out_tiles_m1', OW),
      input('zp', 8),
      input('act_min', 8),
      output('busy'),
      output('done', 1, false, 'reg'),
      output('out_v', MC),
      output('out_row', MC * RW),
      output('out_q', MC * 8),
      output('out_o', OW),
      ...(p.accOut ? [output('out_acc', MC * 32)] : []),
    ],
    items,
  };
  return [top, requantModule()];
}
