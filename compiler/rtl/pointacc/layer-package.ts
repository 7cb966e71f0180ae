// RTL + vectors + bench for a whole PointNet++ set-abstraction layer on the PointAcc top
// (layer-top.ts): the golden model runs FPS, ball query, gather, the int8 shared MLP and
// max-pool on the quantised cloud; the bench (with the DRAM model) checks every pooled byte.
import { emitDesign } from '../verilog/index.ts';
import { type Cloud, cloudSize, coordBitsForKey, quantiseCloud, quantisedRadius2 } from '../../reference/pointcloud/cloud.ts';
import { ballQuery, fps, subset } from '../../reference/pointcloud/mapping.ts';
import { foldedBias, maxPool, sharedMlpInt8 } from '../../reference/pointcloud/compute.ts';
import { cacheLineBytes, simulateCache } from '../../pointacc/cache.ts';
import { missLatency, saLayerCycles, type LayerCycles } from '../../pointacc/layer-cycles.ts';
import { Prng } from '../../util/prng.ts';
import { pointSearchShape, type PointSearchParams } from './point-search.ts';
import type { GatherCacheParams } from './gather-cache.ts';
import type { MatrixUnitParams } from './matrix-unit.ts';
import { saLayerTopModules, saLayerTopName } from './layer-top.ts';
import { syntheticLayer } from './matrix-package.ts';
import { hexFile, pack, pointRows, renderTemplate, type TextFile } from './vectors.ts';
import type { RtlPackage } from './point-search-package.ts';

export interface SaLayerRequest {
  cloud: Cloud;
  sorterWidth: number;
  keyBits: number;
  arrayRows: number;
  arrayCols: number;
  cacheBytes: number;
  /** 0 turns the cache off: every gathered row is read from DRAM. */
  ways: number;
  dramBandwidth: number;
  centers: number;
  k: number;
  radius: number;
  cin: number;
  cout: number;
  seed: number;
}

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

export interface SaLayerPackage extends RtlPackage {
  model: LayerCycles;
  hits: number;
  misses: number;
  dramBytes: number;
}

export function saLayerPackage(req: SaLayerRequest): SaLayerPackage {
  const n = cloudSize(req.cloud);
  const W = req.sorterWidth;
  const MR = req.arrayRows;
  const MC = req.arrayCols;
  if (req.cin > MR) throw new Error(`input channels ${req.cin} must fit one activation line (${MR})`);
  if (req.centers < 2 || req.centers > n) throw new Error(`centers ${req.centers} must be in 2..${n}`);
  const coordBits = coordBitsForKey(req.keyBits);
  const q = quantiseCloud(req.cloud, coordBits);
  const rowBytes = cacheLineBytes(req.cin);
  const cacheOn = req.ways > 0;
  const ways = cacheOn ? req.ways : 1;
  const sets = cacheOn ? Math.floor(req.cacheBytes / rowBytes / ways) : 1;
  if (sets < 1 || (sets & (sets - 1)) !== 0) throw new Error(`cache of ${req.cacheBytes} B, ${rowBytes}-byte rows, ${ways} ways: ${sets} sets is not a power of two`);
  // The cache's set index is taken from the point index, so the tables are at least as deep as the sets.
  const maxPoints = Math.max(2 * W, nextPow2(n), sets);
  const search: PointSearchParams = { lanes: W, buffer: Math.max(W, nextPow2(req.k)), coordBits, maxPoints };
  const shape = pointSearchShape(search);
  const latency = missLatency(rowBytes, req.dramBandwidth);
  const gather: GatherCacheParams = { sets, ways, rowBytes, maxRows: maxPoints, latency, bypass: !cacheOn };
  const rows = req.centers * req.k;
  const outTiles = Math.ceil(req.cout / MC);
  const matrix: MatrixUnitParams = { rows: MR, cols: MC, maxRows: Math.max(2, nextPow2(rows)), maxInTiles: 2, maxOutTiles: Math.max(2, nextPow2(outTiles)) };

  // Golden layer on the quantised cloud.
  const centers = fps(q.cloud, req.centers);
  const r2 = quantisedRadius2(req.radius, q.fracBits);
  if (r2 >= 2 ** shape.distBits) throw new Error(`radius ${req.radius} does not fit ${shape.distBits}-bit squared distances`);
  const groups = ballQuery(subset(q.cloud, centers), q.cloud, req.radius, req.k, 'pointnet2', r2).result;
  const stream = groups.flat();
  const stats = cacheOn ? simulateCache(stream, { bytes: sets * ways * rowBytes, ways, lineBytes: rowBytes }) : { accesses: stream.length, hits: 0, misses: stream.length };
  const rng = new Prng(req.seed);
  const features = Array.from({ length: n }, () => Array.from({ length: req.cin }, () => rng.int(256) - 128));
  const layer = syntheticLayer(req.cin, req.cout, true, rng);
  const pooled = maxPool(groups.map((g) => sharedMlpInt8(g.map((i) => features[i]), layer)));

  // DRAM image (the bench's DRAM model) and expectations.
  const featLines = features.map((f) => pack(Array.from({ length: rowBytes }, (_, c): [number, number] => [c < req.cin ? f[c] : 0, 8])));
  const KW = Math.max(1, Math.ceil(Math.log2(MR)));
  const wLines: bigint[] = [];
  for (let o = 0; o < matrix.maxOutTiles; o++) {
    for (let t = 0; t < matrix.maxInTiles; t++) {
      for (let r = 0; r < 2 ** KW; r++) {
        wLines.push(pack(Array.from({ length: MC }, (_, c): [number, number] => {
          const co = o * MC + c;
          return [t === 0 && r < req.cin && co < req.cout ? layer.weights[co][r] : 0, 8];
        })));
      }
    }
  }
  const bias = foldedBias(layer);
  const perTile = (f: (co: number) => number, bits: number) =>
    Array.from({ length: matrix.maxOutTiles }, (_, o) => pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < req.cout ? f(o * MC + c) : 0, bits])));
  const expected: bigint[] = [];
  const masks: bigint[] = [];
  for (let j = 0; j < req.centers; j++) {
    for (let o = 0; o < outTiles; o++) {
      expected.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < req.cout ? pooled[j][o * MC + c] : 0, 8])));
      masks.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < req.cout ? 0xff : 0, 8])));
    }
  }
  const model = saLayerCycles({ points: n, centers: req.centers, k: req.k, cin: req.cin, cout: req.cout, sorterWidth: W, arrayRows: MR, arrayCols: MC, misses: stats.misses, latency });
  // DRAM traffic of the layer: points and weights in once, a row per gather miss, pooled features out.
  const dramBytes = n * 3 * Math.ceil(coordBits / 8) + stats.misses * rowBytes + req.cin * req.cout + 4 * 2 * req.cout + req.centers * req.cout;
  const top = { search, gather, matrix, centers: req.centers, k: req.k, outTiles };
  const modules = emitDesign(saLayerTopModules(top));
  const tb = 'tb_pointacc_sa_layer';
  const pts = pointRows(q.cloud, W, coordBits);
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'points.hex', text: hexFile(pts, W * shape.pointBits) });
  files.push({ path: 'features.hex', text: hexFile(featLines, 8 * MR) });
  files.push({ path: 'w.hex', text: hexFile(wLines, MC * 8) });
  files.push({ path: 'bias.hex', text: hexFile(perTile((co) => bias[co], 32), MC * 32) });
  files.push({ path: 'mult.hex', text: hexFile(perTile((co) => layer.multiplier[co], 32), MC * 32) });
  files.push({ path: 'shift.hex', text: hexFile(perTile((co) => layer.shift[co], 6), MC * 6) });
  files.push({ path: 'expect_fps.hex', text: hexFile(centers.map(BigInt), shape.indexBits) });
  files.push({ path: 'expect_out.hex', text: hexFile(expected, MC * 8) });
  files.push({ path: 'expect_mask.hex', text: hexFile(masks, MC * 8) });
  const actMin = Math.max(-128, layer.outputZeroPoint);
  const OW = Math.log2(matrix.maxOutTiles);
  files.push({
    path: `${tb}.v`,
    text: renderTemplate('sa-layer-tb.v.hbs', {
      tb,
      dut: saLayerTopName(top),
      ptRowBits: shape.rowBits,
      ptDataBits: W * shape.pointBits,
      indexBits: shape.indexBits,
      distBits: shape.distBits,
      featBits: 8 * rowBytes,
      mc: MC,
      wAddrBits: OW + 1 + KW,
      outTileBits: OW,
      centerBits: Math.max(1, Math.ceil(Math.log2(req.centers))),
      ptLines: pts.length,
      featLines: n,
      wLines: wLines.length,
      qLines: matrix.maxOutTiles,
      n,
      m: req.centers,
      outTiles,
      outLines: expected.length,
      r2,
      zpHex: `8'h${(layer.outputZeroPoint & 0xff).toString(16)}`,
      actMinHex: `8'h${(actMin & 0xff).toString(16)}`,
      hits: stats.hits,
      misses: stats.misses,
      timeoutNs: 10 * (pts.length + n + wLines.length + 4 * model.total + 4 * sets + 1000),
    }),
  });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: model.total,
    golden: { centers, pooled },
    model,
    hits: stats.hits,
    misses: stats.misses,
    dramBytes,
    params: {
      op: 'set_abstraction', points: n, centers: req.centers, k: req.k, cin: req.cin, cout: req.cout, lanes: W, arrayRows: MR, arrayCols: MC,
      cacheSets: sets, cacheWays: ways, cache: String(cacheOn), latency, radius2: r2, hits: stats.hits, misses: stats.misses,
    },
  };
}
