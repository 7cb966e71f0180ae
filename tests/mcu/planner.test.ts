import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { qTensorBytes } from '../../compiler/ir/quantized.ts';
import { foldPads } from '../../compiler/mcu/fold.ts';
import { liveSize, planMemory, type MemoryPlan } from '../../compiler/mcu/planner.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { NEED_MODELS, SHARED_MODELS } from './models.ts';
import { describeNeeds } from '../helpers/requires.ts';

/** At every op, the bytes each live buffer occupies there must not overlap another's. */
function assertDisjoint(plan: MemoryPlan, ops: number): void {
  for (const b of plan.buffers) expect(b.offset + b.size).toBeLessThanOrEqual(plan.arenaBytes);
  for (let k = -1; k <= ops; k++) {
    const live = plan.buffers.map((b) => ({ start: b.offset, end: b.offset + liveSize(b, k) })).filter((x) => x.end > x.start);
    live.sort((x, y) => x.start - y.start);
    for (let i = 1; i < live.length; i++) expect(live[i].start, `op ${k}`).toBeGreaterThanOrEqual(live[i - 1].end);
  }
}

describeNeeds(NEED_MODELS, 'memory planner', () => {
  for (const m of SHARED_MODELS) {
    it(`${m.name}: arena within TFLite Micro's non-persistent head, buffers disjoint`, () => {
      const head = Number(readFileSync(`${m.reference}/README.md`, 'utf8').match(/non-persistent head[^*]*\*\*(\d+)\*\*/)![1]);
      const model = foldPads(importTflite(readFileSync(m.tflite), m.tflite));
      const plan = planMemory(model);
      expect(plan.arenaBytes).toBeLessThanOrEqual(head);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.peakLiveBytes);
      assertDisjoint(plan, model.ops.length);
      const noInPlace = planMemory(model, { inPlaceDepthwise: false });
      assertDisjoint(noInPlace, model.ops.length);
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

  it('mcunet-vww1: the float input is quantised in place; the arena falls to the peak of the int8 body', () => {
    const m = SHARED_MODELS.find((x) => x.name === 'mcunet-vww1')!;
    const model = foldPads(importTflite(readFileSync(m.tflite), m.tflite));
    const plan = planMemory(model);
    expect(plan.inPlace.has(0)).toBe(true);
    expect(plan.arenaBytes).toBe(plan.peakLiveBytes);
    expect(plan.arenaBytes).toBeLessThan(80 * 80 * 3 * 4 + 80 * 80 * 3);
    expect(plan.arenaBytes).toBeLessThanOrEqual(92 * 1024);
  });

  it('runs a depthwise convolution in place only when its input dies there', () => {
    const m = SHARED_MODELS.find((x) => x.name === 'vww_96_int8')!;
    const model = importTflite(readFileSync(m.tflite), m.tflite);
    const plan = planMemory(model);
    expect(plan.inPlace.size).toBeGreaterThan(0);
    for (const k of plan.inPlace) {
      const op = model.ops[k];
      expect(op.kind).toBe('DEPTHWISE_CONV_2D'); // vww's input is int8, so no in-place QUANTIZE
      expect(plan.tensorOffset.get(op.inputs[0])).toBe(plan.tensorOffset.get(op.outputs[0]));
      expect(plan.scratch.get(k)!.size).toBeGreaterThanOrEqual(model.tensors[op.inputs[0]].shape[1] * model.tensors[op.inputs[0]].shape[2]);
      expect(model.ops.slice(k + 1).some((o) => o.inputs.includes(op.inputs[0]))).toBe(false);
    }
  });
});
