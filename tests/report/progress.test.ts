// compiler/cli/progress.ts (the report layer's CLI-comfort helper): a bar only on a TTY,
// never with --json, CI=true or NACC_NO_PROGRESS.
import { describe, expect, it, onTestFinished } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgress, progressEnabled, watchFiles, withProgress } from '../../compiler/cli/progress.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  s.isTTY = isTTY;
  s.columns = 100;
  return { stream: s, text: () => chunks.join('') };
}

describe('progress', () => {
  it('is enabled only on a TTY without --json, CI or NACC_NO_PROGRESS', () => {
    expect(progressEnabled({ stream: fakeStream(true).stream, env: {} })).toBe(true);
    expect(progressEnabled({ stream: fakeStream(false).stream, env: {} })).toBe(false);
    expect(progressEnabled({ stream: fakeStream(true).stream, env: {}, json: true })).toBe(false);
    expect(progressEnabled({ stream: fakeStream(true).stream, env: { CI: 'true' } })).toBe(false);
    expect(progressEnabled({ stream: fakeStream(true).stream, env: { CI: '0' } })).toBe(true);
    expect(progressEnabled({ stream: fakeStream(true).stream, env: { NACC_NO_PROGRESS: '1' } })).toBe(false);
  });

  it('draws a bar with label, count and detail on a TTY', async () => {
    const f = fakeStream(true);
    await withProgress({ label: 'search', total: 4, stream: f.stream, env: {} }, (p) => {
      expect(p.active).toBe(true);
      for (let i = 0; i < 4; i++) p.tick(1, `generation ${i}`);
    });
    const out = f.text();
    expect(out).toContain('search [');
    expect(out).toContain('4/4 100%');
    expect(out).toContain('generation 3');
  });

  it('writes nothing when silent, and stops even when the work throws', async () => {
    for (const opts of [
      { stream: fakeStream(false) },
      { stream: fakeStream(true), json: true },
      { stream: fakeStream(true), env: { CI: 'true' } },
    ]) {
      const p = createProgress({ label: 'verify', total: 3, stream: opts.stream.stream, json: opts.json, env: opts.env ?? {} });
      expect(p.active).toBe(false);
      p.tick();
      p.update(3, 'x');
      p.stop();
      expect(opts.stream.text()).toBe('');
    }
    const f = fakeStream(true);
    await expect(
      withProgress({ label: 'train', total: 2, stream: f.stream, env: {} }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(f.text()).toContain('train [');
  });
});

describe('watchFiles', () => {
  it('runs once, re-runs on a change of the watched file only, survives a failing run, stops on abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-test-watch-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'net.nacc');
    writeFileSync(file, 'network a {}\n');
    const seen: string[] = [];
    const errors: unknown[] = [];
    const ac = new AbortController();
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 25));
    };
    const done = watchFiles({
      files: [file],
      debounceMs: 30,
      signal: ac.signal,
      log: () => {},
      onError: (e) => void errors.push(e),
      run: async () => {
        const { readFileSync } = await import('node:fs');
        const text = readFileSync(file, 'utf8');
        seen.push(text.trim());
        if (text.includes('bad')) throw new UserError([{ severity: 'error', code: 'E0000', message: 'bad input' }]);
      },
    });
    await waitFor(1);
    expect(seen).toEqual(['network a {}']);
    writeFileSync(join(dir, 'other.txt'), 'not watched');
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toHaveLength(1);
    writeFileSync(file, 'bad');
    await waitFor(2);
    expect(seen[1]).toBe('bad');
    expect(errors).toHaveLength(1);
    writeFileSync(file, 'network b {}\n');
    await waitFor(3);
    expect(seen[seen.length - 1]).toBe('network b {}');
    ac.abort();
    await done;
    const count = seen.length;
    writeFileSync(file, 'network c {}\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toHaveLength(count);
  });
});
