/* ---- nacc fast convolution kernels (appended by nacc; fixed code) ----
 * Same arithmetic as the reference kernels, reorganised for Cortex-M4/M7 DSP instructions:
 * general and 1x1 convolutions expand each output pixel's receptive field once into 16-bit
 * values with the input offset added (padding taps become 0), then take dot products two
 * int8 filter taps at a time with SMLAD on sign-extended byte pairs (SXTB16); depthwise
 * convolutions work on four channels at once with SMLABB/SMLATT. Integer sums do not depend
 * on their order, so the results are bit-identical. Without __ARM_FEATURE_DSP the same code
 * runs on portable C definitions of those instructions (this is what the host build checks). */
#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define NF_SXTB16(x) ((int32_t)__sxtb16((int8x4_t)(x)))
static inline int32_t nf_sxtb16_ror8(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define NF_SXTB16_ROR8(x) nf_sxtb16_ror8((int32_t)(x))
#define NF_SMLAD(a, b, acc) ((int32_t)__smlad((int16x2_t)(a), (int16x2_t)(b), (acc)))
#define NF_SADD16(a, b) ((int32_t)__sadd16((int16x2_t)(a), (int16x2_t)(b)))
#define NF_SMLABB(a, b, acc) ((int32_t)__smlabb((int32_t)(a), (int32_t)(b), (acc)))
#define NF_SMLATT(a, b, acc) ((int32_t)__smlatt((int32_t)(a), (int32_t)(b), (acc)))
#else
static inline int32_t nf_pack(int32_t lo, int32_t hi) { return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xffffu)); }
static inline int32_t nf_lo(int32_t x) { return (int16_t)(x & 0xffff); }
static inline int32_t nf_hi(int32_t x) { return (int16_t)((uint32_t)x >> 16); }
#define NF_SXTB16(x) nf_pack((int8_t)((uint32_t)(x) & 0xffu), (int8_t)(((uint32_t)(x) >> 16) & 0xffu))
#define NF_SXTB16_ROR8(x) nf_pack((int8_t)(((uint32_t)(x) >> 8) & 0xffu), (int8_t)(((uint32_t)(x) >> 24) & 0xffu))
#define NF_SMLAD(a, b, acc) ((int32_t)((uint32_t)(acc) + (uint32_t)(nf_lo(a) * nf_lo(b)) + (uint32_t)(nf_hi(a) * nf_hi(b))))
#define NF_SADD16(a, b) nf_pack(nf_lo(a) + nf_lo(b), nf_hi(a) + nf_hi(b))
#define NF_SMLABB(a, b, acc) ((acc) + nf_lo(a) * nf_lo(b))
#define NF_SMLATT(a, b, acc) ((acc) + nf_hi(a) * nf_hi(b))
#endif

static inline int32_t nf_load32(const void *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* TFLite's MultiplyByQuantizedMultiplier, in closed form: the doubling high multiply with
 * its sign-dependent nudge and truncation is floor((a*b + 2^30) / 2^31) for either sign
 * (saturating at the one overflow case); then the rounding right shift, ties away from zero. */
static inline int32_t nf_requant(int32_t x, int32_t mult, int32_t shift) {
  const int32_t up = shift > 0 ? shift : 0;
  const int32_t down = shift > 0 ? 0 : -shift;
  const int32_t a = (int32_t)((uint32_t)x << up);
  int32_t high;
  if (a == (-2147483647 - 1) && mult == (-2147483647 - 1)) high = 2147483647;
  else high = (int32_t)(((int64_t)a * (int64_t)mult + ((int64_t)1 << 30)) >> 31);
  if (down == 0) return high;
  const int32_t mask = (int32_t)((1u << down) - 1u);
  return (high >> down) + ((high & mask) > (mask >> 1) + (high < 0 ? 1 : 0) ? 1 : 0);
}

static inline int8_t nf_out(int32_t acc, const nacc_conv_params *p, int32_t oc) {
  int32_t v = nf_requant(acc, p->mult[oc], p->shift[oc]) + p->output_offset;
  v = v < p->act_min ? p->act_min : v;
  v = v > p->act_max ? p->act_max : v;
  return (int8_t)v;
}

/* One receptive field as 16-bit (input + offset), in groups of four stored as x0 x2 x1 x3 so
 * that the words pair with SXTB16 / SXTB16-ROR8 of four filter bytes. Two columns: output
 * pixels go in pairs, so each filter word loaded serves four multiply-accumulate pairs. */
static int16_t nf_col[2][NACC_FAST_COL];

static inline int32_t nf_slot(int32_t k) {
  const int32_t r = k & 3;
  return (k & ~3) + (r == 1 ? 2 : r == 2 ? 1 : r);
}

static void nf_column(const nacc_conv_params *p, const int8_t *input, int32_t oy, int32_t ox, int16_t *col) {
  const int32_t iy0 = oy * p->stride_h - p->pad_top;
  const int32_t ix0 = ox * p->stride_w - p->pad_left;
  int32_t k = 0;
  if (p->k_h == 1 && p->k_w == 1 && iy0 >= 0 && ix0 >= 0 && iy0 < p->in_h && ix0 < p->in_w) {
    const int8_t *in = input + (iy0 * p->in_w + ix0) * p->in_c;
    const int32_t off2 = (int32_t)(((uint32_t)(p->input_offset & 0xffff) << 16) | (uint32_t)(p->input_offset & 0xffff));
    const int32_t k4 = p->in_c & ~3;
    for (; k < k4; k += 4) {
      const int32_t w = nf_load32(in + k);
      const int32_t a = NF_SADD16(NF_SXTB16(w), off2);
      const int32_t b = NF_SADD16(NF_SXTB16_ROR8(w), off2);
      memcpy(&col[k], &a, 4);
      memcpy(&col[k + 2], &b, 4);
    }
    for (; k < p->in_c; k++) col[nf_slot(k)] = (int16_t)(in[k] + p->input_offset);
    return;
  }
  for (int32_t fy = 0; fy < p->k_h; fy++) {
    const int32_t iy = iy0 + p->dil_h * fy;
    for (int32_t fx = 0; fx < p->k_w; fx++) {
      const int32_t ix = ix0 + p->dil_w * fx;
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
        for (int32_t c = 0; c < p->in_c; c++, k++) col[nf_slot(k)] = 0;
      } else {
        const int8_t *in = input + (iy * p->in_w + ix) * p->in_c;
        for (int32_t c = 0; c < p->in_c; c++, k++) col[nf_slot(k)] = (int16_t)(in[c] + p->input_offset);
      }
    }
  }
}

void nacc_fast_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t kdim = p->k_h * p->k_w * p->in_c;
  if (p->filter_in_c != p->in_c || kdim > NACC_FAST_COL || p->batches != 1) {
    nacc_conv2d(p, input, filter, bias, output);
    return;
  }
  const int32_t k4 = kdim & ~3;
  const int32_t pixels = p->out_h * p->out_w;
  for (int32_t px = 0; px < pixels; px += 2) {
    const int32_t two = px + 1 < pixels;
    nf_column(p, input, px / p->out_w, px % p->out_w, nf_col[0]);
    if (two) nf_column(p, input, (px + 1) / p->out_w, (px + 1) % p->out_w, nf_col[1]);
    const int16_t *ca = nf_col[0];
    const int16_t *cb = nf_col[two];
    int8_t *outa = output + px * p->out_c;
    int8_t *outb = outa + p->out_c;
    int32_t oc = 0;
    for (; oc + 1 < p->out_c; oc += 2) {
      const int8_t *f0 = filter + oc * kdim;
      const int8_t *f1 = f0 + kdim;
      const int32_t b0 = bias ? bias[oc] : 0, b1 = bias ? bias[oc + 1] : 0;
      int32_t a0 = b0, a1 = b1, c0 = b0, c1 = b1;
      int32_t j = 0;
      for (; j < k4; j += 4) {
        const int32_t w0 = nf_load32(f0 + j);
        const int32_t w1 = nf_load32(f1 + j);
        const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
        const int32_t w1e = NF_SXTB16(w1), w1o = NF_SXTB16_ROR8(w1);
        const int32_t xa02 = nf_load32(&ca[j]), xa13 = nf_load32(&ca[j + 2]);
        const int32_t xb02 = nf_load32(&cb[j]), xb13 = nf_load32(&cb[j + 2]);
        a0 = NF_SMLAD(w0e, xa02, a0);
        a0 = NF_SMLAD(w0o, xa13, a0);
        a1 = NF_SMLAD(w1e, xa02, a1);
        a1 = NF_SMLAD(w1o, xa13, a1);
        c0 = NF_SMLAD(w0e, xb02, c0);
        c0 = NF_SMLAD(w0o, xb13, c0);
        c1 = NF_SMLAD(w1e, xb02, c1);
        c1 = NF_SMLAD(w1o, xb13, c1);
      }
      for (; j < kdim; j++) {
        const int32_t s = nf_slot(j);
        a0 += f0[j] * ca[s];
        a1 += f1[j] * ca[s];
        c0 += f0[j] * cb[s];
        c1 += f1[j] * cb[s];
      }
      outa[oc] = nf_out(a0, p, oc);
      outa[oc + 1] = nf_out(a1, p, oc + 1);
      if (two) {
        outb[oc] = nf_out(c0, p, oc);
        outb[oc + 1] = nf_out(c1, p, oc + 1);
      }
    }
    for (; oc < p->out_c; oc++) {
      const int8_t *f0 = filter + oc * kdim;
      int32_t a0 = bias ? bias[oc] : 0, c0 = a0;
      for (int32_t j = 0; j < kdim; j++) {
        a0 += f0[j] * ca[nf_slot(j)];
        c0 += f0[j] * cb[nf_slot(j)];
      }
      outa[oc] = nf_out(a0, p, oc);
      if (two) outb[oc] = nf_out(c0, p, oc);
    }
  }
}

void nacc_fast_depthwise_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t C = p->in_c;
  if (p->depth_mult != 1 || p->batches != 1 || (C & 3) != 0) {
    nacc_depthwise_conv2d(p, input, filter, bias, output);
    return;
  }
  const int32_t off2 = (int32_t)(((uint32_t)(p->input_offset & 0xffff) << 16) | (uint32_t)(p->input_offset & 0xffff));
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    int32_t fy0 = 0, fy1 = p->k_h;
    while (fy0 < fy1 && iy0 + p->dil_h * fy0 < 0) fy0++;
    while (fy1 > fy0 && iy0 + p->dil_h * (fy1 - 1) >= p->in_h) fy1--;
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      int32_t fx0 = 0, fx1 = p->k_w;
      while (fx0 < fx1 && ix0 + p->dil_w * fx0 < 0) fx0++;
      while (fx1 > fx0 && ix0 + p->dil_w * (fx1 - 1) >= p->in_w) fx1--;
      int8_t *out = output + (oy * p->out_w + ox) * C;
      for (int32_t c = 0; c < C; c += 4) {
        int32_t a0 = bias ? bias[c] : 0, a1 = bias ? bias[c + 1] : 0, a2 = bias ? bias[c + 2] : 0, a3 = bias ? bias[c + 3] : 0;
        for (int32_t fy = fy0; fy < fy1; fy++) {
          const int8_t *in = input + ((iy0 + p->dil_h * fy) * p->in_w) * C + c;
          const int8_t *f = filter + fy * p->k_w * C + c;
          for (int32_t fx = fx0; fx < fx1; fx++) {
            const int32_t w = nf_load32(in + (ix0 + p->dil_w * fx) * C);
            const int32_t k = nf_load32(f + fx * C);
            const int32_t x02 = NF_SADD16(NF_SXTB16(w), off2);
            const int32_t x13 = NF_SADD16(NF_SXTB16_ROR8(w), off2);
            const int32_t k02 = NF_SXTB16(k);
            const int32_t k13 = NF_SXTB16_ROR8(k);
            a0 = NF_SMLABB(x02, k02, a0);
            a2 = NF_SMLATT(x02, k02, a2);
            a1 = NF_SMLABB(x13, k13, a1);
            a3 = NF_SMLATT(x13, k13, a3);
          }
        }
        out[c] = nf_out(a0, p, c);
        out[c + 1] = nf_out(a1, p, c + 1);
        out[c + 2] = nf_out(a2, p, c + 2);
        out[c + 3] = nf_out(a3, p, c + 3);
      }
    }
  }
}

/* In-place depthwise (the planner's choice when the input dies here): one channel at a time
 * through the one-plane scratch, as the reference kernel, but with the channel's taps held in
 * registers-friendly local storage and only the taps inside the image visited. */
void nacc_fast_depthwise_conv2d_inplace(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch) {
  const int32_t C = p->in_c;
  const int32_t taps = p->k_h * p->k_w;
  if (p->depth_mult != 1 || p->batches != 1 || taps > 64) {
    nacc_depthwise_conv2d_inplace(p, buffer, filter, bias, scratch);
    return;
  }
  int32_t fk[64];
  int32_t row_off[64]; /* offset x the sum of each filter row: folded in for full rows */
  const int32_t plane = p->in_h * p->in_w;
  const int32_t three = p->k_w == 3 && p->dil_w == 1;
  for (int32_t c = 0; c < C; c++) {
    for (int32_t i = 0; i < plane; i++) scratch[i] = buffer[i * C + c];
    for (int32_t t = 0; t < taps; t++) fk[t] = filter[t * C + c];
    for (int32_t fy = 0; fy < p->k_h; fy++) {
      int32_t sum = 0;
      for (int32_t fx = 0; fx < p->k_w; fx++) sum += fk[fy * p->k_w + fx];
      row_off[fy] = sum * p->input_offset;
    }
    const int32_t b = bias ? bias[c] : 0;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t fy0 = 0, fy1 = p->k_h;
      while (fy0 < fy1 && iy0 + p->dil_h * fy0 < 0) fy0++;
      while (fy1 > fy0 && iy0 + p->dil_h * (fy1 - 1) >= p->in_h) fy1--;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int32_t fx0 = 0, fx1 = p->k_w;
        while (fx0 < fx1 && ix0 + p->dil_w * fx0 < 0) fx0++;
        while (fx1 > fx0 && ix0 + p->dil_w * (fx1 - 1) >= p->in_w) fx1--;
        int32_t acc = b;
        if (three && fx0 == 0 && fx1 == 3) {
          /* a full 3-wide window row: (x + offset) * k summed as x * k plus the folded offset */
          for (int32_t fy = fy0; fy < fy1; fy++) {
            const int8_t *row = scratch + (iy0 + p->dil_h * fy) * p->in_w + ix0;
            const int32_t *k = fk + fy * 3;
            acc += row[0] * k[0] + row[1] * k[1] + row[2] * k[2] + row_off[fy];
          }
        } else {
          for (int32_t fy = fy0; fy < fy1; fy++) {
            const int8_t *row = scratch + (iy0 + p->dil_h * fy) * p->in_w + ix0;
            const int32_t *k = fk + fy * p->k_w;
            for (int32_t fx = fx0; fx < fx1; fx++) acc += (row[p->dil_w * fx] + p->input_offset) * k[fx];
          }
        }
        buffer[(oy * p->out_w + ox) * C + c] = nf_out(acc, p, c);
      }
    }
  }
}
