// Token-level facts about chevrotain CST nodes: spans in the text, first and last tokens, and
// what error recovery made up (inserted tokens, nodes cut short). Shared by cst-to-ast.ts and
// recovery.ts.
import type { CstNode, IToken } from 'chevrotain';
import type { Span } from './ast.ts';

/** A token the parser made up to recover (it has no place in the text). */
export const inserted = (t: IToken): boolean => t.isInsertedInRecovery === true || Number.isNaN(t.startOffset);

/** A token actually in the text, or undefined. */
export const real = (t: IToken | undefined): IToken | undefined => (t && !inserted(t) ? t : undefined);

export const tokSpan = (t: IToken): Span => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 });

/** Every token of a node that is in the text, in no particular order. */
export function realTokens(n: CstNode, out: IToken[] = []): IToken[] {
  for (const list of Object.values(n.children)) {
    for (const c of list as (CstNode | IToken)[]) {
      if ('image' in c) {
        if (!inserted(c)) out.push(c);
      } else realTokens(c, out);
    }
  }
  return out;
}

/** First and last tokens of a node in the text (undefined if it has none). */
export function tokenBounds(n: CstNode): { first?: IToken; last?: IToken } {
  let first: IToken | undefined;
  let last: IToken | undefined;
  for (const t of realTokens(n)) {
    if (!first || t.startOffset < first.startOffset) first = t;
    if (!last || t.startOffset > last.startOffset) last = t;
  }
  return { first, last };
}

/** Span of a CST node: from its first to its last token in the text (empty at 0 if it has none). */
export function spanOf(n: CstNode): Span {
  let start = Infinity;
  let end = -Infinity;
  const visit = (x: CstNode | IToken) => {
    if ('image' in x) {
      if (inserted(x)) return;
      start = Math.min(start, x.startOffset);
      end = Math.max(end, (x.endOffset ?? x.startOffset) + 1);
    } else for (const list of Object.values(x.children)) for (const c of list as (CstNode | IToken)[]) visit(c);
  };
  visit(n);
  return start === Infinity ? { start: 0, end: 0 } : { start, end };
}

/** Whether a node or anything under it was made up or cut short by recovery. */
export function recovered(n: CstNode): boolean {
  if (n.recoveredNode) return true;
  for (const list of Object.values(n.children))
    for (const c of list as (CstNode | IToken)[]) if ('image' in c ? inserted(c) : recovered(c)) return true;
  return false;
}
