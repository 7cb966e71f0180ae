// One set of CLI conventions (README "CLI conventions", issue 26), checked over every command as
// registered — commands added later are walked too — and on the friction points the issue lists.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../compiler/cli/main.ts';
import { SHARED_DEFAULTS } from '../../compiler/cli/options.ts';
import { DEMO_STEP_NAMES } from '../../compiler/cli/demo/step-names.ts';
import { DEFAULT_K } from '../../compiler/pointacc/pointops.ts';
import { naccInProcess } from '../helpers/in-process.ts';
import { allOpsModel } from '../mcu/tflite-writer.ts';

function walk(cmd: Command, path: string[] = []): { path: string; cmd: Command }[] {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()].join(' '), cmd: c }, ...walk(c, [...path, c.name()])]);
}

const optionsOf = (c: Command): Option[] => (c as unknown as { options: Option[] }).options;

describe('CLI conventions over every registered command', async () => {
  const program = await buildProgram(['node', 'nacc']);
  const commands = walk(program);

  it('walks every command (new ones included)', () => {
    const names = commands.map((c) => c.path);
    for (const n of [
      'inspect',
      'search',
      'rtl',
      'verify',
      'mcu',
      'mcu-schedule',
      'run',
      'pointacc',
      'pointops',
      'fl',
      'fl serve',
      'report',
      'demo',
    ])
      expect(names).toContain(n);
  });

  for (const { path, cmd } of commands) {
    it(`${path}: options follow the conventions`, () => {
      const problems: string[] = [];
      for (const o of optionsOf(cmd)) {
        const where = `nacc ${path} ${o.flags}`;
        if (!o.description) problems.push(`${where}: no description`);
        if (o.long === '--out') {
          if (o.mandatory) problems.push(`${where}: --out is never required (a default folder or a summary without files)`);
          if (!o.required) problems.push(`${where}: --out takes a value`);
        }
        if (o.long === '--json') {
          if (o.required || o.optional) problems.push(`${where}: --json takes no value`);
          if (!/^print JSON/.test(o.description)) problems.push(`${where}: --json's description starts "print JSON" (the schema)`);
        }
        if (o.long === '--seed') {
          if (!o.required) problems.push(`${where}: --seed takes a value`);
          if (o.defaultValue !== undefined && o.defaultValue !== SHARED_DEFAULTS.seed)
            problems.push(`${where}: --seed defaults to ${SHARED_DEFAULTS.seed}, not ${o.defaultValue}`);
        }
        if (o.long === '--schedule' && o.defaultValue !== SHARED_DEFAULTS.schedule)
          problems.push(`${where}: --schedule defaults to ${SHARED_DEFAULTS.schedule}, not ${o.defaultValue}`);
        if (
          o.long === '--k' &&
          !(
            o.defaultValue === SHARED_DEFAULTS.k ||
            (o.defaultValue === undefined && o.description.includes(`default ${SHARED_DEFAULTS.k}`))
          )
        )
          problems.push(`${where}: --k defaults to ${SHARED_DEFAULTS.k}`);
      }
      expect(problems).toEqual([]);
      expect(() => cmd.helpInformation()).not.toThrow();
    });
  }

  it('--k has one default in the library and the CLI', () => expect(String(DEFAULT_K)).toBe(SHARED_DEFAULTS.k));

  it('demo --help lists the real step names; --only checks against them', async () => {
    const { DEMO_STEPS } = await import('../../compiler/cli/demo/index.ts');
    expect(DEMO_STEPS.map((s) => s.name)).toEqual([...DEMO_STEP_NAMES]);
    const help = commands
      .find((c) => c.path === 'demo')!
      .cmd.helpInformation()
      .replace(/\s+/g, ' ');
    for (const n of DEMO_STEP_NAMES) expect(help).toContain(n);
    const r = await naccInProcess(['demo', '--only', 'naas', '--out', join(mkdtempSync(join(tmpdir(), 'nacc-conv-')), 'demo')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'naas search'?");
    expect(r.stdout).toBe('');
  });
});

describe('friction points of issue 26', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-conventions-'));
  const fl = 'examples/federated.nacc';

  it('an unknown declaration is one code with "did you mean" and the candidates, whichever command asks', async () => {
    const cases: [string[], string, string][] = [
      [['inspect', 'examples/classic.nacc', '--network', 'resnet'], 'network', 'resnet50'],
      [['search', 'examples/naas_networks.nacc', '--network', 'resnet', '--space', 's', '--baseline', 'b'], 'network', 'resnet50'],
      [['rtl', 'examples/rtl.nacc', '--accelerator', 'nope_acc', '--network', 'x', '--out', join(dir, 'r')], 'accelerator', ''],
      [['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f41', '--out', join(dir, 'm')], 'MCU target', 'stm32f412'],
      [['fl', fl, '--job', 'quick_dgaa'], 'federated job', 'quick_dga'],
      [['pointacc', 'examples/pointacc.nacc', '--config', 'edge', '--network', 'pointnet3'], 'network', ''],
    ];
    for (const [args, kind, guess] of cases) {
      const r = await naccInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`error\\[E0510\\]: no ${kind} '`));
      expect(r.stderr, args.join(' ')).toContain(`note: ${kind} names: `);
      if (guess) expect(r.stderr).toContain(`did you mean '${guess}'?`);
    }
  });

  it('--budget huge names the presets; a missing option is one line, not the whole help', async () => {
    const b = await naccInProcess([
      'search',
      'examples/naas_networks.nacc',
      '--network',
      'vgg16',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--budget',
      'huge',
      '--with',
      'examples/naas_accelerators.nacc',
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown preset 'huge'.*presets: tiny, small, default, large/);
    const m = await naccInProcess(['mcu', 'examples/mcu-kws.nacc']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("required option '--target <mcu>'");
    expect(m.stderr).not.toContain('Options:');
    expect(m.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('verify rejects options that do not apply to the folder it is given', async () => {
    const mcuDir = join(dir, 'kws');
    const g = await naccInProcess(['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f412', '--out', mcuDir]);
    expect(g.code).toBe(0);
    expect(g.stdout).toContain(`next: nacc verify ${mcuDir}`);
    const r = await naccInProcess(['verify', mcuDir, '--sim', 'verilator']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E0521]: --sim does not apply here');
    // --network picks a network of a .nacc/.onnx file; a .tflite holds one model.
    const tflite = join(dir, 'm.tflite');
    writeFileSync(tflite, allOpsModel(5));
    const n = await naccInProcess(['mcu', tflite, '--network', 'x', '--target', 'stm32f412', '--out', join(dir, 'n')]);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('error[E0521]: --network does not apply here');
  });

  it('run prints its result without --output', async () => {
    const input = join(dir, 'in.bin');
    writeFileSync(input, Buffer.alloc(49 * 10));
    const r = await naccInProcess(['run', 'examples/mcu-kws.nacc', '--input', input]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/int8\[[\d, ]+\]: (-?\d+ ?)+/);
    const j = await naccInProcess(['run', 'examples/mcu-kws.nacc', '--input', input, '--json']);
    expect(JSON.parse(j.stdout).outputs[0].values.length).toBeGreaterThan(0);
  });

  it("fl writes nothing under the caller's folder without --out or --plot", async () => {
    const r = await naccInProcess(['fl', fl, '--job', 'quick_fedavg', '--max-steps', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).plot).toBeNull();
  });
});
