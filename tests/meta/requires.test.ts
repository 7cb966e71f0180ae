// tests/helpers/requires.ts: an absent requirement fails the test under CI=true with a message naming
// it and how to get it, and skips loudly otherwise; checked directly and on a real vitest run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { needHost, needShared, needTool, plan, underCi } from '../helpers/requires.ts';

const HELPER = fileURLToPath(new URL('../helpers/requires.ts', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const WORK = mkdtempSync(join(tmpdir(), 'nacc-test-requires-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('requirements', () => {
  it('name what is absent and how to get it', async () => {
    const data = needShared('no-such-folder-for-nacc-tests');
    expect(data).toMatchObject({ what: '../shared/no-such-folder-for-nacc-tests', present: false });
    expect(data.how).toBe(
      "../shared/no-such-folder-for-nacc-tests is absent: check out the team's shared data folder next to this tree as ../shared",
    );
    const gcc = await needTool('gcc');
    expect(gcc.present, gcc.how).toBe(true);
    expect(gcc.path).toMatch(/\/gcc$/);
    expect(gcc.how).toBe('gcc is not on PATH: install it with apt-get install -y gcc (or npm run bootstrap)');
    expect((await needTool('newlib')).how).toMatch(
      /^newlib is absent \(\/.*libc\.a\): install it with apt-get install -y libnewlib-arm-none-eabi/,
    );
    expect(() => needTool('no-such-tool')).toThrow(/not in testbench\/tools\/tools\.json/);
    expect(needHost(false, 'network namespaces', 'run as root').how).toBe('network namespaces is not available: run as root');
  });

  it('fail under CI=true, skip otherwise, run when present', () => {
    const absent = [needShared('no-such-folder-for-nacc-tests'), needHost(false, 'a tbf qdisc', 'load sch_tbf')];
    const present = needHost(true, 'x', 'y');
    expect(underCi({ CI: 'true' })).toBe(true);
    expect(underCi({})).toBe(false);
    expect(underCi({ CI: '1' })).toBe(false); // only the exact value CI sets
    expect(plan(absent, { CI: 'true' })).toEqual({
      mode: 'fail',
      message:
        "missing ../shared/no-such-folder-for-nacc-tests, a tbf qdisc; ../shared/no-such-folder-for-nacc-tests is absent: check out the team's shared data folder next to this tree as ../shared; a tbf qdisc is not available: load sch_tbf",
    });
    expect(plan(absent, {}).mode).toBe('skip');
    expect(plan([present], { CI: 'true' })).toEqual({ mode: 'run', message: '' });
    expect(plan([], {}).mode).toBe('run');
  });
});

// A test file that needs a missing shared folder and a tool not on PATH, run by vitest itself.
const FIXTURE = `import { it } from 'vitest';
import { describeNeeds, itNeeds, needShared, needTool } from ${JSON.stringify(HELPER)};
const VERILATOR = await needTool('verilator');
describeNeeds([needShared('no-such-folder-for-nacc-tests')], 'suite on shared data', () => {
  it('reads the data', () => { throw new Error('collected although its data is absent'); });
});
itNeeds([VERILATOR], 'lints with verilator', () => { throw new Error('ran although verilator is absent'); });
it('needs nothing', () => undefined);
`;

async function runFixture(ci: boolean) {
  const dir = mkdtempSync(join(WORK, ci ? 'ci-' : 'local-'));
  writeFileSync(join(dir, 'needs.test.ts'), FIXTURE);
  writeFileSync(join(dir, 'vitest.config.mjs'), 'export default { test: { include: ["needs.test.ts"] } };\n');
  const env: Record<string, string> = { PATH: join(dir, 'empty-path'), HOME: dir, NO_COLOR: '1' };
  if (ci) env.CI = 'true';
  const report = join(dir, 'report.json');
  const r = await execa(
    process.execPath,
    [VITEST, 'run', '--root', dir, '--reporter', 'default', '--reporter', 'json', '--outputFile.json', report],
    { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 110_000, all: true },
  );
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
  };
  const tests = Object.fromEntries(
    json.testResults[0].assertionResults.map((t) => [t.title, { status: t.status, failure: t.failureMessages.join('\n') }]),
  );
  return { code: r.exitCode, output: r.all ?? '', tests };
}

describe('on a real vitest run (no verilator on PATH, no ../shared folder)', () => {
  it('CI=true: both tests fail with what is missing and how to get it; the rest passes', async () => {
    const r = await runFixture(true);
    expect(r.code).toBe(1);
    expect(r.tests['needs ../shared/no-such-folder-for-nacc-tests'].status).toBe('failed');
    expect(r.tests['needs ../shared/no-such-folder-for-nacc-tests'].failure).toContain(
      "../shared/no-such-folder-for-nacc-tests is absent: check out the team's shared data folder",
    );
    expect(r.tests['lints with verilator'].status).toBe('failed');
    expect(r.tests['lints with verilator'].failure).toContain('verilator is not on PATH: install it with apt-get install -y verilator');
    expect(r.tests['needs nothing'].status).toBe('passed');
    expect(Object.keys(r.tests)).toHaveLength(3);
  });

  it('CI unset: both are skipped with a loud warning, and the run passes', async () => {
    const r = await runFixture(false);
    expect(r.code, r.output).toBe(0);
    expect(r.tests['needs ../shared/no-such-folder-for-nacc-tests'].status).toBe('skipped');
    expect(r.tests['lints with verilator'].status).toBe('skipped');
    expect(r.tests['needs nothing'].status).toBe('passed');
    expect(r.output).toMatch(/SKIPPED "suite on shared data": missing \.\.\/shared\/no-such-folder-for-nacc-tests/);
    expect(r.output).toMatch(/SKIPPED "lints with verilator": missing verilator; verilator is not on PATH/);
  });
});
