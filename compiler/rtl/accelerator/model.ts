// The NAAS cost model's view of a layer program: the same problem (compiler/naas/problems.ts),
// the accelerator's architecture (compiler/naas/arch-from-spec.ts) and the RTL's mapping
// rewritten in the model's Mapping IR (temporal loops at the global buffer in the sequencer's
// order, one spatial loop per array axis, partial sums kept in the register files).
// Returns the model's cycles, or why the mapping cannot be expressed (imperfect factors).
import type { Mapping } from '../../ir/mapping.ts';
import type { Network } from '../../ir/network.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { specToArchitecture } from '../../naas/arch-from-spec.ts';
import { evaluate } from '../../naas/model.ts';
import { layerProblem } from '../../naas/problems.ts';
import type { AcceleratorHardware } from './hardware.ts';
import type { LayerMapping } from './mapping.ts';
import type { ConvProblem, Dim } from './problem.ts';

export interface ModelPrediction {
  cycles: number | null;
  computeCycles?: number;
  /** Why there is no prediction. */
  reason?: string;
  mapping?: Mapping;
}

export function modelPrediction(spec: AcceleratorSpec, hw: AcceleratorHardware, net: Network, p: ConvProblem, m: LayerMapping): ModelPrediction {
  const layer = net.layers.find((l) => l.name === p.layer);
  const problem = layer && layerProblem(net, layer);
  if (!problem) return { cycles: null, reason: `the cost model has no problem for layer '${p.layer}'` };
  // Depthwise layers are grouped convolutions there: our K is its G (one channel per group).
  const name = (d: Dim): string => (p.depthwise && d === 'K' ? 'G' : d);
  const spatial: Mapping['levels'][number]['spatial'] = [];
  const spatialOf: Partial<Record<Dim, number>> = {};
  for (const [a, axis] of hw.axes.entries()) {
    const bound = p.bounds[axis.dim];
    const f = Math.min(bound, axis.size);
    if (bound % f !== 0) return { cycles: null, reason: `${axis.dim} = ${bound} does not divide into the ${axis.size}-PE axis (the model needs exact factors)` };
    spatialOf[axis.dim] = f;
    if (f > 1) spatial.push({ dim: name(axis.dim), bound: f, axis: a === 0 ? 'X' : 'Y' });
  }
  const temporal = m.order.map((d) => ({ dim: name(d), bound: p.bounds[d] / (spatialOf[d] ?? 1) })).filter((l) => l.bound > 1);
  const mapping: Mapping = {
    levels: [
      { level: 'DRAM', temporal: [], spatial: [], keep: ['Weights', 'Inputs', 'Outputs'] },
      { level: 'GlobalBuffer', temporal, spatial, keep: ['Weights', 'Inputs', 'Outputs'] },
      { level: 'RegisterFile', temporal: [], spatial: [], keep: ['Outputs'] },
    ],
  };
  const e = evaluate(problem, specToArchitecture(spec), mapping);
  if (!e.valid) return { cycles: null, reason: e.reason ?? 'invalid mapping', mapping };
  return { cycles: e.cycles, computeCycles: e.computeCycles, mapping };
}
