// One schedule, one number (issue 19): `nacc mcu --json` reports the peak `nacc mcu-schedule`
// reports for the same schedule and options, both pick the same auto schedule (a float-input
// network's QUANTIZE-only patch stage included), and the generated program's arena is that
// peak (it runs the rules the analysis assumes: elementwise ops in place, 1x1 convolutions
// fused into residual ADDs). `nacc verify --json` puts the peak beside QEMU's measured RAM.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { residualTflite } from './residual-model.ts';

const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-one-number-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const TFLITE = join(OUT, 'residual.tflite');
writeFileSync(TFLITE, residualTflite(19));

async function json(args: string[]) {
  const r = await nacc(args);
  if (r.exitCode !== 0) throw new Error(`nacc ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Both commands on one model and one set of options: the schedule and peak each prints. */
async function both(model: string, opts: string[], name: string) {
  const s = await json(['mcu-schedule', model, '--target', 'stm32f412', ...opts, '--json']);
  const m = await json(['mcu', model, '--target', 'stm32f412', ...opts, '--out', join(OUT, name), '--json']);
  const { input: _input, ...mSchedule } = m.schedule;
  return { s, m, mSchedule };
}

describe('nacc mcu and nacc mcu-schedule agree', () => {
  const cases: [string, string[]][] = [
    ['auto', ['--schedule', 'auto']],
    ['layer', ['--schedule', 'layer']],
    ['patch', ['--schedule', 'patch', '--split', '6', '--patches', '3']],
    ['patch-whole', ['--schedule', 'patch', '--split', '6', '--patches', '3', '--input', 'whole']],
  ];
  for (const [name, opts] of cases) {
    it(`residual model, ${opts.join(' ')}: same schedule, same peak, and the arena is that peak`, async () => {
      const { s, m, mSchedule } = await both(TFLITE, opts, name);
      expect(mSchedule).toEqual(s.schedule);
      expect(m.peak_sram_bytes).toBe(s.peak_sram_bytes);
      // Streamed, the arena is exactly the peak; the whole input (kept for compatibility) is
      // placed around the split map the per-layer stage fixed, so it may cost more.
      if (name === 'patch-whole') expect(m.arena_bytes).toBeGreaterThanOrEqual(m.peak_sram_bytes);
      else expect(m.arena_bytes).toBe(m.peak_sram_bytes);
      if (name === 'auto') expect(s.schedule).toMatchObject({ kind: 'patch', split: 1 }); // the float input streamed, quantised per patch
      if (name === 'patch-whole') expect(m.schedule.input).toBe('whole');
    }, 120_000);
  }

  it('a float-input network (.nacc): both patch the input QUANTIZE alone, with one peak', async () => {
    const file = join(OUT, 'mlp.nacc');
    writeFileSync(
      file,
      'network mlp {\n  input x: float32[8, 8, 4]\n  f = flatten(x)\n  h = dense(f, out: 32, act: relu)\n  output dense(h, out: 10)\n}\n',
    );
    const { s, m, mSchedule } = await both(file, ['--schedule', 'auto'], 'mlp');
    expect(s.schedule).toMatchObject({ kind: 'patch', split: 1 });
    expect(mSchedule).toEqual(s.schedule);
    expect(m.peak_sram_bytes).toBe(s.peak_sram_bytes);
    expect(s.layer_peak_sram_bytes).toBe(8 * 8 * 4 * 4); // the float input, quantised in place
  }, 120_000);

  it('the fused program is bit-exact op by op on the host and in QEMU; verify prints the peak beside the RAM', async () => {
    const dir = join(OUT, 'layer');
    await json(['mcu', TFLITE, '--target', 'stm32f412', '--schedule', 'layer', '--out', dir, '--json']);
    expect(readFileSync(join(dir, 'model.c'), 'utf8')).toMatch(/fused with op 5's residual ADD/);
    const v = await json(['verify', dir, '--debug', '--json']);
    expect(v.host).toMatchObject({ bit_exact: true, debug: { first_mismatch: null } });
    expect(v.qemu).toMatchObject({ bit_exact: true, debug: { first_mismatch: null } });
    // 12 ops, the two fused convolutions have no output of their own to dump
    expect(v.host.debug.ops_checked).toBe(10);
    expect(v.qemu.peak_sram_bytes).toBe(v.qemu.arena_bytes);
    expect(v.qemu.ram_bytes).toBeGreaterThanOrEqual(v.qemu.peak_sram_bytes + v.qemu.stack_bytes);
  }, 300_000);

  it('MobileNetV2-224, 4x4 patches at the first 28x28 block: 176,400 B from both commands, and as the arena', async () => {
    const file = 'examples/mcunetv2-mobilenetv2.nacc';
    const opts = ['--network', 'mbv2_224', '--schedule', 'patch', '--patches', '4', '--split', '13'];
    const s = await json(['mcu-schedule', file, '--target', 'stm32h743', ...opts, '--json']);
    const r = await nacc(['mcu', file, '--target', 'stm32h743', ...opts, '--out', join(OUT, 'mbv2'), '--json']);
    const m = JSON.parse(r.stdout); // exit 0; the weights do not fit the part's flash (a warning)
    expect(s.peak_sram_bytes).toBe(176_400);
    expect(m.schedule).toMatchObject({ kind: 'patch', split: 13, patches: 4, patch_input: [75, 75], input: 'streamed' });
    expect(m.peak_sram_bytes).toBe(176_400);
    expect(m.arena_bytes).toBeLessThanOrEqual(176_400);
  }, 300_000);
});
