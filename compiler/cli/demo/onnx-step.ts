// Demo: import examples/models/mobilenet-tiny.onnx into the IR, report layers and MACs, and
// check the imported output shape against onnxruntime-node actually running the model.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoStep } from './step.ts';
import { lowerOnnxBytes } from '../../importers/onnx/index.ts';
import { analyzeNetwork } from '../../analysis/analyze.ts';

/** The demo's ONNX model under examples/ (written by scripts/make-example-onnx.ts). */
export const EXAMPLE_ONNX_FILE = 'models/mobilenet-tiny.onnx';

export const onnxStep: DemoStep = {
  name: 'onnx',
  async run(ctx) {
    const file = join(ctx.examplesDir, EXAMPLE_ONNX_FILE);
    if (!existsSync(file)) return { status: 'failed', summary: `${file} is missing (npx tsx scripts/make-example-onnx.ts writes it)` };
    const bytes = readFileSync(file);
    const { network, onnxShapes } = lowerOnnxBytes(bytes, file);
    const stats = analyzeNetwork(network);
    ctx.log(`onnx: ${file}: ${network.layers.length} layers, ${stats.totals.macs} MACs, ${stats.totals.params} params`);

    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const [inputName] = session.inputNames;
    const input = network.inputs[0];
    const [h, w, c] = input.type.shape;
    const feed = new ort.Tensor('float32', new Float32Array(c * h * w).fill(0.5), [1, c, h, w]);
    const result = await session.run({ [inputName]: feed });
    await session.release();
    const mismatches: string[] = [];
    for (const name of session.outputNames) {
      const theirs = [...result[name].dims];
      const ours = onnxShapes.get(name);
      if (!ours || ours.join(',') !== theirs.join(','))
        mismatches.push(`${name}: nacc [${ours?.join(', ')}] vs onnxruntime [${theirs.join(', ')}]`);
    }
    const summary = `${EXAMPLE_ONNX_FILE}: ${network.layers.length} layers, ${stats.totals.macs.toLocaleString('en-US')} MACs, ${stats.totals.params.toLocaleString('en-US')} params; output shape ${mismatches.length ? 'DIFFERS from' : 'matches'} onnxruntime`;
    if (mismatches.length) ctx.log(`onnx: ${mismatches.join('; ')}`);
    return { status: mismatches.length ? 'failed' : 'ok', summary };
  },
};
