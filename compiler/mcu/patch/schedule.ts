// Patch-based schedules (MCUNetV2): the first N ops run patch by patch over a p x p grid of
// their output, the rest layer by layer. Per-patch regions of every tensor, the MACs the
// overlapping halos recompute, and the peak SRAM of both execution orders.
import { demandRegion, fullRegion, hull, patchGrid, regionArea, regionHeight, regionWidth, type Region } from './geometry.ts';
import { lastUses, producers, tensorBytesOf, type PatchGraph, type PNode } from './graph.ts';
import { fusedChunkPixels } from '../planner.ts';

/** What the memory model assumes; the defaults follow TinyEngine (and the generated C). */
export interface MemoryRules {
  /** Depthwise convolutions overwrite their input channel by channel (one input plane of scratch). */
  inPlaceDepthwise: boolean;
  /** Elementwise ops (ADD, MUL, QUANTIZE) write over an input that dies with them. */
  inPlaceElementwise: boolean;
  /** RESHAPE / flatten alias their input. */
  aliasReshape: boolean;
  /**
   * A pointwise (1x1, stride 1, unpadded) convolution whose only reader is a residual ADD adds
   * its output into the skip tensor a chunk of pixels at a time (fusedChunkPixels: one output
   * plane's bytes of scratch), so its own output is never stored whole.
   */
  fuseResidualAdd: boolean;
  /**
   * Patch-based only: the model input is fetched patch by patch (from the sensor, flash or the
   * input file) instead of being held whole in SRAM.
   */
  streamInput: boolean;
}

export const DEFAULT_RULES: MemoryRules = {
  inPlaceDepthwise: true,
  inPlaceElementwise: true,
  aliasReshape: true,
  fuseResidualAdd: true,
  streamInput: true,
};

export interface PatchPlan {
  split: number;
  patches: number;
  /** Patch-stage nodes (graph positions 0..stageNodes-1). */
  stageNodes: number;
  /** The one tensor crossing the split: the full-size map the patches write into. */
  cut: number;
  /** Output tiles of the cut tensor, row-major. */
  tiles: Region[];
  /** regions[patch][tensorId]: the region of each stage tensor that patch computes (or reads, for inputs). */
  regions: Map<number, Region>[];
  /** Largest region [h, w] per stage tensor over all patches (the patch buffers' sizes). */
  bufferDims: Map<number, [number, number]>;
}

export interface MemoryProfile {
  /** Live bytes while each node runs (graph order). */
  perNode: number[];
  peak: number;
  peakNode: number;
}

export interface ScheduleReport {
  kind: 'layer' | 'patch';
  split: number | null;
  patches: number | null;
  /** Largest input patch [h, w] of the stage (null for layer-by-layer). */
  patchInput: [number, number] | null;
  /** Graph input tensor the stage reads, and its largest region (for streaming). */
  cutTensor: string | null;
  cutShape: [number, number, number] | null;
  macs: number;
  /** Extra MACs relative to the whole network's layer-by-layer MACs. */
  macOverhead: number;
  /** Extra MACs relative to the patch stage's own layer-by-layer MACs. */
  stageMacOverhead: number;
  /** The same with uniform (padded) patches, the paper's way of counting. */
  uniformStageMacOverhead: number;
  stageMacs: number;
  stagePatchMacs: number;
  peakSramBytes: number;
  peakNode: string;
  memory: MemoryProfile;
  /** Peak of the patch stage and of the per-layer stage (patch schedules only). */
  stagePeakBytes: number | null;
  layerStagePeakBytes: number | null;
}

export class IllegalSplit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalSplit';
  }
}

const isAlias = (n: PNode) => n.op === 'RESHAPE' || n.op === 'flatten' || n.op === 'reshape';

/** Node positions of the patch stage for split index N (nodes with end <= N). */
export function stageOf(g: PatchGraph, split: number): number {
  let k = 0;
  while (k < g.nodes.length && g.nodes[k].end <= split) k++;
  return k;
}

/** Split indices at node boundaries, in increasing order. */
export function splitPoints(g: PatchGraph): number[] {
  return g.nodes.map((n) => n.end);
}

/** Check that split N is legal; returns the stage size and the cut tensor, or throws IllegalSplit. */
export function checkSplit(g: PatchGraph, split: number): { stageNodes: number; cut: number } {
  const k = stageOf(g, split);
  if (k === 0) throw new IllegalSplit(`split ${split} leaves the patch stage empty`);
  if (k >= g.nodes.length) throw new IllegalSplit(`split ${split} puts every op in the patch stage`);
  if (g.nodes[k - 1].end !== split)
    throw new IllegalSplit(`split ${split} falls inside a fused op (${g.nodes[k - 1].name}); use ${g.nodes[k - 1].end}`);
  for (let i = 0; i < k; i++) {
    const n = g.nodes[i];
    if (!n.patchable) throw new IllegalSplit(`${n.name} cannot run patch by patch: ${n.reason ?? 'not spatial'}`);
  }
  const last = lastUses(g);
  const prod = producers(g);
  const crossing: number[] = [];
  for (const t of g.tensors) {
    const p = prod[t.id];
    const fromStage = p >= 0 && p < k;
    if ((fromStage || (p < 0 && g.inputs.includes(t.id))) && last[t.id] >= k) crossing.push(t.id);
  }
  const inputsAcross = crossing.filter((t) => prod[t] < 0);
  if (inputsAcross.length) throw new IllegalSplit(`the model input ${g.tensors[inputsAcross[0]].name} is also read after the split`);
  if (crossing.length !== 1) {
    throw new IllegalSplit(
      `${crossing.length} tensors cross split ${split} (${crossing.map((t) => g.tensors[t].name).join(', ')}); exactly one must`,
    );
  }
  const cut = crossing[0];
  if (!g.tensors[cut].spatial) throw new IllegalSplit(`the tensor at split ${split} is not a feature map`);
  return { stageNodes: k, cut };
}

/** Per-patch regions of every stage tensor for split N and a p x p grid. */
export function planPatches(g: PatchGraph, split: number, p: number): PatchPlan {
  const { stageNodes, cut } = checkSplit(g, split);
  const ct = g.tensors[cut];
  if (p > ct.h || p > ct.w) throw new IllegalSplit(`${p}x${p} patches do not fit the ${ct.h}x${ct.w} map at split ${split}`);
  const tiles = patchGrid(ct.h, ct.w, p);
  const regions = tiles.map((tile) => {
    const r = new Map<number, Region>();
    r.set(cut, tile);
    for (let k = stageNodes - 1; k >= 0; k--) {
      const n = g.nodes[k];
      const out = r.get(n.output);
      if (!out) continue; // dead within the stage: computes nothing in this patch
      for (const i of n.inputs) {
        const it = g.tensors[i];
        const need = n.window ? demandRegion({ h: n.window.h, w: n.window.w, inSize: [it.h, it.w] }, out) : { ...out };
        r.set(i, hull(r.get(i), need));
      }
    }
    return r;
  });
  const bufferDims = new Map<number, [number, number]>();
  for (const r of regions) {
    for (const [t, reg] of r) {
      const d = bufferDims.get(t) ?? [0, 0];
      bufferDims.set(t, [Math.max(d[0], regionHeight(reg)), Math.max(d[1], regionWidth(reg))]);
    }
  }
  return { split, patches: p, stageNodes, cut, tiles, regions, bufferDims };
}

/** Live bytes per node for layer-by-layer execution of the whole graph. */
export function layerMemory(g: PatchGraph, rules: MemoryRules = DEFAULT_RULES): MemoryProfile {
  const last = lastUses(g);
  const prod = producers(g);
  const bytes = g.tensors.map(tensorBytesOf);
  const perNode = g.nodes.map((n) => {
    let live = 0;
    for (const t of g.tensors) if (prod[t.id] <= n.index && last[t.id] >= n.index && isLiveSource(g, prod, t.id)) live += bytes[t.id];
    return (
      live -
      inPlaceSaving(
        g,
        n,
        last,
        (t) => bytes[t],
        (t) => [g.tensors[t].h, g.tensors[t].w],
        rules,
      )
    );
  });
  return profile(perNode);
}

/** Activation tensors only: graph inputs and node outputs (constants never reach the graph). */
function isLiveSource(g: PatchGraph, prod: Int32Array, t: number): boolean {
  return prod[t] >= 0 || g.inputs.includes(t);
}

/** Bytes an in-place op saves, minus the scratch it needs. */
function inPlaceSaving(
  g: PatchGraph,
  n: PNode,
  last: Int32Array,
  size: (t: number) => number,
  dims: (t: number) => [number, number],
  rules: MemoryRules,
  outInPlace = true,
  cut = -1,
): number {
  if (!outInPlace) return 0;
  const out = size(n.output);
  if (rules.fuseResidualAdd) {
    const fused = residualFusion(g, last);
    const skip = fused.byConv.get(n.index);
    // The conv's output goes into the skip buffer: only the skip is stored. (Not when the
    // ADD writes the full map at the split: the patch's conv output is then a buffer of its own.)
    if (skip !== undefined && g.nodes[n.index + 1].output !== cut) {
      const t = g.tensors[n.output];
      return out - fusedChunkPixels(t.h, t.w, t.c) * t.c * t.elemBytes;
    }
    const add = fused.byAdd.get(n.index);
    if (add !== undefined) return size(add) + out;
  }
  const dying = n.inputs.filter((i) => last[i] === n.index && !g.outputs.includes(i));
  if (n.kind === 'dwconv' && rules.inPlaceDepthwise && dying.includes(n.inputs[0])) {
    const inB = size(n.inputs[0]);
    if (out <= inB) {
      const [h, w] = dims(n.inputs[0]);
      return out - h * w * g.tensors[n.inputs[0]].elemBytes;
    }
  }
  if (n.kind === 'eltwise' && rules.inPlaceElementwise) {
    const fit = dying.find((i) => size(i) >= out && g.tensors[i].elemBytes >= g.tensors[n.output].elemBytes);
    if (fit !== undefined) return out;
  }
  if (isAlias(n) && rules.aliasReshape && dying.includes(n.inputs[0])) return Math.min(out, size(n.inputs[0]));
  return 0;
}

const fusionCache = new WeakMap<PatchGraph, { byConv: Map<number, number>; byAdd: Map<number, number> }>();

/**
 * Conv -> ADD pairs that fuse: byConv maps the conv node to the skip tensor it adds into,
 * byAdd maps the ADD node to the conv output it absorbed.
 */
export function residualFusion(g: PatchGraph, last = lastUses(g)): { byConv: Map<number, number>; byAdd: Map<number, number> } {
  const hit = fusionCache.get(g);
  if (hit) return hit;
  const byConv = new Map<number, number>();
  const byAdd = new Map<number, number>();
  const readers = new Map<number, number>();
  for (const n of g.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const a of g.nodes) {
    if (a.kind !== 'eltwise' || !/^(ADD|add)$/.test(a.op) || a.inputs.length !== 2 || a.index === 0) continue;
    const c = g.nodes[a.index - 1];
    const pointwise = (w: { kernel: number; stride: number; padBefore: number; padAfter: number }) =>
      w.kernel === 1 && w.stride === 1 && w.padBefore === 0 && w.padAfter === 0;
    if (c.kind !== 'conv' || !c.window || !pointwise(c.window.h) || !pointwise(c.window.w)) continue;
    const u = c.output;
    const v = a.inputs[0] === u ? a.inputs[1] : a.inputs[1] === u ? a.inputs[0] : -1;
    if (v < 0 || v === u || readers.get(u) !== 1 || g.outputs.includes(u) || c.inputs.includes(v)) continue;
    if (last[v] !== a.index || g.outputs.includes(v)) continue;
    const tu = g.tensors[u];
    const tv = g.tensors[v];
    if (tu.h !== tv.h || tu.w !== tv.w || tu.c !== tv.c || tu.elemBytes !== tv.elemBytes) continue;
    byConv.set(c.index, v);
    byAdd.set(a.index, u);
  }
  const r = { byConv, byAdd };
  fusionCache.set(g, r);
  return r;
}

function profile(perNode: number[]): MemoryProfile {
  let peak = 0;
  let peakNode = -1;
  perNode.forEach((b, k) => {
    if (b > peak) {
      peak = b;
      peakNode = k;
    }
  });
  return { perNode, peak, peakNode };
}

/**
 * Live bytes per node for patch-based execution: stage nodes hold patch-sized buffers (the
 * largest over the grid) plus the full cut map; the nodes after the split run layer by layer.
 */
export function patchMemory(
  g: PatchGraph,
  plan: PatchPlan,
  rules: MemoryRules = DEFAULT_RULES,
): { profile: MemoryProfile; stagePeak: number; layerPeak: number } {
  const last = lastUses(g);
  const prod = producers(g);
  const full = g.tensors.map(tensorBytesOf);
  const buf = (t: number): number => {
    if (t === plan.cut) return full[t];
    if (prod[t] < 0 && !rules.streamInput) return full[t];
    const d = plan.bufferDims.get(t);
    return d ? d[0] * d[1] * g.tensors[t].c * g.tensors[t].elemBytes : full[t];
  };
  const dims = (t: number): [number, number] => plan.bufferDims.get(t) ?? [g.tensors[t].h, g.tensors[t].w];
  const layer = layerMemory(g, rules);
  const perNode = g.nodes.map((n, k) => {
    if (k >= plan.stageNodes) return layer.perNode[k];
    let live = full[plan.cut];
    // The op producing the split tensor writes a tile-sized buffer, then copies it into the map.
    if (n.output === plan.cut) {
      const d = plan.bufferDims.get(plan.cut)!;
      live += d[0] * d[1] * g.tensors[plan.cut].c * g.tensors[plan.cut].elemBytes;
    }
    for (const t of g.tensors) {
      if (t.id === plan.cut || !isLiveSource(g, prod, t.id)) continue;
      if (prod[t.id] <= k && last[t.id] >= k) live += buf(t.id);
    }
    // The node writing the cut writes straight into the full map: no in-place trick there. The
    // per-patch stage runs depthwise convolutions in place, never elementwise ops or fusions.
    return live - inPlaceSaving(g, n, last, buf, dims, STAGE_RULES(rules), n.output !== plan.cut, plan.cut);
  });
  const stagePeak = Math.max(...perNode.slice(0, plan.stageNodes));
  const layerPeak = plan.stageNodes < g.nodes.length ? Math.max(...perNode.slice(plan.stageNodes)) : 0;
  return { profile: profile(perNode), stagePeak, layerPeak };
}

/** The rules inside a per-patch stage (compiler/mcu/patch/emit.ts runs only depthwise in place there). */
const STAGE_RULES = (rules: MemoryRules): MemoryRules => ({ ...rules, inPlaceElementwise: false, fuseResidualAdd: false });

function macsPerPixel(g: PatchGraph, n: PNode): number {
  const t = g.tensors[n.output];
  return n.macs / (t.h * t.w);
}

/** MACs of the patch stage run patch by patch (halos recomputed). */
export function patchStageMacs(g: PatchGraph, plan: PatchPlan): number {
  let macs = 0;
  for (const r of plan.regions) {
    for (let k = 0; k < plan.stageNodes; k++) {
      const n = g.nodes[k];
      const reg = r.get(n.output);
      if (reg) macs += regionArea(reg) * macsPerPixel(g, n);
    }
  }
  return macs;
}

/**
 * MACs when every patch computes the interior patch's full region (border patches compute on
 * explicit padding, as TinyEngine's fixed-size patch kernels and the MCUNetV2 paper count).
 */
export function uniformStageMacs(g: PatchGraph, plan: PatchPlan): number {
  let macs = 0;
  for (const tile of plan.tiles) {
    const r = new Map<number, Region>();
    r.set(plan.cut, tile);
    for (let k = plan.stageNodes - 1; k >= 0; k--) {
      const n = g.nodes[k];
      const out = r.get(n.output);
      if (!out) continue;
      macs += regionArea(out) * macsPerPixel(g, n);
      for (const i of n.inputs) {
        const it = g.tensors[i];
        const need = n.window ? demandRegion({ h: n.window.h, w: n.window.w, inSize: [it.h, it.w] }, out, false) : { ...out };
        r.set(i, hull(r.get(i), need));
      }
    }
  }
  return macs;
}

export function totalMacs(g: PatchGraph): number {
  return g.nodes.reduce((s, n) => s + n.macs, 0);
}

/** The layer-by-layer schedule's report. */
export function layerSchedule(g: PatchGraph, rules: MemoryRules = DEFAULT_RULES): ScheduleReport {
  const memory = layerMemory(g, rules);
  return {
    kind: 'layer',
    split: null,
    patches: null,
    patchInput: null,
    cutTensor: null,
    cutShape: null,
    macs: totalMacs(g),
    macOverhead: 0,
    stageMacOverhead: 0,
    uniformStageMacOverhead: 0,
    stageMacs: 0,
    stagePatchMacs: 0,
    peakSramBytes: memory.peak,
    peakNode: memory.peakNode >= 0 ? g.nodes[memory.peakNode].name : '',
    memory,
    stagePeakBytes: null,
    layerStagePeakBytes: null,
  };
}

/** Largest region [h, w] of the stage's input tensor(s) over the grid. */
export function patchInputOf(g: PatchGraph, plan: PatchPlan): [number, number] {
  const prod = producers(g);
  let best: [number, number] = [0, 0];
  for (const [t, d] of plan.bufferDims) if (prod[t] < 0 && d[0] * d[1] > best[0] * best[1]) best = d;
  return best;
}

/** The patch-based schedule's report for split N and p x p patches. */
export function patchSchedule(
  g: PatchGraph,
  split: number,
  p: number,
  rules: MemoryRules = DEFAULT_RULES,
): ScheduleReport & { plan: PatchPlan } {
  const plan = planPatches(g, split, p);
  const total = totalMacs(g);
  let stageMacs = 0;
  for (let k = 0; k < plan.stageNodes; k++) stageMacs += g.nodes[k].macs;
  const stagePatchMacs = patchStageMacs(g, plan);
  const mem = patchMemory(g, plan, rules);
  const ct = g.tensors[plan.cut];
  return {
    kind: 'patch',
    split,
    patches: p,
    patchInput: patchInputOf(g, plan),
    cutTensor: ct.name,
    cutShape: [ct.h, ct.w, ct.c],
    macs: total - stageMacs + stagePatchMacs,
    macOverhead: total > 0 ? (stagePatchMacs - stageMacs) / total : 0,
    stageMacOverhead: stageMacs > 0 ? (stagePatchMacs - stageMacs) / stageMacs : 0,
    uniformStageMacOverhead: stageMacs > 0 ? (uniformStageMacs(g, plan) - stageMacs) / stageMacs : 0,
    stageMacs,
    stagePatchMacs,
    peakSramBytes: mem.profile.peak,
    peakNode: g.nodes[mem.profile.peakNode]?.name ?? '',
    memory: mem.profile,
    stagePeakBytes: mem.stagePeak,
    layerStagePeakBytes: mem.layerPeak,
    plan,
  };
}

/** Every legal split index (node boundaries where exactly one feature map crosses). */
export function legalSplits(g: PatchGraph): number[] {
  const out: number[] = [];
  for (const s of splitPoints(g)) {
    try {
      checkSplit(g, s);
      out.push(s);
    } catch (e) {
      if (!(e instanceof IllegalSplit)) throw e;
    }
  }
  return out;
}

export { fullRegion };
