// Any model the MCU backend accepts, as a quantised graph: a .tflite file directly, a .nacc
// network or an ONNX model through seeded calibration (compiler/mcu/calibrate.ts).
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { D, ExitCode, fail, pickDeclared } from '../diagnostics/index.ts';
import { importTflite } from '../importers/tflite/index.ts';
import type { QModel } from '../ir/quantized.ts';
import type { McuTarget } from '../ir/targets.ts';
import type { Network } from '../ir/network.ts';
import { quantizeNetwork } from './calibrate.ts';
import type { McuSourceRef } from './compile.ts';

export interface LoadedModel {
  model: QModel;
  ref: McuSourceRef;
  /** MCU targets declared in the file (.nacc only). */
  mcus: McuTarget[];
}

export const DEFAULT_CALIBRATION_SEED = 1;

export async function loadQModel(file: string, opts: { network?: string; seed?: number } = {}): Promise<LoadedModel> {
  const path = resolve(file);
  const ext = extname(file).toLowerCase();
  let bytes: Uint8Array;
  if (ext === '.tflite') {
    try {
      bytes = readFileSync(path);
    } catch {
      return fail(D.mcuModel, `cannot read ${file}`);
    }
    return { model: importTflite(bytes, file), ref: { path, kind: 'tflite' }, mcus: [] };
  }
  if (ext === '.nacc' || ext === '.onnx') {
    const seed = opts.seed ?? DEFAULT_CALIBRATION_SEED;
    let networks: Network[];
    let mcus: McuTarget[] = [];
    if (ext === '.onnx') {
      const { importOnnx } = await import('../importers/onnx/index.ts');
      networks = [importOnnx(file)];
    } else {
      const { loadProgram } = await import('../frontend/index.ts');
      const program = loadProgram(file);
      networks = program.networks;
      mcus = program.mcus;
    }
    if (networks.length === 0) fail(D.mcuModel, `${file} declares no network`);
    let net = networks[0];
    if (opts.network) {
      net = pickDeclared('network', opts.network, networks, file);
    } else if (networks.length > 1) {
      fail(
        D.severalNetworks,
        `${file} has ${networks.length} networks (${networks.map((n) => n.name).join(', ')}); choose one with --network`,
      );
    }
    return {
      model: quantizeNetwork(net, { seed, source: file }),
      ref: { path, kind: ext === '.onnx' ? 'onnx' : 'nacc', network: net.name, seed },
      mcus,
    };
  }
  return fail(D.mcuModel, `${file}: the MCU backend reads .tflite, .nacc or .onnx models`, undefined, ExitCode.usage);
}
