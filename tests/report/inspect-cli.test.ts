// `nacc inspect --print-ir` and `--watch` through the CLI (the flags this area added to the
// lead's inspect command; the IR dump itself is compiler/report/ir-text.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { programIrJson, programIrText } from '../../compiler/report/ir-text.ts';

const OUT = mkdtempSync(join(tmpdir(), 'nacc-test-inspect-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const NET = (out: number) => `network w {\n  input x: int8[8, 8, 3]\n  y = conv2d(x, out: ${out}, kernel: 3)\n  output y\n}\n`;

describe('nacc inspect --print-ir', () => {
  it('prints the lowered IR as text, or as JSON with --json, for the selected networks', async () => {
    const file = join(OUT, 'two.nacc');
    writeFileSync(
      file,
      NET(4) + NET(6).replace('network w', 'network v') + 'mcu m {\n  core: cortex-m4\n  sram: 64 KB\n  flash: 256 KB\n}\n',
    );
    const text = await execa('node', ['bin/nacc.js', 'inspect', file, '--print-ir'], { reject: false });
    expect(text.exitCode).toBe(0);
    expect(text.stdout + '\n').toBe(programIrText(loadProgram(file)));
    const json = await execa('node', ['bin/nacc.js', 'inspect', file, '--print-ir', '--json', '--network', 'v'], { reject: false });
    expect(json.exitCode).toBe(0);
    const p = loadProgram(file);
    expect(JSON.parse(json.stdout)).toEqual(
      JSON.parse(JSON.stringify(programIrJson({ ...p, networks: p.networks.filter((n) => n.name === 'v') }))),
    );
  });

  it('--watch re-runs after the file changes and reports errors without exiting', async () => {
    const file = join(OUT, 'watched.nacc');
    writeFileSync(file, NET(4));
    const child = execa('node', ['bin/nacc.js', 'inspect', file, '--print-ir', '--watch'], { reject: false, env: { CI: 'true' } });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (err += String(d)));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(cond()).toBe(true);
    };
    try {
      await until(() => out.includes('feature[8, 8, 4]') && err.includes('watching'));
      writeFileSync(file, NET(4).replace('conv2d', 'conv2e'));
      await until(() => /error\[/.test(err));
      writeFileSync(file, NET(9));
      await until(() => out.includes('feature[8, 8, 9]'));
      expect(child.exitCode).toBeNull(); // still running after the error
    } finally {
      child.kill('SIGINT');
      await child;
    }
  });
});
