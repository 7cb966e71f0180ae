import { describe, expect, it } from 'vitest';
import { Aggregator, FlWorker, correctionRound, type AlgoConfig } from '../../compiler/fl/algorithms.ts';
import { Trainer } from '../../compiler/fl/trainer.ts';
import { makeWorkers, simulate } from '../../compiler/fl/simulator.ts';
import { tinyJob, tinySetup } from './helpers.ts';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function finalModels(job: ReturnType<typeof tinyJob>) {
  let out: { consensus: Float32Array; workers: Float32Array[] } | undefined;
  const result = simulate(tinySetup(job), {
    onFinish: (c, ws) => (out = { consensus: Float32Array.from(c), workers: ws.map((w) => Float32Array.from(w.w)) }),
  });
  return { result, ...out! };
}

describe('DGA schedule', () => {
  const cfg = (K: number, D: number): AlgoConfig => ({ kind: 'dga', K, D, lr: 0.1, momentum: 0, batch: 1 });
  it('applies round t - 1 - floor((D - 1) / K) at the step k = D (mod K)', () => {
    // K = 5, D = 20: k = 5 of round t applies round t - 4, i.e. 20 steps after it ended.
    expect(correctionRound(cfg(5, 20), 5 * 4 + 4)).toBe(0);
    expect(correctionRound(cfg(5, 20), 5 * 4 + 3)).toBe(-1);
    expect(correctionRound(cfg(5, 20), 5 * 3 + 4)).toBe(-1); // round -1 does not exist
    // D = 2: the second step of round t applies round t - 1.
    expect(correctionRound(cfg(5, 2), 5 * 3 + 1)).toBe(2);
    // D = 0: the last step of round t applies round t itself (FedAvg's barrier).
    expect(correctionRound(cfg(5, 0), 5 * 3 + 4)).toBe(3);
    // Every correction happens exactly D steps after its round's last step.
    for (const [K, D] of [
      [5, 20],
      [3, 7],
      [4, 4],
      [1, 3],
      [2, 1],
    ]) {
      for (let s = 0; s < 60; s++) {
        const r = correctionRound(cfg(K, D), s);
        if (r >= 0) expect(s - ((r + 1) * K - 1)).toBe(D);
      }
    }
  });
});

describe('FedAvg and DGA', () => {
  it('DGA with D = 0 reproduces FedAvg bit for bit (any network timing)', () => {
    const fed = finalModels(tinyJob({ kind: 'fedavg', localSteps: 4 }));
    const dga = finalModels(tinyJob({ kind: 'dga', localSteps: 4, delay: 0 }, { latencyMs: 7, jitterMs: 5 }));
    expect(bytes(dga.consensus).equals(bytes(fed.consensus))).toBe(true);
    dga.workers.forEach((w, i) => expect(bytes(w).equals(bytes(fed.workers[i]))).toBe(true));
    expect(dga.result.final_accuracy).toBe(fed.result.final_accuracy);
    expect(dga.result.curve.map((p) => p.accuracy)).toEqual(fed.result.curve.map((p) => p.accuracy));
    // And D > 0 is a different trajectory.
    const d3 = finalModels(tinyJob({ kind: 'dga', localSteps: 4, delay: 3 }));
    expect(bytes(d3.consensus).equals(bytes(fed.consensus))).toBe(false);
  });

  it('DGA arithmetic does not depend on when messages arrive', () => {
    const a = finalModels(tinyJob({ kind: 'dga', localSteps: 3, delay: 7 }, { latencyMs: 1 }));
    const b = finalModels(tinyJob({ kind: 'dga', localSteps: 3, delay: 7 }, { latencyMs: 900, jitterMs: 300, stragglers: 0.5 }));
    expect(bytes(a.consensus).equals(bytes(b.consensus))).toBe(true);
    expect(b.result.total_time_s).toBeGreaterThan(a.result.total_time_s);
  });

  it('the mean of the worker models moves as if every worker applied the average', () => {
    const setup = tinySetup(tinyJob({ kind: 'dga', localSteps: 3, delay: 4 }, { optimizer: { kind: 'sgd', lr: 0.2, momentum: 0.9 } }));
    const workers: FlWorker[] = makeWorkers(setup);
    const agg = new Aggregator(setup.cfg, workers.length, setup.init);
    const trainer = new Trainer(setup.model, setup.cfg.batch);
    const P = setup.init.length;
    const mean = () => {
      const m = new Float64Array(P);
      for (const w of workers) for (let j = 0; j < P; j++) m[j] += w.w[j] / workers.length;
      return m;
    };
    let worstMean = 0;
    let worstWorker = 0;
    let corrections = 0;
    for (let s = 0; s < 30; s++) {
      const before = mean();
      const beforeW = workers.map((w) => Float64Array.from(w.w));
      const dirs: Float64Array[] = [];
      for (const w of workers) {
        const msg = w.compute(trainer);
        dirs.push(Float64Array.from(w.lastDirection));
        if (msg) {
          const avg = agg.receive(msg);
          if (avg) for (const v of workers) v.receiveAverage(msg.round, avg);
        }
      }
      if (workers[0].needs() >= 0) corrections++;
      for (const w of workers) w.apply();
      const after = mean();
      for (let j = 0; j < P; j++) {
        let d = 0;
        for (const dir of dirs) d += dir[j] / workers.length;
        worstMean = Math.max(worstMean, Math.abs(after[j] - before[j] + setup.cfg.lr * d));
        // Individual workers do not follow plain SGD on correction steps.
        workers.forEach((w, i) => (worstWorker = Math.max(worstWorker, Math.abs(w.w[j] - beforeW[i][j] + setup.cfg.lr * dirs[i][j]))));
      }
    }
    expect(corrections).toBeGreaterThan(3);
    expect(worstMean).toBeLessThan(2e-6);
    expect(worstWorker).toBeGreaterThan(1e-3);
  });

  it('local SGD averages models and learns', () => {
    const r = simulate(tinySetup(tinyJob({ kind: 'local_sgd', localSteps: 4 }, { maxSteps: 80 })));
    expect(r.rounds).toBe(20);
    expect(r.final_accuracy).toBeGreaterThan(r.curve[0].accuracy + 0.1);
  });
});

describe('virtual clock', () => {
  it('FedAvg stalls every round for the round trip; DGA with enough delay never stalls', () => {
    const job = { latencyMs: 200, bandwidthMbitPerS: 10 };
    const fed = simulate(tinySetup(tinyJob({ kind: 'fedavg', localSteps: 4 }, job)));
    const dga = simulate(tinySetup(tinyJob({ kind: 'dga', localSteps: 4, delay: 12 }, job)));
    const rounds = 10;
    expect(fed.rounds).toBe(rounds);
    // Round trip = 2 * message_ms per round, paid in full by every worker.
    expect(fed.stall_s).toBeCloseTo((rounds * 2 * fed.message_ms) / 1000, 6);
    expect(fed.total_time_s).toBeCloseTo((40 * 50 + (rounds - 1) * 2 * fed.message_ms + fed.message_ms) / 1000, 6);
    // 2 * message_ms < 12 steps * 50 ms: every average is back before it is needed.
    expect(2 * dga.message_ms).toBeLessThan(12 * 50);
    expect(dga.stall_s).toBe(0);
    expect(dga.total_time_s).toBeCloseTo((40 * 50 + dga.message_ms) / 1000, 6);
    // A short delay stalls for the rest of the round trip.
    const short = simulate(tinySetup(tinyJob({ kind: 'dga', localSteps: 4, delay: 2 }, job)));
    expect(short.stall_s).toBeGreaterThan(0);
    expect(short.stall_s).toBeLessThan(fed.stall_s);
  });

  it('stragglers slow the round, the event log records stalls', () => {
    const base = simulate(tinySetup(tinyJob({ kind: 'fedavg', localSteps: 4 })), { recordEvents: true });
    const slow = simulate(tinySetup(tinyJob({ kind: 'fedavg', localSteps: 4 }, { stragglers: 0.25, stragglerSlowdown: 4 })));
    expect(slow.total_time_s).toBeGreaterThan(base.total_time_s * 2);
    const kinds = new Set(base.events!.map((e) => e.kind));
    for (const k of ['step', 'send', 'arrive', 'average', 'stall', 'eval']) expect(kinds.has(k as never)).toBe(true);
    expect(base.events!.filter((e) => e.kind === 'step').length).toBe(4 * 40);
  });
});

describe('step time sources', () => {
  it('job step_time, else the device speed, else measured on this machine', () => {
    const job = tinyJob({ kind: 'fedavg', localSteps: 2 });
    const byJob = tinySetup(job);
    expect(byJob.stepSource).toBe('job');
    expect(byJob.stepMs).toBe(50);
    const byDevice = tinySetup({ ...job, stepTimeMs: undefined, deviceGflops: 0.5 });
    expect(byDevice.stepSource).toBe('device');
    // forward + backward ~ 3 forward passes of 2 flops per MAC, for the whole batch.
    expect(byDevice.stepMs).toBeCloseTo(((6 * byDevice.model.forwardMacs * job.batch) / 0.5e9) * 1000, 9);
    const slow = tinySetup({ ...job, stragglers: 0.5, stragglerSlowdown: 4 });
    expect([...slow.workerStepMs].sort((a, b) => a - b)).toEqual([50, 50, 200, 200]);
  });
});

describe('Aggregator with a dropped worker (real mode faults)', () => {
  const cfg = { kind: 'dga' as const, K: 2, D: 3, lr: 0.5, momentum: 0, batch: 4 };
  const v = (...xs: number[]) => Float32Array.from(xs);

  it('stops waiting for it: pending rounds complete in order from the messages of those present', () => {
    const agg = new Aggregator(cfg, 3, v(1, 1));
    expect(agg.receive({ worker: 0, round: 0, values: v(2, 4) })).toBeUndefined();
    expect(agg.receive({ worker: 2, round: 0, values: v(4, 8) })).toBeUndefined();
    // DGA runs ahead: round 1 arrives from the two live workers before round 0 is complete.
    expect(agg.receive({ worker: 0, round: 1, values: v(1, 1) })).toBeUndefined();
    expect(agg.receive({ worker: 2, round: 1, values: v(3, 3) })).toBeUndefined();
    const done = agg.drop(1);
    expect(done.map((d) => d.round)).toEqual([0, 1]);
    expect(done[0].mean).toEqual(v(3, 6));
    expect(done[1].mean).toEqual(v(2, 2));
    expect(agg.contributors).toEqual([2, 2]);
    expect(agg.roundsDone).toBe(2);
    // c = 1 - 0.5 * 3 - 0.5 * 2 and 1 - 0.5 * 6 - 0.5 * 2
    expect(agg.consensus).toEqual(v(-1.5, -3));
    // Rejoined: the next round waits for it again.
    agg.readmit(1);
    expect(agg.receive({ worker: 0, round: 2, values: v(1, 1) })).toBeUndefined();
    expect(agg.receive({ worker: 2, round: 2, values: v(1, 1) })).toBeUndefined();
    expect(agg.receive({ worker: 1, round: 2, values: v(4, 4) })).toEqual(v(2, 2));
    expect(agg.contributors).toEqual([2, 2, 3]);
  });

  it('a worker starting at a later round treats the rounds before as applied', () => {
    const data = { features: 1, classes: 2, count: 4, x: v(0, 1, 2, 3), y: Int32Array.from([0, 1, 0, 1]) };
    const w = new FlWorker(0, cfg, v(0, 0), data, Int32Array.from([0, 1, 2, 3]), 1, 5);
    expect(w.step).toBe(10);
    expect(w.round).toBe(5);
    // DGA(2, 3) at step 10 applies round 3's average, at step 12 round 4's: both already in its consensus.
    expect(correctionRound(cfg, 10)).toBe(3);
    expect(w.needs()).toBe(-1);
    w.step = 12;
    expect(w.needs()).toBe(-1);
    w.step = 14;
    expect(w.needs()).toBe(5);
  });
});
