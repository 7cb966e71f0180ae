// The PointAcc accelerator as one top for a sparse-convolution layer (MinkowskiNet style):
// kernel mapper -> per kernel offset gather (through the cache) -> matrix unit -> scatter-
// accumulate into int32 output accumulators -> requantise, with a sequencer and on-chip buffers.
//
// Sequence (one `start`): the kernel mapper writes its (in, out, offset) pairs, grouped by offset
// and sorted by out, into the pair buffer while the sequencer clears the accumulators; then per
// run of pairs with one offset d, the gather unit fetches the inputs' feature rows into the matrix
// unit's activation buffer while W_d is copied from the weight buffer into the array's weight
// memory; the matrix unit's raw int32 sums are added into acc[out] (at most one pair per output
// and offset, so one read-modify-write per column and cycle). Last, every output row is
// requantised with its bias and streamed out on out_* (one voxel x output tile per cycle).
import {
  type Item, type Module, type Stmt, type Expr, alwaysFF, assign, bin, cat, eq, idx, ifs, input, lit, mem, nb, output,
  partsel, ref, reg, slice, add, and, not, comment, clog2,
} from '../verilog/index.ts';
import { kernelMapperModules, kernelMapperName, type KernelMapperParams } from './kernel-mapper.ts';
import { gatherCacheModules, gatherCacheName, type GatherCacheParams } from './gather-cache.ts';
import { REQUANT_NAME, matrixUnitModules, matrixUnitName, type MatrixUnitParams } from './matrix-unit.ts';

export interface SparseConvTopParams {
  mapper: KernelMapperParams;
  gather: GatherCacheParams;
  /** Must have accOut: the raw sums are scatter-accumulated. */
  matrix: MatrixUnitParams;
  /** Pair buffer depth (power of two >= the layer's pairs). */
  maxPairs: number;
  outTiles: number;
}

export const SC_STATES = { idle: 0, map: 1, group: 2, mlp: 3, drain: 4, done: 5 } as const;

export function sparseConvTopName(p: SparseConvTopParams): string {
  return `pointacc_sparse_conv_k${p.mapper.kernel}_w${p.mapper.lanes}_n${p.mapper.maxPoints}_p${p.maxPairs}_${p.matrix.rows}x${p.matrix.cols}_o${p.outTiles}`;
}

const wire_ = (name: string, width: number): Item => ({ kind: 'decl', net: 'wire', name, width });
const zext = (e: Expr, from: number, to: number): Expr => (to > from ? cat(lit(0, to - from), e) : e);

export function sparseConvTopModules(p: SparseConvTopParams): Module[] {
  const IW = Math.log2(p.mapper.maxPoints);
  if (2 ** IW !== p.gather.maxRows) throw new Error('the gather table and the voxel memories must have the same depth');
  if (!p.matrix.accOut) throw new Error('the sparse-conv top needs the matrix unit with raw sums (accOut)');
  const C = p.mapper.coordBits;
  const volume = p.mapper.kernel ** 3;
  const OFB = clog2(volume);
  const PB = Math.log2(p.maxPairs);
  if (!Number.isInteger(PB) || PB < 1) throw new Error('pair buffer depth must be a power of two >= 2');
  const MR = p.matrix.rows;
  const MC = p.matrix.cols;
  const KW = Math.log2(MR);
  if (!Number.isInteger(KW) || KW < 1) throw new Error('the sparse-conv top needs a power-of-two number of array rows');
  const GB = p.gather.rowBytes;
  const RW = Math.log2(p.matrix.maxRows);
  const TW = Math.log2(p.matrix.maxInTiles);
  const OW = Math.log2(p.matrix.maxOutTiles);
  const AB = IW + OW; // accumulator address {out voxel, output tile}
  const WCB = OW + KW + 1; // weight-copy counter
  const SW = 3;
  const st = (v: number) => lit(v, SW);
  const inState = (v: number) => eq(ref('state'), st(v));
  const items: Item[] = [
    reg('state', SW),
    reg('km_start', 1),
    reg('mx_start', 1),
    wire_('km_busy', 1),
    wire_('km_done', 1),
    wire_('kp_valid', 1),
    wire_('kp_in', IW),
    wire_('kp_out', IW),
    wire_('kp_off', OFB),
    mem('pin', IW, p.maxPairs),
    mem('pout', IW, p.maxPairs),
    mem('poff', OFB, p.maxPairs),
    reg('np', PB + 1),
    reg('clr', AB + 1),
    reg('km_seen', 1),
    reg('gbase', PB + 1),
    reg('sent', PB + 1),
    reg('got', RW + 1),
    reg('rows_g', RW + 1),
    reg('d_cur', OFB),
    reg('wc', WCB),
    mem('wbuf', MC * 8, 2 ** (OFB + OW + KW)),
    mem('bbuf', MC * 32, 2 ** OW),
    mem('mbuf', MC * 32, 2 ** OW),
    mem('sbuf', MC * 6, 2 ** OW),
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
    wire_('mx_acc', MC * 32),
    reg('dr_j', IW + 1),
    reg('dr_o', OW),
    wire_('dr_addr', AB),
  ];
  items.push(
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire_('unused_ok', 1),
    assign('unused_ok', and(ref('km_busy'), ref('mx_busy'), eq(ref('g_resp_idx'), ref('g_resp_idx')), eq(ref('mx_q'), ref('mx_q')))),
    comment('verilator lint_on UNUSEDSIGNAL'),
  );
  items.push({
    kind: 'instance',
    module: kernelMapperName(p.mapper),
    name: 'mapper',
    params: [],
    conns: [
      { port: 'clk', expr: ref('clk') },
      { port: 'rst', expr: ref('rst') },
      { port: 'ld_in_en', expr: ref('km_ld_in_en') },
      { port: 'ld_out_en', expr: ref('km_ld_out_en') },
      { port: 'ld_addr', expr: ref('km_ld_addr') },
      { port: 'ld_xyz', expr: ref('km_ld_xyz') },
      { port: 'start', expr: ref('km_start') },
      { port: 'n_in', expr: ref('n_in') },
      { port: 'n_out', expr: ref('n_out') },
      { port: 'busy', expr: ref('km_busy') },
      { port: 'done', expr: ref('km_done') },
      { port: 'pair_valid', expr: ref('kp_valid') },
      { port: 'pair_in', expr: ref('kp_in') },
      { port: 'pair_out', expr: ref('kp_out') },
      { port: 'pair_off', expr: ref('kp_off') },
    ],
  });
  // Gather: the pairs of the current offset, in order.
  const sentAddr = slice('sent', PB - 1, 0);
  items.push(wire_('in_group', 1), assign('in_group', and(bin('<', ref('sent'), ref('np')), eq(idx('poff', sentAddr), ref('d_cur')))));
  items.push(assign('g_req_valid', and(inState(SC_STATES.group), ref('in_group'))));
  items.push(assign('g_req_idx', idx('pin', sentAddr)));
  items.push(wire_('issued', PB + 1), assign('issued', bin('-', ref('sent'), ref('gbase'))));
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
  // Activations from the gather unit; W_d from the weight buffer, one line per cycle.
  if (GB >= MR) items.push(assign('x_data', slice('g_resp_data', 8 * MR - 1, 0)));
  else items.push(assign('x_data', cat(lit(0, 8 * (MR - GB)), ref('g_resp_data'))));
  items.push(wire_('x_en', 1), assign('x_en', and(inState(SC_STATES.group), ref('g_resp_valid'))));
  items.push(wire_('x_addr', RW + TW), assign('x_addr', cat(slice('got', RW - 1, 0), lit(0, TW))));
  const wcTotal = p.outTiles * MR;
  items.push(wire_('wc_busy', 1), assign('wc_busy', and(inState(SC_STATES.group), bin('<', ref('wc'), lit(wcTotal, WCB)))));
  items.push(wire_('w_addr', OW + TW + KW), assign('w_addr', cat(slice('wc', OW + KW - 1, KW), lit(0, TW), slice('wc', KW - 1, 0))));
  items.push(wire_('w_data', MC * 8), assign('w_data', idx('wbuf', cat(ref('d_cur'), slice('wc', OW + KW - 1, 0)))));
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
      { port: 'ld_w_en', expr: ref('wc_busy') },
      { port: 'ld_w_addr', expr: ref('w_addr') },
      { port: 'ld_w_data', expr: ref('w_data') },
      // The array adds no bias (the sums are partial); the requantiser's inputs are kept defined.
      { port: 'ld_q_en', expr: ref('q_ld_en') },
      { port: 'ld_q_addr', expr: ref('q_ld_addr') },
      { port: 'ld_bias', expr: lit(0, MC * 32) },
      { port: 'ld_mult', expr: ref('q_ld_mult') },
      { port: 'ld_shift', expr: ref('q_ld_shift') },
      { port: 'start', expr: ref('mx_start') },
      { port: 'rows', expr: ref('rows_g') },
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
      { port: 'out_acc', expr: ref('mx_acc') },
    ],
  });
  // Scatter-accumulate per column; drain through one requantiser per column.
  items.push(assign('dr_addr', cat(slice('dr_j', IW - 1, 0), ref('dr_o'))));
  const outParts: Expr[] = [];
  for (let c = MC - 1; c >= 0; c--) outParts.push(ref(`q_${c}`));
  for (let c = 0; c < MC; c++) {
    const pi = `pidx_${c}`;
    items.push(mem(`acc_${c}`, 32, 2 ** AB));
    items.push(wire_(pi, PB), assign(pi, add(slice('gbase', PB - 1, 0), zext(partsel('mx_row', lit(c * RW, 32), RW), RW, PB))));
    items.push(wire_(`sa_${c}`, AB), assign(`sa_${c}`, cat(idx('pout', ref(pi)), ref('mx_o'))));
    const cur = idx(`acc_${c}`, ref(`sa_${c}`));
    items.push(wire_(`dsum_${c}`, 32), assign(`dsum_${c}`, add(idx(`acc_${c}`, ref('dr_addr')), partsel(idx('bbuf', ref('dr_o')), lit(c * 32, 32), 32))));
    items.push(wire_(`q_${c}`, 8));
    items.push({
      kind: 'instance',
      module: REQUANT_NAME,
      name: `rq_${c}`,
      params: [],
      conns: [
        { port: 'acc', expr: ref(`dsum_${c}`) },
        { port: 'mult', expr: partsel(idx('mbuf', ref('dr_o')), lit(c * 32, 32), 32) },
        { port: 'shift', expr: partsel(idx('sbuf', ref('dr_o')), lit(c * 6, 32), 6) },
        { port: 'zp', expr: ref('zp') },
        { port: 'act_min', expr: ref('act_min') },
        { port: 'q', expr: ref(`q_${c}`) },
      ],
    });
    items.push(
      alwaysFF('clk', [
        ifs(and(inState(SC_STATES.map), bin('<', ref('clr'), lit(2 ** AB, AB + 1))), [nb(idx(`acc_${c}`, slice('clr', AB - 1, 0)), lit(0, 32))]),
        ifs(and(inState(SC_STATES.mlp), idx('mx_v', lit(c, 32))), [nb(cur, add(cur, partsel('mx_acc', lit(c * 32, 32), 32)))]),
      ]),
    );
  }
  items.push(
    alwaysFF('clk', [
      nb('out_data', cat(...outParts)),
      ifs(ref('wb_ld_en'), [nb(idx('wbuf', ref('wb_ld_addr')), ref('wb_ld_data'))]),
      ifs(ref('q_ld_en'), [nb(idx('bbuf', ref('q_ld_addr')), ref('q_ld_bias')), nb(idx('mbuf', ref('q_ld_addr')), ref('q_ld_mult')), nb(idx('sbuf', ref('q_ld_addr')), ref('q_ld_shift'))]),
      ifs(and(inState(SC_STATES.map), ref('kp_valid')), [
        nb(idx('pin', slice('np', PB - 1, 0)), ref('kp_in')),
        nb(idx('pout', slice('np', PB - 1, 0)), ref('kp_out')),
        nb(idx('poff', slice('np', PB - 1, 0)), ref('kp_off')),
      ]),
    ]),
  );
  const startGroup = (at: Expr, atAddr: Expr): Stmt[] => [nb('gbase', at), nb('sent', at), nb('d_cur', idx('poff', atAddr)), nb('got', lit(0, RW + 1)), nb('wc', lit(0, WCB))];
  const toDrain: Stmt[] = [nb('dr_j', lit(0, IW + 1)), nb('dr_o', lit(0, OW)), nb('state', st(SC_STATES.drain))];
  const body: Stmt[] = [
    nb('km_start', lit(0, 1)),
    nb('mx_start', lit(0, 1)),
    nb('done', lit(0, 1)),
    nb('out_valid', lit(0, 1)),
    {
      kind: 'case',
      expr: ref('state'),
      items: [
        { labels: [st(SC_STATES.idle)], body: [ifs(ref('start'), [nb('km_start', lit(1, 1)), nb('np', lit(0, PB + 1)), nb('clr', lit(0, AB + 1)), nb('km_seen', lit(0, 1)), nb('state', st(SC_STATES.map))])] },
        {
          labels: [st(SC_STATES.map)],
          body: [
            ifs(ref('kp_valid'), [nb('np', add(ref('np'), lit(1, PB + 1)))]),
            ifs(bin('<', ref('clr'), lit(2 ** AB, AB + 1)), [nb('clr', add(ref('clr'), lit(1, AB + 1)))]),
            ifs(and(ref('km_done'), not(ref('km_start'))), [nb('km_seen', lit(1, 1))]),
            ifs(and(ref('km_seen'), eq(ref('clr'), lit(2 ** AB, AB + 1))), [ifs(eq(ref('np'), lit(0, PB + 1)), toDrain, [...startGroup(lit(0, PB + 1), lit(0, PB)), nb('state', st(SC_STATES.group))])]),
          ],
        },
        {
          labels: [st(SC_STATES.group)],
          body: [
            ifs(and(ref('g_req_valid'), ref('g_req_ready')), [nb('sent', add(ref('sent'), lit(1, PB + 1)))]),
            ifs(ref('g_resp_valid'), [nb('got', add(ref('got'), lit(1, RW + 1)))]),
            ifs(ref('wc_busy'), [nb('wc', add(ref('wc'), lit(1, WCB)))]),
            ifs(and(not(ref('in_group')), not(ref('wc_busy')), eq(zext(ref('got'), RW + 1, Math.max(RW + 1, PB + 1)), zext(ref('issued'), PB + 1, Math.max(RW + 1, PB + 1)))), [
              nb('rows_g', ref('got')),
              nb('mx_start', lit(1, 1)),
              nb('state', st(SC_STATES.mlp)),
            ]),
          ],
        },
        {
          labels: [st(SC_STATES.mlp)],
          body: [
            ifs(and(ref('mx_done'), not(ref('mx_start'))), [
              ifs(eq(ref('sent'), ref('np')), toDrain, [...startGroup(ref('sent'), slice('sent', PB - 1, 0)), nb('state', st(SC_STATES.group))]),
            ]),
          ],
        },
        {
          labels: [st(SC_STATES.drain)],
          body: [
            nb('out_valid', lit(1, 1)),
            nb('out_index', slice('dr_j', IW - 1, 0)),
            nb('out_tile', ref('dr_o')),
            ifs(
              eq(ref('dr_o'), lit(p.outTiles - 1, OW)),
              [nb('dr_o', lit(0, OW)), nb('dr_j', add(ref('dr_j'), lit(1, IW + 1))), ifs(eq(add(ref('dr_j'), lit(1, IW + 1)), ref('n_out')), [nb('state', st(SC_STATES.done))])],
              [nb('dr_o', add(ref('dr_o'), lit(1, OW)))],
            ),
          ],
        },
      ],
      default: [nb('done', lit(1, 1)), nb('state', st(SC_STATES.idle))],
    },
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), [nb('state', st(SC_STATES.idle)), nb('km_start', lit(0, 1)), nb('mx_start', lit(0, 1)), nb('done', lit(0, 1)), nb('out_valid', lit(0, 1))], body)]));
  items.push(assign('busy', bin('!=', ref('state'), st(SC_STATES.idle))));
  const top: Module = {
    name: sparseConvTopName(p),
    comment: [
      `PointAcc sparse-conv layer: kernel map (k = ${p.mapper.kernel}) -> per-offset gather through the cache and weight copy -> ${MR}x${MC} matrix unit -> scatter-accumulate -> requantise.`,
      'One start runs the whole layer; output voxels stream out one voxel x output tile per cycle.',
    ],
    params: [],
    ports: [
      input('clk'),
      input('rst'),
      input('km_ld_in_en'),
      input('km_ld_out_en'),
      input('km_ld_addr', IW),
      input('km_ld_xyz', 3 * C),
      input('ft_ld_en'),
      input('ft_ld_addr', IW),
      input('ft_ld_data', 8 * GB),
      input('wb_ld_en'),
      input('wb_ld_addr', OFB + OW + KW),
      input('wb_ld_data', MC * 8),
      input('q_ld_en'),
      input('q_ld_addr', OW),
      input('q_ld_bias', MC * 32),
      input('q_ld_mult', MC * 32),
      input('q_ld_shift', MC * 6),
      input('n_in', IW + 1),
      input('n_out', IW + 1),
      input('zp', 8),
      input('act_min', 8),
      input('start'),
      output('busy'),
      output('done', 1, false, 'reg'),
      output('out_valid', 1, false, 'reg'),
      output('out_index', IW, false, 'reg'),
      output('out_tile', OW, false, 'reg'),
      output('out_data', MC * 8, false, 'reg'),
      output('hits', 32),
      output('misses', 32),
    ],
    items,
  };
  return [top, ...kernelMapperModules(p.mapper), ...gatherCacheModules(p.gather), ...matrixUnitModules(p.matrix)];
}
