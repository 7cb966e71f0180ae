// NAAS against its yardsticks (issue 16): per network and resource set, the EDP ratio over the
// best-mapped baseline of naas, sizing-only, the plain sweep and random search (median and
// range over seeds), their cost-model evaluations and seconds, the floor of the space, and an
// HTML report of the anytime curves (best EDP against evaluations, median and range over seeds).
// Run: npx tsx bench/naas.ts [--networks vgg16,...] [--resources eyeriss,shidiannao,nvdla_256]
//   [--strategies naas,sizing,sweep,random] [--seeds 5] [--sweep-seeds N] [--budget default]
//   [--threads N] [--log runs.jsonl [--resume]] [--from runs.jsonl[,more.jsonl]] [--report report.html]
//   [--json | --markdown]
// Every finished run is appended to --log at once, so a long bench can be cut short and
// tabulated later with --from (the tables and report read only the log).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseBudget } from '../compiler/cli/search.ts';
import { formatTable } from '../compiler/cli/table.ts';
import { loadProgram } from '../compiler/frontend/index.ts';
import type { AcceleratorSpec, DesignSpace } from '../compiler/ir/targets.ts';
import { onChipBytes } from '../compiler/naas/arch-from-spec.ts';
import { spaceFloorOptions, workloadBound } from '../compiler/naas/bound.ts';
import { buildWorkloads } from '../compiler/naas/problems.ts';
import { svgPlot } from '../compiler/naas/report.ts';
import { evaluateFixed, workerRunner } from '../compiler/naas/search.ts';
import { runStrategy } from '../compiler/naas/strategy/index.ts';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

interface Run {
  resources: string;
  network: string;
  strategy: string;
  seed: number;
  baseline_edp: number;
  edp: number;
  ratio: number;
  evaluations: number;
  seconds: number;
  loadavg: number;
  floor_edp: number;
  design: string;
  history: { evaluations: number; best_edp: number }[];
}

const root = join(import.meta.dirname, '..', 'examples');
const nets = loadProgram(join(root, 'naas_networks.nacc')).networks;
const acc = loadProgram(join(root, 'naas_accelerators.nacc'));
const STRATEGY_NAMES = ['naas', 'sizing', 'sweep', 'random'];

/** The NAAS and sizing-only spaces of a resource set: the file's when it has them, else the same ranges capped at the resources. */
function spacesFor(r: AcceleratorSpec): { naas: DesignSpace; sizing: DesignSpace } {
  const pes = r.peArray.reduce((a, b) => a * b, 1);
  const gbMax = Math.max(16384, r.globalBufferBytes);
  const common = {
    registerFileBytes: { min: 16, max: 1024, step: 16 },
    globalBufferBytes: { min: 16384, max: gbMax, step: 16 },
    objective: 'edp' as const,
  };
  const naas = acc.spaces.find((s) => s.resources === r.name && !s.dataflow) ?? {
    name: `naas_${r.name}`,
    resources: r.name,
    arrayDims: { min: 1, max: 3, step: 1 },
    peCount: { min: 8, max: pes, step: 8 },
    arraySize: { min: 2, max: 64, step: 2 },
    parallel: 'search',
    loopOrder: 'search',
    tiling: 'search',
    ...common,
  };
  const sizing = acc.spaces.find((s) => s.resources === r.name && s.dataflow) ?? {
    name: `sizing_${r.name}`,
    resources: r.name,
    dataflow: r.dataflow ?? 'row_stationary',
    peArray: [
      { min: 2, max: 32, step: 2 },
      { min: 2, max: 32, step: 2 },
    ],
    ...common,
  };
  return { naas, sizing };
}

const designOf = (s: AcceleratorSpec | undefined): string =>
  s ? `${s.peArray.join('x')} ${s.dataflow ?? s.parallel?.join('')} rf ${s.registerFileBytesPerPe} gb ${s.globalBufferBytes}` : '-';

async function runAll(): Promise<Run[]> {
  const networks = list(arg('networks') ?? 'vgg16,resnet50,mobilenetv2,squeezenet,mnasnet,unet');
  const resources = list(arg('resources') ?? 'eyeriss,shidiannao,nvdla_256');
  const strategies = list(arg('strategies') ?? STRATEGY_NAMES.join(','));
  const seeds = Number(arg('seeds', '5'));
  const sweepSeeds = Number(arg('sweep-seeds', String(seeds)));
  const budget = parseBudget(arg('budget', 'default'));
  const threads = Number(arg('threads', String(availableParallelism())));
  const log = arg('log');
  // With --resume, runs already in the log are kept and not run again.
  const runs: Run[] =
    log && process.argv.includes('--resume') && existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Run)
      : [];
  const done = new Set(runs.map((r) => `${r.resources}/${r.network}/${r.strategy}/${r.seed}`));
  const pool = workerRunner(threads);
  try {
    for (const rName of resources) {
      const r = acc.accelerators.find((a) => a.name === rName);
      if (!r) throw new Error(`no accelerator ${rName}`);
      const { naas, sizing } = spacesFor(r);
      for (const name of networks) {
        const net = nets.find((n) => n.name === name);
        if (!net) throw new Error(`no network ${name}`);
        const w = buildWorkloads([net]);
        for (let seed = 1; seed <= seeds; seed++) {
          const base = await evaluateFixed(r, w, budget.baselineEvaluations, seed, pool.run);
          for (const strategy of strategies) {
            if ((strategy === 'sweep' || strategy === 'random') && seed > sweepSeeds) continue;
            if (done.has(`${rName}/${name}/${strategy}/${seed}`)) continue;
            const space = strategy === 'sizing' ? sizing : naas;
            const floor = workloadBound(w, r, spaceFloorOptions(space, r)).totals.edp;
            const t0 = performance.now();
            const res = await runStrategy(strategy === 'sizing' ? 'naas' : (strategy as 'naas'), {
              workloads: w,
              space,
              resources: r,
              seed,
              budget,
              run: pool.run,
              baseline: base,
            });
            const run: Run = {
              resources: rName,
              network: name,
              strategy,
              seed,
              baseline_edp: base.cost,
              edp: res.best.cost,
              ratio: base.cost / res.best.cost,
              evaluations: res.evaluations,
              seconds: (performance.now() - t0) / 1000,
              loadavg: loadavg()[0],
              floor_edp: floor,
              design: designOf(res.best.spec),
              history: res.history.map((h) => ({ evaluations: h.evaluations, best_edp: h.best_edp })),
            };
            runs.push(run);
            if (log) appendFileSync(log, JSON.stringify(run) + '\n');
            process.stderr.write(
              `${rName} ${name} ${strategy} seed ${seed}: ${run.ratio.toFixed(3)}x, ${run.evaluations} evaluations, ${run.seconds.toFixed(1)} s (load ${run.loadavg.toFixed(1)})\n`,
            );
          }
        }
      }
    }
  } finally {
    await pool.close();
  }
  return runs;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/** Best EDP so far at each evaluation count of a log-spaced grid: median, min and max over seeds. */
function anytime(runs: Run[], grid: number[]): { x: number; median: number; min: number; max: number }[] {
  return grid
    .map((x) => {
      const ys = runs
        .map((r) => [...r.history].reverse().find((h) => h.evaluations <= x)?.best_edp)
        .filter((y): y is number => y !== undefined && Number.isFinite(y));
      return ys.length === runs.length ? { x, median: median(ys), min: Math.min(...ys), max: Math.max(...ys) } : undefined;
    })
    .filter((p): p is NonNullable<typeof p> => !!p);
}

const COLORS: Record<string, string> = { naas: '#d62728', sizing: '#2ca02c', sweep: '#1f77b4', random: '#9467bd' };

function report(runs: Run[]): string {
  const groups = [...new Set(runs.map((r) => `${r.resources}/${r.network}`))];
  const charts = groups.map((g) => {
    const rs = runs.filter((r) => `${r.resources}/${r.network}` === g);
    const maxE = Math.max(...rs.map((r) => r.evaluations));
    const minE = Math.max(1, Math.min(...rs.flatMap((r) => r.history.map((h) => h.evaluations)).filter((e) => e > 0)));
    const grid = Array.from({ length: 60 }, (_, i) => minE * (maxE / minE) ** (i / 59));
    const series = [...new Set(rs.map((r) => r.strategy))].flatMap((s) => {
      const c = anytime(
        rs.filter((r) => r.strategy === s),
        grid,
      );
      const n = rs.filter((r) => r.strategy === s).length;
      return [
        {
          name: `${s} median (${n} seeds)`,
          color: COLORS[s] ?? '#333',
          points: c.map((p): [number, number] => [p.x, p.median]),
          line: true,
        },
        {
          name: `${s} min..max`,
          color: COLORS[s] ?? '#333',
          points: c.flatMap((p): [number, number][] => [
            [p.x, p.min],
            [p.x, p.max],
          ]),
        },
      ];
    });
    const base = median(rs.map((r) => r.baseline_edp));
    series.push({
      name: 'baseline',
      color: '#7f7f7f',
      points: [
        [minE, base],
        [maxE, base],
      ],
      line: true,
    });
    return `<h2>${g}</h2>\n${svgPlot({ title: `${g}: best EDP against cost-model evaluations`, xLabel: 'evaluations (log)', yLabel: 'best EDP (pJ x cycles)', series, logX: true })}`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>NAAS strategies</title></head><body><h1>NAAS strategies: anytime curves</h1>\n${charts.join('\n')}\n</body></html>\n`;
}

/** A plain-text table, or a Markdown one with --markdown (for docs/naas.md). */
const table = (headers: string[], rows: string[][]): string =>
  process.argv.includes('--markdown')
    ? [headers, headers.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
    : formatTable(headers, rows);

function tables(runs: Run[]): string {
  const out: string[] = [];
  const fmt = (xs: number[], d = 2): string => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
  for (const rName of [...new Set(runs.map((r) => r.resources))]) {
    const rows: string[][] = [];
    const per: Record<string, number[]> = {};
    const checks: string[] = [];
    for (const net of [...new Set(runs.filter((r) => r.resources === rName).map((r) => r.network))]) {
      const rs = runs.filter((r) => r.resources === rName && r.network === net);
      const by = (s: string) => rs.filter((r) => r.strategy === s);
      const cell = (s: string): string[] =>
        by(s).length
          ? [
              fmt(by(s).map((r) => r.ratio)),
              Math.round(median(by(s).map((r) => r.evaluations))).toLocaleString('en-US'),
              median(by(s).map((r) => r.seconds)).toFixed(1),
            ]
          : ['-', '-', '-'];
      for (const s of STRATEGY_NAMES) if (by(s).length) (per[s] ??= []).push(median(by(s).map((r) => r.ratio)));
      const floorX = median(rs.map((r) => r.baseline_edp / r.floor_edp));
      const naasToFloor = by('naas').length ? median(by('naas').map((r) => r.edp / r.floor_edp)).toFixed(2) : '-';
      const seeds = STRATEGY_NAMES.map((s) => by(s).length).join('/');
      const naas1 = by('naas').find((r) => r.seed === 1) ?? by('naas')[0];
      rows.push([
        net,
        seeds,
        median(rs.map((r) => r.baseline_edp)).toExponential(3),
        floorX.toFixed(2),
        naasToFloor,
        ...cell('naas'),
        ...cell('sizing'),
        ...cell('sweep'),
        ...cell('random'),
        naas1 ? naas1.design : '-',
      ]);
      if (by('naas').length && by('sweep').length) {
        const ne = median(by('naas').map((r) => r.edp));
        const se = median(by('sweep').map((r) => r.edp));
        const nv = median(by('naas').map((r) => r.evaluations));
        const sv = median(by('sweep').map((r) => r.evaluations));
        checks.push(
          `${net}: naas EDP / sweep EDP ${(ne / se).toFixed(3)} (${ne <= se ? 'reaches' : 'MISSES'}), evaluations naas / sweep ${(nv / sv).toFixed(3)} (${nv <= sv / 5 ? '<= 1/5' : '> 1/5'})`,
        );
      }
    }
    out.push(`resources ${rName}: EDP ratio over the baseline, median (min-max) over seeds; evaluations and seconds are medians`);
    out.push(
      table(
        [
          'network',
          `seeds ${STRATEGY_NAMES.join('/')}`,
          'baseline EDP',
          'floor x',
          'naas / floor',
          'naas x',
          'naas evals',
          'naas s',
          'sizing x',
          'sizing evals',
          'sizing s',
          'sweep x',
          'sweep evals',
          'sweep s',
          'random x',
          'random evals',
          'random s',
          'naas design (seed 1)',
        ],
        rows,
      ),
    );
    const gm = Object.fromEntries(Object.entries(per).map(([s, xs]) => [s, geomean(xs)]));
    out.push(
      `geometric mean of median ratios: ${Object.entries(gm)
        .map(([s, g]) => `${s} ${g.toFixed(3)}x (${per[s].length} networks)`)
        .join(
          ', ',
        )}${gm.naas && gm.sizing && per.naas.length === per.sizing.length ? `; naas / sizing-only ${(gm.naas / gm.sizing).toFixed(3)}x` : ''}`,
    );
    if (per.naas)
      out.push(`naas below 1.0x on ${runs.filter((r) => r.resources === rName && r.strategy === 'naas' && r.ratio < 1).length} runs`);
    out.push(...checks, '');
  }
  const loads = runs.map((r) => r.loadavg);
  out.push(`load average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  return out.join('\n');
}

const from = arg('from');
const runs = from
  ? list(from).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Run),
    )
  : await runAll();
if (process.argv.includes('--json')) console.log(JSON.stringify(runs, null, 2));
else console.log(tables(runs));
const rep = arg('report');
if (rep) writeFileSync(rep, report(runs));
