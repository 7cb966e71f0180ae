// Demo: the MCU backend end to end. A .nacc network (examples/mcu-kws.nacc) is calibrated,
// compiled to C and run on the host and in QEMU (mps2-an386) bit-exact with the TS reference;
// when ../shared/models is present, TFLite models are also checked against TFLite Micro.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoStep } from './step.ts';
import { compileForMcu, MANIFEST, type McuManifest } from '../../mcu/compile.ts';
import { loadQModel } from '../../mcu/load.ts';
import { resolveBoard } from '../../mcu/targets.ts';
import { verifyProgram } from '../../../testbench/mcu/verify.ts';
import { writeRunManifest, writeVerifyResult } from '../../report/index.ts';
import { buildArm, buildHost, runHost, runQemu } from '../../../testbench/mcu/runner.ts';

const TFLM_CASES = [
  { name: 'kws_ref_model', tflite: '../shared/models/mlperf-tiny/kws_ref_model.tflite' },
  { name: 'model_ToyCar_quant_fullint_micro_intio', tflite: '../shared/models/mlperf-tiny/model_ToyCar_quant_fullint_micro_intio.tflite' },
];

export const mcuStep: DemoStep = {
  name: 'mcu',
  async run(ctx) {
    const out = join(ctx.outDir, 'mcu');
    mkdirSync(out, { recursive: true });
    const problems: string[] = [];
    const parts: string[] = [];

    // 1. a .nacc network through calibration, C emission and both runs
    const file = join(ctx.examplesDir, 'mcu-kws.nacc');
    const loaded = await loadQModel(file, { network: 'kws_small', seed: ctx.seed });
    const board = resolveBoard('cortex_m4_board', loaded.mcus);
    const options = { schedule: 'layer' as const };
    const compiled = compileForMcu(loaded.model, board, options);
    const dir = join(out, 'kws_small');
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(compiled.program.files)) writeFileSync(join(dir, f), text);
    const manifest: McuManifest = { version: 1, source: loaded.ref, board, options, summary: compiled.summary };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    // The run folder as `nacc mcu --out` and `nacc verify` leave it, so the report shows the program's memory and instructions.
    writeRunManifest(dir, {
      kind: 'mcu',
      title: `MCU program: ${compiled.summary.model} on ${board.name}`,
      command: 'nacc demo --only mcu',
    });
    ctx.log(`mcu: ${compiled.summary.model}: arena ${compiled.summary.arena_bytes} B, verifying on the host and in QEMU`);
    const v = await verifyProgram(dir, { host: true, qemu: true, debug: true, timeoutMs: 600_000 });
    const { output: _omit, ...measured } = v;
    writeVerifyResult(dir, measured);
    if (!v.host?.bit_exact || v.host.debug?.first_mismatch) problems.push('kws_small host output differs');
    if (!v.qemu?.bit_exact || v.qemu.debug?.first_mismatch) problems.push('kws_small QEMU output differs');
    parts.push(
      `kws_small.nacc: arena ${compiled.summary.arena_bytes} B, RAM ${v.qemu?.ram_bytes} B, ${v.qemu?.instructions_per_mac} instr/MAC, every op bit-exact`,
    );

    // 2. TFLite models against TFLite Micro's own outputs
    let tflmOk = 0;
    for (const c of TFLM_CASES) {
      const ref = `../shared/reference/tflm/${c.name}`;
      if (!existsSync(c.tflite) || !existsSync(ref)) {
        ctx.log(`mcu: ${c.tflite} or ${ref} missing; skipping the TFLM comparison`);
        continue;
      }
      const m = await loadQModel(c.tflite);
      const cc = compileForMcu(m.model, resolveBoard('stm32f412'), options);
      const d = join(out, c.name);
      mkdirSync(d, { recursive: true });
      for (const [f, text] of Object.entries(cc.program.files)) writeFileSync(join(d, f), text);
      const head = Number(readFileSync(`${ref}/README.md`, 'utf8').match(/non-persistent head[^*]*\*\*(\d+)\*\*/)?.[1] ?? NaN);
      if (!(cc.summary.arena_bytes <= head)) problems.push(`${c.name}: arena ${cc.summary.arena_bytes} B > TFLM ${head} B`);
      const input = readFileSync(`${ref}/input_0.bin`);
      const want = readFileSync(`${ref}/output_0.bin`);
      const h = await runHost(await buildHost(d), input, join(d, 'build'));
      const q = await runQemu((await buildArm(d)).elf, input, join(d, 'build'), { timeoutMs: 600_000 });
      if (!Buffer.from(h.output).equals(want)) problems.push(`${c.name}: host output differs from TFLM`);
      else if (!Buffer.from(q.output).equals(want)) problems.push(`${c.name}: QEMU output differs from TFLM`);
      else tflmOk++;
    }
    if (tflmOk) parts.push(`${tflmOk} TFLite models bit-exact with TFLite Micro (host + QEMU), arenas within TFLM's`);
    return {
      status: problems.length ? 'failed' : 'ok',
      summary: problems.length ? problems.join('; ') : parts.join('; '),
      artifacts: [join(dir, 'model.c'), join(dir, MANIFEST)],
    };
  },
};
