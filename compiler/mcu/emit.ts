// C emission: one self-contained C99 file set per model. Weights become const arrays (flash),
// activations live in one static arena laid out by the memory planner, every op is one call
// record (c-program.ts) of the kernel the registry names for the program's path, with integer
// parameters computed by compiler/reference/int8/params.ts (the same ones the TS reference
// executor uses) written as designated initialisers from the struct field tables (c-structs.ts). Fixed parts come from templates/mcu/*.hbs; the host and
// semihosting I/O harness, startup code and linker script from testbench/mcu/*.hbs.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { D, fail } from '../diagnostics/index.ts';
import type { QModel, QTensor } from '../ir/quantized.ts';
import { qTensorBytes } from '../ir/quantized.ts';
import {
  computeOpParams,
  type AddParams,
  type BroadcastMap,
  type ConvParams,
  type DequantizeParams,
  type MulParams,
  type OpParams,
  type PoolParams,
  type QuantizeParams,
} from '../reference/int8/params.ts';
import type { MemoryPlan, ResidualFusion } from './planner.ts';
import type { McuBoard } from './targets.ts';
import { call, line, printModelC, printModelH, type CProgram, type CStmt, type OpRecord } from './c-program.ts';
import { f32Literal, int32Literal, MAX_RANK, renderTypedefs, structDecl, type StructValue } from './c-structs.ts';
import { fastColumnSize, fastLibrary } from './fast-library.ts';
import { needsFastLibrary } from './kernel-registry.ts';
import type { KernelPath } from './kernel-loops.ts';
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
  /** The program model model.c and model.h were printed from (a patch schedule builds on it). */
  program: CProgram;
}

export function cArray(type: string, name: string, values: ArrayLike<number | bigint>, format: (v: number) => string = String): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(format(Number(values[i])));
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 24) lines.push(`  ${parts.slice(i, i + 24).join(', ')}`);
  return `static const ${type} ${name}[${Math.max(1, values.length)}] = {\n${lines.join(',\n') || '  0'}\n};`;
}

export const CTYPES: Record<string, string> = {
  int8: 'int8_t',
  uint8: 'uint8_t',
  int16: 'int16_t',
  int32: 'int32_t',
  int64: 'int64_t',
  float32: 'float',
};

export function broadcastValue(b: BroadcastMap): StructValue<'nacc_broadcast'> {
  if (b.outShape.length > MAX_RANK) fail(D.cEmission, `broadcast of more than ${MAX_RANK} dimensions`);
  return { rank: b.outShape.length, needed: b.needed ? 1 : 0, out_shape: b.outShape, strides1: b.strides1, strides2: b.strides2 };
}

/** The field values of a convolution's parameter struct (multiplier and shift tables named). */
export function convValue(p: ConvParams, mult: string, shift: string): StructValue<'nacc_conv_params'> {
  return {
    batches: p.batches,
    in_h: p.inH,
    in_w: p.inW,
    in_c: p.inC,
    out_h: p.outH,
    out_w: p.outW,
    out_c: p.outC,
    k_h: p.kH,
    k_w: p.kW,
    stride_h: p.strideH,
    stride_w: p.strideW,
    dil_h: p.dilationH,
    dil_w: p.dilationW,
    pad_top: p.padTop,
    pad_left: p.padLeft,
    filter_in_c: p.filterInC,
    depth_mult: p.depthMultiplier,
    input_offset: p.inputOffset,
    output_offset: p.outputOffset,
    act_min: p.actMin,
    act_max: p.actMax,
    mult,
    shift,
  };
}

export function poolValue(p: PoolParams): StructValue<'nacc_pool_params'> {
  return {
    batches: p.batches,
    in_h: p.inH,
    in_w: p.inW,
    channels: p.channels,
    out_h: p.outH,
    out_w: p.outW,
    k_h: p.kH,
    k_w: p.kW,
    stride_h: p.strideH,
    stride_w: p.strideW,
    pad_top: p.padTop,
    pad_left: p.padLeft,
    act_min: p.actMin,
    act_max: p.actMax,
  };
}

export function addValue(p: AddParams, bc: StructValue<'nacc_broadcast'>): StructValue<'nacc_add_params'> {
  return {
    left_shift: p.leftShift,
    input1_offset: p.input1Offset,
    input1_mult: p.input1Multiplier,
    input1_shift: p.input1Shift,
    input2_offset: p.input2Offset,
    input2_mult: p.input2Multiplier,
    input2_shift: p.input2Shift,
    output_offset: p.outputOffset,
    output_mult: p.outputMultiplier,
    output_shift: p.outputShift,
    act_min: p.actMin,
    act_max: p.actMax,
    bc,
  };
}

export function mulValue(p: MulParams, bc: StructValue<'nacc_broadcast'>): StructValue<'nacc_mul_params'> {
  return {
    input1_offset: p.input1Offset,
    input2_offset: p.input2Offset,
    output_offset: p.outputOffset,
    output_mult: p.outputMultiplier,
    output_shift: p.outputShift,
    act_min: p.actMin,
    act_max: p.actMax,
    bc,
  };
}

export function quantizeValue(p: QuantizeParams | DequantizeParams): StructValue<'nacc_quantize_params'> {
  return p.kind === 'quantize'
    ? { count: p.count, zero_point: p.zeroPoint, input_zp: p.inputZeroPoint, mult: p.multiplier, shift: p.shift, scale: p.scale }
    : { count: p.count, zero_point: p.zeroPoint, input_zp: 0, mult: 0, shift: 0, scale: p.scale };
}

/** A broadcast of one flat run of elements (patch stages set out_shape[0] per row). */
export const FLAT_BROADCAST: StructValue<'nacc_broadcast'> = { rank: 1, needed: 0, out_shape: [], strides1: [], strides2: [] };

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
): { indent: number; stmt: CStmt }[] {
  const operands = (chunk: string, at: string) => (f.convFirst ? [chunk, `(const int8_t *)(${at})`] : [`(const int8_t *)(${at})`, chunk]);
  return [
    {
      indent: 2,
      stmt: line(
        `/* fused with op ${f.add}'s residual ADD: ${f.chunkPixels} pixel(s) at a time through the scratch, added into the skip tensor */`,
      ),
    },
    { indent: 2, stmt: line(`for (int32_t px = 0; px < ${f.pixels}; px += ${f.chunkPixels}) {`) },
    { indent: 4, stmt: line(`const int32_t n = ${f.pixels} - px < ${f.chunkPixels} ? ${f.pixels} - px : ${f.chunkPixels};`) },
    { indent: 4, stmt: line(`nacc_conv_params q = ${conv};`) },
    { indent: 4, stmt: line('q.in_h = 1; q.in_w = n; q.out_h = 1; q.out_w = n;') },
    { indent: 4, stmt: call('conv2d', '&q', `${input} + px * ${conv}.in_c`, filter, bias, scratch) },
    { indent: 4, stmt: line(`nacc_add_params a = ${add};`) },
    { indent: 4, stmt: line('a.bc.rank = 1; a.bc.needed = 0; a.bc.out_shape[0] = n * q.out_c;') },
    { indent: 4, stmt: call('add', '&a', ...operands(scratch, `${skip} + px * q.out_c`), `${skip} + px * q.out_c`) },
    { indent: 2, stmt: line('}') },
  ];
}

export interface EmitOptions {
  /** The kernels the program calls (kernel-registry.ts): the SMLAD library on DSP cores. */
  path?: KernelPath;
  /** Words of the SMLAD library's column buffer (fast-library.ts fastColumnSize of the whole model). */
  fastColumnWords?: number;
}

/** Emit the C program for a model and its memory plan: the program model, then its files. */
export function emitProgram(model: QModel, plan: MemoryPlan, board: McuBoard, opts: EmitOptions = {}): EmittedProgram {
  const { program, weightBytes } = buildProgram(model, plan, opts);
  return { files: programFiles(program, board), weightBytes, program };
}

/** The program model of a layer-by-layer program: every op one call record in nacc_run. */
export function buildProgram(model: QModel, plan: MemoryPlan, opts: EmitOptions = {}): { program: CProgram; weightBytes: number } {
  const path = opts.path ?? 'portable';
  if (model.inputs.length !== 1)
    fail(D.cEmission, `${model.source}: ${model.inputs.length} model inputs; the generated runner takes exactly one`);
  const decls: string[] = [];
  const ops: OpRecord[] = [];
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
    const rec: OpRecord = {
      op: k,
      comment: `op ${k}: ${op.kind} -> '${cComment(outT.name)}' [${outT.shape.join(', ')}]`,
      stmts: [],
      dump: { offset: plan.tensorOffset.get(op.outputs[0]) ?? 0, bytes: qTensorBytes(outT) },
    };
    ops.push(rec);
    const emit = (stmt: CStmt, indent = 2) => rec.stmts.push({ indent, stmt });
    const emitMults = (mult: Int32Array, shift: Int32Array) => {
      decls.push(cArray('int32_t', `m${k}`, mult, int32Literal), cArray('int32_t', `s${k}`, shift));
    };
    const bias = () => (op.inputs[2] !== undefined && op.inputs[2] >= 0 ? ptr(op.inputs[2], 'int32_t') : 'NULL');
    switch (p.kind) {
      case 'conv':
      case 'dwconv': {
        emitMults(p.multipliers, p.shifts);
        decls.push(structDecl('nacc_conv_params', `p${k}`, convValue(p, `m${k}`, `s${k}`)));
        const f = plan.fused.get(k);
        if (f) {
          rec.stmts.push(
            ...fusedConvAdd(f, `p${k}`, `p${f.add}`, ptr(op.inputs[0]), ptr(op.inputs[1]), bias(), outPtr(f.skip), scratchPtr(k, 'int8_t')),
          );
          delete rec.dump; // the output is never stored: nothing to dump
          return;
        }
        if (p.kind === 'conv') emit(call('conv2d', `&p${k}`, ptr(op.inputs[0]), ptr(op.inputs[1]), bias(), outPtr(op.outputs[0])));
        else if (plan.inPlace.has(k))
          emit(call('depthwise_conv2d_inplace', `&p${k}`, outPtr(op.outputs[0]), ptr(op.inputs[1]), bias(), scratchPtr(k, 'int8_t')));
        else emit(call('depthwise_conv2d', `&p${k}`, ptr(op.inputs[0]), ptr(op.inputs[1]), bias(), outPtr(op.outputs[0])));
        break;
      }
      case 'fc': {
        emitMults(p.multipliers, p.shifts);
        decls.push(
          structDecl('nacc_fc_params', `p${k}`, {
            batches: p.batches,
            accum_depth: p.accumDepth,
            out_depth: p.outDepth,
            input_offset: p.inputOffset,
            filter_offset: p.filterOffset,
            output_offset: p.outputOffset,
            act_min: p.actMin,
            act_max: p.actMax,
            mult: `m${k}`,
            shift: `s${k}`,
          }),
        );
        emit(call('fully_connected', `&p${k}`, ptr(op.inputs[0]), ptr(op.inputs[1]), bias(), outPtr(op.outputs[0])));
        break;
      }
      case 'avgpool':
      case 'maxpool':
        decls.push(structDecl('nacc_pool_params', `p${k}`, poolValue(p)));
        emit(call(p.kind === 'avgpool' ? 'average_pool2d' : 'max_pool2d', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'add':
        decls.push(structDecl('nacc_add_params', `p${k}`, addValue(p, broadcastValue(p.broadcast))));
        if (fusedAdds.has(k)) emit(line(`/* computed with op ${fusedAdds.get(k)!.conv}: added into the skip tensor in place */`));
        else emit(call('add', `&p${k}`, ptr(op.inputs[0]), ptr(op.inputs[1]), outPtr(op.outputs[0])));
        break;
      case 'mul':
        decls.push(structDecl('nacc_mul_params', `p${k}`, mulValue(p, broadcastValue(p.broadcast))));
        emit(call('mul', `&p${k}`, ptr(op.inputs[0]), ptr(op.inputs[1]), outPtr(op.outputs[0])));
        break;
      case 'mean':
        if (p.inShape.length > MAX_RANK) fail(D.cEmission, `${model.source}: op ${op.index} MEAN over more than ${MAX_RANK} dimensions`);
        decls.push(
          structDecl('nacc_mean_params', `p${k}`, {
            rank: p.inShape.length,
            in_shape: p.inShape,
            reduced: p.reduced.map(Number),
            num_outputs: p.numOutputs,
            num_in_axis: p.numElementsInAxis,
            input_zp: p.inputZeroPoint,
            output_zp: p.outputZeroPoint,
            mult: p.multiplier,
            shift: p.shift,
          }),
        );
        emit(call('mean', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0]), scratchPtr(k, 'int32_t')));
        break;
      case 'softmax':
        decls.push(
          structDecl('nacc_softmax_params', `p${k}`, {
            rows: p.rows,
            depth: p.depth,
            input_mult: p.inputMultiplier,
            input_left_shift: p.inputLeftShift,
            diff_min: p.diffMin,
          }),
        );
        emit(call('softmax', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'pad':
        decls.push(
          structDecl('nacc_pad_params', `p${k}`, {
            rank: p.inShape.length,
            in_shape: p.inShape,
            out_shape: p.outShape,
            before: p.before,
            pad_value: p.padValue,
          }),
        );
        emit(call('pad', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'transpose':
        if (model.tensors[op.inputs[0]].dtype !== 'int8')
          fail(D.cEmission, `${model.source}: op ${op.index} TRANSPOSE of ${model.tensors[op.inputs[0]].dtype}`);
        decls.push(structDecl('nacc_transpose_params', `p${k}`, { rank: p.inShape.length, in_shape: p.inShape, perm: p.perm }));
        emit(call('transpose', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'concat': {
        decls.push(cArray('int32_t', `ch${k}`, p.chunks));
        emit(line('{'));
        emit(line(`const int8_t *const ins[${op.inputs.length}] = {${op.inputs.map((i) => ptr(i)).join(', ')}};`), 4);
        emit(call('concat', String(p.outer), String(op.inputs.length), 'ins', `ch${k}`, outPtr(op.outputs[0])), 4);
        emit(line('}'));
        break;
      }
      case 'resize':
        decls.push(cArray('int32_t', `ry${k}`, p.srcY), cArray('int32_t', `rx${k}`, p.srcX));
        decls.push(
          structDecl('nacc_resize_params', `p${k}`, {
            batches: p.batches,
            in_h: p.inH,
            in_w: p.inW,
            channels: p.channels,
            out_h: p.outH,
            out_w: p.outW,
            src_y: `ry${k}`,
            src_x: `rx${k}`,
          }),
        );
        emit(call('resize_nearest', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'quantize':
        decls.push(structDecl('nacc_quantize_params', `p${k}`, quantizeValue(p)));
        if (p.fromFloat) emit(call('quantize_float', `&p${k}`, ptr(op.inputs[0], 'float'), outPtr(op.outputs[0])));
        else emit(call('requantize', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0])));
        break;
      case 'dequantize':
        decls.push(structDecl('nacc_quantize_params', `p${k}`, quantizeValue(p)));
        emit(call('dequantize', `&p${k}`, ptr(op.inputs[0]), outPtr(op.outputs[0], 'float')));
        break;
      case 'copy':
        emit(call('copy', ptr(op.inputs[0], 'void'), outPtr(op.outputs[0], 'void'), String(p.bytes)));
        break;
    }
  });

  const ioTensor = (id: number, role: string) => {
    const t = model.tensors[id];
    if (t.data) fail(D.cEmission, `${model.source}: model ${role} '${t.name}' is a constant`);
    return { offset: plan.tensorOffset.get(id)!, bytes: qTensorBytes(t) };
  };
  const program: CProgram = {
    model: model.name,
    source: model.source,
    summary: `${model.ops.length} ops, arena ${plan.arenaBytes} bytes`,
    arenaBytes: plan.arenaBytes,
    arenaComment: `One arena for every activation and scratch buffer, laid out by the memory planner (${plan.strategy} order).`,
    path,
    includes: ['<stddef.h>', '<stdint.h>', '"model.h"', '"nacc_kernels.h"'],
    decls,
    inputs: model.inputs.map((i) => ({ kind: 'arena' as const, ...ioTensor(i, 'input') })),
    outputs: model.outputs.map((i) => ioTensor(i, 'output')),
    sections: [],
    functions: [{ name: 'nacc_run', isStatic: false, prologue: [], ops, epilogue: [] }],
    ...(needsFastLibrary(path) ? { library: fastLibrary(opts.fastColumnWords ?? fastColumnSize(model)) } : {}),
  };
  return { program, weightBytes };
}

/** The files of a program for a board: model.c and model.h printed from the model, the fixed kernels and the harness. */
export function programFiles(program: CProgram, board: McuBoard): Record<string, string> {
  // Templates get user text only as comment-safe renderings (compiler/util/names.ts).
  const ctx = { model: cComment(program.model) };
  return {
    'model.h': printModelH(program),
    'model.c': printModelC(program),
    'nacc_kernels.h': render('nacc_kernels.h', { ...ctx, typedefs: renderTypedefs() }),
    'nacc_kernels.c': render('nacc_kernels.c', ctx),
    'nacc_io.h': render('nacc_io.h', ctx),
    'main.c': render('main.c', ctx),
    'io_host.c': render('io_host.c', ctx),
    'io_semihost.c': render('io_semihost.c', { ...ctx, clockHz: board.clockHz }),
    'startup_cm4.c': render('startup_cm4.c', ctx),
    'linker.ld': render('linker.ld', {
      model: linkerScriptComment(program.model),
      target: linkerScriptComment(board.name),
      core: linkerScriptComment(board.core),
      flashBytes: board.flashBytes,
      sramBytes: board.sramBytes,
      stackBytes: STACK_BYTES,
    }),
    Makefile: render('Makefile', {
      model: makeComment(program.model),
      core: makeComment(board.core),
      armFlags: armFlags(board.core).map(makeWord).join(' '),
      armLinkFlags: ARM_LINK_FLAGS.map(makeWord).join(' '),
    }),
  };
}
