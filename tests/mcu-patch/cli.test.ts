// `nacc mcu-schedule` through the CLI: JSON fields, auto never worse than layer-by-layer, usage errors.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { itNeeds, needShared } from '../helpers/requires.ts';

const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false });
const VWW1 = '../shared/models/mcunet/mcunet-vww1.tflite';

describe('nacc mcu-schedule', () => {
  it('auto on MobileNetV2 for the STM32F412 picks 4x4 patches at the 28x28 split (172 kB)', async () => {
    const r = await nacc([
      'mcu-schedule',
      'examples/mcunetv2-mobilenetv2.nacc',
      '--network',
      'mbv2_224',
      '--target',
      'stm32f412',
      '--json',
    ]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schedule).toEqual({ kind: 'patch', split: 13, patches: 4, patch_input: [75, 75] });
    expect(j.mac_overhead).toBeLessThanOrEqual(0.15);
    expect(Math.round(j.peak_sram_bytes / 1024)).toBe(172);
    expect(j.layer_peak_sram_bytes).toBe(1404928);
    expect(j.fits_sram).toBe(true);
    expect(j.candidates[0].kind).toBe('layer');
  });

  itNeeds(
    [needShared('models', 'mcunet', 'mcunet-vww1.tflite')],
    'mcunet-vww1: layer-by-layer within 92 kB, patch-based lower',
    async () => {
      const r = await nacc(['mcu-schedule', VWW1, '--target', 'stm32h743', '--json']);
      const j = JSON.parse(r.stdout);
      expect(j.layer_peak_sram_bytes).toBeLessThanOrEqual(92 * 1024);
      expect(j.schedule.kind).toBe('patch');
      expect(j.peak_sram_bytes).toBeLessThan(j.layer_peak_sram_bytes);
    },
  );

  it('usage errors exit 2 without a stack trace', async () => {
    const bad = await nacc([
      'mcu-schedule',
      'examples/mcunetv2-mobilenetv2.nacc',
      '--network',
      'mbv2_224',
      '--schedule',
      'patch',
      '--split',
      '7',
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/E0782.*legal splits/);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
