// One entry point for the CLI (`nacc mcu --schedule`, `nacc mcu-schedule`): resolve the
// schedule options against a patch graph, and build the JSON report, the table and the SVG.
import { D, fail } from '../../diagnostics/index.ts';
import type { PatchGraph } from './graph.ts';
import {
  IllegalSplit,
  layerSchedule,
  legalSplits,
  patchSchedule,
  DEFAULT_RULES,
  type MemoryRules,
  type ScheduleReport,
} from './schedule.ts';
import { candidateRow, DEFAULT_MAX_MAC_OVERHEAD, scheduleJson, searchSchedule, type Candidate, type SearchResult } from './search.ts';
import { memorySvg } from './svg.ts';

export type ScheduleKind = 'layer' | 'patch' | 'auto';

export interface ScheduleOptions {
  schedule: ScheduleKind;
  split?: number;
  patches?: number;
  maxMacOverhead?: number;
  sramBytes?: number;
  rules?: MemoryRules;
}

export interface ScheduleDecision {
  chosen: ScheduleReport;
  layer: ScheduleReport;
  search?: SearchResult;
  reason: string;
  /** The bound the auto search used. */
  maxMacOverhead?: number;
}

/** Parse and check the CLI's schedule options (usage errors exit 2). */
export function parseScheduleOptions(o: {
  schedule?: string;
  patches?: string;
  split?: string;
  maxMacOverhead?: string;
}): Omit<ScheduleOptions, 'sramBytes'> {
  const schedule = (o.schedule ?? 'layer') as ScheduleKind;
  if (!['layer', 'patch', 'auto'].includes(schedule))
    fail(D.mcuScheduleUsage, `--schedule must be layer, patch or auto, not '${o.schedule}'`);
  const int = (v: string | undefined, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(D.mcuScheduleUsage, `${what} must be a positive integer, not '${v}'`);
    return n;
  };
  const patches = int(o.patches, '--patches');
  const split = int(o.split, '--split');
  let maxMacOverhead: number | undefined;
  if (o.maxMacOverhead !== undefined) {
    maxMacOverhead = Number(o.maxMacOverhead);
    if (!Number.isFinite(maxMacOverhead) || maxMacOverhead < 0)
      fail(D.mcuScheduleUsage, `--max-mac-overhead must be a fraction >= 0 (e.g. 0.15), not '${o.maxMacOverhead}'`);
  }
  if (schedule !== 'patch' && (patches !== undefined || split !== undefined)) {
    fail(D.mcuScheduleUsage, '--patches and --split go with --schedule patch');
  }
  return { schedule, split, patches, maxMacOverhead };
}

/** Resolve the schedule: layer-by-layer, a given patch schedule, or the auto search. */
export function decideSchedule(g: PatchGraph, opts: ScheduleOptions): ScheduleDecision {
  const rules = opts.rules ?? DEFAULT_RULES;
  const layer = layerSchedule(g, rules);
  if (opts.schedule === 'layer') return { chosen: layer, layer, reason: 'layer-by-layer, as asked' };
  if (opts.schedule === 'patch') {
    const legal = legalSplits(g);
    if (legal.length === 0)
      fail(
        D.noPatchSplit,
        `${g.name}: no legal patch split (the network has no spatial stage with one feature map crossing it)`,
        g.location,
      );
    const p = opts.patches ?? 4;
    let split = opts.split;
    if (split === undefined) {
      // Without --split: the split with the lowest peak for this grid.
      let best: ScheduleReport | undefined;
      for (const s of legal) {
        try {
          const r = patchSchedule(g, s, p, rules);
          if (!best || r.peakSramBytes < best.peakSramBytes || (r.peakSramBytes === best.peakSramBytes && r.macs < best.macs)) best = r;
        } catch (e) {
          if (!(e instanceof IllegalSplit)) throw e;
        }
      }
      if (!best)
        fail(D.patchSplitIllegal, `${g.name}: ${p}x${p} patches fit no legal split (legal splits: ${legal.join(', ')})`, g.location);
      split = best.split!;
    }
    try {
      const { plan: _plan, ...chosen } = patchSchedule(g, split, p, rules);
      return { chosen, layer, reason: `patch-based, split ${split}, ${p}x${p} patches, as asked` };
    } catch (e) {
      if (e instanceof IllegalSplit || e instanceof RangeError) {
        fail(
          D.patchSplitIllegal,
          `${g.name}: split ${split} with ${p}x${p} patches: ${e.message} (legal splits: ${legal.join(', ')}; a split counts ${g.splitUnit === 'op' ? 'model ops' : 'layers'})`,
          g.location,
        );
      }
      throw e;
    }
  }
  const maxMacOverhead = opts.maxMacOverhead ?? DEFAULT_MAX_MAC_OVERHEAD;
  const search = searchSchedule(g, { maxMacOverhead, sramBytes: opts.sramBytes, rules });
  return { chosen: search.chosen, layer, search, reason: search.reason, maxMacOverhead };
}

/** Per-layer memory of both orders (the SVG's data). */
export function memoryRows(g: PatchGraph, d: ScheduleDecision) {
  return g.nodes.map((n, k) => ({
    name: n.name,
    op: n.op,
    layer_bytes: d.layer.memory.perNode[k],
    scheduled_bytes: d.chosen.memory.perNode[k],
    in_patch_stage: d.chosen.kind === 'patch' && k < stageSize(g, d.chosen),
  }));
}

function stageSize(g: PatchGraph, r: ScheduleReport): number {
  return r.split === null ? 0 : g.nodes.filter((n) => n.end <= r.split!).length;
}

/** The stable JSON report of a schedule decision. */
export function scheduleReportJson(g: PatchGraph, d: ScheduleDecision, target?: { name: string; sramBytes: number }) {
  const c = d.chosen;
  return {
    model: g.name,
    ...(target ? { target: { name: target.name, sram_bytes: target.sramBytes } } : {}),
    ...scheduleJson(c),
    split_unit: g.splitUnit,
    split_tensor: c.cutTensor,
    split_shape: c.cutShape,
    patch_stage_mac_overhead: Number(c.stageMacOverhead.toFixed(6)),
    patch_stage_mac_overhead_uniform: Number(c.uniformStageMacOverhead.toFixed(6)),
    peak_sram_bytes: c.peakSramBytes,
    peak_at: c.peakNode,
    patch_stage_peak_bytes: c.stagePeakBytes,
    layer_stage_peak_bytes: c.layerStagePeakBytes,
    layer_peak_sram_bytes: d.layer.peakSramBytes,
    macs: c.macs,
    layer_macs: d.layer.macs,
    fits_sram: target ? c.peakSramBytes <= target.sramBytes : null,
    reason: d.reason,
    memory: memoryRows(g, d),
    ...(d.search
      ? { max_mac_overhead: d.maxMacOverhead, candidates: [layerRow(d.layer, target), ...d.search.candidates.map(candidateRow)] }
      : {}),
  };
}

function layerRow(r: ScheduleReport, target?: { sramBytes: number }) {
  return candidateRow({ report: r, withinMacBound: true, fitsSram: !target || r.peakSramBytes <= target.sramBytes });
}

/** Rows of the human trade-off table: layer-by-layer, the best candidate per grid size, the Pareto front. */
export function tradeoffTable(d: ScheduleDecision): { headers: string[]; rows: (string | number)[][] } {
  // Only schedules that beat layer-by-layer's peak; among exact ties the smaller grid.
  const list: Candidate[] = (d.search?.candidates ?? [])
    .filter((c) => c.report.peakSramBytes < d.layer.peakSramBytes)
    .filter(
      (c, i, all) => !all.some((o, j) => j < i && o.report.peakSramBytes === c.report.peakSramBytes && o.report.macs === c.report.macs),
    );
  const pareto = list
    .filter(
      (c) =>
        !list.some(
          (o) =>
            o !== c &&
            o.report.peakSramBytes <= c.report.peakSramBytes &&
            o.report.macs <= c.report.macs &&
            (o.report.peakSramBytes < c.report.peakSramBytes || o.report.macs < c.report.macs),
        ),
    )
    .sort((a, b) => a.report.macs - b.report.macs);
  const row = (r: ScheduleReport, mark: string, ok: string) => [
    mark,
    r.kind,
    r.split ?? '-',
    r.patches ? `${r.patches}x${r.patches}` : '-',
    r.patchInput ? `${r.patchInput[0]}x${r.patchInput[1]}` : '-',
    r.cutShape ? r.cutShape.join('x') : '-',
    `${(r.macOverhead * 100).toFixed(1)}%`,
    (r.peakSramBytes / 1024).toFixed(1),
    ok,
  ];
  const rows = [row(d.layer, d.chosen === d.layer ? '*' : '', '')];
  for (const c of pareto)
    rows.push(
      row(
        c.report,
        c.report === d.chosen ? '*' : '',
        `${c.withinMacBound ? '' : 'over MAC bound'}${c.fitsSram ? '' : `${c.withinMacBound ? '' : ', '}over SRAM`}`,
      ),
    );
  if (d.chosen.kind === 'patch' && !pareto.some((c) => c.report === d.chosen)) rows.push(row(d.chosen, '*', ''));
  return { headers: ['', 'schedule', 'split', 'patches', 'patch in', 'split map', 'MAC +', 'peak kB', 'note'], rows };
}

export function scheduleSvg(g: PatchGraph, d: ScheduleDecision, budget?: number): string {
  const series = [
    { label: `layer-by-layer (peak ${(d.layer.peakSramBytes / 1024).toFixed(1)} kB)`, perLayer: d.layer.memory.perNode, color: '#9aa5b1' },
  ];
  if (d.chosen.kind === 'patch') {
    series.push({
      label: `patch-based ${d.chosen.patches}x${d.chosen.patches} (peak ${(d.chosen.peakSramBytes / 1024).toFixed(1)} kB)`,
      perLayer: d.chosen.memory.perNode,
      color: '#2b7bba',
    });
  }
  return memorySvg({
    title: `${g.name}: live activation memory per layer`,
    layerNames: g.nodes.map((n) => n.name),
    series,
    splitAfter: d.chosen.kind === 'patch' ? stageSize(g, d.chosen) : undefined,
    budget,
  });
}
