// Property: whatever the input, the front-end reports diagnostics and never fails internally
// (which the CLI would turn into exit 70). Random token streams and random mutations of the
// example files, seeded so a failure reproduces.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../compiler/diagnostics/index.ts';
import { MAX_DIAGNOSTICS, compileSource } from '../../compiler/frontend/index.ts';
import { BUILTINS } from '../../compiler/frontend/builtins.ts';
import { KEYWORDS, UNITS } from '../../compiler/frontend/lexer.ts';
import { analyzeNetwork } from '../../compiler/analysis/analyze.ts';
import { nacc } from '../helpers/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SHARED } from '../helpers/shared.ts';

const VOCAB = [
  ...KEYWORDS,
  ...Object.keys(UNITS),
  ...Object.keys(BUILTINS),
  'x',
  'y',
  'image',
  'int8',
  'float32',
  'points',
  'voxels',
  'out',
  'kernel',
  'stride',
  'pad',
  'same',
  'valid',
  'act',
  'relu',
  'step',
  'per',
  'pe',
  '0',
  '1',
  '3',
  '16',
  '224',
  '0.5',
  '1e3',
  '-',
  '+',
  '*',
  '/',
  '<=',
  '..',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  '=',
  '"s"',
  '//c\n',
  '/*c*/',
  '\n',
  '$',
  '@',
];

function examples(): string[] {
  const dirs = [join(process.cwd(), 'examples'), join(SHARED, 'dsl-examples')];
  const texts: string[] = [];
  for (const d of dirs) {
    try {
      for (const f of readdirSync(d)) if (f.endsWith('.nacc')) texts.push(readFileSync(join(d, f), 'utf8'));
    } catch {
      /* ../shared may be absent; examples/ alone still exercises the property */
    }
  }
  return texts;
}

/**
 * Compile and analyse: both must complete without throwing. Recovery lowers what it can of a
 * file with errors, so every network it does lower must be whole (analysis accepts it), and
 * the diagnostics come in source order, each once, at most MAX_DIAGNOSTICS of them.
 */
function pipeline(text: string): number {
  const r = compileSource(new SourceFile('fuzz.nacc', text));
  for (const n of r.program.networks) analyzeNetwork(n);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS);
  const keys = errors.map((d) => `${d.location?.line}:${d.location?.column}:${d.code}:${d.message}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (let i = 1; i < errors.length; i++) {
    const [a, b] = [errors[i - 1].location!, errors[i].location!];
    expect(a.line < b.line || (a.line === b.line && a.column <= b.column)).toBe(true);
  }
  for (const d of errors) {
    expect(d.code).toMatch(/^E\d{4}$/);
    expect(d.location).toBeDefined();
  }
  return errors.length;
}

const tokenStream = fc.array(fc.constantFrom(...VOCAB), { minLength: 0, maxLength: 80 }).map((ts) => ts.join(' '));

const mutation = fc.record({
  file: fc.nat(),
  kind: fc.constantFrom('delete', 'duplicate', 'insert', 'swap-lines', 'replace-char'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  token: fc.constantFrom(...VOCAB),
  other: fc.nat(),
});

function mutate(texts: string[], m: { file: number; kind: string; at: number; len: number; token: string; other: number }): string {
  const t = texts[m.file % texts.length];
  const at = m.at % (t.length + 1);
  switch (m.kind) {
    case 'delete':
      return t.slice(0, at) + t.slice(at + m.len);
    case 'duplicate':
      return t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len);
    case 'insert':
      return t.slice(0, at) + ' ' + m.token + ' ' + t.slice(at);
    case 'swap-lines': {
      const lines = t.split('\n');
      const i = m.at % lines.length;
      const j = m.other % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    default:
      return t.slice(0, at) + String.fromCharCode(32 + (m.other % 95)) + t.slice(at + 1);
  }
}

describe('front-end robustness (fast-check, seeded)', () => {
  const texts = examples();

  it('random token streams only ever produce diagnostics', () => {
    fc.assert(
      fc.property(tokenStream, (text) => void pipeline(text)),
      { seed: 20261127, numRuns: 1500 },
    );
  });

  it('random mutations of the example files only ever produce diagnostics', () => {
    fc.assert(
      fc.property(mutation, (m) => void pipeline(mutate(texts, m))),
      { seed: 7, numRuns: 1500 },
    );
  });

  it('every example cut short anywhere only ever produces diagnostics', () => {
    const cut = fc.record({ file: fc.nat(), at: fc.nat() });
    fc.assert(
      fc.property(cut, ({ file, at }) => {
        const t = texts[file % texts.length];
        void pipeline(t.slice(0, at % (t.length + 1)));
      }),
      { seed: 14, numRuns: 800 },
    );
  });

  it('examples with lines dropped or glued together only ever produce diagnostics', () => {
    const edit = fc.record({ file: fc.nat(), lines: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), glue: fc.boolean() });
    fc.assert(
      fc.property(edit, ({ file, lines, glue }) => {
        const ls = texts[file % texts.length].split('\n');
        for (const l of lines) {
          const i = l % ls.length;
          if (glue && i + 1 < ls.length) ls.splice(i, 2, ls[i] + ' ' + ls[i + 1]);
          else ls.splice(i, 1);
        }
        void pipeline(ls.join('\n'));
      }),
      { seed: 15, numRuns: 800 },
    );
  });

  it('one slip in an example that breaks its syntax reports only syntax errors (no cascade)', () => {
    // A deleted word or character, or a stray bracket or operator: what the recovered parse
    // cannot read must not come back as undefined names, unknown ops or missing properties.
    const slip = fc.record({
      file: fc.nat(),
      at: fc.nat(),
      insert: fc.constantFrom('', '', '(', ')', '{', '}', '[', ']', ',', ':', '=', '*'),
    });
    fc.assert(
      fc.property(slip, ({ file, at, insert }) => {
        const t = texts[file % texts.length];
        const i = at % t.length;
        const word = insert ? '' : /^[A-Za-z0-9_.]+|^[^\s]?/.exec(t.slice(i))![0];
        const r = compileSource(new SourceFile('slip.nacc', t.slice(0, i) + insert + t.slice(i + word.length)));
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        if (errors.some((d) => d.code === 'E0102')) expect(errors.filter((d) => d.code !== 'E0102' && d.code !== 'E0101')).toEqual([]);
      }),
      { seed: 16, numRuns: 1500 },
    );
  });

  it('stacked mutations only ever produce diagnostics', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 2, maxLength: 6 }), (ms) => {
        let t = texts[ms[0].file % texts.length];
        for (const m of ms) t = mutate([t], m);
        pipeline(t);
      }),
      { seed: 11, numRuns: 600 },
    );
  });

  it('through the CLI: mutated files exit 0 or 1, never 70, never a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-fuzz-'));
    const samples = fc.sample(mutation, { seed: 3, numRuns: 4 });
    for (const [i, m] of samples.entries()) {
      const file = join(dir, `m${i}.nacc`);
      writeFileSync(file, mutate(texts, m));
      const r = await nacc(['inspect', file, '--json']);
      expect([0, 1]).toContain(r.code);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
