// Benchmark (not a test): every example accelerator x every layer of rtl_layers in Icarus and
// Verilator, plus yosys cells and area; then layers larger than the global buffer, run as tiles
// (examples/rtl-tiled.nacc, and ds_cnn on the shared eyeriss / shidiannao / nvdla_256 baselines).
// Prints Markdown tables for docs/rtl.md.
//   npx tsx bench/rtl-accelerators.ts [--no-synth] [--no-tiled] [--only-tiled] [--sims iverilog,verilator]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadProgram } from '../compiler/frontend/index.ts';
import { generateAccelerator, type ForcedTile, type GeneratedAccelerator } from '../compiler/rtl/accelerator/index.ts';
import { verifyAccelerator, type SimName } from '../testbench/rtl/accelerator.ts';
import { synthesise } from '../compiler/cli/rtl.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const synth = !process.argv.includes('--no-synth');
const sims = (arg('--sims') ?? 'iverilog,verilator').split(',') as SimName[];

function write(g: GeneratedAccelerator, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const f of g.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
}

if (!process.argv.includes('--only-tiled')) {
  const prog = loadProgram('examples/rtl.nacc');
  const net = prog.networks.find((n) => n.name === 'rtl_layers')!;
  const rows: string[] = [];
  for (const name of ['kc_ws', 'pq_os', 'rp_rs', 'kcs_3d']) {
    const spec = prog.accelerators.find((a) => a.name === name)!;
    const g = generateAccelerator(spec, net, { seed: 1 });
    const dir = join('out', 'bench-rtl', name);
    write(g, dir);
    const t0 = performance.now();
    const r = await verifyAccelerator(dir, { sims });
    const s = synth ? await synthesise(dir, g) : undefined;
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    for (const l of r.layers) {
      const ml = g.manifest.layers.find((x) => x.name === l.name)!;
      const ss = r.sims.map((x) => x.layers.find((y) => y.name === l.name)!);
      rows.push(
        `| ${name} | ${l.name} | ${ss.map((x) => `${x.passed}/${x.failed}`).join(' · ')} | ${l.sim_cycles.iverilog ?? '-'} | ${l.sim_cycles.verilator ?? '-'} | ${ml.schedule_cycles} | ${l.predicted_cycles} | ${l.error_pct}% | ${l.model_cycles ?? '-'} | ${l.model_error_pct ?? '-'}% | ${s ? s.cells : '-'} | ${s ? s.area.total_ge : '-'} | ${r.lint.warnings} |`,
      );
    }
    process.stderr.write(`${name}: ok=${r.ok} (${secs} s)\n`);
  }
  process.stdout.write(
    '| design | layer | passed/failed (Icarus · Verilator) | Icarus cycles | Verilator cycles | schedule | predicted | error | cost model alone | model error | yosys cells | area (GE) | lint |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|---|---|\n');
  process.stdout.write(rows.join('\n') + '\n\n');
}

if (!process.argv.includes('--no-tiled')) {
  interface TiledCase {
    file: string;
    with?: string;
    accelerator: string;
    network: string;
    tile?: ForcedTile;
    /** Layers simulated (all are programmed, so the banks are sized for the whole network). */
    simulate?: string[];
    /** Simulators (default: --sims); Icarus takes minutes on the large ds_cnn layers of 168-256 PE arrays. */
    sims?: SimName[];
  }
  const shared = '../shared/dsl-examples';
  const cases: TiledCase[] = [
    { file: 'examples/rtl-tiled.nacc', accelerator: 'kc_small', network: 'rtl_tiled' },
    { file: 'examples/rtl-tiled.nacc', accelerator: 'kc_small', network: 'rtl_tiled', tile: { kc: 4, qc: 2 } },
    { file: 'examples/rtl-tiled.nacc', accelerator: 'rp_small', network: 'rtl_tiled' },
    { file: 'examples/rtl-tiled.nacc', accelerator: 'rp_small', network: 'rtl_tiled', tile: { kc: 4, qc: 2 } },
    { file: 'examples/rtl-tiled.nacc', accelerator: 'kc_small', network: 'rtl_tiled', tile: { kc: 4, qc: 2, pc: 2 } },
    { file: 'examples/rtl-tiled.nacc', accelerator: 'rp_small', network: 'rtl_tiled', tile: { kc: 8, qc: 2, pc: 1 } },
  ];
  if (existsSync(`${shared}/tiny.nacc`)) {
    // ds_cnn's distinct layer shapes (x_4 .. x_9 repeat x_2 and x_3).
    for (const accelerator of ['eyeriss', 'shidiannao', 'nvdla_256']) {
      cases.push({
        file: `${shared}/tiny.nacc`,
        with: `${shared}/accelerators.nacc`,
        accelerator,
        network: 'ds_cnn',
        simulate: ['x_1', 'x_2', 'x_3', 'x_11'],
        sims: ['verilator'],
      });
    }
  } else process.stderr.write(`${shared}/tiny.nacc is missing: ds_cnn cases skipped\n`);
  const rows: string[] = [];
  for (const c of cases) {
    const progs = [c.file, ...(c.with ? [c.with] : [])].map((f) => loadProgram(f));
    const spec = progs.flatMap((p) => p.accelerators).find((a) => a.name === c.accelerator)!;
    const net = progs.flatMap((p) => p.networks).find((n) => n.name === c.network)!;
    const g = generateAccelerator(spec, net, { seed: 1, tile: c.tile });
    const tileText = c.tile ? `${c.tile.kc ?? ''}x${c.tile.qc ?? ''}${c.tile.pc ? `x${c.tile.pc}` : ''}` : '';
    const label = `${c.accelerator}${c.tile ? ` --tile ${tileText}` : ''}`;
    const dir = join('out', 'bench-rtl', `tiled-${c.accelerator}-${c.network}${c.tile ? `-${tileText}` : ''}`);
    write(g, dir);
    const t0 = performance.now();
    let r;
    try {
      r = await verifyAccelerator(dir, { sims: c.sims ?? sims, layers: c.simulate });
    } catch (e) {
      // A simulator that cannot build this design (e.g. a build timeout on a large array) skips the case.
      process.stderr.write(`${label} ${c.network}: not simulated: ${(e as Error).message.split('\n')[0]}\n`);
      rows.push(
        `| ${label} | ${c.network} | (all) | - | not simulated: ${(e as Error).message.split('\n')[0].replace(/\|/g, '/')} | - | - | - | - | - | - | - | - |`,
      );
      continue;
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    const hw = g.hardware;
    for (const l of r.layers) {
      const ml = g.manifest.layers.find((x) => x.name === l.name)!;
      const ss = r.sims.map((x) => x.layers.find((y) => y.name === l.name)!);
      const shape =
        ml.tile_count === 1
          ? 'whole'
          : `${ml.tiles[0].kc}K x ${ml.tiles[0].qc}Q${ml.tiles[0].pc < ml.bounds.P ? ` x ${ml.tiles[0].pc}P` : ''}`;
      rows.push(
        `| ${label} | ${c.network} | ${l.name} | ${ml.tile_count} (${shape}) | ${ss.map((x) => `${x.passed}/${x.failed}`).join(' · ')} | ${l.sim_cycles.iverilog ?? '-'} | ${l.sim_cycles.verilator ?? '-'} | ${ml.schedule_cycles} | ${l.predicted_cycles} | ${l.error_pct}% | ${l.model_cycles ?? '-'} | ${l.model_error_pct ?? '-'}% | ${r.lint.warnings} |`,
      );
    }
    process.stderr.write(
      `${label} ${c.network}: ok=${r.ok}, ${hw.tiled ? 'tiled' : 'whole layers'}, ${hw.globalBufferUsed} of ${hw.globalBufferBytes} B (${hw.inputLanes.count} x ${hw.inputBankBytes} B input, ${hw.weightLanes.count} x ${hw.weightBankBytes} B weight banks, ${hw.maxChannels} records) (${secs} s)\n`,
    );
  }
  process.stdout.write(
    '| accelerator | network | layer | tiles (shape) | passed/failed (Icarus · Verilator) | Icarus cycles | Verilator cycles | schedule | predicted | error | cost model alone | model error | lint |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|---|---|\n');
  process.stdout.write(rows.join('\n') + '\n');
}
