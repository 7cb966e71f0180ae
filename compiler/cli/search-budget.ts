// `--budget` of `nacc search` and `nacc nas`: the presets and the key=value form, read apart
// from the search command so that the MAESTRO search path (search-maestro.ts) can share it.
import { D, fail } from '../diagnostics/index.ts';
import { DEFAULT_BUDGET, type SearchBudget } from '../naas/search.ts';
import { parseChoice } from './options.ts';

const PRESETS: Record<string, SearchBudget> = {
  tiny: { generations: 3, population: 6, inner: { generations: 2, population: 6 }, baselineEvaluations: 200 },
  small: { generations: 6, population: 8, inner: { generations: 4, population: 8 }, baselineEvaluations: 1000 },
  default: DEFAULT_BUDGET,
  large: { generations: 20, population: 12, inner: { generations: 8, population: 10 }, baselineEvaluations: 4000 },
};

/** `--budget tiny|small|default|large` or `generations=G,population=P,inner=GxP,baseline=N`. */
export function parseBudget(s: string | undefined): SearchBudget {
  if (!s) return DEFAULT_BUDGET;
  if (PRESETS[s]) return PRESETS[s];
  // A word without '=' names a preset: an unknown one gets the presets and a suggestion.
  if (!s.includes('=')) return PRESETS[parseChoice(s, '--budget', Object.keys(PRESETS), 'preset')];
  const b: SearchBudget = { ...DEFAULT_BUDGET, inner: { ...DEFAULT_BUDGET.inner } };
  for (const part of s.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    const n = Number(v);
    if (k === 'inner') {
      const m = /^(\d+)x(\d+)$/.exec(v ?? '');
      if (!m) fail(D.budgetInner, `--budget inner must look like GENERATIONSxPOPULATION, got '${v}'`);
      b.inner = { generations: Number(m[1]), population: Number(m[2]) };
    } else if (!Number.isInteger(n) || n < 1) fail(D.budgetInteger, `--budget ${k} must be a positive integer`);
    else if (k === 'generations') b.generations = n;
    else if (k === 'population') b.population = n;
    else if (k === 'baseline') b.baselineEvaluations = n;
    else
      fail(
        D.budgetKey,
        `unknown --budget key '${k}' (generations, population, inner, baseline) or preset (${Object.keys(PRESETS).join(', ')})`,
      );
  }
  return b;
}
