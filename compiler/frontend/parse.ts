// Text -> AST with located lexical and syntax diagnostics. The parser recovers (chevrotain's
// token insertion/deletion and re-sync), so an AST comes back even after errors; where it
// had to guess, cst-to-ast.ts marks the statement or property as broken.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Diagnostic, SourceFile } from '../diagnostics/index.ts';
import type { FileAst, Span } from './ast.ts';
import { fileToAst } from './cst-to-ast.ts';
import { Codes } from './diagnostic-codes.ts';
import { Block, CONFIG_KEYWORDS, Identifier, Network, naccLexer } from './lexer.ts';
import { naccParser } from './parser.ts';
import { readOffsets, type Damage } from './recovery.ts';
import { closest } from './suggest.ts';

/** At most this many syntax errors are reported per file: recovery's later guesses add noise. */
const MAX_SYNTAX_ERRORS = 10;

export function parseSource(source: SourceFile): { ast: FileAst; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  /** Where the text is wrong; the members there are broken (recovery.ts). */
  const damage: Damage[] = [];
  const lex = naccLexer.tokenize(source.text);
  for (const e of lex.errors) {
    const ch = source.text.slice(e.offset, e.offset + e.length);
    diagnostics.push({
      severity: 'error',
      code: Codes.lexical,
      message: `unexpected character '${ch}'`,
      location: source.locationAt(e.offset, e.length),
    });
    damage.push({ offset: e.offset, line: e.line ?? source.locationAt(e.offset).line });
  }
  naccParser.input = lex.tokens;
  const cst = naccParser.file();
  const read = naccParser.errors.length ? readOffsets(cst) : new Set<number>();
  const seenLines = new Set<number>();
  /** Each syntax diagnostic's damage, to keep one per broken member below. */
  const syntaxAt = new Map<Diagnostic, Damage>();
  for (const e of naccParser.errors) {
    const t = e.token;
    const prev = previousToken(e);
    const atEnd = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
    // A token recovery skipped or deleted is the error itself; when the parser went on to read
    // the token after all, something was missing before it, and is reported just after the
    // token it should follow (where the user left it out).
    const missing = e.name === 'MismatchedTokenException' && prev !== undefined && (atEnd || read.has(t.startOffset));
    const anchor = missing || (atEnd && prev) ? prev! : atEnd ? undefined : t;
    const at = anchor
      ? { offset: anchor.startOffset, line: anchor.startLine ?? source.locationAt(anchor.startOffset).line }
      : { offset: source.text.length, line: Infinity };
    damage.push(at);
    if (seenLines.size >= MAX_SYNTAX_ERRORS) continue;
    const offset = missing ? prev!.endOffset! + 1 : atEnd ? source.text.length : t.startOffset;
    const loc = source.locationAt(Math.max(0, Math.min(offset, source.text.length)), missing || atEnd ? 1 : t.image.length);
    if (seenLines.has(loc.line)) continue;
    seenLines.add(loc.line);
    const found = atEnd ? 'end of file' : `'${t.image}'`;
    const rule = e.context.ruleStack.at(-1);
    const message =
      rule === 'file' && DECLARATION_WORDS.includes(t.image)
        ? `'${t.image}' does not start a declaration here: expected '${t.image} NAME ${t.tokenType === Block ? '(' : '{'}'`
        : syntaxMessage(e.message, found, rule) +
          (missing ? ` (after '${prev!.image}')` : '') +
          misspeltKeyword(rule === 'file' ? t : prev, rule === 'file', lex.tokens);
    const diagnostic: Diagnostic = { severity: 'error', code: Codes.syntax, message, location: loc };
    diagnostics.push(diagnostic);
    syntaxAt.set(diagnostic, at);
  }
  const { ast, brokenSpans, quietSpans } = fileToAst(cst, { damage, tokens: lex.tokens });
  // Later syntax errors inside a statement already broken are recovery's guesses, not news.
  const reported = new Set<Span>();
  const inside = (at: Damage, s: Span) => at.offset >= s.start && at.offset < s.end;
  const news = diagnostics.filter((d) => {
    const at = syntaxAt.get(d);
    if (at && quietSpans.some((s) => inside(at, s))) return false;
    const member = at && brokenSpans.find((s) => inside(at, s));
    if (!member) return true;
    if (reported.has(member)) return false;
    reported.add(member);
    return true;
  });
  return { ast, diagnostics: firstOnEachLine(news) };
}

const STATEMENT_WORDS = ['input', 'output', 'return'];

/** `; did you mean 'network'?` when the word that starts a line is a keyword misspelt. */
function misspeltKeyword(word: IToken | undefined, topLevel: boolean, tokens: readonly IToken[]): string {
  if (!word || word.tokenType !== Identifier) return '';
  const i = tokens.indexOf(word);
  if (i > 0 && (tokens[i - 1].endLine ?? 0) >= (word.startLine ?? 0)) return '';
  const hint = closest(word.image, topLevel ? DECLARATION_WORDS : STATEMENT_WORDS);
  return hint ? `; did you mean '${hint}'?` : '';
}

/**
 * One lexical or syntax error per line, the leftmost: the rest of a line after its first
 * error is usually the same mistake (a lost `//` makes a comment's `.` and `'` errors too).
 */
function firstOnEachLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const byPosition = [...diagnostics].sort((a, b) => a.location!.line - b.location!.line || a.location!.column - b.location!.column);
  return byPosition.filter((d, i) => i === 0 || byPosition[i - 1].location!.line !== d.location!.line);
}

/** The last token in the text before the error, when chevrotain knows it. */
function previousToken(e: IRecognitionException): IToken | undefined {
  const prev = (e as { previousToken?: IToken }).previousToken;
  if (
    !prev ||
    prev.tokenType?.name === 'EOF' ||
    Number.isNaN(prev.startOffset) ||
    prev.endOffset === undefined ||
    Number.isNaN(prev.endOffset)
  )
    return undefined;
  return prev;
}

const DECLARATION_WORDS = [Network, Block, ...CONFIG_KEYWORDS].map((t) => (t.PATTERN as RegExp).source.replace('\\b', ''));

/** Rules that read comma-separated lists closed by ')' or ']': there a ',' was as likely meant. */
const LIST_RULES = new Set(['callOrName', 'list', 'blockDecl', 'inputStmt']);

/** Chevrotain's messages name token types; say it in the language's own words. */
function syntaxMessage(raw: string, found: string, rule?: string): string {
  const names: Record<string, string> = {
    EOF: `a declaration (${DECLARATION_WORDS.join(', ')})`,
    Identifier: 'a name',
    NumberLiteral: 'a number',
    StringLiteral: 'a string',
    LBrace: "'{'",
    RBrace: "'}'",
    LParen: "'('",
    RParen: "')'",
    LBracket: "'['",
    RBracket: "']'",
    Comma: "','",
    Colon: "':'",
    Equals: "'='",
    LessEqual: "'<='",
    DotDot: "'..'",
    Star: "'*'",
    Slash: "'/'",
    Plus: "'+'",
    Minus: "'-'",
  };
  const expecting = raw.match(/Expecting token of type --> (\w+) <--/);
  if (expecting) {
    const closer = expecting[1] === 'RParen' || expecting[1] === 'RBracket';
    const what = names[expecting[1]] ?? `'${expecting[1].toLowerCase()}'`;
    return `expected ${closer && rule && LIST_RULES.has(rule) ? `',' or ${what}` : what}, found ${found}`;
  }
  if (/Expecting: one of these possible Token sequences/.test(raw) || /Expecting:/.test(raw)) {
    const first = [...raw.matchAll(/\[([A-Za-z]+)/g)].map((m) => names[m[1]] ?? `'${m[1].toLowerCase()}'`);
    const uniq = [...new Set(first)].slice(0, 6);
    return uniq.length ? `expected ${uniq.join(', ')}; found ${found}` : `unexpected ${found}`;
  }
  if (/Redundant input/.test(raw)) return `unexpected ${found}`;
  return `${raw.split('\n')[0]} (found ${found})`;
}
