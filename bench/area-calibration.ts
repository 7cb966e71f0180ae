// Benchmark (not a test): synthesises generated accelerators with yosys (`nacc rtl --synth`'s
// synthesise) and writes their logic gate equivalents to tests/naas/fixtures/area-calibration.json.
//   npx tsx bench/area-calibration.ts [--jobs 2] [--only name,name] [--reverse] [--report]
// (AREA_FIXTURE=path writes elsewhere; --report only prints the fit from the fixture.)
// The suite (tests/naas/area.test.ts) re-checks the area model's fit against that fixture.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { generateAccelerator } from '../compiler/rtl/accelerator/index.ts';
import { synthesise } from '../compiler/cli/rtl.ts';
import type { AcceleratorSpec } from '../compiler/ir/targets.ts';
import { CALIBRATION_DESIGNS } from './area-designs.ts';
import { calibrate } from '../compiler/naas/area-fit.ts';

const FIXTURE = process.env.AREA_FIXTURE ?? 'tests/naas/fixtures/area-calibration.json';
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const jobs = Number(arg('--jobs') ?? 2);
const only = arg('--only')?.split(',') ?? (process.argv.includes('--report') ? [] : undefined);
const reverse = process.argv.includes('--reverse');

interface Row {
  name: string;
  set: 'fit' | 'check';
  spec: AcceleratorSpec;
  cells: number;
  logic_ge: number;
  flops: number;
  cell_types: Record<string, number>;
}
const prog = loadProgram('examples/rtl.nacc');
const net = prog.networks.find((n) => n.name === 'rtl_layers')!;
const table: { network: string; layers: string[]; designs: Row[] } = existsSync(FIXTURE)
  ? JSON.parse(readFileSync(FIXTURE, 'utf8'))
  : { network: 'rtl_layers', layers: ['c3'], designs: [] };

async function one(d: (typeof CALIBRATION_DESIGNS)[number]): Promise<void> {
  const spec: AcceleratorSpec = { wordBits: 8, dramBandwidthBytesPerCycle: 8, clockMHz: 200, ...d.spec };
  const g = generateAccelerator(spec, net, { seed: 1, layers: table.layers });
  const dir = mkdtempSync(join(tmpdir(), 'nacc-area-'));
  for (const f of g.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  const t0 = performance.now();
  const s = await synthesise(dir, g);
  rmSync(dir, { recursive: true, force: true });
  const flops = Object.entries(s.cell_types)
    .filter(([t]) => /^\$_S?DFF|^\$_DLATCH/.test(t))
    .reduce((a, [, n]) => a + n, 0);
  const row: Row = { name: d.spec.name, set: d.set, spec, cells: s.cells, logic_ge: s.area.logic_ge, flops, cell_types: s.cell_types };
  // Re-read: another run may have added designs meanwhile.
  if (existsSync(FIXTURE)) table.designs = JSON.parse(readFileSync(FIXTURE, 'utf8')).designs;
  table.designs = [...table.designs.filter((r) => r.name !== row.name), row].sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(FIXTURE, JSON.stringify(table, null, 1) + '\n');
  process.stderr.write(`${row.name}: ${row.cells} cells, ${row.logic_ge} GE (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

const queue = CALIBRATION_DESIGNS.filter((d) => !only || only.includes(d.spec.name));
if (reverse) queue.reverse();
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let d = queue.shift(); d; d = queue.shift()) await one(d);
  }),
);

// The fit and its check, as Markdown for docs/naas.md (coefficients go into compiler/naas/area.ts LOGIC_GE).
const all = JSON.parse(readFileSync(FIXTURE, 'utf8')).designs as Row[];
const rep = calibrate(all);
process.stdout.write(
  `coefficients (GE): ${JSON.stringify(Object.fromEntries(Object.entries(rep.coefficients).map(([k, v]) => [k, Number(v.toPrecision(6))])))}\n\n`,
);
process.stdout.write(
  '| design | set | array | parallel | RF B/PE | yosys cells | yosys logic GE | model logic GE | error |\n|---|---|---|---|---|---|---|---|---|\n',
);
for (const r of rep.rows) {
  const d = all.find((x) => x.name === r.name)!;
  process.stdout.write(
    `| ${r.name} | ${r.set} | ${d.spec.peArray.join('×')} | ${d.spec.parallel!.join(',')} | ${d.spec.registerFileBytesPerPe} | ${d.cells} | ${r.measured} | ${r.model} | ${(r.error * 100).toFixed(1)}% |\n`,
  );
}
process.stdout.write(
  `\nfit set: Spearman ${rep.fit.spearman.toFixed(3)}, mean absolute error ${(rep.fit.mae * 100).toFixed(1)}%; held back: Spearman ${rep.check.spearman.toFixed(3)}, mean absolute error ${(rep.check.mae * 100).toFixed(1)}%\n`,
);
