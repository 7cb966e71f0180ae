// `nacc rtl --from DIR` replays a searched multi-level mapping exactly: the tiles (DRAM level),
// the loop order and trip counts inside a tile (GlobalBuffer then RegisterFile loops) and the
// spatial factors are what the sequencer's configuration words encode; it runs bit-exact in
// Icarus within 10% of the cost model for that very mapping. A mapping the hardware cannot run
// (the register file keeping weights) runs the mapper's mapping (under the same predicate), said on stderr and in the
// manifest. The search folder is written here with the search's own writers. Seed 1.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mappingToYaml, problemToYaml } from '../../compiler/naas/timeloop-export.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import { convProblem } from '../../compiler/ir/problem.ts';
import { rtlExecutableMapping, rtlProgramOf } from '../../compiler/naas/rtl-executable.ts';
import { connectivityConstraints } from '../../compiler/naas/dataflow.ts';
import { bestMapping } from '../../compiler/naas/mapper.ts';
import { evaluate } from '../../compiler/naas/model.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { CONFIG_FIELDS } from '../../compiler/rtl/accelerator/mapping.ts';
import { DIMS } from '../../compiler/rtl/accelerator/problem.ts';
import { nacc } from '../helpers/cli.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';

const DESIGN = `accelerator naas_best {
  pe_array: [4, 4]
  parallel: [K, C]
  register_file: 64 B per pe
  global_buffer: 32 KB
  dram_bandwidth: 8 B/cycle
  word: 8 bit
}
`;
const ALL = ['Weights', 'Inputs', 'Outputs'];
const c3Problem = convProblem({ name: 'c3', K: 8, C: 8, P: 8, Q: 8, R: 3, S: 3, strideW: 1, strideH: 1 });
const pwProblem = convProblem({ name: 'pw', K: 8, C: 8, P: 8, Q: 8, R: 1, S: 1, strideW: 1, strideH: 1 });
/** Tiles of 4 K x 4 Q x 4 C (K, Q, C outermost first); in a tile Q 4, P 8 at the buffer; S 3, R 3 in the PE; K and C across the array. */
const c3Mapping: Mapping = {
  levels: [
    {
      level: 'DRAM',
      temporal: [
        { dim: 'K', bound: 2 },
        { dim: 'Q', bound: 2 },
        { dim: 'C', bound: 2 },
      ],
      spatial: [],
      keep: ALL,
    },
    {
      level: 'GlobalBuffer',
      temporal: [
        { dim: 'Q', bound: 4 },
        { dim: 'P', bound: 8 },
      ],
      spatial: [
        { dim: 'K', bound: 4, axis: 'Y' },
        { dim: 'C', bound: 4, axis: 'X' },
      ],
      keep: ALL,
    },
    {
      level: 'RegisterFile',
      temporal: [
        { dim: 'S', bound: 3 },
        { dim: 'R', bound: 3 },
      ],
      spatial: [],
      keep: ['Outputs'],
    },
  ],
};
/** What a row-stationary-like search proposes: the PE keeps weights and inputs too. */
const pwMapping: Mapping = {
  levels: [
    { level: 'DRAM', temporal: [], spatial: [], keep: ALL },
    {
      level: 'GlobalBuffer',
      temporal: [
        { dim: 'P', bound: 8 },
        { dim: 'Q', bound: 8 },
      ],
      spatial: [
        { dim: 'K', bound: 4, axis: 'Y' },
        { dim: 'C', bound: 4, axis: 'X' },
      ],
      keep: ALL,
    },
    {
      level: 'RegisterFile',
      temporal: [
        { dim: 'K', bound: 2 },
        { dim: 'C', bound: 2 },
      ],
      spatial: [],
      keep: ALL,
    },
  ],
};
// pe_array [rows, columns]: K down the rows (meshY), C across the columns (meshX), as Timeloop.
const AXES = [
  { dim: 'K' as const, size: 4 },
  { dim: 'C' as const, size: 4 },
];

/** A folder as `nacc search --out` writes it (writeArtefacts): design.nacc and timeloop/<network>/<layer>.{prob,map}.yaml. */
function searchFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-searched-'));
  writeFileSync(join(dir, 'design.nacc'), `// Found by nacc search.\n${DESIGN}`);
  mkdirSync(join(dir, 'timeloop', 'searched_net'), { recursive: true });
  for (const [p, m] of [
    [c3Problem, c3Mapping],
    [pwProblem, pwMapping],
  ] as const) {
    writeFileSync(join(dir, 'timeloop', 'searched_net', `${p.name}.prob.yaml`), problemToYaml(p));
    writeFileSync(join(dir, 'timeloop', 'searched_net', `${p.name}.map.yaml`), mappingToYaml(m, p));
  }
  return dir;
}

/** The configuration words of every program of a layer, decoded by CONFIG_FIELDS. */
function decodePrograms(layerDir: string): Record<string, number>[] {
  const words = readFileSync(join(layerDir, 'config.hex'), 'utf8')
    .trim()
    .split('\n')
    .map((h) => parseInt(h, 16));
  const n = CONFIG_FIELDS.length;
  return Array.from({ length: words.length / n }, (_, t) => Object.fromEntries(CONFIG_FIELDS.map((f, i) => [f.name, words[t * n + i]])));
}

describe('the one predicate: what the generated accelerator executes of a mapping', () => {
  it('the searched c3 mapping is executable and valid in the cost model; the program is its loops', () => {
    const spec = loadProgram(writeDesign()).accelerators[0];
    expect(evaluate(c3Problem, specToArchitecture(spec), c3Mapping).valid).toBe(true);
    const r = rtlProgramOf(c3Problem, c3Mapping, AXES);
    expect(r.issues).toEqual([]);
    expect(r.program!.tile).toEqual({ K: 4, C: 4, P: 8, Q: 4, R: 3, S: 3 });
    expect(r.program!.order).toEqual(['Q', 'P', 'S', 'R', 'C', 'K']);
    expect(r.program!.trips).toEqual({ K: 1, C: 1, P: 8, Q: 4, R: 3, S: 3 });
  });
  it('names what the hardware cannot run: PE-kept weights, a dimension at two levels, a reduction at the buffer, foreign spatial factors, tile order', () => {
    const issues = rtlProgramOf(pwProblem, pwMapping, AXES).issues.join('\n');
    expect(issues).toMatch(/RegisterFile keeps Weights, Inputs/);
    const split: Mapping = {
      levels: [
        c3Mapping.levels[0],
        { ...c3Mapping.levels[1], temporal: [{ dim: 'C', bound: 2 }, ...c3Mapping.levels[1].temporal] },
        { ...c3Mapping.levels[2], temporal: [{ dim: 'C', bound: 1 }, { dim: 'Q', bound: 2 }, ...c3Mapping.levels[2].temporal] },
      ],
    };
    const s = rtlProgramOf(
      c3Problem,
      {
        levels: [
          {
            ...c3Mapping.levels[0],
            temporal: [
              { dim: 'K', bound: 2 },
              { dim: 'Q', bound: 2 },
            ],
          },
          ...split.levels.slice(1),
        ],
      },
      AXES,
    ).issues.join('\n');
    expect(s).toMatch(/Q is split between GlobalBuffer/);
    expect(s).toMatch(/GlobalBuffer loop C in \[0:2\) is a reduction/);
    const wrongAxis: Mapping = {
      levels: [
        c3Mapping.levels[0],
        {
          ...c3Mapping.levels[1],
          spatial: [
            { dim: 'P', bound: 2, axis: 'Y' },
            { dim: 'C', bound: 4, axis: 'X' },
          ],
        },
        c3Mapping.levels[2],
      ],
    };
    expect(rtlProgramOf(c3Problem, wrongAxis, AXES).issues.join('\n')).toMatch(/spatial P = 2 on Y: the array's axes run Y: K, X: C/);
    const tooWide: Mapping = {
      levels: [
        c3Mapping.levels[0],
        {
          ...c3Mapping.levels[1],
          spatial: [
            { dim: 'K', bound: 8, axis: 'Y' },
            { dim: 'C', bound: 4, axis: 'X' },
          ],
        },
        c3Mapping.levels[2],
      ],
    };
    expect(rtlProgramOf(c3Problem, tooWide, AXES).issues.join('\n')).toMatch(/spatial K = 8 on Y: the axis has 4 PEs/);
    const reordered: Mapping = {
      levels: [
        {
          ...c3Mapping.levels[0],
          temporal: [
            { dim: 'Q', bound: 2 },
            { dim: 'K', bound: 2 },
            { dim: 'C', bound: 2 },
          ],
        },
        ...c3Mapping.levels.slice(1),
      ],
    };
    expect(rtlProgramOf(c3Problem, reordered, AXES).issues.join('\n')).toMatch(/DRAM loop order QKC/);
  });
});

describe('the search keeps to the same predicate (nacc search --rtl)', () => {
  it('the mapper with the RTL axes returns only mappings rtlProgramOf replays, valid in the cost model, whether or not the bounds divide the axes (seed 7)', () => {
    const spec = loadProgram(writeDesign()).accelerators[0];
    const arch = specToArchitecture(spec);
    const c = { ...connectivityConstraints(['K', 'C'], [4, 4]), rtlAxes: AXES };
    for (const p of [c3Problem, pwProblem, convProblem({ name: 'odd', K: 8, C: 12, P: 5, Q: 7, R: 3, S: 1, strideW: 1, strideH: 2 })]) {
      const r = bestMapping(p, arch, c, { seed: 7, samples: 40, steps: 40 })!;
      expect(r.evaluation.valid, p.name).toBe(true);
      expect(rtlProgramOf(p, r.mapping, AXES).issues, p.name).toEqual([]);
    }
    // 6 output channels on a 4-PE axis: 3 PEs x 2 trips (the spatial factor is a configuration word), exact in the model.
    const six = convProblem({ name: 'six', K: 6, C: 8, P: 4, Q: 4, R: 1, S: 1, strideW: 1, strideH: 1 });
    const r = bestMapping(six, arch, c, { seed: 7, samples: 40, steps: 40 })!;
    const six3 = rtlProgramOf(six, r.mapping, AXES);
    expect(six3.issues).toEqual([]);
    expect(six3.program!.par.K * six3.program!.trips.K).toBe(six3.program!.tile.K);
    expect(six3.program!.par.K).toBeLessThanOrEqual(4);
  });
  it('projects what a row-stationary search proposes onto what the PE runs: partial sums only, one loop per dimension', () => {
    const m = rtlExecutableMapping(pwProblem, pwMapping, AXES);
    expect(m.levels[2].keep).toEqual(['Outputs']);
    expect(rtlProgramOf(pwProblem, m, AXES)).toMatchObject({
      issues: [],
      program: { order: ['P', 'Q', 'K', 'C', 'R', 'S'], trips: { K: 2, C: 2, P: 8, Q: 8, R: 1, S: 1 } },
    });
  });
});

function writeDesign(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-searched-design-'));
  writeFileSync(join(dir, 'design.nacc'), DESIGN);
  return join(dir, 'design.nacc');
}

describe('nacc rtl --from DIR replays the searched mapping', () => {
  it("every program of c3 runs the mapping file's tiles, loop order and bounds; pw (PE-kept weights) runs the mapper's, and says so", async () => {
    const search = searchFolder();
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-searched-rtl-')), 'rtl');
    const r = await nacc([
      'rtl',
      'tests/rtl/searched.nacc',
      '--from',
      search,
      '--network',
      'searched_net',
      '--layer',
      'c3,pw',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /layer 'pw': the searched mapping cannot run on 'naas_best' \(.*RegisterFile keeps Weights, Inputs.*\); it runs the mapper's best mapping for it/,
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const c3 = manifest.layers.find((l: { name: string }) => l.name === 'c3');
    const pw = manifest.layers.find((l: { name: string }) => l.name === 'pw');
    expect([c3.mapping_source, pw.mapping_source]).toEqual(['search', 'mapper']);
    expect(pw.search_issues.join(' ')).toMatch(/RegisterFile keeps Weights/);
    // DRAM level: 2 K x 2 Q x 2 C tiles of 4 x 4 x 4, K outermost, input-channel chunks innermost.
    expect(c3.tiles.map((t: Record<string, number>) => [t.k0, t.kc, t.q0, t.qc, t.p0, t.pc, t.c0, t.cc])).toEqual(
      [0, 4].flatMap((k0) => [0, 4].flatMap((q0) => [0, 4].map((c0) => [k0, 4, q0, 4, 0, 8, c0, 4]))),
    );
    // Inside every tile: the configuration words' loop order and trips are the mapping's
    // GlobalBuffer loops (Q 4, P 8) then RegisterFile loops (S 3, R 3), K and C spread over the array.
    const programs = decodePrograms(join(out, c3.dir));
    expect(programs).toHaveLength(8);
    for (const w of programs) {
      const order = [0, 1, 2, 3, 4, 5].map((l) => DIMS[w[`order_dim${l}`]]);
      const trips = Object.fromEntries(order.map((d, l) => [d, w[`trip${l}`]]).filter(([, t]) => (t as number) > 1));
      expect(order.slice(0, 4)).toEqual(['Q', 'P', 'S', 'R']);
      expect(trips).toEqual({ Q: 4, P: 8, S: 3, R: 3 });
      expect(DIMS.map((d) => w[`bound_${d}`])).toEqual([4, 4, 8, 4, 3, 3]);
      expect(w.drain_level).toBe(2);
    }
  }, 300_000);
});

describe('nacc rtl usage with and without a search folder', () => {
  it('needs --accelerator or --from (exit 2); a folder without design.nacc is named', async () => {
    const none = await nacc(['rtl', 'tests/rtl/searched.nacc', '--network', 'searched_net']);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/error\[R0506\]: nacc rtl needs --accelerator NAME or --from DIR/)]);
    const empty = mkdtempSync(join(tmpdir(), 'nacc-searched-empty-'));
    const r = await nacc(['rtl', 'tests/rtl/searched.nacc', '--from', empty, '--network', 'searched_net']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/error\[R0505\]: --from .*: no design.nacc there/)]);
  }, 120_000);
});

describeNeeds([await needTool('iverilog')], 'a replayed searched mapping in Icarus', () => {
  it('c3 on the searched tiles and loop nest: bit-exact, lint clean, |error| <= 10% against the model for that mapping', async () => {
    const search = searchFolder();
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-searched-sim-')), 'rtl');
    const g = await nacc(['rtl', 'tests/rtl/searched.nacc', '--from', search, '--network', 'searched_net', '--layer', 'c3', '--out', out]);
    expect(g.code, g.stderr).toBe(0);
    const v = await nacc(['verify', out, '--sim', 'iverilog', '--json']);
    expect(v.code, v.stderr).toBe(0);
    const rep = JSON.parse(v.stdout);
    const sim = rep.sims.find((s: { name: string }) => s.name === 'iverilog');
    expect(sim.layers[0]).toMatchObject({ name: 'c3', passed: 8 * 8 * 8, failed: 0 });
    expect(rep.lint.warnings).toBe(0);
    const l = rep.layers.find((x: { name: string }) => x.name === 'c3');
    expect(l.model_cycles).toEqual(expect.any(Number));
    expect(Math.abs(l.error)).toBeLessThanOrEqual(0.1);
  }, 600_000);
});
