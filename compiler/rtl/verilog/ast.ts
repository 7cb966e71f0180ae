// A small Verilog AST: enough for parameterised datapaths (modules, ports with explicit
// widths and signedness, params, wires/regs/memories, assigns, clocked and combinational
// always blocks, if/case, instances, named generate blocks). Built by generators, made
// emission-ready by legalise.ts, printed by print.ts.

/** A bit width: a number, or an expression E meaning `[E-1:0]` (e.g. a parameter). */
export type Width = number | { expr: Expr };

export type UnaryOp = '~' | '!' | '-' | '&' | '|' | '^';
export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '<<' | '>>' | '>>>' | '<<<';

export type Expr =
  | { kind: 'ref'; name: string }
  /** A sized literal; `value` may be negative only when `signed`. Unsized when width is omitted. */
  | { kind: 'const'; value: bigint | number; width?: number; signed?: boolean }
  | { kind: 'index'; target: Expr; index: Expr }
  | { kind: 'slice'; target: Expr; msb: Expr; lsb: Expr }
  /** target[base +: width] */
  | { kind: 'partsel'; target: Expr; base: Expr; width: number }
  | { kind: 'unary'; op: UnaryOp; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'cond'; cond: Expr; then: Expr; else: Expr }
  | { kind: 'concat'; parts: Expr[] }
  | { kind: 'repeat'; count: number; arg: Expr }
  | { kind: 'call'; fn: '$signed' | '$unsigned' | '$clog2'; args: Expr[] };

export type Stmt =
  /** lhs <= rhs (clocked blocks) */
  | { kind: 'nb'; lhs: Expr; rhs: Expr }
  /** lhs = rhs (combinational blocks) */
  | { kind: 'blocking'; lhs: Expr; rhs: Expr }
  | { kind: 'if'; cond: Expr; then: Stmt[]; else?: Stmt[] }
  | { kind: 'case'; expr: Expr; items: { labels: Expr[]; body: Stmt[] }[]; default?: Stmt[] };

export type NetKind = 'wire' | 'reg';

export interface Decl {
  kind: 'decl';
  net: NetKind;
  name: string;
  width: Width;
  signed?: boolean;
  /** Memory depth: `reg [w-1:0] name [0:depth-1]`. */
  depth?: number | { expr: Expr };
}

export type Item =
  | Decl
  | { kind: 'localparam'; name: string; value: Expr }
  | { kind: 'assign'; lhs: Expr; rhs: Expr }
  /** always @(posedge clock) body */
  | { kind: 'always_ff'; clock: string; body: Stmt[] }
  /** always @* body */
  | { kind: 'always_comb'; body: Stmt[] }
  | { kind: 'instance'; module: string; name: string; params: { name: string; value: Expr }[]; conns: { port: string; expr?: Expr }[] }
  /** for (genvar g = from; g < to; g++) begin : label ... end */
  | { kind: 'generate_for'; label: string; genvar: string; from: number; to: Expr; items: Item[] }
  | { kind: 'generate_if'; label: string; cond: Expr; items: Item[]; elseLabel?: string; elseItems?: Item[] }
  | { kind: 'comment'; text: string };

export interface Param {
  name: string;
  value: Expr;
}

export interface Port {
  dir: 'input' | 'output';
  name: string;
  width: Width;
  signed?: boolean;
  /** Outputs driven from always blocks are 'reg'; everything else 'wire' (default). */
  net?: NetKind;
}

export interface Module {
  name: string;
  /** Lines printed as a `//` header: say what the module is for. */
  comment?: string[];
  params: Param[];
  ports: Port[];
  items: Item[];
}

// ---- builders -----------------------------------------------------------------------------

export const ref = (name: string): Expr => ({ kind: 'ref', name });
/** Sized unsigned literal (or unsized when width is omitted). */
export const lit = (value: number | bigint, width?: number): Expr => ({ kind: 'const', value, width });
/** Sized signed literal. */
export const slit = (value: number | bigint, width: number): Expr => ({ kind: 'const', value, width, signed: true });
export const idx = (target: Expr | string, index: Expr | number): Expr => ({
  kind: 'index',
  target: typeof target === 'string' ? ref(target) : target,
  index: typeof index === 'number' ? lit(index) : index,
});
export const slice = (target: Expr | string, msb: number | Expr, lsb: number | Expr): Expr => ({
  kind: 'slice',
  target: typeof target === 'string' ? ref(target) : target,
  msb: typeof msb === 'number' ? lit(msb) : msb,
  lsb: typeof lsb === 'number' ? lit(lsb) : lsb,
});
export const partsel = (target: Expr | string, base: Expr, width: number): Expr => ({
  kind: 'partsel',
  target: typeof target === 'string' ? ref(target) : target,
  base,
  width,
});
export const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
export const un = (op: UnaryOp, arg: Expr): Expr => ({ kind: 'unary', op, arg });
export const cond = (c: Expr, t: Expr, e: Expr): Expr => ({ kind: 'cond', cond: c, then: t, else: e });
export const cat = (...parts: Expr[]): Expr => ({ kind: 'concat', parts });
export const rep = (count: number, arg: Expr): Expr => ({ kind: 'repeat', count, arg });
export const signed = (arg: Expr): Expr => ({ kind: 'call', fn: '$signed', args: [arg] });
export const unsigned = (arg: Expr): Expr => ({ kind: 'call', fn: '$unsigned', args: [arg] });
export const add = (a: Expr, b: Expr) => bin('+', a, b);
export const sub = (a: Expr, b: Expr) => bin('-', a, b);
export const mul = (a: Expr, b: Expr) => bin('*', a, b);
export const eq = (a: Expr, b: Expr) => bin('==', a, b);
export const and = (...xs: Expr[]): Expr => xs.reduce((a, b) => bin('&&', a, b));
export const or = (...xs: Expr[]): Expr => xs.reduce((a, b) => bin('||', a, b));
export const not = (a: Expr) => un('!', a);

export const nb = (lhs: Expr | string, rhs: Expr): Stmt => ({ kind: 'nb', lhs: typeof lhs === 'string' ? ref(lhs) : lhs, rhs });
export const set = (lhs: Expr | string, rhs: Expr): Stmt => ({ kind: 'blocking', lhs: typeof lhs === 'string' ? ref(lhs) : lhs, rhs });
export const ifs = (c: Expr, then: Stmt[], els?: Stmt[]): Stmt => ({ kind: 'if', cond: c, then, else: els });

export const wire = (name: string, width: Width, isSigned = false): Decl => ({
  kind: 'decl',
  net: 'wire',
  name,
  width,
  signed: isSigned || undefined,
});
export const reg = (name: string, width: Width, isSigned = false): Decl => ({
  kind: 'decl',
  net: 'reg',
  name,
  width,
  signed: isSigned || undefined,
});
export const mem = (name: string, width: Width, depth: number | { expr: Expr }, isSigned = false): Decl => ({
  kind: 'decl',
  net: 'reg',
  name,
  width,
  depth,
  signed: isSigned || undefined,
});
export const assign = (lhs: Expr | string, rhs: Expr): Item => ({ kind: 'assign', lhs: typeof lhs === 'string' ? ref(lhs) : lhs, rhs });
/** An instance with its ports connected by name (a string connects the net of that name). */
export const instance = (
  module: string,
  name: string,
  conns: Record<string, Expr | string>,
  params: { name: string; value: Expr }[] = [],
): Item => ({
  kind: 'instance',
  module,
  name,
  params,
  conns: Object.entries(conns).map(([port, e]) => ({ port, expr: typeof e === 'string' ? ref(e) : e })),
});
export const alwaysFF = (clock: string, body: Stmt[]): Item => ({ kind: 'always_ff', clock, body });
export const alwaysComb = (body: Stmt[]): Item => ({ kind: 'always_comb', body });
export const input = (name: string, width: Width = 1, isSigned = false): Port => ({
  dir: 'input',
  name,
  width,
  signed: isSigned || undefined,
});
export const output = (name: string, width: Width = 1, isSigned = false, net: NetKind = 'wire'): Port => ({
  dir: 'output',
  name,
  width,
  signed: isSigned || undefined,
  net,
});
export const comment = (text: string): Item => ({ kind: 'comment', text });

/** Bits needed to hold values 0..n-1 (at least 1). */
export function clog2(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return Math.max(1, b);
}

/** Bits needed to hold the unsigned value v (at least 1). */
export function bitsFor(v: number): number {
  return clog2(v + 1);
}
