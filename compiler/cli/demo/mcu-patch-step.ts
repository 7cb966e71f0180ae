// Demo: MCUNetV2 patch-based inference. The paper's Table 1 analytically (MobileNetV2 at 224:
// 1372 kB -> 172 kB, 75x75 patches, +42%; MbV2-RD 63x63, +18%), the redistribution transform,
// and a .nacc network compiled with --schedule auto, run on the host and in QEMU bit-exact.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoStep } from './step.ts';
import { loadProgram } from '../../frontend/index.ts';
import { compileForMcu, MANIFEST, type McuManifest } from '../../mcu/compile.ts';
import { loadQModel } from '../../mcu/load.ts';
import { graphFromNetwork } from '../../mcu/patch/graph.ts';
import { redistribute } from '../../mcu/patch/redistribute.ts';
import { decideSchedule, scheduleReportJson, scheduleSvg } from '../../mcu/patch/report.ts';
import { writeReportSection } from '../../report/index.ts';
import { mcuScheduleSection } from '../../report/adapters.ts';
import { patchSchedule } from '../../mcu/patch/schedule.ts';
import { resolveBoard } from '../../mcu/targets.ts';
import { verifyProgram } from '../../../testbench/mcu/verify.ts';

const kB = (b: number) => (b / 1024).toFixed(1);

export const mcuPatchStep: DemoStep = {
  name: 'mcu patch-based',
  async run(ctx) {
    const out = join(ctx.outDir, 'mcu-patch');
    mkdirSync(out, { recursive: true });
    const problems: string[] = [];
    const parts: string[] = [];
    const artifacts: string[] = [];

    // 1. Table 1, analytically.
    const prog = loadProgram(join(ctx.examplesDir, 'mcunetv2-mobilenetv2.nacc'));
    const mbv2 = prog.networks.find((n) => n.name === 'mbv2_224')!;
    const g = graphFromNetwork(mbv2);
    const split = g.nodes.find((n) => n.name === 'x_4[1].project')!.end;
    const d = decideSchedule(g, { schedule: 'patch', split, patches: 4 });
    const t1 = d.chosen;
    ctx.log(
      `mcu patch: MobileNetV2 224: layer-by-layer ${kB(d.layer.peakSramBytes)} kB, 4x4 patches ${kB(t1.peakSramBytes)} kB, input patch ${t1.patchInput!.join('x')}, patch stage +${(t1.uniformStageMacOverhead * 100).toFixed(1)}% MACs`,
    );
    if (
      d.layer.peakSramBytes / 1024 !== 1372 ||
      Math.round(t1.peakSramBytes / 1024) !== 172 ||
      t1.patchInput![0] !== 75 ||
      Math.round(t1.uniformStageMacOverhead * 100) !== 42
    ) {
      problems.push('MobileNetV2 Table 1 figures differ from the paper');
    }
    const svg = join(out, 'mbv2_224-memory.svg');
    writeFileSync(svg, scheduleSvg(g, d, 256 * 1024));
    artifacts.push(svg);
    const section = mcuScheduleSection(JSON.parse(JSON.stringify(scheduleReportJson(g, d, { name: 'stm32f412', sramBytes: 256 * 1024 }))));
    if (section) writeReportSection(out, 'mcu-memory', section);
    else problems.push('the schedule JSON no longer matches the report adapter');
    const rdNet = prog.networks.find((n) => n.name === 'mbv2_rd_224')!;
    const rg = graphFromNetwork(rdNet);
    const rd = patchSchedule(rg, rg.nodes.find((n) => n.name === 'x_4[1].project')!.end, 4);
    if (rd.patchInput![0] !== 63 || Math.round(rd.uniformStageMacOverhead * 100) !== 18)
      problems.push('MbV2-RD figures differ from the paper');
    parts.push(
      `MbV2 224: ${kB(d.layer.peakSramBytes)} -> ${kB(t1.peakSramBytes)} kB, 75x75, +${(t1.uniformStageMacOverhead * 100).toFixed(0)}%; RD ${rd.patchInput!.join('x')}, +${(rd.uniformStageMacOverhead * 100).toFixed(0)}%`,
    );

    // 2. The redistribution transform on MobileNetV2.
    const r = redistribute(mbv2, { splitLayer: 'x_4[1].project', patches: 4, targetStageOverhead: 0.2 });
    ctx.log(
      `mcu patch: redistribution: ${r.actions.join('; ')}: input patch ${r.before.patchInput.join('x')} -> ${r.after.patchInput.join('x')}, stage +${(r.before.patchStageMacOverhead * 100).toFixed(1)}% -> +${(r.after.patchStageMacOverhead * 100).toFixed(1)}%`,
    );
    if (!(r.after.patchStageMacOverhead < r.before.patchStageMacOverhead)) problems.push('redistribution did not lower the recomputation');

    // 3. A .nacc network compiled with --schedule auto for a 96 KB part: only patch-based fits.
    const file = join(ctx.examplesDir, 'mcunetv2-vww.nacc');
    const loaded = await loadQModel(file, { network: 'vww_patch', seed: ctx.seed });
    const board = resolveBoard('f412_slice', loaded.mcus);
    const layer = compileForMcu(loaded.model, board, { schedule: 'layer' });
    const options = { schedule: 'auto' as const };
    const auto = compileForMcu(loaded.model, board, options);
    const s = auto.summary;
    if (s.schedule.kind !== 'patch' || s.arena_bytes >= layer.summary.arena_bytes)
      problems.push('auto did not pick a smaller patch-based program');
    const dir = join(out, 'vww_patch');
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(auto.program.files)) writeFileSync(join(dir, f), text);
    const manifest: McuManifest = { version: 1, source: loaded.ref, board, options, summary: s };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    ctx.log(
      `mcu patch: vww_patch: layer-by-layer arena ${layer.summary.arena_bytes} B, auto: split ${s.schedule.split}, ${s.schedule.patches}x${s.schedule.patches}, arena ${s.arena_bytes} B; verifying on the host and in QEMU`,
    );
    const v = await verifyProgram(dir, { host: true, qemu: true, timeoutMs: 600_000 });
    if (!v.host?.bit_exact) problems.push('vww_patch host output differs from the reference');
    if (!v.qemu?.bit_exact) problems.push('vww_patch QEMU output differs from the reference');
    parts.push(
      `vww_patch.nacc on ${board.name}: arena ${layer.summary.arena_bytes} -> ${s.arena_bytes} B (${s.schedule.patches}x${s.schedule.patches}), RAM ${v.qemu?.ram_bytes} B, host+QEMU ${v.host?.bit_exact && v.qemu?.bit_exact ? 'bit-exact' : 'DIFFER'}`,
    );
    return { status: problems.length ? 'failed' : 'ok', summary: problems.length ? problems.join('; ') : parts.join('; '), artifacts };
  },
};
