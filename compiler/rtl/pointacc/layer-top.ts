// The PointAcc accelerator as one top for a PointNet++ set-abstraction layer: the point-search
// (mapping) unit, the gather unit with its cache, the matrix unit and a max-pool reduce stage,
// with a sequencer and the on-chip buffers between them (center list, neighbour table, pool).
//
// Sequence (one `start`): FPS picks M centers (streamed out on ctr_*), the ball query writes one
// K-wide neighbour row per center into the neighbour buffer, the gather unit fetches the M*K
// feature rows through the cache straight into the matrix unit's activation buffer, the matrix
// unit runs the shared MLP and every output is max-reduced per center into the pool buffer,
// which is streamed out on out_* (one center x output tile per cycle). Points, features and
// weights arrive from the bench's DRAM model on the ld_* ports before `start`.
import {
  type Item, type Module, type Stmt, alwaysFF, assign, bin, cat, cond, eq, idx, ifs, input, lit, mem, nb, output,
  partsel, ref, reg, slice, add, and, comment, signed, clog2,
} from '../verilog/index.ts';
import { OP_CODE, pointSearchModules, pointSearchName, pointSearchShape, type PointSearchParams } from './point-search.ts';
import { gatherCacheModules, gatherCacheName, type GatherCacheParams } from './gather-cache.ts';
import { matrixUnitModules, matrixUnitName, type MatrixUnitParams } from './matrix-unit.ts';

export interface SaLayerTopParams {
  search: PointSearchParams;
  gather: GatherCacheParams;
  matrix: MatrixUnitParams;
  /** Centers M and neighbours per center K (a power of two: the pool stage finds the center as row >> log2 K). */
  centers: number;
  k: number;
  /** Output tiles of the shared MLP (ceil(cout / array columns)). */
  outTiles: number;
}

/** Sequencer states, in order; the model (compiler/pointacc/layer-cycles.ts) counts the same phases. */
export const SA_STATES = { idle: 0, fps: 1, ball: 2, gather: 3, mlp: 4, drain: 5, done: 6 } as const;

export function saLayerTopName(p: SaLayerTopParams): string {
  return `pointacc_sa_layer_m${p.centers}_k${p.k}_${pointSearchName(p.search).replace('pointacc_', '')}_${p.matrix.rows}x${p.matrix.cols}`;
}

const wire_ = (name: string, width: number): Item => ({ kind: 'decl', net: 'wire', name, width });

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
  const GB = p.gather.rowBytes;
  const RW = Math.log2(p.matrix.maxRows);
  const TW = Math.log2(p.matrix.maxInTiles);
  const OW = Math.log2(p.matrix.maxOutTiles);
  const KW = Math.max(1, Math.ceil(Math.log2(MR)));
  const CW = clog2(M); // center address bits (neighbour and pool buffers)
  const MK = M * p.k;
  if (MK > p.matrix.maxRows) throw new Error('the activation buffer must hold M*K rows');
  const PD = 2 ** CW * p.matrix.maxOutTiles;
  const GW = RW + 1; // request / response counters count to M*K
  const SW = 3;
  const st = (v: number) => lit(v, SW);
  const inState = (v: number) => eq(ref('state'), st(v));
  const items: Item[] = [
    reg('state', SW),
    reg('ps_start', 1),
    reg('ps_op', 2),
    reg('mx_start', 1),
    wire_('ps_busy', 1),
    wire_('ps_done', 1),
    wire_('ps_valid', 1),
    wire_('ps_idx', B * IW),
    wire_('ps_count', s.kBits),
    mem('nbr', p.k * IW, 2 ** CW),
    reg('nbr_n', MB),
    reg('sent', GW),
    reg('got', GW),
    wire_('g_req_valid', 1),
    wire_('g_req_idx', IW),
    wire_('g_req_ready', 1),
    wire_('g_resp_valid', 1),
    wire_('g_resp_idx', IW),
    // A gathered row is a cache line (16-byte multiple); the activation line takes its first MR bytes.
    ...(GB > MR ? [comment('verilator lint_off UNUSEDSIGNAL'), wire_('g_resp_data', 8 * GB), comment('verilator lint_on UNUSEDSIGNAL')] : [wire_('g_resp_data', 8 * GB)]),
    wire_('x_data', 8 * MR),
    wire_('mx_busy', 1),
    wire_('mx_done', 1),
    wire_('mx_v', MC),
    wire_('mx_row', MC * RW),
    wire_('mx_q', MC * 8),
    wire_('mx_o', OW),
    reg('dr_c', MB),
    reg('dr_o', OW),
    wire_('dr_addr', CW + OW),
  ];
  items.push(comment('verilator lint_off UNUSEDSIGNAL'), wire_('unused_ok', 1), assign('unused_ok', and(ref('ps_busy'), ref('mx_busy'), eq(ref('g_resp_idx'), ref('g_resp_idx')), eq(ref('ps_count'), ref('ps_count')))), comment('verilator lint_on UNUSEDSIGNAL'));
  // The ball query's K-wide neighbour row of each center (the buffer's first K slots).
  items.push({
    kind: 'instance',
    module: pointSearchName(p.search),
    name: 'search',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'ld_en', expr: ref('pt_ld_en') },
      { port: 'ld_row', expr: ref('pt_ld_row') },
      { port: 'ld_data', expr: ref('pt_ld_data') },
      { port: 'start', expr: ref('ps_start') },
      { port: 'op', expr: ref('ps_op') },
      { port: 'n', expr: ref('n') },
      { port: 'm', expr: lit(M, IW + 1) },
      { port: 'k', expr: lit(p.k, s.kBits) },
      { port: 'r2', expr: ref('r2') },
      { port: 'busy', expr: ref('ps_busy') },
      { port: 'done', expr: ref('ps_done') },
      { port: 'out_valid', expr: ref('ps_valid') },
      { port: 'out_idx', expr: ref('ps_idx') },
      { port: 'out_count', expr: ref('ps_count') },
    ],
  });
  // Gather: request j*K+s reads neighbour s of center j.
  const sentCenter = slice('sent', KL + CW - 1, KL);
  const sentSlot = KL > 0 ? slice('sent', KL - 1, 0) : lit(0, 1);
  items.push(wire_('nbr_row', p.k * IW), assign('nbr_row', idx('nbr', sentCenter)));
  items.push(assign('g_req_valid', and(inState(SA_STATES.gather), bin('<', ref('sent'), lit(MK, GW)))));
  items.push(assign('g_req_idx', partsel('nbr_row', bin('*', sentSlot, lit(IW, clog2(p.k * IW))), IW)));
  items.push({
    kind: 'instance',
    module: gatherCacheName(p.gather),
    name: 'gather',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'ld_en', expr: ref('ft_ld_en') },
      { port: 'ld_addr', expr: ref('ft_ld_addr') },
      { port: 'ld_data', expr: ref('ft_ld_data') },
      { port: 'req_valid', expr: ref('g_req_valid') },
      { port: 'req_idx', expr: ref('g_req_idx') },
      { port: 'req_ready', expr: ref('g_req_ready') },
      { port: 'resp_valid', expr: ref('g_resp_valid') },
      { port: 'resp_idx', expr: ref('g_resp_idx') },
      { port: 'resp_data', expr: ref('g_resp_data') },
      { port: 'hits', expr: ref('hits') },
      { port: 'misses', expr: ref('misses') },
    ],
  });
  // Gathered rows land in the matrix unit's activation buffer (row got, input tile 0); weights come from the bench.
  if (GB >= MR) items.push(assign('x_data', slice('g_resp_data', 8 * MR - 1, 0)));
  else items.push(assign('x_data', cat(lit(0, 8 * (MR - GB)), ref('g_resp_data'))));
  items.push(wire_('x_en', 1), assign('x_en', and(inState(SA_STATES.gather), ref('g_resp_valid'))));
  items.push(wire_('x_addr', RW + TW), assign('x_addr', cat(slice('got', RW - 1, 0), lit(0, TW))));
  items.push({
    kind: 'instance',
    module: matrixUnitName(p.matrix),
    name: 'matrix',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'ld_x_en', expr: ref('x_en') },
      { port: 'ld_x_addr', expr: ref('x_addr') },
      { port: 'ld_x_data', expr: ref('x_data') },
      { port: 'ld_w_en', expr: ref('w_ld_en') },
      { port: 'ld_w_addr', expr: ref('w_ld_addr') },
      { port: 'ld_w_data', expr: ref('w_ld_data') },
      { port: 'ld_q_en', expr: ref('q_ld_en') },
      { port: 'ld_q_addr', expr: ref('q_ld_addr') },
      { port: 'ld_bias', expr: ref('q_ld_bias') },
      { port: 'ld_mult', expr: ref('q_ld_mult') },
      { port: 'ld_shift', expr: ref('q_ld_shift') },
      { port: 'start', expr: ref('mx_start') },
      { port: 'rows', expr: lit(MK, RW + 1) },
      { port: 'in_tiles_m1', expr: lit(0, TW) },
      { port: 'out_tiles_m1', expr: lit(p.outTiles - 1, OW) },
      { port: 'zp', expr: ref('zp') },
      { port: 'act_min', expr: ref('act_min') },
      { port: 'busy', expr: ref('mx_busy') },
      { port: 'done', expr: ref('mx_done') },
      { port: 'out_v', expr: ref('mx_v') },
      { port: 'out_row', expr: ref('mx_row') },
      { port: 'out_q', expr: ref('mx_q') },
      { port: 'out_o', expr: ref('mx_o') },
    ],
  });
  // Max-pool reduce: one pool column per array column; the first neighbour of a center overwrites.
  items.push(assign('dr_addr', cat(slice('dr_c', CW - 1, 0), ref('dr_o'))));
  const outParts: ReturnType<typeof ref>[] = [];
  for (let c = MC - 1; c >= 0; c--) outParts.push(idx(`pool_${c}`, ref('dr_addr')));
  for (let c = 0; c < MC; c++) {
    const row = `mrow_${c}`;
    const q = `mq_${c}`;
    items.push(mem(`pool_${c}`, 8, PD));
    items.push(wire_(row, RW), assign(row, partsel('mx_row', lit(c * RW, 32), RW)));
    items.push(wire_(q, 8), assign(q, partsel('mx_q', lit(c * 8, 32), 8)));
    items.push(wire_(`pa_${c}`, CW + OW), assign(`pa_${c}`, cat(slice(row, KL + CW - 1, KL), ref('mx_o'))));
    const first = KL > 0 ? eq(slice(row, KL - 1, 0), lit(0, KL)) : lit(1, 1);
    const cur = idx(`pool_${c}`, ref(`pa_${c}`));
    items.push(
      alwaysFF('clk', [
        ifs(and(inState(SA_STATES.mlp), idx('mx_v', lit(c, 32))), [
          ifs(bin('||', first, bin('>', signed(ref(q)), signed(cur))), [nb(cur, ref(q))]),
        ]),
      ]),
    );
  }
  items.push(alwaysFF('clk', [nb('out_data', cat(...outParts))]));
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
        { labels: [st(SA_STATES.idle)], body: [ifs(ref('start'), [nb('ps_start', lit(1, 1)), nb('ps_op', lit(OP_CODE.fps, 2)), nb('state', st(SA_STATES.fps))])] },
        {
          labels: [st(SA_STATES.fps)],
          body: [
            ifs(ref('ps_valid'), [nb('ctr_valid', lit(1, 1)), nb('ctr_idx', slice('ps_idx', IW - 1, 0))]),
            ifs(and(ref('ps_done'), bin('==', ref('ps_start'), lit(0, 1))), [nb('ps_start', lit(1, 1)), nb('ps_op', lit(OP_CODE.ball_query_pointnet2, 2)), nb('nbr_n', lit(0, MB)), nb('state', st(SA_STATES.ball))]),
          ],
        },
        {
          labels: [st(SA_STATES.ball)],
          body: [
            ifs(ref('ps_valid'), [nb(idx('nbr', slice('nbr_n', CW - 1, 0)), slice('ps_idx', p.k * IW - 1, 0)), nb('nbr_n', add(ref('nbr_n'), lit(1, MB)))]),
            ifs(and(ref('ps_done'), bin('==', ref('ps_start'), lit(0, 1))), [nb('sent', lit(0, GW)), nb('got', lit(0, GW)), nb('state', st(SA_STATES.gather))]),
          ],
        },
        {
          labels: [st(SA_STATES.gather)],
          body: [
            ifs(and(ref('g_req_valid'), ref('g_req_ready')), [nb('sent', add(ref('sent'), lit(1, GW)))]),
            ifs(ref('g_resp_valid'), [nb('got', add(ref('got'), lit(1, GW)))]),
            ifs(and(ref('g_resp_valid'), eq(ref('got'), lit(MK - 1, GW))), [nb('mx_start', lit(1, 1)), nb('state', st(SA_STATES.mlp))]),
          ],
        },
        {
          labels: [st(SA_STATES.mlp)],
          body: [ifs(and(ref('mx_done'), bin('==', ref('mx_start'), lit(0, 1))), [nb('dr_c', lit(0, MB)), nb('dr_o', lit(0, OW)), nb('state', st(SA_STATES.drain))])],
        },
        {
          labels: [st(SA_STATES.drain)],
          body: [
            nb('out_valid', lit(1, 1)),
            nb('out_center', slice('dr_c', CW - 1, 0)),
            nb('out_tile', ref('dr_o')),
            ifs(
              eq(ref('dr_o'), lit(p.outTiles - 1, OW)),
              [nb('dr_o', lit(0, OW)), nb('dr_c', add(ref('dr_c'), lit(1, MB))), ifs(eq(ref('dr_c'), lit(M - 1, MB)), [nb('state', st(SA_STATES.done))])],
              [nb('dr_o', add(ref('dr_o'), lit(1, OW)))],
            ),
          ],
        },
      ],
      default: [nb('done', lit(1, 1)), nb('state', st(SA_STATES.idle))],
    },
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), [nb('state', st(SA_STATES.idle)), nb('ps_start', lit(0, 1)), nb('mx_start', lit(0, 1)), nb('done', lit(0, 1)), nb('ctr_valid', lit(0, 1)), nb('out_valid', lit(0, 1))], body)]));
  items.push(assign('busy', bin('!=', ref('state'), st(SA_STATES.idle))));
  const top: Module = {
    name: saLayerTopName(p),
    comment: [
      `PointAcc set-abstraction layer: FPS (${M} centers) -> ball query (K = ${p.k}) -> gather through the cache -> shared MLP on the ${MR}x${MC} array -> max-pool.`,
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
      input('w_ld_addr', OW + TW + KW),
      input('w_ld_data', MC * 8),
      input('q_ld_en'),
      input('q_ld_addr', OW),
      input('q_ld_bias', MC * 32),
      input('q_ld_mult', MC * 32),
      input('q_ld_shift', MC * 6),
      input('n', IW + 1),
      input('r2', s.distBits),
      input('zp', 8),
      input('act_min', 8),
      input('start'),
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
