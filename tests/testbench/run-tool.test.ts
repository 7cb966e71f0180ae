// The one external-tool runner: PATH resolution, no shell, closed stdin, timeouts, verdicts
// (exit status, signal, timeout, failure messages) and what each verdict means per role.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, InternalError, ToolError, UserError, VerificationError } from '../../compiler/diagnostics/index.ts';
import { FAILURE_MESSAGES, failureOf, findOnPath, resolveTool, runTool, runToolSync } from '../../testbench/tools/run-tool.ts';
import { runVvp, buildIverilog } from '../../testbench/sim/sim.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'nacc-run-tool-'));

/** A shell script as a program of its own (the runner itself never uses a shell). */
function script(body: string): string {
  const path = join(tmp(), 'prog.sh');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('runTool', () => {
  it('passes arguments as an array, never through a shell', async () => {
    const r = await runTool('printf', ['%s|', 'a b', '$(echo no)', ';', '*']);
    expect(r.verdict).toEqual({ ok: true });
    expect(r.stdout).toBe('a b|$(echo no)|;|*|');
  });

  it('closes stdin, so a program reading it ends at once', async () => {
    const r = await runTool('cat', [], { timeoutMs: 60_000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, stdout: '' });
  });

  it('a non-zero exit fails, whatever the program printed before', async () => {
    const r = await runTool(script('echo "1 passed, 0 failed"; exit 1'), []);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/1 passed, 0 failed/);
    expect(r.verdict).toMatchObject({ ok: false, kind: 'exit', reason: expect.stringMatching(/exited with status 1/) });
  });

  it('a program killed by a signal fails with the signal', async () => {
    const r = await runTool(script('kill -SEGV $$'), []);
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGSEGV' });
    expect(r.verdict).toMatchObject({ ok: false, kind: 'signal', reason: expect.stringMatching(/killed by SIGSEGV/) });
  });

  it('a program that runs too long is killed and fails as timed out', async () => {
    const r = await runTool(script('echo "1 passed, 0 failed"; exec sleep 60'), [], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.verdict).toMatchObject({ ok: false, kind: 'timeout', reason: expect.stringMatching(/timed out after 0.5 s/) });
  });

  it('a timeout kills the whole process tree, not only the direct child', async () => {
    const dir = tmp();
    const pidFile = join(dir, 'grandchild.pid');
    // The grandchild holds the output pipe: were it left running, the run would wait for it.
    const r = await runTool(script(`sleep 60 & echo $! > '${pidFile}'; wait`), [], { timeoutMs: 1000 });
    expect(r.verdict).toMatchObject({ ok: false, kind: 'timeout' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((done) => setTimeout(done, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  it('a failure message fails a run that exits 0 (Icarus $error), and is named when it also exits non-zero', async () => {
    const err = await runTool(script('echo "ERROR: tb.v:3: bad"; echo "1 passed, 0 failed"'), [], {
      failureMessages: FAILURE_MESSAGES.icarus,
    });
    expect(err.verdict).toMatchObject({ ok: false, kind: 'message', reason: expect.stringMatching(/printed: ERROR: tb\.v:3: bad/) });
    const fatal = await runTool(script('echo "1 passed, 0 failed"; echo "FATAL: tb.v:4: boom"; exit 1'), [], {
      failureMessages: FAILURE_MESSAGES.icarus,
    });
    expect(fatal.verdict).toMatchObject({
      ok: false,
      kind: 'exit',
      reason: expect.stringMatching(/status 1 after printing: FATAL: tb\.v:4: boom/),
    });
    const v = await runTool(script('echo "[0] %Error: tb.v:4: Assertion failed in TOP.tb"'), [], {
      failureMessages: FAILURE_MESSAGES.verilator,
    });
    expect(v.verdict).toMatchObject({ ok: false, kind: 'message' });
    const q = await runTool(script('echo "qemu: fatal: Lockup: can\'t escalate 3 to HardFault" >&2'), [], {
      failureMessages: FAILURE_MESSAGES.qemu,
    });
    expect(q.verdict).toMatchObject({ ok: false, kind: 'message' });
  });

  it('finds tools on PATH without a shell; a missing one is a ToolError (exit 4) naming the Debian package', async () => {
    expect(findOnPath('sh')).toMatch(/\/sh$/);
    expect(findOnPath('sh', tmp())).toBeUndefined();
    const e = await runTool('iverilog-not-a-tool', []).catch((x) => x);
    expect(e).toBeInstanceOf(ToolError);
    expect(e.exitCode).toBe(ExitCode.toolMissing);
    const saved = process.env.PATH;
    process.env.PATH = tmp();
    try {
      const missing = (() => {
        try {
          resolveTool('verilator');
        } catch (x) {
          return x as ToolError;
        }
      })();
      expect(missing).toBeInstanceOf(ToolError);
      expect(missing!.message).toMatch(/verilator: not found on PATH; install it with: apt-get install -y verilator/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('the synchronous form gives the same verdicts', () => {
    expect(runToolSync(script('exit 2'), []).verdict).toMatchObject({ ok: false, kind: 'exit' });
    expect(runToolSync(script('exec sleep 60'), [], { timeoutMs: 300 }).verdict).toMatchObject({ ok: false, kind: 'timeout' });
    expect(runToolSync('printf', ['%s', 'x y']).stdout).toBe('x y');
  });
});

describe('failureOf: what a failed run means, by role', () => {
  it('check runs fail verification (3); helpers fail as tools (4)', async () => {
    const r = await runTool(script('echo "1 passed, 0 failed"; exit 1'), [], { name: 'vvp' });
    const check = failureOf(r, 'check', 'simulating tb');
    expect(check).toBeInstanceOf(VerificationError);
    expect((check as VerificationError).exitCode).toBe(ExitCode.verificationFailed);
    expect(check!.message).toMatch(/simulating tb: vvp exited with status 1/);
    expect((failureOf(r, 'helper', 'x') as UserError).exitCode).toBe(ExitCode.toolMissing);
    expect(failureOf({ ...r, verdict: { ok: true } }, 'check', 'x')).toBeUndefined();
  });

  it("a compiler rejecting generated code is nacc's bug (70); user code is an input error (1); a crashed compiler is a failing tool (4)", async () => {
    const rejected = await runTool(script('echo "model.c:3:1: error: expected expression" >&2; exit 1'), [], { name: 'gcc' });
    const internal = failureOf(rejected, 'generated-build', 'compiling the generated C');
    expect(internal).toBeInstanceOf(InternalError);
    expect(internal).not.toBeInstanceOf(UserError);
    expect(internal!.message).toMatch(/gcc rejected code that nacc generated.*\n.*model\.c:3:1: error: expected expression/);
    expect((failureOf(rejected, 'user-build', 'x') as UserError).exitCode).toBe(ExitCode.inputError);
    const crashed = await runTool(script('kill -KILL $$'), [], { name: 'gcc' });
    expect((failureOf(crashed, 'generated-build', 'x') as UserError).exitCode).toBe(ExitCode.toolMissing);
  });
});

describe('Icarus through the runner', () => {
  const BENCH = (after: string) => `module tb;\n  initial begin\n    $display("1 passed, 0 failed");\n    ${after}\n  end\nendmodule\n`;
  async function sim(after: string, timeoutMs?: number) {
    const dir = tmp();
    writeFileSync(join(dir, 'tb.v'), BENCH(after));
    return runVvp(await buildIverilog({ files: ['tb.v'], top: 'tb', cwd: dir, origin: 'user' }), { cwd: dir, timeoutMs });
  }

  it('a passing summary then $fatal, $stop (exit 1), $error or a hang is not ok', async () => {
    expect(await sim('$finish;')).toMatchObject({ passed: 1, failed: 0, ok: true });
    expect(await sim('$fatal(1, "boom");')).toMatchObject({
      passed: 1,
      ok: false,
      exitCode: 1,
      failure: expect.stringMatching(/FATAL: .*boom/),
    });
    expect(await sim('$stop;')).toMatchObject({ passed: 1, ok: false, failure: expect.stringMatching(/vvp exited with status 1/) });
    expect(await sim('$error("bad"); $finish;')).toMatchObject({
      passed: 1,
      ok: false,
      exitCode: 0,
      failure: expect.stringMatching(/printed: ERROR: .*bad/),
    });
    expect(await sim('forever #10;', 1000)).toMatchObject({
      passed: 1,
      ok: false,
      timedOut: true,
      failure: expect.stringMatching(/timed out/),
    });
  }, 60_000);
});
