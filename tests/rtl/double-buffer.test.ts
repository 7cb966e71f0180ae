// The double-buffered global buffer (issue 25 item 2): the next tile's DRAM loads run while the
// current tile computes. The same tiles of a DRAM-bound layer single- and double-buffered in
// Icarus (bit-exact, lint clean, fewer cycles, the schedule and the cost model stating the
// overlap), and a small residual network through `nacc verify --network` on a design the planner
// double-buffers. Seed 1.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeNeeds, needTool } from '../helpers/requires.ts';
import { nacc } from '../helpers/cli.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { generateAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { CONFIG_FIELDS } from '../../compiler/rtl/accelerator/mapping.ts';
import { RTL_CONFIG_WORDS } from '../../compiler/naas/rtl-architecture.ts';
import { verifyAccelerator } from '../../testbench/rtl/accelerator.ts';

const ACCELERATOR = (name: string, buffer: string) => `accelerator ${name} {
  pe_array: [4, 4]
  parallel: [K, C]
  register_file: 64 B per pe
  global_buffer: ${buffer}
  dram_bandwidth: 2 B/cycle
  word: 8 bit
}
`;

// A 1x1 layer whose weights dominate its traffic: 17 KB of loads for 16,384 array steps at 2 B/cycle.
const DRAM_BOUND = `${ACCELERATOR('kc_dram', '48 KB')}
network weight_bound {
  input x: int8[4, 4, 128]
  pw = conv2d(x, out: 128, kernel: 1, act: relu)
  output pw
}
`;

const RESIDUAL = `${ACCELERATOR('kc_db', '12 KB')}
network res_db {
  input x: int8[8, 8, 16]
  a = conv2d(x, out: 16, kernel: 3, pad: same, act: relu)
  b = conv2d(a, out: 16, kernel: 3, pad: same)
  s = add(b, x)
  r = relu(s)
  g = avgpool(r, global: true)
  f = dense(g, out: 10)
  output f
}
`;

function programOf(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'nacc-dbuf-src-')), 'dram.nacc');
  writeFileSync(file, text);
  return loadProgram(file);
}

function write(files: { path: string; text: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-dbuf-'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  return dir;
}

describe('double buffering: the plan', () => {
  it('the cost model issues programs at the rate the bench writes their configuration words', () => {
    expect(RTL_CONFIG_WORDS).toBe(CONFIG_FIELDS.length);
  });

  it('same tiles: double-buffered banks are two halves of the single-buffered sizes; the schedule and the model overlap the loads', () => {
    const prog = programOf(DRAM_BOUND);
    const [spec, net] = [prog.accelerators[0], prog.networks[0]];
    const single = generateAccelerator(spec, net, { seed: 1, tile: { kc: 4, qc: 4 }, doubleBuffer: false });
    const double = generateAccelerator(spec, net, { seed: 1, tile: { kc: 4, qc: 4 } });
    expect(single.hardware.doubleBuffer).toBe(false);
    expect(double.hardware.doubleBuffer).toBe(true);
    expect(double.hardware.inputBankBytes).toBe(single.hardware.inputBankBytes);
    expect(double.hardware.globalBufferUsed).toBe(2 * single.hardware.globalBufferUsed);
    const [s, d] = [single.manifest.layers[0], double.manifest.layers[0]];
    expect(d.tile_count).toBe(s.tile_count);
    expect(d.tile_count).toBe(32);
    // The loads (every tile's weights) take longer than the array's steps: DRAM-bound.
    expect(s.predicted.load).toBeGreaterThan(s.predicted.compute);
    expect(s.schedule_cycles).toBe(s.tiles.reduce((n, t) => n + t.schedule_cycles, 0));
    expect(d.schedule_cycles).toBeLessThan(0.8 * s.schedule_cycles);
    expect(Math.abs(d.model_cycles! / d.schedule_cycles - 1)).toBeLessThan(0.02);
  });
});

describeNeeds([await needTool('iverilog'), await needTool('verilator')], 'double buffering in simulation (Icarus)', () => {
  it('a DRAM-bound layer, same 32 tiles: bit-exact both ways, lint clean, the double-buffered run at least 20% faster and as scheduled', async () => {
    const prog = programOf(DRAM_BOUND);
    const [spec, net] = [prog.accelerators[0], prog.networks[0]];
    const cycles: number[] = [];
    for (const doubleBuffer of [false, true]) {
      const g = generateAccelerator(spec, net, { seed: 1, tile: { kc: 4, qc: 4 }, doubleBuffer });
      expect(g.hardware.doubleBuffer).toBe(doubleBuffer);
      const r = await verifyAccelerator(write(g.files), { sims: ['iverilog'] });
      expect(r.lint.warnings, JSON.stringify(r.lint.diagnostics)).toBe(0);
      const l = r.sims[0].layers[0];
      expect([l.passed, l.failed], l.first_mismatch).toEqual([4 * 4 * 128, 0]);
      const ml = g.manifest.layers[0];
      if (doubleBuffer) expect(Math.abs(l.cycles! / ml.schedule_cycles - 1), `${l.cycles} vs ${ml.schedule_cycles}`).toBeLessThan(0.01);
      else expect(l.cycles).toBe(ml.schedule_cycles);
      expect(Math.abs(l.cycles! / ml.model_cycles! - 1), `${l.cycles} vs model ${ml.model_cycles}`).toBeLessThan(0.1);
      cycles.push(l.cycles!);
    }
    expect(cycles[1]).toBeLessThan(0.8 * cycles[0]);
  }, 240_000);

  it('a residual network end to end through --network on a double-buffered design: every step bit-exact, within 10% per layer and 5% in all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-dbuf-net-'));
    const file = join(dir, 'res.nacc');
    writeFileSync(file, RESIDUAL);
    const out = join(dir, 'rtl');
    const g = await nacc(['rtl', file, '--accelerator', 'kc_db', '--network', 'res_db', '--out', out, '--json']);
    expect(g.code, g.stderr).toBe(0);
    const gen = JSON.parse(g.stdout);
    expect(gen.hardware.doubleBuffer).toBe(true);
    expect(gen.layers.find((l: { name: string }) => l.name === 'a').tile_count).toBeGreaterThan(1);
    const v = await nacc(['verify', out, '--network', '--sim', 'iverilog', '--json']);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    const rep = JSON.parse(v.stdout);
    expect(rep.lint.warnings).toBe(0);
    expect(rep.sims[0]).toMatchObject({ name: 'iverilog', failed: 0 });
    // Two 8x8x16 convolutions, the add, the ReLU, 16 pooled, 10 logits, the final output again.
    expect(rep.sims[0].passed).toBe(1024 * 4 + 16 + 10 + 10);
    for (const l of rep.layers) {
      expect(l.runs_on, l.name).toBe('accelerator');
      expect(Math.abs(l.error), `${l.name}: ${l.cycles} vs ${l.model_cycles}`).toBeLessThanOrEqual(0.1);
    }
    expect(Math.abs(rep.error)).toBeLessThanOrEqual(0.05);
  }, 240_000);
});
