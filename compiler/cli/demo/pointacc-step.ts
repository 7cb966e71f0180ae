// Demo: PointAcc end to end on examples/pointacc.nacc: the performance model of PointNet++
// (with the fusion and cache ablations and the measured -O3 C baseline), and the mapping-unit
// RTL for kNN on the Stanford bunny and ball query on a tie-heavy lattice, simulated in Icarus
// and checked bit-exact against the golden model with cycles against the model's prediction.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { DemoStep } from './step.ts';
import { loadProgram } from '../../frontend/index.ts';
import { modelNetwork, perfJson } from '../../pointacc/perf-model.ts';
import { measureCpuBaseline } from '../../pointacc/cpu-baseline.ts';
import { buildRtlPackage, type RtlOp } from '../../rtl/pointacc/index.ts';
import { bunnyCloud, syntheticCloud, type Cloud } from '../../reference/pointcloud/cloud.ts';
import { runIverilog } from '../../../testbench/index.ts';
import { writeRtlPackage, findConfig } from '../pointacc.ts';
import { writeReportSection } from '../../report/index.ts';

export const pointaccStep: DemoStep = {
  name: 'pointacc',
  async run(ctx) {
    const file = join(ctx.examplesDir, 'pointacc.nacc');
    const prog = loadProgram(file);
    const config = findConfig(prog, 'edge', file);
    const net = prog.networks.find((n) => n.name === 'pointnet2_cls')!;
    const report = modelNetwork(net, config, { fusion: true, cache: true, seed: ctx.seed });
    ctx.log(`pointacc: model ${net.name}: ${report.totals.cycles} cycles, ${report.totals.dram_bytes} B DRAM`);
    const baseline = await measureCpuBaseline(net, { seed: ctx.seed, workDir: join(ctx.outDir, 'pointacc', 'baseline') });
    mkdirSync(join(ctx.outDir, 'pointacc'), { recursive: true });
    const perfFile = join(ctx.outDir, 'pointacc', 'pointnet2_cls.json');
    writeFileSync(perfFile, JSON.stringify(perfJson(report, baseline), null, 2) + '\n');
    // The same network with fusion off, layer by layer, for the report's comparison.
    const unfused = modelNetwork(net, config, { fusion: false, cache: true, seed: ctx.seed });
    writeReportSection(join(ctx.outDir, 'pointacc'), 'pointacc', {
      kind: 'pointacc-cycles',
      title: `PointAcc: ${net.name} on ${config.name}, cycles per layer with and without fusion`,
      network: net.name,
      config: config.name,
      layers: report.layers.map((l) => ({
        name: l.name,
        cycles_fused: l.cycles,
        cycles_unfused: unfused.layers.find((u) => u.name === l.name)?.cycles ?? l.cycles,
      })),
      facts: {
        'total cycles (fused)': report.totals.cycles,
        'total cycles (unfused)': unfused.totals.cycles,
        'DRAM bytes (fused)': report.totals.dram_bytes,
      },
    });
    const runs: { op: RtlOp; cloud: Cloud; opts: Record<string, number | string> }[] = [
      { op: 'knn', cloud: bunnyCloud(), opts: { centers: 8, k: 8 } },
      { op: 'ball_query', cloud: syntheticCloud('ties', 300, ctx.seed), opts: { centers: 8, k: 8, radius: 0.3 } },
    ];
    const problems: string[] = [];
    const figures: string[] = [];
    const artifacts = [perfFile];
    for (const r of runs) {
      const pkg = buildRtlPackage(r.op, r.cloud, config, r.opts);
      const dir = join(ctx.outDir, 'pointacc', `${r.op}-${r.cloud.name}`);
      artifacts.push(writeRtlPackage(dir, pkg, { config: config.name, cloud: r.cloud.name }));
      ctx.log(`pointacc: simulating ${r.op} on ${r.cloud.name} in Icarus`);
      const sim = await runIverilog({ files: [...pkg.designFiles, pkg.testbench], top: pkg.top, cwd: dir });
      const err = sim.cycles === undefined ? Infinity : Math.abs(sim.cycles - pkg.predictedCycles) / pkg.predictedCycles;
      if (!sim.ok)
        problems.push(
          `${r.op} on ${r.cloud.name}: ${sim.passed ?? 0} passed, ${sim.failed ?? '?'} failed${sim.firstMismatch ? ` (${sim.firstMismatch})` : ''}`,
        );
      if (err > 0.1) problems.push(`${r.op}: RTL ${sim.cycles} cycles vs model ${pkg.predictedCycles}`);
      figures.push(
        `${r.op}/${r.cloud.name} ${sim.passed}/${(sim.passed ?? 0) + (sim.failed ?? 0)} bit-exact, ${sim.cycles} cyc (model ${pkg.predictedCycles})`,
      );
    }
    const speedup = baseline.total_ms / report.totals.time_ms;
    return {
      status: problems.length ? 'failed' : 'ok',
      summary: problems.length
        ? problems.join('; ')
        : `pointnet2_cls ${report.totals.time_ms.toFixed(2)} ms on edge vs ${baseline.total_ms.toFixed(1)} ms C -O3 (${speedup.toFixed(1)}x); ${figures.join('; ')}`,
      artifacts,
    };
  },
};
