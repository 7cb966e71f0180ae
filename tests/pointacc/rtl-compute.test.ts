// The matrix unit (int8 systolic array + TFLite requantisation) against the golden shared MLP,
// and the gather unit against the golden gather and the cache model's hit counts, in Icarus
// on several shapes and clouds; Verilator lint and one Verilator run of each.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixPackage, type MatrixRequest } from '../../compiler/rtl/pointacc/matrix-package.ts';
import { gatherPackage, type GatherRequest } from '../../compiler/rtl/pointacc/gather-package.ts';
import type { RtlPackage } from '../../compiler/rtl/pointacc/point-search-package.ts';
import { bunnyCloud, syntheticCloud } from '../../compiler/reference/pointcloud/index.ts';
import { lintVerilator, runIverilog, runVerilator } from '../../testbench/index.ts';

function write(pkg: RtlPackage) {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-pac-'));
  for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
  return { dir, files: [...pkg.designFiles, pkg.testbench] };
}

describe('matrix unit vs golden shared MLP', () => {
  const cases: [string, MatrixRequest][] = [
    ['4x4 array, ragged tiles, ReLU', { arrayRows: 4, arrayCols: 4, rows: 10, cin: 6, cout: 7, relu: true, seed: 1 }],
    ['8x8 array, 9 input tiles, no activation', { arrayRows: 8, arrayCols: 8, rows: 37, cin: 70, cout: 20, relu: false, seed: 2 }],
    ['16x16 array, first PointNet++ layer (3 -> 64)', { arrayRows: 16, arrayCols: 16, rows: 64, cin: 3, cout: 64, relu: true, seed: 3 }],
  ];
  for (const [name, req] of cases) {
    it(name, async () => {
      const pkg = matrixPackage(req);
      const { dir, files } = write(pkg);
      const r = await runIverilog({ files, top: pkg.top, cwd: dir });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.failed).toBe(0);
      expect(r.passed).toBe(req.rows * req.cout);
      expect(r.cycles).toBe(pkg.predictedCycles);
    });
  }
  it('is lint-clean and bit-exact in Verilator', async () => {
    const pkg = matrixPackage({ arrayRows: 4, arrayCols: 8, rows: 12, cin: 9, cout: 10, relu: true, seed: 4 });
    const { dir, files } = write(pkg);
    expect(await lintVerilator(pkg.designFiles, { cwd: dir, top: pkg.designFiles[0].replace(/\.v$/, '') })).toEqual([]);
    const r = await runVerilator({ files, top: pkg.top, cwd: dir });
    expect(r.failed).toBe(0);
    expect(r.passed).toBe(12 * 10);
  });
});

describe('gather unit with cache vs golden gather and cache model', () => {
  const base = { centers: 64, k: 16, rowBytes: 16, latency: 8, seed: 1 };
  const cases: [string, GatherRequest][] = [
    ['bunny, 2 KB 4-way', { ...base, cloud: bunnyCloud(), radius: 4, cacheBytes: 2048, ways: 4 }],
    ['tie-heavy lattice, 1 KB 2-way', { ...base, cloud: syntheticCloud('ties', 500, 1), radius: 0.5, cacheBytes: 1024, ways: 2 }],
    [
      'sparse cloud (padded balls), 512 B direct-mapped',
      { ...base, cloud: syntheticCloud('sparse', 300, 2), radius: 0.05, cacheBytes: 512, ways: 1 },
    ],
  ];
  for (const [name, req] of cases) {
    it(name, async () => {
      const pkg = gatherPackage(req);
      const { dir, files } = write(pkg);
      const r = await runIverilog({ files, top: pkg.top, cwd: dir });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.failed).toBe(0);
      expect(r.passed).toBe(Number(pkg.params.accesses) + 1);
      expect(r.cycles).toBe(pkg.predictedCycles);
      expect(Number(pkg.params.hits)).toBeGreaterThan(0);
    });
  }
  it('is lint-clean and exact in Verilator', async () => {
    const pkg = gatherPackage({ ...base, cloud: syntheticCloud('ties', 500, 1), radius: 0.5, cacheBytes: 1024, ways: 4 });
    const { dir, files } = write(pkg);
    expect(await lintVerilator(pkg.designFiles, { cwd: dir })).toEqual([]);
    const r = await runVerilator({ files, top: pkg.top, cwd: dir });
    expect(r.failed).toBe(0);
    expect(r.cycles).toBe(pkg.predictedCycles);
  });
});
