// External tools: which exist on PATH and their versions (for `nacc doctor`), and `requireTool`
// for runners that need one. The list itself lives in tools.json (shared with the bootstrap).
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { ToolError } from '../diagnostics/index.ts';

export interface ToolSpec {
  name: string;
  binary?: string;
  file?: string;
  versionArgs?: string[];
  debian: string;
  usedFor: string;
}

export interface ToolStatus {
  name: string;
  found: boolean;
  version?: string;
  path?: string;
  debian: string;
  usedFor: string;
}

export const TOOLS: ToolSpec[] = JSON.parse(readFileSync(new URL('./tools.json', import.meta.url), 'utf8')).tools;

async function which(binary: string): Promise<string | undefined> {
  const r = await execa('sh', ['-c', `command -v ${binary}`], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

export async function probeTool(spec: ToolSpec): Promise<ToolStatus> {
  const base = { name: spec.name, debian: spec.debian, usedFor: spec.usedFor };
  if (spec.file) return { ...base, found: existsSync(spec.file), path: spec.file };
  const path = await which(spec.binary!);
  if (!path) return { ...base, found: false };
  const r = await execa(spec.binary!, spec.versionArgs ?? ['--version'], { reject: false, timeout: 15_000, stdin: 'ignore', all: true });
  const firstLine = (r.all ?? '').split('\n').map((s) => s.trim()).find((s) => /\d+\.\d+/.test(s)) ?? '';
  const version = firstLine.match(/\d+\.\d+(\.\d+)?/)?.[0];
  return { ...base, found: true, path, version };
}

export async function probeTools(): Promise<ToolStatus[]> {
  return Promise.all(TOOLS.map(probeTool));
}

/** Resolve a required tool or throw a ToolError (exit 4) naming the Debian package to install. */
export async function requireTool(name: string): Promise<string> {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown tool ${name}`);
  const status = await probeTool(spec);
  if (!status.found) {
    throw new ToolError(name, `not found; install it with: apt-get install -y ${spec.debian}`);
  }
  return status.path!;
}
