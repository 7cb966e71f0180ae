// The external tools nacc drives, as listed in tools.json (shared with scripts/bootstrap.mjs):
// name, binary or file, version arguments, the Debian package that provides it, what it is for.
import { readFileSync } from 'node:fs';

export interface ToolSpec {
  name: string;
  binary?: string;
  file?: string;
  versionArgs?: string[];
  debian: string;
  usedFor: string;
}

export const TOOLS: ToolSpec[] = JSON.parse(readFileSync(new URL('./tools.json', import.meta.url), 'utf8')).tools;
