// `nacc inspect` reads what it is given (issue 26): .nacc, .onnx and .tflite by content; any
// other content is one error naming the formats, never the binary echoed as .nacc diagnostics.
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nacc } from '../helpers/cli.ts';
import { allOpsModel } from '../mcu/tflite-writer.ts';

describe('nacc inspect reads every model format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-inspect-formats-'));
  const tflite = join(dir, 'allops.tflite');
  writeFileSync(tflite, allOpsModel(3));

  it('a .tflite model gets the per-layer table and the documented JSON', async () => {
    const text = await nacc(['inspect', tflite]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^network allops/m);
    expect(text.stdout).toMatch(/^layer\s+op\s+output\s+MACs/m);
    expect(text.stdout).toMatch(/conv_2d/);
    const j = JSON.parse((await nacc(['inspect', tflite, '--json'])).stdout);
    const n = j.networks[0];
    expect(n.inputs[0]).toMatchObject({ dtype: expect.any(String), shape: expect.any(Array) });
    expect(n.totals.macs).toBe(n.layers.reduce((a: number, l: { macs: number }) => a + l.macs, 0));
    expect(n.totals.macs).toBeGreaterThan(0);
    expect(n.totals.peak_activation_bytes).toBeGreaterThan(0);
  });

  it('a .tflite model renamed .nacc, or a binary of no known format, is one error naming the formats (exit 1)', async () => {
    const renamed = join(dir, 'model.nacc');
    copyFileSync(tflite, renamed);
    const bin = join(dir, 'noise.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 73 + 11) % 256)));
    for (const f of [renamed, bin]) {
      const r = await nacc(['inspect', f]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('error[E0002]');
      expect(r.stderr).toContain('.nacc (text), .onnx, .tflite or MAESTRO .m');
      expect(r.stdout).toBe('');
    }
  });

  it('a file without a known extension is read by its content (.tflite magic)', async () => {
    const noExt = join(dir, 'model.bin');
    copyFileSync(tflite, noExt);
    const r = await nacc(['inspect', noExt, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).networks).toHaveLength(1);
  });

  it('a MAESTRO .m model gets the per-layer table: MACs of each loop nest', async () => {
    const m = join(dir, 'tiny.m');
    writeFileSync(
      m,
      'Network tiny {\n  Layer L1 {\n    Type: CONV\n    Stride { X: 1, Y: 1 }\n    Dimensions { K: 16, C: 8, R: 3, S: 3, Y: 12, X: 12 }\n  }\n}\n',
    );
    const j = JSON.parse((await nacc(['inspect', m, '--json'])).stdout);
    expect(j.networks[0].name).toBe('tiny');
    // 10x10 outputs x 16 filters x (8 x 3 x 3) taps.
    expect(j.networks[0].layers[0]).toMatchObject({
      name: 'L1',
      output_shape: [10, 10, 16],
      macs: 10 * 10 * 16 * 8 * 9,
      params: 16 * 8 * 9,
    });
  });

  it('--print-ir does not apply to a .tflite model: rejected with a message (exit 2)', async () => {
    const r = await nacc(['inspect', tflite, '--print-ir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--print-ir');
  });
});
