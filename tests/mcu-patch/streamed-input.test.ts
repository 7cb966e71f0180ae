// Streamed input (issue 19): a patch-based program fetches each input patch, halo included,
// through the public header's nacc_read_input callback, so the whole input never sits in SRAM;
// the float QUANTIZE runs per patch. The generated harness implements the callback from the
// input file (stdio on the host, semihosting in QEMU); an application can implement it from a
// flash-resident array; `input: 'whole'` keeps the whole input in the arena. All bit-exact.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QModel } from '../../compiler/ir/quantized.ts';
import { compileForMcu, type McuCompileOptions } from '../../compiler/mcu/compile.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { C_WARN_FLAGS } from '../../compiler/mcu/emit.ts';
import { runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { requireTool } from '../../testbench/tools/tools.ts';
import { residualModel } from './residual-model.ts';

const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-streamed-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const model = residualModel(19);
const inT = model.tensors[model.inputs[0]];
const inputBytes = inT.shape.reduce((a, b) => a * b, 1) * 4;
const rng = new Prng(1901);
const x = Float32Array.from({ length: inputBytes / 4 }, () => rng.next() * 2.4 - 1.2);
const expected = Buffer.concat(runModel(model, [x]).map((o) => Buffer.from(toBytes(o))));

function write(name: string, m: QModel, opts: Omit<McuCompileOptions, 'schedule'>, board = 'stm32f412') {
  const c = compileForMcu(m, resolveBoard(board), { schedule: 'patch', patches: 3, split: 6, ...opts });
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
  return { c, dir };
}

describe('streamed input of patch-based programs', () => {
  it('the public header declares the input callback; the arena holds no whole input; QUANTIZE runs per patch', () => {
    const { c } = write('header', model, {});
    const h = c.program.files['model.h'];
    expect(h).toContain('int nacc_read_input(int32_t x, int32_t y, int32_t w, int32_t h, void *buf);');
    expect(h).toMatch(/#define NACC_INPUT_PIXEL_BYTES 12\b/);
    const mc = c.program.files['model.c'];
    expect(mc).toMatch(/nacc_read_input\(/);
    expect(mc).not.toMatch(/fopen|bkpt|nacc_io_/); // the program itself does no I/O
    // The float QUANTIZE is inside the patch loop, on patch-sized buffers.
    const loop = mc.slice(mc.indexOf('for (int32_t pi = 0; pi < NACC_PATCHES; pi++)'));
    expect(loop).toMatch(/nacc_(fast_)?quantize_float\(/);
    expect(c.summary.arena_bytes).toBeLessThan(inputBytes);
    const whole = write('header-whole', model, { input: 'whole' }).c;
    expect(whole.program.files['model.h']).not.toContain('nacc_read_input');
    expect(whole.summary.arena_bytes).toBeGreaterThanOrEqual(inputBytes);
    expect(whole.summary.arena_bytes).toBeGreaterThan(c.summary.arena_bytes);
  });

  for (const input of ['streamed', 'whole'] as const) {
    it(`${input}: bit-exact on the host (portable and DSP-path C) and in QEMU`, async () => {
      await requireTool('gcc');
      await requireTool('arm-none-eabi-gcc');
      await requireTool('qemu-system-arm');
      const { dir } = write(`run-${input}`, model, { input });
      const host = await runHost(await buildHost(dir), new Uint8Array(x.buffer), join(dir, 'build'));
      expect(Buffer.from(host.output).equals(expected)).toBe(true);
      const elf = await buildArm(dir);
      const q = await runQemu(elf.elf, new Uint8Array(x.buffer), join(dir, 'build'), { timeoutMs: 120_000 });
      expect(Buffer.from(q.output).equals(expected)).toBe(true);
    }, 240_000);
  }

  it('an application feeds the patches from a flash-resident array; every request lies inside the input', async () => {
    const gcc = await requireTool('gcc');
    const { c, dir } = write('app', model, {});
    const bytes = new Uint8Array(x.buffer);
    const patchIn = c.summary.schedule.patch_input!;
    writeFileSync(
      join(dir, 'app.c'),
      [
        '#include <stdio.h>',
        '#include <string.h>',
        '#include "model.h"',
        `static const unsigned char image[${bytes.length}] = {${Array.from(bytes).join(',')}};`,
        'static long calls, bad, largest;',
        'int nacc_read_input(int32_t x, int32_t y, int32_t w, int32_t h, void *buf) {',
        '  calls++;',
        '  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > NACC_INPUT_W || y + h > NACC_INPUT_H) { bad++; return -1; }',
        '  if ((long)w * h > largest) largest = (long)w * h;',
        '  for (int32_t r = 0; r < h; r++) memcpy((unsigned char *)buf + r * w * NACC_INPUT_PIXEL_BYTES, image + ((y + r) * NACC_INPUT_W + x) * NACC_INPUT_PIXEL_BYTES, (size_t)(w * NACC_INPUT_PIXEL_BYTES));',
        '  return 0;',
        '}',
        'void nacc_input_failed(void) { bad++; }',
        'int main(int argc, char **argv) {',
        '  (void)argc;',
        '  nacc_run();',
        '  FILE *f = fopen(argv[1], "wb");',
        '  for (int32_t i = 0; i < NACC_NUM_OUTPUTS; i++) fwrite(nacc_output(i), 1, (size_t)nacc_output_bytes(i), f);',
        '  fclose(f);',
        '  printf("calls %ld bad %ld largest %ld\\n", calls, bad, largest);',
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    await execa(gcc, [...C_WARN_FLAGS, 'model.c', 'nacc_kernels.c', 'app.c', '-o', 'app'], { cwd: dir });
    const r = await execa(join(dir, 'app'), [join(dir, 'out.bin')], { cwd: dir });
    expect(r.stdout).toBe(`calls 9 bad 0 largest ${patchIn[0] * patchIn[1]}`);
    expect(readFileSync(join(dir, 'out.bin')).equals(expected)).toBe(true);
  }, 120_000);
});
