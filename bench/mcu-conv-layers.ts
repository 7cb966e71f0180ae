// Per-op instructions per MAC of a model's generated program in QEMU (-icount, Cortex-M4
// mps2-an386, SMLAD kernels): the bench instruments a copy of model.c so that every op of
// nacc_run is bracketed by SysTick reads (1 tick = 40 instructions; no wrap inside a run below
// 670M instructions), and prints each convolution's instructions/MAC, the per-kind totals and
// the conv-only aggregate. The output is checked bit for bit against the TS reference executor.
// Run: npx tsx bench/mcu-conv-layers.ts [MODEL.tflite] [--json] [--patch] [--portable]
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, thousands } from '../compiler/cli/table.ts';
import { importTflite } from '../compiler/importers/tflite/index.ts';
import type { QModel } from '../compiler/ir/quantized.ts';
import { opMacs } from '../compiler/ir/quantized.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { buildArm, runQemu, ticksToInstructions } from '../compiler/mcu/runner.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { runModel, toBytes } from '../compiler/reference/int8/executor.ts';
import { Prng } from '../compiler/util/prng.ts';
import { randomModelInput } from './mcu-random-input.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const file = args.find((a) => !a.startsWith('--')) ?? '../shared/models/mcunet/mcunet-vww1.tflite';
const model = importTflite(readFileSync(file), file);
const rng = new Prng(8);

const inputOf = (m: QModel): Uint8Array => randomModelInput(m, rng);

interface OpSite { index: number; kind: string; name: string; kernel: string }

/** Bracket every op statement of nacc_run with SysTick reads into nacc_bench_ticks[]. */
function instrument(files: Record<string, string>): { files: Record<string, string>; sites: OpSite[] } {
  const lines = files['model.c'].split('\n');
  const start = lines.findIndex((l) => l.startsWith('void nacc_run(void) {'));
  if (start < 0) throw new Error('model.c has no nacc_run');
  const sites: OpSite[] = [];
  const out = lines.slice(0, start);
  out.push('#define NACC_BENCH_CVR (*(volatile uint32_t *)0xE000E018u)', 'uint32_t nacc_bench_ticks[1024];', 'int32_t nacc_bench_ops;');
  let i = start;
  out.push(lines[i++]);
  let open = false;
  for (; i < lines.length; i++) {
    const l = lines[i];
    const m = l.match(/^ {2}\/\* op (\d+): (\w+) -> '([^']*)'/);
    if (m || (l === '}' && open)) {
      if (open) out.push(`  nacc_bench_ticks[${sites.length - 1}] = (nacc_bench_t0 - NACC_BENCH_CVR) & 0x00FFFFFFu; }`);
      open = false;
    }
    if (l === '}') { out.push(`  nacc_bench_ops = ${sites.length};`, l, ...lines.slice(i + 1)); break; }
    if (m) {
      sites.push({ index: Number(m[1]), kind: m[2], name: m[3], kernel: (lines[i + 1].match(/^\s*(\w+)\(/)?.[1]) ?? '' });
      out.push(l, '  { const uint32_t nacc_bench_t0 = NACC_BENCH_CVR;');
      open = true;
      continue;
    }
    out.push(l);
  }
  const main = files['main.c'].replace('  print_u32("NACC_STACK ", nacc_stack_used());',
    '  print_u32("NACC_STACK ", nacc_stack_used());\n  { extern uint32_t nacc_bench_ticks[]; extern int32_t nacc_bench_ops;\n    for (int32_t i = 0; i < nacc_bench_ops; i++) print_u32("NACC_OP_TICKS ", nacc_bench_ticks[i]); }');
  if (main === files['main.c']) throw new Error('main.c: no NACC_STACK line to extend');
  return { files: { ...files, 'model.c': out.join('\n'), 'main.c': main }, sites };
}

const board = resolveBoard('stm32h743');
const schedule = args.includes('--patch') ? 'auto' : 'layer';
const c = compileForMcu(model, board, { schedule, fastKernels: !args.includes('--portable') });
const { files, sites } = instrument(c.program.files);
const dir = join(mkdtempSync(join(tmpdir(), 'nacc-conv-layers-')), 'prog');
mkdirSync(dir, { recursive: true });
for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
const input = inputOf(model);
const raw = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
const x = model.tensors[model.inputs[0]].dtype === 'float32' ? new Float32Array(raw) : new Int8Array(raw);
const expected = Buffer.concat(runModel(model, [x]).map((o) => Buffer.from(toBytes(o))));
const arm = await buildArm(dir);
const q = await runQemu(arm.elf, input, join(dir, 'build'), { timeoutMs: 600_000 });
const exact = Buffer.from(q.output).equals(expected);
const ticks = [...q.stdout.matchAll(/NACC_OP_TICKS (\d+)/g)].map((m) => Number(m[1]));
if (ticks.length !== sites.length) throw new Error(`expected ${sites.length} op timings, read ${ticks.length}`);

// Map generated ops to source ops by output tensor name (PAD folded into a conv keeps the conv's output).
const byName = new Map(model.ops.map((op) => [model.tensors[op.outputs[0]].name, op]));
const rows = sites.map((s, k) => {
  const op = byName.get(s.name);
  const macs = op ? opMacs(model, op) : 0;
  const instructions = ticksToInstructions(ticks[k]);
  let kind = s.kind;
  if (op && (op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D')) {
    const f = model.tensors[op.inputs[1]].shape;
    const inC = model.tensors[op.inputs[0]].shape[3];
    const stride = (op.options as { strideH?: number }).strideH ?? 1;
    kind = op.kind === 'CONV_2D'
      ? (f[1] === 1 && f[2] === 1 ? (inC <= 24 ? '1x1 conv, cin <= 24' : '1x1 conv, cin > 24') : `${f[1]}x${f[2]} conv`)
      : `${f[1]}x${f[2]} depthwise${s.kernel.endsWith('inplace') ? ' in place' : ''}${stride > 1 ? ' s2' : ''}`;
  }
  const shape = op ? `${model.tensors[op.inputs[0]].shape.slice(1).join('x')} -> ${model.tensors[op.outputs[0]].shape.slice(1).join('x')}` : '';
  return { op: s.index, kind, source_kind: s.kind, kernel: s.kernel, shape, macs, instructions, per_mac: macs ? Number((instructions / macs).toFixed(2)) : null };
});
const total = ticksToInstructions(q.ticks);
const conv = rows.filter((r) => r.macs > 0 && r.source_kind !== 'FULLY_CONNECTED');
const sum = (rs: typeof rows, k: 'macs' | 'instructions') => rs.reduce((s, r) => s + r[k], 0);
const kinds = [...new Set(conv.map((r) => r.kind))].map((k) => {
  const rs = conv.filter((r) => r.kind === k);
  return { kind: k, layers: rs.length, macs: sum(rs, 'macs'), instructions: sum(rs, 'instructions'), per_mac: Number((sum(rs, 'instructions') / sum(rs, 'macs')).toFixed(2)), at_most_3: rs.filter((r) => (r.per_mac ?? 99) <= 3).length };
});
const modelMacs = c.summary.macs; // executed MACs (a patch schedule's recomputation included)
const summary = {
  model: model.name, schedule: c.summary.schedule.kind, kernels: args.includes('--portable') ? 'portable' : 'smlad', bit_exact: exact, stack_bytes: q.stackBytes, ram_bytes: arm.sections.data + arm.sections.bss + q.stackBytes,
  total_instructions: total, model_macs: modelMacs, total_per_mac: Number((total / modelMacs).toFixed(2)),
  conv_instructions: sum(conv, 'instructions'), conv_macs: sum(conv, 'macs'), conv_per_mac: Number((sum(conv, 'instructions') / sum(conv, 'macs')).toFixed(2)),
  per_op_breakdown: conv.length > 0, // ops of a patch stage are not mapped to source ops
  conv_layers: conv.length, conv_layers_at_most_3: conv.filter((r) => (r.per_mac ?? 99) <= 3).length,
};
if (json) process.stdout.write(`${JSON.stringify({ board: 'mps2-an386 (Cortex-M4, qemu -icount shift=0)', summary, kinds, rows }, null, 2)}\n`);
else {
  process.stdout.write(`${formatTable(['op', 'kind', 'shape', 'MACs', 'instructions', 'instr/MAC'],
    rows.map((r) => [String(r.op), r.kind, r.shape, thousands(r.macs), thousands(r.instructions), r.per_mac === null ? '' : String(r.per_mac)]), ['r', 'l', 'l', 'r', 'r', 'r'])}\n\n`);
  process.stdout.write(`${formatTable(['kind', 'layers', 'MACs', 'instructions', 'instr/MAC', 'layers <= 3'],
    kinds.map((k) => [k.kind, String(k.layers), thousands(k.macs), thousands(k.instructions), String(k.per_mac), String(k.at_most_3)]), ['l', 'r', 'r', 'r', 'r', 'r'])}\n\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
if (!exact) { process.stderr.write('NOT BIT-EXACT\n'); process.exitCode = 3; }
