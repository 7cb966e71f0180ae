// Bilinear resizing of HWC image batches (half-pixel centres, as TensorFlow's
// resize_bilinear with half_pixel_centers), for subnets that take a smaller resolution.

/** Resize n images of h×w×c in `x` to r×r×c into `out` (allocated when absent). */
export function resizeBatch(
  x: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  r: number,
  out: Float32Array = new Float32Array(n * r * r * c),
): Float32Array {
  if (r === h && r === w) {
    out.set(x.subarray(0, n * h * w * c));
    return out;
  }
  const sy = h / r;
  const sx = w / r;
  for (let b = 0; b < n; b++) {
    const src = b * h * w * c;
    const dst = b * r * r * c;
    for (let oy = 0; oy < r; oy++) {
      const fy = Math.min(h - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
      const y0 = Math.floor(fy);
      const y1 = Math.min(h - 1, y0 + 1);
      const ty = fy - y0;
      for (let ox = 0; ox < r; ox++) {
        const fx = Math.min(w - 1, Math.max(0, (ox + 0.5) * sx - 0.5));
        const x0 = Math.floor(fx);
        const x1 = Math.min(w - 1, x0 + 1);
        const tx = fx - x0;
        for (let ch = 0; ch < c; ch++) {
          const a = x[src + (y0 * w + x0) * c + ch];
          const bb = x[src + (y0 * w + x1) * c + ch];
          const cc = x[src + (y1 * w + x0) * c + ch];
          const d = x[src + (y1 * w + x1) * c + ch];
          out[dst + (oy * r + ox) * c + ch] = (a * (1 - tx) + bb * tx) * (1 - ty) + (cc * (1 - tx) + d * tx) * ty;
        }
      }
    }
  }
  return out;
}
