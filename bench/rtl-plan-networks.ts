// Benchmark (not a test): plans every network with conv/depthwise/dense layers in examples/ and
// ../shared/dsl-examples/ on the shared eyeriss, shidiannao and nvdla_256 baselines (hardware,
// tiles, loop nests and configuration words of every layer; no vectors, no simulation) and
// prints a Markdown table: programs, layers whose input channels are split, partial-sum bank,
// buffer used, plan time, or the error that refused a layer.
//   npx tsx bench/rtl-plan-networks.ts [--only NAME,...]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrograms } from '../compiler/frontend/index.ts';
import { UserError } from '../compiler/diagnostics/index.ts';
import { planAccelerator } from '../compiler/rtl/accelerator/index.ts';
import { acceleratableLayers } from '../compiler/rtl/accelerator/problem.ts';

const ACCS = '../shared/dsl-examples/accelerators.nacc';
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
const files = [
  ...readdirSync('../shared/dsl-examples')
    .filter((f) => f.endsWith('.nacc') && !f.startsWith('accelerators'))
    .map((f) => join('../shared/dsl-examples', f)),
  ...readdirSync('examples')
    .filter((f) => f.endsWith('.nacc'))
    .map((f) => join('examples', f)),
];
console.log('| file | network | accelerator | layers | programs | C split | psum words | buffer used (B) | plan s | result |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const file of files) {
  const prog = loadPrograms([file, ACCS]);
  for (const net of prog.networks) {
    if (only && !only.includes(net.name)) continue;
    // Image networks only (point and voxel clouds run on PointAcc).
    if (net.inputs.some((i) => i.type.kind !== 'feature' && i.type.kind !== 'vector') || acceleratableLayers(net).length === 0) continue;
    for (const acc of ['eyeriss', 'shidiannao', 'nvdla_256']) {
      const spec = prog.accelerators.find((a) => a.name === acc)!;
      const t0 = performance.now();
      try {
        const p = planAccelerator(spec, net, {});
        const split = p.channelChunks.filter((c, i) => c < p.problems[i].bounds.C).length;
        const programs = p.tiles.reduce((s, t) => s + t.length, 0);
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(
          `| ${file} | ${net.name} | ${acc} | ${p.problems.length} | ${programs} | ${split} | ${p.hardware.psumWords} | ${p.hardware.globalBufferUsed} | ${secs} | ok |`,
        );
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        const d = e.diagnostics[0];
        console.log(`| ${file} | ${net.name} | ${acc} | | | | | | | ${d.code}: ${d.message.replace(/\|/g, '/')} |`);
      }
    }
  }
}
