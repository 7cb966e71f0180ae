// Real mode: N local worker processes joining an aggregator that serves the job (the code of
// `nacc fl join` and `nacc fl serve`, see join.ts and aggregator-server.ts), the link being either
//  - relay: loopback TCP through a relay process that delays every frame by the job's latency
//    (and jitter) and paces it to its bandwidth; the aggregator is this process; or
//  - netem: private network namespaces, one per worker and one for the aggregator, joined by
//    veth pairs shaped by the kernel's netem qdisc (see netem.ts); aggregator and workers are
//    child processes started through `ip netns exec`.
// Same workers, same arithmetic as the simulator; time is the wall clock from one common start
// instant. The aggregator snapshots the consensus model at each sampled average and the
// snapshots are evaluated afterwards, so evaluation never delays the traffic it is timing.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { D, fail } from '../diagnostics/index.ts';
import type { ChildInit } from './loopback-child.ts';
import type { FlRunResult, JobSetup } from './simulator.ts';
import type { Network } from '../ir/network.ts';
import { startAggregatorServer, type ServerFinish } from './aggregator-server.ts';
import { driveJob, servedResult, workerJobs, type AggregatorEnd } from './serve.ts';
import { newToken } from './token.ts';
import { resolveTool } from '../../testbench/tools/run-tool.ts';
import {
  NetnsSession,
  namespacePrefix,
  planNetns,
  probeNetem,
  removeStaleNamespaces,
  type KernelShaper,
  type NetemProbe,
} from './netem.ts';
import { siblingScript } from '../util/project-paths.ts';

/** What the user asks for: the kernel's netem when it works here (auto), or one of the two. */
export type LinkChoice = 'auto' | 'netem' | 'relay';
export type LinkKind = 'netem' | 'relay';

export interface RealOptions {
  /** Progress for humans. */
  log?: (m: string) => void;
  /** The link (default auto). */
  link?: LinkChoice;
  /**
   * Tests only: shape the namespace links with tbf (rate only, no latency) instead of netem,
   * to exercise the namespace plumbing on a kernel without sch_netem.
   */
  kernelShaper?: KernelShaper;
  /**
   * Scheduling priority (nice value) for the run's processes, when the OS allows it (root or
   * CAP_SYS_NICE); undefined leaves them as they are.
   */
  nice?: number;
}

/**
 * Could the kernel's netem shape real mode's links here? Tries it in a throw-away namespace
 * (see probeNetem); cached per process.
 */
export async function netemAvailable(): Promise<boolean> {
  return (await probeNetem()).available;
}

/** Resolve auto/netem/relay; `netem` where it cannot work is a user error naming what is missing (exit 4). */
export async function resolveLink(choice: LinkChoice): Promise<{ link: LinkKind; probe?: NetemProbe }> {
  if (choice === 'relay') return { link: 'relay' };
  const probe = await probeNetem();
  if (probe.available) return { link: 'netem', probe };
  if (choice === 'netem')
    fail(D.flNetemUnavailable, `--link netem: the kernel link is not available here: ${probe.reason}; use --link relay (or auto)`);
  return { link: 'relay', probe };
}

function childArgs(): { script: string; execArgv: string[] } {
  return siblingScript(import.meta.url, 'loopback-child');
}

/** Start a child; with `ns`, inside that network namespace (`ip netns exec` keeps the IPC channel). */
function spawnChild(init: ChildInit, children: ChildProcess[], ns?: string, niceness?: number): ChildProcess {
  const { script, execArgv } = childArgs();
  const child = ns
    ? // A long-lived child with an IPC channel, so not run-tool's runTool; `ip` is found as it finds tools.
      spawn(resolveTool('ip'), ['netns', 'exec', ns, process.execPath, ...execArgv, script], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  if (niceness !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, niceness);
    } catch {
      // not permitted: run at the default priority
    }
  }
  child.send(init);
  return child;
}

const once = <T>(child: ChildProcess, kind: string): Promise<T> =>
  new Promise((res, rej) => {
    const onMsg = (m: { kind: string; message?: string }) => {
      if (m.kind === kind) {
        child.off('message', onMsg);
        res(m as T);
      } else if (m.kind === 'error') rej(new Error(`fl child: ${m.message}`));
    };
    child.on('message', onMsg);
    child.once('exit', (code, signal) =>
      rej(new Error(`fl child ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before '${kind}'`)),
    );
  });

let runCounter = 0;

/** Resolves never; rejects when a child exits before the run is over (its error, or how it ended). */
function childFailure(children: ChildProcess[], what: string): Promise<never> {
  return new Promise<never>((_, rej) => {
    for (const c of children) {
      let message: string | undefined;
      c.on('message', (m: { kind: string; message?: string }) => {
        if (m.kind === 'error') message = m.message;
      });
      c.once('exit', (code, signal) => {
        if (code === 0) return;
        rej(new Error(`fl ${what}: ${message ?? (signal ? `a child was killed by ${signal}` : `a child exited with code ${code}`)}`));
      });
    }
  });
}

/**
 * Run a job for real: the aggregator serves it (`nacc fl serve`'s code) and N local worker
 * processes join it (`nacc fl join`'s code) through the chosen link. The token is made fresh
 * and handed to the children over IPC, never on a command line.
 */
export async function runReal(setup: JobSetup, network: Network, opts: RealOptions = {}): Promise<FlRunResult> {
  const { job, cfg } = setup;
  const N = job.workers;
  const log = opts.log ?? (() => undefined);
  const link: LinkKind = opts.kernelShaper === 'tbf' ? 'netem' : (await resolveLink(opts.link ?? 'auto')).link;
  const children: ChildProcess[] = [];
  const totalRounds = Math.floor(setup.stepsPerWorker / cfg.K);
  const token = newToken();
  const serveInit = { cfg, workers: N, init: setup.init, totalRounds, evalEvery: setup.evalEvery, token, jobs: workerJobs(setup, network) };
  const shape = { latencyMs: job.latencyMs, jitterMs: job.jitterMs ?? 0, bandwidthMbitPerS: job.bandwidthMbitPerS };
  let session: NetnsSession | undefined;
  let closeLocal: () => void = () => undefined;
  const ownPriority = getPriority();
  if (opts.nice !== undefined && link === 'relay') {
    try {
      setPriority(opts.nice);
    } catch {
      // not permitted
    }
  }
  try {
    let end: AggregatorEnd;
    let address: (worker: number) => { host: string; port: number };
    let relayStats: (() => Promise<{ receive: number[]; timerLate: number[] }>) | undefined;
    let describe: string;
    if (link === 'relay') {
      const srv = await startAggregatorServer({ ...serveInit, host: '127.0.0.1' }, (m) => log(`aggregator: ${m}`));
      closeLocal = srv.close;
      end = srv;
      const relay = spawnChild(
        {
          role: 'relay',
          aggregatorPort: srv.port,
          latencyMs: job.latencyMs,
          jitterMs: job.jitterMs ?? 0,
          bandwidthMbitPerS: job.bandwidthMbitPerS,
          seed: job.seed,
        },
        children,
        undefined,
        opts.nice,
      );
      const { port: relayPort } = await once<{ port: number }>(relay, 'ready');
      address = () => ({ host: '127.0.0.1', port: relayPort });
      relayStats = () => {
        const reply = once<{ receive: number[]; timerLate: number[] }>(relay, 'stats');
        relay.send({ kind: 'stats' });
        return reply;
      };
      describe = `relay on 127.0.0.1:${relayPort} -> aggregator on 127.0.0.1:${srv.port}`;
    } else {
      await removeStaleNamespaces();
      const plan = planNetns(namespacePrefix(process.pid, runCounter++), N, shape, opts.kernelShaper ?? 'netem');
      try {
        session = await NetnsSession.create(plan);
      } catch (e) {
        fail(D.flNetemFailed, `could not build the kernel link: ${(e as Error).message}`);
      }
      const aggregator = spawnChild({ role: 'aggregator', ...serveInit, host: '0.0.0.0' }, children, plan.aggregatorNs, opts.nice);
      const ready = once<unknown>(aggregator, 'workers-ready');
      const finished = once<ServerFinish>(aggregator, 'finished');
      // Keep rejections observed until awaited.
      ready.catch(() => undefined);
      finished.catch(() => undefined);
      const { port } = await once<{ port: number }>(aggregator, 'ready');
      end = {
        ready: ready.then(() => undefined),
        calibrate: (at, steps) => {
          const reply = once<{ paces: number[] }>(aggregator, 'calibrated');
          aggregator.send({ kind: 'calibrate', at, steps });
          return reply.then((r) => r.paces);
        },
        start: (at, stepMs) => aggregator.send({ kind: 'start', at, stepMs }),
        finished,
      };
      address = (i) => ({ host: plan.links[i].aggIp, port });
      describe = `aggregator in namespace ${plan.aggregatorNs} on port ${port}; ${N} worker namespaces over veth with ${opts.kernelShaper ?? 'netem'}`;
    }
    log(`${describe}; starting ${N} workers`);
    const workers = Array.from({ length: N }, (_, i) =>
      spawnChild({ role: 'join', ...address(i), token }, children, session ? session.namespaces[i + 1] : undefined, opts.nice),
    );
    // Listen for each worker's end from the start: it may come before the driver is done.
    const joinsDone = Promise.all(workers.map((w) => once(w, 'joined-done').catch(() => undefined)));
    const died = childFailure(children, job.name);
    died.catch(() => undefined);
    const driven = await Promise.race([driveJob(end, setup, log), died]);
    await Promise.race([joinsDone, died]);
    const relay = relayStats ? await relayStats() : undefined;
    return servedResult(
      setup,
      driven,
      {
        transport:
          link === 'relay'
            ? 'tcp loopback via delay relay'
            : `tcp over veth pairs between network namespaces shaped by ${opts.kernelShaper ?? 'netem'}`,
        link: link === 'netem' && opts.kernelShaper === 'tbf' ? 'tbf' : link,
        ...(relay ? { relay } : {}),
      },
      log,
    );
  } finally {
    closeLocal();
    for (const c of children) {
      if (c.connected) c.send({ kind: 'exit' });
    }
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode !== null) return res();
            const timer = setTimeout(() => {
              c.kill('SIGKILL');
              res();
            }, 3000);
            c.once('exit', () => {
              clearTimeout(timer);
              res();
            });
          }),
      ),
    );
    if (opts.nice !== undefined && link === 'relay') {
      try {
        setPriority(ownPriority);
      } catch {
        // cannot go back (lowering a nice value needs the same permission): leave it
      }
    }
    // Only now that no process is left inside them can the namespaces really go.
    await session?.destroy();
  }
}
