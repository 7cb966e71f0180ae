// The PointAcc accelerator as one top for a PointNet++ set-abstraction layer: the point-search
// (mapping) unit, the gather unit with its cache, the matrix unit and a max-pool reduce stage,
// with a sequencer and the on-chip buffers between them (neighbour table, weight and
// quantisation buffers, the activation buffer between MLP layers, the pool buffer).
//
// Sequence (one `start`): FPS picks M centers (streamed out on ctr_*); the ball query writes one
// K-wide neighbour row per center into the neighbour buffer; the gather unit fetches the M*K
// feature rows through the cache straight into the matrix unit's activation memory while the
// first layer's weights are copied into the array's weight memory. Each MLP layer's outputs go
// to the activation buffer (fused: they stay on chip and are moved into the array's activation
// memory, one line per cycle, while the next layer's weights load; unfused: they are spilled to
// DRAM and filled back through the dram_* ports, at the configured bandwidth and latency). The
// last layer's outputs are max-reduced per center into the pool buffer, which streams out on
// out_* (one center x output tile per cycle). Points, features and weights arrive from the
// bench's DRAM model on the *_ld_* ports before `start`.
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
  output,
  partsel,
  ref,
  reg,
  wire,
  instance,
  slice,
  add,
  and,
  or,
  not,
  comment,
  signed,
  clog2,
} from '../verilog/index.ts';
import { OP_CODE, pointSearchModules, pointSearchName, pointSearchShape, type PointSearchParams } from './point-search.ts';
import { gatherCacheInstance, gatherCacheModules, type GatherCacheParams } from './gather-cache.ts';
import { matrixUnitModules, matrixUnitName, type MatrixUnitParams } from './matrix-unit.ts';

export interface SaLayerTopParams {
  search: PointSearchParams;
  gather: GatherCacheParams;
  /** maxInTiles = maxOutTiles: one tile index addresses the activation buffer for both sides. */
  matrix: MatrixUnitParams;
  /** Centers M and neighbours per center K (a power of two: the pool stage finds the center as row >> log2 K). */
  centers: number;
  k: number;
  /** Input and output channel tiles of each shared-MLP layer, in order. */
  layers: { inTiles: number; outTiles: number }[];
  /** Keep intermediates on chip (true) or spill them to DRAM and read them back (false). */
  fusion: boolean;
  /** Cycles per activation line on the DRAM port (line bytes / bandwidth, rounded up). */
  lineCycles: number;
}

/** Sequencer states; the model (compiler/pointacc/layer-cycles.ts) counts the same phases. */
export const SA_STATES = { idle: 0, fps: 1, ball: 2, gather: 3, move: 4, spill: 5, fill: 6, mlp: 7, drain: 8, done: 9 } as const;

export function saLayerTopName(p: SaLayerTopParams): string {
  return `pointacc_sa_layer_m${p.centers}_k${p.k}_w${p.search.lanes}_n${p.search.maxPoints}_a${p.matrix.rows}x${p.matrix.cols}_l${p.layers.length}${p.fusion ? '' : '_spill'}`;
}

/** A per-layer constant selected by the layer register: ly == 0 ? v0 : ly == 1 ? v1 : ... */
function perLayer(values: number[], width: number, lyBits: number): Expr {
  let e: Expr = lit(values[values.length - 1], width);
  for (let l = values.length - 2; l >= 0; l--) e = cond(eq(ref('ly'), lit(l, lyBits)), lit(values[l], width), e);
  return e;
}

export function saLayerTopModules(p: SaLayerTopParams): Module[] {
  const s = pointSearchShape(p.search);
  const IW = s.indexBits;
  if (2 ** IW !== p.gather.maxRows) throw new Error('the gather table and the point memory must have the same depth');
  const B = p.search.buffer;
  const KL = Math.log2(p.k);
  if (!Number.isInteger(KL) || p.k > B) throw new Error(`K = ${p.k} must be a power of two no larger than the search buffer ${B}`);
  const M = p.centers;
  const MB = clog2(M + 1);
  const MR = p.matrix.rows;
  const MC = p.matrix.cols;
  const L = p.layers.length;
  if (L > 1 && MR !== MC) throw new Error("chained MLP layers need a square array (an output tile is the next layer's input tile)");
  const GB = p.gather.rowBytes;
  const RW = Math.log2(p.matrix.maxRows);
  const TW = Math.log2(p.matrix.maxInTiles);
  const OW = Math.log2(p.matrix.maxOutTiles);
  if (TW !== OW) throw new Error('the matrix unit must have as many input as output tiles');
  const KW = Math.log2(MR);
  if (!Number.isInteger(KW) || KW < 1) throw new Error('the layer top needs a power-of-two number of array rows');
  const LB = clog2(L);
  const CW = clog2(M); // center address bits (neighbour and pool buffers)
  const MK = M * p.k;
  if (MK > p.matrix.maxRows) throw new Error('the activation buffer must hold M*K rows');
  const PD = 2 ** CW * p.matrix.maxOutTiles;
  const GW = RW + 1; // request / response counters count to M*K
  const LC = Math.max(1, p.lineCycles);
  const GPB = clog2(LC + 1);
  const SW = 4;
  const st = (v: number) => lit(v, SW);
  const inState = (v: number) => eq(ref('state'), st(v));
  const items: Item[] = [
    reg('state', SW),
    reg('ps_start', 1),
    reg('ps_op', 2),
    reg('mx_start', 1),
    reg('ly', LB),
    wire('ps_busy', 1),
    wire('ps_done', 1),
    wire('ps_valid', 1),
    wire('ps_idx', B * IW),
    wire('ps_count', s.kBits),
    mem('nbr', p.k * IW, 2 ** CW),
    reg('nbr_n', MB),
    reg('sent', GW),
    reg('got', GW),
    reg('g_done', 1),
    wire('g_req_valid', 1),
    wire('g_req_idx', IW),
    wire('g_req_ready', 1),
    wire('g_resp_valid', 1),
    wire('g_resp_idx', IW),
    ...(GB > MR
      ? [comment('verilator lint_off UNUSEDSIGNAL'), wire('g_resp_data', 8 * GB), comment('verilator lint_on UNUSEDSIGNAL')]
      : [wire('g_resp_data', 8 * GB)]),
    wire('g_line', 8 * MR),
    mem('wbuf', MC * 8, 2 ** (LB + OW + TW + KW)),
    mem('bbuf', MC * 32, 2 ** (LB + OW)),
    mem('mbuf', MC * 32, 2 ** (LB + OW)),
    mem('sbuf', MC * 6, 2 ** (LB + OW)),
    mem('zbuf', 16, 2 ** LB),
    reg('wo', OW),
    reg('wt', TW),
    reg('wr', KW),
    reg('wdone', 1),
    reg('qc', OW),
    reg('qdone', 1),
    wire('lin_m1', TW),
    wire('lout_m1', OW),
    reg('mv_row', RW),
    reg('mv_t', TW),
    reg('mv_done', 1),
    reg('fr_row', RW),
    reg('fr_t', TW),
    reg('fr_done', 1),
    reg('gap', GPB),
    wire('mx_busy', 1),
    wire('mx_done', 1),
    wire('mx_v', MC),
    wire('mx_row', MC * RW),
    wire('mx_q', MC * 8),
    wire('mx_o', OW),
    wire('x_en', 1),
    wire('x_addr', RW + TW),
    wire('x_data', 8 * MR),
    wire('act_line', 8 * MR),
    reg('dr_c', MB),
    reg('dr_o', OW),
    wire('dr_addr', CW + OW),
  ];
  items.push(
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire('unused_ok', 1),
    assign(
      'unused_ok',
      and(
        ref('ps_busy'),
        ref('mx_busy'),
        eq(ref('g_resp_idx'), ref('g_resp_idx')),
        eq(ref('ps_count'), ref('ps_count')),
        eq(ref('ps_idx'), ref('ps_idx')),
      ),
    ),
    comment('verilator lint_on UNUSEDSIGNAL'),
  );
  items.push(
    assign(
      'lin_m1',
      perLayer(
        p.layers.map((l) => l.inTiles - 1),
        TW,
        LB,
      ),
    ),
  );
  items.push(
    assign(
      'lout_m1',
      perLayer(
        p.layers.map((l) => l.outTiles - 1),
        OW,
        LB,
      ),
    ),
  );
  items.push(
    instance(pointSearchName(p.search), 'search', {
      clk: 'clk',
      rst: 'rst',
      ld_en: 'pt_ld_en',
      ld_row: 'pt_ld_row',
      ld_data: 'pt_ld_data',
      start: 'ps_start',
      op: 'ps_op',
      n: 'n',
      m: lit(M, IW + 1),
      k: lit(p.k, s.kBits),
      r2: 'r2',
      busy: 'ps_busy',
      done: 'ps_done',
      out_valid: 'ps_valid',
      out_idx: 'ps_idx',
      out_count: 'ps_count',
    }),
  );
  // Gather: request j*K+s reads neighbour s of center j.
  const sentCenter = slice('sent', KL + CW - 1, KL);
  const sentSlot = KL > 0 ? slice('sent', KL - 1, 0) : lit(0, 1);
  items.push(wire('nbr_row', p.k * IW), assign('nbr_row', idx('nbr', sentCenter)));
  items.push(assign('g_req_valid', and(inState(SA_STATES.gather), bin('<', ref('sent'), lit(MK, GW)))));
  items.push(assign('g_req_idx', partsel('nbr_row', bin('*', sentSlot, lit(IW, clog2(p.k * IW))), IW)));
  items.push(gatherCacheInstance(p.gather));
  // A gathered row is a cache line (16-byte multiple); the activation line takes its first MR bytes.
  if (GB >= MR) items.push(assign('g_line', slice('g_resp_data', 8 * MR - 1, 0)));
  else items.push(assign('g_line', cat(lit(0, 8 * (MR - GB)), ref('g_resp_data'))));
  // The array's activation memory is written by the gather (layer 0), the on-chip move (fused) or the DRAM fill (unfused).
  const gatherX = and(inState(SA_STATES.gather), ref('g_resp_valid'));
  const moveX = and(inState(SA_STATES.move), not(ref('mv_done')));
  const fillX = and(inState(SA_STATES.fill), ref('dram_rd_valid'));
  items.push(assign('x_en', or(gatherX, moveX, fillX)));
  items.push(
    assign(
      'x_addr',
      cond(
        inState(SA_STATES.gather),
        cat(slice('got', RW - 1, 0), lit(0, TW)),
        cond(inState(SA_STATES.move), cat(ref('mv_row'), ref('mv_t')), cat(ref('fr_row'), ref('fr_t'))),
      ),
    ),
  );
  items.push(
    assign('x_data', cond(inState(SA_STATES.gather), ref('g_line'), cond(inState(SA_STATES.move), ref('act_line'), ref('dram_rd_data')))),
  );
  // Weight and quantisation copy of layer ly, during every input phase.
  const loading = or(inState(SA_STATES.gather), inState(SA_STATES.move), inState(SA_STATES.spill), inState(SA_STATES.fill));
  items.push(wire('w_en', 1), assign('w_en', and(loading, not(ref('wdone')))));
  items.push(wire('q_en', 1), assign('q_en', and(loading, not(ref('qdone')))));
  items.push(
    instance(matrixUnitName(p.matrix), 'matrix', {
      clk: 'clk',
      rst: 'rst',
      ld_x_en: 'x_en',
      ld_x_addr: 'x_addr',
      ld_x_data: 'x_data',
      ld_w_en: 'w_en',
      ld_w_addr: cat(ref('wo'), ref('wt'), ref('wr')),
      ld_w_data: idx('wbuf', cat(ref('ly'), ref('wo'), ref('wt'), ref('wr'))),
      ld_q_en: 'q_en',
      ld_q_addr: 'qc',
      ld_bias: idx('bbuf', cat(ref('ly'), ref('qc'))),
      ld_mult: idx('mbuf', cat(ref('ly'), ref('qc'))),
      ld_shift: idx('sbuf', cat(ref('ly'), ref('qc'))),
      start: 'mx_start',
      rows: lit(MK, RW + 1),
      in_tiles_m1: 'lin_m1',
      out_tiles_m1: 'lout_m1',
      zp: slice(idx('zbuf', ref('ly')), 7, 0),
      act_min: slice(idx('zbuf', ref('ly')), 15, 8),
      busy: 'mx_busy',
      done: 'mx_done',
      out_v: 'mx_v',
      out_row: 'mx_row',
      out_q: 'mx_q',
      out_o: 'mx_o',
    }),
  );
  // Activation buffer (one byte lane per array column) and max-pool (one pool column per array column).
  const lastLayer = eq(ref('ly'), lit(L - 1, LB));
  items.push(assign('dr_addr', cat(slice('dr_c', CW - 1, 0), ref('dr_o'))));
  const outParts: Expr[] = [];
  const actParts: Expr[] = [];
  for (let c = MC - 1; c >= 0; c--) outParts.push(idx(`pool_${c}`, ref('dr_addr')));
  for (let c = MR - 1; c >= 0; c--) actParts.push(L > 1 ? idx(`act_${c}`, cat(ref('mv_row'), ref('mv_t'))) : lit(0, 8));
  items.push(assign('act_line', cat(...actParts)));
  for (let c = 0; c < MC; c++) {
    const row = `mrow_${c}`;
    const q = `mq_${c}`;
    items.push(mem(`pool_${c}`, 8, PD));
    if (L > 1) items.push(mem(`act_${c}`, 8, 2 ** (RW + TW)));
    items.push(wire(row, RW), assign(row, partsel('mx_row', lit(c * RW, 32), RW)));
    items.push(wire(q, 8), assign(q, partsel('mx_q', lit(c * 8, 32), 8)));
    items.push(wire(`pa_${c}`, CW + OW), assign(`pa_${c}`, cat(slice(row, KL + CW - 1, KL), ref('mx_o'))));
    const first = KL > 0 ? eq(slice(row, KL - 1, 0), lit(0, KL)) : lit(1, 1);
    const cur = idx(`pool_${c}`, ref(`pa_${c}`));
    const outV = and(inState(SA_STATES.mlp), idx('mx_v', lit(c, 32)));
    const body: Stmt[] = [ifs(and(outV, lastLayer), [ifs(bin('||', first, bin('>', signed(ref(q)), signed(cur))), [nb(cur, ref(q))])])];
    if (L > 1) body.push(ifs(and(outV, not(lastLayer)), [nb(idx(`act_${c}`, cat(ref(row), ref('mx_o'))), ref(q))]));
    items.push(alwaysFF('clk', body));
  }
  items.push(
    alwaysFF('clk', [
      nb('out_data', cat(...outParts)),
      ifs(ref('w_ld_en'), [nb(idx('wbuf', ref('w_ld_addr')), ref('w_ld_data'))]),
      ifs(ref('q_ld_en'), [
        nb(idx('bbuf', ref('q_ld_addr')), ref('q_ld_bias')),
        nb(idx('mbuf', ref('q_ld_addr')), ref('q_ld_mult')),
        nb(idx('sbuf', ref('q_ld_addr')), ref('q_ld_shift')),
        nb(idx('zbuf', slice('q_ld_addr', LB + OW - 1, OW)), ref('q_ld_zp')),
      ]),
    ]),
  );
  // DRAM port of the unfused path: spill the activation buffer, then read it back (responses in order).
  const canIssue = eq(ref('gap'), lit(0, GPB));
  items.push(assign('dram_wr_en', and(inState(SA_STATES.spill), not(ref('mv_done')), canIssue)));
  items.push(assign('dram_rd_en', and(inState(SA_STATES.fill), not(ref('mv_done')), canIssue)));
  items.push(assign('dram_addr', cat(ref('mv_row'), ref('mv_t'))));
  items.push(assign('dram_wr_data', ref('act_line')));
  items.push(assign('busy', bin('!=', ref('state'), st(SA_STATES.idle))));

  const lastRow = lit(MK - 1, RW);
  /** Step a (row, tile) walk over the M*K rows and the layer's input tiles; `done` when it passes the end. */
  const step = (rowR: string, tR: string, done: string): Stmt =>
    ifs(
      eq(ref(tR), ref('lin_m1')),
      [nb(tR, lit(0, TW)), nb(rowR, add(ref(rowR), lit(1, RW))), ifs(eq(ref(rowR), lastRow), [nb(done, lit(1, 1))])],
      [nb(tR, add(ref(tR), lit(1, TW)))],
    );
  const copyStep: Stmt[] = [
    ifs(ref('w_en'), [
      ifs(
        eq(ref('wr'), lit(MR - 1, KW)),
        [
          nb('wr', lit(0, KW)),
          ifs(
            eq(ref('wt'), ref('lin_m1')),
            [nb('wt', lit(0, TW)), nb('wo', add(ref('wo'), lit(1, OW))), ifs(eq(ref('wo'), ref('lout_m1')), [nb('wdone', lit(1, 1))])],
            [nb('wt', add(ref('wt'), lit(1, TW)))],
          ),
        ],
        [nb('wr', add(ref('wr'), lit(1, KW)))],
      ),
    ]),
    ifs(ref('q_en'), [nb('qc', add(ref('qc'), lit(1, OW))), ifs(eq(ref('qc'), ref('lout_m1')), [nb('qdone', lit(1, 1))])]),
  ];
  const startCopy: Stmt[] = [
    nb('wo', lit(0, OW)),
    nb('wt', lit(0, TW)),
    nb('wr', lit(0, KW)),
    nb('wdone', lit(0, 1)),
    nb('qc', lit(0, OW)),
    nb('qdone', lit(0, 1)),
  ];
  const startWalk: Stmt[] = [nb('mv_row', lit(0, RW)), nb('mv_t', lit(0, TW)), nb('mv_done', lit(0, 1)), nb('gap', lit(0, GPB))];
  const copied = and(ref('wdone'), ref('qdone'));
  const toMlp: Stmt[] = [nb('mx_start', lit(1, 1)), nb('state', st(SA_STATES.mlp))];
  const paced = (doneFlag: string): Stmt[] => [
    ifs(and(not(ref(doneFlag)), canIssue), [step('mv_row', 'mv_t', doneFlag), ...(LC > 1 ? [nb('gap', lit(LC - 1, GPB))] : [])]),
    ...(LC > 1 ? [ifs(not(canIssue), [nb('gap', bin('-', ref('gap'), lit(1, GPB)))])] : []),
  ];
  const body: Stmt[] = [
    nb('ps_start', lit(0, 1)),
    nb('mx_start', lit(0, 1)),
    nb('done', lit(0, 1)),
    nb('ctr_valid', lit(0, 1)),
    nb('out_valid', lit(0, 1)),
    {
      kind: 'case',
      expr: ref('state'),
      items: [
        {
          labels: [st(SA_STATES.idle)],
          body: [
            ifs(ref('start'), [
              nb('ps_start', lit(1, 1)),
              nb('ps_op', lit(OP_CODE.fps, 2)),
              nb('ly', lit(0, LB)),
              nb('state', st(SA_STATES.fps)),
            ]),
          ],
        },
        {
          labels: [st(SA_STATES.fps)],
          body: [
            ifs(ref('ps_valid'), [nb('ctr_valid', lit(1, 1)), nb('ctr_idx', slice('ps_idx', IW - 1, 0))]),
            ifs(and(ref('ps_done'), not(ref('ps_start'))), [
              nb('ps_start', lit(1, 1)),
              nb('ps_op', lit(OP_CODE.ball_query_pointnet2, 2)),
              nb('nbr_n', lit(0, MB)),
              nb('state', st(SA_STATES.ball)),
            ]),
          ],
        },
        {
          labels: [st(SA_STATES.ball)],
          body: [
            ifs(ref('ps_valid'), [
              nb(idx('nbr', slice('nbr_n', CW - 1, 0)), slice('ps_idx', p.k * IW - 1, 0)),
              nb('nbr_n', add(ref('nbr_n'), lit(1, MB))),
            ]),
            ifs(and(ref('ps_done'), not(ref('ps_start'))), [
              nb('sent', lit(0, GW)),
              nb('got', lit(0, GW)),
              nb('g_done', lit(0, 1)),
              ...startCopy,
              nb('state', st(SA_STATES.gather)),
            ]),
          ],
        },
        {
          labels: [st(SA_STATES.gather)],
          body: [
            ...copyStep,
            ifs(and(ref('g_req_valid'), ref('g_req_ready')), [nb('sent', add(ref('sent'), lit(1, GW)))]),
            ifs(ref('g_resp_valid'), [
              nb('got', add(ref('got'), lit(1, GW))),
              ifs(eq(ref('got'), lit(MK - 1, GW)), [nb('g_done', lit(1, 1))]),
            ]),
            ifs(and(ref('g_done'), copied), toMlp),
          ],
        },
        {
          labels: [st(SA_STATES.move)],
          body: [...copyStep, ifs(not(ref('mv_done')), [step('mv_row', 'mv_t', 'mv_done')]), ifs(and(ref('mv_done'), copied), toMlp)],
        },
        {
          labels: [st(SA_STATES.spill)],
          body: [
            ...copyStep,
            ...paced('mv_done'),
            ifs(ref('mv_done'), [
              ...startWalk,
              nb('fr_row', lit(0, RW)),
              nb('fr_t', lit(0, TW)),
              nb('fr_done', lit(0, 1)),
              nb('state', st(SA_STATES.fill)),
            ]),
          ],
        },
        {
          labels: [st(SA_STATES.fill)],
          body: [
            ...copyStep,
            ...paced('mv_done'),
            ifs(ref('dram_rd_valid'), [step('fr_row', 'fr_t', 'fr_done')]),
            ifs(and(ref('fr_done'), copied), toMlp),
          ],
        },
        {
          labels: [st(SA_STATES.mlp)],
          body: [
            ifs(and(ref('mx_done'), not(ref('mx_start'))), [
              ifs(
                lastLayer,
                [nb('dr_c', lit(0, MB)), nb('dr_o', lit(0, OW)), nb('state', st(SA_STATES.drain))],
                [
                  nb('ly', add(ref('ly'), lit(1, LB))),
                  ...startCopy,
                  ...startWalk,
                  nb('state', st(p.fusion ? SA_STATES.move : SA_STATES.spill)),
                ],
              ),
            ]),
          ],
        },
        {
          labels: [st(SA_STATES.drain)],
          body: [
            nb('out_valid', lit(1, 1)),
            nb('out_center', slice('dr_c', CW - 1, 0)),
            nb('out_tile', ref('dr_o')),
            ifs(
              eq(ref('dr_o'), ref('lout_m1')),
              [
                nb('dr_o', lit(0, OW)),
                nb('dr_c', add(ref('dr_c'), lit(1, MB))),
                ifs(eq(ref('dr_c'), lit(M - 1, MB)), [nb('state', st(SA_STATES.done))]),
              ],
              [nb('dr_o', add(ref('dr_o'), lit(1, OW)))],
            ),
          ],
        },
      ],
      default: [nb('done', lit(1, 1)), nb('state', st(SA_STATES.idle))],
    },
  ];
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [
          nb('state', st(SA_STATES.idle)),
          nb('ps_start', lit(0, 1)),
          nb('mx_start', lit(0, 1)),
          nb('done', lit(0, 1)),
          nb('ctr_valid', lit(0, 1)),
          nb('out_valid', lit(0, 1)),
        ],
        body,
      ),
    ]),
  );
  const top: Module = {
    name: saLayerTopName(p),
    comment: [
      `PointAcc set-abstraction layer: FPS (${M} centers) -> ball query (K = ${p.k}) -> gather through the cache -> ${L}-layer shared MLP on the ${MR}x${MC} array (${p.fusion ? 'fused' : 'intermediates through DRAM'}) -> max-pool.`,
      'One start runs the whole layer; pooled features stream out one center x output tile per cycle.',
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('pt_ld_en'),
      input('pt_ld_row', s.rowBits),
      input('pt_ld_data', p.search.lanes * s.pointBits),
      input('ft_ld_en'),
      input('ft_ld_addr', IW),
      input('ft_ld_data', 8 * GB),
      input('w_ld_en'),
      input('w_ld_addr', LB + OW + TW + KW),
      input('w_ld_data', MC * 8),
      input('q_ld_en'),
      input('q_ld_addr', LB + OW),
      input('q_ld_bias', MC * 32),
      input('q_ld_mult', MC * 32),
      input('q_ld_shift', MC * 6),
      input('q_ld_zp', 16),
      input('n', IW + 1),
      input('r2', s.distBits),
      input('start'),
      output('dram_wr_en'),
      output('dram_rd_en'),
      output('dram_addr', RW + TW),
      output('dram_wr_data', 8 * MR),
      input('dram_rd_valid'),
      input('dram_rd_data', 8 * MR),
      output('busy'),
      output('done', 1, false, 'reg'),
      output('ctr_valid', 1, false, 'reg'),
      output('ctr_idx', IW, false, 'reg'),
      output('out_valid', 1, false, 'reg'),
      output('out_center', CW, false, 'reg'),
      output('out_tile', OW, false, 'reg'),
      output('out_data', MC * 8, false, 'reg'),
      output('hits', 32),
      output('misses', 32),
    ],
    items,
  };
  return [top, ...pointSearchModules(p.search), ...gatherCacheModules(p.gather), ...matrixUnitModules(p.matrix)];
}
