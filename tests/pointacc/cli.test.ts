// `nacc pointops` and `nacc pointacc` through the CLI: the JSON the issue specifies, on a user's
// .xyz / .ply cloud, and the exit codes of user errors.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  ballQuery,
  fps,
  kernelMap,
  knn,
  makeCloud,
  subset,
  syntheticCloud,
  formatXyz,
  point,
  cloudSize,
} from '../../compiler/reference/pointcloud/index.ts';

const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });
const dir = mkdtempSync(join(tmpdir(), 'nacc-pointops-'));
const cloud = syntheticCloud('ties', 120, 9);
const xyz = join(dir, 'ties.xyz');
writeFileSync(xyz, formatXyz(cloud));

describe('nacc pointops', () => {
  it('prints fps, knn and ball_query JSON matching the golden ops', async () => {
    const f = await nacc(['pointops', 'fps', '--cloud', xyz, '--centers', '10', '--json']);
    expect(f.exitCode).toBe(0);
    expect(JSON.parse(f.stdout)).toEqual({ result: fps(cloud, 10) });
    const centers = subset(cloud, fps(cloud, 6));
    const k = await nacc(['pointops', 'knn', '--cloud', xyz, '--centers', '6', '--k', '5', '--json']);
    expect(JSON.parse(k.stdout)).toEqual({ result: knn(centers, cloud, 5) });
    const b = await nacc([
      'pointops',
      'ball_query',
      '--cloud',
      xyz,
      '--centers',
      '6',
      '--k',
      '7',
      '--radius',
      '0.3',
      '--mode',
      'nearest',
      '--json',
    ]);
    const want = ballQuery(centers, cloud, 0.3, 7, 'nearest');
    expect(JSON.parse(b.stdout)).toEqual({ result: want.result, count: want.count });
  });
  it('prints the kernel map of integer voxels in TorchSparse order from a binary PLY', async () => {
    const vox = makeCloud(
      'v',
      Array.from({ length: cloudSize(cloud) }, (_, i) => point(cloud, i).map((v) => v * 8)),
    );
    const header = `ply\nformat binary_little_endian 1.0\nelement vertex ${cloudSize(vox)}\nproperty int x\nproperty int y\nproperty int z\nend_header\n`;
    const body = Int32Array.from(vox.xyz);
    const ply = join(dir, 'vox.ply');
    writeFileSync(ply, Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(body.buffer)]));
    const r = await nacc(['pointops', 'kernel_map', '--cloud', ply, '--kernel', '3', '--stride', '1', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: kernelMap(vox, vox, 3).map((e) => ({ offset: e.offset, pairs: e.pairs })) });
  });
  it('reports user errors with exit codes, never a stack', async () => {
    const noRadius = await nacc(['pointops', 'ball_query', '--cloud', xyz, '--json']);
    expect(noRadius.exitCode).toBe(2);
    expect(noRadius.stderr).toMatch(/--radius/);
    const floats = await nacc(['pointops', 'kernel_map', '--cloud', xyz, '--json']);
    expect(floats.exitCode).toBe(1);
    expect(floats.stderr).toMatch(/integer voxel coordinates/);
    const bad = join(dir, 'bad.xyz');
    writeFileSync(bad, '1 2 3\n4 five 6\n');
    const parse = await nacc(['pointops', 'fps', '--cloud', bad]);
    expect(parse.exitCode).toBe(1);
    expect(parse.stderr).toMatch(/bad\.xyz:2/);
    expect(parse.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('nacc pointacc', () => {
  it('prints the per-layer model as JSON', async () => {
    const r = await nacc(['pointacc', 'examples/pointacc.nacc', '--network', 'pointnet', '--config', 'edge', '--points', '256', '--json']);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.network).toBe('pointnet');
    expect(j.config).toBe('edge');
    expect(j.layers.length).toBeGreaterThan(3);
    for (const k of ['cycles', 'dram_bytes', 'energy_uj', 'macs', 'cache_hit_rate', 'fused_in', 'fused_out'])
      expect(j.layers[0]).toHaveProperty(k);
    expect(j.totals.time_ms).toBeCloseTo(j.totals.cycles / 1e6, 6);
    expect(j.contributions).toHaveProperty('fusion_speedup');
    const missing = await nacc(['pointacc', 'examples/pointacc.nacc', '--network', 'nope', '--config', 'edge']);
    expect(missing.exitCode).toBe(2);
  });
});
