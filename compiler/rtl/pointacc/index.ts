// PointAcc RTL generators: one entry that builds the RTL, vectors and bench for a mapping op
// on a cloud, sized by a `pointacc` configuration.
import type { PointAccConfig } from '../../ir/targets.ts';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
import { D, fail } from '../../diagnostics/index.ts';
import { pointSearchPackage, type RtlPackage } from './point-search-package.ts';
import { kernelMapPackage } from './kernel-map-package.ts';
import { matrixPackage } from './matrix-package.ts';
import { gatherPackage } from './gather-package.ts';

/** The four mapping ops, then the compute units (matrix unit on one shared-MLP layer, gather unit on a ball-query stream). */
export const RTL_OPS = ['fps', 'knn', 'ball_query', 'kernel_map', 'shared_mlp', 'gather'] as const;
export type RtlOp = (typeof RTL_OPS)[number];

export interface RtlOptions {
  centers?: number;
  k?: number;
  radius?: number;
  mode?: 'pointnet2' | 'nearest';
  kernel?: number;
  stride?: number;
  seed?: number;
  /** shared_mlp: rows and channels of the layer. */
  rows?: number;
  cin?: number;
  cout?: number;
  /** gather: bytes per feature row and DRAM latency in cycles. */
  rowBytes?: number;
  latency?: number;
}

function diagonal(c: Cloud): number {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < cloudSize(c); i++) {
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], c.xyz[3 * i + a]);
      hi[a] = Math.max(hi[a], c.xyz[3 * i + a]);
    }
  }
  return Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);
}

export function buildRtlPackage(op: RtlOp, cloud: Cloud, config: PointAccConfig, o: RtlOptions): RtlPackage {
  const n = cloudSize(cloud);
  const W = config.mappingUnit.sorterWidth;
  if ((W & (W - 1)) !== 0 || W < 2)
    fail(D.sorterWidth, `sorter_width ${W} of '${config.name}' must be a power of two >= 2 for the RTL`, config.location);
  if (op === 'kernel_map') {
    for (const v of cloud.xyz)
      if (!Number.isInteger(v)) fail(D.voxelsNotInteger, 'kernel_map needs integer voxel coordinates (voxelise the cloud first)');
    const kernel = o.kernel ?? 3;
    const stride = o.stride ?? 1;
    if (!(kernel >= 1 && kernel <= 7) || !(stride >= 1))
      fail(D.kernelMapRange, `--kernel must be 1..7 and --stride >= 1 (got ${kernel}, ${stride})`);
    return kernelMapPackage({ voxels: cloud, sorterWidth: W, kernel, stride });
  }
  if (op === 'shared_mlp') {
    const [rows, cin, cout] = [o.rows ?? 64, o.cin ?? 64, o.cout ?? 64];
    if (![rows, cin, cout].every((v) => Number.isInteger(v) && v >= 1 && v <= 4096))
      fail(D.matrixRange, '--rows, --cin and --cout must be integers in 1..4096');
    const [mr, mc] = config.matrixUnit;
    return matrixPackage({ arrayRows: mr, arrayCols: mc, rows, cin, cout, relu: true, seed: o.seed ?? 1 });
  }
  if (op === 'gather') {
    const rowBytes = o.rowBytes ?? 16;
    const ways = config.cacheWays ?? 4;
    const sets = Math.floor(config.cacheBytes / rowBytes / ways);
    if (sets < 1 || (sets & (sets - 1)) !== 0)
      fail(
        D.cacheSets,
        `cache of ${config.cacheBytes} B with ${rowBytes}-byte rows and ${ways} ways gives ${sets} sets; the RTL needs a power of two`,
        config.location,
      );
    const centers = o.centers ?? Math.min(64, n);
    return gatherPackage({
      cloud,
      centers,
      k: o.k ?? 16,
      radius: o.radius ?? 0.1 * diagonal(cloud),
      rowBytes,
      cacheBytes: config.cacheBytes,
      ways,
      latency: o.latency ?? 8,
      seed: o.seed ?? 1,
    });
  }
  const centers = o.centers ?? Math.min(16, n);
  // The same default as `nacc pointops` (DEFAULT_K in compiler/pointacc/pointops.ts; README conventions).
  const k = o.k ?? Math.min(16, n);
  if (centers < 1 || centers > n) fail(D.rtlCentersRange, `--centers ${centers} must be between 1 and the cloud's ${n} points`);
  if (op !== 'fps' && (k < 1 || k > n)) fail(D.rtlKRange, `--k ${k} must be between 1 and the cloud's ${n} points`);
  return pointSearchPackage({
    op,
    cloud,
    sorterWidth: W,
    keyBits: config.mappingUnit.keyBits,
    centers,
    k,
    radius: o.radius ?? 0.2 * diagonal(cloud),
    mode: o.mode ?? 'pointnet2',
  });
}

export type { RtlPackage };
