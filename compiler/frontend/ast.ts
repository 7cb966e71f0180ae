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
  | { kind: 'assign'; name: string; nameSpan: Span; value: Expr; span: Span }
  /**
   * A statement the parser had to recover (a syntax error inside it or right after it): its
   * syntax error is its only diagnostic. `was` is the statement it started as, `name` the name
   * it would have bound; the checker binds that name as poisoned so its uses raise nothing more.
   */
  | { kind: 'broken'; was?: 'input' | 'output' | 'return' | 'assign'; name?: string; span: Span };

export interface Param {
  name: string;
  default?: Expr;
  span: Span;
}

export type ConfigKind = 'accelerator' | 'space' | 'mcu' | 'pointacc' | 'federated';

/**
 * `broken`: the parser recovered somewhere inside the declaration. It is still checked, so its
 * independent errors are reported, but it is never lowered into the program, and checks that
 * need the whole text (a missing `output`, a missing required property) are not made.
 */
export type Declaration =
  /** `lostNames`: names the unread text may have bound; their uses are not reported as undefined. */
  | { kind: 'network'; name: string; nameSpan: Span; body: Statement[]; span: Span; broken?: true; lostNames?: string[] }
  /** `headerBroken`: the parameter list could not be read, so calls cannot be checked. */
  | { kind: 'block'; name: string; nameSpan: Span; params: Param[]; body: Statement[]; span: Span; broken?: true; headerBroken?: true; lostNames?: string[] }
  /** `brokenKeys`: properties whose text could not be read (they count as given). */
  | { kind: 'config'; configKind: ConfigKind; name: string; nameSpan: Span; props: Property[]; span: Span; broken?: true; brokenKeys?: string[] };

export interface FileAst {
  declarations: Declaration[];
}
