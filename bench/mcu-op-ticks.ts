// Per-op instruction counts of a generated MCU program in QEMU (-icount shift=0, mps2-an386
// Cortex-M4), shared by the MCU benches: a copy of model.c gets every op of nacc_run bracketed
// by SysTick reads (1 tick = 40 instructions), and the residual ADD inside a convolution fused
// with it (compiler/mcu/emit.ts, fusedConvAdd) gets its own counter, so ADD and CONV_2D can be
// told apart. The output is checked bit for bit against the TS reference executor.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QModel } from '../compiler/ir/quantized.ts';
import { buildArm, runQemu, ticksToInstructions } from '../testbench/mcu/runner.ts';
import { runModel, toBytes } from '../compiler/reference/int8/executor.ts';

export interface OpSite {
  index: number;
  kind: string;
  name: string;
  kernel: string;
}

export interface OpTicks {
  sites: OpSite[];
  /** Instructions per site (the fused residual ADD's share excluded). */
  instructions: number[];
  /** Instructions of the residual ADDs fused into a site's convolution (0 elsewhere). */
  fusedAdd: number[];
  total: number;
  bitExact: boolean;
  stackBytes: number;
  ramBytes: number;
}

const CVR = '(*(volatile uint32_t *)0xE000E018u)';

/** Bracket every op statement of nacc_run with SysTick reads into nacc_bench_ticks[]. */
export function instrument(files: Record<string, string>): { files: Record<string, string>; sites: OpSite[] } {
  const lines = files['model.c'].split('\n');
  const start = lines.findIndex((l) => l.startsWith('void nacc_run(void) {'));
  if (start < 0) throw new Error('model.c has no nacc_run');
  const sites: OpSite[] = [];
  const out = lines.slice(0, start);
  out.push(
    `#define NACC_BENCH_CVR ${CVR}`,
    'uint32_t nacc_bench_ticks[1024];',
    'uint32_t nacc_bench_add[1024];',
    'int32_t nacc_bench_ops;',
  );
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
    if (l === '}') {
      out.push(`  nacc_bench_ops = ${sites.length};`, l, ...lines.slice(i + 1));
      break;
    }
    if (m) {
      const next = lines.slice(i + 1).findIndex((x) => /^ {2}\/\* op \d+:/.test(x) || x === '}');
      const call = lines.slice(i + 1, next < 0 ? undefined : i + 1 + next).find((x) => /^\s*(nacc_\w+)\(/.test(x));
      sites.push({ index: Number(m[1]), kind: m[2], name: m[3], kernel: call?.match(/^\s*(\w+)\(/)?.[1] ?? '' });
      out.push(l, '  { const uint32_t nacc_bench_t0 = NACC_BENCH_CVR;');
      open = true;
      continue;
    }
    // the residual ADD of a fused convolution: its own counter (the op's total still includes it)
    if (open && /^ {4}nacc_(fast_)?add\(&a,/.test(l)) {
      out.push(
        `    { const uint32_t nacc_bench_a0 = NACC_BENCH_CVR;`,
        l,
        `      nacc_bench_add[${sites.length - 1}] += (nacc_bench_a0 - NACC_BENCH_CVR) & 0x00FFFFFFu; }`,
      );
      continue;
    }
    out.push(l);
  }
  const main = files['main.c'].replace(
    '  print_u32("NACC_STACK ", nacc_stack_used());',
    '  print_u32("NACC_STACK ", nacc_stack_used());\n  { extern uint32_t nacc_bench_ticks[]; extern uint32_t nacc_bench_add[]; extern int32_t nacc_bench_ops;\n    for (int32_t i = 0; i < nacc_bench_ops; i++) { print_u32("NACC_OP_TICKS ", nacc_bench_ticks[i]); print_u32("NACC_ADD_TICKS ", nacc_bench_add[i]); } }',
  );
  if (main === files['main.c']) throw new Error('main.c: no NACC_STACK line to extend');
  return { files: { ...files, 'model.c': out.join('\n'), 'main.c': main }, sites };
}

/**
 * Build the instrumented program in a fresh folder (under `parent`, default the system temp
 * folder), run it in QEMU on `input`, read the counts.
 */
export async function measureOps(files: Record<string, string>, source: QModel, input: Uint8Array, parent = tmpdir()): Promise<OpTicks> {
  const { files: inst, sites } = instrument(files);
  const dir = join(mkdtempSync(join(parent, 'nacc-op-ticks-')), 'prog');
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(inst)) writeFileSync(join(dir, f), text);
  const raw = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
  const x = source.tensors[source.inputs[0]].dtype === 'float32' ? new Float32Array(raw) : new Int8Array(raw);
  const expected = Buffer.concat(runModel(source, [x]).map((o) => Buffer.from(toBytes(o))));
  const arm = await buildArm(dir);
  const q = await runQemu(arm.elf, input, join(dir, 'build'), { timeoutMs: 600_000 });
  const ticks = [...q.stdout.matchAll(/NACC_OP_TICKS (\d+)/g)].map((m) => Number(m[1]));
  const adds = [...q.stdout.matchAll(/NACC_ADD_TICKS (\d+)/g)].map((m) => Number(m[1]));
  if (ticks.length !== sites.length) throw new Error(`expected ${sites.length} op timings, read ${ticks.length}`);
  const fusedAdd = adds.map(ticksToInstructions);
  return {
    sites,
    instructions: ticks.map((t, k) => ticksToInstructions(t) - fusedAdd[k]),
    fusedAdd,
    total: ticksToInstructions(q.ticks),
    bitExact: Buffer.from(q.output).equals(expected),
    stackBytes: q.stackBytes,
    ramBytes: arm.sections.data + arm.sections.bss + q.stackBytes,
  };
}
