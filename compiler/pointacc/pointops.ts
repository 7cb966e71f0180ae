// `nacc pointops`: one golden mapping op on a cloud, as the stable JSON the CLI prints.
// fps {"result":[indices]}; knn {"result":[[indices per center]]} nearest first;
// ball_query {"result":[[...]],"count":[...]}; kernel_map {"result":[{"offset":[dx,dy,dz],
// "pairs":[[in,out],...]}]} (TorchSparse offset order, pairs sorted by out; with stride > 1 also
// "outputs": the output voxel coordinates). Centers of knn/ball_query: the first M of the FPS order.
import { D, ExitCode, fail } from '../diagnostics/index.ts';
import { type Cloud, cloudSize } from '../reference/pointcloud/cloud.ts';
import { ballQuery, fps, kernelMap, knn, sparseConvOutputs, subset, type BallQueryMode } from '../reference/pointcloud/mapping.ts';

export const POINT_OPS = ['fps', 'knn', 'ball_query', 'kernel_map'] as const;
export type PointOp = (typeof POINT_OPS)[number];

export interface PointOpOptions {
  centers?: number;
  k?: number;
  radius?: number;
  mode?: BallQueryMode;
  kernel?: number;
  stride?: number;
}

export const DEFAULT_CENTERS = 16;
export const DEFAULT_K = 16;

const usage = (code: string, message: string): never => fail(code, message, undefined, ExitCode.usage);

function positiveInt(v: number | undefined, what: string, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 1) usage(D.pointOpNotPositive.code, `${what} must be a positive integer, got ${v}`);
  return x;
}

export function runPointOp(op: string, cloud: Cloud, o: PointOpOptions): Record<string, unknown> {
  const n = cloudSize(cloud);
  if (!(POINT_OPS as readonly string[]).includes(op)) usage(D.unknownPointOp.code, `unknown op '${op}' (known: ${POINT_OPS.join(', ')})`);
  if (op === 'kernel_map') {
    const kernel = positiveInt(o.kernel, '--kernel', 3);
    const stride = positiveInt(o.stride, '--stride', 1);
    for (let i = 0; i < cloud.xyz.length; i++) {
      if (!Number.isInteger(cloud.xyz[i])) {
        fail(
          D.voxelsNotInteger,
          `kernel_map needs integer voxel coordinates; point ${Math.floor(i / 3)} has ${cloud.xyz[i]} (voxelise the cloud first)`,
        );
      }
    }
    const outputs = sparseConvOutputs(cloud, stride);
    const map = kernelMap(cloud, outputs, kernel, 1);
    const res: Record<string, unknown> = { result: map.map((e) => ({ offset: e.offset, pairs: e.pairs })) };
    if (stride > 1)
      res.outputs = Array.from({ length: cloudSize(outputs) }, (_, i) => [
        outputs.xyz[3 * i],
        outputs.xyz[3 * i + 1],
        outputs.xyz[3 * i + 2],
      ]);
    return res;
  }
  const m = Math.min(positiveInt(o.centers, '--centers', Math.min(DEFAULT_CENTERS, n)), Number.MAX_SAFE_INTEGER);
  if (m > n) usage(D.centersExceedCloud.code, `--centers ${m} exceeds the cloud's ${n} points`);
  const order = fps(cloud, m);
  if (op === 'fps') return { result: order };
  const centers = subset(cloud, order);
  const k = positiveInt(o.k, '--k', Math.min(DEFAULT_K, n));
  if (op === 'knn') {
    if (k > n) usage(D.kExceedsCloud.code, `--k ${k} exceeds the cloud's ${n} points`);
    return { result: knn(centers, cloud, k) };
  }
  if (o.radius === undefined || !(o.radius > 0)) usage(D.ballQueryRadius.code, `ball_query needs --radius R > 0`);
  const mode = o.mode ?? 'pointnet2';
  if (mode !== 'pointnet2' && mode !== 'nearest') usage(D.ballQueryMode.code, `--mode must be pointnet2 or nearest, got '${mode}'`);
  const r = ballQuery(centers, cloud, o.radius!, k, mode);
  return { result: r.result, count: r.count };
}
