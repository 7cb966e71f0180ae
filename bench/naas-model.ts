// Mapping evaluations per second of the cost model on one core, for a VGG16 conv layer
// (conv3_2: 256x256 channels, 56x56, 3x3) on Eyeriss. Random valid row-stationary mappings.
// Three entry points over the same 1,000 mappings, measured in interleaved rounds:
//   evaluate()            the full Evaluation (every level and data-space record), as before;
//   prepare().evaluate()  the same through an evaluator prepared once for the layer;
//   prepare().totals()    cycles and energy only (what the mapper's and the NAAS inner loop use).
// Each figure is the median over the rounds of evaluations per wall-clock second, and of
// evaluations per second of this thread's CPU time (Linux /proc/thread-self/schedstat; it
// excludes time the thread waited for a core, so it is steadier on a loaded machine).
// Run: npx tsx bench/naas-model.ts [seconds per entry point]
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Mapping } from '../compiler/ir/mapping.ts';
import { convProblem } from '../compiler/ir/problem.ts';
import { specToArchitecture } from '../compiler/naas/arch-from-spec.ts';
import { dataflowConstraints } from '../compiler/naas/dataflow.ts';
import { placementToMapping, randomPlacement } from '../compiler/naas/mapper.ts';
import { evaluate, prepare } from '../compiler/naas/model.ts';
import { Prng } from '../compiler/util/prng.ts';

const seconds = Number(process.argv[2] ?? 5);
const arch = specToArchitecture({
  name: 'eyeriss',
  peArray: [12, 14],
  dataflow: 'row_stationary',
  registerFileBytesPerPe: 520,
  globalBufferBytes: 110592,
  dramBandwidthBytesPerCycle: 8,
  wordBits: 16,
});
const problem = convProblem({ name: 'vgg16_conv3_2', K: 256, C: 256, P: 56, Q: 56, R: 3, S: 3 });
const c = dataflowConstraints('row_stationary', [12, 14]);
const rng = new Prng(1);
const mappings: Mapping[] = [];
while (mappings.length < 1000) {
  const m = placementToMapping(randomPlacement(problem, c, rng), c);
  if (evaluate(problem, arch, m).valid) mappings.push(m);
}

const SCHEDSTAT = '/proc/thread-self/schedstat';
const haveThreadClock = existsSync(SCHEDSTAT);
/** CPU time this thread has run, in ms (NaN where the kernel does not expose it). */
const threadMs = (): number => (haveThreadClock ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6 : NaN);

const model = prepare(problem, arch);
let sink = 0;
const paths: { name: string; run: (m: Mapping) => void }[] = [
  { name: 'evaluate()', run: (m) => void (sink += evaluate(problem, arch, m).cycles) },
  { name: 'prepare().evaluate()', run: (m) => void (sink += model.evaluate(m).cycles) },
  { name: 'prepare().totals()', run: (m) => void (sink += model.totals(m)?.cycles ?? 0) },
];

const load0 = loadavg()[0];
// Warm up every path, then measure in interleaved rounds.
for (const p of paths) for (let r = 0; r < 3; r++) for (const m of mappings) p.run(m);
const rounds = 10;
const wall: number[][] = paths.map(() => []);
const cpu: number[][] = paths.map(() => []);
for (let r = 0; r < rounds; r++) {
  paths.forEach((p, i) => {
    let n = 0;
    const c0 = threadMs();
    const t0 = performance.now();
    while (performance.now() - t0 < (seconds * 1000) / rounds) {
      for (const m of mappings) p.run(m);
      n += mappings.length;
    }
    const dt = performance.now() - t0;
    const dc = threadMs() - c0;
    wall[i].push((n / dt) * 1000);
    cpu[i].push((n / dc) * 1000);
  });
}
const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const fmt = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const load1 = loadavg()[0];
console.log(
  `cost model: ${fmt(median(wall[0]))} valid mapping evaluations/s on one core (${problem.name} on eyeriss, evaluate(), median of ${rounds} rounds)`,
);
console.log(`load average (1 min): ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end`);
console.log('entry point            per wall second   per thread-CPU second');
paths.forEach((p, i) => console.log(`${p.name.padEnd(22)} ${fmt(median(wall[i])).padStart(16)}   ${fmt(median(cpu[i])).padStart(21)}`));
if (sink === 0) console.log('(no cycles summed)');
