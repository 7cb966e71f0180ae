// Output folders are all-or-nothing for the real CLI: a run killed after writing everything but
// before the rename (NACC_HOLD_OUTPUT=1 holds it there) leaves no folder, or the previous one
// whole; a re-run succeeds and removes the stale partial; a run failing mid-write leaves nothing.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { NACC } from '../helpers/cli.ts';
import { HOLD_ENV, siblingPattern } from '../../compiler/util/atomic-output.ts';

const NET = `network w {\n  input x: int8[8, 8, 3]\n  y = conv2d(x, out: 4, kernel: 3, act: relu)\n  output dense(y, out: 4)\n}\n`;
const fresh = () => mkdtempSync(join(tmpdir(), 'nacc-atomic-cli-'));
const siblingsOf = (target: string) => readdirSync(dirname(target)).filter((e) => siblingPattern(target).test(e));

function start(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa('node', [NACC, ...args], { reject: false, stdin: 'ignore', timeout: 300_000, env: { CI: 'true', ...env } });
}

async function run(args: string[], env: Record<string, string> = {}) {
  const r = await start(args, env);
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * Start a run held before its rename; once its temporary folder holds `complete` (everything
 * written), send `signal`. Returns the exit code and the temporary folder's name.
 */
async function interrupt(args: string[], target: string, complete: string, signal: NodeJS.Signals) {
  const child = start(args, { [HOLD_ENV]: '1' });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = child.then(() => true);
  // Event-driven: the run says when it holds; the test never waits for a time.
  while (!err.includes(`${HOLD_ENV}: holding`)) {
    const done = await Promise.race([exited, new Promise<false>((r) => child.stderr!.once('data', () => r(false)))]);
    if (done) throw new Error(`the run ended before holding:\n${err}`);
  }
  const partials = siblingsOf(target).filter((e) => e.includes('.partial-'));
  expect(partials).toHaveLength(1);
  expect(existsSync(join(dirname(target), partials[0], complete))).toBe(true);
  child.kill(signal);
  const r = await child;
  return { code: r.exitCode, signal: r.signal, partial: partials[0] };
}

/** No file in the folder names the temporary sibling it was written in. */
function expectNoPartialPaths(dir: string): void {
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) expect(readFileSync(join(e.parentPath, e.name), 'utf8'), join(e.parentPath, e.name)).not.toMatch(/\.partial-\d+-\d+/);
  }
}

describe('all-or-nothing output folders (CLI)', () => {
  it('nacc mcu killed before the rename keeps the previous program whole; a re-run cleans the stale partial', async () => {
    const work = fresh();
    const model = join(work, 'w.nacc');
    writeFileSync(model, NET);
    const out = join(work, 'prog');
    const args = ['mcu', model, '--target', 'stm32f412', '--out', out, '--json'];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const before = readdirSync(out).sort();
    const manifest = readFileSync(join(out, 'nacc-mcu.json'), 'utf8');

    writeFileSync(model, NET.replace('out: 4, kernel', 'out: 8, kernel'));
    const killed = await interrupt(args, out, 'nacc-mcu.json', 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readFileSync(join(out, 'nacc-mcu.json'), 'utf8')).toBe(manifest);
    expect(siblingsOf(out)).toEqual([killed.partial]); // SIGKILL leaves the partial for the next run

    const again = await run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(siblingsOf(out)).toEqual([]);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'nacc-mcu.json'), 'utf8')).not.toBe(manifest);
    expectNoPartialPaths(out);
  });

  it('nacc rtl interrupted by SIGTERM exits 143 and leaves neither the folder nor the partial', async () => {
    const out = join(fresh(), 'kc');
    const r = await interrupt(
      ['rtl', 'examples/rtl.nacc', '--accelerator', 'kc_ws', '--network', 'rtl_layers', '--layer', 'pw', '--out', out],
      out,
      'manifest.json',
      'SIGTERM',
    );
    expect(r.code).toBe(143);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('nacc rtl failing mid-write (--synth without yosys) leaves no folder', async () => {
    const out = join(fresh(), 'kc');
    const bin = fresh(); // a PATH with node and nothing else
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await run(
      ['rtl', 'examples/rtl.nacc', '--accelerator', 'kc_ws', '--network', 'rtl_layers', '--layer', 'pw', '--out', out, '--synth'],
      { PATH: bin },
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/yosys/);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('nacc pointacc --op --out interrupted by SIGINT exits 130 and leaves nothing', async () => {
    const out = join(fresh(), 'knn');
    const r = await interrupt(
      [
        'pointacc',
        'examples/pointacc.nacc',
        '--config',
        'edge',
        '--op',
        'knn',
        '--cloud',
        'clutter:64',
        '--centers',
        '4',
        '--k',
        '4',
        '--out',
        out,
      ],
      out,
      'manifest.json',
      'SIGINT',
    );
    expect(r.code).toBe(130);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('nacc search --out interrupted by SIGINT exits 130 and leaves the previous folder as it was', async () => {
    const out = join(fresh(), 'search');
    mkdirSync(out);
    writeFileSync(join(out, 'design.nacc'), '// an earlier search\n');
    const args = [
      'search',
      'examples/naas_accelerators.nacc',
      '--network',
      'tinyconv',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--seed',
      '2',
      '--budget',
      'generations=1,population=4,inner=1x4,baseline=50',
      '--threads',
      '1',
      '--out',
      out,
    ];
    const r = await interrupt(args, out, 'report.html', 'SIGINT');
    expect(r.code).toBe(130);
    expect(readdirSync(out)).toEqual(['design.nacc']);
    expect(readFileSync(join(out, 'design.nacc'), 'utf8')).toBe('// an earlier search\n');
    expect(siblingsOf(out)).toEqual([]);
  });

  it('nacc demo interrupted leaves no folder; completed, it names its final folder', async () => {
    const out = join(fresh(), 'demo');
    const args = ['demo', '--only', 'inspect,report', '--out', out];
    const killed = await interrupt(args, out, 'report.html', 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['inspect.json', 'report.html']);
    expect(siblingsOf(out)).toEqual([]);
    expect(r.stdout).toContain(`outputs: ${out}`);
    expect(r.stdout).not.toMatch(/\.partial-/);
    expectNoPartialPaths(out);
  });
});
