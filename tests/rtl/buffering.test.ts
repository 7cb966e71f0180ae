// The generated global buffer's buffering follows the mappings (compiler/cli/rtl-from.ts,
// Buffering): both descriptions are mapped and the one the model scores better is built, so double
// buffering never makes a mapper-driven design slower by the model's own account.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rtlMappings } from '../../compiler/cli/rtl-from.ts';
import { loadPrograms } from '../../compiler/frontend/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const prog = loadPrograms([join(ROOT, 'examples/rtl.nacc'), join(ROOT, 'examples/naas_accelerators.nacc')]);
const net = prog.networks.find((n) => n.name === 'rtl_layers')!;

describe('buffering of mapper-driven designs', () => {
  for (const name of ['eyeriss', 'kc_ws']) {
    it(`${name}: 'best' keeps the better of double and single by the mapper's objective`, async () => {
      const spec = prog.accelerators.find((a) => a.name === name)!;
      const best = await rtlMappings(spec, [net], 300, 1);
      const double = await rtlMappings(spec, [net], 300, 1, 'double');
      const single = await rtlMappings(spec, [net], 300, 1, 'single');
      expect(double.doubleBuffer).toBe(true);
      expect(single.doubleBuffer).toBe(false);
      expect(best.result.valid).toBe(true);
      expect(best.result.cost).toBe(
        Math.min(double.result.valid ? double.result.cost : Infinity, single.result.valid ? single.result.cost : Infinity),
      );
      expect(best.doubleBuffer).toBe(best.result.cost === double.result.cost);
      expect(JSON.stringify(best.result)).toBe(JSON.stringify(best.doubleBuffer ? double.result : single.result));
    }, 120_000);
  }

  it("eyeriss: every lane's own input copy makes halved banks the worse choice on rtl_layers", async () => {
    // an 8x8x8 3x3 layer's whole tile needs 40,320 input words: a half bank holds 24,192
    const spec = prog.accelerators.find((a) => a.name === 'eyeriss')!;
    expect((await rtlMappings(spec, [net], 300, 1)).doubleBuffer).toBe(false);
  }, 120_000);
});
