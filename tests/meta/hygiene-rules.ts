// The rules every test file keeps (issue 14): nothing skipped except through tests/helpers/requires.ts,
// tools found on PATH (no fixed /usr/bin paths), and writes only into fresh temp folders, never the tree.

export interface Rule {
  id: string;
  /** What the rule asks for, printed with every hit. */
  says: string;
  pattern: RegExp;
}

export const RULES: Rule[] = [
  {
    id: 'skip',
    says: 'skip only through describeNeeds/itNeeds (tests/helpers/requires.ts), which fail under CI=true',
    pattern: /\.(skipIf|runIf|skip|todo)\s*\(|\bit\.todo\b/,
  },
  {
    id: 'warn-skip',
    says: 'no warn-and-skip: say what the test needs with needShared/needTool/needHost',
    pattern: /console\.warn\([^\n]*\bskip/i,
  },
  {
    id: 'tool-path',
    says: 'find tools on PATH (needTool / testbench/tools/tools.ts), not at a fixed path',
    pattern: /['"`]\/(usr\/(local\/)?)?s?bin\/[A-Za-z]/,
  },
  {
    id: 'tree-folder',
    says: 'write into a fresh mkdtempSync(join(tmpdir(), "nacc-...")) folder, not a folder of the tree',
    // A path built from the default output roots or a scratch folder of tests/ (a plain string
    // such as shellWord('mcu-out/kws') is data, not a folder, and passes).
    pattern:
      /\b(resolve|join|mkdirSync|writeFileSync|rmSync|cpSync|mkdtempSync)\(\s*['"`](\.\/)?(rtl-out|mcu-out|out|tests\/[^'"`]*\/(_out|tmp|out))\b/,
  },
  {
    id: 'relative-write',
    says: 'write into a fresh temp folder: a relative path lands in the working tree',
    pattern: /\b(mkdirSync|mkdtempSync|writeFileSync|appendFileSync|cpSync|rmSync)\(\s*['"`](?!\/)/,
  },
  {
    id: 'relative-out',
    says: 'pass --out/--plot/--svg a path inside a fresh temp folder, not a relative literal',
    pattern: /['"`]--(out|plot|svg|events|output)['"`]\s*,\s*['"`](?!\/)(?!\$\{)/,
  },
];

/** Files allowed to use a rule's pattern (the helper that implements skipping). */
const EXEMPT: Record<string, string[]> = { skip: ['tests/helpers/requires.ts'], 'warn-skip': ['tests/helpers/requires.ts'] };

/** Every rule broken in one file, as `path:line: [rule] text -- what the rule asks for`. */
export function hygieneProblems(path: string, text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (const rule of RULES) {
    if (EXEMPT[rule.id]?.includes(path)) continue;
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line)) return; // comments may name what they forbid
      if (rule.pattern.test(line)) out.push(`${path}:${i + 1}: [${rule.id}] ${line.trim()} -- ${rule.says}`);
    });
  }
  return out;
}
