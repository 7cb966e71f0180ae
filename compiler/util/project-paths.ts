// Paths to the project's own files (templates/, examples/, …) that work both from the sources
// (compiler/…/x.ts under tsx) and from the compiled JavaScript (dist/compiler/…/x.js).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let root: string | undefined;

/** The folder holding nacc's package.json (the nearest one above this module). */
export function projectRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  root = dir;
  return dir;
}

/** Absolute path of a project file, e.g. projectPath('templates/mcu/model.c.hbs'). */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/** file: URL of a project file or folder (a trailing '/' in the last part is kept). */
export function projectUrl(...parts: string[]): URL {
  const url = pathToFileURL(projectPath(...parts));
  if (parts.length > 0 && parts[parts.length - 1]!.endsWith('/') && !url.href.endsWith('/')) url.href += '/';
  return url;
}

/**
 * A script to run in a child Node process, named without extension beside the calling module
 * (pass its import.meta.url): the compiled .js when the caller is compiled, else the .ts with tsx.
 */
export function siblingScript(moduleUrl: string, name: string): { script: string; execArgv: string[] } {
  if (moduleUrl.endsWith('.js')) return { script: fileURLToPath(new URL(`./${name}.js`, moduleUrl)), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { script: fileURLToPath(new URL(`./${name}.ts`, moduleUrl)), execArgv: ['--import', tsx] };
}
