// The loop-nest sequencer: six counters stepped in the configured order with configured trip
// counts, each dimension's base index on the array, lane validity, the register-file index, and
// the control block — program handshake, sequencer and drain state machines, the load engine's
// per-cycle statements — in one clocked process.
import {
  add,
  alwaysFF,
  and,
  assign,
  bin,
  cat,
  cond,
  eq,
  ifs,
  lit,
  mul,
  nb,
  not,
  or,
  output,
  ref,
  reg,
  slice,
  sub,
  wire,
  type Expr,
  type Stmt,
} from '../../verilog/index.ts';
import { DIMS, OUTPUT_DIMS, REDUCTION_DIMS, dimIndex, type Dim } from '../problem.ts';
import { parallelSize } from '../array.ts';
import { DRAIN_PIPELINE } from '../../../naas/rtl-architecture.ts';
import type { TopBuilder } from './context.ts';
import type { DrainPath } from './drain-path.ts';
import type { LoadEngine } from './load-engine.ts';
import { DRAIN_STATE, STATE } from './states.ts';

/** What the address generators and the drain path take from the sequencer. */
export interface Sequencer {
  /** PEs a dimension runs on (its configured spatial factor on its axis, 1 off the array), IW bits. */
  parOf: (d: Dim) => Expr;
  /** A register-file index wire: the sum of counter x stride products, modulo the half (undefined for one entry). */
  rfIndex: (name: string, pairs: [string, string][]) => Expr | undefined;
  /** The register-file write address (the computing bank half above the index). */
  rfW: Expr;
}

/** Declares the loop counters, step and drain triggers, base indices and lane validity. */
export function sequencer(b: TopBuilder): Sequencer {
  const { hw, items, unused, rfAW, IW, decl, z, cfgRead, cfg, zc, stateIs } = b;
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
    items.push(assign(`base_${d}`, mul(z(ref(`t_${d}`)), parOf(d))));
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

  return { parOf, rfIndex, rfW };
}

/** The handshake wires and the one clocked process of the load engine, sequencer and drain engine. */
export function control(b: TopBuilder, load: LoadEngine, drain: DrainPath): void {
  const { hw, items, halves, stateIs } = b;
  // ---- control ------------------------------------------------------------------------------
  const resetCounters: Stmt[] = [...DIMS.map((_, l) => nb(`cnt${l}`, lit(0, 16)))];
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
  // Starting a program: the sequencer takes nx_* (the cfg_* copy is its own always block) and its bank half.
  const launchProgram: Stmt[] = [
    go(STATE.COMPUTE),
    nb('nx_full', lit(0, 1)),
    nb('nx_loaded', lit(0, 1)),
    nb('gbank', ref('nbank')),
    nb('fin_cnt', lit(0, 3)),
    ...resetCounters,
    ...drain.resetDrain,
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
          ...drain.resetDrain,
          ...resetBanks,
          ...load.reset,
          ...load.segStart,
        ],
        [
          ...load.requests,
          // Drain engine: WAIT lets the last step's writes land, RUN walks live psums x output lanes.
          {
            kind: 'case',
            expr: ref('dstate'),
            items: [
              { labels: [lit(DRAIN_STATE.WAIT, 2)], body: [dgo(DRAIN_STATE.RUN)] },
              {
                labels: [lit(DRAIN_STATE.RUN, 2)],
                body: [ifs(ref('den'), [...drain.drainAdvance, ifs(ref('drain_end'), [dgo(DRAIN_STATE.IDLE)])])],
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
          load.startLoads,
        ],
      ),
    ]),
  );
}
