// Public surface of the accelerator cost model and NAAS for other stages (e.g. RTL
// generation wanting predicted cycles per layer). See docs/naas.md.
import type { Layer, Network } from '../ir/network.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { AcceleratorSpec } from '../ir/targets.ts';
import { specToArchitecture } from './arch-from-spec.ts';
import { connectivityConstraints, dataflowConstraints } from './dataflow.ts';
import { bestMapping } from './mapper.ts';
import { evaluate, type Evaluation } from './model.ts';
import { layerProblem } from './problems.ts';

export { evaluate, temporalDeltaSum, type Evaluation, type EvaluateOptions, type LevelStats, type DataSpaceStats } from './model.ts';
export { specToArchitecture, onChipBytes } from './arch-from-spec.ts';
export { layerProblem, networkProblems, buildWorkloads } from './problems.ts';
export { dataflowConstraints, connectivityConstraints, type MappingConstraints } from './dataflow.ts';
export { bestMapping, polishMapping } from './mapper.ts';

export interface LayerPrediction {
  layer: string;
  cycles: number;
  energyPj: number;
  mapping: Mapping;
  evaluation: Evaluation;
}

/**
 * Predicted cycles and energy of one network layer on an accelerator: the best mapping the
 * mapper finds within the accelerator's dataflow (or its NAAS connectivity when it has
 * `parallel` and no dataflow). Undefined for layers without MACs; deterministic for a seed.
 */
export function predictLayer(
  net: Network,
  layer: Layer,
  spec: AcceleratorSpec,
  opts: { seed?: number; effort?: number } = {},
): LayerPrediction | undefined {
  const problem = layerProblem(net, layer);
  if (!problem) return undefined;
  const arch = specToArchitecture(spec);
  const c =
    spec.dataflow || !spec.parallel
      ? dataflowConstraints(spec.dataflow ?? 'row_stationary', spec.peArray)
      : connectivityConstraints(spec.parallel, spec.peArray);
  const effort = opts.effort ?? 1000;
  const r = bestMapping(problem, arch, c, { seed: opts.seed ?? 1, samples: Math.ceil(effort / 2), steps: Math.floor(effort / 2) });
  if (!r) return undefined;
  return { layer: layer.name, cycles: r.evaluation.cycles, energyPj: r.evaluation.energyPj, mapping: r.mapping, evaluation: r.evaluation };
}
