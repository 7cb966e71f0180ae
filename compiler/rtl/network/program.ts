// A whole network on one generated accelerator: every op in order, its activations in one DRAM
// image (a region per tensor, the weights and requantisation records of every layer), each
// conv/depthwise/dense layer's programs relocated to its input and output regions, and the
// int8 reference's output of every step. Pure: returns the files of the folder's `network/`.
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { D, fail } from '../../diagnostics/index.ts';
import type { Network } from '../../ir/network.ts';
import { QPARAM_BYTES } from '../accelerator/hardware.ts';
import { weightImage } from '../accelerator/golden.ts';
import type { GeneratedAccelerator, GeneratedFile, LayerProgram } from '../accelerator/index.ts';
import { moduleNames } from '../accelerator/index.ts';
import { CONFIG_FIELDS, configWords } from '../accelerator/mapping.ts';
import { creditCap } from '../accelerator/schedule.ts';
import type { TileLoad } from '../accelerator/tiling.ts';
import { clog2, emitDesign, type Module } from '../verilog/index.ts';
import { topModule } from '../accelerator/top.ts';
import { PP_FIELDS, mbqmModule, ppuModule, ppuNames, ppuWords, systemModule } from './post-process.ts';
import { ppuCycles, ppuPlan } from './post-process-program.ts';
import { hexLines } from '../../../testbench/rtl/vectors.ts';
import { verilogComment } from '../../util/names.ts';
import { projectUrl } from '../../util/project-paths.ts';
import { acceleratorOpData, networkReference, type NetworkReference } from './reference.ts';

/** Where a step runs: on the generated design, or outside it (its time is not accelerator time). */
export type StepEngine = 'accelerator' | 'host';
/** The unit of the design that runs an accelerator step: the conv engine, or the post-processing unit. */
export type StepUnit = 'conv' | 'post-process';

export interface NetworkStep {
  /** The op's output tensor (the layer's name). */
  name: string;
  /** The quantised op (TFLite kind: CONV_2D, ADD, MAX_POOL_2D, ...). */
  op: string;
  runs_on: StepEngine;
  unit?: StepUnit;
  /** Byte address and size of the output region in the DRAM image. */
  out_base: number;
  out_bytes: number;
  /** Offset of the reference output in expected.hex. */
  expected_offset: number;
  /** Accelerator steps: the first configuration word in config.hex and the conv engine's programs (a PPU step: 1). */
  first_word?: number;
  programs?: number;
  /** The cost model's cycles for the layer's programs (the per-layer manifest's model_cycles; a PPU step: its cycle model), or null with the reason. */
  model_cycles: number | null;
  /** Where model_cycles comes from: the NAAS cost model on the generated architecture, or the PPU's cycle model. */
  model_source?: 'naas-model' | 'ppu-model';
  model_reason?: string;
  /** The RTL's own schedule formula for the step (a check of the RTL, not a prediction). */
  schedule_cycles?: number;
  /** Accelerator steps: byte addresses of the layer's weights and requantisation records in the DRAM image. */
  weights_base?: number;
  records_base?: number;
  /** Bytes the step's programs read from and write to DRAM. */
  dram_bytes?: number;
  macs?: number;
}

export interface NetworkManifest {
  kind: 'accelerator-network';
  accelerator: string;
  network: string;
  seed: number;
  testbench: string;
  benchFile: string;
  /** The network design's top (the conv engine and the PPU) and the files it adds to the per-layer design. */
  top: string;
  designFiles: string[];
  /** Folder (relative to the design folder) the bench runs in. */
  dir: string;
  dram_bytes: number;
  steps: NetworkStep[];
  /** The network's outputs, compared again after the last step (index into steps). */
  outputs: { name: string; step: number }[];
}

const TEMPLATE = projectUrl('testbench/rtl/network_tb.v.hbs');
const ALIGN = 16;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
/** Step kinds in steps.hex. */
const KIND = { conv: 0, host: 1, check: 2, ppu: 3 } as const;
/** Bytes of an activation region the bench has not written yet: not a plausible all-zero output. */
const POISON = 0x5a;

/** The accelerator's loads of one tile moved from the per-layer image (input at 0) to the network image. */
function relocate(
  load: TileLoad,
  layer: LayerProgram,
  beat: number,
  at: { input: number; weights: number; records: number; output: number },
): TileLoad {
  const m = layer.memory;
  return {
    ...load,
    inDramByte: load.inDramByte + at.input,
    wDramBeat: load.wDramBeat - m.inBeats + at.weights / beat,
    qDramBeat: load.qDramBeat - m.inBeats - m.wBeats + at.records / beat,
    outBase: load.outBase - m.outBase + at.output,
  };
}

/**
 * The `network/` folder of a design: the whole network (every op in order) on the design `g`
 * was generated with for every conv/depthwise/dense layer of `net` (no `--layer` subset).
 */
export function networkProgram(
  g: GeneratedAccelerator,
  net: Network,
  seed: number,
  ref: NetworkReference = networkReference(net, seed),
): { files: GeneratedFile[]; manifest: NetworkManifest } {
  const hw = g.hardware;
  const beat = hw.dramBeatBytes;
  const { model } = ref;
  const programs = new Map(g.programs.map((p) => [p.name, p]));
  // DRAM regions: tensors first (the input holds its value, the rest poison), then each layer's weights and records.
  const region = new Map<number, number>();
  let top = 0;
  const place = (bytes: number) => {
    const at = top;
    top = align(top + Math.max(1, bytes));
    return at;
  };
  const tensorBytes = (id: number) => model.tensors[id].shape.reduce((a, b) => a * b, 1);
  region.set(ref.inputTensor, place(tensorBytes(ref.inputTensor)));
  const steps: NetworkStep[] = [];
  const words: number[] = [];
  const expected: Uint8Array[] = [];
  let expectedBytes = 0;
  const blobs: { at: number; bytes: Uint8Array }[] = [];
  const inputValue = ref.values.get(ref.inputTensor)!;
  blobs.push({ at: region.get(ref.inputTensor)!, bytes: new Uint8Array(inputValue.buffer, inputValue.byteOffset, inputValue.length) });
  const timeouts: number[] = [];
  let ppuChannels = 1;
  for (const op of model.ops) {
    const outId = op.outputs[0];
    const outT = model.tensors[outId];
    if (outT.dtype !== 'int8') continue; // a float output (DEQUANTIZE) is the host's view of an int8 tensor
    if (op.kind === 'QUANTIZE' && op.inputs[0] === model.inputs[0] && outId === ref.inputTensor) continue;
    if (op.kind === 'RESHAPE') {
      // Same bytes in the same order (HWC): the output is the input's region.
      region.set(outId, region.get(op.inputs[0])!);
      continue;
    }
    const value = ref.values.get(outId);
    if (!value) fail(D.rtlNetworkValue, `network '${net.name}': the reference has no value for '${outT.name}'`, net.location);
    const outBase = place(value.length);
    region.set(outId, outBase);
    const expOffset = expectedBytes;
    expected.push(new Uint8Array(value.buffer, value.byteOffset, value.length));
    expectedBytes += value.length;
    const layer =
      op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D' || op.kind === 'FULLY_CONNECTED' ? programs.get(outT.name) : undefined;
    if (!layer) {
      const plan = ppuPlan(ref, op, {
        a: region.get(op.inputs[0]) ?? -1,
        b: op.inputs[1] !== undefined ? region.get(op.inputs[1]) : undefined,
        out: outBase,
      });
      const operandsInDram = op.inputs.filter((id) => !model.tensors[id].data).every((id) => region.has(id));
      if ('reason' in plan || !operandsInDram) {
        const why = 'reason' in plan ? plan.reason : 'an operand is not an int8 tensor in DRAM';
        steps.push({
          name: outT.name,
          op: op.kind,
          runs_on: 'host',
          out_base: outBase,
          out_bytes: value.length,
          expected_offset: expOffset,
          model_cycles: null,
          model_reason: `runs outside the design (on the host; ${why}): not accelerator time`,
        });
        timeouts.push(0);
        continue;
      }
      const cost = ppuCycles(plan.geometry, { a: plan.config.a_base!, b: plan.config.b_base }, beat, hw.dramBandwidth);
      ppuChannels = Math.max(ppuChannels, plan.channels);
      const firstWord = words.length;
      words.push(...ppuWords(plan.config, `op '${outT.name}'`, net.layers.find((l) => l.name === outT.name)?.location ?? net.location));
      steps.push({
        name: outT.name,
        op: op.kind,
        runs_on: 'accelerator',
        unit: 'post-process',
        out_base: outBase,
        out_bytes: value.length,
        expected_offset: expOffset,
        first_word: firstWord,
        programs: 1,
        model_cycles: cost.cycles,
        model_source: 'ppu-model',
        schedule_cycles: cost.cycles,
        dram_bytes: cost.readBeats * beat + cost.writeBytes,
      });
      timeouts.push(cost.cycles * 4 + 10_000);
      continue;
    }
    const inId = op.inputs[0];
    const pr = layer.problem;
    if (tensorBytes(inId) !== pr.inH * pr.inW * pr.inC || value.length !== pr.bounds.K * pr.bounds.P * pr.bounds.Q) {
      fail(
        D.rtlNetworkTensors,
        `layer '${layer.name}': the quantised op's tensors (${tensorBytes(inId)} -> ${value.length} bytes) are not the accelerator problem's`,
        pr.location,
      );
    }
    const data = acceleratorOpData(ref, op, pr.location);
    const wBytes = weightImage(data.weights, pr.bounds, layer.tiles[0].tile.cc);
    const wBase = place(wBytes.length);
    blobs.push({ at: wBase, bytes: wBytes });
    const records = new Uint8Array(pr.bounds.K * QPARAM_BYTES);
    const dv = new DataView(records.buffer);
    for (let k = 0; k < pr.bounds.K; k++) {
      dv.setInt32(k * QPARAM_BYTES, data.bias[k], true);
      dv.setInt32(k * QPARAM_BYTES + 4, data.multipliers[k], true);
      dv.setInt8(k * QPARAM_BYTES + 8, data.shifts[k]);
    }
    const qBase = place(records.length);
    blobs.push({ at: qBase, bytes: records });
    const at = { input: region.get(inId)!, weights: wBase, records: qBase, output: outBase };
    const firstWord = words.length;
    let dramBytes = 0;
    for (const t of layer.tiles) {
      const load = relocate(t.tile.load, layer, beat, at);
      words.push(...configWords({ ...t.tile, load }, t.mapping, data));
      dramBytes += (load.inBeats + load.wBeats + load.qBeats) * beat + load.outBytes;
    }
    steps.push({
      name: outT.name,
      op: op.kind,
      runs_on: 'accelerator',
      unit: 'conv',
      out_base: outBase,
      out_bytes: value.length,
      expected_offset: expOffset,
      first_word: firstWord,
      programs: layer.tiles.length,
      weights_base: wBase,
      records_base: qBase,
      model_cycles: layer.model.cycles,
      ...(layer.model.reason ? { model_reason: layer.model.reason } : { model_source: 'naas-model' as const }),
      schedule_cycles: layer.predicted.total,
      dram_bytes: dramBytes,
      macs: pr.macs,
    });
    timeouts.push(layer.predicted.total * 4 + 10_000);
  }
  const missing = g.programs.filter((p) => !steps.some((s) => s.name === p.name && s.unit === 'conv'));
  if (missing.length)
    fail(
      D.rtlNetworkMissingOp,
      `network '${net.name}': no quantised op computes layer(s) ${missing.map((p) => `'${p.name}'`).join(', ')}`,
      net.location,
    );
  const outputs = model.outputs
    .map((id) => model.ops.find((o) => o.outputs[0] === id && o.kind === 'DEQUANTIZE')?.inputs[0] ?? id)
    .map((id) => ({ name: model.tensors[id].name, step: steps.findIndex((s) => region.get(id) === s.out_base) }))
    .filter((o) => o.step >= 0);

  const image = new Uint8Array(top).fill(POISON);
  for (const b of blobs) image.set(b.bytes, b.at);
  const exp = new Uint8Array(Math.max(1, expectedBytes));
  let e = 0;
  for (const x of expected) {
    exp.set(x, e);
    e += x.length;
  }
  const stepWords: number[] = [];
  const kindOf = (s: NetworkStep) => (s.runs_on === 'host' ? KIND.host : s.unit === 'conv' ? KIND.conv : KIND.ppu);
  steps.forEach((s, i) =>
    stepWords.push(kindOf(s), s.first_word ?? 0, s.programs ?? 0, s.out_base, s.out_bytes, s.expected_offset, timeouts[i], 0),
  );
  for (const o of outputs) {
    const s = steps[o.step];
    stepWords.push(KIND.check, 0, 0, s.out_base, s.out_bytes, s.expected_offset, 0, 0);
  }
  // The network's design: the conv engine (generated per layer set, unchanged) beside the PPU.
  const names = moduleNames(hw);
  const pp = ppuNames(hw.prefix);
  const cfgAW = clog2(CONFIG_FIELDS.length);
  const conv = topModule(hw, names);
  const convPorts: Module = { name: conv.name, params: [], ports: conv.ports, items: [] };
  const system = systemModule(pp, names.top, cfgAW, beat);
  const added = emitDesign([convPorts, system, ppuModule(pp, beat, ppuChannels), mbqmModule(pp.mbqm)]).filter(
    (f) => f.module !== names.top,
  );
  const tb = `${hw.prefix}_net_tb`;
  const template = Handlebars.compile(readFileSync(TEMPLATE, 'utf8'), { noEscape: true, strict: true });
  const bench = template({
    name: verilogComment(hw.name),
    network: verilogComment(net.name),
    tb,
    top: pp.system,
    bandwidth: hw.dramBandwidth,
    beatBytes: beat,
    memBytes: Math.max(1, top),
    expBytes: exp.length,
    creditStep: Math.round(hw.dramBandwidth * 256),
    creditCap: creditCap(hw),
    cfgAW: system.ports.find((p) => p.name === 'cfg_addr')!.width as number,
    cfgWords: CONFIG_FIELDS.length,
    ppWords: PP_FIELDS.length,
    configCount: Math.max(1, words.length),
    stepCount: steps.length + outputs.length,
  });
  const dir = 'network';
  const manifest: NetworkManifest = {
    kind: 'accelerator-network',
    accelerator: hw.name,
    network: net.name,
    seed,
    testbench: tb,
    benchFile: `tb/${tb}.v`,
    top: pp.system,
    designFiles: added.map((f) => `rtl/${f.file}`),
    dir,
    dram_bytes: top,
    steps,
    outputs,
  };
  return {
    manifest,
    files: [
      ...added.map((f) => ({ path: `rtl/${f.file}`, text: f.text })),
      { path: `tb/${tb}.v`, text: bench },
      { path: `${dir}/dram.hex`, text: hexLines(image, 8) },
      { path: `${dir}/expected.hex`, text: hexLines(exp, 8) },
      { path: `${dir}/config.hex`, text: hexLines(words.length ? words : [0], 16) },
      { path: `${dir}/steps.hex`, text: hexLines(stepWords, 32) },
      { path: `${dir}/network.json`, text: JSON.stringify(manifest, null, 2) + '\n' },
    ],
  };
}
