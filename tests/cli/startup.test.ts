// Fast start-up, asserted by what loads (never by time): bin/nacc.js runs dist/ when it was
// built from the current sources and the sources through tsx otherwise, and a command line loads
// only the command it names, so `--version` and `inspect` never load the heavy subsystems.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from '../../compiler/cli/commands.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECORDER = fileURLToPath(new URL('./startup-module-recorder.mjs', import.meta.url));
/** Packages only some commands need; none may load for `--version` or `inspect`. */
const HEAVY = [
  'onnxruntime-node',
  'onnx-proto',
  'protobufjs',
  'vega',
  'vega-lite',
  'playwright-core',
  'piscina',
  '@tensorflow',
  'handlebars',
  'execa',
  'yaml',
];
/** The heaviest: loaded only inside the action that uses them, so never for any `--help`. */
const ACTION_ONLY = ['onnxruntime-node', 'vega', 'vega-lite', 'playwright-core', 'piscina', '@tensorflow'];
const LOADERS = ['typescript', 'tsx', 'esbuild'];

/** A copy of the project in a temp folder (node_modules linked), so dist/ is built outside the tree. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-startup-'));
  for (const p of [
    'bin',
    'scripts',
    'compiler',
    'templates',
    'testbench',
    'examples',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ]) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `node bin/nacc.js ARGS` in the copy with the module recorder; returns output and loaded URLs. */
function run(dir: string, args: string[]) {
  const log = join(dir, `modules-${Math.floor(performance.now() * 1000)}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(RECORDER).href, join(dir, 'bin/nacc.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NACC_MODULE_LOG: log },
  });
  const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, modules };
}

/** The npm packages among loaded module URLs (@scope/name or name). */
function packagesOf(modules: string[]): Set<string> {
  const names = modules.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((n): n is string => n !== undefined);
  return new Set(names.map((n) => (n.startsWith('@tensorflow/') ? '@tensorflow' : n)));
}

describe('nacc start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyProject();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without dist/ runs the sources through tsx, still loading only the named command', () => {
    const r = run(dir, ['inspect', 'examples/mcu-kws.nacc']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('network kws_small');
    const pkgs = packagesOf(r.modules);
    expect(pkgs.has('tsx')).toBe(true);
    for (const heavy of HEAVY) expect(pkgs.has(heavy), `${heavy} loaded by inspect`).toBe(false);
  });

  it('with a fresh dist/ runs the compiled JavaScript and loads no heavy subsystem or loader', async () => {
    const { buildCompiled } = await import(pathToFileURL(join(dir, 'scripts/compiled-js.mjs')).href);
    expect(buildCompiled(dir)).toBe('built');
    expect(buildCompiled(dir)).toBe('fresh');

    const version = run(dir, ['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe('0.1.0');
    expect(version.modules).toContain(pathToFileURL(join(dir, 'dist/compiler/cli/main.js')).href);
    // --version registers no command at all: only commander besides the CLI's own core (main,
    // the command table, and invocation.js, the leaf that records the command line).
    expect([...packagesOf(version.modules)]).toEqual(['commander']);
    expect(version.modules.filter((u) => u.includes('/dist/compiler/cli/') && !/\/(main|commands|invocation)\.js$/.test(u))).toEqual([]);

    const inspect = run(dir, ['inspect', 'examples/mcu-kws.nacc']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('network kws_small');
    expect(inspect.modules).toContain(pathToFileURL(join(dir, 'dist/compiler/cli/inspect.js')).href);
    expect(inspect.modules.filter((u) => u.endsWith('.ts'))).toEqual([]);
    const pkgs = packagesOf(inspect.modules);
    for (const p of [...HEAVY, ...LOADERS]) expect(pkgs.has(p), `${p} loaded by inspect`).toBe(false);
    // chevrotain comes from its one-file build, not its entry's hundreds of lodash-es files.
    expect(pkgs.has('chevrotain')).toBe(true);
    expect(pkgs.has('lodash-es')).toBe(false);

    // The compiled modules find the project's files (templates/, examples/) from dist/.
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'dist/compiler/util/project-paths.js')).href)}); console.log(m.projectPath('templates'));`,
      ],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe(join(dir, 'templates'));
  });

  it('help for any command, and the full listing, loads no heavy subsystem', () => {
    for (const args of [['--help'], ...COMMANDS.flatMap((c) => c.names.map((n) => [n, '--help']))]) {
      const r = run(dir, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('Usage: nacc');
      expect(r.modules, args.join(' ')).toContain(pathToFileURL(join(dir, 'dist/compiler/cli/main.js')).href);
      const pkgs = packagesOf(r.modules);
      for (const p of [...ACTION_ONLY, ...LOADERS]) expect(pkgs.has(p), `${p} loaded by ${args.join(' ')}`).toBe(false);
    }
  });

  it('after a source edit runs the edited sources, not the stale dist/', () => {
    const main = join(dir, 'compiler/cli/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace(".version('0.1.0')", ".version('0.1.0-edited')"));
    const r = run(dir, ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('0.1.0-edited');
    expect(r.modules).not.toContain(pathToFileURL(join(dir, 'dist/compiler/cli/main.js')).href);
  });
});

describe('commands.ts', () => {
  it('each entry registers exactly the commands it names', async () => {
    for (const entry of COMMANDS) {
      const program = new Command('nacc');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual(entry.names);
    }
  });

  it('a command line loads only the command it names', () => {
    const argv = (...words: string[]) => ['node', 'nacc', ...words];
    const names = (...words: string[]) => commandsFor(argv(...words)).flatMap((c) => c.names);
    expect(names('--version')).toEqual([]);
    expect(names('-V')).toEqual([]);
    expect(names('inspect', 'x.nacc', '--json')).toEqual(['inspect']);
    expect(names('run', '--help')).toEqual(['mcu', 'run']);
    expect(names('help', 'rtl')).toEqual(['rtl']);
    const all = COMMANDS.flatMap((c) => c.names);
    expect(names()).toEqual(all);
    expect(names('--help')).toEqual(all);
    expect(names('help')).toEqual(all);
    expect(names('frobnicate')).toEqual(all);
  });
});
