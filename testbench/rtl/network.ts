// `nacc verify DIR --network`: the whole network in one simulation. Lints the design, builds the
// network bench (tb/<prefix>_net_tb.v) once per simulator, runs it in DIR/network, and turns its
// per-step lines into per-layer cycles, checks and the cost model's error.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { D, fail, type Diagnostic } from '../../compiler/diagnostics/index.ts';
import type { NetworkManifest, StepEngine, StepUnit } from '../../compiler/rtl/network/program.ts';
import { readVerifyManifest, type SimName } from './accelerator.ts';
import { outputTail } from '../tools/run-tool.ts';
import { buildIverilog, buildVerilator, lintVerilator, runVerilatorModel, runVvp, type SimResult } from '../sim/sim.ts';

export interface NetworkStepRun {
  name: string;
  runs_on: StepEngine;
  cycles: number | null;
  passed: number;
  failed: number;
}

export interface NetworkSimReport {
  name: SimName;
  passed: number;
  failed: number;
  /** Accelerator cycles of the whole network (host steps take none); null when the run did not finish. */
  cycles: number | null;
  /** The network's outputs compared again after the last step. */
  final_output: { name: string; passed: number; failed: number }[];
  steps: NetworkStepRun[];
  first_mismatch?: string;
  failure?: string;
  output?: string;
  vcd?: string;
  /** Wall time of the simulator's build and of the run, seconds (they depend on the machine and its load). */
  build_seconds: number;
  run_seconds: number;
}

export interface NetworkVerifyReport {
  design: string;
  accelerator: string;
  network: string;
  mode: 'network';
  sims: NetworkSimReport[];
  layers: {
    name: string;
    op: string;
    runs_on: StepEngine;
    /** The design's unit that ran it: the conv engine or the post-processing unit. */
    unit?: StepUnit;
    /** Where model_cycles comes from: the NAAS cost model (conv engine) or the post-processing unit's cycle model. */
    model_source?: string;
    /** Measured accelerator cycles of the step (Verilator's when it ran, else Icarus's); null for a host step. */
    cycles: number | null;
    sim_cycles: Partial<Record<SimName, number | null>>;
    model_cycles: number | null;
    model_reason?: string;
    /** cycles / model_cycles - 1. */
    error: number | null;
    schedule_cycles?: number;
    programs?: number;
    macs?: number;
    dram_bytes?: number;
    passed: number;
    failed: number;
  }[];
  /** Sum of the accelerator steps' model cycles; null (with the reason) when some step has none. */
  model_cycles: number | null;
  model_reason?: string;
  /** Accelerator cycles measured / model_cycles - 1. */
  error: number | null;
  /** Steps that ran outside the design (their time is not in cycles). */
  host_steps: string[];
  lint: { warnings: number; diagnostics: Diagnostic[] };
  ok: boolean;
}

export function readNetworkManifest(dir: string): NetworkManifest {
  const path = join(dir, 'network', 'network.json');
  if (!existsSync(path)) {
    fail(
      D.noNetworkProgram,
      `'${dir}' has no whole-network program (network/network.json); generate it with \`nacc rtl FILE --accelerator A --network N --out ${dir}\` without --layer`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as NetworkManifest;
}

/** The bench's per-step lines: `step S: kind=K cycles=C passed=P failed=F`. */
export function parseStepLines(text: string): Map<number, { cycles: number; passed: number; failed: number }> {
  const out = new Map<number, { cycles: number; passed: number; failed: number }>();
  for (const m of text.matchAll(/^step (\d+): kind=\d+ cycles=(\d+) passed=(\d+) failed=(\d+)/gm)) {
    out.set(Number(m[1]), { cycles: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) });
  }
  return out;
}

function simReport(sim: SimName, nm: NetworkManifest, r: SimResult): NetworkSimReport {
  const lines = parseStepLines(r.output);
  const steps = nm.steps.map((s, i) => {
    const l = lines.get(i);
    return {
      name: s.name,
      runs_on: s.runs_on,
      cycles: l && s.runs_on === 'accelerator' ? l.cycles : null,
      passed: l?.passed ?? 0,
      failed: l ? l.failed : s.out_bytes,
    };
  });
  const finals = nm.outputs.map((o, j) => {
    const l = lines.get(nm.steps.length + j);
    return { name: o.name, passed: l?.passed ?? 0, failed: l ? l.failed : nm.steps[o.step].out_bytes };
  });
  const finished = r.passed !== undefined && r.failure === undefined;
  const rep: NetworkSimReport = {
    name: sim,
    passed: r.passed ?? 0,
    failed: finished ? (r.failed ?? 0) : Math.max(1, r.failed ?? 0),
    cycles: finished ? (r.cycles ?? null) : null,
    final_output: finals,
    steps,
    build_seconds: 0,
    run_seconds: 0,
  };
  if (r.firstMismatch) {
    const m = /^step (\d+) (.*)$/.exec(r.firstMismatch);
    rep.first_mismatch = m ? `${nm.steps[Number(m[1])]?.name ?? `check ${m[1]}`}: ${m[2]}` : r.firstMismatch;
  }
  if (r.failure !== undefined) rep.failure = r.failure;
  if (!finished) rep.output = outputTail(r.output, 12);
  return rep;
}

export async function verifyNetwork(
  dirArg: string,
  opts: {
    sims: SimName[];
    vcd?: boolean;
    /** Limit of the simulation run (default SIM_TIMEOUT_MS); a run that exceeds it fails. */
    timeoutMs?: number;
    /** Limit of each simulator build (default BUILD_TIMEOUT_MS); a build that exceeds it fails. */
    buildTimeoutMs?: number;
    log?: (m: string) => void;
  },
): Promise<NetworkVerifyReport> {
  const dir = resolve(dirArg);
  const m = readVerifyManifest(dirArg);
  const nm = readNetworkManifest(dirArg);
  const log = opts.log ?? (() => {});
  log(`lint: verilator --lint-only -Wall (${m.designFiles.length + (nm.designFiles?.length ?? 0)} files)`);
  // The network's design: the per-layer design (the conv engine) and the modules beside it (the post-processing unit, the system top).
  const design = [...m.designFiles, ...(nm.designFiles ?? [])];
  const diagnostics = await lintVerilator(design, { cwd: dir, top: nm.top ?? m.top });
  const files = [...design.map((f) => join(dir, f)), join(dir, nm.benchFile)];
  const cwd = join(dir, nm.dir);
  const sims: NetworkSimReport[] = [];
  for (const sim of opts.sims) {
    log(`${sim}: building ${nm.testbench}`);
    const t0 = performance.now();
    const exe =
      sim === 'iverilog'
        ? await buildIverilog({
            files,
            top: nm.testbench,
            cwd: dir,
            buildDir: 'build/iverilog-network',
            buildTimeoutMs: opts.buildTimeoutMs,
          })
        : await buildVerilator({
            files,
            top: nm.testbench,
            cwd: dir,
            buildDir: 'build/verilator-network',
            buildTimeoutMs: opts.buildTimeoutMs,
            // Tracing only for a waveform (--vcd): the trace code is ~70% of the C++ Verilator writes for
            // 168-256 PEs (ds_cnn on eyeriss 15.6 of 22.2 MB, on nvdla_256 87 of 119 MB), and most of the build.
            trace: opts.vcd === true,
          });
    const run = (plusargs: string[]) =>
      sim === 'iverilog'
        ? runVvp(exe, { cwd, plusargs, timeoutMs: opts.timeoutMs })
        : runVerilatorModel(exe, { cwd, plusargs, timeoutMs: opts.timeoutMs });
    const t1 = performance.now();
    const r = await run(opts.vcd ? ['+vcd'] : []);
    const rep = simReport(sim, nm, r);
    rep.build_seconds = Math.round(t1 - t0) / 1000;
    rep.run_seconds = Math.round(performance.now() - t1) / 1000;
    if (opts.vcd) rep.vcd = join(nm.dir, 'wave.vcd');
    log(`${sim}: ${nm.network}: ${rep.passed} passed, ${rep.failed} failed, ${rep.cycles ?? '?'} accelerator cycles`);
    sims.push(rep);
  }
  const layers = nm.steps.map((s, i) => {
    const simCycles: Partial<Record<SimName, number | null>> = {};
    for (const r of sims) simCycles[r.name] = r.steps[i].cycles;
    const cycles = s.runs_on === 'accelerator' ? (simCycles.verilator ?? simCycles.iverilog ?? null) : null;
    const model = s.model_cycles;
    return {
      name: s.name,
      op: s.op,
      runs_on: s.runs_on,
      ...(s.unit ? { unit: s.unit } : {}),
      cycles,
      sim_cycles: simCycles,
      model_cycles: model,
      ...(s.model_source ? { model_source: s.model_source } : {}),
      ...(s.model_reason ? { model_reason: s.model_reason } : {}),
      error: model !== null && model > 0 && cycles !== null ? Math.round((cycles / model - 1) * 10000) / 10000 : null,
      ...(s.schedule_cycles !== undefined
        ? { schedule_cycles: s.schedule_cycles, programs: s.programs, macs: s.macs, dram_bytes: s.dram_bytes }
        : {}),
      passed: Math.min(...sims.map((r) => r.steps[i].passed)),
      failed: Math.max(0, ...sims.map((r) => r.steps[i].failed)),
    };
  });
  const acc = nm.steps.filter((s) => s.runs_on === 'accelerator');
  const unmodelled = acc.filter((s) => s.model_cycles === null);
  const modelCycles = unmodelled.length ? null : acc.reduce((t, s) => t + s.model_cycles!, 0);
  const measured = sims.find((s) => s.name === 'verilator')?.cycles ?? sims.find((s) => s.name === 'iverilog')?.cycles ?? null;
  const warnings = diagnostics.length;
  return {
    design: dirArg,
    accelerator: nm.accelerator,
    network: nm.network,
    mode: 'network',
    sims,
    layers,
    model_cycles: modelCycles,
    ...(unmodelled.length
      ? {
          model_reason: `the cost model cannot express ${unmodelled.map((s) => `'${s.name}' (${s.model_reason ?? 'no prediction'})`).join(', ')}`,
        }
      : {}),
    error: modelCycles !== null && modelCycles > 0 && measured !== null ? Math.round((measured / modelCycles - 1) * 10000) / 10000 : null,
    host_steps: nm.steps.filter((s) => s.runs_on === 'host').map((s) => s.name),
    lint: { warnings, diagnostics },
    ok: warnings === 0 && sims.length > 0 && sims.every((s) => s.failed === 0 && s.passed > 0 && s.failure === undefined),
  };
}
