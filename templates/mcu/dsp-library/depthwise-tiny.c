/* ---- Depthwise on tiny planes (3x3 and 5x5 maps), one channel at a time ----
 * On 5x5 and 3x3 maps a four-channel group's setup is paid for only 9-25 output pixels, and most
 * windows hang over the border. These layers go channel-major with the map size, window, stride
 * and padding as compile-time constants, so that the whole plane unrolls and every window keeps
 * only its taps inside the image (padding taps contribute 0 to the sum and are never computed):
 * each channel's plane is gathered once into 16-bit (x + input offset) values on the stack, its
 * doubled taps are packed in overlapping pairs (k[fx], k[fx+1]) that stay in registers for the
 * whole plane, and a window row takes its inside taps as SMLAD pairs plus an SMLABB for an odd
 * one. In place is safe: channel c's outputs overwrite only channel c's inputs, gathered before.
 * Only the full int8 activation range is specialised, and layers whose output stage passes
 * nf_rqc_of's bounds (else another kernel runs the layer). */
#if defined(__ARM_FEATURE_DSP)
static inline int32_t nf_pkhbt(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}
#define NF_PKHBT(lo, hi) nf_pkhbt((lo), (hi))
#else
#define NF_PKHBT(lo, hi) nf_pack16((lo), (hi))
#endif

static inline __attribute__((always_inline)) void nf_tiny_layer(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias, int16_t *plane,
                                                                const int32_t N, const int32_t K, const int32_t S, const int32_t PT) {
  const int32_t C = p->in_c;
  const int32_t OUT = (N + S - 1) / S;
  const int32_t in_off = p->input_offset, out_off = p->output_offset;
  for (int32_t c = 0; c < C; c++) {
    {
      const int8_t *s = input + c;
#pragma GCC unroll 25
      for (int32_t i = 0; i < N * N; i++, s += C) plane[i] = (int16_t)(s[0] + in_off);
    }
    int32_t kp[5][5]; /* (k[fy][fx], k[fy][fx + 1]); the last column's high half is 0 */
    {
      const int8_t *f = filter + c;
      int32_t k[5][5];
#pragma GCC unroll 5
      for (int32_t fy = 0; fy < K; fy++)
#pragma GCC unroll 5
        for (int32_t fx = 0; fx < K; fx++, f += C) k[fy][fx] = f[0];
#pragma GCC unroll 5
      for (int32_t fy = 0; fy < K; fy++)
#pragma GCC unroll 5
        for (int32_t fx = 0; fx < K; fx++) kp[fy][fx] = fx + 1 < K ? NF_PKHBT(k[fy][fx], k[fy][fx + 1]) : k[fy][fx];
    }
    const int32_t bc = bias ? bias[c] : 0;
    const int32_t mult = p->mult[c];
    const uint32_t down = (uint32_t)-p->shift[c];
    const int32_t nudge = (int32_t)((1u << (down - 1)) + ((uint32_t)out_off << down));
    int8_t *o = output + c;
#pragma GCC unroll 5
    for (int32_t oy = 0; oy < OUT; oy++) {
#pragma GCC unroll 5
      for (int32_t ox = 0; ox < OUT; ox++) {
        const int32_t iy0 = oy * S - PT, ix0 = ox * S - PT;
        const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = iy0 + K > N ? N - iy0 : K;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = ix0 + K > N ? N - ix0 : K;
        int32_t a = bc;
#pragma GCC unroll 5
        for (int32_t fy = fy0; fy < fy1; fy++) {
          const int16_t *r = plane + (iy0 + fy) * N + ix0;
#pragma GCC unroll 3
          for (int32_t fx = fx0; fx < fx1; fx += 2) {
            if (fx + 1 < fx1) a = NF_SMLAD(nf_load32(r + fx), kp[fy][fx], a);
            else if (fx > 0) a = NF_SMLABT(nf_load32(r + fx), kp[fy][fx - 1], a); /* k[fx] is the top half of the pair before */
            else a = NF_SMLABB(nf_load32(r + fx), kp[fy][fx], a);
          }
        }
        /* a = bias + sum k (x + offset); the output stage takes 2a */
        o[0] = (int8_t)NF_SSAT8(nf_rqv(a + a, mult, nudge, (int32_t)down));
        o += C;
        /* one pointer stepping by C, not one induction variable per pixel; with 3x3 windows
         * the plane loads also stay within their pixel (fewer registers spilled) */
        if (K == 3) __asm__ volatile("" : "+r"(o) : : "memory");
        else __asm__("" : "+r"(o));
      }
    }
  }
}

#define NF_TINY_CASE(N_, K_, S_, PT_) \
  static void __attribute__((noinline)) nf_tiny_##N_##_##K_##_##S_(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias) { \
    int16_t plane[N_ * N_ + 2] __attribute__((aligned(4))); \
    plane[N_ * N_] = plane[N_ * N_ + 1] = 0; /* read as the unused top half of a last-column load */ \
    nf_tiny_layer(p, input, output, filter, bias, plane, N_, K_, S_, PT_); \
  }

/* 3x3 windows on a 3x3 map (SAME padding 1): the whole map in registers. Row y as two pairs
 * P0 = (x0, x1), P1 = (x1, x2) (+ input offset), a filter row as K01 = (k0, k1), K12 = (k1, k2):
 * an output row's left pixel takes SMLAD(P0, K12) per window row, the middle one SMLAD(P0, K01)
 * plus SMLATT(P1, K12) (x2 k2), the right one SMLAD(P1, K01); 28 multiply-accumulates for the
 * map's 49 inside-the-image taps. */
static void __attribute__((noinline)) nf_tiny_3map(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias) {
  const int32_t C = p->in_c;
  const int32_t off2 = (int32_t)(((uint32_t)(p->input_offset & 0xffff) << 16) | (uint32_t)(p->input_offset & 0xffff));
  const int32_t out_off = p->output_offset;
  for (int32_t c = 0; c < C; c++) {
    int32_t P[3][2], K[3][2];
    {
      const int8_t *s = input + c;
      const int8_t *f = filter + c;
#pragma GCC unroll 3
      for (int32_t y = 0; y < 3; y++, s += 3 * C, f += 3 * C) {
        const int32_t x0 = s[0], x1 = s[C], x2 = s[2 * C];
        P[y][0] = NF_SADD16(NF_PKHBT(x0, x1), off2);
        P[y][1] = NF_SADD16(NF_PKHBT(x1, x2), off2);
        const int32_t k0 = f[0], k1 = f[C], k2 = f[2 * C];
        K[y][0] = NF_PKHBT(k0, k1);
        K[y][1] = NF_PKHBT(k1, k2);
      }
    }
    const int32_t bc = bias ? bias[c] : 0;
    const int32_t mult = p->mult[c];
    const uint32_t down = (uint32_t)-p->shift[c];
    const int32_t nudge = (int32_t)((1u << (down - 1)) + ((uint32_t)out_off << down));
    int8_t *o = output + c;
#pragma GCC unroll 3
    for (int32_t oy = 0; oy < 3; oy++) {
      const int32_t fy0 = oy == 0 ? 1 : 0, fy1 = oy == 2 ? 2 : 3;
#pragma GCC unroll 3
      for (int32_t ox = 0; ox < 3; ox++) {
        int32_t a = bc;
#pragma GCC unroll 3
        for (int32_t fy = fy0; fy < fy1; fy++) {
          const int32_t iy = oy - 1 + fy;
          if (ox == 0) a = NF_SMLAD(P[iy][0], K[fy][1], a);
          else if (ox == 1) {
            a = NF_SMLAD(P[iy][0], K[fy][0], a);
            a = NF_SMLATT(P[iy][1], K[fy][1], a);
          } else a = NF_SMLAD(P[iy][1], K[fy][0], a);
        }
        o[0] = (int8_t)NF_SSAT8(nf_rqv(a + a, mult, nudge, (int32_t)down));
        o += C;
        __asm__("" : "+r"(o));
      }
    }
  }
}
NF_TINY_CASE(5, 3, 1, 1)
NF_TINY_CASE(5, 5, 2, 2)

/* 1 when it ran the layer: a specialised map size, window, stride and SAME padding, depth
 * multiplier 1, no dilation, the full int8 activation range. */
static int32_t nf_dw_tiny(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias) {
  const int32_t n = p->in_h, k = p->k_h, s = p->stride_h;
  if (p->depth_mult != 1 || p->batches != 1 || p->dil_h != 1 || p->dil_w != 1 || p->in_w != n || p->k_w != k || p->stride_w != s) return 0;
  if (p->act_min != -128 || p->act_max != 127 || p->pad_top != p->pad_left || p->out_h != (n + s - 1) / s || p->out_w != p->out_h) return 0;
  const int32_t pt = p->pad_top;
  if (!((n == 3 && k == 3 && s == 1 && pt == 1) || (n == 5 && k == 3 && s == 1 && pt == 1) || (n == 5 && k == 5 && s == 2 && pt == 2))) return 0;
  /* nf_rqc_of's bounds with the output offset folded, for every channel at once: the bound
   * |high| + 2^(e-1) + |offset| * 2^e + 1 < 2^31 grows with |bias|, m and e, so it is checked on
   * their largest values (right shifts of 1..23, m >= 0) */
  uint32_t bmax = 0, mmax = 0, dmax = 1;
  for (int32_t c = 0; c < p->in_c; c++) {
    const int32_t m = p->mult[c], sh = p->shift[c];
    const uint32_t bb = bias ? (bias[c] < 0 ? 0u - (uint32_t)bias[c] : (uint32_t)bias[c]) : 0u;
    if (m < 0 || sh >= 0 || sh < -23) return 0;
    bmax = bb > bmax ? bb : bmax;
    mmax = (uint32_t)m > mmax ? (uint32_t)m : mmax;
    dmax = (uint32_t)-sh > dmax ? (uint32_t)-sh : dmax;
  }
  const uint32_t aoff = (uint32_t)(p->output_offset < 0 ? -p->output_offset : p->output_offset);
  if (bmax >= (1u << 29) || aoff >= (1u << (31 - dmax))) return 0;
  const uint32_t amax = 2 * (bmax + (uint32_t)(k * k) * 128u * 255u);
  const uint32_t hmax = (uint32_t)(((uint64_t)amax * mmax) >> 32) + 1;
  if (hmax + (1u << (dmax - 1)) + (aoff << dmax) + 1 >= (1u << 31)) return 0;
  if (n == 3 && k == 3 && s == 1 && pt == 1) nf_tiny_3map(p, input, output, filter, bias);
  else if (n == 5 && k == 3 && s == 1 && pt == 1) nf_tiny_5_3_1(p, input, output, filter, bias);
  else if (n == 5 && k == 5 && s == 2 && pt == 2) nf_tiny_5_5_2(p, input, output, filter, bias);
  else return 0;
  return 1;
}

static void nf_dw_inplace_plane(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch);

void nacc_fast_depthwise_conv2d_inplace(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch) {
  const int32_t C = p->in_c;
  if (p->depth_mult != 1 || p->batches != 1 || p->k_h * p->k_w > 64 || nf_min_mult(p->mult, C)) {
    nacc_depthwise_conv2d_inplace(p, buffer, filter, bias, scratch);
    return;
  }
  if (nf_dw_tiny(p, buffer, buffer, filter, bias)) return;
  if (nf_dw_ring(p, buffer, buffer, filter, bias, scratch)) return;
  if ((C & 3) == 0 && p->in_h * p->in_w <= NF_SMALL_PLANE && p->out_h * p->out_w <= p->in_h * p->in_w) nf_dw_inplace_small(p, buffer, filter, bias);
  else nf_dw_inplace_plane(p, buffer, filter, bias, scratch);
}

static void __attribute__((noinline)) nf_dw_inplace_plane(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias, int8_t *scratch) {
  const int32_t C = p->in_c;
  const int32_t kh = p->k_h, kw = p->k_w;
  const int32_t taps = kh * kw;
  const int32_t in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const int32_t sh = p->stride_h, sw = p->stride_w, dh = p->dil_h, dw = p->dil_w;
  const int32_t pt = p->pad_top, pl = p->pad_left, in_off = p->input_offset;
  const int32_t out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
  const int32_t plane = in_h * in_w;
  /* output columns whose window lies inside the image horizontally: [ox_a, ox_b) */
  int32_t ox_a = 0, ox_b = out_w;
  while (ox_a < out_w && ox_a * sw - pl < 0) ox_a++;
  while (ox_b > ox_a && (ox_b - 1) * sw - pl + dw * (kw - 1) >= in_w) ox_b--;
  const int32_t small = nf_small_ok(p->shift, bias, C, taps);
  const int32_t pairs3 = kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1;
  const int32_t pairs3s2 = kh == 3 && kw == 3 && sh == 2 && sw == 2 && dh == 1 && dw == 1;
  int32_t fk[64];
  for (int32_t i = taps; i < 9; i++) fk[i] = 0;
  for (int32_t c = 0; c < C; c++) {
    for (int32_t i = 0; i < plane; i++) scratch[i] = buffer[i * C + c];
    int32_t ksum = 0;
    for (int32_t t = 0; t < taps; t++) {
      fk[t] = filter[t * C + c];
      ksum += fk[t];
    }
    const int32_t mult = p->mult[c], shift = p->shift[c];
    const int32_t b = bias ? bias[c] : 0;
    const int32_t full = b + ksum * in_off;
    const int32_t k0 = fk[0], k1 = fk[1], k2 = fk[2], k3 = fk[3], k4 = fk[4], k5 = fk[5], k6 = fk[6], k7 = fk[7], k8 = fk[8];
    const int32_t q02 = nf_pack16(k0, k2), q35 = nf_pack16(k3, k5), q68 = nf_pack16(k6, k8);
    const int32_t q1 = nf_pack16(k1, k1), q4 = nf_pack16(k4, k4), q7 = nf_pack16(k7, k7);
    const int32_t q0 = nf_pack16(k0, k0), q3 = nf_pack16(k3, k3), q6 = nf_pack16(k6, k6);
    int8_t *outc = buffer + c;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * sh - pt;
      int32_t fy0 = 0, fy1 = kh;
      while (fy0 < fy1 && iy0 + dh * fy0 < 0) fy0++;
      while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
      int8_t *orow = outc + oy * out_w * C;
      const int32_t rows_full = fy0 == 0 && fy1 == kh;
      int32_t pair_a = out_w, pair_b = out_w; /* columns done by the paired 3x3 loop */
      if (rows_full && pairs3) {
        /* stride-1 3x3 interior: two output pixels per step from one word per window row,
         * x0 x2 / x1 x3 by SXTB16: out0 = (k0,k2).(x0,x2) + k1 x1, out1 = (k0,k2).(x1,x3) + k1 x2 */
        pair_a = ox_a;
        pair_b = ox_a + ((ox_b - ox_a) & ~1);
        const int8_t *r = scratch + iy0 * in_w + pair_a - pl;
        int8_t *o = orow + pair_a * C;
        for (int32_t ox = pair_a; ox < pair_b; ox += 2, r += 2, o += 2 * C) {
          int32_t a0 = full, a1 = full;
          int32_t w = nf_load32(r);
          int32_t x02 = NF_SXTB16(w), x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q02, x02, a0);
          a0 = NF_SMLABB(q1, x13, a0);
          a1 = NF_SMLAD(q02, x13, a1);
          a1 = NF_SMLABT(q1, x02, a1);
          w = nf_load32(r + in_w);
          x02 = NF_SXTB16(w);
          x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q35, x02, a0);
          a0 = NF_SMLABB(q4, x13, a0);
          a1 = NF_SMLAD(q35, x13, a1);
          a1 = NF_SMLABT(q4, x02, a1);
          w = nf_load32(r + 2 * in_w);
          x02 = NF_SXTB16(w);
          x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q68, x02, a0);
          a0 = NF_SMLABB(q7, x13, a0);
          a1 = NF_SMLAD(q68, x13, a1);
          a1 = NF_SMLABT(q7, x02, a1);
          int32_t v0 = (small ? nf_rq_small(a0, mult, shift) : nf_rq(a0, mult, shift)) + out_off;
          int32_t v1 = (small ? nf_rq_small(a1, mult, shift) : nf_rq(a1, mult, shift)) + out_off;
          v0 = v0 < lo ? lo : v0;
          v0 = v0 > hi ? hi : v0;
          v1 = v1 < lo ? lo : v1;
          v1 = v1 > hi ? hi : v1;
          o[0] = (int8_t)v0;
          o[C] = (int8_t)v1;
        }
      } else if (rows_full && pairs3s2) {
        /* stride-2 3x3 interior: two output pixels from x0..x4 of each window row:
         * out0 = (k0,k2).(x0,x2) + k1 x1, out1 = k0 x2 + k1 x3 + k2 x4 */
        pair_a = ox_a;
        pair_b = ox_a + ((ox_b - ox_a) & ~1);
        const int8_t *r = scratch + iy0 * in_w + 2 * pair_a - pl;
        int8_t *o = orow + pair_a * C;
        for (int32_t ox = pair_a; ox < pair_b; ox += 2, r += 4, o += 2 * C) {
          int32_t a0 = full, a1 = full;
          int32_t w = nf_load32(r);
          int32_t x02 = NF_SXTB16(w), x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q02, x02, a0);
          a0 = NF_SMLABB(q1, x13, a0);
          a1 = NF_SMLABT(q0, x02, a1);
          a1 = NF_SMLABT(q1, x13, a1);
          a1 += k2 * r[4];
          w = nf_load32(r + in_w);
          x02 = NF_SXTB16(w);
          x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q35, x02, a0);
          a0 = NF_SMLABB(q4, x13, a0);
          a1 = NF_SMLABT(q3, x02, a1);
          a1 = NF_SMLABT(q4, x13, a1);
          a1 += k5 * r[in_w + 4];
          w = nf_load32(r + 2 * in_w);
          x02 = NF_SXTB16(w);
          x13 = NF_SXTB16_ROR8(w);
          a0 = NF_SMLAD(q68, x02, a0);
          a0 = NF_SMLABB(q7, x13, a0);
          a1 = NF_SMLABT(q6, x02, a1);
          a1 = NF_SMLABT(q7, x13, a1);
          a1 += k8 * r[2 * in_w + 4];
          int32_t v0 = (small ? nf_rq_small(a0, mult, shift) : nf_rq(a0, mult, shift)) + out_off;
          int32_t v1 = (small ? nf_rq_small(a1, mult, shift) : nf_rq(a1, mult, shift)) + out_off;
          o[0] = (int8_t)nf_clamp(v0, lo, hi);
          o[C] = (int8_t)nf_clamp(v1, lo, hi);
        }
      }
      for (int32_t ox = 0; ox < out_w; ox++) {
        if (ox == pair_a) ox = pair_b;
        if (ox >= out_w) break;
        const int32_t ix0 = ox * sw - pl;
        int32_t acc;
        if (rows_full && ox >= ox_a && ox < ox_b && kh == 3 && kw == 3 && dh == 1 && dw == 1) {
          const int8_t *r0 = scratch + iy0 * in_w + ix0;
          const int8_t *r1 = r0 + in_w;
          const int8_t *r2 = r1 + in_w;
          acc = full + r0[0] * k0 + r0[1] * k1 + r0[2] * k2 + r1[0] * k3 + r1[1] * k4 + r1[2] * k5 + r2[0] * k6 + r2[1] * k7 + r2[2] * k8;
        } else if (rows_full && ox >= ox_a && ox < ox_b) {
          acc = full;
          for (int32_t fy = 0; fy < kh; fy++) {
            const int8_t *row = scratch + (iy0 + dh * fy) * in_w + ix0;
            const int32_t *k = fk + fy * kw;
            for (int32_t fx = 0; fx < kw; fx++) acc += row[dw * fx] * k[fx];
          }
        } else {
          int32_t fx0 = 0, fx1 = kw;
          while (fx0 < fx1 && ix0 + dw * fx0 < 0) fx0++;
          while (fx1 > fx0 && ix0 + dw * (fx1 - 1) >= in_w) fx1--;
          acc = b;
          for (int32_t fy = fy0; fy < fy1; fy++) {
            const int8_t *row = scratch + (iy0 + dh * fy) * in_w + ix0;
            const int32_t *k = fk + fy * kw;
            for (int32_t fx = fx0; fx < fx1; fx++) acc += (row[dw * fx] + in_off) * k[fx];
          }
        }
        int32_t v = (small ? nf_rq_small(acc, mult, shift) : nf_rq(acc, mult, shift)) + out_off;
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
        orow[ox * C] = (int8_t)v;
      }
    }
  }
}

