// PointAcc benchmark: the performance model of every example network on both example
// configurations against the measured C -O3 baseline, and the RTL's measured cycles per
// operation against the model's prediction. Prints markdown tables (used in docs/pointacc.md).
// Run: npx tsx bench/pointacc.ts [--rtl-only | --model-only]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { modelNetwork } from '../compiler/pointacc/perf-model.ts';
import { measureCpuBaseline } from '../compiler/pointacc/cpu-baseline.ts';
import { buildRtlPackage, type RtlOp } from '../compiler/rtl/pointacc/index.ts';
import { bunnyCloud, syntheticCloud, voxelize, type Cloud } from '../compiler/reference/pointcloud/index.ts';
import { runIverilog } from '../testbench/index.ts';

const args = process.argv.slice(2);
const prog = loadProgram('examples/pointacc.nacc');

if (!args.includes('--rtl-only')) {
  console.log('| network | config | cycles | time (ms) | DRAM (MB) | energy (mJ) | cache hit | fusion | cache | C -O3 (ms) | speedup |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const net of prog.networks) {
    const baseline = await measureCpuBaseline(net, { seed: 1, workDir: mkdtempSync(join(tmpdir(), 'nacc-bench-')) });
    for (const cfg of prog.pointaccs) {
      const r = modelNetwork(net, cfg, { fusion: true, cache: true, seed: 1 });
      const t = r.totals;
      console.log(
        `| ${net.name} | ${cfg.name} | ${t.cycles} | ${t.time_ms.toFixed(3)} | ${(t.dram_bytes / 1e6).toFixed(2)} | ${(t.energy_uj / 1e3).toFixed(3)} | ${r.cache_hit_rate === null ? '-' : (100 * r.cache_hit_rate).toFixed(1) + '%'} | ${r.contributions.fusion_speedup.toFixed(3)}x, -${(r.contributions.fusion_dram_saved_bytes / 1e6).toFixed(2)} MB | ${r.contributions.cache_speedup.toFixed(3)}x, -${(r.contributions.cache_dram_saved_bytes / 1e6).toFixed(2)} MB | ${baseline.total_ms.toFixed(1)} | ${(baseline.total_ms / t.time_ms).toFixed(1)}x |`,
      );
    }
  }
}

if (!args.includes('--model-only')) {
  const edge = prog.pointaccs.find((p) => p.name === 'edge')!;
  const runs: { op: RtlOp; cloud: Cloud; opts: Record<string, number | string> }[] = [
    { op: 'fps', cloud: bunnyCloud(), opts: { centers: 32 } },
    { op: 'knn', cloud: bunnyCloud(), opts: { centers: 32, k: 16 } },
    { op: 'ball_query', cloud: bunnyCloud(), opts: { centers: 32, k: 16, radius: 1.5 } },
    { op: 'ball_query', cloud: syntheticCloud('ties', 500, 1), opts: { centers: 32, k: 16, radius: 0.3, mode: 'nearest' } },
    { op: 'kernel_map', cloud: voxelize(bunnyCloud(), 0.4).voxels, opts: { kernel: 3, stride: 1 } },
    { op: 'kernel_map', cloud: voxelize(bunnyCloud(), 0.2).voxels, opts: { kernel: 2, stride: 2 } },
    { op: 'shared_mlp', cloud: bunnyCloud(), opts: { rows: 128, cin: 64, cout: 128 } },
    { op: 'gather', cloud: bunnyCloud(), opts: { centers: 64, k: 32, radius: 2 } },
  ];
  console.log('\n| op | cloud | params | RTL cycles (Icarus) | model | error | bit-exact |');
  console.log('|---|---|---|---:|---:|---:|---|');
  for (const r of runs) {
    const pkg = buildRtlPackage(r.op, r.cloud, edge, r.opts);
    const dir = mkdtempSync(join(tmpdir(), 'nacc-bench-rtl-'));
    for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
    const sim = await runIverilog({ files: [...pkg.designFiles, pkg.testbench], top: pkg.top, cwd: dir });
    const err = ((sim.cycles! - pkg.predictedCycles) / pkg.predictedCycles) * 100;
    const p = Object.entries(r.opts)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(
      `| ${r.op} | ${r.cloud.name} | ${p} | ${sim.cycles} | ${pkg.predictedCycles} | ${err >= 0 ? '+' : ''}${err.toFixed(1)}% | ${sim.ok ? `yes (${sim.passed} checks)` : `NO (${sim.failed} failed)`} |`,
    );
  }
}
