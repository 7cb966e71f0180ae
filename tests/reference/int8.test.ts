import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { mbqm, quantizeMultiplier, rdbpot, srdhm } from '../../compiler/reference/int8/fixedpoint.ts';
import { fromBytes, runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { NEED_MODELS, SHARED_MODELS } from '../mcu/models.ts';
import { describeNeeds } from '../helpers/requires.ts';

const I32 = fc.integer({ min: -2147483648, max: 2147483647 });

function srdhmBig(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C
}

describe('fixed-point primitives', () => {
  it('SaturatingRoundingDoublingHighMul matches 64-bit integer arithmetic', () => {
    fc.assert(
      fc.property(I32, I32, (a, b) => srdhm(a, b) === srdhmBig(a, b)),
      { seed: 7, numRuns: 20000 },
    );
    for (const [a, b] of [
      [-2147483648, -2147483648],
      [-2147483648, 2147483647],
      [1, 1 << 30],
      [-1, 1 << 30],
      [-3, 1 << 29],
    ]) {
      expect(srdhm(a, b)).toBe(srdhmBig(a, b));
    }
  });

  it('RoundingDivideByPOT rounds half away from zero', () => {
    expect(rdbpot(5, 1)).toBe(3);
    expect(rdbpot(-5, 1)).toBe(-3);
    expect(rdbpot(-4, 1)).toBe(-2);
    expect(rdbpot(7, 0)).toBe(7);
    fc.assert(
      fc.property(I32, fc.integer({ min: 0, max: 31 }), (x, e) => {
        const exact = x / 2 ** e;
        const want = exact < 0 ? -Math.floor(-exact + 0.5) : Math.floor(exact + 0.5);
        return rdbpot(x, e) === want;
      }),
      { seed: 11, numRuns: 20000 },
    );
  });

  it('QuantizeMultiplier gives a Q31 significand in [2^30, 2^31) and the right exponent', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e4, noNaN: true }), (m) => {
        const { multiplier, shift } = quantizeMultiplier(m);
        return multiplier >= 2 ** 30 && multiplier < 2 ** 31 && Math.abs((multiplier / 2 ** 31) * 2 ** shift - m) <= m * 2 ** -30;
      }),
      { seed: 3 },
    );
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(mbqm(1000, 2 ** 30, -1)).toBe(250);
  });
});

describeNeeds(NEED_MODELS, 'int8 reference executor against TFLite Micro', () => {
  for (const m of SHARED_MODELS) {
    it(`${m.name}: every input's outputs and every op's output for input 0`, () => {
      const model = importTflite(readFileSync(m.tflite), m.tflite);
      const inputT = model.tensors[model.inputs[0]];
      const shaLines = readFileSync(`${m.reference}/intermediate_0_sha256.txt`, 'utf8').trim().split('\n');
      const expectedSha = new Map(
        shaLines.map((l) => {
          const [sha, name] = l.trim().split(/\s+/);
          return [name, sha];
        }),
      );
      let k = 0;
      for (; existsSync(`${m.reference}/input_${k}.bin`); k++) {
        const input = fromBytes(inputT, readFileSync(`${m.reference}/input_${k}.bin`), 'input');
        const seen: string[] = [];
        const byTensor = new Map<number, Uint8Array>();
        const outs = runModel(model, [input], {
          onOp: (i, o) => {
            byTensor.set(model.ops[i].outputs[0], new Uint8Array(toBytes(o[0])));
            if (k !== 0) return;
            const name = `${i}_${model.ops[i].kind}.bin`;
            const sha = createHash('sha256').update(toBytes(o[0])).digest('hex');
            expect(sha, `${m.name} op ${name}`).toBe(expectedSha.get(name));
            seen.push(name);
          },
        });
        if (k === 0) expect(seen.length).toBe(expectedSha.size);
        expect(Buffer.from(toBytes(outs[0])).equals(readFileSync(`${m.reference}/output_${k}.bin`)), `${m.name} output ${k}`).toBe(true);
        const int8Out = `${m.reference}/output_${k}_int8.bin`;
        if (existsSync(int8Out)) {
          // float I/O models: the int8 tensor that the final DEQUANTIZE reads, and QUANTIZE's output
          const deq = model.ops[model.ops.length - 1];
          expect(deq.kind).toBe('DEQUANTIZE');
          expect(Buffer.from(byTensor.get(deq.inputs[0])!).equals(readFileSync(int8Out))).toBe(true);
          const q = model.ops[0];
          expect(q.kind).toBe('QUANTIZE');
          expect(Buffer.from(byTensor.get(q.outputs[0])!).equals(readFileSync(`${m.reference}/input_${k}_int8.bin`))).toBe(true);
        }
      }
      expect(k).toBeGreaterThanOrEqual(3);
    });
  }
});
