// The column-pair ring of 3x3 stride-2 depthwise layers (templates/mcu/dsp-library/depthwise-ring.c,
// nf_dwr_ring_3_2p: ring rows of column pairs, SMLAD over taps 0-1 or 1-2): even and odd left
// padding (windows starting on even or odd image columns), even and odd input widths, in place (the
// ring in the arena scratch) and out of place (on the stack), beside layers that keep the other ring
// kernels (a clamped range, an odd output width). Bit-exact with the TS reference on the host and in
// QEMU, the Cortex-M4 build running the assembly; kernel-loops.ts names the layers it takes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import type { QModel, QOp, QTensor } from '../../compiler/ir/quantized.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { loopContext } from '../../compiler/mcu/instructions.ts';
import { opLoops } from '../../compiler/mcu/kernel-loops.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../testbench/mcu/runner.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';
import { tensorTable } from './tensor-table.ts';

const GCC = await needTool('gcc');
const CORTEX_M = await Promise.all(['arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-dw-ring-pairs-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

interface Dw {
  act: 'NONE' | 'RELU6';
  /** Explicit padding [top, left, bottom, right] (a folded PAD), else SAME. */
  pad?: [number, number, number, number];
}

/** Depthwise 3x3 stride-2 layers one after another on an [h, w, c] int8 input. */
function chain(inShape: [number, number, number], layers: Dw[], seed: number): QModel {
  const rng = new Prng(seed);
  const { tensors, add } = tensorTable();
  const ops: QOp[] = [];
  let x = add('x', [1, ...inShape], 'int8', [0.05], [-9], 0);
  let [h, w] = inShape;
  const c = inShape[2];
  let inScale = 0.05;
  layers.forEach((l, i) => {
    const fscale = Array.from({ length: c }, () => 0.002 + rng.next() * 0.01);
    const f = add(
      `w${i}`,
      [1, 3, 3, c],
      'int8',
      fscale,
      fscale.map(() => 0),
      3,
      Int8Array.from({ length: 9 * c }, () => rng.int(255) - 127),
    );
    const b = add(
      `b${i}`,
      [c],
      'int32',
      fscale.map((s) => s * inScale),
      fscale.map(() => 0),
      0,
      Int32Array.from({ length: c }, () => rng.int(4001) - 2000),
    );
    if (l.pad) {
      h = Math.floor((h + l.pad[0] + l.pad[2] - 3) / 2) + 1;
      w = Math.floor((w + l.pad[1] + l.pad[3] - 3) / 2) + 1;
    } else {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    const outScale = 0.05 + 0.02 * (i % 3);
    const y = add(`y${i}`, [1, h, w, c], 'int8', [outScale], [l.act === 'RELU6' ? -5 : i % 2 ? 7 : -128], 0);
    ops.push({
      index: i,
      kind: 'DEPTHWISE_CONV_2D',
      inputs: [x, f, b],
      outputs: [y],
      options: {
        padding: l.pad ? 'VALID' : 'SAME',
        ...(l.pad ? { explicitPad: l.pad } : {}),
        strideH: 2,
        strideW: 2,
        dilationH: 1,
        dilationW: 1,
        activation: l.act,
        depthMultiplier: 1,
      },
    });
    x = y;
    inScale = outScale;
  });
  return { name: `dw_pairs_${seed}`, source: 'test', tensors, ops, inputs: [0], outputs: [x] };
}

const CASES: { name: string; shape: [number, number, number]; layers: Dw[]; pairs: number }[] = [
  // 48x44 (SAME: no left padding, windows on even columns) -> 24x22 -> 12x11 (odd width: the row kernel)
  { name: 'even left padding, even width', shape: [48, 44, 8], layers: [{ act: 'NONE' }, { act: 'NONE' }], pairs: 1 },
  // 48x43 (SAME: one left column, windows on odd columns, a last single column) -> 24x22; clamped next
  { name: 'odd left padding, odd width', shape: [48, 43, 12], layers: [{ act: 'NONE' }, { act: 'RELU6' }], pairs: 1 },
  // mcunet-vww1's folded PAD: one row and column before, none after (40x40 -> 20x20), then 20x20 -> 10x10
  {
    name: 'folded padding',
    shape: [40, 40, 8],
    layers: [
      { act: 'NONE', pad: [1, 1, 0, 0] },
      { act: 'NONE', pad: [1, 1, 0, 0] },
    ],
    pairs: 2,
  },
];

describe('3x3 stride-2 depthwise through the column-pair ring', () => {
  for (const t of CASES)
    for (const inPlace of [true, false])
      itNeeds(
        [GCC, ...CORTEX_M],
        `${t.name}, ${inPlace ? 'in place' : 'out of place'}: bit-exact on the host and in QEMU`,
        async () => {
          const m = chain(t.shape, t.layers, 5);
          const c = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'layer', inPlaceDepthwise: inPlace });
          const ctx = loopContext(c.model, c.plan);
          const classes = c.model.ops.map((op) => opLoops(c.model, op, 'smlad', ctx)[0].cls);
          expect(classes.filter((k) => k === 'f:dw.ring.3_2p').length, classes.join(' ')).toBe(t.pairs);
          const rng = new Prng(11);
          const x = Int8Array.from({ length: t.shape[0] * t.shape[1] * t.shape[2] }, () => rng.int(256) - 128);
          const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
          const dir = join(OUT, `${t.shape.join('x')}-${inPlace ? 'in' : 'out'}`);
          mkdirSync(dir, { recursive: true });
          for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
          const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
          expect(Buffer.from(host.output).equals(expected)).toBe(true);
          const q = await runQemu((await buildArm(dir)).elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
          expect(Buffer.from(q.output).equals(expected)).toBe(true);
        },
        120_000,
      );
});
