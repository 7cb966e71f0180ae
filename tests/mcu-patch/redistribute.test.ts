// The redistribution transform on MobileNetV2: smaller patch-stage receptive field, lower
// recompute, similar MACs, peak memory not raised; the transformed network still lowers.
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { redistribute } from '../../compiler/mcu/patch/redistribute.ts';

describe('receptive-field redistribution', () => {
  const net = loadProgram('examples/mcunetv2-mobilenetv2.nacc').networks.find((n) => n.name === 'mbv2_224')!;

  it('shrinks the per-patch stage and keeps MACs and peak memory in check', () => {
    const r = redistribute(net, { splitLayer: 'x_4[1].project', patches: 4, targetStageOverhead: 0.2 });
    expect(r.before.patchInput).toEqual([75, 75]);
    expect(r.after.patchInput[0]).toBeLessThan(75);
    expect(r.after.patchStageMacOverhead).toBeLessThanOrEqual(0.2);
    expect(r.after.patchStageMacOverhead).toBeLessThan(r.before.patchStageMacOverhead);
    expect(Math.abs(r.after.macs - r.before.macs) / r.before.macs).toBeLessThan(0.1);
    expect(r.after.patchPeakSramBytes).toBeLessThanOrEqual(r.before.patchPeakSramBytes);
    expect(r.actions.length).toBeGreaterThan(0);
    // Every layer still has consistent inputs: the analysis runs over the new graph.
    const stats = analyzeNetwork(r.network);
    expect(stats.totals.macs).toBe(r.after.macs);
  });

  it('a tighter target shrinks further and gives capacity back to later blocks', () => {
    const r = redistribute(net, { splitLayer: 'x_4[1].project', patches: 4, targetStageOverhead: 0.15 });
    expect(r.after.patchInput[0]).toBeLessThanOrEqual(63);
    expect(r.actions.some((a) => a.startsWith('add block'))).toBe(true);
    expect(r.network.layers.length).toBeGreaterThan(net.layers.length);
  });
});
