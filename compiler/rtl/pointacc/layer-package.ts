// RTL + vectors + bench for a whole PointNet++ set-abstraction layer on the PointAcc top
// (layer-top.ts): the golden model runs FPS, ball query, gather, the int8 shared MLP and
// max-pool on the quantised cloud; the bench (with the DRAM model) checks every pooled byte.
import { emitDesign } from '../verilog/index.ts';
import { type Cloud, cloudSize, coordBitsForKey, quantiseCloud, quantisedRadius2 } from '../../reference/pointcloud/cloud.ts';
import { ballQuery, fps, subset } from '../../reference/pointcloud/mapping.ts';
import { foldedBias, maxPool, sharedMlpInt8 } from '../../reference/pointcloud/compute.ts';
import { cacheLineBytes, simulateCache } from '../../pointacc/cache.ts';
import { DRAM_ACCESS_CYCLES, missLatency, saLayerCycles, type LayerCycles } from '../../pointacc/layer-cycles.ts';
import { Prng } from '../../util/prng.ts';
import { pointSearchShape, type PointSearchParams } from './point-search.ts';
import type { GatherCacheParams } from './gather-cache.ts';
import type { MatrixUnitParams } from './matrix-unit.ts';
import { saLayerTopModules, saLayerTopName } from './layer-top.ts';
import { syntheticLayer } from './matrix-package.ts';
import { hexFile, nextPow2, pack, pointRows, renderTemplate, requantFiles, type TextFile } from './vectors.ts';
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
  /** Output channels of each shared-MLP layer, in order. */
  mlp: number[];
  /** Keep the MLP's intermediates on chip (true) or spill them through DRAM (false). */
  fusion: boolean;
  seed: number;
}

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
  if (sets < 1 || (sets & (sets - 1)) !== 0)
    throw new Error(`cache of ${req.cacheBytes} B, ${rowBytes}-byte rows, ${ways} ways: ${sets} sets is not a power of two`);
  // The cache's set index is taken from the point index, so the tables are at least as deep as the sets.
  const maxPoints = Math.max(2 * W, nextPow2(n), sets);
  const search: PointSearchParams = { lanes: W, buffer: Math.max(W, nextPow2(req.k)), coordBits, maxPoints };
  const shape = pointSearchShape(search);
  const latency = missLatency(rowBytes, req.dramBandwidth);
  const gather: GatherCacheParams = { sets, ways, rowBytes, maxRows: maxPoints, latency, bypass: !cacheOn };
  const rows = req.centers * req.k;
  const chans = [req.cin, ...req.mlp];
  const L = req.mlp.length;
  const cout = req.mlp[L - 1];
  const tiles = req.mlp.map((c, l) => ({ inTiles: Math.ceil(chans[l] / MR), outTiles: Math.ceil(c / MC) }));
  const outTiles = tiles[L - 1].outTiles;
  const TT = Math.max(2, nextPow2(Math.max(...tiles.flatMap((t) => [t.inTiles, t.outTiles]))));
  const matrix: MatrixUnitParams = { rows: MR, cols: MC, maxRows: Math.max(2, nextPow2(rows)), maxInTiles: TT, maxOutTiles: TT };
  const lineCycles = Math.ceil(MR / Math.max(1, req.dramBandwidth));

  // Golden layer on the quantised cloud.
  const centers = fps(q.cloud, req.centers);
  const r2 = quantisedRadius2(req.radius, q.fracBits);
  if (r2 >= 2 ** shape.distBits) throw new Error(`radius ${req.radius} does not fit ${shape.distBits}-bit squared distances`);
  const groups = ballQuery(subset(q.cloud, centers), q.cloud, req.radius, req.k, 'pointnet2', r2).result;
  const stream = groups.flat();
  const stats = cacheOn
    ? simulateCache(stream, { bytes: sets * ways * rowBytes, ways, lineBytes: rowBytes })
    : { accesses: stream.length, hits: 0, misses: stream.length };
  const rng = new Prng(req.seed);
  const features = Array.from({ length: n }, () => Array.from({ length: req.cin }, () => rng.int(256) - 128));
  const layers = req.mlp.map((c, l) => syntheticLayer(chans[l], c, true, rng));
  const pooled = maxPool(
    groups.map((g) =>
      layers.reduce(
        (x, layer) => sharedMlpInt8(x, layer),
        g.map((i) => features[i]),
      ),
    ),
  );

  // DRAM image (the bench's DRAM model) and expectations.
  const featLines = features.map((f) => pack(Array.from({ length: rowBytes }, (_, c): [number, number] => [c < req.cin ? f[c] : 0, 8])));
  const KW = Math.log2(MR);
  const LB = Math.max(1, Math.ceil(Math.log2(L)));
  const wLines: bigint[] = [];
  for (let l = 0; l < 2 ** LB; l++) {
    for (let o = 0; o < TT; o++) {
      for (let t = 0; t < TT; t++) {
        for (let r = 0; r < MR; r++) {
          wLines.push(
            pack(
              Array.from({ length: MC }, (_, c): [number, number] => {
                const co = o * MC + c;
                const ci = t * MR + r;
                return [l < L && co < req.mlp[l] && ci < chans[l] ? layers[l].weights[co][ci] : 0, 8];
              }),
            ),
          );
        }
      }
    }
  }
  const biases = layers.map(foldedBias);
  const perTile = (f: (l: number, co: number) => number, bits: number) =>
    Array.from({ length: 2 ** LB * TT }, (_, a) => {
      const [l, o] = [Math.floor(a / TT), a % TT];
      return pack(Array.from({ length: MC }, (_, c): [number, number] => [l < L && o * MC + c < req.mlp[l] ? f(l, o * MC + c) : 0, bits]));
    });
  const zpLines = Array.from({ length: 2 ** LB * TT }, (_, a) => {
    const l = Math.min(L - 1, Math.floor(a / TT));
    const zp = layers[l].outputZeroPoint;
    return pack([
      [zp, 8],
      [Math.max(-128, zp), 8],
    ]);
  });
  const expected: bigint[] = [];
  const masks: bigint[] = [];
  for (let j = 0; j < req.centers; j++) {
    for (let o = 0; o < outTiles; o++) {
      expected.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < cout ? pooled[j][o * MC + c] : 0, 8])));
      masks.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < cout ? 0xff : 0, 8])));
    }
  }
  const model = saLayerCycles({
    points: n,
    centers: req.centers,
    k: req.k,
    channels: chans,
    sorterWidth: W,
    arrayRows: MR,
    arrayCols: MC,
    misses: stats.misses,
    latency,
    fusion: req.fusion,
    lineCycles,
  });
  // DRAM traffic of the layer: points and weights in once, a row per gather miss, unfused
  // intermediates out and back, pooled features out.
  const spilled = req.fusion ? 0 : req.mlp.slice(0, -1).reduce((a, c) => a + 2 * rows * Math.ceil(c / MR) * MR, 0);
  const dramBytes =
    n * 3 * Math.ceil(coordBits / 8) +
    stats.misses * rowBytes +
    req.mlp.reduce((a, c, l) => a + chans[l] * c + 8 * c, 0) +
    spilled +
    req.centers * cout;
  const top = { search, gather, matrix, centers: req.centers, k: req.k, layers: tiles, fusion: req.fusion, lineCycles };
  const modules = emitDesign(saLayerTopModules(top));
  const tb = 'tb_pointacc_sa_layer';
  const pts = pointRows(q.cloud, W, coordBits);
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'points.hex', text: hexFile(pts, W * shape.pointBits) });
  files.push({ path: 'features.hex', text: hexFile(featLines, 8 * MR) });
  files.push({ path: 'w.hex', text: hexFile(wLines, MC * 8) });
  files.push(...requantFiles((field, bits) => perTile((l, co) => (field === 'bias' ? biases[l] : layers[l][field])[co], bits), MC));
  files.push({ path: 'zp.hex', text: hexFile(zpLines, 16) });
  files.push({ path: 'expect_fps.hex', text: hexFile(centers.map(BigInt), shape.indexBits) });
  files.push({ path: 'expect_out.hex', text: hexFile(expected, MC * 8) });
  files.push({ path: 'expect_mask.hex', text: hexFile(masks, MC * 8) });
  const OW = Math.log2(TT);
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
      wAddrBits: LB + 2 * OW + KW,
      qAddrBits: LB + OW,
      actAddrBits: Math.log2(matrix.maxRows) + OW,
      lineBits: 8 * MR,
      dramLatency: DRAM_ACCESS_CYCLES,
      outTileBits: OW,
      centerBits: Math.max(1, Math.ceil(Math.log2(req.centers))),
      ptLines: pts.length,
      featLines: n,
      wLines: wLines.length,
      qLines: 2 ** LB * TT,
      n,
      m: req.centers,
      outTiles,
      outLines: expected.length,
      r2,
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
      op: 'set_abstraction',
      points: n,
      centers: req.centers,
      k: req.k,
      cin: req.cin,
      mlp: req.mlp.join(','),
      fusion: String(req.fusion),
      lanes: W,
      arrayRows: MR,
      arrayCols: MC,
      cacheSets: sets,
      cacheWays: ways,
      cache: String(cacheOn),
      latency,
      radius2: r2,
      hits: stats.hits,
      misses: stats.misses,
    },
  };
}
