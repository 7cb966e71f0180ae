// The one table of diagnostic codes (compiler/diagnostics/codes.ts): every code once, every code
// the compiler and testbench use is in it (and every entry is used), and the README and the
// capability docs list it (scripts/diagnostic-codes.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { D, fail, UserError } from '../../compiler/diagnostics/index.ts';
import { CODE_PAGES, pagePath, pageWithCodes } from '../../scripts/diagnostic-codes.ts';

const ROOT = join(import.meta.dirname, '../..');
const TABLE = 'compiler/diagnostics/codes.ts';
const CODE = /^[A-Z]{1,2}[0-9]{3,4}$/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Code-shaped string literals ('E0701', "TL010", `NQ003`) and `D.name` references, per file. */
function usesIn(file: string): { literals: string[]; names: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const literals = [...text.matchAll(/(['"`])([A-Z]{1,2}[0-9]{3,4})\1/g)].map((m) => m[2]);
  const names = [...text.matchAll(/\bD\.([A-Za-z][A-Za-z0-9]*)\b/g)].map((m) => m[1]);
  return { literals, names };
}

describe('diagnostic codes', () => {
  const entries = Object.entries(D);

  it('lists every code once, well formed, with an exit code and a summary', () => {
    const codes = entries.map(([, d]) => d.code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
    expect(codes.filter((c) => !CODE.test(c))).toEqual([]);
    expect(entries.filter(([, d]) => ![1, 2, 3, 4, 70].includes(d.exit) || d.summary.trim() === '').map(([n]) => n)).toEqual([]);
  });

  it('is how the compiler and testbench name codes (D.name, never a literal), and each of its entries is used', () => {
    const files = [...sources('compiler'), ...sources('testbench')].filter((f) => f !== TABLE);
    const known = new Set(entries.map(([, d]) => d.code));
    const used = new Set<string>();
    const unknown: string[] = [];
    for (const f of files) {
      const { literals, names } = usesIn(f);
      // A code written as a literal bypasses the table's name and exit code: use D.name instead.
      for (const c of literals) unknown.push(`${relative(ROOT, join(ROOT, f))}: '${c}'${known.has(c) ? '' : ' (not in the table)'}`);
      for (const n of names) {
        if (n in D) used.add(D[n as keyof typeof D].code);
      }
    }
    expect(unknown).toEqual([]);
    expect([...known].filter((c) => !used.has(c))).toEqual([]);
  });

  it('fail(D.name, ...) raises the code with the exit code of its table entry', () => {
    const caught = (() => {
      try {
        fail(D.badOptionValue, '--seed takes an integer');
      } catch (e) {
        return e;
      }
    })();
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).exitCode).toBe(2);
    expect((caught as UserError).diagnostics[0]).toMatchObject({ code: 'E0520', message: '--seed takes an integer' });
  });

  for (const page of CODE_PAGES)
    it(`the code list of ${page.path} is the table (regenerate: npx tsx scripts/diagnostic-codes.ts --write)`, () => {
      const text = readFileSync(pagePath(page), 'utf8');
      expect(text).toBe(pageWithCodes(text, page));
    });
});
