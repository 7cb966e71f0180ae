// `nacc verify DIR --sim iverilog|verilator|both [--json]`: lint a generated design, simulate
// its self-checking bench on every vector set, compare measured with predicted cycles.
// Exit 3 when an output mismatches, a bench does not finish, a simulator run fails (exit
// status, signal, timeout, $fatal/$error — whatever it printed before), or lint reports anything.
import type { Command } from 'commander';
import { dirname } from 'node:path';
import { D, ExitCode, VerificationError, fail } from '../diagnostics/index.ts';
import { formatDiagnostics } from '../diagnostics/index.ts';
import { verifyAccelerator, type SimName } from '../../testbench/rtl/accelerator.ts';
import { formatTable, thousands } from './table.ts';
import { nextStep, notApplicable, parseChoice } from './options.ts';
import { writeVerifyResult } from '../report/run-manifest.ts';
import { shellWord } from '../util/names.ts';
import { createProgress } from './progress.ts';
import { isMcuProgram, verifyMcuCommand, type VerifyCliOptions } from './mcu.ts';
import { verifyNetworkCommand } from './verify-network.ts';

const pct = (e: number | null | undefined) => (e == null ? '-' : `${e > 0 ? '+' : ''}${e.toFixed(1)}%`);

interface VerifyOpts extends VerifyCliOptions {
  buildTimeout?: string;
  sim?: string;
  layer?: string[];
  vcd?: boolean;
  json?: boolean;
  network?: boolean;
}

/** `--build-timeout S` in milliseconds (undefined: the default of testbench/sim's BUILD_TIMEOUT_MS). */
function buildTimeoutMs(opts: VerifyOpts): number | undefined {
  if (opts.buildTimeout === undefined) return undefined;
  const ms = Number(opts.buildTimeout) * 1000;
  if (!(ms > 0)) fail(D.verifyTimeout, `--build-timeout must be a positive number of seconds, got '${opts.buildTimeout}'`);
  return ms;
}

export function registerVerify(program: Command): void {
  program
    .command('verify <dir>')
    .description('lint and simulate a design written by `nacc rtl` (or `nacc pointacc --out`) against its golden vectors')
    .option('--sim <which>', 'designs: iverilog | verilator | both (default iverilog)')
    .option('--layer <names...>', 'only these layers')
    .option(
      '--network',
      'the whole network in one simulation: every layer in order on one instance, activations kept in DRAM, each output and the final output against the int8 reference',
    )
    .option('--vcd', 'dump a waveform (wave.vcd in each layer folder) for every run')
    .option(
      '--json',
      'print JSON: {"sims":[{"name","passed","failed","cycles","layers"}],"predicted_cycles","layers","lint":{"warnings","diagnostics"},"ok"}; MCU programs: {"host":{"bit_exact"},"qemu":{"bit_exact","ram_bytes","stack_bytes","instructions"}}',
    )
    .option('--host', 'MCU programs: build with gcc and run on the host')
    .option('--qemu', 'MCU programs: build with arm-none-eabi-gcc and run in qemu-system-arm -M mps2-an386')
    .option('--input <file>', 'MCU programs: raw input tensor bytes (default: the LCG input of seed 1, as TFLM reference input 0)')
    .option('--output <file>', "MCU programs: write the program's raw output bytes (from QEMU with --qemu, else from the host)")
    .option('--debug', "MCU programs: also compare every op's output (per-op dumps)")
    .option(
      '--timeout <s>',
      'time limit in seconds of one run: QEMU for MCU programs (default 600), one simulation for designs (default 300)',
    )
    .option(
      '--build-timeout <s>',
      'designs: time limit in seconds of each simulator build (iverilog, verilator; default 900); a build that exceeds it fails',
    )
    .action(async (dir: string, opts: VerifyOpts) => {
      // A folder written by `nacc mcu` (it holds nacc-mcu.json) is an MCU program; others are RTL designs.
      // Options of the other kind of folder are rejected, never ignored.
      if (isMcuProgram(dir)) {
        for (const flag of ['sim', 'layer', 'vcd'] as const)
          if (opts[flag] !== undefined)
            notApplicable(
              `--${flag}`,
              `${dir} is an MCU program (from nacc mcu), checked on the host and in QEMU (--host, --qemu); --${flag} is for Verilog designs`,
            );
        if (opts.buildTimeout !== undefined)
          notApplicable(
            '--build-timeout',
            `${dir} is an MCU program (from nacc mcu); --build-timeout limits the simulator builds of Verilog designs (QEMU runs: --timeout)`,
          );
        await verifyMcuCommand(dir, opts);
        return;
      }
      for (const flag of ['host', 'qemu', 'input', 'output', 'debug'] as const)
        if (opts[flag] !== undefined)
          notApplicable(`--${flag}`, `${dir} is a Verilog design, simulated with --sim; --${flag} is for MCU programs (from nacc mcu)`);
      const sim = parseChoice(opts.sim ?? 'iverilog', '--sim', ['iverilog', 'verilator', 'both'] as const, 'simulator');
      const sims: SimName[] = sim === 'both' ? ['iverilog', 'verilator'] : [sim];
      if (opts.network) {
        if (opts.layer !== undefined) notApplicable('--layer', '--network runs every layer of the network in one simulation');
        const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
        if (timeoutMs !== undefined && !(timeoutMs > 0))
          fail(D.verifyTimeout, `--timeout must be a positive number of seconds, got '${opts.timeout}'`);
        await verifyNetworkCommand(dir, {
          sims,
          vcd: opts.vcd,
          timeoutMs,
          buildTimeoutMs: buildTimeoutMs(opts),
          json: opts.json,
          log: opts.json ? undefined : (m: string) => process.stderr.write(`${m}\n`),
        });
        return;
      }
      const layers = opts.layer
        ?.flatMap((l) => l.split(','))
        .map((l) => l.trim())
        .filter(Boolean);
      // A bar on a TTY (its detail names the run); plain log lines otherwise, none with --json.
      const bar = createProgress({ label: 'verify', total: 0, json: opts.json });
      const log = bar.active || opts.json ? undefined : (m: string) => process.stderr.write(`${m}\n`);
      let report;
      try {
        const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
        if (timeoutMs !== undefined && !(timeoutMs > 0))
          fail(D.verifyTimeout, `--timeout must be a positive number of seconds, got '${opts.timeout}'`);
        report = await verifyAccelerator(dir, {
          sims,
          layers,
          vcd: opts.vcd,
          timeoutMs,
          buildTimeoutMs: buildTimeoutMs(opts),
          log,
          onPlan: (n) => bar.setTotal(n),
          onRunDone: (sim, layer) => bar.tick(1, `${sim} ${layer}`),
        });
      } finally {
        bar.stop();
      }
      writeVerifyResult(dir, report);
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const simNames = report.sims.map((s) => s.name);
        process.stdout.write(
          formatTable(
            [
              'layer',
              ...simNames.map((s) => `${s} passed/failed`),
              ...simNames.map((s) => `${s} cycles`),
              'predicted',
              'error',
              'cost model alone',
              'error',
            ],
            report.layers.map((l) => [
              l.name,
              ...report.sims.map((s) => {
                const r = s.layers.find((x) => x.name === l.name)!;
                return `${r.passed}/${r.failed}`;
              }),
              ...simNames.map((s) => (l.sim_cycles[s] == null ? '-' : thousands(l.sim_cycles[s]!))),
              l.predicted_cycles == null ? '-' : thousands(l.predicted_cycles),
              pct(l.error_pct),
              l.model_cycles == null ? '-' : thousands(l.model_cycles),
              pct(l.model_error_pct),
            ]),
          ) + '\n',
        );
        for (const s of report.sims) {
          for (const l of s.layers) {
            if (l.first_mismatch) process.stdout.write(`${s.name}: ${l.name}: first mismatch ${l.first_mismatch}\n`);
            if (l.failure) process.stdout.write(`${s.name}: ${l.name}: ${l.failure}\n`);
            if (l.output)
              process.stdout.write(`${s.name}: ${l.name}: ${l.failure ? 'last output' : 'the bench did not report'}:\n${l.output}\n`);
            if (l.vcd && l.failed) process.stdout.write(`${s.name}: ${l.name}: waveform ${dir}/${l.vcd}\n`);
          }
        }
        process.stdout.write(`lint (verilator -Wall): ${report.lint.warnings} warning(s)\n`);
        if (report.lint.warnings) process.stdout.write(formatDiagnostics(report.lint.diagnostics) + '\n');
        process.stdout.write(report.ok ? 'verified: every output bit-exact\n' : 'verification FAILED\n');
        if (report.ok) nextStep(`nacc report ${shellWord(dirname(dir))}`);
      }
      if (!report.ok) {
        if (opts.json) process.exitCode = ExitCode.verificationFailed;
        else {
          const failedRuns = report.sims.flatMap((s) => s.layers.filter((l) => l.failure).map((l) => `${s.name}/${l.name}: ${l.failure}`));
          const failed = report.sims.flatMap((s) => s.layers.filter((l) => l.failed > 0 && !l.failure).map((l) => `${s.name}/${l.name}`));
          const reasons = [
            ...(failed.length ? [`outputs differ from the golden model in ${failed.join(', ')}`] : []),
            ...(failedRuns.length ? [`the simulation failed in ${failedRuns.join('; ')}`] : []),
          ];
          throw new VerificationError(reasons.length ? reasons.join('; ') : `the design has ${report.lint.warnings} lint warning(s)`);
        }
      }
    });
}
