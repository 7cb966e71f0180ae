// The kernel link of real mode: private network namespaces joined by veth pairs, shaped by the
// netem qdisc, so the kernel applies latency, jitter and rate to the federated traffic.
//
// Topology (nothing is added to the machine's own namespace):
//   namespace <prefix>a             the aggregator; one veth end agg<i> per worker, 10.200+i/256.(i%256).1/24
//   namespace <prefix>w<i>          worker i; its veth end up0, 10.200+i/256.(i%256).2/24
//   up0 egress (worker -> aggregator) and agg<i> egress (aggregator -> worker) each carry
//   `netem delay L J rate B`: every worker has its own up and down link, as in the simulator.
// TCP is told not to fall back to slow start on idle links and starts with a wide window, so a
// model-sized message costs latency + size/rate and not several round trips of slow start.
//
// The commands are built as argv arrays by pure functions (tested), and run by NetnsSession,
// which deletes every namespace it made on success, on error, on SIGINT/SIGTERM and at exit.
// Detection really tries: it makes a throw-away namespace, a veth pair and a netem qdisc in it,
// and deletes the namespace again; the result is cached per process.
import { findOnPath, runTool, runToolSync } from '../../testbench/tools/run-tool.ts';

export interface LinkShape {
  latencyMs: number;
  jitterMs: number;
  bandwidthMbitPerS?: number;
}

/** Which qdisc shapes the veth links: netem (latency, jitter, rate) or tbf (rate only). */
export type KernelShaper = 'netem' | 'tbf';

export interface WorkerLink {
  worker: number;
  ns: string;
  /** veth end in the aggregator's namespace. */
  aggDev: string;
  /** veth end in the worker's namespace. */
  workerDev: string;
  aggIp: string;
  workerIp: string;
  subnet: string;
}

export interface NetnsPlan {
  aggregatorNs: string;
  links: WorkerLink[];
  /** Commands to run in order; the first that fails aborts the set-up. */
  setup: string[][];
  /** Commands that remove everything (each may fail harmlessly if already gone). */
  teardown: string[][];
  namespaces: string[];
}

/** Largest worker count the address plan covers (10.200.0.0 - 10.255.255.0, one /24 each). */
export const MAX_KERNEL_WORKERS = 56 * 256;

const us = (ms: number) => `${Math.max(0, Math.round(ms * 1000))}us`;
const bits = (mbit: number) => `${Math.max(1, Math.round(mbit * 1e6))}bit`;
/** With jitter and no bandwidth, netem may reorder packets; a fast rate keeps them in order. */
export const IN_ORDER_RATE_MBIT = 10_000;

/** The `tc` argv that shapes one direction of one link. */
export function qdiscArgs(ns: string, dev: string, shape: LinkShape, shaper: KernelShaper = 'netem'): string[] {
  const head = ['tc', '-n', ns, 'qdisc', 'add', 'dev', dev, 'root'];
  if (shaper === 'tbf') {
    // Rate only (latency and jitter are ignored): 1600-byte bucket, 4 MB of queue.
    if (!shape.bandwidthMbitPerS) return [...head, 'pfifo', 'limit', '10000'];
    return [...head, 'tbf', 'rate', bits(shape.bandwidthMbitPerS), 'burst', '1600', 'limit', '4000000'];
  }
  const args = [...head, 'netem', 'delay', us(shape.latencyMs)];
  // Without a distribution table netem draws the jitter uniformly in [-J, +J], as the simulator does.
  if (shape.jitterMs > 0) args.push(us(shape.jitterMs));
  const rate = shape.bandwidthMbitPerS ?? (shape.jitterMs > 0 ? IN_ORDER_RATE_MBIT : undefined);
  if (rate !== undefined) args.push('rate', bits(rate));
  args.push('limit', '100000');
  return args;
}

/** Namespace names of one run: short (IFNAMSIZ does not apply, but `ip netns list` stays readable). */
export function namespacePrefix(pid: number, run: number): string {
  return `naccfl${pid}r${run}`;
}

/** The full set-up and teardown of a run's namespaces for N workers. */
export function planNetns(prefix: string, workers: number, shape: LinkShape, shaper: KernelShaper = 'netem'): NetnsPlan {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_KERNEL_WORKERS) throw new Error(`planNetns: ${workers} workers`);
  const a = `${prefix}a`;
  const setup: string[][] = [
    ['ip', 'netns', 'add', a],
    ['ip', '-n', a, 'link', 'set', 'lo', 'up'],
    ['ip', 'netns', 'exec', a, 'sysctl', '-q', '-w', 'net.ipv4.tcp_slow_start_after_idle=0'],
  ];
  const links: WorkerLink[] = [];
  for (let i = 0; i < workers; i++) {
    const ns = `${prefix}w${i}`;
    const net = `10.${200 + Math.floor(i / 256)}.${i % 256}`;
    const l: WorkerLink = {
      worker: i,
      ns,
      aggDev: `agg${i}`,
      workerDev: 'up0',
      aggIp: `${net}.1`,
      workerIp: `${net}.2`,
      subnet: `${net}.0/24`,
    };
    links.push(l);
    setup.push(
      ['ip', 'netns', 'add', ns],
      ['ip', '-n', ns, 'link', 'set', 'lo', 'up'],
      ['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_slow_start_after_idle=0'],
      ['ip', 'link', 'add', l.aggDev, 'netns', a, 'type', 'veth', 'peer', 'name', l.workerDev, 'netns', ns],
      ['ip', '-n', a, 'addr', 'add', `${l.aggIp}/24`, 'dev', l.aggDev],
      ['ip', '-n', ns, 'addr', 'add', `${l.workerIp}/24`, 'dev', l.workerDev],
      ['ip', '-n', a, 'link', 'set', l.aggDev, 'up'],
      ['ip', '-n', ns, 'link', 'set', l.workerDev, 'up'],
      ['ip', '-n', a, 'route', 'replace', l.subnet, 'dev', l.aggDev, 'src', l.aggIp, 'initcwnd', '64', 'initrwnd', '64'],
      ['ip', '-n', ns, 'route', 'replace', l.subnet, 'dev', l.workerDev, 'src', l.workerIp, 'initcwnd', '64', 'initrwnd', '64'],
      // Uplink: worker -> aggregator leaves through the worker's end; downlink through the aggregator's.
      qdiscArgs(ns, l.workerDev, shape, shaper),
      qdiscArgs(a, l.aggDev, shape, shaper),
    );
  }
  const namespaces = [a, ...links.map((l) => l.ns)];
  // Deleting a namespace destroys the veth ends in it (and so their peers).
  const teardown = [...namespaces].reverse().map((ns) => ['ip', 'netns', 'delete', ns]);
  return { aggregatorNs: a, links, setup, teardown, namespaces };
}

/** argv that runs a command inside a namespace. */
export const inNamespace = (ns: string, argv: string[]): string[] => ['ip', 'netns', 'exec', ns, ...argv];

export interface NetemProbe {
  available: boolean;
  /** Why not: the first thing that failed, with what to install or enable. */
  reason?: string;
  /** Short name of what is missing: 'ip', 'tc', 'netns', 'veth', 'sch_netem'. */
  missing?: string;
}

/** Run one ip/tc command; a failure is data here (the probe and the set-up say what it means). */
async function run(argv: string[]): Promise<{ ok: boolean; message: string }> {
  try {
    const r = await runTool(argv[0], argv.slice(1), { timeoutMs: 10_000 });
    return { ok: r.verdict.ok, message: r.output.trim() || (r.verdict.ok ? '' : r.verdict.reason) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

let probeCache: Promise<NetemProbe> | undefined;
let probeRuns = 0;

/** Is the kernel's netem usable here? Tries it for real in a throw-away namespace; cached per process. */
export function probeNetem(): Promise<NetemProbe> {
  probeCache ??= probeNetemUncached();
  return probeCache;
}

/** The probe without the cache (tests). */
export async function probeNetemUncached(): Promise<NetemProbe> {
  for (const tool of ['ip', 'tc']) {
    if (!findOnPath(tool)) return { available: false, missing: tool, reason: `'${tool}' not found (install iproute2)` };
  }
  const ns = `naccfl${process.pid}p${probeRuns++}`;
  const session = new NetnsSession([ns]);
  try {
    const add = await run(['ip', 'netns', 'add', ns]);
    if (!add.ok)
      return {
        available: false,
        missing: 'netns',
        reason: `cannot create a network namespace (needs root or CAP_SYS_ADMIN): ${add.message}`,
      };
    const veth = await run(['ip', '-n', ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
    if (!veth.ok) return { available: false, missing: 'veth', reason: `cannot create a veth pair (kernel module veth): ${veth.message}` };
    const q = await run(qdiscArgs(ns, 'p0', { latencyMs: 1, jitterMs: 0.5, bandwidthMbitPerS: 10 }));
    if (!q.ok)
      return { available: false, missing: 'sch_netem', reason: `the kernel has no netem qdisc (module sch_netem): tc says '${q.message}'` };
    return { available: true };
  } finally {
    await session.destroy();
  }
}

/** Is a tbf qdisc (rate only) usable on veth links here? Not cached (tests). */
export async function probeTbf(): Promise<boolean> {
  const ns = `naccfl${process.pid}p${probeRuns++}`;
  const session = new NetnsSession([ns]);
  try {
    if (!(await run(['ip', 'netns', 'add', ns])).ok) return false;
    if (!(await run(['ip', '-n', ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'])).ok) return false;
    return (await run(qdiscArgs(ns, 'p0', { latencyMs: 0, jitterMs: 0, bandwidthMbitPerS: 10 }, 'tbf'))).ok;
  } finally {
    await session.destroy();
  }
}

/** Names of namespaces that currently exist. */
export async function listNamespaces(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list']);
  if (!r.ok) return [];
  return r.message
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

const live = new Set<NetnsSession>();
const cleanAll = () => {
  for (const s of live) s.destroySync();
};
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const onSignal = (sig: keyof typeof SIGNALS) => {
  cleanAll();
  // End as the signal would have ended the process without a handler.
  process.exit(128 + SIGNALS[sig]);
};

/** The exit and signal hooks are installed only while some session is alive. */
function track(s: NetnsSession, alive: boolean): void {
  const before = live.size;
  if (alive) live.add(s);
  else live.delete(s);
  if (before === 0 && live.size > 0) {
    process.on('exit', cleanAll);
    for (const sig of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.on(sig, onSignal);
  } else if (before > 0 && live.size === 0) {
    process.off('exit', cleanAll);
    for (const sig of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.off(sig, onSignal);
  }
}

/**
 * Namespaces owned by this process: deleted by destroy(), and if the process ends first, by
 * the exit or signal hook. Killing the processes inside them is the caller's job (a namespace
 * outlives its deletion while processes are still in it).
 */
export class NetnsSession {
  private alive = true;
  constructor(readonly namespaces: string[]) {
    track(this, true);
  }

  /** Run a plan's set-up; on the first failure, tear down and throw with tc/ip's message. */
  static async create(plan: NetnsPlan): Promise<NetnsSession> {
    const session = new NetnsSession(plan.namespaces);
    for (const argv of plan.setup) {
      const r = await run(argv);
      if (!r.ok) {
        await session.destroy();
        throw new Error(`${argv.join(' ')}: ${r.message}`);
      }
    }
    return session;
  }

  async destroy(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    track(this, false);
    for (const ns of [...this.namespaces].reverse()) await run(['ip', 'netns', 'delete', ns]);
  }

  destroySync(): void {
    if (!this.alive) return;
    this.alive = false;
    track(this, false);
    for (const ns of [...this.namespaces].reverse()) {
      try {
        runToolSync('ip', ['netns', 'delete', ns], { timeoutMs: 5000 });
      } catch {
        // ip is gone: nothing could have made the namespace
      }
    }
  }
}

/** Delete namespaces left by nacc fl processes that no longer exist (a SIGKILL, a power cut). */
export async function removeStaleNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await listNamespaces()) {
    const m = /^naccfl(\d+)[rp]/.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive && (await run(['ip', 'netns', 'delete', ns])).ok) removed.push(ns);
  }
  return removed;
}
