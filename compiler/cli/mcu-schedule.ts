// `nacc mcu-schedule MODEL --target T --schedule layer|patch|auto`: MCUNetV2 patch-based
// schedule analysis of a .tflite model or a .nacc/.onnx network (peak SRAM, MAC overhead,
// trade-off table, per-layer memory SVG), and `--redistribute` for .nacc networks.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ExitCode, fail } from '../diagnostics/index.ts';
import type { McuTarget } from '../ir/targets.ts';
import { graphFromNetwork, graphFromQModel, type PatchGraph } from '../mcu/patch/graph.ts';
import { decideSchedule, parseScheduleOptions, scheduleReportJson, scheduleSvg, tradeoffTable } from '../mcu/patch/report.ts';
import { DEFAULT_RULES } from '../mcu/patch/schedule.ts';
import { resolveBoard } from '../mcu/targets.ts';
import { loadNetworks, selectNetworks } from './inspect.ts';
import { formatTable, thousands } from './table.ts';

export interface McuScheduleCliOptions {
  network?: string;
  target?: string;
  schedule?: string;
  patches?: string;
  split?: string;
  maxMacOverhead?: string;
  inputInSram?: boolean;
  svg?: string;
  json?: boolean;
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
      return fail('E0783', `cannot read ${file}`);
    }
    if (network) fail('E0780', '--network applies to .nacc and .onnx files, not .tflite', undefined, ExitCode.usage);
    return { graph: graphFromQModel(importTflite(bytes, file)), mcus: [] };
  }
  const { networks, program } = await loadNetworks(file);
  const nets = selectNetworks(networks, network, file);
  if (nets.length === 0) fail('E0783', `${file} declares no network`);
  if (nets.length > 1) fail('E0780', `${file} has ${nets.length} networks (${nets.map((n) => n.name).join(', ')}); pick one with --network`, undefined, ExitCode.usage);
  return { graph: graphFromNetwork(nets[0]), mcus: program?.mcus ?? [] };
}

export function registerMcuSchedule(program: Command): void {
  program
    .command('mcu-schedule <model>')
    .description('MCUNetV2 patch-based schedule of a .tflite/.nacc/.onnx model: peak SRAM, MAC overhead, trade-off table')
    .option('--network <name>', 'the network of a .nacc/.onnx file')
    .option('--target <mcu>', 'MCU target (its SRAM bounds the auto search): a .nacc mcu or stm32f412, stm32f746, stm32h743, mps2-an386')
    .option('--schedule <kind>', 'layer | patch | auto', 'auto')
    .option('--patches <p>', 'patch grid p x p (with --schedule patch; default 4)')
    .option('--split <n>', 'ops (TFLite) or layers (.nacc) in the per-patch stage (with --schedule patch; default: lowest peak)')
    .option('--max-mac-overhead <f>', 'auto: largest extra MACs as a fraction of the network MACs', '0.15')
    .option('--input-in-sram', 'count the whole model input in SRAM for patch-based runs (default: fetched patch by patch)')
    .option('--svg <file>', 'write the per-layer memory figure (layer-by-layer against patch-based)')
    .option('--json', 'print JSON: {"schedule":{"kind","split","patches","patch_input"},"mac_overhead","peak_sram_bytes","layer_peak_sram_bytes","macs","candidates":[...]}')
    .action(async (file: string, o: McuScheduleCliOptions) => {
      const sched = parseScheduleOptions(o);
      const { graph, mcus } = await loadPatchGraph(file, o.network);
      const board = o.target ? resolveBoard(o.target, mcus) : undefined;
      const rules = { ...DEFAULT_RULES, streamInput: !o.inputInSram };
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
        out.push(`(${d.search.candidates.length} patch schedules tried; the table shows layer-by-layer and the Pareto front of peak SRAM against MACs)`);
      }
      out.push(
        `schedule: ${c.kind}${c.kind === 'patch' ? ` split ${c.split} (${short(c.cutTensor)} ${c.cutShape!.join('x')}), ${c.patches}x${c.patches} patches, input patch ${c.patchInput!.join('x')}` : ''}`,
      );
      out.push(`peak SRAM ${thousands(c.peakSramBytes)} B at ${c.peakNode} (layer-by-layer ${thousands(d.layer.peakSramBytes)} B); MACs ${thousands(c.macs)} (+${(c.macOverhead * 100).toFixed(1)}%)`);
      out.push(d.reason);
      if (o.svg) out.push(`wrote ${o.svg}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
