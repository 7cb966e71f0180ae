// The C program model of the MCU backend: what model.c and model.h hold, as data — declarations,
// the arena, the I/O tables, and functions made of one call record per op — built by the emitters
// (emit.ts, patch/emit.ts), transformed as data (a patch schedule wraps the per-layer program) and
// printed once by printModelC / printModelH. No emitted text is ever searched or rewritten.
import { kernelFunction, type KernelName } from './kernel-registry.ts';
import type { KernelPath } from './kernel-loops.ts';
import { cComment } from '../util/names.ts';

/** A kernel call: the registry resolves `kernel` on the program's path when the program is printed. */
export interface CCall {
  kind: 'call';
  kernel: KernelName;
  args: string[];
  /** A path this call keeps whatever the program's (e.g. 'portable' where only that kernel is measured). */
  path?: KernelPath;
}

/** A statement of a function body: a line of C (loops, copies, locals) or a kernel call. */
export type CStmt = { kind: 'line'; text: string } | CCall;

/** One op's record: its comment, its statements (a call, or a loop around one), whether its output is dumped. */
export interface OpRecord {
  op: number;
  comment: string;
  /** Indentation of the comment (default 2: a statement of the function body). */
  commentIndent?: number;
  stmts: { indent: number; stmt: CStmt }[];
  /** NACC_DUMP(op, arena + offset, bytes) after the op in debug builds, unless the output is never stored. */
  dump?: { offset: number; bytes: number };
}

export interface CFunction {
  name: string;
  /** `static`: private to model.c (e.g. the per-layer stage a patch schedule calls). */
  isStatic: boolean;
  /** Lines before the ops and after them (a patch loop's head and tail), as statements too. */
  prologue: { indent: number; stmt: CStmt }[];
  ops: OpRecord[];
  epilogue: { indent: number; stmt: CStmt }[];
}

/** Where `nacc_input(i)` points: a buffer in the arena, or nothing (a streamed input, fed patch by patch). */
export type InputPlace =
  | { kind: 'arena'; offset: number; bytes: number }
  | { kind: 'streamed'; bytes: number; h: number; w: number; c: number; pixelBytes: number };

export interface CSection {
  comment: string;
  defines: [string, string | number][];
  decls: string[];
  /** Helper functions private to model.c (their full text). */
  helpers: string[];
}

export interface CProgram {
  /** The model's name and source file, as the user wrote them (printed through cComment). */
  model: string;
  source: string;
  /** model.h's description of the program (after "Model NAME: "). */
  summary: string;
  arenaBytes: number;
  arenaComment: string;
  path: KernelPath;
  includes: string[];
  decls: string[];
  inputs: InputPlace[];
  outputs: { offset: number; bytes: number }[];
  /** Further sections of model.c after the main declarations (a patch stage's tables and helpers). */
  sections: CSection[];
  /** Functions in print order; the public `nacc_run` among them. */
  functions: CFunction[];
  /** C library text appended to model.c (the SMLAD kernels on DSP cores), with the defines it needs. */
  library?: { defines: [string, string | number][]; text: string };
}

export const line = (text: string): CStmt => ({ kind: 'line', text });
export const call = (kernel: KernelName, ...args: string[]): CCall => ({ kind: 'call', kernel, args });
/** The same call, kept on the portable kernel. */
export const portable = (c: CCall): CCall => ({ ...c, path: 'portable' });

function stmtText(s: CStmt, path: KernelPath): string {
  return s.kind === 'line' ? s.text : `${kernelFunction(s.kernel, s.path ?? path)}(${s.args.join(', ')});`;
}

const indented = (indent: number, text: string) =>
  text
    .split('\n')
    .map((l) => (l ? ' '.repeat(indent) + l : l))
    .join('\n');

function printFunction(f: CFunction, path: KernelPath): string[] {
  const out = [`${f.isStatic ? 'static ' : ''}void ${f.name}(void) {`];
  for (const s of f.prologue) out.push(indented(s.indent, stmtText(s.stmt, path)));
  for (const r of f.ops) {
    out.push(indented(r.commentIndent ?? 2, `/* ${r.comment} */`));
    for (const s of r.stmts) out.push(indented(s.indent, stmtText(s.stmt, path)));
    if (r.dump) out.push(`  NACC_DUMP(${r.op}, nacc_arena + ${r.dump.offset}, ${r.dump.bytes});`);
  }
  for (const s of f.epilogue) out.push(indented(s.indent, stmtText(s.stmt, path)));
  out.push('}');
  return out;
}

/** model.c: includes, arena, declarations, I/O tables and accessors, sections, functions, library. */
export function printModelC(p: CProgram): string {
  const ins = p.inputs;
  const outs = p.outputs;
  const inputAt = (x: InputPlace) => (x.kind === 'arena' ? `nacc_arena + ${x.offset}` : 'NULL');
  const inputs =
    ins.length === 1
      ? [
          `void *nacc_input(int32_t i) { (void)i; return ${inputAt(ins[0])}; }`,
          `int32_t nacc_input_bytes(int32_t i) { (void)i; return ${ins[0].bytes}; }`,
        ]
      : [
          `static void *const input_at[${ins.length}] = {${ins.map(inputAt).join(', ')}};`,
          `static const int32_t input_bytes[${ins.length}] = {${ins.map((x) => x.bytes).join(', ')}};`,
          'void *nacc_input(int32_t i) { return input_at[i]; }',
          'int32_t nacc_input_bytes(int32_t i) { return input_bytes[i]; }',
        ];
  const text = [
    `/* Model ${cComment(p.model)} (from ${cComment(p.source)}): weights, op parameters, arena and schedule. Generated by nacc. */`,
    ...p.includes.map((i) => `#include ${i}`),
    '',
    `/* ${p.arenaComment} */`,
    'static int8_t nacc_arena[NACC_ARENA_BYTES] __attribute__((aligned(8)));',
    '',
    ...p.decls,
    '',
    ...inputs,
    `static const int32_t output_offset[${outs.length}] = {${outs.map((x) => x.offset).join(', ')}};`,
    `static const int32_t output_bytes[${outs.length}] = {${outs.map((x) => x.bytes).join(', ')}};`,
    'const void *nacc_output(int32_t i) { return nacc_arena + output_offset[i]; }',
    'int32_t nacc_output_bytes(int32_t i) { return output_bytes[i]; }',
  ];
  for (const s of p.sections) {
    text.push('', `/* ${s.comment} */`, ...s.defines.map(([n, v]) => `#define ${n} ${v}`), ...s.decls);
    for (const h of s.helpers) text.push('', h);
  }
  for (const f of p.functions) text.push('', ...printFunction(f, p.path));
  if (p.library) text.push('', ...p.library.defines.map(([n, v]) => `#define ${n} ${v}`), p.library.text.trimEnd());
  return `${text.join('\n')}\n`;
}

/** model.h: the program's public interface (run, I/O accessors, the streamed input's callback, debug dumps). */
export function printModelH(p: CProgram): string {
  const streamed = p.inputs.find((x): x is Extract<InputPlace, { kind: 'streamed' }> => x.kind === 'streamed');
  return [
    `/* Model ${cComment(p.model)}: ${p.summary}. Generated by nacc. */`,
    '#ifndef NACC_MODEL_H',
    '#define NACC_MODEL_H',
    '#include <stdint.h>',
    `#define NACC_ARENA_BYTES ${Math.max(8, p.arenaBytes)}`,
    `#define NACC_NUM_INPUTS ${p.inputs.length}`,
    `#define NACC_NUM_OUTPUTS ${p.outputs.length}`,
    'void nacc_run(void);',
    ...(streamed ? streamedInputHeader(streamed) : []),
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
}

/**
 * The public header's input callback of a streamed patch program: the application (the
 * generated harness reads the input file; a camera or flash driver would do the same).
 */
function streamedInputHeader(t: Extract<InputPlace, { kind: 'streamed' }>): string[] {
  return [
    '',
    '/* Streamed input (patch-based program): the whole input tensor never sits in SRAM. nacc_run',
    ' * calls nacc_read_input once per patch for the input region that patch reads (its halo',
    ' * included): rows y .. y+h-1 and columns x .. x+w-1 of the NHWC input tensor, all channels,',
    " * in the tensor's element type, packed row-major into buf (h * w * NACC_INPUT_PIXEL_BYTES",
    ' * bytes). The application implements it (camera, flash, file: the generated main.c reads the',
    ' * input file); it returns 0 on success, anything else stops nacc_run (nacc_input_failed). */',
    '#define NACC_INPUT_STREAMED 1',
    `#define NACC_INPUT_H ${t.h}`,
    `#define NACC_INPUT_W ${t.w}`,
    `#define NACC_INPUT_C ${t.c}`,
    `#define NACC_INPUT_PIXEL_BYTES ${t.pixelBytes}`,
    `#define NACC_INPUT_BYTES ${t.bytes}`,
    'int nacc_read_input(int32_t x, int32_t y, int32_t w, int32_t h, void *buf);',
    '/* Called when nacc_read_input fails (the run is abandoned); the application decides what to do. */',
    'void nacc_input_failed(void);',
  ];
}
