// The NAAS strategy: successive halving over (array shape, connectivity) pairs, then CMA-ES on
// the sizes of the shapes that survive. Cheap mapping on many designs, the full mapper on the
// few left; per-layer mappings follow the network objective (design-mapping.ts). The baseline
// design is one of the first candidates, so the result is never worse than the baseline.
import type { AcceleratorSpec, IntRange } from '../../ir/targets.ts';
import { subSeed, type CandidateResult } from '../candidate.ts';
import { CmaEs } from '../cmaes.ts';
import { decodeBandwidth, limitsOf, toUnitFloor, type SpaceLimits } from '../encoding.ts';
import {
  designTask,
  fitsSpace,
  mappingPool,
  mappingsOf,
  naasPlan,
  SearchLog,
  shapeKey,
  sizedSpec,
  topDistinct,
  type StrategyOptions,
  type StrategyResult,
} from './common.ts';
import { enumeratePairs } from './pairs.ts';

// Buffer sizes are genes on a log scale (a step halves or doubles a size wherever it is: 32 B
// and 64 B register files are as far apart as 512 B and 1 KB), snapped onto the space's grid.
const logGene = (v: number, r: IntRange): number => (r.max <= r.min ? 0.5 : Math.log(Math.max(v, r.min) / r.min) / Math.log(r.max / r.min));
const fromLogGene = (u: number, r: IntRange): number => {
  const v = r.min * (r.max / r.min) ** Math.min(1, Math.max(0, u));
  return Math.min(r.max, r.min + Math.round((v - r.min) / r.step) * r.step);
};

/** Sizes of a shape as CMA-ES genes in [0,1]: register file and global buffer (log scale), DRAM bandwidth. */
function sizeGenes(spec: AcceleratorSpec, o: StrategyOptions): number[] {
  const rfR = o.space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = o.space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const bwR = o.space.dramBandwidthBytesPerCycle;
  return [
    logGene(spec.registerFileBytesPerPe, rfR),
    logGene(spec.globalBufferBytes, gbR),
    bwR ? toUnitFloor(spec.dramBandwidthBytesPerCycle, bwR) : 1,
  ];
}

function decodeSizes(x: number[], shape: AcceleratorSpec, o: StrategyOptions, lim: SpaceLimits): AcceleratorSpec | undefined {
  const rfR = o.space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const gbR = o.space.globalBufferBytes ?? { min: 16384, max: 131072, step: 16 };
  const spec: AcceleratorSpec = {
    ...shape,
    registerFileBytesPerPe: fromLogGene(x[0], rfR),
    globalBufferBytes: fromLogGene(x[1], gbR),
    dramBandwidthBytesPerCycle: decodeBandwidth(x[2], o.space, lim),
  };
  return fitsSpace(spec, o.space, lim) ? spec : undefined;
}

export async function naasStrategy(o: StrategyOptions): Promise<StrategyResult> {
  const plan = naasPlan(o.budget);
  const lim = limitsOf(o.resources);
  const log = new SearchLog(o, 3 + plan.sizeGenerations);
  // Rung 0: the pairs the analytic filter ranks best, at one register-file size, mapped cheaply.
  const rfR = o.space.registerFileBytes ?? { min: 16, max: 1024, step: 16 };
  const rf0 = Math.min(Math.max(rfR.min, plan.firstRegisterFile), rfR.max);
  const pairs = enumeratePairs(o.workloads, o.space, o.resources, lim, plan.pairs, !o.rtl);
  // A pair whose design does not fit at that size (area bound) tries the smallest register file.
  const first = pairs
    .map((p) => sizedSpec(p, rf0, o.space, lim) ?? sizedSpec(p, rfR.min, o.space, lim))
    .filter((s): s is AcceleratorSpec => !!s);
  // The baseline is a candidate of the first rung with its own (full-effort) mapping.
  const baseline =
    o.baseline?.valid && o.baseline.spec && fitsSpace(o.baseline.spec, o.space, lim) && (!o.rtl || o.baseline.spec.parallel)
      ? o.baseline
      : undefined;
  if (baseline) log.seed(baseline);
  const r0 = await log.batch(first.map((s, i) => designTask(o, s, plan.firstEffort, subSeed(o.seed, 10, i))));
  // Rung 1: the best designs, mapped with more effort and the network objective.
  const keep = topDistinct([...(baseline ? [baseline] : []), ...r0], plan.keep);
  const r1 = await log.batch(
    keep.map((r, i) => designTask(o, r.spec!, plan.keepEffort, subSeed(o.seed, 11, i), { start: mappingsOf(r), networkObjective: true })),
  );
  // Sizes: CMA-ES over register file, buffer and bandwidth of each surviving shape, all shapes
  // of a generation in one batch; every candidate starts from its shape's best mappings so far,
  // and from the pool of every layer's mappings on that shape (each tried once on its sizes):
  // sizes are then compared on the same mappings more than on the luck of a short mapper run.
  const shapes = topDistinct(r1, plan.shapes, shapeKey);
  const bestOf = shapes.map((r) => r);
  const cmas = shapes.map(
    (r, s) => new CmaEs(3, { lambda: plan.sizePopulation, seed: subSeed(o.seed, 12, s), sigma: 0.25, mean: sizeGenes(r.spec!, o) }),
  );
  const sized: CandidateResult[] = [];
  for (let g = 0; g < plan.sizeGenerations; g++) {
    const xs: number[][][] = [];
    const specs: (AcceleratorSpec | undefined)[][] = [];
    cmas.forEach((cma, s) => {
      xs.push([]);
      specs.push([]);
      for (let i = 0; i < cma.lambda; i++) {
        let x = cma.sample();
        let spec = decodeSizes(x, bestOf[s].spec!, o, lim);
        for (let r = 0; r < 100 && !spec; r++) spec = decodeSizes((x = cma.sample()), bestOf[s].spec!, o, lim);
        xs[s].push(x);
        specs[s].push(spec);
      }
    });
    const tasks = specs.flatMap((ss, s) => ss.map((spec, i) => ({ spec, s, i }))).filter((t) => t.spec);
    const pools = bestOf.map((r) => mappingPool(log.all, shapeKey(r.spec!), plan.startPool));
    const results = await log.batch(
      tasks.map((t) =>
        designTask(o, t.spec!, plan.sizeEffort, subSeed(o.seed, 12, g, t.s, t.i), {
          start: mappingsOf(bestOf[t.s]),
          starts: pools[t.s],
          networkObjective: true,
        }),
      ),
    );
    sized.push(...results);
    cmas.forEach((cma, s) => {
      const costs = xs[s].map((_, i) => {
        const j = tasks.findIndex((t) => t.s === s && t.i === i);
        const r = j >= 0 ? results[j] : undefined;
        return r && r.valid ? Math.log(r.cost) : 1e6;
      });
      cma.tell(xs[s], costs);
    });
    tasks.forEach((t, j) => {
      if (results[j].valid && results[j].cost < bestOf[t.s].cost) bestOf[t.s] = results[j];
    });
  }
  // The best few distinct designs with the final mapper effort: the best of the survivors and
  // of the size search together, and the size search's best in any case (its designs were
  // mapped with less effort than the survivors, so their costs are pessimistic). Each final
  // mapping keeps per layer the best of several mapper runs and of the shape's pooled mappings.
  const finalists = topDistinct([...r1, ...sized], plan.finalists);
  const bestSized = topDistinct(sized, 1)[0];
  if (bestSized && !finalists.includes(bestSized)) finalists.splice(plan.finalists - 1, 1, bestSized);
  return log.finish(finalists, plan.final, {
    networkObjective: true,
    restarts: plan.finalRestarts,
    starts: (f) => mappingPool(log.all, shapeKey(f.spec!), plan.startPool),
  });
}
