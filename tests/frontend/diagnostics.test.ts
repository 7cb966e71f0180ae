// Diagnostics: each case file marks the lines that must error with `//! CODE ...`; the full
// printed output is a golden file beside it. Regenerate goldens (then review the diff) with:
//   UPDATE_GOLDEN=1 npx vitest run tests/frontend/diagnostics.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceFile, formatDiagnostics } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { nacc } from '../helpers/cli.ts';

const dir = join(process.cwd(), 'tests/frontend/diagnostics');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.nacc'))
  .sort();

function expectedMarks(text: string): string[] {
  const marks: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = line.match(/\/\/! (.*)$/);
    if (m) for (const code of m[1].trim().split(/\s+/)) marks.push(`${i + 1} ${code}`);
  });
  return marks.sort();
}

describe('diagnostics', () => {
  for (const c of cases) {
    it(c, () => {
      const path = join(dir, c);
      const rel = relative(process.cwd(), path);
      const text = readFileSync(path, 'utf8');
      const r = compileSource(new SourceFile(rel, text));
      const got = r.diagnostics.map((d) => `${d.location?.line} ${d.code}`).sort();
      expect(got).toEqual(expectedMarks(text));
      for (const d of r.diagnostics) expect(d.location?.file).toBe(rel);
      const printed = formatDiagnostics(r.diagnostics) + '\n';
      const golden = path.replace(/\.nacc$/, '.expected');
      // Goldens are written only on request, never as a side effect of a normal (or CI) run.
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, printed);
      expect(
        existsSync(golden),
        `${relative(process.cwd(), golden)} is missing: UPDATE_GOLDEN=1 npx vitest run tests/frontend/diagnostics.test.ts writes it`,
      ).toBe(true);
      expect(printed).toBe(readFileSync(golden, 'utf8'));
    });
  }
});

describe('nacc inspect on malformed files', () => {
  it('prints located diagnostics with a code frame, exits 1, and never a stack trace', async () => {
    const r = await nacc(['inspect', 'tests/frontend/diagnostics/arguments.nacc']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tests\/frontend\/diagnostics\/arguments\.nacc:4:21: error\[E0202\]: unknown argument 'outs'/m);
    expect(r.stderr).toMatch(/^4 \|   a = conv2d\(image, outs: 8, kernel: 3\)/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a missing file is an input error (exit 1)', async () => {
    const r = await nacc(['inspect', 'no/such/file.nacc']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot read file 'no/such/file.nacc'");
  });

  it('usage errors exit 2', async () => {
    expect((await nacc(['inspect'])).code).toBe(2);
    expect((await nacc(['inspect', 'examples/classic.nacc', '--bogus'])).code).toBe(2);
    const r = await nacc(['inspect', 'examples/classic.nacc', '--network', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no network 'nope'");
  });
});
