// C emission of a patch-based schedule: the per-patch stage becomes a loop over the grid
// (copy the input patch with its halo -> run the stage's kernels on patch-sized buffers ->
// copy the output tile into the full-size map), then the per-layer stage runs exactly as the
// layer-by-layer backend emits it. Kernels, I/O, startup and linker script are the MCU
// backend's (compiler/mcu/emit.ts); region tables drive the per-patch kernel parameters.
import { D, fail } from '../../diagnostics/index.ts';
import type { QModel, QTensor } from '../../ir/quantized.ts';
import { qTensorBytes } from '../../ir/quantized.ts';
import { computeOpParams, type ConvParams, type PoolParams } from '../../reference/int8/params.ts';
import {
  addValue,
  cArray,
  convValue,
  emitProgram,
  FLAT_BROADCAST,
  mulValue,
  poolValue,
  programFiles,
  quantizeValue,
  type EmittedProgram,
} from '../emit.ts';
import { call, line, portable, type CProgram, type CStmt, type OpRecord } from '../c-program.ts';
import { int32Literal, structDecl } from '../c-structs.ts';
import { fastColumnSize } from '../fast-library.ts';
import type { KernelPath } from '../kernel-loops.ts';
import { foldPads } from '../fold.ts';
import { planMemory, type MemoryPlan } from '../planner.ts';
import type { McuBoard } from '../targets.ts';
import { nodeOp } from './execute.ts';
import { graphFromQModel, lastUses, producers, type PatchGraph } from './graph.ts';
import { planPatches, type PatchPlan } from './schedule.ts';
import { regionArea } from './geometry.ts';
import { cComment } from '../../util/names.ts';

const ALIGN = 8;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export interface PatchLayout {
  /** Arena bytes of the whole program. */
  arenaBytes: number;
  /** Highest arena byte the patch stage uses (full input, patch buffers, around the split map). */
  patchStageBytes: number;
  /** Arena of the per-layer stage (the backend's planner), the split map included. */
  layerStageBytes: number;
  /** Offsets of the full-size split map and the model input. */
  cutOffset: number;
  inputOffset: number;
  /** Patch buffers: tensor name, bytes, arena offset. */
  buffers: { tensor: string; bytes: number; offset: number; inPlaceOf?: string }[];
}

export interface EmittedPatchProgram extends EmittedProgram {
  layout: PatchLayout;
  plan: PatchPlan;
  /** The per-layer stage: the model of the ops after the split (PADs folded) and its memory plan. */
  rest: QModel;
  restPlan: MemoryPlan;
}

/** First-fit placement of buffers with [first, last] lifetimes (largest first), around fixed blocks. */
function place(
  bufs: { size: number; first: number; last: number }[],
  fixed: [number, number][] = [],
): { offsets: number[]; total: number } {
  const order = bufs.map((_, i) => i).sort((a, b) => bufs[b].size - bufs[a].size || a - b);
  const offsets = new Array<number>(bufs.length).fill(0);
  const placed: number[] = [];
  for (const i of order) {
    const b = bufs[i];
    const busy = [
      ...fixed,
      ...placed
        .filter((j) => bufs[j].first <= b.last && b.first <= bufs[j].last)
        .map((j): [number, number] => [offsets[j], offsets[j] + bufs[j].size]),
    ].sort((x, y) => x[0] - y[0]);
    let off = 0;
    for (const [st, e] of busy) {
      if (st >= off + b.size) break;
      off = Math.max(off, e);
    }
    offsets[i] = off;
    placed.push(i);
  }
  return { offsets, total: Math.max(0, ...bufs.map((b, i) => offsets[i] + b.size)) };
}

/** Emit the C program of `model` run patch by patch up to `split` on a p x p grid. */
export interface PatchEmitOptions {
  /**
   * Read each input patch (with its halo) from the input file row by row instead of holding
   * the whole input in SRAM (default true): the program still takes the same input file.
   */
  streamInput?: boolean;
  /** The kernels the program calls (compiler/mcu/kernel-registry.ts). */
  path?: KernelPath;
}

export function emitPatchProgram(
  model: QModel,
  split: number,
  p: number,
  board: McuBoard,
  graph: PatchGraph = graphFromQModel(model),
  opts: PatchEmitOptions = {},
): EmittedPatchProgram {
  const stream = opts.streamInput !== false;
  if (model.inputs.length !== 1)
    fail(D.cEmission, `${model.source}: ${model.inputs.length} model inputs; the generated runner takes exactly one`);
  const g = graph;
  const plan = planPatches(g, split, p);
  const stage = g.nodes.slice(0, plan.stageNodes);
  const cut = plan.cut;
  const inputId = model.inputs[0];

  // The per-layer stage: the backend's own emission of the ops after the split, fed by the map.
  const rest = foldPads({
    ...model,
    ops: model.ops.filter((op) => op.index >= split).map((op, index) => ({ ...op, index })),
    inputs: [cut],
  });
  const restPlan = planMemory(rest);
  // the SMLAD library's column buffer is sized for every convolution of the model, the stage's included
  const restProgram = emitProgram(rest, restPlan, board, { path: opts.path, fastColumnWords: fastColumnSize(model) });
  const cutOffset = restPlan.tensorOffset.get(cut)!;
  const cutBytes = alignUp(qTensorBytes(model.tensors[cut]));

  // Patch-stage buffers: the whole model input (read by main), and one patch buffer per tensor.
  const prod = producers(g);
  const last = lastUses(g);
  const slots: number[] = [];
  for (const r of plan.regions) for (const t of r.keys()) if (!slots.includes(t)) slots.push(t);
  slots.sort((a, b) => a - b);
  const slotOf = new Map(slots.map((t, i) => [t, i]));
  const px = (t: number) => g.tensors[t].c * g.tensors[t].elemBytes;
  // Depthwise convolutions run in place when their input dies with them and every patch's
  // output plane fits in its input plane (the backend's in-place kernel, one plane of scratch).
  const inPlace = new Map<number, number>(); // output tensor -> input tensor it overwrites
  let scratchPlane = 0;
  for (const n of stage) {
    if (n.kind !== 'dwconv' || n.output === cut) continue;
    const a = n.inputs[0];
    const prm = computeOpParams(model, nodeOp(model, n)) as ConvParams;
    if (prm.depthMultiplier !== 1 || last[a] !== n.index || prod[a] < 0 || inPlace.has(a)) continue;
    const fits = plan.regions.every((r) => !r.get(n.output) || regionArea(r.get(n.output)!) <= regionArea(r.get(a)!));
    if (!fits) continue;
    inPlace.set(n.output, a);
    const d = plan.bufferDims.get(a)!;
    scratchPlane = Math.max(scratchPlane, d[0] * d[1]);
  }
  const rootOf = (t: number): number => (inPlace.has(t) ? rootOf(inPlace.get(t)!) : t);
  const roots = slots.filter((t) => rootOf(t) === t);
  const bufs = roots.map((root) => {
    const members = slots.filter((t) => rootOf(t) === root);
    let size = 0;
    let first = Infinity;
    let lastUse = -1;
    for (const t of members) {
      const d = plan.bufferDims.get(t)!;
      size = Math.max(size, alignUp(d[0] * d[1] * px(t)));
      first = Math.min(first, prod[t] < 0 ? -1 : prod[t]);
      lastUse = Math.max(lastUse, t === cut ? plan.stageNodes : Math.min(last[t], plan.stageNodes - 1));
    }
    return { size, first, last: lastUse };
  });
  const inBytes = stream ? 0 : alignUp(qTensorBytes(model.tensors[inputId]));
  // The whole model input (main reads it there) lives through the stage; the split map's
  // place is fixed by the per-layer plan, so the stage's buffers go around it.
  const all = [{ size: Math.max(inBytes, ALIGN), first: -2, last: plan.stageNodes }, ...bufs];
  if (scratchPlane > 0) all.push({ size: alignUp(scratchPlane), first: -1, last: plan.stageNodes });
  const placed = place(all, [[cutOffset, cutOffset + cutBytes]]);
  const inputOffset = placed.offsets[0];
  const scratchOffset = scratchPlane > 0 ? placed.offsets[all.length - 1] : -1;
  const bufOffset = (t: number) => placed.offsets[1 + roots.indexOf(rootOf(t))];
  const stageBytes = placed.total;
  const arenaBytes = Math.max(restPlan.arenaBytes, stageBytes, cutOffset + cutBytes);

  const decls: string[] = [];
  // nacc_run's statements: the patch loop's head (prologue), one record per stage op, the tail (epilogue)
  type Stmt = { indent: number; stmt: CStmt };
  const prologue: Stmt[] = [];
  const stageOps: OpRecord[] = [];
  const epilogue: Stmt[] = [];
  let cur = prologue;
  /** A line of C, indented as written. */
  const push = (text: string) => {
    const t = text.trimStart();
    cur.push({ indent: text.length - t.length, stmt: line(t) });
  };
  const pushCall = (indent: number, stmt: CStmt) => cur.push({ indent, stmt });
  const ctype = (t: number) =>
    ({ int8: 'int8_t', float32: 'float', int32: 'int32_t', int16: 'int16_t', uint8: 'uint8_t', int64: 'int64_t' })[model.tensors[t].dtype];
  const B = (t: number) => `(nacc_arena + ${bufOffset(t)})`;
  const constName = (tensor: QTensor) => `pc${tensor.id}`;
  const declConst = (tensor: QTensor) => {
    const fmt = tensor.dtype === 'int32' ? int32Literal : String;
    decls.push(cArray(tensor.dtype === 'int32' ? 'int32_t' : 'int8_t', constName(tensor), tensor.data as ArrayLike<number>, fmt));
    return constName(tensor);
  };
  // Region table: nacc_rg[patch][slot] = {y0, y1, x0, x1} (all zero where a patch computes nothing).
  const rows: string[] = plan.regions.map(
    (r) =>
      `  {${slots
        .map((t) => {
          const q = r.get(t);
          return q ? `{${q.y0}, ${q.y1}, ${q.x0}, ${q.x1}}` : '{0, 0, 0, 0}';
        })
        .join(', ')}}`,
  );
  const tileRows = plan.tiles.map((t) => `{${t.y0}, ${t.y1}, ${t.x0}, ${t.x1}}`);
  const big = Math.max(...plan.regions.flatMap((r) => [...r.values()].flatMap((q) => [q.y1, q.x1])));
  const rt = big > 32767 ? 'int32_t' : 'int16_t';
  decls.push(`static const ${rt} nacc_rg[${plan.regions.length}][${slots.length}][4] = {\n${rows.join(',\n')}\n};`);
  decls.push(`static const ${rt} nacc_tile[${plan.tiles.length}][4] = {${tileRows.join(', ')}};`);

  const R = (t: number) => `nacc_rg[pi][${slotOf.get(t)}]`;
  const H = (t: number) => `(${R(t)}[1] - ${R(t)}[0])`;
  const W = (t: number) => `(${R(t)}[3] - ${R(t)}[2])`;
  const rowPtr = (t: number, y: string, x0: string) => `(${B(t)} + ((${y} - ${R(t)}[0]) * ${W(t)} + (${x0} - ${R(t)}[2])) * ${px(t)})`;

  push('  for (int32_t pi = 0; pi < NACC_PATCHES; pi++) {');
  // 1. Copy the input patch (with halo) out of the full input.
  const inT = g.tensors[inputId];
  push(`    /* input patch (with halo) of '${cComment(model.tensors[inputId].name)}' */`);
  if (stream) {
    // The application's input source (public header): rows y0..y0+h, columns x0..x0+w.
    push(`    if (nacc_read_input(${R(inputId)}[2], ${R(inputId)}[0], ${W(inputId)}, ${H(inputId)}, ${B(inputId)}) != 0) {`);
    push('      nacc_input_failed();');
    push('      return;');
    push('    }');
  } else {
    push(
      `    nacc_patch_copy(nacc_arena + ${inputOffset} + (${R(inputId)}[0] * ${inT.w} + ${R(inputId)}[2]) * ${px(inputId)}, ${inT.w * px(inputId)}, ${B(inputId)}, ${W(inputId)} * ${px(inputId)}, ${H(inputId)}, ${W(inputId)} * ${px(inputId)});`,
    );
  }
  for (const n of stage) {
    const op = nodeOp(model, n);
    const prm = computeOpParams(model, op);
    const k = n.index;
    const o = n.output;
    const outT = g.tensors[o];
    const rec: OpRecord = {
      op: k,
      comment: `${cComment(n.name)} (${n.op}) -> '${cComment(model.tensors[o].name)}'`,
      commentIndent: 4,
      stmts: [],
    };
    stageOps.push(rec);
    cur = rec.stmts;
    push(`    if (${H(o)} > 0 && ${W(o)} > 0) {`);
    switch (prm.kind) {
      case 'conv':
      case 'dwconv':
      case 'avgpool':
      case 'maxpool': {
        const a = n.inputs[0];
        const isConv = prm.kind === 'conv' || prm.kind === 'dwconv';
        if (isConv) {
          const c = prm as ConvParams;
          decls.push(cArray('int32_t', `pm${k}`, c.multipliers, int32Literal), cArray('int32_t', `ps${k}`, c.shifts));
          decls.push(structDecl('nacc_conv_params', `pp${k}`, convValue(c, `pm${k}`, `ps${k}`)));
          push(`      nacc_conv_params q = pp${k};`);
        } else {
          const c = prm as PoolParams;
          decls.push(structDecl('nacc_pool_params', `pp${k}`, poolValue(c)));
          push(`      nacc_pool_params q = pp${k};`);
        }
        push(`      q.in_h = ${H(a)}; q.in_w = ${W(a)}; q.out_h = ${H(o)}; q.out_w = ${W(o)};`);
        push(`      q.pad_top = pp${k}.pad_top - ${R(o)}[0] * pp${k}.stride_h + ${R(a)}[0];`);
        push(`      q.pad_left = pp${k}.pad_left - ${R(o)}[2] * pp${k}.stride_w + ${R(a)}[2];`);
        if (isConv) {
          const filter = declConst(model.tensors[op.inputs[1]]);
          const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? declConst(model.tensors[op.inputs[2]]) : 'NULL';
          if (inPlace.get(o) === a)
            pushCall(6, call('depthwise_conv2d_inplace', '&q', B(o), filter, bias, `nacc_arena + ${scratchOffset}`));
          else pushCall(6, call(prm.kind === 'conv' ? 'conv2d' : 'depthwise_conv2d', '&q', B(a), filter, bias, B(o)));
        } else {
          // pools of a patch stage stay on the portable kernels (as measured and modelled: kernel-loops.ts)
          pushCall(6, portable(call(prm.kind === 'avgpool' ? 'average_pool2d' : 'max_pool2d', '&q', B(a), B(o))));
        }
        break;
      }
      case 'add':
      case 'mul': {
        const [a, b] = n.inputs;
        if (prm.kind === 'add') {
          decls.push(structDecl('nacc_add_params', `pp${k}`, addValue(prm, FLAT_BROADCAST)));
        } else {
          decls.push(structDecl('nacc_mul_params', `pp${k}`, mulValue(prm, FLAT_BROADCAST)));
        }
        push(`      nacc_${prm.kind}_params q = pp${k};`);
        push(`      q.bc.out_shape[0] = ${W(o)} * ${outT.c};`);
        push(`      for (int32_t y = ${R(o)}[0]; y < ${R(o)}[1]; y++) {`);
        pushCall(8, call(prm.kind, '&q', rowPtr(a, 'y', `${R(o)}[2]`), rowPtr(b, 'y', `${R(o)}[2]`), rowPtr(o, 'y', `${R(o)}[2]`)));
        push('      }');
        break;
      }
      case 'quantize':
      case 'dequantize': {
        const a = n.inputs[0];
        decls.push(structDecl('nacc_quantize_params', `pp${k}`, quantizeValue(prm)));
        const kernel = prm.kind === 'dequantize' ? 'dequantize' : prm.fromFloat ? 'quantize_float' : 'requantize';
        push(`      nacc_quantize_params q = pp${k};`);
        push(`      q.count = ${W(o)} * ${outT.c};`);
        push(`      for (int32_t y = ${R(o)}[0]; y < ${R(o)}[1]; y++) {`);
        pushCall(
          8,
          call(kernel, '&q', `(const ${ctype(a)} *)${rowPtr(a, 'y', `${R(o)}[2]`)}`, `(${ctype(o)} *)${rowPtr(o, 'y', `${R(o)}[2]`)}`),
        );
        push('      }');
        break;
      }
      case 'concat': {
        decls.push(
          cArray(
            'int32_t',
            `pch${k}`,
            n.inputs.map((i) => g.tensors[i].c),
          ),
        );
        push(`      for (int32_t y = ${R(o)}[0]; y < ${R(o)}[1]; y++) {`);
        push(
          `        const int8_t *const ins[${n.inputs.length}] = {${n.inputs.map((i) => `(const int8_t *)${rowPtr(i, 'y', `${R(o)}[2]`)}`).join(', ')}};`,
        );
        pushCall(8, call('concat', W(o), String(n.inputs.length), 'ins', `pch${k}`, rowPtr(o, 'y', `${R(o)}[2]`)));
        push('      }');
        break;
      }
      case 'pad': {
        const a = n.inputs[0];
        const at = g.tensors[a];
        const w = n.window!;
        push(`      memset(${B(o)}, ${prm.padValue}, (size_t)(${H(o)} * ${W(o)} * ${px(o)}));`);
        push(`      const int32_t y0 = ${R(o)}[0] - ${w.h.padBefore} > 0 ? ${R(o)}[0] - ${w.h.padBefore} : 0;`);
        push(`      const int32_t y1 = ${R(o)}[1] - ${w.h.padBefore} < ${at.h} ? ${R(o)}[1] - ${w.h.padBefore} : ${at.h};`);
        push(`      const int32_t x0 = ${R(o)}[2] - ${w.w.padBefore} > 0 ? ${R(o)}[2] - ${w.w.padBefore} : 0;`);
        push(`      const int32_t x1 = ${R(o)}[3] - ${w.w.padBefore} < ${at.w} ? ${R(o)}[3] - ${w.w.padBefore} : ${at.w};`);
        push(
          `      for (int32_t y = y0; y < y1 && x1 > x0; y++) memcpy(${rowPtr(o, `(y + ${w.h.padBefore})`, `(x0 + ${w.w.padBefore})`)}, ${rowPtr(a, 'y', 'x0')}, (size_t)((x1 - x0) * ${px(o)}));`,
        );
        break;
      }
      default:
        fail(D.patchEmission, `${model.source}: ${n.name} (${prm.kind}) cannot run in a patch stage`);
    }
    push('    }');
  }
  // 3. Write this patch's tile into the full-size split map.
  cur = epilogue;
  const ct = g.tensors[cut];
  push('    /* the output tile into the full-size map the per-layer stage starts from */');
  push(
    `    nacc_patch_copy(${rowPtr(cut, 'nacc_tile[pi][0]', 'nacc_tile[pi][2]')}, ${W(cut)} * ${px(cut)}, nacc_arena + ${cutOffset} + (nacc_tile[pi][0] * ${ct.w} + nacc_tile[pi][2]) * ${px(cut)}, ${ct.w * px(cut)}, nacc_tile[pi][1] - nacc_tile[pi][0], (nacc_tile[pi][3] - nacc_tile[pi][2]) * ${px(cut)});`,
  );
  push('  }');
  push(`  NACC_DUMP(-1, nacc_arena + ${cutOffset}, ${qTensorBytes(model.tensors[cut])});`);
  push('  nacc_run_layers();');

  // The backend's program, transformed as data: its nacc_run becomes the per-layer stage
  // (nacc_run_layers), the patch stage's tables and loop become the new nacc_run.
  const base = restProgram.program;
  const inputBytes = qTensorBytes(model.tensors[inputId]);
  const program: CProgram = {
    ...base,
    model: model.name,
    source: model.source,
    summary: `patch-based (split ${split}, ${p}x${p}), arena ${arenaBytes} bytes`,
    arenaBytes,
    includes: base.includes.flatMap((i) => (i === '<stddef.h>' ? [i, '<string.h>'] : [i])),
    // Streamed: no buffer holds the whole input (nacc_input is NULL; nacc_read_input feeds the patches).
    inputs: [
      stream
        ? { kind: 'streamed', bytes: inputBytes, h: inT.h, w: inT.w, c: inT.c, pixelBytes: inT.c * inT.elemBytes }
        : { kind: 'arena', offset: inputOffset, bytes: inputBytes },
    ],
    sections: [
      ...base.sections,
      {
        comment: `---- per-patch stage: ops before ${split}, ${p}x${p} patches over the ${ct.h}x${ct.w}x${ct.c} map '${cComment(model.tensors[cut].name)}' ----`,
        defines: [['NACC_PATCHES', plan.regions.length]],
        decls,
        helpers: [
          [
            '/* Copy `rows` rows of `row_bytes` bytes between buffers of different row strides. */',
            'static void nacc_patch_copy(const int8_t *src, int32_t src_stride, int8_t *dst, int32_t dst_stride, int32_t rows, int32_t row_bytes) {',
            '  for (int32_t r = 0; r < rows; r++) memcpy(dst + r * dst_stride, src + r * src_stride, (size_t)row_bytes);',
            '}',
          ].join('\n'),
        ],
      },
    ],
    functions: [
      ...base.functions.map((f) => (f.name === 'nacc_run' ? { ...f, name: 'nacc_run_layers', isStatic: true } : f)),
      { name: 'nacc_run', isStatic: false, prologue, ops: stageOps, epilogue },
    ],
  };
  const files = programFiles(program, board);
  let weightBytes = restProgram.weightBytes;
  for (const n of stage) {
    const op = nodeOp(model, n);
    for (const i of op.inputs.slice(1)) if (i >= 0 && model.tensors[i].data) weightBytes += qTensorBytes(model.tensors[i]);
  }
  const buffers = slots.map((t) => ({
    tensor: model.tensors[t].name,
    bytes: bufs[roots.indexOf(rootOf(t))].size,
    offset: bufOffset(t),
    ...(inPlace.has(t) ? { inPlaceOf: model.tensors[inPlace.get(t)!].name } : {}),
  }));
  return {
    files,
    weightBytes,
    program,
    plan,
    rest,
    restPlan,
    layout: {
      arenaBytes,
      patchStageBytes: stageBytes,
      layerStageBytes: restPlan.arenaBytes,
      cutOffset,
      inputOffset,
      buffers,
    },
  };
}
