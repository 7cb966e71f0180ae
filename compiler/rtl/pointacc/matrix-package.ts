// RTL + vectors + bench for one shared-MLP layer on the matrix unit: seeded int8 activations,
// weights and per-channel TFLite multipliers; the golden int8 shared MLP gives the outputs.
import { emitDesign } from '../verilog/index.ts';
import { foldedBias, quantizeMultiplier, sharedMlpInt8, type QuantLayer } from '../../reference/pointcloud/compute.ts';
import { Prng } from '../../util/prng.ts';
import { matrixUnitModules, matrixUnitName, type MatrixUnitParams } from './matrix-unit.ts';
import { channelTiles, hexFile, nextPow2, pack, renderTemplate, requantFiles, type TextFile } from './vectors.ts';
import type { RtlPackage } from './point-search-package.ts';
import { matrixCycles } from '../../pointacc/mapping-cycles.ts';

export interface MatrixRequest {
  arrayRows: number;
  arrayCols: number;
  rows: number;
  cin: number;
  cout: number;
  relu: boolean;
  seed: number;
}

/** A seeded quantised layer with realistic scales (accumulators land in the int8 range). */
export function syntheticLayer(cin: number, cout: number, relu: boolean, rng: Prng): QuantLayer {
  const weights = Array.from({ length: cout }, () => Array.from({ length: cin }, () => rng.int(255) - 127));
  const bias = Array.from({ length: cout }, () => rng.int(20001) - 10000);
  const q = Array.from({ length: cout }, () => quantizeMultiplier((0.5 + rng.next()) / (64 * Math.sqrt(cin) * 16)));
  return {
    weights,
    bias,
    inputZeroPoint: rng.int(21) - 10,
    outputZeroPoint: rng.int(21) - 10,
    multiplier: q.map((v) => v.multiplier),
    shift: q.map((v) => v.shift),
    relu,
  };
}

export function matrixPackage(req: MatrixRequest): RtlPackage {
  const rng = new Prng(req.seed);
  const MR = req.arrayRows;
  const MC = req.arrayCols;
  const inTiles = Math.ceil(req.cin / MR);
  const outTiles = Math.ceil(req.cout / MC);
  const params: MatrixUnitParams = {
    rows: MR,
    cols: MC,
    maxRows: Math.max(2, nextPow2(req.rows)),
    maxInTiles: Math.max(2, nextPow2(inTiles)),
    maxOutTiles: Math.max(2, nextPow2(outTiles)),
  };
  const layer = syntheticLayer(req.cin, req.cout, req.relu, rng);
  const x = Array.from({ length: req.rows }, () => Array.from({ length: req.cin }, () => rng.int(256) - 128));
  const y = sharedMlpInt8(x, layer);
  const bias = foldedBias(layer);
  const TW = Math.log2(params.maxInTiles);
  const OW = Math.log2(params.maxOutTiles);
  const KW = Math.max(1, Math.ceil(Math.log2(MR)));
  const RW = Math.log2(params.maxRows);
  const xLines: bigint[] = [];
  for (let j = 0; j < params.maxRows; j++) {
    for (let t = 0; t < params.maxInTiles; t++) {
      xLines.push(
        pack(Array.from({ length: MR }, (_, r): [number, number] => [j < req.rows && t * MR + r < req.cin ? x[j][t * MR + r] : 0, 8])),
      );
    }
  }
  const wLines: bigint[] = [];
  for (let o = 0; o < params.maxOutTiles; o++) {
    for (let t = 0; t < params.maxInTiles; t++) {
      for (let r = 0; r < 2 ** KW; r++) {
        wLines.push(
          pack(
            Array.from({ length: MC }, (_, c): [number, number] => {
              const co = o * MC + c;
              const ci = t * MR + r;
              return [r < MR && co < req.cout && ci < req.cin ? layer.weights[co][ci] : 0, 8];
            }),
          ),
        );
      }
    }
  }
  const coutP = outTiles * MC;
  const expected: bigint[] = [];
  for (let j = 0; j < req.rows; j++) for (let c = 0; c < coutP; c++) expected.push(BigInt.asUintN(8, BigInt(c < req.cout ? y[j][c] : 0)));
  const modules = emitDesign(matrixUnitModules(params));
  const tb = 'tb_pointacc_matrix_unit';
  const predicted = matrixCycles(req.rows, req.cin, req.cout, MR, MC);
  const actMin = req.relu ? Math.max(-128, layer.outputZeroPoint) : -128;
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'x.hex', text: hexFile(xLines, MR * 8) });
  files.push({ path: 'w.hex', text: hexFile(wLines, MC * 8) });
  files.push(
    ...requantFiles(
      (field, bits) => channelTiles(params.maxOutTiles, MC, req.cout, (co) => (field === 'bias' ? bias : layer[field])[co], bits),
      MC,
    ),
  );
  files.push({ path: 'expect.hex', text: hexFile(expected, 8) });
  files.push({
    path: `${tb}.v`,
    text: renderTemplate('matrix-unit-tb.v.hbs', {
      tb,
      dut: matrixUnitName(params),
      cols: MC,
      arrayRows: MR,
      rowBits: RW,
      xAddrBits: RW + TW,
      wAddrBits: OW + TW + KW,
      outTileBits: OW,
      inTileBits: TW,
      xLines: xLines.length,
      wLines: wLines.length,
      qLines: params.maxOutTiles,
      rows: req.rows,
      cin: req.cin,
      cout: req.cout,
      coutPadded: coutP,
      inTilesM1: inTiles - 1,
      outTilesM1: outTiles - 1,
      zpHex: `8'h${(layer.outputZeroPoint & 0xff).toString(16)}`,
      actMinHex: `8'h${(actMin & 0xff).toString(16)}`,
      timeoutNs: 10 * (xLines.length + wLines.length + 4 * predicted + 1000),
    }),
  });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: predicted,
    golden: { outputs: y },
    params: {
      op: 'shared_mlp',
      rows: req.rows,
      cin: req.cin,
      cout: req.cout,
      arrayRows: MR,
      arrayCols: MC,
      relu: String(req.relu),
      outputs: req.rows * req.cout,
    },
  };
}
