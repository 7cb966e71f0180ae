// CST -> AST. The parser recovers from syntax errors, so the CST may hold partial nodes: a
// declaration member (statement, property) an error touched becomes `broken` (ast.ts; judged
// in recovery.ts) and only members read in full are converted, so every expected child exists.
import type { CstNode, IToken } from 'chevrotain';
import type { Arg, ConfigKind, Declaration, Expr, FileAst, Param, Property, Span, Statement } from './ast.ts';
import { real, spanOf, tokSpan } from './cst-tokens.ts';
import { NO_RECOVERY, brokenMembers, lostNames, touched, type Recovery } from './recovery.ts';

type Children = Record<string, (CstNode | IToken)[]>;

const kids = (n: CstNode): Children => n.children as Children;
const nodes = (n: CstNode, key: string): CstNode[] => (kids(n)[key] ?? []) as CstNode[];
const toks = (n: CstNode, key: string): IToken[] => (kids(n)[key] ?? []) as IToken[];
const node = (n: CstNode, key: string, i = 0): CstNode => nodes(n, key)[i];
const tok = (n: CstNode, key: string, i = 0): IToken => toks(n, key)[i];

const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

/** `recovery`: where the file's errors are and what it lexed (see recovery.ts); none for a clean file. */
export function fileToAst(cst: CstNode, recovery: Recovery = NO_RECOVERY): FileAst {
  const declarations: Declaration[] = [];
  const all = [...nodes(cst, 'networkDecl'), ...nodes(cst, 'blockDecl'), ...nodes(cst, 'configDecl')];
  all.sort((a, b) => spanOf(a).start - spanOf(b).start);
  for (const d of all) {
    // Without its name a declaration cannot be referred to or reported on: its syntax error says it all.
    const id = real(tok(d, 'Identifier'));
    if (!id) continue;
    const members = nodes(d, d.name === 'configDecl' ? 'property' : 'statement');
    const broken = brokenMembers(d, members, recovery);
    const recovered = touched(d, recovery) || broken.includes(true) ? { broken: true as const } : {};
    const lost = lostNames(d, members, broken, recovery);
    const lostNamesField = lost.length ? { lostNames: lost } : {};
    const body = () => members.map((s, i) => (broken[i] ? brokenStatement(s) : statement(s)));
    if (d.name === 'networkDecl') {
      declarations.push({ kind: 'network', name: id.image, nameSpan: tokSpan(id), body: body(), span: spanOf(d), ...recovered, ...lostNamesField });
    } else if (d.name === 'blockDecl') {
      const params = nodes(d, 'param');
      const lbrace = real(tok(d, 'LBrace'));
      const header: Span = { start: spanOf(d).start, end: lbrace ? lbrace.startOffset : spanOf(d).end };
      const headerBroken =
        params.some((p) => touched(p, recovery)) ||
        !real(tok(d, 'LParen')) ||
        !real(tok(d, 'RParen')) ||
        recovery.damage.some((x) => x.offset >= header.start && x.offset < header.end);
      declarations.push({
        kind: 'block',
        name: id.image,
        nameSpan: tokSpan(id),
        params: headerBroken ? [] : params.map(param),
        body: body(),
        span: spanOf(d),
        ...recovered,
        ...lostNamesField,
        ...(headerBroken ? { headerBroken: true as const } : {}),
      });
    } else {
      const kw = Object.entries(kids(d)).find(([k]) => k !== 'Identifier' && k !== 'LBrace' && k !== 'RBrace' && k !== 'property' && k !== 'Comma');
      if (!kw) continue;
      const configKind = (kw[1][0] as IToken).image as ConfigKind;
      const props: Property[] = [];
      const brokenKeys: string[] = [];
      members.forEach((p, i) => {
        if (!broken[i]) props.push(property(p));
        else {
          const key = nodes(p, 'propName')[0];
          const keyTok = key && real(propName(key));
          if (keyTok) brokenKeys.push(keyTok.image);
        }
      });
      declarations.push({ kind: 'config', configKind, name: id.image, nameSpan: tokSpan(id), props, span: spanOf(d), ...recovered, ...(brokenKeys.length ? { brokenKeys } : {}) });
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
