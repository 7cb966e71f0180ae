// The PointAcc gather unit: fetches feature rows by point index through a set-associative LRU
// cache (the same policy as compiler/pointacc/cache.ts: one line per row, set = index mod sets,
// victim = least recently used way, ties to the lowest way) in front of a DRAM model with a
// fixed latency, and counts hits and misses so the hit rate can be reported and checked.
import {
  type Item,
  type Module,
  type Stmt,
  alwaysFF,
  assign,
  bin,
  cond,
  eq,
  idx,
  ifs,
  input,
  lit,
  mem,
  nb,
  output,
  ref,
  reg,
  slice,
  add,
  and,
  or,
  clog2,
  instance,
} from '../verilog/index.ts';

export interface GatherCacheParams {
  sets: number;
  ways: number;
  rowBytes: number;
  /** Feature table depth (power of two). */
  maxRows: number;
  /** DRAM latency of a miss, cycles. */
  latency: number;
  /** The cache turned off: every request goes to DRAM (the tag store stays, unused). */
  bypass?: boolean;
}

export function gatherCacheName(p: GatherCacheParams): string {
  return `pointacc_gather_cache_s${p.sets}_w${p.ways}_b${p.rowBytes}_n${p.maxRows}_l${p.latency}${p.bypass ? '_nc' : ''}`;
}

/**
 * The gather unit inside a PointAcc top: the table load port on ft_ld_*, requests on g_req_*,
 * responses on g_resp_*, hit and miss counters on hits/misses (the nets every top declares).
 */
export function gatherCacheInstance(p: GatherCacheParams): Item {
  return instance(gatherCacheName(p), 'gather', {
    clk: 'clk',
    rst: 'rst',
    ld_en: 'ft_ld_en',
    ld_addr: 'ft_ld_addr',
    ld_data: 'ft_ld_data',
    req_valid: 'g_req_valid',
    req_idx: 'g_req_idx',
    req_ready: 'g_req_ready',
    resp_valid: 'g_resp_valid',
    resp_idx: 'g_resp_idx',
    resp_data: 'g_resp_data',
    hits: 'hits',
    misses: 'misses',
  });
}

export function gatherCacheModules(p: GatherCacheParams): Module[] {
  const SB = Math.log2(p.sets);
  const IW = Math.log2(p.maxRows);
  if (!Number.isInteger(SB) || !Number.isInteger(IW)) throw new Error('cache sets and table depth must be powers of two');
  const WAYS = p.ways;
  const WB = clog2(WAYS);
  const DW = p.rowBytes * 8;
  const LB = clog2(p.latency + 1);
  const S = { idle: 0, miss: 1, init: 2 };
  const stl = (v: number) => lit(v, 2);
  const CB = Math.max(1, SB);
  const items: Item[] = [
    mem('feat', DW, p.maxRows),
    reg('state', 2),
    reg('clr', CB),
    reg('clock', 32),
    reg('pend_idx', IW),
    reg('wait_n', LB),
    reg('victim_r', WB),
    reg('hits_r', 32),
    reg('misses_r', 32),
    wire_('set_of_req', Math.max(1, SB)),
  ];
  // The set of a request (or of the pending miss).
  const setBits = (e: string) => (SB === 0 ? lit(0, 1) : slice(e, SB - 1, 0));
  items.push(assign('set_of_req', setBits('req_idx')));
  for (let w = 0; w < WAYS; w++) {
    items.push(mem(`tag_${w}`, IW, p.sets), mem(`val_${w}`, 1, p.sets), mem(`stamp_${w}`, 32, p.sets), mem(`data_${w}`, DW, p.sets));
    items.push(
      wire_(`hit_${w}`, 1),
      assign(
        `hit_${w}`,
        p.bypass ? lit(0, 1) : and(idx(`val_${w}`, ref('set_of_req')), eq(idx(`tag_${w}`, ref('set_of_req')), ref('req_idx'))),
      ),
    );
    items.push(
      wire_(`st_${w}`, 32),
      assign(`st_${w}`, cond(idx(`val_${w}`, ref('set_of_req')), idx(`stamp_${w}`, ref('set_of_req')), lit(0, 32))),
    );
  }
  items.push(wire_('hit', 1), assign('hit', or(...Array.from({ length: WAYS }, (_, w) => ref(`hit_${w}`)))));
  // Hit way (lowest on a tie, which cannot happen) and LRU victim (lowest way among equal stamps).
  let bestW = lit(0, WB);
  let bestS = ref('st_0');
  for (let w = 1; w < WAYS; w++) {
    const better = `better_${w}`;
    const bw = `best_w_${w}`;
    const bs = `best_s_${w}`;
    items.push(wire_(better, 1), assign(better, bin('<', ref(`st_${w}`), bestS)));
    items.push(wire_(bw, WB), assign(bw, cond(ref(better), lit(w, WB), bestW)));
    if (w < WAYS - 1) items.push(wire_(bs, 32), assign(bs, cond(ref(better), ref(`st_${w}`), bestS)));
    bestW = ref(bw);
    bestS = ref(bs);
  }
  items.push(wire_('victim', WB), assign('victim', bestW));
  const hitData = Array.from({ length: WAYS }, (_, w) => w)
    .reverse()
    .reduce((acc, w) => cond(ref(`hit_${w}`), idx(`data_${w}`, ref('set_of_req')), acc), lit(0, DW) as ReturnType<typeof lit>);
  items.push(assign('req_ready', eq(ref('state'), stl(S.idle))));
  items.push(assign('hits', ref('hits_r')));
  items.push(assign('misses', ref('misses_r')));
  const pendSet = setBits('pend_idx');
  const perWay = (w: number, body: Stmt[]): Stmt => ifs(eq(ref('victim_r'), lit(w, WB)), body);
  const touch: Stmt[] = Array.from({ length: WAYS }, (_, w) =>
    ifs(ref(`hit_${w}`), [nb(idx(`stamp_${w}`, ref('set_of_req')), add(ref('clock'), lit(1, 32)))]),
  );
  const fill: Stmt[] = Array.from({ length: WAYS }, (_, w) =>
    perWay(w, [
      nb(idx(`tag_${w}`, pendSet), ref('pend_idx')),
      nb(idx(`val_${w}`, pendSet), lit(1, 1)),
      nb(idx(`stamp_${w}`, pendSet), ref('clock')),
      nb(idx(`data_${w}`, pendSet), idx('feat', ref('pend_idx'))),
    ]),
  );
  const body: Stmt[] = [
    nb('resp_valid', lit(0, 1)),
    ifs(ref('ld_en'), [nb(idx('feat', ref('ld_addr')), ref('ld_data'))]),
    ifs(
      eq(ref('state'), stl(S.idle)),
      [
        ifs(ref('req_valid'), [
          nb('clock', add(ref('clock'), lit(1, 32))),
          ifs(
            ref('hit'),
            [
              ...touch,
              nb('hits_r', add(ref('hits_r'), lit(1, 32))),
              nb('resp_valid', lit(1, 1)),
              nb('resp_idx', ref('req_idx')),
              nb('resp_data', hitData),
            ],
            [
              nb('misses_r', add(ref('misses_r'), lit(1, 32))),
              nb('pend_idx', ref('req_idx')),
              nb('victim_r', ref('victim')),
              nb('wait_n', lit(p.latency, LB)),
              nb('state', stl(S.miss)),
            ],
          ),
        ]),
      ],
      [
        ifs(
          eq(ref('state'), stl(S.init)),
          [
            // After reset: clear one set's valid bits per cycle.
            ...Array.from({ length: WAYS }, (_, w) => nb(idx(`val_${w}`, SB === 0 ? lit(0, 1) : ref('clr')), lit(0, 1))),
            nb('clr', add(ref('clr'), lit(1, CB))),
            ifs(eq(ref('clr'), lit(p.sets - 1, CB)), [nb('state', stl(S.idle))]),
          ],
          [
            // Miss: wait for DRAM, then fill the victim line and answer.
            nb('wait_n', bin('-', ref('wait_n'), lit(1, LB))),
            ifs(eq(ref('wait_n'), lit(1, LB)), [
              ...fill,
              nb('resp_valid', lit(1, 1)),
              nb('resp_idx', ref('pend_idx')),
              nb('resp_data', idx('feat', ref('pend_idx'))),
              nb('state', stl(S.idle)),
            ]),
          ],
        ),
      ],
    ),
  ];
  const reset: Stmt[] = [
    nb('state', stl(S.init)),
    nb('clr', lit(0, CB)),
    nb('clock', lit(0, 32)),
    nb('hits_r', lit(0, 32)),
    nb('misses_r', lit(0, 32)),
    nb('resp_valid', lit(0, 1)),
  ];
  items.push(alwaysFF('clk', [ifs(ref('rst'), reset, body)]));
  // One way has no victim choice (stamps unread); a bypassed cache never reads its tags.
  if (p.bypass || WAYS === 1) {
    items.unshift({ kind: 'comment', text: 'verilator lint_off UNUSEDSIGNAL' });
    items.push({ kind: 'comment', text: 'verilator lint_on UNUSEDSIGNAL' });
  }
  return [
    {
      name: gatherCacheName(p),
      comment: [
        `PointAcc gather unit: ${p.sets} sets x ${p.ways} ways of ${p.rowBytes}-byte rows (LRU), ${p.latency}-cycle DRAM misses.`,
        'One request per cycle on hits; hits and misses are counted.',
      ],
      params: [],
      ports: [
        input('clk'),
        input('rst'),
        input('ld_en'),
        input('ld_addr', IW),
        input('ld_data', DW),
        input('req_valid'),
        input('req_idx', IW),
        output('req_ready'),
        output('resp_valid', 1, false, 'reg'),
        output('resp_idx', IW, false, 'reg'),
        output('resp_data', DW, false, 'reg'),
        output('hits', 32),
        output('misses', 32),
      ],
      items,
    },
  ];
}

function wire_(name: string, width: number): Item {
  return { kind: 'decl', net: 'wire', name, width };
}
