// The DRAM load engine: requests the program's input segments, weights and requantisation
// records beat by beat and writes the responses into the bank half of the program it loads
// (nbank), beside the sequencer computing on the other half.
import {
  add,
  and,
  assign,
  bin,
  cat,
  cond,
  eq,
  ifs,
  input,
  lit,
  nb,
  not,
  or,
  ref,
  reg,
  slice,
  sub,
  wire,
  type Expr,
  type Stmt,
} from '../../verilog/index.ts';
import type { TopBuilder } from './context.ts';
import { DRAIN_STATE } from './states.ts';

/** What the control block takes from the load engine. */
export interface LoadEngine {
  /** Bank write addresses of the input, weight and record banks. */
  inW: Expr;
  /** Byte enables of an input-bank write (hw.maskedInputWrites), else every byte of the beat. */
  inMask?: Expr;
  wW: Expr;
  qW: Expr;
  /** The segment walk's start, from the program being latched into nx_*. */
  segStart: Stmt[];
  /** Each cycle: requests, responses, and a start pulse remembered while the engine is busy. */
  requests: Stmt[];
  /** When a program's loads start (lgo). */
  startLoads: Stmt;
  /** On reset: the engine idle, no program waiting or loaded, both bank halves at 0. */
  reset: Stmt[];
}

/**
 * Declares the load engine's registers and wires. The program handshake state it shares with the
 * sequencer and drain engine (state, dstate, bank bits) is declared here too, first, where the
 * emitted file has always declared it.
 */
export function loadEngine(b: TopBuilder): LoadEngine {
  const { items, unused, lgDW, halves, inHalf, wHalf, qHalf, inAW, wAW, qAW, halfOff, decl, zext, z, narrow, ld, plus } = b;
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
  // bytes apart per input row, rows in_row_stride bytes apart (seg_addr / row_addr walk the byte
  // addresses of the segment and row starts, seg_cnt the beats within a segment from the beat
  // holding the start, seg_idx the segments within a row), then the weight and record regions,
  // each contiguous.
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
  const z32 = (e: Expr): Expr => zext(e, 32);
  items.push(assign('req_in', bin('<', ref('req_beat'), inBeatsEnd)));
  items.push(assign('req_w', bin('<', ref('req_beat'), ref('w_beats_end'))));
  items.push(assign('seg_last', eq(ref('seg_cnt'), sub(ld('in_seg_beats'), lit(1, 16)))));
  items.push(assign('row_last', eq(ref('seg_idx'), sub(ld('in_row_segs'), lit(1, 16)))));
  items.push(
    assign(
      'rd_beat',
      cond(
        ref('req_in'),
        add(lgDW ? z32(slice('seg_addr', 31, lgDW)) : ref('seg_addr'), z32(ref('seg_cnt'))),
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
  // Input bank writes: beat after beat (resp_beat), or — designs with depthwise layers whose input
  // channels are not whole beats (hw.maskedInputWrites) — a chunk's segments (in_seg_stride != 0)
  // at the bank address of their pixel (rb_pix: in_off, then in_c per pixel and in_row per row,
  // congruent to the DRAM addresses modulo a beat), with only the chunk's bytes enabled
  // (in_wmask: bound_K bytes of a depthwise chunk, bound_C of an input-channel chunk, from the
  // pixel's offset within its first beat).
  let inWBeat: Expr = ref('resp_beat');
  let inMask: Expr | undefined;
  const respStmts: Stmt[] = [];
  const respStart: Stmt[] = [];
  if (b.hw.maskedInputWrites) {
    const beat = 1 << lgDW;
    decl(
      reg('rb_pix', 32),
      reg('rb_row', 32),
      reg('rb_cnt', 16),
      reg('rb_idx', 16),
      wire('in_chunked', 1),
      wire('rb_beat', 32),
      wire('rb_pos', 32),
      wire('rb_lo', 32),
      wire('rb_hi', 32),
      wire('in_wmask', beat),
    );
    items.push(assign('in_chunked', bin('!=', ld('in_seg_stride'), lit(0, 16))));
    items.push(assign('rb_beat', add(lgDW ? z32(slice('rb_pix', 31, lgDW)) : ref('rb_pix'), z32(ref('rb_cnt')))));
    // Byte position of the beat's byte 0 within the segment (from the beat holding the pixel's start).
    items.push(assign('rb_pos', z32(beatAddr(ref('rb_cnt')))));
    items.push(assign('rb_lo', lgDW ? z32(slice('rb_pix', lgDW - 1, 0)) : lit(0, 32)));
    const n = b.hw.depthwiseLayers ? cond(ld('depthwise'), ld('bound_K'), ld('bound_C')) : ld('bound_C');
    items.push(assign('rb_hi', add(ref('rb_lo'), z32(n))));
    const bits: Expr[] = [];
    for (let l = beat - 1; l >= 0; l--) {
      const pos = l ? add(ref('rb_pos'), lit(l, 32)) : ref('rb_pos');
      bits.push(or(not(ref('in_chunked')), and(not(bin('<', pos, ref('rb_lo'))), bin('<', pos, ref('rb_hi')))));
    }
    items.push(assign('in_wmask', beat > 1 ? cat(...bits) : bits[0]));
    inWBeat = cond(ref('in_chunked'), slice('rb_beat', 15, 0), ref('resp_beat'));
    unused.push(slice('rb_beat', 31, 16));
    inMask = ref('in_wmask');
    const nextRbRow = add(ref('rb_row'), z32(ld('in_row')));
    respStmts.push(
      ifs(ref('load_in'), [
        ifs(
          eq(ref('rb_cnt'), sub(ld('in_seg_beats'), lit(1, 16))),
          [
            nb('rb_cnt', lit(0, 16)),
            ifs(
              eq(ref('rb_idx'), sub(ld('in_row_segs'), lit(1, 16))),
              [nb('rb_idx', lit(0, 16)), nb('rb_row', nextRbRow), nb('rb_pix', nextRbRow)],
              [nb('rb_idx', add(ref('rb_idx'), lit(1, 16))), nb('rb_pix', add(ref('rb_pix'), z32(ld('in_c'))))],
            ),
          ],
          [nb('rb_cnt', add(ref('rb_cnt'), lit(1, 16)))],
        ),
      ]),
    );
    respStart.push(
      nb('rb_pix', z32(ref('sh_in_off'))),
      nb('rb_row', z32(ref('sh_in_off'))),
      nb('rb_cnt', lit(0, 16)),
      nb('rb_idx', lit(0, 16)),
    );
  }
  const inW = narrow('in_wbyte', plus(z(beatAddr(inWBeat)), halfOff('nbank', inHalf)), inAW);
  const wW = narrow('w_wbyte', plus(z(beatAddr(sub(ref('resp_beat'), inBeatsEnd))), halfOff('nbank', wHalf)), wAW);
  const qW = narrow('q_wbyte', plus(z(beatAddr(sub(ref('resp_beat'), ref('w_beats_end')))), halfOff('nbank', qHalf)), qAW);
  const requests: Stmt[] = [
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
    ...respStmts,
    ifs(and(ref('lstate'), ref('dram_rd_valid')), [
      nb('resp_beat', add(ref('resp_beat'), lit(1, 16))),
      ifs(ref('load_last'), [nb('lstate', lit(0, 1)), nb('nx_loaded', lit(1, 1))]),
    ]),
    ifs(and(ref('start'), not(ref('lgo'))), [nb('sh_full', lit(1, 1))]),
  ];
  // A program's loads start (after the launch, which frees nx_*, in program order).
  const startLoads: Stmt = ifs(ref('lgo'), [
    nb('lstate', lit(1, 1)),
    nb('sh_full', lit(0, 1)),
    nb('nx_full', lit(1, 1)),
    nb('nx_loaded', lit(0, 1)),
    nb('nbank', halves > 1 ? not(ref('nbank')) : lit(0, 1)),
    nb('req_beat', lit(0, 16)),
    nb('resp_beat', lit(0, 16)),
    ...segStart,
    ...respStart,
  ]);
  const reset = ['lstate', 'sh_full', 'nx_full', 'nx_loaded', 'nbank', 'gbank'].map((r) => nb(r, lit(0, 1)));
  return { inW, inMask, wW, qW, segStart, requests, startLoads, reset };
}
