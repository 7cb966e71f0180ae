// Input channels split across buffer refills: the plan (chunks innermost, records and output
// writes only on the last chunk, a partial-sum bank inside the buffer), the chunk-major weight
// layout, and a layer whose inputs do not fit even one output at a time run bit-exactly in
// Icarus with int32 partial sums carried between chunks and requantised once. Seed 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { generateAccelerator, planAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { weightImage } from '../../compiler/rtl/accelerator/golden.ts';
import { verifyAccelerator } from '../../testbench/rtl/accelerator.ts';

const FILE = 'tests/rtl/c-split.nacc';
let prog: Program;
beforeAll(() => {
  prog = loadProgram(FILE);
});
const spec = () => prog.accelerators.find((a) => a.name === 'kc_tiny')!;
const net = () => prog.networks.find((n) => n.name === 'c_split')!;

describe('input-channel chunks', () => {
  it('a 3x3 conv over 48 channels that 16 lanes x 3 KB cannot hold whole is planned as chunks of C, innermost', () => {
    const plan = planAccelerator(spec(), net(), {});
    const hw = plan.hardware;
    const i = plan.problems.findIndex((p) => p.layer === 'c3');
    expect(plan.channelChunks[i]).toBeLessThan(48);
    expect(hw.psumWords).toBeGreaterThan(0);
    // The partial-sum bank is part of the buffer's budget.
    expect(hw.globalBufferUsed).toBe(
      hw.inputLanes.count * hw.inputBankBytes + hw.weightLanes.count * hw.weightBankBytes + 16 * hw.maxChannels + 4 * hw.psumWords,
    );
    expect(hw.globalBufferUsed).toBeLessThanOrEqual(spec().globalBufferBytes);
    // Every output tile runs its chunks back to back, covering C once; only the last loads
    // records and writes outputs; the bank holds the output tile's sums.
    const tiles = plan.tiles[i];
    let at = 0;
    while (at < tiles.length) {
      const first = tiles[at];
      const run = tiles.slice(at).filter((t) => t.k0 === first.k0 && t.q0 === first.q0 && t.p0 === first.p0);
      expect(run.map((t) => [t.c0, t.cc])).toEqual(run.map((_, j) => [j * first.cc, Math.min(first.cc, 48 - j * first.cc)]));
      expect(run.reduce((s, t) => s + t.cc, 0)).toBe(48);
      expect(run.map((t) => [t.firstChunk, t.lastChunk])).toEqual(run.map((_, j) => [j === 0, j === run.length - 1]));
      expect(run.map((t) => t.load.qBeats > 0)).toEqual(run.map((_, j) => j === run.length - 1));
      expect(run.map((t) => t.load.outBytes)).toEqual(run.map((t, j) => (j === run.length - 1 ? t.kc * t.qc * t.pc : 0)));
      expect(first.kc * first.qc * first.pc).toBeLessThanOrEqual(hw.psumWords);
      // The tile's program reads only its chunk: one segment per pixel of whole beats.
      expect(first.problem.bounds.C).toBe(first.cc);
      expect(first.channels).toEqual([0, first.cc]);
      at += run.length;
    }
  });
  it('weights are chunk-major when C is split, so each chunk of output channels is one contiguous read', () => {
    // K 2, S 1, R 2, C 3 in chunks of 2: [chunk 0: k0 r0 c0..1, k0 r1, k1 r0, k1 r1][chunk 1: c2 ...].
    const w = Int8Array.from({ length: 12 }, (_, i) => i);
    expect([...weightImage(w, { K: 2, S: 1, R: 2, C: 3 }, 2)]).toEqual([0, 1, 3, 4, 6, 7, 9, 10, 2, 5, 8, 11]);
    expect([...weightImage(w, { K: 2, S: 1, R: 2, C: 3 }, 3)]).toEqual([...Array(12).keys()]);
  });
  it('a layer that cannot split its channels and does not fit is refused, naming the layer, the resource and the bytes', () => {
    // 6 input channels are not whole 8-byte beats: no chunks, and 16 weight lanes x 8 B do not fit 100 B.
    const small = { ...spec(), globalBufferBytes: 100 };
    const e = (() => {
      try {
        planAccelerator(small, net(), { layers: ['f'] });
      } catch (x) {
        return x;
      }
    })() as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.diagnostics[0].code).toBe('R0206');
    expect(e.diagnostics[0].message).toMatch(
      /layer 'f' does not fit the global buffer .* = \d+ B\) but it has 100 B; its input channels are not split \(6 channels are not a whole number of 8-byte DRAM beats\)/,
    );
    expect(e.diagnostics[0].location?.line).toBeGreaterThan(0);
  });
});

describe('partial sums carried across refills run bit-exactly', () => {
  it('c3 (3x3, 48 channels in chunks), pw and the dense layer in Icarus: every output, cycles = the schedule', async () => {
    const g = generateAccelerator(spec(), net(), { seed: 1 });
    const c3 = g.manifest.layers.find((l) => l.name === 'c3')!;
    expect(c3.tiles.some((t) => t.cc < 48)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'nacc-csplit-'));
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
    // nacc verify --json per layer: measured cycles, the cost model's cycles for the programs that
    // ran (the manifest's), and error = cycles / model_cycles - 1; the schedule is under its own name.
    for (const l of r.layers) {
      const ml = g.manifest.layers.find((x) => x.name === l.name)!;
      expect(l.cycles).toBe(l.sim_cycles.iverilog);
      expect(l.model_cycles).toBe(ml.model_cycles);
      expect(l.schedule_cycles).toBe(ml.schedule_cycles);
      if (l.model_cycles === null) expect([l.error, l.predicted_cycles]).toEqual([null, null]);
      else expect(l.error).toBeCloseTo(l.cycles! / l.model_cycles - 1, 4);
    }
    expect(r.layers.find((l) => l.name === 'c3')!.model_cycles).toEqual(expect.any(Number));
    expect(r.ok).toBe(true);
  }, 300_000);
});
