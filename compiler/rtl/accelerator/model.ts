// The NAAS cost model's view of a layer's programs: the same problem (ir/problem.ts), the
// model's description of the generated accelerator (naas/rtl-architecture.ts) and the RTL's
// loop nest in the model's Mapping IR (DRAM loops = the tiles, the sequencer's loops outside
// the first reduction loop at the global buffer, those inside it at the register files that
// keep the live partial sums, one spatial loop per array axis).
// Returns the model's cycles, or why the mapping cannot be expressed (imperfect factors).
import type { Architecture } from '../../ir/architecture.ts';
import type { Mapping } from '../../ir/mapping.ts';
import { convProblem, dataSpaceSize, type Problem } from '../../ir/problem.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { evaluate } from '../../naas/model.ts';
import { rtlArchitecture } from '../../naas/rtl-architecture.ts';
import { meshAxis } from '../../naas/arch-from-spec.ts';
import type { AcceleratorHardware } from './array.ts';
import type { LayerMapping } from './mapping.ts';
import type { ConvProblem, Dim } from './problem.ts';

export interface ModelPrediction {
  cycles: number | null;
  computeCycles?: number;
  /** Why there is no prediction. */
  reason?: string;
  mapping?: Mapping;
  /** Input words the model loads from DRAM before compute (the padded halo included). */
  inputWords?: number;
  /** Cycles of the loads before compute (the first program's when they overlap compute). */
  fillCycles?: number;
}

/** The generated design as the cost model's architecture (the one `nacc search --rtl` and `nacc cost --rtl` cost with). */
export function modelArchitecture(spec: AcceleratorSpec, hw: AcceleratorHardware): Architecture {
  return rtlArchitecture(
    spec,
    hw.axes.map((a) => a.dim),
    hw.depthwiseLayers,
    hw.doubleBuffer,
  );
}

/** The layer (or tile) as the model's problem, with its input image (a tile's: its loaded rows and columns, its own padding): depthwise layers are grouped convolutions there (our K is its G). */
export function modelProblem(p: ConvProblem): Problem {
  const b = p.bounds;
  const shape = { name: p.layer, P: b.P, Q: b.Q, R: b.R, S: b.S, strideW: p.strideW, strideH: p.strideH };
  const image = { inputWidth: p.inW, inputHeight: p.inH, padTop: p.padTop, padLeft: p.padLeft };
  return { ...(p.depthwise ? convProblem({ ...shape, G: b.K, C: 1, K: 1 }) : convProblem({ ...shape, K: b.K, C: b.C })), ...image };
}

/**
 * The RTL's loop nest for a layer run as tiles of `tile` bounds (DRAM loops in the RTL's tile
 * order K, Q, P, C), or the reason the model cannot express it (a bound that does not divide).
 */
export function modelMapping(
  hw: AcceleratorHardware,
  p: ConvProblem,
  tile: Record<Dim, number>,
  m: LayerMapping,
): { mapping?: Mapping; reason?: string } {
  const name = (d: Dim): string => (p.depthwise && d === 'K' ? 'G' : d);
  const spatial: Mapping['levels'][number]['spatial'] = [];
  const spatialOf: Partial<Record<Dim, number>> = {};
  for (const [a, axis] of hw.axes.entries()) {
    const bound = tile[axis.dim];
    // The program's spatial factor (mapping.ts spatialFactors: a divisor of the bound within the axis).
    const f = m.par[axis.dim];
    if (bound % f !== 0)
      return { reason: `${axis.dim} = ${bound} does not divide into ${f} PEs of the ${axis.size}-PE axis (the model needs exact factors)` };
    spatialOf[axis.dim] = f;
    if (f > 1) spatial.push({ dim: name(axis.dim), bound: f, axis: meshAxis(a, hw.axes.length) });
  }
  const dram: Mapping['levels'][number]['temporal'] = [];
  for (const d of ['K', 'Q', 'P', 'C'] as Dim[]) {
    const f = p.bounds[d] / tile[d];
    if (!Number.isInteger(f))
      return { reason: `${d} = ${p.bounds[d]} does not divide into tiles of ${tile[d]} (the model needs exact factors)` };
    if (f > 1) dram.push({ dim: name(d), bound: f });
  }
  // Loops outside the first reduction loop advance the global buffer's tiles (each of their
  // iterations ends with a drain); the loops inside it run within a register-file tile of
  // live partial sums (the mapping's footprint).
  const loopsOf = (ds: Dim[]) => ds.map((d) => ({ dim: name(d), bound: tile[d] / (spatialOf[d] ?? 1) })).filter((l) => l.bound > 1);
  return {
    mapping: {
      levels: [
        { level: 'DRAM', temporal: dram, spatial: [], keep: ['Weights', 'Inputs', 'Outputs'] },
        { level: 'GlobalBuffer', temporal: loopsOf(m.order.slice(0, m.drainLevel)), spatial, keep: ['Weights', 'Inputs', 'Outputs'] },
        { level: 'RegisterFile', temporal: loopsOf(m.order.slice(m.drainLevel)), spatial: [], keep: ['Outputs'] },
      ],
    },
  };
}

/** The model on one problem and mapping of the generated architecture. */
export function modelOf(problem: Problem, arch: Architecture, mapping: Mapping): ModelPrediction {
  // The RTL's planner has fitted the program to its banks; the model's own capacity view (padded halo) does not decide.
  const e = evaluate(problem, arch, mapping, { ignoreCapacity: true });
  if (!e.valid) return { cycles: null, reason: e.reason ?? 'invalid mapping', mapping };
  const inputWords = dataSpaceSize(
    problem,
    problem.dataSpaces.find((d) => d.name === 'Inputs')!,
  );
  return { cycles: e.cycles, computeCycles: e.computeCycles, mapping, inputWords, fillCycles: e.serialFillCycles ?? 0 };
}

/**
 * The cost model's cycles for one sequencer program: a whole layer, or one tile of it (the tile's
 * bounds; the model sees the band's halo rows as part of the input). A tile that is not its
 * output tile's last input-channel chunk neither loads records nor requantises: it is costed as
 * the difference between the two-chunk program pair and the last chunk alone.
 */
export function modelPrediction(
  arch: Architecture,
  hw: AcceleratorHardware,
  p: ConvProblem,
  m: LayerMapping,
  lastChunk = true,
): ModelPrediction {
  const tileOnly = modelMapping(hw, p, p.bounds, m);
  if (!tileOnly.mapping) return { cycles: null, reason: tileOnly.reason };
  const last = modelOf(modelProblem(p), arch, tileOnly.mapping);
  if (lastChunk || last.cycles === null) return last;
  const pair = { ...p, bounds: { ...p.bounds, C: 2 * p.bounds.C } };
  const both = modelMapping(hw, pair, p.bounds, m);
  if (!both.mapping) return { cycles: null, reason: both.reason };
  const two = modelOf(modelProblem(pair), arch, both.mapping);
  if (two.cycles === null) return two;
  return { ...last, cycles: two.cycles - last.cycles, fillCycles: (two.fillCycles ?? 0) - (last.fillCycles ?? 0) };
}
