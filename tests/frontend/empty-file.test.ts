// An empty .nacc file (or one with only comments) is an error, not "no networks" and exit 0 (issue 26).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { compileSource } from '../../compiler/frontend/index.ts';
import { naccInProcess } from '../helpers/in-process.ts';

describe('a file that declares nothing', () => {
  it('is one located E0104 error for empty and comment-only text', () => {
    for (const text of ['', '\n\n', '// only a comment\n/* and a block */\n']) {
      const r = compileSource(new SourceFile('e.nacc', text));
      expect(r.diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.code}`)).toEqual(['1:1 E0104']);
    }
  });

  it('makes nacc inspect exit 1 with nothing on stdout', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'nacc-empty-')), 'empty.nacc');
    writeFileSync(f, '');
    const r = await naccInProcess(['inspect', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error[E0104]');
  });
});
