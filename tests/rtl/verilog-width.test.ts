// Expression widths computed by the Verilog AST and the pass that checks them before printing:
// self-determined widths of each expression kind; a width mismatch in an assignment, a
// comparison, an operand pair, ?: arms, a case label or an instance port is an internal error
// naming the expression; the accelerator's real top module passes, and narrowing one of its
// wires is caught by name.
import { describe, expect, it } from 'vitest';
import { InternalError } from '../../compiler/diagnostics/errors.ts';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { planAccelerator } from '../../compiler/rtl/accelerator/index.ts';
import { topModule } from '../../compiler/rtl/accelerator/top.ts';
import {
  add,
  alwaysFF,
  assign,
  bin,
  cat,
  checkWidths,
  cond,
  emitDesign,
  eq,
  idx,
  input,
  instance,
  lit,
  mem,
  nb,
  output,
  ref,
  reg,
  rep,
  slice,
  unsigned,
  wire,
  WidthScope,
  type Item,
  type Module,
} from '../../compiler/rtl/verilog/index.ts';

const moduleWith = (items: Item[], extraPorts: Module['ports'] = []): Module => ({
  name: 'm',
  params: [{ name: 'W', value: lit(8) }],
  ports: [input('clk'), input('a', 16), input('b', 8), output('y', 16), ...extraPorts],
  items,
});

describe('expression widths', () => {
  const scope = new WidthScope(moduleWith([wire('w', 32), mem('ram', 12, 4), reg('r', { expr: ref('W') })]));
  const bits = (e: Parameters<WidthScope['widthOf']>[0]) => scope.widthOf(e)?.bits;

  it('follows the self-determined sizes of each expression kind', () => {
    expect(bits(ref('a'))).toBe(16);
    expect(bits(add(ref('a'), ref('a')))).toBe(16);
    expect(bits(add(ref('a'), lit(1)))).toBe(16); // an unsized literal takes its context's width
    expect(bits(eq(ref('b'), lit(3, 8)))).toBe(1);
    expect(bits(cat(ref('a'), ref('b'), lit(0, 3)))).toBe(27);
    expect(bits(rep(4, ref('b')))).toBe(32);
    expect(bits(slice('w', 20, 5))).toBe(16);
    expect(bits(idx('ram', ref('b')))).toBe(12); // a memory word
    expect(bits(idx('w', lit(3)))).toBe(1); // a bit of a vector
    expect(bits(cond(ref('clk'), ref('a'), add(ref('a'), lit(1, 16))))).toBe(16);
    expect(bits(unsigned(ref('b')))).toBe(8);
    expect(bits(bin('<<', ref('b'), ref('a')))).toBe(8);
    expect(scope.widthOf(ref('r'))).toBeUndefined(); // parameterised: unknown, not checked
    expect(scope.widthOf(lit(5))).toEqual({ bits: 32, sized: false });
  });
});

describe('the width pass', () => {
  const fails = (m: Module, pattern: RegExp) => {
    expect(() => checkWidths([m])).toThrow(InternalError);
    expect(() => emitDesign([m])).toThrow(pattern);
  };

  it('accepts matching widths and unsized literals', () => {
    const m = moduleWith([
      assign('y', add(ref('a'), lit(1))),
      reg('c', 8),
      alwaysFF('clk', [nb('c', cond(eq(ref('b'), lit(0)), lit(0, 8), ref('b')))]),
    ]);
    expect(() => emitDesign([m])).not.toThrow();
  });

  it('names an assignment whose sides differ', () => {
    fails(moduleWith([assign('y', ref('b'))]), /module m: width mismatch in assign y = b: 16 bits vs 8 bits/);
  });

  it('names a nonblocking assignment whose sides differ', () => {
    fails(moduleWith([reg('c', 8), alwaysFF('clk', [nb('c', ref('a'))])]), /nonblocking assignment c = a: 8 bits vs 16 bits/);
  });

  it('names a comparison of different widths', () => {
    fails(moduleWith([wire('lt', 1), assign('lt', bin('<', ref('a'), ref('b')))]), /comparison of \(a < b\): 16 bits vs 8 bits/);
  });

  it('names arithmetic operands and ?: arms of different widths', () => {
    fails(moduleWith([assign('y', add(ref('a'), ref('b')))]), /operands of \(a \+ b\): 16 bits vs 8 bits/);
    fails(moduleWith([assign('y', cond(ref('clk'), ref('a'), ref('b')))]), /\?: arms of \(clk \? a : b\): 16 bits vs 8 bits/);
  });

  it('names a case label of another width', () => {
    const m = moduleWith([
      reg('c', 8),
      alwaysFF('clk', [{ kind: 'case', expr: ref('b'), items: [{ labels: [lit(1, 4)], body: [nb('c', ref('b'))] }] }]),
    ]);
    fails(m, /case label of \(b == 4'd1\): 8 bits vs 4 bits/);
  });

  it('names an instance port connected to a net of another width', () => {
    const child: Module = { name: 'child', params: [], ports: [input('x', 12)], items: [] };
    const parent = moduleWith([instance('child', 'u_child', { x: 'a' })]);
    expect(() => emitDesign([parent, child])).toThrow(/instance u_child port \.x\(a\): 12 bits vs 16 bits/);
  });
});

describe("the accelerator's top module", () => {
  const prog = loadProgram('examples/rtl.nacc');
  const spec = prog.accelerators.find((a) => a.name === 'kc_ws')!;
  const net = prog.networks.find((n) => n.name === 'rtl_layers')!;
  const hw = planAccelerator(spec, net, {}).hardware;
  const names = { top: 't', pe: 'pe', sramInput: 'si', sramWeight: 'sw', sramQparam: 'sq', sramPsum: 'sp', requant: 'rq' };

  it('passes the width check as generated', () => {
    expect(() => checkWidths([topModule(hw, names)])).not.toThrow();
  });

  it('fails it, naming the expression, when one index wire is narrowed', () => {
    const top = topModule(hw, names);
    const d = top.items.find((it) => it.kind === 'decl' && it.name === 'w_base');
    if (d?.kind !== 'decl' || typeof d.width !== 'number') throw new Error('no w_base wire');
    d.width -= 1;
    expect(() => checkWidths([top])).toThrow(/module t: width mismatch in assign w_base = /);
  });
});
