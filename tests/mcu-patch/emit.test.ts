// The C program of every shared model's auto schedule (patch-based where that lowers the peak)
// gives the bits of layer-by-layer execution, on the host and in QEMU (mps2-an386); so does a forced patch one.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import type { QData, QModel } from '../../compiler/ir/quantized.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { describeNeeds, itNeeds, needShared, needTool } from '../helpers/requires.ts';

const MODELS = '../shared/models';
const NEED_MODELS = needShared('models');
const TOOLS = await Promise.all(['gcc', 'arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-patch-emit-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function input(m: QModel, seed: number): QData {
  const t = m.tensors[m.inputs[0]];
  const n = t.shape.reduce((a, b) => a * b, 1);
  const rng = new Prng(seed);
  if (t.dtype === 'float32') {
    // Values on the input's quantisation grid, so QUANTIZE is exercised without ties.
    const s = t.quant?.scale[0] ?? m.tensors[m.ops[0].outputs[0]].quant!.scale[0];
    return Float32Array.from({ length: n }, () => Math.fround(s * (rng.int(256) - 128)));
  }
  return Int8Array.from({ length: n }, () => rng.int(256) - 128);
}

describeNeeds([NEED_MODELS, ...TOOLS], 'generated programs of the auto schedule are bit-exact', () => {
  const models = readdirSync(MODELS).flatMap((d) =>
    readdirSync(join(MODELS, d))
      .filter((f) => f.endsWith('.tflite'))
      .map((f) => join(MODELS, d, f)),
  );
  const kinds: string[] = [];
  for (const file of models) {
    const name = file
      .split('/')
      .pop()!
      .replace(/\.tflite$/, '');
    it(`${name}: patch-based below layer-by-layer or layer-by-layer itself; host and QEMU bit-exact`, async () => {
      const m = importTflite(readFileSync(file), file);
      const x = input(m, 8);
      const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
      const board = resolveBoard('stm32f412');
      const auto = compileForMcu(m, board, { schedule: 'auto' });
      const layer = compileForMcu(m, board, { schedule: 'layer' });
      // Patches only where they lower the peak; otherwise the layer-by-layer program itself.
      kinds.push(auto.summary.schedule.kind);
      if (auto.summary.schedule.kind === 'patch') expect(auto.summary.arena_bytes).toBeLessThan(layer.summary.arena_bytes);
      else {
        expect(auto.summary.schedule).toEqual(layer.summary.schedule);
        expect(auto.summary.arena_bytes).toBe(layer.summary.arena_bytes);
      }
      const dir = join(OUT, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(auto.program.files)) writeFileSync(join(dir, f), text);
      const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
      expect(Buffer.from(host.output).equals(expected)).toBe(true);
      const elf = await buildArm(dir);
      const q = await runQemu(elf.elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
      expect(Buffer.from(q.output).equals(expected)).toBe(true);
    }, 180_000);
  }

  it('the auto schedule chose patches for at least one shared model (so the patch path ran above)', () => {
    expect(kinds).toHaveLength(models.length);
    expect(kinds).toContain('patch');
  });

  itNeeds(
    [needShared('models', 'mcunet', 'mcunet-vww1.tflite'), needShared('reference', 'tflm', 'mcunet-vww1')],
    'mcunet-vww1 with a forced 3x3 schedule (float input, folded pads) on the host',
    async () => {
      const file = join(MODELS, 'mcunet/mcunet-vww1.tflite');
      const m = importTflite(readFileSync(file), file);
      const ref = '../shared/reference/tflm/mcunet-vww1';
      const x = fromBytes(m.tensors[m.inputs[0]], readFileSync(join(ref, 'input_1.bin')), 'input_1.bin');
      const compiled = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'patch', split: 13, patches: 3 });
      expect(compiled.summary.schedule).toEqual({ kind: 'patch', split: 13, patches: 3, patch_input: [43, 43], input: 'streamed' });
      const dir = join(OUT, 'mcunet-vww1-13-3');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, f), text);
      const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
      expect(Buffer.from(host.output).equals(readFileSync(join(ref, 'output_1.bin')))).toBe(true);
    },
    180_000,
  );
});
