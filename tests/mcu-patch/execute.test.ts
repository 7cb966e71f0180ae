// Patch-based execution gives the same bits as layer-by-layer on every model in ../shared/models
// (and the auto schedule's choice among them), with TFLite Micro's outputs as a cross-check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { runPatchBased } from '../../compiler/mcu/patch/execute.ts';
import { graphFromQModel } from '../../compiler/mcu/patch/graph.ts';
import { legalSplits } from '../../compiler/mcu/patch/schedule.ts';
import { DEFAULT_MAX_MAC_OVERHEAD, searchSchedule } from '../../compiler/mcu/patch/search.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import type { QData, QModel } from '../../compiler/ir/quantized.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';

const MODELS = '../shared/models';
const TFLM = '../shared/reference/tflm';

function inputFor(m: QModel, name: string, seed: number): QData {
  const t = m.tensors[m.inputs[0]];
  const ref = join(TFLM, name, 'input_0.bin');
  if (existsSync(ref)) return fromBytes(t, readFileSync(ref), ref);
  const rng = new Prng(seed);
  const n = t.shape.reduce((a, b) => a * b, 1);
  const data = new Int8Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.int(256) - 128;
  return data;
}

const same = (a: QData[], b: QData[]) =>
  a.length === b.length && a.every((x, i) => Buffer.compare(Buffer.from(toBytes(x)), Buffer.from(toBytes(b[i]))) === 0);

describeNeeds([needShared('models'), needShared('reference', 'tflm')], 'patch-based execution is bit-exact', () => {
  const models = readdirSync(MODELS).flatMap((d) =>
    readdirSync(join(MODELS, d))
      .filter((f) => f.endsWith('.tflite'))
      .map((f) => join(MODELS, d, f)),
  );
  for (const file of models) {
    const name = file
      .split('/')
      .pop()!
      .replace(/\.tflite$/, '');
    it(`${name}: the reference equals TFLite Micro; every tried patch schedule equals the reference`, () => {
      const m = importTflite(readFileSync(file), file);
      const g = graphFromQModel(m);
      const input = inputFor(m, name, 8);
      const ref = runModel(m, [input]);
      const tflmOut = join(TFLM, name, 'output_0.bin');
      expect(existsSync(tflmOut), tflmOut).toBe(true);
      expect(Buffer.compare(Buffer.from(toBytes(ref[0])), readFileSync(tflmOut))).toBe(0);
      const splits = legalSplits(g);
      const auto = searchSchedule(g, { maxMacOverhead: DEFAULT_MAX_MAC_OVERHEAD });
      // The auto choice, plus the first, middle and last legal splits at 2, 3 and 4 patches.
      const tried: [number, number][] = [];
      if (auto.chosen.kind === 'patch') tried.push([auto.chosen.split!, auto.chosen.patches!]);
      const picks = splits.length ? [splits[0], splits[Math.floor(splits.length / 2)], splits[splits.length - 1]] : [];
      picks.forEach((s, i) => tried.push([s, 2 + i]));
      let ran = 0;
      for (const [s, p] of tried) {
        const cut = g.tensors[g.nodes[g.nodes.findIndex((n) => n.end === s)].output];
        if (p > Math.min(cut.h, cut.w)) continue;
        const out = runPatchBased(m, [input], s, p, { graph: g });
        expect(same(out, ref), `split ${s}, ${p}x${p}`).toBe(true);
        ran++;
      }
      // A network without a legal split (no spatial layers) must stay layer-by-layer.
      if (splits.length) expect(ran).toBeGreaterThan(0);
      else expect(auto.chosen.kind).toBe('layer');
    });
  }
});
