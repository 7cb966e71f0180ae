// `nacc doctor`: every external tool nacc drives, found or not, with its version.
import type { Command } from 'commander';
import { probeTools } from '../../testbench/tools/tools.ts';
import { formatTable } from './table.ts';
import { ExitCode } from '../diagnostics/index.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('list the external tools nacc uses, found or not, with versions')
    .option('--json', 'print JSON: {"tools":[{"name","found","version","path","debian"}]}')
    .action(async (opts: { json?: boolean }) => {
      const tools = await probeTools();
      if (opts.json) {
        process.stdout.write(JSON.stringify({ node: process.versions.node, tools }, null, 2) + '\n');
      } else {
        process.stdout.write(`node ${process.versions.node}\n`);
        process.stdout.write(
          formatTable(
            ['tool', 'status', 'version', 'used for', 'debian package'],
            tools.map((t) => [t.name, t.found ? 'found' : 'MISSING', t.version ?? '-', t.usedFor, t.debian]),
          ) + '\n',
        );
        const missing = [...new Set(tools.filter((t) => !t.found).map((t) => t.debian))];
        if (missing.length) process.stdout.write(`\ninstall the missing tools with:\n  apt-get install -y ${missing.join(' ')}\n`);
      }
      if (tools.some((t) => !t.found)) process.exitCode = ExitCode.toolMissing;
    });
}
