// `nacc verify --debug` on a patch-based program: the split map (dump -1) and every op of the
// per-layer stage are compared with the reference executor; a corrupted dump is caught at the
// source op that produces the tensor, with exit code 3.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNeeds, needShared, needTool } from '../helpers/requires.ts';

const nacc = (args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false });
const VWW1 = '../shared/models/mcunet/mcunet-vww1.tflite';

describeNeeds(
  [needShared('models', 'mcunet', 'mcunet-vww1.tflite'), await needTool('gcc')],
  'nacc verify --debug on a patch program',
  () => {
    it('checks the split map and the per-layer stage op by op; a wrong dump fails at its source op', async () => {
      const root = mkdtempSync(join(tmpdir(), 'nacc-verify-debug-'));
      const dir = join(root, 'prog');
      const gen = await nacc(['mcu', VWW1, '--target', 'stm32h743', '--schedule', 'patch', '--patches', '2', '--out', dir, '--json']);
      expect(gen.exitCode, gen.stderr).toBe(0);
      const split: number = JSON.parse(gen.stdout).schedule.split;
      expect(split).toBeGreaterThan(0);
      const ok = await nacc(['verify', dir, '--host', '--debug', '--json']);
      expect(ok.exitCode, ok.stderr).toBe(0);
      const j = JSON.parse(ok.stdout);
      expect(j.host.bit_exact).toBe(true);
      expect(j.host.debug.first_mismatch).toBeNull();
      // the split map plus at least one op after the split
      expect(j.host.debug.ops_checked).toBeGreaterThan(1);

      // the same program dumping the split map one byte off: the producer of the map (before the split) mismatches
      const bad = join(root, 'bad');
      cpSync(dir, bad, { recursive: true });
      const c = readFileSync(join(bad, 'model.c'), 'utf8');
      expect(c).toContain('NACC_DUMP(-1, nacc_arena + ');
      writeFileSync(join(bad, 'model.c'), c.replace('NACC_DUMP(-1, nacc_arena + ', 'NACC_DUMP(-1, nacc_arena + 1 + '));
      const r = await nacc(['verify', bad, '--host', '--debug', '--json']);
      expect(r.exitCode).toBe(3);
      const b = JSON.parse(r.stdout);
      expect(b.host.bit_exact).toBe(true);
      expect(b.host.debug.ops_checked).toBe(1);
      expect(b.host.debug.first_mismatch.op).toBeLessThan(split);

      // an op of the per-layer stage (the first dump from 2 on; a convolution fused into a residual
      // ADD has no output to dump) one byte off: reported under a source op after the split
      const bad2 = join(root, 'bad2');
      cpSync(dir, bad2, { recursive: true });
      const dumps = [...c.matchAll(/NACC_DUMP\((-?\d+), nacc_arena \+ /g)].map((m) => Number(m[1]));
      const k = dumps.find((d) => d >= 2)!;
      expect(k).toBeDefined();
      writeFileSync(join(bad2, 'model.c'), c.replace(`NACC_DUMP(${k}, nacc_arena + `, `NACC_DUMP(${k}, nacc_arena + 1 + `));
      const r2 = await nacc(['verify', bad2, '--host', '--debug', '--json']);
      expect(r2.exitCode).toBe(3);
      const b2 = JSON.parse(r2.stdout);
      expect(b2.host.debug.ops_checked).toBe(dumps.filter((d) => d <= k).length);
      expect(b2.host.debug.first_mismatch.op).toBeGreaterThanOrEqual(split);
    }, 240_000);
  },
);
