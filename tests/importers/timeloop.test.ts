import { mkdtempSync, writeFileSync } from 'node:fs';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCase, findCases } from '../../testbench/fidelity/timeloop-cases.ts';
import { architectureToYaml, ertToYaml, mappingToYaml, problemToYaml } from '../../compiler/naas/timeloop-export.ts';
import {
  architectureFromTimeloop,
  mappingFromTimeloopYaml,
  parseErt,
  problemFromTimeloop,
  sameMapping,
} from '../../compiler/importers/timeloop/parse.ts';
import { evaluate } from '../../compiler/naas/model.ts';

const REF = '../shared/reference/timeloop';
const NEED_REF = needShared('reference', 'timeloop');

describeNeeds([NEED_REF], 'timeloop check against the reference stats', () => {
  const cases = findCases(REF);
  it('finds both the v0.4 example designs and the ISPASS 2020 cases', () => {
    expect(cases.some((c) => c.format === 'v0.4')).toBe(true);
    expect(cases.some((c) => c.format === '2020')).toBe(true);
    expect(cases.some((c) => c.mappingSource.endsWith('.map.txt'))).toBe(true);
  });
  for (const c of cases) {
    it(`${c.name}: cycles equal, counts equal, energy within 0.01%`, () => {
      const { result } = checkCase(c);
      expect(result.valid).toBe(true);
      expect(result.mismatches).toEqual([]);
      expect(result.cycles.ours).toBe(result.cycles.reference);
      expect(result.energy_pj.relative_error).toBeLessThan(1e-4);
    });
  }
  it('round-trips an exported design, problem and mapping through our own importer', () => {
    for (const c of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'tl-'));
      const a = architectureToYaml(c.arch);
      const p = problemToYaml(c.problem);
      const m = mappingToYaml(c.mapping, c.problem);
      writeFileSync(join(dir, 'arch.yaml'), a);
      for (const text of [a, p, m]) expect(text).not.toMatch(/[&*]a\d/); // no YAML aliases
      const arch2 = architectureFromTimeloop(parse(a), parseErt(parse(ertToYaml(c.arch))));
      const prob2 = problemFromTimeloop(parse(p));
      const map2 = mappingFromTimeloopYaml(parse(m), arch2, prob2);
      expect(sameMapping(map2, c.mapping)).toBe(true);
      const conv = c.format === '2020' ? '2020' : 'v3';
      const e1 = evaluate(c.problem, c.arch, c.mapping, { convention: conv, chargeLeak: c.reference.chargesLeak });
      const e2 = evaluate(prob2, arch2, map2, { convention: conv, chargeLeak: c.reference.chargesLeak });
      expect(e2.cycles).toBe(e1.cycles);
      expect(e2.energyPj).toBeCloseTo(e1.energyPj, 3);
    }
  });
});
