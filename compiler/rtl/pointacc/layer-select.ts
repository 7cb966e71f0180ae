// A network layer -> the whole-layer RTL of the PointAcc top: finds a PointNet++ set-abstraction
// layer (its fps, ball_query, shared_mlp... and reduce_max sub-layers) or a sparse conv reading
// the network input, sizes the top from the `pointacc` configuration and builds the package.
import type { Network, Layer } from '../../ir/network.ts';
import type { PointAccConfig } from '../../ir/targets.ts';
import { cloudFeatures } from '../../ir/ops.ts';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
import { D, fail, ExitCode } from '../../diagnostics/index.ts';
import { pointInput, voxelScene } from '../../pointacc/workload.ts';
import { saLayerPackage, type SaLayerPackage } from './layer-package.ts';
import { sparseConvPackage, type SparseConvPackage } from './sparse-conv-package.ts';

export interface LayerRtlOptions {
  /** The input cloud (points, or integer voxel coordinates); default: the performance model's generated input. */
  cloud?: Cloud;
  points?: number;
  fusion: boolean;
  cache: boolean;
  seed: number;
}

export interface LayerRtl {
  kind: 'set_abstraction' | 'sparse_conv3d';
  /** The performance model's layers that make up this layer (their cycles are the model's prediction). */
  modelLayers: string[];
  cloud: Cloud;
  pkg: SaLayerPackage | SparseConvPackage;
}

const usage = (code: string, message: string, loc?: Layer['location']): never => fail(code, message, loc, ExitCode.usage);

/** The network input the layer reads, with the cloud the RTL runs on. */
function inputCloud(net: Network, name: string, o: LayerRtlOptions, layer: Layer): { cloud: Cloud; channels: number } {
  const inp = net.inputs.find((i) => i.name === name);
  if (!inp)
    return usage(
      D.pointaccLayerInput.code,
      `layer '${layer.name}' reads '${name}', not the network input; the RTL top runs a layer on the network's input cloud`,
      layer.location,
    );
  const n = o.points ?? inp.type.shape[0];
  const cloud = o.cloud ?? (inp.type.kind === 'voxels' ? voxelScene(n, o.seed) : pointInput(n, o.seed));
  return { cloud, channels: cloudFeatures(inp.type) };
}

export function buildLayerRtl(net: Network, layerName: string, cfg: PointAccConfig, o: LayerRtlOptions): LayerRtl {
  const W = cfg.mappingUnit.sorterWidth;
  const [MR, MC] = cfg.matrixUnit;
  const ways = o.cache ? (cfg.cacheWays ?? 4) : 0;
  const common = {
    sorterWidth: W,
    arrayRows: MR,
    arrayCols: MC,
    cacheBytes: cfg.cacheBytes,
    ways,
    dramBandwidth: cfg.dramBandwidthBytesPerCycle,
    seed: o.seed,
  };
  const sub = net.layers.filter((l) => l.name.startsWith(`${layerName}.`) && l.origin === 'set_abstraction');
  if (sub.length > 0) {
    const fpsL = sub.find((l) => l.op === 'fps');
    const bq = sub.find((l) => l.op === 'ball_query');
    const mlps = sub.filter((l) => l.op === 'shared_mlp');
    if (!fpsL || !bq || mlps.length === 0)
      return usage(D.pointaccIncompleteSa.code, `set-abstraction layer '${layerName}' lacks fps, ball_query or shared_mlp`);
    const { cloud, channels } = inputCloud(net, fpsL.inputs[0], o, fpsL);
    const n = cloudSize(cloud);
    const centers = Math.min(Number(fpsL.attrs.centers), n);
    const k = Number(bq.attrs.neighbors);
    if ((k & (k - 1)) !== 0)
      usage(D.pointaccNeighbours.code, `the RTL top needs a power-of-two neighbour count, '${layerName}' has ${k}`, bq.location);
    if (channels > MR)
      usage(
        D.pointaccChannels.code,
        `'${layerName}' gathers ${channels}-channel rows; the RTL top takes at most one activation line (${MR} channels on '${cfg.name}')`,
        fpsL.location,
      );
    const pkg = saLayerPackage({
      ...common,
      keyBits: cfg.mappingUnit.keyBits,
      cloud,
      centers,
      k,
      radius: Number(bq.attrs.radius),
      cin: channels,
      mlp: mlps.map((l) => Number(l.attrs.out)),
      fusion: o.fusion,
    });
    return { kind: 'set_abstraction', modelLayers: sub.map((l) => l.name), cloud, pkg };
  }
  const layer = net.layers.find((l) => l.name === layerName);
  if (!layer)
    return usage(
      D.pointaccNoLayer.code,
      `no layer '${layerName}' in network ${net.name} (set-abstraction layers: ${[...new Set(net.layers.filter((l) => l.origin === 'set_abstraction').map((l) => l.name.split('.')[0]))].join(', ') || 'none'}; sparse convs: ${
        net.layers
          .filter((l) => l.op === 'sparse_conv3d')
          .map((l) => l.name)
          .join(', ') || 'none'
      })`,
    );
  if (layer.op !== 'sparse_conv3d')
    return usage(
      D.pointaccLayerKind.code,
      `layer '${layerName}' is a ${layer.op}; the RTL top runs set-abstraction layers and sparse_conv3d layers`,
      layer.location,
    );
  const { cloud, channels } = inputCloud(net, layer.inputs[0], o, layer);
  for (const v of cloud.xyz)
    if (!Number.isInteger(v))
      fail(D.voxelsNotInteger, `sparse conv '${layerName}' needs integer voxel coordinates (voxelise the cloud first)`, layer.location);
  if (channels > MR)
    usage(
      D.pointaccChannels.code,
      `'${layerName}' has ${channels} input channels; the RTL top takes at most one activation line (${MR} on '${cfg.name}')`,
      layer.location,
    );
  const pkg = sparseConvPackage({
    ...common,
    voxels: cloud,
    kernel: Number(layer.attrs.kernel),
    stride: Number(layer.attrs.stride ?? 1),
    cin: channels,
    cout: Number(layer.attrs.out),
  });
  return { kind: 'sparse_conv3d', modelLayers: [layer.name], cloud, pkg };
}
