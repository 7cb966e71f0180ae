// The fast kernels' branch-free requantisation (nf_rq in templates/mcu/dsp-library/common.c) equals
// TFLite's MultiplyByQuantizedMultiplier (SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT) of the reference arithmetic, for every multiplier but INT32_MIN (the
// kernels route that case to the reference kernels): edge values crossed exhaustively, plus
// seeded random triples. The C function is compiled from the template text itself.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { fastLibraryFile } from '../../compiler/mcu/fast-library.ts';
import { mbqm } from '../../compiler/reference/int8/fixedpoint.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';

const GCC = await needTool('gcc');
const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-requant-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function cases(): Int32Array {
  const xs = [
    -2147483648, -2147483647, -1073741825, -1073741824, -65537, -65536, -32769, -257, -256, -129, -128, -3, -2, -1, 0, 1, 2, 3, 127, 128,
    255, 256, 65535, 65536, 1073741823, 1073741824, 2147483646, 2147483647,
  ];
  const mults = [-2147483647, -1073741824, -1, 0, 1, 2, 1073741823, 1073741824, 1073741825, 1518500250, 2147483646, 2147483647];
  const shifts = [-31, -30, -24, -17, -16, -9, -8, -7, -2, -1, 0, 1, 2, 7, 8, 15, 30];
  const out: number[] = [];
  for (const x of xs) for (const m of mults) for (const s of shifts) out.push(x, m, s);
  const rng = new Prng(20261127);
  for (let i = 0; i < 200_000; i++) {
    const x = rng.nextUint32() | 0;
    const small = (rng.int(1 << 24) - (1 << 23)) | 0; // accumulator-sized values as well
    let m = rng.nextUint32() | 0;
    if (m === -2147483648) m = 1073741824;
    if (i % 2) m = (1073741824 + rng.int(1073741824)) | 0; // the usual normalised multipliers
    const s = rng.int(40) - 31;
    out.push(i % 3 === 0 ? x : small, m, s > 8 ? s - 20 : s);
  }
  return Int32Array.from(out);
}

describe('fast-kernel requantisation', () => {
  itNeeds(
    [GCC],
    'nf_rq equals MultiplyByQuantizedMultiplier on edge values and 200,000 seeded triples',
    async () => {
      const src = fastLibraryFile('common.c');
      const fn = src.match(/static inline int32_t nf_rq\(int32_t x, int32_t mult, int32_t shift\) \{[\s\S]*?\n\}\n/);
      const small = src.match(/static inline int32_t nf_rq_small\(int32_t x, int32_t mult, int32_t shift\) \{[\s\S]*?\n\}\n/);
      const smmulr = src.match(/#define NF_SMMULR\(a, b\) \(\(int32_t\).*\n/); // the portable definition
      expect(fn).not.toBeNull();
      expect(small).not.toBeNull();
      expect(smmulr).not.toBeNull();
      const c = [
        '#include <stdint.h>',
        '#include <stdio.h>',
        '#include <stdlib.h>',
        fn![0],
        smmulr![0],
        small![0],
        'int main(int argc, char **argv) {',
        '  FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "wb");',
        '  int32_t t[3];',
        '  while (fread(t, 4, 3, f) == 3) { const int32_t r[2] = { nf_rq(t[0], t[1], t[2]), nf_rq_small(t[0], t[1], t[2]) }; fwrite(r, 4, 2, g); }',
        '  fclose(f); fclose(g); return 0;',
        '}',
        '',
      ].join('\n');
      writeFileSync(join(OUT, 'rq.c'), c);
      await execa('gcc', ['-std=c99', '-O2', '-Wall', '-Werror', '-fno-strict-aliasing', '-o', join(OUT, 'rq'), join(OUT, 'rq.c')]);
      const triples = cases();
      writeFileSync(join(OUT, 'in.bin'), Buffer.from(triples.buffer));
      await execa(join(OUT, 'rq'), [join(OUT, 'in.bin'), join(OUT, 'out.bin')], { stdin: 'ignore' });
      const buf = readFileSync(join(OUT, 'out.bin'));
      const got = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      expect(got.length).toBe((triples.length / 3) * 2);
      // nf_rq everywhere; nf_rq_small on its domain (|x| < 2^29, shift <= 0)
      const bad: string[] = [];
      let inDomain = 0;
      for (let i = 0; i < got.length / 2 && bad.length < 3; i++) {
        const [x, m, s] = [triples[3 * i], triples[3 * i + 1], triples[3 * i + 2]];
        const want = mbqm(x, m, s);
        if (got[2 * i] !== want) bad.push(`nf_rq x=${x} mult=${m} shift=${s}: C ${got[2 * i]}, reference ${want}`);
        if (Math.abs(x) < 2 ** 29 && s <= 0) {
          inDomain++;
          if (got[2 * i + 1] !== want) bad.push(`nf_rq_small x=${x} mult=${m} shift=${s}: C ${got[2 * i + 1]}, reference ${want}`);
        }
      }
      expect(bad).toEqual([]);
      expect(inDomain).toBeGreaterThan(100_000);
    },
    60_000,
  );
});
