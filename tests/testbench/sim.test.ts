// Tool runners: testbench output parsing, compile failures (user code exit 1, generated code
// exit 70), Verilator and Yosys.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, InternalError, UserError } from '../../compiler/diagnostics/index.ts';
import { parseTestbenchOutput, parseVerilatorMessages, runIverilog, runVerilator, runYosys, hexLines } from '../../testbench/index.ts';

const ADDER = [
  '`default_nettype none',
  'module adder (input wire clk, input wire [7:0] a, input wire [7:0] b, output reg [8:0] s);',
  '  always @(posedge clk) s <= a + b;',
  'endmodule',
  '`default_nettype wire',
].join('\n');

const BENCH = (expected: number) =>
  [
    'module tb;',
    '  reg clk = 0; reg [7:0] a = 200, b = 100; wire [8:0] s; integer failed = 0;',
    '  adder dut (.clk(clk), .a(a), .b(b), .s(s));',
    '  always #5 clk = ~clk;',
    '  initial begin',
    '    @(posedge clk); #1;',
    `    if (s != ${expected}) begin failed = 1; $display("MISMATCH s: got %0d expected ${expected}", s); end`,
    '    $display("cycles=1"); $display("%0d passed, %0d failed", 1 - failed, failed); $finish;',
    '  end',
    'endmodule',
  ].join('\n');

function workdir(bench: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-sim-'));
  writeFileSync(join(dir, 'adder.v'), ADDER);
  writeFileSync(join(dir, 'tb.v'), bench);
  return dir;
}

describe('testbench output', () => {
  it('parses summary, cycles, first mismatch and vcd', () => {
    const r = parseTestbenchOutput(
      'x\nMISMATCH out[3] got 1 expected 2\nMISMATCH out[4]\nvcd: wave.vcd\ncycles=1234\n7 passed, 2 failed\n',
    );
    expect(r).toEqual({ passed: 7, failed: 2, cycles: 1234, firstMismatch: 'out[3] got 1 expected 2', vcd: 'wave.vcd' });
  });
  it('leaves the counts undefined when the bench never finished', () => {
    expect(parseTestbenchOutput('cycles=3\n').passed).toBeUndefined();
  });
  it('parses verilator messages into located diagnostics', () => {
    const d = parseVerilatorMessages(
      "%Warning-UNUSEDSIGNAL: a.v:3:14: Signal is not used: 'x'\n%Error: Exiting due to 1 warning(s)\n",
      '/nonexistent',
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'warning', code: 'verilator-UNUSEDSIGNAL', location: { file: 'a.v', line: 3, column: 14 } });
  });
  it("writes two's-complement hex words", () => {
    expect(hexLines([-1, 5, -128], 8)).toBe('ff\n05\n80\n');
    expect(hexLines([-2], 32)).toBe('fffffffe\n');
  });
});

describe('runners', () => {
  it('iverilog: pass and mismatch', async () => {
    const ok = await runIverilog({ files: ['adder.v', 'tb.v'], top: 'tb', cwd: workdir(BENCH(300)) });
    expect(ok).toMatchObject({ passed: 1, failed: 0, ok: true });
    const bad = await runIverilog({ files: ['adder.v', 'tb.v'], top: 'tb', cwd: workdir(BENCH(301)) });
    expect(bad).toMatchObject({ passed: 0, failed: 1, ok: false, firstMismatch: 's: got 300 expected 301' });
  });

  it('iverilog: a compile error in user code is an input error (exit 1) with located diagnostics', async () => {
    const dir = workdir('module tb; wire x = ; endmodule\n');
    const err = await runIverilog({ files: ['adder.v', 'tb.v'], top: 'tb', cwd: dir, origin: 'user' }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.exitCode).toBe(ExitCode.inputError);
    expect(
      err.diagnostics.some((d: { location?: { file: string; line: number } }) => d.location?.file === 'tb.v' && d.location.line === 1),
    ).toBe(true);
  });

  it('iverilog: a compile error in generated code is an internal error (exit 70) with the messages', async () => {
    const dir = workdir('module tb; wire x = ; endmodule\n');
    const err = await runIverilog({ files: ['adder.v', 'tb.v'], top: 'tb', cwd: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect(err.exitCode).toBe(ExitCode.internal);
    expect(err.message).toMatch(/iverilog rejected code that nacc generated[\s\S]*tb\.v:1: syntax error/);
  });

  it('verilator: builds and runs the same bench', async () => {
    const r = await runVerilator({ files: ['adder.v', 'tb.v'], top: 'tb', cwd: workdir(BENCH(300)) });
    expect(r).toMatchObject({ passed: 1, failed: 0, cycles: 1, ok: true });
  }, 120_000);

  it('yosys: counts cells of a synthesised adder', async () => {
    const r = await runYosys(['adder.v'], 'adder', { cwd: workdir(BENCH(300)) });
    expect(r.cells).toBeGreaterThan(9);
    expect(r.cellTypes['$_DFF_P_']).toBe(9);
    expect(r.logicGateEquivalents).toBeGreaterThan(0);
  }, 60_000);
});
