// The generated patch-based C program gives the bits of layer-by-layer execution, on the host
// and in QEMU (mps2-an386), for every shared model's auto schedule (and a forced patch one).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../compiler/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import type { QData, QModel } from '../../compiler/ir/quantized.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { requireTool } from '../../compiler/verify/tools.ts';

const findTool = (name: string) => requireTool(name).then(() => true, () => false);

const MODELS = '../shared/models';
const have = existsSync(MODELS);
if (!have) console.warn(`tests/mcu-patch: ${MODELS} is absent; generated patch programs are not checked`);
const models = have ? readdirSync(MODELS).flatMap((d) => readdirSync(join(MODELS, d)).filter((f) => f.endsWith('.tflite')).map((f) => join(MODELS, d, f))) : [];
const OUT = resolve('mcu-out/test-mcu-patch');

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

describe.skipIf(!have)('generated patch-based programs are bit-exact', async () => {
  const gcc = await findTool('gcc');
  const arm = await findTool('arm-none-eabi-gcc');
  const qemu = await findTool('qemu-system-arm');
  for (const file of models) {
    const name = file.split('/').pop()!.replace(/\.tflite$/, '');
    it.skipIf(!gcc)(name, async () => {
      const m = importTflite(readFileSync(file), file);
      const x = input(m, 8);
      const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
      const board = resolveBoard('stm32f412');
      const auto = compileForMcu(m, board, { schedule: 'auto' });
      const layer = compileForMcu(m, board, { schedule: 'layer' });
      // Never worse than layer-by-layer.
      expect(auto.summary.arena_bytes).toBeLessThanOrEqual(layer.summary.arena_bytes);
      if (auto.summary.schedule.kind !== 'patch') return;
      expect(auto.summary.arena_bytes).toBeLessThan(layer.summary.arena_bytes);
      const dir = join(OUT, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(auto.program.files)) writeFileSync(join(dir, f), text);
      const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
      expect(Buffer.from(host.output).equals(expected)).toBe(true);
      if (arm && qemu) {
        const elf = await buildArm(dir);
        const q = await runQemu(elf.elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
        expect(Buffer.from(q.output).equals(expected)).toBe(true);
      }
    }, 180_000);
  }

  it.skipIf(!gcc || !existsSync(join(MODELS, 'mcunet/mcunet-vww1.tflite')))('mcunet-vww1 with a forced 3x3 schedule (float input, folded pads) on the host', async () => {
    const file = join(MODELS, 'mcunet/mcunet-vww1.tflite');
    const m = importTflite(readFileSync(file), file);
    const ref = '../shared/reference/tflm/mcunet-vww1';
    const x = fromBytes(m.tensors[m.inputs[0]], readFileSync(join(ref, 'input_1.bin')), 'input_1.bin');
    const compiled = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'patch', split: 13, patches: 3 });
    expect(compiled.summary.schedule).toEqual({ kind: 'patch', split: 13, patches: 3, patch_input: [43, 43] });
    const dir = join(OUT, 'mcunet-vww1-13-3');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, f), text);
    const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
    expect(Buffer.from(host.output).equals(readFileSync(join(ref, 'output_1.bin')))).toBe(true);
  }, 180_000);
});
