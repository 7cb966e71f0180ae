// CST -> AST. The parser recovers from syntax errors, so the CST may hold partial nodes: a
// declaration member (statement, property) an error touched becomes `broken` (ast.ts; judged
// in recovery.ts) and only members read in full are converted, so every expected child exists.
import type { CstNode, IToken } from 'chevrotain';
import type { Arg, ConfigKind, Declaration, Expr, FileAst, Param, Property, Span, Statement } from './ast.ts';
import { real, spanOf, tokSpan, tokenBounds } from './cst-tokens.ts';
import { Equals } from './lexer.ts';
import {
  NO_RECOVERY,
  bindingsIn,
  brokenMembers,
  damagedAfter,
  followedBy,
  readOffsets,
  skippedRuns,
  startsLine,
  touched,
  unreadNamesBetween,
  type Recovery,
} from './recovery.ts';

type Children = Record<string, (CstNode | IToken)[]>;

const kids = (n: CstNode): Children => n.children as Children;
const nodes = (n: CstNode, key: string): CstNode[] => (kids(n)[key] ?? []) as CstNode[];
const toks = (n: CstNode, key: string): IToken[] => (kids(n)[key] ?? []) as IToken[];
const node = (n: CstNode, key: string, i = 0): CstNode => nodes(n, key)[i];
const tok = (n: CstNode, key: string, i = 0): IToken => toks(n, key)[i];

const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

/**
 * `recovery`: where the file's errors are and what it lexed (see recovery.ts); none for a clean
 * file. Also returns the spans of the members found broken (one syntax error is enough for
 * each), and spans where syntax errors only repeat an earlier one (`quietSpans`).
 */
export function fileToAst(cst: CstNode, recovery: Recovery = NO_RECOVERY): { ast: FileAst; brokenSpans: Span[]; quietSpans: Span[] } {
  const declarations: Declaration[] = [];
  const brokenSpans: Span[] = [];
  const quietSpans: Span[] = [];
  const all = [...nodes(cst, 'networkDecl'), ...nodes(cst, 'blockDecl'), ...nodes(cst, 'configDecl')];
  all.sort((a, b) => spanOf(a).start - spanOf(b).start);
  const read = recovery.damage.length ? readOffsets(cst) : new Set<number>();
  /** Names of declarations read only in part: references to them are not errors. */
  const unreadNames: string[] = [];
  let unreadAnyName = false;
  for (const [i, d] of all.entries()) {
    // Without its name a declaration cannot be referred to or reported on, and without its `{`
    // it is likely not one at all: its syntax error says it all.
    const id = real(tok(d, 'Identifier'));
    if (!id) continue;
    if (!real(tok(d, 'LBrace'))) {
      unreadNames.push(id.image);
      unreadAnyName = true;
      continue;
    }
    const members = nodes(d, d.name === 'configDecl' ? 'property' : 'statement');
    const next = all[i + 1] && spanOf(all[i + 1]);
    const broken = brokenMembers(d, members, recovery, next ? next.start : Infinity);
    members.forEach((m, k) => broken[k] && brokenSpans.push(spanOf(m)));
    const closedEarly = recovery.damage.length > 0 && damagedAfter(spanOf(d), next, recovery);
    // A header the parser could not read (`block bott{leneck(x) {`, `accelerator ey{eriss {`)
    // may have named the declaration otherwise.
    const lbrace = tok(d, 'LBrace');
    const headerLine = tokenBounds(d).first?.startLine;
    if (recovery.damage.some((x) => (x.offset >= spanOf(d).start && x.offset < lbrace.startOffset) || x.line === headerLine))
      unreadAnyName = true;
    // After a `}` recovery supplied, or one that follows an error on its line, what the parser
    // skipped up to the next declaration is the same mistake (`network,: x` in a job ends the
    // job, then is no declaration either; `{ a: 1{2 }` ends the declaration, not the record).
    const rbrace = real(tok(d, 'RBrace'));
    if (!rbrace || recovery.damage.some((x) => x.line === rbrace.startLine && x.offset < rbrace.startOffset)) {
      quietSpans.push({ start: spanOf(d).end, end: next ? next.start : Infinity });
    }
    const recovered = touched(d, recovery) || broken.includes(true) || closedEarly ? { broken: true as const } : {};
    if (d.name === 'networkDecl') {
      declarations.push({
        kind: 'network',
        name: id.image,
        nameSpan: tokSpan(id),
        body: body(d, members, broken, read, recovery),
        span: spanOf(d),
        ...recovered,
      });
    } else if (d.name === 'blockDecl') {
      const params = nodes(d, 'param');
      const header: Span = { start: spanOf(d).start, end: lbrace.startOffset };
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
        body: body(d, members, broken, read, recovery),
        span: spanOf(d),
        ...recovered,
        ...(headerBroken ? { headerBroken: true as const } : {}),
      });
    } else {
      const kw = Object.entries(kids(d)).find(
        ([k]) => k !== 'Identifier' && k !== 'LBrace' && k !== 'RBrace' && k !== 'property' && k !== 'Comma',
      );
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
      declarations.push({
        kind: 'config',
        configKind,
        name: id.image,
        nameSpan: tokSpan(id),
        props,
        span: spanOf(d),
        ...recovered,
        ...(brokenKeys.length ? { brokenKeys } : {}),
      });
    }
  }
  if (recovery.damage.length === 0) return { ast: { declarations }, brokenSpans, quietSpans };
  const between = unreadNamesBetween(all.map(spanOf), read, recovery);
  const unread = { names: [...new Set([...unreadNames, ...between.names])], anyName: between.anyName || unreadAnyName };
  return { ast: unread.names.length || unread.anyName ? { declarations, unread } : { declarations }, brokenSpans, quietSpans };
}

/**
 * A network's or block's statements in source order: those read in full, broken ones, and a
 * broken statement for each run of text the parser skipped between them.
 */
function body(decl: CstNode, members: CstNode[], broken: boolean[], read: ReadonlySet<number>, recovery: Recovery): Statement[] {
  const out = members.map((s, i) => ({ at: spanOf(s).start, st: broken[i] ? brokenStatement(s, recovery) : statement(s) }));
  if (recovery.damage.length) {
    const runs = skippedRuns(spanOf(decl), members.map(spanOf), read, recovery);
    for (const span of runs) out.push({ at: span.start, st: { kind: 'broken', ...bindingsIn(span, recovery), span } });
    out.sort((a, b) => a.at - b.at);
  }
  return out.map((x) => x.st);
}

/** What a statement the parser recovered would have bound, and what kind it started as. */
function brokenStatement(n: CstNode, recovery: Recovery): Statement {
  const span = spanOf(n);
  const { names, anyName } = bindingsIn(span, recovery);
  const entry = Object.entries(kids(n))[0] as [string, CstNode[]] | undefined;
  const inner = entry?.[1][0];
  // Re-synchronising mid-line makes fragments (`out: 8` of `f(x out: 8)`) look like statements.
  const first = tokenBounds(n).first;
  const statementStart = first !== undefined && startsLine(first, recovery);
  const broken = (was: Extract<Statement, { kind: 'broken' }>['was'], name?: IToken): Statement => ({
    kind: 'broken',
    was,
    names: name ? [...new Set([name.image, ...names])] : names,
    // An input the parser could not read, or an assignment whose `name =` it could not, may
    // have bound any name (`input i*mage: ...`, `log{its = ...`).
    anyName: anyName || (statementStart && (was === 'input' || (was === 'assign' && !(name && followedBy(name, Equals, recovery))))),
    span,
  });
  if (!entry || !inner) return broken(undefined);
  switch (entry[0]) {
    case 'inputStmt':
      return broken('input', real(tok(inner, 'name')));
    case 'outputStmt':
      return broken('output');
    case 'returnStmt':
      return broken('return');
    default:
      return broken('assign', real(tok(inner, 'Identifier')));
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
  const bound = toks(n, 'bound')[0];
  return {
    key: key.image,
    keySpan: tokSpan(key),
    ...(bound ? { bound: { kind: 'le' as const, span: tokSpan(bound) } } : {}),
    value: expression(node(n, 'expression')),
    span: spanOf(n),
  };
}

function statement(n: CstNode): Statement {
  const [kind, [inner]] = Object.entries(kids(n))[0] as [string, CstNode[]];
  const span = spanOf(inner);
  switch (kind) {
    case 'inputStmt': {
      const name = tok(inner, 'name');
      const type = tok(inner, 'type');
      return {
        kind: 'input',
        name: name.image,
        nameSpan: tokSpan(name),
        typeName: type.image,
        typeSpan: tokSpan(type),
        dims: nodes(inner, 'expression').map(expression),
        props: nodes(inner, 'property').map(property),
        span,
      };
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
