// The README's two workflows, run verbatim (each `nacc …` line of the two ```sh blocks under
// "## Workflows", in a fresh folder that sees examples/), and `nacc report` renders a section for
// every step: the search, the RTL design with measured cycles, the MCU program measured in QEMU.
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nacc } from '../helpers/cli.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';

/** The command lines of the README's workflow blocks, in order. */
export function readmeWorkflows(readme: string): string[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Workflows'));
  if (!section) throw new Error('README.md has no "## Workflows" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('nacc ')),
  );
}

const workflows = readmeWorkflows(readFileSync('README.md', 'utf8'));

async function runVerbatim(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-workflow-'));
  symlinkSync(resolve('examples'), join(dir, 'examples'));
  const outputs: string[] = [];
  for (const line of lines) {
    // The README's lines hold plain words (no quoting), so a split is the shell's reading of them.
    const r = await nacc(line.split(/\s+/).slice(1), { cwd: dir });
    expect(r.code, `${line}\n${r.stderr}`).toBe(0);
    outputs.push(r.stdout);
  }
  const report = await nacc(['report', 'runs', '--json'], { cwd: dir });
  expect(report.code, report.stderr).toBe(0);
  return {
    dir,
    outputs,
    report: JSON.parse(report.stdout) as { file: string; sections: { kind: string; title: string; source: string; headline: string }[] },
  };
}

// The two workflows share nothing (each its own folder), so they run side by side: the suite's
// wall time is the longer one's, not their sum (their own steps stay in the README's order).
describe.concurrent('README workflows', async () => {
  it('there are two, each ending in nacc report', () => {
    expect(workflows).toHaveLength(2);
    for (const w of workflows) expect(w.at(-1)).toBe('nacc report runs');
  });

  itNeeds(
    [await needTool('iverilog'), await needTool('vvp'), await needTool('verilator')],
    'network → accelerator → RTL → report',
    async () => {
      const { dir, outputs, report } = await runVerbatim(workflows[0]);
      // The search's own page names the design as design.nacc does.
      expect(readFileSync(join(dir, 'runs/search/report.html'), 'utf8')).toContain('accelerator naas_best {');
      expect(readFileSync(join(dir, 'runs/search/design.nacc'), 'utf8')).toContain('accelerator naas_best {');
      // Each step names the one after it.
      expect(outputs[0]).toContain(`next: ${workflows[0][1].replace(/ --out \S+$/, '')}`);
      expect(outputs[1]).toContain(`next: nacc verify runs/rtl`);
      const kinds = report.sections.map((s) => s.kind);
      expect(kinds).toEqual(expect.arrayContaining(['search', 'rtl']));
      for (const s of report.sections) expect(s.source).not.toMatch(/^\/|\.\./);
      const rtl = report.sections.find((s) => s.kind === 'rtl')!;
      expect(rtl.headline).toMatch(/predicted, [\d,]+ measured/);
      expect(readFileSync(report.file, 'utf8')).toContain('Predicted and measured cycles');
    },
    900_000,
  );

  itNeeds(
    [await needTool('gcc'), await needTool('arm-none-eabi-gcc'), await needTool('qemu-system-arm')],
    'model → microcontroller → report',
    async () => {
      const { outputs, report } = await runVerbatim(workflows[1]);
      expect(outputs[1]).toContain('next: nacc verify runs/mcu');
      expect(report.sections.map((s) => s.kind)).toEqual(['mcu']);
      const html = readFileSync(report.file, 'utf8');
      expect(html).toContain('instructions (measured, QEMU)');
      expect(html).toContain('cycles (predicted, Cortex-M4 timings)');
      expect(html).toMatch(/time at the clock \(predicted\)[\s\S]{0,200}\d+\.\d\d ms/);
      expect(html).toContain('flash (measured)');
    },
    900_000,
  );
});
