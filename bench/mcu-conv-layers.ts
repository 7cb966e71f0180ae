// Per-op instructions per MAC of a model's generated program in QEMU (-icount, Cortex-M4
// mps2-an386, SMLAD kernels): every op of nacc_run bracketed by SysTick reads (bench/mcu-op-ticks.ts;
// a convolution fused with a residual ADD counts without the ADD, given as fused_add), and prints each convolution's instructions/MAC, the per-kind totals and
// the conv-only aggregate. The output is checked bit for bit against the TS reference executor.
// Run: npx tsx bench/mcu-conv-layers.ts [MODEL.tflite] [--json] [--patch] [--portable]
import { readFileSync } from 'node:fs';
import { formatTable, thousands } from '../compiler/cli/table.ts';
import { importTflite } from '../compiler/importers/tflite/index.ts';
import type { QModel } from '../compiler/ir/quantized.ts';
import { opMacs } from '../compiler/ir/quantized.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { Prng } from '../compiler/util/prng.ts';
import { measureOps } from './mcu-op-ticks.ts';
import { randomModelInput } from './mcu-random-input.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const file = args.find((a) => !a.startsWith('--')) ?? '../shared/models/mcunet/mcunet-vww1.tflite';
const model = importTflite(readFileSync(file), file);
const rng = new Prng(8);

const inputOf = (m: QModel): Uint8Array => randomModelInput(m, rng);

const board = resolveBoard('stm32h743');
const schedule = args.includes('--patch') ? 'auto' : 'layer';
const c = compileForMcu(model, board, { schedule, fastKernels: !args.includes('--portable') });
const input = inputOf(model);
const m = await measureOps(c.program.files, model, input);
const { sites } = m;
const exact = m.bitExact;

// Map generated ops to source ops by output tensor name (PAD folded into a conv keeps the conv's output).
const byName = new Map(model.ops.map((op) => [model.tensors[op.outputs[0]].name, op]));
const rows = sites.map((s, k) => {
  const op = byName.get(s.name);
  const macs = op ? opMacs(model, op) : 0;
  const instructions = m.instructions[k];
  let kind = s.kind;
  if (op && (op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D')) {
    const f = model.tensors[op.inputs[1]].shape;
    const inC = model.tensors[op.inputs[0]].shape[3];
    const stride = (op.options as { strideH?: number }).strideH ?? 1;
    kind =
      op.kind === 'CONV_2D'
        ? f[1] === 1 && f[2] === 1
          ? inC <= 24
            ? '1x1 conv, cin <= 24'
            : '1x1 conv, cin > 24'
          : `${f[1]}x${f[2]} conv`
        : `${f[1]}x${f[2]} depthwise${s.kernel.endsWith('inplace') ? ' in place' : ''}${stride > 1 ? ' s2' : ''}`;
  }
  const shape = op
    ? `${model.tensors[op.inputs[0]].shape.slice(1).join('x')} -> ${model.tensors[op.outputs[0]].shape.slice(1).join('x')}`
    : '';
  return {
    op: s.index,
    kind,
    source_kind: s.kind,
    kernel: s.kernel,
    shape,
    macs,
    instructions,
    fused_add: m.fusedAdd[k],
    per_mac: macs ? Number((instructions / macs).toFixed(2)) : null,
  };
});
const total = m.total;
const conv = rows.filter((r) => r.macs > 0 && r.source_kind !== 'FULLY_CONNECTED');
const sum = (rs: typeof rows, k: 'macs' | 'instructions') => rs.reduce((s, r) => s + r[k], 0);
const kinds = [...new Set(conv.map((r) => r.kind))].map((k) => {
  const rs = conv.filter((r) => r.kind === k);
  return {
    kind: k,
    layers: rs.length,
    macs: sum(rs, 'macs'),
    instructions: sum(rs, 'instructions'),
    per_mac: Number((sum(rs, 'instructions') / sum(rs, 'macs')).toFixed(2)),
    at_most_3: rs.filter((r) => (r.per_mac ?? 99) <= 3).length,
  };
});
const modelMacs = c.summary.macs; // executed MACs (a patch schedule's recomputation included)
const summary = {
  model: model.name,
  schedule: c.summary.schedule.kind,
  kernels: args.includes('--portable') ? 'portable' : 'smlad',
  bit_exact: exact,
  stack_bytes: m.stackBytes,
  ram_bytes: m.ramBytes,
  total_instructions: total,
  model_macs: modelMacs,
  total_per_mac: Number((total / modelMacs).toFixed(2)),
  conv_instructions: sum(conv, 'instructions'),
  conv_macs: sum(conv, 'macs'),
  conv_per_mac: Number((sum(conv, 'instructions') / sum(conv, 'macs')).toFixed(2)),
  per_op_breakdown: conv.length > 0, // ops of a patch stage are not mapped to source ops
  conv_layers: conv.length,
  conv_layers_at_most_3: conv.filter((r) => (r.per_mac ?? 99) <= 3).length,
};
if (json)
  process.stdout.write(`${JSON.stringify({ board: 'mps2-an386 (Cortex-M4, qemu -icount shift=0)', summary, kinds, rows }, null, 2)}\n`);
else {
  process.stdout.write(
    `${formatTable(
      ['op', 'kind', 'shape', 'MACs', 'instructions', 'instr/MAC'],
      rows.map((r) => [
        String(r.op),
        r.kind,
        r.shape,
        thousands(r.macs),
        thousands(r.instructions),
        r.per_mac === null ? '' : String(r.per_mac),
      ]),
      ['r', 'l', 'l', 'r', 'r', 'r'],
    )}\n\n`,
  );
  process.stdout.write(
    `${formatTable(
      ['kind', 'layers', 'MACs', 'instructions', 'instr/MAC', 'layers <= 3'],
      kinds.map((k) => [k.kind, String(k.layers), thousands(k.macs), thousands(k.instructions), String(k.per_mac), String(k.at_most_3)]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    )}\n\n`,
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
if (!exact) {
  process.stderr.write('NOT BIT-EXACT\n');
  process.exitCode = 3;
}
