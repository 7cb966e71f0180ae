// Golden suites: generated Verilog, generated C and every command's --json, compared byte for
// byte with the files kept under tests/golden/expected/ (cases in ./cases.ts). A change to what
// nacc emits shows up here as a reviewed diff. Regenerate with `npm run update-golden`.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nacc } from '../helpers/cli.ts';
import { GOLDEN_CASES, OUT, VOLATILE_KEYS, type GoldenCase } from './cases.ts';

const ROOT = process.cwd();
const EXPECTED = join(ROOT, 'tests/golden/expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Paths and wall-clock values replaced so that the same input gives the same text anywhere. */
function normalise(text: string, out: string): string {
  return text.split(out).join('<out>').split(ROOT).join('<root>');
}

function normaliseJson(text: string, out: string): string {
  const value = JSON.parse(normalise(text, out), (key, v) => (VOLATILE_KEYS.test(key) ? '<wall-clock>' : v));
  return JSON.stringify(value, null, 2) + '\n';
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function kept(c: GoldenCase, file: string): boolean {
  const name = basename(file);
  return (c.files ?? []).some((pattern) => (pattern.startsWith('.') ? name.endsWith(pattern) : name === pattern));
}

/** What the case produces now: relative path → normalised text. */
async function produce(c: GoldenCase): Promise<Map<string, string>> {
  const tmp = mkdtempSync(join(tmpdir(), 'nacc-golden-'));
  const out = join(tmp, 'out');
  try {
    const r = await nacc(c.args.map((a) => (a === OUT ? out : a)));
    expect(r.code, `nacc ${c.args.join(' ')} failed:\n${r.stderr}`).toBe(0);
    const files = new Map<string, string>();
    if (c.json) files.set('stdout.json', normaliseJson(r.stdout, out));
    if (c.files) {
      for (const f of walk(out)
        .filter((f) => kept(c, f))
        .sort()) {
        const rel = relative(out, f);
        const text = readFileSync(f, 'utf8');
        files.set(rel, f.endsWith('.json') ? normaliseJson(text, out) : normalise(text, out));
      }
    }
    return files;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('golden outputs (npm run update-golden refreshes them)', () => {
  for (const c of GOLDEN_CASES) {
    it(c.name, { timeout: 600_000 }, async () => {
      const got = await produce(c);
      expect(got.size, `${c.name} produced no files to compare`).toBeGreaterThan(0);
      const dir = join(EXPECTED, c.name);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const [rel, text] of got) {
          mkdirSync(dirname(join(dir, rel)), { recursive: true });
          writeFileSync(join(dir, rel), text);
        }
      }
      const hint = `run \`npm run update-golden\` and review the diff`;
      expect(existsSync(dir), `${relative(ROOT, dir)} is missing: ${hint}`).toBe(true);
      const expected = walk(dir)
        .map((f) => relative(dir, f))
        .sort();
      expect([...got.keys()].sort(), `files written by \`nacc ${c.args.join(' ')}\` changed: ${hint}`).toEqual(expected);
      for (const rel of expected) {
        expect(got.get(rel), `${c.name}/${rel} differs from its golden: ${hint}`).toBe(readFileSync(join(dir, rel), 'utf8'));
      }
    });
  }
});
