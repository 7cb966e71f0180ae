// Runs the nacc CLI inside the test process (streams captured, exit code returned): for the
// many small usage checks of the conventions test, where a child process per case costs seconds.
import { main } from '../../compiler/cli/main.ts';

export async function naccInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const saved = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    await main(['node', 'nacc', ...args]);
    code = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = saved;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
