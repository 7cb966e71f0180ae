// The DSP versions of ADD, FULLY_CONNECTED and AVERAGE_POOL_2D (templates/mcu/dsp-library/ops.c)
// equal the reference kernels (templates/mcu/nacc_kernels.c.hbs) bit for bit: on the host (the
// portable definitions of the DSP instructions) over every input pair of seeded ADD parameter
// sets (TFLite's multipliers from random scales, input shifts of 0 included, clamped ranges,
// offsets that must be added after the shift), over seeded fully-connected and pooling shapes
// (odd depths, rows longer than the stack expansion, 1..13 outputs, left shifts, no bias, padded
// border windows, channels not a multiple of 4); the reworked TRANSPOSE against index-by-index
// copies of every permutation up to rank 4 and some of rank 5; and a program that calls them,
// bit-exact with the TS reference in QEMU (the Cortex-M4 build).
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { importTflite } from '../../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../../compiler/mcu/compile.ts';
import { fastLibrary } from '../../compiler/mcu/fast-library.ts';
import { buildArm, runQemu } from '../../testbench/mcu/runner.ts';
import { resolveBoard } from '../../compiler/mcu/targets.ts';
import { quantizeMultiplier } from '../../compiler/reference/int8/fixedpoint.ts';
import { runModel, toBytes } from '../../compiler/reference/int8/executor.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';
import { allOpsModel } from '../mcu/tflite-writer.ts';

const GCC = await needTool('gcc');
const CORTEX_M = await Promise.all(['arm-none-eabi-gcc', 'newlib', 'qemu-system-arm'].map(needTool));
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-fast-ops-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** The generated kernels of a program (the templates rendered), plus the fast kernel sources. */
function kernelSources() {
  const m = importTflite(allOpsModel(3), 'allops.tflite');
  const files = compileForMcu(m, resolveBoard('stm32h743'), { schedule: 'layer' }).program.files;
  return {
    header: files['nacc_kernels.h'],
    kernels: files['nacc_kernels.c'],
    fast: ['#include "nacc_kernels.h"', '#define NACC_FAST_COL 64', fastLibrary(64).text].join('\n'),
  };
}

/** Ints one per line, read by the harness with scanf. */
const ints = (xs: number[]) => `${xs.join(' ')}\n`;

const HARNESS = `
#include "nacc_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int rd(void) { int v; if (scanf("%d", &v) != 1) exit(2); return v; }
int main(void) {
  int bad = 0, cases = 0;
  for (;;) {
    int kind = rd();
    if (kind == 0) break;
    cases++;
    if (kind == 1) { /* ADD: every input pair */
      nacc_add_params p;
      memset(&p, 0, sizeof p);
      p.left_shift = rd(); p.input1_offset = rd(); p.input1_mult = rd(); p.input1_shift = rd();
      p.input2_offset = rd(); p.input2_mult = rd(); p.input2_shift = rd();
      p.output_offset = rd(); p.output_mult = rd(); p.output_shift = rd(); p.act_min = rd(); p.act_max = rd();
      p.bc.rank = 1; p.bc.needed = 0; p.bc.out_shape[0] = 65536;
      static int8_t a[65536], b[65536], r[65536], f[65536];
      for (int i = 0; i < 65536; i++) { a[i] = (int8_t)(i & 255); b[i] = (int8_t)(i >> 8); }
      nacc_add(&p, a, b, r);
      nacc_fast_add(&p, a, b, f);
      for (int i = 0; i < 65536; i++) if (r[i] != f[i]) { bad++; break; }
    } else if (kind == 2) { /* FULLY_CONNECTED */
      static int32_t mult[64], shift[64], bias[64];
      static int8_t in[2048], w[64 * 1024], r[128], f[128];
      nacc_fc_params p;
      p.batches = rd(); p.accum_depth = rd(); p.out_depth = rd(); p.input_offset = rd(); p.filter_offset = 0;
      p.output_offset = rd(); p.act_min = rd(); p.act_max = rd();
      int has_bias = rd(), seed = rd();
      for (int i = 0; i < p.out_depth; i++) { mult[i] = rd(); shift[i] = rd(); bias[i] = rd(); }
      srand((unsigned)seed);
      for (int i = 0; i < p.batches * p.accum_depth; i++) in[i] = (int8_t)(rand() & 255);
      for (int i = 0; i < p.out_depth * p.accum_depth; i++) w[i] = (int8_t)(rand() % 255 - 127);
      p.mult = mult; p.shift = shift;
      nacc_fully_connected(&p, in, w, has_bias ? bias : NULL, r);
      nacc_fast_fully_connected(&p, in, w, has_bias ? bias : NULL, f);
      if (memcmp(r, f, (size_t)(p.batches * p.out_depth))) bad++;
    } else if (kind == 3) { /* AVERAGE_POOL_2D */
      static int8_t in[65536], r[65536], f[65536];
      nacc_pool_params p;
      p.batches = 1; p.in_h = rd(); p.in_w = rd(); p.channels = rd(); p.out_h = rd(); p.out_w = rd(); p.k_h = rd(); p.k_w = rd();
      p.stride_h = rd(); p.stride_w = rd(); p.pad_top = rd(); p.pad_left = rd(); p.act_min = rd(); p.act_max = rd();
      int seed = rd();
      srand((unsigned)seed);
      for (int i = 0; i < p.in_h * p.in_w * p.channels; i++) in[i] = (int8_t)(rand() & 255);
      nacc_average_pool2d(&p, in, r);
      nacc_fast_average_pool2d(&p, in, f);
      if (memcmp(r, f, (size_t)(p.out_h * p.out_w * p.channels))) bad++;
    } else if (kind == 4) { /* TRANSPOSE against an index-by-index copy */
      static int8_t in[4096], out[4096], want[4096];
      nacc_transpose_params p;
      memset(&p, 0, sizeof p);
      p.rank = rd();
      int total = 1, stride[6], oshape[6], idx[6] = {0};
      for (int d = 0; d < p.rank; d++) { p.in_shape[d] = rd(); total *= p.in_shape[d]; }
      for (int d = 0; d < p.rank; d++) p.perm[d] = rd();
      for (int d = p.rank - 1, s = 1; d >= 0; d--) { stride[d] = s; s *= p.in_shape[d]; }
      for (int d = 0; d < p.rank; d++) oshape[d] = p.in_shape[p.perm[d]];
      for (int i = 0; i < total; i++) in[i] = (int8_t)(i * 7 + 1);
      for (int o = 0; o < total; o++) {
        int i = 0;
        for (int d = 0; d < p.rank; d++) i += idx[d] * stride[p.perm[d]];
        want[o] = in[i];
        for (int d = p.rank - 1; d >= 0; d--) { if (++idx[d] < oshape[d]) break; idx[d] = 0; }
      }
      nacc_transpose(&p, in, out);
      if (memcmp(out, want, (size_t)total)) bad++;
    }
  }
  printf("%d %d\\n", cases, bad);
  return 0;
}
`;

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('fast ADD, FULLY_CONNECTED, AVERAGE_POOL_2D and the strided TRANSPOSE', () => {
  itNeeds(
    [GCC],
    'equal the reference kernels on the host over seeded parameters and shapes',
    async () => {
      const rng = new Prng(1919);
      const src = kernelSources();
      const dir = join(OUT, 'host');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'nacc_kernels.h'), src.header);
      writeFileSync(join(dir, 'nacc_kernels.c'), src.kernels);
      writeFileSync(join(dir, 'fast.c'), src.fast);
      writeFileSync(join(dir, 'main.c'), HARNESS);
      await execa(
        'gcc',
        [
          '-std=c99',
          '-O2',
          '-Wall',
          '-Wextra',
          '-Werror',
          '-Wno-unused-function',
          '-fno-strict-aliasing',
          '-o',
          join(dir, 'h'),
          join(dir, 'main.c'),
          join(dir, 'nacc_kernels.c'),
          join(dir, 'fast.c'),
        ],
        { cwd: dir },
      );
      let input = '';
      let cases = 0;
      const scale = () => Math.fround(10 ** (-3 + 2.5 * rng.next()));
      const zp = () => rng.int(256) - 128;
      const act = (): [number, number] => (rng.int(3) === 0 ? [zp() >> 1, 127 - rng.int(40)] : [-128, 127]);
      // ADD: TFLite's parameters from random scales (the larger input gets shift 0), and extremes
      for (let k = 0; k < 40; k++) {
        const s1 = scale(),
          s2 = rng.int(4) === 0 ? s1 : scale(),
          so = k % 10 === 9 ? Math.fround(1e-6) : scale();
        const twiceMax = 2 * Math.max(s1, s2);
        const m1 = quantizeMultiplier(s1 / twiceMax),
          m2 = quantizeMultiplier(s2 / twiceMax),
          mo = quantizeMultiplier(twiceMax / ((1 << 20) * so));
        const [lo, hi] = act();
        input += ints([1, 20, -zp(), m1.multiplier, m1.shift, -zp(), m2.multiplier, m2.shift, zp(), mo.multiplier, mo.shift, lo, hi]);
        cases++;
      }
      // FULLY_CONNECTED: depths around the 4-byte groups and the 512-input expansion, 1..13 outputs
      for (const depth of [1, 3, 4, 7, 64, 130, 511, 512, 513, 640]) {
        for (const outs of [1, 2, 3, 4, 5, 12, 13]) {
          const rows = Array.from({ length: outs }, () => {
            const q = quantizeMultiplier(10 ** (-4 + 4.2 * rng.next())); // up to ~16: left shifts too
            return [q.multiplier, q.shift, rng.int(40001) - 20000];
          });
          const [lo, hi] = act();
          input += ints([2, 1 + rng.int(2), depth, outs, -zp(), zp(), lo, hi, rng.int(4) === 0 ? 0 : 1, rng.int(1 << 30), ...rows.flat()]);
          cases++;
        }
      }
      // AVERAGE_POOL_2D: global, strided, SAME-padded border windows, channels 4k and not
      for (let k = 0; k < 40; k++) {
        const h = 1 + rng.int(12),
          w = 1 + rng.int(12),
          c = k % 5 === 4 ? 3 + 2 * rng.int(4) : 4 * (1 + rng.int(16));
        const kh = 1 + rng.int(h),
          kw = 1 + rng.int(w),
          sh = 1 + rng.int(3),
          sw = 1 + rng.int(3);
        const same = rng.int(2) === 1;
        const oh = same ? Math.ceil(h / sh) : Math.floor((h - kh) / sh) + 1,
          ow = same ? Math.ceil(w / sw) : Math.floor((w - kw) / sw) + 1;
        const pt = same ? Math.max(0, ((oh - 1) * sh + kh - h) >> 1) : 0,
          pl = same ? Math.max(0, ((ow - 1) * sw + kw - w) >> 1) : 0;
        const [lo, hi] = act();
        input += ints([3, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, lo, hi, rng.int(1 << 30)]);
        cases++;
      }
      input += ints([3, 25, 5, 64, 1, 1, 25, 5, 25, 5, 0, 0, -128, 127, 5]); // kws_ref_model's pool
      cases++;
      // TRANSPOSE: every permutation of ranks 1..4 (some dimensions of 1), a few of rank 5
      for (const rank of [1, 2, 3, 4, 5]) {
        const perms = permutations(rank);
        for (const perm of rank === 5 ? perms.filter((_, i) => i % 17 === 0) : perms) {
          const shape = Array.from({ length: rank }, () => 1 + rng.int(rank >= 4 ? 4 : 7));
          input += ints([4, rank, ...shape, ...perm]);
          cases++;
        }
      }
      input += ints([4, 4, 1, 3, 3, 160, 0, 3, 1, 2]); // mcunet-vww1's
      cases++;
      input += '0\n';
      const r = await execa(join(dir, 'h'), { input });
      expect(r.stdout.trim()).toBe(`${cases} 0`);
    },
    120_000,
  );

  itNeeds(
    CORTEX_M,
    'a program for a DSP core calls them and is bit-exact with the TS reference in QEMU',
    async () => {
      const model = importTflite(allOpsModel(11), 'allops.tflite');
      const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer' });
      const modelC = c.program.files['model.c'];
      for (const k of ['nacc_fast_fully_connected', 'nacc_fast_average_pool2d', 'nacc_fast_add'])
        expect(modelC).toMatch(new RegExp(`^\\s+${k}\\(`, 'm'));
      const portable = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer', fastKernels: false });
      expect(portable.program.files['model.c']).not.toMatch(/nacc_fast_/);
      const dir = join(OUT, 'qemu');
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(c.program.files)) writeFileSync(join(dir, f), text);
      const rng = new Prng(5);
      const x = Int8Array.from({ length: 8 * 8 * 4 }, () => rng.int(256) - 128);
      const arm = await buildArm(dir);
      const q = await runQemu(arm.elf, new Uint8Array(x.buffer), join(dir, 'build'), { timeoutMs: 120_000 });
      const want = Buffer.concat(runModel(model, [x]).map((o) => Buffer.from(toBytes(o))));
      expect(Buffer.from(q.output).equals(want)).toBe(true);
    },
    180_000,
  );
});
