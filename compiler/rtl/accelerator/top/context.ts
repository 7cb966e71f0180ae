// What every builder of the accelerator's top module shares: the hardware, the module's ports
// and growing item list, the index-arithmetic width IW, and helpers for configuration fields,
// zero extension to IW (widths computed by the Verilog AST, not tracked by hand) and bank halves.
import {
  add,
  and,
  assign,
  cat,
  clog2,
  cond,
  eq,
  input,
  lit,
  output,
  ref,
  slice,
  wire,
  WidthScope,
  type Expr,
  type Item,
  type Port,
  printExpr,
} from '../../verilog/index.ts';
import { InternalError } from '../../../diagnostics/errors.ts';
import { QPARAM_BYTES, bankHalfBytes, bankSramBytes, type AcceleratorHardware } from '../array.ts';
import { CONFIG_FIELDS } from '../mapping.ts';
import { sramAddressBits } from '../units.ts';

/** Module names the top instantiates. */
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

/** The top module's ports (declared first, so expression widths can be computed as items are added). */
function topPorts(hw: AcceleratorHardware, cfgAW: number): Port[] {
  return [
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
    input('dram_rd_data', 8 * hw.dramBeatBytes),
    output('dram_wr_req'),
    output('dram_wr_addr', 32),
    output('dram_wr_data', 8),
    input('dram_wr_gnt'),
  ];
}

/** The shared state of one top module under construction (see topModule). */
export function topBuilder(hw: AcceleratorHardware, names: TopNames) {
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
  const ports = topPorts(hw, cfgAW);
  const scope = new WidthScope({ name: names.top, params: [], ports, items: [] });
  const decl = (...ds: Item[]) => {
    items.push(...ds);
    scope.declareItems(ds);
  };
  /** e zero-extended to `bits`, from its own width as the Verilog AST computes it (never hand-tracked). */
  const zext = (e: Expr, bits: number): Expr => {
    const w = scope.widthOf(e);
    if (!w?.sized) throw new InternalError(`top ${names.top}: cannot widen ${printExpr(e)}, its width is not known`);
    if (w.bits > bits) throw new InternalError(`top ${names.top}: cannot widen the ${w.bits}-bit ${printExpr(e)} to ${bits} bits`);
    return w.bits === bits ? e : cat(lit(0, bits - w.bits), e);
  };
  /** e zero-extended to the index-arithmetic width IW. */
  const z = (e: Expr): Expr => zext(e, IW);
  /** Configuration registers read by the datapath; the rest (unused by this array's wiring) are declared unused. */
  const cfgRead = new Set<string>();
  const cfg = (name: string) => {
    cfgRead.add(name);
    return ref(`cfg_${name}`);
  };
  /** A configuration field zero-extended to IW. */
  const zc = (name: string) => z(cfg(name));
  /** Assign an IW-bit expression to a named wire and return its low `bits` bits; the rest is declared unused. */
  const narrow = (name: string, e: Expr, bits: number): Expr => {
    decl(wire(name, IW));
    items.push(assign(name, e));
    if (bits < IW) unused.push(slice(name, IW - 1, bits));
    return bits === IW ? ref(name) : slice(name, bits - 1, 0);
  };
  const stateIs = (s: number) => eq(ref('state'), lit(s, 3));
  /** A load-engine field of the program being loaded. */
  const ld = (name: string) => ref(`nx_${name}`);
  /** e plus each of terms (none: e itself). */
  const plus = (e: Expr, terms: Expr[]): Expr => terms.reduce((a, t) => add(a, t), e);
  /** Port connections of a global-buffer bank: written from DRAM beats, read at raddr when re. */
  const bankPorts = (we: string, waddr: Expr, re: Expr, raddr: Expr, rdata: string) => [
    { port: 'clk', expr: ref('clk') },
    { port: 'we', expr: ref(we) },
    { port: 'waddr', expr: waddr },
    { port: 'wdata', expr: ref('dram_rd_data') },
    { port: 're', expr: re },
    { port: 'raddr', expr: raddr },
    { port: 'rdata', expr: ref(rdata) },
  ];
  return {
    hw,
    names,
    ports,
    scope,
    items,
    unused,
    DWB,
    lgDW,
    rfAW,
    halves,
    inHalf,
    wHalf,
    qHalf,
    inAW,
    wAW,
    qAW,
    halfOff,
    IW,
    cfgAW,
    decl,
    zext,
    z,
    cfgRead,
    cfg,
    zc,
    narrow,
    stateIs,
    ld,
    plus,
    bankPorts,
  };
}

export type TopBuilder = ReturnType<typeof topBuilder>;
