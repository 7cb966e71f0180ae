// The mapping unit's point search (FPS, kNN, ball query in both modes) against the golden model,
// bit for bit, in Icarus on several clouds (the bunny, a tie-heavy lattice, duplicates, a sparse
// cloud with fewer than K points in most balls), Verilator lint on two widths, and one Verilator run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointSearchPackage, type PointSearchRequest } from '../../compiler/rtl/pointacc/point-search-package.ts';
import { pointSearchModules } from '../../compiler/rtl/pointacc/point-search.ts';
import { applyNetwork, bitonicMergeStages, bitonicSortStages } from '../../compiler/rtl/pointacc/sorter.ts';
import { bunnyCloud, syntheticCloud } from '../../compiler/reference/pointcloud/index.ts';
import { emitDesign } from '../../compiler/rtl/verilog/index.ts';
import { lintVerilator, runIverilog, runVerilator } from '../../testbench/index.ts';
import { Prng } from '../../compiler/util/prng.ts';

function writePkg(req: PointSearchRequest) {
  const pkg = pointSearchPackage(req);
  const dir = mkdtempSync(join(tmpdir(), 'nacc-pa-'));
  for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
  return { pkg, dir, files: [...pkg.designFiles, pkg.testbench] };
}

const base = { sorterWidth: 8, keyBits: 32, centers: 6, k: 8, mode: 'pointnet2' as const };

describe('bitonic networks', () => {
  it('sort any input and merge any bitonic input (seed 3)', () => {
    const rng = new Prng(3);
    for (const n of [2, 4, 8, 16, 32]) {
      for (let t = 0; t < 50; t++) {
        const xs = Array.from({ length: n }, () => rng.int(6));
        expect(applyNetwork(xs, bitonicSortStages(n), (a, b) => a < b)).toEqual([...xs].sort((a, b) => a - b));
        const half = [...xs.slice(0, n / 2)].sort((a, b) => a - b);
        const rest = [...xs.slice(n / 2)].sort((a, b) => b - a);
        expect(applyNetwork([...half, ...rest], bitonicMergeStages(n), (a, b) => a < b)).toEqual([...xs].sort((a, b) => a - b));
      }
    }
  });
});

describe('point search RTL vs golden (Icarus)', () => {
  const cases: [string, PointSearchRequest][] = [
    ['fps on the bunny', { ...base, op: 'fps', cloud: bunnyCloud(600), radius: 0.5 }],
    ['knn on the bunny', { ...base, op: 'knn', cloud: bunnyCloud(600), radius: 0.5 }],
    ['knn on a tie-heavy lattice', { ...base, op: 'knn', cloud: syntheticCloud('ties', 203, 2), radius: 0.3 }],
    ['knn on duplicates, K = 16 > W', { ...base, op: 'knn', k: 16, cloud: syntheticCloud('duplicates', 150, 4), radius: 0.3 }],
    ['ball query (PointNet++) on ties', { ...base, op: 'ball_query', cloud: syntheticCloud('ties', 203, 2), radius: 0.3 }],
    ['ball query (PointNet++) on a sparse cloud', { ...base, op: 'ball_query', cloud: syntheticCloud('sparse', 177, 5), radius: 0.05 }],
    ['ball query (nearest) on the bunny', { ...base, op: 'ball_query', mode: 'nearest', cloud: bunnyCloud(600), radius: 1.0 }],
    [
      'ball query (nearest) on a sphere, W = 4',
      { ...base, sorterWidth: 4, op: 'ball_query', mode: 'nearest', cloud: syntheticCloud('sphere', 97, 6), radius: 0.4 },
    ],
  ];
  for (const [name, req] of cases) {
    it(name, async () => {
      const { pkg, dir, files } = writePkg(req);
      const r = await runIverilog({ files, top: pkg.top, cwd: dir });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.failed).toBe(0);
      expect(r.passed).toBe(req.op === 'fps' ? req.centers : 2 * req.centers);
      expect(Math.abs(r.cycles! - pkg.predictedCycles) / pkg.predictedCycles).toBeLessThanOrEqual(0.1);
    });
  }

  it('a corrupted golden vector is caught', async () => {
    const { pkg, dir, files } = writePkg({ ...base, op: 'knn', cloud: syntheticCloud('clutter', 64, 1), radius: 0.3 });
    const expect_ns = pkg.files.find((f) => f.path === 'expect_ns.hex')!;
    const lines = expect_ns.text.trim().split('\n');
    const last = lines[2];
    lines[2] = last.slice(0, -1) + (last.endsWith('0') ? '1' : '0');
    writeFileSync(join(dir, 'expect_ns.hex'), lines.join('\n') + '\n');
    const r = await runIverilog({ files, top: pkg.top, cwd: dir });
    expect(r.failed).toBe(1);
    expect(r.firstMismatch).toMatch(/knn center 2/);
  });
});

describe('point search RTL in Verilator', () => {
  it('is lint-clean under -Wall at two widths', async () => {
    for (const p of [
      { lanes: 4, buffer: 8, coordBits: 15, maxPoints: 64 },
      { lanes: 16, buffer: 32, coordBits: 12, maxPoints: 2048 },
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'nacc-pa-lint-'));
      const files = emitDesign(pointSearchModules(p));
      for (const f of files) writeFileSync(join(dir, f.file), f.text);
      const diags = await lintVerilator(
        files.map((f) => f.file),
        { cwd: dir, top: files[0].module },
      );
      expect(diags).toEqual([]);
    }
  });
  it('matches the golden model on the tie-heavy lattice', async () => {
    const { pkg, dir, files } = writePkg({
      ...base,
      op: 'ball_query',
      mode: 'nearest',
      cloud: syntheticCloud('ties', 203, 2),
      radius: 0.3,
    });
    const r = await runVerilator({ files, top: pkg.top, cwd: dir });
    expect(r.failed).toBe(0);
    expect(r.passed).toBe(2 * base.centers);
    expect(r.cycles).toBe(pkg.predictedCycles);
  });
});
