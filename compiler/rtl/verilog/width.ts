// Expression widths computed from the AST (Verilog's self-determined sizes over a module's
// declarations) and the pass that checks them before printing, as CIRCT's typed values do:
// an assignment, comparison, arithmetic operand pair, ?: arm pair, case label or instance port
// whose widths differ is an internal error naming the module and the expression, so lint is a
// backstop rather than the only check. Widths given by parameters are unknown and not checked.
import { InternalError } from '../../diagnostics/errors.ts';
import type { Expr, Item, Module, Stmt, Width } from './ast.ts';
import { printExpr } from './print.ts';

/**
 * The width of an expression: `bits` when known; `sized: false` for unsized values (unsized
 * literals, parameters, genvars, $clog2), which take the width of their context as Verilator
 * lets them; undefined when it depends on a parameter.
 */
export type ExprWidth = { bits: number; sized: boolean } | undefined;

const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
const SHIFT = new Set(['<<', '>>', '>>>', '<<<']);

interface Net {
  width: number | undefined;
  memory: boolean;
}

const sized = (bits: number): ExprWidth => ({ bits, sized: true });
const UNSIZED: ExprWidth = { bits: 32, sized: false };
const fixedWidth = (w: Width): number | undefined => (typeof w === 'number' ? w : undefined);

/** Value of a constant expression (literals and arithmetic on them), undefined otherwise. */
function constValue(e: Expr): number | undefined {
  if (e.kind === 'const') return Number(e.value);
  if (e.kind !== 'binary') return undefined;
  const l = constValue(e.left);
  const r = constValue(e.right);
  if (l === undefined || r === undefined) return undefined;
  if (e.op === '+') return l + r;
  if (e.op === '-') return l - r;
  if (e.op === '*') return l * r;
  return undefined;
}

/** The nets, parameters and genvars of one module (legalised names are unique per module). */
export class WidthScope {
  readonly module: string;
  private readonly nets = new Map<string, Net>();
  private readonly unsizedNames = new Set<string>();

  constructor(m: Module) {
    this.module = m.name;
    for (const p of m.params) this.unsizedNames.add(p.name);
    for (const p of m.ports) this.nets.set(p.name, { width: fixedWidth(p.width), memory: false });
    this.declareItems(m.items);
  }

  /** Adds declarations (for a module built item by item: widths of what is declared so far). */
  declareItems(items: readonly Item[]): void {
    for (const it of items) {
      if (it.kind === 'decl') this.nets.set(it.name, { width: fixedWidth(it.width), memory: it.depth !== undefined });
      else if (it.kind === 'localparam') this.unsizedNames.add(it.name);
      else if (it.kind === 'generate_for') {
        this.unsizedNames.add(it.genvar);
        this.declareItems(it.items);
      } else if (it.kind === 'generate_if') {
        this.declareItems(it.items);
        if (it.elseItems) this.declareItems(it.elseItems);
      }
    }
  }

  /** Self-determined width of e (IEEE 1364 table 5-22), checking operand pairs on the way. */
  widthOf(e: Expr): ExprWidth {
    switch (e.kind) {
      case 'ref': {
        if (this.unsizedNames.has(e.name)) return UNSIZED;
        const n = this.nets.get(e.name);
        if (!n) throw new InternalError(`module ${this.module}: width of undeclared ${e.name}`);
        return n.width === undefined || n.memory ? undefined : sized(n.width);
      }
      case 'const':
        return e.width === undefined ? UNSIZED : sized(e.width);
      case 'index': {
        this.widthOf(e.index);
        if (e.target.kind === 'ref') {
          const n = this.nets.get(e.target.name);
          if (n?.memory) return n.width === undefined ? undefined : sized(n.width);
        }
        return sized(1);
      }
      case 'slice': {
        const msb = constValue(e.msb);
        const lsb = constValue(e.lsb);
        return msb === undefined || lsb === undefined ? undefined : sized(msb - lsb + 1);
      }
      case 'partsel':
        return sized(e.width);
      case 'unary':
        return e.op === '~' || e.op === '-' ? this.widthOf(e.arg) : (this.widthOf(e.arg), sized(1));
      case 'binary': {
        const l = this.widthOf(e.left);
        const r = this.widthOf(e.right);
        if (SHIFT.has(e.op)) return l;
        if (e.op === '&&' || e.op === '||') return sized(1);
        const w = this.same(l, r, e, COMPARE.has(e.op) ? 'comparison' : 'operands');
        return COMPARE.has(e.op) ? sized(1) : w;
      }
      case 'cond':
        this.widthOf(e.cond);
        return this.same(this.widthOf(e.then), this.widthOf(e.else), e, '?: arms');
      case 'concat': {
        let bits = 0;
        for (const p of e.parts) {
          const w = this.widthOf(p);
          if (w === undefined) return undefined;
          bits += w.bits;
        }
        return sized(bits);
      }
      case 'repeat': {
        const w = this.widthOf(e.arg);
        return w === undefined ? undefined : sized(e.count * w.bits);
      }
      case 'call':
        if (e.fn === '$clog2') return UNSIZED;
        return this.widthOf(e.args[0]);
    }
  }

  /** The common width of two operands that must agree; a sized pair that differs is an error. */
  private same(a: ExprWidth, b: ExprWidth, e: Expr, what: string): ExprWidth {
    if (a === undefined || b === undefined) return undefined;
    if (a.sized && b.sized && a.bits !== b.bits) throw this.mismatch(`${what} of`, e, a.bits, b.bits);
    if (!a.sized) return b;
    return a;
  }

  private mismatch(what: string, e: Expr, a: number, b: number, rhs?: Expr): InternalError {
    const text = rhs ? `${printExpr(e)} = ${printExpr(rhs)}` : printExpr(e);
    return new InternalError(`module ${this.module}: width mismatch in ${what} ${text}: ${a} bits vs ${b} bits`);
  }

  /** Checks an assignment target against its value (an unsized value takes the target's width). */
  assignment(lhs: Expr, rhs: Expr, what: string): void {
    const l = this.widthOf(lhs);
    const r = this.widthOf(rhs);
    if (l?.sized && r?.sized && l.bits !== r.bits) throw this.mismatch(what, lhs, l.bits, r.bits, rhs);
  }

  /** Checks every statement of a block. */
  statements(body: Stmt[]): void {
    for (const s of body) {
      if (s.kind === 'nb') this.assignment(s.lhs, s.rhs, 'nonblocking assignment');
      else if (s.kind === 'blocking') this.assignment(s.lhs, s.rhs, 'blocking assignment');
      else if (s.kind === 'if') {
        this.widthOf(s.cond);
        this.statements(s.then);
        if (s.else) this.statements(s.else);
      } else {
        const w = this.widthOf(s.expr);
        for (const it of s.items) {
          for (const label of it.labels) {
            const lw = this.widthOf(label);
            if (w?.sized && lw?.sized && w.bits !== lw.bits)
              throw this.mismatch('case label of', { kind: 'binary', op: '==', left: s.expr, right: label }, w.bits, lw.bits);
          }
          this.statements(it.body);
        }
        if (s.default) this.statements(s.default);
      }
    }
  }
}

/** Port widths of the modules of one design, for instance connections. */
type PortWidths = Map<string, Map<string, number | undefined>>;

function checkItems(scope: WidthScope, items: Item[], ports: PortWidths): void {
  for (const it of items) {
    switch (it.kind) {
      case 'assign':
        scope.assignment(it.lhs, it.rhs, 'assign');
        break;
      case 'always_ff':
      case 'always_comb':
        scope.statements(it.body);
        break;
      case 'instance': {
        const target = ports.get(it.module);
        for (const c of it.conns) {
          if (!c.expr) continue;
          const w = scope.widthOf(c.expr);
          const pw = target?.get(c.port);
          if (pw !== undefined && w?.sized && w.bits !== pw)
            throw new InternalError(
              `module ${scope.module}: width mismatch in instance ${it.name} port .${c.port}(${printExpr(c.expr)}): ${pw} bits vs ${w.bits} bits`,
            );
        }
        for (const p of it.params) scope.widthOf(p.value);
        break;
      }
      case 'generate_for':
        checkItems(scope, it.items, ports);
        break;
      case 'generate_if':
        checkItems(scope, it.items, ports);
        if (it.elseItems) checkItems(scope, it.elseItems, ports);
        break;
      case 'localparam':
        scope.widthOf(it.value);
        break;
      default:
        break;
    }
  }
}

/**
 * The width pass: every module's assignments, comparisons, operand pairs, case labels and
 * instance ports (of modules in the same design) agree in width. Throws an InternalError naming
 * the first expression that does not.
 */
export function checkWidths(modules: Module[]): void {
  const ports: PortWidths = new Map(modules.map((m) => [m.name, new Map(m.ports.map((p) => [p.name, fixedWidth(p.width)]))]));
  for (const m of modules) checkItems(new WidthScope(m), m.items, ports);
}
