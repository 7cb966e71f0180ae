// The accelerator's leaf modules as Verilog ASTs: the MAC processing element with its partial-sum
// register file, a byte-lane global-buffer SRAM bank, and TFLite's per-channel requantiser.
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
  mem,
  nb,
  output,
  partsel,
  ref,
  reg,
  rep,
  set,
  signed,
  slice,
  slit,
  sub,
  un,
  wire,
  alwaysComb,
  type Expr,
  type Item,
  type Module,
} from '../verilog/index.ts';

/**
 * TFLite's SaturatingRoundingDoublingHighMul of the doubled 64-bit product `p` (`sat`: both
 * operands INT32_MIN, which saturates): the wires nudged, hm64 and hm, the high half rounded half
 * away from zero then truncated toward zero. The requantiser and the PPU's scaler share it.
 */
export function doublingHighMul(p: string, sat: string): Item[] {
  return [
    assign('nudged', add(ref(p), cond(idx(p, 63), slit(1 - 2 ** 30, 64), slit(2 ** 30, 64)))),
    assign(
      'hm64',
      add(
        bin('>>>', ref('nudged'), lit(31)),
        cond(and(idx('nudged', 63), bin('!=', slice('nudged', 30, 0), lit(0, 31))), slit(1, 64), slit(0, 64)),
      ),
    ),
    assign('hm', cond(ref(sat), slit(2 ** 31 - 1, 32), signed(slice('hm64', 31, 0)))),
  ];
}

/** TFLite's RoundingDivideByPOT of hm by `right` (after doublingHighMul): the wires mask, rem and thr, and the quotient. */
export function roundingDivideByPot(right: string): { items: Item[]; value: Expr } {
  return {
    items: [
      assign('mask', sub(bin('<<', lit(1, 32), ref(right)), lit(1, 32))),
      assign('rem', bin('&', ref('hm'), ref('mask'))),
      assign('thr', add(bin('>>', ref('mask'), lit(1)), cat(lit(0, 31), idx('hm', 31)))),
    ],
    value: add(bin('>>>', ref('hm'), ref(right)), signed(cat(lit(0, 31), bin('>', ref('rem'), ref('thr'))))),
  };
}

/**
 * int8 weight x 9-bit offset activation MAC (TFLite adds the input offset before multiplying),
 * int32 accumulation into a register file of `rfDepth` partial sums; `first` starts a new sum.
 */
export function peModule(name: string, rfDepth: number): Module {
  const aw = clog2(rfDepth);
  return {
    name,
    comment: ['Processing element: int8 x int9 multiply, int32 accumulate into a partial-sum register file.'],
    params: [],
    ports: [
      input('clk'),
      input('en'),
      input('ok'),
      input('first'),
      input('waddr', aw),
      input('w', 8, true),
      input('x', 9, true),
      input('raddr', aw),
      output('psum', 32, true),
    ],
    items: [
      wire('prod', 17, true),
      wire('prod32', 32, true),
      mem('rf', 32, rfDepth, true),
      // Operands sign-extended to the product width, so the multiply is 17 bits wide by construction.
      assign('prod', bin('*', signed(cat(rep(9, idx('w', 7)), ref('w'))), signed(cat(rep(8, idx('x', 8)), ref('x'))))),
      assign('prod32', cond(ref('ok'), signed(cat(rep(15, idx('prod', 16)), ref('prod'))), slit(0, 32))),
      alwaysFF('clk', [
        ifs(ref('en'), [nb(idx('rf', ref('waddr')), add(cond(ref('first'), slit(0, 32), idx('rf', ref('waddr'))), ref('prod32')))]),
      ]),
      assign('psum', idx('rf', ref('raddr'))),
    ],
  };
}

/**
 * A global-buffer bank of `bytes` bytes built from byte lanes: writes of `writeBytes` (one DRAM
 * beat), synchronous reads of `readBytes`, both at aligned byte addresses. One generate block
 * per lane holds that lane's memory. `byteEnables`: a `wmask` port enables each byte of a write.
 */
export function sramModule(name: string, bytes: number, writeBytes: number, readBytes: number, byteEnables = false): Module {
  const lanes = Math.max(writeBytes, readBytes);
  const rows = Math.max(2, Math.ceil(bytes / lanes));
  const laneBits = Math.log2(lanes);
  const rowBits = clog2(rows);
  const aw = rowBits + laneBits;
  const items: Item[] = [
    wire('wrow', rowBits),
    wire('rrow', rowBits),
    wire('lane_we', lanes),
    wire('lane_wdata', 8 * lanes),
    wire('lane_q', 8 * lanes),
  ];
  items.push(assign('wrow', slice('waddr', aw - 1, laneBits)));
  items.push(assign('rrow', slice('raddr', aw - 1, laneBits)));
  // Lane l is written when the beat covering it is addressed; its byte is beat byte l % writeBytes.
  const wsel = writeBytes < lanes ? slice('waddr', laneBits - 1, Math.log2(writeBytes)) : undefined;
  const weBits = [];
  for (let l = lanes - 1; l >= 0; l--) {
    const group = Math.floor(l / writeBytes);
    const we = byteEnables ? and(ref('we'), writeBytes > 1 ? idx('wmask', l % writeBytes) : ref('wmask')) : ref('we');
    weBits.push(wsel ? and(we, eq(wsel, lit(group, laneBits - Math.log2(writeBytes)))) : we);
  }
  items.push(assign('lane_we', cat(...weBits)));
  items.push(assign('lane_wdata', lanes === writeBytes ? ref('wdata') : rep(lanes / writeBytes, ref('wdata'))));
  items.push({
    kind: 'generate_for',
    label: 'g_lane',
    genvar: 'l',
    from: 0,
    to: lit(lanes),
    items: [
      mem('bytes', 8, rows),
      reg('q', 8),
      alwaysFF('clk', [
        ifs(lanes > 1 ? idx('lane_we', ref('l')) : ref('lane_we'), [
          nb(idx('bytes', ref('wrow')), partsel('lane_wdata', bin('*', ref('l'), lit(8)), 8)),
        ]),
        ifs(ref('re'), [nb('q', idx('bytes', ref('rrow')))]),
      ]),
      assign(partsel('lane_q', bin('*', ref('l'), lit(8)), 8), ref('q')),
    ],
  });
  const ports = [
    input('clk'),
    input('we'),
    input('waddr', aw),
    input('wdata', 8 * writeBytes),
    ...(byteEnables ? [input('wmask', writeBytes)] : []),
    input('re'),
    input('raddr', aw),
    output('rdata', 8 * readBytes),
  ];
  if (readBytes < lanes) {
    // Remember which lane group the read addressed, then select it.
    const selBits = laneBits - Math.log2(readBytes);
    items.push(reg('rsel', selBits));
    items.push(alwaysFF('clk', [ifs(ref('re'), [nb('rsel', slice('raddr', laneBits - 1, Math.log2(readBytes)))])]));
    items.push(assign('rdata', partsel('lane_q', cat(ref('rsel'), lit(0, 3 + Math.log2(readBytes))), 8 * readBytes)));
  } else {
    items.push(assign('rdata', ref('lane_q')));
  }
  // Address bits below the access size are always zero (aligned accesses).
  const low = [];
  if (Math.log2(readBytes) > 0) low.push(slice('raddr', Math.log2(readBytes) - 1, 0));
  if (Math.log2(writeBytes) > 0) low.push(slice('waddr', Math.log2(writeBytes) - 1, 0));
  if (low.length) {
    items.push(wire('unused_align', 1));
    items.push(assign('unused_align', un('^', cat(...low))));
  }
  return {
    name,
    comment: [
      `Global-buffer bank: ${rows * lanes} bytes in ${lanes} byte lanes, ${writeBytes}-byte writes, ${readBytes}-byte synchronous reads.`,
    ],
    params: [],
    ports,
    items,
  };
}

/** Address width of a bank built by sramModule. */
export function sramAddressBits(bytes: number, writeBytes: number, readBytes: number): number {
  const lanes = Math.max(writeBytes, readBytes);
  return clog2(Math.max(2, Math.ceil(bytes / lanes))) + Math.log2(lanes);
}

/**
 * TFLite per-channel requantisation, three stages with a common enable:
 * (acc + bias) << left; x 64-bit multiply by the Q31 multiplier; SaturatingRoundingDoublingHighMul's
 * nudge and truncation, RoundingDivideByPOT, + output zero point, clamp to the activation range.
 */
export function requantModule(name: string): Module {
  const MIN = slit(-(2 ** 31), 32);
  const items: Item[] = [
    reg('v1', 1),
    reg('x1', 32, true),
    reg('m1', 32, true),
    reg('right1', 5),
    reg('zp1', 8, true),
    reg('lo1', 8, true),
    reg('hi1', 8, true),
    reg('v2', 1),
    reg('p2', 64, true),
    reg('sat2', 1),
    reg('right2', 5),
    reg('zp2', 8, true),
    reg('lo2', 8, true),
    reg('hi2', 8, true),
    reg('v3', 1),
    reg('y3', 8),
    wire('sum', 32, true),
    wire('left', 5),
    wire('right', 5),
    wire('nudged', 64, true),
    wire('hm64', 64, true),
    wire('hm', 32, true),
    wire('mask', 32),
    wire('rem', 32),
    wire('thr', 32),
    wire('rounded', 32, true),
    wire('biased', 32, true),
    reg('clamped', 32, true),
    wire('neg_shift', 8, true),
    wire('unused_bits', 1),
  ];
  items.push(assign('sum', add(ref('acc'), ref('bias'))));
  const shiftPos = bin('>', ref('shift'), slit(0, 8));
  items.push(assign('left', cond(shiftPos, slice('shift', 4, 0), lit(0, 5))));
  items.push(assign('neg_shift', sub(slit(0, 8), ref('shift'))));
  items.push(assign('right', cond(shiftPos, lit(0, 5), slice('neg_shift', 4, 0))));
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [nb('v1', lit(0, 1)), nb('v2', lit(0, 1)), nb('v3', lit(0, 1))],
        [ifs(ref('en'), [nb('v1', ref('in_valid')), nb('v2', ref('v1')), nb('v3', ref('v2'))])],
      ),
    ]),
  );
  items.push(
    alwaysFF('clk', [
      ifs(ref('en'), [
        nb('x1', bin('<<<', ref('sum'), ref('left'))),
        nb('m1', ref('mult')),
        nb('right1', ref('right')),
        nb('zp1', ref('out_zp')),
        nb('lo1', ref('act_min')),
        nb('hi1', ref('act_max')),
        nb('p2', bin('*', signed(cat(rep(32, idx('x1', 31)), ref('x1'))), signed(cat(rep(32, idx('m1', 31)), ref('m1'))))),
        nb('sat2', and(eq(ref('x1'), MIN), eq(ref('m1'), MIN))),
        nb('right2', ref('right1')),
        nb('zp2', ref('zp1')),
        nb('lo2', ref('lo1')),
        nb('hi2', ref('hi1')),
        nb('y3', slice('clamped', 7, 0)),
      ]),
    ]),
  );
  // High half of the doubled product, rounded half away from zero then truncated toward zero.
  items.push(...doublingHighMul('p2', 'sat2'));
  items.push(assign('unused_bits', un('^', cat(slice('hm64', 63, 32), slice('clamped', 31, 8), slice('neg_shift', 7, 5)))));
  const divided = roundingDivideByPot('right2');
  items.push(...divided.items, assign('rounded', divided.value));
  items.push(assign('biased', add(ref('rounded'), signed(cat(rep(24, idx('zp2', 7)), ref('zp2'))))));
  items.push(
    alwaysComb([
      set('clamped', ref('biased')),
      ifs(bin('<', ref('biased'), signed(cat(rep(24, idx('lo2', 7)), ref('lo2')))), [
        set('clamped', signed(cat(rep(24, idx('lo2', 7)), ref('lo2')))),
      ]),
      ifs(bin('>', ref('biased'), signed(cat(rep(24, idx('hi2', 7)), ref('hi2')))), [
        set('clamped', signed(cat(rep(24, idx('hi2', 7)), ref('hi2')))),
      ]),
    ]),
  );
  items.push(assign('out_valid', ref('v3')));
  items.push(assign('out', ref('y3')));
  return {
    name,
    comment: ['Requantiser: TFLite MultiplyByQuantizedMultiplier per output channel, zero point, activation clamp.'],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('en'),
      input('in_valid'),
      input('acc', 32, true),
      input('bias', 32, true),
      input('mult', 32, true),
      input('shift', 8, true),
      input('out_zp', 8, true),
      input('act_min', 8, true),
      input('act_max', 8, true),
      output('out_valid'),
      output('out', 8),
    ],
    items,
  };
}
