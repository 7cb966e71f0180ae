#!/usr/bin/env node
// Start-up time of each `nacc` command: median, min and max wall time over N runs of
// `node bin/nacc.js ARGS`, with the load average (this machine is shared; read figures with it).
// Usage: node bench/startup.mjs [--runs N] [--json] [--only TEXT]
// Plain Node on purpose: the bench must not pay for (or hide) a TypeScript loader itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/nacc.js', import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const runs = Number(option('--runs', '10'));
const only = option('--only', '');
const json = process.argv.includes('--json');

function runOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The command names come from `nacc --help`, so commands.ts stays the one list.
function commandNames() {
  const help = runOnce(['--help']).stdout;
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const cases = [['--version'], ['--help'], ['inspect', 'examples/mcu-kws.nacc'], ['doctor'], ...commandNames().map((c) => [c, '--help'])]
  .filter((args) => args.join(' ').includes(only));

const loadBefore = loadavg();
const rows = [];
for (const args of cases) {
  runOnce(args); // warm the file cache once, not counted
  const times = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const r = runOnce(args);
    times.push(r.seconds);
    status = r.status ?? -1;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  rows.push({ command: args.join(' '), runs, median_s: median, min_s: times[0], max_s: times[times.length - 1], exit: status });
  if (!json) process.stderr.write(`  ${args.join(' ')}: ${median.toFixed(3)} s\n`);
}
const loadAfter = loadavg();

if (json) {
  process.stdout.write(JSON.stringify({ node: process.version, loadavg_before: loadBefore, loadavg_after: loadAfter, rows }, null, 2) + '\n');
} else {
  const width = Math.max(...rows.map((r) => r.command.length), 7);
  const lines = [`nacc start-up, ${runs} runs each, node ${process.version}, loadavg before ${loadBefore}, after ${loadAfter}`,
    `${'command'.padEnd(width)}  median s   min s   max s  exit`];
  for (const r of rows) {
    lines.push(`${r.command.padEnd(width)}  ${r.median_s.toFixed(3).padStart(8)}  ${r.min_s.toFixed(3).padStart(6)}  ${r.max_s.toFixed(3).padStart(6)}  ${String(r.exit).padStart(4)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
