// Access to ../shared (the team's read-only data). A test that needs it says so with
// needShared() from ./requires.ts (fails under CI=true when absent, skips loudly locally).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(process.cwd(), '../shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED, ...parts);
}

export function sharedFiles(dir: string, ext: string): string[] {
  const p = sharedPath(dir);
  if (!existsSync(p)) return [];
  return readdirSync(p)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(p, f));
}
