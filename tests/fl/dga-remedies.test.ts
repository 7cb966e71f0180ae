// DGA's options against staleness (issue 20 item 4): synchronous warm-up rounds, the lr
// schedule (warm-up, cosine decay) and the local weight; each keeps the consensus exact.
import { describe, expect, it } from 'vitest';
import { Aggregator, FlWorker, correctionRound, lrScale, type AlgoConfig } from '../../compiler/fl/algorithms.ts';
import { Trainer } from '../../compiler/fl/trainer.ts';
import { Evaluator, makeWorkers, simulate } from '../../compiler/fl/simulator.ts';
import { runReal } from '../../compiler/fl/loopback.ts';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointState } from '../../compiler/fl/checkpoint.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import type { FlAlgorithm } from '../../compiler/ir/targets.ts';
import { tinyJob, tinyNet, tinySetup } from './helpers.ts';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function finalConsensus(job: ReturnType<typeof tinyJob>) {
  let c: Float32Array | undefined;
  const result = simulate(tinySetup(job), { onFinish: (x) => (c = Float32Array.from(x)) });
  return { result, consensus: c! };
}

describe('DGA warm-up rounds', () => {
  const cfg = (K: number, D: number, syncRounds: number): AlgoConfig => ({ kind: 'dga', K, D, lr: 0.1, momentum: 0, batch: 1, syncRounds });
  it('averages the first rounds at their own end, then applies each later round D steps after it', () => {
    const c = cfg(5, 20, 3);
    for (let s = 0; s < 15; s++) expect(correctionRound(c, s)).toBe(s % 5 === 4 ? Math.floor(s / 5) : -1);
    // Rounds 3..6 end the delay's first rounds; their averages come D steps later, from round 7 on.
    for (let s = 15; s < 35; s++) expect(correctionRound(c, s)).toBe(-1);
    for (let s = 35; s < 80; s++) {
      const r = correctionRound(c, s);
      if (s % 5 === 4) expect(r).toBe(Math.floor(s / 5) - 4);
      else expect(r).toBe(-1);
    }
  });

  it('equals FedAvg bit for bit while every round is a warm-up round', () => {
    const fed = finalConsensus(tinyJob({ kind: 'fedavg', localSteps: 4 }));
    const warm = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 12, syncRounds: 10 }, { latencyMs: 30 }));
    expect(bytes(warm.consensus).equals(bytes(fed.consensus))).toBe(true);
    const some = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 12, syncRounds: 3 }));
    expect(bytes(some.consensus).equals(bytes(fed.consensus))).toBe(false);
  });
});

describe('DGA cool-down rounds', () => {
  const cfg = (K: number, D: number, rounds: number, finalSyncRounds: number): AlgoConfig => ({
    kind: 'dga',
    K,
    D,
    lr: 0.1,
    momentum: 0,
    batch: 1,
    finalSyncRounds,
    totalRounds: rounds,
  });
  it('applies the rounds in flight one per step once finished, then every round at its own end', () => {
    // K 5, D 20, 12 rounds, the last 4 synchronous (from round 8, step 40).
    const c = cfg(5, 20, 12, 4);
    const plain = { ...c, finalSyncRounds: undefined, totalRounds: undefined };
    for (let s = 0; s < 40; s++) expect(correctionRound(c, s)).toBe(correctionRound(plain, s));
    // Round 3 was applied at step 39; rounds 4..7 are in flight and round 8 ends at step 44.
    expect([40, 41, 42, 43, 44].map((s) => correctionRound(c, s))).toEqual([4, 5, 6, 7, 8]);
    for (let s = 45; s < 60; s++) expect(correctionRound(c, s)).toBe(s % 5 === 4 ? Math.floor(s / 5) : -1);
    // More rounds in flight than steps in a round: the queue drains over two rounds.
    const long = cfg(3, 12, 10, 3);
    expect([21, 22, 23, 24, 25, 26, 27, 28, 29].map((s) => correctionRound(long, s))).toEqual([3, 4, 5, 6, 7, 8, -1, -1, 9]);
  });

  it('leaves DGA(K, 0) equal to FedAvg, is FedAvg when every round cools down, and changes DGA otherwise', () => {
    const fed = finalConsensus(tinyJob({ kind: 'fedavg', localSteps: 4 }));
    const dga0 = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 0, finalSyncRounds: 3 }, { latencyMs: 30 }));
    expect(bytes(dga0.consensus).equals(bytes(fed.consensus))).toBe(true);
    const all = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 12, finalSyncRounds: 10 }));
    expect(bytes(all.consensus).equals(bytes(fed.consensus))).toBe(true);
    const dga = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 12 }));
    const cooled = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 12, finalSyncRounds: 3 }));
    expect(bytes(cooled.consensus).equals(bytes(dga.consensus))).toBe(false);
    expect(cooled.result.rounds).toBe(10);
    expect(cooled.result.algorithm).toBe('dga(local_steps: 4, delay: 12, cooldown_rounds: 3)');
    // The synchronous rounds wait for their averages: the cooled job stalls more than DGA.
    expect(cooled.result.stall_s).toBeGreaterThan(dga.result.stall_s);
  });
});

describe('learning-rate schedule', () => {
  const base: AlgoConfig = { kind: 'dga', K: 5, D: 20, lr: 0.1, momentum: 0, batch: 1 };
  it('is linear over the warm-up steps, then constant or cosine down to 0 at the last step', () => {
    expect(lrScale(base, 7)).toBe(1);
    const warm = { ...base, schedule: { warmupSteps: 10, decay: 'constant' as const, totalSteps: 100 } };
    expect([0, 4, 9, 10, 99].map((s) => lrScale(warm, s))).toEqual([0.1, 0.5, 1, 1, 1]);
    const cos = { ...base, schedule: { warmupSteps: 10, decay: 'cosine' as const, totalSteps: 110 } };
    expect(lrScale(cos, 10)).toBe(1);
    expect(lrScale(cos, 60)).toBeCloseTo(0.5, 12);
    expect(lrScale(cos, 110)).toBeCloseTo(0, 12);
    // decay_steps: constant until the last 20 of 110 steps, then cosine down to 0.
    const tail = { ...base, schedule: { warmupSteps: 10, decay: 'cosine' as const, totalSteps: 110, decaySteps: 20 } };
    expect([5, 10, 89, 90].map((s) => lrScale(tail, s))).toEqual([0.6, 1, 1, 1]);
    expect(lrScale(tail, 100)).toBeCloseTo(0.5, 12);
    expect(lrScale(tail, 110)).toBeCloseTo(0, 12);
  });

  it('scales each step and keeps DGA(K, 0) equal to FedAvg', () => {
    const opt = { kind: 'sgd' as const, lr: 0.1, momentum: 0.5, warmupSteps: 8, decay: 'cosine' as const };
    const fed = finalConsensus(tinyJob({ kind: 'fedavg', localSteps: 4 }, { optimizer: opt }));
    const dga0 = finalConsensus(tinyJob({ kind: 'dga', localSteps: 4, delay: 0 }, { optimizer: opt, latencyMs: 9 }));
    expect(bytes(dga0.consensus).equals(bytes(fed.consensus))).toBe(true);
    const constant = finalConsensus(
      tinyJob({ kind: 'fedavg', localSteps: 4 }, { optimizer: { ...opt, warmupSteps: undefined, decay: undefined } }),
    );
    expect(bytes(constant.consensus).equals(bytes(fed.consensus))).toBe(false);
    // The first step of a warm-up moves the model by lr / warmup of the plain step.
    const setup = tinySetup(tinyJob({ kind: 'fedavg', localSteps: 4 }, { optimizer: opt }));
    const w = makeWorkers(setup)[0];
    const trainer = new Trainer(setup.model, setup.cfg.batch);
    const before = Float32Array.from(w.w);
    w.compute(trainer);
    const g = Float32Array.from(trainer.grad);
    w.apply();
    for (let j = 0; j < 50; j++) expect(w.w[j]).toBeCloseTo(before[j] - 0.1 * (g[j] / 8), 6);
  });
});

describe('DGA local weight', () => {
  it('steps from the delayed consensus plus a times its finished rounds in flight; the consensus stays exact', () => {
    const alg: FlAlgorithm = { kind: 'dga', localSteps: 3, delay: 6, localWeight: 0.5 };
    const setup = tinySetup(tinyJob(alg));
    const plain = tinySetup(tinyJob({ kind: 'dga', localSteps: 3, delay: 6 }));
    expect(setup.cfg.localWeight).toBe(0.5);
    const workers: FlWorker[] = makeWorkers(setup);
    const twins: FlWorker[] = makeWorkers(plain);
    const trainer = new Trainer(setup.model, setup.cfg.batch);
    // Two rounds without averages: after the first round's end the weighted worker's model is
    // c - lr * 0.5 * m_0, the plain worker's c - lr * m_0 (same first gradients).
    for (let s = 0; s < 3; s++) {
      workers[0].compute(trainer);
      workers[0].apply();
      twins[0].compute(trainer);
      twins[0].apply();
    }
    const c = setup.init;
    for (let j = 0; j < 40; j++) {
      const m0 = (c[j] - twins[0].w[j]) / 0.1;
      expect(workers[0].w[j]).toBeCloseTo(c[j] - 0.1 * 0.5 * m0, 5);
    }
    // Local weight 1 is the paper's DGA; D = 0 is FedAvg whatever the weight.
    const fed = finalConsensus(tinyJob({ kind: 'fedavg', localSteps: 3 }));
    const dga0 = finalConsensus(tinyJob({ kind: 'dga', localSteps: 3, delay: 0, localWeight: 0.5 }));
    expect(bytes(dga0.consensus).equals(bytes(fed.consensus))).toBe(true);
    const one = finalConsensus(tinyJob({ kind: 'dga', localSteps: 3, delay: 6, localWeight: 1 }));
    const dga = finalConsensus(tinyJob({ kind: 'dga', localSteps: 3, delay: 6 }));
    expect(bytes(one.consensus).equals(bytes(dga.consensus))).toBe(true);
    const half = finalConsensus(tinyJob(alg));
    expect(bytes(half.consensus).equals(bytes(dga.consensus))).toBe(false);
    expect(half.result.algorithm).toBe('dga(local_steps: 3, delay: 6, local_weight: 0.5)');
  });

  it('a real run computes what the simulation computes, with every option on', async () => {
    const job = tinyJob(
      { kind: 'dga', localSteps: 3, delay: 4, syncRounds: 2, localWeight: 0.5, finalSyncRounds: 2, tailRounds: 3 },
      {
        workers: 3,
        maxSteps: 18,
        stepTimeMs: 15,
        latencyMs: 40,
        optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.5, warmupSteps: 4, decay: 'cosine', decaySteps: 9 },
      },
    );
    const setup = tinySetup(job);
    const sim = simulate(setup);
    const real = await runReal(setup, tinyNet);
    expect(real.rounds).toBe(6);
    expect(real.final_accuracy).toBe(sim.final_accuracy);
    expect(real.curve.map((p) => p.accuracy)).toEqual(sim.curve.map((p) => p.accuracy));
  });
});

describe('DGA tail average', () => {
  it('averages the consensus after each of the last rounds, in float64, and leaves the consensus alone', () => {
    const cfg: AlgoConfig = { kind: 'dga', K: 2, D: 4, lr: 0.5, momentum: 0, batch: 1, tailRounds: 3, totalRounds: 5 };
    const agg = new Aggregator(cfg, 2, new Float32Array([1, -2]));
    const plain = new Aggregator({ ...cfg, tailRounds: undefined }, 2, new Float32Array([1, -2]));
    const after: Float32Array[] = [];
    for (let r = 0; r < 5; r++) {
      for (const a of [agg, plain]) {
        a.receive({ worker: 0, round: r, values: new Float32Array([r + 1, 0.25 * r]) });
        a.receive({ worker: 1, round: r, values: new Float32Array([r + 3, -0.75]) });
      }
      expect(agg.consensus).toEqual(plain.consensus);
      after.push(Float32Array.from(agg.consensus));
      // Before the tail the final model is the consensus itself.
      if (r < 2) expect(agg.finalModel()).toBe(agg.consensus);
    }
    expect(agg.tailCount).toBe(3);
    const want = [0, 1].map((j) => Math.fround((after[2][j] + after[3][j] + after[4][j]) / 3));
    expect(Array.from(agg.finalModel())).toEqual(want);
    expect(plain.finalModel()).toBe(plain.consensus);
    // A tail longer than the job averages every round's consensus.
    const all = new Aggregator({ ...cfg, tailRounds: 9 }, 1, new Float32Array([0]));
    for (let r = 0; r < 5; r++) all.receive({ worker: 0, round: r, values: new Float32Array([1]) });
    expect(all.tailCount).toBe(5);
    expect(all.finalModel()[0]).toBeCloseTo(-0.5 * 3, 6);
  });

  it('changes only the final model: consensus, curve and time to target stay those of the job without it', () => {
    const alg: FlAlgorithm = { kind: 'dga', localSteps: 4, delay: 4, localWeight: 0.5 };
    const plain = finalConsensus(tinyJob(alg));
    const setup = tinySetup(tinyJob({ ...alg, tailRounds: 4 }));
    expect(setup.cfg.tailRounds).toBe(4);
    expect(setup.cfg.totalRounds).toBe(10);
    // The consensus after each of rounds 7..9 from worker 0's copy (bit-identical to the
    // aggregator's) when it applies that round; after round 10 from the end of the run.
    const seen = new Map<number, Float32Array>();
    let last: Float32Array | undefined;
    const tailed = simulate(setup, {
      onApplied: (ws, i) => {
        const r = i === 0 ? correctionRound(setup.cfg, ws[0].step - 1) : -1;
        if (r >= 0) seen.set(r + 1, Float32Array.from(ws[0].c));
      },
      onFinish: (c) => (last = Float32Array.from(c)),
    });
    expect(bytes(last!).equals(bytes(plain.consensus))).toBe(true);
    expect(tailed.curve).toEqual(plain.result.curve);
    expect(tailed.time_to_target_s).toBe(plain.result.time_to_target_s);
    expect(tailed.total_time_s).toBe(plain.result.total_time_s);
    expect(tailed.algorithm).toBe('dga(local_steps: 4, delay: 4, local_weight: 0.5, tail_average: 4)');
    // Its final accuracy is that of the mean of the last four consensus models.
    expect([7, 8, 9].every((r) => seen.has(r))).toBe(true);
    seen.set(10, last!);
    const mean = new Float32Array(last!.length);
    for (let j = 0; j < mean.length; j++) mean[j] = [7, 8, 9, 10].reduce((a, r) => a + seen.get(r)![j], 0) / 4;
    expect(tailed.final_accuracy).toBe(new Evaluator(setup).full(mean));
    expect(tailed.final_accuracy).not.toBe(plain.result.final_accuracy);
  });
  it('is kept in a checkpoint, so a resumed job averages the same rounds', () => {
    const state: CheckpointState = {
      fingerprint: 'f',
      roundsDone: 7,
      consensus: new Float32Array([1, 2, 3]),
      events: [],
      contributors: [4, 4],
      messages: 28,
      dropped: [],
      rejoined: [],
      tail: { sum: new Float64Array([0.5, -1, 2.25]), count: 2 },
    };
    const back = decodeCheckpoint(encodeCheckpoint(state), 'f', 3, 'ck');
    expect(back.tail!.count).toBe(2);
    expect(Array.from(back.tail!.sum)).toEqual([0.5, -1, 2.25]);
    const { tail: _, ...none } = state;
    expect(decodeCheckpoint(encodeCheckpoint(none), 'f', 3, 'ck').tail).toBeUndefined();
    const bad = { ...state, tail: { sum: new Float64Array(2), count: 2 } };
    expect(() => decodeCheckpoint(encodeCheckpoint(bad), 'f', 3, 'ck')).toThrow(/damaged/);
  });
});

describe('the language', () => {
  const job = (alg: string, opt = 'sgd(lr: 0.1, momentum: 0.5)') =>
    compileSource(
      new SourceFile(
        't.nacc',
        `network n { input x: float32[4]\n output dense(x, out: 2) }\nfederated j {\n network: n\n data: synthetic_digits(samples: 100)\n workers: 2\n latency: 10 ms\n algorithm: ${alg}\n optimizer: ${opt}\n batch: 4\n}\n`,
      ),
    );
  it('lowers warmup_rounds, local_weight, cooldown_rounds, tail_average, warmup, decay and decay_steps', () => {
    const r = job(
      'dga(local_steps: 5, delay: 20, warmup_rounds: 3, local_weight: 0.5, cooldown_rounds: 4, tail_average: 24)',
      'sgd(lr: 0.1, momentum: 0.5, warmup: 50, decay: cosine, decay_steps: 120)',
    );
    expect(r.diagnostics).toEqual([]);
    const j = r.program!.federated[0];
    expect(j.algorithm).toEqual({
      kind: 'dga',
      localSteps: 5,
      delay: 20,
      syncRounds: 3,
      localWeight: 0.5,
      finalSyncRounds: 4,
      tailRounds: 24,
    });
    expect(j.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.5, warmupSteps: 50, decay: 'cosine', decaySteps: 120 });
  });
  it('rejects them where they do not belong, at the argument', () => {
    const a = job('fedavg(local_steps: 5, local_weight: 0.5)');
    expect(a.diagnostics[0].message).toContain("'local_weight' is an option of dga only");
    expect(a.diagnostics[0].location!.column).toBeGreaterThan(20);
    expect(job('dga(local_steps: 5, delay: 20, local_weight: 1.5)').diagnostics[0].message).toMatch(/1/);
    expect(job('dga(local_steps: 5, delay: 20)', 'sgd(lr: 0.1, decay: linear)').diagnostics[0].message).toContain(
      'decay is constant or cosine',
    );
    expect(job('fedavg(local_steps: 5, cooldown_rounds: 2)').diagnostics[0].message).toContain(
      "'cooldown_rounds' is an option of dga only",
    );
    expect(job('fedavg(local_steps: 5, tail_average: 12)').diagnostics[0].message).toContain("'tail_average' is an option of dga only");
    expect(job('dga(local_steps: 5, delay: 20)', 'sgd(lr: 0.1, decay_steps: 10)').diagnostics[0].message).toContain(
      'decay_steps needs decay: cosine',
    );
  });
});
