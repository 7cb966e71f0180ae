// RTL + vectors + bench for one point-search op (fps, knn, ball query) on one cloud: the golden
// model runs on the quantised cloud, the bench checks the RTL against it bit for bit.
import { emitDesign } from '../verilog/index.ts';
import { type Cloud, cloudSize, coordBitsForKey, quantiseCloud, quantisedRadius2 } from '../../reference/pointcloud/cloud.ts';
import { ballQuery, fps, knn, subset, type BallQueryMode } from '../../reference/pointcloud/mapping.ts';
import { OP_CODE, pointSearchModules, pointSearchName, pointSearchShape, type PointSearchParams } from './point-search.ts';
import { hexFile, nextPow2, pack, pointRows, renderTemplate, type TextFile } from './vectors.ts';
import { fpsCycles, neighbourSearchCycles } from '../../pointacc/mapping-cycles.ts';

export type PointSearchOp = 'fps' | 'knn' | 'ball_query';

export interface PointSearchRequest {
  op: PointSearchOp;
  cloud: Cloud;
  sorterWidth: number;
  keyBits: number;
  centers: number;
  k: number;
  /** Ball-query radius in the cloud's units. */
  radius: number;
  mode: BallQueryMode;
}

export interface RtlPackage {
  top: string;
  /** Design files (one module each) then the bench. */
  files: TextFile[];
  designFiles: string[];
  testbench: string;
  predictedCycles: number;
  /** Golden results the vectors encode (for reports). */
  golden: unknown;
  params: Record<string, number | string>;
}

export function pointSearchPackage(req: PointSearchRequest): RtlPackage {
  const n = cloudSize(req.cloud);
  const coordBits = coordBitsForKey(req.keyBits);
  const q = quantiseCloud(req.cloud, coordBits);
  const W = req.sorterWidth;
  const k = req.op === 'fps' ? 1 : req.k;
  const params: PointSearchParams = { lanes: W, buffer: Math.max(W, nextPow2(k)), coordBits, maxPoints: Math.max(2 * W, nextPow2(n)) };
  const shape = pointSearchShape(params);
  const m = req.centers;
  const centers = fps(q.cloud, m);
  const ctrCloud = subset(q.cloud, centers);
  const r2 = quantisedRadius2(req.radius, q.fracBits);
  if (r2 >= 2 ** shape.distBits) throw new Error(`radius ${req.radius} does not fit ${shape.distBits}-bit squared distances`);
  let golden: unknown = { fps: centers };
  let nsRows: bigint[] = [];
  let op: number = OP_CODE.fps;
  if (req.op === 'knn') {
    op = OP_CODE.knn;
    const res = knn(ctrCloud, q.cloud, k);
    golden = { fps: centers, knn: res };
    nsRows = res.map((row) =>
      pack([
        ...row.map((v): [number, number] => [v, shape.indexBits]),
        ...Array.from({ length: params.buffer - k }, (): [number, number] => [0, shape.indexBits]),
        [0, shape.kBits],
      ]),
    );
  } else if (req.op === 'ball_query') {
    op = req.mode === 'pointnet2' ? OP_CODE.ball_query_pointnet2 : OP_CODE.ball_query_nearest;
    const res = ballQuery(ctrCloud, q.cloud, req.radius, k, req.mode, r2);
    golden = { fps: centers, ball_query: res };
    nsRows = res.result.map((row, j) =>
      pack([
        ...row.map((v): [number, number] => [v, shape.indexBits]),
        ...Array.from({ length: params.buffer - k }, (): [number, number] => [0, shape.indexBits]),
        [res.count[j], shape.kBits],
      ]),
    );
  }
  const modules = emitDesign(pointSearchModules(params));
  const dut = pointSearchName(params);
  const tb = 'tb_pointacc_point_search';
  const rows = pointRows(q.cloud, W, coordBits);
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'points.hex', text: hexFile(rows, W * shape.pointBits) });
  files.push({ path: 'expect_fps.hex', text: hexFile(centers.map(BigInt), shape.indexBits) });
  if (req.op !== 'fps') files.push({ path: 'expect_ns.hex', text: hexFile(nsRows, shape.kBits + params.buffer * shape.indexBits) });
  const predicted = req.op === 'fps' ? fpsCycles(n, m, W) : neighbourSearchCycles(n, m, W);
  const tbText = renderTemplate('point-search-tb.v.hbs', {
    tb,
    dut,
    opName: req.op === 'ball_query' ? `ball_query_${req.mode}` : req.op,
    rowBits: W * shape.pointBits,
    rowAddrBits: shape.rowBits,
    indexBits: shape.indexBits,
    kBits: shape.kBits,
    distBits: shape.distBits,
    buffer: params.buffer,
    loadRows: rows.length,
    m,
    k,
    n,
    r2,
    op,
    checkCount: req.op === 'ball_query' ? 1 : 0,
    pointsFile: 'points.hex',
    fpsFile: 'expect_fps.hex',
    nsFile: 'expect_ns.hex',
    timeoutNs: 10 * (rows.length + 4 * fpsCycles(n, m, W) + 4 * neighbourSearchCycles(n, m, W) + 1000),
  });
  files.push({ path: `${tb}.v`, text: tbText });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: predicted,
    golden,
    params: {
      op: req.op,
      mode: req.mode,
      points: n,
      centers: m,
      k,
      lanes: W,
      buffer: params.buffer,
      coordBits,
      fracBits: q.fracBits,
      radius2: r2,
    },
  };
}
