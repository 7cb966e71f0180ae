import { describe, expect, it } from 'vitest';
import { runReal } from '../../compiler/fl/loopback.ts';
import { measureStepMs, retime, setupJob, simulate } from '../../compiler/fl/simulator.ts';
import { prepareData } from '../../compiler/fl/data.ts';
import { compileModel } from '../../compiler/fl/trainer.ts';
import { tinyJob, tinyNet, tinySetup } from './helpers.ts';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { decodeFrame, encodeFrame, onRawFrames } from '../../compiler/fl/frames.ts';
import { Prng } from '../../compiler/util/prng.ts';

describe('frames', () => {
  it('reassemble from any chunking', () => {
    const a = Float32Array.from({ length: 3000 }, (_, i) => i * 0.5);
    const wire = Buffer.concat([encodeFrame(2, 7, 11, a), encodeFrame(1, 3, 0), encodeFrame(3, 0, 12, a.subarray(0, 5))]);
    const rng = new Prng(5);
    for (let trial = 0; trial < 20; trial++) {
      const sock = new EventEmitter();
      const got: ReturnType<typeof decodeFrame>[] = [];
      onRawFrames(sock as unknown as Socket, (raw) => got.push(decodeFrame(raw)));
      for (let at = 0; at < wire.length;) {
        const n = 1 + rng.int(trial < 10 ? 7 : 5000);
        sock.emit('data', wire.subarray(at, at + n));
        at += n;
      }
      expect(got.map((f) => [f.type, f.worker, f.round, f.payload.length])).toEqual([
        [2, 7, 11, 3000],
        [1, 3, 0, 0],
        [3, 0, 12, 5],
      ]);
      expect(got[0].payload).toEqual(a);
    }
  });
});

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
  it("runs worker processes through the delay relay with the simulator's arithmetic", async () => {
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
      // Every round sum is accounted once per hop (6 rounds x 3 workers); a worker counts the
      // averages it read before its last step (FedAvg needs all 6; DGA(3, 4) rounds 0-3 only),
      // and the relay may not have passed on the last averages when the run ends.
      const o = real.overheads!;
      expect(real.link).toBe('relay');
      expect(o.worker_send_late.count).toBe(18);
      expect(o.aggregator_receive.count).toBe(18);
      expect(o.worker_receive.count).toBeGreaterThanOrEqual(alg.kind === 'fedavg' ? 18 : 12);
      expect(o.worker_receive.count).toBeLessThanOrEqual(18);
      for (const k of ['relay_receive', 'relay_timer_late']) {
        expect(o[k].count).toBeGreaterThanOrEqual(18 + o.worker_receive.count);
        expect(o[k].count).toBeLessThanOrEqual(36);
      }
      for (const d of Object.values(o)) expect(d.max_ms).toBeGreaterThanOrEqual(d.p95_ms);
    }
  });

  it('a measured step time is re-measured with every worker process at once', async () => {
    const job = tinyJob(
      { kind: 'fedavg', localSteps: 3 },
      { workers: 3, maxSteps: 9, stepTimeMs: undefined, latencyMs: 5, bandwidthMbitPerS: 100 },
    );
    const data = prepareData(job.data, job.workers, job.seed);
    const setup = setupJob(job, tinyNet, data, { measureStepMs: () => measureStepMs(compileModel(tinyNet), data, job.batch) });
    expect(setup.stepSource).toBe('measured');
    const real = await runReal(setup, tinyNet);
    expect(real.step_time_source).toBe('measured');
    expect(real.step_time_ms).toBeGreaterThanOrEqual(setup.stepMs);
    expect(real.final_accuracy).toBe(simulate(setup).final_accuracy);
    // 9 steps at no less than the re-measured step time each.
    expect(real.total_time_s * 1000).toBeGreaterThanOrEqual(9 * real.step_time_ms);
  });
});
