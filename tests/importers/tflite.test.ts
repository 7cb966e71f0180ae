import { readFileSync } from 'node:fs';
import { ByteBuffer } from 'flatbuffers';
import { expect, it } from 'vitest';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { F, FbTable } from '../../compiler/importers/tflite/schema.ts';
import { planMemory } from '../../compiler/mcu/planner.ts';
import { prepareModel } from '../../compiler/reference/int8/executor.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { NEED_MODELS, SHARED_MODELS } from '../mcu/models.ts';
import { describeNeeds } from '../helpers/requires.ts';

function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describeNeeds(NEED_MODELS, 'TFLite import', () => {
  it('loads every shared model with the op counts of its TFLM reference', () => {
    for (const m of SHARED_MODELS) {
      const model = importTflite(readFileSync(m.tflite), m.tflite);
      const readme = readFileSync(`${m.reference}/README.md`, 'utf8');
      const opSet = readme.match(/^Op set: (.*)$/m)![1];
      const counts: Record<string, number> = {};
      for (const op of model.ops) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
      const expected = Object.fromEntries(
        opSet.split(', ').map((s) => {
          const [k, n] = s.split(' x');
          return [k, Number(n)];
        }),
      );
      expect(counts, m.name).toEqual(expected);
      expect(model.inputs.length).toBe(1);
    }
  });

  it('reads per-channel quantisation of conv filters', () => {
    const m = SHARED_MODELS.find((x) => x.name === 'vww_96_int8')!;
    const model = importTflite(readFileSync(m.tflite), m.tflite);
    const conv = model.ops.find((o) => o.kind === 'CONV_2D')!;
    const filter = model.tensors[conv.inputs[1]];
    expect(filter.quant!.scale.length).toBe(filter.shape[0]);
    expect(filter.quant!.axis).toBe(0);
    expect(filter.data).toBeInstanceOf(Int8Array);
  });

  it('rejects a non-TFLite file and a truncated file with a located error', () => {
    const e1 = errorOf(() => importTflite(new TextEncoder().encode('hello world, not a model'), 'x.tflite'));
    expect(e1.diagnostics[0].message).toMatch(/x\.tflite: not a TFLite file/);
    expect(e1.exitCode).toBe(1);
    const bytes = readFileSync(SHARED_MODELS[1].tflite);
    const e2 = errorOf(() => importTflite(bytes.subarray(0, 600), 'cut.tflite'));
    expect(e2.diagnostics[0].message).toMatch(/cut\.tflite: malformed TFLite flatbuffer/);
  });

  it('names the operator index of an unsupported op', () => {
    const bytes = new Uint8Array(readFileSync(SHARED_MODELS[1].tflite));
    const bb = new ByteBuffer(bytes);
    const root = new FbTable(bb, bb.readUint32(0), 'Model');
    // Turn the SOFTMAX opcode into TANH (28) in both code fields.
    for (const oc of root.tables(F.Model.operatorCodes, 'OperatorCode')) {
      if (oc.i32(F.OperatorCode.builtinCode, 0) === 25 || oc.i8(F.OperatorCode.deprecatedBuiltinCode, 0) === 25) {
        const p1 = oc.fieldPos(F.OperatorCode.deprecatedBuiltinCode);
        const p2 = oc.fieldPos(F.OperatorCode.builtinCode);
        if (p1) bb.writeInt8(p1, 28);
        if (p2) bb.writeInt32(p2, 28);
      }
    }
    const e = errorOf(() => importTflite(bytes, 'kws.tflite'));
    expect(e.diagnostics[0].message).toMatch(/kws\.tflite: operator 12 is TANH/);
  });

  it('turns byte corruption into diagnostics, never a crash (seeded fuzz)', () => {
    const base = new Uint8Array(readFileSync(SHARED_MODELS[1].tflite));
    const rng = new Prng(2024);
    let imported = 0;
    let rejected = 0;
    for (let it = 0; it < 400; it++) {
      const b = base.slice();
      for (let f = 0, n = 1 + rng.int(4); f < n; f++) {
        const at = rng.next() < 0.5 ? rng.int(2000) : b.length - 1 - rng.int(6000);
        b[at] = rng.int(256);
      }
      try {
        const m = importTflite(b, 'fuzz.tflite');
        prepareModel(m);
        planMemory(m);
        imported++;
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        rejected++;
      }
    }
    expect(imported + rejected).toBe(400);
    expect(rejected).toBeGreaterThan(0);
  });
});
