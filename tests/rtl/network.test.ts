// `nacc verify DIR --network`: a small residual network end to end on one accelerator instance
// in Icarus — every layer's programs in order, activations kept in the bench's DRAM model
// between layers, the residual add, ReLU, max and average pooling and global pooling on the post-processing
// unit, softmax outside the design (reported, not counted), each step's output and the final
// outputs bit-exact against the int8 reference (`nacc run`'s arithmetic), cycles per layer
// against the cost model (conv engine) and the PPU's cycle model; a corrupted weight is caught
// (exit 3, the first mismatch named). Seed 1.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacc } from '../helpers/cli.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const SOURCE = `accelerator kc_net {
  pe_array: [4, 4]
  parallel: [K, C]
  register_file: 64 B per pe
  global_buffer: 32 KB
  dram_bandwidth: 8 B/cycle
  word: 8 bit
}

network res_small {
  input x: int8[8, 8, 8]
  a = conv2d(x, out: 8, kernel: 3, pad: same, act: relu)
  b = conv2d(a, out: 8, kernel: 3, pad: same)
  s = add(b, x)
  r = relu(s)
  m = maxpool(r, kernel: 3, stride: 2, pad: same)
  d = dwconv2d(m, kernel: 3, pad: same, act: relu6)
  p = avgpool(d, kernel: 3, stride: 1, pad: same)
  g = avgpool(p, global: true)
  f = dense(g, out: 10)
  output f
  output softmax(f)
}
`;

interface Step {
  name: string;
  op: string;
  runs_on: string;
  cycles: number | null;
  model_cycles: number | null;
  error: number | null;
  passed: number;
  failed: number;
}

function source(): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-rtl-network-'));
  const file = join(dir, 'res.nacc');
  writeFileSync(file, SOURCE);
  return { file, out: join(dir, 'rtl') };
}

/** One generated folder for both tests (the simulation test flips a weight byte in it last). */
let generated: Promise<{ file: string; out: string; code: number; stderr: string }> | undefined;
const generate = () =>
  (generated ??= (async () => {
    const { file, out } = source();
    const g = await nacc(['rtl', file, '--accelerator', 'kc_net', '--network', 'res_small', '--out', out]);
    return { file, out, code: g.code, stderr: g.stderr };
  })());

describe('nacc rtl writes the whole-network program', () => {
  it("without --layer: network/ holds one DRAM image, every step in op order, the layers' programs; with --layer it does not, and verify --network says so (exit 2)", async () => {
    const { file, out, code, stderr } = await generate();
    expect(code, stderr).toBe(0);
    const nm = JSON.parse(readFileSync(join(out, 'network', 'network.json'), 'utf8'));
    const softmax = nm.steps[9].name;
    expect(nm.steps.map((s: Step) => s.name)).toEqual(['a', 'b', 's', 'r', 'm', 'd', 'p', 'g', 'f', softmax]);
    expect(nm.steps.map((s: Step & { unit?: string }) => s.unit ?? s.runs_on)).toEqual([
      'conv',
      'conv',
      'post-process',
      'post-process',
      'post-process',
      'conv',
      'post-process',
      'post-process',
      'conv',
      'host',
    ]);
    expect(nm.steps.map((s: Step) => s.op)).toEqual([
      'CONV_2D',
      'CONV_2D',
      'ADD',
      'QUANTIZE',
      'MAX_POOL_2D',
      'DEPTHWISE_CONV_2D',
      'AVERAGE_POOL_2D',
      'MEAN',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(nm.outputs).toEqual([
      { name: 'f', step: 8 },
      { name: softmax, step: 9 },
    ]);
    const one = join(mkdtempSync(join(tmpdir(), 'nacc-rtl-network-')), 'rtl');
    expect((await nacc(['rtl', file, '--accelerator', 'kc_net', '--network', 'res_small', '--layer', 'a', '--out', one])).code).toBe(0);
    const v = await nacc(['verify', one, '--network']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/no whole-network program/);
  }, 120_000);
});

describeNeeds([await needTool('iverilog'), await needTool('verilator')], 'a residual network in one simulation (Icarus)', () => {
  it('every step and the final output bit-exact, lint clean, accelerator cycles within 10% of the model per layer; a corrupted weight is caught', async () => {
    const { out, code, stderr } = await generate();
    expect(code, stderr).toBe(0);
    const v = await nacc(['verify', out, '--network', '--sim', 'iverilog', '--json']);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    const rep = JSON.parse(v.stdout);
    expect(rep.lint.warnings).toBe(0);
    expect(rep.ok).toBe(true);
    const sim = rep.sims[0];
    expect(sim).toMatchObject({ name: 'iverilog', failed: 0 });
    // 8x8x8 per conv output, the add, relu, 4x4x8 max pool, depthwise and average pool, 8 pooled, 10 logits, 10 softmax, the final outputs again.
    expect(sim.passed).toBe(512 * 4 + 128 * 3 + 8 + 10 + 10 + 10 + 10);
    expect(sim.final_output.map((o: { passed: number; failed: number }) => [o.passed, o.failed])).toEqual([
      [10, 0],
      [10, 0],
    ]);
    const byName = new Map<string, Step>(rep.layers.map((l: Step) => [l.name, l]));
    for (const name of ['a', 'b', 's', 'r', 'm', 'd', 'p', 'g', 'f']) {
      const l = byName.get(name)!;
      expect(l.runs_on, name).toBe('accelerator');
      expect(l.cycles, name).toBeGreaterThan(0);
      expect(l.model_cycles, name).not.toBeNull();
      expect(Math.abs(l.error!), name).toBeLessThanOrEqual(0.1);
    }
    // The post-processing unit's steps follow its cycle model exactly.
    for (const name of ['s', 'r', 'm', 'p', 'g']) expect(byName.get(name)!.cycles, name).toBe(byName.get(name)!.model_cycles);
    const accelerator = rep.layers.filter((l: Step) => l.runs_on === 'accelerator').reduce((s: number, l: Step) => s + l.cycles!, 0);
    expect(sim.cycles).toBe(accelerator);
    expect(rep.model_cycles).toBe(
      rep.layers.filter((l: Step) => l.runs_on === 'accelerator').reduce((s: number, l: Step) => s + l.model_cycles!, 0),
    );
    // An op outside the design takes no accelerator cycles and says so.
    const host = rep.layers.filter((x: Step) => x.runs_on === 'host');
    expect(host.map((l: Step) => l.op)).toEqual(['SOFTMAX']);
    expect(host[0]).toMatchObject({ cycles: null, model_cycles: null, passed: 10, failed: 0 });
    expect(rep.host_steps).toEqual([host[0].name]);

    // One weight byte of layer b flipped: b (and everything after it) differs; exit 3.
    const nm = JSON.parse(readFileSync(join(out, 'network', 'network.json'), 'utf8'));
    const dram = readFileSync(join(out, 'network', 'dram.hex'), 'utf8')
      .trim()
      .split('\n');
    const wAt = nm.steps.find((s: { name: string }) => s.name === 'b').weights_base + 5;
    dram[wAt] = ((parseInt(dram[wAt], 16) ^ 0x40) & 0xff).toString(16).padStart(2, '0');
    writeFileSync(join(out, 'network', 'dram.hex'), dram.join('\n') + '\n');
    const bad = await nacc(['verify', out, '--network', '--sim', 'iverilog', '--json']);
    expect(bad.code).toBe(3);
    const br = JSON.parse(bad.stdout);
    expect(br.ok).toBe(false);
    expect(br.sims[0].first_mismatch).toMatch(/^b: /);
    expect(br.layers.find((l: Step) => l.name === 'a').failed).toBe(0);
    expect(br.layers.find((l: Step) => l.name === 'b').failed).toBeGreaterThan(0);
  }, 300_000);
});
