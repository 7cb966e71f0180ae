// Tiling of layers larger than the global buffer: each layer runs as a list of tiles, each a
// complete sequencer program over a chunk of output channels (K, with only that chunk's
// weights and requantisation records) and a band of output rows (Q, with the input rows and
// halo the band reads). Input channels stay whole: the requantiser runs at every drain, so the
// hardware cannot carry partial sums across buffer refills.
// Pure: the plan picks one (channels, rows) tile shape per layer so that the largest tile of
// every layer fits the banks, preferring the plan with the fewest estimated cycles.
import { fail, UserError, type Location } from '../../diagnostics/index.ts';
import { DIMS, type ConvProblem, type Dim } from './problem.ts';
import { QPARAM_BYTES, parallelSize, type AcceleratorHardware } from './hardware.ts';
import { mapLayer, type LayerMapping } from './mapping.ts';
import { drainCycles } from './schedule.ts';
import { DRAIN_PIPELINE } from './top.ts';

/** One tile of a layer: the program's loop bounds, its DRAM loads and where its outputs go. */
export interface LayerTile {
  /** First output channel and channel count. */
  k0: number;
  kc: number;
  /** First output row and row count. */
  q0: number;
  qc: number;
  /** Input rows loaded, [lo, hi) of the layer's input. */
  rows: [number, number];
  /** Input channels loaded, [lo, hi): all of them, or (depthwise) this chunk's. */
  channels: [number, number];
  /** The tile as a convolution over its band: bounds K = kc, Q = qc, inH = loaded rows, tile-relative top padding. */
  problem: ConvProblem;
  load: TileLoad;
}

/**
 * The tile's DRAM reads and bank layout. Inputs come in `inSegs` segments of `inSegBeats`
 * beats, `inSegStride` beats apart in DRAM (one segment when the band is contiguous; one per
 * pixel when a depthwise tile loads only its channel chunk); weights and requantisation
 * records are contiguous. Bank addresses add `inOff` / `wOff` (the offset of the first byte
 * within its beat, plus the first channel when all channels are loaded for a depthwise chunk).
 */
export interface TileLoad {
  inDramBeat: number;
  inSegBeats: number;
  inSegStride: number;
  inBeats: number;
  inOff: number;
  /** Bank pitch of one input pixel and of one input row. */
  pixPitch: number;
  rowPitch: number;
  wDramBeat: number;
  wBeats: number;
  wOff: number;
  qDramBeat: number;
  qBeats: number;
  /** Byte address of the tile's first output (row q0, column 0, channel k0) and the layer's output strides. */
  outBase: number;
  outRow: number;
  outPix: number;
  outBytes: number;
}

/** Where a layer's tensors sit in the DRAM image (inputs, weights, records: beat-aligned regions). */
export interface LayerRegions {
  inBeats: number;
  wBeats: number;
  outBase: number;
}

export interface TileShape {
  kc: number;
  qc: number;
  /** Depthwise tiles load only their channel chunk (needs beat-aligned channel chunks). */
  chunkChannels: boolean;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** Input rows [lo, hi) that output rows [q0, q0 + qc) read, and the band's own top padding. */
export function bandRows(p: ConvProblem, q0: number, qc: number): { lo: number; hi: number; padTop: number } {
  const first = q0 * p.strideH - p.padTop;
  const last = (q0 + qc - 1) * p.strideH - p.padTop + p.bounds.S;
  const lo = Math.min(p.inH, Math.max(0, first));
  const hi = Math.max(lo, Math.min(p.inH, last));
  return { lo, hi, padTop: lo - first };
}

/**
 * Whether a depthwise tile of kc channels can load just its channels, one segment of whole
 * beats per pixel: every pixel's chunk then starts at the same offset within its beat.
 */
export function canChunkChannels(p: ConvProblem, kc: number, beat: number): boolean {
  return p.depthwise && kc < p.bounds.K && p.inC % beat === 0;
}

export function tileLoad(p: ConvProblem, regions: LayerRegions, beat: number, t: { k0: number; kc: number; q0: number; qc: number; chunkChannels: boolean }): { load: TileLoad; rows: [number, number]; channels: [number, number]; padTop: number } {
  const { K, C, P, R, S } = p.bounds;
  const band = bandRows(p, t.q0, t.qc);
  const rows = band.hi - band.lo;
  const pixels = rows * p.inW;
  let inDramBeat: number, inSegBeats: number, inSegStride: number, inBeats: number, inOff: number, pixPitch: number;
  let channels: [number, number];
  if (t.chunkChannels) {
    const start = band.lo * p.inW * p.inC + t.k0;
    inOff = start % beat;
    const seg = ceilDiv(inOff + t.kc, beat);
    inDramBeat = (start - inOff) / beat;
    inSegBeats = seg;
    inSegStride = p.inC / beat;
    inBeats = pixels * seg;
    pixPitch = seg * beat;
    channels = [t.k0, t.k0 + t.kc];
  } else {
    const start = band.lo * p.inW * p.inC;
    const end = band.hi * p.inW * p.inC;
    inDramBeat = Math.floor(start / beat);
    inOff = start - inDramBeat * beat + (p.depthwise ? t.k0 : 0);
    inBeats = end > start ? ceilDiv(end - inDramBeat * beat, beat) : 0;
    inSegBeats = inBeats;
    inSegStride = 0;
    pixPitch = p.inC;
    channels = [0, p.inC];
  }
  const taps = C * R * S;
  const wStart = regions.inBeats * beat + t.k0 * taps;
  const wDramBeat = Math.floor(wStart / beat);
  const wOff = wStart - wDramBeat * beat;
  const qStart = (regions.inBeats + regions.wBeats) * beat + t.k0 * QPARAM_BYTES;
  return {
    rows: [band.lo, band.hi],
    channels,
    padTop: band.padTop,
    load: {
      inDramBeat, inSegBeats, inSegStride, inBeats, inOff, pixPitch, rowPitch: pixPitch * p.inW,
      wDramBeat, wBeats: ceilDiv(wOff + t.kc * taps, beat), wOff,
      // Records are 16 bytes and beats at most 16, so a chunk's records start on a beat.
      qDramBeat: qStart / beat, qBeats: ceilDiv(t.kc * QPARAM_BYTES, beat),
      outBase: regions.outBase + t.q0 * P * K + t.k0, outRow: P * K, outPix: K, outBytes: t.kc * P * t.qc,
    },
  };
}

/** Input values a tile reads that lie inside the image (its window without the zero padding). */
export function inputInsideImage(t: LayerTile): number {
  const p = t.problem;
  const colLo = Math.max(0, -p.padLeft);
  const colHi = Math.min(p.inW, (p.bounds.P - 1) * p.strideW + p.bounds.R - p.padLeft);
  const rowLo = Math.max(0, -p.padTop);
  const rowHi = Math.min(p.inH, (p.bounds.Q - 1) * p.strideH + p.bounds.S - p.padTop);
  const channels = p.depthwise ? p.bounds.K : p.bounds.C;
  return Math.max(0, colHi - colLo) * Math.max(0, rowHi - rowLo) * channels;
}

/** The layer's tiles for one tile shape, channel chunks outermost. */
export function layerTiles(p: ConvProblem, regions: LayerRegions, beat: number, shape: TileShape): LayerTile[] {
  const tiles: LayerTile[] = [];
  for (let k0 = 0; k0 < p.bounds.K; k0 += shape.kc) {
    const kc = Math.min(shape.kc, p.bounds.K - k0);
    for (let q0 = 0; q0 < p.bounds.Q; q0 += shape.qc) {
      const qc = Math.min(shape.qc, p.bounds.Q - q0);
      const t = tileLoad(p, regions, beat, { k0, kc, q0, qc, chunkChannels: shape.chunkChannels });
      const bounds = { ...p.bounds, K: kc, Q: qc };
      tiles.push({
        k0, kc, q0, qc, rows: t.rows, channels: t.channels, load: t.load,
        problem: { ...p, bounds, inH: t.rows[1] - t.rows[0], padTop: t.padTop, macs: DIMS.reduce((m, d) => m * bounds[d], 1) },
      });
    }
  }
  return tiles;
}

/** The whole layer as its single tile (what runs when every layer fits the buffer whole). */
export function wholeLayerTile(p: ConvProblem, regions: LayerRegions, beat: number): LayerTile[] {
  return layerTiles(p, regions, beat, { kc: p.bounds.K, qc: p.bounds.Q, chunkChannels: false });
}

/** Bank bytes a tile shape needs (largest tile), and its estimated cycles over the layer. */
interface Candidate {
  shape: TileShape;
  inBytes: number;
  wBytes: number;
  channels: number;
  cycles: number;
}

/** Values ceil(n / j) for every chunk count j (each distinct chunk size once), optionally rounded up to multiples of g. */
function chunkSizes(n: number, g: number): number[] {
  const out = new Set<number>();
  for (let j = 1; j <= n; j++) {
    const c = ceilDiv(n, j);
    out.add(c);
    out.add(Math.min(n, ceilDiv(c, g) * g));
  }
  return [...out].sort((a, b) => b - a);
}

/** Cycles of one tile from the schedule formula (schedule.ts), with the load in closed form. */
function tileEstimate(hw: AcceleratorHardware, m: LayerMapping, beats: number): number {
  const steps = DIMS.reduce((s, d) => s * m.trips[d], 1);
  return Math.ceil((beats * hw.dramBeatBytes) / hw.dramBandwidth) + 2 + steps + drainCycles(hw, m) + DRAIN_PIPELINE;
}

/** Bank bytes and estimated cycles of a layer run as tiles of one shape; null when a tile's mapping is invalid. */
function shapeCost(hw: AcceleratorHardware, p: ConvProblem, order: Dim[], shape: TileShape): Candidate | null {
  const beat = hw.dramBeatBytes;
  const regions: LayerRegions = { inBeats: ceilDiv(p.inH * p.inW * p.inC, beat), wBeats: ceilDiv(p.bounds.K * p.bounds.C * p.bounds.R * p.bounds.S, beat), outBase: 0 };
  let inBytes = 0, wBytes = 0, cycles = 0;
  const mappings = new Map<string, LayerMapping | null>();
  const mapOf = (k: number, q: number): LayerMapping | null => {
    const key = `${k}/${q}`;
    if (!mappings.has(key)) {
      try {
        mappings.set(key, mapLayer(hw, { ...p, bounds: { ...p.bounds, K: k, Q: q } }, order));
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        mappings.set(key, null);
      }
    }
    return mappings.get(key)!;
  };
  for (let k0 = 0; k0 < p.bounds.K; k0 += shape.kc) {
    const k = Math.min(shape.kc, p.bounds.K - k0);
    for (let q0 = 0; q0 < p.bounds.Q; q0 += shape.qc) {
      const q = Math.min(shape.qc, p.bounds.Q - q0);
      const t = tileLoad(p, regions, beat, { k0, kc: k, q0, qc: q, chunkChannels: shape.chunkChannels });
      inBytes = Math.max(inBytes, t.load.inBeats * beat);
      wBytes = Math.max(wBytes, t.load.wBeats * beat);
      const m = mapOf(k, q);
      if (!m) return null;
      cycles += tileEstimate(hw, m, t.load.inBeats + t.load.wBeats + t.load.qBeats);
    }
  }
  return { shape, inBytes: Math.max(1, inBytes), wBytes: Math.max(1, wBytes), channels: shape.kc, cycles };
}

function candidates(hw: AcceleratorHardware, p: ConvProblem, order: Dim[]): Candidate[] {
  const beat = hw.dramBeatBytes;
  // Depthwise chunks of whole beats load no neighbouring channels.
  const kAlign = p.depthwise && p.inC % beat === 0 ? beat : 1;
  const ks = chunkSizes(p.bounds.K, Math.max(parallelSize(hw, 'K'), 1)).concat(kAlign > 1 ? chunkSizes(p.bounds.K, kAlign) : []);
  const qs = chunkSizes(p.bounds.Q, Math.max(parallelSize(hw, 'Q'), 1));
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const kc of ks) {
    for (const qc of qs) {
      for (const chunkChannels of canChunkChannels(p, kc, beat) ? [true, false] : [false]) {
        const key = `${kc}/${qc}/${chunkChannels}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const c = shapeCost(hw, p, order, { kc, qc, chunkChannels });
        if (c) out.push(c);
      }
    }
  }
  // Keep the Pareto front over (input bytes, weight bytes, channels, cycles).
  out.sort((a, b) => a.cycles - b.cycles || a.inBytes - b.inBytes || a.wBytes - b.wBytes || a.channels - b.channels);
  const front: Candidate[] = [];
  for (const c of out) {
    if (!front.some((f) => f.inBytes <= c.inBytes && f.wBytes <= c.wBytes && f.channels <= c.channels)) front.push(c);
  }
  return front;
}

export interface TilePlan {
  shapes: TileShape[];
  inputBankBytes: number;
  weightBankBytes: number;
  maxChannels: number;
  used: number;
}

/** A tile size the user asked for (`nacc rtl --tile KxQ`): at most kc output channels and qc output rows per tile. */
export interface ForcedTile {
  kc?: number;
  qc?: number;
}

function forcedPlan(hw: AcceleratorHardware, problems: ConvProblem[], order: Dim[], forced: ForcedTile, where?: Location): TilePlan {
  const picks = problems.map((p) => {
    const kc = Math.min(p.bounds.K, forced.kc ?? p.bounds.K);
    const qc = Math.min(p.bounds.Q, forced.qc ?? p.bounds.Q);
    const c = shapeCost(hw, p, order, { kc, qc, chunkChannels: canChunkChannels(p, kc, hw.dramBeatBytes) });
    if (!c) fail('R0207', `layer '${p.layer}': tiles of ${kc} channel(s) x ${qc} row(s) cannot be programmed with loop order ${order.join('')}`, undefined, 2);
    return c;
  });
  const inputBankBytes = Math.max(...picks.map((c) => c.inBytes));
  const weightBankBytes = Math.max(...picks.map((c) => c.wBytes));
  const maxChannels = Math.max(...picks.map((c) => c.channels));
  const used = hw.inputLanes.count * inputBankBytes + hw.weightLanes.count * weightBankBytes + QPARAM_BYTES * maxChannels;
  if (used > hw.globalBufferBytes) {
    fail(
      'R0206',
      `accelerator '${hw.name}': tiles of at most ${forced.kc ?? 'all'} output channel(s) x ${forced.qc ?? 'all'} output row(s) need ${used} B of global buffer ` +
        `(${hw.inputLanes.count} input banks x ${inputBankBytes} B, ${hw.weightLanes.count} weight banks x ${weightBankBytes} B, ${maxChannels} requantisation records) but it has ${hw.globalBufferBytes} B; pick smaller tiles or let nacc choose (no --tile)`,
      where,
    );
  }
  return { shapes: picks.map((c) => c.shape), inputBankBytes, weightBankBytes, maxChannels, used };
}

/** Spread of at most n values of a sorted list (always keeping its ends). */
function spread(values: number[], n: number): number[] {
  if (values.length <= n) return values;
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(values[Math.round((i * (values.length - 1)) / (n - 1))]);
  return [...out];
}

/**
 * One tile shape per layer such that the banks sized by the largest tile fit the buffer:
 * inputLanes x input bank + weightLanes x weight bank + 16 B x records <= global buffer.
 * Tries bank-size splits (input bank, record count) and, for each, gives every layer its
 * cheapest shape within the weight bank left over; keeps the split with the fewest cycles.
 */
export function planTiles(hw: AcceleratorHardware, problems: ConvProblem[], order: Dim[], where?: Location, forced?: ForcedTile): TilePlan {
  const gb = hw.globalBufferBytes;
  const li = hw.inputLanes.count;
  const lw = hw.weightLanes.count;
  if (forced) return forcedPlan(hw, problems, order, forced, where);
  const cands = problems.map((p) => candidates(hw, p, order));
  problems.forEach((p, i) => {
    const need = (c: Candidate) => li * c.inBytes + lw * c.wBytes + QPARAM_BYTES * c.channels;
    const best = cands[i].reduce<Candidate | undefined>((b, c) => (!b || need(c) < need(b) ? c : b), undefined);
    if (!best) fail('R0207', `layer '${p.layer}': no tiling of it can be programmed with loop order ${order.join('')}`, undefined, 2);
    if (need(best) > gb) {
      fail(
        'R0206',
        `accelerator '${hw.name}': layer '${p.layer}' does not fit the global buffer even as its smallest tile ` +
          `(${best.shape.kc} output channel(s) x ${best.shape.qc} output row(s): ${li} input banks x ${best.inBytes} B, ${lw} weight banks x ${best.wBytes} B, ` +
          `${best.channels} requantisation records = ${need(best)} B) but it has ${gb} B; input channels are not split across buffer refills ` +
          `(partial sums are requantised at every drain), so pick a larger buffer or fewer input lanes`,
        where,
      );
    }
  });
  const inValues = spread([...new Set(cands.flatMap((cs) => cs.map((c) => c.inBytes)))].sort((a, b) => a - b), 96);
  const chValues = spread([...new Set(cands.flatMap((cs) => cs.map((c) => c.channels)))].sort((a, b) => a - b), 24);
  let best: { cycles: number; picks: Candidate[] } | undefined;
  for (const bi of inValues) {
    for (const kq of chValues) {
      const bw = Math.floor((gb - li * bi - QPARAM_BYTES * kq) / lw);
      if (bw < 1) continue;
      const picks: Candidate[] = [];
      let cycles = 0;
      for (const cs of cands) {
        let pick: Candidate | undefined;
        for (const c of cs) if (c.inBytes <= bi && c.channels <= kq && c.wBytes <= bw && (!pick || c.cycles < pick.cycles)) pick = c;
        if (!pick) break;
        picks.push(pick);
        cycles += pick.cycles;
      }
      if (picks.length === cands.length && (!best || cycles < best.cycles)) best = { cycles, picks };
    }
  }
  if (!best) {
    fail('R0206', `accelerator '${hw.name}': each layer fits the global buffer (${gb} B) as tiles on its own, but no bank sizes fit them all; program fewer layers at once (--layer)`, where);
  }
  const inputBankBytes = Math.max(...best.picks.map((c) => c.inBytes));
  const weightBankBytes = Math.max(...best.picks.map((c) => c.wBytes));
  const maxChannels = Math.max(...best.picks.map((c) => c.channels));
  return {
    shapes: best.picks.map((c) => c.shape),
    inputBankBytes,
    weightBankBytes,
    maxChannels,
    used: li * inputBankBytes + lw * weightBankBytes + QPARAM_BYTES * maxChannels,
  };
}
