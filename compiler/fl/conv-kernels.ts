// Convolution forward and backward for the float trainer: a general kernel (any groups,
// stride, dilation, padding) and fast paths for the two shapes inverted-residual networks
// are made of — 1x1 convolutions as register-blocked GEMMs, depthwise convolutions as a loop
// over contiguous channels.
//
// Every fast path adds each output's terms in the general kernel's order and rounds to
// float32 after every addition (Math.fround on register accumulators, as storing into the
// Float32Array did), so the results are bit-identical to the general kernel's.
// Layout: activations NHWC, weights [kh][kw][cin / groups][cout] (see trainer.ts).

export interface ConvGeom {
  ih: number;
  iw: number;
  cin: number;
  oh: number;
  ow: number;
  cout: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  groups: number;
}

const fr = Math.fround;
/** Pixels per cache block of the 1x1 weight gradient. */
const PIXEL_CHUNK = 64;

/** A 1x1, stride-1, unpadded, ungrouped convolution: a GEMM over pixels. */
export const isPointwise = (g: ConvGeom): boolean =>
  g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.groups === 1 && g.oh === g.ih && g.ow === g.iw;

/** One filter per channel (groups = cin = cout). */
export const isDepthwise = (g: ConvGeom): boolean => g.groups === g.cin && g.cout === g.cin;

/** y = conv(x) + bias over n samples (bOff < 0: no bias). */
export function convForward(x: Float32Array, y: Float32Array, p: Float32Array, wOff: number, bOff: number, g: ConvGeom, n: number): void {
  if (isPointwise(g)) pointwiseForward(x, y, p, wOff, bOff, n * g.oh * g.ow, g.cin, g.cout);
  else if (isDepthwise(g)) depthwiseForward(x, y, p, wOff, bOff, g, n);
  else convForwardGeneral(x, y, p, wOff, bOff, g, n);
}

/** Adds the weight and bias gradients into gr and (when needDx) the input gradient into dx. */
export function convBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: Float32Array,
  gr: Float32Array,
  wOff: number,
  bOff: number,
  g: ConvGeom,
  n: number,
  needDx: boolean,
): void {
  if (isPointwise(g)) pointwiseBackward(x, dy, dx, p, gr, wOff, bOff, n * g.oh * g.ow, g.cin, g.cout, needDx);
  else if (isDepthwise(g)) depthwiseBackward(x, dy, dx, p, gr, wOff, bOff, g, n, needDx);
  else convBackwardGeneral(x, dy, dx, p, gr, wOff, bOff, g, n, needDx);
}

// Y[P][O] = X[P][I] · W[I][O] + b, blocked 4 pixels × 4 outputs: per input channel 4 loads of
// X and 4 of W feed 16 multiply-adds held in registers.
function pointwiseForward(x: Float32Array, y: Float32Array, p: Float32Array, w: number, bo: number, P: number, I: number, O: number): void {
  const O4 = O & ~3;
  let px = 0;
  for (; px + 4 <= P; px += 4) {
    const x0 = px * I;
    const x1 = x0 + I;
    const x2 = x1 + I;
    const x3 = x2 + I;
    for (let o = 0; o < O4; o += 4) {
      const b0 = bo >= 0 ? p[bo + o] : 0;
      const b1 = bo >= 0 ? p[bo + o + 1] : 0;
      const b2 = bo >= 0 ? p[bo + o + 2] : 0;
      const b3 = bo >= 0 ? p[bo + o + 3] : 0;
      let a00 = b0,
        a01 = b1,
        a02 = b2,
        a03 = b3;
      let a10 = b0,
        a11 = b1,
        a12 = b2,
        a13 = b3;
      let a20 = b0,
        a21 = b1,
        a22 = b2,
        a23 = b3;
      let a30 = b0,
        a31 = b1,
        a32 = b2,
        a33 = b3;
      for (let i = 0; i < I; i++) {
        const wi = w + i * O + o;
        const w0 = p[wi];
        const w1 = p[wi + 1];
        const w2 = p[wi + 2];
        const w3 = p[wi + 3];
        const v0 = x[x0 + i];
        const v1 = x[x1 + i];
        const v2 = x[x2 + i];
        const v3 = x[x3 + i];
        a00 = fr(a00 + v0 * w0);
        a01 = fr(a01 + v0 * w1);
        a02 = fr(a02 + v0 * w2);
        a03 = fr(a03 + v0 * w3);
        a10 = fr(a10 + v1 * w0);
        a11 = fr(a11 + v1 * w1);
        a12 = fr(a12 + v1 * w2);
        a13 = fr(a13 + v1 * w3);
        a20 = fr(a20 + v2 * w0);
        a21 = fr(a21 + v2 * w1);
        a22 = fr(a22 + v2 * w2);
        a23 = fr(a23 + v2 * w3);
        a30 = fr(a30 + v3 * w0);
        a31 = fr(a31 + v3 * w1);
        a32 = fr(a32 + v3 * w2);
        a33 = fr(a33 + v3 * w3);
      }
      let yo = px * O + o;
      y[yo] = a00;
      y[yo + 1] = a01;
      y[yo + 2] = a02;
      y[yo + 3] = a03;
      yo += O;
      y[yo] = a10;
      y[yo + 1] = a11;
      y[yo + 2] = a12;
      y[yo + 3] = a13;
      yo += O;
      y[yo] = a20;
      y[yo + 1] = a21;
      y[yo + 2] = a22;
      y[yo + 3] = a23;
      yo += O;
      y[yo] = a30;
      y[yo + 1] = a31;
      y[yo + 2] = a32;
      y[yo + 3] = a33;
    }
    for (let o = O4; o < O; o++) for (let r = 0; r < 4; r++) y[(px + r) * O + o] = pointwiseDot(x, p, w, bo, (px + r) * I, I, O, o);
  }
  for (; px < P; px++) for (let o = 0; o < O; o++) y[px * O + o] = pointwiseDot(x, p, w, bo, px * I, I, O, o);
}

function pointwiseDot(x: Float32Array, p: Float32Array, w: number, bo: number, xo: number, I: number, O: number, o: number): number {
  let a = bo >= 0 ? p[bo + o] : 0;
  for (let i = 0; i < I; i++) a = fr(a + x[xo + i] * p[w + i * O + o]);
  return a;
}

// dW[I][O] += X^T · dY (each weight's terms in pixel order, blocked 4 inputs × 4 outputs),
// db[O] += column sums of dY, dX[P][I] += dY · W^T (each a dot product over outputs in
// double precision, rounded once, as the general kernel does).
function pointwiseBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: Float32Array,
  gr: Float32Array,
  w: number,
  bo: number,
  P: number,
  I: number,
  O: number,
  needDx: boolean,
): void {
  if (bo >= 0) {
    for (let px = 0; px < P; px++) {
      const yo = px * O;
      for (let o = 0; o < O; o++) gr[bo + o] += dy[yo + o];
    }
  }
  const I4 = I & ~3;
  const O4 = O & ~3;
  // Pixels in chunks small enough for X's and dY's rows to stay in cache across all blocks.
  for (let p0 = 0; p0 < P; p0 += PIXEL_CHUNK) {
    const p1 = Math.min(P, p0 + PIXEL_CHUNK);
    for (let i = 0; i < I4; i += 4) {
      for (let o = 0; o < O4; o += 4) {
        const g0 = w + i * O + o;
        const g1 = g0 + O;
        const g2 = g1 + O;
        const g3 = g2 + O;
        let a00 = gr[g0],
          a01 = gr[g0 + 1],
          a02 = gr[g0 + 2],
          a03 = gr[g0 + 3];
        let a10 = gr[g1],
          a11 = gr[g1 + 1],
          a12 = gr[g1 + 2],
          a13 = gr[g1 + 3];
        let a20 = gr[g2],
          a21 = gr[g2 + 1],
          a22 = gr[g2 + 2],
          a23 = gr[g2 + 3];
        let a30 = gr[g3],
          a31 = gr[g3 + 1],
          a32 = gr[g3 + 2],
          a33 = gr[g3 + 3];
        for (let px = p0; px < p1; px++) {
          const xo = px * I + i;
          const yo = px * O + o;
          const v0 = x[xo];
          const v1 = x[xo + 1];
          const v2 = x[xo + 2];
          const v3 = x[xo + 3];
          const d0 = dy[yo];
          const d1 = dy[yo + 1];
          const d2 = dy[yo + 2];
          const d3 = dy[yo + 3];
          a00 = fr(a00 + v0 * d0);
          a01 = fr(a01 + v0 * d1);
          a02 = fr(a02 + v0 * d2);
          a03 = fr(a03 + v0 * d3);
          a10 = fr(a10 + v1 * d0);
          a11 = fr(a11 + v1 * d1);
          a12 = fr(a12 + v1 * d2);
          a13 = fr(a13 + v1 * d3);
          a20 = fr(a20 + v2 * d0);
          a21 = fr(a21 + v2 * d1);
          a22 = fr(a22 + v2 * d2);
          a23 = fr(a23 + v2 * d3);
          a30 = fr(a30 + v3 * d0);
          a31 = fr(a31 + v3 * d1);
          a32 = fr(a32 + v3 * d2);
          a33 = fr(a33 + v3 * d3);
        }
        gr[g0] = a00;
        gr[g0 + 1] = a01;
        gr[g0 + 2] = a02;
        gr[g0 + 3] = a03;
        gr[g1] = a10;
        gr[g1 + 1] = a11;
        gr[g1 + 2] = a12;
        gr[g1 + 3] = a13;
        gr[g2] = a20;
        gr[g2 + 1] = a21;
        gr[g2 + 2] = a22;
        gr[g2 + 3] = a23;
        gr[g3] = a30;
        gr[g3 + 1] = a31;
        gr[g3 + 2] = a32;
        gr[g3 + 3] = a33;
      }
    }
  }
  // Ragged edges: rows i >= I4 for every output, columns o >= O4 for rows < I4.
  for (let i = 0; i < I; i++) {
    for (let o = i < I4 ? O4 : 0; o < O; o++) {
      const gi = w + i * O + o;
      let a = gr[gi];
      for (let px = 0; px < P; px++) a = fr(a + x[px * I + i] * dy[px * O + o]);
      gr[gi] = a;
    }
  }
  if (!needDx) return;
  const I4dx = I & ~3;
  let px = 0;
  for (; px + 4 <= P; px += 4) {
    const y0 = px * O;
    const y1 = y0 + O;
    const y2 = y1 + O;
    const y3 = y2 + O;
    const x0 = px * I;
    let i = 0;
    for (; i < I4dx; i += 4) {
      const w0 = w + i * O;
      const w1 = w0 + O;
      const w2 = w1 + O;
      const w3 = w2 + O;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let o = 0; o < O; o++) {
        const d0 = dy[y0 + o];
        const d1 = dy[y1 + o];
        const d2 = dy[y2 + o];
        const d3 = dy[y3 + o];
        const q0 = p[w0 + o];
        const q1 = p[w1 + o];
        const q2 = p[w2 + o];
        const q3 = p[w3 + o];
        s00 += q0 * d0;
        s01 += q1 * d0;
        s02 += q2 * d0;
        s03 += q3 * d0;
        s10 += q0 * d1;
        s11 += q1 * d1;
        s12 += q2 * d1;
        s13 += q3 * d1;
        s20 += q0 * d2;
        s21 += q1 * d2;
        s22 += q2 * d2;
        s23 += q3 * d2;
        s30 += q0 * d3;
        s31 += q1 * d3;
        s32 += q2 * d3;
        s33 += q3 * d3;
      }
      let xo = x0 + i;
      dx[xo] += s00;
      dx[xo + 1] += s01;
      dx[xo + 2] += s02;
      dx[xo + 3] += s03;
      xo += I;
      dx[xo] += s10;
      dx[xo + 1] += s11;
      dx[xo + 2] += s12;
      dx[xo + 3] += s13;
      xo += I;
      dx[xo] += s20;
      dx[xo + 1] += s21;
      dx[xo + 2] += s22;
      dx[xo + 3] += s23;
      xo += I;
      dx[xo] += s30;
      dx[xo + 1] += s31;
      dx[xo + 2] += s32;
      dx[xo + 3] += s33;
    }
    for (; i < I; i++) {
      const wi = w + i * O;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let o = 0; o < O; o++) {
        const wv = p[wi + o];
        s0 += wv * dy[y0 + o];
        s1 += wv * dy[y1 + o];
        s2 += wv * dy[y2 + o];
        s3 += wv * dy[y3 + o];
      }
      const xo = x0 + i;
      dx[xo] += s0;
      dx[xo + I] += s1;
      dx[xo + 2 * I] += s2;
      dx[xo + 3 * I] += s3;
    }
  }
  for (; px < P; px++) {
    const yo = px * O;
    for (let i = 0; i < I; i++) {
      const wi = w + i * O;
      let s = 0;
      for (let o = 0; o < O; o++) s += p[wi + o] * dy[yo + o];
      dx[px * I + i] += s;
    }
  }
}

// Per output pixel the in-bounds taps are listed once; then each channel's sum runs over them
// in the general kernel's tap order, in registers, four channels at a time.
function depthwiseForward(x: Float32Array, y: Float32Array, p: Float32Array, wOff: number, bOff: number, g: ConvGeom, n: number): void {
  const { ih, iw, cin: C, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const inS = ih * iw * C;
  const outS = oh * ow * C;
  const C4 = C & ~3;
  const tapX = new Int32Array(kh * kw);
  const tapW = new Int32Array(kh * kw);
  for (let b = 0; b < n; b++) {
    const xb = b * inS;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = b * outS + (oy * ow + ox) * C;
        let taps = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            tapX[taps] = xb + (iy * iw + ix) * C;
            tapW[taps++] = wOff + (ky * kw + kx) * C;
          }
        }
        let c = 0;
        for (; c < C4; c += 4) {
          let a0 = bOff >= 0 ? p[bOff + c] : 0;
          let a1 = bOff >= 0 ? p[bOff + c + 1] : 0;
          let a2 = bOff >= 0 ? p[bOff + c + 2] : 0;
          let a3 = bOff >= 0 ? p[bOff + c + 3] : 0;
          for (let t = 0; t < taps; t++) {
            const xo = tapX[t] + c;
            const wo = tapW[t] + c;
            a0 = fr(a0 + x[xo] * p[wo]);
            a1 = fr(a1 + x[xo + 1] * p[wo + 1]);
            a2 = fr(a2 + x[xo + 2] * p[wo + 2]);
            a3 = fr(a3 + x[xo + 3] * p[wo + 3]);
          }
          y[yo + c] = a0;
          y[yo + c + 1] = a1;
          y[yo + c + 2] = a2;
          y[yo + c + 3] = a3;
        }
        for (; c < C; c++) {
          let a = bOff >= 0 ? p[bOff + c] : 0;
          for (let t = 0; t < taps; t++) a = fr(a + x[tapX[t] + c] * p[tapW[t] + c]);
          y[yo + c] = a;
        }
      }
    }
  }
}

function depthwiseBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: Float32Array,
  gr: Float32Array,
  wOff: number,
  bOff: number,
  g: ConvGeom,
  n: number,
  needDx: boolean,
): void {
  const { ih, iw, cin: C, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const inS = ih * iw * C;
  const outS = oh * ow * C;
  for (let b = 0; b < n; b++) {
    const xb = b * inS;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = b * outS + (oy * ow + ox) * C;
        if (bOff >= 0) for (let c = 0; c < C; c++) gr[bOff + c] += dy[yo + c];
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            const xo = xb + (iy * iw + ix) * C;
            const wk = wOff + (ky * kw + kx) * C;
            if (needDx) {
              for (let c = 0; c < C; c++) {
                const d = dy[yo + c];
                gr[wk + c] += x[xo + c] * d;
                dx[xo + c] += p[wk + c] * d;
              }
            } else {
              for (let c = 0; c < C; c++) gr[wk + c] += x[xo + c] * dy[yo + c];
            }
          }
        }
      }
    }
  }
}

/** The general convolution (any groups, stride, dilation, padding); the fast paths' reference. */
export function convForwardGeneral(
  x: Float32Array,
  y: Float32Array,
  p: Float32Array,
  wOff: number,
  bOff: number,
  g: ConvGeom,
  n: number,
): void {
  const { ih, iw, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, pt, pl, groups } = g;
  const cig = cin / groups;
  const cog = cout / groups;
  const inS = ih * iw * cin;
  const outS = oh * ow * cout;
  for (let b = 0; b < n; b++) {
    const xb = b * inS;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = b * outS + (oy * ow + ox) * cout;
        if (bOff >= 0) for (let c = 0; c < cout; c++) y[yo + c] = p[bOff + c];
        else y.fill(0, yo, yo + cout);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            const xo = xb + (iy * iw + ix) * cin;
            const wk = wOff + (ky * kw + kx) * cig * cout;
            for (let gi = 0; gi < groups; gi++) {
              const c0 = gi * cog;
              for (let ci = 0; ci < cig; ci++) {
                const xv = x[xo + gi * cig + ci];
                if (xv === 0) continue;
                const wo = wk + ci * cout + c0;
                const yc = yo + c0;
                for (let co = 0; co < cog; co++) y[yc + co] += xv * p[wo + co];
              }
            }
          }
        }
      }
    }
  }
}

/** The general convolution's gradients; the fast paths' reference. */
export function convBackwardGeneral(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: Float32Array,
  gr: Float32Array,
  wOff: number,
  bOff: number,
  g: ConvGeom,
  n: number,
  needDx: boolean,
): void {
  const { ih, iw, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, pt, pl, groups } = g;
  const cig = cin / groups;
  const cog = cout / groups;
  const inS = ih * iw * cin;
  const outS = oh * ow * cout;
  for (let b = 0; b < n; b++) {
    const xb = b * inS;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = b * outS + (oy * ow + ox) * cout;
        if (bOff >= 0) for (let c = 0; c < cout; c++) gr[bOff + c] += dy[yo + c];
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            const xo = xb + (iy * iw + ix) * cin;
            const wk = wOff + (ky * kw + kx) * cig * cout;
            for (let gi = 0; gi < groups; gi++) {
              const c0 = gi * cog;
              const yc = yo + c0;
              for (let ci = 0; ci < cig; ci++) {
                const xi = xo + gi * cig + ci;
                const xv = x[xi];
                const wo = wk + ci * cout + c0;
                if (needDx) {
                  let s = 0;
                  for (let co = 0; co < cog; co++) {
                    const d = dy[yc + co];
                    gr[wo + co] += xv * d;
                    s += p[wo + co] * d;
                  }
                  dx[xi] += s;
                } else if (xv !== 0) {
                  for (let co = 0; co < cog; co++) gr[wo + co] += xv * dy[yc + co];
                }
              }
            }
          }
        }
      }
    }
  }
}
