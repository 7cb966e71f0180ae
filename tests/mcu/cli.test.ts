// The MCU commands through the CLI, with the JSON names the issue fixes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';
import { NEED_MODELS, SHARED_MODELS } from './models.ts';
import { describeNeeds } from '../helpers/requires.ts';

const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });

describeNeeds(NEED_MODELS, 'nacc mcu / run / verify', () => {
  const kws = SHARED_MODELS.find((m) => m.name === 'kws_ref_model')!;

  it('mcu --json, then verify --host --json and run agree with TFLite Micro', async () => {
    const out = join(work, 'kws');
    const r = await nacc(['mcu', kws.tflite, '--target', 'stm32f412', '--schedule', 'layer', '--out', out, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schedule.kind).toBe('layer');
    expect(j.arena_bytes).toBe(j.peak_sram_bytes);
    expect(j.arena_bytes).toBeLessThanOrEqual(16000);
    expect(j.macs).toBe(2656768);

    const outBin = join(work, 'kws-out.bin');
    const v = await nacc(['verify', out, '--host', '--input', `${kws.reference}/input_2.bin`, '--output', outBin, '--json']);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).host.bit_exact).toBe(true);
    expect(readFileSync(outBin).equals(readFileSync(`${kws.reference}/output_2.bin`))).toBe(true);

    const runBin = join(work, 'kws-run.bin');
    const run = await nacc(['run', kws.tflite, '--input', `${kws.reference}/input_1.bin`, '--output', runBin]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(runBin).equals(readFileSync(`${kws.reference}/output_1.bin`))).toBe(true);
  });

  it('input and model errors are diagnostics with exit codes, not stack traces', async () => {
    const bad = join(work, 'bad.tflite');
    writeFileSync(bad, readFileSync(kws.tflite).subarray(0, 1000));
    const r = await nacc(['mcu', bad, '--target', 'stm32f412', '--out', join(work, 'bad')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/bad\.tflite: malformed TFLite flatbuffer/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    const short = join(work, 'short.bin');
    writeFileSync(short, new Uint8Array(10));
    const s = await nacc(['run', kws.tflite, '--input', short, '--output', join(work, 'o.bin')]);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toMatch(/10 bytes.*needs 490/);
  });
});
