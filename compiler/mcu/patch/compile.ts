// `nacc mcu --schedule patch|auto`: the MCU pipeline with a patch-based stage. The choice is
// made on the arena the generated program really gets (patch programs read the input file
// patch by patch), so auto never emits a program larger than layer-by-layer's.
import type { QModel } from '../../ir/quantized.ts';
import { compileForMcu, loweredForMcu, type McuCompiled, type McuCompileOptions, type McuSummary } from '../compile.ts';
import type { McuBoard } from '../targets.ts';
import { emitPatchProgram, type EmittedPatchProgram } from './emit.ts';
import { fastKernelsFor } from './fast.ts';
import { graphFromQModel } from './graph.ts';
import { decideSchedule, type ScheduleDecision } from './report.ts';
import { DEFAULT_RULES, IllegalSplit, patchSchedule, type ScheduleReport } from './schedule.ts';
import { DEFAULT_MAX_MAC_OVERHEAD } from './search.ts';

/** Rules matching the generated program: input read per patch, no residual fusion. */
export const EMITTED_RULES = { ...DEFAULT_RULES, streamInput: true, fuseResidualAdd: false, inPlaceElementwise: false };

export interface ScheduledCompile extends McuCompiled {
  decision: ScheduleDecision;
  /** Arena of the layer-by-layer program, for comparison. */
  layerArenaBytes: number;
  /** Candidates whose programs were laid out: split, patches, arena. */
  laidOut: { split: number; patches: number; arena_bytes: number }[];
}

function summaryOf(model: QModel, board: McuBoard, prog: EmittedPatchProgram, r: ScheduleReport, base: McuSummary): McuSummary {
  return {
    ...base,
    schedule: { kind: 'patch', split: r.split, patches: r.patches, patch_input: r.patchInput },
    mac_overhead: Number(r.macOverhead.toFixed(6)),
    peak_sram_bytes: prog.layout.arenaBytes,
    arena_bytes: prog.layout.arenaBytes,
    peak_live_bytes: r.peakSramBytes,
    macs: r.macs,
    weight_bytes: prog.weightBytes,
    fits_sram: prog.layout.arenaBytes <= board.sramBytes,
    fits_flash: prog.weightBytes <= board.flashBytes,
    model: model.name,
  };
}

/** Compile with --schedule patch (split/patches given or defaulted) or auto. */
export function compileScheduledForMcu(source: QModel, board: McuBoard, opts: McuCompileOptions): ScheduledCompile {
  const layer = compileForMcu(source, board, { ...opts, schedule: 'layer' });
  const g = graphFromQModel(source);
  const layerArena = layer.summary.arena_bytes;
  const layerSummary: McuSummary = { ...layer.summary, schedule: { kind: 'layer', split: null, patches: null, patch_input: null }, mac_overhead: 0 };
  const asLayer = (decision: ScheduleDecision, laidOut: ScheduledCompile['laidOut']): ScheduledCompile => ({ ...layer, summary: layerSummary, decision, layerArenaBytes: layerArena, laidOut });

  if (opts.schedule === 'patch') {
    const decision = decideSchedule(g, { schedule: 'patch', split: opts.split, patches: opts.patches, rules: EMITTED_RULES });
    const r = decision.chosen;
    const prog = fastKernelsFor(emitPatchProgram(source, r.split!, r.patches!, board, g, { streamInput: opts.input !== 'whole' }), source, board.core, opts.fastKernels !== false);
    return {
      model: loweredForMcu(source, opts), plan: layer.plan, program: prog, decision, layerArenaBytes: layerArena,
      summary: summaryOf(source, board, prog, r, layerSummary), laidOut: [{ split: r.split!, patches: r.patches!, arena_bytes: prog.layout.arenaBytes }],
    };
  }
  // auto: rank the legal candidates analytically, lay out the best few for real, keep the
  // smallest arena within the MAC bound (and the target's SRAM); layer-by-layer unless beaten.
  const decision = decideSchedule(g, { schedule: 'auto', maxMacOverhead: opts.maxMacOverhead ?? DEFAULT_MAX_MAC_OVERHEAD, sramBytes: board.sramBytes, rules: EMITTED_RULES });
  const pool = (decision.search?.candidates ?? [])
    .filter((c) => c.withinMacBound)
    .sort((a, b) => a.report.peakSramBytes - b.report.peakSramBytes || a.report.macs - b.report.macs)
    .slice(0, 8);
  const laidOut: ScheduledCompile['laidOut'] = [];
  let best: { prog: EmittedPatchProgram; r: ScheduleReport } | undefined;
  for (const c of pool) {
    let prog: EmittedPatchProgram;
    try {
      prog = emitPatchProgram(source, c.report.split!, c.report.patches!, board, g, { streamInput: opts.input !== 'whole' });
    } catch (e) {
      if (e instanceof IllegalSplit) continue;
      throw e;
    }
    laidOut.push({ split: c.report.split!, patches: c.report.patches!, arena_bytes: prog.layout.arenaBytes });
    if (!best || prog.layout.arenaBytes < best.prog.layout.arenaBytes) best = { prog, r: c.report };
  }
  if (!best || best.prog.layout.arenaBytes >= layerArena) {
    const why = best
      ? `the best patch program needs ${best.prog.layout.arenaBytes} B of arena, layer-by-layer ${layerArena} B: layer-by-layer`
      : decision.reason;
    return asLayer({ ...decision, chosen: decision.layer, reason: why }, laidOut);
  }
  const { plan: _p, ...r } = patchSchedule(g, best.r.split!, best.r.patches!, EMITTED_RULES);
  return {
    model: loweredForMcu(source, opts), plan: layer.plan, program: fastKernelsFor(best.prog, source, board.core, opts.fastKernels !== false), laidOut, layerArenaBytes: layerArena,
    decision: { ...decision, chosen: r, reason: `patch-based (split ${r.split}, ${r.patches}x${r.patches}): arena ${best.prog.layout.arenaBytes} B against ${layerArena} B layer-by-layer` },
    summary: summaryOf(source, board, best.prog, r, layerSummary),
  };
}

