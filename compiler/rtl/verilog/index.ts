// Verilog emission for every nacc generator: build modules with the AST (ast.ts), then call
// `emitDesign(modules)` once, which legalises all names (legalise.ts), checks widths (width.ts) and prints one file per module.
//
// API
//   ast.ts       types Module/Port/Item/Stmt/Expr and builders: ref, lit, slit, idx, slice,
//                partsel, bin/add/sub/mul/eq/and/or/not, cond, cat, rep, signed, unsigned,
//                nb (<=), set (=), ifs, wire/reg/mem decls, assign, alwaysFF, alwaysComb,
//                input/output ports, comment, clog2, bitsFor.
//   legalise.ts  legaliseDesign(modules): keywords, illegal characters and collisions renamed
//                once; references, instance ports and parameter overrides follow.
//   width.ts     checkWidths(modules): expression widths from the declarations (WidthScope.widthOf);
//                a mismatch in an assignment, comparison, operand pair, ?: arms, case label or
//                instance port is an internal error naming the expression.
//   print.ts     printModule(module): `default_nettype none` ... module ... `default_nettype wire`.
//   emitDesign(modules) -> [{ file: 'NAME.v', module: 'NAME', text }], one module per file
//                (file name = module name, as verilator -Wall's DECLFILENAME expects).
// Generators must give explicit widths everywhere; the output is checked in tests with
// `verilator --lint-only -Wall` and `iverilog -g2012`.
import type { Module } from './ast.ts';
import { legaliseDesign } from './legalise.ts';
import { printModule } from './print.ts';
import { checkWidths } from './width.ts';

export * from './ast.ts';
export { legaliseDesign, sanitise, isKeyword } from './legalise.ts';
export { printModule, printExpr } from './print.ts';
export { checkWidths, WidthScope, type ExprWidth } from './width.ts';

export interface EmittedFile {
  file: string;
  module: string;
  text: string;
}

export function emitDesign(modules: Module[]): EmittedFile[] {
  const legal = legaliseDesign(modules);
  checkWidths(legal);
  return legal.map((m) => ({ file: `${m.name}.v`, module: m.name, text: printModule(m) }));
}
