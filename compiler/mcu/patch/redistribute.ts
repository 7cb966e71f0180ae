// Receptive-field redistribution (MCUNetV2's MbV2-RD): shrink the receptive field of the
// per-patch stage (drop residual blocks, smaller depthwise kernels) so the halos recompute
// less, and move the freed capacity to the per-layer stage (extra residual blocks where the
// maps are small) so the MAC count stays similar. A pure transform of the network IR.
import type { Layer, Network } from '../../ir/network.ts';
import { samePadding } from '../../ir/ops.ts';
import { graphFromNetwork } from './graph.ts';
import { layerSchedule, patchSchedule, DEFAULT_RULES, type MemoryRules } from './schedule.ts';

export interface RedistributeOptions {
  /** Name of the layer that ends the per-patch stage (the split tensor). */
  splitLayer: string;
  patches: number;
  /** Stop shrinking once the uniform patch-stage MAC overhead is at or below this. */
  targetStageOverhead?: number;
  /** Keep total MACs within this fraction of the original (default 0.1). */
  macTolerance?: number;
  rules?: MemoryRules;
}

export interface RedistributionFigures {
  macs: number;
  layerPeakSramBytes: number;
  patchPeakSramBytes: number;
  patchInput: [number, number];
  /** Uniform (padded patches, as the paper counts) and clipped overhead of the patch stage. */
  patchStageMacOverhead: number;
  patchStageMacOverheadClipped: number;
  macOverhead: number;
  split: number;
}

export interface RedistributionResult {
  network: Network;
  before: RedistributionFigures;
  after: RedistributionFigures;
  /** What was changed, in order, e.g. "remove block x_3[2]", "x_2.dw kernel 3 -> 1", "add block x_5[5] (copy of x_5[4])". */
  actions: string[];
}

/** A block: the layers sharing a name prefix (`x_3[2].expand`, `.dw`, `.project`, `.add`). */
interface Block {
  prefix: string;
  layers: Layer[];
  input: string;
  output: string;
  residual: boolean;
}

function prefixOf(name: string): string | undefined {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(0, i) : undefined;
}

function blocksOf(net: Network): Block[] {
  const out: Block[] = [];
  const byPrefix = new Map<string, Layer[]>();
  for (const l of net.layers) {
    const p = prefixOf(l.name);
    if (!p) continue;
    if (!byPrefix.has(p)) byPrefix.set(p, []);
    byPrefix.get(p)!.push(l);
  }
  for (const [prefix, layers] of byPrefix) {
    const names = new Set(layers.map((l) => l.name));
    const external = layers.flatMap((l) => l.inputs.filter((i) => !names.has(i)));
    const ins = [...new Set(external)];
    if (ins.length !== 1) continue;
    const last = layers[layers.length - 1];
    const residual = last.op === 'add' && last.inputs.includes(ins[0]);
    out.push({ prefix, layers, input: ins[0], output: last.name, residual });
  }
  return out;
}

function rename(net: Network, from: string, to: string): Network {
  return {
    ...net,
    layers: net.layers.map((l) => (l.inputs.includes(from) ? { ...l, inputs: l.inputs.map((i) => (i === from ? to : i)) } : l)),
    outputs: net.outputs.map((o) => (o === from ? to : o)),
  };
}

function removeBlock(net: Network, b: Block): Network {
  const drop = new Set(b.layers.map((l) => l.name));
  return rename({ ...net, layers: net.layers.filter((l) => !drop.has(l.name)) }, b.output, b.input);
}

function inputSize(net: Network, l: Layer): [number, number] {
  const n = l.inputs[0];
  const t = net.inputs.find((i) => i.name === n)?.type ?? net.layers.find((x) => x.name === n)!.output;
  return [t.shape[0], t.shape[1]];
}

function kernelOf(l: Layer): number {
  const k = l.attrs.kernel;
  return Array.isArray(k) ? Number(k[0]) : Number(k);
}

function strideOf(l: Layer): number {
  const s = l.attrs.stride;
  return Array.isArray(s) ? Math.max(...s.map(Number)) : Number(s ?? 1);
}

function withKernel(net: Network, name: string, k: number): Network {
  return {
    ...net,
    layers: net.layers.map((l) => {
      if (l.name !== name) return l;
      const [h, w] = inputSize(net, l);
      const s = l.attrs.stride;
      const [sh, sw] = Array.isArray(s) ? s.map(Number) : [Number(s ?? 1), Number(s ?? 1)];
      const [pt, pb] = samePadding(h, k, sh, 1);
      const [pl, pr] = samePadding(w, k, sw, 1);
      return { ...l, attrs: { ...l.attrs, kernel: [k, k], pad: [pt, pl, pb, pr] } };
    }),
  };
}

/** Insert a copy of residual block `b` right after it (named `<prefix>_rd<n>`). */
function duplicateBlock(net: Network, b: Block, n: number): { net: Network; prefix: string } {
  const prefix = `${b.prefix}_rd${n}`;
  const map = new Map<string, string>(b.layers.map((l) => [l.name, `${prefix}${l.name.slice(b.prefix.length)}`]));
  const copies: Layer[] = b.layers.map((l) => ({
    ...l,
    name: map.get(l.name)!,
    inputs: l.inputs.map((i) => (i === b.input ? b.output : (map.get(i) ?? i))),
    location: l.location,
  }));
  const newOut = map.get(b.output)!;
  const renamed = rename(net, b.output, newOut);
  // The copy itself reads the original block's output (undo the rename for it).
  const layers: Layer[] = [];
  for (const l of renamed.layers) {
    layers.push(l);
    if (l.name === b.output) layers.push(...copies);
  }
  return { net: { ...renamed, layers }, prefix };
}

function figures(net: Network, splitLayer: string, p: number, rules: MemoryRules): RedistributionFigures {
  const g = graphFromNetwork(net);
  const node = g.nodes.find((x) => x.name === splitLayer);
  if (!node) throw new Error(`internal: split layer ${splitLayer} vanished`);
  const l = layerSchedule(g, rules);
  const r = patchSchedule(g, node.end, p, rules);
  return {
    macs: l.macs,
    layerPeakSramBytes: l.peakSramBytes,
    patchPeakSramBytes: r.peakSramBytes,
    patchInput: r.patchInput!,
    patchStageMacOverhead: r.uniformStageMacOverhead,
    patchStageMacOverheadClipped: r.stageMacOverhead,
    macOverhead: r.macOverhead,
    split: node.end,
  };
}

/**
 * Redistribute `net` around the split at `splitLayer`. Shrinking is greedy: at each step the
 * change with the largest drop in (uniform) patch-stage MAC overhead; growing appends a
 * copy of the last residual block of a per-layer stage (the one that brings the MAC count
 * closest to the original) while that gets closer and does not raise the peak memory.
 */
export function redistribute(net: Network, opts: RedistributeOptions): RedistributionResult {
  const rules = opts.rules ?? DEFAULT_RULES;
  const target = opts.targetStageOverhead ?? 0.2;
  const before = figures(net, opts.splitLayer, opts.patches, rules);
  const actions: string[] = [];
  let cur = net;
  let fig = before;
  const stageNames = () => new Set(cur.layers.slice(0, cur.layers.findIndex((l) => l.name === opts.splitLayer) + 1).map((l) => l.name));

  // 1. Shrink the per-patch stage.
  for (let guard = 0; guard < 64 && fig.patchStageMacOverhead > target; guard++) {
    const inStage = stageNames();
    const options: { net: Network; what: string }[] = [];
    for (const b of blocksOf(cur)) {
      if (b.residual && b.layers.every((l) => inStage.has(l.name)) && !b.layers.some((l) => l.name === opts.splitLayer)) {
        options.push({ net: removeBlock(cur, b), what: `remove block ${b.prefix}` });
      }
    }
    for (const l of cur.layers) {
      // Strided kernels keep at least 3 taps (every input pixel still read); stride 1 may go to 1x1.
      const k = kernelOf(l);
      const minK = strideOf(l) > 1 ? 3 : 1;
      if (l.op === 'dwconv2d' && inStage.has(l.name) && k - 2 >= minK)
        options.push({ net: withKernel(cur, l.name, k - 2), what: `${l.name} kernel ${k} -> ${k - 2}` });
    }
    let best: { net: Network; what: string; fig: RedistributionFigures } | undefined;
    for (const o of options) {
      const f = figures(o.net, opts.splitLayer, opts.patches, rules);
      if (f.patchStageMacOverhead >= fig.patchStageMacOverhead) continue;
      // Largest overhead drop first; on a tie, the change that removes fewer MACs.
      if (
        !best ||
        f.patchStageMacOverhead < best.fig.patchStageMacOverhead - 1e-12 ||
        (Math.abs(f.patchStageMacOverhead - best.fig.patchStageMacOverhead) <= 1e-12 && f.macs > best.fig.macs)
      ) {
        best = { ...o, fig: f };
      }
    }
    if (!best) break;
    cur = best.net;
    fig = best.fig;
    actions.push(best.what);
  }

  // 2. Give the freed MACs back to the per-layer stage as extra residual blocks.
  let n = 1;
  for (let guard = 0; guard < 32; guard++) {
    const deficit = before.macs - fig.macs;
    const inStage = stageNames();
    const later = blocksOf(cur).filter((b) => b.residual && !b.layers.some((l) => inStage.has(l.name)));
    if (later.length === 0 || deficit <= 0) break;
    let best: { net: Network; what: string; fig: RedistributionFigures; err: number } | undefined;
    // Only the last residual block of each stage is a candidate (the stage grows by one block).
    const lastOfStage = later.filter((b) => !later.some((o) => o.input === b.output));
    for (const b of lastOfStage) {
      const d = duplicateBlock(cur, b, n);
      const f = figures(d.net, opts.splitLayer, opts.patches, rules);
      const err = Math.abs(before.macs - f.macs);
      // Never let the per-layer stage become the memory bottleneck.
      if (f.patchPeakSramBytes > fig.patchPeakSramBytes) continue;
      if (!best || err < best.err) best = { net: d.net, what: `add block ${d.prefix} (copy of ${b.prefix})`, fig: f, err };
    }
    if (!best || best.err >= Math.abs(deficit)) break;
    cur = best.net;
    fig = best.fig;
    actions.push(best.what);
    n++;
  }
  const tol = opts.macTolerance ?? 0.1;
  if (Math.abs(fig.macs - before.macs) > tol * before.macs) {
    actions.push(
      `note: MACs moved by ${(((fig.macs - before.macs) / before.macs) * 100).toFixed(1)}% (outside the ${(tol * 100).toFixed(0)}% tolerance)`,
    );
  }
  return { network: { ...cur, name: `${net.name}_rd` }, before, after: fig, actions };
}
