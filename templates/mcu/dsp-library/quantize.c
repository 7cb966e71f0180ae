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
