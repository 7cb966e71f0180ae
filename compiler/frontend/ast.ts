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
  /** `key: <= value`: the value is an upper bound (`le`); `span` is the `<=`'s. */
  bound?: { kind: 'le'; span: Span };
  value: Expr;
  span: Span;
}

export type Statement =
  | { kind: 'input'; name: string; nameSpan: Span; typeName: string; typeSpan: Span; dims: Expr[]; props: Property[]; span: Span }
  | { kind: 'output'; values: Expr[]; span: Span }
  | { kind: 'return'; value: Expr; span: Span }
  | { kind: 'assign'; name: string; nameSpan: Span; value: Expr; span: Span }
  /**
   * Text the parser could not read as a statement (a syntax error in it or on its line, or
   * text it skipped): its syntax error is its only diagnostic. `was` is the statement it started
   * as, `names` the names it would have bound; the checker binds them poisoned, so their uses
   * raise nothing more, and after `anyName` (a binding whose name is unreadable) no undefined
   * name is reported.
   */
  | { kind: 'broken'; was?: 'input' | 'output' | 'return' | 'assign'; names: string[]; anyName: boolean; span: Span };

export interface Param {
  name: string;
  default?: Expr;
  span: Span;
}

export type ConfigKind = 'accelerator' | 'space' | 'mcu' | 'pointacc' | 'federated' | 'supernet';

/**
 * `broken`: the parser recovered somewhere inside the declaration. It is still checked, so its
 * independent errors are reported, but it is never lowered into the program, and checks that
 * need the whole text (a missing `output`, a missing required property) are not made.
 */
export type Declaration =
  | { kind: 'network'; name: string; nameSpan: Span; body: Statement[]; span: Span; broken?: true }
  /** `headerBroken`: the parameter list could not be read, so calls cannot be checked. */
  | { kind: 'block'; name: string; nameSpan: Span; params: Param[]; body: Statement[]; span: Span; broken?: true; headerBroken?: true }
  /** `brokenKeys`: properties whose text could not be read (they count as given). */
  | {
      kind: 'config';
      configKind: ConfigKind;
      name: string;
      nameSpan: Span;
      props: Property[];
      span: Span;
      broken?: true;
      brokenKeys?: string[];
    };

export interface FileAst {
  declarations: Declaration[];
  /**
   * Names of declarations the parser could not read (`netwrk n {`, or no `{`): unknown ops and
   * references by these names are not reported; by any name if `anyName` (`block (x) {`).
   */
  unread?: { names: string[]; anyName: boolean };
}
