// The schedule's figure beside the program's (issue 19): for every shared model (and any model
// files given), `nacc mcu-schedule --schedule auto` and `nacc mcu --schedule auto` on one target,
// then `nacc verify --json` (host and QEMU). Prints a Markdown table: schedule, the analytic
// peak of each command, the program's arena, QEMU's measured RAM and stack, bit-exactness.
//   npx tsx bench/mcu-schedule-vs-program.ts [--target stm32h743] [MODEL...] [--json]
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const target = flag('--target') ?? 'stm32h743';
const asJson = args.includes('--json');
const files = args.filter((a) => !a.startsWith('--'));
const MODELS = '../shared/models';
const models =
  files.length > 0
    ? files
    : readdirSync(MODELS).flatMap((d) =>
        readdirSync(join(MODELS, d))
          .filter((f) => f.endsWith('.tflite'))
          .map((f) => join(MODELS, d, f)),
      );
const out = mkdtempSync(join(tmpdir(), 'nacc-bench-schedule-vs-program-'));

async function nacc(a: string[]) {
  const r = await execa('node', ['bin/nacc.js', ...a], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`nacc ${a.join(' ')}: exit ${r.exitCode}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const rows: Record<string, unknown>[] = [];
try {
  for (const file of models) {
    const name = basename(file).replace(/\.tflite$/, '');
    const dir = join(out, name);
    const s = await nacc(['mcu-schedule', file, '--target', target, '--json']);
    const m = await nacc(['mcu', file, '--target', target, '--schedule', 'auto', '--out', dir, '--json']);
    const v = await nacc(['verify', dir, '--json']);
    const sc = m.schedule;
    rows.push({
      model: name,
      schedule: sc.kind === 'patch' ? `split ${sc.split}, ${sc.patches}x${sc.patches}, input ${sc.patch_input.join('x')}` : 'layer',
      same_schedule:
        JSON.stringify(s.schedule) === JSON.stringify({ kind: sc.kind, split: sc.split, patches: sc.patches, patch_input: sc.patch_input }),
      mcu_schedule_peak: s.peak_sram_bytes,
      mcu_peak: m.peak_sram_bytes,
      arena: m.arena_bytes,
      layer_peak: s.layer_peak_sram_bytes,
      mac_overhead: m.mac_overhead,
      qemu_ram: v.qemu.ram_bytes,
      qemu_stack: v.qemu.stack_bytes,
      instructions: v.qemu.instructions,
      host_exact: v.host.bit_exact,
      qemu_exact: v.qemu.bit_exact,
    });
    process.stderr.write(`${name} done\n`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (asJson) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else {
  const n = (v: unknown) => Number(v).toLocaleString('en-US');
  process.stdout.write(
    `target ${target}\n\n| model | auto schedule (both commands) | same | mcu-schedule peak B | mcu peak B | arena B | layer-by-layer peak B | MAC + | QEMU RAM B (stack) | instructions | host | QEMU |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.model} | ${r.schedule} | ${r.same_schedule ? 'yes' : 'NO'} | ${n(r.mcu_schedule_peak)} | ${n(r.mcu_peak)} | ${n(r.arena)} | ${n(r.layer_peak)} | ${(Number(r.mac_overhead) * 100).toFixed(1)}% | ${n(r.qemu_ram)} (${n(r.qemu_stack)}) | ${n(r.instructions)} | ${r.host_exact ? 'exact' : 'DIFFERS'} | ${r.qemu_exact ? 'exact' : 'DIFFERS'} |\n`,
    );
  }
}
