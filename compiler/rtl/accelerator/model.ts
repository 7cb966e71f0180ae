// The NAAS cost model's view of a layer program: the same problem (compiler/naas/problems.ts),
// the accelerator's architecture (compiler/naas/arch-from-spec.ts) and the RTL's mapping
// rewritten in the model's Mapping IR (the sequencer's loops outside the first reduction loop
// at the global buffer, those inside it at the register files that keep the live partial sums,
// one spatial loop per array axis).
// Returns the model's cycles, or why the mapping cannot be expressed (imperfect factors).
import type { Mapping } from '../../ir/mapping.ts';
import { convProblem, dataSpaceSize } from '../../ir/problem.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { specToArchitecture } from '../../naas/arch-from-spec.ts';
import { evaluate } from '../../naas/model.ts';
import type { AcceleratorHardware } from './hardware.ts';
import type { LayerMapping } from './mapping.ts';
import type { ConvProblem, Dim } from './problem.ts';
import { DRAIN_HANDSHAKE, DRAIN_WORDS_PER_CYCLE } from './schedule.ts';

export interface ModelPrediction {
  cycles: number | null;
  computeCycles?: number;
  /** Why there is no prediction. */
  reason?: string;
  mapping?: Mapping;
  /** Input words the model loads from DRAM before compute (the padded halo included). */
  inputWords?: number;
}

/**
 * The cost model's cycles for one sequencer program: a whole layer, or one tile of it (the tile's
 * bounds: its output channels and rows; the model sees the band's halo rows as part of the input).
 */
export function modelPrediction(spec: AcceleratorSpec, hw: AcceleratorHardware, p: ConvProblem, m: LayerMapping): ModelPrediction {
  const b = p.bounds;
  const shape = { name: p.layer, P: b.P, Q: b.Q, R: b.R, S: b.S, strideW: p.strideW, strideH: p.strideH };
  const problem = p.depthwise ? convProblem({ ...shape, G: b.K, C: 1, K: 1 }) : convProblem({ ...shape, K: b.K, C: b.C });
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
  // Loops outside the first reduction loop advance the global buffer's tiles (each of their
  // iterations ends with a drain); the loops inside it run within a register-file tile of
  // live partial sums (the mapping's footprint).
  const loopsOf = (ds: Dim[]) => ds.map((d) => ({ dim: name(d), bound: p.bounds[d] / (spatialOf[d] ?? 1) })).filter((l) => l.bound > 1);
  const mapping: Mapping = {
    levels: [
      { level: 'DRAM', temporal: [], spatial: [], keep: ['Weights', 'Inputs', 'Outputs'] },
      { level: 'GlobalBuffer', temporal: loopsOf(m.order.slice(0, m.drainLevel)), spatial, keep: ['Weights', 'Inputs', 'Outputs'] },
      { level: 'RegisterFile', temporal: loopsOf(m.order.slice(m.drainLevel)), spatial: [], keep: ['Outputs'] },
    ],
  };
  // This microarchitecture's bottlenecks as properties of its global buffer: a single
  // requantiser drains outputs at one word per cycle with a hand-shake per drain, and the
  // buffer is loaded from DRAM before compute starts (no double buffering).
  // The generated datapath holds int8 operands whatever word size the accelerator declares, so
  // the model counts 8-bit words (DRAM words per cycle = bytes per cycle).
  const arch = specToArchitecture({ ...spec, wordBits: 8 }, { drainWordsPerCycle: DRAIN_WORDS_PER_CYCLE, drainOverheadCycles: DRAIN_HANDSHAKE, serialLoad: true });
  const e = evaluate(problem, arch, mapping);
  if (!e.valid) return { cycles: null, reason: e.reason ?? 'invalid mapping', mapping };
  const inputWords = dataSpaceSize(problem, problem.dataSpaces.find((d) => d.name === 'Inputs')!);
  return { cycles: e.cycles, computeCycles: e.computeCycles, mapping, inputWords };
}
