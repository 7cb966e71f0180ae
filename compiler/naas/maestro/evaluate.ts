// Evaluates a MAESTRO network layer by layer, as the `maestro` binary does, and reports each
// layer as the columns of MAESTRO's CSV (runtime, energy, buffer counts) plus its own energy.
import { analyzeClusters, layerDimensionTable, tensorsFor, type Tensor } from './clusters.ts';
import { analyzeLayer, type LevelResult, type TensorCounts } from './engine.ts';
import { MaestroAnalysisError } from './errors.ts';
import { MAESTRO_ENERGY, type Directive, type LayerType, type MaestroHardware, type MaestroLayer, type MaestroNetwork } from './types.ts';

export interface MaestroLayerResult {
  name: string;
  runtime: number;
  /** MACs counted by the analysis (CSV "Num MACs"). */
  macs: number;
  /**
   * CSV column 5, in nJ: L2 accesses (no output reads) plus L1 accesses — MAESTRO takes the L1
   * counts of the previous layer when the dataflow has a Cluster level (see energy.ts).
   */
  csvEnergyNj: number;
  /** The layer's own activity energy in nJ: all L1 and L2 accesses and the MACs (stdout's total). */
  energyNj: number;
  counts: Record<Tensor['name'], TensorCounts>;
  /** Sum of the innermost level's double-buffered L1 requirements (CSV column 16). */
  l1SizeReq: number;
  /** Sum of the top level's double-buffered L2 requirements (CSV column 15). */
  l2SizeReq: number;
  peakNocBw: number;
  offchipBwReq: number;
  top: LevelResult;
}

const TENSOR_ORDER: Tensor['name'][] = ['input', 'filter', 'output'];

/** The layer's own energy, in units of one MAC (MAESTRO's stdout "Total energy consumption"). */
export function activityEnergy(counts: Record<Tensor['name'], TensorCounts>, macs: number): number {
  let l2 = 0;
  let l1 = 0;
  for (const t of TENSOR_ORDER) {
    const k = counts[t];
    l2 += k.l2Write * MAESTRO_ENERGY.l2 + k.l2Read * MAESTRO_ENERGY.l2;
    l1 += k.l1Write * MAESTRO_ENERGY.l1 + k.l1Read * MAESTRO_ENERGY.l1;
  }
  return l2 + l1 + macs;
}

const l1Terms = (c: Record<Tensor['name'], TensorCounts>): number[] => [
  c.input.l1Read,
  c.input.l1Write,
  c.filter.l1Read,
  c.filter.l1Write,
  c.output.l1Read,
  c.output.l1Write,
];

/**
 * A copy of the network that keeps which layers share a directive list (inherited dataflows)
 * and which directives are the same object, so the in-place rewrites act as in MAESTRO.
 */
function cloneSharing(net: MaestroNetwork): { layer: MaestroLayer; dataflow: Directive[] }[] {
  const lists = new Map<readonly Directive[], Directive[]>();
  const objects = new Map<Directive, Directive>();
  return net.layers.map((layer) => {
    let list = lists.get(layer.dataflow);
    if (!list) {
      list = layer.dataflow.map((d) => {
        let o = objects.get(d);
        if (!o) objects.set(d, (o = { ...d }));
        return o;
      });
      lists.set(layer.dataflow, list);
    }
    return { layer, dataflow: list };
  });
}

/** Evaluates every layer; a layer MAESTRO would stop on throws MaestroAnalysisError with its location. */
export function evaluateNetwork(net: MaestroNetwork, hw: MaestroHardware): MaestroLayerResult[] {
  const tensorsByType = new Map<LayerType, Tensor[]>();
  // MAESTRO splits every layer into cluster levels before it costs any (shared, rewritten
  // directive lists make the order visible), then costs the layers in order.
  const prepared = cloneSharing(net).map(({ layer, dataflow }) => {
    let tensors = tensorsByType.get(layer.type);
    if (!tensors) {
      // MAESTRO builds one tensor table per layer type, from the first layer of that type.
      const batch = layer.type !== 'GEMM' && layer.dims.some((d) => d.name === 'N');
      tensors = tensorsFor(layer.type, batch);
      tensorsByType.set(layer.type, tensors);
    }
    const t = tensors;
    return { layer, tensors: t, clusters: located(layer, () => analyzeClusters(hw.numPes, t, layerDimensionTable(layer), dataflow)) };
  });
  const results: MaestroLayerResult[] = [];
  let prevL1 = [0, 0, 0, 0, 0, 0];
  for (const { layer, tensors, clusters } of prepared) {
    const { top, first, produced } = located(layer, () => analyzeLayer(clusters, tensors, hw));
    let csv = 0;
    // OutputResults walks the level results innermost-first: with more than one, the L1 terms
    // it adds before reaching the top are the previous layer's.
    if (produced > 1) for (const n of prevL1) csv += n * MAESTRO_ENERGY.l1;
    const c = top.counts;
    for (const n of [c.input.l2Read, c.input.l2Write, c.filter.l2Read, c.filter.l2Write, c.output.l2Write]) csv += n * MAESTRO_ENERGY.l2;
    prevL1 = l1Terms(c);
    if (produced === 1) for (const n of prevL1) csv += n * MAESTRO_ENERGY.l1;
    csv *= MAESTRO_ENERGY.macNj;
    results.push({
      name: layer.name,
      runtime: top.runtime,
      macs: top.computations,
      csvEnergyNj: csv,
      energyNj: activityEnergy(c, top.computations) * MAESTRO_ENERGY.macNj,
      counts: c,
      l1SizeReq: first.counts.input.l1Size + first.counts.filter.l1Size + first.counts.output.l1Size,
      l2SizeReq: c.input.l2Size + c.filter.l2Size + c.output.l2Size,
      peakNocBw: top.peakNocBw,
      offchipBwReq: top.offchipBwReq,
      top,
    });
  }
  return results;
}

function located<T>(layer: MaestroLayer, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MaestroAnalysisError) {
      throw new MaestroAnalysisError(e.code, `layer ${layer.name}: ${e.message}`, e.location ?? layer.location);
    }
    throw e;
  }
}
