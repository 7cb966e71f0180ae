// External tools: which exist on PATH and their versions (for `nacc doctor`), and `requireTool`
// for code that needs one before it starts. Running them goes through run-tool.ts.
import { existsSync } from 'node:fs';
import { ToolError } from '../../compiler/diagnostics/index.ts';
import { findOnPath, resolveTool, runTool } from './run-tool.ts';
import { TOOLS, type ToolSpec } from './tool-list.ts';

export { TOOLS, type ToolSpec };

export interface ToolStatus {
  name: string;
  found: boolean;
  version?: string;
  path?: string;
  debian: string;
  usedFor: string;
}

export async function probeTool(spec: ToolSpec): Promise<ToolStatus> {
  const base = { name: spec.name, debian: spec.debian, usedFor: spec.usedFor };
  if (spec.file) {
    if (!existsSync(spec.file)) return { ...base, found: false, path: spec.file };
    return { ...base, found: true, path: spec.file, version: await debianVersion(spec.debian) };
  }
  const path = findOnPath(spec.binary!);
  if (!path) return { ...base, found: false };
  const r = await runTool(path, spec.versionArgs ?? ['--version'], { name: spec.name, timeoutMs: 15_000 });
  const firstLine =
    r.output
      .split('\n')
      .map((s) => s.trim())
      .find((s) => /\d+\.\d+/.test(s)) ?? '';
  const version = firstLine.match(/\d+\.\d+(\.\d+)?/)?.[0];
  return { ...base, found: true, path, version };
}

/** A data or library package (no binary to ask): the version dpkg installed, when dpkg is here. */
async function debianVersion(pkg: string): Promise<string | undefined> {
  const dpkg = findOnPath('dpkg-query');
  if (!dpkg) return undefined;
  const r = await runTool(dpkg, ['-W', '-f', '${Version}', pkg], { name: 'dpkg-query', timeoutMs: 15_000 });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

export async function probeTools(): Promise<ToolStatus[]> {
  return Promise.all(TOOLS.map(probeTool));
}

/** Resolve a required tool or throw a ToolError (exit 4) naming the Debian package to install. */
export async function requireTool(name: string): Promise<string> {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown tool ${name}`);
  if (spec.file) {
    if (!existsSync(spec.file)) throw new ToolError(name, `${spec.file} not found; install it with: apt-get install -y ${spec.debian}`);
    return spec.file;
  }
  return resolveTool(spec.binary!, { name, debian: spec.debian });
}
