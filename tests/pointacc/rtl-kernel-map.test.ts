// The mapping unit's kernel mapper against the golden TorchSparse-convention kernel map, bit for
// bit (every pair, in order), in Icarus on the voxelised bunny (k = 2, s = 2 and k = 3, s = 1),
// a lattice with duplicate voxels, and a sphere downsampled by 2; Verilator lint and one run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelMapPackage, type KernelMapRequest } from '../../compiler/rtl/pointacc/kernel-map-package.ts';
import { kernelMapperModules } from '../../compiler/rtl/pointacc/kernel-mapper.ts';
import { bunnyCloud, makeCloud, point, syntheticCloud, voxelize, cloudSize } from '../../compiler/reference/pointcloud/index.ts';
import { emitDesign } from '../../compiler/rtl/verilog/index.ts';
import { lintVerilator, runIverilog, runVerilator } from '../../testbench/index.ts';

function writePkg(req: KernelMapRequest) {
  const pkg = kernelMapPackage(req);
  const dir = mkdtempSync(join(tmpdir(), 'nacc-km-'));
  for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
  return { pkg, dir, files: [...pkg.designFiles, pkg.testbench] };
}

const ties = syntheticCloud('ties', 150, 3);
/** Integer lattice coordinates with repeated voxels (duplicates resolve to the lowest index). */
const latticeWithDuplicates = makeCloud(
  'lattice-dups',
  Array.from({ length: cloudSize(ties) }, (_, i) => point(ties, i).map((v) => v * 8)),
);

describe('kernel mapper RTL vs golden (Icarus)', () => {
  const cases: [string, KernelMapRequest][] = [
    ['bunny, k = 2, s = 2', { voxels: voxelize(bunnyCloud(), 0.3).voxels, sorterWidth: 16, kernel: 2, stride: 2 }],
    ['bunny, k = 3, s = 1', { voxels: voxelize(bunnyCloud(), 0.6).voxels, sorterWidth: 8, kernel: 3, stride: 1 }],
    ['lattice with duplicate voxels, k = 3', { voxels: latticeWithDuplicates, sorterWidth: 8, kernel: 3, stride: 1 }],
    ['sphere, k = 3, s = 2', { voxels: voxelize(syntheticCloud('sphere', 300, 1), 0.2).voxels, sorterWidth: 4, kernel: 3, stride: 2 }],
  ];
  for (const [name, req] of cases) {
    it(name, async () => {
      const { pkg, dir, files } = writePkg(req);
      const r = await runIverilog({ files, top: pkg.top, cwd: dir });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.failed).toBe(0);
      expect(r.passed).toBe(pkg.params.pairs);
      expect(Number(pkg.params.pairs)).toBeGreaterThan(0);
      expect(Math.abs(r.cycles! - pkg.predictedCycles) / pkg.predictedCycles).toBeLessThanOrEqual(0.1);
    });
  }
});

describe('kernel mapper in Verilator', () => {
  it('is lint-clean under -Wall', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-km-lint-'));
    const files = emitDesign(kernelMapperModules({ lanes: 8, coordBits: 10, maxPoints: 256, kernel: 3, strideIn: 2 }));
    for (const f of files) writeFileSync(join(dir, f.file), f.text);
    expect(
      await lintVerilator(
        files.map((f) => f.file),
        { cwd: dir, top: files[0].module },
      ),
    ).toEqual([]);
  });
  it('matches the golden map on the duplicate lattice', async () => {
    const { pkg, dir, files } = writePkg({ voxels: latticeWithDuplicates, sorterWidth: 8, kernel: 3, stride: 1 });
    const r = await runVerilator({ files, top: pkg.top, cwd: dir });
    expect(r.failed).toBe(0);
    expect(r.passed).toBe(pkg.params.pairs);
  });
});
