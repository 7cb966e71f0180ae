// The auto search: never worse than layer-by-layer, respects the MAC bound and the SRAM budget.
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { graphFromNetwork } from '../../compiler/mcu/patch/graph.ts';
import { decideSchedule, parseScheduleOptions } from '../../compiler/mcu/patch/report.ts';
import { patchCounts, searchSchedule } from '../../compiler/mcu/patch/search.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';

const g = graphFromNetwork(loadProgram('examples/mcunetv2-mobilenetv2.nacc').networks.find((n) => n.name === 'mbv2_224')!);

describe('schedule search', () => {
  it('grids: 1..4 always, more while tiles keep 2 pixels', () => {
    expect(patchCounts(28, 28)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(patchCounts(7, 7)).toEqual([1, 2, 3, 4]);
    expect(patchCounts(3, 5)).toEqual([1, 2, 3]);
  });

  it('picks the lowest peak within the MAC bound', () => {
    const r = searchSchedule(g, { maxMacOverhead: 0.15 });
    expect(r.chosen.kind).toBe('patch');
    expect(r.chosen.macOverhead).toBeLessThanOrEqual(0.15);
    for (const c of r.candidates) if (c.withinMacBound) expect(c.report.peakSramBytes).toBeGreaterThanOrEqual(r.chosen.peakSramBytes);
    // A looser bound can only lower the peak.
    const loose = searchSchedule(g, { maxMacOverhead: 1 });
    expect(loose.chosen.peakSramBytes).toBeLessThanOrEqual(r.chosen.peakSramBytes);
  });

  it('falls back to layer-by-layer when patching cannot help within the bound', () => {
    const r = searchSchedule(g, { maxMacOverhead: 0 });
    expect(r.chosen.peakSramBytes).toBeLessThanOrEqual(r.layer.peakSramBytes);
    const helps = r.candidates.some((c) => c.withinMacBound && c.report.peakSramBytes < r.layer.peakSramBytes);
    expect(r.chosen.kind).toBe(helps ? 'patch' : 'layer');
  });

  it('an SRAM budget no schedule meets is reported, not hidden', () => {
    const r = searchSchedule(g, { maxMacOverhead: 0.15, sramBytes: 64 * 1024 });
    expect(r.fits).toBe(false);
    expect(r.chosen.peakSramBytes).toBeLessThan(r.layer.peakSramBytes);
  });

  it('explicit patch schedules and option errors', () => {
    const d = decideSchedule(g, { schedule: 'patch', patches: 2 });
    expect(d.chosen.kind).toBe('patch');
    expect(d.chosen.patches).toBe(2);
    expect(() => decideSchedule(g, { schedule: 'patch', split: 7, patches: 4 })).toThrow(UserError);
    expect(() => parseScheduleOptions({ schedule: 'layer', patches: '4' })).toThrow(UserError);
    expect(() => parseScheduleOptions({ schedule: 'auto', maxMacOverhead: '-1' })).toThrow(UserError);
  });
});
