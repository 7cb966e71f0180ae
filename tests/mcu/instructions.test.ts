// Latency before deployment (issue 19.4): `nacc mcu --json` states the predicted instructions of
// one inference, per op and in total (compiler/mcu/instructions.ts), and the prediction is close
// to what QEMU counts for the same program on both kernel paths.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTRUCTION_MODEL } from '../../compiler/mcu/instruction-model.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';
import { residualTflite } from '../mcu-patch/residual-model.ts';
import { NEED_MODELS, SHARED_MODELS } from './models.ts';

const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-instructions-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const QEMU = await Promise.all(['arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));

async function json(args: string[]) {
  const r = await nacc(args);
  if (r.exitCode !== 0) throw new Error(`nacc ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('predicted instructions', () => {
  it('every op of a layer-by-layer and a patch program gets a prediction; the total is their sum', async () => {
    const file = join(OUT, 'residual.tflite');
    writeFileSync(file, residualTflite(19));
    for (const schedule of ['layer', 'auto']) {
      const m = await json(['mcu', file, '--target', 'stm32f412', '--schedule', schedule, '--out', join(OUT, schedule), '--json']);
      const p = m.predicted_instructions;
      expect(p.kernels).toBe('smlad');
      expect(p.per_op.length).toBeGreaterThanOrEqual(m.ops - 1);
      expect(p.total).toBe(INSTRUCTION_MODEL.fixed + p.per_op.reduce((s: number, o: { instructions: number }) => s + o.instructions, 0));
      // convolutions are predicted from their shape: more MACs, more instructions
      expect(p.per_op.filter((o: { kind: string; instructions: number }) => o.kind === 'CONV_2D').every((o: { instructions: number }) => o.instructions > 0)).toBe(true);
    }
    const portable = await json(['mcu', file, '--target', 'stm32f412', '--no-fast-kernels', '--out', join(OUT, 'portable'), '--json']);
    expect(portable.predicted_instructions.kernels).toBe('portable');
  }, 120_000);

  for (const path of ['smlad', 'portable']) {
    itNeeds([...NEED_MODELS, ...QEMU], `kws_ref_model, ${path} kernels: the predicted total is within 5% of QEMU's count`, async () => {
      const kws = SHARED_MODELS.find((m) => m.name === 'kws_ref_model')!;
      const dir = join(OUT, `kws-${path}`);
      const m = await json(['mcu', kws.tflite, '--target', 'stm32h743', ...(path === 'portable' ? ['--no-fast-kernels'] : []), '--out', dir, '--json']);
      const v = await json(['verify', dir, '--qemu', '--json']);
      expect(v.qemu.bit_exact).toBe(true);
      const err = Math.abs(m.predicted_instructions.total - v.qemu.instructions) / v.qemu.instructions;
      expect(err).toBeLessThan(0.05);
    }, 300_000);
  }
});
