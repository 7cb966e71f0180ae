// Accelerator generator: (accelerator spec, network, layers, seed) -> Verilog design, a shared
// self-checking testbench, and per-layer programs (configuration words) with golden vectors.
// Pure: returns file contents; the CLI writes them. Layout of the output folder:
//   rtl/*.v                     the design, one module per file
//   tb/<tb>.v                   the bench (handlebars boilerplate)
//   layers/<layer>/{meta,config,dram,expected}.hex   one folder per layer (the bench's cwd)
//   manifest.json               design summary, per-layer mapping and predicted cycles
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { D, UserError, fail } from '../../diagnostics/index.ts';
import type { Network } from '../../ir/network.ts';
import type { AcceleratorSpec } from '../../ir/targets.ts';
import { emitDesign } from '../verilog/index.ts';
import { verilogComment } from '../../util/names.ts';
import { hexLines } from '../../../testbench/rtl/vectors.ts';
import { DIMS, acceleratableLayers, convProblem, type ConvProblem, type Dim } from './problem.ts';
import { planHardware, QPARAM_BYTES, type AcceleratorHardware } from './hardware.ts';
import { bankSramBytes } from './array.ts';
import { CONFIG_FIELDS, DEFAULT_ORDER, configWords, mapLayer, memoryMap, type LayerMapping, type LayerMemoryMap } from './mapping.ts';
import { dramImage, layerVectors } from './golden.ts';
import { creditCap, overlappedCycles, predictCycles, sumBreakdowns, type ScheduleBreakdown } from './schedule.ts';
import { PSUM_BYTES, layerTiles, wholeLayerTile, type ForcedTile, type LayerTile } from './tiling.ts';
export type { ForcedTile } from './tiling.ts';
import { peModule, requantModule, sramModule } from './units.ts';
import { modelArchitecture, modelMapping, modelOf, modelPrediction, modelProblem, type ModelPrediction } from './model.ts';
import type { Mapping } from '../../ir/mapping.ts';
import type { Problem } from '../../ir/problem.ts';
import { topModule, type TopNames } from './top.ts';
import { clog2 } from '../verilog/index.ts';
import { projectUrl } from '../../util/project-paths.ts';

export { parseOrder, DEFAULT_ORDER } from './mapping.ts';
export type { AcceleratorHardware } from './hardware.ts';

export interface GeneratedFile {
  path: string;
  text: string;
}

export interface TileProgram {
  tile: LayerTile;
  mapping: LayerMapping;
  predicted: ScheduleBreakdown;
  model: ModelPrediction;
}

export interface LayerProgram {
  name: string;
  op: string;
  problem: ConvProblem;
  /** The first tile's mapping (every tile runs the same loop order). */
  mapping: LayerMapping;
  memory: LayerMemoryMap;
  /** Summed over the tiles. */
  predicted: ScheduleBreakdown;
  /**
   * The cost model on the layer's mapping: the searched one when replayed, else the RTL's tiles
   * as DRAM loops when they divide the layer, else summed over the tiles (null when the model
   * cannot express some tile's mapping).
   */
  model: ModelPrediction;
  /** The sequencer programs run back to back for this layer (one when the layer fits whole). */
  tiles: TileProgram[];
  /** Folder (relative to the output root) holding the layer's vectors. */
  dir: string;
}

export interface AcceleratorManifest {
  kind: 'accelerator';
  accelerator: string;
  network: string;
  seed: number;
  top: string;
  testbench: string;
  designFiles: string[];
  benchFile: string;
  hardware: AcceleratorHardware;
  layers: {
    name: string;
    op: string;
    dir: string;
    bounds: Record<Dim, number>;
    order: Dim[];
    trips: Record<Dim, number>;
    footprint: number;
    macs: number;
    /**
     * The prediction: the NAAS cost model's cycles for this layer, design and mapping on the
     * model's description of the generated architecture (naas/rtl-architecture.ts) — model_cycles;
     * null when the model cannot express the mapping (the schedule formula is schedule_cycles,
     * a check of the RTL, never reported as a prediction).
     */
    predicted_cycles: number | null;
    prediction_source?: 'naas-model';
    /** The RTL's own schedule formula (schedule.ts). */
    schedule_cycles: number;
    predicted: ScheduleBreakdown;
    /** The NAAS cost model alone (compiler/naas/model.ts evaluate), or null with the reason. */
    model_cycles: number | null;
    model_reason?: string;
    /** Where the loop nest came from: the search's mapping or the mapper's (rtl-from.ts mapperLayers), replayed exactly, or the planner (with why the searched one could not run, when there was one). */
    mapping_source: 'search' | 'mapper' | 'planner';
    search_issues?: string[];
    /** Sequencer programs the layer runs as (1 = the whole layer at once). */
    tile_count: number;
    /** Each tile: output channels [k0, k0 + kc), output rows [q0, q0 + qc), output columns [p0, p0 + pc), the input rows, columns and channels it loads, its cycles. */
    tiles: ManifestTile[];
  }[];
}

export interface ManifestTile {
  k0: number;
  kc: number;
  q0: number;
  qc: number;
  p0: number;
  pc: number;
  /** Input channels [c0, c0 + cc) of the chunk (0 and C when C is not split; the last chunk requantises). */
  c0: number;
  cc: number;
  in_rows: [number, number];
  in_cols: [number, number];
  in_channels: [number, number];
  load_beats: number;
  schedule_cycles: number;
  model_cycles: number | null;
}

export interface GenerateOptions {
  layers?: string[];
  seed: number;
  order?: Dim[];
  /** Run every layer as tiles of at most this many output channels / output rows (default: whole layers when they fit, else the planner's choice). */
  tile?: ForcedTile;
  /** Layers that replay a searched mapping (compiler/naas/rtl-executable.ts rtlProgramOf): their tile and loop order. */
  searched?: Record<string, SearchedProgram>;
  /** Layers whose searched mapping the hardware cannot run, with why (they run the mapper's or the planner's program; reported, never silent). */
  notReplayed?: Record<string, string[]>;
  /** Where each `searched` layer's mapping came from: a search folder, or the mapper (default: search). */
  mappingSources?: Record<string, 'search' | 'mapper'>;
  /** false: single-buffered banks (a program loads, then computes) even when double-buffered ones fit (`nacc rtl --single-buffer`). */
  doubleBuffer?: boolean;
}

/** A searched mapping as the sequencer runs it: tile bounds (DRAM level) and the loop order inside a tile. */
export interface SearchedProgram {
  tile: Record<Dim, number>;
  order: Dim[];
  trips: Record<Dim, number>;
  /** PEs each dimension runs on (the mapping's spatial factors). */
  par: Record<Dim, number>;
  /** The mapping and problem as the search (or the mapper) costed them: the layer's model_cycles is the model on exactly these. */
  searched?: { problem: Problem; mapping: Mapping };
}

export interface GeneratedAccelerator {
  hardware: AcceleratorHardware;
  files: GeneratedFile[];
  manifest: AcceleratorManifest;
  programs: LayerProgram[];
}

const TEMPLATE = projectUrl('testbench/rtl/accelerator_tb.v.hbs');

export function moduleNames(hw: AcceleratorHardware): TopNames {
  const p = hw.prefix;
  return {
    top: `${p}_top`,
    pe: `${p}_pe`,
    sramInput: `${p}_sram_act`,
    sramWeight: `${p}_sram_wgt`,
    sramQparam: `${p}_sram_qp`,
    sramPsum: `${p}_sram_ps`,
    requant: `${p}_requant`,
  };
}

/** Layers to run: the named ones, or every conv/depthwise/dense layer of the network. */
export function selectLayers(net: Network, names?: string[]): ConvProblem[] {
  const candidates = acceleratableLayers(net);
  if (!names || names.length === 0) {
    if (candidates.length === 0)
      fail(D.rtlNoLayer, `network '${net.name}' has no conv2d, dwconv2d or dense layer to run on an accelerator`, net.location);
    return candidates.map((l) => convProblem(net, l));
  }
  return names.map((n) => {
    const layer = net.layers.find((l) => l.name === n);
    if (!layer) {
      const known = candidates.map((l) => l.name).join(', ');
      fail(D.rtlUnknownLayer, `network '${net.name}' has no layer '${n}' (layers the accelerator can run: ${known})`, net.location);
    }
    return convProblem(net, layer);
  });
}

/** The hardware and every layer's programs (tiles, their loads and loop nests), without test vectors. */
export interface AcceleratorPlan {
  hardware: AcceleratorHardware;
  problems: ConvProblem[];
  /** Input channels per chunk of each layer (its C when C is not split): the weights' DRAM layout. */
  channelChunks: number[];
  memories: LayerMemoryMap[];
  tiles: LayerTile[][];
  mappings: LayerMapping[][];
}

/**
 * Plans the hardware and every layer's programs, and checks that each program fits the
 * configuration registers (R0303, R0403 name the layer); what `generateAccelerator` emits.
 */
export function planAccelerator(spec: AcceleratorSpec, net: Network, opts: Omit<GenerateOptions, 'seed'>): AcceleratorPlan {
  const problems = selectLayers(net, opts.layers);
  const order = opts.order ?? DEFAULT_ORDER;
  const searched = problems.map((p) => opts.searched?.[p.layer]);
  const orderOf = (i: number): Dim[] => searched[i]?.order ?? order;
  // A searched DRAM level that splits the layer: every layer then runs its own tile (whole when not searched).
  const splits = searched.some((s, i) => s && (['K', 'Q', 'P', 'C'] as Dim[]).some((d) => s.tile[d] < problems[i].bounds[d]));
  // Layers without a replayed mapping then get the planner's cheapest shape that fits beside them.
  const forced = splits ? searched.map((s) => (s ? { kc: s.tile.K, qc: s.tile.Q, pc: s.tile.P, cc: s.tile.C } : undefined)) : opts.tile;
  const { hardware: hw, shapes } = planHardware(spec, problems, order, forced, opts.doubleBuffer ?? true);
  const memories = problems.map((p) => memoryMap(hw, p));
  const tiles = problems.map((p, i) =>
    shapes ? layerTiles(p, memories[i], hw.dramBeatBytes, shapes[i]) : wholeLayerTile(p, memories[i], hw.dramBeatBytes),
  );
  // A tile's loop nest depends on its bounds only: tiles of one shape share it.
  const mappings = tiles.map((ts, i) => {
    const byShape = new Map<string, LayerMapping>();
    return ts.map((tile) => {
      const ld = tile.load;
      if (ld.inBeats + ld.wBeats + ld.qBeats >= 65536)
        fail(D.rtlDramBeats, `layer '${problems[i].layer}' needs more than 65535 DRAM beats to load one tile`, problems[i].location);
      const key = DIMS.map((d) => tile.problem.bounds[d]).join(',');
      if (!byShape.has(key)) byShape.set(key, mapLayer(hw, tile.problem, orderOf(i), searched[i]?.par));
      const mapping = byShape.get(key)!;
      configWords(tile, mapping, { inputOffset: 0, outputZeroPoint: 0, actMin: -128, actMax: 127 });
      return mapping;
    });
  });
  // A replayed mapping runs exactly: its tiles and loop bounds, or a located refusal.
  searched.forEach((s, i) => {
    if (!s) return;
    const t = tiles[i][0];
    const got: Record<string, number> = { K: t.kc, Q: t.qc, P: t.pc, C: t.cc };
    const off = (['K', 'Q', 'P', 'C'] as Dim[]).filter((d) => got[d] !== s.tile[d]);
    const m = mappings[i][0];
    const tripsOff = DIMS.filter((d) => m.trips[d] !== s.trips[d] || m.par[d] !== s.par[d]);
    if (off.length || tripsOff.length) {
      fail(
        D.rtlSearchedMapping,
        `layer '${problems[i].layer}': the searched mapping's tiles (${off.map((d) => `${d} ${s.tile[d]}`).join(', ') || 'as searched'}) or trips (${tripsOff.map((d) => `${d} ${s.trips[d]}`).join(', ') || 'as searched'}) cannot be programmed on '${spec.name}' ` +
          `(got tiles ${off.map((d) => `${d} ${got[d]}`).join(', ') || '-'}, trips ${tripsOff.map((d) => `${d} ${m.trips[d]}`).join(', ') || '-'})`,
        spec.location,
      );
    }
  });
  return { hardware: hw, problems, channelChunks: problems.map((p, i) => (shapes ? shapes[i].cc : p.bounds.C)), memories, tiles, mappings };
}

/**
 * The tile planner's program of every layer as a mapping of the cost model (its tiles as DRAM
 * loops, the default loop order, its spatial factors), for the layers whose tiles divide them;
 * none when the planner refuses the network. A candidate beside the mapper's (cli/rtl-from.ts).
 */
export function plannerMappings(spec: AcceleratorSpec, net: Network): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  try {
    const problems = selectLayers(net);
    const { hardware: hw, shapes } = planHardware(spec, problems, DEFAULT_ORDER);
    problems.forEach((p, i) => {
      const s = shapes?.[i];
      const tile = s ? { ...p.bounds, K: s.kc, Q: s.qc, P: s.pc, C: s.cc } : p.bounds;
      const mapping = modelMapping(hw, p, tile, mapLayer(hw, { ...p, bounds: tile }, DEFAULT_ORDER)).mapping;
      if (mapping) out[p.layer] = mapping;
    });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
  return out;
}

export function generateAccelerator(spec: AcceleratorSpec, net: Network, opts: GenerateOptions): GeneratedAccelerator {
  const plan = planAccelerator(spec, net, opts);
  const { hardware: hw, problems, memories } = plan;
  const names = moduleNames(hw);
  const design = emitDesign([
    topModule(hw, names),
    peModule(names.pe, hw.rfDepth),
    // Double-buffered banks hold two halves of the planned sizes (array.ts bankSramBytes).
    sramModule(names.sramInput, bankSramBytes(hw, hw.inputBankBytes, hw.dramBeatBytes, 1), hw.dramBeatBytes, 1, !!hw.maskedInputWrites),
    sramModule(names.sramWeight, bankSramBytes(hw, hw.weightBankBytes, hw.dramBeatBytes, 1), hw.dramBeatBytes, 1),
    sramModule(
      names.sramQparam,
      bankSramBytes(hw, hw.maxChannels * QPARAM_BYTES, hw.dramBeatBytes, QPARAM_BYTES),
      hw.dramBeatBytes,
      QPARAM_BYTES,
    ),
    ...(hw.psumWords > 0 ? [sramModule(names.sramPsum, hw.psumWords * PSUM_BYTES, PSUM_BYTES, PSUM_BYTES)] : []),
    requantModule(names.requant),
  ]);
  const files: GeneratedFile[] = design.map((f) => ({ path: `rtl/${f.file}`, text: f.text }));
  const programs: LayerProgram[] = [];
  const memBytes = Math.max(...memories.map((m) => m.dramBytes));
  const expBytes = Math.max(...memories.map((m) => m.outBytes));
  const tilesOf = plan.tiles;
  const maxTiles = Math.max(...tilesOf.map((t) => t.length));
  // The cost model sees a tile through its bounds only, so tiles of one shape share its answer.
  const modelCache = new Map<string, ModelPrediction>();
  const arch = modelArchitecture(spec, hw);
  problems.forEach((p, i) => {
    const memory = memories[i];
    const seed = opts.seed * 1000003 + i;
    const v = layerVectors(p, seed);
    const words: number[] = [];
    const tiles: TileProgram[] = tilesOf[i].map((tile, j) => {
      const ld = tile.load;
      const mapping = plan.mappings[i][j];
      words.push(...configWords(tile, mapping, v));
      const predicted = predictCycles(hw, mapping, { ...ld }, tile.problem.macs);
      const key = `${i}:${JSON.stringify(tile.problem.bounds)}:${tile.lastChunk}`;
      if (!modelCache.has(key)) modelCache.set(key, modelPrediction(arch, hw, tile.problem, mapping, tile.lastChunk));
      return { tile, mapping, predicted, model: modelCache.get(key)! };
    });
    const predicted =
      tiles.length === 1
        ? tiles[0].predicted
        : sumBreakdowns(
            hw,
            tiles.map((t) => t.predicted),
            p.macs,
          );
    const missing = tiles.find((t) => t.model.cycles === null);
    const searchedModel = opts.searched?.[p.layer]?.searched;
    const t0 = tiles[0].tile;
    const whole = modelMapping(hw, p, { ...p.bounds, K: t0.kc, Q: t0.qc, P: t0.pc, C: t0.cc }, tiles[0].mapping);
    const model: ModelPrediction = searchedModel
      ? modelOf(searchedModel.problem, arch, searchedModel.mapping)
      : whole.mapping
        ? modelOf(modelProblem(p), arch, whole.mapping)
        : missing
          ? { cycles: null, reason: missing.model.reason }
          : {
              // Tiles of several shapes: each costed alone, their loads overlapped as the schedule does.
              cycles: hw.doubleBuffer
                ? overlappedCycles(
                    tiles.map((t) => ({ load: t.model.fillCycles ?? 0, total: t.model.cycles!, writes: t.predicted.writes, beats: 0 })),
                  )
                : tiles.reduce((s, t) => s + t.model.cycles!, 0),
            };
    const dir = `layers/${p.layer.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    const image = new Uint8Array(memBytes);
    image.set(dramImage(v, memory, hw.dramBeatBytes, p, plan.channelChunks[i]));
    const expected = new Uint8Array(expBytes);
    expected.set(new Uint8Array(v.output.buffer, v.output.byteOffset, v.output.length));
    const timeout = predicted.total * 4 + 10_000;
    files.push(
      // meta: config words per tile, output base, output bytes, output rows, output cols, channels, timeout, seed, tiles
      {
        path: `${dir}/meta.hex`,
        text: hexLines(
          [CONFIG_FIELDS.length, memory.outBase, memory.outBytes, p.bounds.Q, p.bounds.P, p.bounds.K, timeout, seed, tiles.length],
          32,
        ),
      },
      { path: `${dir}/config.hex`, text: hexLines(words, 16) },
      { path: `${dir}/dram.hex`, text: hexLines(image, 8) },
      { path: `${dir}/expected.hex`, text: hexLines(expected, 8) },
    );
    programs.push({ name: p.layer, op: p.op, problem: p, mapping: tiles[0].mapping, memory, predicted, model, tiles, dir });
  });
  const tb = `${hw.prefix}_tb`;
  const template = Handlebars.compile(readFileSync(TEMPLATE, 'utf8'), { noEscape: true, strict: true });
  const bench = template({
    name: verilogComment(hw.name),
    tb,
    top: names.top,
    bandwidth: hw.dramBandwidth,
    beatBytes: hw.dramBeatBytes,
    memBytes,
    expBytes,
    creditStep: Math.round(hw.dramBandwidth * 256),
    creditCap: creditCap(hw),
    cfgAW: clog2(CONFIG_FIELDS.length),
    cfgWords: CONFIG_FIELDS.length,
    maxTiles,
  });
  files.push({ path: `tb/${tb}.v`, text: bench });
  const manifest: AcceleratorManifest = {
    kind: 'accelerator',
    accelerator: spec.name,
    network: net.name,
    seed: opts.seed,
    top: names.top,
    testbench: tb,
    designFiles: design.map((f) => `rtl/${f.file}`),
    benchFile: `tb/${tb}.v`,
    hardware: hw,
    layers: programs.map((pr) => ({
      name: pr.name,
      op: pr.op,
      dir: pr.dir,
      bounds: pr.problem.bounds,
      order: pr.mapping.order,
      trips: pr.mapping.trips,
      footprint: pr.mapping.footprint,
      macs: pr.problem.macs,
      ...(pr.model.cycles !== null
        ? { predicted_cycles: pr.model.cycles, prediction_source: 'naas-model' as const }
        : { predicted_cycles: null }),
      schedule_cycles: pr.predicted.total,
      predicted: pr.predicted,
      model_cycles: pr.model.cycles,
      ...(pr.model.reason ? { model_reason: pr.model.reason } : {}),
      mapping_source: opts.searched?.[pr.name] ? (opts.mappingSources?.[pr.name] ?? ('search' as const)) : ('planner' as const),
      ...(opts.notReplayed?.[pr.name] ? { search_issues: opts.notReplayed[pr.name] } : {}),
      tile_count: pr.tiles.length,
      tiles: pr.tiles.map((t) => ({
        k0: t.tile.k0,
        kc: t.tile.kc,
        q0: t.tile.q0,
        qc: t.tile.qc,
        p0: t.tile.p0,
        pc: t.tile.pc,
        c0: t.tile.c0,
        cc: t.tile.cc,
        in_rows: t.tile.rows,
        in_cols: t.tile.cols,
        in_channels: t.tile.channels,
        load_beats: t.tile.load.inBeats + t.tile.load.wBeats + t.tile.load.qBeats,
        schedule_cycles: t.predicted.total,
        model_cycles: t.model.cycles,
      })),
    })),
  };
  files.push({ path: 'manifest.json', text: JSON.stringify(manifest, null, 2) + '\n' });
  return { hardware: hw, files, manifest, programs };
}
