// Golden mapping operations of point-cloud networks, with the reference libraries' semantics
// written down here (these are the single source of truth for the RTL and the CLI):
//
// - fps (PointNet++ `furthest_point_sampling`): start at index 0; keep for every point the
//   minimum squared distance to the selected set (initially +inf); each step select the point
//   with the largest minimum, ties to the lowest index. When every remaining minimum is 0
//   (more centers than distinct points) that rule selects index 0 again, as the CUDA kernel does.
// - knn: for each center, all points ranked by (squared distance, index); the first K, nearest
//   first. A center that is a cloud point finds itself first (distance 0, unless a lower-indexed
//   duplicate ties with it).
// - ball query, PointNet++ mode (`query_ball_point`): scan points in index order, keep the
//   first K with d^2 < r^2 (strict); pad the remaining slots with the first hit; count = hits
//   kept (<= K). No hit at all: every slot is 0 and count is 0 (the zero-initialised output).
// - ball query, "nearest K within r" mode: rank by (d^2, index), keep those with d^2 < r^2, the
//   first K of them; pad with the first (nearest) hit; count as above.
// - kernel map (TorchSparse v1): per axis the offsets are -floor(k/2)..floor(k/2) for odd k and
//   0..k-1 for even k; offsets enumerate x fastest, then y, then z. A pair (i, o) means input i
//   feeds output o through offset d: c_in[i] = c_out[o] + d * stride_in. Pairs are grouped by
//   offset (in that order, empty offsets kept) and sorted by o. Duplicate input coordinates:
//   the lowest index is the one found.
// - output coordinates of a strided sparse conv (TorchSparse v1 `spdownsample`): c_out =
//   floor(c_in / (t s)) * (t s), deduplicated and ordered by the 64-bit FNV-1a hash of
//   (x, y, z, batch) folded to 60 bits, ascending (what torch.unique on those hashes yields).
// - voxelisation: v = floor(x / voxel_size) per axis; duplicates removed keeping the first
//   occurrence, in input order.
// Distances are computed in float64 on the given coordinates; on integer (quantised)
// coordinates they are exact, which is what the RTL is checked against.
import { type Cloud, cloudSize } from './cloud.ts';

export function dist2(c: Cloud, i: number, d: Cloud, j: number): number {
  const dx = c.xyz[3 * i] - d.xyz[3 * j];
  const dy = c.xyz[3 * i + 1] - d.xyz[3 * j + 1];
  const dz = c.xyz[3 * i + 2] - d.xyz[3 * j + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** Farthest point sampling: indices of m centers. */
export function fps(c: Cloud, m: number): number[] {
  const n = cloudSize(c);
  if (m <= 0 || n === 0) return [];
  const minD = new Float64Array(n).fill(Infinity);
  const out = [0];
  let last = 0;
  for (let it = 1; it < m; it++) {
    let best = 0;
    let bestD = -1;
    for (let i = 0; i < n; i++) {
      const d = dist2(c, i, c, last);
      if (d < minD[i]) minD[i] = d;
      if (minD[i] > bestD) {
        bestD = minD[i];
        best = i;
      }
    }
    out.push(best);
    last = best;
  }
  return out;
}

/** A cloud made of the given points of c, in that order. */
export function subset(c: Cloud, idx: number[]): Cloud {
  const xyz = new Float64Array(idx.length * 3);
  idx.forEach((i, k) => xyz.set(c.xyz.subarray(3 * i, 3 * i + 3), 3 * k));
  return { name: `${c.name}[${idx.length}]`, xyz };
}

function ranked(centers: Cloud, j: number, c: Cloud): { i: number; d: number }[] {
  const n = cloudSize(c);
  const all: { i: number; d: number }[] = [];
  for (let i = 0; i < n; i++) all.push({ i, d: dist2(centers, j, c, i) });
  all.sort((a, b) => a.d - b.d || a.i - b.i);
  return all;
}

/** k nearest neighbours of each center among c, ranked by (d^2, index), nearest first. */
export function knn(centers: Cloud, c: Cloud, k: number): number[][] {
  const out: number[][] = [];
  for (let j = 0; j < cloudSize(centers); j++)
    out.push(
      ranked(centers, j, c)
        .slice(0, k)
        .map((r) => r.i),
    );
  return out;
}

export type BallQueryMode = 'pointnet2' | 'nearest';

export interface BallQueryResult {
  result: number[][];
  count: number[];
}

/** Ball query (see the header for both modes). */
export function ballQuery(
  centers: Cloud,
  c: Cloud,
  radius: number,
  k: number,
  mode: BallQueryMode = 'pointnet2',
  radius2?: number,
): BallQueryResult {
  const r2 = radius2 ?? radius * radius;
  const n = cloudSize(c);
  const result: number[][] = [];
  const count: number[] = [];
  for (let j = 0; j < cloudSize(centers); j++) {
    const hits: number[] = [];
    if (mode === 'pointnet2') {
      for (let i = 0; i < n && hits.length < k; i++) if (dist2(centers, j, c, i) < r2) hits.push(i);
    } else {
      for (const r of ranked(centers, j, c)) {
        if (r.d >= r2 || hits.length >= k) break;
        hits.push(r.i);
      }
    }
    const row = new Array<number>(k).fill(hits.length ? hits[0] : 0);
    hits.forEach((h, s) => (row[s] = h));
    result.push(row);
    count.push(hits.length);
  }
  return { result, count };
}

// ---- sparse convolution ----------------------------------------------------------------

/** Offsets of a k^3 kernel in TorchSparse v1 order (x fastest), each [dx, dy, dz]. */
export function kernelOffsets(k: number): [number, number, number][] {
  const axis = k % 2 === 1 ? Array.from({ length: k }, (_, t) => t - Math.floor(k / 2)) : Array.from({ length: k }, (_, t) => t);
  const out: [number, number, number][] = [];
  for (const dz of axis) for (const dy of axis) for (const dx of axis) out.push([dx, dy, dz]);
  return out;
}

export interface KernelMapEntry {
  offset: [number, number, number];
  /** [in, out] pairs sorted by out. */
  pairs: [number, number][];
}

const coordKey = (x: number, y: number, z: number): string => `${x},${y},${z}`;

/** Coordinate -> first index lookup; numeric keys when every coordinate fits 17 bits (fast path). */
class CoordTable {
  private readonly num = new Map<number, number>();
  private readonly str = new Map<string, number>();
  constructor(private readonly small: boolean) {}
  static key(x: number, y: number, z: number): number {
    return ((x + 65536) * 131072 + (y + 65536)) * 131072 + (z + 65536);
  }
  static fits(x: number, y: number, z: number): boolean {
    return Math.abs(x) < 65536 && Math.abs(y) < 65536 && Math.abs(z) < 65536;
  }
  setFirst(x: number, y: number, z: number, i: number): void {
    if (this.small) {
      const k = CoordTable.key(x, y, z);
      if (!this.num.has(k)) this.num.set(k, i);
    } else {
      const k = coordKey(x, y, z);
      if (!this.str.has(k)) this.str.set(k, i);
    }
  }
  get(x: number, y: number, z: number): number | undefined {
    if (this.small) return CoordTable.fits(x, y, z) ? this.num.get(CoordTable.key(x, y, z)) : undefined;
    return this.str.get(coordKey(x, y, z));
  }
}

function maxAbs(c: Cloud): number {
  let m = 0;
  for (const v of c.xyz) m = Math.max(m, Math.abs(v));
  return m;
}

/** Kernel map between integer voxel coordinate lists (TorchSparse v1 conventions, see the header). */
export function kernelMap(inputs: Cloud, outputs: Cloud, kernel: number, strideIn = 1): KernelMapEntry[] {
  const reach = Math.max(maxAbs(inputs), maxAbs(outputs) + kernel * strideIn);
  const table = new CoordTable(reach < 65536);
  for (let i = 0; i < cloudSize(inputs); i++) table.setFirst(inputs.xyz[3 * i], inputs.xyz[3 * i + 1], inputs.xyz[3 * i + 2], i);
  return kernelOffsets(kernel).map((offset) => {
    const pairs: [number, number][] = [];
    const [dx, dy, dz] = offset.map((d) => d * strideIn);
    for (let o = 0; o < cloudSize(outputs); o++) {
      const i = table.get(outputs.xyz[3 * o] + dx, outputs.xyz[3 * o + 1] + dy, outputs.xyz[3 * o + 2] + dz);
      if (i !== undefined) pairs.push([i, o]);
    }
    return { offset, pairs };
  });
}

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK64 = (1n << 64n) - 1n;

/** TorchSparse v1 coordinate hash: FNV-1a over (x, y, z, batch) as uint32 words, folded to 60 bits. */
export function sphash(x: number, y: number, z: number, batch = 0): bigint {
  let h = FNV_OFFSET;
  for (const v of [x, y, z, batch]) {
    h ^= BigInt(v >>> 0);
    h = (h * FNV_PRIME) & MASK64;
  }
  return (h >> 60n) ^ (h & 0xfffffffffffffffn);
}

/** Output coordinates of a strided sparse conv: floor(c / (t s)) * (t s), unique, ordered by sphash. */
export function downsampleCoords(c: Cloud, ratio: number): Cloud {
  const seen = new Map<string, { h: bigint; p: number[] }>();
  for (let i = 0; i < cloudSize(c); i++) {
    const p = [0, 1, 2].map((a) => Math.floor(c.xyz[3 * i + a] / ratio) * ratio);
    const key = coordKey(p[0], p[1], p[2]);
    if (!seen.has(key)) seen.set(key, { h: sphash(p[0], p[1], p[2]), p });
  }
  const list = [...seen.values()].sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  return { name: `${c.name}/${ratio}`, xyz: Float64Array.from(list.flatMap((e) => e.p)) };
}

/** Voxelise a float cloud: floor(x / voxelSize), first occurrence kept, input order. */
export function voxelize(c: Cloud, voxelSize: number): { voxels: Cloud; source: number[] } {
  const seen = new Set<string>();
  const pts: number[] = [];
  const source: number[] = [];
  for (let i = 0; i < cloudSize(c); i++) {
    const p = [0, 1, 2].map((a) => Math.floor(c.xyz[3 * i + a] / voxelSize));
    const key = coordKey(p[0], p[1], p[2]);
    if (seen.has(key)) continue;
    seen.add(key);
    pts.push(...p);
    source.push(i);
  }
  return { voxels: { name: `${c.name}@${voxelSize}`, xyz: Float64Array.from(pts) }, source };
}

/** Output coordinates of a sparse conv with this stride (1: the inputs themselves). */
export function sparseConvOutputs(inputs: Cloud, stride: number, strideIn = 1): Cloud {
  return stride === 1 ? inputs : downsampleCoords(inputs, strideIn * stride);
}
