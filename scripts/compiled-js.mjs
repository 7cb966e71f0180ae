// The compiled JavaScript the CLI starts from: dist/ (git-ignored) holds compiler/ and testbench/ built by tsc
// with a stamp of the sources it was built from; bin/nacc.js uses it only while the stamp matches.
// Plain Node built-ins: bin/nacc.js imports this on every start, and bootstrap before node_modules.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = 'dist';
const STAMP = '.sources-stamp';
/**
 * Packages whose own one-file ES module build loads in a fraction of the time of their entry:
 * chevrotain's entry pulls in ~640 lodash-es files (most of `nacc inspect`'s start-up). The
 * compiled modules import that build (same version, same code); the sources keep the entry.
 */
const PREBUILT = [{ name: 'chevrotain', file: 'lib/chevrotain.mjs' }];
/** What the build reads: every file under these folders, and these files. */
const SOURCE_DIRS = ['compiler', 'testbench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'scripts/compiled-js.mjs'];

function listFiles(root, dir, out) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) listFiles(root, rel, out);
    else out.push(rel);
  }
  return out;
}

/**
 * Fingerprint of the sources: path, size and mtime of each file (stat only, so it is cheap on the
 * start-up path). Any edit, addition, deletion or rename changes it.
 */
export function sourceFingerprint(root = ROOT) {
  const files = [...SOURCE_DIRS.flatMap((d) => listFiles(root, d, [])), ...SOURCE_FILES].sort();
  const hash = createHash('sha256');
  for (const f of files) {
    const s = statSync(join(root, f), { throwIfNoEntry: false });
    hash.update(s ? `${f}\0${s.size}\0${s.mtimeMs}\n` : `${f}\0missing\n`);
  }
  return hash.digest('hex');
}

/** file: URL of the compiled CLI entry when dist/ was built from the current sources, else null. */
export function freshCompiledMain(root = ROOT) {
  let stamp;
  try {
    stamp = readFileSync(join(root, DIST, STAMP), 'utf8').trim();
  } catch {
    return null;
  }
  if (stamp !== sourceFingerprint(root)) return null;
  return pathToFileURL(join(root, DIST, 'compiler/cli/main.js')).href;
}

/** Point the compiled modules' imports of PREBUILT packages at those packages' one-file builds. */
function usePrebuiltBuilds(root, out) {
  const require = createRequire(join(root, 'package.json'));
  for (const { name, file } of PREBUILT) {
    let entry;
    try {
      entry = require.resolve(name);
    } catch {
      continue;
    }
    const marker = `${sep}node_modules${sep}${name}${sep}`;
    const bundle = join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), file);
    if (!existsSync(bundle)) continue;
    for (const f of SOURCE_DIRS.flatMap((d) => listFiles(out, d, []))) {
      if (!f.endsWith('.js')) continue;
      const text = readFileSync(join(out, f), 'utf8');
      const from = new RegExp(`(?<=\\bfrom )(['"])${name}\\1(?=;)`, 'g');
      if (!from.test(text)) continue;
      // Relative to where the file will live (dist/, a sibling of the build folder at the same depth).
      let rel = relative(dirname(join(root, DIST, f)), bundle)
        .split(sep)
        .join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      writeFileSync(
        join(out, f),
        text.replace(from, () => JSON.stringify(rel)),
      );
    }
  }
}

/**
 * Build dist/ when missing or stale. tsc emits JavaScript without type checking (`npm test` type
 * checks separately); the result is assembled in a temporary sibling and renamed into place, so
 * a running CLI never sees half a build. Returns 'fresh', 'built', or 'no-typescript' (an
 * install without dev dependencies: the CLI keeps running from the sources); throws with tsc's
 * output when the sources do not compile.
 */
export function buildCompiled(root = ROOT) {
  if (freshCompiledMain(root)) return 'fresh';
  const fingerprint = sourceFingerprint(root);
  const tmp = join(root, `${DIST}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return 'no-typescript';
  }
  // child_process is required here, not imported at the top: bin/nacc.js loads this module on every start.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  usePrebuiltBuilds(root, tmp);
  // Files that are not TypeScript (worker-entry.mjs, tools.json) sit beside the modules that load them.
  for (const dir of SOURCE_DIRS) {
    for (const f of listFiles(root, dir, [])) {
      if (f.endsWith('.ts')) continue;
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      cpSync(join(root, f), join(tmp, f));
    }
  }
  writeFileSync(join(tmp, STAMP), fingerprint + '\n');
  const old = join(root, `${DIST}.old-${process.pid}`);
  try {
    if (existsSync(join(root, DIST))) renameSync(join(root, DIST), old);
    renameSync(tmp, join(root, DIST));
  } catch (e) {
    // Another bootstrap swapped its build in at the same moment; theirs will do if it is fresh.
    rmSync(tmp, { recursive: true, force: true });
    if (!freshCompiledMain(root)) throw e;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
  return 'built';
}
