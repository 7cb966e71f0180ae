// The TextMate grammar and VS Code language files for .nacc, generated from the lexer's token
// lists and the built-in op table so the editor cannot drift from the compiler.
// Regenerate the committed copies in editors/vscode/ with `npx tsx scripts/gen-grammar.ts`.
import { CONFIG_KEYWORDS, CONTEXT_WORDS, KEYWORDS, UNITS } from './lexer.ts';
import { BUILTINS, INPUT_TYPES } from './builtins.ts';

export const SCOPE = 'source.nacc';

/** Identifier characters, as the lexer's Identifier token has them (inner hyphens allowed). */
const IDENT = '[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*';
/** Not inside an identifier: no identifier character, nor `ident-`, right before (cortex-m4). */
const NOT_AFTER_IDENT = '(?<![A-Za-z0-9_])(?<![A-Za-z0-9_]-)';
/** Not followed by more identifier: no identifier character, nor `-x`. */
const NOT_BEFORE_IDENT = '(?![A-Za-z0-9_]|-[A-Za-z0-9_])';
/** A whole word, as the lexer would cut it (keywords use longer_alt: Identifier). */
const word = (alternatives: string, capture = false) => `${NOT_AFTER_IDENT}(${capture ? '' : '?:'}${alternatives})${NOT_BEFORE_IDENT}`;
const NUMBER = '\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Longest first, so `Mbit` wins over `M...` prefixes in an alternation. */
const alt = (words: string[]) =>
  [...new Set(words)]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map(escapeRe)
    .join('|');

const keywordWord = (t: (typeof CONFIG_KEYWORDS)[number]) => (t.PATTERN as RegExp).source.replace('\\b', '');

/** The words the grammar must colour, by what they are (also what the editor test checks). */
export function grammarVocabulary() {
  const declarations = ['network', 'block', ...CONFIG_KEYWORDS.map(keywordWord)];
  const constants = ['true', 'false'];
  return {
    declarations,
    constants,
    otherKeywords: KEYWORDS.filter((k) => !declarations.includes(k) && !constants.includes(k)),
    units: Object.keys(UNITS),
    contextWords: [...CONTEXT_WORDS],
    ops: Object.keys(BUILTINS),
    inputTypes: Object.keys(INPUT_TYPES),
  };
}

/** Scope names each class of word gets; tests assert against these. */
export const SCOPES = {
  lineComment: 'comment.line.double-slash.nacc',
  blockComment: 'comment.block.nacc',
  string: 'string.quoted.double.nacc',
  escape: 'constant.character.escape.nacc',
  declaration: 'keyword.declaration.nacc',
  declarationName: 'entity.name.type.nacc',
  blockName: 'entity.name.function.nacc',
  keyword: 'keyword.control.nacc',
  boolean: 'constant.language.boolean.nacc',
  number: 'constant.numeric.nacc',
  unit: 'keyword.other.unit.nacc',
  contextWord: 'keyword.operator.word.nacc',
  op: 'support.function.builtin.nacc',
  call: 'entity.name.function.call.nacc',
  inputType: 'storage.type.nacc',
  property: 'variable.other.property.nacc',
  range: 'keyword.operator.range.nacc',
  operator: 'keyword.operator.nacc',
  punctuation: 'punctuation.separator.nacc',
} as const;

type Rule = Record<string, unknown>;

/** The TextMate grammar (JSON-ready object, stable key order). */
export function naccGrammar(): Rule {
  const v = grammarVocabulary();
  const units = alt(v.units);
  const unitAfter = `(?:\\s*(/)\\s*(${units})${NOT_BEFORE_IDENT})?`;
  const repository: Record<string, Rule> = {
    comments: {
      patterns: [
        { name: SCOPES.lineComment, match: '//.*$' },
        { name: SCOPES.blockComment, begin: '/\\*', end: '\\*/' },
      ],
    },
    strings: {
      name: SCOPES.string,
      begin: '"',
      end: '"|$',
      patterns: [{ name: SCOPES.escape, match: '\\\\.' }],
    },
    declarations: {
      patterns: [
        {
          match: `${word('block', true)}\\s+(${IDENT})`,
          captures: { '1': { name: SCOPES.declaration }, '2': { name: SCOPES.blockName } },
        },
        {
          match: `${word(alt(v.declarations), true)}(?:\\s+(${IDENT}))?`,
          captures: { '1': { name: SCOPES.declaration }, '2': { name: SCOPES.declarationName } },
        },
      ],
    },
    keywords: {
      patterns: [
        { name: SCOPES.boolean, match: word(alt(v.constants)) },
        { name: SCOPES.keyword, match: word(alt(v.otherKeywords)) },
        { name: SCOPES.contextWord, match: word(alt(v.contextWords)) },
      ],
    },
    numbers: {
      patterns: [
        {
          // A number and the unit written after it: `108 KB`, `8 B/cycle`, `20 Mbit/s`.
          match: `${NOT_AFTER_IDENT}(${NUMBER})(?:\\s*(${units})${NOT_BEFORE_IDENT}${unitAfter})?`,
          captures: {
            '1': { name: SCOPES.number },
            '2': { name: SCOPES.unit },
            '3': { name: SCOPES.operator },
            '4': { name: SCOPES.unit },
          },
        },
      ],
    },
    calls: {
      patterns: [
        { match: `${word(alt(v.ops))}(?=\\s*\\()`, name: SCOPES.op },
        { match: `${NOT_AFTER_IDENT}${IDENT}(?=\\s*\\()`, name: SCOPES.call },
      ],
    },
    types: {
      patterns: [{ match: `${word(alt(v.inputTypes))}(?=\\s*\\[)`, name: SCOPES.inputType }],
    },
    properties: {
      patterns: [{ match: `${NOT_AFTER_IDENT}${IDENT}(?=\\s*:)`, name: SCOPES.property }],
    },
    // Plain identifiers, consumed whole so an inner hyphen (cortex-m4) is not a minus.
    identifiers: {
      patterns: [{ match: `${NOT_AFTER_IDENT}${IDENT}` }],
    },
    operators: {
      patterns: [
        { name: SCOPES.range, match: '\\.\\.' },
        // An upper bound (`area: <= 1.5 mm2`), one operator as the lexer's LessEqual token.
        { name: SCOPES.operator, match: '<=' },
        { name: SCOPES.operator, match: '[=*/+-]' },
        { name: SCOPES.punctuation, match: '[,:]' },
      ],
    },
  };
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'nacc',
    scopeName: SCOPE,
    fileTypes: ['nacc'],
    comment: 'Generated by scripts/gen-grammar.ts from compiler/frontend/lexer.ts and builtins.ts; do not edit.',
    patterns: [
      'comments',
      'strings',
      'declarations',
      'keywords',
      'numbers',
      'calls',
      'types',
      'properties',
      'identifiers',
      'operators',
    ].map((r) => ({ include: `#${r}` })),
    repository,
  };
}

/** VS Code language configuration: comments, brackets, auto-closing pairs. */
export function naccLanguageConfiguration(): Rule {
  return {
    comments: { lineComment: '//', blockComment: ['/*', '*/'] },
    brackets: [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ],
    autoClosingPairs: [
      { open: '{', close: '}' },
      { open: '[', close: ']' },
      { open: '(', close: ')' },
      { open: '"', close: '"', notIn: ['string', 'comment'] },
      { open: '/*', close: ' */', notIn: ['string'] },
    ],
    surroundingPairs: [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
      ['"', '"'],
    ],
    wordPattern: IDENT,
    indentationRules: { increaseIndentPattern: '^.*\\{[^}"]*$', decreaseIndentPattern: '^\\s*\\}' },
  };
}

/** package.json of the minimal VS Code extension in editors/vscode/. */
export function vscodePackageJson(version: string): Rule {
  return {
    name: 'nacc-language',
    displayName: 'nacc language',
    description: 'Syntax highlighting for .nacc files (networks, accelerators, design spaces, MCU, PointAcc and federated jobs)',
    version,
    publisher: 'nacc',
    license: 'MIT',
    engines: { vscode: '^1.60.0' },
    categories: ['Programming Languages'],
    contributes: {
      languages: [{ id: 'nacc', aliases: ['nacc', 'NACC'], extensions: ['.nacc'], configuration: './language-configuration.json' }],
      grammars: [{ language: 'nacc', scopeName: SCOPE, path: './syntaxes/nacc.tmLanguage.json' }],
    },
  };
}

/** Every generated file of editors/vscode/, path (relative to that folder) -> exact text. */
export function vscodeExtensionFiles(version: string): Record<string, string> {
  const json = (o: unknown) => JSON.stringify(o, null, 2) + '\n';
  return {
    'package.json': json(vscodePackageJson(version)),
    'language-configuration.json': json(naccLanguageConfiguration()),
    'syntaxes/nacc.tmLanguage.json': json(naccGrammar()),
  };
}
