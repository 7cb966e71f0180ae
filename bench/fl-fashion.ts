// Fashion-MNIST, FedAvg against DGA (examples/federated.nacc: fashion_fedavg, fashion_dga):
// simulated (virtual clock) and real (aggregator and worker processes over TCP on loopback
// through the delay relay, `--real`) at one-way latencies of 10, 100 and 500 ms, then a fault
// run: `nacc fl serve` and its `join`s as separate processes, one worker killed mid-job and a
// new `join` taking its place. Prints time to target, final accuracy and wall times.
//   npx tsx bench/fl-fashion.ts [--json] [--samples N] [--workers N] [--max-steps N] [--seed S]
//                               [--latencies 10,100,500] [--no-real] [--no-fault] [--real-samples N] [--real-workers N] [--real-max-steps N]
//                               [--fault-samples N] [--fault-workers N] [--fault-max-steps N]
// Real runs take wall-clock time (FedAvg at 500 ms: about 1.6 s a round); --real-* shrink them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram } from '../compiler/frontend/index.ts';
import { findJob, latencySweep, prepareJob, type JobOverrides } from '../compiler/fl/run.ts';
import { simulate, type FlRunResult } from '../compiler/fl/simulator.ts';
import { runReal } from '../compiler/fl/loopback.ts';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const numArg = (name: string) => (arg(name) !== undefined ? Number(arg(name)) : undefined);
const json = args.includes('--json');
const FILE = fileURLToPath(new URL('../examples/federated.nacc', import.meta.url));
const NACC = fileURLToPath(new URL('../bin/nacc.js', import.meta.url));
const PAIR = ['fashion_fedavg', 'fashion_dga'];
const latencies = (arg('--latencies') ?? '10,100,500').split(',').map(Number);
const simOver: JobOverrides = {
  samples: numArg('--samples'),
  workers: numArg('--workers'),
  maxSteps: numArg('--max-steps'),
  seed: numArg('--seed'),
};
const realOver: JobOverrides = {
  ...simOver,
  samples: numArg('--real-samples') ?? simOver.samples,
  workers: numArg('--real-workers') ?? simOver.workers,
  maxSteps: numArg('--real-max-steps') ?? simOver.maxSteps,
};
const faultOver: JobOverrides = {
  ...realOver,
  samples: numArg('--fault-samples') ?? realOver.samples,
  workers: numArg('--fault-workers') ?? realOver.workers,
  maxSteps: numArg('--fault-max-steps') ?? realOver.maxSteps,
};
const load = () => loadavg()[0].toFixed(1);
const say = (s: string) => process.stderr.write(`fl-fashion: ${s}\n`);
const program = loadProgram(FILE);

interface Row {
  mode: 'simulated' | 'real' | 'fault';
  job: string;
  algorithm: string;
  workers: number;
  samples: number | string;
  steps: number;
  latency_ms: number;
  time_to_target_s: number | null;
  final_accuracy: number;
  total_time_s: number;
  wall_s: number;
  load: string;
  note?: string;
}
const rows: Row[] = [];
const speedups: { mode: string; latency_ms: number; speedup: number | null }[] = [];
const row = (
  mode: Row['mode'],
  r: FlRunResult,
  latency: number,
  samples: number | string,
  wall: number,
  note?: string,
  ld = load(),
): Row => ({
  mode,
  job: r.name,
  algorithm: r.algorithm,
  workers: r.workers,
  samples,
  steps: r.steps_per_worker,
  latency_ms: latency,
  time_to_target_s: r.time_to_target_s,
  final_accuracy: r.final_accuracy,
  total_time_s: r.total_time_s,
  wall_s: wall,
  load: ld,
  note,
});
const ratio = (a: FlRunResult | Row, b: FlRunResult | Row) =>
  a.time_to_target_s !== null && b.time_to_target_s ? a.time_to_target_s / b.time_to_target_s : null;

// Simulated: each job is trained once; the sweep re-times its accuracy per round at each latency.
{
  const t0 = Date.now();
  const setups = PAIR.map((n) => prepareJob({ program }, findJob(program, n), simOver));
  const trained = setups.map((s) => simulate(s));
  const wall = (Date.now() - t0) / 1000;
  const sweep = latencySweep(setups, trained, latencies);
  for (const s of sweep) {
    s.jobs.forEach((j, i) => {
      rows.push({
        ...row('simulated', trained[i], s.latency_ms, setups[i].data.train.count, wall / 2),
        time_to_target_s: j.time_to_target_s,
        total_time_s: j.total_time_s,
      });
    });
    speedups.push({ mode: 'simulated', latency_ms: s.latency_ms, speedup: s.speedup });
  }
  say(`simulated in ${wall.toFixed(0)} s (load ${load()})`);
}

// Real: the same jobs (possibly smaller), worker processes through the relay; same arithmetic.
if (!args.includes('--no-real')) {
  for (const latency of latencies) {
    const pair: Row[] = [];
    for (const name of PAIR) {
      const setup = prepareJob({ program }, findJob(program, name), { ...realOver, latencyMs: latency });
      const net = program.networks.find((n) => n.name === setup.job.network)!;
      const sim = simulate(setup);
      const ld = load();
      const t0 = Date.now();
      const real = await runReal(setup, net, { link: 'relay' });
      const wall = (Date.now() - t0) / 1000;
      const same = real.final_accuracy === sim.final_accuracy ? 'final = simulated' : `final differs from simulated ${sim.final_accuracy}`;
      const r = row(
        'real',
        real,
        latency,
        setup.data.train.count,
        wall,
        `${same}; sim to target ${sim.time_to_target_s === null ? 'missed' : `${sim.time_to_target_s.toFixed(2)} s`}, total ${sim.total_time_s.toFixed(2)} s`,
        `${ld}-${load()}`,
      );
      rows.push(r);
      pair.push(r);
      say(`real ${name} at ${latency} ms: ${wall.toFixed(0)} s wall (load ${ld}-${load()})`);
    }
    speedups.push({ mode: 'real', latency_ms: latency, speedup: ratio(pair[0], pair[1]) });
  }
}

// Fault: serve + joins as separate processes (no emulated latency: the loopback's own), one
// join killed a third of the way through and a new join started in its place.
function run(cmd: string[]) {
  const child = spawn(process.execPath, [NACC, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  const waitFor = async (re: RegExp) => {
    for (;;) {
      const m = re.exec(err);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`exited before /${re.source}/:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exit, waitFor, out: () => out, err: () => err };
}
if (!args.includes('--no-fault')) {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-fl-fashion-'));
  for (const name of PAIR) {
    const token = join(dir, `${name}.token`);
    const over = Object.entries({
      '--samples': faultOver.samples,
      '--workers': faultOver.workers,
      '--max-steps': faultOver.maxSteps,
      '--seed': faultOver.seed,
    }).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
    const ld = load();
    const t0 = Date.now();
    const serve = run([
      'fl',
      'serve',
      FILE,
      '--job',
      name,
      '--listen',
      '127.0.0.1:0',
      '--token-file',
      token,
      '--json',
      '--drop-after',
      '10000',
      ...over,
    ]);
    const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    const setup = prepareJob({ program }, findJob(program, name), faultOver);
    const joins = Array.from({ length: setup.job.workers }, () => run(['fl', 'join', `127.0.0.1:${port}`, '--token-file', token]));
    await serve.waitFor(/started;/);
    const totalRounds = Math.floor(setup.stepsPerWorker / setup.cfg.K);
    // A third of the job's modelled length on a link without latency (the loopback's).
    const clock = simulate({ ...setup, job: { ...setup.job, latencyMs: 0, bandwidthMbitPerS: undefined } }, { timingOnly: true });
    await new Promise((r) => setTimeout(r, (clock.total_time_s * 1000) / 3));
    joins[1].child.kill('SIGKILL');
    await serve.waitFor(/dropped worker \d+ after \d+ rounds/);
    const rejoin = run(['fl', 'join', `127.0.0.1:${port}`, '--token-file', token]);
    const code = await serve.exit;
    await rejoin.exit;
    for (const j of joins) j.child.kill('SIGKILL');
    const wall = (Date.now() - t0) / 1000;
    if (code !== 0) throw new Error(`fault run of ${name}: serve exited ${code}\n${serve.err()}`);
    const job = JSON.parse(serve.out()).jobs[0];
    const sim = simulate(setup);
    const note = `dropped ${JSON.stringify(job.dropped)}, rejoined ${JSON.stringify(job.rejoined)}, rounds ${job.rounds}/${totalRounds}, messages ${job.messages}; uninterrupted simulated final ${(sim.final_accuracy * 100).toFixed(2)}%`;
    rows.push({ ...row('fault', job as FlRunResult, 0, setup.data.train.count, wall, note, `${ld}-${load()}`), latency_ms: 0 });
    say(`fault ${name}: ${wall.toFixed(0)} s wall; ${note}`);
  }
}

if (json) console.log(JSON.stringify({ file: FILE, rows, speedups }, null, 2));
else {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  console.log(
    '| mode | job | algorithm | workers | samples | steps | latency | time to target (s) | final accuracy | total (s) | wall (s) | load | note |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.mode} | ${r.job} | ${r.algorithm} | ${r.workers} | ${r.samples} | ${r.steps} | ${r.mode === 'fault' ? 'loopback' : `${r.latency_ms} ms`} | ${r.time_to_target_s === null ? 'missed' : r.time_to_target_s.toFixed(2)} | ${pct(r.final_accuracy)} | ${r.total_time_s.toFixed(2)} | ${r.wall_s.toFixed(0)} | ${r.load} | ${r.note ?? ''} |`,
    );
  }
  console.log('');
  for (const s of speedups)
    console.log(`speedup (${s.mode}, ${s.latency_ms} ms): ${s.speedup === null ? 'n/a' : `${s.speedup.toFixed(2)}x`}`);
}
