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

