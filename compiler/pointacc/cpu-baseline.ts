// The measured CPU baseline of the performance model: the same network's mapping ops and layers
// (sizes and index streams from the same workload) run by the project's own C implementation
// (testbench/pointacc/baseline.c), compiled with gcc -O3 and timed on this machine.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from '../ir/network.ts';
import { cloudSize, type Cloud } from '../reference/pointcloud/cloud.ts';
import { expectSuccess, runTool } from '../../testbench/tools/run-tool.ts';
import { buildWorkload, type LayerWork } from './workload.ts';
import { projectPath } from '../util/project-paths.ts';

export interface BaselineReport {
  compiler: string;
  flags: string;
  layers: { name: string; ms: number }[];
  total_ms: number;
}

export interface BaselinePlan {
  plan: string;
  blob: Int32Array;
  maxBytes: number;
}

/** The plan file and int32 data blob for a workload (pure). */
export function baselinePlan(work: LayerWork[]): BaselinePlan {
  const lines: string[] = [];
  const chunks: Int32Array[] = [];
  let blobLen = 0;
  let maxBytes = 1 << 16;
  const push = (a: Int32Array): number => {
    chunks.push(a);
    blobLen += a.length;
    return blobLen - a.length;
  };
  const coords = (c: Cloud) => Int32Array.from(c.xyz);
  const need = (b: number) => (maxBytes = Math.max(maxBytes, b));
  for (const w of work) {
    const it = w.item;
    const name = w.layer.name.replace(/\s+/g, '_');
    switch (it.kind) {
      case 'fps':
        need(it.n * 3);
        lines.push(`${name} fps ${it.n} ${it.m} 0 0 0 0`);
        break;
      case 'search':
        need(it.n * it.dims);
        if (it.op === 'knn') lines.push(`${name} knn ${it.n} ${it.m} ${it.k} ${it.dims} 0 0`);
        else lines.push(`${name} ball ${it.n} ${it.m} ${it.k} ${Math.round(it.radius * it.radius * 1e6)} 0 0`);
        break;
      case 'gather': {
        need(Math.max(it.rows, it.sourceRows) * it.rowBytes);
        const off = it.stream ? push(it.stream) : -1;
        lines.push(`${name} gather ${it.rows} ${it.rowBytes} ${it.sourceRows} ${off} 0 0`);
        break;
      }
      case 'matmul':
        need(Math.max(it.rows * it.cin, it.rows * it.cout, it.cin * it.cout));
        lines.push(`${name} mlp ${it.rows} ${it.cin} ${it.cout} 0 0 0`);
        break;
      case 'reduce':
        need(it.rows * it.channels);
        lines.push(`${name} reduce ${it.rows} ${it.groups} ${it.channels} 0 0 0`);
        break;
      case 'interpolate':
        need(Math.max(it.ns * it.channels, it.stream.length * it.channels));
        lines.push(`${name}.knn knn ${it.ns} ${it.nt} ${it.k} 3 0 0`);
        lines.push(`${name}.gather gather ${it.stream.length} ${it.channels} ${it.ns} ${push(it.stream)} 0 0`);
        break;
      case 'sparse_conv': {
        need(Math.max(it.nIn * it.cin, it.nOut * it.cout, it.cin * it.cout, cloudSize(it.mapIn), cloudSize(it.mapOut)));
        const ci = push(coords(it.mapIn));
        const co = push(coords(it.mapOut));
        lines.push(`${name}.map kmap ${cloudSize(it.mapIn)} ${cloudSize(it.mapOut)} ${it.kernel} ${it.mapStride} ${ci} ${co}`);
        const pairsOff = push(it.pairList);
        lines.push(
          `${name} spconv ${it.pairList.length / 2} ${it.cin} ${it.cout} ${Math.max(it.nIn, cloudSize(it.mapIn), cloudSize(it.mapOut))} ${Math.max(it.nOut, cloudSize(it.mapIn), cloudSize(it.mapOut))} ${pairsOff}`,
        );
        break;
      }
      case 'none':
        break;
    }
  }
  const blob = new Int32Array(blobLen);
  let o = 0;
  for (const c of chunks) {
    blob.set(c, o);
    o += c.length;
  }
  return { plan: lines.join('\n') + '\n', blob, maxBytes };
}

export const BASELINE_FLAGS = ['-O3', '-std=c99', '-D_POSIX_C_SOURCE=199309L', '-Wall', '-Wextra', '-Werror'];

/** Compile the C baseline, run it on the network's workload, return per-layer milliseconds. */
export async function measureCpuBaseline(net: Network, o: { points?: number; seed: number; workDir: string }): Promise<BaselineReport> {
  const work = buildWorkload(net, o.seed, o.points);
  const { plan, blob, maxBytes } = baselinePlan(work);
  mkdirSync(o.workDir, { recursive: true });
  const src = join(o.workDir, 'baseline.c');
  writeFileSync(src, readFileSync(projectPath('testbench/pointacc/baseline.c')));
  writeFileSync(join(o.workDir, 'plan.txt'), plan);
  writeFileSync(join(o.workDir, 'blob.bin'), new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength));
  const exe = join(o.workDir, 'baseline');
  // baseline.c ships with nacc: gcc rejecting it is nacc's bug (exit 70); the run is a measurement (a failure is exit 4).
  expectSuccess(
    await runTool('gcc', [...BASELINE_FLAGS, '-o', exe, src], { timeoutMs: 600_000 }),
    'generated-build',
    'compiling the CPU baseline',
  );
  const r = expectSuccess(
    await runTool(exe, ['plan.txt', 'blob.bin', String(maxBytes)], { cwd: o.workDir, timeoutMs: 600_000, name: 'CPU baseline' }),
    'helper',
    'running the CPU baseline',
  );
  const layers: { name: string; ms: number }[] = [];
  let total = 0;
  for (const line of String(r.stdout).split('\n')) {
    const m = line.match(/^layer (\S+) ([\d.]+)/);
    if (m) layers.push({ name: m[1], ms: Number(m[2]) });
    const t = line.match(/^total ([\d.]+)/);
    if (t) total = Number(t[1]);
  }
  const version = (await runTool('gcc', ['-dumpfullversion'], { timeoutMs: 60_000 })).stdout.trim();
  return { compiler: `gcc ${version}`, flags: BASELINE_FLAGS.join(' '), layers, total_ms: total };
}
