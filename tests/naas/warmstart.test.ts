import { describe, expect, it } from 'vitest';
import { convProblem, problemMacs } from '../../compiler/ir/problem.ts';
import { decodeHardware, limitsOf } from '../../compiler/naas/encoding.ts';
import { warmStartCandidates } from '../../compiler/naas/warmstart.ts';
import { eyeriss, naasSpace } from './fixtures.ts';

const resources = eyeriss;
const space = naasSpace;

describe('warm start', () => {
  // Compute-bound layers whose channel counts are powers of two and images 28x28.
  const p1 = convProblem({ K: 128, C: 64, P: 28, Q: 28, R: 3, S: 3 });
  const p2 = convProblem({ K: 256, C: 128, P: 28, Q: 28, R: 3, S: 3 });
  const workloads = {
    networks: [
      {
        name: 'n',
        layers: [
          { name: 'a', key: 'a' },
          { name: 'b', key: 'b' },
        ],
      },
    ],
    problems: { a: p1, b: p2 },
  };
  const lim = limitsOf(resources);
  const picks = warmStartCandidates(workloads, space, resources, lim, 6);

  it('returns distinct candidates that decode to exactly their array and connectivity, best estimate first', () => {
    expect(picks.length).toBe(6);
    const keys = picks.map((c) => `${c.peArray.join('x')}:${c.parallel.join('')}`);
    expect(new Set(keys).size).toBe(6);
    for (const c of picks) {
      const d = decodeHardware(c.x, space, lim)!;
      expect(d.spec.peArray).toEqual(c.peArray);
      expect(d.parallel).toEqual(c.parallel);
    }
    expect(picks[0].cycles).toBeLessThanOrEqual(Math.min(...picks.slice(1).map((c) => c.cycles)));
  });

  it('prefers an array whose every PE the workload keeps busy', () => {
    const best = picks[0];
    const pes = best.peArray.reduce((a, b) => a * b, 1);
    // 128 PEs is the most these dimensions can fill on the step-2 grid (168 = 8 x 21 needs an
    // odd axis): e.g. 16 x 8 under K, C or 2 x 64 under P, K. No idle PE in the pick.
    expect(pes).toBe(128);
    expect(best.cycles).toBe(Math.ceil(problemMacs(p1) / 128) + Math.ceil(problemMacs(p2) / 128));
    // The resources' own 12 x 14 under K, C keeps only 8 x 8 busy: far worse.
    expect(best.cycles * 2).toBeLessThan(Math.ceil(problemMacs(p1) / 64) + Math.ceil(problemMacs(p2) / 64) + 1);
  });
});
