// pe_array: [rows, columns] as Timeloop has it: the columns are meshX, the rows meshY. Pinned
// against Timeloop's eyeriss_like (14 PE columns = meshX, 12 rows = meshY; Q across X, C and S down Y).
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadCase } from '../../testbench/fidelity/timeloop-cases.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { convProblem } from '../../compiler/ir/problem.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import { meshAxis, specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { dataflowConstraints } from '../../compiler/naas/dataflow.ts';
import { evaluate } from '../../compiler/naas/model.ts';
import { describeNeeds, itNeeds, needShared } from '../helpers/requires.ts';
import { sharedPath } from '../helpers/shared.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'naas_accelerators.nacc');
const eyeriss = loadProgram(examples).accelerators.find((a) => a.name === 'eyeriss')!;
const shared = needShared('reference', 'timeloop', 'example_designs', 'eyeriss_like');

describeNeeds([shared], 'pe_array geometry (Timeloop eyeriss_like)', () => {
  const root = sharedPath('reference', 'timeloop');
  const ref = () => loadCase(join(root, 'example_designs', 'eyeriss_like', 'timeloop-mapper.stats.txt'), root);

  itNeeds([shared], 'eyeriss [12, 14] is 14 columns along meshX and 12 rows down meshY, as the reference', () => {
    const r = ref();
    expect(eyeriss.peArray).toEqual([12, 14]);
    const ours = specToArchitecture(eyeriss);
    expect([ours.compute.meshX, ours.compute.meshY]).toEqual([r.arch.compute.meshX, r.arch.compute.meshY]);
    expect([ours.compute.meshX, ours.compute.meshY]).toEqual([14, 12]);
    const rf = ours.levels.find((l) => l.name === 'RegisterFile')!;
    expect([rf.meshX, rf.meshY]).toEqual([14, 12]);
  });

  itNeeds([shared], "row stationary runs the reference mapping's spatial loops on the same axes (Q across X, C and S down Y)", () => {
    const r = ref();
    const c = dataflowConstraints('row_stationary', eyeriss.peArray);
    const spatial = r.mapping.levels.flatMap((l) => l.spatial).filter((s) => s.bound > 1);
    expect(spatial.map((s) => `${s.dim}${s.bound}${s.axis}`).sort()).toEqual(['C3Y', 'Q14X', 'S3Y']);
    for (const s of spatial) {
      const dim = s.dim === 'M' ? 'K' : s.dim;
      const axes = c.axisDims.map((ds, a) => (ds.includes(dim) ? meshAxis(a, c.axisDims.length) : undefined)).filter(Boolean);
      expect(axes, `${dim} on ${s.axis}`).toContain(s.axis);
    }
    // The same spatial factors in our hierarchy are a valid mapping on our Eyeriss (14 output rows fit across X).
    const b = r.problem.bounds;
    const p = convProblem({ K: b.M, C: b.C, P: b.P, Q: b.Q, R: b.R, S: b.S });
    const m: Mapping = {
      levels: [
        {
          level: 'DRAM',
          temporal: [
            { dim: 'K', bound: 4 },
            { dim: 'Q', bound: 2 },
            { dim: 'P', bound: 8 },
          ],
          spatial: [],
          keep: ['Weights', 'Inputs', 'Outputs'],
        },
        {
          level: 'GlobalBuffer',
          temporal: [
            { dim: 'Q', bound: 4 },
            { dim: 'P', bound: 14 },
          ],
          spatial: [
            { dim: 'Q', bound: 14, axis: 'X' },
            { dim: 'C', bound: 3, axis: 'Y' },
            { dim: 'S', bound: 3, axis: 'Y' },
          ],
          keep: ['Weights', 'Inputs', 'Outputs'],
        },
        {
          level: 'RegisterFile',
          temporal: [
            { dim: 'R', bound: 3 },
            { dim: 'K', bound: 8 },
          ],
          spatial: [],
          keep: ['Weights', 'Inputs', 'Outputs'],
        },
      ],
    };
    const e = evaluate(p, specToArchitecture(eyeriss), m);
    expect(e.reason).toBeUndefined();
    expect(e.utilizedPes).toBe(126);
  });
});

describeNeeds([], 'meshAxis', () => {
  itNeeds([], 'the last axis is X, earlier axes fold into Y', () => {
    expect(meshAxis(0, 1)).toBe('X');
    expect([meshAxis(0, 2), meshAxis(1, 2)]).toEqual(['Y', 'X']);
    expect([meshAxis(0, 3), meshAxis(1, 3), meshAxis(2, 3)]).toEqual(['Y', 'Y', 'X']);
    const a = specToArchitecture({ ...eyeriss, peArray: [2, 3, 4] });
    expect([a.compute.meshX, a.compute.meshY]).toEqual([4, 6]);
  });
});
