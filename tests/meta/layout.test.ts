// The top level a newcomer reads (issue 18): compiler/ makes the product, templates/ holds its
// boilerplate, testbench/ proves it. Benches, harnesses and tool drivers live in testbench/ only.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

/** What proves emitted output: self-checking benches, the host/semihosting harness, tool drivers. */
const PROVES = /(^|[/_-])tb\.v\.hbs$|\/io_(host|semihost)\.c\.hbs$|\/batch_main\.c\.hbs$|\/run-tool\.ts$|\/sim\.ts$|\/runner\.ts$/;

describe('top-level layout', () => {
  it('keeps benches, harnesses and drivers in testbench/, not in templates/ or compiler/', () => {
    expect([...filesUnder('templates'), ...filesUnder('compiler')].filter((f) => PROVES.test(f))).toEqual([]);
    expect(existsSync(join(ROOT, 'compiler/verify'))).toBe(false);
  });

  it('testbench/ holds the RTL and PointAcc benches, the MCU harness and the tool runner', () => {
    const held = filesUnder('testbench').filter((f) => PROVES.test(f));
    for (const want of [
      'testbench/rtl/accelerator_tb.v.hbs',
      'testbench/rtl/network_tb.v.hbs',
      'testbench/mcu/io_semihost.c.hbs',
      'testbench/tools/run-tool.ts',
    ])
      expect(held).toContain(want);
    expect(held.filter((f) => f.startsWith('testbench/pointacc/')).length).toBeGreaterThanOrEqual(6);
  });
});
