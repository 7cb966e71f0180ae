// `--schedule auto`: try every legal split and patch grid, keep the lowest peak SRAM within
// the MAC-overhead bound that fits the target, and never do worse than layer-by-layer.
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

export interface SearchOptions {
  /** Largest extra MACs allowed, as a fraction of the network's layer-by-layer MACs. */
  maxMacOverhead: number;
  /** SRAM budget of the target for activations (bytes); undefined = no limit. */
  sramBytes?: number;
  /** Largest grid tried; p up to 4 always (when the split map allows), beyond while tiles stay >= 2 pixels. */
  maxPatches?: number;
  rules?: MemoryRules;
}

export const DEFAULT_MAX_MAC_OVERHEAD = 0.15;

export interface Candidate {
  report: ScheduleReport;
  withinMacBound: boolean;
  fitsSram: boolean;
}

export interface SearchResult {
  chosen: ScheduleReport;
  layer: ScheduleReport;
  candidates: Candidate[];
  /** Why the choice was made, in one sentence. */
  reason: string;
  fits: boolean;
}

/** Grid sizes worth trying on an h x w split map. */
export function patchCounts(h: number, w: number, maxPatches = 8): number[] {
  const out: number[] = [];
  for (let p = 1; p <= Math.min(h, w, maxPatches); p++) {
    if (p <= 4 || Math.floor(Math.min(h, w) / p) >= 2) out.push(p);
  }
  return out;
}

function better(a: ScheduleReport, b: ScheduleReport): boolean {
  if (a.peakSramBytes !== b.peakSramBytes) return a.peakSramBytes < b.peakSramBytes;
  if (a.macs !== b.macs) return a.macs < b.macs;
  if ((a.patches ?? 0) !== (b.patches ?? 0)) return (a.patches ?? 0) < (b.patches ?? 0);
  return (a.split ?? 0) < (b.split ?? 0);
}

export function searchSchedule(g: PatchGraph, opts: SearchOptions): SearchResult {
  const rules = opts.rules ?? DEFAULT_RULES;
  const layer = layerSchedule(g, rules);
  const fits = (r: ScheduleReport) => opts.sramBytes === undefined || r.peakSramBytes <= opts.sramBytes;
  const candidates: Candidate[] = [];
  for (const split of legalSplits(g)) {
    const cut = g.tensors.find((t) => t.id === cutOf(g, split));
    if (!cut) continue;
    // p = 1 is layer-by-layer with extra copies: never better, not worth listing.
    for (const p of patchCounts(cut.h, cut.w, opts.maxPatches).filter((q) => q > 1)) {
      try {
        const { plan: _plan, ...report } = patchSchedule(g, split, p, rules);
        candidates.push({ report, withinMacBound: report.macOverhead <= opts.maxMacOverhead + 1e-12, fitsSram: fits(report) });
      } catch (e) {
        if (!(e instanceof IllegalSplit)) throw e;
      }
    }
  }
  let best: ScheduleReport | undefined;
  for (const c of candidates) if (c.withinMacBound && c.fitsSram && (!best || better(c.report, best))) best = c.report;
  if (best && best.peakSramBytes < layer.peakSramBytes) {
    return {
      chosen: best,
      layer,
      candidates,
      fits: true,
      reason: `patch-based (split ${best.split}, ${best.patches}x${best.patches}) cuts peak SRAM from ${layer.peakSramBytes} to ${best.peakSramBytes} bytes at +${(best.macOverhead * 100).toFixed(1)}% MACs`,
    };
  }
  // Patching cannot help within the bound (or nothing fits): layer-by-layer, unless only a patch schedule fits.
  if (!fits(layer)) {
    let lowest: ScheduleReport | undefined;
    for (const c of candidates) if (c.withinMacBound && (!lowest || better(c.report, lowest))) lowest = c.report;
    if (lowest && lowest.peakSramBytes < layer.peakSramBytes) {
      return {
        chosen: lowest,
        layer,
        candidates,
        fits: fits(lowest),
        reason: `nothing fits ${opts.sramBytes} bytes of SRAM; patch-based has the lowest peak`,
      };
    }
    return {
      chosen: layer,
      layer,
      candidates,
      fits: false,
      reason: `nothing fits ${opts.sramBytes} bytes of SRAM; layer-by-layer has the lowest peak`,
    };
  }
  return {
    chosen: layer,
    layer,
    candidates,
    fits: true,
    reason:
      candidates.length === 0
        ? 'no legal patch split (no spatial stage with a single feature map crossing it)'
        : `no patch schedule within +${(opts.maxMacOverhead * 100).toFixed(0)}% MACs has a lower peak than layer-by-layer`,
  };
}

function cutOf(g: PatchGraph, split: number): number {
  let k = 0;
  while (k < g.nodes.length && g.nodes[k].end <= split) k++;
  return k > 0 ? g.nodes[k - 1].output : -1;
}

/** The `schedule` object and `mac_overhead` of the JSON report (stable field names). */
export function scheduleJson(r: ScheduleReport): {
  schedule: { kind: 'layer' | 'patch'; split: number | null; patches: number | null; patch_input: [number, number] | null };
  mac_overhead: number;
} {
  return {
    schedule: { kind: r.kind, split: r.split, patches: r.patches, patch_input: r.patchInput },
    mac_overhead: Number(r.macOverhead.toFixed(6)),
  };
}

/** One row of the trade-off table (JSON and human). */
export function candidateRow(c: Candidate) {
  const r = c.report;
  return {
    kind: r.kind,
    split: r.split,
    patches: r.patches,
    split_tensor: r.cutTensor,
    split_shape: r.cutShape,
    patch_input: r.patchInput,
    peak_sram_bytes: r.peakSramBytes,
    peak_at: r.peakNode,
    patch_stage_peak_bytes: r.stagePeakBytes,
    layer_stage_peak_bytes: r.layerStagePeakBytes,
    macs: r.macs,
    mac_overhead: Number(r.macOverhead.toFixed(6)),
    patch_stage_mac_overhead: Number(r.stageMacOverhead.toFixed(6)),
    within_mac_bound: c.withinMacBound,
    fits_sram: c.fitsSram,
  };
}
