// The .nacc AST: every node carries the source span (0-based offsets) it came from.
export interface Span {
  start: number;
  /** Exclusive end offset. */
  end: number;
}

export type Expr =
  | { kind: 'number'; value: number; unit?: string; perUnit?: string; per?: string; span: Span }
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'call'; callee: string; calleeSpan: Span; args: Arg[]; span: Span }
  | { kind: 'list'; items: Expr[]; span: Span }
  | { kind: 'record'; props: Property[]; span: Span }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr; span: Span }
  | { kind: 'neg'; operand: Expr; span: Span }
  | { kind: 'range'; from: Expr; to: Expr; step?: Expr; span: Span };

export interface Arg {
  name?: string;
  nameSpan?: Span;
  value: Expr;
  span: Span;
}

export interface Property {
  key: string;
  keySpan: Span;
  value: Expr;
  span: Span;
}

export type Statement =
  | { kind: 'input'; name: string; nameSpan: Span; typeName: string; typeSpan: Span; dims: Expr[]; props: Property[]; span: Span }
  | { kind: 'output'; values: Expr[]; span: Span }
  | { kind: 'return'; value: Expr; span: Span }
  | { kind: 'assign'; name: string; nameSpan: Span; value: Expr; span: Span };

export interface Param {
  name: string;
  default?: Expr;
  span: Span;
}

export type ConfigKind = 'accelerator' | 'space' | 'mcu' | 'pointacc' | 'federated';

export type Declaration =
  | { kind: 'network'; name: string; nameSpan: Span; body: Statement[]; span: Span }
  | { kind: 'block'; name: string; nameSpan: Span; params: Param[]; body: Statement[]; span: Span }
  | { kind: 'config'; configKind: ConfigKind; name: string; nameSpan: Span; props: Property[]; span: Span };

export interface FileAst {
  declarations: Declaration[];
}
