// CST -> AST. The parser recovers from syntax errors, so the CST may hold partial nodes: a
// declaration member (statement, property, parameter) touched by an error becomes `broken`
// (see ast.ts) and only members read in full are converted, so every expected child exists.
import type { CstNode, IToken } from 'chevrotain';
import type { Arg, ConfigKind, Declaration, Expr, FileAst, Param, Property, Span, Statement } from './ast.ts';

type Children = Record<string, (CstNode | IToken)[]>;

const kids = (n: CstNode): Children => n.children as Children;
const nodes = (n: CstNode, key: string): CstNode[] => (kids(n)[key] ?? []) as CstNode[];
const toks = (n: CstNode, key: string): IToken[] => (kids(n)[key] ?? []) as IToken[];
const node = (n: CstNode, key: string, i = 0): CstNode => nodes(n, key)[i];
const tok = (n: CstNode, key: string, i = 0): IToken => toks(n, key)[i];

/** A token the parser made up to recover (it has no place in the text). */
const inserted = (t: IToken): boolean => t.isInsertedInRecovery === true || Number.isNaN(t.startOffset);
/** A token actually in the text, or undefined. */
const real = (t: IToken | undefined): IToken | undefined => (t && !inserted(t) ? t : undefined);

const tokSpan = (t: IToken): Span => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 });

/** Span of a CST node: from its first to its last token in the text (empty at 0 if it has none). */
function spanOf(n: CstNode): Span {
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
function recovered(n: CstNode): boolean {
  if (n.recoveredNode) return true;
  for (const list of Object.values(n.children)) for (const c of list as (CstNode | IToken)[]) if ('image' in c ? inserted(c) : recovered(c)) return true;
  return false;
}

const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

/**
 * `damage`: offsets where the text is known to be wrong (each syntax error's last good token,
 * each lexical error). A member whose text holds one, or that recovery touched, is broken.
 */
export function fileToAst(cst: CstNode, damage: readonly number[] = []): FileAst {
  // Recovery only ever happens after an error, and every error leaves a damage offset.
  const damaged = (n: CstNode): boolean => {
    if (damage.length === 0) return false;
    const s = spanOf(n);
    return recovered(n) || damage.some((d) => d >= s.start && d < s.end);
  };
  const declarations: Declaration[] = [];
  const all = [...nodes(cst, 'networkDecl'), ...nodes(cst, 'blockDecl'), ...nodes(cst, 'configDecl')];
  all.sort((a, b) => spanOf(a).start - spanOf(b).start);
  for (const d of all) {
    // Without its name a declaration cannot be referred to or reported on: its syntax error says it all.
    const id = real(tok(d, 'Identifier'));
    if (!id) continue;
    const broken = damaged(d) ? { broken: true as const } : {};
    const body = () => nodes(d, 'statement').map((s) => (damaged(s) ? brokenStatement(s) : statement(s)));
    if (d.name === 'networkDecl') {
      declarations.push({ kind: 'network', name: id.image, nameSpan: tokSpan(id), body: body(), span: spanOf(d), ...broken });
    } else if (d.name === 'blockDecl') {
      const params = nodes(d, 'param');
      const lbrace = real(tok(d, 'LBrace'));
      const header: Span = { start: spanOf(d).start, end: lbrace ? lbrace.startOffset : spanOf(d).end };
      const headerBroken =
        params.some(damaged) || !real(tok(d, 'LParen')) || !real(tok(d, 'RParen')) || damage.some((x) => x >= header.start && x < header.end);
      declarations.push({
        kind: 'block',
        name: id.image,
        nameSpan: tokSpan(id),
        params: headerBroken ? [] : params.map(param),
        body: body(),
        span: spanOf(d),
        ...broken,
        ...(headerBroken ? { headerBroken: true as const } : {}),
      });
    } else {
      const kw = Object.entries(kids(d)).find(([k]) => k !== 'Identifier' && k !== 'LBrace' && k !== 'RBrace' && k !== 'property' && k !== 'Comma');
      if (!kw) continue;
      const configKind = (kw[1][0] as IToken).image as ConfigKind;
      const props: Property[] = [];
      const brokenKeys: string[] = [];
      for (const p of nodes(d, 'property')) {
        if (!damaged(p)) props.push(property(p));
        else {
          const key = nodes(p, 'propName')[0];
          const keyTok = key && real(propName(key));
          if (keyTok) brokenKeys.push(keyTok.image);
        }
      }
      declarations.push({ kind: 'config', configKind, name: id.image, nameSpan: tokSpan(id), props, span: spanOf(d), ...broken, ...(brokenKeys.length ? { brokenKeys } : {}) });
    }
  }
  return { declarations };
}

/** What a statement the parser recovered would have bound, and what kind it started as. */
function brokenStatement(n: CstNode): Statement {
  const entry = Object.entries(kids(n))[0] as [string, CstNode[]] | undefined;
  const span = spanOf(n);
  if (!entry) return { kind: 'broken', span };
  const [kind, [inner]] = entry;
  if (!inner) return { kind: 'broken', span };
  switch (kind) {
    case 'inputStmt':
      return { kind: 'broken', was: 'input', name: real(tok(inner, 'name'))?.image, span };
    case 'outputStmt':
      return { kind: 'broken', was: 'output', span };
    case 'returnStmt':
      return { kind: 'broken', was: 'return', span };
    default:
      return { kind: 'broken', was: 'assign', name: real(tok(inner, 'Identifier'))?.image, span };
  }
}

function param(n: CstNode): Param {
  const e = nodes(n, 'expression')[0];
  return { name: tok(n, 'Identifier').image, default: e ? expression(e) : undefined, span: spanOf(n) };
}

function propName(n: CstNode): IToken {
  return Object.values(kids(n))[0]?.[0] as IToken;
}

function property(n: CstNode): Property {
  const key = propName(node(n, 'propName'));
  return { key: key.image, keySpan: tokSpan(key), value: expression(node(n, 'expression')), span: spanOf(n) };
}

function statement(n: CstNode): Statement {
  const [kind, [inner]] = Object.entries(kids(n))[0] as [string, CstNode[]];
  const span = spanOf(inner);
  switch (kind) {
    case 'inputStmt': {
      const name = tok(inner, 'name');
      const type = tok(inner, 'type');
      return { kind: 'input', name: name.image, nameSpan: tokSpan(name), typeName: type.image, typeSpan: tokSpan(type), dims: nodes(inner, 'expression').map(expression), props: nodes(inner, 'property').map(property), span };
    }
    case 'outputStmt':
      return { kind: 'output', values: nodes(inner, 'expression').map(expression), span };
    case 'returnStmt':
      return { kind: 'return', value: expression(node(inner, 'expression')), span };
    default: {
      const id = tok(inner, 'Identifier');
      return { kind: 'assign', name: id.image, nameSpan: tokSpan(id), value: expression(node(inner, 'expression')), span };
    }
  }
}

function expression(n: CstNode): Expr {
  const from = sum(node(n, 'from'));
  const to = nodes(n, 'to')[0];
  if (!to) return from;
  const step = nodes(n, 'step')[0];
  return { kind: 'range', from, to: sum(to), step: step ? sum(step) : undefined, span: spanOf(n) };
}

function binaryChain(n: CstNode, operandKey: string, operand: (c: CstNode) => Expr, opKeys: string[]): Expr {
  const operands = nodes(n, operandKey);
  const ops = opKeys.flatMap((k) => toks(n, k)).sort((a, b) => a.startOffset - b.startOffset);
  let acc = operand(operands[0]);
  for (let i = 0; i < ops.length; i++) {
    const right = operand(operands[i + 1]);
    acc = { kind: 'binary', op: ops[i].image as '+' | '-' | '*' | '/', left: acc, right, span: join(acc.span, right.span) };
  }
  return acc;
}

const sum = (n: CstNode): Expr => binaryChain(n, 'product', product, ['Plus', 'Minus']);
const product = (n: CstNode): Expr => binaryChain(n, 'unary', unary, ['Star', 'Slash']);

function unary(n: CstNode): Expr {
  const inner = nodes(n, 'unary')[0];
  if (inner) return { kind: 'neg', operand: unary(inner), span: spanOf(n) };
  return primary(node(n, 'primary'));
}

function primary(n: CstNode): Expr {
  const span = spanOf(n);
  const c = kids(n);
  if (c.quantity) {
    const q = c.quantity[0] as CstNode;
    const num = tok(q, 'NumberLiteral');
    const unit = toks(q, 'unit')[0];
    const perUnit = toks(q, 'perUnit')[0];
    const per = toks(q, 'per')[0];
    return { kind: 'number', value: Number(num.image), unit: unit?.image, perUnit: perUnit?.image, per: per?.image, span };
  }
  if (c.StringLiteral) {
    const raw = (c.StringLiteral[0] as IToken).image;
    return { kind: 'string', value: JSON.parse(raw.replace(/\\(?!["\\/bfnrtu])/g, '\\\\')) as string, span };
  }
  if (c.True) return { kind: 'bool', value: true, span };
  if (c.False) return { kind: 'bool', value: false, span };
  if (c.callOrName) {
    const cn = c.callOrName[0] as CstNode;
    const id = tok(cn, 'Identifier');
    if (!toks(cn, 'LParen').length) return { kind: 'name', name: id.image, span };
    return { kind: 'call', callee: id.image, calleeSpan: tokSpan(id), args: nodes(cn, 'argument').map(argument), span };
  }
  if (c.list) return { kind: 'list', items: nodes(c.list[0] as CstNode, 'expression').map(expression), span };
  if (c.record) return { kind: 'record', props: nodes(c.record[0] as CstNode, 'property').map(property), span };
  return { ...expression(node(n, 'expression')), span };
}

function argument(n: CstNode): Arg {
  const nameNode = nodes(n, 'name')[0];
  const name = nameNode ? propName(nameNode) : undefined;
  return { name: name?.image, nameSpan: name ? tokSpan(name) : undefined, value: expression(node(n, 'expression')), span: spanOf(n) };
}
