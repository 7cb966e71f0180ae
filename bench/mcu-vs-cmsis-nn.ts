// nacc's generated C against TFLite Micro with CMSIS-NN, in the same QEMU (issue 19.3): per shared
// model and per op type, our instructions (layer-by-layer program, SMLAD kernels, the reference
// folder's input_0.bin, per-op SysTick brackets of bench/mcu-op-ticks.ts) beside the CMSIS-NN
// figures of ../shared/reference/tflm/cmsis-nn-qemu.md, read from that file (the one place they
// are written). A residual ADD fused into a convolution counts as ADD; a PAD folded into a
// convolution costs nothing of its own. Every run is checked bit for bit against the TS reference.
// Run: npx tsx bench/mcu-vs-cmsis-nn.ts [--json] [--portable] [MODEL_NAME...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, thousands } from '../compiler/cli/table.ts';
import { importTflite } from '../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { measureOps } from './mcu-op-ticks.ts';

const REFERENCE = '../shared/reference/tflm';
const MODELS: Record<string, string> = {
  'mcunet-vww1': '../shared/models/mcunet/mcunet-vww1.tflite',
  kws_ref_model: '../shared/models/mlperf-tiny/kws_ref_model.tflite',
  vww_96_int8: '../shared/models/mlperf-tiny/vww_96_int8.tflite',
};
/** The issue's bar: at least this many times fewer instructions than CMSIS-NN per model. */
const MODEL_RATIO = 1.8;

interface CmsisFigures {
  total: number;
  perOp: Map<string, number>;
}

/** The two tables of cmsis-nn-qemu.md: instructions per model, and per operator type. */
export function readCmsisFigures(md: string): Map<string, CmsisFigures> {
  const rows = md
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  const num = (c: string) => (/^[\d,]+$/.test(c) ? Number(c.replace(/,/g, '')) : undefined);
  const out = new Map<string, CmsisFigures>();
  let header: string[] | undefined;
  for (const r of rows) {
    if (r[0] === 'model') {
      header = r;
      continue;
    }
    if (!header || r[0].startsWith('--') || /^-+:?$/.test(r[0])) continue;
    const f = out.get(r[0]) ?? { total: 0, perOp: new Map<string, number>() };
    if (header[1].startsWith('TFLM+CMSIS-NN instructions')) f.total = num(r[1]) ?? 0;
    else
      header.slice(1).forEach((op, i) => {
        const v = num(r[i + 1]);
        if (v !== undefined) f.perOp.set(op, v);
      });
    out.set(r[0], f);
  }
  return out;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const portable = args.includes('--portable');
const names = args.filter((a) => !a.startsWith('--'));
const cmsis = readCmsisFigures(readFileSync(join(REFERENCE, 'cmsis-nn-qemu.md'), 'utf8'));
const board = resolveBoard('stm32h743');
const results = [];
for (const [name, file] of Object.entries(MODELS)) {
  if (names.length > 0 && !names.includes(name)) continue;
  const ref = cmsis.get(name);
  if (!ref) throw new Error(`${name}: no CMSIS-NN figures in cmsis-nn-qemu.md`);
  const model = importTflite(readFileSync(file), file);
  const c = compileForMcu(model, board, { schedule: 'layer', fastKernels: !portable });
  const input = new Uint8Array(readFileSync(join(REFERENCE, name, 'input_0.bin')));
  const m = await measureOps(c.program.files, model, input);
  const ours = new Map<string, number>();
  const bump = (k: string, v: number) => ours.set(k, (ours.get(k) ?? 0) + v);
  m.sites.forEach((s, k) => {
    bump(s.kind, m.instructions[k]);
    if (m.fusedAdd[k] > 0) bump('ADD', m.fusedAdd[k]);
  });
  const kinds = [...new Set([...ref.perOp.keys(), ...ours.keys()])];
  const ops = kinds.map((kind) => {
    const theirs = ref.perOp.get(kind);
    const mine = ours.get(kind);
    // an op type CMSIS-NN runs and we fold away (PAD into a convolution) costs us nothing
    const we = mine ?? (theirs !== undefined ? 0 : undefined);
    return {
      kind,
      nacc: we ?? null,
      cmsis_nn: theirs ?? null,
      ratio: theirs !== undefined && we ? Number((theirs / we).toFixed(2)) : null,
      not_slower: theirs === undefined || we === undefined || we <= theirs,
    };
  });
  results.push({
    model: name,
    kernels: portable ? 'portable' : 'smlad',
    bit_exact: m.bitExact,
    nacc_instructions: m.total,
    cmsis_nn_instructions: ref.total,
    ratio: Number((ref.total / m.total).toFixed(3)),
    model_ratio_met: ref.total / m.total >= MODEL_RATIO,
    every_op_type_not_slower: ops.every((o) => o.not_slower),
    ops,
  });
}
if (json)
  process.stdout.write(
    `${JSON.stringify({ board: 'mps2-an386 (Cortex-M4, qemu -icount shift=0)', required_model_ratio: MODEL_RATIO, models: results }, null, 2)}\n`,
  );
else {
  for (const r of results) {
    process.stdout.write(
      `${r.model} (${r.kernels}): nacc ${thousands(r.nacc_instructions)} vs TFLM+CMSIS-NN ${thousands(r.cmsis_nn_instructions)} instructions: ${r.ratio}x fewer (bar ${MODEL_RATIO}x: ${r.model_ratio_met ? 'met' : 'NOT met'}); every op type at least as fast: ${r.every_op_type_not_slower ? 'yes' : 'NO'}; bit-exact: ${r.bit_exact}\n`,
    );
    process.stdout.write(
      `${formatTable(
        ['op type', 'nacc', 'CMSIS-NN', 'CMSIS-NN / nacc', ''],
        r.ops.map((o) => [
          o.kind,
          o.nacc === null ? '—' : thousands(o.nacc),
          o.cmsis_nn === null ? '—' : thousands(o.cmsis_nn),
          o.ratio === null ? '' : `${o.ratio}x`,
          o.not_slower ? '' : 'SLOWER',
        ]),
        ['l', 'r', 'r', 'r', 'l'],
      )}\n\n`,
    );
  }
}
if (results.some((r) => !r.bit_exact)) {
  process.stderr.write('NOT BIT-EXACT\n');
  process.exitCode = 3;
}
