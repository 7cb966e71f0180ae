// Judges a CST the parser recovered: which members of a declaration (statements, properties)
// an error touched, and which names the text it could not read may have bound. cst-to-ast.ts
// turns the answers into `broken` statements and `lostNames`, so the checker stays quiet there.
import type { CstNode, IToken } from 'chevrotain';
import type { Span } from './ast.ts';
import { realTokens, recovered, spanOf, tokenBounds } from './cst-tokens.ts';
import { Equals, Identifier, Input } from './lexer.ts';

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

const within = (offset: number, s: Span) => offset >= s.start && offset < s.end;

/** Whether an error touched the node: damage inside its text, or recovery made part of it up. */
export function touched(n: CstNode, r: Recovery): boolean {
  if (r.damage.length === 0) return false;
  const s = spanOf(n);
  return r.damage.some((d) => within(d.offset, s)) || recovered(n);
}

/**
 * Which members of a declaration are broken. Besides the members an error touched: the member
 * just before damage that lies between members on its line (`x = f(a)) 3`), and the member
 * before a broken one that starts on the line where it ends (`x = f a)` reads as `x = f` and
 * a broken `a)`): statements are written one per line, so the mistake is on that line.
 */
export function brokenMembers(decl: CstNode, members: readonly CstNode[], r: Recovery): boolean[] {
  if (r.damage.length === 0) return members.map(() => false);
  const declSpan = spanOf(decl);
  const spans = members.map(spanOf);
  const bounds = members.map(tokenBounds);
  const broken = members.map(recovered);
  for (const d of r.damage) {
    if (!within(d.offset, declSpan)) continue;
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

/**
 * Names a declaration's unread text may have bound (`NAME =`, `input NAME`): in tokens the parser
 * skipped, or inside broken members. Uses of them are not reported as undefined.
 */
export function lostNames(decl: CstNode, members: readonly CstNode[], broken: readonly boolean[], r: Recovery): string[] {
  if (r.damage.length === 0) return [];
  const span = spanOf(decl);
  const read = new Set(realTokens(decl).map((t) => t.startOffset));
  const unread = members.filter((_, i) => broken[i]).map(spanOf);
  const lost = new Set<string>();
  const toks = r.tokens;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.tokenType !== Identifier || !within(t.startOffset, span)) continue;
    if (toks[i + 1]?.tokenType !== Equals && toks[i - 1]?.tokenType !== Input) continue;
    if (!read.has(t.startOffset) || unread.some((s) => within(t.startOffset, s))) lost.add(t.image);
  }
  return [...lost];
}
