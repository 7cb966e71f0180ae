// Access to ../shared (the team's read-only data). Tests that need it skip loudly when absent.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(process.cwd(), '../shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED, ...parts);
}

/** True when ../shared/<parts> exists; otherwise warns once, naming the missing path. */
export function hasShared(...parts: string[]): boolean {
  const p = sharedPath(...parts);
  if (existsSync(p)) return true;
  console.warn(`SKIPPED: ${p} is absent (these tests read the team's shared data from ../shared/)`);
  return false;
}

export function sharedFiles(dir: string, ext: string): string[] {
  const p = sharedPath(dir);
  if (!existsSync(p)) return [];
  return readdirSync(p).filter((f) => f.endsWith(ext)).sort().map((f) => join(p, f));
}
