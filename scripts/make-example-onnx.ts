// Writes examples/models/mobilenet-tiny.onnx (the demo's ONNX model) from a fixed seed.
// Run: npx tsx scripts/make-example-onnx.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_ONNX_FILE } from '../compiler/cli/demo/onnx-step.ts';
import { exampleOnnxModel } from './example-onnx-model.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'examples', EXAMPLE_ONNX_FILE);
mkdirSync(dirname(out), { recursive: true });
const bytes = exampleOnnxModel(1);
writeFileSync(out, bytes);
process.stdout.write(`wrote ${out} (${bytes.length} bytes)\n`);
