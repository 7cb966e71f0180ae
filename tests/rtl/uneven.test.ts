// Layers that do not divide their array axes (6 columns or 5 rows on 4 PEs, 12 channels on 8):
// `nacc rtl --accelerator` programs the mapper's mapping for them (not the planner's), the
// configuration words set the spatial factor it chose, the model predicts them (model_cycles is
// a number) and Icarus runs them bit-exactly within 10% of it. Seed 1.
import { expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { generateAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { CONFIG_FIELDS } from '../../compiler/rtl/accelerator/mapping.ts';
import { mapperLayers } from '../../compiler/cli/rtl-from.ts';
import { verifyAccelerator } from '../../testbench/rtl/accelerator.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const prog = loadProgram('tests/rtl/uneven.nacc');
const net = prog.networks.find((n) => n.name === 'uneven')!;

const tools = [await needTool('iverilog'), await needTool('verilator')];

describeNeeds(tools, 'layers that do not divide the array', () => {
  for (const [name, expected] of [
    // c3's 12 channels: the mapper runs them on 6 of the 8 PEs x 2 trips (single-buffered: the better of the two buffers here, rtl-from.ts Buffering).
    ['kc_odd', { c3: { K: 6, C: 3 }, pw: { K: 5, C: 4 } }],
    ['pq_odd', { c3: { P: 3, Q: 1 }, pw: { P: 3, Q: 1 } }],
  ] as const) {
    it(`${name}: the mapper's mappings run, predicted by the model, bit-exact within 10%`, async () => {
      const spec = prog.accelerators.find((a) => a.name === name)!;
      const mapped = await mapperLayers(spec, net, undefined, 1);
      expect(mapped.reason).toBeUndefined();
      expect(mapped.notReplayed).toEqual({});
      const g = generateAccelerator(spec, net, {
        seed: 1,
        searched: mapped.searched,
        mappingSources: { c3: 'mapper', pw: 'mapper' },
        doubleBuffer: mapped.doubleBuffer,
      });
      const dir = mkdtempSync(join(tmpdir(), 'nacc-uneven-'));
      for (const f of g.files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.text);
      }
      for (const l of g.manifest.layers) {
        expect(l.mapping_source, l.name).toBe('mapper');
        expect(l.model_cycles, `${name}/${l.name}: ${l.model_reason}`).toEqual(expect.any(Number));
        // The first program's configuration words carry the spatial factors the mapping chose.
        const words = readFileSync(join(dir, l.dir, 'config.hex'), 'utf8')
          .trim()
          .split('\n')
          .slice(0, CONFIG_FIELDS.length)
          .map((w) => parseInt(w, 16));
        const field = (f: string) => words[CONFIG_FIELDS.findIndex((c) => c.name === f)];
        for (const [d, f] of Object.entries(expected[l.name as 'c3' | 'pw']))
          expect(field(`par_${d}`), `${name}/${l.name} par_${d}`).toBe(f);
      }
      const r = await verifyAccelerator(dir, { sims: ['iverilog'] });
      expect(r.lint.warnings, JSON.stringify(r.lint.diagnostics.slice(0, 3))).toBe(0);
      for (const l of r.sims[0].layers)
        expect([l.name, l.failed, l.passed]).toEqual([l.name, 0, g.manifest.layers.find((x) => x.name === l.name)!.bounds.K * 30]);
      for (const l of r.layers)
        expect(Math.abs(l.error!), `${name}/${l.name}: ${l.cycles} vs model ${l.model_cycles}`).toBeLessThanOrEqual(0.1);
      expect(r.ok).toBe(true);
    }, 240_000);
  }
});
