// After a syntax error the front-end recovers and still reports the independent errors that
// follow (one run, sorted, capped), yet never hands a program with errors downstream.
// The per-file expected output lives in tests/frontend/diagnostics/recovery-*.nacc.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, SourceFile, UserError } from '../../compiler/diagnostics/index.ts';
import { MAX_DIAGNOSTICS, compileSource, loadProgram } from '../../compiler/frontend/index.ts';
import { nacc } from '../helpers/cli.ts';

const compile = (text: string) => compileSource(new SourceFile('t.nacc', text));
const located = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.code}`);

function tempFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nacc-recovery-')), 'input.nacc');
  writeFileSync(file, text);
  return file;
}

describe('nacc inspect on a file with several errors', () => {
  it('the issue\'s case: missing ")", unknown op, undefined name -> three located diagnostics, exit 1', async () => {
    const r = await nacc(['inspect', 'tests/frontend/diagnostics/recovery-issue.nacc']);
    expect(r.code).toBe(ExitCode.inputError);
    expect(r.stdout).toBe('');
    const heads = r.stderr.split('\n').filter((l) => /^\S+:\d+:\d+: error\[/.test(l));
    expect(heads).toEqual([
      "tests/frontend/diagnostics/recovery-issue.nacc:5:38: error[E0102]: expected ',' or ')', found 'y' (after '3')",
      "tests/frontend/diagnostics/recovery-issue.nacc:7:7: error[E0201]: unknown op 'conv3d'; did you mean 'conv2d'?",
      "tests/frontend/diagnostics/recovery-issue.nacc:8:14: error[E0210]: undefined name 'q'",
    ]);
    expect(r.stderr).toMatch(/^7 \| {3}z = conv3d\(y, out: 4\)/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('recovery never lets a program with errors through', () => {
  const missingBrace = [
    'network first {',
    '  input image: int8[8, 8, 1]',
    '  x = relu(image)',
    '  output x',
    'network second {',
    '  input image: int8[8, 8, 1]',
    '  output image',
    '}',
    '',
  ].join('\n');

  it('a network whose only fault is a missing "}" is checked but not lowered; the next one is', () => {
    const r = compile(missingBrace);
    expect(located(r)).toEqual(['4:11 E0102']);
    expect(r.program.networks.map((n) => n.name)).toEqual(['second']);
  });

  it('loadProgram throws every diagnostic as one input error', () => {
    let caught: unknown;
    try {
      loadProgram(tempFile(missingBrace.replace('relu(image)', 'relu(imag)')));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    const err = caught as UserError;
    expect(err.exitCode).toBe(ExitCode.inputError);
    expect(err.diagnostics.map((d) => `${d.location?.line} ${d.code}`)).toEqual(['3 E0210', '4 E0102']);
  });

  it('a network that calls a broken block is not lowered, and says nothing more about it', () => {
    const r = compile(
      [
        'block half(x) {',
        '  y = maxpool(x, kernel: 2',
        '  return y',
        '}',
        'network net {',
        '  input image: int8[8, 8, 1]',
        '  h = half(image)',
        '  output h',
        '}',
      ].join('\n'),
    );
    expect(located(r)).toEqual(['2:27 E0102']);
    expect(r.program.networks).toEqual([]);
  });
});

describe('diagnostics after recovery', () => {
  it('an argument poisoned by an earlier error does not hide an undefined name beside it', () => {
    const r = compile(
      [
        'network net {',
        '  input image: int8[8, 8, 1]',
        '  a = conv2d(image out: 8, kernel: 3)',
        '  b = add(a, nope)',
        '  output b',
        '}',
      ].join('\n'),
    );
    expect(located(r)).toEqual(['3:19 E0102', '4:14 E0210']);
  });

  it('an error in a block body is reported once, however often the block is called', () => {
    const r = compile(
      [
        'block b(x) {',
        '  return conv3d(x)',
        '}',
        'network net {',
        '  input image: int8[8, 8, 1]',
        '  a = b(image)',
        '  c = b(image)',
        '  d = b(image)',
        '  output a, c, d',
        '}',
      ].join('\n'),
    );
    expect(located(r)).toEqual(['2:10 E0201']);
  });

  it(`stops at ${MAX_DIAGNOSTICS} diagnostics, in source order, with a note saying how many more`, () => {
    const lines = ['network net {', '  input image: int8[8, 8, 1]'];
    for (let i = 0; i < 60; i++) lines.push(`  a${i} = relu(missing${i})`);
    lines.push('  output image', '}');
    const r = compile(lines.join('\n'));
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(MAX_DIAGNOSTICS);
    expect(errors.map((d) => d.location!.line)).toEqual(Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => i + 3));
    expect(r.diagnostics.at(-1)).toMatchObject({
      severity: 'note',
      code: 'E0103',
      message: `10 more errors not shown; nacc reports at most ${MAX_DIAGNOSTICS} per file`,
    });
  });
});
