// Both simulators on every PointAcc unit and several clouds (the bunny, a tie-heavy lattice,
// duplicates / a sparse cloud): bit-exactness and cycles in Icarus and Verilator. Slow
// (a Verilator build per case); the test suite runs a subset. Run: npx tsx bench/pointacc-sims.ts
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { buildRtlPackage, type RtlOp } from '../compiler/rtl/pointacc/index.ts';
import { bunnyCloud, cloudSize, makeCloud, point, syntheticCloud, voxelize, type Cloud } from '../compiler/reference/pointcloud/index.ts';
import { runIverilog, runVerilator } from '../testbench/index.ts';

const prog = loadProgram('examples/pointacc.nacc');
const edge = {
  ...prog.pointaccs.find((p) => p.name === 'edge')!,
  mappingUnit: { sorterWidth: 8, keyBits: 32 },
  matrixUnit: [8, 8] as [number, number],
  cacheBytes: 2048,
};
const ties = syntheticCloud('ties', 300, 2);
const lattice = makeCloud(
  'lattice-dups',
  Array.from({ length: cloudSize(ties) }, (_, i) => point(ties, i).map((v) => v * 8)),
);
const clouds: Record<string, Cloud> = {
  bunny: bunnyCloud(),
  ties,
  duplicates: syntheticCloud('duplicates', 250, 3),
  sparse: syntheticCloud('sparse', 240, 4),
};
const runs: { op: RtlOp; cloud: Cloud; opts: Record<string, number | string> }[] = [];
for (const name of ['bunny', 'ties', 'duplicates']) {
  const c = clouds[name];
  const r = name === 'bunny' ? 1.5 : 0.3;
  runs.push({ op: 'fps', cloud: c, opts: { centers: 12 } });
  runs.push({ op: 'knn', cloud: c, opts: { centers: 12, k: 12 } });
  runs.push({ op: 'ball_query', cloud: c, opts: { centers: 12, k: 12, radius: r } });
  runs.push({ op: 'ball_query', cloud: c, opts: { centers: 12, k: 12, radius: r, mode: 'nearest' } });
}
runs.push({ op: 'ball_query', cloud: clouds.sparse, opts: { centers: 12, k: 12, radius: 0.05 } });
runs.push({ op: 'kernel_map', cloud: voxelize(bunnyCloud(), 0.5).voxels, opts: { kernel: 3, stride: 1 } });
runs.push({ op: 'kernel_map', cloud: voxelize(bunnyCloud(), 0.3).voxels, opts: { kernel: 2, stride: 2 } });
runs.push({ op: 'kernel_map', cloud: lattice, opts: { kernel: 3, stride: 1 } });
runs.push({ op: 'kernel_map', cloud: voxelize(syntheticCloud('sphere', 300, 1), 0.2).voxels, opts: { kernel: 3, stride: 2 } });
for (const [i, shape] of [
  [40, 20, 24],
  [17, 9, 8],
  [64, 3, 64],
].entries())
  runs.push({ op: 'shared_mlp', cloud: ties, opts: { rows: shape[0], cin: shape[1], cout: shape[2], seed: i + 1 } });
runs.push({ op: 'gather', cloud: bunnyCloud(), opts: { centers: 32, k: 16, radius: 3 } });
runs.push({ op: 'gather', cloud: ties, opts: { centers: 32, k: 16, radius: 0.4 } });
runs.push({ op: 'gather', cloud: clouds.sparse, opts: { centers: 32, k: 16, radius: 0.05 } });

console.log('| op | cloud | params | Icarus | Verilator | cycles (both) | model |');
console.log('|---|---|---|---|---|---:|---:|');
let bad = 0;
for (const r of runs) {
  const pkg = buildRtlPackage(r.op, r.cloud, edge, r.opts);
  const dir = mkdtempSync(join(tmpdir(), 'nacc-sims-'));
  for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
  const files = [...pkg.designFiles, pkg.testbench];
  const iv = await runIverilog({ files, top: pkg.top, cwd: dir });
  const vl = await runVerilator({ files, top: pkg.top, cwd: dir });
  if (!iv.ok || !vl.ok || iv.cycles !== vl.cycles) bad++;
  const p = Object.entries(r.opts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const fmt = (s: typeof iv) => (s.ok ? `${s.passed}/${s.passed} exact` : `FAIL ${s.failed}`);
  console.log(
    `| ${r.op} | ${r.cloud.name} | ${p} | ${fmt(iv)} | ${fmt(vl)} | ${iv.cycles === vl.cycles ? iv.cycles : `${iv.cycles} / ${vl.cycles}`} | ${pkg.predictedCycles} |`,
  );
}
console.log(`\n${runs.length - bad}/${runs.length} cases bit-exact in both simulators`);
