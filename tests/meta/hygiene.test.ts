// Every test file keeps the rules of tests/meta/hygiene-rules.ts (no skipping but through
// tests/helpers/requires.ts, tools on PATH, writes only into fresh temp folders); the rules catch what they name.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hygieneProblems } from './hygiene-rules.ts';

const ROOT = process.cwd();

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testSources(p);
    return /\.(ts|mts)$/.test(e.name) ? [relative(ROOT, p)] : [];
  });
}

describe('test hygiene', () => {
  it('no file under tests/ skips, hard-codes a tool path or writes into the tree', () => {
    // The rules file names the patterns it forbids; it is checked by the cases below instead.
    const files = testSources(join(ROOT, 'tests')).filter((f) => f !== 'tests/meta/hygiene-rules.ts' && f !== 'tests/meta/hygiene.test.ts');
    expect(files.length).toBeGreaterThan(50);
    const problems = files.flatMap((f) => hygieneProblems(f, readFileSync(f, 'utf8')));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  // Lines as they stood in the tree before issue 14, one per rule, and their fixed forms.
  const cases: [string, string, string][] = [
    [
      'skip',
      "describe.skipIf(!hasShared('dsl-examples'))('shared examples', () => {",
      "describeNeeds([needShared('dsl-examples')], 'shared examples', () => {",
    ],
    ['skip', '  it.skipIf(!gcc)(name, async () => {', '  itNeeds([GCC], name, async () => {'],
    ['skip', "it.skip('later', () => {});", "it('now', () => {});"],
    ['skip', "it.todo('write me');", "it('written', () => {});"],
    [
      'warn-skip',
      'if (!have) console.warn(`timeloop reference cases missing at ${REF}; skipping`);',
      "const NEED_REF = needShared('reference', 'timeloop');",
    ],
    ['tool-path', "const HAVE_GCC = existsSync('/usr/bin/gcc');", "const GCC = await needTool('gcc');"],
    ['tool-path', "export const CHROMIUM = '/usr/bin/chromium';", 'const CHROMIUM = await needChromium();'],
    [
      'tree-folder',
      "const OUT = resolve('mcu-out/test-mcu-patch');",
      "const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-patch-emit-'));",
    ],
    ['tree-folder', "const OUT = resolve('tests/report/_out/unit');", "const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-report-'));"],
    ['tree-folder', "mkdirSync('rtl-out/acc', { recursive: true });", "mkdirSync(join(OUT, 'rtl-out', 'acc'), { recursive: true });"],
    ['tree-folder', "const shot = join('tests/report/_out', 'a.png');", "const shot = join(OUT, 'a.png');"],
    ['tree-folder', "const plot = join('out', 'fl.svg');", "const plot = join(dir, 'out', 'fl.svg');"],
    ['relative-write', "writeFileSync('scratch.nacc', text);", 'writeFileSync(join(dir, "scratch.nacc"), text);'],
    ['relative-write', "const d = mkdtempSync('nacc-');", "const d = mkdtempSync(join(tmpdir(), 'nacc-'));"],
    ['relative-out', "await nacc(['rtl', FILE, '--out', 'build/acc']);", "await nacc(['rtl', FILE, '--out', join(dir, 'acc')]);"],
    ['relative-out', "await nacc(['fl', FILE, '--plot', 'fl.svg']);", "await nacc(['fl', FILE, '--plot', `${dir}/fl.svg`]);"],
  ];
  it.each(cases)('rule %s catches `%s` and passes its fix', (rule, bad, good) => {
    const hits = hygieneProblems('tests/x.test.ts', bad);
    expect(hits.map((h) => h.match(/\[([\w-]+)\]/)![1])).toContain(rule);
    expect(hits[0]).toMatch(/^tests\/x\.test\.ts:1: \[/);
    expect(hygieneProblems('tests/x.test.ts', good)).toEqual([]);
  });

  it('lets the requirements helper skip, and comments name what they forbid', () => {
    expect(hygieneProblems('tests/x.test.ts', "expect(shellWord('mcu-out/kws')).toBe('mcu-out/kws');")).toEqual([]);
    expect(hygieneProblems('tests/helpers/requires.ts', '  describe.skip(name, () => {')).toEqual([]);
    expect(hygieneProblems('tests/helpers/other.ts', '  describe.skip(name, () => {')).toHaveLength(1);
    expect(hygieneProblems('tests/x.test.ts', "// never describe.skipIf( or '/usr/bin/gcc' here")).toEqual([]);
  });
});
