// PointAcc RTL generators: one entry that builds the RTL, vectors and bench for a mapping op
// on a cloud, sized by a `pointacc` configuration.
import type { PointAccConfig } from '../../ir/targets.ts';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
import { fail, ExitCode } from '../../diagnostics/index.ts';
import { pointSearchPackage, type RtlPackage } from './point-search-package.ts';
import { kernelMapPackage } from './kernel-map-package.ts';

export const RTL_OPS = ['fps', 'knn', 'ball_query', 'kernel_map'] as const;
export type RtlOp = (typeof RTL_OPS)[number];

export interface RtlOptions {
  centers?: number;
  k?: number;
  radius?: number;
  mode?: 'pointnet2' | 'nearest';
  kernel?: number;
  stride?: number;
  seed?: number;
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
  if ((W & (W - 1)) !== 0 || W < 2) fail('E0632', `sorter_width ${W} of '${config.name}' must be a power of two >= 2 for the RTL`, config.location);
  if (op === 'kernel_map') {
    for (const v of cloud.xyz) if (!Number.isInteger(v)) fail('E0607', 'kernel_map needs integer voxel coordinates (voxelise the cloud first)');
    const kernel = o.kernel ?? 3;
    const stride = o.stride ?? 1;
    if (!(kernel >= 1 && kernel <= 7) || !(stride >= 1)) fail('E0633', `--kernel must be 1..7 and --stride >= 1 (got ${kernel}, ${stride})`, undefined, ExitCode.usage);
    return kernelMapPackage({ voxels: cloud, sorterWidth: W, kernel, stride });
  }
  const centers = o.centers ?? Math.min(16, n);
  const k = o.k ?? Math.min(8, n);
  if (centers < 1 || centers > n) fail('E0630', `--centers ${centers} must be between 1 and the cloud's ${n} points`, undefined, ExitCode.usage);
  if (op !== 'fps' && (k < 1 || k > n)) fail('E0631', `--k ${k} must be between 1 and the cloud's ${n} points`, undefined, ExitCode.usage);
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
