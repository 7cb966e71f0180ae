// Benchmark (not a test): layers whose input channels are split across buffer refills, generated
// and simulated through the CLI (`nacc rtl` then `nacc verify --json`): a small case in Icarus and
// Verilator, a ResNet-18 3x3x512 layer on shidiannao and a 960-channel MobileNetV2 projection on
// eyeriss in Verilator. Prints a Markdown table for docs/rtl.md: programs, chunk size,
// passed/failed, measured cycles, schedule, the cost model's cycles for the programs that ran, and
// error = cycles / model_cycles - 1, with the commands.
//   npx tsx bench/rtl-c-split.ts [--only NAME,...] [--out DIR]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const D = '../shared/dsl-examples';
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = arg('--only')?.split(',');
const root = arg('--out') ?? mkdtempSync(join(tmpdir(), 'nacc-bench-csplit-'));

interface Case {
  name: string;
  rtl: string[];
  sims: string;
}
const CASES: Case[] = [
  { name: 'kc_tiny-c_split', rtl: ['tests/rtl/c-split.nacc', '--accelerator', 'kc_tiny', '--network', 'c_split'], sims: 'both' },
  {
    name: 'shidiannao-resnet18',
    rtl: [
      `${D}/resnet18.nacc`,
      '--with',
      `${D}/accelerators.nacc`,
      '--network',
      'resnet18',
      '--accelerator',
      'shidiannao',
      '--layer',
      'x_6[1].y_2',
    ],
    sims: 'verilator',
  },
  {
    name: 'eyeriss-mobilenetv2',
    rtl: [
      `${D}/mobilenetv2.nacc`,
      '--with',
      `${D}/accelerators.nacc`,
      '--network',
      'mobilenetv2',
      '--accelerator',
      'eyeriss',
      '--layer',
      'x_7[2].project',
    ],
    sims: 'verilator',
  },
];

const quote = (a: string) => (/[^\w./,=-]/.test(a) ? `'${a}'` : a);
console.log('| case | layer | programs (chunk) | passed/failed | cycles | schedule | model cycles | error | command |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const c of CASES) {
  if (only && !only.includes(c.name)) continue;
  const out = join(root, c.name);
  const rtlArgs = ['rtl', ...c.rtl, '--out', out, '--json'];
  const verifyArgs = ['verify', out, '--sim', c.sims, '--json'];
  const command = `nacc ${rtlArgs
    .filter((a) => a !== '--json')
    .map(quote)
    .join(' ')} && nacc ${verifyArgs.map(quote).join(' ')}`;
  const gen = await execa('node', ['bin/nacc.js', ...rtlArgs], { reject: false, stdin: 'ignore' });
  if (gen.exitCode !== 0) {
    console.log(`| ${c.name} | | | | | | | | rtl exit ${gen.exitCode}: ${gen.stderr.split('\n')[0]} |`);
    continue;
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const ver = await execa('node', ['bin/nacc.js', ...verifyArgs], { reject: false, stdin: 'ignore' });
  const v = ver.stdout ? JSON.parse(ver.stdout) : undefined;
  for (const ml of manifest.layers) {
    const row = v?.layers.find((l: { name: string }) => l.name === ml.name);
    const pf = v
      ? v.sims
          .map((s: { layers: { name: string; passed: number; failed: number }[] }) => s.layers.find((l) => l.name === ml.name))
          .map((l: { passed: number; failed: number }) => `${l.passed}/${l.failed}`)
          .join(' · ')
      : '-';
    const chunk = ml.tiles[0].cc < ml.bounds.C ? `${ml.tiles[0].cc} of ${ml.bounds.C} C` : 'C whole';
    const err = row?.error == null ? '-' : `${(row.error * 100).toFixed(2)}%`;
    console.log(
      `| ${c.name} | ${ml.name} | ${ml.tile_count} (${chunk}) | ${pf} | ${row?.cycles ?? '-'} | ${ml.schedule_cycles} | ${row?.model_cycles ?? ml.model_cycles ?? '-'} | ${err} | \`${command}\` |`,
    );
  }
  if (ver.exitCode !== 0) console.log(`| ${c.name} | | | | | | | | verify exit ${ver.exitCode} |`);
}
