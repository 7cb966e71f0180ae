// The C program model (issue 18 item 3): struct field tables render both the typedefs and
// designated initialisers, so initialisers do not depend on field order; calls take their kernel
// from the registry on the program's path; the printer writes what the model holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { call, portable, printModelC, printModelH, line, type CProgram } from '../../compiler/mcu/c-program.ts';
import { C_STRUCTS, renderTypedefs, structDecl, structInit } from '../../compiler/mcu/c-structs.ts';
import { KERNELS, kernelFunction } from '../../compiler/mcu/kernel-registry.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const NEED_GCC = await needTool('gcc');

const pool = {
  batches: 1,
  in_h: 12,
  in_w: 10,
  channels: 8,
  out_h: 6,
  out_w: 5,
  k_h: 2,
  k_w: 2,
  stride_h: 2,
  stride_w: 2,
  pad_top: 0,
  pad_left: -1,
  act_min: -128,
  act_max: 127,
};

it('initialisers name every field, in table order, and refuse missing or unknown fields', () => {
  expect(structInit('nacc_pool_params', pool)).toBe(
    '{.batches = 1, .in_h = 12, .in_w = 10, .channels = 8, .out_h = 6, .out_w = 5, .k_h = 2, .k_w = 2, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = -1, .act_min = -128, .act_max = 127}',
  );
  const { channels: _, ...missing } = pool;
  expect(() => structInit('nacc_pool_params', missing as typeof pool)).toThrow(/nacc_pool_params.channels has no value/);
  expect(() => structInit('nacc_pool_params', { ...pool, depth: 3 } as typeof pool)).toThrow(/has no field depth/);
  expect(structInit('nacc_quantize_params', { count: 4, zero_point: -128, input_zp: 0, mult: 0, shift: 0, scale: 0.5 })).toContain(
    '.scale = 0.500000000f',
  );
  expect(
    structInit('nacc_add_params', {
      left_shift: 20,
      input1_offset: 1,
      input1_mult: 2,
      input1_shift: -1,
      input2_offset: 3,
      input2_mult: 4,
      input2_shift: -2,
      output_offset: -5,
      output_mult: -2147483648,
      output_shift: 0,
      act_min: -128,
      act_max: 127,
      bc: { rank: 2, needed: 1, out_shape: [3, 4], strides1: [4, 1], strides2: [0, 1] },
    }),
  ).toContain('.output_mult = (-2147483647 - 1)');
});

it('every registry kernel resolves on both paths; only kernels with an SMLAD version change', () => {
  for (const name of Object.keys(KERNELS) as (keyof typeof KERNELS)[]) {
    expect(kernelFunction(name, 'portable')).toBe(`nacc_${name}`);
    expect(kernelFunction(name, 'smlad')).toMatch(new RegExp(`^nacc_(fast_)?${name}$`));
  }
  expect(kernelFunction('conv2d', 'smlad')).toBe('nacc_fast_conv2d');
  expect(kernelFunction('max_pool2d', 'smlad')).toBe('nacc_max_pool2d');
});

const program = (path: 'portable' | 'smlad'): CProgram => ({
  model: 'tiny */ model',
  source: 't.tflite',
  summary: '1 op, arena 64 bytes',
  arenaBytes: 64,
  arenaComment: 'arena',
  path,
  includes: ['<stddef.h>', '<stdint.h>', '"model.h"', '"nacc_kernels.h"'],
  decls: [structDecl('nacc_pool_params', 'p0', pool)],
  inputs: [{ kind: 'arena', offset: 0, bytes: 32 }],
  outputs: [{ offset: 32, bytes: 32 }],
  sections: [],
  functions: [
    {
      name: 'nacc_run',
      isStatic: false,
      prologue: [],
      ops: [
        {
          op: 0,
          comment: 'op 0: AVERAGE_POOL_2D',
          stmts: [
            { indent: 2, stmt: call('average_pool2d', '&p0', 'nacc_arena', 'nacc_arena + 32') },
            { indent: 2, stmt: portable(call('average_pool2d', '&p0', 'nacc_arena', 'nacc_arena + 32')) },
            { indent: 2, stmt: line('(void)0;') },
          ],
          dump: { offset: 32, bytes: 32 },
        },
      ],
      epilogue: [],
    },
  ],
});

it('the printer resolves each call on the program path (a call kept portable stays so) and writes the model once', () => {
  const smlad = printModelC(program('smlad'));
  expect(smlad).toContain(
    '  nacc_fast_average_pool2d(&p0, nacc_arena, nacc_arena + 32);\n  nacc_average_pool2d(&p0, nacc_arena, nacc_arena + 32);',
  );
  expect(smlad).toContain('  NACC_DUMP(0, nacc_arena + 32, 32);');
  expect(smlad).toContain('/* Model tiny *<U+002F> model (from t.tflite)');
  expect(printModelC(program('portable'))).not.toContain('nacc_fast_');
  const h = printModelH({ ...program('portable'), inputs: [{ kind: 'streamed', bytes: 300, h: 10, w: 10, c: 3, pixelBytes: 3 }] });
  expect(h).toContain('#define NACC_INPUT_PIXEL_BYTES 3');
  expect(h).toContain('int nacc_read_input(int32_t x, int32_t y, int32_t w, int32_t h, void *buf);');
});

describeNeeds([NEED_GCC], 'designated initialisers in C', () => {
  /** Compile and run a program printing p.<field> for every field, against typedefs in the given field order. */
  const fieldsSeen = (typedefs: string, names = Object.keys(C_STRUCTS.nacc_pool_params)): string => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-cstruct-'));
    try {
      const src = [
        '#include <stdint.h>',
        '#include <stdio.h>',
        '#define NACC_MAX_RANK 6',
        typedefs,
        structDecl('nacc_pool_params', 'p', pool),
        'int main(void) {',
        ...names.map((n) => `  printf("${n}=%d\\n", (int)p.${n});`),
        '  return 0;',
        '}',
      ].join('\n');
      writeFileSync(join(dir, 't.c'), src);
      execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-o', join(dir, 't'), join(dir, 't.c')]);
      return execFileSync(join(dir, 't'), { encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const expected = Object.entries(pool)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

  it('hold their values whatever the typedef order, and a field the typedef lacks fails to compile', () => {
    expect(fieldsSeen(renderTypedefs())).toBe(expected);
    // the same struct with its fields in reverse order: designated initialisers still put each value in its field
    const reversed = [
      'typedef struct {',
      ...Object.keys(C_STRUCTS.nacc_pool_params)
        .reverse()
        .map((f) => `  int32_t ${f};`),
      '} nacc_pool_params;',
    ].join('\n');
    expect(fieldsSeen(reversed)).toBe(expected);
    // a renamed field (as a stale initialiser would meet it): the compiler refuses it instead of running wrong
    // (only the initialiser names `channels`: the printed fields leave it out)
    const renamed = reversed.replace('int32_t channels;', 'int32_t chans;');
    const others = Object.keys(C_STRUCTS.nacc_pool_params).filter((f) => f !== 'channels');
    expect(fieldsSeen(reversed, others)).toBe(expected.replace('channels=8\n', ''));
    expect(() => fieldsSeen(renamed, others)).toThrow(/has no member named .channels|unknown field .channels/);
  }, 60_000);
});
