// Every model under ../shared/models through the MCU backend: arena vs TFLite Micro's
// planner, RAM from the ELF + painted stack, instructions per inference and per MAC in QEMU
// (-icount), and bit-exactness against TFLite Micro's outputs on host and QEMU.
// Run: npx tsx bench/mcu-models.ts [--json]
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { loadQModel } from '../compiler/mcu/load.ts';
import { buildArm, buildHost, runHost, runQemu, ticksToInstructions } from '../testbench/mcu/runner.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { formatTable, thousands } from '../compiler/cli/table.ts';
import { SHARED_MODELS } from '../tests/mcu/models.ts';

const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-bench-'));
const rows = [];
for (const m of SHARED_MODELS) {
  const { model } = await loadQModel(m.tflite);
  const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer' });
  const dir = join(work, m.name);
  mkdirSync(dir, { recursive: true });
  for (const [f, t] of Object.entries(c.program.files)) writeFileSync(join(dir, f), t);
  const readme = readFileSync(`${m.reference}/README.md`, 'utf8');
  const tflmHead = Number(readme.match(/non-persistent head[^*]*\*\*(\d+)\*\*/)![1]);
  const input = readFileSync(`${m.reference}/input_0.bin`);
  const want = readFileSync(`${m.reference}/output_0.bin`);
  const host = await runHost(await buildHost(dir), input, join(dir, 'build'));
  const arm = await buildArm(dir);
  const q = await runQemu(arm.elf, input, join(dir, 'build'), { timeoutMs: 600_000 });
  const instructions = ticksToInstructions(q.ticks);
  rows.push({
    model: m.name,
    macs: c.summary.macs,
    arena_bytes: c.summary.arena_bytes,
    tflm_nonpersistent_bytes: tflmHead,
    ram_bytes: arm.sections.data + arm.sections.bss + q.stackBytes,
    stack_bytes: q.stackBytes,
    flash_bytes: arm.sections.text,
    instructions,
    instructions_per_mac: Number((instructions / c.summary.macs).toFixed(2)),
    host_bit_exact: Buffer.from(host.output).equals(want),
    qemu_bit_exact: Buffer.from(q.output).equals(want),
  });
}
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  process.stdout.write(
    formatTable(
      ['model', 'MACs', 'arena B', 'TFLM head B', 'RAM B (ELF+stack)', 'stack B', 'flash B', 'instructions', 'instr/MAC', 'host', 'QEMU'],
      rows.map((r) => [
        r.model,
        thousands(r.macs),
        thousands(r.arena_bytes),
        thousands(r.tflm_nonpersistent_bytes),
        thousands(r.ram_bytes),
        String(r.stack_bytes),
        thousands(r.flash_bytes),
        thousands(r.instructions),
        String(r.instructions_per_mac),
        r.host_bit_exact ? 'exact' : 'DIFF',
        r.qemu_bit_exact ? 'exact' : 'DIFF',
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ) + '\n',
  );
}
