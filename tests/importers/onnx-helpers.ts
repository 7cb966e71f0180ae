// Shared helpers of the ONNX importer tests: run a model in onnxruntime-node and compare the
// shapes it reports with what the importer lowered (ONNX NCHW ↔ IR channels-last).
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { Prng } from '../../compiler/util/prng.ts';
import { lowerOnnxBytes, type LoweredOnnx } from '../../compiler/importers/onnx/index.ts';
import { onnx, DataType } from '../../compiler/importers/onnx/proto.ts';
import type { Network, TensorType } from '../../compiler/ir/network.ts';
import { evaluate, nchwToHwc } from './onnx-eval.ts';

export interface OrtRun {
  outputs: Record<string, { dims: number[]; data: Float32Array | Int8Array | Uint8Array }>;
  feeds: Record<string, { dims: number[]; data: Float32Array | Int8Array | Uint8Array }>;
}

/** Run the model on seeded random inputs (float in [-1, 1), 8-bit integers over their range). */
export async function runOrt(bytes: Uint8Array, seed: number): Promise<OrtRun> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const model = onnx.ModelProto.decode(bytes);
  const rng = new Prng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  const plain: OrtRun['feeds'] = {};
  for (const vi of model.graph!.input ?? []) {
    if ((model.graph!.initializer ?? []).some((t) => t.name === vi.name)) continue;
    const tt = vi.type!.tensorType!;
    const dims = tt.shape!.dim!.map((d) => (d.dimValue ? Number(d.dimValue) : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    let data: Float32Array | Int8Array | Uint8Array;
    if (tt.elemType === DataType.UINT8) data = Uint8Array.from({ length: n }, () => rng.int(256));
    else if (tt.elemType === DataType.INT8) data = Int8Array.from({ length: n }, () => rng.int(256) - 128);
    else data = Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    const type = tt.elemType === DataType.UINT8 ? 'uint8' : tt.elemType === DataType.INT8 ? 'int8' : 'float32';
    feeds[vi.name!] = new ort.Tensor(type, data, dims);
    plain[vi.name!] = { dims, data };
  }
  const result = await session.run(feeds);
  const outputs: OrtRun['outputs'] = {};
  for (const [name, t] of Object.entries(result)) outputs[name] = { dims: [...t.dims], data: t.data as Float32Array };
  await session.release();
  return { outputs, feeds: plain };
}

/** ONNX shape (batch 1) of an IR tensor, or undefined when the IR keeps only its element count (vectors). */
export function irToOnnx(t: TensorType): number[] {
  if (t.kind === 'feature') return [1, t.shape[2], t.shape[0], t.shape[1]];
  return [1, ...t.shape];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Import the model, run it in onnxruntime and check every graph output: the importer's ONNX
 * shape equals onnxruntime's, and the IR type of the output layer agrees with it.
 */
export async function importAndCompare(bytes: Uint8Array, seed = 1): Promise<LoweredOnnx & { ort: OrtRun }> {
  const lowered = lowerOnnxBytes(bytes, 'model.onnx');
  const run = await runOrt(bytes, seed);
  const model = onnx.ModelProto.decode(bytes);
  const outs = model.graph!.output ?? [];
  expect(lowered.network.outputs.length).toBe(outs.length);
  outs.forEach((o, i) => {
    const ortDims = run.outputs[o.name!].dims;
    expect(lowered.onnxShapes.get(o.name!), `ONNX shape of ${o.name}`).toEqual(ortDims);
    const producer = lowered.network.outputs[i];
    const layer = lowered.network.layers.find((l) => l.name === producer);
    const type = layer?.output ?? lowered.network.inputs.find((x) => x.name === producer)!.type;
    if (type.kind === 'feature') expect(irToOnnx(type), `IR type of ${o.name}`).toEqual(ortDims);
    else expect(prod(type.shape), `IR elements of ${o.name}`).toBe(prod(ortDims));
  });
  return { ...lowered, ort: run };
}

/** Compare the IR evaluated with its weights against onnxruntime's outputs. */
export function expectSameValues(net: Network, run: OrtRun, tol: number): void {
  const inputs = Object.fromEntries(Object.entries(run.feeds).map(([n, t]) => [n, nchwToHwc(t.dims, t.data)]));
  const ours = evaluate(net, inputs);
  const names = Object.keys(run.outputs);
  net.outputs.forEach((producer, i) => {
    const theirs = run.outputs[names[i]];
    const expected = nchwToHwc(theirs.dims, theirs.data);
    const got = ours[producer];
    expect(got.length).toBe(expected.length);
    let worst = 0;
    for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j] - expected[j]));
    expect(worst, `largest difference on ${names[i]}`).toBeLessThan(tol);
  });
}
