// Values the lowering evaluates expressions to, and constant evaluation with units.
import type { TensorType } from '../ir/network.ts';
import type { Expr, Span } from './ast.ts';
import { Codes } from './diagnostic-codes.ts';
import { UNITS } from './lexer.ts';
import { closest } from './suggest.ts';
import { D } from '../diagnostics/index.ts';

export type Dimension = 'none' | 'bytes' | 'bits' | 'time' | 'frequency' | 'bandwidth' | 'bytes-per-cycle' | 'area';

export type Value =
  | { t: 'tensor'; ref: string; type: TensorType }
  | { t: 'number'; v: number; dim: Dimension; per?: string }
  | { t: 'string'; v: string }
  | { t: 'bool'; v: boolean }
  /** A bare word not bound to anything: an enum value (`relu`, `same`) or an undefined name. */
  | { t: 'symbol'; name: string }
  | { t: 'list'; items: Value[]; spans: Span[] }
  | { t: 'range'; min: Value; max: Value; step?: Value }
  | { t: 'record'; props: Map<string, { value: Value; span: Span; keySpan: Span }> }
  | { t: 'call'; callee: string; args: { name?: string; value: Value; span: Span }[] }
  /** Poison: an error was already reported for this value. */
  | { t: 'error' };

export class EvalError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** `key: <= value` where the key takes no upper bound (only a space's `area` does); `span` is the `<=`'s. */
export function misplacedBound(key: string, span: Span): EvalError {
  return new EvalError(Codes.misplacedBound, `${key}: only \`area\` takes an upper bound (\`<=\`)`, span);
}

/** Number with unit -> value in the dimension's base unit (bytes, bits, ms, MHz, Mbit/s, B/cycle). */
export function quantity(e: Extract<Expr, { kind: 'number' }>): Value {
  if (!e.unit) return { t: 'number', v: e.value, dim: 'none', per: e.per };
  for (const unit of [e.unit, e.perUnit]) {
    if (unit === undefined || Object.prototype.hasOwnProperty.call(UNITS, unit)) continue;
    const exact = Object.keys(UNITS).find((k) => k.toLowerCase() === unit.toLowerCase());
    const guess = exact ?? closest(unit, Object.keys(UNITS));
    throw new EvalError(
      Codes.badProperty,
      `unknown unit '${unit}'${guess ? `; did you mean '${guess}'?` : ` (units: ${Object.keys(UNITS).join(', ')})`}`,
      e.span,
    );
  }
  const u = UNITS[e.unit];
  if (!e.perUnit) {
    const dim: Dimension = u.dimension === 'per-cycle' ? 'none' : u.dimension;
    return { t: 'number', v: e.value * u.scale, dim, per: e.per };
  }
  const d = UNITS[e.perUnit];
  if (u.dimension === 'bytes' && d.dimension === 'per-cycle')
    return { t: 'number', v: e.value * u.scale, dim: 'bytes-per-cycle', per: e.per };
  if (u.dimension === 'bits' && d.dimension === 'time') {
    // bits per second -> Mbit/s
    return { t: 'number', v: (e.value * u.scale) / 1e6 / (d.scale / 1000), dim: 'bandwidth', per: e.per };
  }
  if (u.dimension === 'bytes' && d.dimension === 'time') {
    return { t: 'number', v: (e.value * u.scale * 8) / 1e6 / (d.scale / 1000), dim: 'bandwidth', per: e.per };
  }
  throw new EvalError(D.badProperty.code, `unsupported unit ${e.unit}/${e.perUnit}`, e.span);
}

export function describe(v: Value): string {
  switch (v.t) {
    case 'tensor':
      return `tensor ${v.type.kind}[${v.type.shape.join(', ')}]`;
    case 'number':
      return v.dim === 'none' ? `number ${v.v}` : `${v.dim} quantity`;
    case 'string':
      return `string "${v.v}"`;
    case 'bool':
      return `boolean ${v.v}`;
    case 'symbol':
      return `name '${v.name}'`;
    case 'list':
      return 'list';
    case 'range':
      return 'range';
    case 'record':
      return 'record';
    case 'call':
      return `${v.callee}(...)`;
    case 'error':
      return 'invalid value';
  }
}

/** `a op b` on two numbers; the result keeps the dimension of whichever operand has one. */
export function arithmetic(op: '+' | '-' | '*' | '/', a: Extract<Value, { t: 'number' }>, b: Extract<Value, { t: 'number' }>): Value {
  const v = op === '+' ? a.v + b.v : op === '-' ? a.v - b.v : op === '*' ? a.v * b.v : a.v / b.v;
  return { t: 'number', v, dim: a.dim !== 'none' ? a.dim : b.dim };
}
