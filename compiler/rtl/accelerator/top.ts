// The accelerator's top module as a Verilog AST: configuration registers, the DRAM load engine,
// the loop-nest sequencer (runtime loop order and trip counts from the configuration), per-lane
// address generators for the global-buffer banks, the PE array wired per the parallel
// dimensions, and the drain path (reduction across C/R/S axes, requantisation, DRAM writes).
import { DRAIN_PIPELINE } from '../../naas/rtl-architecture.ts';
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
  idx,
  ifs,
  input,
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
  un,
  wire,
  type Expr,
  type Item,
  type Module,
  type Stmt,
} from '../verilog/index.ts';
import { DIMS, OUTPUT_DIMS, REDUCTION_DIMS, dimIndex, type Dim } from './problem.ts';
import {
  PSUM_BYTES,
  QPARAM_BYTES,
  bankHalfBytes,
  bankSramBytes,
  laneOf,
  laneOffsets,
  parallelSize,
  peCoordinates,
  type AcceleratorHardware,
} from './array.ts';
import { CONFIG_FIELDS } from './mapping.ts';
import { verilogComment } from '../../util/names.ts';
import { sramAddressBits } from './units.ts';

export interface TopNames {
  top: string;
  pe: string;
  sramInput: string;
  sramWeight: string;
  sramQparam: string;
  /** The partial-sum bank (instantiated only when some layer splits its input channels). */
  sramPsum: string;
  requant: string;
}

/** The sequencer's states (LOAD is no longer entered: the load engine is its own machine, see `lstate`). */
export const STATE = { IDLE: 0, LOAD: 1, COMPUTE: 2, FINISH: 3, DONE: 4 } as const;
/** The drain engine runs beside the sequencer, on the other half of the double-buffered register files. */
export const DRAIN_STATE = { IDLE: 0, WAIT: 1, RUN: 2 } as const;
/** Drain pipeline stages after the drain counters: d1 register, three requantiser stages. */
export { DRAIN_PIPELINE };

export function topModule(hw: AcceleratorHardware, names: TopNames): Module {
  const items: Item[] = [];
  const unused: Expr[] = [];
  const DWB = hw.dramBeatBytes;
  const lgDW = Math.log2(DWB);
  const rfAW = clog2(hw.rfDepth);
  // Double buffering: every input, weight and record bank has two halves (the top address bit),
  // the load engine fills one while the sequencer computes on the other (bankHalfBytes).
  const halves = hw.doubleBuffer ? 2 : 1;
  const inHalf = bankHalfBytes(hw.inputBankBytes, DWB, 1);
  const wHalf = bankHalfBytes(hw.weightBankBytes, DWB, 1);
  const qHalf = bankHalfBytes(hw.maxChannels * QPARAM_BYTES, DWB, QPARAM_BYTES);
  const inAW = sramAddressBits(bankSramBytes(hw, hw.inputBankBytes, DWB, 1), DWB, 1);
  const wAW = sramAddressBits(bankSramBytes(hw, hw.weightBankBytes, DWB, 1), DWB, 1);
  const qAW = sramAddressBits(bankSramBytes(hw, hw.maxChannels * QPARAM_BYTES, DWB, QPARAM_BYTES), DWB, QPARAM_BYTES);
  /** The byte offset of a half: the load engine writes the half of the program it loads (nbank), the sequencer and drain read the computing program's (gbank). */
  const halfOff = (bank: 'nbank' | 'gbank', bytes: number): Expr[] => (halves > 1 ? [cond(ref(bank), lit(bytes, IW), lit(0, IW))] : []);
  /** Width of index arithmetic: every valid index and address fits, and negative (padding) coordinates wrap far above any bound. */
  const IW = Math.max(18, 17 + lgDW, inAW + 1, wAW + 1, qAW + 1, clog2(hw.maxBound + 1) + 2);
  const cfgAW = clog2(CONFIG_FIELDS.length);
  const decl = (...ds: Item[]) => items.push(...ds);
  const z = (e: Expr, bits: number): Expr => {
    if (bits > IW) throw new Error(`index arithmetic is ${IW} bits; cannot widen a ${bits}-bit value`);
    return bits === IW ? e : cat(lit(0, IW - bits), e);
  };
  /** Configuration registers read by the datapath; the rest (unused by this array's wiring) are declared unused. */
  const cfgRead = new Set<string>();
  const cfg = (name: string) => {
    cfgRead.add(name);
    return ref(`cfg_${name}`);
  };
  const cfgBits = (name: string) => CONFIG_FIELDS.find((f) => f.name === name)!.bits;
  const zc = (name: string) => z(cfg(name), cfgBits(name));
  /** Assign an IW-bit expression to a named wire and return its low `bits` bits; the rest is declared unused. */
  const narrow = (name: string, e: Expr, bits: number): Expr => {
    decl(wire(name, IW));
    items.push(assign(name, e));
    if (bits < IW) unused.push(slice(name, IW - 1, bits));
    return bits === IW ? ref(name) : slice(name, bits - 1, 0);
  };
  const stateIs = (s: number) => eq(ref('state'), lit(s, 3));

  // ---- configuration registers ------------------------------------------------------------
  // Three sets, so that the next program's loads run while the current one computes: the bus
  // writes sh_* (free again as soon as its loads start: `ready`), the load engine reads nx_*
  // (latched from sh_* when its loads start), the sequencer and drain read cfg_* (latched from
  // nx_* when the program starts computing).
  const cfgCases: { labels: Expr[]; body: Stmt[] }[] = [];
  CONFIG_FIELDS.forEach((f, i) => {
    decl(
      reg(`sh_${f.name}`, f.bits, f.signed ?? false),
      reg(`nx_${f.name}`, f.bits, f.signed ?? false),
      reg(`cfg_${f.name}`, f.bits, f.signed ?? false),
    );
    const value = f.bits === 16 ? ref('cfg_data') : slice('cfg_data', f.bits - 1, 0);
    cfgCases.push({ labels: [lit(i, cfgAW)], body: [nb(`sh_${f.name}`, f.signed ? signed(value) : value)] });
  });
  items.push(alwaysFF('clk', [ifs(ref('cfg_we'), [{ kind: 'case', expr: ref('cfg_addr'), items: cfgCases, default: [] }])]));
  decl(wire('lgo', 1), wire('launch', 1));
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('lgo'),
        CONFIG_FIELDS.map((f) => nb(`nx_${f.name}`, ref(`sh_${f.name}`))),
      ),
    ]),
  );
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('launch'),
        CONFIG_FIELDS.map((f) => nb(`cfg_${f.name}`, ref(`nx_${f.name}`))),
      ),
    ]),
  );
  /** A load-engine field of the program being loaded. */
  const ld = (name: string) => ref(`nx_${name}`);

  // ---- state, load engine -------------------------------------------------------------------
  decl(reg('state', 3), reg('req_beat', 16), reg('resp_beat', 16), wire('total_beats', 16));
  // Load engine: lstate (loading), sh_full (a program waits in sh_*), nx_full / nx_loaded (the
  // program in nx_* and whether its loads are done), nbank / gbank: the bank half of the program
  // in nx_* and of the one computing.
  decl(reg('lstate', 1), reg('sh_full', 1), reg('nx_full', 1), reg('nx_loaded', 1), reg('nbank', 1), reg('gbank', 1));
  decl(wire('load_last', 1), wire('nx_ready', 1), wire('seq_free', 1), wire('fin_end', 1));
  decl(reg('dstate', 2), reg('cbank', 1), reg('dbank', 1), wire('dbusy', 1));
  items.push(assign('dbusy', bin('!=', ref('dstate'), lit(DRAIN_STATE.IDLE, 2))));
  items.push(assign('total_beats', add(add(ld('in_beats'), ld('w_beats')), ld('q_beats'))));
  const beatAddr = (e: Expr): Expr => (lgDW ? cat(e, lit(0, lgDW)) : e);
  items.push(assign('dram_rd_req', and(ref('lstate'), bin('<', ref('req_beat'), ref('total_beats')))));
  const inBeatsEnd = ld('in_beats');
  decl(wire('w_beats_end', 16), wire('load_in', 1), wire('load_w', 1), wire('load_q', 1));
  items.push(assign('w_beats_end', add(ld('in_beats'), ld('w_beats'))));
  // DRAM beat address of each request: inputs in segments, in_row_segs segments in_seg_stride
  // beats apart per input row, rows in_row_stride beats apart (seg_addr / row_addr walk the
  // segment and row starts, seg_cnt the beats within a segment, seg_idx the segments within a
  // row), then the weight and record regions, each contiguous.
  decl(
    reg('seg_addr', 32),
    reg('row_addr', 32),
    reg('seg_cnt', 16),
    reg('seg_idx', 16),
    wire('req_in', 1),
    wire('req_w', 1),
    wire('rd_beat', 32),
    wire('seg_last', 1),
    wire('row_last', 1),
  );
  const z32 = (e: Expr): Expr => cat(lit(0, 16), e);
  items.push(assign('req_in', bin('<', ref('req_beat'), inBeatsEnd)));
  items.push(assign('req_w', bin('<', ref('req_beat'), ref('w_beats_end'))));
  items.push(assign('seg_last', eq(ref('seg_cnt'), sub(ld('in_seg_beats'), lit(1, 16)))));
  items.push(assign('row_last', eq(ref('seg_idx'), sub(ld('in_row_segs'), lit(1, 16)))));
  items.push(
    assign(
      'rd_beat',
      cond(
        ref('req_in'),
        add(ref('seg_addr'), z32(ref('seg_cnt'))),
        cond(
          ref('req_w'),
          add(cat(ld('w_dram_hi'), ld('w_dram_lo')), z32(sub(ref('req_beat'), inBeatsEnd))),
          add(cat(ld('q_dram_hi'), ld('q_dram_lo')), z32(sub(ref('req_beat'), ref('w_beats_end')))),
        ),
      ),
    ),
  );
  items.push(assign('dram_rd_addr', lgDW ? cat(slice('rd_beat', 31 - lgDW, 0), lit(0, lgDW)) : ref('rd_beat')));
  if (lgDW) unused.push(slice('rd_beat', 31, 32 - lgDW));
  // Loads start from the program being latched into nx_* (its sh_* values this cycle).
  const segStart: Stmt[] = [
    nb('seg_addr', cat(ref('sh_in_dram_hi'), ref('sh_in_dram_lo'))),
    nb('row_addr', cat(ref('sh_in_dram_hi'), ref('sh_in_dram_lo'))),
    nb('seg_cnt', lit(0, 16)),
    nb('seg_idx', lit(0, 16)),
  ];
  const nextRow = add(ref('row_addr'), z32(ld('in_row_stride')));
  const loading = and(ref('lstate'), ref('dram_rd_valid'));
  items.push(assign('load_in', and(loading, bin('<', ref('resp_beat'), inBeatsEnd))));
  items.push(assign('load_w', and(loading, not(bin('<', ref('resp_beat'), inBeatsEnd)), bin('<', ref('resp_beat'), ref('w_beats_end')))));
  items.push(assign('load_q', and(loading, not(bin('<', ref('resp_beat'), ref('w_beats_end'))))));
  const plus = (e: Expr, terms: Expr[]): Expr => terms.reduce((a, t) => add(a, t), e);
  const inW = narrow('in_wbyte', plus(z(beatAddr(ref('resp_beat')), 16 + lgDW), halfOff('nbank', inHalf)), inAW);
  const wW = narrow('w_wbyte', plus(z(beatAddr(sub(ref('resp_beat'), inBeatsEnd)), 16 + lgDW), halfOff('nbank', wHalf)), wAW);
  const qW = narrow('q_wbyte', plus(z(beatAddr(sub(ref('resp_beat'), ref('w_beats_end'))), 16 + lgDW), halfOff('nbank', qHalf)), qAW);

  // ---- loop-nest sequencer ------------------------------------------------------------------
  const L = DIMS.length;
  for (let l = 0; l < L; l++) decl(reg(`cnt${l}`, 16), wire(`last${l}`, 1), wire(`inc${l}`, 1));
  for (let l = 0; l < L; l++) {
    items.push(assign(`last${l}`, eq(ref(`cnt${l}`), sub(cfg(`trip${l}`), lit(1, 16)))));
    items.push(assign(`inc${l}`, l === L - 1 ? lit(1, 1) : and(ref(`inc${l + 1}`), ref(`last${l + 1}`))));
  }
  decl(wire('step', 1), wire('drain_now', 1), wire('all_last', 1), wire('first', 1));
  // A step that completes a set of partial sums hands its register-file half to the drain
  // engine, so it waits while the engine still drains the other half.
  items.push(assign('step', and(stateIs(STATE.COMPUTE), not(and(ref('drain_now'), ref('dbusy'))))));
  items.push(
    assign('drain_now', and(...Array.from({ length: L }, (_, l) => or(bin('>', cfg('drain_level'), lit(l, 3)), ref(`last${l}`))))),
  );
  items.push(assign('all_last', and(...Array.from({ length: L }, (_, l) => ref(`last${l}`)))));
  const isReduction = (l: number) => or(...REDUCTION_DIMS.map((d) => eq(cfg(`order_dim${l}`), lit(dimIndex(d), 3))));
  items.push(assign('first', and(...Array.from({ length: L }, (_, l) => or(not(isReduction(l)), eq(ref(`cnt${l}`), lit(0, 16)))))));
  // Counter of each dimension: the counter at that dimension's level.
  const cntOf = (d: Dim): Expr => {
    let e: Expr = ref(`cnt${L - 1}`);
    for (let l = L - 2; l >= 0; l--) e = cond(eq(cfg(`level_${d}`), lit(l, 3)), ref(`cnt${l}`), e);
    return e;
  };
  // PEs a dimension runs on: its configured spatial factor on its axis (lanes at or beyond it idle), 1 off the array.
  const parOf = (d: Dim): Expr => (parallelSize(hw, d) > 1 ? zc(`par_${d}`) : lit(1, IW));
  for (const d of DIMS) {
    decl(wire(`t_${d}`, 16), wire(`base_${d}`, IW));
    items.push(assign(`t_${d}`, cntOf(d)));
    items.push(assign(`base_${d}`, mul(z(ref(`t_${d}`), 16), parOf(d))));
  }
  // Register-file address: the bank bit (which half the sequencer fills) above the live-psum index.
  const bankAW = rfAW - 1;
  // The index is a sum of counter x stride products taken modulo the half's size, so only the
  // low bankAW bits of each operand matter: narrow multipliers, the rest of the bits unused.
  const rfIndex = (name: string, pairs: [string, string][]): Expr | undefined => {
    for (const [, stride] of pairs) cfgRead.add(stride.replace(/^cfg_/, ''));
    if (bankAW === 0) {
      for (const [, stride] of pairs) unused.push(ref(stride));
      return undefined;
    }
    decl(wire(name, bankAW));
    const low = (n: string) => slice(n, bankAW - 1, 0);
    for (const [, stride] of pairs) unused.push(slice(stride, 15, bankAW));
    items.push(assign(name, pairs.map(([c, st]) => mul(low(c), low(st))).reduce(add)));
    return ref(name);
  };
  const rfWIdx = rfIndex(
    'rf_widx',
    DIMS.map((_, l) => [`cnt${l}`, `cfg_rf_stride${l}`] as [string, string]),
  );
  const rfW = rfWIdx ? cat(ref('cbank'), rfWIdx) : ref('cbank');

  // Lane validity per axis offset: the lane is within the spatial factor and its index inside the bound.
  hw.axes.forEach((a, ai) => {
    decl(wire(`axis_ok${ai}`, a.size), reg(`s1_axis_ok${ai}`, a.size));
    const bits: Expr[] = [];
    for (let i = a.size - 1; i >= 0; i--) {
      const inBound = bin('<', add(ref(`base_${a.dim}`), lit(i, IW)), zc(`bound_${a.dim}`));
      bits.push(i === 0 || a.size === 1 ? inBound : and(inBound, bin('<', lit(i, IW), parOf(a.dim))));
    }
    items.push(assign(`axis_ok${ai}`, bits.length === 1 ? bits[0] : cat(...bits)));
  });

  // ---- global-buffer banks: weight lanes ----------------------------------------------------
  const bankPorts = (we: string, waddr: Expr, re: Expr, raddr: Expr, rdata: string) => [
    { port: 'clk', expr: ref('clk') },
    { port: 'we', expr: ref(we) },
    { port: 'waddr', expr: waddr },
    { port: 'wdata', expr: ref('dram_rd_data') },
    { port: 're', expr: re },
    { port: 'raddr', expr: raddr },
    { port: 'rdata', expr: ref(rdata) },
  ];
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
      conns: bankPorts('load_w', wW, ref('step'), ra, `w_q${wl}`),
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
      conns: bankPorts('load_in', inW, ref('step'), ra, `in_q${il}`),
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
  const s1: Stmt[] = [nb('s1_valid', ref('step')), nb('s1_first', ref('first')), nb('s1_waddr', rfW)];
  hw.axes.forEach((_, ai) => s1.push(nb(`s1_axis_ok${ai}`, ref(`axis_ok${ai}`))));
  for (let il = 0; il < hw.inputLanes.count; il++) s1.push(nb(`s1_inb${il}`, ref(`inb${il}`)));
  items.push(alwaysFF('clk', s1));

  // ---- PE array -----------------------------------------------------------------------------
  decl(wire('d_raddr', rfAW));
  const coords = peCoordinates(hw.axes);
  coords.forEach((pc, n) => {
    const okBits = hw.axes.map((a, ai) => (a.size === 1 ? ref(`s1_axis_ok${ai}`) : idx(`s1_axis_ok${ai}`, lit(pc[ai], clog2(a.size)))));
    decl(wire(`psum${n}`, 32, true));
    items.push({
      kind: 'instance',
      module: names.pe,
      name: `u_pe${n}_${pc.join('_')}`,
      params: [],
      conns: [
        { port: 'clk', expr: ref('clk') },
        { port: 'en', expr: ref('s1_valid') },
        { port: 'ok', expr: and(...okBits) },
        { port: 'first', expr: ref('s1_first') },
        { port: 'waddr', expr: ref('s1_waddr') },
        { port: 'w', expr: ref(`w_q${laneOf(hw.axes, hw.weightLanes, pc)}`) },
        { port: 'x', expr: ref(`xe${laneOf(hw.axes, hw.inputLanes, pc)}`) },
        { port: 'raddr', expr: ref('d_raddr') },
        { port: 'psum', expr: ref(`psum${n}`) },
      ],
    });
  });

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
    const t = mul(z(cond(ref(`deep_${d}`), ref(`dc_${d}`), ref(`lat_${d}`)), 16), parOf(d));
    items.push(assign(`o_${d}`, ai >= 0 ? add(t, z(ref(`lc${ai}`), clog2(hw.axes[ai].size))) : t));
  }
  // A lane counter wraps after the dimension's last configured lane, or after the last lane inside
  // the bound (a partial set of lanes, e.g. 5 output columns on a 14-wide axis, drains 5 outputs, not 14).
  for (const ai of outAxes) {
    const d = hw.axes[ai].dim;
    const lastLane = hw.axes[ai].size === 1 ? lit(1, 1) : eq(z(ref(`lc${ai}`), clog2(hw.axes[ai].size)), sub(parOf(d), lit(1, IW)));
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
  for (const ai of outAxes) olane = add(mul(olane, lit(hw.axes[ai].size, IW)), z(ref(`lc${ai}`), clog2(hw.axes[ai].size)));
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
          add(
            mul(cat(lit(0, 32 - IW), ref('o_Q')), cat(lit(0, 16), cfg('out_row'))),
            mul(cat(lit(0, 32 - IW), ref('o_P')), cat(lit(0, 16), cfg('out_pix'))),
          ),
          cat(lit(0, 32 - IW), ref('o_K')),
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
    conns: bankPorts('load_q', qW, ref('den'), qRa, 'q_rdata'),
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

  // ---- control ------------------------------------------------------------------------------
  const resetCounters: Stmt[] = [...DIMS.map((_, l) => nb(`cnt${l}`, lit(0, 16)))];
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
  const stepAdvance: Stmt[] = DIMS.map((_, l) =>
    ifs(ref(`inc${l}`), [nb(`cnt${l}`, cond(ref(`last${l}`), lit(0, 16), add(ref(`cnt${l}`), lit(1, 16))))]),
  );
  const go = (s: number) => nb('state', lit(s, 3));
  const dgo = (s: number) => nb('dstate', lit(s, 2));
  const resetBanks: Stmt[] = [dgo(DRAIN_STATE.IDLE), nb('cbank', lit(0, 1)), nb('dbank', lit(0, 1))];
  // The load engine starts a program's loads as soon as one is written (start, or waiting in
  // sh_*), nx_* is free, and its bank half is free: with two halves always (the half is the one
  // the program before the computing one used, and that one has finished), with one only when the
  // sequencer is idle. The sequencer launches the program in nx_* when its loads are done (also
  // in the cycle the last beat arrives) and it is idle or finishing.
  const seqIdle = or(stateIs(STATE.IDLE), stateIs(STATE.DONE));
  items.push(assign('seq_free', halves > 1 ? lit(1, 1) : seqIdle));
  items.push(assign('lgo', and(or(ref('sh_full'), ref('start')), not(ref('nx_full')), ref('seq_free'))));
  items.push(assign('load_last', and(ref('lstate'), ref('dram_rd_valid'), eq(ref('resp_beat'), sub(ref('total_beats'), lit(1, 16))))));
  items.push(assign('nx_ready', and(ref('nx_full'), or(ref('nx_loaded'), ref('load_last')))));
  items.push(assign('fin_end', and(stateIs(STATE.FINISH), not(ref('dbusy')), ref('den'), eq(ref('fin_cnt'), lit(DRAIN_PIPELINE - 1, 3)))));
  items.push(assign('launch', and(ref('nx_ready'), or(seqIdle, ref('fin_end')))));
  items.push(assign('ready', not(ref('sh_full'))));
  items.push(assign('done', and(seqIdle, not(ref('sh_full')), not(ref('nx_full')))));
  const resetLoad: Stmt[] = [
    nb('lstate', lit(0, 1)),
    nb('sh_full', lit(0, 1)),
    nb('nx_full', lit(0, 1)),
    nb('nx_loaded', lit(0, 1)),
    nb('nbank', lit(0, 1)),
    nb('gbank', lit(0, 1)),
  ];
  // Starting a program: the sequencer takes nx_* (the cfg_* copy is its own always block) and its bank half.
  const launchProgram: Stmt[] = [
    go(STATE.COMPUTE),
    nb('nx_full', lit(0, 1)),
    nb('nx_loaded', lit(0, 1)),
    nb('gbank', ref('nbank')),
    nb('fin_cnt', lit(0, 3)),
    ...resetCounters,
    ...resetDrain,
    ...resetBanks,
  ];
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [
          go(STATE.IDLE),
          nb('req_beat', lit(0, 16)),
          nb('resp_beat', lit(0, 16)),
          nb('fin_cnt', lit(0, 3)),
          ...resetCounters,
          ...resetDrain,
          ...resetBanks,
          ...resetLoad,
          ...segStart,
        ],
        [
          // ---- load engine: requests, then responses written into the program's bank half ----
          ifs(and(ref('dram_rd_req'), ref('dram_rd_gnt')), [
            nb('req_beat', add(ref('req_beat'), lit(1, 16))),
            ifs(ref('req_in'), [
              ifs(
                ref('seg_last'),
                [
                  nb('seg_cnt', lit(0, 16)),
                  ifs(
                    ref('row_last'),
                    [nb('seg_idx', lit(0, 16)), nb('row_addr', nextRow), nb('seg_addr', nextRow)],
                    [nb('seg_idx', add(ref('seg_idx'), lit(1, 16))), nb('seg_addr', add(ref('seg_addr'), z32(ld('in_seg_stride'))))],
                  ),
                ],
                [nb('seg_cnt', add(ref('seg_cnt'), lit(1, 16)))],
              ),
            ]),
          ]),
          ifs(and(ref('lstate'), ref('dram_rd_valid')), [
            nb('resp_beat', add(ref('resp_beat'), lit(1, 16))),
            ifs(ref('load_last'), [nb('lstate', lit(0, 1)), nb('nx_loaded', lit(1, 1))]),
          ]),
          ifs(and(ref('start'), not(ref('lgo'))), [nb('sh_full', lit(1, 1))]),
          // Drain engine: WAIT lets the last step's writes land, RUN walks live psums x output lanes.
          {
            kind: 'case',
            expr: ref('dstate'),
            items: [
              { labels: [lit(DRAIN_STATE.WAIT, 2)], body: [dgo(DRAIN_STATE.RUN)] },
              {
                labels: [lit(DRAIN_STATE.RUN, 2)],
                body: [ifs(ref('den'), [...drainAdvance, ifs(ref('drain_end'), [dgo(DRAIN_STATE.IDLE)])])],
              },
            ],
            default: [],
          },
          {
            kind: 'case',
            expr: ref('state'),
            items: [
              {
                labels: [lit(STATE.COMPUTE, 3)],
                body: [
                  ifs(ref('step'), [
                    ...stepAdvance,
                    ifs(ref('drain_now'), [
                      dgo(DRAIN_STATE.WAIT),
                      nb('dbank', ref('cbank')),
                      nb('cbank', not(ref('cbank'))),
                      ...OUTPUT_DIMS.map((d) => nb(`lat_${d}`, ref(`t_${d}`))),
                      ifs(ref('all_last'), [go(STATE.FINISH)]),
                    ]),
                  ]),
                ],
              },
              {
                labels: [lit(STATE.FINISH, 3)],
                body: [
                  ifs(and(not(ref('dbusy')), ref('den')), [
                    nb('fin_cnt', add(ref('fin_cnt'), lit(1, 3))),
                    ifs(ref('fin_end'), [go(STATE.DONE)]),
                  ]),
                ],
              },
            ],
            default: [],
          },
          ifs(ref('launch'), launchProgram),
          // A program's loads start (after the launch, which frees nx_*, in program order).
          ifs(ref('lgo'), [
            nb('lstate', lit(1, 1)),
            nb('sh_full', lit(0, 1)),
            nb('nx_full', lit(1, 1)),
            nb('nx_loaded', lit(0, 1)),
            nb('nbank', halves > 1 ? not(ref('nbank')) : lit(0, 1)),
            nb('req_beat', lit(0, 16)),
            nb('resp_beat', lit(0, 16)),
            ...segStart,
          ]),
        ],
      ),
    ]),
  );
  if (halves === 1) unused.push(ref('gbank'));
  for (const f of CONFIG_FIELDS) if (!cfgRead.has(f.name)) unused.push(ref(`cfg_${f.name}`));
  if (unused.length) {
    decl(wire('unused_bits', 1));
    items.push(assign('unused_bits', un('^', cat(...unused))));
  }

  return {
    name: names.top,
    comment: [
      `nacc accelerator '${verilogComment(hw.name)}': ${hw.axes.map((a) => `${a.size} ${a.dim}`).join(' x ')} PE array, ${hw.weightLanes.count} weight / ${hw.inputLanes.count} input lanes,`,
      `${hw.outputLanes.count} output lanes x ${hw.reductionLanes.count}-way reduction, ${hw.rfDepth}-entry psum register files, ${hw.dramBeatBytes}-byte DRAM beats.`,
      `${hw.doubleBuffer ? 'Double-buffered global buffer: the next program loads while this one computes.' : 'Single-buffered global buffer: a program loads, then computes.'}`,
      'Per program: wait for ready, write cfg_*, pulse start; done when every program has finished. Generated by nacc; do not edit.',
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('cfg_we'),
      input('cfg_addr', cfgAW),
      input('cfg_data', 16),
      input('start'),
      output('done'),
      output('ready'),
      output('dram_rd_req'),
      output('dram_rd_addr', 32),
      input('dram_rd_gnt'),
      input('dram_rd_valid'),
      input('dram_rd_data', 8 * DWB),
      output('dram_wr_req'),
      output('dram_wr_addr', 32),
      output('dram_wr_data', 8),
      input('dram_wr_gnt'),
    ],
    items,
  };
}
