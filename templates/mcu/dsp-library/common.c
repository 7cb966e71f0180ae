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

