// The fast kernels (templates/mcu/dsp-library/) on layer geometries the shared models do not
// all cover: a chain of convolutions and in-place depthwise layers (RGB stem with a channel whose
// output offset cannot be folded, narrow and wide 1x1 layers, 3x3 / 5x5 / 7x7 depthwise with
// strides 1 and 2, dilation 2, odd widths, clamped activation ranges, ring in the arena scratch and
// on the stack) is bit-exact with the TS reference on the host (portable C definitions of the DSP
// instructions) and in QEMU (the Cortex-M4 build, assembly blocks included). The requantisation
// constants (nf_rqc_of + nf_rqv) are checked against MultiplyByQuantizedMultiplier directly.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QModel, QOp, QTensor } from '../../compiler/ir/quantized.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { fastLibraryFile } from '../../compiler/mcu/fast-library.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { mbqm } from '../../compiler/reference/int8/fixedpoint.ts';
import { runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';
import { tensorTable } from './tensor-table.ts';

const GCC = await needTool('gcc');
/** The Cortex-M4 build and its emulator. */
const CORTEX_M = await Promise.all(['arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));
// a fresh folder per run: several suites may run at once in the same working tree
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-patch-fast-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

interface LayerSpec {
  kind: 'conv' | 'dw';
  cout?: number;
  k: number;
  stride: number;
  dil?: number;
  act: 'NONE' | 'RELU6';
  tinyChannel?: boolean;
  /** Pruned channels: all-zero filter, a bias of +-2^30 and a tiny scale (as vww_96_int8's). */
  dead?: number[];
  /** Live channels outside the output stage's bounds: a bias near 2^30, or (big) a left shift. */
  hugeBias?: number[];
  big?: number[];
}

/** A chain model: every layer reads the previous one's output (so depthwise layers run in place). */
function chain(inShape: [number, number, number], layers: LayerSpec[], seed: number): QModel {
  const rng = new Prng(seed);
  const { tensors, add } = tensorTable();
  const ops: QOp[] = [];
  let x = add('x', [1, ...inShape], 'int8', [0.05], [3], 0);
  let [h, w, c] = inShape;
  let inScale = 0.05;
  layers.forEach((l, i) => {
    const dw = l.kind === 'dw';
    const oc = dw ? c : l.cout!;
    const fshape = dw ? [1, l.k, l.k, oc] : [oc, l.k, l.k, c];
    const n = fshape.reduce((a, b) => a * b, 1);
    const fscale = Array.from({ length: oc }, (_, j) =>
      l.tinyChannel && j === 0 ? 3e-9 : l.dead?.includes(j) ? 1e-10 * (1 + (j % 3)) : l.big?.includes(j) ? 2 : 0.002 + rng.next() * 0.01,
    );
    const fdata = Int8Array.from({ length: n }, () => rng.int(255) - 127);
    // filters are [oc, kh, kw, c]: channel j's taps are one run
    if (!dw) for (const j of l.dead ?? []) fdata.fill(0, j * (n / oc), (j + 1) * (n / oc));
    const bdata = Int32Array.from({ length: oc }, (_, j) =>
      l.dead?.includes(j) ? (j % 2 ? -1 : 1) * 2 ** 30 : l.hugeBias?.includes(j) ? 2 ** 30 - 5000 * (j + 1) : rng.int(4001) - 2000,
    );
    const f = add(
      `w${i}`,
      fshape,
      'int8',
      fscale,
      fscale.map(() => 0),
      dw ? 3 : 0,
      fdata,
    );
    const b = add(
      `b${i}`,
      [oc],
      'int32',
      fscale.map((s) => s * inScale),
      fscale.map(() => 0),
      0,
      bdata,
    );
    h = Math.ceil(h / l.stride);
    w = Math.ceil(w / l.stride);
    const outScale = 0.06 + 0.02 * (i % 3);
    const y = add(`y${i}`, [1, h, w, oc], 'int8', [outScale], [l.act === 'RELU6' ? -5 : i % 2 ? 7 : -128], 0);
    ops.push({
      index: i,
      kind: dw ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
      inputs: [x, f, b],
      outputs: [y],
      options: {
        padding: 'SAME',
        strideH: l.stride,
        strideW: l.stride,
        dilationH: l.dil ?? 1,
        dilationW: l.dil ?? 1,
        activation: l.act,
        ...(dw ? { depthMultiplier: 1 } : {}),
      },
    });
    x = y;
    c = oc;
    inScale = outScale;
  });
  return { name: `fast_chain_${seed}`, source: 'test', tensors, ops, inputs: [0], outputs: [x] };
}

const LAYERS: LayerSpec[] = [
  { kind: 'conv', cout: 16, k: 3, stride: 2, act: 'NONE', tinyChannel: true }, // RGB stem, offset added after the shift for channel 0
  { kind: 'dw', k: 3, stride: 1, act: 'NONE' }, // 32x21 plane: ring in the arena scratch, odd width
  { kind: 'conv', cout: 8, k: 1, stride: 1, act: 'RELU6' }, // narrow 1x1, clamped range
  { kind: 'conv', cout: 24, k: 1, stride: 1, act: 'NONE' }, // 8 input channels
  { kind: 'dw', k: 3, stride: 2, act: 'NONE' },
  { kind: 'dw', k: 5, stride: 1, act: 'NONE' },
  { kind: 'conv', cout: 40, k: 1, stride: 1, act: 'NONE' }, // 24 input channels
  { kind: 'dw', k: 5, stride: 2, act: 'NONE' },
  { kind: 'dw', k: 7, stride: 1, act: 'RELU6' }, // clamped: the portable row kernel
  { kind: 'dw', k: 3, stride: 1, dil: 2, act: 'NONE' }, // dilation: the portable row kernel
  { kind: 'conv', cout: 44, k: 1, stride: 1, act: 'NONE' }, // 40 input channels: the assembly loop
  { kind: 'dw', k: 7, stride: 2, act: 'NONE' },
  { kind: 'conv', cout: 6, k: 3, stride: 1, act: 'RELU6' }, // general 3x3 over 44 channels, clamped
];

describe('fast kernels on a chain of layer geometries', () => {
  itNeeds(
    [GCC, ...CORTEX_M],
    'bit-exact with the TS reference on the host and in QEMU',
    async () => {
      const m = chain([63, 41, 3], LAYERS, 8);
      const rng = new Prng(9);
      const t = m.tensors[0];
      const x = Int8Array.from({ length: t.shape.reduce((a, b) => a * b, 1) }, () => rng.int(256) - 128);
      const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
      const c = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'layer' });
      expect(c.program.files['model.c']).toContain('nf_dw_ring(');
      // every depthwise layer runs in place, every convolution through the fast entry point
      expect(c.program.files['model.c'].match(/^\s+nacc_fast_depthwise_conv2d_inplace\(/gm)?.length).toBe(
        LAYERS.filter((l) => l.kind === 'dw').length,
      );
      expect(c.program.files['model.c'].match(/^\s+nacc_fast_conv2d\(/gm)?.length).toBe(LAYERS.filter((l) => l.kind === 'conv').length);
      const dir = join(OUT, 'chain');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
      const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
      expect(Buffer.from(host.output).equals(expected)).toBe(true);
      const elf = await buildArm(dir);
      const q = await runQemu(elf.elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
      expect(Buffer.from(q.output).equals(expected)).toBe(true);
      // the same chain with every depthwise layer out of place (the ring on the stack, no scratch)
      const o = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'layer', inPlaceDepthwise: false });
      expect(o.program.files['model.c'].match(/^\s+nacc_fast_depthwise_conv2d\(/gm)?.length).toBe(
        LAYERS.filter((l) => l.kind === 'dw').length,
      );
      const dir2 = join(OUT, 'chain-out-of-place');
      rmSync(dir2, { recursive: true, force: true });
      mkdirSync(dir2, { recursive: true });
      for (const [f, text] of Object.entries(o.program.files)) writeFileSync(join(dir2, f), text);
      const host2 = await runHost(await buildHost(dir2), toBytes(x), join(dir2, 'build'));
      expect(Buffer.from(host2.output).equals(expected)).toBe(true);
      const q2 = await runQemu((await buildArm(dir2)).elf, toBytes(x), join(dir2, 'build'), { timeoutMs: 120_000 });
      expect(Buffer.from(q2.output).equals(expected)).toBe(true);
    },
    120_000,
  );
});

// Pruned channels (all-zero filters: constant outputs, never computed) and live channels whose
// constants fail the fast output stage's bounds (computed exactly beside the others), in narrow
// layers (16-bit filters), wide ones (8-bit filters) and a 3x3 over 3 channels (27 taps, the layer's
// last channel among the odd ones); then the pruned program must run far fewer instructions than the
// same layers with those channels live.
const PRUNED: LayerSpec[] = [
  { kind: 'conv', cout: 16, k: 3, stride: 1, act: 'NONE', dead: [1, 2, 9], hugeBias: [15] }, // 27 taps, last channel slow
  { kind: 'conv', cout: 24, k: 1, stride: 1, act: 'RELU6', dead: [0, 5, 6, 7, 23], big: [3] }, // 16 inputs: 16-bit filters
  {
    kind: 'conv',
    cout: 96,
    k: 1,
    stride: 1,
    act: 'NONE',
    dead: Array.from({ length: 80 }, (_, j) => j + (j >= 40 ? 3 : 0)).filter((j) => j < 95),
    hugeBias: [41],
  }, // 24 inputs
  { kind: 'dw', k: 3, stride: 1, act: 'NONE' },
  { kind: 'conv', cout: 72, k: 1, stride: 1, act: 'NONE', dead: Array.from({ length: 70 }, (_, j) => j), big: [71] }, // 96 inputs: the assembly loop, 70 of 72 pruned
  { kind: 'conv', cout: 40, k: 1, stride: 1, act: 'RELU6', dead: [39], hugeBias: [0, 1, 2] }, // last channel pruned
];

describe('fast convolutions with pruned and out-of-bounds channels', () => {
  itNeeds(
    [GCC, ...CORTEX_M],
    'bit-exact on the host and in QEMU, and the pruned channels cost nothing',
    async () => {
      const m = chain([12, 10, 3], PRUNED, 31);
      // the same layers with every channel live (pruned filters refilled, normal biases)
      const dense = chain(
        [12, 10, 3],
        PRUNED.map((l) => ({ ...l, dead: undefined, hugeBias: undefined, big: undefined })),
        31,
      );
      const rng = new Prng(32);
      const x = Int8Array.from({ length: 12 * 10 * 3 }, () => rng.int(256) - 128);
      const ticks: number[] = [];
      for (const [name, model] of [
        ['pruned', m],
        ['dense', dense],
      ] as const) {
        const expected = Buffer.concat(runModel(model, [x]).map((o) => Buffer.from(toBytes(o))));
        const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer' });
        const dir = join(OUT, name);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
        if (name === 'pruned') {
          const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
          expect(Buffer.from(host.output).equals(expected), 'host').toBe(true);
        }
        const q = await runQemu((await buildArm(dir)).elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
        expect(Buffer.from(q.output).equals(expected), `qemu, ${name}`).toBe(true);
        ticks.push(q.ticks);
      }
      // 171 of 248 convolution channels pruned: well under two thirds of the dense program's work
      expect(ticks[0]).toBeLessThan(0.6 * ticks[1]);
    },
    240_000,
  );
});

// Tiny planes (nf_dw_tiny: 3x3 and 5x5 maps, channel-major with compile-time geometry), in place and
// out of place, next to tiny-plane layers it must refuse (a channel whose shift is out of its
// range, a clamped activation range), which the ring runs instead.
const TINY: LayerSpec[] = [
  { kind: 'conv', cout: 20, k: 1, stride: 1, act: 'NONE' },
  { kind: 'dw', k: 3, stride: 2, act: 'NONE' }, // 10x10 -> 5x5
  { kind: 'dw', k: 3, stride: 1, act: 'NONE' }, // 5x5, 3x3 window: tiny
  { kind: 'dw', k: 3, stride: 1, act: 'NONE', tinyChannel: true }, // 5x5: refused (channel 0's shift)
  { kind: 'dw', k: 5, stride: 2, act: 'NONE' }, // 5x5 -> 3x3, 5x5 window: tiny
  { kind: 'conv', cout: 36, k: 1, stride: 1, act: 'NONE' },
  { kind: 'dw', k: 3, stride: 1, act: 'NONE' }, // 3x3 map: tiny
  { kind: 'dw', k: 3, stride: 1, act: 'RELU6' }, // 3x3 map, clamped: refused
  { kind: 'dw', k: 3, stride: 1, act: 'NONE' },
];

describe('fast depthwise kernels on tiny planes', () => {
  itNeeds(
    [GCC, ...CORTEX_M],
    'bit-exact with the TS reference on the host and in QEMU, in place and out of place',
    async () => {
      const m = chain([10, 10, 8], TINY, 21);
      const rng = new Prng(22);
      const x = Int8Array.from({ length: 10 * 10 * 8 }, () => rng.int(256) - 128);
      const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
      for (const inPlaceDepthwise of [true, false]) {
        const c = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'layer', inPlaceDepthwise });
        expect(c.program.files['model.c']).toContain('nf_dw_tiny(');
        const dir = join(OUT, `tiny-${inPlaceDepthwise ? 'in' : 'out'}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
        const host = await runHost(await buildHost(dir), toBytes(x), join(dir, 'build'));
        expect(Buffer.from(host.output).equals(expected), `host, in place ${inPlaceDepthwise}`).toBe(true);
        const q = await runQemu((await buildArm(dir)).elf, toBytes(x), join(dir, 'build'), { timeoutMs: 120_000 });
        expect(Buffer.from(q.output).equals(expected), `qemu, in place ${inPlaceDepthwise}`).toBe(true);
      }
    },
    120_000,
  );
});

describe('fast-kernel output stage', () => {
  itNeeds(
    [GCC],
    'nf_rqc_of + nf_rqv equal MultiplyByQuantizedMultiplier plus the output offset wherever accepted',
    async () => {
      const src = fastLibraryFile('common.c');
      const grab = (re: RegExp) => {
        const m = src.match(re);
        expect(m, String(re)).not.toBeNull();
        return m![0];
      };
      const parts = [
        grab(/typedef struct \{\n {2}int32_t m, nudge, down, post;\n\} nf_rqc;\n/),
        grab(/static int32_t nf_rqc_of\(nf_rqc \*r,[\s\S]*?\n\}\n/),
        grab(/#define NF_SMMLAR\(a, b, c\) \(\(int32_t\).*\n/), // the portable definition
        grab(/static inline int32_t nf_rqv\([\s\S]*?\n\}\n/),
      ];
      const dir = join(OUT, 'rqv');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'rqv.c'),
        [
          '#include <stdint.h>',
          '#include <stdio.h>',
          ...parts,
          'int main(int argc, char **argv) {',
          '  FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "wb");',
          '  int32_t t[6];',
          '  while (fread(t, 4, 6, f) == 6) {',
          '    nf_rqc r = {0, 0, 1, 0};',
          '    const int32_t ok = nf_rqc_of(&r, t[1], t[2], t[3], t[4], t[5]);',
          '    const int32_t o[2] = { ok, ok ? nf_rqv(2 * t[0], r.m, r.nudge, r.down) + r.post : 0 };',
          '    fwrite(o, 4, 2, g);',
          '  }',
          '  fclose(f); fclose(g); return 0;',
          '}',
          '',
        ].join('\n'),
      );
      await execa('gcc', ['-std=c99', '-O2', '-Wall', '-Werror', '-fno-strict-aliasing', '-o', join(dir, 'rqv'), join(dir, 'rqv.c')]);
      // (x, mult, shift, bias, taps, offset) with |x| within the kernels' accumulator bound
      const rng = new Prng(20261127);
      const rows: number[] = [];
      for (let i = 0; i < 150_000; i++) {
        const taps = [1, 8, 9, 25, 27, 49, 480, 4320][rng.int(8)];
        const bias = rng.int(1 << 21) - (1 << 20);
        const bound = Math.abs(bias) + taps * 128 * 255;
        const edge = [0, 1, -1, 2, -2, 3, -3, bound, -bound, bound - 1, -bound + 1];
        const x = i % 4 === 0 ? edge[rng.int(edge.length)] : rng.int(2 * bound + 1) - bound;
        const m = i % 50 === 0 ? [0, 1, 1073741824, 2147483647][rng.int(4)] : 1073741824 + rng.int(1073741823);
        const shift = i % 40 === 0 ? [0, 1, 2, -31][rng.int(4)] : -1 - rng.int(30);
        rows.push(x, m, shift, bias, taps, rng.int(256) - 128);
      }
      const input = Int32Array.from(rows);
      writeFileSync(join(dir, 'in.bin'), Buffer.from(input.buffer));
      await execa(join(dir, 'rqv'), [join(dir, 'in.bin'), join(dir, 'out.bin')], { stdin: 'ignore' });
      const buf = readFileSync(join(dir, 'out.bin'));
      const got = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      expect(got.length).toBe((input.length / 6) * 2);
      const bad: string[] = [];
      let accepted = 0;
      let rejectedUsual = 0;
      for (let i = 0; i < got.length / 2 && bad.length < 3; i++) {
        const [x, m, s, , , off] = input.slice(6 * i, 6 * i + 6);
        if (s >= 0) {
          if (got[2 * i] !== 0) bad.push(`shift ${s} accepted`);
          continue;
        }
        if (!got[2 * i]) {
          if (s >= -20) rejectedUsual++;
          continue;
        }
        accepted++;
        const want = mbqm(x, m, s) + off;
        if (got[2 * i + 1] !== want) bad.push(`x=${x} mult=${m} shift=${s} offset=${off}: C ${got[2 * i + 1]}, reference ${want}`);
      }
      expect(bad).toEqual([]);
      expect(accepted).toBeGreaterThan(140_000);
      expect(rejectedUsual).toBe(0); // right shifts up to 20 always fit
    },
    60_000,
  );
});

describe('fast QUANTIZE of a float input', () => {
  itNeeds(
    [GCC],
    'the integer kernel equals the reference float kernel on random bit patterns, near-ties and edge values',
    async () => {
      const fast = fastLibraryFile('quantize.c');
      const ref = readFileSync('templates/mcu/nacc_kernels.c.hbs', 'utf8');
      const grab = (src: string, re: RegExp) => {
        const m = src.match(re);
        expect(m, String(re)).not.toBeNull();
        return m![0];
      };
      const dir = join(OUT, 'quantize');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'q.c'),
        [
          '#include <stdint.h>',
          '#include <stdio.h>',
          '#include <string.h>',
          'typedef struct { int32_t count, zero_point, input_zp, mult, shift; float scale; } nacc_quantize_params;',
          grab(ref, /static inline int32_t clamp_i32\(.*\n/),
          grab(ref, /void nacc_quantize_float\(const nacc_quantize_params \*p, const float \*input, int8_t \*output\) \{[\s\S]*?\n\}\n/),
          // nf_quantize_one, the threshold helpers and the kernel
          grab(fast, /static int32_t nf_quantize_one\([\s\S]*?\nvoid nacc_fast_quantize_float\([\s\S]*?\n\}\n/),
          'int main(int argc, char **argv) {',
          '  FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "wb");',
          '  static float x[1 << 16]; int8_t a[1 << 16], b[1 << 16]; float sz[2];',
          '  while (fread(sz, 4, 2, f) == 2) {',
          '    int32_t zp; memcpy(&zp, &sz[1], 4);',
          '    const nacc_quantize_params p = {1 << 16, zp, 0, 0, 0, sz[0]};',
          '    if (fread(x, 4, 1 << 16, f) != 1 << 16) return 1;',
          '    nacc_quantize_float(&p, x, a); nacc_fast_quantize_float(&p, x, b);',
          '    fwrite(a, 1, 1 << 16, g); fwrite(b, 1, 1 << 16, g);',
          '  }',
          '  fclose(f); fclose(g); return 0;',
          '}',
          '',
        ].join('\n'),
      );
      await execa('gcc', ['-std=c99', '-O2', '-Wall', '-Werror', '-fno-strict-aliasing', '-o', join(dir, 'q'), join(dir, 'q.c')]);
      const rng = new Prng(31);
      const N = 1 << 16;
      const scales = [1 / 255, 0.0078125, 0.02352941, 0.5, 3, 1e-6, 7.3e4, 1.17549435e-38 * 4, Math.fround(0.003921568859368563)];
      const chunks: Buffer[] = [];
      const f32 = new Float32Array(1);
      const u32 = new Uint32Array(f32.buffer);
      for (const [si, s] of scales.entries()) {
        const x = new Float32Array(N);
        for (let i = 0; i < N; i++) {
          const kind = i % 4;
          if (kind === 0) {
            u32[0] = rng.nextUint32();
            x[i] = f32[0];
          } // any bit pattern (NaN, inf, subnormal included)
          else if (kind === 1)
            x[i] = Math.fround((rng.int(600) - 300 + 0.5) * s); // near ties
          else if (kind === 2) {
            f32[0] = Math.fround((rng.int(600) - 300 + 0.5) * s);
            u32[0] += rng.int(5) - 2; // neighbours of near-ties
            x[i] = f32[0];
          } else x[i] = Math.fround((rng.next() - 0.5) * 400 * s); // in range
        }
        x.set([
          0,
          -0,
          Infinity,
          -Infinity,
          NaN,
          1e-45,
          -1e-45,
          3.4e38,
          -3.4e38,
          s / 2,
          -s / 2,
          Math.fround(127.5 * s),
          Math.fround(-128.5 * s),
        ]);
        const head = new Float32Array(2);
        head[0] = s;
        new Int32Array(head.buffer)[1] = [-128, 0, 3, 127, -7][si % 5];
        chunks.push(Buffer.from(head.buffer), Buffer.from(x.buffer));
      }
      writeFileSync(join(dir, 'in.bin'), Buffer.concat(chunks));
      await execa(join(dir, 'q'), [join(dir, 'in.bin'), join(dir, 'out.bin')], { stdin: 'ignore' });
      const out = readFileSync(join(dir, 'out.bin'));
      expect(out.length).toBe(scales.length * 2 * N);
      let diffs = 0;
      for (let k = 0; k < scales.length; k++) {
        const a = out.subarray(2 * k * N, (2 * k + 1) * N);
        const b = out.subarray((2 * k + 1) * N, (2 * k + 2) * N);
        for (let i = 0; i < N; i++) if (a[i] !== b[i]) diffs++;
      }
      expect(diffs).toBe(0);
    },
    60_000,
  );
});
