// What the real timeloop-model v3.0.3 printed for the files `nacc search --out` exported (the
// six NAAS networks on the three baselines and on searched designs; fixtures/timeloop-v3.0.3/,
// written by bench/timeloop-v3.ts, command lines in its README): our model on the same files
// gives every count exactly, cycles within one (Timeloop's floating-point ceiling) and energy
// within 0.01%.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareWithStats } from '../../testbench/fidelity/timeloop-exported.ts';
import {
  architectureFromTimeloop,
  mappingFromTimeloopYaml,
  parseErt,
  parseStatsText,
  problemFromTimeloop,
} from '../../compiler/importers/timeloop/parse.ts';
import { evaluate } from '../../compiler/naas/model.ts';

const ROOT = join(import.meta.dirname, 'fixtures', 'timeloop-v3.0.3');
const NETWORKS = ['mnasnet', 'mobilenetv2', 'resnet50', 'squeezenet', 'unet', 'vgg16'];
const read = (dir: string, f: string): unknown => parse(readFileSync(join(dir, f), 'utf8'));
const designs = existsSync(ROOT)
  ? readdirSync(ROOT)
      .filter((d) => existsSync(join(ROOT, d, 'layers.json')))
      .sort()
  : [];

describe('timeloop-model v3.0.3 on our exports', () => {
  it('covers the six NAAS networks on the three baselines and on a searched design', () => {
    const names = designs.map((d) => (JSON.parse(readFileSync(join(ROOT, d, 'layers.json'), 'utf8')) as { design: string }).design);
    for (const b of ['eyeriss', 'shidiannao', 'nvdla_256']) expect(names).toContain(b);
    expect(names).toContain('naas_best');
    for (const d of designs) {
      const { layers } = JSON.parse(readFileSync(join(ROOT, d, 'layers.json'), 'utf8')) as { layers: { network: string }[] };
      expect(new Set(layers.map((l) => l.network)), d).toEqual(new Set(NETWORKS));
    }
  });

  for (const d of designs) {
    it(`${d}: every layer's counts equal, cycles within 1, energy within 0.01%`, () => {
      const dir = join(ROOT, d);
      const arch = architectureFromTimeloop(read(dir, 'arch.yaml'), parseErt(read(dir, 'ERT.yaml')));
      const { layers } = JSON.parse(readFileSync(join(dir, 'layers.json'), 'utf8')) as { layers: { id: string }[] };
      const ids = [...new Set(layers.map((l) => l.id))];
      expect(ids.length).toBeGreaterThan(10);
      for (const id of ids) {
        const problem = problemFromTimeloop(read(dir, `${id}.prob.yaml`));
        const mapping = mappingFromTimeloopYaml(read(dir, `${id}.map.yaml`), arch, problem);
        const stats = parseStatsText(gunzipSync(readFileSync(join(dir, `${id}.stats.txt.gz`))).toString('utf8'));
        const c = compareWithStats(evaluate(problem, arch, mapping), stats);
        expect(c.mismatches, id).toEqual([]);
        expect(c.counts_match, id).toBe(true);
        expect(Math.abs(c.cycles.ours - c.cycles.reference), `${id} cycles ${c.cycles.ours} vs ${c.cycles.reference}`).toBeLessThanOrEqual(
          1,
        );
        expect(c.energy_pj.relative_error, `${id} energy ${c.energy_pj.ours} vs ${c.energy_pj.reference}`).toBeLessThan(1e-4);
      }
    });
  }
});
