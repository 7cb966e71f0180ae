/* ---- nacc fast elementwise, fully-connected and average-pool kernels (appended by nacc after
 * nacc_fast.c, whose DSP macros and output stage they use; fixed code) ----
 * The emitter calls them instead of the reference kernels on DSP cores (compiler/mcu/emit.ts,
 * FAST_OP_KERNELS). Each checks, once per call, the bounds under which its arithmetic equals the
 * reference kernel's, and hands the call to the reference kernel otherwise. */

/* ADD without broadcasting, TFLite's arithmetic: each input (x + offset) << left_shift scaled by
 * MultiplyByQuantizedMultiplier with a right shift, their sum scaled to the output. For
 * |x| < 2^29 the scaling is (SMMLAR(2x, m, 2^(e-1)) - [x < 0]) >> e (nacc_fast.c: nf_rq_small
 * with the rounding nudge added by SMMLAR and the sign read from x, as nf_rqv; for e = 0 it is
 * SMMULR(2x, m), no nudge and no sign term: `neg` masks it), and the output
 * stage is nf_rqc_of's with |sum| bounded by the two inputs' largest scaled values. */
void nacc_fast_add(const nacc_add_params *p, const int8_t *a, const int8_t *b, int8_t *output) {
  const int32_t ls = p->left_shift + 1; /* doubled input: SMMLAR's high word is the doubling multiply */
  const int32_t m1 = p->input1_mult, m2 = p->input2_mult, e1 = -p->input1_shift, e2 = -p->input2_shift;
  nf_rqc r = {0, 0, 1, 0};
  int32_t ok = !p->bc.needed && ls <= 22 && m1 >= 0 && m2 >= 0 && e1 >= 0 && e1 <= 30 && e2 >= 0 && e2 <= 30;
  if (ok) {
    /* |input scaled| <= 255 * 2^left_shift * m / 2^31 / 2^e + 1 (the doubling multiply by m / 2^31) */
    const int64_t s1 = ((((int64_t)255 << p->left_shift) * m1) >> 31 >> e1) + 1;
    const int64_t s2 = ((((int64_t)255 << p->left_shift) * m2) >> 31 >> e2) + 1;
    ok = s1 + s2 < ((int64_t)1 << 29) && nf_rqc_of(&r, p->output_mult, p->output_shift, (int32_t)(s1 + s2), 0, p->output_offset);
  }
  if (!ok) {
    nacc_add(p, a, b, output);
    return;
  }
  const int32_t n = p->bc.out_shape[0] * (p->bc.rank > 1 ? p->bc.out_shape[1] : 1) * (p->bc.rank > 2 ? p->bc.out_shape[2] : 1) *
                    (p->bc.rank > 3 ? p->bc.out_shape[3] : 1) * (p->bc.rank > 4 ? p->bc.out_shape[4] : 1) * (p->bc.rank > 5 ? p->bc.out_shape[5] : 1);
  const int32_t o1 = p->input1_offset, o2 = p->input2_offset;
  const int32_t h1 = (1 << e1) >> 1, h2 = (1 << e2) >> 1;
  const uint32_t n1 = e1 > 0, n2 = e2 > 0;
  const int32_t full = p->act_min == -128 && p->act_max == 127 && r.post == 0;
  for (int32_t i = 0; i < n; i++) {
    const int32_t x1 = (int32_t)((uint32_t)(a[i] + o1) << ls);
    const int32_t x2 = (int32_t)((uint32_t)(b[i] + o2) << ls);
    const int32_t v1 = (NF_SMMLAR(x1, m1, h1) - (int32_t)(((uint32_t)x1 >> 31) & n1)) >> e1;
    const int32_t v2 = (NF_SMMLAR(x2, m2, h2) - (int32_t)(((uint32_t)x2 >> 31) & n2)) >> e2;
    const int32_t sum2 = 2 * (v1 + v2);
    const int32_t v = nf_rqv(sum2, r.m, r.nudge, r.down);
    output[i] = (int8_t)(full ? NF_SSAT8(v) : nf_clamp(v + r.post, p->act_min, p->act_max));
  }
}

/* Fully connected: the input row (x + offset) is expanded once into sign-extended 16-bit pairs
 * (x0,x2) (x1,x3) per four inputs (up to NF_FC_DEPTH inputs, on the stack) when there are at least
 * four outputs to share it, then two outputs per
 * step take per four inputs one LDRD of the pairs, one filter word each and four SMLADs;
 * per-channel MultiplyByQuantizedMultiplier (nf_rq). */
#define NF_FC_DEPTH 512

/* Fewer than four outputs (the expansion does not pay) or a row longer than NF_FC_DEPTH: each
 * step sign-extends its four inputs itself. */
static void nf_fc_few(const nacc_fc_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t D = p->accum_depth, d4 = D & ~3, off = p->input_offset, N = p->out_depth;
  const int32_t off2 = nf_pack16(off, off);
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *in = input + bt * D;
    int8_t *out = output + bt * N;
    for (int32_t oc = 0; oc < N; oc += 2) {
      const int32_t two = oc + 1 < N;
      const int8_t *f0 = filter + oc * D;
      const int8_t *f1 = two ? f0 + D : f0;
      int32_t a0 = bias ? bias[oc] : 0, a1 = bias && two ? bias[oc + 1] : 0;
      int32_t j = 0;
      for (; j < d4; j += 4) {
        const int32_t x = nf_load32(in + j);
        const int32_t x02 = NF_SADD16(NF_SXTB16(x), off2), x13 = NF_SADD16(NF_SXTB16_ROR8(x), off2);
        const int32_t w0 = nf_load32(f0 + j), w1 = nf_load32(f1 + j);
        a0 = NF_SMLAD(NF_SXTB16(w0), x02, a0);
        a0 = NF_SMLAD(NF_SXTB16_ROR8(w0), x13, a0);
        a1 = NF_SMLAD(NF_SXTB16(w1), x02, a1);
        a1 = NF_SMLAD(NF_SXTB16_ROR8(w1), x13, a1);
      }
      for (; j < D; j++) {
        a0 += f0[j] * (in[j] + off);
        a1 += f1[j] * (in[j] + off);
      }
      out[oc] = (int8_t)nf_clamp(nf_rq(a0, p->mult[oc], p->shift[oc]) + p->output_offset, p->act_min, p->act_max);
      if (two) out[oc + 1] = (int8_t)nf_clamp(nf_rq(a1, p->mult[oc + 1], p->shift[oc + 1]) + p->output_offset, p->act_min, p->act_max);
    }
  }
}

/* The expansion's stack frame is taken only by layers that use it (its own function). */
static void __attribute__((noinline)) nf_fc_expand(const nacc_fc_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t D = p->accum_depth, d4 = D & ~3, off = p->input_offset, N = p->out_depth;
  const int32_t off2 = nf_pack16(off, off);
  int32_t xs[NF_FC_DEPTH / 2] __attribute__((aligned(8)));
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *in = input + bt * D;
    int8_t *out = output + bt * N;
    for (int32_t j = 0; j < d4; j += 4) {
      const int32_t x = nf_load32(in + j);
      xs[j / 2] = NF_SADD16(NF_SXTB16(x), off2);
      xs[j / 2 + 1] = NF_SADD16(NF_SXTB16_ROR8(x), off2);
    }
    for (int32_t oc = 0; oc < N; oc += 2) {
      const int32_t two = oc + 1 < N;
      const int8_t *f0 = filter + oc * D;
      const int8_t *f1 = two ? f0 + D : f0;
      int32_t a0 = bias ? bias[oc] : 0, a1 = bias && two ? bias[oc + 1] : 0;
      const int32_t *xp = xs;
      int32_t j = 0;
      for (; j < d4; j += 4, xp += 2) {
        const int32_t x02 = xp[0], x13 = xp[1];
        const int32_t w0 = nf_load32(f0 + j), w1 = nf_load32(f1 + j);
        a0 = NF_SMLAD(NF_SXTB16(w0), x02, a0);
        a0 = NF_SMLAD(NF_SXTB16_ROR8(w0), x13, a0);
        a1 = NF_SMLAD(NF_SXTB16(w1), x02, a1);
        a1 = NF_SMLAD(NF_SXTB16_ROR8(w1), x13, a1);
      }
      for (; j < D; j++) {
        const int32_t x = in[j] + off;
        a0 += f0[j] * x;
        a1 += f1[j] * x;
      }
      out[oc] = (int8_t)nf_clamp(nf_rq(a0, p->mult[oc], p->shift[oc]) + p->output_offset, p->act_min, p->act_max);
      if (two) out[oc + 1] = (int8_t)nf_clamp(nf_rq(a1, p->mult[oc + 1], p->shift[oc + 1]) + p->output_offset, p->act_min, p->act_max);
    }
  }
}

void nacc_fast_fully_connected(const nacc_fc_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  if (p->filter_offset != 0 || nf_min_mult(p->mult, p->out_depth)) nacc_fully_connected(p, input, filter, bias, output);
  else if (p->out_depth < 4 || p->accum_depth > NF_FC_DEPTH) nf_fc_few(p, input, filter, bias, output);
  else nf_fc_expand(p, input, filter, bias, output);
}

/* Average pool, four channels at a time: the window's bytes summed as sign-extended 16-bit
 * lanes (at most 256 taps: |sum| <= 128 * 256 fits), then the reference's rounded division. */
void nacc_fast_average_pool2d(const nacc_pool_params *p, const int8_t *input, int8_t *output) {
  const int32_t C = p->channels;
  if ((C & 3) != 0 || p->k_h * p->k_w > 256) {
    nacc_average_pool2d(p, input, output);
    return;
  }
  for (int32_t bt = 0; bt < p->batches; bt++) {
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
      const int32_t fy1 = p->k_h < p->in_h - iy0 ? p->k_h : p->in_h - iy0;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fx1 = p->k_w < p->in_w - ix0 ? p->k_w : p->in_w - ix0;
        const int32_t count = (fy1 - fy0) * (fx1 - fx0);
        int8_t *out = output + ((bt * p->out_h + oy) * p->out_w + ox) * C;
        if (count <= 0) {
          for (int32_t c = 0; c < C; c++) out[c] = (int8_t)nf_clamp(0, p->act_min, p->act_max);
          continue;
        }
        const int8_t *base = input + ((bt * p->in_h + iy0 + fy0) * p->in_w + ix0 + fx0) * C;
        const int32_t rowskip = p->in_w * C;
        for (int32_t c = 0; c < C; c += 4) {
          int32_t s02 = 0, s13 = 0;
          const int8_t *row = base + c;
          for (int32_t fy = fy0; fy < fy1; fy++, row += rowskip) {
            const int8_t *q = row;
            for (int32_t fx = fx0; fx < fx1; fx++, q += C) {
              const int32_t w = nf_load32(q);
              s02 = NF_SXTAB16(s02, w);
              s13 = NF_SXTAB16_ROR8(s13, w);
            }
          }
          const int32_t sums[4] = {(int16_t)(s02 & 0xffff), (int16_t)(s13 & 0xffff), (int16_t)((uint32_t)s02 >> 16), (int16_t)((uint32_t)s13 >> 16)};
          for (int32_t j = 0; j < 4; j++) {
            const int32_t acc = sums[j];
            const int32_t avg = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            out[c + j] = (int8_t)nf_clamp(avg, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}
