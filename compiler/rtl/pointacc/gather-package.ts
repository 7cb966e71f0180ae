// RTL + vectors + bench for the gather unit on a real index stream (the neighbour lists of a
// ball query on a cloud), checked against the golden gather and the cache model's hit count.
import { emitDesign } from '../verilog/index.ts';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
import { ballQuery, fps, subset } from '../../reference/pointcloud/mapping.ts';
import { gather } from '../../reference/pointcloud/compute.ts';
import { simulateCache } from '../../pointacc/cache.ts';
import { Prng } from '../../util/prng.ts';
import { gatherCacheModules, gatherCacheName, type GatherCacheParams } from './gather-cache.ts';
import { hexFile, nextPow2, renderTemplate, type TextFile } from './vectors.ts';
import type { RtlPackage } from './point-search-package.ts';

export interface GatherRequest {
  cloud: Cloud;
  centers: number;
  k: number;
  radius: number;
  rowBytes: number;
  cacheBytes: number;
  ways: number;
  latency: number;
  seed: number;
}

/** Cycles of the gather unit: one per request, plus the DRAM latency of every miss, plus the last response. */
export function gatherCycles(accesses: number, misses: number, latency: number): number {
  return accesses + misses * latency + 1;
}

export function gatherPackage(req: GatherRequest): RtlPackage {
  const n = cloudSize(req.cloud);
  const centers = subset(req.cloud, fps(req.cloud, req.centers));
  const stream = ballQuery(centers, req.cloud, req.radius, req.k).result.flat();
  const lines = Math.floor(req.cacheBytes / req.rowBytes);
  const sets = Math.max(1, Math.floor(lines / req.ways));
  if ((sets & (sets - 1)) !== 0)
    throw new Error(
      `cache of ${req.cacheBytes} B with ${req.rowBytes}-byte rows and ${req.ways} ways has ${sets} sets, not a power of two`,
    );
  const stats = simulateCache(stream, { bytes: req.cacheBytes, ways: req.ways, lineBytes: req.rowBytes });
  const rng = new Prng(req.seed);
  const rows = Array.from({ length: n }, () => {
    let v = 0n;
    for (let b = 0; b < req.rowBytes; b++) v |= BigInt(rng.int(256)) << BigInt(8 * b);
    return v;
  });
  const golden = gather(rows, stream);
  const params: GatherCacheParams = {
    sets,
    ways: req.ways,
    rowBytes: req.rowBytes,
    maxRows: Math.max(2, nextPow2(n)),
    latency: req.latency,
  };
  const modules = emitDesign(gatherCacheModules(params));
  const tb = 'tb_pointacc_gather';
  const predicted = gatherCycles(stream.length, stats.misses, req.latency);
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'features.hex', text: hexFile(rows, 8 * req.rowBytes) });
  files.push({ path: 'stream.hex', text: hexFile(stream.map(BigInt), Math.log2(params.maxRows)) });
  files.push({
    path: `${tb}.v`,
    text: renderTemplate('gather-tb.v.hbs', {
      tb,
      dut: gatherCacheName(params),
      indexBits: Math.log2(params.maxRows),
      dataBits: 8 * req.rowBytes,
      rows: n,
      accesses: stream.length,
      hits: stats.hits,
      misses: stats.misses,
      timeoutNs: 10 * (n + 4 * predicted + 2 * sets + 1000),
    }),
  });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: predicted,
    golden: { rows: golden.length, hits: stats.hits, misses: stats.misses },
    params: {
      op: 'gather',
      accesses: stream.length,
      hits: stats.hits,
      misses: stats.misses,
      hitRate: stats.accesses ? stats.hits / stats.accesses : 0,
      sets,
      ways: req.ways,
      rowBytes: req.rowBytes,
      latency: req.latency,
    },
  };
}
