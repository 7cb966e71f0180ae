// `nacc verify` for a folder written by a hardware generator: lint the design with
// `verilator -Wall`, build the bench once per simulator, run it in every vector folder, and
// re-run a failing folder with +vcd so that a waveform of the failure is always on disk.
//
// The folder's manifest.json must give {top, testbench, designFiles, benchFile} and optionally
// layers: [{name, dir, predicted_cycles}] (vector folders, relative to the design folder; the
// bench runs with that folder as cwd). Without layers the bench runs once in the folder itself.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { D, fail, type Diagnostic } from '../../compiler/diagnostics/index.ts';
import { buildIverilog, buildVerilator, lintVerilator, runVerilatorModel, runVvp, type SimResult } from '../sim/sim.ts';
import { outputTail } from '../tools/run-tool.ts';

export type SimName = 'iverilog' | 'verilator';

export interface VerifyManifest {
  kind?: string;
  /** Design top module for lint ('' = let Verilator find it). */
  top: string;
  testbench: string;
  designFiles: string[];
  benchFile: string;
  accelerator?: string;
  network?: string;
  layers?: {
    name: string;
    dir: string;
    predicted_cycles?: number | null;
    prediction_source?: string;
    model_cycles?: number | null;
    model_reason?: string;
    schedule_cycles?: number;
  }[];
}

export interface LayerRun {
  name: string;
  passed: number;
  failed: number;
  cycles: number | null;
  first_mismatch?: string;
  /** Waveform of a failing run (relative to the design folder). */
  vcd?: string;
  /** Why the simulator run failed whatever the bench printed: exit status, signal, timeout, $fatal/$error. */
  failure?: string;
  /** Last lines of the bench output when it did not report or the run failed. */
  output?: string;
}

export interface SimReport {
  name: SimName;
  passed: number;
  failed: number;
  /** Sum over layers of the measured cycles (null if a layer never finished). */
  cycles: number | null;
  layers: LayerRun[];
}

export interface AcceleratorVerifyReport {
  design: string;
  accelerator?: string;
  network?: string;
  top: string;
  sims: SimReport[];
  /** Sum over layers of the predicted cycles (null when the manifest has none). */
  predicted_cycles: number | null;
  layers: {
    name: string;
    /** Measured cycles of the layer (all of its programs): Verilator's when it ran, else Icarus's (they agree cycle for cycle). */
    cycles: number | null;
    /** Per simulator. */
    sim_cycles: Partial<Record<SimName, number | null>>;
    /**
     * The NAAS cost model's cycles for exactly the programs that ran (compiler/naas/model.ts on the
     * layer's problem, the generated architecture and each program's mapping), or null with the reason.
     */
    model_cycles: number | null;
    model_reason?: string;
    /** cycles / model_cycles - 1 (a fraction: 0.05 = the hardware took 5% more cycles than the model predicts). */
    error: number | null;
    /** The RTL's own schedule formula (compiler/rtl/accelerator/schedule.ts): a check of the RTL, not a prediction. */
    schedule_cycles?: number;
    /** The cost model plus the RTL overheads it has no term for (null when the model cannot express the mapping). */
    predicted_cycles: number | null;
    prediction_source?: string;
    /** (predicted - measured) / measured, in percent. */
    error_pct: number | null;
    /** (model_cycles - measured) / measured, in percent. */
    model_error_pct?: number | null;
  }[];
  lint: { warnings: number; diagnostics: Diagnostic[] };
  ok: boolean;
}

/**
 * Read a design folder's manifest. Two shapes are accepted: the accelerator generator's
 * {top (design), testbench (bench module), designFiles, benchFile, layers} and the PointAcc
 * generator's {generator, top (bench module), design_files, testbench (bench file), predicted_cycles}.
 */
export function readVerifyManifest(dir: string): VerifyManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) fail(D.noManifest, `'${dir}' has no manifest.json; generate a design first with \`nacc rtl ... --out ${dir}\``);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(D.manifestJson, `${path}: not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(raw.design_files) && typeof raw.testbench === 'string' && typeof raw.top === 'string') {
    return {
      kind: String(raw.generator ?? 'design'),
      top: '',
      testbench: raw.top,
      designFiles: raw.design_files as string[],
      benchFile: raw.testbench,
      // A PointAcc whole-layer design names its layer and carries the performance model's cycles for it.
      layers: [
        {
          name: typeof raw.layer === 'string' ? raw.layer : raw.top,
          dir: '.',
          predicted_cycles: typeof raw.predicted_cycles === 'number' ? raw.predicted_cycles : undefined,
          model_cycles: typeof raw.model_cycles === 'number' ? raw.model_cycles : undefined,
        },
      ],
    };
  }
  const m = raw as unknown as VerifyManifest;
  for (const k of ['top', 'testbench', 'benchFile'] as const)
    if (typeof m[k] !== 'string') fail(D.manifestField, `${path}: missing "${k}"`);
  if (!Array.isArray(m.designFiles)) fail(D.manifestField, `${path}: missing "designFiles"`);
  return m;
}

/** A layer's result. A run that failed (see SimResult.failure) counts as failed even after a passing summary. */
function layerRun(name: string, r: SimResult): LayerRun {
  const run: LayerRun = { name, passed: r.passed ?? 0, failed: r.failed ?? 0, cycles: r.cycles ?? null };
  if (r.firstMismatch) run.first_mismatch = r.firstMismatch;
  if (r.failure !== undefined) run.failure = r.failure;
  if (r.passed === undefined || r.failure !== undefined) {
    run.failed = Math.max(1, run.failed);
    run.output = outputTail(r.output, 12);
  }
  return run;
}

export async function verifyAccelerator(
  dirArg: string,
  opts: {
    sims: SimName[];
    layers?: string[];
    vcd?: boolean;
    /** Limit of one simulation run (default SIM_TIMEOUT_MS); a run that exceeds it fails. */
    timeoutMs?: number;
    /** Limit of each simulator build (default BUILD_TIMEOUT_MS); a build that exceeds it fails. */
    buildTimeoutMs?: number;
    log?: (m: string) => void;
    /** Progress: the number of simulations planned, then one call per finished layer run. */
    onPlan?: (runs: number) => void;
    onRunDone?: (sim: SimName, layer: string) => void;
  },
): Promise<AcceleratorVerifyReport> {
  const dir = resolve(dirArg);
  const m = readVerifyManifest(dirArg);
  const log = opts.log ?? (() => {});
  let runs = m.layers ?? [{ name: m.testbench, dir: '.' }];
  if (opts.layers?.length) {
    for (const l of opts.layers)
      if (!runs.some((r) => r.name === l))
        fail(D.verifyUnknownLayer, `design '${dirArg}' has no layer '${l}' (it has: ${runs.map((r) => r.name).join(', ')})`);
    runs = runs.filter((r) => opts.layers!.includes(r.name));
  }
  const design = m.designFiles.map((f) => join(dir, f));
  const files = [...design, join(dir, m.benchFile)];
  opts.onPlan?.(opts.sims.length * runs.length);
  log(`lint: verilator --lint-only -Wall (${m.designFiles.length} files)`);
  const diagnostics = await lintVerilator(m.designFiles, { cwd: dir, top: m.top || undefined });
  const sims: SimReport[] = [];
  for (const sim of opts.sims) {
    log(`${sim}: building ${m.testbench}`);
    // Verilator traces only for a waveform: the trace code is most of the C++ it writes for large arrays
    // (nvdla_256: 85 of 119 MB), so the bench is built without it and rebuilt with it only when a waveform
    // is asked for (--vcd) or a layer fails. Icarus always can dump one.
    const build = (trace: boolean) =>
      sim === 'iverilog'
        ? buildIverilog({ files, top: m.testbench, cwd: dir, buildDir: 'build/iverilog', buildTimeoutMs: opts.buildTimeoutMs })
        : buildVerilator({
            files,
            top: m.testbench,
            cwd: dir,
            buildDir: trace ? 'build/verilator-trace' : 'build/verilator',
            buildTimeoutMs: opts.buildTimeoutMs,
            trace,
          });
    const exe = await build(opts.vcd === true);
    let traced = sim === 'iverilog' || opts.vcd === true ? exe : undefined;
    const timeoutMs = opts.timeoutMs;
    const run = async (cwd: string, plusargs: string[]) => {
      const bin = plusargs.includes('+vcd') ? (traced ??= await build(true)) : exe;
      return sim === 'iverilog' ? runVvp(bin, { cwd, plusargs, timeoutMs }) : runVerilatorModel(bin, { cwd, plusargs, timeoutMs });
    };
    const layers: LayerRun[] = [];
    for (const l of runs) {
      const cwd = join(dir, l.dir);
      let r = await run(cwd, opts.vcd ? ['+vcd'] : []);
      let lr = layerRun(l.name, r);
      if (lr.failed > 0 && !opts.vcd && !r.timedOut) {
        // Re-run the failing vectors with a waveform so that the failure can be inspected
        // (not after a timeout: it would take as long again and the waveform would be huge).
        r = await run(cwd, ['+vcd']);
        lr = { ...layerRun(l.name, r), vcd: join(l.dir, 'wave.vcd') };
      } else if (opts.vcd) lr.vcd = join(l.dir, 'wave.vcd');
      log(`${sim}: ${l.name}: ${lr.passed} passed, ${lr.failed} failed, ${lr.cycles ?? '?'} cycles`);
      opts.onRunDone?.(sim, l.name);
      layers.push(lr);
    }
    const cycles = layers.every((l) => l.cycles !== null) ? layers.reduce((s, l) => s + (l.cycles ?? 0), 0) : null;
    sims.push({
      name: sim,
      passed: layers.reduce((s, l) => s + l.passed, 0),
      failed: layers.reduce((s, l) => s + l.failed, 0),
      cycles,
      layers,
    });
  }
  const predictedOf = (name: string) => runs.find((r) => r.name === name)?.predicted_cycles ?? null;
  const layerRows = runs.map((l) => {
    const cycles: Partial<Record<SimName, number | null>> = {};
    for (const s of sims) cycles[s.name] = s.layers.find((x) => x.name === l.name)?.cycles ?? null;
    const pred = predictedOf(l.name);
    const measured = cycles.verilator ?? cycles.iverilog ?? null;
    const err = (p: number | null | undefined) =>
      p != null && measured !== null && measured > 0 ? Math.round(((p - measured) / measured) * 10000) / 100 : null;
    const model = l.model_cycles ?? null;
    const row: AcceleratorVerifyReport['layers'][number] = {
      name: l.name,
      cycles: measured,
      sim_cycles: cycles,
      model_cycles: model,
      error: model !== null && model > 0 && measured !== null ? Math.round((measured / model - 1) * 10000) / 10000 : null,
      ...(l.model_reason ? { model_reason: l.model_reason } : {}),
      ...(l.schedule_cycles !== undefined ? { schedule_cycles: l.schedule_cycles } : {}),
      predicted_cycles: pred,
      error_pct: err(pred),
      model_error_pct: err(model),
    };
    if (l.prediction_source) row.prediction_source = l.prediction_source;
    return row;
  });
  const preds = runs.map((r) => r.predicted_cycles);
  const predicted = preds.every((p) => typeof p === 'number') ? (preds as number[]).reduce((a, b) => a + b, 0) : null;
  const warnings = diagnostics.length;
  return {
    design: dirArg,
    accelerator: m.accelerator,
    network: m.network,
    top: m.top,
    sims,
    predicted_cycles: predicted,
    layers: layerRows,
    lint: { warnings, diagnostics },
    ok: warnings === 0 && sims.every((s) => s.failed === 0 && s.passed > 0),
  };
}
