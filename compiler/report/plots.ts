// Vega-Lite specs for each report section: pure functions from section data to specs with
// inline data, rendered to SVG by render.ts. Derived series (best-so-far, Pareto front) live here.
import type { TopLevelSpec } from 'vega-lite';
import type {
  FlTrainingSection,
  McuMemorySection,
  McuProgramSection,
  RtlCyclesSection,
  NaasSearchSection,
  PointaccCyclesSection,
  ReportSection,
  RtlVerifySection,
  SearchPoint,
} from './sections.ts';
import { paretoFront2 } from '../util/pareto.ts';

export interface Plot {
  /** Unique within a section; becomes part of the element id. */
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const WIDTH = 900;
const HEIGHT = 320;
/** Draw at most this many candidate dots; the Pareto front is always computed on all of them. */
export const MAX_SCATTER_POINTS = 4000;

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  // Below the plot: never over the data, never over the title.
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' as const, direction: 'horizontal' as const },
  title: { fontSize: 13, anchor: 'start' as const },
  view: { stroke: '#ccc' },
};

const base = (title: string, width = WIDTH, height = HEIGHT) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title,
  width,
  height,
  background: 'white',
  padding: 8,
  config: CONFIG,
});

/**
 * A log axis with labelled ticks whatever the range: every decade over the data, and 2x and 5x
 * between them when it spans fewer than three decades (Vega alone labels one or two ticks there).
 */
export function logAxis(values: number[]): {
  scale: { type: 'log'; domain: [number, number] };
  axis: { values: number[]; format: string };
} {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = pos.length ? Math.min(...pos) : 1;
  const hi = pos.length ? Math.max(...pos) : 10;
  const d0 = Math.floor(Math.log10(lo));
  const d1 = Math.max(d0 + 1, Math.ceil(Math.log10(hi)));
  const steps = d1 - d0 < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let d = d0; d <= d1; d++) for (const m of steps) ticks.push(Number((m * 10 ** d).toPrecision(3)));
  // The domain hugs the data (a little margin) so the interesting part fills the plot; ticks outside it are dropped.
  const domain: [number, number] = [lo / 1.15, hi * 1.15];
  const inside = ticks.filter((t) => t >= domain[0] && t <= domain[1]);
  return {
    scale: { type: 'log', domain },
    axis: { values: inside.length >= 2 ? inside : [Number(lo.toPrecision(2)), Number(hi.toPrecision(2))], format: '.2~s' },
  };
}

export const edpOf = (p: { latency_cycles: number; energy_pj: number; edp?: number }) => p.edp ?? p.latency_cycles * p.energy_pj;

/** The value a search minimises, by the section's objective (EDP unless it says otherwise). */
export function objectiveOf(section: NaasSearchSection): { label: string; value: (p: SearchPoint) => number } {
  switch ((section.objective ?? 'edp').toLowerCase()) {
    case 'latency':
      return { label: 'latency (cycles)', value: (p) => p.latency_cycles };
    case 'energy':
      return { label: 'energy (pJ)', value: (p) => p.energy_pj };
    default:
      return { label: 'EDP (pJ x cycles)', value: edpOf };
  }
}

/** Best objective value seen up to and including each iteration (from history when there are no points). */
export function bestSoFar(section: NaasSearchSection): { iteration: number; best: number }[] {
  if (section.points.length === 0 && section.history?.length) {
    let best = Infinity;
    return [...section.history]
      .sort((a, b) => a.iteration - b.iteration)
      .map((h) => ({ iteration: h.iteration, best: (best = Math.min(best, h.best)) }));
  }
  const { value } = objectiveOf(section);
  const byIter = new Map<number, number>();
  for (const p of section.points) byIter.set(p.iteration, Math.min(byIter.get(p.iteration) ?? Infinity, value(p)));
  let best = Infinity;
  return [...byIter.keys()]
    .sort((a, b) => a - b)
    .map((iteration) => {
      best = Math.min(best, byIter.get(iteration)!);
      return { iteration, best };
    });
}

/** Points no other point beats on both latency and energy, sorted by latency. */
export function paretoFront<T extends { latency_cycles: number; energy_pj: number }>(points: T[]): T[] {
  return paretoFront2(
    points,
    (p) => p.latency_cycles,
    (p) => p.energy_pj,
  );
}

/** Every k-th point so that at most max remain (deterministic; keeps first and last). */
export function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.floor(i * step)]);
  out[out.length - 1] = xs[xs.length - 1];
  return out;
}

function naasPlots(s: NaasSearchSection): Plot[] {
  const obj = objectiveOf(s);
  const candidates = thin(s.points, MAX_SCATTER_POINTS).map((p) => ({ iteration: p.iteration, value: obj.value(p), label: p.label ?? '' }));
  const progressAxis = logAxis([
    ...candidates.map((c) => c.value),
    ...bestSoFar(s).map((b) => b.best),
    ...(s.history ?? []).flatMap((h) => [h.best, h.median ?? h.best]),
  ]);
  const progress: TopLevelSpec = {
    ...base(
      s.history?.some((h) => h.median !== undefined)
        ? 'Search progress (solid: best so far; dashed: median of each iteration)'
        : 'Search progress (dots: candidates; line: best so far)',
    ),
    layer: [
      {
        data: { values: candidates },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.35, color: '#8c8c8c' },
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'iteration', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'value', type: 'quantitative', title: obj.label, ...progressAxis },
          tooltip: [{ field: 'iteration' }, { field: 'value', format: '.4~g' }, { field: 'label' }],
        },
      },
      ...(s.history?.some((h) => h.median !== undefined)
        ? [
            {
              data: { values: s.history.filter((h) => h.median !== undefined && h.median > 0) },
              mark: { type: 'line' as const, point: { size: 20, color: '#8c8c8c' }, color: '#8c8c8c', strokeDash: [4, 3] },
              encoding: {
                x: { field: 'iteration', type: 'quantitative' as const },
                y: { field: 'median', type: 'quantitative' as const, scale: progressAxis.scale },
              },
            },
          ]
        : []),
      {
        data: { values: bestSoFar(s) },
        mark: { type: 'line', interpolate: 'step-after', color: '#e4572e', strokeWidth: 2.5, point: { size: 24, color: '#e4572e' } },
        encoding: {
          x: { field: 'iteration', type: 'quantitative' },
          y: { field: 'best', type: 'quantitative', scale: progressAxis.scale },
        },
      },
    ],
  };

  const all = s.points.map((p) => ({ ...p, edp: edpOf(p) }));
  const front = paretoFront(all).map((p) => ({
    latency_cycles: p.latency_cycles,
    energy_pj: p.energy_pj,
    edp: p.edp,
    label: p.label ?? '',
  }));
  const marked = [...all, ...(s.baselines ?? []), ...(s.best ? [s.best] : [])];
  const x = {
    field: 'latency_cycles',
    type: 'quantitative' as const,
    title: 'latency (cycles)',
    ...logAxis(marked.map((p) => p.latency_cycles)),
  };
  const y = { field: 'energy_pj', type: 'quantitative' as const, title: 'energy (pJ)', ...logAxis(marked.map((p) => p.energy_pj)) };
  const pareto: TopLevelSpec = {
    ...base('Latency vs energy: candidates, Pareto front and baselines'),
    layer: [
      {
        data: {
          values: thin(all, MAX_SCATTER_POINTS).map((p) => ({
            latency_cycles: p.latency_cycles,
            energy_pj: p.energy_pj,
            label: p.label ?? '',
          })),
        },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.3, color: '#8c8c8c' },
        encoding: { x, y, tooltip: [{ field: 'label' }, { field: 'latency_cycles' }, { field: 'energy_pj' }] },
      },
      {
        data: { values: front },
        mark: {
          type: 'line',
          point: { filled: true, size: 40, color: '#1f77b4' },
          color: '#1f77b4',
          strokeWidth: 2,
          interpolate: 'step-after',
        },
        encoding: {
          x,
          y,
          tooltip: [{ field: 'label' }, { field: 'latency_cycles' }, { field: 'energy_pj' }, { field: 'edp', format: '.4~g' }],
        },
      },
      ...(s.baselines?.length
        ? [
            {
              data: { values: s.baselines.map((b) => ({ ...b, edp: edpOf(b) })) },
              layer: [
                { mark: { type: 'point' as const, shape: 'triangle-up', filled: true, size: 90, color: '#d62728' }, encoding: { x, y } },
                {
                  mark: { type: 'text' as const, dx: 7, dy: -7, align: 'left' as const, fontSize: 11, color: '#d62728' },
                  encoding: { x, y, text: { field: 'name', type: 'nominal' as const } },
                },
              ],
            },
          ]
        : []),
      ...(s.best
        ? [
            {
              data: { values: [{ ...s.best, name: 'best' }] },
              layer: [
                { mark: { type: 'point' as const, shape: 'diamond', filled: true, size: 140, color: '#2ca02c' }, encoding: { x, y } },
                {
                  mark: { type: 'text' as const, dx: 8, dy: 10, align: 'left' as const, fontSize: 11, color: '#2ca02c' },
                  encoding: { x, y, text: { field: 'name', type: 'nominal' as const } },
                },
              ],
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return [
    { id: 'progress', title: 'Search progress', spec: progress },
    // Without candidates there is no front to draw; best and baselines are in the table.
    ...(s.points.length ? [{ id: 'pareto', title: 'Pareto front', spec: pareto }] : []),
  ];
}

const wideEnough = (n: number, per: number) => Math.max(WIDTH, Math.min(1600, n * per));

function mcuPlots(s: McuMemorySection): Plot[] {
  const names = s.layers.map((l) => l.name);
  const values = s.layers.flatMap((l) => [
    { layer: l.name, schedule: 'layer-by-layer', kb: l.layer_by_layer_bytes / 1024 },
    { layer: l.name, schedule: 'patch-based', kb: l.patch_based_bytes / 1024 },
  ]);
  const x = {
    field: 'layer',
    type: 'ordinal' as const,
    sort: names,
    title: 'layer (full names on hover and in the table)',
    axis: { labelAngle: -45, labelLimit: 160 },
  };
  // The y-range fits the data, so the difference between the schedules fills the plot; the SRAM
  // limit is a marked line when it falls within reach, else named in the title.
  const top = Math.max(...values.map((v) => v.kb)) * 1.1;
  const sramKb = s.sram_bytes !== undefined ? s.sram_bytes / 1024 : undefined;
  const limitShown = sramKb !== undefined && sramKb <= top * 1.5;
  const yMax = limitShown ? Math.max(top, sramKb! * 1.05) : top;
  const spec = {
    ...base(
      `Activation memory per layer: ${s.network}${s.mcu ? ` on ${s.mcu}` : ''}${sramKb !== undefined && !limitShown ? ` (SRAM ${sramKb.toFixed(0)} KB, above the plot)` : ''}`,
      wideEnough(names.length, 16),
    ),
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'kb',
            type: 'quantitative',
            title: 'live activation memory (KB)',
            scale: { domain: [0, yMax], nice: false },
            axis: { tickCount: 6 },
          },
          color: {
            field: 'schedule',
            type: 'nominal',
            title: 'schedule',
            scale: { domain: ['layer-by-layer', 'patch-based'], range: ['#e4572e', '#1f77b4'] },
          },
          // Dashed patch-based line: where both schedules agree, both colours stay visible.
          strokeDash: {
            field: 'schedule',
            type: 'nominal',
            title: 'schedule',
            scale: {
              domain: ['layer-by-layer', 'patch-based'],
              range: [
                [1, 0],
                [6, 4],
              ],
            },
          },
          tooltip: [{ field: 'layer' }, { field: 'schedule' }, { field: 'kb', format: '.1f', title: 'KB' }],
        },
      },
      ...(s.sram_bytes && limitShown
        ? [
            {
              data: { values: [{ kb: s.sram_bytes / 1024, label: `SRAM ${(s.sram_bytes / 1024).toFixed(0)} KB` }] },
              layer: [
                { mark: { type: 'rule', strokeDash: [6, 4], color: '#555' }, encoding: { y: { field: 'kb', type: 'quantitative' } } },
                {
                  mark: { type: 'text', align: 'right', dy: -6, x: 'width', color: '#555', fontSize: 11 },
                  encoding: { y: { field: 'kb', type: 'quantitative' }, text: { field: 'label' } },
                },
              ],
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return [{ id: 'memory', title: 'Per-layer memory', spec }];
}

function pointaccPlots(s: PointaccCyclesSection): Plot[] {
  const names = s.layers.map((l) => l.name);
  const values = s.layers.flatMap((l) => [
    { layer: l.name, fusion: 'without fusion', cycles: l.cycles_unfused },
    { layer: l.name, fusion: 'with fusion', cycles: l.cycles_fused },
  ]);
  const spec = {
    ...base(`Cycles per layer: ${s.network}${s.config ? ` on ${s.config}` : ''}`, wideEnough(names.length, 28)),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'layer', type: 'ordinal', sort: names, title: 'layer', axis: { labelAngle: -45, labelLimit: 200 } },
      xOffset: { field: 'fusion', type: 'nominal', sort: ['without fusion', 'with fusion'] },
      y: { field: 'cycles', type: 'quantitative', title: 'cycles' },
      color: {
        field: 'fusion',
        type: 'nominal',
        title: null,
        scale: { domain: ['without fusion', 'with fusion'], range: ['#e4572e', '#1f77b4'] },
      },
      tooltip: [{ field: 'layer' }, { field: 'fusion' }, { field: 'cycles', format: ',' }],
    },
  } as TopLevelSpec;
  return [{ id: 'cycles', title: 'Per-layer cycles', spec }];
}

/** Which clock the runs' times are on: a simulation's virtual clock, or the wall clock of real runs. */
const clockName = (s: FlTrainingSection): string =>
  s.clock === 'wall' ? 'wall-clock time' : s.clock === 'mixed' ? 'time (simulated and wall-clock runs)' : 'simulated time';

function flPlots(s: FlTrainingSection): Plot[] {
  const values = s.runs.flatMap((r) => r.points.map((p) => ({ run: r.name, time_s: p.time_s, accuracy: p.accuracy })));
  const spec = {
    ...base(`Test accuracy vs ${clockName(s)}${s.network ? `: ${s.network}` : ''}`),
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 18 } },
        encoding: {
          x: { field: 'time_s', type: 'quantitative', title: `${clockName(s)} (s)`, axis: { tickCount: 8 } },
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: { field: 'run', type: 'nominal', title: 'run', sort: s.runs.map((r) => r.name) },
          tooltip: [{ field: 'run' }, { field: 'time_s', format: '.1f' }, { field: 'accuracy', format: '.3f' }],
        },
      },
      ...(s.target_accuracy !== undefined
        ? [
            {
              data: { values: [{ accuracy: s.target_accuracy, label: `target ${(s.target_accuracy * 100).toFixed(0)}%` }] },
              layer: [
                { mark: { type: 'rule', strokeDash: [6, 4], color: '#555' }, encoding: { y: { field: 'accuracy', type: 'quantitative' } } },
                {
                  mark: { type: 'text', align: 'left', dy: -6, x: 4, color: '#555', fontSize: 11 },
                  encoding: { y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'label' } },
                },
              ],
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return [{ id: 'accuracy', title: 'Accuracy vs time', spec }];
}

function verifyPlots(s: RtlVerifySection): Plot[] {
  const names = s.results.map((r) => r.name);
  const values = s.results.flatMap((r) => [
    { bench: r.name, outcome: 'passed', checks: r.passed },
    { bench: r.name, outcome: 'failed', checks: r.failed },
  ]);
  const spec = {
    ...base('Testbench checks', WIDTH, Math.max(60, names.length * 22)),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'bench', type: 'ordinal', sort: names, title: null, axis: { labelLimit: 220 } },
      x: { field: 'checks', type: 'quantitative', title: 'checks', stack: 'zero' },
      color: { field: 'outcome', type: 'nominal', title: null, scale: { domain: ['passed', 'failed'], range: ['#2ca02c', '#d62728'] } },
      tooltip: [{ field: 'bench' }, { field: 'outcome' }, { field: 'checks' }],
    },
  } as TopLevelSpec;
  return [{ id: 'checks', title: 'Checks per testbench', spec }];
}

/** Predicted against measured cycles per layer (grouped bars; log axis when layers differ by decades). */
function rtlCyclesPlots(s: RtlCyclesSection): Plot[] {
  const names = s.layers.map((l) => l.name);
  const measured = `measured${s.tool ? ` (${s.tool})` : ''}`;
  const values = s.layers.flatMap((l) => [
    ...(l.predicted_cycles !== undefined ? [{ layer: l.name, series: 'predicted', cycles: l.predicted_cycles }] : []),
    ...(l.measured_cycles !== undefined ? [{ layer: l.name, series: measured, cycles: l.measured_cycles }] : []),
  ]);
  const positive = values.map((v) => v.cycles).filter((c) => c > 0);
  const log = positive.length === values.length && Math.max(...positive) / Math.min(...positive) >= 100;
  const spec = {
    ...base(`Cycles per layer: ${s.design}`, wideEnough(names.length, 36)),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'layer', type: 'ordinal', sort: names, title: 'layer', axis: { labelAngle: -45, labelLimit: 160 } },
      xOffset: { field: 'series', type: 'nominal', sort: ['predicted', measured] },
      y: {
        field: 'cycles',
        type: 'quantitative',
        title: 'cycles',
        ...(log ? { scale: { type: 'log' } } : {}),
        axis: { format: '.2~s', tickCount: 6 },
      },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['predicted', measured], range: ['#8c8c8c', '#1f77b4'] } },
      tooltip: [{ field: 'layer' }, { field: 'series' }, { field: 'cycles', format: ',' }],
    },
  } as TopLevelSpec;
  return [{ id: 'cycles', title: 'Predicted and measured cycles', spec }];
}

/** Peak SRAM and flash against the target's capacity (bars with the capacity marked). */
function mcuProgramPlots(s: McuProgramSection): Plot[] {
  const rows = [
    { memory: 'SRAM (peak)', kb: s.peak_sram_bytes / 1024, capacity: s.sram_bytes / 1024 },
    { memory: `flash (${s.flash_source})`, kb: s.flash_used_bytes / 1024, capacity: s.flash_bytes / 1024 },
  ];
  const y = { field: 'memory', type: 'nominal' as const, title: null, sort: rows.map((r) => r.memory), axis: { labelLimit: 200 } };
  const spec = {
    ...base(`Memory of ${s.network} on ${s.mcu} (bars: used; black ticks: capacity)`, WIDTH, 110),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', color: '#1f77b4', height: 18 },
        encoding: {
          y,
          x: { field: 'kb', type: 'quantitative', title: 'KB', axis: { tickCount: 6 } },
          tooltip: [
            { field: 'memory' },
            { field: 'kb', format: '.1f', title: 'used KB' },
            { field: 'capacity', format: '.0f', title: 'capacity KB' },
          ],
        },
      },
      { mark: { type: 'tick', color: '#222', thickness: 3, size: 26 }, encoding: { y, x: { field: 'capacity', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
  return [{ id: 'capacity', title: 'Memory against the target', spec }];
}

/** The plots of one section, in display order. */
export function plotsFor(section: ReportSection): Plot[] {
  switch (section.kind) {
    case 'naas-search':
      return naasPlots(section);
    case 'mcu-memory':
      return mcuPlots(section);
    case 'pointacc-cycles':
      return pointaccPlots(section);
    case 'fl-training':
      return flPlots(section);
    case 'rtl-verify':
      return verifyPlots(section);
    case 'rtl-cycles':
      return rtlCyclesPlots(section);
    case 'mcu-program':
      return mcuProgramPlots(section);
  }
}
