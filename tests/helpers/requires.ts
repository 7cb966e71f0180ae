// What a test needs from outside the tree (../shared data, a tool on PATH, a host capability).
// Absent under CI=true: the test FAILS naming what is missing and how to get it; locally it skips, loudly.
import { existsSync } from 'node:fs';
import { describe, it, type TestFunction } from 'vitest';
import { TOOLS, probeTool } from '../../testbench/tools/tools.ts';
import { sharedPath } from './shared.ts';

export interface Requirement {
  /** What is needed, as a person would name it: "../shared/models", "gcc". */
  what: string;
  present: boolean;
  /** How to get it when absent. */
  how: string;
  /** Where it was found (a tool's path on PATH, a shared folder). */
  path?: string;
}

/** True when the environment says this is CI: nothing may be skipped there. */
export const underCi = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === 'true';

/** ../shared/<parts>: the team's read-only data, checked out next to this tree. */
export function needShared(...parts: string[]): Requirement {
  const path = sharedPath(...parts);
  const what = ['../shared', ...parts].join('/');
  return {
    what,
    present: existsSync(path),
    how: `${what} is absent: check out the team's shared data folder next to this tree as ../shared`,
    path,
  };
}

const probed = new Map<string, Promise<Requirement>>();

/** A tool from testbench/tools/tools.json, looked up on PATH exactly as `nacc doctor` does. */
export function needTool(name: string): Promise<Requirement> {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`needTool: ${name} is not in testbench/tools/tools.json`);
  if (!probed.has(name)) {
    probed.set(
      name,
      probeTool(spec).then((s) => ({
        what: name,
        present: s.found,
        how: `${name} is ${spec.file ? `absent (${spec.file})` : 'not on PATH'}: install it with apt-get install -y ${spec.debian} (or npm run bootstrap)`,
        path: s.path,
      })),
    );
  }
  return probed.get(name)!;
}

/** Headless Chromium for the browser checks of HTML reports (found on PATH like any tool). */
export const needChromium = (): Promise<Requirement> => needTool('chromium');

/** A capability of this machine that is neither a tool nor shared data (e.g. network namespaces). */
export function needHost(present: boolean, what: string, how: string): Requirement {
  return { what, present, how: `${what} is not available: ${how}` };
}

/** How a test with these requirements runs here: 'run', 'fail' (CI, with the message) or 'skip'. */
export function plan(reqs: Requirement[], env: NodeJS.ProcessEnv = process.env): { mode: 'run' | 'fail' | 'skip'; message: string } {
  const absent = reqs.filter((r) => !r.present);
  if (absent.length === 0) return { mode: 'run', message: '' };
  const message = `missing ${absent.map((r) => r.what).join(', ')}; ${absent.map((r) => r.how).join('; ')}`;
  return { mode: underCi(env) ? 'fail' : 'skip', message };
}

function warnSkipped(name: string, message: string): void {
  console.warn(`\n*** SKIPPED "${name}": ${message} (under CI=true this fails) ***\n`);
}

/** describe(name, fn) when every requirement is present; otherwise fails (CI) or skips loudly. */
export function describeNeeds(reqs: Requirement[], name: string, fn: () => void | Promise<void>): void {
  const p = plan(reqs);
  if (p.mode === 'run') return void describe(name, fn);
  if (p.mode === 'fail') {
    return void describe(name, () => {
      it(`needs ${reqs
        .filter((r) => !r.present)
        .map((r) => r.what)
        .join(', ')}`, () => {
        throw new Error(p.message);
      });
    });
  }
  warnSkipped(name, p.message);
  // fn is not collected: it may read the absent data at collection time.
  describe.skip(name, () => {
    it(`needs ${reqs
      .filter((r) => !r.present)
      .map((r) => r.what)
      .join(', ')}`, () => undefined);
  });
}

/** it(name, fn) when every requirement is present; otherwise fails (CI) or skips loudly. */
export function itNeeds(reqs: Requirement[], name: string, fn: TestFunction, timeout?: number): void {
  const p = plan(reqs);
  if (p.mode === 'run') return void it(name, fn, timeout);
  if (p.mode === 'fail') {
    return void it(name, () => {
      throw new Error(p.message);
    });
  }
  warnSkipped(name, p.message);
  it.skip(name, fn);
}
