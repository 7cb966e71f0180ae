// Judges a CST the parser recovered: which members of a declaration (statements, properties)
// an error touched, which text the parser skipped, and which names unread text may have bound.
// cst-to-ast.ts turns the answers into `broken` statements, so the checker stays quiet there.
import type { CstNode, IToken, TokenType } from 'chevrotain';
import type { Span } from './ast.ts';
import { realTokens, recovered, spanOf, tokenBounds } from './cst-tokens.ts';
import { Block, CONFIG_KEYWORDS, Colon, Comma, Equals, Identifier, Input, LParen, Network } from './lexer.ts';

const DECLARATION_TOKENS = [Network, Block, ...CONFIG_KEYWORDS];

/** A place where the text is known to be wrong: a lexical error, or a syntax error's anchor. */
export interface Damage {
  offset: number;
  line: number;
}

export interface Recovery {
  damage: readonly Damage[];
  /** Every token the lexer produced, in order (some of them the parser skipped). */
  tokens: readonly IToken[];
}

export const NO_RECOVERY: Recovery = { damage: [], tokens: [] };

/** Names a stretch of unread text may have bound; `anyName` when one of them is unknown (`= f(x)`). */
export interface Bindings {
  names: string[];
  anyName: boolean;
}

const within = (offset: number, s: Span) => offset >= s.start && offset < s.end;

/** Whether an error touched the node: damage inside its text, or recovery made part of it up. */
export function touched(n: CstNode, r: Recovery): boolean {
  if (r.damage.length === 0) return false;
  const s = spanOf(n);
  return r.damage.some((d) => within(d.offset, s)) || recovered(n);
}

/**
 * Which members of a declaration are broken (damage up to `until`, where the next declaration
 * starts, counts). Besides the members an error touched: those on
 * the line of damage that lies between members (`x = f(a)) 3`), and the member before a
 * broken one that starts on the line where it ends (`x = f a)` reads as `x = f` and a broken
 * `a)`): statements are written one per line, so the mistake is on that line.
 */
export function brokenMembers(decl: CstNode, members: readonly CstNode[], r: Recovery, until = Infinity): boolean[] {
  if (r.damage.length === 0) return members.map(() => false);
  // Damage up to the next declaration counts: a stray `}` may have closed this one early.
  const declSpan = { start: spanOf(decl).start, end: until };
  const spans = members.map(spanOf);
  const bounds = members.map(tokenBounds);
  const broken = members.map(recovered);
  for (const d of r.damage) {
    if (!within(d.offset, declSpan)) continue;
    // The rest of the line after an error is suspect (`{ : 1, b: 2 }` read as a key `b` of its own).
    spans.forEach((s, i) => {
      if (s.start > d.offset && bounds[i].first?.startLine === d.line) broken[i] = true;
    });
    const inside = spans.findIndex((s) => within(d.offset, s));
    if (inside >= 0) {
      broken[inside] = true;
      continue;
    }
    const before = spans.findLastIndex((s) => s.end <= d.offset);
    if (before >= 0 && bounds[before].last?.endLine === d.line) broken[before] = true;
  }
  for (let i = members.length - 1; i > 0; i--) {
    if (broken[i] && bounds[i].first !== undefined && bounds[i].first!.startLine === bounds[i - 1].last?.endLine) broken[i - 1] = true;
  }
  return broken;
}

/** Whether the token after `t` in the text is of type `type` (`x =`: the name is read whole). */
export function followedBy(t: IToken, type: TokenType, r: Recovery): boolean {
  return r.tokens[tokenAt(r, t.startOffset) + 1]?.tokenType === type;
}

/**
 * Damage between two declarations that comes right after one of them: its `}` may have closed
 * it early (`x = conv2}d(...)`), so the rest of it was skipped.
 */
export function damagedAfter(decl: Span, next: Span | undefined, r: Recovery): boolean {
  return r.damage.some((d) => d.offset >= decl.end && (next === undefined || d.offset < next.start));
}

/** Whether `t` is the first token on its line (a statement starts there, not a fragment of one). */
export function startsLine(t: IToken, r: Recovery): boolean {
  const before = r.tokens[tokenAt(r, t.startOffset) - 1];
  return before === undefined || (before.endLine ?? 0) < (t.startLine ?? 0);
}

/** Start offsets of every token the parser read into the CST. */
export function readOffsets(cst: CstNode): Set<number> {
  return new Set(realTokens(cst).map((t) => t.startOffset));
}

/** Index of the first lexed token at or after `offset`. */
function tokenAt(r: Recovery, offset: number): number {
  let lo = 0;
  let hi = r.tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Runs of tokens inside `span` that the parser skipped and that lie outside every member:
 * each becomes a broken statement at its place, so the names it would have bound are poisoned.
 */
export function skippedRuns(span: Span, members: readonly Span[], read: ReadonlySet<number>, r: Recovery): Span[] {
  const runs: Span[] = [];
  let run: Span | undefined;
  for (let i = tokenAt(r, span.start); i < r.tokens.length && r.tokens[i].startOffset < span.end; i++) {
    const t = r.tokens[i];
    const skipped = !read.has(t.startOffset) && !members.some((m) => within(t.startOffset, m));
    if (skipped) {
      const end = (t.endOffset ?? t.startOffset) + 1;
      if (run) run.end = end;
      else run = { start: t.startOffset, end };
    } else if (run) {
      runs.push(run);
      run = undefined;
    }
  }
  if (run) runs.push(run);
  return runs;
}

/**
 * Names the text in `span` may bind: `NAME =`, `input NAME`, and `NAME :` where it is not an
 * argument name (`inpt image: int8[...]` misspells `input`); `= ...` or `input` with no name
 * beside it may have bound any name.
 */
export function bindingsIn(span: Span, r: Recovery): Bindings {
  const names = new Set<string>();
  let anyName = false;
  const toks = r.tokens;
  const from = tokenAt(r, span.start);
  for (let i = from; i < toks.length && toks[i].startOffset < span.end; i++) {
    const t = toks[i];
    // The name of `NAME =` must be in this text: `ste=m = f(x)` skips `= f(x)`, whose name is lost.
    const prev = i > from ? toks[i - 1].tokenType : undefined;
    const next = toks[i + 1]?.tokenType;
    if ((t.tokenType === Equals && prev !== Identifier) || (t.tokenType === Input && next !== Identifier)) anyName = true;
    if (t.tokenType !== Identifier) continue;
    if (next === Equals || prev === Input || (next === Colon && prev !== LParen && prev !== Comma)) names.add(t.image);
  }
  return { names: [...names], anyName };
}

/**
 * Identifiers the parser skipped outside every declaration (`netwrk n {`, `blok b(x) {`); and
 * `anyName` when a declaration keyword is among them (`block (x) {`, `network di*gits {`): the
 * name of a declaration the parser could not read is not known for sure.
 */
export function unreadNamesBetween(declarations: readonly Span[], read: ReadonlySet<number>, r: Recovery): Bindings {
  const names = new Set<string>();
  let anyName = false;
  r.tokens.forEach((t) => {
    if (read.has(t.startOffset) || declarations.some((d) => within(t.startOffset, d))) return;
    if (t.tokenType === Identifier) names.add(t.image);
    else if (DECLARATION_TOKENS.includes(t.tokenType)) anyName = true;
  });
  return { names: [...names], anyName };
}
