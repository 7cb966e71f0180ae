// The plain sweep (issue 16's yardstick): the warm start's best (shape, one-dimension-per-axis
// connectivity) pairs, each at a few register-file sizes, mapped by the mapper with a fixed
// effort per layer shape; the best three re-mapped with more. No learning between designs.
import { subSeed } from '../candidate.ts';
import { limitsOf } from '../encoding.ts';
import { warmStartCandidates } from '../warmstart.ts';
import {
  designTask,
  registerFileSizes,
  SearchLog,
  sizedSpec,
  sweepPlan,
  topDistinct,
  type StrategyOptions,
  type StrategyResult,
} from './common.ts';

export async function sweepStrategy(o: StrategyOptions): Promise<StrategyResult> {
  const plan = sweepPlan(o.budget);
  const lim = limitsOf(o.resources);
  const pairs = warmStartCandidates(o.workloads, o.space, o.resources, lim, plan.pairs);
  const log = new SearchLog(o, pairs.length + 1);
  // One batch per pair (its register-file sizes), so the anytime curve has a point per pair.
  for (const [i, p] of pairs.entries()) {
    const pes = p.peArray.reduce((a, b) => a * b, 1);
    const specs = registerFileSizes(o.space, lim, pes, plan.registerFiles)
      .map((rf) => sizedSpec(p, rf, o.space, lim, 'sweep'))
      .filter((s) => !!s);
    await log.batch(specs.map((s, j) => designTask(o, s!, plan.mapper, subSeed(o.seed, 20, i, j))));
  }
  return log.finish(topDistinct(log.all, plan.finalists), plan.final);
}
