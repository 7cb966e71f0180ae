// Whole point-cloud layers through the one PointAcc top, from the CLI: `nacc pointacc --network N
// --layer L --out DIR` then `nacc verify DIR --json`. A PointNet++ set-abstraction layer (FPS ->
// ball query -> gather -> three fused MLP layers -> max-pool) and MinkowskiNet-style sparse convs
// (kernel map -> gather -> matrix -> scatter-accumulate), bit-exact in Icarus with fusion and the
// cache on and off, on several clouds and two configurations; the performance model within 10% of
// the simulated cycles; one case in both simulators; lint is part of every verify.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const NACC = join(import.meta.dirname, '../../bin/nacc.js');
const FILE = join(import.meta.dirname, 'layers.nacc');
const nacc = (args: string[]) => execa('node', [NACC, ...args], { reject: false, stdin: 'ignore' });
const root = mkdtempSync(join(tmpdir(), 'nacc-pa-layers-'));
let serial = 0;

interface VerifyLayer {
  name: string;
  cycles: number;
  predicted_cycles: number;
  model_cycles: number;
  error: number;
}

/** Generate one layer and verify it; returns the manifest and the verify report. */
async function runLayer(args: string[], sim = 'iverilog') {
  const out = join(root, `l${serial++}`);
  const gen = await nacc(['pointacc', FILE, ...args, '--out', out, '--json']);
  expect(gen.stderr).toBe('');
  expect(gen.exitCode).toBe(0);
  const manifest = JSON.parse(gen.stdout);
  const ver = await nacc(['verify', out, '--sim', sim, '--json']);
  const report = JSON.parse(ver.stdout);
  return { manifest, report, exitCode: ver.exitCode, layer: report.layers[0] as VerifyLayer };
}

function expectExactAndModelled(r: Awaited<ReturnType<typeof runLayer>>, layerName: string) {
  expect(r.report.lint.warnings).toBe(0);
  for (const s of r.report.sims) {
    expect(s.failed).toBe(0);
    expect(s.passed).toBeGreaterThan(0);
  }
  expect(r.report.ok).toBe(true);
  expect(r.exitCode).toBe(0);
  expect(r.layer.name).toBe(layerName);
  // The RTL-faithful phase model is within a few cycles (the kernel map's merge is data dependent:
  // its formula is an upper bound, a few % over); the network performance model within 10%.
  expect(Math.abs(r.layer.predicted_cycles - r.layer.cycles) / r.layer.cycles).toBeLessThan(0.05);
  expect(Math.abs(r.layer.error)).toBeLessThan(0.1);
  expect(r.layer.model_cycles).toBe(r.manifest.model_cycles);
}

const tools = [await needTool('iverilog'), await needTool('verilator')];

describeNeeds(tools, 'set-abstraction layer end to end (Icarus)', () => {
  const cases: [string, string[]][] = [
    ['tiny, generated bunny input, fusion + cache', ['--config', 'tiny']],
    ['tiny, fusion off (intermediates through the DRAM port)', ['--config', 'tiny', '--no-fusion']],
    ['tiny, cache off', ['--config', 'tiny', '--no-cache']],
    ['tiny, sphere cloud', ['--config', 'tiny', '--cloud', 'sphere:200:2']],
    ['tiny, sparse cloud (padded balls)', ['--config', 'tiny', '--cloud', 'sparse:150:3']],
    ['mid (16-wide sorter, 16 x 16 array), clutter cloud, fusion off', ['--config', 'mid', '--cloud', 'clutter:180:4', '--no-fusion']],
  ];
  for (const [name, args] of cases) {
    it(
      name,
      async () => {
        const r = await runLayer(['--network', 'sa_small', '--layer', 'l1', ...args]);
        expectExactAndModelled(r, 'l1');
        expect(r.manifest.kind).toBe('set_abstraction');
        // 12 FPS centers + 12 centers x 2 output tiles (tiny) or 1 (mid) + the cache counts.
        expect(r.report.sims[0].passed).toBe(12 + 12 * (args.includes('mid') ? 1 : 2) + 1);
      },
      300_000,
    );
  }
});

describeNeeds(tools, 'sparse-conv layer end to end (Icarus)', () => {
  const cases: [string, string[]][] = [
    ['s0 (k = 3), tiny, generated LiDAR-like scene', ['--layer', 's0', '--config', 'tiny']],
    ['s0, tiny, cache off', ['--layer', 's0', '--config', 'tiny', '--no-cache']],
    ['d1 (k = 2, stride 2), mid, voxelised bunny', ['--layer', 'd1', '--config', 'mid', '--cloud', 'bunny:300', '--voxel', '0.25']],
    ['s0, mid, voxelised sphere', ['--layer', 's0', '--config', 'mid', '--cloud', 'sphere:300:1', '--voxel', '0.2']],
  ];
  for (const [name, args] of cases) {
    it(
      name,
      async () => {
        const r = await runLayer(['--network', 'mink_small', ...args]);
        expectExactAndModelled(r, args[1]);
        expect(r.manifest.kind).toBe('sparse_conv3d');
      },
      300_000,
    );
  }
});

describeNeeds(tools, 'whole layers in both simulators', () => {
  it('set-abstraction layer, bit-exact and cycle-identical in Icarus and Verilator', async () => {
    const r = await runLayer(['--network', 'sa_small', '--layer', 'l1', '--config', 'tiny', '--cloud', 'ties:150:2'], 'both');
    expectExactAndModelled(r, 'l1');
    const [a, b] = r.report.sims;
    expect(a.cycles).toBe(b.cycles);
  }, 600_000);
});

describe('nacc pointacc --layer: user errors', () => {
  it('an unknown layer or a layer the top does not run is a usage error naming the choices', async () => {
    const unknown = await nacc([
      'pointacc',
      FILE,
      '--network',
      'sa_small',
      '--layer',
      'nope',
      '--out',
      join(root, 'x'),
      '--config',
      'tiny',
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/E0641.*set-abstraction layers: l1/);
    expect(unknown.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const noOut = await nacc(['pointacc', FILE, '--network', 'sa_small', '--layer', 'l1', '--config', 'tiny']);
    expect(noOut.exitCode).toBe(2);
    expect(noOut.stderr).toMatch(/E0624/);
  });
});
