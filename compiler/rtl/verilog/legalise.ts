// One pass that makes a set of modules emission-ready: every identifier becomes a legal,
// non-keyword Verilog name, unique within its module (and module names unique in the design),
// and every reference, instance port and parameter override follows the renaming.
import { UniqueNames, verilogIdentifier } from '../../util/names.ts';
import type { Expr, Item, Module, Stmt } from './ast.ts';

// The character rules and keywords live with the other sanitisers in compiler/util/names.ts.
export { isVerilogKeyword as isKeyword, verilogIdentifier as sanitise } from '../../util/names.ts';

/** Allocates unique legal names in one scope, in order of first request. */
const scope = (): UniqueNames => new UniqueNames(verilogIdentifier);

function declaredNames(items: Item[], out: string[]): void {
  for (const it of items) {
    if (it.kind === 'decl' || it.kind === 'localparam') out.push(it.name);
    else if (it.kind === 'instance') out.push(it.name);
    else if (it.kind === 'generate_for') {
      out.push(it.label, it.genvar);
      declaredNames(it.items, out);
    } else if (it.kind === 'generate_if') {
      out.push(it.label);
      if (it.elseLabel) out.push(it.elseLabel);
      declaredNames(it.items, out);
      if (it.elseItems) declaredNames(it.elseItems, out);
    }
  }
}

interface ModuleNames {
  module: string;
  ports: Map<string, string>;
  params: Map<string, string>;
}

/**
 * Legalise a design. Names are resolved per module in a single flat scope (ports, params,
 * nets, instances, generate labels and genvars), which also rules out shadowing inside
 * generate blocks. A reference to an undeclared name is an internal error.
 */
export function legaliseDesign(modules: Module[]): Module[] {
  const moduleNamer = scope();
  const names = new Map<string, ModuleNames>();
  const scopes = new Map<string, UniqueNames>();
  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`duplicate module ${m.name}`);
    const namer = scope();
    const ports = new Map<string, string>();
    const params = new Map<string, string>();
    for (const p of m.params) params.set(p.name, namer.declare(p.name));
    for (const p of m.ports) {
      if (ports.has(p.name)) throw new Error(`module ${m.name}: duplicate port ${p.name}`);
      ports.set(p.name, namer.declare(p.name));
    }
    const inner: string[] = [];
    declaredNames(m.items, inner);
    for (const n of inner) namer.declare(n);
    names.set(m.name, { module: moduleNamer.declare(m.name), ports, params });
    scopes.set(m.name, namer);
  }

  return modules.map((m) => {
    const namer = scopes.get(m.name)!;
    const lookup = (n: string): string => {
      const r = namer.get(n);
      if (r === undefined) throw new Error(`module ${m.name}: reference to undeclared name '${n}'`);
      return r;
    };
    const expr = (e: Expr): Expr => {
      switch (e.kind) {
        case 'ref':
          return { kind: 'ref', name: lookup(e.name) };
        case 'const':
          return e;
        case 'index':
          return { ...e, target: expr(e.target), index: expr(e.index) };
        case 'slice':
          return { ...e, target: expr(e.target), msb: expr(e.msb), lsb: expr(e.lsb) };
        case 'partsel':
          return { ...e, target: expr(e.target), base: expr(e.base) };
        case 'unary':
          return { ...e, arg: expr(e.arg) };
        case 'binary':
          return { ...e, left: expr(e.left), right: expr(e.right) };
        case 'cond':
          return { ...e, cond: expr(e.cond), then: expr(e.then), else: expr(e.else) };
        case 'concat':
          return { ...e, parts: e.parts.map(expr) };
        case 'repeat':
          return { ...e, arg: expr(e.arg) };
        case 'call':
          return { ...e, args: e.args.map(expr) };
      }
    };
    const width = <W>(w: W): W =>
      typeof w === 'object' && w !== null && 'expr' in w ? ({ expr: expr((w as { expr: Expr }).expr) } as W) : w;
    const stmt = (s: Stmt): Stmt => {
      switch (s.kind) {
        case 'nb':
        case 'blocking':
          return { ...s, lhs: expr(s.lhs), rhs: expr(s.rhs) };
        case 'if':
          return { ...s, cond: expr(s.cond), then: s.then.map(stmt), else: s.else?.map(stmt) };
        case 'case':
          return {
            ...s,
            expr: expr(s.expr),
            items: s.items.map((i) => ({ labels: i.labels.map(expr), body: i.body.map(stmt) })),
            default: s.default?.map(stmt),
          };
      }
    };
    const item = (it: Item): Item => {
      switch (it.kind) {
        case 'decl':
          return { ...it, name: lookup(it.name), width: width(it.width), depth: width(it.depth) };
        case 'localparam':
          return { ...it, name: lookup(it.name), value: expr(it.value) };
        case 'assign':
          return { ...it, lhs: expr(it.lhs), rhs: expr(it.rhs) };
        case 'always_ff':
          return { ...it, clock: lookup(it.clock), body: it.body.map(stmt) };
        case 'always_comb':
          return { ...it, body: it.body.map(stmt) };
        case 'instance': {
          const target = names.get(it.module);
          if (!target) throw new Error(`module ${m.name}: instance of unknown module ${it.module}`);
          return {
            ...it,
            module: target.module,
            name: lookup(it.name),
            params: it.params.map((p) => {
              const n = target.params.get(p.name);
              if (!n) throw new Error(`module ${m.name}: ${it.module} has no parameter ${p.name}`);
              return { name: n, value: expr(p.value) };
            }),
            conns: it.conns.map((c) => {
              const n = target.ports.get(c.port);
              if (!n) throw new Error(`module ${m.name}: ${it.module} has no port ${c.port}`);
              return { port: n, expr: c.expr && expr(c.expr) };
            }),
          };
        }
        case 'generate_for':
          return { ...it, label: lookup(it.label), genvar: lookup(it.genvar), to: expr(it.to), items: it.items.map(item) };
        case 'generate_if':
          return {
            ...it,
            label: lookup(it.label),
            cond: expr(it.cond),
            items: it.items.map(item),
            elseLabel: it.elseLabel && lookup(it.elseLabel),
            elseItems: it.elseItems?.map(item),
          };
        case 'comment':
          return it;
      }
    };
    const own = names.get(m.name)!;
    return {
      name: own.module,
      comment: m.comment,
      params: m.params.map((p) => ({ name: own.params.get(p.name)!, value: expr(p.value) })),
      ports: m.ports.map((p) => ({ ...p, name: own.ports.get(p.name)!, width: width(p.width) })),
      items: m.items.map(item),
    };
  });
}
