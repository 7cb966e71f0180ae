// RTL + vectors + bench for a whole sparse-convolution layer on the PointAcc top
// (sparse-conv-top.ts): the golden model builds the kernel map, gathers, multiplies per offset,
// scatter-accumulates and requantises; the bench (the DRAM model) checks every output byte.
import { emitDesign, clog2 } from '../verilog/index.ts';
import type { Cloud } from '../../reference/pointcloud/cloud.ts';
import { quantizeMultiplier, requantize, sparseConvAcc, type QuantLayer } from '../../reference/pointcloud/compute.ts';
import { SetAssociativeCache, cacheLineBytes } from '../../pointacc/cache.ts';
import { missLatency, sparseConvCycles, type SparseConvCycles } from '../../pointacc/layer-cycles.ts';
import { Prng } from '../../util/prng.ts';
import type { KernelMapperParams } from './kernel-mapper.ts';
import type { GatherCacheParams } from './gather-cache.ts';
import type { MatrixUnitParams } from './matrix-unit.ts';
import { sparseConvTopModules, sparseConvTopName } from './sparse-conv-top.ts';
import { channelTiles, hexFile, nextPow2, pack, renderTemplate, requantFiles, voxelGeometry, voxelRows, type TextFile } from './vectors.ts';
import type { RtlPackage } from './point-search-package.ts';

export interface SparseConvRequest {
  /** Integer voxel coordinates. */
  voxels: Cloud;
  kernel: number;
  stride: number;
  sorterWidth: number;
  arrayRows: number;
  arrayCols: number;
  cacheBytes: number;
  /** 0 turns the cache off: every gathered row is read from DRAM. */
  ways: number;
  dramBandwidth: number;
  cin: number;
  cout: number;
  seed: number;
}

export interface SparseConvPackage extends RtlPackage {
  model: SparseConvCycles;
  hits: number;
  misses: number;
  dramBytes: number;
}

export function sparseConvPackage(req: SparseConvRequest): SparseConvPackage {
  const { inputs, outputs, nIn, nOut, map, coordBits } = voxelGeometry(req.voxels, req.kernel, req.stride);
  const W = req.sorterWidth;
  const MR = req.arrayRows;
  const MC = req.arrayCols;
  if (req.cin > MR) throw new Error(`input channels ${req.cin} must fit one activation line (${MR})`);
  const rowBytes = cacheLineBytes(req.cin);
  const cacheOn = req.ways > 0;
  const ways = cacheOn ? req.ways : 1;
  const sets = cacheOn ? Math.floor(req.cacheBytes / rowBytes / ways) : 1;
  if (sets < 1 || (sets & (sets - 1)) !== 0)
    throw new Error(`cache of ${req.cacheBytes} B, ${rowBytes}-byte rows, ${ways} ways: ${sets} sets is not a power of two`);
  // The cache's set index is taken from the point index, so the tables are at least as deep as the sets.
  const maxPoints = Math.max(2 * W, nextPow2(Math.max(nIn, nOut)), sets);
  const mapper: KernelMapperParams = { lanes: W, coordBits, maxPoints, kernel: req.kernel, strideIn: 1 };
  const latency = missLatency(rowBytes, req.dramBandwidth);
  const gather: GatherCacheParams = { sets, ways, rowBytes, maxRows: maxPoints, latency, bypass: !cacheOn };
  const outTiles = Math.ceil(req.cout / MC);
  const pairsTotal = map.reduce((s, e) => s + e.pairs.length, 0);
  const maxGroup = Math.max(1, ...map.map((e) => e.pairs.length));
  const matrix: MatrixUnitParams = {
    rows: MR,
    cols: MC,
    maxRows: Math.max(2, nextPow2(maxGroup)),
    maxInTiles: 2,
    maxOutTiles: Math.max(2, nextPow2(outTiles)),
    accOut: true,
  };
  const top = { mapper, gather, matrix, maxPairs: Math.max(2, nextPow2(pairsTotal)), outTiles };

  // Golden layer.
  const rng = new Prng(req.seed);
  const volume = req.kernel ** 3;
  const x = Array.from({ length: nIn }, () => Array.from({ length: req.cin }, () => rng.int(256) - 128));
  const weights = Array.from({ length: volume }, () =>
    Array.from({ length: req.cout }, () => Array.from({ length: req.cin }, () => rng.int(255) - 127)),
  );
  const bias = Array.from({ length: req.cout }, () => rng.int(20001) - 10000);
  const qm = Array.from({ length: req.cout }, () => quantizeMultiplier((0.5 + rng.next()) / (64 * Math.sqrt(req.cin * 4) * 16)));
  const layer: QuantLayer = {
    weights: weights[0],
    bias,
    inputZeroPoint: 0,
    outputZeroPoint: rng.int(21) - 10,
    multiplier: qm.map((v) => v.multiplier),
    shift: qm.map((v) => v.shift),
    relu: true,
  };
  const acc = sparseConvAcc(x, weights, map, nOut);
  const y = acc.map((row) => row.map((a, co) => requantize(a + bias[co], layer, co)));

  // Cache behaviour per offset group (the cache persists across groups).
  const cache = new SetAssociativeCache({ bytes: sets * ways * rowBytes, ways, lineBytes: rowBytes });
  const groups = map
    .filter((e) => e.pairs.length > 0)
    .map((e) => {
      let misses = 0;
      for (const [i] of e.pairs) if (!cacheOn || !cache.access(i)) misses++;
      return { rows: e.pairs.length, misses };
    });
  const misses = groups.reduce((s, g) => s + g.misses, 0);
  const hits = pairsTotal - misses;
  const IW = Math.log2(maxPoints);
  const OW = Math.log2(matrix.maxOutTiles);
  const KW = Math.log2(MR);
  const OFB = clog2(volume);
  const model = sparseConvCycles({
    inputs: nIn,
    outputs: nOut,
    kernel: req.kernel,
    cin: req.cin,
    cout: req.cout,
    sorterWidth: W,
    arrayRows: MR,
    arrayCols: MC,
    accumulatorEntries: 2 ** (IW + OW),
    groups,
    latency,
  });

  // DRAM image and expectations.
  const featLines = x.map((f) => pack(Array.from({ length: rowBytes }, (_, c): [number, number] => [c < req.cin ? f[c] : 0, 8])));
  const wLines: bigint[] = [];
  for (let d = 0; d < 2 ** OFB; d++) {
    for (let o = 0; o < matrix.maxOutTiles; o++) {
      for (let r = 0; r < MR; r++) {
        wLines.push(
          pack(
            Array.from({ length: MC }, (_, c): [number, number] => {
              const co = o * MC + c;
              return [d < volume && r < req.cin && co < req.cout ? weights[d][co][r] : 0, 8];
            }),
          ),
        );
      }
    }
  }
  const expected: bigint[] = [];
  const masks: bigint[] = [];
  for (let j = 0; j < nOut; j++) {
    for (let o = 0; o < outTiles; o++) {
      expected.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < req.cout ? y[j][o * MC + c] : 0, 8])));
      masks.push(pack(Array.from({ length: MC }, (_, c): [number, number] => [o * MC + c < req.cout ? 0xff : 0, 8])));
    }
  }
  const dramBytes =
    (nIn + nOut) * 3 * Math.ceil(coordBits / 8) + misses * rowBytes + volume * req.cin * req.cout + 8 * req.cout + nOut * req.cout;
  const modules = emitDesign(sparseConvTopModules(top));
  const tb = 'tb_pointacc_sparse_conv';
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'in_voxels.hex', text: hexFile(voxelRows(inputs, coordBits), 3 * coordBits) });
  files.push({ path: 'out_voxels.hex', text: hexFile(voxelRows(outputs, coordBits), 3 * coordBits) });
  files.push({ path: 'features.hex', text: hexFile(featLines, 8 * MR) });
  files.push({ path: 'w.hex', text: hexFile(wLines, MC * 8) });
  files.push(
    ...requantFiles(
      (field, bits) => channelTiles(matrix.maxOutTiles, MC, req.cout, (co) => (field === 'bias' ? bias : layer[field])[co], bits),
      MC,
    ),
  );
  files.push({ path: 'expect_out.hex', text: hexFile(expected, MC * 8) });
  files.push({ path: 'expect_mask.hex', text: hexFile(masks, MC * 8) });
  const actMin = Math.max(-128, layer.outputZeroPoint);
  files.push({
    path: `${tb}.v`,
    text: renderTemplate('sparse-conv-tb.v.hbs', {
      tb,
      dut: sparseConvTopName(top),
      indexBits: IW,
      pointBits: 3 * coordBits,
      featBits: 8 * rowBytes,
      mc: MC,
      wAddrBits: OFB + OW + KW,
      outTileBits: OW,
      nIn,
      nOut,
      wLines: wLines.length,
      qLines: matrix.maxOutTiles,
      outTiles,
      outLines: expected.length,
      zpHex: `8'h${(layer.outputZeroPoint & 0xff).toString(16)}`,
      actMinHex: `8'h${(actMin & 0xff).toString(16)}`,
      hits,
      misses,
      timeoutNs: 10 * (2 * (nIn + nOut) + wLines.length + 4 * model.total + 1000),
    }),
  });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: model.total,
    golden: { outputs: y },
    model,
    hits,
    misses,
    dramBytes,
    params: {
      op: 'sparse_conv3d',
      inputs: nIn,
      outputs: nOut,
      pairs: pairsTotal,
      kernel: req.kernel,
      stride: req.stride,
      cin: req.cin,
      cout: req.cout,
      lanes: W,
      arrayRows: MR,
      arrayCols: MC,
      cacheSets: sets,
      cacheWays: ways,
      cache: String(cacheOn),
      latency,
      hits,
      misses,
    },
  };
}
