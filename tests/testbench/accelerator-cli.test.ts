// `nacc rtl` and `nacc verify` through the CLI: JSON schemas, Verilator on a representative
// design (its builds are slow; bench/ runs it on every design), exit codes 2 and 3.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const nacc = (...args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });

describe('nacc rtl / nacc verify', () => {
  it('rtl --json describes the design and its layers', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-cli-')), 'rp');
    const r = await nacc(
      'rtl',
      'examples/rtl.nacc',
      '--accelerator',
      'rp_rs',
      '--network',
      'rtl_layers',
      '--layer',
      'dw,s2',
      '--out',
      out,
      '--json',
    );
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.top).toBe('nacc_rp_rs_top');
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(['dw', 's2']);
    expect(j.predicted_cycles).toBe(j.layers[0].predicted_cycles + j.layers[1].predicted_cycles);
    expect(j.hardware.axes).toEqual([
      { dim: 'R', size: 3 },
      { dim: 'P', size: 4 },
    ]);
  }, 60_000);

  it('verify --sim both --json: bit-exact in Icarus and Verilator with equal cycle counts', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-cli-')), 'kc');
    expect(
      (
        await nacc(
          'rtl',
          'examples/rtl.nacc',
          '--accelerator',
          'kc_ws',
          '--network',
          'rtl_layers',
          '--layer',
          'dw',
          '--layer',
          's2',
          '--out',
          out,
          '--seed',
          '5',
        )
      ).exitCode,
    ).toBe(0);
    const r = await nacc('verify', out, '--sim', 'both', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.sims.map((s: { name: string }) => s.name)).toEqual(['iverilog', 'verilator']);
    for (const s of j.sims) {
      expect(s.failed).toBe(0);
      expect(s.passed).toBe(12 * 8 * 8 + 8 * 4 * 4);
    }
    expect(j.sims[0].cycles).toBe(j.sims[1].cycles);
    expect(typeof j.predicted_cycles).toBe('number');
    expect(j.lint).toMatchObject({ warnings: 0 });
    expect(j.ok).toBe(true);
  }, 300_000);

  it('exit 3 with the first mismatch when an output differs; exit 2 for an unknown accelerator', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-cli-')), 'pq');
    await nacc('rtl', 'examples/rtl.nacc', '--accelerator', 'pq_os', '--network', 'rtl_layers', '--layer', 'pw', '--out', out);
    const exp = join(out, 'layers/pw/expected.hex');
    const lines = readFileSync(exp, 'utf8').split('\n');
    lines[0] = ((parseInt(lines[0], 16) + 1) & 0xff).toString(16).padStart(2, '0');
    writeFileSync(exp, lines.join('\n'));
    const r = await nacc('verify', out);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/first mismatch output\[y=0,x=0,k=0\]/);
    expect(r.stderr).toMatch(/error\[V0001\]/);
    const bad = await nacc('rtl', 'examples/rtl.nacc', '--accelerator', 'nope', '--network', 'rtl_layers');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no accelerator 'nope'[\s\S]*kc_ws/);
  }, 120_000);
});
