#!/usr/bin/env node
// Bootstrap: makes a fresh Debian + Node 20 machine ready for `npm run demo` and `npm test`.
// Uses only Node built-ins, because it runs before node_modules exists. Last, it builds the
// compiled JavaScript the CLI starts from (dist/) when the sources changed since the last build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCompiled } from './compiled-js.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXIT_TOOL_MISSING = 4;
const log = (msg) => process.stderr.write(`bootstrap: ${msg}\n`);

function lockHash() {
  return createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');
}

function ensureNodeModules() {
  const stamp = join(root, 'node_modules', '.nacc-lock-hash');
  const want = lockHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  log('node_modules missing or stale: running npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    // onnxruntime-node's supported switch to skip its CUDA download (also in .npmrc).
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status !== 0) {
    log('npm ci failed');
    process.exit(EXIT_TOOL_MISSING);
  }
  writeFileSync(stamp, want + '\n');
}

function onPath(binary) {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return r.status === 0;
}

function missingDebianPackages() {
  const { tools } = JSON.parse(readFileSync(join(root, 'testbench/tools/tools.json'), 'utf8'));
  const missing = new Set();
  for (const t of tools) {
    const present = t.binary ? onPath(t.binary) : existsSync(t.file);
    if (!present) missing.add(t.debian);
  }
  return [...missing].sort();
}

function ensureDebianTools() {
  if (process.env.NACC_SKIP_APT === '1') return;
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    log(`missing Debian packages: ${missing.join(', ')}`);
    log(`install them as root with:\n  sudo sh -c '${cmd}'`);
    process.exit(EXIT_TOOL_MISSING);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  // On a busy machine another apt (unattended upgrades, a second bootstrap) may hold dpkg's lock: wait for it.
  const wait = '-o DPkg::Lock::Timeout=900';
  const run = `apt-get ${wait} update && DEBIAN_FRONTEND=noninteractive apt-get ${wait} install -y --no-install-recommends ${missing.join(' ')}`;
  const r = spawnSync('sh', ['-c', run], { stdio: ['ignore', 'inherit', 'inherit'] });
  const still = missingDebianPackages();
  if (r.status !== 0 || still.length > 0) {
    log(`apt-get failed; still missing: ${still.join(', ') || '(none)'}`);
    log(`run as root:\n  ${cmd}`);
    process.exit(EXIT_TOOL_MISSING);
  }
}

function ensureCompiled() {
  try {
    const result = buildCompiled(root);
    if (result === 'built') log('compiled the CLI into dist/');
    if (result === 'no-typescript') log('typescript is not installed: the CLI runs from the sources (slower start-up)');
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}

ensureNodeModules();
ensureDebianTools();
ensureCompiled();
