// `nacc mcu --watch`: compiles once, re-compiles when the model file changes, survives an error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-mcu-watch-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const NET = (out: number) =>
  `network w {\n  input x: int8[8, 8, 3]\n  y = conv2d(x, out: ${out}, kernel: 3, act: relu)\n  output dense(y, out: 4)\n}\n`;

describe('nacc mcu --watch', () => {
  it('re-compiles after the file changes and reports errors without exiting', async () => {
    const file = join(OUT, 'w.nacc');
    const prog = join(OUT, 'prog');
    writeFileSync(file, NET(4));
    const child = execa('node', ['bin/nacc.js', 'mcu', file, '--target', 'stm32f412', '--out', prog, '--json', '--watch'], {
      reject: false,
      env: { CI: 'true' },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (err += String(d)));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 1200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(cond()).toBe(true);
    };
    const macs = () => JSON.parse(readFileSync(join(prog, 'nacc-mcu.json'), 'utf8')).summary.macs as number;
    try {
      await until(() => out.includes('"arena_bytes"') && err.includes('watching'));
      const first = macs();
      writeFileSync(file, NET(4).replace('conv2d', 'conv2e'));
      await until(() => /error\[E0201\]/.test(err));
      const seen = out.length;
      writeFileSync(file, NET(8));
      await until(() => out.length > seen && out.slice(seen).includes('"arena_bytes"'));
      expect(macs()).toBeGreaterThan(first);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGINT');
      await child;
    }
  });
});
