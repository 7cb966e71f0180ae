// Demo: federated training of examples/federated.nacc — FedAvg against DGA on the virtual
// clock (speedup to target accuracy, final accuracy), then DGA for real over loopback
// sockets checked against the simulator (same accuracies, rounds and messages; the wall-clock
// ratio is reported with the load average, never judged: the host may be busy).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgram } from '../../frontend/index.ts';
import { findJob, prepareJob, speedupOf } from '../../fl/run.ts';
import { simulate } from '../../fl/simulator.ts';
import { resolveLink, runReal } from '../../fl/loopback.ts';
import { compareRealToSimulated } from '../../fl/agreement.ts';
import { flPlotSvg, flSection } from '../fl-output.ts';
import { writeReportSection } from '../../report/index.ts';
import type { DemoStep } from './step.ts';

export const flStep: DemoStep = {
  name: 'fl',
  async run(ctx) {
    const file = join(ctx.examplesDir, 'federated.nacc');
    const program = loadProgram(file);
    const out = join(ctx.outDir, 'fl');
    mkdirSync(out, { recursive: true });
    const problems: string[] = [];

    const [fedSetup, dgaSetup] = ['digits_fedavg', 'digits_dga'].map((n) => prepareJob({ program }, findJob(program, n)));
    ctx.log(
      `simulating digits_fedavg and digits_dga: ${fedSetup.data.description}, ${fedSetup.job.workers} workers, latency ${fedSetup.job.latencyMs} ms`,
    );
    const fed = simulate(fedSetup);
    const dga = simulate(dgaSetup);
    const speedup = speedupOf(fed, dga);
    const accGap = (fed.final_accuracy - dga.final_accuracy) * 100;
    ctx.log(
      `fedavg: ${(fed.final_accuracy * 100).toFixed(1)}%, target at ${fed.time_to_target_s?.toFixed(1)} s; dga: ${(dga.final_accuracy * 100).toFixed(1)}%, target at ${dga.time_to_target_s?.toFixed(1)} s`,
    );
    if (speedup === null) problems.push('a job missed the target accuracy');
    else if (speedup < 2.55) problems.push(`speedup ${speedup.toFixed(2)}x < 2.55x`);
    if (accGap > 1) problems.push(`DGA final accuracy ${accGap.toFixed(2)} points below FedAvg`);
    const simPlot = join(out, 'digits-fedavg-vs-dga.svg');
    writeFileSync(simPlot, await flPlotSvg([fed, dga], 'digits_mlp'));
    writeReportSection(out, 'fl', flSection([fed, dga], 'digits_mlp'));

    const quick = prepareJob({ program }, findJob(program, 'quick_dga'));
    const { link } = await resolveLink('auto');
    ctx.log(
      `quick_dga for real: ${quick.job.workers} worker processes over the ${link === 'netem' ? "kernel's netem (veth pairs between network namespaces)" : 'loopback delay relay'}`,
    );
    const qSim = simulate(quick);
    const net = program.networks.find((n) => n.name === quick.job.network)!;
    const qReal = await runReal(quick, net, { link, log: ctx.log });
    const realPlot = join(out, 'quick-dga-sim-vs-real.svg');
    writeFileSync(realPlot, await flPlotSvg([qSim, qReal], 'digits_mlp'));
    // The real run must compute what the simulation computed; its wall clock depends on the
    // host's load, so the time ratio is reported (with the load average), never judged.
    const agreement = compareRealToSimulated(qSim, qReal);
    for (const m of agreement.mismatches) problems.push(`real run differs from the simulator: ${m}`);
    if (qSim.time_to_target_s === null) problems.push('quick_dga missed its target in simulation');
    const ratio = agreement.time_ratio === null ? 'n/a' : `${agreement.time_ratio.toFixed(2)}x`;
    ctx.log(
      `real/simulated ${agreement.time_basis.replace(/_/g, ' ')}: ${ratio} at load average ${agreement.load_average.map((l) => l.toFixed(2)).join(' ')} (reported, not judged)`,
    );
    const summary =
      `DGA ${speedup === null ? 'n/a' : speedup.toFixed(2) + 'x'} sooner to ${((fed.target_accuracy ?? 0) * 100).toFixed(0)}%, ` +
      `acc ${(fed.final_accuracy * 100).toFixed(1)}/${(dga.final_accuracy * 100).toFixed(1)}%; ` +
      `real (${link}) ${agreement.agree ? 'agrees with' : 'DIFFERS from'} sim, ${ratio} its time (load ${agreement.load_average[0].toFixed(1)})` +
      (problems.length ? `; FAILED: ${problems.join('; ')}` : '');
    return { status: problems.length ? 'failed' : 'ok', summary, artifacts: [simPlot, realPlot] };
  },
};
