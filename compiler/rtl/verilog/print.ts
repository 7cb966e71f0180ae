// The dumb printer: Verilog text from an already legalised module. It makes no decisions
// beyond layout: every compound sub-expression is parenthesised, widths are printed as given.
import type { Expr, Item, Module, Port, Stmt, Width, Decl } from './ast.ts';

const IND = '  ';

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'ref':
      return e.name;
    case 'const': {
      const v = BigInt(e.value);
      if (e.width === undefined) return v < 0n ? `(${v})` : `${v}`;
      const s = e.signed ? 's' : '';
      const mag = v < 0n ? -v : v;
      const body = e.width > 16 ? `${e.width}'${s}h${mag.toString(16)}` : `${e.width}'${s}d${mag}`;
      return v < 0n ? `(-${body})` : body;
    }
    case 'index':
      return `${printExpr(e.target)}[${printExpr(e.index)}]`;
    case 'slice':
      return `${printExpr(e.target)}[${printExpr(e.msb)}:${printExpr(e.lsb)}]`;
    case 'partsel':
      return `${printExpr(e.target)}[${printExpr(e.base)} +: ${e.width}]`;
    case 'unary':
      return `(${e.op}${printExpr(e.arg)})`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'cond':
      return `(${printExpr(e.cond)} ? ${printExpr(e.then)} : ${printExpr(e.else)})`;
    case 'concat':
      return `{${e.parts.map(printExpr).join(', ')}}`;
    case 'repeat':
      return `{${e.count}{${printExpr(e.arg)}}}`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
  }
}

export function printWidth(w: Width): string {
  if (typeof w === 'number') return w === 1 ? '' : `[${w - 1}:0] `;
  return `[${printExpr(w.expr)}-1:0] `;
}

function printStmts(stmts: Stmt[], depth: number): string[] {
  return stmts.flatMap((s) => printStmt(s, depth));
}

function printStmt(s: Stmt, depth: number): string[] {
  const ind = IND.repeat(depth);
  switch (s.kind) {
    case 'nb':
      return [`${ind}${printExpr(s.lhs)} <= ${printExpr(s.rhs)};`];
    case 'blocking':
      return [`${ind}${printExpr(s.lhs)} = ${printExpr(s.rhs)};`];
    case 'if': {
      const out = [`${ind}if (${printExpr(s.cond)}) begin`, ...printStmts(s.then, depth + 1)];
      if (s.else && s.else.length) out.push(`${ind}end else begin`, ...printStmts(s.else, depth + 1));
      out.push(`${ind}end`);
      return out;
    }
    case 'case': {
      const out = [`${ind}case (${printExpr(s.expr)})`];
      for (const it of s.items) {
        out.push(`${ind}${IND}${it.labels.map(printExpr).join(', ')}: begin`, ...printStmts(it.body, depth + 2), `${ind}${IND}end`);
      }
      out.push(`${ind}${IND}default: begin`, ...printStmts(s.default ?? [], depth + 2), `${ind}${IND}end`);
      out.push(`${ind}endcase`);
      return out;
    }
  }
}

function printDecl(d: Decl): string {
  const sign = d.signed ? 'signed ' : '';
  const depth = d.depth === undefined ? '' : typeof d.depth === 'number' ? ` [0:${d.depth - 1}]` : ` [0:${printExpr(d.depth.expr)}-1]`;
  return `${d.net} ${sign}${printWidth(d.width)}${d.name}${depth};`;
}

function printItems(items: Item[], depth: number): string[] {
  return items.flatMap((it) => printItem(it, depth));
}

function printItem(it: Item, depth: number): string[] {
  const ind = IND.repeat(depth);
  switch (it.kind) {
    case 'decl':
      return [ind + printDecl(it)];
    case 'localparam':
      return [`${ind}localparam ${it.name} = ${printExpr(it.value)};`];
    case 'assign':
      return [`${ind}assign ${printExpr(it.lhs)} = ${printExpr(it.rhs)};`];
    case 'always_ff':
      return [`${ind}always @(posedge ${it.clock}) begin`, ...printStmts(it.body, depth + 1), `${ind}end`];
    case 'always_comb':
      return [`${ind}always @* begin`, ...printStmts(it.body, depth + 1), `${ind}end`];
    case 'instance': {
      const params = it.params.length
        ? ` #(\n${it.params.map((p) => `${ind}${IND}.${p.name}(${printExpr(p.value)})`).join(',\n')}\n${ind})`
        : '';
      const conns = it.conns.map((c) => `${ind}${IND}.${c.port}(${c.expr ? printExpr(c.expr) : ''})`).join(',\n');
      return [`${ind}${it.module}${params} ${it.name} (`, conns, `${ind});`];
    }
    case 'generate_for':
      return [
        `${ind}for (genvar ${it.genvar} = ${it.from}; ${it.genvar} < ${printExpr(it.to)}; ${it.genvar} = ${it.genvar} + 1) begin : ${it.label}`,
        ...printItems(it.items, depth + 1),
        `${ind}end`,
      ];
    case 'generate_if': {
      const out = [`${ind}if (${printExpr(it.cond)}) begin : ${it.label}`, ...printItems(it.items, depth + 1)];
      if (it.elseItems) out.push(`${ind}end else begin : ${it.elseLabel}`, ...printItems(it.elseItems, depth + 1));
      out.push(`${ind}end`);
      return out;
    }
    case 'comment':
      return it.text.split('\n').map((l) => `${ind}// ${l}`);
  }
}

function printPort(p: Port): string {
  const net = p.dir === 'input' ? 'wire' : (p.net ?? 'wire');
  return `${p.dir} ${net} ${p.signed ? 'signed ' : ''}${printWidth(p.width)}${p.name}`;
}

/** One file's text: `default_nettype none`, the module, and the nettype restored. */
export function printModule(m: Module): string {
  const lines: string[] = [];
  for (const c of m.comment ?? []) lines.push(`// ${c}`);
  lines.push('`default_nettype none');
  lines.push('');
  const params = m.params.length ? ` #(\n${m.params.map((p) => `${IND}parameter ${p.name} = ${printExpr(p.value)}`).join(',\n')}\n)` : '';
  lines.push(`module ${m.name}${params} (`);
  lines.push(m.ports.map((p) => IND + printPort(p)).join(',\n'));
  lines.push(');');
  lines.push(...printItems(m.items, 1));
  lines.push('endmodule');
  lines.push('');
  lines.push('`default_nettype wire');
  return lines.join('\n') + '\n';
}
