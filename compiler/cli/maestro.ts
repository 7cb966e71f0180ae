// `nacc maestro check DIR [--json]`: evaluate every MAESTRO reference case under DIR
// (cases/*/cmd.txt + inputs) with our model and compare with MAESTRO's own CSV, per layer.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { D, ExitCode, UserError } from '../diagnostics/index.ts';
import { checkMaestroCase, findMaestroCases, type MaestroCaseResult } from '../../testbench/fidelity/maestro-cases.ts';

/** The stable JSON of one case (issue 17): totals over layers plus rejection and mismatches. */
function caseJson(r: MaestroCaseResult) {
  return {
    name: r.name,
    layers: r.layers,
    runtime: r.runtime,
    energy: r.energy,
    counts_match: r.counts_match,
    rejected: r.rejected,
    match: r.match,
    ...(r.error ? { error: r.error } : {}),
    mismatches: r.mismatches,
  };
}

export function registerMaestro(program: Command): void {
  const m = program.command('maestro').description('MAESTRO interoperability');
  m.command('check <dir>')
    .description('evaluate every MAESTRO reference case under DIR (cases/*/cmd.txt) and compare with its CSV')
    .option('--json', 'print JSON')
    .option('--tolerance <fraction>', 'allowed relative energy error', '0.001')
    .action((dir: string, opts: { json?: boolean; tolerance: string }) => {
      const root = resolve(dir);
      if (!existsSync(root))
        throw new UserError([{ severity: 'error', code: D.maestroCasesFolder.code, message: `${dir}: no such folder` }]);
      const tol = Number(opts.tolerance);
      if (!(tol >= 0))
        throw new UserError(
          [
            {
              severity: 'error',
              code: D.maestroTolerance.code,
              message: `--tolerance must be a non-negative number, got '${opts.tolerance}'`,
            },
          ],
          ExitCode.usage,
        );
      const cases = findMaestroCases(root).map((d) => checkMaestroCase(d, root, tol));
      if (cases.length === 0)
        throw new UserError([
          { severity: 'error', code: D.maestroNoCases.code, message: `${root}: no reference cases (folders with cmd.txt) found` },
        ]);
      const all = cases.every((c) => c.match);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ root, tolerance: tol, all_match: all, cases: cases.map(caseJson) }, null, 2) + '\n');
      } else {
        for (const r of cases) {
          const what = r.rejected.reference
            ? `rejected by MAESTRO, ${r.rejected.ours ? 'rejected by us' : 'ACCEPTED by us'}`
            : r.rejected.ours
              ? 'REJECTED by us'
              : `${r.layers} layers  runtime ${r.runtime.ours}/${r.runtime.reference}  energy ${r.energy.ours?.toFixed(1)}/${r.energy.reference?.toFixed(1)} nJ  counts ${r.counts_match ? 'equal' : 'differ'}`;
          process.stdout.write(`${r.match ? 'ok  ' : 'FAIL'} ${r.name.padEnd(44)} ${what}\n`);
          if (r.error && !r.match) process.stdout.write(`       ${r.error}\n`);
          for (const x of r.mismatches.slice(0, 5))
            process.stdout.write(`       ${x.layer} ${x.field}: ours ${x.ours}, reference ${x.reference}\n`);
        }
        process.stdout.write(`${cases.filter((c) => c.match).length}/${cases.length} cases match\n`);
      }
      if (!all) process.exitCode = ExitCode.verificationFailed;
    });
}
