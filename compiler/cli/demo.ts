// `nacc demo`: runs every capability that exists end to end on the examples and prints a
// summary table. Exit 3 when any step fails.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { DemoResult } from './demo/step.ts';
import { formatTable } from './table.ts';
import { ExitCode, UserError, formatDiagnostics } from '../diagnostics/index.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { projectPath } from '../util/project-paths.ts';
import { DEMO_STEP_NAMES } from './demo/step-names.ts';
import { SHARED_DEFAULTS, parseChoice, parseChoices, parseSeed } from './options.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('compile the examples end to end with every capability and print a summary')
    .option('--out <dir>', 'output folder', 'out/demo')
    .option('--seed <n>', 'seed for every random choice', SHARED_DEFAULTS.seed)
    .option('--only <names>', `comma-separated steps to run: ${DEMO_STEP_NAMES.map((n) => (n.includes(' ') ? `'${n}'` : n)).join(', ')}`)
    .action(async (opts: { out: string; seed: string; only?: string }) => {
      // Checked before anything runs: a misspelt step is an error, not an empty demo that exits 0.
      const only: string[] | undefined = opts.only === undefined ? undefined : parseChoices(opts.only, '--only', DEMO_STEP_NAMES, 'step');
      if (only && only.length === 0) parseChoice('', '--only', DEMO_STEP_NAMES, 'step');
      const seed = parseSeed(opts.seed);
      // The steps (every back-end) are loaded when the demo runs, not for `nacc demo --help`.
      const { DEMO_STEPS } = await import('./demo/index.ts');
      const finalDir = resolve(opts.out);
      const examplesDir = projectPath('examples/');
      const rows: (string | number)[][] = [];
      let failed = 0;
      // The whole folder is the unit: it appears when every step has run (a failed step's
      // outputs included, the summary says which failed); an interrupted demo leaves none.
      await writeOutputDir(finalDir, async (outDir) => {
        for (const step of DEMO_STEPS) {
          if (only && !only.includes(step.name)) continue;
          process.stderr.write(`demo: ${step.name} ...\n`);
          const t0 = performance.now();
          let result: DemoResult;
          try {
            result = await step.run({ outDir, finalDir, seed, examplesDir, log: (m) => process.stderr.write(`  ${m}\n`) });
          } catch (e) {
            const msg =
              e instanceof UserError ? formatDiagnostics(e.diagnostics) : e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
            process.stderr.write(msg + '\n');
            result = { status: 'failed', summary: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
          }
          if (result.status === 'failed') failed++;
          rows.push([step.name, result.status, ((performance.now() - t0) / 1000).toFixed(1), result.summary]);
        }
      });
      process.stdout.write(
        '\nnacc demo summary\n' + formatTable(['capability', 'status', 'seconds', 'result'], rows, ['l', 'l', 'r', 'l']) + '\n',
      );
      process.stdout.write(`outputs: ${finalDir}\n`);
      if (failed) process.exitCode = ExitCode.verificationFailed;
    });
}
