// The nacc CLI: wires stages together and does the I/O. Commands live one per file and are
// listed in commands.ts, which loads only the ones a command line needs; user errors print
// diagnostics and exit 1-4, anything else exits 70.
import { Command, CommanderError } from 'commander';
import { UserError, formatDiagnostics, ExitCode } from '../diagnostics/index.ts';
import { commandsFor } from './commands.ts';
import { recordInvocation } from './invocation.ts';

/** The CLI with the commands `argv` needs registered (all of them when argv names none). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('nacc')
    .description('Co-design neural networks with the hardware they run on')
    .version('0.1.0')
    // A usage error names the problem and where the options are, not the whole help (README conventions).
    .showHelpAfterError("(see the command's options with --help)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const command of commandsFor(argv)) (await command.load())(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let code: number = ExitCode.ok;
  recordInvocation(argv.slice(2));
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    code = process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (e) {
    code = exitCodeFor(e);
  }
  process.exitCode = code;
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (e instanceof UserError) {
    process.stderr.write(formatDiagnostics(e.diagnostics) + '\n');
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // The stack's frames only: its first lines repeat the message (a tool's output, for InternalError).
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  process.stderr.write(`nacc: internal error: ${err.message}\n${frames.join('\n')}\n`);
  process.stderr.write('This is a bug in nacc; please report it with the command and input that caused it.\n');
  return ExitCode.internal;
}
