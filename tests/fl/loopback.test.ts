import { describe, expect, it } from 'vitest';
import { runReal } from '../../compiler/fl/loopback.ts';
import { retime, simulate } from '../../compiler/fl/simulator.ts';
import { tinyJob, tinyNet, tinySetup } from './helpers.ts';

describe('re-timing a trained run', () => {
  it('equals simulating the job under the new latency', () => {
    const job = tinyJob({ kind: 'dga', localSteps: 4, delay: 5 }, { latencyMs: 40 });
    const trained = simulate(tinySetup(job));
    const slow = { ...job, latencyMs: 700, jitterMs: 0 };
    const direct = simulate(tinySetup(slow));
    const re = retime(trained, simulate(tinySetup(slow), { timingOnly: true }));
    expect(re.curve).toEqual(direct.curve);
    expect(re.time_to_target_s).toBe(direct.time_to_target_s);
    expect(re.total_time_s).toBe(direct.total_time_s);
    expect(re.stall_s).toBe(direct.stall_s);
  });
});

describe('loopback transport', () => {
  it('runs worker processes through the delay relay with the simulator\'s arithmetic', async () => {
    for (const alg of [{ kind: 'fedavg', localSteps: 3 } as const, { kind: 'dga', localSteps: 3, delay: 4 } as const]) {
      const job = tinyJob(alg, { workers: 3, maxSteps: 18, stepTimeMs: 15, latencyMs: 40, bandwidthMbitPerS: 50 });
      const setup = tinySetup(job);
      const sim = simulate(setup);
      const real = await runReal(setup, tinyNet);
      expect(real.mode).toBe('real');
      expect(real.rounds).toBe(6);
      // Same schedule and arithmetic: the same models, whatever the wall clock did.
      expect(real.final_accuracy).toBe(sim.final_accuracy);
      expect(real.curve.map((p) => p.accuracy)).toEqual(sim.curve.map((p) => p.accuracy));
      // Wall-clock time includes at least the compute time of every step.
      expect(real.total_time_s).toBeGreaterThan((18 * 15) / 1000);
      if (alg.kind === 'fedavg') expect(real.stall_s).toBeGreaterThan(0);
    }
  });
});
