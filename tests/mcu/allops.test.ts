// Ops the shared models do not use (dilation, groups, depth multiplier, broadcasting MUL/ADD,
// RESIZE_NEAREST_NEIGHBOR, MAX_POOL_2D, CONCATENATION, requantising QUANTIZE, two outputs),
// in a TFLite file written by tests/mcu/tflite-writer.ts: import, reference and generated C.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { makeInput } from '../../compiler/mcu/inputs.ts';
import { buildHost, runHost } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { computeOpParams, type ResizeParams } from '../../compiler/reference/int8/params.ts';
import { allOpsModel } from './tflite-writer.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';

const GCC = await needTool('gcc');
const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-allops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('every supported op, from a written TFLite file', () => {
  const bytes = allOpsModel(42);
  const model = importTflite(bytes, 'allops.tflite');

  it('imports options, per-channel axes and both outputs', () => {
    expect(model.ops.map((o) => o.kind)).toEqual([
      'CONV_2D',
      'DEPTHWISE_CONV_2D',
      'MUL',
      'RESIZE_NEAREST_NEIGHBOR',
      'MAX_POOL_2D',
      'AVERAGE_POOL_2D',
      'QUANTIZE',
      'ADD',
      'CONCATENATION',
      'RESHAPE',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(model.ops[0].options).toMatchObject({ padding: 'SAME', dilationH: 2, dilationW: 2, activation: 'RELU6' });
    expect(model.ops[1].options).toMatchObject({ padding: 'VALID', strideH: 2, depthMultiplier: 2, activation: 'RELU' });
    expect(model.ops[3].options).toMatchObject({ alignCorners: false, halfPixelCenters: true });
    expect(model.tensors[model.ops[1].inputs[1]].quant!.axis).toBe(3);
    expect(model.outputs.length).toBe(2);
    const conv = computeOpParams(model, model.ops[0]);
    expect(conv.kind === 'conv' && conv.filterInC).toBe(2); // two groups
    // half-pixel nearest neighbour, 3 -> 7 rows: floor((y + 0.5) * 3/7)
    expect((computeOpParams(model, model.ops[3]) as ResizeParams).srcY).toEqual([0, 0, 1, 1, 1, 2, 2]);
  });

  it('SOFTMAX outputs sum to about one and the reference is deterministic', () => {
    const input = fromBytes(model.tensors[model.inputs[0]], makeInput(model, 1), 'in');
    const [sm] = runModel(model, [input]);
    const probs = Array.from(sm as Int8Array, (q) => (q + 128) / 256);
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.05);
    expect(Buffer.from(toBytes(runModel(model, [input])[0])).equals(Buffer.from(toBytes(sm)))).toBe(true);
  });

  itNeeds([GCC], 'generated C equals the reference executor on three inputs, both outputs', async () => {
    const c = compileForMcu(model, resolveBoard('stm32f412'), { schedule: 'layer' });
    const dir = join(work, 'allops');
    mkdirSync(dir, { recursive: true });
    for (const [f, t] of Object.entries(c.program.files)) writeFileSync(join(dir, f), t);
    const exe = await buildHost(dir);
    for (const seed of [1, 2, 3]) {
      const input = makeInput(model, seed);
      const want = Buffer.concat(
        runModel(model, [fromBytes(model.tensors[model.inputs[0]], input, 'in')]).map((o) => Buffer.from(toBytes(o))),
      );
      const got = await runHost(exe, input, join(dir, `run${seed}`));
      expect(Buffer.from(got.output).equals(want), `seed ${seed}`).toBe(true);
    }
  });
});
