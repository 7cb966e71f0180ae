// Benchmark (not a test): every example accelerator x every layer of rtl_layers in Icarus and
// Verilator, plus yosys cells and area. Prints a Markdown table for docs/rtl.md.
//   npx tsx bench/rtl-accelerators.ts [--no-synth]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { generateAccelerator } from '../compiler/rtl/accelerator/index.ts';
import { verifyAccelerator } from '../compiler/verify/accelerator.ts';
import { synthesise } from '../compiler/cli/rtl.ts';

const prog = loadProgram('examples/rtl.nacc');
const net = prog.networks.find((n) => n.name === 'rtl_layers')!;
const synth = !process.argv.includes('--no-synth');
const rows: string[] = [];
for (const name of ['kc_ws', 'pq_os', 'rp_rs', 'kcs_3d']) {
  const spec = prog.accelerators.find((a) => a.name === name)!;
  const g = generateAccelerator(spec, net, { seed: 1 });
  const dir = join('out', 'bench-rtl', name);
  for (const f of g.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  const t0 = performance.now();
  const r = await verifyAccelerator(dir, { sims: ['iverilog', 'verilator'] });
  const s = synth ? await synthesise(dir, g) : undefined;
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  for (const l of r.layers) {
    const ml = g.manifest.layers.find((x) => x.name === l.name)!;
    const sims = r.sims.map((x) => x.layers.find((y) => y.name === l.name)!);
    rows.push(
      `| ${name} | ${l.name} | ${sims.map((x) => `${x.passed}/${x.failed}`).join(' · ')} | ${l.cycles.iverilog} | ${l.cycles.verilator} | ${ml.schedule_cycles} | ${l.predicted_cycles} | ${l.model_cycles ?? '-'} | ${l.model_error_pct ?? '-'}% | ${s ? s.cells : '-'} | ${s ? s.area.total_ge : '-'} | ${r.lint.warnings} |`,
    );
  }
  process.stderr.write(`${name}: ok=${r.ok} (${secs} s)\n`);
}
process.stdout.write('| design | layer | passed/failed (Icarus · Verilator) | Icarus cycles | Verilator cycles | schedule | predicted | cost model alone | model error | yosys cells | area (GE) | lint |\n');
process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|---|\n');
process.stdout.write(rows.join('\n') + '\n');
