// Mapping evaluations per second of the cost model on one core, for a VGG16 conv layer
// (conv3_2: 256x256 channels, 56x56, 3x3) on Eyeriss. Random valid row-stationary mappings.
// Run: npx tsx bench/naas-model.ts [seconds]
import { convProblem } from '../compiler/ir/problem.ts';
import { specToArchitecture } from '../compiler/naas/arch-from-spec.ts';
import { dataflowConstraints } from '../compiler/naas/dataflow.ts';
import { placementToMapping, randomPlacement } from '../compiler/naas/mapper.ts';
import { evaluate } from '../compiler/naas/model.ts';
import { Prng } from '../compiler/util/prng.ts';

const seconds = Number(process.argv[2] ?? 5);
const arch = specToArchitecture({ name: 'eyeriss', peArray: [12, 14], dataflow: 'row_stationary', registerFileBytesPerPe: 520, globalBufferBytes: 110592, dramBandwidthBytesPerCycle: 8, wordBits: 16 });
const problem = convProblem({ name: 'vgg16_conv3_2', K: 256, C: 256, P: 56, Q: 56, R: 3, S: 3 });
const c = dataflowConstraints('row_stationary', [12, 14]);
const rng = new Prng(1);
const mappings = [];
while (mappings.length < 1000) {
  const m = placementToMapping(randomPlacement(problem, c, rng), c);
  if (evaluate(problem, arch, m).valid) mappings.push(m);
}
// Warm up, then measure.
for (const m of mappings) evaluate(problem, arch, m);
let n = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  for (const m of mappings) evaluate(problem, arch, m);
  n += mappings.length;
}
const rate = n / ((performance.now() - t0) / 1000);
console.log(`cost model: ${Math.round(rate).toLocaleString('en-US')} valid mapping evaluations/s on one core (${problem.name} on eyeriss, ${n} evaluations)`);
