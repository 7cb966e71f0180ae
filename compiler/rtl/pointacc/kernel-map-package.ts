// RTL + vectors + bench for the kernel map of one sparse conv on one voxel cloud.
import { emitDesign } from '../verilog/index.ts';
import type { Cloud } from '../../reference/pointcloud/cloud.ts';
import { kernelMapperModules, kernelMapperName, type KernelMapperParams } from './kernel-mapper.ts';
import { hexFile, nextPow2, pack, renderTemplate, voxelGeometry, voxelRows, type TextFile } from './vectors.ts';
import type { RtlPackage } from './point-search-package.ts';
import { kernelMapCycles } from '../../pointacc/mapping-cycles.ts';
import { clog2 } from '../verilog/index.ts';

export interface KernelMapRequest {
  /** Integer voxel coordinates. */
  voxels: Cloud;
  sorterWidth: number;
  kernel: number;
  stride: number;
}

export function kernelMapPackage(req: KernelMapRequest): RtlPackage {
  const { inputs, outputs, nIn, nOut, map, coordBits } = voxelGeometry(req.voxels, req.kernel, req.stride);
  const W = req.sorterWidth;
  const params: KernelMapperParams = {
    lanes: W,
    coordBits,
    maxPoints: Math.max(2 * W, nextPow2(Math.max(nIn, nOut))),
    kernel: req.kernel,
    strideIn: 1,
  };
  const IW = Math.log2(params.maxPoints);
  const OW = clog2(req.kernel ** 3);
  const expected: bigint[] = [];
  map.forEach((e, d) =>
    e.pairs.forEach(([i, o]) =>
      expected.push(
        pack([
          [o, IW],
          [i, IW],
          [d, OW],
        ]),
      ),
    ),
  );
  const pairs = expected.length;
  expected.push(0n); // a sentinel so the bench's memory is never empty
  const modules = emitDesign(kernelMapperModules(params));
  const tb = 'tb_pointacc_kernel_map';
  const predicted = kernelMapCycles(nIn, nOut, req.kernel ** 3, W);
  const files: TextFile[] = modules.map((f) => ({ path: f.file, text: f.text }));
  files.push({ path: 'in_voxels.hex', text: hexFile(voxelRows(inputs, coordBits), 3 * coordBits) });
  files.push({ path: 'out_voxels.hex', text: hexFile(voxelRows(outputs, coordBits), 3 * coordBits) });
  files.push({ path: 'expect_pairs.hex', text: hexFile(expected, OW + 2 * IW) });
  files.push({
    path: `${tb}.v`,
    text: renderTemplate('kernel-map-tb.v.hbs', {
      tb,
      dut: kernelMapperName(params),
      indexBits: IW,
      offsetBits: OW,
      pointBits: 3 * coordBits,
      nIn,
      nOut,
      pairs,
      inFile: 'in_voxels.hex',
      outFile: 'out_voxels.hex',
      pairsFile: 'expect_pairs.hex',
      timeoutNs: 10 * (nIn + nOut + 4 * predicted + 1000),
    }),
  });
  return {
    top: tb,
    files,
    designFiles: modules.map((f) => f.file),
    testbench: `${tb}.v`,
    predictedCycles: predicted,
    golden: { kernel_map: map },
    params: { op: 'kernel_map', inputs: nIn, outputs: nOut, pairs, kernel: req.kernel, stride: req.stride, lanes: W, coordBits },
  };
}
