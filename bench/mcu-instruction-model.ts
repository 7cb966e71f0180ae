// The instruction-count model (compiler/mcu/instructions.ts) against QEMU's per-op counts:
// reads the per-op JSON of bench/mcu-conv-layers.ts (one file per model and kernel path,
// `<model>.<smlad|portable>.json` in DIR), prints predicted beside measured per op type and in
// total, and the criteria (every op of >= 1% of the total within 10%, the total within 5%).
// With --fit it first refits the coefficients by least squares per kernel class and rewrites
// compiler/mcu/instruction-model.ts.
//   for m in MODELS; do npx tsx bench/mcu-conv-layers.ts $m --json [--portable] > DIR/<name>.<path>.json; done
//   npx tsx bench/mcu-instruction-model.ts --from DIR [--fit]
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTflite } from '../compiler/importers/tflite/index.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { opCostFeatures, predictInstructions, type KernelPath, type OpCostFeatures } from '../compiler/mcu/instructions.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';

const args = process.argv.slice(2);
const from = args[args.indexOf('--from') + 1];
if (!args.includes('--from') || !from) throw new Error('usage: bench/mcu-instruction-model.ts --from DIR [--fit]');
const MODELS = '../shared/models';
const files = new Map(readdirSync(MODELS).flatMap((d) => readdirSync(join(MODELS, d)).filter((f) => f.endsWith('.tflite')).map((f) => [f.replace(/\.tflite$/, ''), join(MODELS, d, f)] as const)));

interface Run { name: string; path: KernelPath; rows: { op: number; instructions: number }[]; total: number; parts: OpCostFeatures[][]; model: ReturnType<typeof compileForMcu> }
const runs: Run[] = [];
for (const [name, file] of files) {
  for (const path of ['smlad', 'portable'] as KernelPath[]) {
    const j = join(from, `${name}.${path}.json`);
    if (!existsSync(j) || readFileSync(j, 'utf8').trim() === '') continue;
    const data = JSON.parse(readFileSync(j, 'utf8'));
    const model = importTflite(readFileSync(file), file);
    const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer', fastKernels: path === 'smlad' });
    const parts = c.model.ops.map((op) => opCostFeatures(c.model, op, c.plan, path));
    runs.push({ name, path, rows: data.rows, total: data.summary.total_instructions, parts, model: c });
  }
}

function solve(rows: { x: number[]; y: number }[], n: number): number[] {
  // least squares on columns scaled to their largest value, with a tiny ridge for rank-deficient classes
  const scale = Array.from({ length: n }, (_, i) => Math.max(1e-9, ...rows.map((r) => Math.abs(r.x[i]))));
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const r of rows) {
    const w = 1 / Math.max(1, r.y); // relative error
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i][j] += w * w * (r.x[i] / scale[i]) * (r.x[j] / scale[j]);
      A[i][n] += w * w * (r.x[i] / scale[i]) * r.y;
    }
  }
  const trace = A.reduce((t, row, i) => t + row[i], 0);
  for (let i = 0; i < n; i++) A[i][i] += 1e-9 * trace;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || A[c][c] === 0) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return Array.from({ length: n }, (_, i) => (A[i][i] === 0 ? 0 : A[i][n] / A[i][i] / scale[i]));
}

if (args.includes('--fit')) {
  const classes: Record<string, number[]> = {};
  const predict = (p: OpCostFeatures) => (classes[p.cls] ?? []).reduce((s, c, i) => s + c * p.features[i], 0);
  for (let round = 0; round < 4; round++) {
    const data = new Map<string, { x: number[]; y: number }[]>();
    for (const r of runs) {
      for (const row of r.rows) {
        const parts = r.parts[row.op] ?? [];
        parts.forEach((p, i) => {
          // single-part rows first; a fused row then refits its convolution only (the ADD's own
          // rows fix the ADD's coefficients)
          if (parts.length > 1 && (round === 0 || i > 0)) return;
          const others = parts.reduce((s, q, j) => (j === i ? s : s + predict(q)), 0);
          if (!data.has(p.cls)) data.set(p.cls, []);
          data.get(p.cls)!.push({ x: p.features, y: Math.max(0, row.instructions - others) });
        });
      }
    }
    for (const [cls, rows] of data) {
      // fewer rows than features: the leading features only (MACs or elements first)
      const n = Math.min(rows[0].x.length, new Set(rows.map((r) => r.x.join())).size);
      // non-negative: a feature whose coefficient comes out negative is dropped and the rest
      // refitted (costs only add up; negative terms extrapolate badly to other shapes)
      const keep = Array.from({ length: n }, (_, i) => i);
      let c: number[] = [];
      for (;;) {
        const sub = solve(rows.map((r) => ({ x: keep.map((i) => r.x[i]), y: r.y })), keep.length);
        c = new Array<number>(n).fill(0);
        keep.forEach((i, j) => (c[i] = sub[j]));
        const neg = keep.filter((i) => c[i] < 0);
        if (neg.length === 0) break;
        keep.splice(keep.indexOf(neg.reduce((a, b) => (c[a] < c[b] ? a : b))), 1);
      }
      classes[cls] = [...c, ...new Array(rows[0].x.length - n).fill(0)].map((v) => Number(v.toPrecision(6)));
    }
  }
  const fixed = runs.reduce((s, r) => s + (r.total - r.rows.reduce((t, x) => t + x.instructions, 0)), 0) / Math.max(1, runs.length);
  const sorted = Object.fromEntries(Object.entries(classes).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync('compiler/mcu/instruction-model.ts', [
    '// Coefficients of the instruction-count model (compiler/mcu/instructions.ts), per kernel class,',
    '// fitted by `npx tsx bench/mcu-instruction-model.ts --from DIR --fit` on per-op QEMU counts. Generated.',
    `export const INSTRUCTION_MODEL = ${JSON.stringify({ fixed: Math.round(fixed), classes: sorted }, null, 2).replace(/\n\s+(-?[\d.e+-]+,?)(?=\n)/g, ' $1').replace(/\[ /g, '[').replace(/\n\s+\]/g, ']')};`,
    '',
  ].join('\n'));
  process.stdout.write(`fitted ${Object.keys(sorted).length} classes on ${runs.length} runs; wrote compiler/mcu/instruction-model.ts (re-run without --fit to evaluate)\n`);
} else {
  const out: string[] = ['| model | path | measured | predicted | error | ops >= 1% | worst op error (op, kind) |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of runs) {
    const pred = predictInstructions(r.model.model, r.model.plan, r.path);
    const byOp = new Map(pred.per_op.map((o) => [o.op, o]));
    let worst = { err: 0, op: -1, kind: '' };
    let big = 0;
    // a fused convolution's row holds its ADD too: compare the pair
    for (const row of r.rows) {
      if (row.instructions < 0.01 * r.total) continue;
      big++;
      const p = byOp.get(row.op)!.instructions;
      const err = Math.abs(p - row.instructions) / row.instructions;
      if (err > worst.err) worst = { err, op: row.op, kind: byOp.get(row.op)!.kernel };
    }
    const err = (pred.total - r.total) / r.total;
    out.push(`| ${r.name} | ${r.path} | ${r.total.toLocaleString('en-US')} | ${pred.total.toLocaleString('en-US')} | ${(err * 100).toFixed(1)}% | ${big} | ${(worst.err * 100).toFixed(1)}% (${worst.op}, ${worst.kind}) |`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
