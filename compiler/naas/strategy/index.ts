// `nacc search --strategy naas|sweep|random`: one entry for every strategy under the same
// evaluator. A sizing-only space (one with a dataflow) runs the outer CMA-ES over sizes (search.ts).
import { remapFinalists, searchSpace, spaceLoopOrder } from '../search.ts';
import { naasStrategy } from './naas.ts';
import { randomStrategy } from './random.ts';
import { sweepStrategy } from './sweep.ts';
import type { StrategyName, StrategyOptions, StrategyResult } from './common.ts';

export { STRATEGIES, type StrategyName, type StrategyOptions, type StrategyResult } from './common.ts';

export async function runStrategy(name: StrategyName, o: StrategyOptions): Promise<StrategyResult> {
  if (o.space.dataflow !== undefined) {
    if (name !== 'naas') throw new Error(`strategy '${name}' searches a NAAS space; '${o.space.name}' fixes a dataflow (sizing only)`);
    const res = await searchSpace(o);
    const final = await remapFinalists(
      res,
      o.workloads,
      o.budget.baselineEvaluations,
      o.seed,
      o.run,
      o.space.objective,
      spaceLoopOrder(o.space),
      o.rtl,
    );
    let best = final.best;
    // The baseline (with the space's dataflow) is a candidate too: never worse than it.
    if (o.baseline?.valid && o.baseline.spec?.dataflow === o.space.dataflow && o.baseline.cost < best.cost) best = o.baseline;
    const evaluations = res.evaluations + final.evaluations;
    const last = res.history[res.history.length - 1];
    return {
      best,
      history: [
        ...res.history,
        { generation: res.history.length, evaluations, best_edp: best.cost, median_edp: last?.median_edp ?? best.cost, valid: 1 },
      ],
      points: res.points,
      evaluations,
      hardwareCandidates: res.hardwareCandidates,
    };
  }
  if (name === 'sweep') return sweepStrategy(o);
  if (name === 'random') return randomStrategy(o);
  return naasStrategy(o);
}
