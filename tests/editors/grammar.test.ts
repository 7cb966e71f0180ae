// The editor grammar against the compiler's own token lists: every keyword, unit, context
// word, op and input type the lexer/builtins know gets its scope, nothing inside a longer
// identifier does, real .nacc files colour like the lexer cuts them, and the committed
// editors/vscode/ files are exactly what scripts/gen-grammar.ts generates.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOKENS, CONTEXT_WORDS, KEYWORD_TOKENS, KEYWORDS, UNITS, naccLexer } from '../../compiler/frontend/lexer.ts';
import { BUILTINS, INPUT_TYPES } from '../../compiler/frontend/builtins.ts';
import { SCOPES, grammarVocabulary, naccGrammar, vscodeExtensionFiles } from '../../compiler/frontend/grammar-export.ts';
import { Tokenizer, type RawGrammar } from './textmate.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedFiles } from '../helpers/shared.ts';

const committed = JSON.parse(readFileSync('editors/vscode/syntaxes/nacc.tmLanguage.json', 'utf8')) as RawGrammar;
const tm = new Tokenizer(committed);

/** Scopes at the first occurrence of `needle` (after `from`) in a one-line snippet. */
function scopesAt(line: string, needle: string, from = 0): string[] {
  const i = line.indexOf(needle, from);
  if (i < 0) throw new Error(`'${needle}' not in '${line}'`);
  const all = tm.tokenize(line)[0];
  // Every character of the word must carry the same scope list.
  for (let k = i; k < i + needle.length; k++) expect(all[k], `char ${k} of '${needle}' in '${line}'`).toEqual(all[i]);
  return all[i];
}
const last = (s: string[]) => s[s.length - 1];

describe('committed editor files', () => {
  it('are exactly what scripts/gen-grammar.ts generates (run it after changing the lexer or builtins)', () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
    for (const [rel, text] of Object.entries(vscodeExtensionFiles(version))) {
      expect(readFileSync(join('editors/vscode', rel), 'utf8'), `editors/vscode/${rel} is stale: npx tsx scripts/gen-grammar.ts`).toBe(
        text,
      );
    }
    expect(committed).toEqual(naccGrammar());
  });

  it('the extension manifest points at the grammar and configuration files', () => {
    const pkg = JSON.parse(readFileSync('editors/vscode/package.json', 'utf8'));
    expect(pkg.contributes.languages[0].extensions).toEqual(['.nacc']);
    expect(existsSync(join('editors/vscode', pkg.contributes.grammars[0].path))).toBe(true);
    expect(existsSync(join('editors/vscode', pkg.contributes.languages[0].configuration))).toBe(true);
    expect(pkg.contributes.grammars[0].scopeName).toBe(committed.scopeName);
  });
});

describe('every word the compiler knows is highlighted', () => {
  const v = grammarVocabulary();

  it('the vocabulary covers every keyword, unit, context word, op and input type', () => {
    expect(new Set([...v.declarations, ...v.constants, ...v.otherKeywords])).toEqual(new Set(KEYWORDS));
    expect(v.units).toEqual(Object.keys(UNITS));
    expect(v.contextWords).toEqual(CONTEXT_WORDS);
    expect(v.ops).toEqual(Object.keys(BUILTINS));
    expect(v.inputTypes).toEqual(Object.keys(INPUT_TYPES));
    expect(KEYWORDS.length).toBe(KEYWORD_TOKENS.length);
  });

  it.each(KEYWORDS)('keyword %s', (k) => {
    const want = v.constants.includes(k) ? SCOPES.boolean : v.declarations.includes(k) ? SCOPES.declaration : SCOPES.keyword;
    expect(last(scopesAt(`${k} x`, k))).toBe(want);
    expect(last(scopesAt(`  ${k}`, k))).toBe(want);
    // Inside a longer identifier it is not a keyword, as the lexer's longer_alt says.
    for (const line of [`my_${k} = 1`, `${k}s = 1`, `cortex-${k}`, `${k}-m4`]) {
      const s = tm.tokenize(line)[0];
      expect(
        s.some((x) => x.includes(want)),
        line,
      ).toBe(false);
    }
  });

  it.each(Object.keys(UNITS))('unit %s', (u) => {
    const line = `  size: 16 ${u}`;
    expect(last(scopesAt(line, '16'))).toBe(SCOPES.number);
    expect(last(scopesAt(line, u, line.indexOf('16') + 2))).toBe(SCOPES.unit);
    const per = `bw: 8 B/${u}`;
    expect(last(scopesAt(per, u, per.indexOf('/') + 1))).toBe(SCOPES.unit);
    // Without a number before it, a unit name is an ordinary identifier.
    expect(scopesAt(`${u} = relu(x)`, u)).toEqual([committed.scopeName]);
  });

  it.each(CONTEXT_WORDS)('context word %s', (w) => {
    const line = `a: 2..32 ${w} 2`;
    expect(last(scopesAt(line, w))).toBe(SCOPES.contextWord);
    expect(last(scopesAt(line, '..'))).toBe(SCOPES.range);
  });

  it.each(Object.keys(BUILTINS))('op %s', (op) => {
    expect(last(scopesAt(`  y = ${op}(x, out: 8)`, op))).toBe(SCOPES.op);
    expect(last(scopesAt(`  output ${op} (x)`, op))).toBe(SCOPES.op);
    // A variable that happens to share the name is not an op call.
    expect(scopesAt(`  y = ${op}`, op)).toEqual([committed.scopeName]);
    expect(last(scopesAt(`  y = my_${op}(x)`, `my_${op}`))).toBe(SCOPES.call);
  });

  it.each(Object.keys(INPUT_TYPES))('input type %s', (t) => {
    expect(last(scopesAt(`  input x: ${t}[8, 8, 3]`, t))).toBe(SCOPES.inputType);
  });

  it('comments, strings, names and numbers', () => {
    expect(last(scopesAt('x = 1 // network relu(', '// network relu('))).toBe(SCOPES.lineComment);
    const doc = tm.tokenize('a /* network\n conv2d( */ b');
    expect(last(doc[0][4])).toBe(SCOPES.blockComment);
    expect(last(doc[1][3])).toBe(SCOPES.blockComment);
    expect(doc[1][' conv2d( */ b'.indexOf('b')]).toEqual([committed.scopeName]);
    expect(last(scopesAt('path: "a//b network \\" c"', 'a//b network'))).toBe(SCOPES.string);
    expect(last(scopesAt('path: "x\\"y"', '\\"'))).toBe(SCOPES.escape);
    expect(last(scopesAt('network ds_cnn {', 'ds_cnn'))).toBe(SCOPES.declarationName);
    expect(last(scopesAt('block fire(x, s) {', 'fire'))).toBe(SCOPES.blockName);
    expect(last(scopesAt('mcu stm32-f4 {', 'stm32-f4'))).toBe(SCOPES.declarationName);
    expect(last(scopesAt('  core: cortex-m4', 'core'))).toBe(SCOPES.property);
    expect(scopesAt('  core: cortex-m4', 'cortex-m4')).toEqual([committed.scopeName]);
    expect(last(scopesAt('radius: 1.5e-3', '1.5e-3'))).toBe(SCOPES.number);
    expect(last(scopesAt('x = conv2d(a) * 3', '*'))).toBe(SCOPES.operator);
  });

  it('an upper bound: `<=` is one operator, then the number and its unit', () => {
    const line = '  area: <= 1.5 mm2';
    expect(last(scopesAt(line, 'area'))).toBe(SCOPES.property);
    expect(last(scopesAt(line, '<='))).toBe(SCOPES.operator);
    expect(last(scopesAt(line, '1.5'))).toBe(SCOPES.number);
    expect(last(scopesAt(line, 'mm2'))).toBe(SCOPES.unit);
    // As the lexer cuts it: one LessEqual token.
    expect(naccLexer.tokenize(line).tokens.map((t) => t.tokenType.name)).toEqual([
      'Identifier',
      'Colon',
      'LessEqual',
      'NumberLiteral',
      'Identifier',
    ]);
  });
});

// Real files: colour each lexer token the way its token type says.
const exampleFiles = readdirSync('examples')
  .filter((f) => f.endsWith('.nacc'))
  .map((f) => join('examples', f));

describe('real .nacc files colour like the lexer cuts them (examples/)', () => {
  it('examples/ holds .nacc files to check', () => expect(exampleFiles.length).toBeGreaterThan(0));
  colourChecks(exampleFiles);
});
describeNeeds([needShared('dsl-examples')], 'real .nacc files colour like the lexer cuts them (../shared/dsl-examples)', () =>
  colourChecks(sharedFiles('dsl-examples', '.nacc')),
);

function colourChecks(files: string[]): void {
  const keywordNames = new Set(KEYWORD_TOKENS.map((t) => t.name));
  // Each token type the lexer has gets an expectation; a new token type fails here until added.
  const expectation: Record<string, string | null> = {
    WhiteSpace: null,
    BlockComment: SCOPES.blockComment,
    LineComment: SCOPES.lineComment,
    Identifier: null, // depends on context: checked below
    NumberLiteral: SCOPES.number,
    StringLiteral: SCOPES.string,
    DotDot: SCOPES.range,
    LBrace: null,
    RBrace: null,
    LParen: null,
    RParen: null,
    LBracket: null,
    RBracket: null,
    Comma: SCOPES.punctuation,
    Colon: SCOPES.punctuation,
    Equals: SCOPES.operator,
    LessEqual: SCOPES.operator,
    Star: SCOPES.operator,
    Slash: SCOPES.operator,
    Plus: SCOPES.operator,
    Minus: SCOPES.operator,
  };
  it('every lexer token type has an editor expectation', () => {
    for (const t of ALL_TOKENS) if (!keywordNames.has(t.name)) expect(Object.keys(expectation), `token ${t.name}`).toContain(t.name);
  });

  it.each(files)('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const lines = tm.tokenize(text);
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const at = (offset: number) => {
      let l = lineStarts.length - 1;
      while (lineStarts[l] > offset) l--;
      return lines[l][offset - lineStarts[l]];
    };
    const { tokens, errors } = naccLexer.tokenize(text);
    expect(errors).toEqual([]);
    let checked = 0;
    tokens.forEach((t, i) => {
      const s = at(t.startOffset);
      const name = t.tokenType.name;
      const where = `${file}:${t.startLine}:${t.startColumn} '${t.image}'`;
      if (keywordNames.has(name)) {
        expect([SCOPES.declaration, SCOPES.keyword, SCOPES.boolean], where).toContain(last(s));
      } else if (name === 'Identifier') {
        const prev = tokens[i - 1]?.tokenType.name;
        const prev2 = tokens[i - 2]?.tokenType.name;
        const next = tokens[i + 1]?.tokenType.name;
        if (t.image in BUILTINS && next === 'LParen') expect(last(s), where).toBe(SCOPES.op);
        else if (
          t.image in UNITS &&
          (prev === 'NumberLiteral' || (prev === 'Slash' && prev2 === 'Identifier' && tokens[i - 2].image in UNITS))
        )
          expect(last(s), where).toBe(SCOPES.unit);
        else if (CONTEXT_WORDS.includes(t.image)) expect(last(s), where).toBe(SCOPES.contextWord);
        else
          expect([SCOPES.op, SCOPES.unit, SCOPES.number, SCOPES.keyword, SCOPES.declaration, SCOPES.string], where).not.toContain(last(s));
      } else if (expectation[name]) {
        // A slash between units belongs to the number rule and is still an operator.
        expect(last(s), where).toBe(expectation[name]);
      }
      checked++;
    });
    expect(checked).toBeGreaterThan(10);
    // Comments: skipped by the lexer, so find them with its own token patterns.
    for (const m of text.matchAll(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g)) {
      const inString = tokens.some((t) => t.tokenType.name === 'StringLiteral' && t.startOffset < m.index && t.endOffset! >= m.index);
      if (!inString) expect([SCOPES.lineComment, SCOPES.blockComment], `${file} comment at ${m.index}`).toContain(last(at(m.index)));
    }
  });
}
