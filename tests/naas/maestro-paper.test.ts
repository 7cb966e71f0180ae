// The paper's protocol: MAESTRO's templates as data reproduce MAESTRO's own runs, nacc problems
// become MAESTRO layers with the same MACs, exported mapping files read back to the same
// costs, and `nacc search --evaluator maestro --protocol paper` reports the three ratios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMaestroCommand } from '../../testbench/fidelity/maestro-cases.ts';
import { maestroHwText, maestroMappingText } from '../../compiler/naas/maestro/export.ts';
import { parseMaestroHw, parseMaestroMapping, parseMaestroModel } from '../../compiler/importers/maestro/parse.ts';
import { problemMacs, convProblem, depthwiseProblem } from '../../compiler/ir/problem.ts';
import { evaluateNetwork, MAESTRO_DEFAULTS } from '../../compiler/naas/maestro/index.ts';
import { maestroLayerToProblem, problemToMaestro } from '../../compiler/naas/maestro/from-problem.ts';
import { evaluatePaperBaseline, PAPER_RESOURCES, searchPaper } from '../../compiler/naas/maestro/paper.ts';
import { templateDataflow, type TemplateName } from '../../compiler/naas/maestro/templates.ts';
import { nacc } from '../helpers/cli.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedPath } from '../helpers/shared.ts';

const CASES: [string, TemplateName][] = [
  ['layers_rs_168pe', 'rs'],
  ['layers_ykp_os_64pe', 'ykp_os'],
  ['layers_kcp_ws_256pe', 'kcp_ws'],
  ['layers_xp_ws_256pe', 'xp_ws'],
  ['depthwise_dpt_168pe', 'dpt'],
];

describeNeeds([needShared('reference', 'maestro')], 'MAESTRO templates as data', () => {
  for (const [c, template] of CASES) {
    it(`${template} on ${c} gives MAESTRO's own runtimes and MACs`, () => {
      const dir = sharedPath('reference', 'maestro', 'cases', c);
      const cmd = parseMaestroCommand(readFileSync(join(dir, 'cmd.txt'), 'utf8'), c);
      const net = parseMaestroMapping(readFileSync(join(dir, cmd.mappingFile), 'utf8'), cmd.mappingFile);
      const fromFile = evaluateNetwork(net, cmd.hw);
      const fromTemplate = evaluateNetwork(
        { ...net, layers: net.layers.map((l) => ({ ...l, dataflow: templateDataflow(template, l.type, l.dims) })) },
        cmd.hw,
      );
      expect(fromTemplate.map((r) => [r.runtime, r.macs])).toEqual(fromFile.map((r) => [r.runtime, r.macs]));
    });
  }
});

describeNeeds([needShared('reference', 'maestro')], 'MAESTRO layers as nacc problems', () => {
  it('every ResNet-50 and MobileNetV2 zoo layer goes to a problem and back to the same dimensions', () => {
    for (const f of ['resnet50_rs_168pe/Resnet50_rs.m', 'mobilenetv2_rs_168pe/MobileNetV2_rs.m']) {
      const net = parseMaestroMapping(readFileSync(sharedPath('reference', 'maestro', 'cases', f), 'utf8'), f);
      let checked = 0;
      for (const l of net.layers) {
        const y = l.dims.find((d) => d.name === 'Y')!;
        const r = l.dims.find((d) => d.name === 'R')!;
        if ((y.size - r.size) % y.stride !== 0) continue; // MAESTRO floors: the last input rows are unused
        const back = problemToMaestro(maestroLayerToProblem(l));
        const want = l.type === 'DSCONV' ? l.dims.map((d) => (d.name === 'K' ? { ...d, size: 1 } : d)) : l.dims;
        expect(Object.fromEntries(back.dims.map((d) => [d.name, [d.size, d.stride]])), `${f} ${l.name}`).toEqual(
          Object.fromEntries(want.map((d) => [d.name, [d.size, d.stride]])),
        );
        expect(back.type).toBe(l.type);
        checked++;
      }
      expect(checked).toBeGreaterThan(40);
    }
  });
});

describe('nacc problems as MAESTRO layers', () => {
  it('a model file (no dataflow) imports into problems with located errors for bad layers', () => {
    const net = parseMaestroModel(
      'Network M {\n  Layer A {\n    Type: CONV\n    Stride { X: 2, Y: 2 }\n    Dimensions { K: 8, C: 3, R: 3, S: 3, Y: 15, X: 15 }\n  }\n  Layer G {\n    Type: GEMM\n    Dimensions { K: 64, M: 10, N: 32 }\n  }\n}\n',
      'm.m',
    );
    expect(net.layers.map((l) => l.dataflow.length)).toEqual([0, 0]);
    const a = maestroLayerToProblem(net.layers[0]);
    expect([a.bounds.P, a.bounds.Q, a.bounds.K, a.bounds.C]).toEqual([7, 7, 8, 3]);
    expect(problemMacs(maestroLayerToProblem(net.layers[1]))).toBe(10 * 32 * 64);
    expect(() =>
      parseMaestroMapping(
        'Network M {\n  Layer A {\n    Type: CONV\n    Dimensions { K: 8, C: 3, R: 3, S: 3, Y: 15, X: 15 }\n  }\n}\n',
        'm.m',
      ),
    ).toThrow(/no Dataflow/);
  });
  it('a stride-1 convolution keeps its MACs under kcp_ws, and a strided one its output size', () => {
    const p = convProblem({ name: 'c', K: 32, C: 16, P: 14, Q: 12, R: 3, S: 3 });
    const s = problemToMaestro(p);
    expect(s.dims.find((d) => d.name === 'Y')!.size).toBe(14);
    expect(s.dims.find((d) => d.name === 'X')!.size).toBe(16);
    const [r] = evaluateNetwork(
      { name: 'n', layers: [{ name: 'c', type: s.type, dims: s.dims, dataflow: templateDataflow('kcp_ws', s.type, s.dims) }] },
      { ...MAESTRO_DEFAULTS, numPes: 256, nocBw: 256 },
    );
    expect(r.macs).toBe(problemMacs(p));
    const strided = problemToMaestro(convProblem({ name: 's', K: 8, C: 3, P: 56, Q: 56, R: 3, S: 3, strideW: 2, strideH: 2 }));
    expect(strided.dims.find((d) => d.name === 'Y')).toMatchObject({ size: 113, stride: 2 });
  });
  it('a depthwise convolution becomes DSCONV over its channels', () => {
    const s = problemToMaestro(depthwiseProblem({ name: 'dw', channels: 96, P: 28, Q: 28, R: 3, S: 3 }));
    expect(s.type).toBe('DSCONV');
    expect(s.dims.find((d) => d.name === 'C')!.size).toBe(96);
    expect(s.copies).toBe(1);
  });
});

describe('MAESTRO files written by nacc', () => {
  it('read back to the same network, hardware and costs', () => {
    const s = problemToMaestro(convProblem({ name: 'c', K: 64, C: 32, P: 28, Q: 28, R: 3, S: 3, strideW: 2, strideH: 2 }));
    const net = { name: 'n', layers: [{ name: 'conv 1', type: s.type, dims: s.dims, dataflow: templateDataflow('rs', s.type, s.dims) }] };
    const hw = { ...MAESTRO_DEFAULTS, numPes: 168, nocBw: 64, offchipBw: 16, l1Size: 512, l2Size: 110592 };
    const back = parseMaestroMapping(maestroMappingText(net, 'header line'), 'n.m');
    expect(back.layers[0].name).toBe('conv_1');
    expect(evaluateNetwork(back, hw)[0].runtime).toBe(evaluateNetwork(net, hw)[0].runtime);
    expect(parseMaestroHw(maestroHwText(hw), 'hw.m')).toMatchObject({ numPes: 168, nocBw: 64, offchipBw: 16 });
  });
});

describe('NAAS under the paper protocol', () => {
  const p1 = convProblem({ name: 'a', K: 32, C: 16, P: 16, Q: 16, R: 3, S: 3 });
  const p2 = depthwiseProblem({ name: 'b', channels: 32, P: 16, Q: 16, R: 3, S: 3 });
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
  it('finds a design within the baseline resources, the same for the same seed', () => {
    const budget = { generations: 2, population: 3, mappingSamples: 6, mappingSteps: 6 };
    const r1 = searchPaper(workloads, PAPER_RESOURCES.shidiannao, budget, 7);
    const r2 = searchPaper(workloads, PAPER_RESOURCES.shidiannao, budget, 7);
    expect(r1.best.valid).toBe(true);
    expect(r1.best.networks).toEqual(r2.best.networks);
    const d = r1.best.design;
    const res = PAPER_RESOURCES.shidiannao;
    expect(d.clusters * d.clusterSize).toBeLessThanOrEqual(res.numPes);
    expect(d.clusters * d.clusterSize * d.l1 + d.l2).toBeLessThanOrEqual(res.numPes * res.l1 + res.l2);
    expect(d.nocBw).toBe(res.nocBw);
    const base = evaluatePaperBaseline(workloads, res);
    expect(base[0].layers.map((l) => l.dataflow[0].variable)).toEqual(['K', 'C']); // ykp_os, then dpt on the depthwise layer
  });
});

describe('nacc search --evaluator maestro --protocol paper', () => {
  it('--json reports speedup, energy_ratio and edp_ratio consistent with the totals', async () => {
    const r = await nacc([
      'search',
      'examples/naas_accelerators.nacc',
      '--network',
      'tinyconv',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'shidiannao',
      '--evaluator',
      'maestro',
      '--protocol',
      'paper',
      '--budget',
      'generations=2,population=3,inner=2x3',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ evaluator: 'maestro', protocol: 'paper', baseline: { name: 'shidiannao', template: 'ykp_os' } });
    expect(j.speedup).toBeCloseTo(j.baseline.totals.cycles / j.best.totals.cycles, 9);
    expect(j.energy_ratio).toBeCloseTo(j.baseline.totals.energy_nj / j.best.totals.energy_nj, 9);
    expect(j.edp_ratio).toBeCloseTo(j.speedup * j.energy_ratio, 9);
    expect(j.best.design.pes).toBeLessThanOrEqual(64);
  }, 120_000);
  it('--protocol without --evaluator maestro and an unknown evaluator are usage errors', async () => {
    const base = ['search', 'examples/naas_accelerators.nacc', '--network', 'tinyconv', '--space', 'naas_eyeriss', '--baseline', 'eyeriss'];
    const a = await nacc([...base, '--protocol', 'paper']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--protocol paper applies to --evaluator maestro/);
    const b = await nacc([...base, '--evaluator', 'maestr0']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/maestro/);
  }, 60_000);
});

describe('MAESTRO writer of nacc search --out', () => {
  it('turns a Timeloop-style loop nest into directives MAESTRO takes, with the array axes as cluster levels', async () => {
    const { mappingToDirectives, architectureToMaestroHw } = await import('../../compiler/naas/maestro/design-writer.ts');
    const p = convProblem({ name: 'c', K: 32, C: 16, P: 14, Q: 14, R: 3, S: 3 });
    const mapping = {
      levels: [
        { level: 'DRAM', temporal: [{ dim: 'K', bound: 2 }], spatial: [], keep: ['Weights', 'Inputs', 'Outputs'] },
        {
          level: 'GlobalBuffer',
          temporal: [
            { dim: 'Q', bound: 14 },
            { dim: 'C', bound: 4 },
          ],
          spatial: [
            { dim: 'K', bound: 16, axis: 'Y' as const },
            { dim: 'C', bound: 4, axis: 'X' as const },
          ],
          keep: ['Weights', 'Inputs', 'Outputs'],
        },
        {
          level: 'RegisterFile',
          temporal: [
            { dim: 'P', bound: 14 },
            { dim: 'R', bound: 3 },
            { dim: 'S', bound: 3 },
          ],
          spatial: [],
          keep: ['Weights'],
        },
      ],
    };
    const df = mappingToDirectives(p, mapping);
    const cluster = df.findIndex((d) => d.kind === 'cluster');
    expect(df[cluster].size).toBe(4);
    expect(df.slice(0, cluster).find((d) => d.kind === 'spatial')).toMatchObject({ variable: 'K', size: 1 });
    expect(df.slice(cluster + 1).find((d) => d.kind === 'spatial')).toMatchObject({ variable: 'C', size: 1 });
    expect(df.slice(0, cluster).map((d) => d.variable)).toEqual(['K', "Y'", 'C', "X'", 'R', 'S']);
    const s = problemToMaestro(p);
    const [r] = evaluateNetwork(
      { name: 'n', layers: [{ name: 'c', type: s.type, dims: s.dims, dataflow: df }] },
      { ...MAESTRO_DEFAULTS, numPes: 64, nocBw: 64 },
    );
    expect(r.macs).toBe(problemMacs(p));
    expect(
      architectureToMaestroHw({ name: 'a', levels: [], compute: { name: 'mac', instances: 1, meshX: 1, meshY: 1, energyPj: 1 } } as never)
        .numPes,
    ).toBe(1);
  });
});

describe('nacc search --out (Timeloop-faithful search)', () => {
  it('writes MAESTRO input for the design and the baseline that our MAESTRO model evaluates', async () => {
    const { mkdtempSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = join(mkdtempSync(join(tmpdir(), 'nacc-maestro-out-')), 'o');
    const r = await nacc([
      'search',
      'examples/naas_accelerators.nacc',
      '--network',
      'tinyconv',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--seed',
      '2',
      '--budget',
      'generations=2,population=4,inner=2x4,baseline=100',
      '--threads',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const who of ['', 'baseline/']) {
      const hw = parseMaestroHw(read(join(out, `${who}maestro/hw.m`), 'utf8'), 'hw.m');
      const net = parseMaestroMapping(read(join(out, `${who}maestro/tinyconv.m`), 'utf8'), 'tinyconv.m');
      const res = evaluateNetwork(net, hw);
      expect(res.length).toBe(5);
      for (const l of res) expect(l.runtime).toBeGreaterThan(0);
    }
  }, 120_000);
});
