// Runs the real `timeloop-model` (v3.0.3, on PATH or --timeloop PATH) on every layer that
// `nacc search --out DIR` exported (DIR/timeloop: the searched design; DIR/baseline/timeloop:
// the baseline) and compares its stats with our cost model on the same files: counts, cycles,
// energy. With --fixtures OUT, writes OUT/<design>/: arch.yaml, ERT.yaml, layers.json (every
// layer -> the id of its files) and, once per distinct problem + mapping, <id>.prob.yaml,
// <id>.map.yaml and timeloop-model's <id>.stats.txt.gz (tests/importers/timeloop-v3-fixtures.test.ts
// re-checks them without the tool).
//
//   npx tsx bench/timeloop-v3.ts DIR... [--timeloop PATH] [--fixtures OUT] [--designs D1,D2] [--json]
// (designs are named <DIR's name>-<design>, e.g. eyeriss-naas_best; --designs keeps only those)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { compareWithStats, loadExportedDesign, loadExportedLayer, type LayerComparison } from '../testbench/fidelity/timeloop-exported.ts';
import { parseStatsText } from '../compiler/importers/timeloop/parse.ts';
import { evaluate } from '../compiler/naas/model.ts';
import { findOnPath, runTool } from '../testbench/tools/run-tool.ts';
import { formatTable } from '../compiler/cli/table.ts';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const flags = new Set(['--timeloop', '--fixtures', '--designs']);
const dirs = argv.filter((a, i) => !a.startsWith('--') && !flags.has(argv[i - 1] ?? ''));
const tool = opt('timeloop') ?? 'timeloop-model';
const fixtures = opt('fixtures');
const json = argv.includes('--json');
const only = opt('designs')?.split(',');
if (dirs.length === 0) {
  console.error(
    'usage: npx tsx bench/timeloop-v3.ts DIR... [--timeloop PATH] [--fixtures OUT] [--designs D1,D2] [--json]  (DIR: a nacc search --out folder)',
  );
  process.exit(2);
}
if (!findOnPath(tool)) {
  console.error(`${tool}: not on PATH (build Timeloop v3.0.3 from its public sources, or pass --timeloop PATH)`);
  process.exit(4);
}

/** The design's name from the header line the exporter writes (`# architecture NAME for ...`). */
const designName = (archFile: string): string =>
  /^# architecture (\S+) for/.exec(readFileSync(archFile, 'utf8'))?.[1] ?? basename(archFile);

interface DesignSummary {
  design: string;
  /** Distinct problem + mapping pairs run (layers of equal files run once). */
  layers: number;
  counts_equal: number;
  cycles_equal: number;
  max_cycle_difference: number;
  max_energy_relative_error: number;
  failures: { layer: string; comparison: LayerComparison }[];
}

const summaries: DesignSummary[] = [];
const seenDesigns = new Map<string, string>();
for (const dir of dirs) {
  for (const sub of ['timeloop', 'baseline/timeloop']) {
    const ddir = join(dir, sub);
    if (!existsSync(join(ddir, 'arch.yaml'))) continue;
    const design = loadExportedDesign(ddir);
    const name = `${basename(dir)}-${designName(design.archFile)}`;
    if (only && !only.includes(name)) continue;
    // The same design exported by several runs (same space and seed) is checked once.
    const body = (f: string): string => readFileSync(f, 'utf8').replace(/^#.*\n/, '');
    const whole = createHash('sha256');
    for (const f of [design.archFile, design.ertFile, ...design.layers.flatMap((l) => [l.prob, l.map])]) whole.update(body(f)).update('\0');
    const digest = whole.digest('hex');
    const same = seenDesigns.get(digest);
    if (same) {
      if (!json) console.error(`${name}: the same design and mappings as ${same}, skipped`);
      continue;
    }
    seenDesigns.set(digest, name);
    const s: DesignSummary = {
      design: name,
      layers: 0,
      counts_equal: 0,
      cycles_equal: 0,
      max_cycle_difference: 0,
      max_energy_relative_error: 0,
      failures: [],
    };
    const fixtureDir = fixtures ? join(fixtures, name) : undefined;
    if (fixtureDir) {
      mkdirSync(fixtureDir, { recursive: true });
      copyFileSync(design.archFile, join(fixtureDir, 'arch.yaml'));
      copyFileSync(design.ertFile, join(fixtureDir, 'ERT.yaml'));
    }
    // Layers of equal shape and mapping have equal files (but for the header): run them once.
    const idOf = new Map<string, string>();
    const index: { network: string; layer: string; id: string }[] = [];
    for (const layer of design.layers) {
      const key = createHash('sha256').update(body(layer.prob)).update('\0').update(body(layer.map)).digest('hex');
      const seen = idOf.get(key);
      if (seen) {
        index.push({ network: layer.network, layer: layer.stem, id: seen });
        continue;
      }
      const id = `${layer.network}.${layer.stem}`;
      idOf.set(key, id);
      index.push({ network: layer.network, layer: layer.stem, id });
      const out = mkdtempSync(join(tmpdir(), 'timeloop-v3-'));
      const run = await runTool(tool, [design.archFile, design.ertFile, layer.prob, layer.map, '-o', out], { timeoutMs: 300_000 });
      const statsFile = join(out, 'timeloop-model.stats.txt');
      if (!run.verdict.ok || !existsSync(statsFile)) {
        console.error(
          `${name} ${layer.network}/${layer.stem}: ${run.verdict.ok ? 'no stats written' : run.verdict.reason}\n${run.output.split('\n').slice(-15).join('\n')}`,
        );
        s.layers++;
        rmSync(out, { recursive: true, force: true });
        continue;
      }
      const stats = readFileSync(statsFile, 'utf8');
      const { problem, mapping } = loadExportedLayer(design, layer);
      const c = compareWithStats(evaluate(problem, design.arch, mapping), parseStatsText(stats));
      s.layers++;
      if (c.counts_match) s.counts_equal++;
      if (c.cycles.ours === c.cycles.reference) s.cycles_equal++;
      s.max_cycle_difference = Math.max(s.max_cycle_difference, Math.abs(c.cycles.ours - c.cycles.reference));
      s.max_energy_relative_error = Math.max(s.max_energy_relative_error, c.energy_pj.relative_error);
      if (!c.counts_match || Math.abs(c.cycles.ours - c.cycles.reference) > 1 || c.energy_pj.relative_error > 1e-4)
        s.failures.push({ layer: `${layer.network}/${layer.stem}`, comparison: c });
      if (fixtureDir) {
        copyFileSync(layer.prob, join(fixtureDir, `${id}.prob.yaml`));
        copyFileSync(layer.map, join(fixtureDir, `${id}.map.yaml`));
        writeFileSync(join(fixtureDir, `${id}.stats.txt.gz`), gzipSync(stats, { level: 9 }));
      }
      rmSync(out, { recursive: true, force: true });
    }
    if (fixtureDir)
      writeFileSync(
        join(fixtureDir, 'layers.json'),
        JSON.stringify({ design: designName(design.archFile), layers: index }, null, 1) + '\n',
      );
    summaries.push(s);
    if (!json)
      console.error(
        `${name}: ${s.layers} layers, counts equal ${s.counts_equal}, cycles equal ${s.cycles_equal}, max |dcycles| ${s.max_cycle_difference}, max energy error ${s.max_energy_relative_error.toExponential(2)} (${relative(process.cwd(), ddir)})`,
      );
  }
}

if (json) {
  process.stdout.write(JSON.stringify({ tool, designs: summaries }, null, 2) + '\n');
} else {
  console.log(
    formatTable(
      ['design', 'distinct layers', 'counts equal', 'cycles equal', 'max |dcycles|', 'max energy error'],
      summaries.map((s) => [
        s.design,
        String(s.layers),
        String(s.counts_equal),
        String(s.cycles_equal),
        String(s.max_cycle_difference),
        s.max_energy_relative_error.toExponential(2),
      ]),
    ),
  );
  for (const s of summaries)
    for (const f of s.failures.slice(0, 5))
      console.log(
        `${s.design} ${f.layer}: cycles ${f.comparison.cycles.ours}/${f.comparison.cycles.reference}, energy ${f.comparison.energy_pj.ours}/${f.comparison.energy_pj.reference}, ${f.comparison.mismatches
          .slice(0, 3)
          .map((m) => `${m.level}.${m.dataSpace}.${m.field} ${m.ours}/${m.reference}`)
          .join('; ')}`,
      );
}
const bad = summaries.some((s) => s.failures.length > 0 || s.counts_equal < s.layers);
process.exitCode = bad ? 3 : 0;
