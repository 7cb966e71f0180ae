// The network level's pieces: supernet declarations, subnets lowered to ordinary networks,
// weight sharing, and the table and predictor accuracy sources.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { compileModel, Trainer } from '../../compiler/fl/trainer.ts';
import { syntheticDigits } from '../../compiler/fl/data.ts';
import type { SupernetSpec } from '../../compiler/ir/supernet.ts';
import { Prng } from '../../compiler/util/prng.ts';
import {
  allConfigs,
  configKey,
  encodeConfig,
  largestConfig,
  lowerSubnet,
  mutateConfig,
  parseConfigKey,
  sampleConfig,
  smallestConfig,
  validConfig,
} from '../../compiler/nas/supernet.ts';
import { gatherParams, shareIndex } from '../../compiler/nas/accuracy/weight-sharing.ts';
import { predictorSource, tableSource } from '../../compiler/nas/accuracy/source.ts';
import { trainSupernet, DEFAULT_TRAIN_OPTIONS } from '../../compiler/nas/accuracy/train.ts';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { TINY } from './tiny-supernet.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'nacc-nas-'));
const parse = (text: string) => compileSource(new SourceFile('t.nacc', text));
const tiny = (): SupernetSpec => {
  const r = parse(TINY);
  expect(r.diagnostics).toEqual([]);
  return r.program.supernets[0];
};

describe('supernet declarations', () => {
  it('lower their choices: lists, ranges and single numbers, sorted', () => {
    const s = tiny();
    expect(s.resolution).toEqual([12, 16]);
    expect(s.stem).toEqual({ out: 8, stride: 2 });
    expect(s.stages[0]).toEqual({ out: 8, stride: 1, depth: [1, 2], width: [0.5, 1], expand: [2, 3], kernel: [3, 5] });
    expect(s.data?.generator).toBe('synthetic_digits');
  });

  it('report wrong values at their place', () => {
    const bad = parse(
      TINY.replace('kernel: [3, 5]),\n    stage(out: 16', 'kernel: [3, 4]),\n    stage(out: 16').replace(
        'resolution: [12, 16]',
        'resolution: [12, 16]\n  colour: 3',
      ),
    );
    const msgs = bad.diagnostics.map((d) => `${d.location?.line}: ${d.message}`);
    expect(msgs.some((m) => /^9: stages: kernel sizes must be odd/.test(m))).toBe(true);
    expect(msgs.some((m) => /^6: unknown property 'colour'/.test(m))).toBe(true);
    const missing = parse('supernet s { resolution: 8\n stem: conv(out: 4) }');
    expect(missing.diagnostics.map((d) => d.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/needs 'stages'/), expect.stringMatching(/needs 'classes'/)]),
    );
  });
});

describe('subnets', () => {
  it('every configuration lowers to an ordinary network whose shape follows its choices', () => {
    const s = tiny();
    const all = allConfigs(s)!;
    expect(all.length).toBe(2 * (2 * 2 * 2 * 2) ** 2);
    const big = lowerSubnet(s, largestConfig(s));
    const small = lowerSubnet(s, smallestConfig(s));
    expect(big.inputs[0].type.shape).toEqual([16, 16, 1]);
    expect(small.inputs[0].type.shape).toEqual([12, 12, 1]);
    expect(big.layers.filter((l) => l.op === 'dwconv2d').length).toBe(4);
    expect(small.layers.filter((l) => l.op === 'dwconv2d').length).toBe(2);
    expect(big.layers.find((l) => l.name === 's1b0.dw')?.attrs.kernel).toEqual([5, 5]);
    expect(big.layers.find((l) => l.name === 's1b0.expand')?.output.shape).toEqual([8, 8, 24]); // 8 in x expand 3
    expect(analyzeNetwork(big).totals.macs).toBeGreaterThan(analyzeNetwork(small).totals.macs);
    // Keys round-trip and the encoding has 1 + 4 x stages values in [0, 1].
    const rng = new Prng(3);
    for (let i = 0; i < 20; i++) {
      const c = mutateConfig(s, sampleConfig(s, rng), rng, 0.5);
      expect(validConfig(s, c)).toBe(true);
      expect(parseConfigKey(s, configKey(c))).toEqual(c);
      const v = encodeConfig(s, c);
      expect(v.length).toBe(9);
      expect([...v].every((x) => x >= 0 && x <= 1)).toBe(true);
    }
    expect([...encodeConfig(s, largestConfig(s))]).toEqual(new Array(9).fill(1));
    expect(parseConfigKey(s, 'r13/d1-w0.5-e2-k3/d1-w0.5-e2-k3')).toBeUndefined();
  });

  it('share the supernet weights: first channels, centred kernels, first blocks', () => {
    const s = tiny();
    const sup = compileModel(lowerSubnet(s, largestConfig(s)));
    expect([...shareIndex(sup, sup)]).toEqual(Array.from({ length: sup.paramCount }, (_, i) => i));
    const c = {
      resolution: 12,
      stages: [
        { depth: 1, width: 0.5, expand: 2, kernel: 3 },
        { depth: 2, width: 1, expand: 3, kernel: 3 },
      ],
    };
    const sub = compileModel(lowerSubnet(s, c));
    const idx = shareIndex(sub, sup);
    expect(new Set(idx).size).toBe(idx.length);
    // s1b0.dw: 3x3 centre of the supernet's 5x5, channel o of [kh, kw, 1, C].
    const p = sub.params.find((x) => x.layer === 's1b0.dw')!;
    const q = sup.params.find((x) => x.layer === 's1b0.dw')!;
    const C = q.shape[3];
    const out = p.shape[3];
    expect(idx[p.w + (0 * 3 + 0) * out + 2]).toBe(q.w + (1 * 5 + 1) * C + 2);
    expect(idx[p.w + (2 * 3 + 2) * out + 0]).toBe(q.w + (3 * 5 + 3) * C + 0);
    // The subnet computes with exactly its slice of the weights.
    const w = Float32Array.from({ length: sup.paramCount }, (_, i) => Math.sin(i));
    const mine = gatherParams(w, idx);
    expect(mine[p.w]).toBe(w[q.w + (1 * 5 + 1) * C]);
    const t = new Trainer(sub, 2);
    const logits = t.forward(mine, new Float32Array(2 * 144).fill(0.5), 2);
    expect(Number.isFinite(logits[0])).toBe(true);
  });

  it('train together, deterministically, and the supernet learns', () => {
    const s = tiny();
    const data = syntheticDigits(160, 1);
    const opts = { ...DEFAULT_TRAIN_OPTIONS, largestEpochs: 2, sandwichEpochs: 1, seed: 5, imageSide: 16 };
    const a = trainSupernet(s, data, opts);
    const b = trainSupernet(s, data, opts);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(a.log.map((e) => e.phase)).toEqual(['largest', 'largest', 'sandwich']);
    expect(a.log[1].loss).toBeLessThan(a.log[0].loss);
    // Subnets are scored with their slice of the shared weights, the same way every time.
    const test = syntheticDigits(100, 2);
    expect(a.accuracy(smallestConfig(s), test)).toBe(b.accuracy(smallestConfig(s), test));
  }, 300_000);
});

describe('accuracy sources', () => {
  it('table: configuration keys to accuracy, percentages, nearest row, located errors', async () => {
    const s = tiny();
    const dir = tmp();
    const big = configKey(largestConfig(s));
    const small = configKey(smallestConfig(s));
    const file = join(dir, 'acc.csv');
    writeFileSync(file, `config,accuracy\n${big},91.5\n${small},70\n`);
    const src = tableSource(s, file);
    expect(src.name).toBe(`table:${file}`);
    expect(await src.accuracy([largestConfig(s), smallestConfig(s)])).toEqual([0.915, 0.7]);
    const near = { ...largestConfig(s), resolution: 12 };
    expect(configKey(src.nearest!(near))).toBe(big);
    writeFileSync(file, `config,accuracy\n${big},0.9\nr99/nonsense,0.5\n`);
    try {
      tableSource(s, file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).diagnostics[0].location).toMatchObject({ line: 3, column: 1 });
    }
  });

  it('predictor: an ONNX model over the documented encoding, run with onnxruntime', async () => {
    const s = tiny();
    // accuracy = 0.5 + 0.05 * sum(encoding): largest 0.95, smallest 0.5.
    const b = new OnnxBuilder('predictor');
    const x = b.input('encoding', [1, 9]);
    const w = b.init('w', [9, 1], new Array(9).fill(0.05));
    const c = b.init('c', [1], [0.5]);
    const y = b.node('Add', [b.node('MatMul', [x, w]), c], {}, { outputs: ['accuracy'] });
    b.output(y);
    const file = join(tmp(), 'p.onnx');
    writeFileSync(file, b.toBytes());
    const src = await predictorSource(s, file);
    const [big, small] = await src.accuracy([largestConfig(s), smallestConfig(s)]);
    expect(big).toBeCloseTo(0.95, 5);
    expect(small).toBeCloseTo(0.5, 5);
  });
});
