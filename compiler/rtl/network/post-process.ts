// The post-processing unit (PPU) beside the conv engine, as NVDLA's SDP/PDP: residual add with
// TFLite's requantisation, int8 -> int8 requantisation (a standalone ReLU/ReLU6 clamp), max and
// average pooling over windows and global average pooling (TFLite MEAN), reading and writing the same
// DRAM as the conv engine. PP_FIELDS is the one definition of its configuration register map.
// The system module puts the conv engine and the PPU behind one configuration bus and one DRAM
// port (the two never run at once: a network runs one step at a time).
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
  mul,
  nb,
  not,
  or,
  output,
  partsel,
  ref,
  reg,
  rep,
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
import { D, fail, type Location } from '../../diagnostics/index.ts';
import { doublingHighMul, roundingDivideByPot } from '../accelerator/units.ts';

export interface PpuField {
  name: string;
  bits: number;
  signed?: boolean;
}

/** Operations of the PPU (the `op` register). */
export const PPU_OP = { add: 0, requant: 1, maxpool: 2, mean: 3, avgpool: 4 } as const;
export type PpuOp = keyof typeof PPU_OP;

const lohi = (name: string): PpuField[] => [
  { name: `${name}_lo`, bits: 16 },
  { name: `${name}_hi`, bits: 16 },
];

/** The PPU's configuration registers, in address order (16-bit writes; 32-bit values as _lo/_hi). */
export const PP_FIELDS: PpuField[] = [
  { name: 'op', bits: 3 },
  ...lohi('a_base'),
  ...lohi('b_base'),
  ...lohi('o_base'),
  ...lohi('count'),
  { name: 'in_h', bits: 16 },
  { name: 'in_w', bits: 16 },
  { name: 'ch', bits: 16 },
  { name: 'out_h', bits: 16 },
  { name: 'out_w', bits: 16 },
  { name: 'k_h', bits: 16 },
  { name: 'k_w', bits: 16 },
  { name: 'stride_h', bits: 16 },
  { name: 'stride_w', bits: 16 },
  { name: 'pad_t', bits: 16 },
  { name: 'pad_l', bits: 16 },
  { name: 'off_a', bits: 16, signed: true },
  { name: 'off_b', bits: 16, signed: true },
  ...lohi('m1'),
  { name: 's1', bits: 8, signed: true },
  ...lohi('m2'),
  { name: 's2', bits: 8, signed: true },
  ...lohi('mo'),
  { name: 'so', bits: 8, signed: true },
  ...lohi('zp_n'),
  { name: 'out_zp', bits: 8, signed: true },
  { name: 'act_min', bits: 8, signed: true },
  { name: 'act_max', bits: 8, signed: true },
];

/** One PPU step's register values (missing ones are 0). */
export type PpuConfig = Partial<Record<string, number>> & { op: number };

/** The configuration words of one PPU step, PP_FIELDS order. */
export function ppuWords(cfg: PpuConfig, what: string, where?: Location): number[] {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v === undefined) continue;
    if (['a_base', 'b_base', 'o_base', 'count', 'm1', 'm2', 'mo', 'zp_n'].includes(k)) {
      const u = v >>> 0;
      values[`${k}_lo`] = u & 0xffff;
      values[`${k}_hi`] = u >>> 16;
    } else values[k] = v;
  }
  return PP_FIELDS.map((f) => {
    const v = values[f.name] ?? 0;
    const lim = 2 ** (f.signed ? f.bits - 1 : f.bits);
    if (f.signed ? v < -lim || v >= lim : v < 0 || v >= lim)
      fail(D.rtlPostProcessRegister, `${what}: post-processing register ${f.name} = ${v} does not fit its ${f.bits} bits`, where);
    return v & 0xffff;
  });
}

/** States of the PPU's sequencer. */
const S = { IDLE: 0, EA: 1, EB: 2, CALC: 3, WR: 4, FILLA: 5, FILLB: 6, PWIN: 7, PRD: 8, PF: 9, PW: 10 } as const;

/**
 * TFLite MultiplyByQuantizedMultiplier with a 32-bit result, combinational: x << left, Q31
 * doubling high multiply with rounding (saturating the one overflow), rounding divide by 2^right.
 */
export function mbqmModule(name: string): Module {
  const MIN = slit(-(2 ** 31), 32);
  const items: Item[] = [
    wire('left', 5),
    wire('right', 5),
    wire('neg_sh', 8, true),
    wire('xl', 32, true),
    wire('p', 64, true),
    wire('sat', 1),
    wire('nudged', 64, true),
    wire('hm64', 64, true),
    wire('hm', 32, true),
    wire('mask', 32),
    wire('rem', 32),
    wire('thr', 32),
    wire('unused_bits', 1),
  ];
  const pos = bin('>', ref('sh'), slit(0, 8));
  items.push(assign('neg_sh', sub(slit(0, 8), ref('sh'))));
  items.push(assign('left', cond(pos, slice('sh', 4, 0), lit(0, 5))));
  items.push(assign('right', cond(pos, lit(0, 5), slice('neg_sh', 4, 0))));
  items.push(assign('xl', bin('<<<', ref('x'), ref('left'))));
  items.push(assign('p', bin('*', signed(cat(rep(32, idx('xl', 31)), ref('xl'))), signed(cat(rep(32, idx('m', 31)), ref('m'))))));
  items.push(assign('sat', and(eq(ref('xl'), MIN), eq(ref('m'), MIN))));
  const divided = roundingDivideByPot('right');
  items.push(...doublingHighMul('p', 'sat'), ...divided.items, assign('y', divided.value));
  items.push(assign('unused_bits', un('^', cat(slice('hm64', 63, 32), slice('neg_sh', 7, 5)))));
  return {
    name,
    comment: ['TFLite MultiplyByQuantizedMultiplier, 32-bit result (combinational).'],
    params: [],
    ports: [input('x', 32, true), input('m', 32, true), input('sh', 8, true), output('y', 32, true)],
    items,
  };
}

export interface PpuNames {
  ppu: string;
  mbqm: string;
  system: string;
}

export const ppuNames = (prefix: string): PpuNames => ({ ppu: `${prefix}_ppu`, mbqm: `${prefix}_mbqm`, system: `${prefix}_system` });

/**
 * The PPU: a sequencer reading int8 bytes through one-beat caches (one per operand stream),
 * an accumulator per channel for pooling, three requantisers (add: both inputs and the output),
 * and one byte write per output.
 */
export function ppuModule(names: PpuNames, beatBytes: number, maxChannels: number): Module {
  const DW = beatBytes;
  const lgDW = Math.log2(DW);
  const AW = clog2(PP_FIELDS.length);
  const chAW = clog2(Math.max(2, maxChannels));
  const items: Item[] = [];
  const unused: Expr[] = [];
  const decl = (...d: Item[]) => items.push(...d);
  const cfg = (n: string) => ref(`cfg_${n}`);
  const w32 = (n: string) => cat(cfg(`${n}_hi`), cfg(`${n}_lo`));
  const cases: { labels: Expr[]; body: Stmt[] }[] = [];
  PP_FIELDS.forEach((f, i) => {
    decl(reg(`cfg_${f.name}`, f.bits, f.signed ?? false));
    const v = f.bits === 16 ? ref('cfg_data') : slice('cfg_data', f.bits - 1, 0);
    cases.push({ labels: [lit(i, AW)], body: [nb(`cfg_${f.name}`, f.signed ? signed(v) : v)] });
  });
  items.push(alwaysFF('clk', [ifs(ref('cfg_we'), [{ kind: 'case', expr: ref('cfg_addr'), items: cases, default: [] }])]));

  const z32 = (e: Expr, bits: number) => (bits >= 32 ? e : cat(lit(0, 32 - bits), e));
  const sx32 = (e: string, bits: number) => signed(cat(rep(32 - bits, idx(e, bits - 1)), ref(e)));
  decl(
    reg('state', 4),
    reg('i', 32),
    reg('oy', 16),
    reg('ox', 16),
    reg('fy', 16),
    reg('fx', 16),
    reg('c', 16),
    reg('seen', 1),
    reg('wcount', 16),
  );
  decl(
    reg('tag_a', 32 - lgDW),
    reg('tag_b', 32 - lgDW),
    reg('valid_a', 1),
    reg('valid_b', 1),
    reg('data_a', 8 * DW),
    reg('data_b', 8 * DW),
  );
  decl(reg('va', 8, true), reg('vb', 8, true), reg('res', 8));
  decl(mem('acc', 32, 2 ** chAW, true));
  const st = (s: number) => eq(ref('state'), lit(s, 4));
  const opIs = (o: number) => eq(cfg('op'), lit(o, 3));
  const isPool = bin('>=', cfg('op'), lit(PPU_OP.maxpool, 3));
  const isAdd = opIs(PPU_OP.add);
  // Input window of the current output pixel (negative coordinates wrap above the bounds).
  decl(wire('iy', 32), wire('ix', 32), wire('inside', 1), wire('pool_off', 32), wire('a_addr', 32), wire('b_addr', 32), wire('o_addr', 32));
  items.push(assign('iy', sub(add(mul(z32(ref('oy'), 16), z32(cfg('stride_h'), 16)), z32(ref('fy'), 16)), z32(cfg('pad_t'), 16))));
  items.push(assign('ix', sub(add(mul(z32(ref('ox'), 16), z32(cfg('stride_w'), 16)), z32(ref('fx'), 16)), z32(cfg('pad_l'), 16))));
  items.push(assign('inside', and(bin('<', ref('iy'), z32(cfg('in_h'), 16)), bin('<', ref('ix'), z32(cfg('in_w'), 16)))));
  items.push(assign('pool_off', add(mul(add(mul(ref('iy'), z32(cfg('in_w'), 16)), ref('ix')), z32(cfg('ch'), 16)), z32(ref('c'), 16))));
  items.push(assign('a_addr', add(w32('a_base'), cond(isPool, ref('pool_off'), ref('i')))));
  items.push(assign('b_addr', add(w32('b_base'), ref('i'))));
  items.push(
    assign(
      'o_addr',
      add(
        w32('o_base'),
        cond(
          isPool,
          add(mul(add(mul(z32(ref('oy'), 16), z32(cfg('out_w'), 16)), z32(ref('ox'), 16)), z32(cfg('ch'), 16)), z32(ref('c'), 16)),
          ref('i'),
        ),
      ),
    ),
  );
  // One-beat caches: a hit reads the byte at once; a miss fetches its beat.
  decl(wire('hit_a', 1), wire('hit_b', 1), wire('byte_a', 8), wire('byte_b', 8));
  items.push(assign('hit_a', and(ref('valid_a'), eq(ref('tag_a'), slice('a_addr', 31, lgDW)))));
  items.push(assign('hit_b', and(ref('valid_b'), eq(ref('tag_b'), slice('b_addr', 31, lgDW)))));
  items.push(assign('byte_a', lgDW ? partsel('data_a', cat(slice('a_addr', lgDW - 1, 0), lit(0, 3)), 8) : ref('data_a')));
  items.push(assign('byte_b', lgDW ? partsel('data_b', cat(slice('b_addr', lgDW - 1, 0), lit(0, 3)), 8) : ref('data_b')));
  const beatOf = (a: string) => (lgDW ? cat(slice(a, 31, lgDW), lit(0, lgDW)) : ref(a));
  items.push(assign('rd_req', or(and(or(st(S.EA), st(S.PRD)), not(ref('hit_a'))), and(st(S.EB), not(ref('hit_b'))))));
  items.push(assign('rd_addr', cond(st(S.EB), beatOf('b_addr'), beatOf('a_addr'))));
  items.push(assign('wr_req', or(st(S.WR), st(S.PW))));
  items.push(assign('wr_addr', ref('o_addr')));
  items.push(assign('wr_data', ref('res')));

  // Arithmetic: add = mbqm(mbqm((a + off_a) << 20) + mbqm((b + off_b) << 20)); requant = mbqm(a + off_a);
  // mean = mbqm(sum - zp * n); then + output zero point and the activation clamp; max = the clamp
  // alone; average = the sum over the window's positions inside the image divided by their count,
  // rounded half away from zero (TFLite's reference), then the clamp.
  const accIdx = slice('c', chAW - 1, 0);
  if (chAW < 16) unused.push(slice('c', 15, chAW));
  decl(
    wire('acc_c', 32, true),
    wire('xa', 32, true),
    wire('xb', 32, true),
    wire('y1', 32, true),
    wire('y2', 32, true),
    wire('xo', 32, true),
    wire('yo', 32, true),
    wire('pre', 32, true),
    wire('lo', 32, true),
    wire('hi', 32, true),
  );
  items.push(assign('acc_c', idx('acc', accIdx)));
  items.push(assign('xa', add(sx32('va', 8), sx32('cfg_off_a', 16))));
  items.push(assign('xb', add(sx32('vb', 8), sx32('cfg_off_b', 16))));
  const mb = (inst: string, x: Expr, m: string, sh: string, y: string): Item => ({
    kind: 'instance',
    module: names.mbqm,
    name: inst,
    params: [],
    conns: [
      { port: 'x', expr: x },
      { port: 'm', expr: signed(w32(m)) },
      { port: 'sh', expr: cfg(sh) },
      { port: 'y', expr: ref(y) },
    ],
  });
  items.push(mb('u_m1', bin('<<<', ref('xa'), lit(20)), 'm1', 's1', 'y1'));
  items.push(mb('u_m2', bin('<<<', ref('xb'), lit(20)), 'm2', 's2', 'y2'));
  items.push(
    assign('xo', cond(isAdd, add(ref('y1'), ref('y2')), cond(opIs(PPU_OP.requant), ref('xa'), sub(ref('acc_c'), signed(w32('zp_n')))))),
  );
  items.push(mb('u_mo', ref('xo'), 'mo', 'so', 'yo'));
  decl(wire('wcnt', 32, true), wire('half', 32, true), wire('avg', 32, true));
  items.push(assign('wcnt', signed(z32(ref('wcount'), 16))));
  items.push(assign('half', signed(z32(slice('wcount', 15, 1), 15))));
  unused.push(idx('wcount', 0));
  items.push(
    assign(
      'avg',
      bin('/', cond(bin('>', ref('acc_c'), slit(0, 32)), add(ref('acc_c'), ref('half')), sub(ref('acc_c'), ref('half'))), ref('wcnt')),
    ),
  );
  items.push(
    assign('pre', cond(opIs(PPU_OP.maxpool), ref('acc_c'), cond(opIs(PPU_OP.avgpool), ref('avg'), add(ref('yo'), sx32('cfg_out_zp', 8))))),
  );
  items.push(assign('lo', sx32('cfg_act_min', 8)), assign('hi', sx32('cfg_act_max', 8)));
  decl(wire('clamped', 32, true), wire('v32', 32, true), wire('next_acc', 32, true));
  items.push(
    assign('clamped', cond(bin('<', ref('pre'), ref('lo')), ref('lo'), cond(bin('>', ref('pre'), ref('hi')), ref('hi'), ref('pre')))),
  );
  unused.push(slice('clamped', 31, 8));
  items.push(assign('v32', signed(cat(rep(24, idx('byte_a', 7)), ref('byte_a')))));
  items.push(
    assign(
      'next_acc',
      cond(
        not(ref('seen')),
        ref('v32'),
        cond(opIs(PPU_OP.maxpool), cond(bin('>', ref('v32'), ref('acc_c')), ref('v32'), ref('acc_c')), add(ref('acc_c'), ref('v32'))),
      ),
    ),
  );

  const go = (s: number) => nb('state', lit(s, 4));
  const last = (r: string, bound: string) => eq(ref(r), sub(cfg(bound), lit(1, 16)));
  // After a window position: the next one, or (window done) finalise the pixel's channels.
  const nextWindow: Stmt[] = [
    ifs(
      last('fx', 'k_w'),
      [
        nb('fx', lit(0, 16)),
        ifs(last('fy', 'k_h'), [nb('fy', lit(0, 16)), nb('c', lit(0, 16)), go(S.PF)], [nb('fy', add(ref('fy'), lit(1, 16))), go(S.PWIN)]),
      ],
      [nb('fx', add(ref('fx'), lit(1, 16))), go(S.PWIN)],
    ),
  ];
  const finish: Stmt[] = [go(S.IDLE), nb('done', lit(1, 1))];
  const nextPixel: Stmt[] = [
    nb('c', lit(0, 16)),
    nb('seen', lit(0, 1)),
    nb('wcount', lit(0, 16)),
    ifs(
      last('ox', 'out_w'),
      [nb('ox', lit(0, 16)), ifs(last('oy', 'out_h'), finish, [nb('oy', add(ref('oy'), lit(1, 16))), go(S.PWIN)])],
      [nb('ox', add(ref('ox'), lit(1, 16))), go(S.PWIN)],
    ),
  ];
  const restart: Stmt[] = [
    nb('done', lit(0, 1)),
    nb('valid_a', lit(0, 1)),
    nb('valid_b', lit(0, 1)),
    nb('i', lit(0, 32)),
    nb('oy', lit(0, 16)),
    nb('ox', lit(0, 16)),
    nb('fy', lit(0, 16)),
    nb('fx', lit(0, 16)),
    nb('c', lit(0, 16)),
    nb('seen', lit(0, 1)),
    nb('wcount', lit(0, 16)),
    ifs(isPool, [go(S.PWIN)], [go(S.EA)]),
  ];
  const caseOf = (s: number, body: Stmt[]) => ({ labels: [lit(s, 4)], body });
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [go(S.IDLE), nb('done', lit(0, 1)), nb('valid_a', lit(0, 1)), nb('valid_b', lit(0, 1))],
        [
          {
            kind: 'case',
            expr: ref('state'),
            items: [
              caseOf(S.IDLE, [ifs(ref('start'), restart)]),
              caseOf(S.EA, [
                ifs(
                  ref('hit_a'),
                  [nb('va', signed(ref('byte_a'))), ifs(isAdd, [go(S.EB)], [go(S.CALC)])],
                  [ifs(ref('rd_gnt'), [go(S.FILLA)])],
                ),
              ]),
              caseOf(S.EB, [ifs(ref('hit_b'), [nb('vb', signed(ref('byte_b'))), go(S.CALC)], [ifs(ref('rd_gnt'), [go(S.FILLB)])])]),
              caseOf(S.FILLA, [
                ifs(ref('rd_valid'), [
                  nb('data_a', ref('rd_data')),
                  nb('tag_a', slice('a_addr', 31, lgDW)),
                  nb('valid_a', lit(1, 1)),
                  ifs(isPool, [go(S.PRD)], [go(S.EA)]),
                ]),
              ]),
              caseOf(S.FILLB, [
                ifs(ref('rd_valid'), [
                  nb('data_b', ref('rd_data')),
                  nb('tag_b', slice('b_addr', 31, lgDW)),
                  nb('valid_b', lit(1, 1)),
                  go(S.EB),
                ]),
              ]),
              caseOf(S.CALC, [nb('res', slice('clamped', 7, 0)), go(S.WR)]),
              caseOf(S.WR, [
                ifs(ref('wr_gnt'), [
                  ifs(eq(ref('i'), sub(w32('count'), lit(1, 32))), finish, [nb('i', add(ref('i'), lit(1, 32))), go(S.EA)]),
                ]),
              ]),
              caseOf(S.PWIN, [ifs(ref('inside'), [nb('c', lit(0, 16)), go(S.PRD)], nextWindow)]),
              caseOf(S.PRD, [
                ifs(
                  ref('hit_a'),
                  [
                    nb(idx('acc', accIdx), ref('next_acc')),
                    ifs(
                      last('c', 'ch'),
                      [nb('seen', lit(1, 1)), nb('wcount', add(ref('wcount'), lit(1, 16))), ...nextWindow],
                      [nb('c', add(ref('c'), lit(1, 16)))],
                    ),
                  ],
                  [ifs(ref('rd_gnt'), [go(S.FILLA)])],
                ),
              ]),
              caseOf(S.PF, [nb('res', slice('clamped', 7, 0)), go(S.PW)]),
              caseOf(S.PW, [ifs(ref('wr_gnt'), [ifs(last('c', 'ch'), nextPixel, [nb('c', add(ref('c'), lit(1, 16))), go(S.PF)])])]),
            ],
            default: [go(S.IDLE)],
          },
        ],
      ),
    ]),
  );
  decl(wire('unused_bits', 1));
  items.push(assign('unused_bits', un('^', cat(...unused))));
  return {
    name: names.ppu,
    comment: [
      'Post-processing unit: residual add with requantisation, int8 requantisation (ReLU/ReLU6 clamps),',
      `max and average pooling and global average pooling over DRAM tensors; ${DW}-byte read beats, byte writes, ${2 ** chAW} channel accumulators.`,
      'Configure through cfg_*, pulse start, wait for done. Generated by nacc; do not edit.',
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('cfg_we'),
      input('cfg_addr', AW),
      input('cfg_data', 16),
      input('start'),
      output('done', 1, false, 'reg'),
      output('rd_req'),
      output('rd_addr', 32),
      input('rd_gnt'),
      input('rd_valid'),
      input('rd_data', 8 * DW),
      output('wr_req'),
      output('wr_addr', 32),
      output('wr_data', 8),
      input('wr_gnt'),
    ],
    items,
  };
}

/**
 * The design a network runs on: the conv engine (`top`) and the PPU behind one configuration bus
 * (the top address bit selects the PPU) and one DRAM port. The bench runs one step at a time, so
 * the engines' requests never overlap; grants and read data go to both.
 */
export function systemModule(names: PpuNames, top: string, cfgAW: number, beatBytes: number): Module {
  const AW = Math.max(cfgAW, clog2(PP_FIELDS.length)) + 1;
  const ppAW = clog2(PP_FIELDS.length);
  const items: Item[] = [
    wire('sel_pp', 1),
    wire('c_rd_req', 1),
    wire('c_rd_addr', 32),
    wire('c_wr_req', 1),
    wire('c_wr_addr', 32),
    wire('c_wr_data', 8),
    wire('p_rd_req', 1),
    wire('p_rd_addr', 32),
    wire('p_wr_req', 1),
    wire('p_wr_addr', 32),
    wire('p_wr_data', 8),
  ];
  items.push(assign('sel_pp', idx('cfg_addr', AW - 1)));
  items.push({
    kind: 'instance',
    module: top,
    name: 'u_conv',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'cfg_we', expr: and(ref('cfg_we'), not(ref('sel_pp'))) },
      { port: 'cfg_addr', expr: slice('cfg_addr', cfgAW - 1, 0) },
      { port: 'cfg_data', expr: ref('cfg_data') },
      { port: 'start', expr: ref('start') },
      { port: 'done', expr: ref('done') },
      { port: 'ready', expr: ref('ready') },
      { port: 'dram_rd_req', expr: ref('c_rd_req') },
      { port: 'dram_rd_addr', expr: ref('c_rd_addr') },
      { port: 'dram_rd_gnt', expr: ref('dram_rd_gnt') },
      { port: 'dram_rd_valid', expr: ref('dram_rd_valid') },
      { port: 'dram_rd_data', expr: ref('dram_rd_data') },
      { port: 'dram_wr_req', expr: ref('c_wr_req') },
      { port: 'dram_wr_addr', expr: ref('c_wr_addr') },
      { port: 'dram_wr_data', expr: ref('c_wr_data') },
      { port: 'dram_wr_gnt', expr: ref('dram_wr_gnt') },
    ],
  });
  items.push({
    kind: 'instance',
    module: names.ppu,
    name: 'u_ppu',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'cfg_we', expr: and(ref('cfg_we'), ref('sel_pp')) },
      { port: 'cfg_addr', expr: slice('cfg_addr', ppAW - 1, 0) },
      { port: 'cfg_data', expr: ref('cfg_data') },
      { port: 'start', expr: ref('pp_start') },
      { port: 'done', expr: ref('pp_done') },
      { port: 'rd_req', expr: ref('p_rd_req') },
      { port: 'rd_addr', expr: ref('p_rd_addr') },
      { port: 'rd_gnt', expr: ref('dram_rd_gnt') },
      { port: 'rd_valid', expr: ref('dram_rd_valid') },
      { port: 'rd_data', expr: ref('dram_rd_data') },
      { port: 'wr_req', expr: ref('p_wr_req') },
      { port: 'wr_addr', expr: ref('p_wr_addr') },
      { port: 'wr_data', expr: ref('p_wr_data') },
      { port: 'wr_gnt', expr: ref('dram_wr_gnt') },
    ],
  });
  items.push(assign('dram_rd_req', or(ref('c_rd_req'), ref('p_rd_req'))));
  items.push(assign('dram_rd_addr', cond(ref('p_rd_req'), ref('p_rd_addr'), ref('c_rd_addr'))));
  items.push(assign('dram_wr_req', or(ref('c_wr_req'), ref('p_wr_req'))));
  items.push(assign('dram_wr_addr', cond(ref('p_wr_req'), ref('p_wr_addr'), ref('c_wr_addr'))));
  items.push(assign('dram_wr_data', cond(ref('p_wr_req'), ref('p_wr_data'), ref('c_wr_data'))));
  return {
    name: names.system,
    comment: ['The conv engine and the post-processing unit on one configuration bus and one DRAM port. Generated by nacc; do not edit.'],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('cfg_we'),
      input('cfg_addr', AW),
      input('cfg_data', 16),
      input('start'),
      output('done'),
      output('ready'),
      input('pp_start'),
      output('pp_done'),
      output('dram_rd_req'),
      output('dram_rd_addr', 32),
      input('dram_rd_gnt'),
      input('dram_rd_valid'),
      input('dram_rd_data', 8 * beatBytes),
      output('dram_wr_req'),
      output('dram_wr_addr', 32),
      output('dram_wr_data', 8),
      input('dram_wr_gnt'),
    ],
    items,
  };
}
