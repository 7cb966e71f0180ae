// Whole point-cloud layers through the PointAcc top: a PointNet++ set-abstraction layer and
// MinkowskiNet-style sparse convs, on several clouds and two configurations, in Icarus and
// Verilator; simulated cycles against the performance model (nacc pointacc --json), DRAM bytes
// and cache hit rate. Slow (a Verilator build per case). The docs table (docs/pointacc.md) is its output.
// Run: npx tsx bench/pointacc-layers.ts [--verilator-all]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { buildLayerRtl } from '../compiler/rtl/pointacc/layer-select.ts';
import { modelNetwork } from '../compiler/pointacc/perf-model.ts';
import { resolveCloud } from '../compiler/cli/pointacc.ts';
import { writeRtlPackage } from '../compiler/cli/pointacc.ts';
import { voxelize } from '../compiler/reference/pointcloud/mapping.ts';
import { runIverilog, runVerilator, lintVerilator } from '../testbench/index.ts';

const verilatorAll = process.argv.includes('--verilator-all');
const prog = loadProgram('bench/pointacc-layers.nacc');
const net = (n: string) => prog.networks.find((x) => x.name === n)!;
const clouds = ['sphere:512:1', 'clutter:512:2', 'bunny:512'];
interface Case {
  network: string;
  layer: string;
  config: string;
  cloud: string;
  fusion: boolean;
  cache: boolean;
  voxel?: number;
  both: boolean;
}
const voxelOf = (cloud: string) => (cloud.startsWith('bunny') ? 0.25 : 0.12);
const cases: Case[] = [];
// Both layer kinds on three clouds and two configurations, in both simulators.
for (const config of ['edge', 'large']) {
  for (const cloud of clouds) {
    cases.push({ network: 'sa_bench', layer: 'l1', config, cloud, fusion: true, cache: true, both: true });
    cases.push({ network: 'mink_bench', layer: 's0', config, cloud, fusion: true, cache: true, voxel: voxelOf(cloud), both: true });
  }
}
// A sparse cloud, fusion and cache off, the strided conv: Icarus (both simulators with --verilator-all).
for (const config of ['edge', 'large']) {
  cases.push({ network: 'sa_bench', layer: 'l1', config, cloud: 'sparse:512:3', fusion: true, cache: true, both: verilatorAll });
  cases.push({ network: 'sa_bench', layer: 'l1', config, cloud: clouds[2], fusion: false, cache: true, both: verilatorAll });
  cases.push({ network: 'sa_bench', layer: 'l1', config, cloud: clouds[2], fusion: true, cache: false, both: verilatorAll });
  cases.push({ network: 'mink_bench', layer: 's0', config, cloud: clouds[2], fusion: true, cache: false, voxel: 0.25, both: verilatorAll });
  cases.push({ network: 'mink_bench', layer: 'd1', config, cloud: clouds[2], fusion: true, cache: true, voxel: 0.25, both: verilatorAll });
}

console.log('| layer | config | cloud | fusion | cache | Icarus | Verilator | cycles | model cycles | error | DRAM bytes | cache hit |');
console.log('|---|---|---|---|---|---|---|---:|---:|---:|---:|---:|');
let bad = 0;
let worst = 0;
for (const c of cases) {
  const config = prog.pointaccs.find((p) => p.name === c.config)!;
  let cloud = resolveCloud(c.cloud, 1);
  if (c.voxel) cloud = voxelize(cloud, c.voxel).voxels;
  const rtl = buildLayerRtl(net(c.network), c.layer, config, { cloud, fusion: c.fusion, cache: c.cache, seed: 1 });
  const report = modelNetwork(net(c.network), config, { fusion: c.fusion, cache: c.cache, cloud: rtl.cloud, seed: 1 });
  const model = report.layers.filter((l) => rtl.modelLayers.includes(l.name)).reduce((a, l) => a + l.cycles, 0);
  const dir = mkdtempSync(join(tmpdir(), 'nacc-layers-'));
  writeRtlPackage(dir, rtl.pkg, {});
  const files = [...rtl.pkg.designFiles, rtl.pkg.testbench];
  const lint = await lintVerilator(rtl.pkg.designFiles, { cwd: dir, top: rtl.pkg.designFiles[0].replace(/\.v$/, '') });
  const iv = await runIverilog({ files, top: rtl.pkg.top, cwd: dir });
  const vl = c.both ? await runVerilator({ files, top: rtl.pkg.top, cwd: dir }) : undefined;
  const ok = iv.ok && (!vl || (vl.ok && iv.cycles === vl.cycles)) && lint.length === 0;
  if (!ok) bad++;
  const cycles = iv.cycles ?? 0;
  const err = cycles ? cycles / model - 1 : NaN;
  worst = Math.max(worst, Math.abs(err));
  const fmt = (s: typeof iv) =>
    s.ok ? `${s.passed}/${s.passed} exact` : `FAIL ${s.failed}${s.firstMismatch ? ` (${s.firstMismatch})` : ''}`;
  const acc = rtl.pkg.hits + rtl.pkg.misses;
  const kind = rtl.kind === 'set_abstraction' ? `SA ${c.layer}` : `sparse conv ${c.layer}${c.layer === 'd1' ? ' (k2 s2)' : ' (k3)'}`;
  const cloudName = `${rtl.cloud.name} (${rtl.cloud.xyz.length / 3})`;
  console.log(
    `| ${kind} | ${c.config} | ${cloudName} | ${c.fusion ? 'on' : 'off'} | ${c.cache ? 'on' : 'off'} | ${fmt(iv)} | ${vl ? fmt(vl) : '-'} | ${cycles} | ${model} | ${(100 * err).toFixed(1)}% | ${rtl.pkg.dramBytes} | ${c.cache && acc ? `${((100 * rtl.pkg.hits) / acc).toFixed(1)}%` : '-'} |${lint.length ? ` lint: ${lint.length}` : ''}`,
  );
}
console.log(
  `\n${cases.length - bad}/${cases.length} cases bit-exact (${cases.filter((c) => c.both).length} in both simulators, identical cycles), lint clean; largest model error ${(100 * worst).toFixed(1)}%`,
);
