// The cost model's public shapes: options, the per-level and per-data-space records of one
// evaluation, and the prepared evaluator's interface (compiler/naas/model.ts implements it).
import type { Architecture } from '../../ir/architecture.ts';
import type { Mapping } from '../../ir/mapping.ts';
import type { Problem } from '../../ir/problem.ts';

export type Convention = 'v3' | '2020';

export interface EvaluateOptions {
  convention?: Convention;
  /** Skip the capacity check (Timeloop's model does check it; the importers keep it on). */
  ignoreCapacity?: boolean;
  /**
   * Charge storage levels' ERT leak per utilized instance per cycle, as Timeloop after v3.0.3
   * does (v3.0.3 and the 2020 release charge none; default).
   */
  chargeLeak?: boolean;
}

export interface DataSpaceStats {
  reads: number;
  fills: number;
  updates: number;
  /** Words of this data space held by one instance (the tile). */
  tileSize: number;
  /** Distinct words one instance sees over the whole run. */
  partitionSize: number;
  utilizedInstances: number;
  /** Average number of children served by one parent read of this level's deltas. */
  multicast: number;
  energyPj: number;
}

export interface LevelStats {
  name: string;
  dataSpaces: Record<string, DataSpaceStats>;
  energyPj: number;
  leakPj: number;
  cycles: number;
  utilizedInstances: number;
}

export interface Evaluation {
  valid: boolean;
  reason?: string;
  macs: number;
  cycles: number;
  computeCycles: number;
  /** Cycles of non-overlapped fills (levels with `serialFill`), included in `cycles`. */
  serialFillCycles?: number;
  energyPj: number;
  edp: number;
  areaUm2: number;
  utilization: number;
  utilizedPes: number;
  computeEnergyPj: number;
  levels: LevelStats[];
}

/** The Evaluation of an invalid mapping: no figures, infinite cost, the reason. */
export const invalidEvaluation = (reason: string, macs: number): Evaluation => ({
  valid: false,
  reason,
  macs,
  cycles: Infinity,
  computeCycles: Infinity,
  energyPj: Infinity,
  edp: Infinity,
  areaUm2: 0,
  utilization: 0,
  utilizedPes: 0,
  computeEnergyPj: 0,
  levels: [],
});

/** A cost model specialised to one problem on one architecture (see prepare()). */
export interface PreparedModel {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly options: Readonly<EvaluateOptions>;
  /** Exactly evaluate(problem, arch, mapping, options). */
  evaluate(mapping: Mapping): Evaluation;
  /**
   * EDP (energyPj * cycles) of a valid mapping, Infinity for an invalid one: the same number
   * evaluate(mapping) gives, without building the per-level result objects.
   */
  edp(mapping: Mapping): number;
  /**
   * Cycles and energy of a valid mapping (undefined when invalid) without building the
   * per-level result: the same numbers evaluate(mapping) gives. The object is reused: it
   * holds this mapping's figures only until the next call.
   */
  totals(mapping: Mapping): Readonly<ModelTotals> | undefined;
}

/** Totals of one evaluation (as in Evaluation). */
export interface ModelTotals {
  cycles: number;
  energyPj: number;
}
