// `nacc report DIR` finds every run folder anywhere under DIR by its nacc-run.json (issue 26):
// folders written by the commands themselves, nested at any depth, listed in --json with their
// kind, title and source relative to DIR; the page's header names DIR, not the caller's path.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_MANIFEST, VERIFY_RESULT, writeRunManifest } from '../../compiler/report/index.ts';
import { naccInProcess } from '../helpers/in-process.ts';

describe('nacc report over run folders', () => {
  it('renders a section per run folder the commands wrote, at any depth', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nacc-report-runs-'));
    const runs = join(root, 'my-runs');
    const steps = [
      ['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f412', '--out', join(runs, 'deep', 'er', 'mcu')],
      ['fl', 'examples/federated.nacc', '--job', 'quick_fedavg', '--max-steps', '4', '--out', join(runs, 'fl')],
      [
        'pointacc',
        'examples/pointacc.nacc',
        '--config',
        'edge',
        '--op',
        'fps',
        '--cloud',
        'clutter:64',
        '--centers',
        '4',
        '--out',
        join(runs, 'pa'),
      ],
    ];
    for (const s of steps) {
      const r = await naccInProcess(s);
      expect(r.code, `${s.join(' ')}\n${r.stderr}`).toBe(0);
    }
    for (const d of ['deep/er/mcu', 'fl', 'pa']) expect(JSON.parse(readFileSync(join(runs, d, RUN_MANIFEST), 'utf8')).nacc_run).toBe(1);
    // An RTL design folder as `nacc rtl` writes it, verified: predicted and measured cycles per layer.
    const rtl = join(runs, 'rtl');
    mkdirSync(rtl, { recursive: true });
    writeFileSync(
      join(rtl, 'manifest.json'),
      JSON.stringify({
        top: 'acc_top',
        accelerator: 'kc_ws',
        layers: [{ name: 'c3', predicted_cycles: 900 }, { name: 'pw', predicted_cycles: 400 }, { name: 'odd' }],
      }),
    );
    writeRunManifest(rtl, {
      kind: 'rtl',
      title: 'RTL: kc_ws running rtl_layers',
      command: 'nacc rtl examples/rtl.nacc --accelerator kc_ws --network rtl_layers',
    });
    writeFileSync(
      join(rtl, VERIFY_RESULT),
      JSON.stringify({
        sims: [{ name: 'iverilog', passed: 20, failed: 0 }],
        layers: [
          { name: 'c3', cycles: 950, predicted_cycles: 900 },
          { name: 'pw', cycles: 410, predicted_cycles: 400 },
          { name: 'odd', cycles: 300, predicted_cycles: null },
        ],
        lint: { warnings: 0 },
        ok: true,
      }),
    );

    const r = await naccInProcess(['report', runs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { file: string; sections: { kind: string; title: string; source: string; headline: string }[] };
    expect(j.sections.map((s) => s.kind).sort()).toEqual(['fl', 'mcu', 'pointacc', 'rtl']);
    expect(j.sections.map((s) => s.source).sort()).toEqual([
      'deep/er/mcu/nacc-run.json',
      'fl/fl-quick_fedavg.section.json',
      'pa/nacc-run.json',
      'rtl/nacc-run.json',
    ]);
    // A layer without a prediction is left out of the comparison, not counted as 0 predicted cycles.
    expect(j.sections.find((s) => s.kind === 'rtl')!.headline).toContain(
      'on the 2 with a prediction 1,300 cycles predicted, 1,360 measured (-4.4%); 1 without a prediction',
    );
    const html = readFileSync(j.file, 'utf8');
    expect(html).toContain('Run outputs under my-runs:');
    expect(html).toContain('Test accuracy vs simulated time');
  });
});
