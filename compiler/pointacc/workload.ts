// The data-level workload of a point-cloud network: the network is run on a seeded synthetic
// input of its declared size with the golden mapping ops, so that every layer's sizes are the
// real ones (neighbour index streams, kernel-map pair counts, voxel counts after downsampling)
// rather than upper bounds. The performance model costs this workload on a configuration.
import type { Layer, Network, TensorType } from '../ir/network.ts';
import { cloudFeatures } from '../ir/ops.ts';
import { type Cloud, bunnyCloud, cloudSize, makeCloud, syntheticCloud } from '../reference/pointcloud/cloud.ts';
import { ballQuery, downsampleCoords, fps, kernelMap, knn, subset } from '../reference/pointcloud/mapping.ts';
import { Prng } from '../util/prng.ts';
import { D, fail } from '../diagnostics/index.ts';

/** Ops the PointAcc model costs; anything else (2-D convs, pooling...) is not a PointAcc workload. */
export const MODELLED_OPS = new Set([
  'fps',
  'knn',
  'ball_query',
  'group',
  'group_all',
  'shared_mlp',
  'dense',
  'reduce_max',
  'interpolate',
  'sparse_conv3d',
  'sparse_deconv3d',
  'concat',
  'relu',
  'relu6',
  'softmax',
  'flatten',
  'quantize',
  'dequantize',
]);

export type WorkItem =
  | { kind: 'fps'; n: number; m: number }
  | { kind: 'search'; op: 'knn' | 'ball_query'; n: number; m: number; k: number; dims: number; radius: number }
  | { kind: 'gather'; rows: number; rowBytes: number; stream: Int32Array | null; sourceRows: number }
  | { kind: 'matmul'; rows: number; cin: number; cout: number }
  | { kind: 'reduce'; rows: number; groups: number; channels: number }
  | { kind: 'interpolate'; nt: number; ns: number; k: number; channels: number; stream: Int32Array }
  | {
      kind: 'sparse_conv';
      nIn: number;
      nOut: number;
      volume: number;
      kernel: number;
      /** Tensor stride the map's offsets are scaled by, and the coordinate lists it maps between. */
      mapStride: number;
      mapIn: Cloud;
      mapOut: Cloud;
      pairs: number[];
      /** [in, out] pairs, flattened, offset-major. */
      pairList: Int32Array;
      cin: number;
      cout: number;
      /** Raster-order rank of every output voxel (the mapping unit's sorted order). */
      outRank: Int32Array;
    }
  | { kind: 'none' };

export interface LayerWork {
  layer: Layer;
  item: WorkItem;
  /** Bytes of the layer's output tensor (int8 features, 2-byte indices). */
  outputBytes: number;
  /** Bytes of weights. */
  weightBytes: number;
  /** Producers this layer reads. */
  inputs: string[];
}

interface Geo {
  /** Point coordinates (points) or integer voxel coordinates (voxels), for the real sizes. */
  coords?: Cloud;
  /** Tensor stride of a voxel tensor. */
  stride?: number;
  /** Neighbour lists of a knn/ball_query layer. */
  idx?: number[][];
  /** Rows of a feature tensor and the centers it belongs to. */
  centers?: Cloud;
}

/** A surface-like cloud of n points inside the unit sphere: the bunny (n <= 1839) or a sphere. */
export function pointInput(n: number, seed: number): Cloud {
  const bunny = bunnyCloud();
  let c: Cloud;
  if (n <= cloudSize(bunny)) {
    const pick = new Prng(seed).shuffle(Array.from({ length: cloudSize(bunny) }, (_, i) => i)).slice(0, n);
    c = subset(bunny, pick);
  } else c = syntheticCloud('sphere', n, seed);
  // Normalise to the unit sphere, as point-cloud networks' inputs are.
  let cx = 0,
    cy = 0,
    cz = 0;
  for (let i = 0; i < n; i++) {
    cx += c.xyz[3 * i] / n;
    cy += c.xyz[3 * i + 1] / n;
    cz += c.xyz[3 * i + 2] / n;
  }
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.hypot(c.xyz[3 * i] - cx, c.xyz[3 * i + 1] - cy, c.xyz[3 * i + 2] - cz));
  const xyz = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    xyz[3 * i] = (c.xyz[3 * i] - cx) / (r || 1);
    xyz[3 * i + 1] = (c.xyz[3 * i + 1] - cy) / (r || 1);
    xyz[3 * i + 2] = (c.xyz[3 * i + 2] - cz) / (r || 1);
  }
  return { name: `input-${n}`, xyz };
}

/**
 * A LiDAR-like voxel scene of exactly n voxels: a half-occupied ground plane (70%) and
 * vertical walls and boxes (30%), integer coordinates.
 */
export function voxelScene(n: number, seed: number): Cloud {
  const rng = new Prng(seed);
  const seen = new Set<number>();
  const pts: number[][] = [];
  const key = (x: number, y: number, z: number) => ((x + 4096) * 8192 + (y + 4096)) * 8192 + (z + 4096);
  const add = (x: number, y: number, z: number) => {
    const k = key(x, y, z);
    if (seen.has(k)) return;
    seen.add(k);
    pts.push([x, y, z]);
  };
  const ground = Math.round(0.7 * n);
  const side = Math.ceil(Math.sqrt(1.4 * ground));
  while (pts.length < ground) add(rng.int(side) - (side >> 1), rng.int(side) - (side >> 1), 0);
  while (pts.length < n) {
    // A wall segment: a vertical strip along x or y.
    const alongX = rng.next() < 0.5;
    const x0 = rng.int(side) - (side >> 1);
    const y0 = rng.int(side) - (side >> 1);
    const len = 4 + rng.int(40);
    const h = 2 + rng.int(30);
    for (let t = 0; t < len && pts.length < n; t++) {
      for (let z = 1; z <= h && pts.length < n; z++) add(alongX ? x0 + t : x0, alongX ? y0 : y0 + t, z);
    }
  }
  return makeCloud(`scene-${n}`, pts);
}

/** Rank of every point in raster (x, then y, then z) order. */
export function rasterRank(c: Cloud): Int32Array {
  const n = cloudSize(c);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => c.xyz[3 * a] - c.xyz[3 * b] || c.xyz[3 * a + 1] - c.xyz[3 * b + 1] || c.xyz[3 * a + 2] - c.xyz[3 * b + 2] || a - b,
  );
  const rank = new Int32Array(n);
  order.forEach((i, r) => (rank[i] = r));
  return rank;
}

/**
 * Gather order of a sparse conv: outputs in tiles of `tile` voxels in raster order; within a
 * tile, offset by offset (the map's order). Returns the input index of every pair in that order.
 */
export function sparseGatherStream(pairList: Int32Array, outRank: Int32Array, tile: number): Int32Array {
  const tiles = Math.ceil(outRank.length / tile) || 1;
  const counts = new Int32Array(tiles + 1);
  for (let p = 0; p < pairList.length; p += 2) counts[Math.floor(outRank[pairList[p + 1]] / tile) + 1]++;
  for (let t = 1; t <= tiles; t++) counts[t] += counts[t - 1];
  const out = new Int32Array(pairList.length / 2);
  for (let p = 0; p < pairList.length; p += 2) out[counts[Math.floor(outRank[pairList[p + 1]] / tile)]++] = pairList[p];
  return out;
}

const idxBytes = (n: number): number => (n <= 65536 ? 2 : 4);

function features(t: TensorType): number {
  if (t.kind === 'points' || t.kind === 'voxels') return cloudFeatures(t);
  return t.shape[t.shape.length - 1];
}

/**
 * Build the workload of a network; `points` overrides the input size, `cloud` replaces the
 * generated input of the first input (points, or integer voxel coordinates for voxel inputs).
 */
export function buildWorkload(net: Network, seed: number, points?: number, cloud?: Cloud): LayerWork[] {
  const geo = new Map<string, Geo>();
  const types = new Map<string, TensorType>();
  for (const [k, inp] of net.inputs.entries()) {
    const given = k === 0 ? cloud : undefined;
    const n = given ? cloudSize(given) : (points ?? inp.type.shape[0]);
    if (inp.type.kind === 'points') geo.set(inp.name, { coords: given ?? pointInput(n, seed) });
    else if (inp.type.kind === 'voxels') geo.set(inp.name, { coords: given ?? voxelScene(n, seed), stride: 1 });
    types.set(inp.name, { ...inp.type, shape: [n, ...inp.type.shape.slice(1)] });
  }
  // Coordinates per tensor stride, for transposed convs to find their targets.
  const byStride = new Map<number, Cloud>();
  for (const g of geo.values()) if (g.stride !== undefined && g.coords) byStride.set(g.stride, g.coords);

  const out: LayerWork[] = [];
  for (const l of net.layers) {
    if (!MODELLED_OPS.has(l.op))
      fail(
        D.pointaccUnmodelledOp,
        `PointAcc does not model '${l.op}' (layer ${l.name} of ${net.name}); it runs point-cloud networks (${[...MODELLED_OPS].slice(0, 11).join(', ')})`,
        l.location,
      );
    const ins = l.inputs.map((i) => geo.get(i) ?? {});
    const inTypes = l.inputs.map((i) => types.get(i) ?? l.output);
    let item: WorkItem = { kind: 'none' };
    let g: Geo = {};
    let outType: TensorType = l.output;
    let weightBytes = 0;
    const a = l.attrs;
    switch (l.op) {
      case 'fps': {
        const c = ins[0].coords!;
        const m = Math.min(Number(a.centers), cloudSize(c));
        const sel = fps(c, m);
        g = { coords: subset(c, sel) };
        item = { kind: 'fps', n: cloudSize(c), m };
        outType = { ...l.output, shape: [m, l.output.shape[1]] };
        break;
      }
      case 'knn':
      case 'ball_query': {
        const centers = ins[0].coords!;
        const cloud = (ins[1] ?? ins[0]).coords!;
        const k = Number(a.neighbors);
        const idx =
          l.op === 'knn' ? knn(centers, cloud, Math.min(k, cloudSize(cloud))) : ballQuery(centers, cloud, Number(a.radius), k).result;
        g = { idx, coords: centers };
        const dims = Math.max(3, features(inTypes[1] ?? inTypes[0]));
        item = {
          kind: 'search',
          op: l.op,
          n: cloudSize(cloud),
          m: cloudSize(centers),
          k,
          dims: l.op === 'knn' ? dims : 3,
          radius: Number(a.radius ?? 0),
        };
        outType = { ...l.output, shape: [cloudSize(centers), k] };
        break;
      }
      case 'group': {
        const idx = ins[2].idx!;
        const src = inTypes[0];
        const c = features(src);
        const rowBytes = l.attrs.mode === 'edge' ? c : 3 + Math.max(0, src.shape[1] - 3);
        const stream = Int32Array.from(idx.flat());
        g = { centers: ins[1].coords ?? ins[2].coords };
        item = { kind: 'gather', rows: stream.length, rowBytes, stream, sourceRows: src.shape[0] };
        outType = { ...l.output, shape: [idx.length, idx[0]?.length ?? 0, l.output.shape[2]] };
        break;
      }
      case 'group_all': {
        const n = inTypes[0].shape[0];
        item = { kind: 'gather', rows: n, rowBytes: inTypes[0].shape[1], stream: null, sourceRows: n };
        g = { centers: makeCloud('origin', [[0, 0, 0]]) };
        outType = { ...l.output, shape: [1, n, l.output.shape[2]] };
        break;
      }
      case 'shared_mlp': {
        const x = inTypes[0];
        const cin = x.kind === 'feature' ? x.shape[2] : cloudFeatures(x);
        const rows = x.kind === 'feature' ? x.shape[0] * x.shape[1] : x.shape[0];
        const cout = Number(a.out);
        item = { kind: 'matmul', rows, cin, cout };
        weightBytes = cin * cout + 4 * cout;
        g = { ...ins[0] };
        outType =
          x.kind === 'feature' ? { ...l.output, shape: [x.shape[0], x.shape[1], cout] } : { ...l.output, shape: [x.shape[0], 3 + cout] };
        break;
      }
      case 'dense': {
        const x = inTypes[0];
        const cin = x.shape.reduce((p, q) => p * q, 1);
        item = { kind: 'matmul', rows: 1, cin, cout: Number(a.out) };
        weightBytes = cin * Number(a.out) + 4 * Number(a.out);
        break;
      }
      case 'reduce_max': {
        const x = inTypes[0];
        if (x.kind === 'feature') {
          item = { kind: 'reduce', rows: x.shape[0] * x.shape[1], groups: x.shape[0], channels: x.shape[2] };
          g = { coords: ins[0].centers };
          outType =
            a.keep_centers === false || l.output.kind === 'vector' ? l.output : { ...l.output, shape: [x.shape[0], 3 + x.shape[2]] };
        } else {
          item = { kind: 'reduce', rows: x.shape[0], groups: 1, channels: cloudFeatures(x) };
        }
        break;
      }
      case 'interpolate': {
        const target = ins[0].coords!;
        const source = ins[1].coords!;
        const k = Math.min(Number(a.neighbors ?? 3), cloudSize(source));
        const idx = knn(target, source, k);
        const fs = features(inTypes[1]);
        item = { kind: 'interpolate', nt: cloudSize(target), ns: cloudSize(source), k, channels: fs, stream: Int32Array.from(idx.flat()) };
        g = { coords: target };
        outType = { ...l.output, shape: [cloudSize(target), l.output.shape[1]] };
        break;
      }
      case 'sparse_conv3d':
      case 'sparse_deconv3d': {
        const x = ins[0];
        const coords = x.coords!;
        const t = x.stride ?? 1;
        const k = Number(a.kernel);
        const s = Number(a.stride ?? 1);
        const cin = features(inTypes[0]);
        const cout = Number(a.out);
        let outCoords: Cloud;
        let outStride: number;
        let map;
        let mapIn: Cloud;
        let mapOut: Cloud;
        let mapStride: number;
        if (l.op === 'sparse_conv3d') {
          outStride = t * s;
          outCoords = s === 1 ? coords : downsampleCoords(coords, outStride);
          map = kernelMap(coords, outCoords, k, t);
          [mapIn, mapOut, mapStride] = [coords, outCoords, t];
        } else {
          outStride = Math.max(1, t / s);
          outCoords = byStride.get(outStride) ?? coords;
          // Transposed conv: the map of the strided conv from the finer set, with in/out swapped.
          const fwd = kernelMap(outCoords, coords, k, outStride);
          [mapIn, mapOut, mapStride] = [outCoords, coords, outStride];
          map = fwd.map((e) => ({
            offset: e.offset,
            pairs: e.pairs.map(([i, o]) => [o, i] as [number, number]).sort((p, q) => p[1] - q[1]),
          }));
        }
        byStride.set(outStride, outCoords);
        const pairList = Int32Array.from(map.flatMap((e) => e.pairs.flat()));
        item = {
          kind: 'sparse_conv',
          nIn: cloudSize(coords),
          nOut: cloudSize(outCoords),
          volume: k ** 3,
          kernel: k,
          mapStride,
          mapIn,
          mapOut,
          pairs: map.map((e) => e.pairs.length),
          pairList,
          cin,
          cout,
          outRank: rasterRank(outCoords),
        };
        weightBytes = k ** 3 * cin * cout + 4 * cout;
        g = { coords: outCoords, stride: outStride };
        outType = { ...l.output, shape: [cloudSize(outCoords), 3 + cout] };
        break;
      }
      case 'concat': {
        g = { ...ins[0] };
        const c = inTypes.reduce((s2, t2) => s2 + features(t2), 0);
        outType = { ...l.output, shape: [inTypes[0].shape[0], 3 + c] };
        break;
      }
      default:
        g = { ...ins[0] };
        outType = inTypes[0]
          ? { ...l.output, shape: l.output.kind === inTypes[0].kind ? [...inTypes[0].shape] : l.output.shape }
          : l.output;
    }
    geo.set(l.name, g);
    types.set(l.name, outType);
    const isIdx = l.op === 'knn' || l.op === 'ball_query';
    const outputBytes = isIdx ? outType.shape[0] * outType.shape[1] * idxBytes(outType.shape[0]) : outType.shape.reduce((p, q) => p * q, 1);
    out.push({ layer: l, item, outputBytes, weightBytes, inputs: l.inputs });
  }
  return out;
}
