// Per-layer figures of a MAESTRO model or mapping (`.m`) in the same shape as a network's
// analysis (analyze.ts), so `nacc inspect net.m` prints the same table and JSON as for .nacc.
import type { LayerStats } from './analyze.ts';
import type { QModelInspection } from './qmodel-stats.ts';
import { dataSpaceSize, problemMacs } from '../ir/problem.ts';
import type { MaestroNetwork } from '../naas/maestro/types.ts';
import { maestroLayerToProblem } from '../naas/maestro/from-problem.ts';

/** Each layer as its loop nest: MACs, weights (params), output words; layers run one after another. */
export function analyzeMaestro(net: MaestroNetwork): QModelInspection {
  const layers: LayerStats[] = net.layers.map((l) => {
    const p = maestroLayerToProblem(l);
    const size = (name: string) => {
      const ds = p.dataSpaces.find((d) => d.name === name);
      return ds ? dataSpaceSize(p, ds) : 0;
    };
    const out = size('Outputs');
    return {
      name: l.name,
      op: l.type.toLowerCase(),
      inputs: [],
      outputShape: [p.bounds.P ?? 1, p.bounds.Q ?? 1, (p.bounds.K ?? 1) * (p.bounds.G ?? 1)],
      outputKind: 'feature',
      estimated: false,
      macs: problemMacs(p),
      params: size('Weights'),
      activationBytes: out,
      receptiveField: null,
      liveBytes: size('Inputs') + out,
    };
  });
  const peak = layers.reduce((b, l) => (l.liveBytes > b.liveBytes ? l : b), layers[0]);
  const sum = (k: 'macs' | 'params' | 'activationBytes') => layers.reduce((a, l) => a + l[k], 0);
  return {
    stats: {
      name: net.name,
      layers,
      totals: {
        macs: sum('macs'),
        params: sum('params'),
        activationBytes: sum('activationBytes'),
        peakActivationBytes: peak?.liveBytes ?? 0,
        peakLayer: peak?.name ?? '',
      },
    },
    inputs: [],
    outputs: layers.length ? [layers[layers.length - 1].name] : [],
  };
}
