// The analytical accelerator cost model: a pure function of problem x architecture x
// mapping giving per-level reads/fills/updates, multicast, utilisation, cycles, energy, area.
//
// It follows Timeloop's own seams (v3.0.3), one file each under cost/, each readable alone:
//   problem-tables.ts, level-tables.ts  the problem and architecture compiled once;
//   tile-analysis.ts   the nest flattened, tiles, utilisation, capacity, spatial reuse;
//   delta-walk.ts      temporal deltas of a tile (the extrapolating nest walk);
//   access-counts.ts   reads, fills, updates and multicast per level and data space;
//   cycles.ts          bandwidth throttling, serial fills, per-program overheads;
//   energy.ts          ERT energies and leak.
//
// Conventions follow Timeloop's nest analysis so counts agree with its stats:
// - a level's tile is the bounding box (AAHR) of every loop at or below that level;
// - fills are temporal deltas between consecutive tiles, walked the way Timeloop walks a
//   loop (iteration 0, then iteration 1 standing for the remaining n-1), keeping sliding-
//   window overlap only while the tile keeps moving by the same translation; a change of
//   stride (including moving after standing still) discards the residual;
// - a parent serves each distinct child delta once (multicast); equal output deltas from
//   several children are reduced spatially before the update;
// - for read-write data the first read of every output is elided; under the 'v3'
//   convention the first fill of an output tile is not counted either, under '2020' it is
//   (the ISPASS 2020 artefacts count it at the child but not as a parent read);
// - bandwidth throttles a level as BufferLevel::ComputePerformance does: per-cycle read and
//   write demands against read_bandwidth, write_bandwidth and shared_bandwidth give a
//   slowdown, cycles = ceil(compute cycles / slowdown) in floating point (bandwidthCycles);
// - ERT `leak` is reported per level (leakPj) and charged only with `chargeLeak`: Timeloop
//   v3.0.3 charges none; later versions charge storage levels per utilized instance per
//   cycle; no version charges the MAC's leak.
//
// Speed: prepare(problem, arch, options) compiles everything that does not depend on the
// mapping once (dimension and data-space tables, fanouts, area) and returns an evaluator
// whose per-mapping work runs on reused typed-array scratch, with capacity and fanout
// rejection before the delta walks. evaluate() uses the same evaluator (cached per problem
// and architecture object, so both are treated as immutable values once evaluated).
// tests/naas/model-equivalence.test.ts checks every field against the pre-optimisation model.
import type { Architecture } from '../ir/architecture.ts';
import type { Mapping } from '../ir/mapping.ts';
import type { Problem } from '../ir/problem.ts';
import { AccessCounts } from './cost/access-counts.ts';
import { Cycles } from './cost/cycles.ts';
import { Energy } from './cost/energy.ts';
import { LevelTables } from './cost/level-tables.ts';
import { ProblemTables } from './cost/problem-tables.ts';
import { TileAnalysis } from './cost/tile-analysis.ts';
import {
  invalidEvaluation,
  type Convention,
  type DataSpaceStats,
  type EvaluateOptions,
  type Evaluation,
  type LevelStats,
  type ModelTotals,
  type PreparedModel,
} from './cost/types.ts';

export { bandwidthCycles } from './cost/cycles.ts';
export { temporalDeltaSum } from './cost/delta-walk.ts';
export type { Convention, DataSpaceStats, EvaluateOptions, Evaluation, LevelStats, ModelTotals, PreparedModel } from './cost/types.ts';

/** Outcome scalars of the last run (valid ones). */
interface RunTotals {
  cycles: number;
  computeCycles: number;
  serialFillCycles: number;
  energyPj: number;
  computeEnergyPj: number;
  utilizedPes: number;
}

/** The stages in Timeloop's order on one problem and architecture, sharing their scratch. */
class Prepared implements PreparedModel {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly options: Readonly<EvaluateOptions>;
  private readonly conv: Convention;
  private readonly checkCapacity: boolean;
  private readonly chargeLeak: boolean;
  private readonly pt: ProblemTables;
  private readonly lt: LevelTables;
  private readonly tiles: TileAnalysis;
  private readonly accesses: AccessCounts;
  private readonly time: Cycles;
  private readonly energy: Energy;
  private readonly tot: RunTotals = { cycles: 0, computeCycles: 0, serialFillCycles: 0, energyPj: 0, computeEnergyPj: 0, utilizedPes: 0 };

  constructor(problem: Problem, arch: Architecture, options: EvaluateOptions) {
    this.problem = problem;
    this.arch = arch;
    this.options = { ...options };
    this.conv = options.convention ?? 'v3';
    this.checkCapacity = !options.ignoreCapacity;
    this.chargeLeak = !!options.chargeLeak;
    this.pt = new ProblemTables(problem);
    this.lt = new LevelTables(arch, this.pt.dimNames);
    this.tiles = new TileAnalysis(this.pt, this.lt);
    this.accesses = new AccessCounts(this.tiles);
    this.time = new Cycles(this.tiles);
    this.energy = new Energy(this.tiles);
  }

  evaluate(mapping: Mapping): Evaluation {
    if (!this.run(mapping)) return invalidEvaluation(this.tiles.reason, this.pt.macs);
    return this.result();
  }

  edp(mapping: Mapping): number {
    if (!this.run(mapping)) return Infinity;
    return this.tot.energyPj * this.tot.cycles;
  }

  totals(mapping: Mapping): Readonly<ModelTotals> | undefined {
    return this.run(mapping) ? this.tot : undefined;
  }

  /** Evaluates into the scratch; false (with the tile analysis' reason) when the mapping is invalid. */
  private run(mapping: Mapping): boolean {
    if (!this.tiles.analyse(mapping, this.checkCapacity)) return false;
    this.accesses.count(this.conv);
    this.time.count(this.accesses);
    this.energy.count(this.accesses, this.time.cycles, this.conv, this.chargeLeak);
    const tot = this.tot;
    tot.cycles = this.time.cycles;
    tot.computeCycles = this.time.computeCycles;
    tot.serialFillCycles = this.time.serialFillCycles;
    tot.energyPj = this.energy.energyPj;
    tot.computeEnergyPj = this.energy.computeEnergyPj;
    tot.utilizedPes = this.tiles.utilizedPes;
    return true;
  }

  /** Builds the Evaluation of the last valid run. */
  private result(): Evaluation {
    const L = this.lt.L;
    const nds = this.pt.nds;
    const ac = this.accesses;
    const levels: LevelStats[] = [];
    for (let l = 0; l < L; l++) {
      const u = this.tiles.utilInst[l];
      const dataSpaces: Record<string, DataSpaceStats> = {};
      for (let j = 0; j < nds; j++) {
        const x = ac.entry[l * nds + j];
        if (x < 0) continue;
        const y = l * nds + x;
        dataSpaces[this.pt.dsNames[j]] = {
          reads: ac.sR[y],
          fills: ac.sF[y],
          updates: ac.sU[y],
          tileSize: ac.sTile[y],
          partitionSize: ac.sPart[y],
          utilizedInstances: u,
          multicast: ac.sMc[y],
          energyPj: this.energy.sE[y],
        };
      }
      levels.push({
        name: this.lt.levelNames[l],
        dataSpaces,
        energyPj: this.energy.levelEnergy[l],
        leakPj: this.energy.levelLeak[l],
        cycles: this.time.levelCycles[l],
        utilizedInstances: u,
      });
    }
    const t = this.tot;
    return {
      valid: true,
      macs: this.pt.macs,
      cycles: t.cycles,
      computeCycles: t.computeCycles,
      // Present only when some level fills serially (the key order of the result stays fixed).
      ...(t.serialFillCycles > 0 ? { serialFillCycles: t.serialFillCycles } : {}),
      energyPj: t.energyPj,
      edp: t.energyPj * t.cycles,
      areaUm2: this.lt.areaUm2,
      utilization: this.pt.macs / (this.arch.compute.instances * t.cycles),
      utilizedPes: t.utilizedPes,
      computeEnergyPj: t.computeEnergyPj,
      levels,
    };
  }
}

/**
 * The cost model specialised to one problem on one architecture: compile once, then
 * evaluate many mappings (the mapper's and the NAAS search's inner loop). The problem and
 * architecture must not be mutated afterwards.
 */
export function prepare(problem: Problem, arch: Architecture, options: EvaluateOptions = {}): PreparedModel {
  return new Prepared(problem, arch, options);
}

// evaluate()'s evaluators, per architecture object, problem object and option set.
const cache = new WeakMap<Architecture, WeakMap<Problem, Map<string, PreparedModel>>>();

function preparedFor(problem: Problem, arch: Architecture, options: EvaluateOptions): PreparedModel {
  let byProblem = cache.get(arch);
  if (!byProblem) {
    byProblem = new WeakMap();
    cache.set(arch, byProblem);
  }
  let byOptions = byProblem.get(problem);
  if (!byOptions) {
    byOptions = new Map();
    byProblem.set(problem, byOptions);
  }
  const key = `${options.convention ?? 'v3'}${options.ignoreCapacity ? '!' : ''}${options.chargeLeak ? '+leak' : ''}`;
  let p = byOptions.get(key);
  if (!p) {
    p = prepare(problem, arch, options);
    byOptions.set(key, p);
  }
  return p;
}

/** Evaluate one mapping. Invalid mappings come back with `valid: false` and a reason. */
export function evaluate(problem: Problem, arch: Architecture, mapping: Mapping, options: EvaluateOptions = {}): Evaluation {
  return preparedFor(problem, arch, options).evaluate(mapping);
}
