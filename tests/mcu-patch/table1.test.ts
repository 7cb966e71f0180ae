// The MCUNetV2 paper's Table 1, analytically: MobileNetV2 1.0 at 224, 4x4 patches.
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { graphFromNetwork } from '../../compiler/mcu/patch/graph.ts';
import { layerSchedule, legalSplits, patchSchedule } from '../../compiler/mcu/patch/schedule.ts';

const KB = 1024;

describe('MCUNetV2 Table 1 (MobileNetV2 1.0, 224x224)', () => {
  const net = loadProgram('examples/mcunetv2-mobilenetv2.nacc').networks.find((n) => n.name === 'mbv2_224')!;
  const g = graphFromNetwork(net);
  // The patch stage ends with the first 28x28 block's projection.
  const split = g.nodes.find((n) => n.name === 'x_4[1].project')!.end;

  it('layer-by-layer peak is 1372 kB at the 1x1 expand at 112x112', () => {
    const l = layerSchedule(g);
    expect(l.peakSramBytes).toBe(112 * 112 * (16 + 96));
    expect(l.peakSramBytes / KB).toBe(1372);
    expect(l.peakNode).toBe('x_3[1].expand');
  });

  it('4x4 patches: 75x75 input patch, +42% patch-stage MACs, 172 kB peak', () => {
    expect(legalSplits(g)).toContain(split);
    const p = patchSchedule(g, split, 4);
    expect(p.patchInput).toEqual([75, 75]);
    expect(p.uniformStageMacOverhead).toBeGreaterThan(0.415);
    expect(p.uniformStageMacOverhead).toBeLessThan(0.425);
    // Border patches clipped to the image recompute less than uniform ones.
    expect(p.stageMacOverhead).toBeLessThan(p.uniformStageMacOverhead);
    expect(Math.round(p.peakSramBytes / KB)).toBe(172);
    expect(p.cutShape).toEqual([28, 28, 32]);
  });
});

describe('MCUNetV2 Table 1, MbV2-RD', () => {
  const net = loadProgram('examples/mcunetv2-mobilenetv2.nacc').networks.find((n) => n.name === 'mbv2_rd_224')!;
  const g = graphFromNetwork(net);
  const split = g.nodes.find((n) => n.name === 'x_4[1].project')!.end;

  it('4x4 patches need a 63x63 input patch and +18% patch-stage MACs, at a similar network MAC count', () => {
    const p = patchSchedule(g, split, 4);
    expect(p.patchInput).toEqual([63, 63]);
    expect(p.uniformStageMacOverhead).toBeGreaterThan(0.175);
    expect(p.uniformStageMacOverhead).toBeLessThan(0.185);
    expect(Math.round(p.peakSramBytes / KB)).toBe(172);
    const base = graphFromNetwork(loadProgram('examples/mcunetv2-mobilenetv2.nacc').networks.find((n) => n.name === 'mbv2_224')!);
    const ratio = layerSchedule(g).macs / layerSchedule(base).macs;
    expect(Math.abs(ratio - 1)).toBeLessThan(0.01);
  });
});
