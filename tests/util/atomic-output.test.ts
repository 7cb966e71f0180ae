// writeOutputDir: the target appears only when the writer completes; a failing writer leaves
// the previous target untouched and no temporary folder; stale partials of dead runs go.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { siblingPattern, writeOutputDir } from '../../compiler/util/atomic-output.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'nacc-atomic-'));
const siblings = (parent: string) => readdirSync(parent).filter((e) => e.startsWith('.'));

describe('writeOutputDir', () => {
  it('writes into a hidden sibling and renames it into place when complete', async () => {
    const parent = fresh();
    const target = join(parent, 'out');
    const seen = await writeOutputDir(target, (dir) => {
      expect(dir).not.toBe(target);
      expect(siblingPattern(target).test(dir.slice(parent.length + 1))).toBe(true);
      expect(existsSync(target)).toBe(false);
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'a.txt'), 'a');
      return 42;
    });
    expect(seen).toBe(42);
    expect(readFileSync(join(target, 'sub', 'a.txt'), 'utf8')).toBe('a');
    expect(siblings(parent)).toEqual([]);
  });

  it('creates missing parent folders', async () => {
    const target = join(fresh(), 'a', 'b', 'out');
    await writeOutputDir(target, (dir) => writeFileSync(join(dir, 'x'), 'x'));
    expect(readFileSync(join(target, 'x'), 'utf8')).toBe('x');
  });

  it('a writer that throws leaves no target and no temporary folder', async () => {
    const parent = fresh();
    const target = join(parent, 'out');
    await expect(
      writeOutputDir(target, async (dir) => {
        writeFileSync(join(dir, 'manifest.json'), '{}');
        throw new Error('generator failed');
      }),
    ).rejects.toThrow('generator failed');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a writer that throws leaves the previous target as it was', async () => {
    const parent = fresh();
    const target = join(parent, 'out');
    await writeOutputDir(target, (dir) => writeFileSync(join(dir, 'old.txt'), 'old'));
    await expect(
      writeOutputDir(target, (dir) => {
        writeFileSync(join(dir, 'new.txt'), 'new');
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(readdirSync(target)).toEqual(['old.txt']);
    expect(siblings(parent)).toEqual([]);
  });

  it('replaces the previous target whole, carrying over only what carryOver keeps', async () => {
    const parent = fresh();
    const target = join(parent, 'out');
    await writeOutputDir(target, (dir) => {
      for (const f of ['gen.v', 'stale.v', 'notes.txt']) writeFileSync(join(dir, f), `old ${f}`);
      mkdirSync(join(dir, 'build'));
    });
    await writeOutputDir(target, (dir) => writeFileSync(join(dir, 'gen.v'), 'new'));
    expect(readdirSync(target)).toEqual(['gen.v']);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    mkdirSync(join(target, 'build'));
    await writeOutputDir(target, (dir) => writeFileSync(join(dir, 'gen.v'), 'newer'), { carryOver: (name) => name !== 'build' });
    expect(readdirSync(target).sort()).toEqual(['gen.v', 'notes.txt']);
    expect(readFileSync(join(target, 'gen.v'), 'utf8')).toBe('newer');
    expect(readFileSync(join(target, 'notes.txt'), 'utf8')).toBe('mine');
    expect(siblings(parent)).toEqual([]);
  });

  it('replaces a symlinked target where the link points, keeping the link', async () => {
    const parent = fresh();
    const real = join(parent, 'real');
    await writeOutputDir(real, (dir) => writeFileSync(join(dir, 'old'), 'old'));
    symlinkSync(real, join(parent, 'link'));
    await writeOutputDir(join(parent, 'link'), (dir) => writeFileSync(join(dir, 'new'), 'new'));
    expect(lstatSync(join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(parent, 'link'))).toEqual(['new']);
    expect(readdirSync(parent).sort()).toEqual(['link', 'real']);
  });

  it("removes stale partial and replaced folders of dead runs, not a live run's", async () => {
    const parent = fresh();
    const target = join(parent, 'out');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = [`.out.partial-${dead}-1`, `.out.replaced-${dead}-3`];
    const live = `.out.partial-${process.ppid}-1`;
    const other = `.other.partial-${dead}-1`;
    for (const d of [...stale, live, other]) mkdirSync(join(parent, d));
    await writeOutputDir(target, (dir) => writeFileSync(join(dir, 'x'), 'x'));
    expect(readdirSync(parent).sort()).toEqual([live, other, 'out'].sort());
  });

  it('refuses a target that is a file or contains the current folder', async () => {
    const parent = fresh();
    writeFileSync(join(parent, 'file'), 'x');
    await expect(writeOutputDir(join(parent, 'file'), () => {})).rejects.toBeInstanceOf(UserError);
    await expect(writeOutputDir(process.cwd(), () => {})).rejects.toThrow(/contains the current folder/);
    await expect(writeOutputDir(join(process.cwd(), '..'), () => {})).rejects.toThrow(/contains the current folder/);
    expect(readFileSync(join(parent, 'file'), 'utf8')).toBe('x');
  });
});
