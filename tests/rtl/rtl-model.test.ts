// One prediction for the generated accelerator: the cost model on its own architecture
// (naas/rtl-architecture.ts). `nacc search --rtl` reports per layer the cycles that `nacc rtl
// --from` then reports as model_cycles for the replayed mapping; `nacc rtl --accelerator` programs
// the mapper's mappings under the same predicate, with the model cycles `nacc cost --rtl` reports;
// the simulated cycles are within 10% of that model on every layer, small ones included. Seed 1.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacc } from '../helpers/cli.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

interface RtlLayer {
  name: string;
  mapping_source: string;
  model_cycles: number | null;
  schedule_cycles: number;
}

const fresh = (tag: string) => mkdtempSync(join(tmpdir(), `nacc-rtl-model-${tag}-`));

describe('nacc search --rtl and nacc rtl --from report the same model cycles', () => {
  it("every layer of the searched folder replays its mapping, with the search's cycles as model_cycles (searched_net, tiny budget)", async () => {
    const dir = fresh('search');
    const s = await nacc([
      'search',
      'tests/rtl/searched.nacc',
      '--with',
      'examples/naas_accelerators.nacc',
      '--network',
      'searched_net',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--budget',
      'tiny',
      '--threads',
      '1',
      '--rtl',
      '--out',
      join(dir, 'S'),
      '--json',
    ]);
    expect(s.code, s.stderr).toBe(0);
    const searched: { name: string; cycles: number }[] = JSON.parse(s.stdout).best.networks[0].layers;
    const r = await nacc([
      'rtl',
      'tests/rtl/searched.nacc',
      '--from',
      join(dir, 'S'),
      '--network',
      'searched_net',
      '--out',
      join(dir, 'O'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    const layers: RtlLayer[] = JSON.parse(r.stdout).layers;
    expect(layers.map((l) => l.mapping_source)).toEqual(layers.map(() => 'search'));
    for (const l of layers) {
      expect(l.model_cycles, l.name).toBe(searched.find((x) => x.name === l.name)!.cycles);
      // The schedule formula is what the RTL runs (checked cycle for cycle in the simulations below).
      expect(
        Math.abs(l.schedule_cycles / l.model_cycles! - 1),
        `${l.name}: schedule ${l.schedule_cycles}, model ${l.model_cycles}`,
      ).toBeLessThanOrEqual(0.1);
    }
  }, 300_000);
});

describeNeeds([await needTool('iverilog')], "nacc rtl --accelerator programs the mapper's mappings, as nacc cost --rtl costs them", () => {
  it("rp_rs: every layer is the mapper's, model_cycles = nacc cost --rtl; Icarus: bit-exact, |error| <= 10% on every layer", async () => {
    const dir = fresh('mapper');
    const c = await nacc(['cost', 'examples/rtl.nacc', '--network', 'rtl_layers', '--accelerator', 'rp_rs', '--rtl', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const cost: { name: string; cycles: number }[] = JSON.parse(c.stdout).layers;
    const r = await nacc([
      'rtl',
      'examples/rtl.nacc',
      '--accelerator',
      'rp_rs',
      '--network',
      'rtl_layers',
      '--out',
      join(dir, 'O'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const layers: RtlLayer[] = JSON.parse(r.stdout).layers;
    expect(layers.map((l) => [l.name, l.mapping_source, l.model_cycles])).toEqual(cost.map((l) => [l.name, 'mapper', l.cycles]));
    const v = await nacc(['verify', join(dir, 'O'), '--sim', 'iverilog', '--json']);
    expect(v.code, v.stderr).toBe(0);
    const j = JSON.parse(v.stdout);
    expect(j.lint.warnings).toBe(0);
    expect(j.sims[0].failed).toBe(0);
    for (const l of j.layers as { name: string; cycles: number; model_cycles: number; error: number; schedule_cycles: number }[]) {
      expect(l.cycles, l.name).toBe(l.schedule_cycles);
      expect(l.error, l.name).toBeCloseTo(l.cycles / l.model_cycles - 1, 3);
      expect(Math.abs(l.error), `${l.name}: ${l.cycles} cycles, model ${l.model_cycles}`).toBeLessThanOrEqual(0.1);
    }
  }, 300_000);
});
