// testbench/: everything that proves what the compiler emitted. The compiler (compiler/, with
// templates/ for the product's boilerplate) emits Verilog and C; this folder checks them.
//   tools/     the one runner for external programs (run-tool.ts), tools.json, `nacc doctor`'s probe
//   sim/       Icarus / Verilator / Yosys runners, their messages as Diagnostics, the bench output format
//   rtl/       self-checking accelerator and whole-network benches (with the DRAM model), vector
//              writers, `nacc verify` for an `nacc rtl` folder
//   pointacc/  self-checking PointAcc unit benches and the C baseline they are timed against
//   mcu/       host and semihosting I/O harness, Cortex-M startup and linker script, host/QEMU
//              runner, batch harness, and the comparison with the int8 reference executor
// The CLI (compiler/cli/verify.ts) imports from here; nothing here imports the CLI.
//
// API (the RTL side; testbench/mcu/ is imported by path)
//   runTool(cmd, args, {cwd, timeoutMs, failureMessages}) -> ToolRun {exitCode, signal, timedOut,
//       stdout, stderr, output, verdict}   run-tool.ts: the only way nacc starts an external program;
//   failureOf / expectSuccess(run, role, what) decide what a failed verdict means (see ToolRole).
//   requireTool(name) / probeTools()                       tools.ts (exit 4 when missing)
//   runIverilog({files, top, plusargs, cwd, timeoutMs, buildDir}) -> SimResult
//       iverilog -g2012 -s top, then `vvp -N` with stdin 'ignore'
//       (= buildIverilog({files, top, cwd, buildDir}) -> .vvp, then runVvp(vvp, {cwd, plusargs, timeoutMs})).
//   runVerilator({files, top, plusargs, cwd, timeoutMs, buildDir, jobs}) -> SimResult
//       verilator --binary --timing (bench lint off), then runs the model
//       (= buildVerilator(...) -> executable, then runVerilatorModel(exe, {cwd, plusargs, timeoutMs})).
//   Build once and run many times with a different cwd when one bench serves several vector sets.
//   verifyAccelerator(dir, {sims, layers}) -> AcceleratorVerifyReport   (accelerator.ts: the
//       `nacc verify` stage for a folder written by `nacc rtl`)
//   SimResult = {sim, passed?, failed?, cycles?, firstMismatch?, vcd?, exitCode, signal, timedOut,
//       stdout, stderr, output, failure?, ok}
//       passed/failed undefined = the bench never printed its summary; failure = the run failed
//       (exit status, signal, timeout, $fatal/$error) whatever the summary said.
//   lintVerilator(files, {top, cwd}) -> Diagnostic[]   (`verilator --lint-only -Wall`, parsed)
//   runYosys(files, top, {cwd, blackbox}) -> {cells, cellTypes, logicGateEquivalents, log}
//   parseTestbenchOutput(text)                          the bench output format
//   hexWord(value, bits) / hexLines(values, bits)     $readmemh vector files
// Errors: a missing tool -> ToolError (exit 4); generated Verilog that fails to compile ->
// InternalError (exit 70; origin 'user': UserError exit 1 with the tool's messages as
// Diagnostics); a compiler that crashes or times out -> exit 4. A simulation failure or
// mismatch is *not* thrown here: callers raise VerificationError (exit 3) from the SimResult.
export * from './tools/tools.ts';
export * from './tools/run-tool.ts';
export * from './sim/sim.ts';
export * from './sim/testbench-output.ts';
export * from './sim/diagnostics.ts';
export * from './rtl/vectors.ts';
export * from './rtl/accelerator.ts';
