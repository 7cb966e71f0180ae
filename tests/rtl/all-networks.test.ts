// No layer of any network in examples/ or ../shared/dsl-examples/ is refused on the shared eyeriss,
// shidiannao and nvdla_256 baselines (issue 15): every conv, depthwise and dense layer is a problem
// the accelerator runs, and each layer's smallest program fits the global buffer beside every other
// layer's, so the tile planner (nacc rtl's fallback when the mapper maps nothing) has a plan. The
// full generation of every network (mapper's programs, all tiles) is bench/rtl-mapper-networks.ts --all.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedPath } from '../helpers/shared.ts';
import { loadPrograms } from '../../compiler/frontend/index.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { selectLayers } from '../../compiler/rtl/accelerator/index.ts';
import { planHardware } from '../../compiler/rtl/accelerator/hardware.ts';
import { acceleratorNetwork, type ConvProblem } from '../../compiler/rtl/accelerator/problem.ts';
import { canSplitChannels, canSplitColumns, type ForcedTile } from '../../compiler/rtl/accelerator/tiling.ts';
import { dramBeatBytes } from '../../compiler/naas/rtl-architecture.ts';

const BASELINES = ['eyeriss', 'shidiannao', 'nvdla_256'];

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * A layer's smallest program: one output channel (for a depthwise layer, whose chunk loads only
 * its own channels, gcd(channels, beat) of them: a beat when the channels are whole beats, else
 * the chunk that straddles no more beats than one channel does), one output row, one output
 * column where columns can be split, one DRAM beat of input channels where they can be.
 */
function smallestTile(p: ConvProblem, beat: number): ForcedTile {
  return {
    kc: p.depthwise ? Math.min(gcd(p.inC, beat), p.bounds.K) : 1,
    qc: 1,
    pc: canSplitColumns(p, beat) ? 1 : p.bounds.P,
    cc: canSplitChannels(p, beat) ? Math.min(beat, p.bounds.C) : p.bounds.C,
  };
}

describeNeeds([needShared('dsl-examples', 'accelerators.nacc')], 'every network in examples/ and ../shared/dsl-examples/', () => {
  const files = [sharedPath('dsl-examples'), 'examples'].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.nacc') && f !== 'accelerators.nacc')
      .sort()
      .map((f) => join(dir, f)),
  );
  it('no layer is refused on eyeriss, shidiannao and nvdla_256', () => {
    const baselines = loadPrograms([sharedPath('dsl-examples', 'accelerators.nacc')]).accelerators;
    const built: string[] = [];
    const refused: Record<string, string> = {};
    for (const file of files) {
      for (const net of loadPrograms([file]).networks.filter(acceleratorNetwork)) {
        // Every conv2d, dwconv2d and dense layer is a problem the accelerator runs (no R01xx refusal).
        const problems = selectLayers(net);
        for (const name of BASELINES) {
          const spec = baselines.find((a) => a.name === name)!;
          const beat = dramBeatBytes(spec.dramBandwidthBytesPerCycle);
          const where = `${net.name}@${name}`;
          try {
            const { hardware, shapes } = planHardware(
              spec,
              problems,
              undefined,
              problems.map((p) => smallestTile(p, beat)),
            );
            expect(hardware.globalBufferUsed, where).toBeLessThanOrEqual(spec.globalBufferBytes);
            expect(shapes, where).toHaveLength(problems.length);
            built.push(where);
          } catch (e) {
            if (!(e instanceof UserError)) throw e;
            // The planner's own verdict (its smallest tiles, not this test's guess at them).
            try {
              planHardware(spec, problems);
              built.push(where);
            } catch (e2) {
              if (!(e2 instanceof UserError)) throw e2;
              const d = e2.diagnostics[0];
              refused[where] = `${d.code} ${d.location ? 'located' : 'unlocated'}: ${d.message}`;
            }
          }
        }
      }
    }
    expect(refused).toEqual({});
    // The networks the issue names, and the examples' classics, are among those checked.
    for (const n of ['resnet18', 'mobilenetv2', 'mobilenetv2_035_144', 'resnet50', 'vgg16', 'unet', 'vww_patch', 'ds_cnn'])
      for (const a of BASELINES) expect(built).toContain(`${n}@${a}`);
  }, 300_000);
});
