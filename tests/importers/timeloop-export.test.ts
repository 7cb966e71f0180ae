// The Timeloop export as `nacc search --out` writes it: dialects, the ERT, the design and
// baseline folders, bandwidth and leak as Timeloop defines them, and a round trip of every
// layer of a network on the three baselines through our importer to the same figures.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { architectureToYaml, ertToYaml, mappingToYaml, problemToYaml, timeloopForm } from '../../compiler/naas/timeloop-export.ts';
import {
  architectureFromTimeloop,
  mappingFromTimeloopYaml,
  parseErt,
  problemFromTimeloop,
  type ErtEntry,
} from '../../compiler/importers/timeloop/parse.ts';
import type { Architecture } from '../../compiler/ir/architecture.ts';
import type { Mapping } from '../../compiler/ir/mapping.ts';
import { convProblem } from '../../compiler/ir/problem.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { specToArchitecture } from '../../compiler/naas/arch-from-spec.ts';
import { designExportOf, designFiles, timeloopWriter } from '../../compiler/naas/design-export.ts';
import { bandwidthCycles, evaluate } from '../../compiler/naas/model.ts';
import { buildWorkloads } from '../../compiler/naas/problems.ts';
import { evaluateFixed, inlineRunner } from '../../compiler/naas/search.ts';
import { nacc } from '../helpers/cli.ts';
import { eyeriss } from '../naas/fixtures.ts';

const arch = specToArchitecture(eyeriss);
const problem = convProblem({ name: 'conv', K: 16, C: 8, P: 14, Q: 14, R: 3, S: 3 });
const mapping: Mapping = {
  levels: [
    {
      level: 'DRAM',
      temporal: [
        { dim: 'K', bound: 2 },
        { dim: 'C', bound: 2 },
      ],
      spatial: [],
      keep: ['Weights', 'Inputs', 'Outputs'],
    },
    {
      level: 'GlobalBuffer',
      temporal: [{ dim: 'P', bound: 14 }],
      spatial: [
        { dim: 'S', bound: 3, axis: 'Y' },
        { dim: 'K', bound: 4, axis: 'Y' },
        { dim: 'Q', bound: 14, axis: 'X' },
      ],
      keep: ['Weights', 'Inputs', 'Outputs'],
    },
    {
      level: 'RegisterFile',
      temporal: [
        { dim: 'C', bound: 4 },
        { dim: 'K', bound: 2 },
        { dim: 'R', bound: 3 },
      ],
      spatial: [],
      keep: ['Weights', 'Inputs', 'Outputs'],
    },
  ],
};

const ertOf = (a: Architecture): Map<string, ErtEntry> => parseErt(parse(ertToYaml(a)));

describe('Timeloop export dialects', () => {
  it('v3 writes the hyphenated problem keys timeloop-model v3.0.3 reads, latest the underscored ones, each named in the header', () => {
    const v3 = problemToYaml(problem, 'v3');
    expect(v3).toMatch(/^# .*Timeloop v3\.0\.3.*dialect v3/);
    expect(v3).toMatch(/^\s+data-spaces:/m);
    expect(v3).toMatch(/^\s+read-write: true/m);
    expect(v3).not.toMatch(/data_spaces|read_write/);
    const latest = problemToYaml(problem, 'latest');
    expect(latest).toMatch(/^# .*dialect latest/);
    expect(latest).toMatch(/^\s+data_spaces:/m);
    expect(latest).toMatch(/^\s+read_write: true/m);
    expect(latest).not.toMatch(/data-spaces|read-write/);
    for (const text of [v3, latest]) expect(problemFromTimeloop(parse(text))).toEqual(problem);
  });

  it('writes an ERT with our energies, which the importer reads back', () => {
    const ert = ertOf(arch);
    for (const lv of arch.levels)
      expect(ert.get(lv.name)).toMatchObject({ read: lv.energy.read, write: lv.energy.write, update: lv.energy.update });
    expect(ert.get(arch.compute.name)?.compute).toBe(arch.compute.energyPerMac);
  });

  it('writes the DRAM bandwidth as shared_bandwidth, as the model charges it', () => {
    const text = architectureToYaml(arch);
    expect(text).toMatch(/shared_bandwidth: 4/);
    expect(text).not.toMatch(/read_bandwidth/);
  });
});

describe('bandwidth as Timeloop defines it', () => {
  it('read bandwidth bounds reads, write bandwidth fills + updates, shared bandwidth their sum', () => {
    // 100 compute cycles, 300 reads and 500 writes per instance.
    expect(bandwidthCycles(100, 3, 5, { readBandwidth: 2 })).toBe(150);
    expect(bandwidthCycles(100, 3, 5, { writeBandwidth: 2 })).toBe(250);
    expect(bandwidthCycles(100, 3, 5, { sharedBandwidth: 2 })).toBe(400);
    expect(bandwidthCycles(100, 3, 5, { readBandwidth: 10, writeBandwidth: 10 })).toBe(100);
    // Timeloop's floating point: 0.7 / 0.1 demand ratio is not exactly 7.
    expect(bandwidthCycles(10, 0.7, 0, { readBandwidth: 0.1 })).toBe(Math.ceil(10 / (0.1 / 0.7)));
  });

  it('the importer reads shared_bandwidth, read/write bandwidth and the deprecated bandwidth (read = write = half)', () => {
    const doc = (attrs: Record<string, number>) => ({
      architecture: {
        version: '0.4',
        subtree: [
          {
            name: 'system',
            local: [
              { name: 'Buf', class: 'SRAM', attributes: { depth: 64, width: 16, datawidth: 16, ...attrs } },
              { name: 'MAC', class: 'intmac', attributes: {} },
            ],
          },
        ],
      },
    });
    const lv = (attrs: Record<string, number>) => architectureFromTimeloop(doc(attrs), new Map()).levels[0];
    expect(lv({ shared_bandwidth: 3 })).toMatchObject({ sharedBandwidth: 3 });
    expect(lv({ shared_bandwidth: 3 }).readBandwidth).toBeUndefined();
    expect(lv({ read_bandwidth: 2, write_bandwidth: 1 })).toMatchObject({ readBandwidth: 2, writeBandwidth: 1 });
    expect(lv({ bandwidth: 8 })).toMatchObject({ readBandwidth: 4, writeBandwidth: 4 });
  });

  it('a DRAM with only a read bandwidth no longer throttles its writes; a shared one throttles both', () => {
    const dram = (o: Partial<Architecture['levels'][number]>): Architecture => ({
      ...arch,
      levels: arch.levels.map((l, i) => (i === 0 ? { ...l, sharedBandwidth: undefined, ...o } : l)),
    });
    const ev = evaluate(problem, arch, mapping);
    const dr = ev.levels[0];
    const reads = Object.values(dr.dataSpaces).reduce((a, d) => a + d.reads, 0);
    const writes = Object.values(dr.dataSpaces).reduce((a, d) => a + d.fills + d.updates, 0);
    expect(writes).toBeGreaterThan(0);
    const bw = (reads + writes) / (ev.computeCycles * 2); // half the shared demand
    const shared = evaluate(problem, dram({ sharedBandwidth: bw }), mapping);
    const readOnly = evaluate(problem, dram({ readBandwidth: bw }), mapping);
    expect(shared.cycles).toBeGreaterThanOrEqual(2 * ev.computeCycles);
    expect(readOnly.cycles).toBe(
      Math.max(ev.computeCycles, bandwidthCycles(ev.computeCycles, reads / ev.computeCycles, 0, { readBandwidth: bw })),
    );
    expect(readOnly.cycles).toBeLessThan(shared.cycles);
  });
});

describe('leak accounting', () => {
  it('reports ERT leak per level but charges it only when asked (Timeloop v3.0.3 charges none)', () => {
    const leaky: Architecture = {
      ...arch,
      levels: arch.levels.map((l) => ({ ...l, energy: { ...l.energy, leak: 0.5 } })),
      compute: { ...arch.compute, leakPerCycle: 0.25 },
    };
    const plain = evaluate(problem, arch, mapping);
    const v3 = evaluate(problem, leaky, mapping);
    const later = evaluate(problem, leaky, mapping, { chargeLeak: true });
    expect(v3.energyPj).toBe(plain.energyPj);
    const storageLeak = v3.levels.reduce((a, l) => a + l.leakPj, 0);
    expect(storageLeak).toBeGreaterThan(0);
    // Storage levels per utilized instance per cycle; never the MACs.
    expect(later.energyPj).toBeCloseTo(plain.energyPj + storageLeak, 6);
    expect(v3.levels[2].leakPj).toBe(0.5 * v3.levels[2].utilizedInstances * v3.cycles);
  });
});

describe('dimensions on both array axes', () => {
  const both: Mapping = {
    levels: mapping.levels.map((l) =>
      l.level === 'GlobalBuffer'
        ? {
            ...l,
            spatial: [
              { dim: 'S', bound: 3, axis: 'Y' },
              { dim: 'K', bound: 2, axis: 'Y' },
              { dim: 'Q', bound: 7, axis: 'X' },
              { dim: 'K', bound: 2, axis: 'X' },
            ],
          }
        : l.level === 'DRAM'
          ? {
              ...l,
              temporal: [
                { dim: 'K', bound: 2 },
                { dim: 'C', bound: 2 },
                { dim: 'Q', bound: 2 },
              ],
            }
          : l,
    ),
  };
  it('are written as one dimension per run of loops, so every spatial directive has one factor per dimension', () => {
    expect(evaluate(problem, arch, both).valid).toBe(true);
    expect(() => mappingToYaml(both, problem)).toThrow(/both axes/);
    const form = timeloopForm(problem, both);
    const text = mappingToYaml(form.mapping, form.problem);
    const spatial = (parse(text).mapping as { type: string; permutation: string }[]).filter((d) => d.type === 'spatial');
    for (const s of spatial) expect(new Set(s.permutation).size).toBe(s.permutation.length);
    expect(form.problem.dims.length).toBeGreaterThan(problem.dims.length);
    const total = (p: typeof problem) => Object.values(p.bounds).reduce((a, b) => a * b, 1);
    expect(total(form.problem)).toBe(total(problem));
  });
});

describe('nacc search --out exports', () => {
  const prog = loadProgram('examples/naas_accelerators.nacc');
  const workloads = buildWorkloads(loadProgram('examples/naas_networks.nacc').networks.filter((n) => n.name === 'squeezenet'));

  for (const name of ['eyeriss', 'shidiannao', 'nvdla_256']) {
    it(`${name}: every layer's exported files import back to the same counts, cycles and energy`, async () => {
      const spec = prog.accelerators.find((a) => a.name === name);
      if (!spec) throw new Error(`no ${name}`);
      const result = await evaluateFixed(spec, workloads, 60, 1, inlineRunner);
      expect(result.valid).toBe(true);
      const design = designExportOf(name, specToArchitecture(spec), result, workloads);
      const files = new Map(designFiles(design, [timeloopWriter('v3')]));
      const arch2 = architectureFromTimeloop(
        parse(files.get('timeloop/arch.yaml') as string),
        parseErt(parse(files.get('timeloop/ERT.yaml') as string)),
      );
      let splitLayers = 0;
      for (const l of design.layers) {
        const base = `timeloop/${l.network}/${l.layer.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
        const prob2 = problemFromTimeloop(parse(files.get(`${base}.prob.yaml`) as string));
        const map2 = mappingFromTimeloopYaml(parse(files.get(`${base}.map.yaml`) as string), arch2, prob2);
        if (prob2.dims.length > l.problem.dims.length) splitLayers++;
        const ours = evaluate(l.problem, design.arch, l.mapping);
        const back = evaluate(prob2, arch2, map2);
        expect(back.cycles, l.layer).toBe(ours.cycles);
        expect(back.energyPj / ours.energyPj, l.layer).toBeCloseTo(1, 12);
        for (const [i, lv] of ours.levels.entries()) {
          for (const [ds, s] of Object.entries(lv.dataSpaces)) {
            expect(
              [back.levels[i].dataSpaces[ds].reads, back.levels[i].dataSpaces[ds].fills, back.levels[i].dataSpaces[ds].updates],
              `${l.layer} ${lv.name} ${ds}`,
            ).toEqual([s.reads, s.fills, s.updates]);
          }
        }
      }
      // Row stationary puts K on both array axes: the digit-dimension path is exercised.
      if (name === 'eyeriss') expect(splitLayers).toBeGreaterThan(0);
    }, 120_000);
  }

  it('--timeloop-dialect takes v3 or latest; anything else is a usage error', async () => {
    const r = await nacc([
      'search',
      'examples/naas_accelerators.nacc',
      '--network',
      'tinyconv',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--timeloop-dialect',
      'v4',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--timeloop-dialect/);
    expect(r.stderr).toMatch(/v3/);
  });

  it('writes the design and the baseline, in the dialect asked for', async () => {
    const spec = prog.accelerators.find((a) => a.name === 'nvdla_256');
    if (!spec) throw new Error('no nvdla_256');
    const result = await evaluateFixed(spec, workloads, 20, 1, inlineRunner);
    const out = mkdtempSync(join(tmpdir(), 'tl-out-'));
    const { writeArtefacts } = await import('../../compiler/cli/search.ts');
    writeArtefacts(out, { ...result, spec }, workloads, '<html></html>', { baseline: { spec, result }, dialect: 'latest' });
    for (const f of ['timeloop/arch.yaml', 'timeloop/ERT.yaml', 'baseline/timeloop/arch.yaml', 'baseline/timeloop/ERT.yaml'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const layer = design0(result);
    const prob = readFileSync(join(out, 'baseline/timeloop/squeezenet', `${layer}.prob.yaml`), 'utf8');
    expect(prob).toMatch(/data_spaces:/);
    expect(readFileSync(join(out, 'timeloop/arch.yaml'), 'utf8')).toMatch(/^# architecture naas_best for Timeloop after v3\.0\.3/);
  });
});

const design0 = (r: { networks: { layers: { name: string }[] }[] }): string =>
  r.networks[0].layers[0].name.replace(/[^A-Za-z0-9_.-]/g, '_');
