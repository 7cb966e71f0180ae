// `nacc fl FILE --job J [--real]` and `nacc fl FILE --compare J1,J2`: federated training of a
// .nacc job with FedAvg / DGA / local SGD on the virtual clock or over loopback sockets, with
// a JSON summary and an SVG plot of accuracy against (virtual) time.
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';
import { loadProgram } from '../frontend/index.ts';
import { findJob, latencySweep, prepareJob, speedupOf, type SweepRow } from '../fl/run.ts';
import { simulate, type FlRunResult, type JobSetup } from '../fl/simulator.ts';
import { resolveLink, runReal, type LinkChoice } from '../fl/loopback.ts';
import { writeReportSection } from '../report/index.ts';
import { createProgress } from './progress.ts';
import { formatTable } from './table.ts';
import { invocation, nextStep } from './options.ts';
import { writeRunManifest } from '../report/run-manifest.ts';
import { dataFileReader, flPlotSvg, flSection, jobJson, jobOverrides, nonNegative, type FlOptions } from './fl-output.ts';
import { shellWord } from '../util/names.ts';

export function registerFl(program: Command): void {
  const fl = program
    .command('fl <file>')
    .description('federated training of a .nacc job (FedAvg, DGA, local SGD) on a virtual clock or over loopback sockets')
    .option('--job <name>', 'run one federated job')
    .option('--compare <names>', 'run several jobs (comma-separated) and compare time to target accuracy')
    .option('--real', 'run worker processes and an aggregator over TCP through a shaped link (wall-clock time)')
    .option(
      '--link <kind>',
      'with --real: auto (netem when the kernel has it, else relay), netem (kernel qdisc on veth links between network namespaces) or relay (userspace delay relay on loopback)',
    )
    .option('--workers <n>', 'number of workers (overrides the job; the data is partitioned across them)')
    .option('--json', 'print JSON: {"jobs":[{"name","final_accuracy","time_to_target_s","rounds",...}],"speedup"}')
    .option('--max-steps <n>', 'local steps per worker (overrides the job)')
    .option('--latency <ms>', 'one-way latency in ms (overrides the job)')
    .option('--partition <p>', 'data partition: iid, dirichlet(ALPHA), shards(N) (overrides the job)')
    .option('--samples <n>', 'training samples (overrides the job)')
    .option('--seed <n>', "the jobs' seed: data sample and partition, initial model, batch order, jitter (overrides the job)")
    .option(
      '--order-seed <n>',
      "seed of the workers' minibatch order alone (data, partition and initial model stay the job's): replicates that differ only in it show a job's run-to-run spread",
    )
    .option(
      '--sweep-latency <list>',
      'with --compare: speedup of the second job over the first at each one-way latency (ms), e.g. 1,10,100,500,1000',
    )
    .option('--plot <file.svg>', 'also write the accuracy-vs-time plot to this file')
    .option(
      '--out <dir>',
      'output folder: the report section (fl-training), the plot and the results (nothing is written without --out or --plot)',
    )
    .option('--events <file.json>', 'write the event log (simulated runs)');
  // `fl serve` / `fl join`: the options above (--job, --json, --workers, ...) are fl's and are
  // read from the parent; serve.ts/join.ts load only when one of the two is named.
  fl.command('serve <file>')
    .description(
      'run the aggregator of a job for workers on other machines: nacc fl serve FILE --job J --listen HOST:PORT --token-file T [--json]',
    )
    .requiredOption('--listen <host:port>', 'address to listen on (port 0: any free port, printed on stderr)')
    .requiredOption('--token-file <path>', "where to write the job's fresh token (mode 0600); give it to each worker's join")
    .option('--drop-after <ms>', 'drop a started worker silent for this long (default 30000)')
    .option('--checkpoint <file>', 'save the job after every averaged round; if FILE exists, resume from it')
    .action(async (file: string, sub: { listen: string; tokenFile: string; dropAfter?: string; checkpoint?: string }, cmd: Command) => {
      const { serveCommand } = await import('./fl-serve.ts');
      await serveCommand(file, { ...(cmd.parent!.opts() as FlOptions), ...sub });
    });
  fl.command('join <address>')
    .description('run one worker of a served job: nacc fl join HOST:PORT --token-file T')
    .requiredOption('--token-file <path>', "the job's token file, as written by nacc fl serve")
    .action(async (address: string, sub: { tokenFile: string }) => {
      const { joinCommand } = await import('./fl-serve.ts');
      await joinCommand(address, sub.tokenFile);
    });
  fl.action(async (file: string, opts: FlOptions) => {
    if (!opts.job === !opts.compare) fail(D.flUsage, 'give exactly one of --job NAME or --compare J1,J2');
    if (opts.sweepLatency && !opts.compare) fail(D.flUsage, '--sweep-latency needs --compare J1,J2');
    if (opts.sweepLatency && opts.real) fail(D.flUsage, '--sweep-latency runs on the virtual clock; drop --real');
    if (opts.link !== undefined && !['auto', 'netem', 'relay'].includes(opts.link))
      fail(D.flUsage, `--link must be auto, netem or relay, got '${opts.link}'`);
    if (opts.link !== undefined && !opts.real) fail(D.flUsage, '--link chooses the link of --real runs; add --real');
    const path = resolve(file);
    const program = loadProgram(path);
    const names = (opts.job ? [opts.job] : opts.compare!.split(',')).map((s) => s.trim()).filter(Boolean);
    if (opts.compare && names.length < 2) fail(D.flUsage, '--compare needs at least two job names');
    const overrides = jobOverrides(opts);
    const readText = dataFileReader(path);
    const jobs = names.map((n) => findJob(program, n));
    // Decide the link before any work: --link netem where it cannot work fails here (exit 4).
    const linked = opts.real ? await resolveLink((opts.link ?? 'auto') as LinkChoice) : undefined;
    const progress = (m: string) => {
      if (!opts.json || process.stderr.isTTY) process.stderr.write(`${m}\n`);
    };
    const setups: JobSetup[] = [];
    const results: FlRunResult[] = [];
    for (const job of jobs) {
      const setup = prepareJob({ program, readText }, job, overrides);
      setups.push(setup);
      const net = program.networks.find((n) => n.name === setup.job.network)!;
      progress(
        `fl: ${job.name}: ${setup.data.description}; ${setup.job.workers} workers, ${setup.stepsPerWorker} steps each, ${linked ? `real over the ${linked.link} link` : 'simulated'}`,
      );
      const t0 = performance.now();
      let r: FlRunResult;
      if (linked) r = await runReal(setup, net, { link: linked.link, log: (m) => progress(`  ${m}`) });
      else {
        const bar = createProgress({ label: `fl ${job.name}`, total: 0, json: opts.json });
        try {
          r = simulate(setup, {
            recordEvents: Boolean(opts.events),
            onAverage: (done, total) => (bar.setTotal(total), bar.update(done, `round ${done}/${total}`)),
          });
        } finally {
          bar.stop();
        }
      }
      progress(
        `fl: ${job.name}: final accuracy ${(r.final_accuracy * 100).toFixed(1)}%, ${r.rounds} rounds, ${((performance.now() - t0) / 1000).toFixed(1)} s of compute`,
      );
      results.push(r);
    }
    const speedup = results.length >= 2 ? speedupOf(results[0], results[1]) : null;
    const sweep: SweepRow[] | undefined = opts.sweepLatency
      ? latencySweep(
          setups,
          results,
          opts.sweepLatency.split(',').map((s) => nonNegative(s.trim(), '--sweep-latency')!),
        )
      : undefined;

    const stem = basename(path).replace(/\.nacc$/, '');
    const runName = `${stem}-${names.join('-vs-')}${opts.real ? '-real' : ''}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const netName = [...new Set(setups.map((s) => s.job.network))].join(', ');
    // Files only where asked: --plot FILE, and/or the --out folder (section + plot).
    const plotFile = opts.plot ? resolve(opts.plot) : opts.out ? resolve(opts.out, `${runName}.svg`) : null;
    if (plotFile) {
      mkdirSync(dirname(plotFile), { recursive: true });
      writeFileSync(plotFile, await flPlotSvg(results, netName));
    }
    if (opts.out) {
      writeReportSection(
        resolve(opts.out),
        `fl-${names.join('-vs-')}${opts.real ? '-real' : ''}`.replace(/[^A-Za-z0-9._-]/g, '_'),
        flSection(results, netName),
      );
      writeRunManifest(resolve(opts.out), {
        kind: 'fl',
        title: `Federated training: ${names.join(' vs ')} (${opts.real ? 'real, wall-clock time' : 'simulated clock'})`,
        command: invocation(),
      });
    }
    if (opts.events) {
      mkdirSync(dirname(resolve(opts.events)), { recursive: true });
      writeFileSync(resolve(opts.events), JSON.stringify(results.map((r) => ({ name: r.name, events: r.events ?? [] }))) + '\n');
    }
    const netem = linked ? (linked.probe?.available ?? (await resolveLink('auto')).link === 'netem') : undefined;

    if (opts.json) {
      process.stdout.write(
        JSON.stringify(
          {
            file: path,
            mode: opts.real ? 'real' : 'simulated',
            ...(netem !== undefined ? { netem_available: netem } : {}),
            ...(linked ? { link: linked.link } : {}),
            jobs: results.map(jobJson),
            speedup,
            ...(sweep ? { latency_sweep: sweep } : {}),
            plot: plotFile,
          },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    const fmtT = (t: number | null) => (t === null ? 'not reached' : `${t.toFixed(1)} s`);
    process.stdout.write(
      formatTable(
        ['job', 'algorithm', 'mode', 'final acc', 'time to target', 'rounds', 'total time', 'stall/worker'],
        results.map((r) => [
          r.name,
          r.algorithm,
          r.mode,
          `${(r.final_accuracy * 100).toFixed(2)}%`,
          r.target_accuracy === null ? 'no target' : fmtT(r.time_to_target_s),
          r.rounds,
          `${r.total_time_s.toFixed(1)} s`,
          `${r.stall_s.toFixed(1)} s`,
        ]),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      ) + '\n',
    );
    if (results.length >= 2) {
      const tgt = results[0].target_accuracy;
      process.stdout.write(
        speedup === null
          ? `speedup: n/a (a job did not reach the target accuracy${tgt !== null ? ` ${(tgt * 100).toFixed(0)}%` : ''})\n`
          : `speedup of ${results[1].name} over ${results[0].name} to ${((tgt ?? 0) * 100).toFixed(0)}% accuracy: ${speedup.toFixed(2)}x\n`,
      );
    }
    if (sweep) {
      process.stdout.write(
        '\n' +
          formatTable(
            ['latency', ...results.map((r) => `${r.name} to target`), 'speedup'],
            sweep.map((row) => [
              `${row.latency_ms} ms`,
              ...row.jobs.map((j) => fmtT(j.time_to_target_s)),
              row.speedup === null ? 'n/a' : `${row.speedup.toFixed(2)}x`,
            ]),
            ['r', ...results.map(() => 'r' as const), 'r'],
          ) +
          '\n',
      );
    }
    if (linked) {
      const why =
        linked.probe && !linked.probe.available
          ? ` (kernel netem not available here: ${linked.probe.reason})`
          : netem
            ? ' (kernel netem available here)'
            : '';
      process.stdout.write(
        linked.link === 'relay'
          ? `transport: TCP loopback through the delay relay${why}\n`
          : "transport: TCP over veth pairs between network namespaces, shaped by the kernel's netem\n",
      );
    }
    if (plotFile) process.stdout.write(`plot: ${plotFile}\n`);
    if (opts.out) nextStep(`nacc report ${shellWord(opts.out)}`);
  });
}
