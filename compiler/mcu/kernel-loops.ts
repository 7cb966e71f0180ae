// Which kernel the emitted C runs for an op, and how many times each of its loops turns: the
// run-time tests of templates/mcu/dsp-library/*.c (requantisation bounds,
// geometry) replayed on the op's parameters, and each loop's trip count from the op's shape.
// compiler/mcu/instructions.ts turns these counts into instructions (one coefficient per loop).
import type { QModel, QOp } from '../ir/quantized.ts';
import { qElements } from '../ir/quantized.ts';
import { computeOpParams, type AddParams, type ConvParams, type FcParams, type PoolParams } from '../reference/int8/params.ts';

export type KernelPath = 'smlad' | 'portable';

/** One kernel call (or a fused convolution's calls): its kernel class and its loop trip counts. */
export interface KernelLoops {
  /** `f:` SMLAD kernels, `p:` reference kernels (both paths run the latter for simple ops). */
  cls: string;
  /** Trip counts, in the order of the class's coefficients (LOOP_FEATURES documents them). */
  features: number[];
}

/**
 * What each kernel family's features count (the coefficient of a feature is instructions per
 * trip); a class is its family plus a variant suffix (`f:conv.pairs.p16`, `f:dw.ring.3_2`, ...).
 */
export const LOOP_FEATURES: Record<string, string[]> = {
  'f:conv.pairs': [
    '2x2 blocks x groups of 4 taps (inner loop)',
    '2x2 blocks (output stage)',
    '2x2 blocks of a clamped or post-offset kernel',
    'pixel pairs x channel chunks',
    'pixel pairs x chunks x groups (column)',
    'chunks x staged bytes of padding rows',
    'chunks x staged bytes of inside rows',
    'chunks x staged bytes of border rows',
    'chunks x taps of border rows',
    'pixels x chunks x kernel rows (staging)',
    'chunks x padding rows (a memset each)',
    'chunks x byte tails of inside rows (row bytes mod 4)',
    'pixels x chunks padded to whole groups of 4 taps (a memset each)',
    'channels x groups (16-bit filters)',
    'channels',
    'call',
  ],
  'f:conv.col': ['pixel pairs x channel pairs x groups', 'pixel pairs x channels', 'pixel pairs x receptive field', 'call'],
  // a layer with pruned (all-zero) or out-of-bounds channels: the same kernels over channel lists
  'f:conv.list': [
    '2x2 blocks x groups of 4 taps (inner loop)',
    '2x2 blocks (output stage)',
    '2x2 blocks of a clamped or post-offset kernel',
    'pixel pairs x non-empty chunks',
    'pixel pairs x chunks x groups (column)',
    'chunks x staged bytes of padding rows',
    'chunks x staged bytes of inside rows',
    'chunks x staged bytes of border rows',
    'chunks x taps of border rows',
    'pixels x chunks x kernel rows (staging)',
    'chunks x padding rows (a memset each)',
    'chunks x byte tails of inside rows (row bytes mod 4)',
    'pixels x chunks padded to whole groups of 4 taps (a memset each)',
    'listed channels x groups (16-bit filters)',
    'channels',
    'pruned channels x pixels (constant stores)',
    'pruned channels x filter words (zero test)',
    'slow channels x pixel pairs x groups',
    'slow channels x pixel pairs',
    'call',
  ],
  'f:dw.ring': [
    'groups x outputs x taps',
    'groups x outputs',
    'groups x outputs of a clamped or post-offset kernel',
    'groups x input rows filled x width',
    'groups x output rows x kernel rows',
    'groups x output rows',
    'groups x output rows of odd width',
    'groups x taps',
    'groups',
    'ring words',
    'call',
  ],
  // the ring in whole-plane mode (every padded row of a channel group fits): one call per group
  'f:dw.whole': [
    'groups x outputs x taps',
    'groups x outputs',
    'groups x outputs of a clamped or post-offset kernel',
    'groups x input rows filled x width',
    'groups x output rows',
    'groups x output rows of odd width',
    'groups x taps',
    'groups',
    'plane words',
    'call',
  ],
  'f:dw.tiny': ['channels', 'call'],
  'f:dw.plane': ['outputs x valid taps', 'outputs', 'input elements', 'channels', 'call'], // also f:dw.small, f:dw.generic
  'p:conv': [
    'valid taps x input channels x outputs (MACs run)',
    'valid taps x outputs',
    'kernel rows x outputs',
    'outputs',
    'pixels',
    'call',
  ],
  'p:dw': ['valid taps x outputs', 'kernel rows x outputs', 'outputs', 'input elements (in place: plane copies)', 'channels', 'call'],
  'f:add': ['elements', 'call'],
  'p:add': ['elements', 'elements x rank (broadcast indexing)', 'call'],
  'f:fc': [
    'batches x outputs x 4-input groups',
    'batches x outputs',
    'batches x 4-input groups (expansion)',
    'batches x outputs x tail inputs',
    'call',
  ],
  'p:fc': ['MACs', 'outputs', 'call'],
  'f:avgpool': ['outputs x channel groups x valid taps', 'outputs x channel groups', 'outputs', 'call'],
  'p:avgpool': ['outputs x channels x valid taps', 'outputs x channels x kernel rows', 'outputs x channels', 'outputs', 'call'],
  'f:quantize_float': ['elements', 'call'], // also f:quantize_float.t (threshold search)
  'p:quantize_float': ['elements', 'call'],
  'p:requantize': ['elements', 'call'],
  'p:dequantize': ['elements', 'call'],
  'p:mean': ['input elements', 'input elements x rank', 'outputs', 'call'],
  'p:softmax': ['elements', 'rows', 'call'],
  'p:transpose': ['elements', 'inner runs', 'call'],
  'p:pad': ['input elements', 'input elements x rank', 'output bytes', 'call'],
  'p:copy': ['bytes', 'call'],
  'p:concat': ['bytes', 'chunks', 'call'],
  'p:resize': ['output pixels', 'output bytes', 'call'],
  'p:mul': ['elements', 'elements x rank (broadcast indexing)', 'call'],
};

const INT32_MIN = -2147483648;

/** dsp-library/common.c nf_rqc_of: 0 when the output-stage bounds fail, else whether the offset is added after (post). */
function rqcOf(mult: number, shift: number, bias: number, taps: number, outOff: number): { ok: boolean; post: boolean } {
  if (shift >= 0 || shift < -30 || mult < 0) return { ok: false, post: false };
  const down = BigInt(-shift);
  const amax = 2n * (BigInt(Math.abs(bias)) + BigInt(taps) * 128n * 255n);
  if (amax >= 1n << 31n) return { ok: false, post: false };
  const hmax = ((amax * BigInt(mult)) >> 32n) + 1n;
  const half = 1n << (down - 1n);
  const offs = BigInt(outOff) * (1n << down);
  if (hmax + half + (offs < 0n ? -offs : offs) + 1n < 1n << 31n) return { ok: true, post: false };
  if (hmax + half + 1n >= 1n << 31n) return { ok: false, post: false };
  return { ok: true, post: true };
}

const biasOf = (model: QModel, op: QOp): ArrayLike<number> | undefined => {
  const id = op.inputs[2];
  return id !== undefined && id >= 0 ? (model.tensors[id].data as ArrayLike<number>) : undefined;
};

/** Sum over output positions of the kernel taps inside the input (one axis). */
function validTaps1d(out: number, inn: number, k: number, s: number, d: number, pad: number): number {
  let n = 0;
  for (let o = 0; o < out; o++) {
    const i0 = o * s - pad;
    for (let f = 0; f < k; f++) if (i0 + f * d >= 0 && i0 + f * d < inn) n++;
  }
  return n;
}
/** Kernel rows visited (bounds checked) per output, summed: every row is checked. */
const validTaps = (
  p: Pick<
    ConvParams,
    'outH' | 'outW' | 'inH' | 'inW' | 'kH' | 'kW' | 'strideH' | 'strideW' | 'dilationH' | 'dilationW' | 'padTop' | 'padLeft'
  >,
) =>
  validTaps1d(p.outH, p.inH, p.kH, p.strideH, p.dilationH, p.padTop) * validTaps1d(p.outW, p.inW, p.kW, p.strideW, p.dilationW, p.padLeft);

/** A fused convolution's chunk geometry: the kernel is called on 1 x n pixel strips. */
export interface ConvCalls {
  pixels: number;
  chunk: number;
}

/**
 * The int8 staging of general receptive fields (dsp-library/conv.c nf_column2), summed over output
 * pixels: bytes of window rows outside the image (padding), rows wholly inside (one copy loop),
 * rows cut by the border (a per-tap loop: bytes, and taps).
 */
function stagingBytes(p: ConvParams): { pad: number; padRows: number; copy: number; copyTail: number; border: number; borderFx: number } {
  const rowlen = p.kW * p.inC;
  let pad = 0,
    padRows = 0,
    copy = 0,
    copyTail = 0,
    border = 0,
    borderFx = 0;
  for (let oy = 0; oy < p.outH; oy++) {
    const iy0 = oy * p.strideH - p.padTop;
    for (let ox = 0; ox < p.outW; ox++) {
      const ix0 = ox * p.strideW - p.padLeft;
      const inside = p.dilationW === 1 && ix0 >= 0 && ix0 + p.kW <= p.inW;
      for (let fy = 0; fy < p.kH; fy++) {
        const iy = iy0 + p.dilationH * fy;
        if (iy < 0 || iy >= p.inH) {
          pad += rowlen;
          padRows++;
        } else if (inside) {
          copy += rowlen;
          copyTail += rowlen % 4;
        } else {
          border += rowlen;
          borderFx += p.kW;
        }
      }
    }
  }
  return { pad, padRows, copy, copyTail, border, borderFx };
}

function convSmlad(model: QModel, op: QOp, p: ConvParams, colWords: number, calls?: ConvCalls): KernelLoops | undefined {
  const kdim = p.kH * p.kW * p.inC;
  const bias = biasOf(model, op);
  const mults = Array.from(p.multipliers);
  if (p.filterInC !== p.inC || kdim > colWords || p.batches !== 1 || mults.includes(INT32_MIN)) return undefined;
  const G = Math.ceil(kdim / 4);
  const strips = calls
    ? Array.from({ length: Math.ceil(calls.pixels / calls.chunk) }, (_, i) => Math.min(calls.chunk, calls.pixels - i * calls.chunk))
    : [p.outH * p.outW];
  const direct = p.kH === 1 && p.kW === 1 && p.inC % 4 === 0 && p.padTop === 0 && p.padLeft === 0;
  const rq = mults.map((m, c) => rqcOf(m, p.shifts[c], bias ? bias[c] : 0, kdim, p.outputOffset));
  const pairsOk = (direct ? 4 : 6) * G <= colWords;
  const pairs = strips.reduce((s, n) => s + Math.ceil(n / 2), 0);
  const calls1 = strips.length;
  const stage = direct ? { pad: 0, padRows: 0, copy: 0, copyTail: 0, border: 0, borderFx: 0 } : stagingBytes(p);
  const filter = model.tensors[op.inputs[1]].data as ArrayLike<number>;
  const pruned = (c: number) => {
    for (let i = c * kdim; i < (c + 1) * kdim; i++) if (filter[i] !== 0) return false;
    return true;
  };
  const full = p.actMin === -128 && p.actMax === 127;
  const room = Math.floor((colWords - (direct ? 4 : 6) * G) / (2 * G));
  const use16 = G <= 8 && (room >= 32 || room >= p.outC);
  const chunk = use16 && room < 64 ? room : 64;
  if (pairsOk && rq.some((r, c) => !r.ok || pruned(c)))
    return convListed(p, rq, pruned, { G, kdim, pairs, calls1, stage, direct, full, use16, chunk });
  if (pairsOk) {
    const post = rq.some((r) => r.post);
    const chunks = Math.ceil(p.outC / chunk);
    const lastTail = kdim & 3;
    const spec = full && !post && lastTail === 0;
    const clamped = !(full && !post);
    // 16-bit filters: unrolled kernels for 2, 4, 6 and 7 groups (nf_p16_run), a rolled one otherwise;
    // 8-bit filters: the full-range kernels (unrolled for 8, 16, 24 taps) or the clamp/tail one
    const variant = use16
      ? [2, 4, 6, 7].includes(G)
        ? 'p16'
        : 'p16any'
      : spec
        ? [8, 16, 24].includes(kdim)
          ? `k${kdim}`
          : 'full'
        : 'any';
    const blocks = pairs * Math.ceil(p.outC / 2);
    return {
      cls: `f:conv.pairs.${variant}`,
      features: [
        blocks * G,
        blocks,
        clamped ? blocks : 0,
        pairs * chunks,
        pairs * chunks * G,
        chunks * stage.pad,
        chunks * stage.copy,
        chunks * stage.border,
        chunks * stage.borderFx,
        direct ? 0 : 2 * pairs * chunks * p.kH,
        chunks * stage.padRows,
        chunks * stage.copyTail,
        direct || kdim % 4 === 0 ? 0 : 2 * pairs * chunks,
        use16 ? p.outC * G * calls1 : 0,
        p.outC * calls1,
        calls1,
      ],
    };
  }
  const blocks = pairs * Math.ceil(p.outC / 2);
  return { cls: 'f:conv.col', features: [blocks * G, pairs * p.outC, pairs * kdim, calls1] };
}

/**
 * dsp-library/conv.c nf_conv_pairs on a layer with pruned or out-of-bounds channels: the chunks gathered as
 * the C gathers them (up to `chunk` computed channels or 64 slow ones), pruned channels written as
 * constants, slow ones through nf_slow_px, the rest through the listed kernels.
 */
function convListed(
  p: ConvParams,
  rq: { ok: boolean; post: boolean }[],
  pruned: (c: number) => boolean,
  g: {
    G: number;
    kdim: number;
    pairs: number;
    calls1: number;
    stage: ReturnType<typeof stagingBytes>;
    direct: boolean;
    full: boolean;
    use16: boolean;
    chunk: number;
  },
): KernelLoops {
  const { G, kdim, pairs, calls1, stage } = g;
  let chunks = 0,
    blocks = 0,
    clampedBlocks = 0,
    dead = 0,
    slow = 0,
    computed = 0,
    post = false;
  for (let c = 0; c < p.outC;) {
    let n = 0,
      ns = 0,
      last = -1;
    for (; c < p.outC && n < g.chunk && ns < 64; c++) {
      if (pruned(c)) {
        dead++;
        continue;
      }
      if (!rq[c].ok) {
        ns++;
        slow++;
        continue;
      }
      if (rq[c].post) post = true;
      last = c;
      n++;
    }
    if (n === 0 && ns === 0) continue;
    chunks++;
    computed += n;
    const lastTail = n > 0 && last === p.outC - 1 ? kdim & 3 : 0;
    const spec = g.full && !post && lastTail === 0;
    blocks += Math.ceil(n / 2);
    if (g.use16 ? !(g.full && !post) : !spec) clampedBlocks += Math.ceil(n / 2);
  }
  const pixels = p.outH * p.outW;
  // 16-bit filters: the unrolled kernels for 2, 4, 6 and 7 groups (listed twins), a rolled one otherwise
  const variant = g.use16 ? ([2, 4, 6, 7].includes(G) ? 'p16' : 'p16any') : 'w8';
  return {
    cls: `f:conv.list.${variant}`,
    features: [
      pairs * blocks * G,
      pairs * blocks,
      pairs * clampedBlocks,
      pairs * chunks,
      pairs * chunks * G,
      chunks * stage.pad,
      chunks * stage.copy,
      chunks * stage.border,
      chunks * stage.borderFx,
      g.direct ? 0 : 2 * pairs * chunks * p.kH,
      chunks * stage.padRows,
      chunks * stage.copyTail,
      g.direct || kdim % 4 === 0 ? 0 : 2 * pairs * chunks,
      g.use16 ? computed * G * calls1 : 0,
      p.outC * calls1,
      dead * pixels,
      dead * Math.ceil(kdim / 4) * calls1,
      slow * pairs * G,
      slow * pairs,
      calls1,
    ],
  };
}

function convPortable(p: ConvParams, calls?: ConvCalls): KernelLoops {
  const strips = calls ? Math.ceil(calls.pixels / calls.chunk) : 1;
  const geo = calls ? { ...p, outH: 1, outW: calls.pixels, inH: 1, inW: calls.pixels } : p;
  const outputs = geo.outH * geo.outW * p.outC;
  const valid = validTaps(geo) * p.outC;
  return { cls: 'p:conv', features: [valid * p.filterInC, valid, outputs * p.kH, outputs, geo.outH * geo.outW, strips] };
}

/** The ring's rows filled per channel group (dsp-library/depthwise-ring.c nf_dw_ring): inside the image, and padding rows. */
function ringRows(p: ConvParams, inPlace: boolean): { inside: number; padding: number; R: number } {
  let R = 1;
  for (let oy = 0; oy < p.outH; oy++) {
    const lo = oy * p.strideH - p.padTop;
    let hi = lo + (p.kH - 1) * p.dilationH;
    const clob = inPlace ? Math.floor(((oy + 1) * p.outW - 1) / p.inW) : lo;
    if (clob > hi) hi = clob;
    R = Math.max(R, hi - lo + 1);
  }
  let next = -p.padTop;
  let inside = 0,
    padding = 0;
  for (let oy = 0; oy < p.outH; oy++) {
    const lo = oy * p.strideH - p.padTop;
    let hi = lo + (p.kH - 1) * p.dilationH;
    const clob = inPlace ? Math.floor(((oy + 1) * p.outW - 1) / p.inW) : lo;
    if (clob > hi) hi = clob;
    if (next < lo) next = lo;
    for (; next <= hi; next++) {
      if (next < 0 || next >= p.inH) padding++;
      else inside++;
    }
  }
  return { inside, padding, R };
}

const RING_STACK = 2048;

/** Whole-plane mode: rows [-pad_top, -pad_top + rall) filled once per group, inside the image or padding. */
function wholeRows(p: ConvParams, rall: number): { inside: number; padding: number; R: number } {
  let inside = 0;
  for (let r = -p.padTop; r < -p.padTop + rall; r++) if (r >= 0 && r < p.inH) inside++;
  return { inside, padding: rall - inside, R: rall };
}

function depthwiseSmlad(model: QModel, op: QOp, p: ConvParams, inPlace: boolean): KernelLoops | undefined {
  const C = p.inC;
  const bias = biasOf(model, op);
  const mults = Array.from(p.multipliers);
  const taps = p.kH * p.kW;
  if (p.depthMultiplier !== 1 || p.batches !== 1 || mults.includes(INT32_MIN)) return undefined;
  if (inPlace ? taps > 64 : C % 4 !== 0) return undefined;
  const full = p.actMin === -128 && p.actMax === 127;
  // nf_dw_tiny
  const n = p.inH,
    k = p.kH,
    s = p.strideH,
    pt = p.padTop;
  const tinyGeom =
    p.dilationH === 1 &&
    p.dilationW === 1 &&
    p.inW === n &&
    p.kW === k &&
    p.strideW === s &&
    full &&
    p.padTop === p.padLeft &&
    p.outH === Math.ceil(n / s) &&
    p.outW === p.outH &&
    ((n === 3 && k === 3 && s === 1 && pt === 1) ||
      (n === 5 && k === 3 && s === 1 && pt === 1) ||
      (n === 5 && k === 5 && s === 2 && pt === 2));
  if (tinyGeom) {
    let bmax = 0n,
      mmax = 0n,
      dmax = 1n,
      ok = true;
    for (let c = 0; c < C; c++) {
      const m = mults[c],
        sh = p.shifts[c];
      if (m < 0 || sh >= 0 || sh < -23) ok = false;
      bmax = BigInt(Math.max(Number(bmax), Math.abs(bias ? bias[c] : 0)));
      mmax = BigInt(Math.max(Number(mmax), m));
      dmax = BigInt(Math.max(Number(dmax), -sh));
    }
    const aoff = BigInt(Math.abs(p.outputOffset));
    if (ok && bmax < 1n << 29n && aoff < 1n << (31n - dmax)) {
      const amax = 2n * (bmax + BigInt(k * k) * 128n * 255n);
      const hmax = ((amax * mmax) >> 32n) + 1n;
      if (hmax + (1n << (dmax - 1n)) + (aoff << dmax) + 1n < 1n << 31n) return { cls: `f:dw.tiny.${n}_${k}_${s}`, features: [C, 1] };
    }
  }
  // nf_dw_ring (in place: taps <= 64 checked above; out of place: also taps <= 64)
  const ringOk = (() => {
    if (C % 4 !== 0 || p.kH > 16 || p.padTop < 0 || p.padLeft < 0 || p.outW <= 0 || p.outH <= 0 || taps > 64) return undefined;
    let bmax = 0;
    for (let c = 0; c < C && bias; c++) bmax = Math.max(bmax, Math.abs(bias[c]));
    if (bmax >= 2 ** 30 || taps * 128 * 255 >= 2 ** 30 - bmax) return undefined;
    const amax = BigInt(2 * (bmax + taps * 128 * 255));
    const off = BigInt(Math.abs(p.outputOffset));
    let post = false;
    for (let c = 0; c < C; c++) {
      const m = mults[c],
        sh = p.shifts[c];
      if (sh >= 0 || sh < -30 || m < 0) return undefined;
      const down = BigInt(-sh);
      const hmax = ((amax * BigInt(m)) >> 32n) + 1n;
      const half = 1n << (down - 1n);
      if (hmax + half + 1n >= 1n << 31n) return undefined;
      if (down >= 24n || hmax + half + (off << down) + 1n >= 1n << 31n) post = true;
    }
    return { post };
  })();
  if (ringOk) {
    const pr = Math.max(0, (p.outW - 1) * p.strideW - p.padLeft + (p.kW - 1) * p.dilationW + 1 - p.inW);
    const wp = p.padLeft + p.inW + pr;
    // whole-plane mode (nf_dw_ring's `whole`): every padded row the outputs read, converted once per group
    const rall = (p.outH - 1) * p.strideH + (p.kH - 1) * p.dilationH + 1;
    const room = inPlace && p.inH * p.inW > RING_STACK ? p.inH * p.inW : RING_STACK;
    // (the ring's words: its rows, the group block's taps and deltas, 8 biases and 16 output constants)
    const whole = (rall * 2 * wp + (2 * p.kW + 1) * p.kH + 24) * 4 <= room;
    const rows = whole ? wholeRows(p, rall) : ringRows(p, inPlace);
    const words = rows.R * 2 * wp + (2 * p.kW + 1) * p.kH + 24;
    // in place the ring uses the planner's one-plane scratch (in_h x in_w bytes) when it fits
    const fits = (inPlace && words * 4 <= p.inH * p.inW) || words * 4 <= RING_STACK;
    if (fits) {
      const spec =
        p.dilationH === 1 && p.dilationW === 1 && p.kH === p.kW && [3, 5, 7].includes(p.kW) && [1, 2].includes(p.strideW)
          ? `${p.kW}_${p.strideW}`
          : 'any';
      const clamp = !(full && !ringOk.post);
      const G4 = C / 4;
      const outputs = p.outH * p.outW;
      if (whole && spec !== 'any') {
        return {
          cls: `f:dw.whole.${spec}`,
          features: [
            G4 * outputs * taps,
            G4 * outputs,
            clamp ? G4 * outputs : 0,
            G4 * (rows.inside * p.inW + rows.padding * 2 * p.inW),
            G4 * p.outH,
            G4 * p.outH * (p.outW % 2),
            G4 * taps,
            G4,
            rows.R * 2 * wp,
            1,
          ],
        };
      }
      // 3x3 stride 2, full range, even output width: the column-pair ring (nf_dwr_ring_3_2p), rows of
      // whole pairs (the last output pair's window included) and three more words, when they fit
      const np = Math.max(p.outW + 1, Math.ceil(p.padLeft / 2) + Math.ceil(p.inW / 2));
      const pairWords = rows.R * 4 * np + 7 * 3 + 28;
      const pairs =
        spec === '3_2' && !clamp && p.outW % 2 === 0 && ((inPlace && pairWords * 4 <= p.inH * p.inW) || pairWords * 4 <= RING_STACK);
      return {
        cls: `f:dw.ring.${spec}${pairs ? 'p' : ''}`,
        features: [
          G4 * outputs * taps,
          G4 * outputs,
          clamp ? G4 * outputs : 0,
          G4 * (rows.inside * p.inW + rows.padding * 2 * p.inW),
          G4 * p.outH * p.kH,
          G4 * p.outH,
          G4 * p.outH * (p.outW % 2),
          G4 * taps,
          G4,
          pairs ? rows.R * 4 * np : rows.R * 2 * wp,
          1,
        ],
      };
    }
  }
  // in place: the small-plane kernel or the one-plane kernel; out of place: the generic loop
  const outputs = p.outH * p.outW * C;
  const valid = validTaps(p) * C;
  const small = inPlace && C % 4 === 0 && p.inH * p.inW <= 100 && p.outH * p.outW <= p.inH * p.inW;
  return { cls: inPlace ? (small ? 'f:dw.small' : 'f:dw.plane') : 'f:dw.generic', features: [valid, outputs, p.inH * p.inW * C, C, 1] };
}

function depthwisePortable(p: ConvParams, inPlace: boolean): KernelLoops {
  const outputs = p.outH * p.outW * p.outC;
  const valid = validTaps(p) * p.outC;
  return {
    cls: inPlace ? 'p:dw.inplace' : 'p:dw',
    features: [valid, outputs * p.kH, outputs, inPlace ? p.inH * p.inW * p.inC : 0, p.inC, 1],
  };
}

/** dsp-library/ops.c nacc_fast_add: the SMMLAR path's conditions. */
function fastAddApplies(p: AddParams): boolean {
  const ls = p.leftShift + 1;
  const e1 = -p.input1Shift,
    e2 = -p.input2Shift;
  if (p.broadcast.needed || ls > 22 || p.input1Multiplier < 0 || p.input2Multiplier < 0 || e1 < 0 || e1 > 30 || e2 < 0 || e2 > 30)
    return false;
  const s1 = Number((((255n << BigInt(p.leftShift)) * BigInt(p.input1Multiplier)) >> 31n) >> BigInt(e1)) + 1;
  const s2 = Number((((255n << BigInt(p.leftShift)) * BigInt(p.input2Multiplier)) >> 31n) >> BigInt(e2)) + 1;
  return s1 + s2 < 2 ** 29 && rqcOf(p.outputMultiplier, p.outputShift, s1 + s2, 0, p.outputOffset).ok;
}

function addLoops(p: AddParams, elements: number, calls: number, path: KernelPath): KernelLoops {
  if (path === 'smlad' && fastAddApplies(p)) return { cls: 'f:add', features: [elements, calls] };
  return { cls: 'p:add', features: [elements, p.broadcast.needed ? elements * p.broadcast.outShape.length : 0, calls] };
}

const FC_DEPTH = 512;

function fcLoops(p: FcParams, path: KernelPath): KernelLoops {
  const macs = p.batches * p.outDepth * p.accumDepth;
  if (path === 'smlad' && p.filterOffset === 0 && !Array.from(p.multipliers).includes(INT32_MIN)) {
    const g = Math.floor(p.accumDepth / 4),
      tail = p.accumDepth % 4;
    const expand = p.outDepth >= 4 && p.accumDepth <= FC_DEPTH;
    const steps = Math.ceil(p.outDepth / 2) * 2; // two outputs per step
    return {
      cls: expand ? 'f:fc.expand' : 'f:fc.few',
      features: [p.batches * steps * g, p.batches * p.outDepth, expand ? p.batches * g : 0, p.batches * steps * tail, 1],
    };
  }
  return { cls: 'p:fc', features: [macs, p.batches * p.outDepth, 1] };
}

function poolLoops(p: PoolParams, path: KernelPath, kind: string): KernelLoops {
  const outputs = p.batches * p.outH * p.outW;
  const taps = validTaps({ ...p, dilationH: 1, dilationW: 1 });
  if (path === 'smlad' && kind === 'AVERAGE_POOL_2D' && p.channels % 4 === 0 && p.kH * p.kW <= 256) {
    return { cls: 'f:avgpool', features: [p.batches * taps * (p.channels / 4), outputs * (p.channels / 4), outputs, 1] };
  }
  return {
    cls: kind === 'MAX_POOL_2D' ? 'p:maxpool' : 'p:avgpool',
    features: [p.batches * taps * p.channels, outputs * p.channels * p.kH, outputs * p.channels, outputs, 1],
  };
}

/** dsp-library/quantize.c nacc_fast_quantize_float: the threshold search (at least 512 inputs, a scale's exponent field in (30, 240)). */
function quantizeThresholds(scale: number, count: number): boolean {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, scale, true);
  const e = (v.getUint32(0, true) >>> 23) & 0xff;
  return scale > 0 && count >= 512 && e > 30 && e < 240;
}

/** The transpose's strided copy walks the longer innermost run (nacc_kernels.c nacc_transpose). */
function transposeRuns(inShape: number[], perm: number[]): number {
  const outShape = perm.map((d) => inShape[d]);
  const total = inShape.reduce((a, b) => a * b, 1);
  const inner = (s: number[]) => [...s].reverse().find((x) => x > 1) ?? 1;
  return total / Math.max(inner(inShape), inner(outShape));
}

export interface OpLoopContext {
  /** The fast kernels' column buffer, in 32-bit words (compiler/mcu/fast-library.ts fastColumnSize). */
  colWords: number;
  /** Ops run in place (depthwise). */
  inPlace: (op: number) => boolean;
  /** A convolution fused with a residual ADD: its chunking, and the ADD's op. */
  fused: (op: number) => (ConvCalls & { add: number }) | undefined;
  /** An ADD computed inside a fused convolution (its cost goes with the convolution). */
  fusedAdd: (op: number) => boolean;
}

/** The kernel calls of one op (a fused convolution: its convolution and its ADD). */
export function opLoops(model: QModel, op: QOp, path: KernelPath, ctx: OpLoopContext): KernelLoops[] {
  const k = op.index;
  if (op.kind === 'ADD' && ctx.fusedAdd(k)) return [];
  const prm = computeOpParams(model, op);
  const outT = model.tensors[op.outputs[0]];
  const inT = model.tensors[op.inputs[0]];
  const outElems = qElements(outT.shape);
  const inElems = qElements(inT.shape);
  switch (prm.kind) {
    case 'conv': {
      const fused = ctx.fused(k);
      const conv = (path === 'smlad' ? convSmlad(model, op, prm, ctx.colWords, fused) : undefined) ?? convPortable(prm, fused);
      if (!fused) return [conv];
      const add = computeOpParams(model, model.ops[fused.add]);
      const strips = Math.ceil(fused.pixels / fused.chunk);
      return [conv, addLoops(add as AddParams, fused.pixels * prm.outC, strips, path)];
    }
    case 'dwconv': {
      const inPlace = ctx.inPlace(k);
      return [(path === 'smlad' ? depthwiseSmlad(model, op, prm, inPlace) : undefined) ?? depthwisePortable(prm, inPlace)];
    }
    case 'fc':
      return [fcLoops(prm, path)];
    case 'avgpool':
    case 'maxpool':
      return [poolLoops(prm, path, op.kind)];
    case 'add':
      return [addLoops(prm, outElems, 1, path)];
    case 'mul':
      return [{ cls: 'p:mul', features: [outElems, prm.broadcast.needed ? outElems * prm.broadcast.outShape.length : 0, 1] }];
    case 'quantize':
      if (prm.fromFloat)
        return [
          {
            cls:
              path === 'smlad' ? (quantizeThresholds(prm.scale, outElems) ? 'f:quantize_float.t' : 'f:quantize_float') : 'p:quantize_float',
            features: [outElems, 1],
          },
        ];
      return [{ cls: 'p:requantize', features: [outElems, 1] }];
    case 'dequantize':
      return [{ cls: 'p:dequantize', features: [outElems, 1] }];
    case 'mean':
      return [{ cls: 'p:mean', features: [inElems, inElems * prm.inShape.length, prm.numOutputs, 1] }];
    case 'softmax':
      return [{ cls: 'p:softmax', features: [prm.rows * prm.depth, prm.rows, 1] }];
    case 'transpose':
      return [{ cls: 'p:transpose', features: [inElems, transposeRuns(prm.inShape, prm.perm), 1] }];
    case 'pad':
      return [{ cls: 'p:pad', features: [inElems, inElems * prm.inShape.length, outElems, 1] }];
    case 'copy':
      return [{ cls: 'p:copy', features: [prm.bytes, 1] }];
    case 'concat':
      return [{ cls: 'p:concat', features: [outElems, prm.outer * op.inputs.length, 1] }];
    case 'resize':
      return [{ cls: 'p:resize', features: [prm.batches * prm.outH * prm.outW, outElems, 1] }];
    default:
      return [];
  }
}
