#!/usr/bin/env node
// Start-up time of each `nacc` command: median, min and max wall time over N runs of
// `node bin/nacc.js ARGS`, with the load average (this machine is shared; read figures with it).
// Usage: node bench/startup.mjs [--runs N] [--json] [--only TEXT]   (cpu s: user + system time)
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

/** CPU seconds (user + system) of this process's finished children, from /proc (Linux). */
function childrenCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks (USER_HZ = 100)
}

function runOnce(args) {
  const cpu0 = childrenCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, cpu: childrenCpu() - cpu0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

// The command names come from `nacc --help`, so commands.ts stays the one list.
function commandNames() {
  const help = runOnce(['--help']).stdout;
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const cases = [
  ['--version'],
  ['--help'],
  ['inspect', 'examples/mcu-kws.nacc'],
  ['doctor'],
  ...commandNames().map((c) => [c, '--help']),
].filter((args) => args.join(' ').includes(only));

const loadBefore = loadavg();
// Older checkouts have no compiled layout: the bench still runs there, for before/after figures.
const { freshCompiledMain } = await import('../scripts/compiled-js.mjs').catch(() => ({ freshCompiledMain: () => null }));
const layout = () => (freshCompiledMain() ? 'compiled dist/' : 'sources through tsx (dist/ missing or stale)');
const layoutBefore = layout();
const rows = [];
for (const args of cases) {
  runOnce(args); // warm the file cache once, not counted
  const times = [];
  const cpus = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const r = runOnce(args);
    times.push(r.seconds);
    cpus.push(r.cpu);
    status = r.status ?? -1;
  }
  rows.push({
    command: args.join(' '),
    runs,
    median_s: median(times),
    min_s: Math.min(...times),
    max_s: Math.max(...times),
    cpu_median_s: median(cpus),
    exit: status,
  });
  if (!json) process.stderr.write(`  ${args.join(' ')}: ${median(times).toFixed(3)} s\n`);
}
const loadAfter = loadavg();
const layoutAfter = layout();

if (json) {
  process.stdout.write(
    JSON.stringify(
      {
        node: process.version,
        ran_before: layoutBefore,
        ran_after: layoutAfter,
        loadavg_before: loadBefore,
        loadavg_after: loadAfter,
        rows,
      },
      null,
      2,
    ) + '\n',
  );
} else {
  const width = Math.max(...rows.map((r) => r.command.length), 7);
  const lines = [
    `nacc start-up, ${runs} runs each, node ${process.version}, loadavg before ${loadBefore}, after ${loadAfter}`,
    `ran: ${layoutBefore === layoutAfter ? layoutBefore : `${layoutBefore} at the start, ${layoutAfter} at the end`}`,
    `${'command'.padEnd(width)}  median s   min s   max s   cpu s  exit`,
  ];
  for (const r of rows) {
    const cols = [r.median_s, r.min_s, r.max_s, r.cpu_median_s].map((x, i) => x.toFixed(3).padStart(i === 0 ? 8 : 6));
    lines.push(`${r.command.padEnd(width)}  ${cols.join('  ')}  ${String(r.exit).padStart(4)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
