// Address generation for the global-buffer banks: the runtime multiplies happen once, for the
// array's base indices; each weight and input lane adds its constant offsets times configured
// strides (sliding-window coordinates, zero padding, input offset), then the stage-1 registers.
import {
  add,
  alwaysFF,
  and,
  assign,
  bin,
  cat,
  cond,
  idx,
  input,
  lit,
  mul,
  nb,
  ref,
  reg,
  signed,
  sub,
  wire,
  type Expr,
  type Stmt,
} from '../../verilog/index.ts';
import { DIMS, type Dim } from '../problem.ts';
import { laneOffsets } from '../array.ts';
import type { TopBuilder } from './context.ts';
import type { LoadEngine } from './load-engine.ts';
import type { Sequencer } from './sequencer.ts';

/** Declares the weight and input banks with their read addresses, and the stage-1 registers. */
export function addressGeneration(b: TopBuilder, load: LoadEngine, seq: Sequencer): void {
  const { hw, names, items, unused, rfAW, inHalf, wHalf, inAW, wAW, halfOff, IW, decl, cfg, zc, narrow, plus, bankPorts } = b;
  // ---- global-buffer banks: weight lanes ----------------------------------------------------
  // Addresses: the runtime multiplies happen once, for the array's base indices; each lane adds
  // its constant offsets times configured strides (shift-and-add, no multiplier per lane).
  const offTerm = (off: number | undefined, cfgName: string): Expr[] =>
    !off ? [] : off === 1 ? [zc(cfgName)] : [mul(lit(off, IW), zc(cfgName))];
  const offConst = (off: number | undefined): Expr[] => (off ? [lit(off, IW)] : []);
  const sum = (base: string, terms: Expr[]): Expr => terms.reduce((a, t) => add(a, t), ref(base) as Expr);
  decl(wire('w_base', IW), wire('h_base', IW), wire('x_base', IW), wire('in_base', IW));
  // OHWI with S kernel rows and R kernel columns: k * (S*R*C) + s * (R*C) + r * C + c
  items.push(
    assign(
      'w_base',
      add(
        add(
          add(add(mul(ref('base_K'), zc('w_stride_k')), mul(ref('base_S'), zc('w_stride_s'))), mul(ref('base_R'), zc('bound_C'))),
          ref('base_C'),
        ),
        zc('w_off'),
      ),
    ),
  );
  // Q and S walk the rows, P and R the columns (Timeloop's orientation); HWC input.
  items.push(assign('h_base', sub(add(mul(ref('base_Q'), zc('stride_h')), ref('base_S')), zc('pad_t'))));
  items.push(assign('x_base', sub(add(mul(ref('base_P'), zc('stride_w')), ref('base_R')), zc('pad_l'))));
  const ch0 = hw.depthwiseLayers ? cond(cfg('depthwise'), ref('base_K'), ref('base_C')) : ref('base_C');
  items.push(assign('in_base', add(add(add(mul(ref('h_base'), zc('in_row')), mul(ref('x_base'), zc('in_c'))), ch0), zc('in_off'))));
  const offOf = (o: Map<number, number>, d: Dim): number | undefined => {
    const ai = hw.axes.findIndex((a) => a.dim === d);
    return ai >= 0 ? o.get(ai) : undefined;
  };

  for (let wl = 0; wl < hw.weightLanes.count; wl++) {
    const o = laneOffsets(hw.axes, hw.weightLanes, wl);
    const addr = sum('w_base', [
      ...offTerm(offOf(o, 'K'), 'w_stride_k'),
      ...offTerm(offOf(o, 'S'), 'w_stride_s'),
      ...offTerm(offOf(o, 'R'), 'bound_C'),
      ...offConst(offOf(o, 'C')),
    ]);
    const ra = narrow(`w_raddr${wl}`, plus(addr, halfOff('gbank', wHalf)), wAW);
    decl(wire(`w_q${wl}`, 8, true));
    items.push({
      kind: 'instance',
      module: names.sramWeight,
      name: `u_wbank${wl}`,
      params: [],
      conns: bankPorts('load_w', load.wW, ref('step'), ra, `w_q${wl}`),
    });
  }

  // ---- input lanes: sliding-window coordinates, zero padding, input offset -------------------
  for (let il = 0; il < hw.inputLanes.count; il++) {
    const o = laneOffsets(hw.axes, hw.inputLanes, il);
    const [ko, co, po, qo, ro, so] = DIMS.map((d) => offOf(o, d));
    decl(
      wire(`h${il}`, IW),
      wire(`x${il}`, IW),
      wire(`inb${il}`, 1),
      reg(`s1_inb${il}`, 1),
      wire(`in_q${il}`, 8),
      wire(`xe${il}`, 9, true),
    );
    items.push(assign(`h${il}`, sum('h_base', [...offTerm(qo, 'stride_h'), ...offConst(so)])));
    items.push(assign(`x${il}`, sum('x_base', [...offTerm(po, 'stride_w'), ...offConst(ro)])));
    // Negative (padding) coordinates wrap far above any bound, so one unsigned compare each.
    items.push(assign(`inb${il}`, and(bin('<', ref(`h${il}`), zc('in_h')), bin('<', ref(`x${il}`), zc('in_w')))));
    const chOff: Expr[] = hw.depthwiseLayers && (ko || co) ? [cond(cfg('depthwise'), lit(ko ?? 0, IW), lit(co ?? 0, IW))] : offConst(co);
    const addr = sum('in_base', [
      ...offTerm(qo, 'in_row_step'),
      ...offTerm(so, 'in_row'),
      ...offTerm(po, 'in_col_step'),
      ...offTerm(ro, 'in_c'),
      ...chOff,
    ]);
    const ra = narrow(`in_raddr${il}`, plus(addr, halfOff('gbank', inHalf)), inAW);
    items.push({
      kind: 'instance',
      module: names.sramInput,
      name: `u_inbank${il}`,
      params: [],
      conns: [
        ...bankPorts('load_in', load.inW, ref('step'), ra, `in_q${il}`),
        ...(load.inMask ? [{ port: 'wmask', expr: load.inMask }] : []),
      ],
    });
    items.push(
      assign(
        `xe${il}`,
        cond(ref(`s1_inb${il}`), add(signed(cat(idx(`in_q${il}`, 7), ref(`in_q${il}`))), cfg('in_offset')), lit(0, 9) as Expr),
      ),
    );
  }
  if (!hw.depthwiseLayers) unused.push(cfg('depthwise'));

  // ---- stage-1 registers (operands arrive from the banks) ------------------------------------
  decl(reg('s1_valid', 1), reg('s1_first', 1), reg('s1_waddr', rfAW));
  const s1: Stmt[] = [nb('s1_valid', ref('step')), nb('s1_first', ref('first')), nb('s1_waddr', seq.rfW)];
  hw.axes.forEach((_, ai) => s1.push(nb(`s1_axis_ok${ai}`, ref(`axis_ok${ai}`))));
  for (let il = 0; il < hw.inputLanes.count; il++) s1.push(nb(`s1_inb${il}`, ref(`inb${il}`)));
  items.push(alwaysFF('clk', s1));
}
