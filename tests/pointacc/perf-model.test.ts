// The PointAcc performance model on the example networks (small inputs to stay fast): per-layer
// figures are consistent, fusion and the cache each do what they claim, results are seeded, the
// C baseline runs; and the mapping-unit cycle formulas agree with the cache model and golden ops.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { modelNetwork, perfJson } from '../../compiler/pointacc/perf-model.ts';
import { buildWorkload, sparseGatherStream, voxelScene } from '../../compiler/pointacc/workload.ts';
import { baselinePlan, measureCpuBaseline } from '../../compiler/pointacc/cpu-baseline.ts';
import { SetAssociativeCache, simulateCache } from '../../compiler/pointacc/cache.ts';
import { matrixCycles } from '../../compiler/pointacc/mapping-cycles.ts';
import { cloudSize } from '../../compiler/reference/pointcloud/index.ts';

const prog = loadProgram('examples/pointacc.nacc');
const edge = prog.pointaccs.find((p) => p.name === 'edge')!;
const net = (name: string) => prog.networks.find((n) => n.name === name)!;

describe('cache model', () => {
  it('is LRU within a set and counts hits', () => {
    const c = new SetAssociativeCache({ bytes: 64, ways: 2, lineBytes: 16 }); // 2 sets x 2 ways
    // 0, 2, 4 share set 0: 4 evicts 2 (least recently used), then 2 evicts 4.
    expect([0, 2, 0, 4, 0, 2].map((k) => c.access(k))).toEqual([false, false, true, false, true, false]);
    expect(c.stats).toEqual({ accesses: 6, hits: 2, misses: 4 });
    expect(simulateCache([1, 1, 1], { bytes: 16, ways: 1, lineBytes: 16 }).hits).toBe(2);
  });
});

describe('performance model', () => {
  it('models PointNet++ layer by layer; fusion saves DRAM traffic and never slows it down', () => {
    const r = modelNetwork(net('pointnet2_cls'), edge, { fusion: true, cache: true, points: 512 });
    expect(r.layers.map((l) => l.name)).toEqual(net('pointnet2_cls').layers.map((l) => l.name));
    for (const l of r.layers) {
      expect(l.cycles).toBeGreaterThanOrEqual(Math.max(l.mapping_cycles + l.compute_cycles, l.memory_cycles));
      if (l.op === 'shared_mlp') expect(l.compute_cycles).toBeGreaterThanOrEqual(l.macs / (16 * 16));
    }
    expect(r.totals.cycles).toBe(r.layers.reduce((s, l) => s + l.cycles, 0));
    expect(r.ablation.no_fusion.dram_bytes).toBeGreaterThan(r.totals.dram_bytes);
    expect(r.contributions.fusion_speedup).toBeGreaterThanOrEqual(1);
    expect(r.layers.find((l) => l.name === 'l1.mlp2')!.fused_in).toBe(true);
    expect(r.cache_hit_rate).toBeGreaterThan(0);
    expect(r.cache_hit_rate).toBeLessThanOrEqual(1);
  });
  it('the cache cuts gather traffic on a sparse U-Net, and results are reproducible', () => {
    const a = modelNetwork(net('minkunet'), edge, { fusion: true, cache: true, points: 3000, seed: 5 });
    const b = modelNetwork(net('minkunet'), edge, { fusion: true, cache: true, points: 3000, seed: 5 });
    expect(JSON.stringify(perfJson(a))).toBe(JSON.stringify(perfJson(b)));
    expect(a.ablation.no_cache.dram_bytes).toBeGreaterThan(a.totals.dram_bytes);
    const conv = a.layers.find((l) => l.name === 'd1_2')!;
    expect(conv.cache_hit_rate).toBeGreaterThan(0.3);
    const down = a.layers.find((l) => l.name === 'd1_1')!;
    expect(down.macs).toBeLessThan(2 * 2 * 2 * 3000 * 32 * 32); // real pairs, not the k^3 upper bound
  });
  it('a stronger configuration is faster on every network', () => {
    const server = prog.pointaccs.find((p) => p.name === 'server')!;
    for (const name of ['pointnet', 'dgcnn', 'pointnet2_partseg']) {
      const e = modelNetwork(net(name), edge, { fusion: true, cache: true, points: 256 });
      const s = modelNetwork(net(name), server, { fusion: true, cache: true, points: 256 });
      expect(s.totals.cycles).toBeLessThan(e.totals.cycles);
    }
  });
  it('workloads carry real neighbour streams and voxel counts', () => {
    const w = buildWorkload(net('fpointnet2'), 1, 256);
    const g = w.find((x) => x.layer.name === 's1.group')!.item;
    expect(g.kind).toBe('gather');
    if (g.kind === 'gather') expect(g.stream!.length).toBe(128 * 64);
    expect(cloudSize(voxelScene(5000, 2))).toBe(5000);
    // Gather order by output tiles is a permutation of the pairs' inputs.
    const pairs = Int32Array.from([3, 0, 1, 1, 2, 0, 0, 1]);
    expect(Array.from(sparseGatherStream(pairs, Int32Array.from([1, 0]), 1))).toEqual([1, 0, 3, 2]);
  });
  it('matrix cycles grow with every dimension', () => {
    expect(matrixCycles(64, 3, 64, 16, 16)).toBe(4 * (64 + 32 + 16 - 1) + 1);
    expect(matrixCycles(64, 17, 64, 16, 16)).toBeGreaterThan(matrixCycles(64, 16, 64, 16, 16));
  });
});

describe('CPU baseline', () => {
  it('plans every costed layer and runs the -O3 build', async () => {
    const n = net('pointnet2_cls');
    const { plan } = baselinePlan(buildWorkload(n, 1, 256));
    expect(plan.split('\n').filter(Boolean).length).toBe(n.layers.length);
    const r = await measureCpuBaseline(n, { points: 256, seed: 1, workDir: mkdtempSync(join(tmpdir(), 'nacc-bl-')) });
    expect(r.layers.length).toBe(n.layers.length);
    expect(r.total_ms).toBeGreaterThan(0);
    expect(r.flags).toContain('-O3');
  });
});
