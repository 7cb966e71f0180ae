// Patch geometry: which input pixels an output region of a sliding-window layer needs, and
// the per-patch regions of a whole chain of layers. Pure functions, one axis at a time.

/** A sliding window along one spatial axis, with explicit (possibly asymmetric) padding. */
export interface Window1D {
  kernel: number;
  stride: number;
  dilation: number;
  /** Padding pixels before the first input pixel (TF SAME puts the odd one after). */
  padBefore: number;
  padAfter: number;
}

/** A layer's window on both axes; identity windows (1x1, stride 1, no pad) for elementwise ops. */
export interface WindowLayer {
  name?: string;
  h: Window1D;
  w: Window1D;
  /** Input spatial size [H, W]. */
  inSize: [number, number];
}

/** Half-open interval [lo, hi). */
export interface Interval {
  lo: number;
  hi: number;
}

/** A rectangle of a feature map: rows y0..y1, columns x0..x1 (half-open). */
export interface Region {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

export const IDENTITY_WINDOW: Window1D = { kernel: 1, stride: 1, dilation: 1, padBefore: 0, padAfter: 0 };

export function windowOutSize(w: Window1D, inSize: number): number {
  const eff = (w.kernel - 1) * w.dilation + 1;
  return Math.floor((inSize + w.padBefore + w.padAfter - eff) / w.stride) + 1;
}

/** TensorFlow SAME padding [before, after]: the extra pixel goes after. */
export function tfSamePadding(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const eff = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Input pixels that outputs [lo, hi) read, before clamping to the image: padding pixels are
 * the part outside [0, inSize). `clamp` trims to the pixels that exist.
 */
export function demandInterval(w: Window1D, out: Interval, inSize: number, clamp = true): Interval {
  if (out.hi <= out.lo) return { lo: 0, hi: 0 };
  const lo = out.lo * w.stride - w.padBefore;
  const hi = (out.hi - 1) * w.stride - w.padBefore + (w.kernel - 1) * w.dilation + 1;
  return clamp ? { lo: Math.max(0, lo), hi: Math.min(inSize, hi) } : { lo, hi };
}

export function demandRegion(layer: Pick<WindowLayer, 'h' | 'w' | 'inSize'>, out: Region, clamp = true): Region {
  const y = demandInterval(layer.h, { lo: out.y0, hi: out.y1 }, layer.inSize[0], clamp);
  const x = demandInterval(layer.w, { lo: out.x0, hi: out.x1 }, layer.inSize[1], clamp);
  return { y0: y.lo, y1: y.hi, x0: x.lo, x1: x.hi };
}

export function regionHeight(r: Region): number {
  return Math.max(0, r.y1 - r.y0);
}

export function regionWidth(r: Region): number {
  return Math.max(0, r.x1 - r.x0);
}

export function regionArea(r: Region): number {
  return regionHeight(r) * regionWidth(r);
}

export function isEmpty(r: Region): boolean {
  return r.y1 <= r.y0 || r.x1 <= r.x0;
}

/** Smallest rectangle holding both (the buffer a tensor needs when two consumers read it). */
export function hull(a: Region | undefined, b: Region): Region {
  if (!a || isEmpty(a)) return { ...b };
  if (isEmpty(b)) return { ...a };
  return { y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1) };
}

export function contains(outer: Region, inner: Region): boolean {
  return isEmpty(inner) || (outer.y0 <= inner.y0 && outer.x0 <= inner.x0 && outer.y1 >= inner.y1 && outer.x1 >= inner.x1);
}

export function fullRegion(h: number, w: number): Region {
  return { y0: 0, y1: h, x0: 0, x1: w };
}

/** Tile boundaries of `size` pixels in `p` near-equal parts (sizes differ by at most one). */
export function splitBoundaries(size: number, p: number): number[] {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`patch count must be a positive integer, got ${p}`);
  if (p > size) throw new RangeError(`cannot split ${size} pixels into ${p} patches`);
  return Array.from({ length: p + 1 }, (_, i) => Math.floor((i * size) / p));
}

/** The p x p grid of output tiles of an H x W map, row-major. */
export function patchGrid(h: number, w: number, p: number): Region[] {
  const ys = splitBoundaries(h, p);
  const xs = splitBoundaries(w, p);
  const out: Region[] = [];
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out.push({ y0: ys[i], y1: ys[i + 1], x0: xs[j], x1: xs[j + 1] });
  return out;
}

/**
 * Regions through a chain of layers, last layer first: element k is the region of layer k's
 * input that `outRegion` of the last layer's output needs (clamped to the image).
 */
export function chainInputRegions(layers: WindowLayer[], outRegion: Region): Region[] {
  const regions: Region[] = new Array(layers.length);
  let r = outRegion;
  for (let k = layers.length - 1; k >= 0; k--) {
    r = demandRegion(layers[k], r);
    regions[k] = r;
  }
  return regions;
}

/** Receptive field [h, w] of one output pixel through a chain (unclamped: ignores image borders). */
export function receptiveField(layers: Pick<WindowLayer, 'h' | 'w'>[]): [number, number] {
  let rh = 1;
  let rw = 1;
  for (let k = layers.length - 1; k >= 0; k--) {
    const { h, w } = layers[k];
    rh = (rh - 1) * h.stride + (h.kernel - 1) * h.dilation + 1;
    rw = (rw - 1) * w.stride + (w.kernel - 1) * w.dilation + 1;
  }
  return [rh, rw];
}

/** Largest input patch [h, w] over a p x p grid of the chain's output. */
export function maxInputPatch(layers: WindowLayer[], p: number): [number, number] {
  const last = layers[layers.length - 1];
  const outH = windowOutSize(last.h, last.inSize[0]);
  const outW = windowOutSize(last.w, last.inSize[1]);
  let mh = 0;
  let mw = 0;
  for (const tile of patchGrid(outH, outW, p)) {
    const r = chainInputRegions(layers, tile)[0];
    mh = Math.max(mh, regionHeight(r));
    mw = Math.max(mw, regionWidth(r));
  }
  return [mh, mw];
}

/** Halo of a tile: how far the needed input reaches beyond the tile's own (stride-scaled) extent. */
export function halo(
  needed: Region,
  tile: Region,
  scaleH: number,
  scaleW: number,
): { top: number; bottom: number; left: number; right: number } {
  return {
    top: tile.y0 * scaleH - needed.y0,
    bottom: needed.y1 - tile.y1 * scaleH,
    left: tile.x0 * scaleW - needed.x0,
    right: needed.x1 - tile.x1 * scaleW,
  };
}
