// Every shared language example and every example of ours parses and lowers without diagnostics.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedFiles } from '../helpers/shared.ts';

function compileFile(path: string) {
  return compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
}

describeNeeds([needShared('dsl-examples')], 'shared dsl-examples (the language contract)', () => {
  for (const file of sharedFiles('dsl-examples', '.nacc')) {
    it(`parses and lowers ${file.split('/').pop()}`, () => {
      const r = compileFile(file);
      expect(r.diagnostics).toEqual([]);
      const p = r.program;
      expect(
        p.networks.length + p.accelerators.length + p.spaces.length + p.mcus.length + p.pointaccs.length + p.federated.length,
      ).toBeGreaterThan(0);
    });
  }
});

describe('examples/', () => {
  const dir = join(process.cwd(), 'examples');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.nacc'))) {
    it(`parses and lowers ${f}`, () => {
      expect(compileFile(join(dir, f)).diagnostics).toEqual([]);
    });
  }
});

describeNeeds([needShared('dsl-examples')], 'lowered declarations carry the declared values', () => {
  it('accelerators, spaces and units', () => {
    const { program } = compileFile(join(process.cwd(), '../shared/dsl-examples/accelerators.nacc'));
    const eyeriss = program.accelerators.find((a) => a.name === 'eyeriss')!;
    expect(eyeriss).toMatchObject({
      peArray: [12, 14],
      dataflow: 'row_stationary',
      registerFileBytesPerPe: 520,
      globalBufferBytes: 108 * 1024,
      dramBandwidthBytesPerCycle: 8,
      wordBits: 16,
      clockMHz: 200,
    });
    const space = program.spaces.find((s) => s.name === 'naas_eyeriss')!;
    expect(space).toMatchObject({
      resources: 'eyeriss',
      arrayDims: { min: 1, max: 3, step: 1 },
      peCount: { min: 8, max: 168, step: 8 },
      parallel: 'search',
      registerFileBytes: { min: 16, max: 1024, step: 16 },
      objective: 'edp',
    });
    const sizing = program.spaces.find((s) => s.name === 'sizing_eyeriss')!;
    expect(sizing.peArray).toEqual([
      { min: 2, max: 32, step: 2 },
      { min: 2, max: 32, step: 2 },
    ]);
    expect(sizing.dataflow).toBe('row_stationary');
  });

  it('mcu, pointacc and federated jobs', () => {
    const mcu = compileFile(join(process.cwd(), '../shared/dsl-examples/mcu.nacc')).program.mcus;
    expect(mcu.find((m) => m.name === 'stm32f412')).toMatchObject({
      core: 'cortex-m4',
      sramBytes: 256 * 1024,
      flashBytes: 1024 * 1024,
      clockMHz: 100,
    });
    const pc = compileFile(join(process.cwd(), '../shared/dsl-examples/pointclouds.nacc')).program.pointaccs[0];
    expect(pc).toMatchObject({
      mappingUnit: { sorterWidth: 16, keyBits: 32 },
      matrixUnit: [16, 16],
      cacheBytes: 65536,
      bufferBytes: 262144,
      dramBandwidthBytesPerCycle: 16,
      wordBits: 8,
      clockMHz: 1000,
    });
    const fl = compileFile(join(process.cwd(), '../shared/dsl-examples/federated.nacc')).program.federated;
    expect(fl.find((j) => j.name === 'digits_dga')).toMatchObject({
      network: 'digits_mlp',
      data: { generator: 'synthetic_digits', samples: 8000, partition: { kind: 'dirichlet', alpha: 0.5 } },
      workers: 16,
      stepTimeMs: 50,
      latencyMs: 500,
      bandwidthMbitPerS: 20,
      algorithm: { kind: 'dga', localSteps: 5, delay: 20 },
      optimizer: { kind: 'sgd', lr: 0.05, momentum: 0 },
      batch: 32,
      targetAccuracy: 0.85,
      seed: 1,
    });
  });
});
