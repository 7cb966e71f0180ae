// `nacc inspect FILE`: per-layer table (or JSON) of every network in a .nacc, .onnx or .tflite
// file; the format is checked from the content (model-file.ts), so a binary is never read as text.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { analyzeNetwork, type NetworkStats } from '../analysis/analyze.ts';
import { analyzeQModel, type QModelInspection } from '../analysis/qmodel-stats.ts';
import { D, fail, pickDeclared, unknownDeclaration } from '../diagnostics/index.ts';
import { modelFormat } from './model-file.ts';
import { loadProgram } from '../frontend/index.ts';
import type { Network } from '../ir/network.ts';
import type { Program } from '../ir/program.ts';
import { formatTable, thousands } from './table.ts';
import { programIrJson, programIrText } from '../report/ir-text.ts';
import { watchFiles } from './progress.ts';

export interface InspectOptions {
  network?: string;
  json?: boolean;
  /** Print the lowered IR instead of the per-layer table. */
  printIr?: boolean;
  /** Re-run whenever the file changes. */
  watch?: boolean;
}

/** Networks of a .nacc or .onnx file (a .tflite model is a quantised graph: see loadInspection). */
export async function loadNetworks(file: string): Promise<{ networks: Network[]; program?: Program }> {
  const format = modelFormat(file);
  if (format === 'onnx') {
    const { importOnnx } = await import('../importers/onnx/index.ts');
    return { networks: [importOnnx(file)] };
  }
  if (format === 'tflite' || format === 'maestro')
    fail(
      D.unreadableFormat,
      `${file}: a ${format === 'tflite' ? '.tflite' : 'MAESTRO'} model has no .nacc networks here; this reads .nacc or .onnx`,
    );
  const program = loadProgram(file);
  return { networks: program.networks, program };
}

/** A MAESTRO model's figures: each layer's loop nest (MACs, weights, outputs). */
async function inspectMaestro(file: string, network: string | undefined): Promise<QModelInspection> {
  const { parseMaestroModel } = await import('../importers/maestro/parse.ts');
  const { analyzeMaestro } = await import('../analysis/maestro-stats.ts');
  const q = analyzeMaestro(parseMaestroModel(readFileSync(file, 'utf8'), file));
  if (network !== undefined && network !== q.stats.name) unknownDeclaration('network', network, [q.stats.name], file);
  return q;
}

/** A TFLite model's figures (inspect's table and JSON for a quantised graph). */
async function inspectTflite(file: string, network: string | undefined): Promise<QModelInspection> {
  const { importTflite } = await import('../importers/tflite/index.ts');
  const q = analyzeQModel(importTflite(readFileSync(file), file));
  if (network !== undefined && network !== q.stats.name) unknownDeclaration('network', network, [q.stats.name], file);
  return q;
}

export function selectNetworks(networks: Network[], wanted: string | undefined, file: string): Network[] {
  if (!wanted) return networks;
  const names = wanted.split(',').map((s) => s.trim());
  return names.map((n) => pickDeclared('network', n, networks, file));
}

/** The stable JSON schema of `nacc inspect --json` (documented in the README). */
export function inspectJson(stats: NetworkStats[], networks: Network[]) {
  return inspectionJson(
    stats.map((s, i) => ({
      stats: s,
      inputs: networks[i].inputs.map((x) => ({ name: x.name, kind: x.type.kind, dtype: x.type.dtype, shape: x.type.shape })),
      outputs: networks[i].outputs,
    })),
  );
}

function inspectionJson(items: QModelInspection[]) {
  return {
    networks: items.map(({ stats: s, inputs, outputs }) => ({
      name: s.name,
      inputs,
      outputs,
      layers: s.layers.map((l) => ({
        name: l.name,
        op: l.op,
        ...(l.origin ? { origin: l.origin } : {}),
        inputs: l.inputs,
        output_shape: l.outputShape,
        output_kind: l.outputKind,
        ...(l.estimated ? { estimated: true } : {}),
        macs: l.macs,
        params: l.params,
        activation_bytes: l.activationBytes,
        receptive_field: l.receptiveField,
        live_bytes: l.liveBytes,
      })),
      totals: {
        macs: s.totals.macs,
        params: s.totals.params,
        activation_bytes: s.totals.activationBytes,
        peak_activation_bytes: s.totals.peakActivationBytes,
        peak_layer: s.totals.peakLayer,
      },
    })),
  };
}

export function inspectText(stats: NetworkStats[]): string {
  const out: string[] = [];
  for (const s of stats) {
    out.push(`network ${s.name}`);
    out.push(
      formatTable(
        ['layer', 'op', 'output', 'MACs', 'params', 'act bytes', 'RF'],
        s.layers.map((l) => [
          // TFLite converters join every fused op's name with ';': the first names the layer (JSON keeps them all).
          l.name.includes(';') ? `${l.name.split(';')[0]};…` : l.name,
          l.origin ? `${l.op} (${l.origin})` : l.op,
          `${l.outputShape.join('x')}${l.estimated ? ' (est.)' : ''}`,
          thousands(l.macs),
          thousands(l.params),
          thousands(l.activationBytes),
          l.receptiveField ? `${l.receptiveField[0]}x${l.receptiveField[1]}` : '-',
        ]),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push(
      `total: ${thousands(s.totals.macs)} MACs, ${thousands(s.totals.params)} params, peak activation memory ${thousands(s.totals.peakActivationBytes)} B (at ${s.totals.peakLayer || '-'}), layer-by-layer`,
    );
    out.push('');
  }
  return out.join('\n');
}

export function registerInspect(program: Command): void {
  program
    .command('inspect <file>')
    .description('parse a .nacc, .onnx, .tflite or MAESTRO .m file and print each network layer by layer')
    .option('--network <name>', 'only this network (comma-separated for several)')
    .option(
      '--json',
      'print JSON: {"networks":[{"name","layers":[{"name","op","output_shape","macs","params","activation_bytes"}],"totals":{"macs","params"}}]}',
    )
    .option('--print-ir', 'print the lowered IR, one primitive layer per line (with --json: the IR as JSON)')
    .option('--watch', 're-run whenever the file changes (Ctrl-C to stop)')
    .action(async (file: string, opts: InspectOptions) => {
      const once = async () => {
        const format = modelFormat(file);
        if (format === 'tflite' || format === 'maestro') {
          if (opts.printIr)
            fail(
              D.unreadableFormat,
              `--print-ir prints the IR of .nacc and .onnx networks; ${file} is a ${format === 'tflite' ? 'TFLite' : 'MAESTRO'} model (drop --print-ir)`,
            );
          const q = format === 'tflite' ? await inspectTflite(file, opts.network) : await inspectMaestro(file, opts.network);
          process.stdout.write(opts.json ? JSON.stringify(inspectionJson([q]), null, 2) + '\n' : inspectText([q.stats]));
          return;
        }
        const { networks, program: prog } = await loadNetworks(file);
        const selected = selectNetworks(networks, opts.network, file);
        if (opts.printIr) {
          const ir = { ...(prog ?? {}), networks: selected };
          process.stdout.write(opts.json ? JSON.stringify(programIrJson(ir), null, 2) + '\n' : programIrText(ir));
          return;
        }
        const stats = selected.map(analyzeNetwork);
        if (opts.json) process.stdout.write(JSON.stringify(inspectJson(stats, selected), null, 2) + '\n');
        else process.stdout.write(inspectText(stats) + (selected.length === 0 ? 'no networks\n' : ''));
      };
      if (opts.watch) await watchFiles({ files: [file], run: once });
      else await once();
    });
}
