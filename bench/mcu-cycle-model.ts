// Derives the cycle model (compiler/mcu/cycle-model.ts) from the kernels' own machine code:
// the kernel library is compiled for the Cortex-M4 as a generated program is (arm-none-eabi-gcc,
// the same flags), disassembled, and for each kernel class the functions that run its loops are
// costed by the Cortex-M4 TRM timings (compiler/mcu/cortex-m4-timing.ts): cycles per instruction
// of their innermost loops (the class's first loop feature) and of their whole bodies (the rest).
// Run: npx tsx bench/mcu-cycle-model.ts [--model FILE.tflite] [--print]   (rewrites the table)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { cpiOf, innermostLoops, parseObjdump, type Insn } from '../compiler/mcu/cortex-m4-timing.ts';
import { armFlags, C_WARN_FLAGS } from '../compiler/mcu/emit.ts';
import { loadQModel } from '../compiler/mcu/load.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { expectSuccess, runTool } from '../testbench/tools/run-tool.ts';
import { projectPath } from '../compiler/util/project-paths.ts';

const args = process.argv.slice(2);
const MODEL = args.includes('--model') ? args[args.indexOf('--model') + 1] : 'examples/models/mobilenet-tiny.onnx';

/**
 * The functions of templates/mcu/nacc_kernels.c.hbs and templates/mcu/dsp-library/*.c that run
 * each kernel class's loops (kernel-loops.ts names the classes). A class missing here falls back
 * as compiler/mcu/instructions.ts falls back for coefficients, then to the family's default.
 */
const CLASS_FUNCTIONS: Record<string, string[]> = {
  'f:conv.pairs.any': ['nf_pairs_px_any'],
  'f:conv.pairs.full': ['nf_pairs_px_full'],
  'f:conv.pairs.k8': ['nf_pairs_px_2'],
  'f:conv.pairs.k16': ['nf_pairs_px_4'],
  'f:conv.pairs.k24': ['nf_pairs_px_6'],
  'f:conv.pairs.p16': ['nf_p16_2_0', 'nf_p16_2_1', 'nf_p16_4_0', 'nf_p16_4_1', 'nf_p16_6_0', 'nf_p16_6_1', 'nf_p16_7_0', 'nf_p16_7_1'],
  'f:conv.pairs.p16any': ['nf_p16_any'],
  'f:conv.list.w8': ['nf_pairs_list_full', 'nf_pairs_list_any'],
  'f:conv.list.p16': ['nf_p16_list'],
  'f:conv.list.p16any': ['nf_p16_list'],
  'f:conv.col': ['nacc_fast_conv2d', 'nf_column'],
  'f:dw.ring.3_1': ['nf_dwr_ring_3_1', 'nacc_fast_dw_fill4', 'nf_dwr_row_3_1', 'nf_dwr_rowc_3_1'],
  'f:dw.ring.3_2': ['nf_dwr_ring_3_2', 'nacc_fast_dw_fill4', 'nf_dwr_row_3_2', 'nf_dwr_rowc_3_2'],
  'f:dw.ring.3_2p': ['nf_dwr_ring_3_2p', 'nacc_fast_dw_fill4p'],
  'f:dw.ring.5_1': ['nf_dwr_ring_5_1', 'nacc_fast_dw_fill4', 'nf_dwr_row_5_1', 'nf_dwr_rowc_5_1'],
  'f:dw.ring.5_2': ['nf_dwr_ring_5_2', 'nacc_fast_dw_fill4', 'nf_dwr_row_5_2', 'nf_dwr_rowc_5_2'],
  'f:dw.ring.7_1': ['nf_dwr_ring_7_1', 'nacc_fast_dw_fill4', 'nf_dwr_row_7_1', 'nf_dwr_rowc_7_1'],
  'f:dw.ring.7_2': ['nf_dwr_ring_7_2', 'nacc_fast_dw_fill4', 'nf_dwr_row_7_2', 'nf_dwr_rowc_7_2'],
  'f:dw.ring.any': ['nf_dwr_row_any'],
  // whole-plane mode runs the ring's row kernels over every output row of a group in one call
  'f:dw.whole.3_1': ['nf_dwr_row_3_1', 'nf_dwr_rowc_3_1'],
  'f:dw.whole.3_2': ['nf_dwr_row_3_2', 'nf_dwr_rowc_3_2'],
  'f:dw.whole.5_1': ['nf_dwr_row_5_1', 'nf_dwr_rowc_5_1'],
  'f:dw.whole.5_2': ['nf_dwr_row_5_2', 'nf_dwr_rowc_5_2'],
  'f:dw.whole.7_1': ['nf_dwr_row_7_1', 'nf_dwr_rowc_7_1'],
  'f:dw.whole.7_2': ['nf_dwr_row_7_2', 'nf_dwr_rowc_7_2'],
  'f:dw.tiny.3_3_1': ['nf_tiny_3map'],
  'f:dw.tiny.5_3_1': ['nf_tiny_5_3_1'],
  'f:dw.tiny.5_5_2': ['nf_tiny_5_5_2'],
  'f:dw.plane': ['nf_dw_inplace_plane'],
  'f:dw.small': ['nf_dw_inplace_small'],
  'f:dw.generic': ['nacc_fast_depthwise_conv2d'],
  'f:add': ['nacc_fast_add'],
  'f:fc.expand': ['nf_fc_expand'],
  'f:fc.few': ['nacc_fast_fully_connected'],
  'f:avgpool': ['nacc_fast_average_pool2d'],
  'f:quantize_float': ['nacc_fast_quantize_float'],
  'f:quantize_float.t': ['nacc_fast_quantize_float'],
  'p:conv': ['nacc_conv2d'],
  'p:dw': ['nacc_depthwise_conv2d', 'depthwise_channel'],
  'p:dw.inplace': ['nacc_depthwise_conv2d_inplace', 'depthwise_channel'],
  'p:add': ['nacc_add'],
  'p:mul': ['nacc_mul'],
  'p:fc': ['nacc_fully_connected'],
  'p:avgpool': ['pool'],
  'p:maxpool': ['pool'],
  'p:mean': ['nacc_mean'],
  'p:softmax': ['nacc_softmax', 'exp_on_negative_values'],
  'p:transpose': ['nacc_transpose', 'strided_copy4'],
  'p:pad': ['nacc_pad'],
  'p:concat': ['nacc_concat'],
  'p:copy': ['nacc_copy'],
  'p:resize': ['nacc_resize_nearest'],
  'p:requantize': ['nacc_requantize'],
  'p:dequantize': ['nacc_dequantize'],
  'p:quantize_float': ['nacc_quantize_float'],
};

/** The staging and set-up code of the pair kernels (their features after the first three). */
const CONV_PAIRS_STAGING = ['nf_conv_pairs', 'nf_column2'];
/** The ring kernel's row filling and set-up (its features after the first three). */
const DW_RING_SETUP = ['nf_dw_ring'];

const round = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-cycles-'));
  const loaded = await loadQModel(MODEL, { seed: 1 });
  const compiled = compileForMcu(loaded.model, resolveBoard('stm32f412'), { schedule: 'layer' });
  const functions = new Map<string, Insn[]>();
  for (const src of ['model.c', 'nacc_kernels.c']) {
    writeFileSync(join(dir, src), compiled.program.files[src]);
  }
  for (const [name, text] of Object.entries(compiled.program.files)) if (name.endsWith('.h')) writeFileSync(join(dir, name), text);
  for (const src of ['model.c', 'nacc_kernels.c']) {
    const obj = join(dir, src.replace(/\.c$/, '.o'));
    expectSuccess(
      await runTool('arm-none-eabi-gcc', [...C_WARN_FLAGS, ...armFlags('cortex-m4'), '-c', src, '-o', obj], { cwd: dir }),
      'generated-build',
      `compiling ${src}`,
    );
    const dis = expectSuccess(
      await runTool('arm-none-eabi-objdump', ['-d', '--no-show-raw-insn', obj], { cwd: dir }),
      'helper',
      `disassembling ${obj}`,
    );
    for (const [f, insns] of parseObjdump(dis.stdout)) functions.set(f, insns);
  }
  const of = (names: string[]) =>
    names.map((n) => {
      const f = functions.get(n);
      if (!f) throw new Error(`function ${n} is not in the compiled kernels (renamed? update CLASS_FUNCTIONS)`);
      return f;
    });
  const classes: Record<string, [number, number]> = {};
  for (const [cls, names] of Object.entries(CLASS_FUNCTIONS)) {
    const bodies = of(names);
    const inner = cpiOf(bodies.flatMap((b) => innermostLoops(b)));
    const body = cpiOf(
      cls.startsWith('f:conv.pairs') || cls.startsWith('f:conv.list')
        ? of(CONV_PAIRS_STAGING)
        : cls.startsWith('f:dw.ring') || cls.startsWith('f:dw.whole')
          ? of(DW_RING_SETUP)
          : bodies,
    )!;
    classes[cls] = [round(inner ?? body), round(body)];
  }
  const all = [...functions.values()];
  const fallback = round(cpiOf(all)!);
  const out = [
    '// Cycles per instruction of each MCU kernel class on a Cortex-M4 (compiler/mcu/cycles.ts): [innermost',
    "// loop, rest of the kernel], from the compiled kernels' disassembly costed by the Cortex-M4 TRM",
    '// timings (compiler/mcu/cortex-m4-timing.ts). Generated by `npx tsx bench/mcu-cycle-model.ts`.',
    'export const CYCLE_MODEL: { fallback: number; classes: Record<string, [number, number]> } = {',
    `  fallback: ${fallback},`,
    '  classes: {',
    ...Object.entries(classes).map(([cls, v]) => `    '${cls}': ${JSON.stringify(v).replace(',', ', ')},`),
    '  },',
    '};',
    '',
  ].join('\n');
  if (args.includes('--print')) process.stdout.write(out);
  else writeFileSync(projectPath('compiler', 'mcu', 'cycle-model.ts'), out);
  for (const [cls, [i, b]] of Object.entries(classes))
    process.stderr.write(`${cls.padEnd(20)} inner ${i.toFixed(3)}  rest ${b.toFixed(3)}\n`);
  process.stderr.write(`fallback (all kernel code) ${fallback}\n`);
}

await main();
