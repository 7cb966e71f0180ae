// .nacc and ONNX networks reach the MCU backend through seeded calibration.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { makeInput } from '../../compiler/mcu/inputs.ts';
import { loadQModel } from '../../compiler/mcu/load.ts';
import { buildHost, runHost } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-cal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NACC = join(work, 'nets.nacc');
writeFileSync(
  NACC,
  `network small_kws {
  input mfcc: int8[20, 10, 1]
  x = conv2d(mfcc, out: 16, kernel: [5, 3], stride: 2, pad: same, act: relu)
  y = dwconv2d(x, kernel: 3, act: relu6)
  y = conv2d(y, out: 16, kernel: 1)
  x = add(x, y)
  x = maxpool(x, kernel: 2, stride: 2)
  x = avgpool(x, global: true)
  output softmax(dense(x, out: 6))
}

network float_net {
  input image: float32[12, 12, 2]
  a = conv2d(image, out: 8, kernel: 3, act: relu)
  b = conv2d(image, out: 4, kernel: 3)
  c = concat(a, relu(b))
  c = avgpool(c, kernel: 2, stride: 2)
  output dense(flatten(c), out: 3)
}
`,
);

async function hostMatchesReference(file: string, network: string, seed: number) {
  const { model } = await loadQModel(file, { network, seed });
  const compiled = compileForMcu(model, resolveBoard('stm32f412'), { schedule: 'layer' });
  const dir = join(work, `${network}-${seed}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, f), text);
  const input = makeInput(compiled.model, 3);
  const want = runModel(compiled.model, [fromBytes(compiled.model.tensors[compiled.model.inputs[0]], input, 'in')]);
  const got = await runHost(await buildHost(dir), input, dir);
  return { model, equal: Buffer.from(got.output).equals(Buffer.concat(want.map((w) => Buffer.from(toBytes(w))))), want };
}

const GCC = await needTool('gcc');

describeNeeds([GCC], 'seeded calibration to int8', () => {
  it('a .nacc network with residual add, depthwise, pools and softmax runs bit-exact in C', async () => {
    const r = await hostMatchesReference(NACC, 'small_kws', 1);
    expect(r.equal).toBe(true);
    expect(r.model.ops.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'MAX_POOL_2D', 'MEAN', 'FULLY_CONNECTED', 'SOFTMAX']),
    );
    // softmax probabilities (scale 1/256, zero point -128) sum to about one
    const probs = Array.from(r.want[0] as Int8Array, (q) => (q + 128) / 256);
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.05);
  });

  it('a float-I/O network with concat and a standalone relu gets QUANTIZE / DEQUANTIZE at its ends', async () => {
    const r = await hostMatchesReference(NACC, 'float_net', 2);
    expect(r.equal).toBe(true);
    expect(r.model.ops[0].kind).toBe('QUANTIZE');
    expect(r.model.ops[r.model.ops.length - 1].kind).toBe('DEQUANTIZE');
    expect(r.model.ops.some((o) => o.kind === 'CONCATENATION')).toBe(true);
  });

  it('the ONNX example model (real weights, BN folded) runs bit-exact in C', async () => {
    const r = await hostMatchesReference('examples/models/mobilenet-tiny.onnx', 'mobilenet_tiny', 1);
    expect(r.equal).toBe(true);
  });

  it('is deterministic in its seed', async () => {
    const a = (await loadQModel(NACC, { network: 'small_kws', seed: 5 })).model;
    const b = (await loadQModel(NACC, { network: 'small_kws', seed: 5 })).model;
    const c = (await loadQModel(NACC, { network: 'small_kws', seed: 6 })).model;
    const w = (m: typeof a) => Buffer.from(toBytes(m.tensors.find((t) => t.name.endsWith('.kernel'))!.data!));
    expect(w(a).equals(w(b))).toBe(true);
    expect(w(a).equals(w(c))).toBe(false);
  });

  it('refuses a network with point-cloud ops with a located error', async () => {
    const f = join(work, 'points.nacc');
    writeFileSync(f, 'network pts {\n  input cloud: float32[64, 3]\n  c = fps(cloud, centers: 16)\n  output c\n}\n');
    await expect(loadQModel(f, { seed: 1 })).rejects.toThrow(UserError);
  });
});
