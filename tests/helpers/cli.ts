// Runs the real `nacc` CLI in a child process (exit codes and streams as a user sees them).
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const NACC = fileURLToPath(new URL('../../bin/nacc.js', import.meta.url));

export async function nacc(args: string[], opts: { cwd?: string; timeout?: number } = {}) {
  const r = await execa('node', [NACC, ...args], {
    reject: false,
    cwd: opts.cwd,
    timeout: opts.timeout ?? 600_000,
    stdin: 'ignore',
    env: { CI: 'true' },
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
