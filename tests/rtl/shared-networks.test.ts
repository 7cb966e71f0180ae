// Every layer of ResNet-18 and MobileNetV2 (1.0, 224) from ../shared/dsl-examples generates on
// the shared eyeriss, shidiannao and nvdla_256 baselines: the hardware, every layer's tiles,
// loop nests and configuration words (planAccelerator; no vectors, no simulation). Before input
// channels could be split across buffer refills, ResNet-18 was refused on all three and
// MobileNetV2 on eyeriss and nvdla_256 (R0206).
import { expect, it } from 'vitest';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedPath } from '../helpers/shared.ts';
import { loadPrograms } from '../../compiler/frontend/index.ts';
import { planAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { acceleratableLayers } from '../../compiler/rtl/accelerator/problem.ts';

const CASES: [string, string][] = [
  ['resnet18.nacc', 'resnet18'],
  ['mobilenetv2.nacc', 'mobilenetv2'],
];
const BASELINES = ['eyeriss', 'shidiannao', 'nvdla_256'];

describeNeeds(
  [needShared('dsl-examples', 'accelerators.nacc'), ...CASES.map(([f]) => needShared('dsl-examples', f))],
  'real networks generate on the shared baselines',
  () => {
    for (const [file, name] of CASES) {
      for (const acc of BASELINES) {
        it(`${name} on ${acc}: every layer`, () => {
          const prog = loadPrograms([sharedPath('dsl-examples', file), sharedPath('dsl-examples', 'accelerators.nacc')]);
          const spec = prog.accelerators.find((a) => a.name === acc)!;
          const net = prog.networks.find((n) => n.name === name)!;
          const plan = planAccelerator(spec, net, {});
          expect(plan.problems.map((p) => p.layer)).toEqual(acceleratableLayers(net).map((l) => l.name));
          expect(plan.hardware.globalBufferUsed).toBeLessThanOrEqual(spec.globalBufferBytes);
          plan.problems.forEach((p, i) => {
            // The tiles cover every output once, every input channel once per output tile.
            const { K, P, Q, C } = p.bounds;
            const macs = plan.tiles[i].reduce((s, t) => s + t.kc * t.pc * t.qc * t.cc, 0);
            expect(macs, p.layer).toBe(K * P * Q * C);
            expect(
              plan.tiles[i].filter((t) => t.lastChunk).reduce((s, t) => s + t.kc * t.pc * t.qc, 0),
              p.layer,
            ).toBe(K * P * Q);
          });
          if (name === 'resnet18') expect(plan.channelChunks.some((c, i) => c < plan.problems[i].bounds.C)).toBe(true);
        }, 600_000);
      }
    }
  },
);
