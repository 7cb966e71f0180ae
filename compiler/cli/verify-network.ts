// `nacc verify DIR --network [--sim ...] [--json]`: prints the whole-network run (testbench/rtl/network.ts)
// as a table or JSON; exit 3 when an output differs, the run failed or lint reported anything.
import { join } from 'node:path';
import { ExitCode, VerificationError, formatDiagnostics } from '../diagnostics/index.ts';
import { writeVerifyResult } from '../report/run-manifest.ts';
import { verifyNetwork } from '../../testbench/rtl/network.ts';
import type { SimName } from '../../testbench/rtl/accelerator.ts';
import { formatTable, thousands } from './table.ts';

const pct = (e: number | null | undefined) => (e == null ? '-' : `${e > 0 ? '+' : ''}${(e * 100).toFixed(2)}%`);

export async function verifyNetworkCommand(
  dir: string,
  opts: { sims: SimName[]; vcd?: boolean; timeoutMs?: number; buildTimeoutMs?: number; json?: boolean; log?: (m: string) => void },
): Promise<void> {
  const report = await verifyNetwork(dir, opts);
  // Beside the network's program, so that a per-layer `nacc verify DIR` result in DIR stays as it was.
  writeVerifyResult(join(dir, 'network'), report);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(
      formatTable(
        ['step', 'op', 'runs on', 'programs', 'passed/failed', 'cycles', 'model cycles', 'error'],
        report.layers.map((l) => [
          l.name,
          l.op,
          l.runs_on,
          l.programs === undefined ? '-' : String(l.programs),
          `${l.passed}/${l.failed}`,
          l.cycles === null ? '-' : thousands(l.cycles),
          l.model_cycles === null ? '-' : thousands(l.model_cycles),
          pct(l.error),
        ]),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      ) + '\n',
    );
    for (const s of report.sims) {
      process.stdout.write(
        `${s.name}: ${thousands(s.passed)} passed, ${s.failed} failed, ${s.cycles === null ? '-' : thousands(s.cycles)} accelerator cycles; final output ${s.final_output.map((o) => `${o.name} ${o.passed}/${o.failed}`).join(', ') || '-'}\n`,
      );
      if (s.first_mismatch) process.stdout.write(`${s.name}: first mismatch ${s.first_mismatch}\n`);
      if (s.failure) process.stdout.write(`${s.name}: ${s.failure}\n`);
      if (s.output) process.stdout.write(`${s.name}: last output:\n${s.output}\n`);
    }
    if (report.host_steps.length) process.stdout.write(`outside the design (host, not counted): ${report.host_steps.join(', ')}\n`);
    process.stdout.write(
      `model cycles: ${report.model_cycles === null ? `- (${report.model_reason})` : `${thousands(report.model_cycles)}, error ${pct(report.error)}`}\n`,
    );
    process.stdout.write(`lint (verilator -Wall): ${report.lint.warnings} warning(s)\n`);
    if (report.lint.warnings) process.stdout.write(formatDiagnostics(report.lint.diagnostics) + '\n');
    process.stdout.write(report.ok ? 'verified: every step and the final output bit-exact\n' : 'verification FAILED\n');
  }
  if (!report.ok) {
    if (opts.json) process.exitCode = ExitCode.verificationFailed;
    else
      throw new VerificationError(
        report.sims.some((s) => s.failed > 0)
          ? `${dir}: the whole network's outputs differ from the int8 reference or the run failed`
          : `the design has ${report.lint.warnings} lint warning(s)`,
      );
  }
}
