// Benchmark (not a test): whole networks on the generated accelerator in one simulation, through
// the CLI (`nacc rtl` without --layer, then `nacc verify --network --json`): ds_cnn and
// mobilenetv2_035_144 on the baselines, ResNet-18 through its first residual stage (stem, max
// pool and two basic blocks), and optionally a searched design (`--from DIR` folders). Prints a
// Markdown table for docs/rtl.md: steps on the conv engine / post-processing unit / host,
// passed/failed, accelerator cycles, model cycles, error (network and worst layer), PE
// utilisation (MACs / (PEs x conv-engine cycles)), DRAM bytes, simulated cycles per second and
// wall times; one line per case as soon as it finishes.
//   nice -n 10 npx tsx bench/rtl-network.ts [--only CASE,...] [--sim verilator|iverilog] [--from NETWORK=DIR ...] [--out DIR] [--single-buffer]
//     [--build-timeout S] [--timeout S]
// --build-timeout S: the simulator build's limit (`nacc verify --build-timeout`, default 900 s: 168 or 256 PEs
// can take longer on a loaded machine); --timeout S: the simulation run's limit (`nacc verify --timeout`,
// default here 14,400 s: mobilenetv2_035_144 runs tens of millions of cycles). A limit exceeded fails the case.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const D = '../shared/dsl-examples';
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = arg('--only')?.split(',');
const sim = arg('--sim') ?? 'verilator';
const root = arg('--out') ?? mkdtempSync(join(tmpdir(), 'nacc-bench-rtl-network-'));
mkdirSync(root, { recursive: true });
const buildTimeout = arg('--build-timeout');
const runTimeout = Number(arg('--timeout') ?? 4 * 3600);
const searched = process.argv.flatMap((a, i) => (a === '--from' ? [process.argv[i + 1]] : [])).map((s) => s.split('='));

// ResNet-18 (../shared/dsl-examples/resnet18.nacc) through its first residual stage.
const RESNET_STAGE1 = `block basic(x, out, stride) {
  y = conv2d(x, out: out, kernel: 3, stride: stride, act: relu)
  y = conv2d(y, out: out, kernel: 3)
  return relu(add(y, shortcut(x, like: y)))
}

network resnet18_stage1 {
  input image: int8[224, 224, 3]
  x = conv2d(image, out: 64, kernel: 7, stride: 2, act: relu)
  x = maxpool(x, kernel: 3, stride: 2)
  x = basic(x, out: 64, stride: 1) * 2
  output x
}
`;
const stage1 = join(root, 'resnet18_stage1.nacc');
writeFileSync(stage1, RESNET_STAGE1);

interface Case {
  name: string;
  rtl: string[];
}
const CASES: Case[] = [];
for (const acc of ['shidiannao', 'eyeriss', 'nvdla_256']) {
  CASES.push({
    name: `ds_cnn@${acc}`,
    rtl: [`${D}/tiny.nacc`, '--with', `${D}/accelerators.nacc`, '--network', 'ds_cnn', '--accelerator', acc],
  });
  CASES.push({
    name: `mobilenetv2_035_144@${acc}`,
    rtl: [`${D}/mobilenetv2.nacc`, '--with', `${D}/accelerators.nacc`, '--network', 'mobilenetv2_035_144', '--accelerator', acc],
  });
  CASES.push({
    name: `resnet18_stage1@${acc}`,
    rtl: [stage1, '--with', `${D}/accelerators.nacc`, '--network', 'resnet18_stage1', '--accelerator', acc],
  });
}
const FILES: Record<string, string> = { ds_cnn: `${D}/tiny.nacc`, mobilenetv2_035_144: `${D}/mobilenetv2.nacc`, resnet18_stage1: stage1 };
for (const [network, dir] of searched)
  CASES.push({ name: `${network}@naas_best`, rtl: [FILES[network] ?? network, '--from', dir, '--network', network] });

interface Layer {
  name: string;
  op: string;
  runs_on: string;
  unit?: string;
  cycles: number | null;
  model_cycles: number | null;
  error: number | null;
  macs?: number;
  dram_bytes?: number;
  failed: number;
}

const quote = (a: string) => (/[^\w./,=@-]/.test(a) ? `'${a}'` : a);
const pct = (e: number | null | undefined) => (e == null ? '-' : `${e > 0 ? '+' : ''}${(e * 100).toFixed(2)}%`);
const num = (n: number) => n.toLocaleString('en-US');
console.log(
  `| network @ accelerator | buffer | steps (conv · PPU · host) | passed/failed | cycles | model cycles | error | worst layer error | PE utilisation | DRAM bytes | sim cycles/s | build + run s | command |`,
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of CASES) {
  if (only && !only.some((o) => c.name === o || c.name.startsWith(`${o}@`) || c.name.endsWith(`@${o}`))) continue;
  const out = join(root, c.name.replace(/[^\w.-]/g, '_'));
  // --single-buffer: the same cases with the global buffer single-buffered (the before of issue 25 item 2).
  const rtlArgs = ['rtl', ...c.rtl, '--out', out, ...(process.argv.includes('--single-buffer') ? ['--single-buffer'] : [])];
  const verifyArgs = [
    'verify',
    out,
    '--network',
    '--sim',
    sim,
    '--json',
    '--timeout',
    String(runTimeout),
    ...(buildTimeout ? ['--build-timeout', buildTimeout] : []),
  ];
  const command = `nacc ${rtlArgs.map(quote).join(' ')} && nacc ${verifyArgs.map(quote).join(' ')}`;
  const t0 = performance.now();
  const gen = await execa('node', ['bin/nacc.js', ...rtlArgs], { reject: false, stdin: 'ignore' });
  const genSeconds = (performance.now() - t0) / 1000;
  if (gen.exitCode !== 0) {
    console.log(
      `| ${c.name} | rtl exit ${gen.exitCode}: ${gen.stderr.split('\n').find((l) => /error/.test(l)) ?? gen.stderr.split('\n')[0]} |||||||||| \`${command}\` |`,
    );
    continue;
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  // The build's and the run's limits are nacc verify's (a limit exceeded is a failed case, with its message); this one only
  // guards against a verify that hangs past both.
  const ver = await execa('node', ['bin/nacc.js', ...verifyArgs], {
    reject: false,
    stdin: 'ignore',
    timeout: (runTimeout + Number(buildTimeout ?? 900) + 3600) * 1000,
  });
  let v;
  try {
    v = JSON.parse(ver.stdout);
  } catch {
    console.log(
      `| ${c.name} | verify exit ${ver.exitCode}: ${(ver.stderr.split('\n').find((l) => /error/.test(l)) ?? ver.stderr.slice(0, 200)).replace(/\|/g, '/')} |||||||||| \`${command}\` |`,
    );
    continue;
  }
  const layers: Layer[] = v.layers;
  const s = v.sims[0];
  const conv = layers.filter((l) => l.unit === 'conv');
  const ppu = layers.filter((l) => l.unit === 'post-process');
  const host = layers.filter((l) => l.runs_on === 'host');
  const convCycles = conv.reduce((t, l) => t + (l.cycles ?? 0), 0);
  const macs = conv.reduce((t, l) => t + (l.macs ?? 0), 0);
  const worst = layers
    .filter((l) => l.error !== null)
    .reduce<Layer | undefined>((w, l) => (!w || Math.abs(l.error!) > Math.abs(w.error!) ? l : w), undefined);
  const dram = layers.reduce((t, l) => t + (l.dram_bytes ?? 0), 0);
  const util = convCycles ? macs / (manifest.hardware.peCount * convCycles) : 0;
  const rate = s.cycles && s.run_seconds ? Math.round(s.cycles / s.run_seconds) : null;
  console.log(
    `| ${c.name} | ${manifest.hardware.doubleBuffer ? 'double' : manifest.hardware.tiled ? 'single' : 'whole layers'} | ${conv.length} · ${ppu.length} · ${host.length}${host.length ? ` (${host.map((l) => l.op.toLowerCase()).join(', ')})` : ''} | ${num(s.passed)}/${s.failed} | ${s.cycles === null ? '-' : num(s.cycles)} | ${v.model_cycles === null ? '-' : num(v.model_cycles)} | ${pct(v.error)} | ${worst ? `${worst.name} ${pct(worst.error)}` : '-'} | ${(util * 100).toFixed(1)}% | ${num(dram)} | ${rate === null ? '-' : num(rate)} | ${genSeconds.toFixed(0)} gen + ${s.build_seconds.toFixed(0)} + ${s.run_seconds.toFixed(0)} | \`${command}\` |`,
  );
}
