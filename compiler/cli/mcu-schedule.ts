// `nacc mcu-schedule MODEL --target T --schedule layer|patch|auto`: MCUNetV2 patch-based
// schedule analysis of a .tflite model or a .nacc/.onnx network (peak SRAM, MAC overhead,
// trade-off table, per-layer memory SVG), and `--redistribute` for .nacc networks.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { D, fail } from '../diagnostics/index.ts';
import type { McuTarget } from '../ir/targets.ts';
import { graphFromNetwork, graphFromQModel, type PatchGraph } from '../mcu/patch/graph.ts';
import { decideSchedule, parseScheduleOptions, scheduleReportJson, scheduleSvg, tradeoffTable } from '../mcu/patch/report.ts';
import { programRules } from '../mcu/patch/compile.ts';
import { INPUT_MODES, type InputMode } from '../mcu/compile.ts';
import { redistribute, type RedistributionFigures } from '../mcu/patch/redistribute.ts';
import { resolveBoard } from '../mcu/targets.ts';
import { loadNetworks, selectNetworks } from './inspect.ts';
import { formatTable, thousands } from './table.ts';
import { PEAK_SRAM_DEFINITION, SHARED_DEFAULTS } from './options.ts';

export interface McuScheduleCliOptions {
  network?: string;
  target?: string;
  schedule?: string;
  patches?: string;
  split?: string;
  maxMacOverhead?: string;
  inputInSram?: boolean;
  input?: string;
  svg?: string;
  json?: boolean;
  redistribute?: boolean;
  targetStageOverhead?: string;
}

/** The patch graph of a model file (and the mcu targets it declares). */
export async function loadPatchGraph(file: string, network?: string): Promise<{ graph: PatchGraph; mcus: McuTarget[] }> {
  const ext = extname(file).toLowerCase();
  if (ext === '.tflite') {
    const { importTflite } = await import('../importers/tflite/index.ts');
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch {
      return fail(D.mcuModel, `cannot read ${file}`);
    }
    if (network) fail(D.mcuScheduleUsage, '--network applies to .nacc and .onnx files, not .tflite');
    return { graph: graphFromQModel(importTflite(bytes, file)), mcus: [] };
  }
  const { networks, program } = await loadNetworks(file);
  const nets = selectNetworks(networks, network, file);
  if (nets.length === 0) fail(D.mcuModel, `${file} declares no network`);
  if (nets.length > 1)
    fail(D.severalNetworks, `${file} has ${nets.length} networks (${nets.map((n) => n.name).join(', ')}); pick one with --network`);
  return { graph: graphFromNetwork(nets[0]), mcus: program?.mcus ?? [] };
}

export function registerMcuSchedule(program: Command): void {
  program
    .command('mcu-schedule <model>')
    .description('MCUNetV2 patch-based schedule of a .tflite/.nacc/.onnx model: peak SRAM, MAC overhead, trade-off table')
    .option('--network <name>', 'the network of a .nacc/.onnx file')
    .option('--target <mcu>', 'MCU target (its SRAM bounds the auto search): a .nacc mcu or stm32f412, stm32f746, stm32h743, mps2-an386')
    .option(
      '--schedule <kind>',
      'layer | patch | auto (auto: patch-based when it lowers peak SRAM within --max-mac-overhead)',
      SHARED_DEFAULTS.schedule,
    )
    .option('--patches <p>', 'patch grid p x p (with --schedule patch; default 4)')
    .option('--split <n>', 'ops (TFLite) or layers (.nacc) in the per-patch stage (with --schedule patch; default: lowest peak)')
    .option('--max-mac-overhead <f>', 'auto: largest extra MACs as a fraction of the network MACs', '0.15')
    .option(
      '--input <mode>',
      'patch-based: streamed (input fetched patch by patch, the default) or whole (the whole input in SRAM), as nacc mcu --input',
    )
    .option('--input-in-sram', 'the same as --input whole')
    .option(
      '--redistribute',
      ".nacc/.onnx networks: shrink the per-patch stage's receptive field, move capacity later (MbV2-RD); report before/after",
    )
    .option(
      '--target-stage-overhead <f>',
      'redistribution: shrink until the patch stage recomputes at most this fraction (uniform patches)',
      '0.2',
    )
    .option('--svg <file>', 'write the per-layer memory figure (layer-by-layer against patch-based)')
    .option(
      '--json',
      'print JSON: {"schedule":{"kind","split","patches","patch_input"},"mac_overhead","peak_sram_bytes","layer_peak_sram_bytes","macs","candidates":[...]}',
    )
    .action(async (file: string, o: McuScheduleCliOptions) => {
      if (o.redistribute) return runRedistribute(file, o);
      const sched = parseScheduleOptions(o);
      const { graph, mcus } = await loadPatchGraph(file, o.network);
      const board = o.target ? resolveBoard(o.target, mcus) : undefined;
      if (o.input !== undefined && !INPUT_MODES.includes(o.input as InputMode))
        fail(D.mcuScheduleUsage, `--input must be ${INPUT_MODES.join(' or ')}, not '${o.input}'`);
      // The rules of the program `nacc mcu` emits with the same options: one peak, one auto choice.
      const rules = programRules({ input: o.inputInSram ? 'whole' : (o.input as InputMode | undefined) });
      const d = decideSchedule(graph, { ...sched, sramBytes: board?.sramBytes, rules });
      const target = board ? { name: board.name, sramBytes: board.sramBytes } : undefined;
      if (o.svg) writeFileSync(o.svg, scheduleSvg(graph, d, board?.sramBytes));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(scheduleReportJson(graph, d, target), null, 2)}\n`);
        return;
      }
      const c = d.chosen;
      const out: string[] = [];
      const short = (name: string | null) => (name && name.length > 40 ? `${name.slice(0, 37)}...` : name);
      out.push(`model ${graph.name}${target ? ` on ${target.name} (${thousands(target.sramBytes)} B SRAM)` : ''}`);
      if (d.search) {
        const t = tradeoffTable(d);
        out.push(formatTable(t.headers, t.rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
        out.push(
          `(${d.search.candidates.length} patch schedules tried; the table shows layer-by-layer and the Pareto front of peak SRAM against MACs)`,
        );
      }
      out.push(
        `schedule: ${c.kind}${c.kind === 'patch' ? ` split ${c.split} (${short(c.cutTensor)} ${c.cutShape!.join('x')}), ${c.patches}x${c.patches} patches, input patch ${c.patchInput!.join('x')}` : ''}`,
      );
      out.push(
        `peak SRAM ${thousands(c.peakSramBytes)} B at ${c.peakNode} (layer-by-layer ${thousands(d.layer.peakSramBytes)} B); MACs ${thousands(c.macs)} (+${(c.macOverhead * 100).toFixed(1)}%)`,
      );
      out.push(`peak SRAM: ${PEAK_SRAM_DEFINITION}`);
      out.push(d.reason);
      if (o.svg) out.push(`wrote ${o.svg}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

const figRow = (what: string, f: RedistributionFigures) => [
  what,
  thousands(f.macs),
  `${f.patchInput[0]}x${f.patchInput[1]}`,
  `${(f.patchStageMacOverhead * 100).toFixed(1)}%`,
  `${(f.macOverhead * 100).toFixed(1)}%`,
  (f.layerPeakSramBytes / 1024).toFixed(1),
  (f.patchPeakSramBytes / 1024).toFixed(1),
];

const figJson = (f: RedistributionFigures) => ({
  macs: f.macs,
  split: f.split,
  patch_input: f.patchInput,
  patch_stage_mac_overhead_uniform: Number(f.patchStageMacOverhead.toFixed(6)),
  patch_stage_mac_overhead: Number(f.patchStageMacOverheadClipped.toFixed(6)),
  mac_overhead: Number(f.macOverhead.toFixed(6)),
  layer_peak_sram_bytes: f.layerPeakSramBytes,
  patch_peak_sram_bytes: f.patchPeakSramBytes,
});

async function runRedistribute(file: string, o: McuScheduleCliOptions): Promise<void> {
  if (extname(file).toLowerCase() === '.tflite')
    fail(D.redistribute, '--redistribute transforms .nacc/.onnx networks; a .tflite model has trained weights to keep');
  const { networks } = await loadNetworks(file);
  const nets = selectNetworks(networks, o.network, file);
  if (nets.length !== 1) fail(D.mcuScheduleUsage, `${file} has ${nets.length} networks; pick one with --network`);
  const net = nets[0];
  const graph = graphFromNetwork(net);
  const sched = parseScheduleOptions({
    schedule: o.split ? 'patch' : 'auto',
    patches: o.split ? (o.patches ?? '4') : undefined,
    split: o.split,
    maxMacOverhead: o.maxMacOverhead,
  });
  // Redistribute around the patch schedule the network would get (or the one asked for).
  const patches = o.patches ? Number(o.patches) : undefined;
  const d = decideSchedule(graph, patches && !o.split ? { schedule: 'patch', patches } : sched);
  if (d.chosen.kind !== 'patch') fail(D.redistribute, `${net.name}: no patch schedule to redistribute around (${d.reason})`);
  const target = Number(o.targetStageOverhead ?? '0.2');
  if (!Number.isFinite(target) || target < 0)
    fail(D.mcuScheduleUsage, `--target-stage-overhead must be a fraction >= 0, not '${o.targetStageOverhead}'`);
  const r = redistribute(net, { splitLayer: d.chosen.cutTensor!, patches: d.chosen.patches!, targetStageOverhead: target });
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          redistribution: {
            network: net.name,
            result: r.network.name,
            split_layer: d.chosen.cutTensor,
            patches: d.chosen.patches,
            before: figJson(r.before),
            after: figJson(r.after),
            actions: r.actions,
            layers: r.network.layers.map((l) => ({
              name: l.name,
              op: l.op,
              output_shape: l.output.shape,
              ...(l.attrs.kernel !== undefined ? { kernel: l.attrs.kernel } : {}),
            })),
          },
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const out = [`redistribution of ${net.name} around ${d.chosen.cutTensor} (${d.chosen.patches}x${d.chosen.patches} patches)`];
  out.push(
    formatTable(
      ['', 'MACs', 'patch in', 'stage MAC +', 'net MAC +', 'layer peak kB', 'patch peak kB'],
      [figRow('before', r.before), figRow('after', r.after)],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push(...r.actions.map((a) => `  - ${a}`));
  process.stdout.write(`${out.join('\n')}\n`);
}
