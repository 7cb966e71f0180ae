// Generated C against TFLite Micro's outputs, on the host and in QEMU (two small models; the
// demo and bench/mcu-models.ts run all of them).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { buildArm, buildHost, parseDump, runHost, runQemu } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { NEED_MODELS, SHARED_MODELS } from './models.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const NEED_TOOLS = await Promise.all(['gcc', 'arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));
const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function emit(name: string, target = 'stm32f412') {
  const m = SHARED_MODELS.find((x) => x.name === name)!;
  const model = importTflite(readFileSync(m.tflite), m.tflite);
  const compiled = compileForMcu(model, resolveBoard(target), { schedule: 'layer' });
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, f), text);
  return { m, dir, compiled };
}

describeNeeds([...NEED_MODELS, ...NEED_TOOLS], 'generated C, bit-exact with TFLite Micro', () => {
  it('kws_ref_model: host (3 inputs, every op) and QEMU', async () => {
    const { m, dir, compiled } = emit('kws_ref_model');
    expect(compiled.summary.arena_bytes).toBeLessThanOrEqual(16000);
    const exe = await buildHost(dir);
    for (let k = 0; k < 3; k++) {
      const r = await runHost(exe, readFileSync(`${m.reference}/input_${k}.bin`), join(dir, `h${k}`));
      expect(Buffer.from(r.output).equals(readFileSync(`${m.reference}/output_${k}.bin`)), `input ${k}`).toBe(true);
    }
    const dexe = await buildHost(dir, { debugDump: true });
    const d = await runHost(dexe, readFileSync(`${m.reference}/input_0.bin`), join(dir, 'hd'), { debugDump: true });
    const ops = parseDump(d.dump!);
    expect(ops.size).toBe(compiled.model.ops.length);
    for (const [i, bytes] of ops) {
      expect(
        Buffer.from(bytes).equals(readFileSync(`${m.reference}/intermediate_0/${i}_${compiled.model.ops[i].kind}.bin`)),
        `op ${i}`,
      ).toBe(true);
    }
    const arm = await buildArm(dir);
    expect(arm.sections.bss).toBeGreaterThanOrEqual(compiled.summary.arena_bytes);
    const q = await runQemu(arm.elf, readFileSync(`${m.reference}/input_1.bin`), join(dir, 'q'), { timeoutMs: 120_000 });
    expect(Buffer.from(q.output).equals(readFileSync(`${m.reference}/output_1.bin`))).toBe(true);
    expect(q.ticks).toBeGreaterThan(0);
    expect(q.stackBytes).toBeGreaterThan(0);
  });

  it('model_ToyCar (fully connected): host and QEMU', async () => {
    const { m, dir } = emit('model_ToyCar_quant_fullint_micro_intio');
    const input = readFileSync(`${m.reference}/input_2.bin`);
    const want = readFileSync(`${m.reference}/output_2.bin`);
    expect(Buffer.from((await runHost(await buildHost(dir), input, join(dir, 'h'))).output).equals(want)).toBe(true);
    const arm = await buildArm(dir);
    expect(Buffer.from((await runQemu(arm.elf, input, join(dir, 'q'), { timeoutMs: 120_000 })).output).equals(want)).toBe(true);
  });

  it('mcunet-vww1 (float I/O, folded PADs, MEAN, TRANSPOSE): host matches TFLM', async () => {
    const { m, dir, compiled } = emit('mcunet-vww1', 'stm32h743');
    expect(compiled.summary.folded_pads).toBe(4);
    const r = await runHost(await buildHost(dir), readFileSync(`${m.reference}/input_0.bin`), join(dir, 'h'));
    expect(Buffer.from(r.output).equals(readFileSync(`${m.reference}/output_0.bin`))).toBe(true);
  });

  it('a model whose weights exceed the flash of the part fails to link, as it would on the part', async () => {
    const { dir, compiled } = emit('model_ToyCar_quant_fullint_micro_intio');
    expect(compiled.summary.fits_flash).toBe(true);
    const small = compileForMcu(
      compiled.model,
      { name: 'tiny', core: 'cortex-m4', sramBytes: 64 * 1024, flashBytes: 128 * 1024, clockHz: 1e6 },
      { schedule: 'layer' },
    );
    expect(small.summary.weight_bytes).toBeGreaterThan(128 * 1024);
    expect(small.summary.fits_flash).toBe(false);
    writeFileSync(join(dir, 'linker.ld'), small.program.files['linker.ld']);
    await expect(buildArm(dir)).rejects.toThrow(/overflow|will not fit|region/);
  });
});
