import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { qTensorBytes } from '../../compiler/ir/quantized.ts';
import { foldPads } from '../../compiler/mcu/fold.ts';
import { planMemory, type MemoryPlan } from '../../compiler/mcu/planner.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { HAVE_MODELS, SHARED_MODELS } from './models.ts';

/** No two buffers that are live at the same op may overlap in the arena. */
function assertDisjoint(plan: MemoryPlan): void {
  const b = plan.buffers;
  for (let i = 0; i < b.length; i++) {
    expect(b[i].offset + b[i].size).toBeLessThanOrEqual(plan.arenaBytes);
    for (let j = i + 1; j < b.length; j++) {
      const timeOverlap = b[i].first <= b[j].last && b[j].first <= b[i].last;
      const spaceOverlap = b[i].offset < b[j].offset + b[j].size && b[j].offset < b[i].offset + b[i].size;
      expect(timeOverlap && spaceOverlap, `buffers ${i} and ${j}`).toBe(false);
    }
  }
}

describe.skipIf(!HAVE_MODELS)('memory planner', () => {
  for (const m of SHARED_MODELS) {
    it(`${m.name}: arena within TFLite Micro's non-persistent head, buffers disjoint`, () => {
      const head = Number(readFileSync(`${m.reference}/README.md`, 'utf8').match(/non-persistent head[^*]*\*\*(\d+)\*\*/)![1]);
      const model = foldPads(importTflite(readFileSync(m.tflite), m.tflite));
      const plan = planMemory(model);
      expect(plan.arenaBytes).toBeLessThanOrEqual(head);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.peakLiveBytes);
      assertDisjoint(plan);
      const noInPlace = planMemory(model, { inPlaceDepthwise: false });
      assertDisjoint(noInPlace);
      expect(plan.arenaBytes).toBeLessThanOrEqual(noInPlace.arenaBytes);
      // every activation has room for its bytes
      for (const [id] of plan.tensorOffset) expect(qTensorBytes(model.tensors[id])).toBeGreaterThan(0);
    });
  }

  it('folding PAD into the convolution keeps mcunet-vww1 bit-exact and shrinks its arena', () => {
    const m = SHARED_MODELS.find((x) => x.name === 'mcunet-vww1')!;
    const raw = importTflite(readFileSync(m.tflite), m.tflite);
    const folded = foldPads(raw);
    expect(raw.ops.length - folded.ops.length).toBe(4);
    expect(planMemory(folded).arenaBytes).toBeLessThan(planMemory(raw).arenaBytes);
    const input = fromBytes(folded.tensors[folded.inputs[0]], readFileSync(`${m.reference}/input_0.bin`), 'input');
    const out = runModel(folded, [input]);
    expect(Buffer.from(toBytes(out[0])).equals(readFileSync(`${m.reference}/output_0.bin`))).toBe(true);
  });

  it('runs a depthwise convolution in place only when its input dies there', () => {
    const m = SHARED_MODELS.find((x) => x.name === 'vww_96_int8')!;
    const model = importTflite(readFileSync(m.tflite), m.tflite);
    const plan = planMemory(model);
    expect(plan.inPlace.size).toBeGreaterThan(0);
    for (const k of plan.inPlace) {
      const op = model.ops[k];
      expect(op.kind).toBe('DEPTHWISE_CONV_2D');
      expect(plan.tensorOffset.get(op.inputs[0])).toBe(plan.tensorOffset.get(op.outputs[0]));
      expect(plan.scratch.get(k)!.size).toBeGreaterThanOrEqual(model.tensors[op.inputs[0]].shape[1] * model.tensors[op.inputs[0]].shape[2]);
      expect(model.ops.slice(k + 1).some((o) => o.inputs.includes(op.inputs[0]))).toBe(false);
    }
  });
});
