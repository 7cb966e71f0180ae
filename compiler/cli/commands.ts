// Every CLI command, one registration function per file, each loaded only when a command line
// needs it (so `nacc --version` or `nacc inspect` never loads the NAAS, RTL or MCU stacks).
// Add a command by adding a line here; `names` are the commands its registration adds.
import type { Command } from 'commander';

export interface CommandModule {
  /** The commands the registration adds: what `nacc NAME …` is matched against before loading. */
  readonly names: readonly string[];
  /** Imports the command's file and returns its registration function. */
  readonly load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: readonly CommandModule[] = [
  { names: ['inspect'], load: async () => (await import('./inspect.ts')).registerInspect },
  { names: ['doctor'], load: async () => (await import('./doctor.ts')).registerDoctor },
  { names: ['demo'], load: async () => (await import('./demo.ts')).registerDemo },
  { names: ['timeloop'], load: async () => (await import('./timeloop.ts')).registerTimeloop },
  { names: ['maestro'], load: async () => (await import('./maestro.ts')).registerMaestro },
  { names: ['search'], load: async () => (await import('./search.ts')).registerSearch },
  { names: ['nas'], load: async () => (await import('./nas.ts')).registerNas },
  { names: ['nas-deploy'], load: async () => (await import('./nas-deploy.ts')).registerNasDeploy },
  { names: ['cost'], load: async () => (await import('./search.ts')).registerCost },
  { names: ['worker'], load: async () => (await import('./worker.ts')).registerWorker },
  { names: ['report'], load: async () => (await import('./report.ts')).registerReport },
  { names: ['fl'], load: async () => (await import('./fl.ts')).registerFl },
  { names: ['rtl'], load: async () => (await import('./rtl.ts')).registerRtl },
  { names: ['verify'], load: async () => (await import('./verify.ts')).registerVerify },
  { names: ['mcu-schedule'], load: async () => (await import('./mcu-schedule.ts')).registerMcuSchedule },
  { names: ['mcu', 'run'], load: async () => (await import('./mcu.ts')).registerMcu },
  { names: ['pointacc', 'pointops'], load: async () => (await import('./pointacc.ts')).registerPointacc },
];

/**
 * The command modules a command line (process.argv) needs: none for `--version` alone, the named
 * command's for `nacc NAME …` and `nacc help NAME`, and all of them for help listings and for
 * unknown commands (so commander can list or suggest every name).
 */
export function commandsFor(argv: readonly string[]): readonly CommandModule[] {
  const words = argv.slice(2);
  const at = words.findIndex((w) => !w.startsWith('-'));
  if (at < 0) return words.length > 0 && words.every((w) => w === '-V' || w === '--version') ? [] : COMMANDS;
  const name = words[at] === 'help' ? words[at + 1] : words[at];
  const named = COMMANDS.find((c) => name !== undefined && c.names.includes(name));
  return named ? [named] : COMMANDS;
}
