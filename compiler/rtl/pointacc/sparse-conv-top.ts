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
  type Item,
  type Module,
  type Stmt,
  type Expr,
  alwaysFF,
  assign,
  bin,
  cat,
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
  not,
  comment,
  clog2,
} from '../verilog/index.ts';
import { kernelMapperModules, kernelMapperName, type KernelMapperParams } from './kernel-mapper.ts';
import { gatherCacheInstance, gatherCacheModules, type GatherCacheParams } from './gather-cache.ts';
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
    wire('km_busy', 1),
    wire('km_done', 1),
    wire('kp_valid', 1),
    wire('kp_in', IW),
    wire('kp_out', IW),
    wire('kp_off', OFB),
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
    wire('g_req_valid', 1),
    wire('g_req_idx', IW),
    wire('g_req_ready', 1),
    wire('g_resp_valid', 1),
    wire('g_resp_idx', IW),
    // A gathered row is a cache line (16-byte multiple); the activation line takes its first MR bytes.
    ...(GB > MR
      ? [comment('verilator lint_off UNUSEDSIGNAL'), wire('g_resp_data', 8 * GB), comment('verilator lint_on UNUSEDSIGNAL')]
      : [wire('g_resp_data', 8 * GB)]),
    wire('x_data', 8 * MR),
    wire('mx_busy', 1),
    wire('mx_done', 1),
    wire('mx_v', MC),
    wire('mx_row', MC * RW),
    wire('mx_q', MC * 8),
    wire('mx_o', OW),
    wire('mx_acc', MC * 32),
    reg('dr_j', IW + 1),
    reg('dr_o', OW),
    wire('dr_addr', AB),
  ];
  items.push(
    comment('verilator lint_off UNUSEDSIGNAL'),
    wire('unused_ok', 1),
    assign('unused_ok', and(ref('km_busy'), ref('mx_busy'), eq(ref('g_resp_idx'), ref('g_resp_idx')), eq(ref('mx_q'), ref('mx_q')))),
    comment('verilator lint_on UNUSEDSIGNAL'),
  );
  items.push(
    instance(kernelMapperName(p.mapper), 'mapper', {
      clk: 'clk',
      rst: 'rst',
      ld_in_en: 'km_ld_in_en',
      ld_out_en: 'km_ld_out_en',
      ld_addr: 'km_ld_addr',
      ld_xyz: 'km_ld_xyz',
      start: 'km_start',
      n_in: 'n_in',
      n_out: 'n_out',
      busy: 'km_busy',
      done: 'km_done',
      pair_valid: 'kp_valid',
      pair_in: 'kp_in',
      pair_out: 'kp_out',
      pair_off: 'kp_off',
    }),
  );
  // Gather: the pairs of the current offset, in order.
  const sentAddr = slice('sent', PB - 1, 0);
  items.push(wire('in_group', 1), assign('in_group', and(bin('<', ref('sent'), ref('np')), eq(idx('poff', sentAddr), ref('d_cur')))));
  items.push(assign('g_req_valid', and(inState(SC_STATES.group), ref('in_group'))));
  items.push(assign('g_req_idx', idx('pin', sentAddr)));
  items.push(wire('issued', PB + 1), assign('issued', bin('-', ref('sent'), ref('gbase'))));
  items.push(gatherCacheInstance(p.gather));
  // Activations from the gather unit; W_d from the weight buffer, one line per cycle.
  if (GB >= MR) items.push(assign('x_data', slice('g_resp_data', 8 * MR - 1, 0)));
  else items.push(assign('x_data', cat(lit(0, 8 * (MR - GB)), ref('g_resp_data'))));
  items.push(wire('x_en', 1), assign('x_en', and(inState(SC_STATES.group), ref('g_resp_valid'))));
  items.push(wire('x_addr', RW + TW), assign('x_addr', cat(slice('got', RW - 1, 0), lit(0, TW))));
  const wcTotal = p.outTiles * MR;
  items.push(wire('wc_busy', 1), assign('wc_busy', and(inState(SC_STATES.group), bin('<', ref('wc'), lit(wcTotal, WCB)))));
  items.push(wire('w_addr', OW + TW + KW), assign('w_addr', cat(slice('wc', OW + KW - 1, KW), lit(0, TW), slice('wc', KW - 1, 0))));
  items.push(wire('w_data', MC * 8), assign('w_data', idx('wbuf', cat(ref('d_cur'), slice('wc', OW + KW - 1, 0)))));
  items.push(
    instance(matrixUnitName(p.matrix), 'matrix', {
      clk: 'clk',
      rst: 'rst',
      ld_x_en: 'x_en',
      ld_x_addr: 'x_addr',
      ld_x_data: 'x_data',
      ld_w_en: 'wc_busy',
      ld_w_addr: 'w_addr',
      ld_w_data: 'w_data',
      // The array adds no bias (the sums are partial); the requantiser's inputs are kept defined.
      ld_q_en: 'q_ld_en',
      ld_q_addr: 'q_ld_addr',
      ld_bias: lit(0, MC * 32),
      ld_mult: 'q_ld_mult',
      ld_shift: 'q_ld_shift',
      start: 'mx_start',
      rows: 'rows_g',
      in_tiles_m1: lit(0, TW),
      out_tiles_m1: lit(p.outTiles - 1, OW),
      zp: 'zp',
      act_min: 'act_min',
      busy: 'mx_busy',
      done: 'mx_done',
      out_v: 'mx_v',
      out_row: 'mx_row',
      out_q: 'mx_q',
      out_o: 'mx_o',
      out_acc: 'mx_acc',
    }),
  );
  // Scatter-accumulate per column; drain through one requantiser per column.
  items.push(assign('dr_addr', cat(slice('dr_j', IW - 1, 0), ref('dr_o'))));
  const outParts: Expr[] = [];
  for (let c = MC - 1; c >= 0; c--) outParts.push(ref(`q_${c}`));
  for (let c = 0; c < MC; c++) {
    const pi = `pidx_${c}`;
    items.push(mem(`acc_${c}`, 32, 2 ** AB));
    items.push(wire(pi, PB), assign(pi, add(slice('gbase', PB - 1, 0), zext(partsel('mx_row', lit(c * RW, 32), RW), RW, PB))));
    items.push(wire(`sa_${c}`, AB), assign(`sa_${c}`, cat(idx('pout', ref(pi)), ref('mx_o'))));
    const cur = idx(`acc_${c}`, ref(`sa_${c}`));
    items.push(
      wire(`dsum_${c}`, 32),
      assign(`dsum_${c}`, add(idx(`acc_${c}`, ref('dr_addr')), partsel(idx('bbuf', ref('dr_o')), lit(c * 32, 32), 32))),
    );
    items.push(wire(`q_${c}`, 8));
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
        ifs(and(inState(SC_STATES.map), bin('<', ref('clr'), lit(2 ** AB, AB + 1))), [
          nb(idx(`acc_${c}`, slice('clr', AB - 1, 0)), lit(0, 32)),
        ]),
        ifs(and(inState(SC_STATES.mlp), idx('mx_v', lit(c, 32))), [nb(cur, add(cur, partsel('mx_acc', lit(c * 32, 32), 32)))]),
      ]),
    );
  }
  items.push(
    alwaysFF('clk', [
      nb('out_data', cat(...outParts)),
      ifs(ref('wb_ld_en'), [nb(idx('wbuf', ref('wb_ld_addr')), ref('wb_ld_data'))]),
      ifs(ref('q_ld_en'), [
        nb(idx('bbuf', ref('q_ld_addr')), ref('q_ld_bias')),
        nb(idx('mbuf', ref('q_ld_addr')), ref('q_ld_mult')),
        nb(idx('sbuf', ref('q_ld_addr')), ref('q_ld_shift')),
      ]),
      ifs(and(inState(SC_STATES.map), ref('kp_valid')), [
        nb(idx('pin', slice('np', PB - 1, 0)), ref('kp_in')),
        nb(idx('pout', slice('np', PB - 1, 0)), ref('kp_out')),
        nb(idx('poff', slice('np', PB - 1, 0)), ref('kp_off')),
      ]),
    ]),
  );
  const startGroup = (at: Expr, atAddr: Expr): Stmt[] => [
    nb('gbase', at),
    nb('sent', at),
    nb('d_cur', idx('poff', atAddr)),
    nb('got', lit(0, RW + 1)),
    nb('wc', lit(0, WCB)),
  ];
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
        {
          labels: [st(SC_STATES.idle)],
          body: [
            ifs(ref('start'), [
              nb('km_start', lit(1, 1)),
              nb('np', lit(0, PB + 1)),
              nb('clr', lit(0, AB + 1)),
              nb('km_seen', lit(0, 1)),
              nb('state', st(SC_STATES.map)),
            ]),
          ],
        },
        {
          labels: [st(SC_STATES.map)],
          body: [
            ifs(ref('kp_valid'), [nb('np', add(ref('np'), lit(1, PB + 1)))]),
            ifs(bin('<', ref('clr'), lit(2 ** AB, AB + 1)), [nb('clr', add(ref('clr'), lit(1, AB + 1)))]),
            ifs(and(ref('km_done'), not(ref('km_start'))), [nb('km_seen', lit(1, 1))]),
            ifs(and(ref('km_seen'), eq(ref('clr'), lit(2 ** AB, AB + 1))), [
              ifs(eq(ref('np'), lit(0, PB + 1)), toDrain, [...startGroup(lit(0, PB + 1), lit(0, PB)), nb('state', st(SC_STATES.group))]),
            ]),
          ],
        },
        {
          labels: [st(SC_STATES.group)],
          body: [
            ifs(and(ref('g_req_valid'), ref('g_req_ready')), [nb('sent', add(ref('sent'), lit(1, PB + 1)))]),
            ifs(ref('g_resp_valid'), [nb('got', add(ref('got'), lit(1, RW + 1)))]),
            ifs(ref('wc_busy'), [nb('wc', add(ref('wc'), lit(1, WCB)))]),
            ifs(
              and(
                not(ref('in_group')),
                not(ref('wc_busy')),
                eq(zext(ref('got'), RW + 1, Math.max(RW + 1, PB + 1)), zext(ref('issued'), PB + 1, Math.max(RW + 1, PB + 1))),
              ),
              [nb('rows_g', ref('got')), nb('mx_start', lit(1, 1)), nb('state', st(SC_STATES.mlp))],
            ),
          ],
        },
        {
          labels: [st(SC_STATES.mlp)],
          body: [
            ifs(and(ref('mx_done'), not(ref('mx_start'))), [
              ifs(eq(ref('sent'), ref('np')), toDrain, [
                ...startGroup(ref('sent'), slice('sent', PB - 1, 0)),
                nb('state', st(SC_STATES.group)),
              ]),
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
              [
                nb('dr_o', lit(0, OW)),
                nb('dr_j', add(ref('dr_j'), lit(1, IW + 1))),
                ifs(eq(add(ref('dr_j'), lit(1, IW + 1)), ref('n_out')), [nb('state', st(SC_STATES.done))]),
              ],
              [nb('dr_o', add(ref('dr_o'), lit(1, OW)))],
            ),
          ],
        },
      ],
      default: [nb('done', lit(1, 1)), nb('state', st(SC_STATES.idle))],
    },
  ];
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('rst'),
        [
          nb('state', st(SC_STATES.idle)),
          nb('km_start', lit(0, 1)),
          nb('mx_start', lit(0, 1)),
          nb('done', lit(0, 1)),
          nb('out_valid', lit(0, 1)),
        ],
        body,
      ),
    ]),
  );
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
