import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IN_ORDER_RATE_MBIT,
  NetnsSession,
  listNamespaces,
  planNetns,
  probeNetem,
  probeNetemUncached,
  probeTbf,
  qdiscArgs,
} from '../../compiler/fl/netem.ts';
import { resolveLink, runReal } from '../../compiler/fl/loopback.ts';
import { simulate } from '../../compiler/fl/simulator.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { nacc } from '../helpers/cli.ts';
import { tinyJob, tinyNet, tinySetup } from './helpers.ts';
import { describeNeeds, needHost } from '../helpers/requires.ts';

/** Can this process make network namespaces at all (root, iproute2)? */
function canNetns(): boolean {
  const ns = `nacctest${process.pid}c`;
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const NETNS = needHost(canNetns(), 'network namespaces', 'run as root with iproute2 installed (apt-get install -y iproute2)');
const TBF = needHost(NETNS.present && (await probeTbf()), 'the tbf qdisc on veth links', 'a kernel with sch_tbf (and network namespaces)');

const PLOTS = mkdtempSync(join(tmpdir(), 'nacc-test-fl-netem-'));
afterAll(() => rmSync(PLOTS, { recursive: true, force: true }));

const ours = async (prefix: string) => (await listNamespaces()).filter((n) => n.startsWith(prefix));

describe('kernel link commands', () => {
  it('netem argv: latency, jitter (uniform, no distribution table) and rate in exact units', () => {
    expect(qdiscArgs('nsA', 'agg3', { latencyMs: 500, jitterMs: 30, bandwidthMbitPerS: 20 })).toEqual([
      'tc',
      '-n',
      'nsA',
      'qdisc',
      'add',
      'dev',
      'agg3',
      'root',
      'netem',
      'delay',
      '500000us',
      '30000us',
      'rate',
      '20000000bit',
      'limit',
      '100000',
    ]);
    expect(qdiscArgs('w', 'up0', { latencyMs: 12.5, jitterMs: 0 })).toEqual([
      'tc',
      '-n',
      'w',
      'qdisc',
      'add',
      'dev',
      'up0',
      'root',
      'netem',
      'delay',
      '12500us',
      'limit',
      '100000',
    ]);
    expect(qdiscArgs('w', 'up0', { latencyMs: 0.25, jitterMs: 0, bandwidthMbitPerS: 5.5 })).toEqual([
      'tc',
      '-n',
      'w',
      'qdisc',
      'add',
      'dev',
      'up0',
      'root',
      'netem',
      'delay',
      '250us',
      'rate',
      '5500000bit',
      'limit',
      '100000',
    ]);
    // Jitter without a bandwidth: a fast rate keeps netem from reordering TCP segments.
    expect(qdiscArgs('w', 'up0', { latencyMs: 100, jitterMs: 10 })).toEqual([
      'tc',
      '-n',
      'w',
      'qdisc',
      'add',
      'dev',
      'up0',
      'root',
      'netem',
      'delay',
      '100000us',
      '10000us',
      'rate',
      `${IN_ORDER_RATE_MBIT * 1e6}bit`,
      'limit',
      '100000',
    ]);
    expect(qdiscArgs('w', 'up0', { latencyMs: 100, jitterMs: 10, bandwidthMbitPerS: 2 }, 'tbf')).toEqual([
      'tc',
      '-n',
      'w',
      'qdisc',
      'add',
      'dev',
      'up0',
      'root',
      'tbf',
      'rate',
      '2000000bit',
      'burst',
      '1600',
      'limit',
      '4000000',
    ]);
  });

  it('plan: one namespace per worker and one for the aggregator, a veth pair each, netem on both ends', () => {
    const shape = { latencyMs: 100, jitterMs: 5, bandwidthMbitPerS: 20 };
    const p = planNetns('px', 2, shape);
    expect(p.aggregatorNs).toBe('pxa');
    expect(p.namespaces).toEqual(['pxa', 'pxw0', 'pxw1']);
    expect(p.links.map((l) => [l.ns, l.aggDev, l.workerDev, l.aggIp, l.workerIp])).toEqual([
      ['pxw0', 'agg0', 'up0', '10.200.0.1', '10.200.0.2'],
      ['pxw1', 'agg1', 'up0', '10.200.1.1', '10.200.1.2'],
    ]);
    const cmds = p.setup.map((a) => a.join(' '));
    expect(cmds.slice(0, 3)).toEqual([
      'ip netns add pxa',
      'ip -n pxa link set lo up',
      'ip netns exec pxa sysctl -q -w net.ipv4.tcp_slow_start_after_idle=0',
    ]);
    expect(cmds).toContain('ip link add agg1 netns pxa type veth peer name up0 netns pxw1');
    expect(cmds).toContain('ip -n pxw1 addr add 10.200.1.2/24 dev up0');
    expect(cmds).toContain('ip -n pxa route replace 10.200.1.0/24 dev agg1 src 10.200.1.1 initcwnd 64 initrwnd 64');
    // Uplink shaped at the worker's end, downlink at the aggregator's, for every worker.
    for (const l of p.links) {
      expect(p.setup).toContainEqual(qdiscArgs(l.ns, 'up0', shape));
      expect(p.setup).toContainEqual(qdiscArgs('pxa', l.aggDev, shape));
    }
    expect(p.setup.filter((a) => a[0] === 'tc')).toHaveLength(4);
    expect(p.teardown).toEqual([
      ['ip', 'netns', 'delete', 'pxw1'],
      ['ip', 'netns', 'delete', 'pxw0'],
      ['ip', 'netns', 'delete', 'pxa'],
    ]);
    const big = planNetns('q', 300, shape);
    expect(new Set(big.links.map((l) => l.subnet)).size).toBe(300);
    expect(big.links[299].aggIp).toBe('10.201.43.1');
  });
});

describeNeeds([NETNS], 'kernel link on this machine', () => {
  it('detection really tries netem, says why not, and leaves nothing behind', async () => {
    const before = await ours(`naccfl${process.pid}p`);
    const p = await probeNetemUncached();
    // An independent attempt in a throw-away user+net namespace must agree.
    let independent = false;
    try {
      execFileSync('unshare', ['-rn', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'ignore' });
      independent = true;
    } catch {
      independent = false;
    }
    expect(p.available).toBe(independent);
    if (!p.available) {
      expect(p.missing).toBe('sch_netem');
      expect(p.reason).toMatch(/netem/);
    }
    expect(await ours(`naccfl${process.pid}p`)).toEqual(before);
    // Cached: the same promise every time.
    expect(probeNetem()).toBe(probeNetem());
    if (!p.available) await expect(resolveLink('netem')).rejects.toSatisfy((e: unknown) => e instanceof UserError && e.exitCode === 4);
    expect((await resolveLink('auto')).link).toBe(p.available ? 'netem' : 'relay');
  });

  it('tc parses every netem argv we build (here only the kernel module is missing)', async () => {
    const p = await probeNetem();
    const shapes = [
      { latencyMs: 500, jitterMs: 30, bandwidthMbitPerS: 20 },
      { latencyMs: 10, jitterMs: 0 },
      { latencyMs: 0.5, jitterMs: 2 },
      { latencyMs: 100, jitterMs: 0, bandwidthMbitPerS: 0.25 },
    ];
    for (const shape of shapes) {
      const argv = qdiscArgs('X', 'lo', shape).filter((_, i) => i !== 1 && i !== 2); // drop `-n X`: lo of a fresh namespace
      let out = '';
      try {
        execFileSync('unshare', ['-rn', ...argv], { stdio: 'pipe' });
      } catch (e) {
        out = String((e as { stderr?: Buffer }).stderr ?? '');
      }
      if (p.available) expect(out).toBe('');
      // A parse error would be "What is ...", "Illegal ..." or a usage text; the kernel's refusal is this:
      else expect(out.trim()).toBe('Error: Specified qdisc kind is unknown.');
    }
  });

  it('a session removes its namespaces, also when a set-up command fails', async () => {
    const plan = planNetns(`nacctest${process.pid}s`, 2, { latencyMs: 0, jitterMs: 0, bandwidthMbitPerS: 10 }, 'tbf');
    const s = await NetnsSession.create(plan);
    expect((await ours(`nacctest${process.pid}s`)).sort()).toEqual([...plan.namespaces].sort());
    await s.destroy();
    expect(await ours(`nacctest${process.pid}s`)).toEqual([]);
    const bad = planNetns(`nacctest${process.pid}f`, 1, { latencyMs: 0, jitterMs: 0 }, 'tbf');
    bad.setup.splice(4, 0, ['ip', '-n', bad.aggregatorNs, 'link', 'set', 'nosuchdev', 'up']);
    await expect(NetnsSession.create(bad)).rejects.toThrow(/nosuchdev/);
    expect(await ours(`nacctest${process.pid}f`)).toEqual([]);
  });

  it('SIGINT while namespaces exist: they are deleted and the process ends with 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-netns-'));
    const script = join(dir, 'hold.mts');
    const mod = fileURLToPath(new URL('../../compiler/fl/netem.ts', import.meta.url));
    const prefix = `nacctest${process.pid}i`;
    writeFileSync(
      script,
      `import { NetnsSession, planNetns } from ${JSON.stringify(mod)};\n` +
        `await NetnsSession.create(planNetns(${JSON.stringify(prefix)}, 1, { latencyMs: 0, jitterMs: 0 }, 'tbf'));\n` +
        `console.log('ready');\nsetInterval(() => undefined, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && res()));
    expect((await ours(prefix)).length).toBe(2);
    const code = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(await ours(prefix)).toEqual([]);
  });
});

describeNeeds([TBF], 'runs over veth pairs between namespaces (rate-only tbf, as netem is not everywhere)', () => {
  it('same arithmetic as the simulator; the kernel paces the messages', async () => {
    const job = tinyJob(
      { kind: 'fedavg', localSteps: 3 },
      { workers: 3, maxSteps: 18, stepTimeMs: 15, latencyMs: 0, bandwidthMbitPerS: 1 },
    );
    const setup = tinySetup(job);
    const sim = simulate(setup);
    const real = await runReal(setup, tinyNet, { kernelShaper: 'tbf' });
    expect(real.link).toBe('tbf');
    expect(real.rounds).toBe(6);
    expect(real.final_accuracy).toBe(sim.final_accuracy);
    expect(real.curve.map((p) => p.accuracy)).toEqual(sim.curve.map((p) => p.accuracy));
    // Zero latency: every stall is serialisation at 1 Mbit/s (about 103 ms each way per round),
    // which only the kernel's shaping can produce here.
    expect(sim.stall_s).toBeGreaterThan(1);
    // A lower bound only: the shaping cannot deliver sooner than the modelled transfer, while a
    // loaded host may stretch the wall clock by any amount (reported by the demo, not judged).
    expect(real.stall_s).toBeGreaterThan(0.8 * sim.stall_s);
    expect(await ours(`naccfl${process.pid}r`)).toEqual([]);
  });
});

describe('nacc fl --link', () => {
  it('--link netem: runs where the kernel has it, else exit 4 naming what is missing; bad value: exit 2', async () => {
    const p = await probeNetem();
    const r = await nacc([
      'fl',
      'examples/federated.nacc',
      '--job',
      'quick_dga',
      '--real',
      '--link',
      'netem',
      '--workers',
      '2',
      '--max-steps',
      '16',
      '--json',
      '--plot',
      join(PLOTS, 'netem.svg'),
    ]);
    if (p.available) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).link).toBe('netem');
    } else {
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/netem/);
      expect(r.stderr).not.toMatch(/at .*\.ts:/);
    }
    const bad = await nacc(['fl', 'examples/federated.nacc', '--job', 'quick_dga', '--real', '--link', 'carrier-pigeon']);
    expect(bad.code).toBe(2);
  });

  it('--real --json reports the link it used (and the probe); --workers repartitions', async () => {
    const p = await probeNetem();
    const r = await nacc([
      'fl',
      'examples/federated.nacc',
      '--job',
      'quick_dga',
      '--real',
      '--link',
      'relay',
      '--workers',
      '2',
      '--max-steps',
      '16',
      '--json',
      '--plot',
      join(PLOTS, 'relay.svg'),
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.link).toBe('relay');
    expect(j.netem_available).toBe(p.available);
    expect(j.jobs[0].link).toBe('relay');
    expect(j.jobs[0].workers).toBe(2);
    expect(j.jobs[0].rounds).toBe(4);
  });
});
