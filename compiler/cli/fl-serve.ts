// `nacc fl serve FILE --job J --listen HOST:PORT --token-file T [--json]` and `nacc fl join
// HOST:PORT --token-file T`: a federated job's aggregator and its workers on different machines.
// Loaded only when `fl serve` or `fl join` is named (see fl.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';
import { loadProgram } from '../frontend/index.ts';
import { startAggregatorServer } from '../fl/aggregator-server.ts';
import { decodeCheckpoint, encodeCheckpoint, jobFingerprint, type CheckpointState } from '../fl/checkpoint.ts';
import { JoinError, joinJob } from '../fl/join.ts';
import { findJob, prepareJob } from '../fl/run.ts';
import { driveJob, servedResult, workerJobs } from '../fl/serve.ts';
import { newToken, readTokenFile, writeTokenFile } from '../fl/token.ts';
import { dataFileReader, flPlotSvg, jobJson, jobOverrides, positiveInt, type FlOptions } from './fl-output.ts';

/** `HOST:PORT`, `[v6]:PORT`; port 0 only where `zeroOk` (listening on any free port). */
export function parseAddress(text: string, flag: string, zeroOk: boolean): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535 || (port === 0 && !zeroOk))
    fail(D.flHostPort, `${flag} needs HOST:PORT (e.g. 0.0.0.0:7070${zeroOk ? ', port 0 for any free port' : ''}), got '${text}'`);
  return { host: m[1] ?? m[2], port };
}

const stderr = (m: string) => process.stderr.write(`${m}\n`);

export async function serveCommand(
  file: string,
  opts: FlOptions & { listen: string; tokenFile: string; dropAfter?: string; checkpoint?: string },
): Promise<void> {
  if (!opts.job) fail(D.flUsage, 'nacc fl serve needs --job NAME');
  if (opts.compare || opts.real || opts.sweepLatency)
    fail(D.flUsage, 'nacc fl serve runs one job: drop --compare, --real and --sweep-latency');
  const { host, port } = parseAddress(opts.listen, '--listen', true);
  const dropAfterMs = positiveInt(opts.dropAfter, '--drop-after');
  const path = resolve(file);
  const program = loadProgram(path);
  const job = findJob(program, opts.job);
  const readText = dataFileReader(path);
  const setup = prepareJob({ program, readText }, job, jobOverrides(opts));
  const network = program.networks.find((n) => n.name === setup.job.network)!;
  const totalRounds = Math.floor(setup.stepsPerWorker / setup.cfg.K);
  const fingerprint = jobFingerprint(setup);
  const checkpoint = opts.checkpoint ? resolve(opts.checkpoint) : undefined;
  const resume =
    checkpoint && existsSync(checkpoint)
      ? decodeCheckpoint(readFileSync(checkpoint), fingerprint, setup.init.length, checkpoint)
      : undefined;
  if (resume && resume.roundsDone >= totalRounds)
    fail(
      D.flCheckpointFinished,
      `${checkpoint}: the checkpoint holds the finished job (${resume.roundsDone} rounds); remove it to run the job again`,
    );
  if (resume) stderr(`fl serve: resuming ${setup.job.name} from ${checkpoint} after round ${resume.roundsDone}`);
  // Written after every averaged round, by rename, so a crash leaves the previous one whole.
  const save = checkpoint
    ? (state: CheckpointState) => {
        writeFileSync(`${checkpoint}.tmp`, encodeCheckpoint(state));
        renameSync(`${checkpoint}.tmp`, checkpoint);
      }
    : undefined;
  const token = newToken();
  writeTokenFile(resolve(opts.tokenFile), token);
  const N = setup.job.workers;
  let srv;
  try {
    srv = await startAggregatorServer(
      {
        cfg: setup.cfg,
        workers: N,
        init: setup.init,
        totalRounds,
        evalEvery: setup.evalEvery,
        host,
        port,
        token,
        jobs: workerJobs(setup, network),
        dropAfterMs,
        resume,
        fingerprint,
      },
      (m) => stderr(`fl serve: ${m}`),
      save,
    );
  } catch (e) {
    fail(D.flListen, `cannot listen on ${opts.listen}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Where to connect is what a user needs from a server, with or without --json.
  stderr(
    `fl serve: ${setup.job.name}: listening on ${host.includes(':') ? `[${host}]` : host}:${srv.port}; waiting for ${N} workers (nacc fl join HOST:${srv.port} --token-file ${opts.tokenFile})`,
  );
  let result;
  try {
    const driven = await driveJob(srv, setup, (m) => stderr(`fl serve: ${m}`));
    result = servedResult(
      setup,
      driven,
      {
        transport: `tcp, workers joined with nacc fl join on port ${srv.port}`,
        link: 'direct',
        ...(resume ? { resumed: { from_round: resume.roundsDone, checkpoint: checkpoint! } } : {}),
      },
      (m) => stderr(`fl serve: ${m}`),
    );
  } catch (e) {
    fail(D.flJobFailed, `job '${setup.job.name}' could not finish: ${(e as Error).message}`);
  } finally {
    srv.close();
  }
  let plot: string | undefined;
  if (opts.plot) {
    plot = resolve(opts.plot);
    mkdirSync(dirname(plot), { recursive: true });
    writeFileSync(plot, await flPlotSvg([result], setup.job.network));
  }
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        { file: path, mode: 'real', link: 'direct', jobs: [jobJson(result)], speedup: null, ...(plot ? { plot } : {}) },
        null,
        2,
      ) + '\n',
    );
  } else {
    const dropped = result.dropped?.length ? `; dropped ${result.dropped.map((d) => `worker ${d.worker} (${d.reason})`).join(', ')}` : '';
    process.stdout.write(
      `${result.name}: final accuracy ${(result.final_accuracy * 100).toFixed(2)}%, ${result.rounds} rounds in ${result.total_time_s.toFixed(1)} s${dropped}\n`,
    );
  }
}

export async function joinCommand(address: string, tokenFile: string): Promise<void> {
  const { host, port } = parseAddress(address, 'nacc fl join', false);
  const token = readTokenFile(resolve(tokenFile));
  try {
    const done = await joinJob({ host, port, token, log: (m) => stderr(`fl join: ${m}`) });
    stderr(`fl join: worker ${done.id} ran its ${done.steps} steps (stalled ${(done.stallMs / 1000).toFixed(1)} s)`);
  } catch (e) {
    if (e instanceof JoinError) fail(D.flJoin, e.message);
    throw e;
  }
}
