// The CLI as a user meets it: exit codes, JSON schemas, help.
import { describe, expect, it } from 'vitest';
import { nacc } from '../helpers/cli.ts';

describe('nacc CLI', () => {
  it('--help and --version exit 0; an unknown command exits 2', async () => {
    const help = await nacc(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('inspect');
    expect((await nacc(['--version'])).code).toBe(0);
    expect((await nacc(['frobnicate'])).code).toBe(2);
  });

  it('doctor --json lists every tool with found/version', async () => {
    const r = await nacc(['doctor', '--json']);
    expect([0, 4]).toContain(r.code);
    const j = JSON.parse(r.stdout);
    const names = j.tools.map((t: { name: string }) => t.name);
    for (const t of ['iverilog', 'verilator', 'yosys', 'arm-none-eabi-gcc', 'qemu-system-arm']) expect(names).toContain(t);
    for (const t of j.tools) {
      expect(typeof t.found).toBe('boolean');
      // Programs report their own version; data and library packages (newlib, Fashion-MNIST) dpkg's.
      if (t.found) expect(t.version).toMatch(/^\d+[.:]\d+/);
    }
    expect(r.code).toBe(j.tools.every((t: { found: boolean }) => t.found) ? 0 : 4);
  });

  it('inspect --json follows the documented schema', async () => {
    const r = await nacc(['inspect', 'examples/classic.nacc', '--network', 'vgg16', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.networks).toHaveLength(1);
    const n = j.networks[0];
    expect(n.name).toBe('vgg16');
    for (const l of n.layers) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['name', 'op', 'output_shape', 'macs', 'params', 'activation_bytes']));
    }
    expect(n.totals.macs).toBe(15_470_264_320);
    expect(n.totals.params).toBe(n.layers.reduce((a: number, l: { params: number }) => a + l.params, 0));
    expect(n.layers.at(-1).output_shape).toEqual([1000]);
  });

  it('inspect prints a per-layer table with totals', async () => {
    const r = await nacc(['inspect', 'examples/classic.nacc', '--network', 'mobilenet_v2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^layer\s+op\s+output\s+MACs\s+params\s+act bytes\s+RF/m);
    expect(r.stdout).toContain('total: 300,774,272 MACs');
  });
});
