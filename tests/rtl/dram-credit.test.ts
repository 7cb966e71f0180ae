// The DRAM model's bandwidth (the benches' credit counter, mirrored by loadCycles in the schedule
// formula): output bytes written beside read beats share the bandwidth without losing any of it.
// Capping the credit before paying a cycle's grants lost the credit of every cycle that granted a
// write byte and a read beat, so reads beside writes ran every other cycle: MobileNetV2-0.35's
// x_5[1].dw on a searched 40-PE design (79-beat tiles, 72 output bytes each) took 12,500 cycles
// against a model of 10,879 (+14.9%).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { creditCap, loadCycles } from '../../compiler/rtl/accelerator/schedule.ts';
import type { AcceleratorHardware } from '../../compiler/rtl/accelerator/array.ts';

const hw = (bandwidth: number, beat: number) => ({ dramBandwidth: bandwidth, dramBeatBytes: beat }) as AcceleratorHardware;

describe('DRAM credit: writes beside reads', () => {
  it('reads alone: one beat per cycle at a beat per cycle, data two cycles after the last grant', () => {
    expect(loadCycles(hw(8, 8), 79)).toBe(81);
  });

  it('reads and writes together take their bytes over the bandwidth, not a cycle pair per write', () => {
    for (const [bandwidth, beats, writes] of [
      [8, 79, 72],
      [8, 61, 72],
      [8, 104, 144],
      [2, 40, 16],
      [16, 50, 64],
    ]) {
      const beat = 8;
      const bytes = beats * beat + writes;
      const cycles = loadCycles(hw(bandwidth, beat), beats, writes);
      // At most the bytes over the bandwidth (a beat per cycle at most), the credit's first cycle and the data's two.
      expect(cycles, `${beats} beats, ${writes} bytes written at ${bandwidth} B/cycle`).toBeLessThanOrEqual(
        Math.max(beats, Math.ceil(bytes / bandwidth)) + 3,
      );
      expect(cycles).toBeGreaterThanOrEqual(Math.ceil((beats * beat) / bandwidth));
    }
  });

  it('the benches cap the credit after paying the grants (as loadCycles does)', () => {
    for (const bench of ['testbench/rtl/accelerator_tb.v.hbs', 'testbench/rtl/network_tb.v.hbs']) {
      const text = readFileSync(bench, 'utf8');
      expect(text, bench).toMatch(
        /credit_after = credit \+ CREDIT_STEP - \(\(dram_wr_req && dram_wr_gnt\) \? 256 : 0\)\s*- \(\(dram_rd_req && dram_rd_gnt\) \? 256 \* DW : 0\);/,
      );
      expect(text, bench).toMatch(/credit <= \(credit_after > CREDIT_CAP\) \? CREDIT_CAP : credit_after;/);
    }
    expect(creditCap(hw(8, 8))).toBe(2 * 2048 + 256);
  });
});
