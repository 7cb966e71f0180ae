// The drain path: walks the live partial sums of a finished register-file half x output lanes,
// reduces across the C/R/S axes, adds the chunk before's partial sums (split C), requantises
// with the layer's records and writes int8 outputs to DRAM.
import {
  add,
  alwaysFF,
  and,
  assign,
  bin,
  cat,
  clog2,
  cond,
  eq,
  ifs,
  lit,
  mul,
  nb,
  not,
  or,
  output,
  partsel,
  ref,
  reg,
  signed,
  slice,
  slit,
  sub,
  wire,
  type Expr,
  type Stmt,
} from '../../verilog/index.ts';
import { OUTPUT_DIMS, type Dim } from '../problem.ts';
import { PSUM_BYTES, QPARAM_BYTES, laneOf } from '../array.ts';
import { sramAddressBits } from '../units.ts';
import type { TopBuilder } from './context.ts';
import type { LoadEngine } from './load-engine.ts';
import type { Sequencer } from './sequencer.ts';
import { DRAIN_STATE } from './states.ts';

/** What the control block takes from the drain path: its counters' reset and advance. */
export interface DrainPath {
  resetDrain: Stmt[];
  drainAdvance: Stmt[];
}

/** Declares the drain counters, reduction, partial-sum and record banks, requantiser and write port. */
export function drainPath(b: TopBuilder, load: LoadEngine, seq: Sequencer, coords: number[][]): DrainPath {
  const { parOf, rfIndex } = seq;
  const { hw, names, items, unused, qHalf, qAW, halfOff, IW, decl, zext, z, cfg, zc, narrow, plus, bankPorts } = b;
  // ---- drain: walk the live partial sums, reduce across C/R/S axes, requantise, write ---------
  const outAxes = hw.outputLanes.axes;
  const redCount = hw.reductionLanes.count;
  const OL = hw.outputLanes.count;
  for (const d of OUTPUT_DIMS)
    decl(reg(`dc_${d}`, 16), reg(`lat_${d}`, 16), wire(`deep_${d}`, 1), wire(`dlast_${d}`, 1), wire(`o_${d}`, IW));
  for (const ai of outAxes) decl(reg(`lc${ai}`, clog2(hw.axes[ai].size)), wire(`llast${ai}`, 1));
  decl(reg('fin_cnt', 3), wire('den', 1), wire('d_issue', 1), wire('d_valid', 1), wire('drain_end', 1));
  for (const d of OUTPUT_DIMS) {
    items.push(assign(`deep_${d}`, bin('>', cfg(`level_${d}`), cfg('drain_level'))));
    items.push(assign(`dlast_${d}`, or(not(ref(`deep_${d}`)), eq(ref(`dc_${d}`), sub(cfg(`trip_${d}`), lit(1, 16))))));
    const ai = hw.axes.findIndex((a) => a.dim === d);
    const t = mul(z(cond(ref(`deep_${d}`), ref(`dc_${d}`), ref(`lat_${d}`))), parOf(d));
    items.push(assign(`o_${d}`, ai >= 0 ? add(t, z(ref(`lc${ai}`))) : t));
  }
  // A lane counter wraps after the dimension's last configured lane, or after the last lane inside
  // the bound (a partial set of lanes, e.g. 5 output columns on a 14-wide axis, drains 5 outputs, not 14).
  for (const ai of outAxes) {
    const d = hw.axes[ai].dim;
    const lastLane = hw.axes[ai].size === 1 ? lit(1, 1) : eq(z(ref(`lc${ai}`)), sub(parOf(d), lit(1, IW)));
    items.push(assign(`llast${ai}`, or(lastLane, not(bin('<', add(ref(`o_${d}`), lit(1, IW)), zc(`bound_${d}`))))));
  }
  const lanesLast = outAxes.length ? and(...outAxes.map((ai) => ref(`llast${ai}`))) : lit(1, 1);
  items.push(assign('drain_end', and(lanesLast, ...OUTPUT_DIMS.map((d) => ref(`dlast_${d}`)))));
  items.push(assign('d_issue', and(eq(ref('dstate'), lit(DRAIN_STATE.RUN, 2)), ref('den'))));
  items.push(assign('d_valid', and(...OUTPUT_DIMS.map((d) => bin('<', ref(`o_${d}`), zc(`bound_${d}`))))));
  const dRfIdx = rfIndex(
    'rf_ridx',
    OUTPUT_DIMS.map((d) => [`dc_${d}`, `cfg_rf_stride_${d}`] as [string, string]),
  );
  items.push(assign('d_raddr', dRfIdx ? cat(ref('dbank'), dRfIdx) : ref('dbank')));
  // Output lane id: mixed radix of the output-axis lane counters (first axis most significant).
  let olane: Expr = lit(0, IW);
  for (const ai of outAxes) olane = add(mul(olane, lit(hw.axes[ai].size, IW)), z(ref(`lc${ai}`)));
  const olaneBits = narrow('olane_full', olane, clog2(OL));
  // Reduction: per reduction lane, select the PE of the current output lane; sum the selections.
  const sums: Expr[] = [];
  for (let j = 0; j < redCount; j++) {
    const members = coords
      .map((pc, n) => ({ n, o: laneOf(hw.axes, hw.outputLanes, pc), j: laneOf(hw.axes, hw.reductionLanes, pc) }))
      .filter((m) => m.j === j);
    members.sort((a, b) => b.o - a.o);
    decl(wire(`red${j}`, 32, true));
    if (OL === 1) items.push(assign(`red${j}`, ref(`psum${members[0].n}`)));
    else {
      decl(wire(`col${j}`, 32 * OL));
      items.push(assign(`col${j}`, cat(...members.map((m) => ref(`psum${m.n}`)))));
      items.push(assign(`red${j}`, signed(partsel(`col${j}`, cat(olaneBits, lit(0, 5)), 32))));
    }
    sums.push(ref(`red${j}`));
  }
  if (OL === 1) unused.push(olaneBits);
  decl(wire('drain_sum', 32, true));
  items.push(assign('drain_sum', sums.reduce(add)));

  decl(reg('d1_valid', 1), reg('d1_acc', 32, true), reg('d1_addr', 32), reg('a2', 32), reg('a3', 32), reg('a4', 32), wire('out_addr', 32));
  items.push(
    assign(
      'out_addr',
      // HWC output of the layer: the tile's origin + row q * (P * K) + column p * K + k
      add(
        cat(cfg('out_base_hi'), cfg('out_base_lo')),
        add(
          add(mul(zext(ref('o_Q'), 32), zext(cfg('out_row'), 32)), mul(zext(ref('o_P'), 32), zext(cfg('out_pix'), 32))),
          zext(ref('o_K'), 32),
        ),
      ),
    ),
  );
  const qRa = narrow('q_raddr_full', plus(mul(ref('o_K'), lit(QPARAM_BYTES, IW)), halfOff('gbank', qHalf)), qAW);
  decl(wire('q_rdata', 8 * QPARAM_BYTES), wire('rq_valid', 1), wire('rq_out', 8), wire('rq_in_valid', 1), wire('rq_acc', 32, true));
  // Input-channel chunks: the drained sum plus the chunk before's (read from the partial-sum
  // bank at the output's tile-relative index when the drain issues it, so the word arrives with
  // d1) goes back to the bank, or — on the last chunk — to the requantiser. A tile that does not
  // split C is its own first and last chunk.
  if (hw.psumWords > 0) {
    const psAW = sramAddressBits(hw.psumWords * PSUM_BYTES, PSUM_BYTES, PSUM_BYTES);
    const psIdx = add(add(mul(ref('o_Q'), zc('ps_row')), mul(ref('o_P'), zc('ps_pix'))), ref('o_K'));
    const psRa = narrow('ps_raddr_full', mul(psIdx, lit(PSUM_BYTES, IW)), psAW);
    decl(reg('d1_paddr', psAW), wire('ps_rdata', 32), wire('ps_we', 1));
    items.push({
      kind: 'instance',
      module: names.sramPsum,
      name: 'u_psbank',
      params: [],
      conns: [
        { port: 'clk', expr: ref('clk') },
        { port: 'we', expr: ref('ps_we') },
        { port: 'waddr', expr: ref('d1_paddr') },
        { port: 'wdata', expr: ref('rq_acc') },
        { port: 're', expr: ref('den') },
        { port: 'raddr', expr: psRa },
        { port: 'rdata', expr: ref('ps_rdata') },
      ],
    });
    items.push(alwaysFF('clk', [ifs(ref('den'), [nb('d1_paddr', psRa)])]));
    items.push(assign('rq_acc', add(ref('d1_acc'), cond(cfg('c_first'), slit(0, 32), signed(ref('ps_rdata'))))));
    items.push(assign('ps_we', and(ref('den'), ref('d1_valid'), not(cfg('c_last')))));
    items.push(assign('rq_in_valid', and(ref('d1_valid'), cfg('c_last'))));
  } else {
    items.push(assign('rq_acc', ref('d1_acc')), assign('rq_in_valid', ref('d1_valid')));
  }
  items.push({
    kind: 'instance',
    module: names.sramQparam,
    name: 'u_qbank',
    params: [],
    conns: bankPorts('load_q', load.qW, ref('den'), qRa, 'q_rdata'),
  });
  unused.push(slice('q_rdata', 8 * QPARAM_BYTES - 1, 72));
  // Signed views of the record, as plain wires (port connections stay identifiers).
  decl(wire('qp_bias', 32, true), wire('qp_mult', 32, true), wire('qp_shift', 8, true));
  items.push(
    assign('qp_bias', signed(slice('q_rdata', 31, 0))),
    assign('qp_mult', signed(slice('q_rdata', 63, 32))),
    assign('qp_shift', signed(slice('q_rdata', 71, 64))),
  );
  items.push({
    kind: 'instance',
    module: names.requant,
    name: 'u_requant',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'en', expr: ref('den') },
      { port: 'in_valid', expr: ref('rq_in_valid') },
      { port: 'acc', expr: ref('rq_acc') },
      { port: 'bias', expr: ref('qp_bias') },
      { port: 'mult', expr: ref('qp_mult') },
      { port: 'shift', expr: ref('qp_shift') },
      { port: 'out_zp', expr: cfg('out_zp') },
      { port: 'act_min', expr: cfg('act_min') },
      { port: 'act_max', expr: cfg('act_max') },
      { port: 'out_valid', expr: ref('rq_valid') },
      { port: 'out', expr: ref('rq_out') },
    ],
  });
  items.push(assign('den', not(and(ref('rq_valid'), not(ref('dram_wr_gnt'))))));
  items.push(
    alwaysFF('clk', [
      ifs(ref('rst'), [nb('d1_valid', lit(0, 1))], [ifs(ref('den'), [nb('d1_valid', and(ref('d_issue'), ref('d_valid')))])]),
      ifs(ref('den'), [
        nb('d1_acc', ref('drain_sum')),
        nb('d1_addr', ref('out_addr')),
        nb('a2', ref('d1_addr')),
        nb('a3', ref('a2')),
        nb('a4', ref('a3')),
      ]),
    ]),
  );
  items.push(assign('dram_wr_req', ref('rq_valid')));
  items.push(assign('dram_wr_addr', ref('a4')));
  items.push(assign('dram_wr_data', ref('rq_out')));

  const resetDrain: Stmt[] = [
    ...OUTPUT_DIMS.map((d) => nb(`dc_${d}`, lit(0, 16))),
    ...outAxes.map((ai) => nb(`lc${ai}`, lit(0, clog2(hw.axes[ai].size)))),
  ];
  // Drain counters: output lanes innermost (last axis fastest), then Q, P, K.
  const drainAdvance: Stmt[] = [];
  {
    let carry: Expr = lit(1, 1);
    const chain: { name: string; last: Expr; bits: number }[] = [
      ...[...outAxes].reverse().map((ai) => ({ name: `lc${ai}`, last: ref(`llast${ai}`), bits: clog2(hw.axes[ai].size) })),
      ...(['Q', 'P', 'K'] as Dim[]).map((d) => ({ name: `dc_${d}`, last: ref(`dlast_${d}`), bits: 16 })),
    ];
    for (const c of chain) {
      drainAdvance.push(ifs(carry, [nb(c.name, cond(c.last, lit(0, c.bits), add(ref(c.name), lit(1, c.bits))))]));
      carry = and(carry, c.last);
    }
  }
  return { resetDrain, drainAdvance };
}
