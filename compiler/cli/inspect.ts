// `nacc inspect FILE`: per-layer table (or JSON) of every network in a .nacc or .onnx file.
import type { Command } from 'commander';

export function registerInspect(program: Command): void {
  program
    .command('inspect <file>')
    .description('parse a .nacc or .onnx file and print each network layer by layer')
    .option('--network <name>', 'only this network')
    .option('--json', 'print JSON')
    .action(async () => {
      throw new Error('inspect not implemented yet');
    });
}
