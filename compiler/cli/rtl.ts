// `nacc rtl FILE --accelerator A --network N [--layer L] --out DIR [--synth]`: Verilog for an
// accelerator, per-layer programs and golden vectors, a self-checking bench; optionally yosys
// cell counts and an area estimate. The generator is compiler/rtl/accelerator/ (pure); I/O here.
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { D, UserError, fail, pickDeclared } from '../diagnostics/index.ts';
import { invocation, nextStep, parseSeed } from './options.ts';
import { RUN_MANIFEST, VERIFY_RESULT, writeRunManifest } from '../report/run-manifest.ts';
import { loadPrograms } from '../frontend/index.ts';
import { generateAccelerator, parseOrder, moduleNames, type ForcedTile, type GeneratedAccelerator } from '../rtl/accelerator/index.ts';
import { runYosys, type SynthResult } from '../../testbench/sim/sim.ts';
import { formatTable, thousands } from './table.ts';
import { shellWord } from '../util/names.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { SEARCHED_ACCELERATOR, mapperLayers, readSearchedLayers, searchFolderDesign } from './rtl-from.ts';
import { networkProgram } from '../rtl/network/program.ts';

/** What `nacc rtl` writes in its folder (and `nacc verify` builds there); a re-run replaces these and keeps the rest. */
const RTL_OWNED = ['rtl', 'tb', 'layers', 'network', 'build', 'manifest.json', 'synth.log', RUN_MANIFEST, VERIFY_RESULT];

/** Rough area of SRAM macros per bit, in NAND2 gate equivalents (6T cell plus periphery). */
export const SRAM_GE_PER_BIT = 0.35;

export interface SynthReport {
  top: string;
  cells: number;
  cell_types: Record<string, number>;
  /** Global-buffer banks are kept as macros (blackboxes); their cells are counted in `cells` as one each. */
  sram_macros: number;
  sram_bits: number;
  area: { logic_ge: number; sram_ge: number; total_ge: number; note: string };
}

export async function synthesise(dir: string, g: GeneratedAccelerator): Promise<SynthReport> {
  const names = moduleNames(g.hardware);
  const macros = [names.sramInput, names.sramWeight, names.sramQparam];
  const macroFiles = macros.map((m) => `rtl/${m}.v`);
  const logic = g.manifest.designFiles.filter((f) => !macroFiles.includes(f));
  const r: SynthResult = await runYosys(logic, names.top, { cwd: dir, blackbox: macroFiles });
  writeFileSync(join(dir, 'synth.log'), r.log);
  const hw = g.hardware;
  const sramBits = 8 * (hw.inputBankBytes * hw.inputLanes.count + hw.weightBankBytes * hw.weightLanes.count + hw.maxChannels * 16);
  const sramGe = Math.round(sramBits * SRAM_GE_PER_BIT);
  const sramMacros = macros.reduce((s, m) => s + (r.cellTypes[m] ?? 0), 0);
  return {
    top: names.top,
    cells: r.cells,
    cell_types: r.cellTypes,
    sram_macros: sramMacros,
    sram_bits: sramBits,
    area: {
      logic_ge: r.logicGateEquivalents,
      sram_ge: sramGe,
      total_ge: r.logicGateEquivalents + sramGe,
      note: `NAND2 gate equivalents: yosys generic cells weighted by typical standard-cell sizes (flip-flop 4.67), SRAM at ${SRAM_GE_PER_BIT} GE/bit`,
    },
  };
}

/** `--tile KxQ[xP]`: at most K output channels, Q output rows (and P output columns) per tile; any may be left out. */
export function parseTile(text: string): ForcedTile {
  const m = /^\s*(\d*)\s*x\s*(\d*)\s*(?:x\s*(\d*)\s*)?$/i.exec(text);
  const num = (v: string | undefined) => (v ? Number(v) : undefined);
  const [kc, qc, pc] = [num(m?.[1]), num(m?.[2]), num(m?.[3])];
  if (!m || (kc === undefined && qc === undefined && pc === undefined) || kc === 0 || qc === 0 || pc === 0) {
    fail(
      D.rtlTileOption,
      `--tile must be KxQ or KxQxP with positive output channels, rows and columns per tile (e.g. 8x4, 8x, x4, 8x4x8), got '${text}'`,
    );
  }
  return { ...(kc !== undefined ? { kc } : {}), ...(qc !== undefined ? { qc } : {}), ...(pc !== undefined ? { pc } : {}) };
}

interface RtlOpts {
  with?: string[];
  from?: string;
  accelerator?: string;
  network: string;
  layer?: string[];
  out?: string;
  seed: string;
  order?: string;
  tile?: string;
  singleBuffer?: boolean;
  synth?: boolean;
  json?: boolean;
}

export function registerRtl(program: Command): void {
  program
    .command('rtl <file>')
    .description('generate Verilog for an accelerator running a network, with per-layer programs and a self-checking testbench')
    .option('--accelerator <name>', `accelerator block in FILE (with --from: ${SEARCHED_ACCELERATOR}, the searched design)`)
    .option(
      '--from <dir>',
      'a folder written by `nacc search --out`: its design, and every layer programmed with the loop nest the search chose (DRAM tiles, loop order and bounds, spatial factors), where the hardware can run it',
    )
    .requiredOption('--network <name>', 'network in FILE')
    .option(
      '--with <files...>',
      'more .nacc files providing networks or accelerators (e.g. the design.nacc that `nacc search --out` wrote)',
    )
    .option('--layer <names...>', 'layers to program (default: every conv2d, dwconv2d and dense layer); comma-separated or repeated')
    .option('--out <dir>', 'output folder (default rtl-out/<accelerator>-<network>)')
    .option('--seed <n>', 'seed of the random test vectors', '1')
    .option('--order <dims>', 'loop order of every layer, outermost first (default KPQCRS)')
    .option(
      '--tile <KxQ[xP]>',
      'run every layer as tiles of at most K output channels x Q output rows (x P output columns) (e.g. 8x4, 8x, x4, 8x4x8); default: whole layers when they fit the global buffer, else the tiling with the fewest estimated cycles',
    )
    .option(
      '--single-buffer',
      'single-buffered global buffer (a tile loads, then computes); default: double-buffered when the layers run as tiles and those fit with the banks doubled',
    )
    .option('--synth', 'also run yosys (synth; stat) and report cells and an area estimate')
    .option('--json', 'print JSON: {"out","top","files","hardware","layers":[{"name","predicted_cycles",...}],"synth"?}')
    .action(async (file: string, opts: RtlOpts) => {
      const seed = parseSeed(opts.seed);
      if (!opts.accelerator && !opts.from)
        fail(D.rtlNeedsAccelerator, 'nacc rtl needs --accelerator NAME or --from DIR (a `nacc search --out` folder)');
      const accelerator = opts.accelerator ?? SEARCHED_ACCELERATOR;
      const prog = loadPrograms([file, ...(opts.from ? [searchFolderDesign(opts.from)] : []), ...(opts.with ?? [])]);
      const spec = pickDeclared('accelerator', accelerator, prog.accelerators, file);
      const net = pickDeclared('network', opts.network, prog.networks, file);
      const layers = opts.layer
        ?.flatMap((l) => l.split(','))
        .map((l) => l.trim())
        .filter(Boolean);
      const fromSearch = opts.from ? readSearchedLayers(opts.from, spec, net, layers) : undefined;
      // Layers without a (runnable) searched mapping get the mapper's best mapping under the same
      // predicate, unless --order or --tile asks for the planner's programs.
      const mapperWanted = !opts.order && !opts.tile;
      const unsearched = fromSearch ? [...fromSearch.missing, ...Object.keys(fromSearch.notReplayed)] : undefined;
      // The buffer: single when asked; double for a search's mappings (the search sized them for
      // halved banks); else whichever the mapper's mappings are better on (rtl-from.ts, Buffering).
      const buffering = opts.singleBuffer ? 'single' : fromSearch ? 'double' : 'best';
      const mapped =
        mapperWanted && (!unsearched || unsearched.length)
          ? await mapperLayers(spec, net, unsearched ?? layers, seed, undefined, buffering)
          : undefined;
      const searched = { ...(mapped?.searched ?? {}), ...(fromSearch?.searched ?? {}) };
      const sources = Object.fromEntries(
        Object.keys(searched).map((n) => [n, fromSearch?.searched[n] ? ('search' as const) : ('mapper' as const)]),
      );
      // Never silently run a different mapping: say which layers do not replay the search, and why, and what they run instead.
      const instead = (name: string) => (sources[name] === 'mapper' ? "the mapper's best mapping for it" : "the planner's program");
      for (const [name, issues] of Object.entries(fromSearch?.notReplayed ?? {}))
        process.stderr.write(
          `warning: layer '${name}': the searched mapping cannot run on '${spec.name}' (${issues.join('; ')}); it runs ${instead(name)}\n`,
        );
      for (const name of fromSearch?.missing ?? [])
        process.stderr.write(`warning: layer '${name}': ${opts.from} has no mapping for it; it runs ${instead(name)}\n`);
      if (mapped?.reason) process.stderr.write(`warning: ${mapped.reason}; those layers run the planner's program\n`);
      for (const [name, issues] of Object.entries(mapped?.notReplayed ?? {}))
        if (!fromSearch?.notReplayed[name])
          process.stderr.write(
            `warning: layer '${name}': the mapper's mapping cannot run on '${spec.name}' (${issues.join('; ')}); it runs the planner's program\n`,
          );
      const g = generateAccelerator(spec, net, {
        seed,
        layers,
        order: opts.order ? parseOrder(opts.order) : undefined,
        tile: opts.tile ? parseTile(opts.tile) : undefined,
        searched,
        mappingSources: sources,
        notReplayed: fromSearch?.notReplayed,
        ...(opts.singleBuffer || mapped?.doubleBuffer === false ? { doubleBuffer: false } : {}),
      });
      // Every layer programmed (no --layer): also the whole network in one simulation (`nacc verify DIR --network`).
      // A network the int8 reference cannot quantise still gets its per-layer programs, with a warning.
      if (!layers?.length) {
        try {
          g.files.push(...networkProgram(g, net, seed).files);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          process.stderr.write(
            `warning: network '${net.name}' cannot run as a whole in one simulation (${e.message}); only its per-layer programs are written\n`,
          );
        }
      }
      const out = opts.out ?? join('rtl-out', `${spec.name}-${net.name}`);
      // The folder appears only when complete; only what the generator owns is replaced, anything else in it is carried over.
      const synth = await writeOutputDir(
        out,
        async (dir) => {
          for (const f of g.files) {
            mkdirSync(dirname(join(dir, f.path)), { recursive: true });
            writeFileSync(join(dir, f.path), f.text);
          }
          writeRunManifest(dir, { kind: 'rtl', title: `RTL: ${spec.name} running ${net.name}`, command: invocation() });
          return opts.synth ? await synthesise(dir, g) : undefined;
        },
        { carryOver: (name) => !RTL_OWNED.includes(name) },
      );
      const hw = g.hardware;
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            {
              out,
              top: g.manifest.top,
              testbench: g.manifest.testbench,
              files: g.files.filter((f) => !f.path.startsWith('layers/') && !f.path.startsWith('network/')).map((f) => f.path),
              hardware: hw,
              layers: g.manifest.layers,
              predicted_cycles: g.manifest.layers.every((l) => l.predicted_cycles !== null)
                ? g.manifest.layers.reduce((s, l) => s + l.predicted_cycles!, 0)
                : null,
              ...(synth ? { synth } : {}),
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      process.stdout.write(
        `${spec.name}: ${hw.axes.map((a) => `${a.size}${a.dim}`).join(' x ')} = ${hw.peCount} PEs, ${hw.weightLanes.count} weight lanes, ${hw.inputLanes.count} input lanes, ` +
          `${hw.outputLanes.count} output lanes x ${hw.reductionLanes.count}-way reduction, ${hw.rfDepth}-entry RF, ` +
          `${thousands(hw.globalBufferUsed)} of ${thousands(hw.globalBufferBytes)} B global buffer${hw.tiled ? ` (banks sized by the largest tile${hw.doubleBuffer ? ', double-buffered: two halves each' : ''})` : ''}, ${hw.dramBeatBytes} B DRAM beats\n`,
      );
      process.stdout.write(
        formatTable(
          [
            'layer',
            'op',
            'K C P Q R S',
            'order',
            'mapping',
            'tiles',
            'MACs',
            'utilisation',
            'schedule cycles',
            'cost model',
            'predicted cycles',
          ],
          g.manifest.layers.map((l) => [
            l.name,
            l.op,
            `${l.bounds.K} ${l.bounds.C} ${l.bounds.P} ${l.bounds.Q} ${l.bounds.R} ${l.bounds.S}`,
            l.order.join(''),
            l.mapping_source,
            l.tile_count === 1
              ? '1'
              : `${l.tile_count} (${l.tiles[0].kc}K x ${l.tiles[0].qc}Q${l.tiles[0].pc < l.bounds.P ? ` x ${l.tiles[0].pc}P` : ''})`,
            thousands(l.macs),
            `${(l.predicted.utilisation * 100).toFixed(0)}%`,
            thousands(l.schedule_cycles),
            l.model_cycles === null ? '-' : thousands(l.model_cycles),
            l.predicted_cycles === null ? '-' : thousands(l.predicted_cycles),
          ]),
          ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
        ) + '\n',
      );
      if (synth) {
        process.stdout.write(
          `yosys: ${thousands(synth.cells)} cells (${synth.sram_macros} SRAM macros, ${thousands(synth.sram_bits)} bits); area ≈ ${thousands(synth.area.total_ge)} GE ` +
            `(logic ${thousands(synth.area.logic_ge)}, SRAM ${thousands(synth.area.sram_ge)})\n`,
        );
      }
      process.stdout.write(`wrote ${out}\n`);
      nextStep(`nacc verify ${shellWord(out)} --sim both`);
    });
}
