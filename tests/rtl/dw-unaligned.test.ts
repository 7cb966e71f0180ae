// Depthwise channel chunks whose input channels are not whole DRAM beats (issue 15: MnasNet's
// 72-channel layer on nvdla_256's 16-byte beats). 20 channels in 8-byte beats: a pixel's chunk
// starts at offset 0 or 4 of its beat, alternately; the load engine fetches the beats covering
// each pixel's chunk and writes only the chunk's bytes, at their DRAM offset within the beat, so
// the lanes address the bank linearly. On dw_tiny only channel chunks fit (16 input lanes x a band
// of every channel do not), and they run bit-exactly in Icarus. Seed 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { generateAccelerator, planAccelerator, type GeneratedAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { blockExtent } from '../../compiler/naas/cost/tile-analysis.ts';
import { verifyAccelerator } from '../../testbench/rtl/accelerator.ts';

const FILE = 'tests/rtl/dw-unaligned.nacc';
const BEAT = 8;
const CHANNELS = 20;
let prog: Program;
beforeAll(() => {
  prog = loadProgram(FILE);
});
const spec = () => prog.accelerators.find((a) => a.name === 'dw_tiny')!;
const net = () => prog.networks.find((n) => n.name === 'dw_odd')!;

/** Writes the design, runs it in Icarus, and checks every output, cycles = schedule, lint clean and |model error| <= 10%. */
async function simulate(g: GeneratedAccelerator) {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-dw-unaligned-'));
  for (const f of g.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  const r = await verifyAccelerator(dir, { sims: ['iverilog'] });
  expect(r.lint.warnings, JSON.stringify(r.lint.diagnostics.slice(0, 3))).toBe(0);
  for (const l of r.sims[0].layers) {
    const ml = g.manifest.layers.find((x) => x.name === l.name)!;
    expect(l.failed, `${l.name}: ${l.first_mismatch}`).toBe(0);
    expect(l.passed).toBe(ml.bounds.K * ml.bounds.P * ml.bounds.Q);
    expect(l.cycles, l.name).toBe(ml.schedule_cycles);
  }
  for (const l of r.layers) {
    expect(l.model_cycles, l.name).toEqual(expect.any(Number));
    expect(Math.abs(l.error!), l.name).toBeLessThanOrEqual(0.1);
  }
  expect(r.ok).toBe(true);
  return r;
}

describe('depthwise channel chunks of channels that are not whole DRAM beats', () => {
  it('load only their own channels: per pixel the beats covering the chunk, the bank congruent to DRAM modulo a beat', () => {
    const plan = planAccelerator(spec(), net(), {});
    const hw = plan.hardware;
    expect(hw.dramBeatBytes).toBe(BEAT);
    expect(hw.maskedInputWrites).toBe(true);
    const i = plan.problems.findIndex((p) => p.layer === 'dw');
    const tiles = plan.tiles[i];
    expect(tiles.length).toBeGreaterThan(1);
    const offsets = new Set<number>();
    for (const t of tiles) {
      const ld = t.load;
      // A chunk of fewer channels than the layer's, loaded alone: one segment per pixel, a pixel (20 B) apart.
      expect(t.kc).toBeLessThan(CHANNELS);
      expect(t.channels).toEqual([t.k0, t.k0 + t.kc]);
      expect(ld.inSegStride).toBe(CHANNELS);
      expect(ld.inRowStride).toBe(7 * CHANNELS);
      expect(ld.inRowSegs).toBe(t.cols[1] - t.cols[0]);
      const pixels = (t.rows[1] - t.rows[0]) * (t.cols[1] - t.cols[0]);
      expect(ld.inBeats).toBe(pixels * ld.inSegBeats);
      // Every pixel's chunk, at its own offset within its beat, lies inside the beats loaded for it.
      for (let y = t.rows[0]; y < t.rows[1]; y++)
        for (let x = t.cols[0]; x < t.cols[1]; x++) {
          const start = (y * 7 + x) * CHANNELS + t.k0;
          offsets.add(start % BEAT);
          expect((start % BEAT) + t.kc).toBeLessThanOrEqual(ld.inSegBeats * BEAT);
        }
      // Bank pitches congruent to the DRAM pitches modulo a beat, within the beats loaded.
      expect(ld.pixPitch % BEAT).toBe(CHANNELS % BEAT);
      expect(ld.rowPitch % BEAT).toBe((7 * CHANNELS) % BEAT);
      expect(ld.pixPitch).toBeGreaterThanOrEqual(t.kc);
      expect(ld.pixPitch).toBeLessThanOrEqual(ld.inSegBeats * BEAT);
      expect(ld.inOff).toBe(((t.rows[0] * 7 + t.cols[0]) * CHANNELS + t.k0) % BEAT);
      // The cost model states the same bytes per pixel for a chunk that divides the channels (StorageLevel.blocks).
      if (CHANNELS % t.kc === 0) expect(ld.inSegBeats * BEAT).toBe(blockExtent(t.kc, CHANNELS, BEAT));
    }
    // Pixels' chunks start at both offsets a 20-byte pixel pitch gives in 8-byte beats (plus the chunk's first channel).
    expect(offsets.size).toBeGreaterThan(1);
  });

  it("the planner's chunks run bit-exactly in Icarus, within 10% of the cost model", async () => {
    const g = generateAccelerator(spec(), net(), { seed: 1 });
    const dw = g.manifest.layers.find((l) => l.name === 'dw')!;
    expect(dw.tiles.every((t) => t.in_channels[0] === t.k0 && t.in_channels[1] === t.k0 + t.kc && t.kc < CHANNELS)).toBe(true);
    await simulate(g);
  }, 300_000);

  it('chunks of 5 channels (first channels at every offset modulo 4: 1 or 2 beats per pixel) run bit-exactly in Icarus', async () => {
    const small = { ...spec(), globalBufferBytes: 16 * 1024 };
    const g = generateAccelerator(small, net(), { seed: 1, layers: ['dw'], tile: { kc: 5, qc: 7 } });
    const dw = g.manifest.layers.find((l) => l.name === 'dw')!;
    expect(new Set(dw.tiles.map((t) => t.in_channels[0] % 4))).toEqual(new Set([0, 1, 2, 3]));
    expect(dw.tiles.every((t) => t.in_channels[1] - t.in_channels[0] === t.kc && t.kc === 5)).toBe(true);
    // Every tile loads the worst offset's beats, as the model states: 8 - gcd(5, 8) + 5 bytes, 2 beats per pixel.
    const plan = planAccelerator(small, net(), { layers: ['dw'], tile: { kc: 5, qc: 7 } });
    expect(plan.tiles[0].map((t) => t.load.inSegBeats)).toEqual(plan.tiles[0].map(() => 2));
    expect(blockExtent(5, CHANNELS, BEAT)).toBe(2 * BEAT);
    await simulate(g);
  }, 300_000);
});
