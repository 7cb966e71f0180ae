// C emission: one self-contained C99 file set per model. Weights become const arrays (flash),
// activations live in one static arena laid out by the memory planner, every op calls its
// kernel with integer parameters computed by compiler/reference/int8/params.ts (the same
// ones the TS reference executor uses). Fixed parts come from templates/mcu/*.hbs; the host and
// semihosting I/O harness, startup code and linker script from testbench/mcu/*.hbs.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { fail } from '../diagnostics/index.ts';
import type { QModel, QTensor } from '../ir/quantized.ts';
import { qTensorBytes } from '../ir/quantized.ts';
import { computeOpParams, type BroadcastMap, type OpParams } from '../reference/int8/params.ts';
import type { MemoryPlan, ResidualFusion } from './planner.ts';
import type { McuBoard } from './targets.ts';
import { cComment, linkerScriptComment, makeComment, makeWord } from '../util/names.ts';
import { projectUrl } from '../util/project-paths.ts';

const TEMPLATE_DIR = projectUrl('templates/mcu/');
/** The harness that runs a program on the host or in QEMU: it proves the product, so it lives in testbench/. */
const HARNESS_DIR = projectUrl('testbench/mcu/');
const HARNESS = new Set(['nacc_io.h', 'io_host.c', 'io_semihost.c', 'startup_cm4.c', 'linker.ld', 'batch_main.c']);
const templateCache = new Map<string, HandlebarsTemplateDelegate>();

export function render(name: string, data: Record<string, unknown>): string {
  let t = templateCache.get(name);
  if (!t) {
    t = Handlebars.compile(readFileSync(new URL(`${name}.hbs`, HARNESS.has(name) ? HARNESS_DIR : TEMPLATE_DIR), 'utf8'), {
      noEscape: true,
      strict: true,
    });
    templateCache.set(name, t);
  }
  return t(data);
}

export const STACK_BYTES = 16 * 1024;

/** Compiler flags for the Cortex-M build of a given core. */
export function armFlags(core: string): string[] {
  const cpu = core.startsWith('cortex-') ? core : 'cortex-m4';
  return [`-mcpu=${cpu}`, '-mthumb', '-ffunction-sections', '-fdata-sections', '-fstack-usage'];
}
export const ARM_LINK_FLAGS = ['-nostartfiles', '-specs=nano.specs', '-T', 'linker.ld', '-Wl,--gc-sections', '-lc', '-lgcc'];
export const C_WARN_FLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-strict-aliasing'];

export interface EmittedProgram {
  files: Record<string, string>;
  /** Bytes of const weight data emitted. */
  weightBytes: number;
}

const f32Literal = (v: number): string => {
  if (!Number.isFinite(v)) fail('E0720', `cannot emit the non-finite float ${v}`);
  const s = Math.fround(v).toPrecision(9);
  return `${s.includes('e') || s.includes('.') ? s : `${s}.0`}f`;
};

function cArray(type: string, name: string, values: ArrayLike<number | bigint>, format: (v: number) => string = String): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(format(Number(values[i])));
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 24) lines.push(`  ${parts.slice(i, i + 24).join(', ')}`);
  return `static const ${type} ${name}[${Math.max(1, values.length)}] = {\n${lines.join(',\n') || '  0'}\n};`;
}

const CTYPES: Record<string, string> = {
  int8: 'int8_t',
  uint8: 'uint8_t',
  int16: 'int16_t',
  int32: 'int32_t',
  int64: 'int64_t',
  float32: 'float',
};

function int32Literal(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

function broadcastInit(b: BroadcastMap): string {
  const pad6 = (a: number[]) => [...a, ...new Array(6 - a.length).fill(0)].join(', ');
  if (b.outShape.length > 6) fail('E0720', 'broadcast of more than 6 dimensions');
  return `{${b.outShape.length}, ${b.needed ? 1 : 0}, {${pad6(b.outShape)}}, {${pad6(b.strides1)}}, {${pad6(b.strides2)}}}`;
}

const pad6 = (a: number[]) => `{${[...a, ...new Array(Math.max(0, 6 - a.length)).fill(0)].join(', ')}}`;

/**
 * A pointwise convolution fused with the residual ADD after it (planner.ts, ResidualFusion):
 * chunks of output pixels go through the scratch buffer and are added into the skip tensor,
 * which the ADD's output overwrites in place (each element is read before it is written).
 */
function fusedConvAdd(
  f: ResidualFusion,
  conv: string,
  add: string,
  input: string,
  filter: string,
  bias: string,
  skip: string,
  scratch: string,
  addFn: string,
): string[] {
  const operands = (chunk: string, at: string) => (f.convFirst ? `${chunk}, (const int8_t *)(${at})` : `(const int8_t *)(${at}), ${chunk}`);
  return [
    `  /* fused with op ${f.add}'s residual ADD: ${f.chunkPixels} pixel(s) at a time through the scratch, added into the skip tensor */`,
    `  for (int32_t px = 0; px < ${f.pixels}; px += ${f.chunkPixels}) {`,
    `    const int32_t n = ${f.pixels} - px < ${f.chunkPixels} ? ${f.pixels} - px : ${f.chunkPixels};`,
    `    nacc_conv_params q = ${conv};`,
    '    q.in_h = 1; q.in_w = n; q.out_h = 1; q.out_w = n;',
    `    nacc_conv2d(&q, ${input} + px * ${conv}.in_c, ${filter}, ${bias}, ${scratch});`,
    `    nacc_add_params a = ${add};`,
    '    a.bc.rank = 1; a.bc.needed = 0; a.bc.out_shape[0] = n * q.out_c;',
    `    ${addFn}(&a, ${operands(scratch, `${skip} + px * q.out_c`)}, ${skip} + px * q.out_c);`,
    '  }',
  ];
}

/**
 * Reference kernels that have a DSP version in templates/mcu/patch/nacc_fast_ops.c (appended by
 * compiler/mcu/patch/fast.ts on the same condition): the emitter calls `nacc_fast_<name>` then.
 */
export const FAST_OP_KERNELS = ['add', 'fully_connected', 'average_pool2d'] as const;

export interface EmitOptions {
  /** Call the DSP versions of FAST_OP_KERNELS (the program gets nacc_fast_ops.c appended). */
  fastOps?: boolean;
}

/** The C function an op of `name` (a nacc_<name> kernel) calls under these options. */
export function kernelFunction(name: string, opts: EmitOptions): string {
  return opts.fastOps && (FAST_OP_KERNELS as readonly string[]).includes(name) ? `nacc_fast_${name}` : `nacc_${name}`;
}

/** Emit the C program for a model and its memory plan. */
export function emitProgram(model: QModel, plan: MemoryPlan, board: McuBoard, opts: EmitOptions = {}): EmittedProgram {
  const kfn = (name: string) => kernelFunction(name, opts);
  if (model.inputs.length !== 1)
    fail('E0720', `${model.source}: ${model.inputs.length} model inputs; the generated runner takes exactly one`);
  const decls: string[] = [];
  const body: string[] = [];
  const constName = new Map<number, string>();
  let weightBytes = 0;

  const constRef = (t: QTensor): string => {
    let n = constName.get(t.id);
    if (n) return n;
    n = `c${t.id}`;
    constName.set(t.id, n);
    const comment = `/* tensor ${t.id} '${cComment(t.name)}' ${t.dtype} [${t.shape.join(', ')}] */`;
    const fmt = t.dtype === 'float32' ? f32Literal : t.dtype === 'int32' ? int32Literal : String;
    decls.push(`${comment}\n${cArray(CTYPES[t.dtype], n, t.data as ArrayLike<number>, fmt)}`);
    weightBytes += qTensorBytes(t);
    return n;
  };
  const ptr = (id: number, type = 'int8_t', isConst = true): string => {
    if (id < 0) return 'NULL';
    const t = model.tensors[id];
    if (t.data) return constRef(t);
    const off = plan.tensorOffset.get(id);
    if (off === undefined) throw new Error(`tensor ${id} has no arena offset`);
    return `(${isConst ? 'const ' : ''}${type} *)(nacc_arena + ${off})`;
  };
  const outPtr = (id: number, type = 'int8_t') => ptr(id, type, false);
  const scratchPtr = (k: number, type: string) => {
    const s = plan.scratch.get(k);
    if (!s) throw new Error(`op ${k} has no scratch buffer`);
    return `(${type} *)(nacc_arena + ${s.offset})`;
  };

  const fusedAdds = new Map([...plan.fused.values()].map((f) => [f.add, f]));
  model.ops.forEach((op, k) => {
    const p: OpParams = computeOpParams(model, op);
    const outT = model.tensors[op.outputs[0]];
    body.push(`  /* op ${k}: ${op.kind} -> '${cComment(outT.name)}' [${outT.shape.join(', ')}] */`);
    const emitMults = (mult: Int32Array, shift: Int32Array) => {
      decls.push(cArray('int32_t', `m${k}`, mult, int32Literal), cArray('int32_t', `s${k}`, shift));
    };
    switch (p.kind) {
      case 'conv':
      case 'dwconv': {
        emitMults(p.multipliers, p.shifts);
        decls.push(
          `static const nacc_conv_params p${k} = {${[
            p.batches,
            p.inH,
            p.inW,
            p.inC,
            p.outH,
            p.outW,
            p.outC,
            p.kH,
            p.kW,
            p.strideH,
            p.strideW,
            p.dilationH,
            p.dilationW,
            p.padTop,
            p.padLeft,
            p.filterInC,
            p.depthMultiplier,
            p.inputOffset,
            p.outputOffset,
            p.actMin,
            p.actMax,
          ].join(', ')}, m${k}, s${k}};`,
        );
        const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? ptr(op.inputs[2], 'int32_t') : 'NULL';
        const f = plan.fused.get(k);
        if (f) {
          body.push(
            ...fusedConvAdd(
              f,
              `p${k}`,
              `p${f.add}`,
              ptr(op.inputs[0]),
              ptr(op.inputs[1]),
              bias,
              outPtr(f.skip),
              scratchPtr(k, 'int8_t'),
              kfn('add'),
            ),
          );
          return; // the output is never stored: nothing to dump
        }
        if (p.kind === 'conv')
          body.push(`  nacc_conv2d(&p${k}, ${ptr(op.inputs[0])}, ${ptr(op.inputs[1])}, ${bias}, ${outPtr(op.outputs[0])});`);
        else if (plan.inPlace.has(k))
          body.push(
            `  nacc_depthwise_conv2d_inplace(&p${k}, ${outPtr(op.outputs[0])}, ${ptr(op.inputs[1])}, ${bias}, ${scratchPtr(k, 'int8_t')});`,
          );
        else body.push(`  nacc_depthwise_conv2d(&p${k}, ${ptr(op.inputs[0])}, ${ptr(op.inputs[1])}, ${bias}, ${outPtr(op.outputs[0])});`);
        break;
      }
      case 'fc': {
        emitMults(p.multipliers, p.shifts);
        decls.push(
          `static const nacc_fc_params p${k} = {${[p.batches, p.accumDepth, p.outDepth, p.inputOffset, p.filterOffset, p.outputOffset, p.actMin, p.actMax].join(', ')}, m${k}, s${k}};`,
        );
        const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? ptr(op.inputs[2], 'int32_t') : 'NULL';
        body.push(`  ${kfn('fully_connected')}(&p${k}, ${ptr(op.inputs[0])}, ${ptr(op.inputs[1])}, ${bias}, ${outPtr(op.outputs[0])});`);
        break;
      }
      case 'avgpool':
      case 'maxpool':
        decls.push(
          `static const nacc_pool_params p${k} = {${[p.batches, p.inH, p.inW, p.channels, p.outH, p.outW, p.kH, p.kW, p.strideH, p.strideW, p.padTop, p.padLeft, p.actMin, p.actMax].join(', ')}};`,
        );
        body.push(
          `  ${kfn(p.kind === 'avgpool' ? 'average_pool2d' : 'max_pool2d')}(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`,
        );
        break;
      case 'add':
        if (fusedAdds.has(k)) body.push(`  /* computed with op ${fusedAdds.get(k)!.conv}: added into the skip tensor in place */`);
        decls.push(
          `static const nacc_add_params p${k} = {${[
            p.leftShift,
            p.input1Offset,
            p.input1Multiplier,
            p.input1Shift,
            p.input2Offset,
            p.input2Multiplier,
            p.input2Shift,
            p.outputOffset,
            p.outputMultiplier,
            p.outputShift,
            p.actMin,
            p.actMax,
          ].join(', ')}, ${broadcastInit(p.broadcast)}};`,
        );
        if (!fusedAdds.has(k)) body.push(`  ${kfn('add')}(&p${k}, ${ptr(op.inputs[0])}, ${ptr(op.inputs[1])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'mul':
        decls.push(
          `static const nacc_mul_params p${k} = {${[p.input1Offset, p.input2Offset, p.outputOffset, p.outputMultiplier, p.outputShift, p.actMin, p.actMax].join(', ')}, ${broadcastInit(p.broadcast)}};`,
        );
        body.push(`  nacc_mul(&p${k}, ${ptr(op.inputs[0])}, ${ptr(op.inputs[1])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'mean':
        if (p.inShape.length > 6) fail('E0720', `${model.source}: op ${op.index} MEAN over more than 6 dimensions`);
        decls.push(
          `static const nacc_mean_params p${k} = {${p.inShape.length}, ${pad6(p.inShape)}, ${pad6(p.reduced.map(Number))}, ${[
            p.numOutputs,
            p.numElementsInAxis,
            p.inputZeroPoint,
            p.outputZeroPoint,
            p.multiplier,
            p.shift,
          ].join(', ')}};`,
        );
        body.push(`  nacc_mean(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])}, ${scratchPtr(k, 'int32_t')});`);
        break;
      case 'softmax':
        decls.push(
          `static const nacc_softmax_params p${k} = {${[p.rows, p.depth, p.inputMultiplier, p.inputLeftShift, p.diffMin].join(', ')}};`,
        );
        body.push(`  nacc_softmax(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'pad':
        decls.push(
          `static const nacc_pad_params p${k} = {${p.inShape.length}, ${pad6(p.inShape)}, ${pad6(p.outShape)}, ${pad6(p.before)}, ${p.padValue}};`,
        );
        body.push(`  nacc_pad(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'transpose':
        if (model.tensors[op.inputs[0]].dtype !== 'int8')
          fail('E0720', `${model.source}: op ${op.index} TRANSPOSE of ${model.tensors[op.inputs[0]].dtype}`);
        decls.push(`static const nacc_transpose_params p${k} = {${p.inShape.length}, ${pad6(p.inShape)}, ${pad6(p.perm)}};`);
        body.push(`  nacc_transpose(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'concat': {
        decls.push(cArray('int32_t', `ch${k}`, p.chunks));
        body.push(
          `  {\n    const int8_t *const ins[${op.inputs.length}] = {${op.inputs.map((i) => ptr(i)).join(', ')}};\n    nacc_concat(${p.outer}, ${op.inputs.length}, ins, ch${k}, ${outPtr(op.outputs[0])});\n  }`,
        );
        break;
      }
      case 'resize':
        decls.push(cArray('int32_t', `ry${k}`, p.srcY), cArray('int32_t', `rx${k}`, p.srcX));
        decls.push(
          `static const nacc_resize_params p${k} = {${[p.batches, p.inH, p.inW, p.channels, p.outH, p.outW].join(', ')}, ry${k}, rx${k}};`,
        );
        body.push(`  nacc_resize_nearest(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'quantize':
        decls.push(
          `static const nacc_quantize_params p${k} = {${[p.count, p.zeroPoint, p.inputZeroPoint, p.multiplier, p.shift].join(', ')}, ${f32Literal(p.scale)}};`,
        );
        if (p.fromFloat) body.push(`  nacc_quantize_float(&p${k}, ${ptr(op.inputs[0], 'float')}, ${outPtr(op.outputs[0])});`);
        else body.push(`  nacc_requantize(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0])});`);
        break;
      case 'dequantize':
        decls.push(`static const nacc_quantize_params p${k} = {${[p.count, p.zeroPoint, 0, 0, 0].join(', ')}, ${f32Literal(p.scale)}};`);
        body.push(`  nacc_dequantize(&p${k}, ${ptr(op.inputs[0])}, ${outPtr(op.outputs[0], 'float')});`);
        break;
      case 'copy':
        body.push(`  nacc_copy(${ptr(op.inputs[0], 'void')}, ${outPtr(op.outputs[0], 'void')}, ${p.bytes});`);
        break;
    }
    body.push(`  NACC_DUMP(${k}, nacc_arena + ${plan.tensorOffset.get(op.outputs[0]) ?? 0}, ${qTensorBytes(outT)});`);
  });

  const ioTensor = (id: number, role: string) => {
    const t = model.tensors[id];
    if (t.data) fail('E0720', `${model.source}: model ${role} '${t.name}' is a constant`);
    return { offset: plan.tensorOffset.get(id)!, bytes: qTensorBytes(t) };
  };
  const ins = model.inputs.map((i) => ioTensor(i, 'input'));
  const outs = model.outputs.map((i) => ioTensor(i, 'output'));
  // Templates get user text only as comment-safe renderings (compiler/util/names.ts).
  const ctx = { model: cComment(model.name) };
  const modelH = [
    `/* Model ${cComment(model.name)}: ${model.ops.length} ops, arena ${plan.arenaBytes} bytes. Generated by nacc. */`,
    '#ifndef NACC_MODEL_H',
    '#define NACC_MODEL_H',
    '#include <stdint.h>',
    `#define NACC_ARENA_BYTES ${Math.max(8, plan.arenaBytes)}`,
    `#define NACC_NUM_INPUTS ${ins.length}`,
    `#define NACC_NUM_OUTPUTS ${outs.length}`,
    'void nacc_run(void);',
    'void *nacc_input(int32_t i);',
    'int32_t nacc_input_bytes(int32_t i);',
    'const void *nacc_output(int32_t i);',
    'int32_t nacc_output_bytes(int32_t i);',
    '#ifdef NACC_DEBUG_DUMP',
    'void nacc_dump(int32_t op, const void *data, int32_t bytes);',
    '#define NACC_DUMP(op, data, bytes) nacc_dump((op), (data), (bytes))',
    '#else',
    '#define NACC_DUMP(op, data, bytes) ((void)0)',
    '#endif',
    '#endif',
    '',
  ].join('\n');
  const modelC = [
    `/* Model ${cComment(model.name)} (from ${cComment(model.source)}): weights, op parameters, arena and schedule. Generated by nacc. */`,
    '#include <stddef.h>',
    '#include <stdint.h>',
    '#include "model.h"',
    '#include "nacc_kernels.h"',
    '',
    `/* One arena for every activation and scratch buffer, laid out by the memory planner (${plan.strategy} order). */`,
    'static int8_t nacc_arena[NACC_ARENA_BYTES] __attribute__((aligned(8)));',
    '',
    ...decls,
    '',
    `static const int32_t input_offset[${ins.length}] = {${ins.map((x) => x.offset).join(', ')}};`,
    `static const int32_t input_bytes[${ins.length}] = {${ins.map((x) => x.bytes).join(', ')}};`,
    `static const int32_t output_offset[${outs.length}] = {${outs.map((x) => x.offset).join(', ')}};`,
    `static const int32_t output_bytes[${outs.length}] = {${outs.map((x) => x.bytes).join(', ')}};`,
    'void *nacc_input(int32_t i) { return nacc_arena + input_offset[i]; }',
    'int32_t nacc_input_bytes(int32_t i) { return input_bytes[i]; }',
    'const void *nacc_output(int32_t i) { return nacc_arena + output_offset[i]; }',
    'int32_t nacc_output_bytes(int32_t i) { return output_bytes[i]; }',
    '',
    'void nacc_run(void) {',
    ...body,
    '}',
    '',
  ].join('\n');
  const files: Record<string, string> = {
    'model.h': modelH,
    'model.c': modelC,
    'nacc_kernels.h': render('nacc_kernels.h', ctx),
    'nacc_kernels.c': render('nacc_kernels.c', ctx),
    'nacc_io.h': render('nacc_io.h', ctx),
    'main.c': render('main.c', ctx),
    'io_host.c': render('io_host.c', ctx),
    'io_semihost.c': render('io_semihost.c', { ...ctx, clockHz: board.clockHz }),
    'startup_cm4.c': render('startup_cm4.c', ctx),
    'linker.ld': render('linker.ld', {
      model: linkerScriptComment(model.name),
      target: linkerScriptComment(board.name),
      core: linkerScriptComment(board.core),
      flashBytes: board.flashBytes,
      sramBytes: board.sramBytes,
      stackBytes: STACK_BYTES,
    }),
    Makefile: render('Makefile', {
      model: makeComment(model.name),
      core: makeComment(board.core),
      armFlags: armFlags(board.core).map(makeWord).join(' '),
      armLinkFlags: ARM_LINK_FLAGS.map(makeWord).join(' '),
    }),
  };
  return { files, weightBytes };
}
