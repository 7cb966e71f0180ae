// The Verilog AST, legaliser and printer: names are legalised once, output is lint-clean.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  add,
  alwaysFF,
  assign,
  emitDesign,
  idx,
  ifs,
  input,
  lit,
  mem,
  nb,
  output,
  ref,
  reg,
  wire,
  type Module,
} from '../../compiler/rtl/verilog/index.ts';
import { lintVerilator, runIverilog } from '../../testbench/index.ts';

/** A counter whose names collide with keywords and with each other after sanitising. */
function counter(): Module {
  return {
    name: 'counter',
    comment: ['test counter'],
    params: [{ name: 'W', value: lit(8) }],
    ports: [input('clk'), input('en'), output('reg', { expr: ref('W') })],
    items: [
      reg('count', { expr: ref('W') }),
      wire('next-value', { expr: ref('W') }),
      wire('next_value', 1),
      assign('next-value', add(ref('count'), lit(1, 8))),
      assign('next_value', idx('count', 0)),
      mem('table', 8, 4),
      alwaysFF('clk', [ifs(ref('en'), [nb('count', ref('next-value')), nb(idx('table', lit(0, 2)), ref('count'))])]),
      assign('reg', ref('count')),
    ],
  };
}

describe('verilog emission', () => {
  it('renames keywords and collisions and follows references', () => {
    const [f] = emitDesign([counter()]);
    expect(f.file).toBe('counter.v');
    expect(f.text).toContain('`default_nettype none');
    expect(f.text).toContain('output wire [W-1:0] reg_');
    expect(f.text).toContain('wire [W-1:0] next_value;');
    expect(f.text).toContain('wire next_value_1;');
    expect(f.text).toContain('reg [7:0] table_ [0:3];');
    expect(f.text).toContain('assign reg_ = count;');
  });

  it('rejects references to undeclared names', () => {
    const m = counter();
    m.items.push(assign('nowhere', lit(0)));
    expect(() => emitDesign([m])).toThrow(/undeclared name 'nowhere'/);
  });

  it('renames instance ports with the instantiated module', () => {
    const top: Module = {
      name: 'top',
      params: [],
      ports: [input('clk'), output('q', 8)],
      items: [
        wire('en', 1),
        assign('en', lit(1, 1)),
        {
          kind: 'instance',
          module: 'counter',
          name: 'u',
          params: [{ name: 'W', value: lit(8) }],
          conns: [
            { port: 'clk', expr: ref('clk') },
            { port: 'en', expr: ref('en') },
            { port: 'reg', expr: ref('q') },
          ],
        },
      ],
    };
    const files = emitDesign([counter(), top]);
    expect(files[1].text).toContain('.reg_(q)');
  });
});

describe('verilog tools accept the output', () => {
  it('iverilog simulates it and verilator -Wall has only the expected warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-verilog-'));
    const files = emitDesign([counter()]);
    for (const f of files) writeFileSync(join(dir, f.file), f.text);
    const diags = await lintVerilator(['counter.v'], { cwd: dir, top: 'counter' });
    // `table` is written but never read, and next_value_1 is unused: both must be reported, located.
    expect(diags.some((d) => /table_/.test(d.message) && d.location?.line)).toBe(true);
    writeFileSync(
      join(dir, 'tb.v'),
      [
        '`default_nettype none',
        'module tb;',
        '  reg clk = 0; reg en = 1; wire [7:0] q; integer passed = 0, failed = 0;',
        '  counter #(.W(8)) dut (.clk(clk), .en(en), .reg_(q));',
        '  always #5 clk = ~clk;',
        '  initial begin',
        '    force dut.count = 0; #1 release dut.count;',
        '    repeat (10) @(posedge clk); #1;',
        '    if (q == 10) passed = passed + 1; else begin failed = failed + 1; $display("MISMATCH q=%0d", q); end',
        '    $display("cycles=%0d", 10); $display("%0d passed, %0d failed", passed, failed); $finish;',
        '  end',
        'endmodule',
      ].join('\n'),
    );
    const r = await runIverilog({ files: ['counter.v', 'tb.v'], top: 'tb', cwd: dir });
    expect(r).toMatchObject({ passed: 1, failed: 0, cycles: 10, ok: true });
  });
});
