// `nacc timeloop check DIR [--json]`: evaluate every Timeloop reference case under DIR with
// our model and compare cycles, energy and every read/fill/update count with its stats.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { D, ExitCode, UserError } from '../diagnostics/index.ts';
import { checkCase, findCasesWithErrors, type CaseResult } from '../../testbench/fidelity/timeloop-cases.ts';

export function registerTimeloop(program: Command): void {
  const tl = program.command('timeloop').description('Timeloop interoperability');
  tl.command('check <dir>')
    .description('evaluate every Timeloop reference case under DIR and compare with its stats')
    .option('--json', 'print JSON')
    .option('--tolerance <fraction>', 'allowed relative energy error (default 0.01%)', '0.0001')
    .action((dir: string, opts: { json?: boolean; tolerance: string }) => {
      const root = resolve(dir);
      const tol = Number(opts.tolerance);
      const found = findCasesWithErrors(root);
      const cases: CaseResult[] = found.cases.map((c) => checkCase(c).result);
      for (const e of found.errors) {
        cases.push({
          name: e.name,
          format: 'v0.4',
          mapping: '',
          cycles: { ours: NaN, reference: NaN },
          energy_pj: { ours: NaN, reference: NaN, relative_error: NaN },
          counts_match: false,
          mismatches: [],
          valid: false,
          reason: `could not load: ${e.message}`,
        });
      }
      cases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const ok = (r: (typeof cases)[number]): boolean =>
        r.valid && r.counts_match && r.cycles.ours === r.cycles.reference && r.energy_pj.relative_error <= tol;
      const all = cases.every(ok);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ root, tolerance: tol, all_match: all, cases }, null, 2) + '\n');
      } else {
        for (const r of cases) {
          process.stdout.write(
            `${ok(r) ? 'ok  ' : 'FAIL'} ${r.name.padEnd(56)} cycles ${r.cycles.ours}/${r.cycles.reference}  energy ${r.energy_pj.ours.toFixed(2)}/${r.energy_pj.reference.toFixed(2)} pJ (${(r.energy_pj.relative_error * 100).toFixed(3)}%)  counts ${r.counts_match ? 'equal' : `${r.mismatches.length} differ`}\n`,
          );
          if (r.reason) process.stdout.write(`       ${r.reason}\n`);
          for (const m of r.mismatches.slice(0, 5))
            process.stdout.write(`       ${m.level}.${m.dataSpace}.${m.field}: ours ${m.ours}, reference ${m.reference}\n`);
        }
        process.stdout.write(`${cases.filter(ok).length}/${cases.length} cases match\n`);
      }
      if (cases.length === 0)
        throw new UserError([
          { severity: 'error', code: D.timeloopNoCases.code, message: `${root}: no *.stats.txt reference cases found` },
        ]);
      if (!all) process.exitCode = ExitCode.verificationFailed;
    });
}
