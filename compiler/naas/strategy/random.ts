// Random search (a reference strategy): uniform samples of the NAAS hardware encoding, as
// many designs as the sweep maps and with the sweep's mapper effort; the best three re-mapped.
import { subSeed } from '../candidate.ts';
import { decodeHardware, HW_VECTOR_LENGTH, limitsOf } from '../encoding.ts';
import { Prng } from '../../util/prng.ts';
import { designTask, fitsSpace, SearchLog, sweepPlan, topDistinct, type StrategyOptions, type StrategyResult } from './common.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';

export async function randomStrategy(o: StrategyOptions): Promise<StrategyResult> {
  const plan = sweepPlan(o.budget);
  const lim = limitsOf(o.resources);
  const rng = new Prng(subSeed(o.seed, 30));
  const designs = plan.pairs * plan.registerFiles;
  const batch = Math.max(1, o.budget.population);
  const log = new SearchLog(o, Math.ceil(designs / batch) + 1);
  for (let b = 0; b < designs; b += batch) {
    const specs: AcceleratorSpec[] = [];
    for (let i = b; i < Math.min(designs, b + batch); i++) {
      // Rejection sampling: vectors that break the space, the resources or the area bound are drawn again.
      for (let tries = 0; tries < 1000; tries++) {
        const x = Array.from({ length: HW_VECTOR_LENGTH }, () => rng.next());
        const d = decodeHardware(x, o.space, lim, 'random');
        if (d && fitsSpace(d.spec, o.space, lim)) {
          specs.push(d.spec);
          break;
        }
      }
    }
    await log.batch(specs.map((s, j) => designTask(o, s, plan.mapper, subSeed(o.seed, 31, b + j))));
  }
  return log.finish(topDistinct(log.all, plan.finalists), plan.final);
}
