// Demo: federated training of examples/federated.nacc — FedAvg against DGA on the virtual
// clock (speedup to target accuracy, final accuracy), then DGA for real over loopback
// sockets checked against the simulator (same accuracy, time to target within 15%).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgram } from '../../frontend/index.ts';
import { findJob, prepareJob, speedupOf } from '../../fl/run.ts';
import { simulate } from '../../fl/simulator.ts';
import { resolveLink, runReal } from '../../fl/loopback.ts';
import { flPlotSvg, flSection } from '../fl.ts';
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
    ctx.log(`simulating digits_fedavg and digits_dga: ${fedSetup.data.description}, ${fedSetup.job.workers} workers, latency ${fedSetup.job.latencyMs} ms`);
    const fed = simulate(fedSetup);
    const dga = simulate(dgaSetup);
    const speedup = speedupOf(fed, dga);
    const accGap = (fed.final_accuracy - dga.final_accuracy) * 100;
    ctx.log(`fedavg: ${(fed.final_accuracy * 100).toFixed(1)}%, target at ${fed.time_to_target_s?.toFixed(1)} s; dga: ${(dga.final_accuracy * 100).toFixed(1)}%, target at ${dga.time_to_target_s?.toFixed(1)} s`);
    if (speedup === null) problems.push('a job missed the target accuracy');
    else if (speedup < 2.55) problems.push(`speedup ${speedup.toFixed(2)}x < 2.55x`);
    if (accGap > 1) problems.push(`DGA final accuracy ${accGap.toFixed(2)} points below FedAvg`);
    const simPlot = join(out, 'digits-fedavg-vs-dga.svg');
    writeFileSync(simPlot, await flPlotSvg([fed, dga], 'digits_mlp'));
    writeReportSection(out, 'fl', flSection([fed, dga], 'digits_mlp'));

    const quick = prepareJob({ program }, findJob(program, 'quick_dga'));
    const { link } = await resolveLink('auto');
    ctx.log(`quick_dga for real: ${quick.job.workers} worker processes over the ${link === 'netem' ? "kernel's netem (veth pairs between network namespaces)" : 'loopback delay relay'}`);
    const qSim = simulate(quick);
    const net = program.networks.find((n) => n.name === quick.job.network)!;
    const qReal = await runReal(quick, net, { link, log: ctx.log });
    const realPlot = join(out, 'quick-dga-sim-vs-real.svg');
    writeFileSync(realPlot, await flPlotSvg([qSim, qReal], 'digits_mlp'));
    if (qReal.final_accuracy !== qSim.final_accuracy) problems.push('real run accuracy differs from the simulator');
    let agreement = NaN;
    if (qReal.time_to_target_s !== null && qSim.time_to_target_s !== null) {
      agreement = Math.abs(qReal.time_to_target_s - qSim.time_to_target_s) / qSim.time_to_target_s;
      if (agreement > 0.15) problems.push(`real time to target ${qReal.time_to_target_s.toFixed(2)} s vs simulated ${qSim.time_to_target_s.toFixed(2)} s`);
    } else problems.push('quick_dga missed its target');
    const summary =
      `DGA ${speedup === null ? 'n/a' : speedup.toFixed(2) + 'x'} sooner to ${((fed.target_accuracy ?? 0) * 100).toFixed(0)}%, ` +
      `acc ${(fed.final_accuracy * 100).toFixed(1)}/${(dga.final_accuracy * 100).toFixed(1)}%; ` +
      `real (${link}) vs sim ${Number.isNaN(agreement) ? 'n/a' : (agreement * 100).toFixed(1) + '%'}` +
      (problems.length ? `; FAILED: ${problems.join('; ')}` : '');
    return { status: problems.length ? 'failed' : 'ok', summary, artifacts: [simPlot, realPlot] };
  },
};
