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
/* a + the sign-extended bytes 0 and 2 (or 1 and 3) of x, per halfword */
#define NF_SXTAB16(a, x) ((int32_t)__sxtab16((int16x2_t)(a), (int8x4_t)(x)))
static inline int32_t nf_sxtab16_ror8(int32_t a, int32_t x) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
#define NF_SXTAB16_ROR8(a, x) nf_sxtab16_ror8((int32_t)(a), (int32_t)(x))
#define NF_SMLAD(a, b, acc) ((int32_t)__smlad((int16x2_t)(a), (int16x2_t)(b), (acc)))
#define NF_SADD16(a, b) ((int32_t)__sadd16((int16x2_t)(a), (int16x2_t)(b)))
#define NF_SMLABB(a, b, acc) ((int32_t)__smlabb((int32_t)(a), (int32_t)(b), (acc)))
#define NF_SMLATT(a, b, acc) ((int32_t)__smlatt((int32_t)(a), (int32_t)(b), (acc)))
#define NF_SMLABT(a, b, acc) ((int32_t)__smlabt((int32_t)(a), (int32_t)(b), (acc)))
static inline int32_t nf_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
#define NF_SMMULR(a, b) nf_smmulr((a), (b))
static inline int32_t nf_smmlar(int32_t a, int32_t b, int32_t c) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
  return r;
}
#define NF_SMMLAR(a, b, c) nf_smmlar((a), (b), (c))
#define NF_SSAT8(x) __ssat((x), 8)
#else
static inline int32_t nf_pack(int32_t lo, int32_t hi) { return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xffffu)); }
static inline int32_t nf_lo(int32_t x) { return (int16_t)(x & 0xffff); }
static inline int32_t nf_hi(int32_t x) { return (int16_t)((uint32_t)x >> 16); }
#define NF_SXTB16(x) nf_pack((int8_t)((uint32_t)(x) & 0xffu), (int8_t)(((uint32_t)(x) >> 16) & 0xffu))
#define NF_SXTB16_ROR8(x) nf_pack((int8_t)(((uint32_t)(x) >> 8) & 0xffu), (int8_t)(((uint32_t)(x) >> 24) & 0xffu))
#define NF_SXTAB16(a, x) nf_pack(nf_lo(a) + (int8_t)((uint32_t)(x) & 0xffu), nf_hi(a) + (int8_t)(((uint32_t)(x) >> 16) & 0xffu))
#define NF_SXTAB16_ROR8(a, x) nf_pack(nf_lo(a) + (int8_t)(((uint32_t)(x) >> 8) & 0xffu), nf_hi(a) + (int8_t)(((uint32_t)(x) >> 24) & 0xffu))
#define NF_SMLAD(a, b, acc) ((int32_t)((uint32_t)(acc) + (uint32_t)(nf_lo(a) * nf_lo(b)) + (uint32_t)(nf_hi(a) * nf_hi(b))))
#define NF_SADD16(a, b) nf_pack(nf_lo(a) + nf_lo(b), nf_hi(a) + nf_hi(b))
#define NF_SMLABB(a, b, acc) ((acc) + nf_lo(a) * nf_lo(b))
#define NF_SMLATT(a, b, acc) ((acc) + nf_hi(a) * nf_hi(b))
#define NF_SMLABT(a, b, acc) ((acc) + nf_lo(a) * nf_hi(b))
#define NF_SMMULR(a, b) ((int32_t)(((int64_t)(a) * (int64_t)(b) + 0x80000000LL) >> 32))
#define NF_SMMLAR(a, b, c) ((int32_t)(((int64_t)(a) * (int64_t)(b) + ((int64_t)(c) * 4294967296LL) + 0x80000000LL) >> 32))
#define NF_SSAT8(x) ((x) < -128 ? -128 : (x) > 127 ? 127 : (x))
#endif

static inline int32_t nf_pack16(int32_t lo, int32_t hi) { return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xffffu)); }

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

/* The fast path's output stage, with the layer constants in locals (the build uses
 * -fno-strict-aliasing, so every int8 store would otherwise reload them from the params) and
 * the same arithmetic without branches: for a multiplier other than INT32_MIN (the kernels
 * check this once per call) the saturating case cannot occur, and the rounding shift
 * (x >> e) + ((x & (2^e - 1)) > 2^(e-1) - 1 + [x < 0]) equals q + ((r + 2^(e-1) - [x < 0]) >> e)
 * for x = q * 2^e + r, 0 <= r < 2^e, whose bracket is 0 or 1 (for e = 0 the terms vanish). */
typedef struct {
  const int32_t *mult, *shift;
  int32_t offset, lo, hi, small;
} nf_outq;

static inline nf_outq nf_outq_of(const nacc_conv_params *p) {
  nf_outq q;
  q.mult = p->mult;
  q.shift = p->shift;
  q.offset = p->output_offset;
  q.lo = p->act_min;
  q.hi = p->act_max;
  q.small = 0;
  return q;
}

/* 1 when some channel's multiplier is INT32_MIN (then the kernels use the reference path). */
static int32_t nf_min_mult(const int32_t *mult, int32_t n) {
  for (int32_t i = 0; i < n; i++)
    if (mult[i] == (-2147483647 - 1)) return 1;
  return 0;
}

static inline int32_t nf_rq(int32_t x, int32_t mult, int32_t shift) {
  const int32_t up = shift & ~(shift >> 31);
  const int32_t down = up - shift;
  const int32_t a = (int32_t)((uint32_t)x << up);
  const int32_t high = (int32_t)(((int64_t)a * (int64_t)mult + ((int64_t)1 << 30)) >> 31);
  const uint32_t half = (1u << down) >> 1;
  const uint32_t r = (uint32_t)high & ((1u << down) - 1u);
  const uint32_t neg = ((uint32_t)high >> 31) & (uint32_t)(down != 0);
  return (high >> down) + (int32_t)((r + half - neg) >> down);
}

/* The same for |x| < 2^29 and shift <= 0 (the kernels check a bound on their accumulators
 * once per call): the doubling high multiply floor((x*m + 2^30) / 2^31) is
 * floor((2x*m + 2^31) / 2^32), one SMMULR of 2x (no overflow), and |high| <= 2^29 leaves room
 * for the rounding shift's nudge 2^(e-1) - [high < 0] (e >= 1) in 32 bits. */
static inline int32_t nf_rq_small(int32_t x, int32_t mult, int32_t shift) {
  const int32_t high = NF_SMMULR((int32_t)((uint32_t)x << 1), mult);
  const int32_t down = -shift;
  const int32_t nudge = (int32_t)((1u << down) >> 1) - (int32_t)(((uint32_t)high >> 31) & ((uint32_t)shift >> 31));
  return (high + nudge) >> down;
}

/* 1 when nf_rq_small may serve a layer: no left shift, and every accumulator within 2^29
 * (|bias| + taps * 128 * 255 bounds |bias + sum w * (x + offset)| for int8 w, x and an
 * input offset in [-127, 128]). */
static int32_t nf_small_ok(const int32_t *shift, const int32_t *bias, int32_t n, int32_t taps) {
  int64_t b = 0;
  for (int32_t i = 0; i < n; i++) {
    if (shift[i] > 0) return 0;
    const int64_t a = bias ? (bias[i] < 0 ? -(int64_t)bias[i] : bias[i]) : 0;
    b = a > b ? a : b;
  }
  return b + (int64_t)taps * 128 * 255 < ((int64_t)1 << 29);
}

static inline int32_t nf_clamp(int32_t v, int32_t lo, int32_t hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

static inline int8_t nf_q(int32_t acc, const nf_outq *q, int32_t oc) {
  int32_t v = (q->small ? nf_rq_small(acc, q->mult[oc], q->shift[oc]) : nf_rq(acc, q->mult[oc], q->shift[oc])) + q->offset;
  v = v < q->lo ? q->lo : v;
  v = v > q->hi ? q->hi : v;
  return (int8_t)v;
}

/* One receptive field as 16-bit (input + offset), in groups of four stored as x0 x2 x1 x3 so
 * that the words pair with SXTB16 / SXTB16-ROR8 of four filter bytes. Two columns: output
 * pixels go in pairs, so each filter word loaded serves four multiply-accumulate pairs. */
static int16_t nf_col[2][NACC_FAST_COL] __attribute__((aligned(8)));

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

typedef struct {
  int32_t m, nudge, down, post;
} nf_rqc;

/* Channel constants of the output stage: high = SMMULR(2 acc, m) as nf_rq_small, then
 * (high + 2^(e-1) + offset * 2^e - [high < 0]) >> e, which is the rounding shift plus the output
 * offset exactly (a multiple of 2^e added before a floor shift). Where offset * 2^e would not fit
 * 32 bits, the offset is added after the shift instead (post; the kernels then take a variant
 * with that add). 0 when a bound fails: the shift must be a right shift (e >= 1) and every
 * intermediate must fit 32 bits. */
static int32_t nf_rqc_of(nf_rqc *r, int32_t mult, int32_t shift, int32_t bias, int32_t taps, int32_t out_off) {
  if (shift >= 0 || shift < -30 || mult < 0) return 0;
  const int32_t down = -shift;
  const int64_t amax = 2 * ((int64_t)(bias < 0 ? -(int64_t)bias : bias) + (int64_t)taps * 128 * 255);
  if (amax >= ((int64_t)1 << 31)) return 0;
  const int64_t hmax = ((amax * (int64_t)mult) >> 32) + 1; /* |high| <= amax * m / 2^32 + 1 */
  const int64_t half = (int64_t)1 << (down - 1);
  const int64_t offs = (int64_t)out_off * ((int64_t)1 << down);
  r->m = mult;
  r->down = down;
  if (hmax + half + (offs < 0 ? -offs : offs) + 1 < ((int64_t)1 << 31)) {
    r->nudge = (int32_t)(half + offs);
    r->post = 0;
    return 1;
  }
  if (hmax + half + 1 >= ((int64_t)1 << 31)) return 0;
  r->nudge = (int32_t)half;
  r->post = out_off;
  return 1;
}

/* The output stage in four instructions: SMMLAR gives nudge + high in one step, and the sign
 * test [high < 0] may read the accumulator's sign instead: for m >= 0 they differ only when
 * high = 0 (a small negative accumulator), where subtracting 1 leaves the result unchanged
 * (2^(e-1) - 1 + offset * 2^e still floors to offset). */
static inline int32_t nf_rqv(int32_t acc2, int32_t m, int32_t nudge, int32_t down) {
  return (NF_SMMLAR(acc2, m, nudge) - (int32_t)((uint32_t)acc2 >> 31)) >> down;
}

/* full: the layer's specialised kernels (activation range [-128, 127], no channel with post) */
static inline __attribute__((always_inline)) int32_t nf_rq2(int32_t acc2, const nf_rqc *r, int32_t full) {
  const int32_t v = nf_rqv(acc2, r->m, r->nudge, r->down);
  return full ? v : v + r->post;
}

/* ---- Convolutions, two output pixels x two output channels per step ----
 * Each pixel's receptive field is expanded once into 16-bit 2 (x + input offset) values (padding
 * taps 0), the two pixels' columns interleaved per group of four taps as A(x0,x2) A(x1,x3)
 * B(x0,x2) B(x1,x3), so that one filter word (SXTB16 / SXTB16 ROR 8) serves four SMLADs; the
 * doubled accumulator is what the SMMULR requantisation takes, and the output channels'
 * constants (nf_rqc plus the doubled bias) are precomputed per chunk of channels. A group past
 * the receptive field's end reads the next channel's filter bytes against zero columns, except
 * for the last channel of the layer, whose tail bytes are assembled one by one. */
#define NF_OC_CHUNK 64

typedef struct {
  int32_t m, nudge, down, b2, post;
} nf_chq;

static void nf_column2(const nacc_conv_params *p, const int8_t *input, int32_t oy, int32_t ox, int32_t G, int32_t *colw, int32_t P, int32_t direct) {
  const int32_t iy0 = oy * p->stride_h - p->pad_top;
  const int32_t ix0 = ox * p->stride_w - p->pad_left;
  const int32_t in_c = p->in_c, off = p->input_offset;
  if (direct) {
    const int8_t *in = input + (iy0 * p->in_w + ix0) * in_c;
    const int32_t off2 = (int32_t)(((uint32_t)(off & 0xffff) << 16) | (uint32_t)(off & 0xffff));
    int32_t *d = colw + P;
    for (int32_t k = 0; k < in_c; k += 4, d += 4) {
      const int32_t w = nf_load32(in + k);
      const int32_t a = NF_SXTAB16(off2, w);
      const int32_t b = NF_SXTAB16_ROR8(off2, w);
      d[0] = NF_SADD16(a, a);
      d[2] = NF_SADD16(b, b);
    }
    return;
  }
  /* general receptive field: first as int8 bytes (padding taps hold -offset, so that x + offset
   * is 0), a window row inside the image being contiguous in memory; then four bytes at a time
   * into the interleaved 16-bit layout */
  int8_t *lin = (int8_t *)(void *)(colw + 4 * G) + 4 * G * P;
  const int8_t pad = (int8_t)(-off);
  const int32_t kw = p->k_w, dw = p->dil_w, in_w = p->in_w;
  const int32_t rowlen = kw * in_c;
  int32_t k = 0;
  for (int32_t fy = 0; fy < p->k_h; fy++) {
    const int32_t iy = iy0 + p->dil_h * fy;
    if (iy < 0 || iy >= p->in_h) {
      for (int32_t i = 0; i < rowlen; i++) lin[k + i] = pad;
    } else if (dw == 1 && ix0 >= 0 && ix0 + kw <= in_w) {
      const int8_t *in = input + (iy * in_w + ix0) * in_c;
      int32_t i = 0;
      for (; i + 4 <= rowlen; i += 4) {
        const int32_t w = nf_load32(in + i);
        memcpy(lin + k + i, &w, 4);
      }
      for (; i < rowlen; i++) lin[k + i] = in[i];
    } else {
      for (int32_t fx = 0; fx < kw; fx++) {
        const int32_t ix = ix0 + dw * fx;
        const int8_t *in = input + (iy * in_w + ix) * in_c;
        const int32_t inside = ix >= 0 && ix < in_w;
        for (int32_t c = 0; c < in_c; c++) lin[k + fx * in_c + c] = inside ? in[c] : pad;
      }
    }
    k += rowlen;
  }
  for (; k < 4 * G; k++) lin[k] = pad;
  const int32_t off2 = (int32_t)(((uint32_t)(off & 0xffff) << 16) | (uint32_t)(off & 0xffff));
  int32_t *d = colw + P;
  for (int32_t g = 0; g < G; g++, d += 4) {
    const int32_t w = nf_load32(lin + 4 * g);
    const int32_t a = NF_SXTAB16(off2, w);
    const int32_t b = NF_SXTAB16_ROR8(off2, w);
    d[0] = NF_SADD16(a, a);
    d[2] = NF_SADD16(b, b);
  }
}

/* Two consecutive pixels of a 1x1 layer (in_c = 4 G channels each) into the interleaved columns. */
static void nf_column2_flat(const int8_t *in, int32_t G, int32_t *d, int32_t off) {
  const int32_t off2 = (int32_t)(((uint32_t)(off & 0xffff) << 16) | (uint32_t)(off & 0xffff));
  const int8_t *inb = in + 4 * G;
  for (int32_t g = 0; g < G; g++, d += 4) {
    const int32_t wa = nf_load32(in + 4 * g), wb = nf_load32(inb + 4 * g);
    const int32_t a02 = NF_SXTAB16(off2, wa), b02 = NF_SXTAB16(off2, wb);
    const int32_t a13 = NF_SXTAB16_ROR8(off2, wa), b13 = NF_SXTAB16_ROR8(off2, wb);
    d[0] = NF_SADD16(a02, a02);
    d[1] = NF_SADD16(b02, b02);
    d[2] = NF_SADD16(a13, a13);
    d[3] = NF_SADD16(b13, b13);
  }
}

static inline int32_t nf_tail32(const int8_t *f, int32_t n) {
  uint32_t w = 0;
  for (int32_t i = 0; i < n; i++) w |= (uint32_t)(uint8_t)f[i] << (8 * i);
  return (int32_t)w;
}

static inline __attribute__((always_inline)) int32_t nf_out1(int32_t acc2, const nf_chq *q, int32_t full, int32_t lo, int32_t hi) {
  int32_t v = nf_rqv(acc2, q->m, q->nudge, q->down);
  if (!full) v += q->post; /* the specialised (full) kernels run only on layers without post */
  return full ? NF_SSAT8(v) : nf_clamp(v, lo, hi);
}

/* Dot products of two channels' filters (f0, f0 + kdim) with two pixels' columns over g groups
 * of four taps: per group two filter words, four SXTB16, two column pairs, eight SMLAD. On DSP
 * cores the loop is written out in assembly (fourteen registers, none spilled). */
static inline __attribute__((always_inline)) void nf_dot2x2(const int8_t *f0, int32_t kdim, const int32_t *cw, int32_t g, int32_t *pa0, int32_t *pa1, int32_t *pc0, int32_t *pc1) {
  int32_t a0 = *pa0, a1 = *pa1, c0 = *pc0, c1 = *pc1;
  if (g > 0) {
#if defined(__ARM_FEATURE_DSP)
    int32_t w0, w1, e0, e1, x0, x1;
    __asm__ volatile(
        "1:\n\t"
        "ldr %[w1], [%[f0], %[kd]]\n\t"
        "ldr %[w0], [%[f0]], #4\n\t"
        "ldrd %[x0], %[x1], [%[cw]], #16\n\t"
        "sxtb16 %[e0], %[w0]\n\t"
        "sxtb16 %[e1], %[w1]\n\t"
        "smlad %[a0], %[e0], %[x0], %[a0]\n\t"
        "smlad %[c0], %[e0], %[x1], %[c0]\n\t"
        "smlad %[a1], %[e1], %[x0], %[a1]\n\t"
        "smlad %[c1], %[e1], %[x1], %[c1]\n\t"
        "ldrd %[x0], %[x1], [%[cw], #-8]\n\t"
        "sxtb16 %[e0], %[w0], ror #8\n\t"
        "sxtb16 %[e1], %[w1], ror #8\n\t"
        "smlad %[a0], %[e0], %[x0], %[a0]\n\t"
        "smlad %[c0], %[e0], %[x1], %[c0]\n\t"
        "smlad %[a1], %[e1], %[x0], %[a1]\n\t"
        "smlad %[c1], %[e1], %[x1], %[c1]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [c0] "+r"(c0), [c1] "+r"(c1), [f0] "+r"(f0), [cw] "+r"(cw), [n] "+r"(g), [w0] "=&r"(w0), [w1] "=&r"(w1), [e0] "=&r"(e0), [e1] "=&r"(e1),
          [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [kd] "r"(kdim)
        : "cc", "memory");
#else
    for (int32_t i = 0; i < g; i++, cw += 4) {
      const int32_t w0 = nf_load32(f0 + 4 * i), w1 = nf_load32(f0 + kdim + 4 * i);
      const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
      const int32_t w1e = NF_SXTB16(w1), w1o = NF_SXTB16_ROR8(w1);
      a0 = NF_SMLAD(w0o, cw[2], NF_SMLAD(w0e, cw[0], a0));
      c0 = NF_SMLAD(w0o, cw[3], NF_SMLAD(w0e, cw[1], c0));
      a1 = NF_SMLAD(w1o, cw[2], NF_SMLAD(w1e, cw[0], a1));
      c1 = NF_SMLAD(w1o, cw[3], NF_SMLAD(w1e, cw[1], c1));
    }
#endif
  }
  *pa0 = a0;
  *pa1 = a1;
  *pc0 = c0;
  *pc1 = c1;
}

/* One pixel pair over channels [0, n) of a chunk: G groups of four taps; `last_tail` (0..3) is
 * the number of valid bytes in the last group when the layer's last channel is in the chunk
 * (its filter must not be read past its end). Column words per group: A(x0,x2) B(x0,x2)
 * A(x1,x3) B(x1,x3). */
static inline __attribute__((always_inline)) void nf_pairs_px(const int32_t *colw, const int8_t *filter, int32_t kdim, int32_t G, const nf_chq *t, int32_t n, int32_t last_tail,
                                                              int8_t *outa, int8_t *outb, int32_t two, int32_t full, int32_t lo, int32_t hi, const int16_t *ci) {
  int32_t oc = 0;
  for (; oc + 1 < n; oc += 2) {
    /* listed channels (ci): the two filters and the outputs at the channels' own positions */
    const int32_t ja = ci ? ci[oc] : oc, jb = ci ? ci[oc + 1] : oc + 1;
    const int8_t *f0 = filter + ja * kdim;
    const int32_t kd = ci ? (jb - ja) * kdim : kdim;
    int32_t a0 = t[oc].b2, a1 = t[oc + 1].b2;
    int32_t c0 = a0, c1 = a1;
    const int32_t gl = (last_tail && oc + 2 >= n) ? G - 1 : G;
    nf_dot2x2(f0, kd, colw, gl, &a0, &a1, &c0, &c1);
    if (gl < G) {
      const int32_t *cw = colw + 4 * gl;
      const int32_t w0 = nf_load32(f0 + 4 * gl), w1 = nf_tail32(f0 + kd + 4 * gl, last_tail);
      const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
      const int32_t w1e = NF_SXTB16(w1), w1o = NF_SXTB16_ROR8(w1);
      a0 = NF_SMLAD(w0o, cw[2], NF_SMLAD(w0e, cw[0], a0));
      c0 = NF_SMLAD(w0o, cw[3], NF_SMLAD(w0e, cw[1], c0));
      a1 = NF_SMLAD(w1o, cw[2], NF_SMLAD(w1e, cw[0], a1));
      c1 = NF_SMLAD(w1o, cw[3], NF_SMLAD(w1e, cw[1], c1));
    }
    const int32_t v0 = nf_out1(a0, &t[oc], full, lo, hi), v1 = nf_out1(a1, &t[oc + 1], full, lo, hi);
    const int32_t v2 = nf_out1(c0, &t[oc], full, lo, hi), v3 = nf_out1(c1, &t[oc + 1], full, lo, hi);
    outa[ja] = (int8_t)v0;
    outa[jb] = (int8_t)v1;
    if (two) {
      outb[ja] = (int8_t)v2;
      outb[jb] = (int8_t)v3;
    }
  }
  if (oc < n) {
    const int32_t ja = ci ? ci[oc] : oc;
    const int8_t *f0 = filter + ja * kdim;
    int32_t a0 = t[oc].b2, c0 = a0;
    const int32_t *cw = colw;
    for (int32_t g = 0; g < G; g++, cw += 4) {
      const int32_t w0 = (last_tail && g == G - 1) ? nf_tail32(f0 + 4 * g, last_tail) : nf_load32(f0 + 4 * g);
      const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
      a0 = NF_SMLAD(w0o, cw[2], NF_SMLAD(w0e, cw[0], a0));
      c0 = NF_SMLAD(w0o, cw[3], NF_SMLAD(w0e, cw[1], c0));
    }
    outa[ja] = (int8_t)nf_out1(a0, &t[oc], full, lo, hi);
    if (two) outb[ja] = (int8_t)nf_out1(c0, &t[oc], full, lo, hi);
  }
}

/* Small receptive fields (G = 2, 4, 6 groups: 8, 16, 24 input channels of a 1x1), unrolled in C. */
static inline __attribute__((always_inline)) void nf_pairs_small(const int32_t *colw, const int8_t *filter, int32_t G, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two) {
  const int32_t kdim = 4 * G;
  int32_t oc = 0;
  for (; oc + 1 < n; oc += 2) {
    const int8_t *f0 = filter + oc * kdim;
    const int8_t *f1 = f0 + kdim;
    int32_t a0 = t[oc].b2, a1 = t[oc + 1].b2;
    int32_t c0 = a0, c1 = a1;
#pragma GCC unroll 8
    for (int32_t g = 0; g < G; g++) {
      const int32_t *cw = colw + 4 * g;
      const int32_t w0 = nf_load32(f0 + 4 * g), w1 = nf_load32(f1 + 4 * g);
      const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
      const int32_t w1e = NF_SXTB16(w1), w1o = NF_SXTB16_ROR8(w1);
      a0 = NF_SMLAD(w0o, cw[2], NF_SMLAD(w0e, cw[0], a0));
      c0 = NF_SMLAD(w0o, cw[3], NF_SMLAD(w0e, cw[1], c0));
      a1 = NF_SMLAD(w1o, cw[2], NF_SMLAD(w1e, cw[0], a1));
      c1 = NF_SMLAD(w1o, cw[3], NF_SMLAD(w1e, cw[1], c1));
    }
    const int32_t v0 = nf_out1(a0, &t[oc], 1, -128, 127), v1 = nf_out1(a1, &t[oc + 1], 1, -128, 127);
    const int32_t v2 = nf_out1(c0, &t[oc], 1, -128, 127), v3 = nf_out1(c1, &t[oc + 1], 1, -128, 127);
    outa[oc] = (int8_t)v0;
    outa[oc + 1] = (int8_t)v1;
    if (two) {
      outb[oc] = (int8_t)v2;
      outb[oc + 1] = (int8_t)v3;
    }
  }
  if (oc < n) nf_pairs_px(colw, filter + oc * kdim, kdim, G, t + oc, n - oc, 0, outa + oc, outb + oc, two, 1, -128, 127, NULL);
}

#define NF_PAIRS_SMALL(G_) \
  static void __attribute__((noinline)) nf_pairs_px_##G_(const int32_t *colw, const int8_t *filter, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two) { \
    nf_pairs_small(colw, filter, G_, t, n, outa, outb, two); \
  }
NF_PAIRS_SMALL(2)
NF_PAIRS_SMALL(4)
NF_PAIRS_SMALL(6)

#if defined(__ARM_FEATURE_DSP)
/* The full-range kernel's channel pairs in one assembly function (DSP cores): per pair the dot
 * products of nf_dot2x2 (two groups per turn) and the four-instruction output stage, the loop state
 * (filter, constants, outputs, pairs left) kept in an argument block in memory rather than moved
 * in and out of the fourteen registers the dot product needs, as the compiled C did. */
typedef struct {
  const int8_t *f;  /* the pair's first filter; the second is kd bytes on */
  const int32_t *colw;
  int32_t G, kd;    /* loaded together (LDM) into the dot product's registers */
  const nf_chq *t;  /* the pair's constants (advanced by two per pair) */
  int8_t *oa;       /* pixel A's output of the pair's first channel; pixel B's is ostride bytes on */
  int32_t ostride;
  const nf_chq *tend; /* past the last pair's constants */
  int32_t fstep;    /* from the filter pointer after the dot product to the next pair's: 2 kdim - 4 G */
} nf_pargs;
void nacc_fast_pairs_full(nf_pargs *a);
#define NF_PGROUP \
  "ldr r1, [r8, r11]\n\t" "ldr r0, [r8], #4\n\t" "ldrd ip, lr, [r9], #16\n\t" "sxtb16 r2, r0\n\t" "sxtb16 r3, r1\n\t" \
  "smlad r4, r2, ip, r4\n\t" "smlad r6, r2, lr, r6\n\t" "smlad r5, r3, ip, r5\n\t" "smlad r7, r3, lr, r7\n\t" \
  "ldrd ip, lr, [r9, #-8]\n\t" "sxtb16 r2, r0, ror #8\n\t" "sxtb16 r3, r1, ror #8\n\t" \
  "smlad r4, r2, ip, r4\n\t" "smlad r6, r2, lr, r6\n\t" "smlad r5, r3, ip, r5\n\t" "smlad r7, r3, lr, r7\n\t"
__asm__(".syntax unified\n\t"
        ".thumb\n\t"
        ".section .text.nacc_fast_pairs_full,\"ax\",%progbits\n\t"
        ".align 2\n\t"
        ".global nacc_fast_pairs_full\n\t"
        ".type nacc_fast_pairs_full, %function\n\t"
        ".thumb_func\n"
        "nacc_fast_pairs_full:\n\t"
        "push {r0, r4-r11, lr}\n"
        ".Lnf_pair:\n\t"
        "ldr ip, [sp]\n\t"
        "ldm ip, {r8-r11}\n\t"
        "ldr r2, [ip, #16]\n\t" "ldr r4, [r2, #12]\n\t" "ldr r5, [r2, #32]\n\t" "mov r6, r4\n\t" "mov r7, r5\n\t"
        /* G = 4q + r: r single groups first, then q turns of four */
        "tst r10, #1\n\t"
        "beq 1f\n\t"
        NF_PGROUP
        "\n1:\n\t"
        "tst r10, #2\n\t"
        "beq 2f\n\t"
        NF_PGROUP
        NF_PGROUP
        "\n2:\n\t"
        "lsrs r10, r10, #2\n\t"
        "beq 3f\n"
        "4:\n\t"
        NF_PGROUP
        NF_PGROUP
        NF_PGROUP
        NF_PGROUP
        "subs r10, r10, #1\n\t"
        "bne 4b\n"
        "3:\n\t"
        "ldr ip, [sp]\n\t"
        "ldr r0, [ip, #32]\n\t" "add r8, r8, r0\n\t" "str r8, [ip]\n\t"
        "ldr r0, [ip, #16]\n\t"
        "ldm r0!, {r1, r2, r3}\n\t"
        "smmlar r8, r4, r1, r2\n\t" "sub r8, r8, r4, lsr #31\n\t" "asr r8, r8, r3\n\t" "ssat r8, #8, r8\n\t"
        "smmlar r9, r6, r1, r2\n\t" "sub r9, r9, r6, lsr #31\n\t" "asr r9, r9, r3\n\t" "ssat r9, #8, r9\n\t"
        "adds r0, r0, #8\n\t"
        "ldm r0!, {r1, r2, r3}\n\t"
        "smmlar r10, r5, r1, r2\n\t" "sub r10, r10, r5, lsr #31\n\t" "asr r10, r10, r3\n\t" "ssat r10, #8, r10\n\t"
        "smmlar r11, r7, r1, r2\n\t" "sub r11, r11, r7, lsr #31\n\t" "asr r11, r11, r3\n\t" "ssat r11, #8, r11\n\t"
        "adds r0, r0, #8\n\t" "str r0, [ip, #16]\n\t"
        "ldrd r1, r2, [ip, #20]\n\t"
        "strb r8, [r1]\n\t" "strb r10, [r1, #1]\n\t" "strb r9, [r1, r2]\n\t" "adds r3, r1, r2\n\t" "strb r11, [r3, #1]\n\t"
        "adds r1, r1, #2\n\t" "str r1, [ip, #20]\n\t"
        "ldr r1, [ip, #28]\n\t" "cmp r0, r1\n\t"
        "bne .Lnf_pair\n\t"
        "pop {r0, r4-r11, pc}\n\t"
        ".size nacc_fast_pairs_full, .-nacc_fast_pairs_full\n\t"
        ".text\n");
#undef NF_PGROUP
#endif

static void __attribute__((noinline)) nf_pairs_px_full(const int32_t *colw, const int8_t *filter, int32_t kdim, int32_t G, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two) {
#if defined(__ARM_FEATURE_DSP)
  if (two && n >= 2) {
    nf_pargs a = {filter, colw, G, kdim, t, outa, (int32_t)(outb - outa), t + 2 * (n >> 1), 2 * kdim - 4 * G};
    nacc_fast_pairs_full(&a);
    if (n & 1) nf_pairs_px(colw, filter + (n - 1) * kdim, kdim, G, t + n - 1, 1, 0, outa + n - 1, outb + n - 1, two, 1, -128, 127, NULL);
    return;
  }
#endif
  nf_pairs_px(colw, filter, kdim, G, t, n, 0, outa, outb, two, 1, -128, 127, NULL);
}

static void __attribute__((noinline)) nf_pairs_px_any(const int32_t *colw, const int8_t *filter, int32_t kdim, int32_t G, const nf_chq *t, int32_t n, int32_t last_tail, int8_t *outa, int8_t *outb, int32_t two,
                                                     int32_t lo, int32_t hi) {
  nf_pairs_px(colw, filter, kdim, G, t, n, last_tail, outa, outb, two, 0, lo, hi, NULL);
}

/* The same over listed channels (ci: the layer's channel of each entry of t; filter and output
 * are the layer's, not the chunk's). */
static void __attribute__((noinline)) nf_pairs_list_full(const int32_t *colw, const int8_t *filter, int32_t kdim, int32_t G, const nf_chq *t, const int16_t *ci, int32_t n, int8_t *outa, int8_t *outb,
                                                        int32_t two) {
  nf_pairs_px(colw, filter, kdim, G, t, n, 0, outa, outb, two, 1, -128, 127, ci);
}

static void __attribute__((noinline)) nf_pairs_list_any(const int32_t *colw, const int8_t *filter, int32_t kdim, int32_t G, const nf_chq *t, const int16_t *ci, int32_t n, int32_t last_tail, int8_t *outa,
                                                       int8_t *outb, int32_t two, int32_t lo, int32_t hi) {
  nf_pairs_px(colw, filter, kdim, G, t, n, last_tail, outa, outb, two, 0, lo, hi, ci);
}

/* Layers whose filters fit the column buffer as 16-bit pairs (narrow 1x1 layers, RGB stems):
 * the filters are sign-extended once per call into (k0,k2) (k1,k3) words per group of four taps,
 * zero past the receptive field, so a group of two channels x two pixels is four LDRD-able word
 * pairs and eight SMLADs, without a SXTB16 per filter word. */
static inline __attribute__((always_inline)) void nf_pairs16(const int32_t *colw, const int32_t *f16, int32_t G, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t full, int32_t lo,
                                                             int32_t hi, const int16_t *ci) {
  int32_t oc = 0;
  for (; oc + 1 < n; oc += 2) {
    const int32_t *w0 = f16 + 2 * G * oc;
    const int32_t *w1 = w0 + 2 * G;
    int32_t a0 = t[oc].b2, a1 = t[oc + 1].b2;
    int32_t c0 = a0, c1 = a1;
#pragma GCC unroll 8
    for (int32_t g = 0; g < G; g++) {
      const int32_t *cw = colw + 4 * g;
      const int32_t e0 = w0[2 * g], o0 = w0[2 * g + 1], e1 = w1[2 * g], o1 = w1[2 * g + 1];
      a0 = NF_SMLAD(o0, cw[2], NF_SMLAD(e0, cw[0], a0));
      c0 = NF_SMLAD(o0, cw[3], NF_SMLAD(e0, cw[1], c0));
      a1 = NF_SMLAD(o1, cw[2], NF_SMLAD(e1, cw[0], a1));
      c1 = NF_SMLAD(o1, cw[3], NF_SMLAD(e1, cw[1], c1));
    }
    const int32_t v0 = nf_out1(a0, &t[oc], full, lo, hi), v1 = nf_out1(a1, &t[oc + 1], full, lo, hi);
    const int32_t v2 = nf_out1(c0, &t[oc], full, lo, hi), v3 = nf_out1(c1, &t[oc + 1], full, lo, hi);
    const int32_t ja = ci ? ci[oc] : oc, jb = ci ? ci[oc + 1] : oc + 1;
    outa[ja] = (int8_t)v0;
    outa[jb] = (int8_t)v1;
    if (two) {
      outb[ja] = (int8_t)v2;
      outb[jb] = (int8_t)v3;
    }
  }
  if (oc < n) {
    const int32_t *w0 = f16 + 2 * G * oc;
    int32_t a0 = t[oc].b2, c0 = a0;
    for (int32_t g = 0; g < G; g++) {
      const int32_t *cw = colw + 4 * g;
      a0 = NF_SMLAD(w0[2 * g + 1], cw[2], NF_SMLAD(w0[2 * g], cw[0], a0));
      c0 = NF_SMLAD(w0[2 * g + 1], cw[3], NF_SMLAD(w0[2 * g], cw[1], c0));
    }
    const int32_t ja = ci ? ci[oc] : oc;
    outa[ja] = (int8_t)nf_out1(a0, &t[oc], full, lo, hi);
    if (two) outb[ja] = (int8_t)nf_out1(c0, &t[oc], full, lo, hi);
  }
}

/* each specialisation twice: contiguous channels, and listed ones (ci) */
#define NF_P16(G_, FULL_) \
  static void __attribute__((noinline)) nf_p16_##G_##_##FULL_(const int32_t *colw, const int32_t *f16, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t lo, int32_t hi) { \
    nf_pairs16(colw, f16, G_, t, n, outa, outb, two, FULL_, lo, hi, NULL); \
  } \
  static void __attribute__((noinline)) nf_p16l_##G_##_##FULL_(const int32_t *colw, const int32_t *f16, const nf_chq *t, const int16_t *ci, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t lo, int32_t hi) { \
    nf_pairs16(colw, f16, G_, t, n, outa, outb, two, FULL_, lo, hi, ci); \
  }
NF_P16(2, 1)
NF_P16(4, 1)
NF_P16(6, 1)
NF_P16(7, 1)
NF_P16(2, 0)
NF_P16(4, 0)
NF_P16(6, 0)
NF_P16(7, 0)

static void __attribute__((noinline)) nf_p16_any(const int32_t *colw, const int32_t *f16, int32_t G, const nf_chq *t, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t full, int32_t lo, int32_t hi) {
  /* the clamp variant serves both (a channel without post adds 0) */
  nf_pairs16(colw, f16, G, t, n, outa, outb, two, 0, full ? -128 : lo, full ? 127 : hi, NULL);
}

static void __attribute__((noinline)) nf_p16_list(const int32_t *colw, const int32_t *f16, int32_t G, const nf_chq *t, const int16_t *ci, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t full, int32_t lo,
                                                 int32_t hi) {
  nf_pairs16(colw, f16, G, t, n, outa, outb, two, 0, full ? -128 : lo, full ? 127 : hi, ci);
}

static void nf_p16_run(const int32_t *colw, const int32_t *f16, int32_t G, const nf_chq *t, const int16_t *ci, int32_t n, int8_t *outa, int8_t *outb, int32_t two, int32_t full, int32_t lo, int32_t hi) {
  const int32_t spec = G * 2 + full;
  if (ci) {
    switch (spec) {
      case 5: nf_p16l_2_1(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 9: nf_p16l_4_1(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 13: nf_p16l_6_1(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 15: nf_p16l_7_1(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 4: nf_p16l_2_0(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 8: nf_p16l_4_0(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 12: nf_p16l_6_0(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      case 14: nf_p16l_7_0(colw, f16, t, ci, n, outa, outb, two, lo, hi); break;
      default: nf_p16_list(colw, f16, G, t, ci, n, outa, outb, two, full, lo, hi); break;
    }
    return;
  }
  switch (spec) {
    case 5: nf_p16_2_1(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 9: nf_p16_4_1(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 13: nf_p16_6_1(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 15: nf_p16_7_1(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 4: nf_p16_2_0(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 8: nf_p16_4_0(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 12: nf_p16_6_0(colw, f16, t, n, outa, outb, two, lo, hi); break;
    case 14: nf_p16_7_0(colw, f16, t, n, outa, outb, two, lo, hi); break;
    default: nf_p16_any(colw, f16, G, t, n, outa, outb, two, full, lo, hi); break;
  }
}

/* 1 when a filter is all zero: its channel's output is its bias requantised, at every pixel. */
static int32_t nf_zero_filter(const int8_t *f, int32_t n) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4)
    if (nf_load32(f + i)) return 0;
  for (; i < n; i++)
    if (f[i]) return 0;
  return 1;
}

/* A channel whose constants fail nf_rqc_of's bounds (a left shift, a bias near 2^30), computed
 * exactly from the same doubled columns: acc = bias + dot, TFLite's requantisation. */
static void __attribute__((noinline)) nf_slow_px(const nacc_conv_params *p, const int32_t *colw, const int8_t *f0, int32_t kdim, int32_t G, int32_t b, int32_t c, int8_t *outa, int8_t *outb, int32_t two) {
  int32_t a0 = 0, c0 = 0;
  const int32_t *cw = colw;
  for (int32_t g = 0; g < G; g++, cw += 4) {
    const int32_t w0 = 4 * g + 4 <= kdim ? nf_load32(f0 + 4 * g) : nf_tail32(f0 + 4 * g, kdim - 4 * g);
    const int32_t w0e = NF_SXTB16(w0), w0o = NF_SXTB16_ROR8(w0);
    a0 = NF_SMLAD(w0o, cw[2], NF_SMLAD(w0e, cw[0], a0));
    c0 = NF_SMLAD(w0o, cw[3], NF_SMLAD(w0e, cw[1], c0));
  }
  outa[c] = nf_out((int32_t)((uint32_t)b + (uint32_t)(a0 >> 1)), p, c);
  if (two) outb[c] = nf_out((int32_t)((uint32_t)b + (uint32_t)(c0 >> 1)), p, c);
}

/* Runs every layer whose receptive field fits the column buffer. Channels fall in three classes:
 * an all-zero filter gives a constant channel (its bias requantised, written once per pixel and
 * never computed: pruned channels); a channel whose constants fail nf_rqc_of's bounds goes through
 * nf_slow_px; the rest through the two-channel kernels. A layer with channels of the first two
 * classes ("listed") runs the kernels over lists of channels; the others over contiguous chunks.
 * 1 when it ran the layer; 0 when the column buffer is too small (then the older kernel runs it). */
static int32_t __attribute__((noinline)) nf_conv_pairs(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t kdim = p->k_h * p->k_w * p->in_c;
  const int32_t G = (kdim + 3) >> 2;
  const int32_t out_c = p->out_c, out_w = p->out_w, pixels = p->out_h * out_w;
  /* interleaved columns (4G words), plus two int8 staging columns (2G words) unless direct */
  const int32_t direct = p->k_h == 1 && p->k_w == 1 && (p->in_c & 3) == 0 && p->pad_top == 0 && p->pad_left == 0 && (p->out_h - 1) * p->stride_h < p->in_h && (p->out_w - 1) * p->stride_w < p->in_w;
  if ((direct ? 4 : 6) * G > NACC_FAST_COL) return 0;
  int32_t listed = 0;
  for (int32_t c = 0; c < out_c && !listed; c++) {
    nf_rqc r = {0, 0, 1, 0};
    if (!nf_rqc_of(&r, p->mult[c], p->shift[c], bias ? bias[c] : 0, kdim, p->output_offset) || nf_zero_filter(filter + c * kdim, kdim)) listed = 1;
  }
  /* a 1x1 stride-1 layer reads pixel px at px * in_c: both columns of a pair built in one pass */
  const int32_t flat = direct && p->stride_h == 1 && p->stride_w == 1 && p->in_w == out_w && p->in_h == p->out_h;
  int32_t *colw = (int32_t *)(void *)nf_col;
  /* the size checks above are at run time; hide the buffer's static size from gcc's bounds
   * warnings in the specialised kernels that a model without such layers never calls */
  __asm__("" : "+r"(colw));
  const int32_t full = p->act_min == -128 && p->act_max == 127;
  /* 16-bit filters after the columns when at least 32 channels (or all) fit */
  int32_t *f16 = colw + (direct ? 4 : 6) * G;
  const int32_t room = (NACC_FAST_COL - (direct ? 4 : 6) * G) / (2 * G);
  const int32_t use16 = G <= 8 && (room >= 32 || room >= out_c);
  const int32_t chunk = use16 && room < NF_OC_CHUNK ? room : NF_OC_CHUNK;
  nf_chq t[NF_OC_CHUNK];
  int16_t ci[NF_OC_CHUNK], sl[NF_OC_CHUNK];
  int32_t post = 0;
  for (int32_t oc0 = 0; oc0 < out_c;) {
    /* gather the chunk: up to `chunk` channels for the two-channel kernels (contiguous unless
     * listed), the slow ones beside them; constant channels are written out on the way */
    int32_t n = 0, ns = 0, c = oc0;
    for (; c < out_c && n < chunk && ns < NF_OC_CHUNK; c++) {
      nf_rqc r = {0, 0, 1, 0};
      const int32_t b = bias ? bias[c] : 0;
      if (listed && nf_zero_filter(filter + c * kdim, kdim)) {
        const int8_t v = nf_out(b, p, c);
        for (int32_t px = 0; px < pixels; px++) output[px * out_c + c] = v;
        continue;
      }
      if (!nf_rqc_of(&r, p->mult[c], p->shift[c], b, kdim, p->output_offset)) {
        sl[ns++] = (int16_t)c;
        continue;
      }
      ci[n] = (int16_t)c;
      t[n].m = r.m;
      t[n].nudge = r.nudge;
      t[n].down = r.down;
      t[n].b2 = 2 * b;
      t[n].post = r.post;
      if (r.post) post = 1;
      n++;
    }
    const int32_t first = oc0;
    oc0 = c;
    if (n == 0 && ns == 0) continue;
    const int32_t last_tail = (n > 0 && ci[n - 1] == out_c - 1) ? (kdim & 3) : 0;
    const int8_t *f = filter + first * kdim;
    if (use16) {
      for (int32_t j = 0; j < n; j++) {
        const int8_t *fj = filter + ci[j] * kdim;
        int32_t *d = f16 + 2 * G * j;
        for (int32_t g = 0; g < G; g++, d += 2) {
          const int32_t w = 4 * g + 4 <= kdim ? nf_load32(fj + 4 * g) : nf_tail32(fj + 4 * g, kdim - 4 * g);
          d[0] = NF_SXTB16(w);
          d[1] = NF_SXTB16_ROR8(w);
        }
      }
    }
    const int32_t spec = full && !post && last_tail == 0;
    for (int32_t px = 0; px < pixels; px += 2) {
      const int32_t two = px + 1 < pixels;
      if (flat && two) {
        nf_column2_flat(input + px * p->in_c, G, colw, p->input_offset);
      } else {
        nf_column2(p, input, px / out_w, px % out_w, G, colw, 0, direct);
        if (two) nf_column2(p, input, (px + 1) / out_w, (px + 1) % out_w, G, colw, 1, direct);
        else for (int32_t g = 0; g < G; g++) colw[4 * g + 1] = colw[4 * g + 3] = 0;
      }
      int8_t *pa = output + px * out_c;
      int8_t *pb = pa + out_c;
      if (listed) {
        if (n > 0 && use16) nf_p16_run(colw, f16, G, t, ci, n, pa, pb, two, full && !post, p->act_min, p->act_max);
        else if (n > 0 && spec) nf_pairs_list_full(colw, filter, kdim, G, t, ci, n, pa, pb, two);
        else if (n > 0) nf_pairs_list_any(colw, filter, kdim, G, t, ci, n, last_tail, pa, pb, two, p->act_min, p->act_max);
        for (int32_t j = 0; j < ns; j++) nf_slow_px(p, colw, filter + sl[j] * kdim, kdim, G, bias ? bias[sl[j]] : 0, sl[j], pa, pb, two);
        continue;
      }
      int8_t *outa = pa + first;
      int8_t *outb = outa + out_c;
      if (use16) nf_p16_run(colw, f16, G, t, NULL, n, outa, outb, two, full && !post, p->act_min, p->act_max);
      else if (spec && kdim == 8) nf_pairs_px_2(colw, f, t, n, outa, outb, two);
      else if (spec && kdim == 16) nf_pairs_px_4(colw, f, t, n, outa, outb, two);
      else if (spec && kdim == 24) nf_pairs_px_6(colw, f, t, n, outa, outb, two);
      else if (spec) nf_pairs_px_full(colw, f, kdim, G, t, n, outa, outb, two);
      else nf_pairs_px_any(colw, f, kdim, G, t, n, last_tail, outa, outb, two, p->act_min, p->act_max);
    }
  }
  return 1;
}

void nacc_fast_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t kdim = p->k_h * p->k_w * p->in_c;
  if (p->filter_in_c != p->in_c || kdim > NACC_FAST_COL || p->batches != 1 || nf_min_mult(p->mult, p->out_c)) {
    nacc_conv2d(p, input, filter, bias, output);
    return;
  }
  if (nf_conv_pairs(p, input, filter, bias, output)) return;
  nf_outq q = nf_outq_of(p);
  q.small = nf_small_ok(p->shift, bias, p->out_c, kdim);
  const int32_t k4 = kdim & ~3;
  const int32_t out_c = p->out_c, out_w = p->out_w;
  const int32_t pixels = p->out_h * out_w;
  for (int32_t px = 0; px < pixels; px += 2) {
    const int32_t two = px + 1 < pixels;
    nf_column(p, input, px / out_w, px % out_w, nf_col[0]);
    if (two) nf_column(p, input, (px + 1) / out_w, (px + 1) % out_w, nf_col[1]);
    const int16_t *ca = nf_col[0];
    const int16_t *cb = nf_col[two];
    int8_t *outa = output + px * out_c;
    int8_t *outb = outa + out_c;
    int32_t oc = 0;
    for (; oc + 1 < out_c; oc += 2) {
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
      /* both channels' constants read once, all four outputs requantised before any store */
      const int32_t m0 = q.mult[oc], s0 = q.shift[oc], m1 = q.mult[oc + 1], s1 = q.shift[oc + 1];
      int32_t v0, v1, v2, v3;
      if (q.small) {
        v0 = nf_rq_small(a0, m0, s0);
        v1 = nf_rq_small(a1, m1, s1);
        v2 = nf_rq_small(c0, m0, s0);
        v3 = nf_rq_small(c1, m1, s1);
      } else {
        v0 = nf_rq(a0, m0, s0);
        v1 = nf_rq(a1, m1, s1);
        v2 = nf_rq(c0, m0, s0);
        v3 = nf_rq(c1, m1, s1);
      }
      v0 = nf_clamp(v0 + q.offset, q.lo, q.hi);
      v1 = nf_clamp(v1 + q.offset, q.lo, q.hi);
      v2 = nf_clamp(v2 + q.offset, q.lo, q.hi);
      v3 = nf_clamp(v3 + q.offset, q.lo, q.hi);
      outa[oc] = (int8_t)v0;
      outa[oc + 1] = (int8_t)v1;
      if (two) {
        outb[oc] = (int8_t)v2;
        outb[oc + 1] = (int8_t)v3;
      }
    }
    for (; oc < out_c; oc++) {
      const int8_t *f0 = filter + oc * kdim;
      int32_t a0 = bias ? bias[oc] : 0, c0 = a0;
      for (int32_t j = 0; j < kdim; j++) {
        a0 += f0[j] * ca[nf_slot(j)];
        c0 += f0[j] * cb[nf_slot(j)];
      }
      outa[oc] = nf_q(a0, &q, oc);
      if (two) outb[oc] = nf_q(c0, &q, oc);
    }
  }
}

static int32_t nf_dw_ring(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias, int8_t *scratch);
static int32_t nf_dw_tiny(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias);

void nacc_fast_depthwise_conv2d(const nacc_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t C = p->in_c;
  if (p->depth_mult != 1 || p->batches != 1 || (C & 3) != 0 || nf_min_mult(p->mult, C)) {
    nacc_depthwise_conv2d(p, input, filter, bias, output);
    return;
  }
  /* out of place: the same row ring (on the stack), without the in-place ordering constraint */
  if (nf_dw_tiny(p, input, output, filter, bias)) return;
  if (p->k_h * p->k_w <= 64 && nf_dw_ring(p, input, output, filter, bias, NULL)) return;
  nf_outq q = nf_outq_of(p);
  q.small = nf_small_ok(p->shift, bias, C, p->k_h * p->k_w);
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
        out[c] = nf_q(a0, &q, c);
        out[c + 1] = nf_q(a1, &q, c + 1);
        out[c + 2] = nf_q(a2, &q, c + 2);
        out[c + 3] = nf_q(a3, &q, c + 3);
      }
    }
  }
}

/* In-place depthwise (the planner's choice when the input dies here): one channel at a time
 * through the one-plane scratch, as the reference kernel. The channel's taps, requantisation
 * constants and the layer geometry live in locals; windows wholly inside the image take a
 * path without bounds (3-wide rows: x * k summed plus the input offset times the taps' sum,
 * folded per channel), only the border windows clip their taps. */
#define NF_SMALL_PLANE 100

/* Small planes (at most NF_SMALL_PLANE pixels, where most windows touch the border): four
 * channels at a time through a stack copy of their planes, with the four-lane SMLABB/SMLATT
 * taps of the out-of-place kernel. Output lanes c..c+3 hold input already copied. */
static void __attribute__((noinline)) nf_dw_inplace_small(const nacc_conv_params *p, int8_t *buffer, const int8_t *filter, const int32_t *bias) {
  int8_t xb[4 * NF_SMALL_PLANE];
  const int32_t C = p->in_c;
  const int32_t in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const int32_t kh = p->k_h, kw = p->k_w;
  const int32_t sh = p->stride_h, sw = p->stride_w, dh = p->dil_h, dw = p->dil_w;
  const int32_t pt = p->pad_top, pl = p->pad_left;
  const int32_t plane = in_h * in_w;
  const int32_t off2 = (int32_t)(((uint32_t)(p->input_offset & 0xffff) << 16) | (uint32_t)(p->input_offset & 0xffff));
  nf_outq q = nf_outq_of(p);
  q.small = nf_small_ok(p->shift, bias, C, kh * kw);
  for (int32_t c = 0; c < C; c += 4) {
    for (int32_t i = 0; i < plane; i++) {
      const int32_t w = nf_load32(buffer + i * C + c);
      memcpy(xb + 4 * i, &w, 4);
    }
    const int32_t b0 = bias ? bias[c] : 0, b1 = bias ? bias[c + 1] : 0, b2 = bias ? bias[c + 2] : 0, b3 = bias ? bias[c + 3] : 0;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * sh - pt;
      int32_t fy0 = 0, fy1 = kh;
      while (fy0 < fy1 && iy0 + dh * fy0 < 0) fy0++;
      while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * sw - pl;
        int32_t fx0 = 0, fx1 = kw;
        while (fx0 < fx1 && ix0 + dw * fx0 < 0) fx0++;
        while (fx1 > fx0 && ix0 + dw * (fx1 - 1) >= in_w) fx1--;
        int32_t a0 = b0, a1 = b1, a2 = b2, a3 = b3;
        for (int32_t fy = fy0; fy < fy1; fy++) {
          const int8_t *in = xb + 4 * ((iy0 + dh * fy) * in_w + ix0);
          const int8_t *f = filter + fy * kw * C + c;
          for (int32_t fx = fx0; fx < fx1; fx++) {
            const int32_t w = nf_load32(in + 4 * dw * fx);
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
        int8_t *out = buffer + (oy * out_w + ox) * C + c;
        out[0] = nf_q(a0, &q, c);
        out[1] = nf_q(a1, &q, c + 1);
        out[2] = nf_q(a2, &q, c + 2);
        out[3] = nf_q(a3, &q, c + 3);
      }
    }
  }
}

/* ---- In-place depthwise through a row ring (four channels at a time) ----
 * The output overwrites the input in place, so each channel group of four keeps a ring of the
 * input rows its next output rows still need, as 16-bit (x + input offset) words in x0 x2 / x1 x3
 * order with zero columns and rows for the padding: every window is then whole, and a tap of
 * two output pixels is one filter pair and two input pairs for eight SMLABB/SMLATT. Rows enter
 * the ring before any output row overwrites them. The filters are stored doubled (2k fits 16
 * bits) so that the accumulator is already the 2x that the SMMULR requantisation takes. */
#define NF_RING_STACK 2048
#ifndef NF_DWR_PAIRS
#define NF_DWR_PAIRS 0
#endif

#if defined(__ARM_FEATURE_DSP)
/* Two output pixels of a channel group (DSP cores): per tap one filter pair and two input pairs
 * (LDRD) for eight SMLABB/SMLATT; between window rows the pointer moves by the delta stored after
 * the row's taps (the last delta returns it to the first row). Fourteen registers, none spilled. */
#define NF_DW4(A) \
  "smlabb %[" #A "0], %[x0], %[k0], %[" #A "0]\n\t" "smlatt %[" #A "2], %[x0], %[k0], %[" #A "2]\n\t" \
  "smlabb %[" #A "1], %[x1], %[k1], %[" #A "1]\n\t" "smlatt %[" #A "3], %[x1], %[k1], %[" #A "3]\n\t"
#define NF_DWP_3_1 \
  "ldrd %[a0], %[a1], [%[k], #84]\n\t" "ldrd %[a2], %[a3], [%[k], #92]\n\t" "ldrd %[e0], %[e1], [%[k], #100]\n\t" "ldrd %[e2], %[e3], [%[k], #108]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #24]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #28]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #36]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #44]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #52]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #56]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #64]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #72]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #80]\n\t" "add %[r], %[r], %[x0]\n\t"
#define NF_DWP_3_2 \
  "ldrd %[a0], %[a1], [%[k], #84]\n\t" "ldrd %[a2], %[a3], [%[k], #92]\n\t" "ldrd %[e0], %[e1], [%[k], #100]\n\t" "ldrd %[e2], %[e3], [%[k], #108]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #24]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #28]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #36]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #44]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #52]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #56]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #64]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #72]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #80]\n\t" "add %[r], %[r], %[x0]\n\t"
#define NF_DWP_5_1 \
  "ldrd %[a0], %[a1], [%[k], #220]\n\t" "ldrd %[a2], %[a3], [%[k], #228]\n\t" "ldrd %[e0], %[e1], [%[k], #236]\n\t" "ldrd %[e2], %[e3], [%[k], #244]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #24]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #32]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #40]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #44]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #52]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #60]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #68]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #76]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #84]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #88]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #96]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #104]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #112]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #120]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #128]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #132]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #140]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #148]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #156]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #164]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #172]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #176]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #184]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #192]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #200]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #208]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #216]\n\t" "add %[r], %[r], %[x0]\n\t"
#define NF_DWP_5_2 \
  "ldrd %[a0], %[a1], [%[k], #220]\n\t" "ldrd %[a2], %[a3], [%[k], #228]\n\t" "ldrd %[e0], %[e1], [%[k], #236]\n\t" "ldrd %[e2], %[e3], [%[k], #244]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #24]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #32]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #40]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #44]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #52]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #60]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #68]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #76]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #84]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #88]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #96]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #104]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #112]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #120]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #128]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #132]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #140]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #148]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #156]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #164]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #172]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #176]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #184]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #192]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #200]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #208]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #216]\n\t" "add %[r], %[r], %[x0]\n\t"
#define NF_DWP_7_1 \
  "ldrd %[a0], %[a1], [%[k], #420]\n\t" "ldrd %[a2], %[a3], [%[k], #428]\n\t" "ldrd %[e0], %[e1], [%[k], #436]\n\t" "ldrd %[e2], %[e3], [%[k], #444]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #24]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #32]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #40]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #48]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #56]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #60]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #68]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #76]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #84]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #92]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #100]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #108]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #116]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #120]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #128]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #136]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #144]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #152]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #160]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #168]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #176]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #180]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #188]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #196]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #204]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #212]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #220]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #228]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #236]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #240]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #248]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #256]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #264]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #272]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #280]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #288]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #296]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #300]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #308]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #316]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #324]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #332]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #340]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #348]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #356]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #360]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #368]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #376]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #384]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #392]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #400]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #408]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #416]\n\t" "add %[r], %[r], %[x0]\n\t"
#define NF_DWP_7_2 \
  "ldrd %[a0], %[a1], [%[k], #420]\n\t" "ldrd %[a2], %[a3], [%[k], #428]\n\t" "ldrd %[e0], %[e1], [%[k], #436]\n\t" "ldrd %[e2], %[e3], [%[k], #444]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #0]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #8]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #16]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #24]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #32]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #40]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #48]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #56]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #60]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #68]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #76]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #84]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #92]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #100]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #108]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #116]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #120]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #128]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #136]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #144]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #152]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #160]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #168]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #176]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #180]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #188]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #196]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #204]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #212]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #220]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #228]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #236]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #240]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #248]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #256]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #264]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #272]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #280]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #288]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #296]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #300]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #308]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #316]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #324]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #332]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #340]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #348]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #356]\n\t" "add %[r], %[r], %[x0]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #360]\n\t" "ldrd %[x0], %[x1], [%[r], #0]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #368]\n\t" "ldrd %[x0], %[x1], [%[r], #8]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #376]\n\t" "ldrd %[x0], %[x1], [%[r], #16]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #384]\n\t" "ldrd %[x0], %[x1], [%[r], #24]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #392]\n\t" "ldrd %[x0], %[x1], [%[r], #32]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #400]\n\t" "ldrd %[x0], %[x1], [%[r], #40]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #56]\n\t" NF_DW4(e) \
  "ldrd %[k0], %[k1], [%[k], #408]\n\t" "ldrd %[x0], %[x1], [%[r], #48]\n\t" NF_DW4(a) "ldrd %[x0], %[x1], [%[r], #64]\n\t" NF_DW4(e) \
  "ldr %[x0], [%[k], #416]\n\t" "add %[r], %[r], %[x0]\n\t"
#endif

#if defined(__ARM_FEATURE_DSP)
/* The full-range output stage of the two pixels inside the same assembly block: per channel its
 * constants (m, nudge, down, stored after the group's doubled biases at byte Q of the filter
 * block) and four instructions per output; each pixel's four bytes packed into one word (a0, e0). */
#define NF_DWQ1(J, Q) \
  "ldrd %[k0], %[k1], [%[k], #" #Q "]\n\t" "ldr %[x0], [%[k], #" #Q "+8]\n\t" \
  "smmlar %[x1], %[a" #J "], %[k0], %[k1]\n\t" "sub %[a" #J "], %[x1], %[a" #J "], lsr #31\n\t" "asr %[a" #J "], %[a" #J "], %[x0]\n\t" "ssat %[a" #J "], #8, %[a" #J "]\n\t" \
  "smmlar %[x1], %[e" #J "], %[k0], %[k1]\n\t" "sub %[e" #J "], %[x1], %[e" #J "], lsr #31\n\t" "asr %[e" #J "], %[e" #J "], %[x0]\n\t" "ssat %[e" #J "], #8, %[e" #J "]\n\t"
#define NF_DWQ(Q0, Q1, Q2, Q3) \
  NF_DWQ1(0, Q0) NF_DWQ1(1, Q1) NF_DWQ1(2, Q2) NF_DWQ1(3, Q3) \
  "bfi %[a0], %[a1], #8, #8\n\t" "bfi %[a0], %[a2], #16, #8\n\t" "bfi %[a0], %[a3], #24, #8\n\t" \
  "bfi %[e0], %[e1], #8, #8\n\t" "bfi %[e0], %[e2], #16, #8\n\t" "bfi %[e0], %[e3], #24, #8\n\t"
/* Q of channel 0 for 3x3, 5x5, 7x7 windows: (2 kw + 1) kh words of taps and deltas, 8 of biases */
#define NF_DWQ_3 NF_DWQ(116, 132, 148, 164)
#define NF_DWQ_5 NF_DWQ(252, 268, 284, 300)
#define NF_DWQ_7 NF_DWQ(452, 468, 484, 500)
#endif

/* Two pixels' four channels: each channel's constants are read once for both pixels. */
static inline __attribute__((always_inline)) void nf_put4x2(int8_t *oa, int8_t *ob, int32_t a0, int32_t a1, int32_t a2, int32_t a3, int32_t e0, int32_t e1, int32_t e2, int32_t e3, const nf_rqc *rq, int32_t full, int32_t lo, int32_t hi) {
#define NF_Q2(J, A, B) \
  do { \
    const int32_t m_ = rq[J].m, n_ = rq[J].nudge, d_ = rq[J].down; \
    A = nf_rqv(A, m_, n_, d_); \
    B = nf_rqv(B, m_, n_, d_); \
    if (full) { \
      A = NF_SSAT8(A); \
      B = NF_SSAT8(B); \
    } else { \
      A = nf_clamp(A + rq[J].post, lo, hi); \
      B = nf_clamp(B + rq[J].post, lo, hi); \
    } \
  } while (0)
  NF_Q2(0, a0, e0);
  NF_Q2(1, a1, e1);
  NF_Q2(2, a2, e2);
  NF_Q2(3, a3, e3);
#undef NF_Q2
  oa[0] = (int8_t)a0;
  oa[1] = (int8_t)a1;
  oa[2] = (int8_t)a2;
  oa[3] = (int8_t)a3;
  ob[0] = (int8_t)e0;
  ob[1] = (int8_t)e1;
  ob[2] = (int8_t)e2;
  ob[3] = (int8_t)e3;
}

static inline __attribute__((always_inline)) void nf_put4(int8_t *o, int32_t a0, int32_t a1, int32_t a2, int32_t a3, const nf_rqc *rq, int32_t full, int32_t lo, int32_t hi) {
  int32_t v0 = nf_rq2(a0, &rq[0], full), v1 = nf_rq2(a1, &rq[1], full), v2 = nf_rq2(a2, &rq[2], full), v3 = nf_rq2(a3, &rq[3], full);
  if (full) {
    v0 = NF_SSAT8(v0);
    v1 = NF_SSAT8(v1);
    v2 = NF_SSAT8(v2);
    v3 = NF_SSAT8(v3);
  } else {
    v0 = nf_clamp(v0, lo, hi);
    v1 = nf_clamp(v1, lo, hi);
    v2 = nf_clamp(v2, lo, hi);
    v3 = nf_clamp(v3, lo, hi);
  }
  o[0] = (int8_t)v0;
  o[1] = (int8_t)v1;
  o[2] = (int8_t)v2;
  o[3] = (int8_t)v3;
}

/* One output row of a channel group: rows[fy] are the ring rows of the window (padding
 * included, column 0 = the first padded column), fk the doubled filter pairs per tap. */
static inline __attribute__((always_inline)) void nf_dwr_row(const int32_t *const *rows, const int32_t *fk, int32_t kh, int32_t KW, int32_t SW, int32_t DW, int32_t out_w, int8_t *o, int32_t C,
                                                             const int32_t *b2, const nf_rqc *rq, int32_t full, int32_t lo, int32_t hi) {
  int32_t ox = 0;
#if defined(__ARM_FEATURE_DSP)
  if (DW == 1 && SW <= 2 && (KW == 3 || KW == 5 || KW == 7) && kh == KW) {
    const int32_t *r = rows[0];
    for (; ox + 1 < out_w; ox += 2, r += 4 * SW) {
      int32_t a0, a1, a2, a3, e0, e1, e2, e3;
      int32_t k0, k1, x0, x1;
#define NF_DWP_ASM(BODY) \
  __asm__ volatile(BODY : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [e0] "=&r"(e0), [e1] "=&r"(e1), [e2] "=&r"(e2), [e3] "=&r"(e3), [r] "+r"(r), [k0] "=&r"(k0), [k1] "=&r"(k1), \
                   [x0] "=&r"(x0), [x1] "=&r"(x1) : [k] "r"(fk) : "memory")
      if (full) {
        /* taps and output stage in one block: two packed words out */
        if (KW == 3 && SW == 1) NF_DWP_ASM(NF_DWP_3_1 NF_DWQ_3);
        else if (KW == 3) NF_DWP_ASM(NF_DWP_3_2 NF_DWQ_3);
        else if (KW == 5 && SW == 1) NF_DWP_ASM(NF_DWP_5_1 NF_DWQ_5);
        else if (KW == 5) NF_DWP_ASM(NF_DWP_5_2 NF_DWQ_5);
        else if (KW == 7 && SW == 1) NF_DWP_ASM(NF_DWP_7_1 NF_DWQ_7);
        else NF_DWP_ASM(NF_DWP_7_2 NF_DWQ_7);
        memcpy(o + ox * C, &a0, 4);
        memcpy(o + (ox + 1) * C, &e0, 4);
        continue;
      }
      if (KW == 3 && SW == 1) NF_DWP_ASM(NF_DWP_3_1);
      else if (KW == 3) NF_DWP_ASM(NF_DWP_3_2);
      else if (KW == 5 && SW == 1) NF_DWP_ASM(NF_DWP_5_1);
      else if (KW == 5) NF_DWP_ASM(NF_DWP_5_2);
      else if (KW == 7 && SW == 1) NF_DWP_ASM(NF_DWP_7_1);
      else NF_DWP_ASM(NF_DWP_7_2);
#undef NF_DWP_ASM
      nf_put4x2(o + ox * C, o + (ox + 1) * C, a0, a1, a2, a3, e0, e1, e2, e3, rq, full, lo, hi);
    }
  }
#endif
  for (; ox < out_w; ox++) {
    int32_t a0 = b2[0], a1 = b2[1], a2 = b2[2], a3 = b2[3];
    const int32_t *k = fk;
#pragma GCC unroll 8
    for (int32_t fy = 0; fy < kh; fy++) {
      const int32_t *r = rows[fy] + 2 * SW * ox;
#pragma GCC unroll 8
      for (int32_t fx = 0; fx < KW; fx++, k += 2) {
        const int32_t k02 = k[0], k13 = k[1];
        const int32_t xa02 = r[2 * DW * fx], xa13 = r[2 * DW * fx + 1];
        a0 = NF_SMLABB(xa02, k02, a0);
        a2 = NF_SMLATT(xa02, k02, a2);
        a1 = NF_SMLABB(xa13, k13, a1);
        a3 = NF_SMLATT(xa13, k13, a3);
      }
      k++; /* the row delta word */
    }
    nf_put4(o + ox * C, a0, a1, a2, a3, rq, full, lo, hi);
  }
}

/* Any other geometry (dilation, non-square windows): one pixel at a time, loops kept rolled. */
static void __attribute__((noinline)) nf_dwr_row_any(const int32_t *const *rows, const int32_t *fk, int32_t kh, int32_t kw, int32_t sw, int32_t dw, int32_t out_w, int8_t *o, int32_t C, const int32_t *b2, const nf_rqc *rq, int32_t full, int32_t lo, int32_t hi) {
  for (int32_t ox = 0; ox < out_w; ox++) {
    int32_t a0 = b2[0], a1 = b2[1], a2 = b2[2], a3 = b2[3];
    const int32_t *k = fk;
    for (int32_t fy = 0; fy < kh; fy++, k++) {
      const int32_t *r = rows[fy] + 2 * sw * ox;
      for (int32_t fx = 0; fx < kw; fx++, k += 2) {
        const int32_t x02 = r[2 * dw * fx], x13 = r[2 * dw * fx + 1];
        a0 = NF_SMLABB(x02, k[0], a0);
        a2 = NF_SMLATT(x02, k[0], a2);
        a1 = NF_SMLABB(x13, k[1], a1);
        a3 = NF_SMLATT(x13, k[1], a3);
      }
    }
    nf_put4(o + ox * C, a0, a1, a2, a3, rq, full, lo, hi);
  }
}

#define NF_DWR_CASE(KW_, SW_) \
  static void __attribute__((noinline, optimize("no-schedule-insns", "no-store-merging"))) nf_dwr_row_##KW_##_##SW_(const int32_t *const *rows, const int32_t *fk, int32_t kh, int32_t out_w, int8_t *o, int32_t C, const int32_t *b2, const nf_rqc *rq) { \
    (void)kh; \
    nf_dwr_row(rows, fk, KW_, KW_, SW_, 1, out_w, o, C, b2, rq, 1, -128, 127); \
  } \
  static void __attribute__((noinline, optimize("no-schedule-insns", "no-store-merging"))) nf_dwr_rowc_##KW_##_##SW_(const int32_t *const *rows, const int32_t *fk, int32_t out_w, int8_t *o, int32_t C, const int32_t *b2, const nf_rqc *rq, int32_t lo, int32_t hi) { \
    nf_dwr_row(rows, fk, KW_, KW_, SW_, 1, out_w, o, C, b2, rq, 0, lo, hi); \
  } \
  /* whole-plane mode: every output row of the group in one call (rows move down SW_ ring rows) */ \
  static void __attribute__((noinline, optimize("no-schedule-insns", "no-store-merging"))) nf_dwr_plane_##KW_##_##SW_(const int32_t *const *rows0, int32_t rowwords, const int32_t *fk, int32_t out_h, int32_t out_w, int8_t *o, \
                                                                                                                      int32_t C, const int32_t *b2, const nf_rqc *rq, int32_t full, int32_t lo, int32_t hi) { \
    const int32_t *rows[KW_]; \
    for (int32_t fy = 0; fy < KW_; fy++) rows[fy] = rows0[fy]; \
    for (int32_t oy = 0; oy < out_h; oy++, o += out_w * C) { \
      if (full) nf_dwr_row(rows, fk, KW_, KW_, SW_, 1, out_w, o, C, b2, rq, 1, -128, 127); \
      else nf_dwr_row(rows, fk, KW_, KW_, SW_, 1, out_w, o, C, b2, rq, 0, lo, hi); \
      for (int32_t fy = 0; fy < KW_; fy++) rows[fy] += SW_ * rowwords; \
    } \
  }
NF_DWR_CASE(3, 1)
NF_DWR_CASE(3, 2)
NF_DWR_CASE(5, 1)
NF_DWR_CASE(5, 2)
NF_DWR_CASE(7, 1)
NF_DWR_CASE(7, 2)

#if defined(__ARM_FEATURE_DSP)
/* Four pixels of a channel group a turn into the ring (DSP cores): four word loads C bytes apart
 * (r12 = 3C), eight SXTB16 and one STM of the (x0,x2) (x1,x3) words; d word-aligned, n4 >= 1 turns. */
void nacc_fast_dw_fill4(int32_t *d, const int8_t *s, int32_t n4, int32_t C);
__asm__(".syntax unified\n\t"
        ".thumb\n\t"
        ".section .text.nacc_fast_dw_fill4,\"ax\",%progbits\n\t"
        ".align 2\n\t"
        ".global nacc_fast_dw_fill4\n\t"
        ".type nacc_fast_dw_fill4, %function\n\t"
        ".thumb_func\n"
        "nacc_fast_dw_fill4:\n\t"
        "push {r4-r11}\n\t"
        "add r12, r3, r3, lsl #1\n"
        "1:\n\t"
        "ldr r4, [r1]\n\t" "ldr r6, [r1, r3]\n\t" "ldr r8, [r1, r3, lsl #1]\n\t" "ldr r10, [r1, r12]\n\t" "add r1, r1, r3, lsl #2\n\t"
        "sxtb16 r5, r4, ror #8\n\t" "sxtb16 r4, r4\n\t" "sxtb16 r7, r6, ror #8\n\t" "sxtb16 r6, r6\n\t"
        "sxtb16 r9, r8, ror #8\n\t" "sxtb16 r8, r8\n\t" "sxtb16 r11, r10, ror #8\n\t" "sxtb16 r10, r10\n\t"
        "stm r0!, {r4-r11}\n\t"
        "subs r2, r2, #1\n\t"
        "bne 1b\n\t"
        "pop {r4-r11}\n\t"
        "bx lr\n\t"
        ".size nacc_fast_dw_fill4, .-nacc_fast_dw_fill4\n\t"
        ".text\n");
#endif

/* Rows [iy0, iy0 + n) of a channel group into consecutive ring rows from d (rowwords words each,
 * the image's columns after pl padding columns): sign-extended pairs, or -offset for padding rows. */
static inline __attribute__((always_inline)) void nf_dwr_fill(int32_t *d0, int32_t rowwords, int32_t pl, int32_t iy0, int32_t n, const int8_t *input, int32_t in_h, int32_t in_w, int32_t C, int32_t c, int32_t padw,
                                                              const int32_t by4) {
  (void)by4; /* 1: four pixels a turn in assembly on DSP cores (the whole-plane fill keeps the C loop) */
  for (int32_t r = 0; r < n; r++) {
    const int32_t iy = iy0 + r;
    int32_t *d = d0 + r * rowwords + 2 * pl;
    if (iy < 0 || iy >= in_h) {
      for (int32_t i = 0; i < 2 * in_w; i++) d[i] = padw;
      continue;
    }
    const int8_t *s = input + iy * in_w * C + c;
    int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
    if (by4 && in_w >= 4) {
      nacc_fast_dw_fill4(d, s, in_w >> 2, C);
      i = in_w & ~3;
      s += i * C;
      d += 2 * i;
    }
#endif
    for (; i + 1 < in_w; i += 2, s += 2 * C, d += 4) {
      const int32_t w = nf_load32(s), v = nf_load32(s + C);
      d[0] = NF_SXTB16(w);
      d[1] = NF_SXTB16_ROR8(w);
      d[2] = NF_SXTB16(v);
      d[3] = NF_SXTB16_ROR8(v);
    }
    if (i < in_w) {
      const int32_t w = nf_load32(s);
      d[0] = NF_SXTB16(w);
      d[1] = NF_SXTB16_ROR8(w);
    }
  }
}

/* A channel group's block after the ring rows: per tap its doubled filter pairs and the byte delta
 * to the next window row, then the doubled biases (twice, with the input offset folded in:
 * acc = bias + offset * sum k + sum k x) and the output stage's constants, four words per channel. */
static inline __attribute__((always_inline)) void nf_dwr_group(const nacc_conv_params *p, const int8_t *filter, const int32_t *bias, int32_t c, int32_t *fk, int32_t rowk, int32_t post, nf_rqc *rq, int32_t *b2) {
  const int32_t C = p->in_c, kh = p->k_h, kw = p->k_w;
  int32_t ks02 = 0, ks13 = 0; /* per-lane filter sums (|sum| <= 64 * 128 fits 16 bits) */
  for (int32_t fy = 0, t = 0; fy < kh; fy++) {
    int32_t *d = fk + fy * rowk;
    for (int32_t fx = 0; fx < kw; fx++, t++, d += 2) {
      const int32_t w = nf_load32(filter + t * C + c);
      const int32_t k02 = NF_SXTB16(w), k13 = NF_SXTB16_ROR8(w);
      ks02 = NF_SADD16(ks02, k02);
      ks13 = NF_SADD16(ks13, k13);
      d[0] = NF_SADD16(k02, k02);
      d[1] = NF_SADD16(k13, k13);
    }
  }
  const int32_t ksum[4] = {(int16_t)(ks02 & 0xffff), (int16_t)(ks13 & 0xffff), (int16_t)((uint32_t)ks02 >> 16), (int16_t)((uint32_t)ks13 >> 16)};
  for (int32_t j = 0; j < 4; j++) {
    /* nf_rqc_of's constants (nf_dw_ring checked its bounds for every channel), with the
     * layer's choice of folding the output offset (post = 0) or adding it after the shift */
    const int32_t down = -p->shift[c + j];
    rq[j].m = p->mult[c + j];
    rq[j].down = down;
    rq[j].nudge = (int32_t)((1u << (down - 1)) + (post ? 0u : (uint32_t)p->output_offset << down));
    rq[j].post = post ? p->output_offset : 0;
    b2[j] = 2 * ((bias ? bias[c + j] : 0) + p->input_offset * ksum[j]);
    fk[rowk * kh + j] = fk[rowk * kh + 4 + j] = b2[j];
    /* the output stage's constants after them, four words per channel (the assembly reads them) */
    fk[rowk * kh + 8 + 4 * j] = rq[j].m;
    fk[rowk * kh + 9 + 4 * j] = rq[j].nudge;
    fk[rowk * kh + 10 + 4 * j] = rq[j].down;
  }
}

/* Ring mode of square windows with dilation 1 and the full int8 range: every channel group in one
 * call, the window size and stride as constants, so the per-row pointer and delta updates unroll
 * and the row kernel is inlined (no call per output row). The ring as nf_dw_ring lays it out. */
typedef struct {
  const nacc_conv_params *p;
  const int8_t *input, *filter;
  const int32_t *bias;
  int8_t *output;
  int32_t *mem;
  int32_t R, rowwords, padw;
} nf_ringargs;
#define NF_DWR_RING(KW_, SW_) \
  static void __attribute__((noinline, optimize("no-schedule-insns", "no-store-merging"))) nf_dwr_ring_##KW_##_##SW_(const nf_ringargs *g) { \
    const nacc_conv_params *p = g->p; \
    int32_t *const mem = g->mem; \
    const int32_t R = g->R, rowwords = g->rowwords, rowk = 2 * KW_ + 1; \
    int32_t *const fk = mem + R * rowwords; \
    const int32_t C = p->in_c, in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w, pt = p->pad_top, pl = p->pad_left; \
    const int32_t inplace = g->input == g->output; \
    nf_rqc rq[4]; \
    int32_t b2[4]; \
    const int32_t *rows[KW_]; \
    for (int32_t c = 0; c < C; c += 4) { \
      nf_dwr_group(p, g->filter, g->bias, c, fk, rowk, 0, rq, b2); \
      int32_t next = -pt, next_slot = 0, lo_slot = 0; \
      int8_t *o = g->output + c; \
      for (int32_t oy = 0; oy < out_h; oy++, o += out_w * C) { \
        const int32_t lo = oy * SW_ - pt; \
        int32_t hi = lo + KW_ - 1; \
        if (inplace) { \
          const int32_t clob = ((oy + 1) * out_w - 1) / in_w; \
          if (clob > hi) hi = clob; \
        } \
        if (next < lo) { \
          next_slot = (next_slot + (lo - next)) % R; \
          next = lo; \
        } \
        for (; next <= hi; next++) { \
          nf_dwr_fill(mem + next_slot * rowwords, rowwords, pl, next, 1, g->input, in_h, in_w, C, c, g->padw, 1); \
          if (++next_slot == R) next_slot = 0; \
        } \
        int32_t sl = lo_slot; \
        for (int32_t fy = 0; fy < KW_; fy++) { \
          rows[fy] = mem + sl * rowwords; \
          if (++sl == R) sl = 0; \
        } \
        for (int32_t fy = 0; fy < KW_; fy++) fk[fy * rowk + 2 * KW_] = (int32_t)((const char *)rows[fy + 1 < KW_ ? fy + 1 : 0] - (const char *)rows[fy]); \
        lo_slot += SW_; \
        while (lo_slot >= R) lo_slot -= R; \
        nf_dwr_row(rows, fk, KW_, KW_, SW_, 1, out_w, o, C, b2, rq, 1, -128, 127); \
      } \
    } \
  }
NF_DWR_RING(3, 1)
NF_DWR_RING(3, 2)
NF_DWR_RING(5, 1)
NF_DWR_RING(5, 2)
NF_DWR_RING(7, 1)
NF_DWR_RING(7, 2)

/* 1 when it ran the layer; 0 when its conditions fail (then another kernel runs it). */
static int32_t __attribute__((noinline)) nf_dw_ring(const nacc_conv_params *p, const int8_t *input, int8_t *output, const int8_t *filter, const int32_t *bias, int8_t *scratch) {
  const int32_t inplace = input == output; /* then output rows overwrite input rows: see clob */
  const int32_t C = p->in_c;
  const int32_t in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
  const int32_t kh = p->k_h, kw = p->k_w, sh = p->stride_h, sw = p->stride_w, dh = p->dil_h, dw = p->dil_w;
  const int32_t pt = p->pad_top, pl = p->pad_left;
  const int32_t taps = kh * kw;
  if ((C & 3) != 0 || kh > 16 || pt < 0 || pl < 0 || out_w <= 0 || out_h <= 0) return 0;
  /* nf_rqc_of's bounds for every channel, with the largest |bias| of the layer (cheaper, and
   * never looser): fold the output offset unless some channel needs it added after the shift */
  int32_t post = 0;
  {
    uint32_t bmax = 0;
    for (int32_t c = 0; c < C && bias; c++) {
      const uint32_t a = bias[c] < 0 ? 0u - (uint32_t)bias[c] : (uint32_t)bias[c];
      bmax = a > bmax ? a : bmax;
    }
    if (bmax >= (1u << 30) || (uint32_t)taps * 128 * 255 >= (1u << 30) - bmax) return 0;
    const uint32_t amax = 2 * (bmax + (uint32_t)taps * 128 * 255); /* < 2^31 */
    const uint32_t off = (uint32_t)(p->output_offset < 0 ? -p->output_offset : p->output_offset);
    for (int32_t c = 0; c < C; c++) {
      const int32_t m = p->mult[c], shift = p->shift[c];
      if (shift >= 0 || shift < -30 || m < 0) return 0;
      const uint32_t down = (uint32_t)-shift;
      const uint32_t hmax = (uint32_t)(((uint64_t)amax * (uint32_t)m) >> 32) + 1; /* < 2^30 */
      const uint32_t half = 1u << (down - 1);
      if (hmax + half + 1 >= (1u << 31)) return 0;
      if (down >= 24 || hmax + half + (off << down) + 1 >= (1u << 31)) post = 1;
    }
  }
  int32_t pr = (out_w - 1) * sw - pl + (kw - 1) * dw + 1 - in_w;
  if (pr < 0) pr = 0;
  const int32_t wp = pl + in_w + pr;
  const int32_t rowwords = 2 * wp;
  /* ring rows: from the first row an output row reads to the last row it reads or overwrites */
  int32_t R = 1;
  for (int32_t oy = 0; oy < out_h; oy++) {
    const int32_t lo = oy * sh - pt;
    int32_t hi = lo + (kh - 1) * dh;
    const int32_t clob = inplace ? ((oy + 1) * out_w - 1) / in_w : lo;
    if (clob > hi) hi = clob;
    if (hi - lo + 1 > R) R = hi - lo + 1;
  }
  const int32_t rowk = 2 * kw + 1; /* per window row: kw tap pairs, then the byte delta to the next row */
  /* whole-plane mode when every padded row the outputs read fits: a group's rows are all converted
   * first (in place, before any output overwrites them), and an output row costs only its call */
  const int32_t rall = (out_h - 1) * sh + (kh - 1) * dh + 1;
  const int32_t room = scratch && ((uintptr_t)scratch & 7) == 0 && in_h * in_w > NF_RING_STACK ? in_h * in_w : NF_RING_STACK;
  const int32_t whole = (rall * rowwords + rowk * kh + 24) * 4 <= room;
  if (whole) R = rall;
  const int32_t words = R * rowwords + rowk * kh + 24; /* + the doubled biases of the group, twice, and its output constants */
  int32_t stackbuf[NF_RING_STACK / 4] __attribute__((aligned(8)));
  int32_t *mem;
  if (scratch && words * 4 <= in_h * in_w && ((uintptr_t)scratch & 7) == 0) mem = (int32_t *)(void *)scratch;
  else if (words * 4 <= NF_RING_STACK) mem = stackbuf;
  else return 0;
  int32_t *fk = mem + R * rowwords;
  const int32_t full = p->act_min == -128 && p->act_max == 127;
  const int32_t lo_act = p->act_min, hi_act = p->act_max;
  const int32_t *rows[16];
  nf_rqc rq[4];
  int32_t b2[4];
  /* The ring holds the raw inputs x (sign-extended pairs); the input offset is folded into the
   * bias (acc = bias + offset * sum k + sum k x), so padding holds -offset, whose x + offset is 0.
   * Padding columns are never overwritten. */
  const int32_t padw = (int32_t)(((uint32_t)(-p->input_offset & 0xffff) << 16) | (uint32_t)(-p->input_offset & 0xffff));
  for (int32_t i = 0; i < R * rowwords; i++) mem[i] = padw;
  if (!whole && dw == 1 && dh == 1 && kh == kw && sh == sw && full && !post && (out_w & 1) == 0) {
    const nf_ringargs g = {p, input, filter, bias, output, mem, R, rowwords, padw};
    switch (kw * 10 + sw) {
      case 31: nf_dwr_ring_3_1(&g); return 1;
      case 32: nf_dwr_ring_3_2(&g); return 1;
      case 51: nf_dwr_ring_5_1(&g); return 1;
      case 52: nf_dwr_ring_5_2(&g); return 1;
      case 71: nf_dwr_ring_7_1(&g); return 1;
      case 72: nf_dwr_ring_7_2(&g); return 1;
      default: break;
    }
  }
  for (int32_t c = 0; c < C; c += 4) {
    nf_dwr_group(p, filter, bias, c, fk, rowk, post, rq, b2);
    int32_t next = -pt, next_slot = 0; /* the next input row to enter the ring, and its slot */
    int32_t lo_slot = 0;                 /* slot of the window's first row */
    if (whole) {
      /* every row now; the window's rows are then dh rows apart, and move down sh rows per output row */
      /* rows outside the image keep the padding written above */
      const int32_t r0 = pt < rall ? pt : rall, r1 = in_h + pt < rall ? in_h + pt : rall;
      nf_dwr_fill(mem + r0 * rowwords, rowwords, pl, r0 - pt, r1 - r0, input, in_h, in_w, C, c, padw, 0);
      for (int32_t fy = 0; fy < kh; fy++) {
        rows[fy] = mem + fy * dh * rowwords;
        fk[fy * rowk + 2 * kw] = 4 * (fy + 1 < kh ? dh * rowwords : -(kh - 1) * dh * rowwords);
      }
    }
    const int32_t spec = dw == 1 && dh == 1 && kh == kw ? kw * 10 + sw : 0;
    if (whole && spec) {
      int8_t *o = output + c;
      const int32_t fl = full && !post;
      switch (spec) {
        case 31: nf_dwr_plane_3_1(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        case 32: nf_dwr_plane_3_2(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        case 51: nf_dwr_plane_5_1(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        case 52: nf_dwr_plane_5_2(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        case 71: nf_dwr_plane_7_1(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        case 72: nf_dwr_plane_7_2(rows, rowwords, fk, out_h, out_w, o, C, b2, rq, fl, lo_act, hi_act); continue;
        default: break;
      }
    }
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t lo = oy * sh - pt;
      int32_t hi = lo + (kh - 1) * dh;
      const int32_t clob = inplace ? ((oy + 1) * out_w - 1) / in_w : lo;
      if (clob > hi) hi = clob;
      if (whole) {
        if (oy > 0)
          for (int32_t fy = 0; fy < kh; fy++) rows[fy] += sh * rowwords;
      } else if (next < lo) {
        next_slot = (next_slot + (lo - next)) % R;
        next = lo;
      }
      if (!whole) {
        for (; next <= hi; next++) {
          nf_dwr_fill(mem + next_slot * rowwords, rowwords, pl, next, 1, input, in_h, in_w, C, c, padw, 0);
          if (++next_slot == R) next_slot = 0;
        }
        int32_t sl = lo_slot;
        for (int32_t fy = 0; fy < kh; fy++) {
          rows[fy] = mem + sl * rowwords;
          sl += dh;
          while (sl >= R) sl -= R;
        }
        for (int32_t fy = 0; fy < kh; fy++) fk[fy * rowk + 2 * kw] = (int32_t)((const char *)rows[fy + 1 < kh ? fy + 1 : 0] - (const char *)rows[fy]);
        lo_slot += sh;
        while (lo_slot >= R) lo_slot -= R;
      }
      int8_t *o = output + oy * out_w * C + c;
      if (!(full && !post)) {
        /* clamped activation range, or the output offset added after the shift */
        switch (spec) {
          case 31: nf_dwr_rowc_3_1(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          case 32: nf_dwr_rowc_3_2(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          case 51: nf_dwr_rowc_5_1(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          case 52: nf_dwr_rowc_5_2(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          case 71: nf_dwr_rowc_7_1(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          case 72: nf_dwr_rowc_7_2(rows, fk, out_w, o, C, b2, rq, lo_act, hi_act); continue;
          default: break;
        }
      }
      switch (full && !post ? spec : 0) {
        case 31: nf_dwr_row_3_1(rows, fk, kh, out_w, o, C, b2, rq); break;
        case 32: nf_dwr_row_3_2(rows, fk, kh, out_w, o, C, b2, rq); break;
        case 51: nf_dwr_row_5_1(rows, fk, kh, out_w, o, C, b2, rq); break;
        case 52: nf_dwr_row_5_2(rows, fk, kh, out_w, o, C, b2, rq); break;
        case 71: nf_dwr_row_7_1(rows, fk, kh, out_w, o, C, b2, rq); break;
        case 72: nf_dwr_row_7_2(rows, fk, kh, out_w, o, C, b2, rq); break;
        default: nf_dwr_row_any(rows, fk, kh, kw, sw, dw, out_w, o, C, b2, rq, 0, lo_act, hi_act); break;
      }
    }
  }
  return 1;
}

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

/* ---- QUANTIZE of a float input without floating point ----
 * round-half-away-from-zero(fl32(x / scale)) + zero point, as the reference kernel, from the
 * bits: the quotient of the two 24-bit significands is formed 8 bits per hardware division, with
 * a guard bit and a sticky remainder, rounded to 24 bits to nearest-even (the IEEE float32
 * quotient), then rounded to an integer; what lies beyond the int8 range only saturates. Zero,
 * subnormal, infinite and NaN inputs (and an unusual scale) take the reference arithmetic. */
static int32_t nf_quantize_one(uint32_t ux, uint32_t ms, int32_t es) {
  const int32_t ex = (int32_t)((ux >> 23) & 0xffu);
  const uint32_t mx = (ux & 0x7fffffu) | 0x800000u;
  int32_t e = ex - es; /* exponent of the quotient's leading bit */
  uint32_t num = mx;
  if (num < ms) {
    num <<= 1;
    e--;
  }
  uint32_t rem = num - ms; /* leading quotient bit 1 */
  uint32_t q = 1;
  for (int32_t i = 0; i < 3; i++) {
    const uint32_t t = rem << 8;
    const uint32_t d = t / ms;
    rem = t - d * ms;
    q = (q << 8) | d;
  }
  /* q: 1 + 23 significand bits + 1 guard bit; round to nearest even on the sticky remainder */
  uint32_t m = q >> 1;
  if ((q & 1u) && (rem != 0 || (m & 1u))) m++;
  if (m == 0x1000000u) {
    m = 0x800000u;
    e++;
  }
  /* |x / scale| = m * 2^(e - 23) */
  const int32_t sh = 23 - e;
  uint32_t r;
  if (sh <= 3) r = 1u << 20; /* >= 2^20: beyond any int8 result */
  else if (sh > 25) r = 0;   /* < 0.5 */
  else {
    r = m >> sh;
    if ((m & ((1u << sh) - 1u)) >= (1u << (sh - 1))) r++;
  }
  return (ux >> 31) ? -(int32_t)r : (int32_t)r;
}

/* Thresholds: for a positive scale the output is a non-decreasing step function of x, so it is
 * the number of levels v = -127..127 whose threshold (the smallest input reaching v, as an ordered
 * key of its bits) x has passed, minus 128. Each threshold lies within a few units in the last place
 * of (v - zero point - 1/2) * scale; it is found there with nf_quantize_one itself, once per call.
 * An input's count is then estimated from its quotient by a 32-bit reciprocal of the scale's
 * significand (within one of the true count: both round the same quotient but near a tie) and
 * corrected against the two thresholds around it. Keys between the normal numbers (zero,
 * subnormals) are given zero's output; such inputs take the reference arithmetic anyway. */
static int32_t nf_qkey(uint32_t u) {
  const uint32_t s = (uint32_t)((int32_t)u >> 31);
  return (int32_t)(((u & 0x7fffffffu) ^ s) - s);
}

static int32_t nf_qout(int32_t k, uint32_t ms, int32_t es, int32_t zp) {
  int32_t v = zp;
  if (k <= -0x800000 || k >= 0x800000) v += nf_quantize_one(k < 0 ? 0x80000000u | (uint32_t)-k : (uint32_t)k, ms, es);
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

/* 1 when T[1..255] holds the thresholds of levels -127..127 (T[0] and T[256] below and above every
 * key); 0 when a bracket fails. */
static int32_t nf_qthresholds(int32_t *T, uint32_t ms, int32_t es, int32_t zp) {
  T[0] = -2147483647 - 1;
  T[256] = 2147483647;
  for (int32_t i = 1; i < 256; i++) {
    const int32_t v = i - 128, n = 2 * (v - zp) - 1; /* y = n/2 * scale = n * ms * 2^(es - 151) */
    const uint64_t P = (uint64_t)(uint32_t)(n < 0 ? -n : n) * ms;
    const int32_t t = 63 - __builtin_clzll(P); /* >= 23 */
    const int32_t ef = t + es - 151 + 127;
    if (ef <= 0 || ef >= 255) return 0;
    const int32_t bits = (int32_t)(((uint32_t)ef << 23) | ((uint32_t)(P >> (t - 23)) & 0x7fffffu));
    int32_t k = (n < 0 ? -bits : bits) - 3;
    if (nf_qout(k, ms, es, zp) >= v) return 0;
    for (int32_t steps = 0; nf_qout(++k, ms, es, zp) < v;)
      if (++steps > 8) return 0;
    T[i] = k;
  }
  return 1;
}

void nacc_fast_quantize_float(const nacc_quantize_params *p, const float *input, int8_t *output) {
  uint32_t us;
  memcpy(&us, &p->scale, 4);
  const int32_t es = (int32_t)((us >> 23) & 0xffu);
  if ((us >> 31) != 0 || es == 0 || es == 255) {
    nacc_quantize_float(p, input, output);
    return;
  }
  const uint32_t ms = (us & 0x7fffffu) | 0x800000u;
  const int32_t zp = p->zero_point;
  nacc_quantize_params one = *p;
  one.count = 1;
  int32_t T[257];
  /* the thresholds pay off from a few hundred inputs; scales near the ends of the float range keep
   * the per-element path (their thresholds could fall among the subnormals) */
  if (p->count >= 512 && es > 30 && es < 240 && nf_qthresholds(T, ms, es, zp)) {
    const uint32_t R = (uint32_t)((((uint64_t)1 << 55) - 1) / ms); /* (2^55 - 1) / ms, below 2^32 */
    for (int32_t i = 0; i < p->count; i++) {
      uint32_t ux;
      memcpy(&ux, &input[i], 4);
      const int32_t ex = (int32_t)((ux >> 23) & 0xffu);
      if (ex == 0 || ex == 255) {
        nacc_quantize_float(&one, &input[i], &output[i]);
        continue;
      }
      /* |x / scale| = (mx / ms) 2^d; hi = mx R / 2^32 ~ |q| 2^(23 - d) */
      const int32_t d = ex - es;
      int32_t qr;
      if (d > 9) qr = 1024;      /* |q| >= 512: saturates either way */
      else if (d < -1) qr = 0;   /* |q| < 1/2 */
      else {
        const uint32_t hi = (uint32_t)(((uint64_t)((ux & 0x7fffffu) | 0x800000u) * R) >> 32);
        qr = (int32_t)(((hi >> (22 - d)) + 1) >> 1);
      }
      int32_t j = ((ux >> 31) ? -qr : qr) + zp + 128;
      j = j < 0 ? 0 : j > 255 ? 255 : j;
      const int32_t k = nf_qkey(ux);
      if (k < T[j]) j--;
      else if (k >= T[j + 1]) j++;
      output[i] = (int8_t)(j - 128);
    }
    return;
  }
  for (int32_t i = 0; i < p->count; i++) {
    uint32_t ux;
    memcpy(&ux, &input[i], 4);
    const uint32_t ex = (ux >> 23) & 0xffu;
    if (ex == 0 || ex == 255) {
      nacc_quantize_float(&one, &input[i], &output[i]);
      continue;
    }
    const int32_t v = nf_quantize_one(ux, ms, es) + zp;
    output[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}
