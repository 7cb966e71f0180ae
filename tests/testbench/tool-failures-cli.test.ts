// "A failing tool is a failure", through the real CLI: `nacc verify` on folders written by
// `nacc rtl` / `nacc mcu` whose bench or C was edited. A simulator that exits non-zero, reaches
// $fatal/$error or times out fails the check (exit 3) whatever it printed before; generated code
// that does not compile is nacc's bug (exit 70); a tool not on PATH is exit 4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { NACC, nacc } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'nacc-tool-failures-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One small accelerator design from `nacc rtl`, copied per test so that edits stay apart. */
const base = join(work, 'pq');
beforeAll(async () => {
  const r = await nacc(['rtl', 'examples/rtl.nacc', '--accelerator', 'pq_os', '--network', 'rtl_layers', '--layer', 'pw', '--out', base]);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

let copies = 0;
/** A copy of the design whose bench has `statement` in place of the `$finish` after its summary line. */
function designEndingWith(statement: string): string {
  const dir = join(work, `case${copies++}`);
  cpSync(base, dir, { recursive: true });
  const benchFile = join(dir, JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).benchFile);
  const bench = readFileSync(benchFile, 'utf8');
  const edited = bench.replace(/(\$display\("%0d passed, %0d failed"[^;]*;\s*)\$finish;/, `$1${statement}`);
  // The bench must have changed, or the test would pass for nothing.
  expect(edited, 'the generated bench no longer ends with its summary line and $finish').not.toBe(bench);
  writeFileSync(benchFile, edited);
  return dir;
}

describe('nacc verify: a simulator run that fails is a failed verification (exit 3)', () => {
  it('Icarus: $fatal after "N passed, 0 failed" (vvp exits 1) fails, in text and in --json', async () => {
    const dir = designEndingWith('$fatal(1, "injected after the summary");');
    const r = await nacc(['verify', dir], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/iverilog: pw: vvp exited with status 1 after printing: FATAL: .*injected after the summary/);
    expect(r.stdout).toMatch(/verification FAILED/);
    expect(r.stderr).toMatch(/error\[V0001\]: the simulation failed in iverilog\/pw: vvp exited with status 1/);
    const j = await nacc(['verify', dir, '--json'], { timeout: 300_000 });
    expect(j.code).toBe(3);
    const report = JSON.parse(j.stdout);
    expect(report.ok).toBe(false);
    const layer = report.sims[0].layers[0];
    expect(layer.passed).toBe(768); // the bench's own summary said every output matched
    expect(layer.failed).toBeGreaterThan(0);
    expect(layer.failure).toMatch(/FATAL/);
  }, 300_000);

  it('Icarus: $stop after the summary (vvp -N exits 1, no message) fails', async () => {
    const r = await nacc(['verify', designEndingWith('$stop;')], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/iverilog: pw: vvp exited with status 1\n/);
  }, 300_000);

  it('Icarus: $error before $finish (vvp exits 0) fails', async () => {
    const r = await nacc(['verify', designEndingWith('$error("injected error"); $finish;')], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/iverilog: pw: vvp printed: ERROR: .*injected error/);
  }, 300_000);

  it('a simulation that never ends is stopped at --timeout and fails', async () => {
    const r = await nacc(['verify', designEndingWith('// no $finish: the clock runs forever'), '--timeout', '5'], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/iverilog: pw: vvp timed out after 5 s/);
  }, 300_000);

  it('a simulator build that exceeds --build-timeout fails (the tool timed out: exit 4), never passes', async () => {
    // verilator plus make and g++ on the bench take several seconds: 1 s is too short.
    const r = await nacc(['verify', designEndingWith('$finish; // as generated'), '--sim', 'verilator', '--build-timeout', '1'], {
      timeout: 300_000,
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/verilator: building Vnacc_pq_os_tb|verilator: building nacc_pq_os_tb/);
    expect(r.stderr).toMatch(/verilator timed out after 1 s/);
    expect(r.stdout).not.toMatch(/verified/);
    const bad = await nacc(['verify', base, '--build-timeout', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--build-timeout must be a positive number of seconds, got '0'/);
  }, 300_000);

  it('Verilator: $fatal after the summary (the model aborts) fails', async () => {
    const r = await nacc(['verify', designEndingWith('$fatal(1, "injected after the summary");'), '--sim', 'verilator'], {
      timeout: 600_000,
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /verilator: pw: Vnacc_pq_os_tb (was killed by SIGABRT|exited with status \d+) after printing: .*%Error: .*Assertion failed/,
    );
  }, 600_000);
});

describe('nacc verify on an MCU program: a run that fails is a failed verification (exit 3)', () => {
  it('a program that writes its output and then exits 1 fails on the host and in QEMU', async () => {
    const dir = join(work, 'kws-exit1');
    const g = await nacc(['mcu', 'examples/mcu-kws.nacc', '--target', 'cortex_m4_board', '--out', dir]);
    expect(g.code, g.stderr).toBe(0);
    const main = readFileSync(join(dir, 'main.c'), 'utf8');
    const edited = main.replace(/nacc_exit\(0\);(\s*return 0;\s*\}\s*)$/, 'nacc_exit(1);$1');
    expect(edited, 'main.c no longer ends with nacc_exit(0)').not.toBe(main);
    writeFileSync(join(dir, 'main.c'), edited);
    const host = await nacc(['verify', dir, '--host'], { timeout: 300_000 });
    expect(host.code, host.stderr).toBe(3);
    expect(host.stderr).toMatch(/error\[V0001\]: running .* on the host: host program exited with status 1/);
    const qemu = await nacc(['verify', dir, '--qemu', '--timeout', '240'], { timeout: 300_000 });
    expect(qemu.code, qemu.stderr).toBe(3);
    expect(qemu.stderr).toMatch(/error\[V0001\]: running .* in QEMU: qemu-system-arm exited with status 1/);
  }, 600_000);

  it("a program larger than the part's flash is an input error (exit 1), not a bug", async () => {
    const src = join(work, 'tiny-flash.nacc');
    writeFileSync(src, readFileSync('examples/mcu-kws.nacc', 'utf8').replace(/flash: 256 KB/, 'flash: 4 KB'));
    const dir = join(work, 'kws-tiny');
    expect((await nacc(['mcu', src, '--target', 'cortex_m4_board', '--out', dir])).code).toBe(0);
    const r = await nacc(['verify', dir, '--qemu'], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error\[M0501\]: the program does not fit the part's memory[\s\S]*region `FLASH' overflowed/);
  }, 300_000);
});

describe('generated code that does not compile is a bug in nacc (exit 70)', () => {
  it("a generated C file that gcc rejects: exit 70 with gcc's message and a request to report it", async () => {
    const dir = join(work, 'kws');
    const g = await nacc(['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f412', '--out', dir]);
    expect(g.code, g.stderr).toBe(0);
    appendFileSync(join(dir, 'model.c'), '\nint nacc_broken = ;\n');
    const r = await nacc(['verify', dir, '--host'], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toMatch(/gcc rejected code that nacc generated/);
    expect(r.stderr).toMatch(/model\.c:\d+:\d+: error: expected expression/);
    expect(r.stderr).toMatch(/bug in nacc; please report it/);
    expect(r.stderr).not.toMatch(/not found|apt-get/);
  }, 300_000);

  it('a generated Verilog file that Icarus rejects: exit 70 with its message', async () => {
    const dir = join(work, 'pq-broken');
    cpSync(base, dir, { recursive: true });
    const design = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).designFiles[0];
    appendFileSync(join(dir, design), '\nmodule nacc_broken; wire x = ; endmodule\n');
    const r = await nacc(['verify', dir], { timeout: 300_000 });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toMatch(/iverilog rejected code that nacc generated/);
    expect(r.stderr).toMatch(/syntax error/);
    expect(r.stderr).toMatch(/bug in nacc; please report it/);
  }, 300_000);
});

describe('a tool that is not on PATH (exit 4)', () => {
  it('nacc verify with an empty PATH names the package to install', async () => {
    const empty = join(work, 'empty-path');
    mkdirSync(empty);
    const r = await execa(process.execPath, [NACC, 'verify', base], {
      reject: false,
      stdin: 'ignore',
      timeout: 120_000,
      env: { CI: 'true', PATH: empty },
    });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/error\[T0001\]: verilator: not found on PATH; install it with: apt-get install -y verilator/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 120_000);
});
