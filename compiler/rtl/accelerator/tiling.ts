// Tiling of layers larger than the global buffer: each layer runs as a list of tiles, each a
// complete sequencer program over a chunk of output channels (K, with only that chunk's
// weights and requantisation records), a band of output rows (Q, with the input rows and
// halo the band reads), when full-width bands do not fit, a band of output columns (P), and
// when still nothing fits, a chunk of input channels (C): the chunks of one output tile run
// back to back, carrying int32 partial sums in the partial-sum bank; only the last requantises.
// Pure: the plan picks one (channels, rows, columns) tile shape per layer so that the largest
// tile of every layer fits the banks, preferring the plan with the fewest estimated cycles.
import { D, fail, UserError, type Location } from '../../diagnostics/index.ts';
import { DIMS, type ConvProblem, type Dim } from './problem.ts';
import { QPARAM_BYTES, parallelSize, type AcceleratorHardware } from './array.ts';
import { mapLayer, type LayerMapping } from './mapping.ts';
import { drainCycles } from './schedule.ts';
import { DRAIN_PIPELINE, PROGRAM_ISSUE_CYCLES, PSUM_BYTES } from '../../naas/rtl-architecture.ts';

/** Where a tile sits in its layer's output. */
export interface TileBounds {
  /** First output channel and channel count. */
  k0: number;
  kc: number;
  /** First output row and row count. */
  q0: number;
  qc: number;
  /** First output column and column count. */
  p0: number;
  pc: number;
  /** First input channel and channel count of a regular convolution's chunk (0 and C when C is not split). */
  c0: number;
  cc: number;
}

/** One tile of a layer: the program's loop bounds, its DRAM loads and where its outputs go. */
export interface LayerTile extends TileBounds {
  /** Input rows and columns loaded, [lo, hi) of the layer's input. */
  rows: [number, number];
  cols: [number, number];
  /** Input channels loaded, [lo, hi): all of them, or (depthwise) this chunk's. */
  channels: [number, number];
  /** The tile as a convolution over its band: bounds K = kc, Q = qc, C = cc, inH = loaded rows, tile-relative top padding. */
  problem: ConvProblem;
  load: TileLoad;
  /** Input-channel chunks: the first starts its partial sums from zero, the last requantises and writes the outputs. */
  firstChunk: boolean;
  lastChunk: boolean;
}

/**
 * The tile's DRAM reads and bank layout. Inputs come in segments of `inSegBeats` beats,
 * `inRowSegs` segments `inSegStride` bytes apart per input row, rows `inRowStride` bytes apart
 * (one segment when the band is contiguous; one per input row of a column band; one per pixel
 * when a depthwise tile loads only its channel chunk); weights and requantisation
 * records are contiguous. Bank addresses add `inOff` / `wOff` (the offset of the first byte
 * within its beat, plus the first channel when all channels are loaded for a depthwise chunk).
 */
export interface TileLoad {
  /** Byte address of the first segment's first byte (beat-aligned but for a chunk's, whose segments start at the beat holding it). */
  inDramByte: number;
  inSegBeats: number;
  /** Bytes between the segments of a row (a pixel's channels) and, below, between row starts. */
  inSegStride: number;
  /** Segments per input row and bytes between row starts. */
  inRowSegs: number;
  inRowStride: number;
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
  /** Output columns per tile (P when bands are full width). */
  pc: number;
  /** Depthwise tiles load only their channel chunk. */
  chunkChannels: boolean;
  /** Input channels per chunk of a regular convolution (C when C is not split). */
  cc: number;
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

/** Input columns [lo, hi) that output columns [p0, p0 + pc) read, and the band's own left padding. */
export function bandCols(p: ConvProblem, p0: number, pc: number): { lo: number; hi: number; padLeft: number } {
  const first = p0 * p.strideW - p.padLeft;
  const last = (p0 + pc - 1) * p.strideW - p.padLeft + p.bounds.R;
  const lo = Math.min(p.inW, Math.max(0, first));
  const hi = Math.max(lo, Math.min(p.inW, last));
  return { lo, hi, padLeft: lo - first };
}

/** Whether column bands can load one segment of whole beats per input row (every row's segment then starts at the same offset within its beat). */
export function canSplitColumns(p: ConvProblem, beat: number): boolean {
  return p.bounds.P > 1 && (p.inW * p.inC) % beat === 0;
}

/**
 * Whether a depthwise tile of kc channels can load just its channels, one segment per pixel:
 * every pixel's chunk at the same offset within its beat when the input's channels are whole
 * beats, else at its own offset (chunkSegmentBeats, chunkPitches; the load engine writes only the
 * chunk's bytes).
 */
export function canChunkChannels(p: ConvProblem, kc: number, _beat: number): boolean {
  return p.depthwise && kc < p.bounds.K;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Beats a pixel's chunk of n channels takes when the chunk's first byte is `start` (the first
 * pixel's) and pixels are inC bytes apart: when inC is whole beats every pixel's chunk has the
 * first one's offset in its beat; else the offsets run over every multiple of g = gcd(inC, beat)
 * (plus start mod g), so the segment covers the worst of them — and, so that every tile of a
 * layer split into equal chunks loads the same (the cost model's StorageLevel.blocks), at least
 * B - gcd(n, B), the worst offset over the layer's chunks.
 */
export function chunkSegmentBeats(inC: number, start: number, n: number, beat: number): number {
  if (inC % beat === 0) return ceilDiv((start % beat) + n, beat);
  const g = gcd(inC, beat);
  return ceilDiv(Math.max(beat - g + (start % g), beat - gcd(n, beat)) + n, beat);
}

/**
 * Bank pitches of a chunked tile (a segment of seg beats per pixel): the largest values within
 * the beats loaded (seg beats per pixel, cols pixels per row) congruent to the DRAM pitches
 * modulo a beat, so that every pixel's chunk sits in the bank at its DRAM offset within the beat
 * (the load engine writes whole beats with only the chunk's bytes enabled) and the lanes address
 * it linearly. With inC whole beats: seg beats and a row of them.
 */
export function chunkPitches(inC: number, inW: number, cols: number, seg: number, beat: number): { pixPitch: number; rowPitch: number } {
  const below = (limit: number, residue: number) => limit - ((((limit - residue) % beat) + beat) % beat);
  const pixPitch = below(seg * beat, inC % beat);
  const rowPitch = cols > 0 ? below(cols * seg * beat, (inW * inC) % beat) : 0;
  return { pixPitch, rowPitch };
}

/**
 * Whether a regular convolution's input channels can be split into chunks: each chunk is then
 * one segment per pixel at the same offset within its beat (the input's channels are whole beats).
 */
export function canSplitChannels(p: ConvProblem, beat: number): boolean {
  return !p.depthwise && p.bounds.C > 1 && p.inC % beat === 0;
}

export interface TilePosition extends TileBounds {
  chunkChannels: boolean;
}

export function tileLoad(
  p: ConvProblem,
  regions: LayerRegions,
  beat: number,
  t: TilePosition,
): { load: TileLoad; rows: [number, number]; cols: [number, number]; channels: [number, number]; padTop: number; padLeft: number } {
  const { K, C, P, R, S } = p.bounds;
  const band = bandRows(p, t.q0, t.qc);
  const rows = band.hi - band.lo;
  const colBand = t.pc < P;
  const cb = colBand ? bandCols(p, t.p0, t.pc) : { lo: 0, hi: p.inW, padLeft: p.padLeft };
  const cols = cb.hi - cb.lo;
  let inDramByte: number,
    inSegBeats: number,
    inSegStride: number,
    inRowSegs: number,
    inRowStride: number,
    inBeats: number,
    inOff: number,
    pixPitch: number;
  let rowPitch: number;
  let channels: [number, number];
  const splitC = t.cc < C;
  if (t.chunkChannels || splitC) {
    // A segment per pixel (the chunk's channels, same offset in every pixel), the band's
    // columns per row, rows a whole input row apart. The chunk: a depthwise tile's output
    // channels, or a regular convolution's input-channel chunk.
    // When the input's channels are not whole beats, pixels' chunks start at different offsets
    // within their beats: every segment covers the worst offset, and the load engine writes only
    // the chunk's bytes, each at its DRAM offset within the beat (chunkPitches).
    const [ch0, chN] = p.depthwise ? [t.k0, t.kc] : [t.c0, t.cc];
    const start = (band.lo * p.inW + cb.lo) * p.inC + ch0;
    inOff = start % beat;
    const seg = chunkSegmentBeats(p.inC, start, chN, beat);
    inDramByte = start;
    inSegBeats = seg;
    inSegStride = p.inC;
    inRowSegs = Math.max(1, cols);
    inRowStride = p.inW * p.inC;
    inBeats = rows * cols * seg;
    ({ pixPitch, rowPitch } = chunkPitches(p.inC, p.inW, cols, seg, beat));
    channels = [ch0, ch0 + chN];
  } else if (colBand) {
    // A segment per input row: the band's columns, all channels (canSplitColumns: same offset in every row).
    const start = (band.lo * p.inW + cb.lo) * p.inC;
    const off = start % beat;
    const seg = ceilDiv(off + cols * p.inC, beat);
    inDramByte = start - off;
    inSegBeats = seg;
    inSegStride = 0;
    inRowSegs = 1;
    inRowStride = p.inW * p.inC;
    inBeats = cols > 0 ? rows * seg : 0;
    inOff = off + (p.depthwise ? t.k0 : 0);
    pixPitch = p.inC;
    rowPitch = seg * beat;
    channels = [0, p.inC];
  } else {
    // The band's rows are contiguous: one segment.
    const start = band.lo * p.inW * p.inC;
    const end = band.hi * p.inW * p.inC;
    inDramByte = Math.floor(start / beat) * beat;
    inOff = start - inDramByte + (p.depthwise ? t.k0 : 0);
    inBeats = end > start ? ceilDiv(end - inDramByte, beat) : 0;
    inSegBeats = inBeats;
    inSegStride = 0;
    inRowSegs = 1;
    inRowStride = 0;
    pixPitch = p.inC;
    rowPitch = pixPitch * p.inW;
    channels = [0, p.inC];
  }
  // Weights are stored chunk-major when C is split ([chunk][K][S][R][cc], weightImage): the
  // chunk's block starts after K x S x R x c0 bytes and each chunk of output channels is contiguous.
  const taps = t.cc * R * S;
  const wStart = regions.inBeats * beat + K * S * R * t.c0 + t.k0 * taps;
  const wDramBeat = Math.floor(wStart / beat);
  const wOff = wStart - wDramBeat * beat;
  const qStart = (regions.inBeats + regions.wBeats) * beat + t.k0 * QPARAM_BYTES;
  return {
    rows: [band.lo, band.hi],
    cols: [cb.lo, cb.hi],
    channels,
    padTop: band.padTop,
    padLeft: cb.padLeft,
    load: {
      inDramByte,
      inSegBeats,
      inSegStride,
      inRowSegs,
      inRowStride,
      inBeats,
      inOff,
      pixPitch,
      rowPitch,
      wDramBeat,
      wBeats: ceilDiv(wOff + t.kc * taps, beat),
      wOff,
      // Records are 16 bytes and beats at most 16, so a chunk's records start on a beat. Only
      // the last input-channel chunk requantises and writes outputs, so only it loads records.
      qDramBeat: qStart / beat,
      qBeats: t.c0 + t.cc >= C ? ceilDiv(t.kc * QPARAM_BYTES, beat) : 0,
      outBase: regions.outBase + (t.q0 * P + t.p0) * K + t.k0,
      outRow: P * K,
      outPix: K,
      outBytes: t.c0 + t.cc >= C ? t.kc * t.pc * t.qc : 0,
    },
  };
}

/**
 * Input bytes a tile loads: its window inside the image (no zero padding), times the bytes
 * read per pixel (all channels, or a depthwise chunk's whole DRAM beats).
 */
export function inputLoaded(t: LayerTile): number {
  const p = t.problem;
  const colLo = Math.max(0, -p.padLeft);
  const colHi = Math.min(p.inW, (p.bounds.P - 1) * p.strideW + p.bounds.R - p.padLeft);
  const rowLo = Math.max(0, -p.padTop);
  const rowHi = Math.min(p.inH, (p.bounds.Q - 1) * p.strideH + p.bounds.S - p.padTop);
  // Bytes read per pixel: all channels, or the chunk's whole beats.
  return Math.max(0, colHi - colLo) * Math.max(0, rowHi - rowLo) * t.load.pixPitch;
}

/**
 * The layer's tiles for one tile shape: output-channel chunks outermost, then row bands, then
 * column bands, then input-channel chunks (innermost, so that the partial-sum bank holds one
 * output tile's sums between its chunks).
 */
export function layerTiles(p: ConvProblem, regions: LayerRegions, beat: number, shape: TileShape): LayerTile[] {
  const tiles: LayerTile[] = [];
  const C = p.bounds.C;
  for (let k0 = 0; k0 < p.bounds.K; k0 += shape.kc) {
    const kc = Math.min(shape.kc, p.bounds.K - k0);
    for (let q0 = 0; q0 < p.bounds.Q; q0 += shape.qc) {
      const qc = Math.min(shape.qc, p.bounds.Q - q0);
      for (let p0 = 0; p0 < p.bounds.P; p0 += shape.pc) {
        const pc = Math.min(shape.pc, p.bounds.P - p0);
        for (let c0 = 0; c0 < C; c0 += shape.cc) {
          const cc = Math.min(shape.cc, C - c0);
          tiles.push(makeTile(p, regions, beat, { k0, kc, q0, qc, p0, pc, c0, cc, chunkChannels: shape.chunkChannels }));
        }
      }
    }
  }
  return tiles;
}

function makeTile(p: ConvProblem, regions: LayerRegions, beat: number, pos: TilePosition): LayerTile {
  const t = tileLoad(p, regions, beat, pos);
  const bounds = { ...p.bounds, K: pos.kc, Q: pos.qc, P: pos.pc, C: pos.cc };
  return {
    k0: pos.k0,
    kc: pos.kc,
    q0: pos.q0,
    qc: pos.qc,
    p0: pos.p0,
    pc: pos.pc,
    c0: pos.c0,
    cc: pos.cc,
    rows: t.rows,
    cols: t.cols,
    channels: t.channels,
    load: t.load,
    firstChunk: pos.c0 === 0,
    lastChunk: pos.c0 + pos.cc >= p.bounds.C,
    problem: {
      ...p,
      bounds,
      inH: t.rows[1] - t.rows[0],
      inW: t.cols[1] - t.cols[0],
      padTop: t.padTop,
      padLeft: t.padLeft,
      macs: DIMS.reduce((m, d) => m * bounds[d], 1),
    },
  };
}

/** The whole layer as its single tile (what runs when every layer fits the buffer whole). */
export function wholeLayerTile(p: ConvProblem, regions: LayerRegions, beat: number): LayerTile[] {
  return layerTiles(p, regions, beat, { kc: p.bounds.K, qc: p.bounds.Q, pc: p.bounds.P, cc: p.bounds.C, chunkChannels: false });
}

/** Bank bytes a tile shape needs (largest tile), and its estimated cycles over the layer. */
interface Candidate {
  shape: TileShape;
  inBytes: number;
  wBytes: number;
  channels: number;
  /** int32 partial sums the tile keeps between its input-channel chunks (0 when C is whole). */
  psumWords: number;
  cycles: number;
}

/** Bytes of the banks a set of sizes needs: input and weight banks per lane, records, partial sums. */
/** Global-buffer bytes of banks sized for a tile: the input, weight and record banks twice when double-buffered (two halves), the partial-sum bank once. */
function bankBytes(hw: AcceleratorHardware, c: { inBytes: number; wBytes: number; channels: number; psumWords: number }): number {
  const halves = hw.doubleBuffer ? 2 : 1;
  return (
    halves * (hw.inputLanes.count * c.inBytes + hw.weightLanes.count * c.wBytes + QPARAM_BYTES * c.channels) + PSUM_BYTES * c.psumWords
  );
}

export { PSUM_BYTES };

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

/** Cycles of one tile's compute and drains from the schedule formula (schedule.ts); its load is costed separately. */
function tileEstimate(hw: AcceleratorHardware, m: LayerMapping): number {
  const steps = DIMS.reduce((s, d) => s * m.trips[d], 1);
  return steps + drainCycles(hw, m) + DRAIN_PIPELINE;
}

/** The chunks [start, size] of n in pieces of at most c. */
const pieces = (n: number, c: number): [number, number][] =>
  Array.from({ length: ceilDiv(n, c) }, (_, i) => [i * c, Math.min(c, n - i * c)]);

/**
 * Bank bytes and estimated cycles of a layer run as tiles of one shape; null when a tile's
 * mapping is invalid. Rows, columns and channels vary independently (a tile's input beats are
 * its rows x the beats of its columns; its compute depends on its sizes only), so the sums run
 * over row bands, column bands and channel chunks separately.
 */
function shapeCost(hw: AcceleratorHardware, p: ConvProblem, order: Dim[], shape: TileShape): Candidate | null {
  const beat = hw.dramBeatBytes;
  const regions: LayerRegions = {
    inBeats: ceilDiv(p.inH * p.inW * p.inC, beat),
    wBeats: ceilDiv(p.bounds.K * p.bounds.C * p.bounds.R * p.bounds.S, beat),
    outBase: 0,
  };
  const ks = pieces(p.bounds.K, shape.kc);
  const qs = pieces(p.bounds.Q, shape.qc);
  const ps = pieces(p.bounds.P, shape.pc);
  const cs = pieces(p.bounds.C, shape.cc);
  const pos = (k: [number, number], q: [number, number], c: [number, number], ch: [number, number] = cs[0]): TilePosition => ({
    k0: k[0],
    kc: k[1],
    q0: q[0],
    qc: q[1],
    p0: c[0],
    pc: c[1],
    c0: ch[0],
    cc: ch[1],
    chunkChannels: shape.chunkChannels,
  });
  // Input beats of a tile: rows x segment beats (column bands: a segment per row; depthwise
  // and input-channel chunks: a segment per pixel), or its band's contiguous beats.
  let inBeatsMax = 0;
  let inBeatsSum = 0;
  const rowsOf = qs.map((q) => {
    const b = bandRows(p, q[0], q[1]);
    return b.hi - b.lo;
  });
  const colsOf = ps.map((c) => {
    const b = shape.pc < p.bounds.P ? bandCols(p, c[0], c[1]) : { lo: 0, hi: p.inW };
    return b.hi - b.lo;
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (shape.chunkChannels) {
    // rows x columns x the chunk's beats per pixel.
    const segs = ks.map((k) => tileLoad(p, regions, beat, pos(k, qs[0], ps[0])).load.inSegBeats);
    inBeatsMax = Math.max(...rowsOf) * Math.max(...colsOf) * Math.max(...segs);
    inBeatsSum = sum(rowsOf) * sum(colsOf) * sum(segs);
  } else if (cs.length > 1) {
    // rows x columns x the input-channel chunk's beats per pixel, for every output-channel chunk.
    const segs = cs.map((ch) => tileLoad(p, regions, beat, pos(ks[0], qs[0], ps[0], ch)).load.inSegBeats);
    inBeatsMax = Math.max(...rowsOf) * Math.max(...colsOf) * Math.max(...segs);
    inBeatsSum = sum(rowsOf) * sum(colsOf) * sum(segs) * ks.length;
  } else if (shape.pc < p.bounds.P) {
    // rows x the column band's beats per row, for every channel chunk.
    const segs = ps.map((c) => tileLoad(p, regions, beat, pos(ks[0], qs[0], c)).load.inSegBeats);
    inBeatsMax = Math.max(...rowsOf) * Math.max(...segs);
    inBeatsSum = sum(rowsOf) * sum(segs) * ks.length;
  } else {
    // The band's contiguous beats, for every channel chunk.
    for (const q of qs) {
      const b = tileLoad(p, regions, beat, pos(ks[0], q, ps[0])).load.inBeats;
      inBeatsMax = Math.max(inBeatsMax, b);
      inBeatsSum += b * ks.length;
    }
  }
  const inBytes = inBeatsMax * beat;
  let wBytes = 0;
  let wqBeats = 0;
  // Weight and record beats of each (output-channel chunk, input-channel chunk), as tileLoad
  // reads them (weights chunk-major, records with the last input-channel chunk only).
  const { K, R, S } = p.bounds;
  const qBeats = (kc: number) => ceilDiv(kc * QPARAM_BYTES, beat);
  for (const [k0, kc] of ks) {
    wqBeats += qBeats(kc);
    for (const [c0, cc] of cs) {
      const wOff = (K * S * R * c0 + k0 * cc * R * S) % beat;
      const wBeats = ceilDiv(wOff + kc * cc * R * S, beat);
      wBytes = Math.max(wBytes, wBeats * beat);
      wqBeats += wBeats;
    }
  }
  const loadBeats = inBeatsSum + wqBeats * qs.length * ps.length;
  const tiles = ks.length * qs.length * ps.length * cs.length;
  const loadCycles = Math.ceil((loadBeats * beat) / hw.dramBandwidth);
  let cycles = 2 * tiles;
  // Compute and drains: tiles differ only in whether they are a last (smaller) chunk or band.
  const sizes = (list: [number, number][]) => {
    const m = new Map<number, number>();
    for (const [, n] of list) m.set(n, (m.get(n) ?? 0) + 1);
    return [...m];
  };
  for (const [k, nk] of sizes(ks))
    for (const [q, nq] of sizes(qs))
      for (const [c, np] of sizes(ps))
        for (const [ch, nc] of sizes(cs)) {
          let m: LayerMapping;
          try {
            m = mapLayer(hw, { ...p, bounds: { ...p.bounds, K: k, Q: q, P: c, C: ch } }, order);
          } catch (e) {
            if (!(e instanceof UserError)) throw e;
            return null;
          }
          cycles += nk * nq * np * nc * tileEstimate(hw, m);
        }
  // Double-buffered: every tile's loads but the first run while the tile before computes (the
  // outputs' writes share the DRAM port with them; the host issues one program per PROGRAM_ISSUE_CYCLES).
  if (hw.doubleBuffer) {
    const port = loadCycles + (p.bounds.K * p.bounds.P * p.bounds.Q) / hw.dramBandwidth;
    cycles = loadCycles / tiles + Math.max(cycles, (port * (tiles - 1)) / tiles, tiles * PROGRAM_ISSUE_CYCLES);
  } else cycles += loadCycles;
  const psumWords = cs.length > 1 ? shape.kc * shape.qc * shape.pc : 0;
  return { shape, inBytes: Math.max(1, inBytes), wBytes: Math.max(1, wBytes), channels: shape.kc, psumWords, cycles };
}

/**
 * Tile shapes worth considering for a layer: whole-width bands of every channel chunk and row
 * count; column bands when none of those fits; input-channel chunks when still none fits (or
 * `splitC`: the layers fit alone but not together).
 */
function candidates(hw: AcceleratorHardware, p: ConvProblem, order: Dim[], splitC = false): { front: Candidate[]; splitC: boolean } {
  const beat = hw.dramBeatBytes;
  const C = p.bounds.C;
  // Depthwise chunks of whole beats load no neighbouring channels (of gcd(inC, beat) channels
  // when the input's channels are not whole beats: such chunks straddle no more beats than they must).
  const kAlign = p.depthwise ? gcd(p.inC, beat) : 1;
  const ks = [
    ...new Set(chunkSizes(p.bounds.K, Math.max(parallelSize(hw, 'K'), 1)).concat(kAlign > 1 ? chunkSizes(p.bounds.K, kAlign) : [])),
  ];
  const qs = chunkSizes(p.bounds.Q, Math.max(parallelSize(hw, 'Q'), 1));
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const consider = (kc: number, qc: number, pc: number, cc = C) => {
    for (const chunkChannels of canChunkChannels(p, kc, beat) ? [true, false] : [false]) {
      const key = `${kc}/${qc}/${pc}/${cc}/${chunkChannels}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = shapeCost(hw, p, order, { kc, qc, pc, cc, chunkChannels });
      if (c) out.push(c);
    }
  };
  for (const kc of ks) for (const qc of qs) consider(kc, qc, p.bounds.P);
  // Column bands only when no full-width tile fits the buffer (they cost halo columns and more programs).
  const fits = () => out.some((c) => bankBytes(hw, c) <= hw.globalBufferBytes);
  const pcs = canSplitColumns(p, beat) ? chunkSizes(p.bounds.P, Math.max(parallelSize(hw, 'P'), 1)).filter((pc) => pc < p.bounds.P) : [];
  if (pcs.length && !fits()) {
    for (const kc of spread(
      [...ks].sort((a, b) => a - b),
      16,
    ))
      for (const qc of spread(
        [...qs].sort((a, b) => a - b),
        12,
      ))
        for (const pc of spread(
          [...pcs].sort((a, b) => a - b),
          16,
        ))
          consider(kc, qc, pc);
  }
  // Input-channel chunks last: they cost a partial-sum bank and a reload of every output tile's
  // inputs and weights per chunk.
  const withC = canSplitChannels(p, beat) && (splitC || !fits());
  if (withC) {
    const ccs = chunkSizes(C, Math.max(beat, parallelSize(hw, 'C'))).filter((cc) => cc < C);
    const small = (xs: number[], n: number) =>
      spread(
        [...xs].sort((a, b) => a - b),
        n,
      );
    for (const cc of small(ccs, 6))
      for (const kc of small(ks, 6))
        for (const qc of small(qs, 6)) for (const pc of [p.bounds.P, ...small(pcs, 3)]) consider(kc, qc, pc, cc);
  }
  return { front: paretoFront(out), splitC: withC };
}

/** The Pareto front over (input bytes, weight bytes, channels, partial sums, cycles). */
function paretoFront(cands: Candidate[]): Candidate[] {
  const out = [...cands].sort(
    (a, b) => a.cycles - b.cycles || a.inBytes - b.inBytes || a.wBytes - b.wBytes || a.channels - b.channels || a.psumWords - b.psumWords,
  );
  const front: Candidate[] = [];
  for (const c of out) {
    if (!front.some((f) => f.inBytes <= c.inBytes && f.wBytes <= c.wBytes && f.channels <= c.channels && f.psumWords <= c.psumWords))
      front.push(c);
  }
  return front;
}

export interface TilePlan {
  shapes: TileShape[];
  /** The planner's cycle estimate of every layer's tiles (shapeCost), summed. */
  cycles: number;
  inputBankBytes: number;
  weightBankBytes: number;
  maxChannels: number;
  /** int32 words of the partial-sum bank (0: no layer splits its input channels). */
  psumWords: number;
  used: number;
}

/** A tile size the user asked for (`nacc rtl --tile KxQ[xP]`): at most kc output channels, qc output rows (and pc output columns) per tile. */
export interface ForcedTile {
  kc?: number;
  qc?: number;
  /** Output columns per tile (column bands). */
  pc?: number;
  /** Input channels per chunk (a replayed searched mapping; regular convolutions whose channels are whole beats). */
  cc?: number;
}

function planOf(hw: AcceleratorHardware, picks: Candidate[]): TilePlan {
  const sizes = {
    inBytes: Math.max(...picks.map((c) => c.inBytes)),
    wBytes: Math.max(...picks.map((c) => c.wBytes)),
    channels: Math.max(...picks.map((c) => c.channels)),
    psumWords: Math.max(...picks.map((c) => c.psumWords)),
  };
  return {
    shapes: picks.map((c) => c.shape),
    cycles: picks.reduce((s, c) => s + c.cycles, 0),
    inputBankBytes: sizes.inBytes,
    weightBankBytes: sizes.wBytes,
    maxChannels: sizes.channels,
    psumWords: sizes.psumWords,
    used: bankBytes(hw, sizes),
  };
}

function forcedPlan(
  hw: AcceleratorHardware,
  problems: ConvProblem[],
  order: Dim[],
  forcedTiles: ForcedTile | (ForcedTile | undefined)[],
  where?: Location,
): TilePlan {
  const free = problems.map((_, i) => Array.isArray(forcedTiles) && forcedTiles[i] === undefined);
  const fixed = problems.map((p, i) => {
    if (free[i]) return undefined;
    const forced = (Array.isArray(forcedTiles) ? forcedTiles[i] : forcedTiles)!;
    const kc = Math.min(p.bounds.K, forced.kc ?? p.bounds.K);
    const qc = Math.min(p.bounds.Q, forced.qc ?? p.bounds.Q);
    let pc = Math.min(p.bounds.P, forced.pc ?? p.bounds.P);
    // Column bands need the same beat offset in every input row; else the band stays full width.
    if (pc < p.bounds.P && !canSplitColumns(p, hw.dramBeatBytes)) pc = p.bounds.P;
    const cc = forced.cc !== undefined && forced.cc < p.bounds.C && canSplitChannels(p, hw.dramBeatBytes) ? forced.cc : p.bounds.C;
    const c = shapeCost(hw, p, order, { kc, qc, pc, cc, chunkChannels: canChunkChannels(p, kc, hw.dramBeatBytes) });
    if (!c)
      fail(
        D.rtlLoopOrderTiling,
        `layer '${p.layer}': tiles of ${kc} channel(s) x ${qc} row(s) x ${pc} column(s) cannot be programmed with loop order ${order.join('')}`,
        p.location ?? where,
      );
    return c;
  });
  // Layers without a forced shape (no replayable mapping) get the planner's cheapest shape that
  // still fits the banks beside the forced ones.
  const size = (cs: Candidate[]) => ({
    inBytes: Math.max(1, ...cs.map((c) => c.inBytes)),
    wBytes: Math.max(1, ...cs.map((c) => c.wBytes)),
    channels: Math.max(1, ...cs.map((c) => c.channels)),
    psumWords: Math.max(0, ...cs.map((c) => c.psumWords)),
  });
  const chosen = fixed.filter((c): c is Candidate => !!c);
  const picks = problems.map((p, i) => {
    if (fixed[i]) return fixed[i]!;
    const front = [
      ...candidates(hw, p, order).front,
      ...(canSplitChannels(p, hw.dramBeatBytes) ? candidates(hw, p, order, true).front : []),
    ];
    const fits = front.filter((c) => bankBytes(hw, size([...chosen, c])) <= hw.globalBufferBytes).sort((a, b) => a.cycles - b.cycles);
    const pick = fits[0] ?? front.reduce((b, c) => (bankBytes(hw, size([...chosen, c])) < bankBytes(hw, size([...chosen, b])) ? c : b));
    if (!pick)
      fail(
        D.rtlLoopOrderTiling,
        `layer '${p.layer}': no tiling of it can be programmed with loop order ${order.join('')}`,
        p.location ?? where,
      );
    chosen.push(pick);
    return pick;
  });
  const plan = planOf(hw, picks);
  const forced: ForcedTile = Array.isArray(forcedTiles) ? {} : forcedTiles;
  if (plan.used > hw.globalBufferBytes) {
    fail(
      D.rtlGlobalBuffer,
      `accelerator '${hw.name}': ${
        Array.isArray(forcedTiles)
          ? `the searched mappings' tiles (${picks.map((c, i) => `${problems[i].layer}: ${c.shape.kc} K x ${c.shape.qc} Q x ${c.shape.pc} P x ${c.shape.cc} C`).join(', ')}; every input lane keeps its own copy of a tile's input)`
          : `tiles of at most ${forced.kc ?? 'all'} output channel(s) x ${forced.qc ?? 'all'} output row(s)${forced.pc ? ` x ${forced.pc} output column(s)` : ''}`
      } need ${plan.used} B of global buffer ` +
        `(${hw.inputLanes.count} input banks x ${plan.inputBankBytes} B, ${hw.weightLanes.count} weight banks x ${plan.weightBankBytes} B, ${plan.maxChannels} requantisation records) but it has ${hw.globalBufferBytes} B; pick smaller tiles or let nacc choose (no --tile)`,
      where,
    );
  }
  return plan;
}

/** Spread of at most n values of a sorted list (always keeping its ends). */
function spread(values: number[], n: number): number[] {
  if (values.length <= n) return values;
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(values[Math.round((i * (values.length - 1)) / (n - 1))]);
  return [...out];
}

/** Cheapest picks (one candidate per layer) whose largest sizes fit the buffer, over bank splits; undefined when none fits. */
function bestSplit(hw: AcceleratorHardware, cands: Candidate[][]): { cycles: number; picks: Candidate[] } | undefined {
  const halves = hw.doubleBuffer ? 2 : 1;
  const gb = hw.globalBufferBytes;
  const li = hw.inputLanes.count * halves;
  const lw = hw.weightLanes.count * halves;
  const values = (f: (c: Candidate) => number, n: number) =>
    spread(
      [...new Set(cands.flatMap((cs) => cs.map(f)))].sort((a, b) => a - b),
      n,
    );
  const inValues = values((c) => c.inBytes, 96);
  const chValues = values((c) => c.channels, 24);
  const psValues = values((c) => c.psumWords, 8);
  let best: { cycles: number; picks: Candidate[] } | undefined;
  for (const ps of psValues) {
    for (const bi of inValues) {
      for (const kq of chValues) {
        const bw = Math.floor((gb - li * bi - halves * QPARAM_BYTES * kq - PSUM_BYTES * ps) / lw);
        if (bw < 1) continue;
        const picks: Candidate[] = [];
        let cycles = 0;
        for (const cs of cands) {
          let pick: Candidate | undefined;
          for (const c of cs)
            if (c.inBytes <= bi && c.channels <= kq && c.psumWords <= ps && c.wBytes <= bw && (!pick || c.cycles < pick.cycles)) pick = c;
          if (!pick) break;
          picks.push(pick);
          cycles += pick.cycles;
        }
        if (picks.length === cands.length && (!best || cycles < best.cycles)) best = { cycles, picks };
      }
    }
  }
  return best;
}

/**
 * One tile shape per layer such that the banks sized by the largest tile fit the buffer:
 * inputLanes x input bank + weightLanes x weight bank + 16 B x records + 4 B x partial sums
 * <= global buffer. Tries bank-size splits (input bank, record count, partial sums) and, for
 * each, gives every layer its cheapest shape within the weight bank left over; keeps the split
 * with the fewest cycles. When the layers fit alone but not together, input-channel chunks
 * are offered to every layer that can split C, and the splits tried again.
 */
export function planTiles(
  hw: AcceleratorHardware,
  problems: ConvProblem[],
  order: Dim[],
  where?: Location,
  forced?: ForcedTile | (ForcedTile | undefined)[],
): TilePlan {
  const gb = hw.globalBufferBytes;
  if (forced) return forcedPlan(hw, problems, order, forced, where);
  const first = problems.map((p) => candidates(hw, p, order));
  let cands = first.map((c) => c.front);
  problems.forEach((p, i) => {
    const best = cands[i].reduce<Candidate | undefined>((b, c) => (!b || bankBytes(hw, c) < bankBytes(hw, b) ? c : b), undefined);
    if (!best)
      fail(
        D.rtlLoopOrderTiling,
        `layer '${p.layer}': no tiling of it can be programmed with loop order ${order.join('')}`,
        p.location ?? where,
      );
    if (bankBytes(hw, best) > gb) {
      const beat = hw.dramBeatBytes;
      const why = [
        canSplitChannels(p, beat)
          ? ''
          : p.depthwise
            ? ''
            : `its input channels are not split (${p.inC} channels are not a whole number of ${beat}-byte DRAM beats)`,
        canSplitColumns(p, beat) ? '' : 'it is not split into column bands (an input row is not a whole number of DRAM beats)',
      ].filter(Boolean);
      fail(
        D.rtlGlobalBuffer,
        `accelerator '${hw.name}': layer '${p.layer}' does not fit the global buffer even as its smallest tile ` +
          `(${best.shape.kc} output channel(s) x ${best.shape.qc} output row(s) x ${best.shape.pc} output column(s) x ${best.shape.cc} input channel(s): ${hw.inputLanes.count} input banks x ${best.inBytes} B, ` +
          `${hw.weightLanes.count} weight banks x ${best.wBytes} B, ${best.channels} requantisation records, ${best.psumWords} partial sums = ${bankBytes(hw, best)} B) but it has ${gb} B` +
          `${why.length ? `; ${why.join(', and ')}` : ''}; pick a larger buffer or fewer input lanes`,
        where,
      );
    }
  });
  let best = bestSplit(hw, cands);
  // When the layers do not fit together, or some layer splits its input channels anyway (so the
  // partial-sum bank is built), offer input-channel chunks to every layer and keep the cheaper plan.
  if (!best || first.some((c) => c.splitC)) {
    cands = problems.map((p, i) => (first[i].splitC ? cands[i] : candidates(hw, p, order, true).front));
    const withC = bestSplit(hw, cands);
    if (withC && (!best || withC.cycles < best.cycles)) best = withC;
  }
  if (!best) {
    fail(
      D.rtlGlobalBuffer,
      `accelerator '${hw.name}': each layer fits the global buffer (${gb} B) as tiles on its own, but no bank sizes fit them all; program fewer layers at once (--layer)`,
      where,
    );
  }
  return planOf(hw, best.picks);
}
