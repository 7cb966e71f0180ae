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

#if defined(__ARM_FEATURE_DSP)
/* 3x3 stride 2 in ring mode on DSP cores, in column pairs. At stride 2 the two output pixels of a
 * pair start two columns apart, so the ring rows hold column pairs: word (j, c) is channel c's
 * (x[2j], x[2j+1]) of image columns 2j and 2j+1, four channels a pair (16 bytes), after (pad_left + 1)
 * / 2 pairs of padding. A window row of a pixel is then one SMLAD over two taps and one halfword
 * multiply for the third per channel: 48 multiplies for the eight outputs of a pixel pair instead of
 * 72 (mcunet-vww1's 40x40x48 layer: 3.16 -> 2.87 instructions per MAC). Per window row the group
 * block holds each channel's tap pair, the third taps of channels (0, 1) and (2, 3), and the byte
 * delta to the next row (the last one also steps to the next pixel pair); the doubled biases and the
 * output constants follow as for the other ring kernels, then the output pointer, C and the row's end. */
void nacc_fast_dw_fill4p(int32_t *d, const int8_t *s, int32_t n4, int32_t C);
/* Four pixels of a channel group a turn into column pairs: four word loads C bytes apart, four
 * PKHBT/PKHTB, eight SXTB16, one STM of the four channels' pair words for both pairs. */
__asm__(".syntax unified\n\t"
        ".thumb\n\t"
        ".section .text.nacc_fast_dw_fill4p,\"ax\",%progbits\n\t"
        ".align 2\n\t"
        ".global nacc_fast_dw_fill4p\n\t"
        ".type nacc_fast_dw_fill4p, %function\n\t"
        ".thumb_func\n"
        "nacc_fast_dw_fill4p:\n\t"
        "push {r4-r11}\n\t"
        "add r12, r3, r3, lsl #1\n"
        "1:\n\t"
        "ldr r4, [r1]\n\t" "ldr r6, [r1, r3]\n\t" "ldr r8, [r1, r3, lsl #1]\n\t" "ldr r10, [r1, r12]\n\t" "add r1, r1, r3, lsl #2\n\t"
        "pkhbt r5, r4, r6, lsl #16\n\t" "pkhtb r6, r6, r4, asr #16\n\t" "pkhbt r9, r8, r10, lsl #16\n\t" "pkhtb r10, r10, r8, asr #16\n\t"
        "sxtb16 r4, r5\n\t" "sxtb16 r5, r5, ror #8\n\t" "sxtb16 r7, r6, ror #8\n\t" "sxtb16 r6, r6\n\t"
        "sxtb16 r8, r9\n\t" "sxtb16 r9, r9, ror #8\n\t" "sxtb16 r11, r10, ror #8\n\t" "sxtb16 r10, r10\n\t"
        "stm r0!, {r4-r11}\n\t"
        "subs r2, r2, #1\n\t"
        "bne 1b\n\t"
        "pop {r4-r11}\n\t"
        "bx lr\n\t"
        ".size nacc_fast_dw_fill4p, .-nacc_fast_dw_fill4p\n\t"
        ".text\n");

/* Input row iy of a channel group into a column-pair ring row: image columns (2i, 2i+1) are pair
 * (pl + 1) / 2 + i (padding rows: -offset throughout; the half pair past an odd width keeps the
 * -offset the ring was cleared with). */
static inline __attribute__((always_inline)) void nf_dwp_fill(int32_t *row, int32_t rowwords, int32_t pl, int32_t iy, const int8_t *input, int32_t in_h, int32_t in_w, int32_t C, int32_t c, int32_t padw) {
  if (iy < 0 || iy >= in_h) {
    for (int32_t i = 0; i < rowwords; i++) row[i] = padw;
    return;
  }
  const int8_t *s = input + iy * in_w * C + c;
  int32_t *d = row + 4 * ((pl + 1) >> 1);
  const int32_t n4 = in_w >> 2;
  if (n4 > 0) {
    nacc_fast_dw_fill4p(d, s, n4, C);
    s += 4 * n4 * C;
    d += 8 * n4;
  }
  if (in_w & 2) {
    const uint32_t w = (uint32_t)nf_load32(s), v = (uint32_t)nf_load32(s + C);
    const int32_t t = (int32_t)((w & 0xffffu) | (v << 16)), u = (int32_t)((w >> 16) | (v & 0xffff0000u));
    d[0] = NF_SXTB16(t);
    d[1] = NF_SXTB16_ROR8(t);
    d[2] = NF_SXTB16(u);
    d[3] = NF_SXTB16_ROR8(u);
    s += 2 * C;
    d += 4;
  }
  if (in_w & 1) {
    const uint32_t phi = (uint32_t)padw & 0xffff0000u;
    const uint32_t a = (uint32_t)NF_SXTB16(nf_load32(s)), b = (uint32_t)NF_SXTB16_ROR8(nf_load32(s));
    d[0] = (int32_t)(phi | (a & 0xffffu));
    d[1] = (int32_t)(phi | (b & 0xffffu));
    d[2] = (int32_t)(phi | (a >> 16));
    d[3] = (int32_t)(phi | (b >> 16));
  }
}

/* One window row of a pixel pair in column pairs (K: the row's byte offset in the tap block). A
 * window starting on an even image column (even left padding) takes taps (0, 1) from its first pair
 * and tap 2 from the low half of the next (NF_DWP2_EVEN); one starting on an odd column, tap 0 from
 * the high half of its first pair and taps (1, 2) from the next (NF_DWP2_ODD). The pixels' windows are
 * a pair apart: pixel a reads pairs 0 and 1, pixel e pairs 1 and 2. */
#define NF_DWP2_EVEN(K, A, B, X) \
  "ldrd %[k0], %[k1], [%[k], #" #K "+" #X "]\n\t" "ldrd %[x0], %[x1], [%[r], #" #X "]\n\t" "smlad %[a" #A "], %[x0], %[k0], %[a" #A "]\n\t" "smlad %[a" #B "], %[x1], %[k1], %[a" #B "]\n\t" \
  "ldrd %[x0], %[x1], [%[r], #16+" #X "]\n\t" "smlad %[e" #A "], %[x0], %[k0], %[e" #A "]\n\t" "smlad %[e" #B "], %[x1], %[k1], %[e" #B "]\n\t" \
  "ldr %[k0], [%[k], #" #K "+16+" #X "/2]\n\t" "smlabb %[a" #A "], %[x0], %[k0], %[a" #A "]\n\t" "smlabt %[a" #B "], %[x1], %[k0], %[a" #B "]\n\t" \
  "ldrd %[x0], %[x1], [%[r], #32+" #X "]\n\t" "smlabb %[e" #A "], %[x0], %[k0], %[e" #A "]\n\t" "smlabt %[e" #B "], %[x1], %[k0], %[e" #B "]\n\t"
#define NF_DWP2_ODD(K, A, B, X) \
  "ldr %[k0], [%[k], #" #K "+16+" #X "/2]\n\t" "ldrd %[x0], %[x1], [%[r], #" #X "]\n\t" "smlatb %[a" #A "], %[x0], %[k0], %[a" #A "]\n\t" "smlatt %[a" #B "], %[x1], %[k0], %[a" #B "]\n\t" \
  "ldrd %[x0], %[x1], [%[r], #16+" #X "]\n\t" "smlatb %[e" #A "], %[x0], %[k0], %[e" #A "]\n\t" "smlatt %[e" #B "], %[x1], %[k0], %[e" #B "]\n\t" \
  "ldrd %[k0], %[k1], [%[k], #" #K "+" #X "]\n\t" "smlad %[a" #A "], %[x0], %[k0], %[a" #A "]\n\t" "smlad %[a" #B "], %[x1], %[k1], %[a" #B "]\n\t" \
  "ldrd %[x0], %[x1], [%[r], #32+" #X "]\n\t" "smlad %[e" #A "], %[x0], %[k0], %[e" #A "]\n\t" "smlad %[e" #B "], %[x1], %[k1], %[e" #B "]\n\t"
#define NF_DWP2_ROW(F, K) F(K, 0, 1, 0) F(K, 2, 3, 8) "ldr %[x0], [%[k], #" #K "+24]\n\t" "add %[r], %[r], %[x0]\n\t"
/* the pair loop of one output row: biases, three window rows, the output stage, two words out */
#define NF_DWP2_LOOP(F) \
  __asm__ volatile("1:\n\t" \
                   "ldrd %[a0], %[a1], [%[k], #84]\n\t" "ldrd %[a2], %[a3], [%[k], #92]\n\t" "ldrd %[e0], %[e1], [%[k], #100]\n\t" "ldrd %[e2], %[e3], [%[k], #108]\n\t" \
                   NF_DWP2_ROW(F, 0) NF_DWP2_ROW(F, 28) NF_DWP2_ROW(F, 56) NF_DWQ_3 \
                   "ldrd %[x0], %[x1], [%[k], #180]\n\t" "str %[a0], [%[x0]]\n\t" "str %[e0], [%[x0], %[x1]]\n\t" "add %[x0], %[x0], %[x1], lsl #1\n\t" "str %[x0], [%[k], #180]\n\t" \
                   "ldr %[x1], [%[k], #188]\n\t" "cmp %[x0], %[x1]\n\t" "bne 1b\n\t" \
                   : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [e0] "=&r"(e0), [e1] "=&r"(e1), [e2] "=&r"(e2), [e3] "=&r"(e3), [r] "+r"(r), [k0] "=&r"(k0), [k1] "=&r"(k1), \
                     [x0] "=&r"(x0), [x1] "=&r"(x1) \
                   : [k] "r"(fk) \
                   : "memory", "cc")

/* Ring mode of a 3x3 stride-2 window with dilation 1, the full int8 range and an even output width,
 * every channel group in one call: rows of NP = rowwords / 4 pairs (pair 0 holds the first padded
 * column pair), the window of output pixel ox starting in pair ox. */
static void __attribute__((noinline)) nf_dwr_ring_3_2p(const nf_ringargs *g) {
  const nacc_conv_params *p = g->p;
  int32_t *const mem = g->mem;
  const int32_t R = g->R, rowwords = g->rowwords;
  int32_t *const fk = mem + R * rowwords;
  const int32_t C = p->in_c, in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w, pt = p->pad_top, pl = p->pad_left;
  const int32_t inplace = g->input == g->output, odd = pl & 1;
  nf_rqc rq[4];
  int32_t b2[4];
  for (int32_t c = 0; c < C; c += 4) {
    nf_dwr_group(p, g->filter, g->bias, c, fk, 7, 0, rq, b2);
    /* per tap (k0 k2) (k1 k3) into a pair per channel, (taps 0, 1) or (taps 1, 2), and the third tap's
     * pairs of channels (0, 1) and (2, 3) */
    for (int32_t fy = 0; fy < 3; fy++) {
      uint32_t *d = (uint32_t *)(void *)(fk + 7 * fy);
      const uint32_t t0a = d[0], t0b = d[1], t1a = d[2], t1b = d[3], t2a = d[4], t2b = d[5];
      const uint32_t pa = odd ? t1a : t0a, pb = odd ? t1b : t0b, qa = odd ? t2a : t1a, qb = odd ? t2b : t1b;
      const uint32_t sa = odd ? t0a : t2a, sb = odd ? t0b : t2b;
      d[0] = (pa & 0xffffu) | (qa << 16);
      d[1] = (pb & 0xffffu) | (qb << 16);
      d[2] = (pa >> 16) | (qa & 0xffff0000u);
      d[3] = (pb >> 16) | (qb & 0xffff0000u);
      d[4] = (sa & 0xffffu) | (sb << 16);
      d[5] = (sa >> 16) | (sb & 0xffff0000u);
    }
    int32_t next = -pt, next_slot = 0, lo_slot = 0;
    int8_t *o = g->output + c;
    for (int32_t oy = 0; oy < out_h; oy++, o += out_w * C) {
      const int32_t lo = 2 * oy - pt;
      int32_t hi = lo + 2;
      if (inplace) {
        const int32_t clob = ((oy + 1) * out_w - 1) / in_w;
        if (clob > hi) hi = clob;
      }
      if (next < lo) {
        next_slot = (next_slot + (lo - next)) % R;
        next = lo;
      }
      for (; next <= hi; next++) {
        nf_dwp_fill(mem + next_slot * rowwords, rowwords, pl, next, g->input, in_h, in_w, C, c, g->padw);
        if (++next_slot == R) next_slot = 0;
      }
      int32_t s1 = lo_slot + 1;
      if (s1 == R) s1 = 0;
      int32_t s2 = s1 + 1;
      if (s2 == R) s2 = 0;
      const int32_t *r = mem + lo_slot * rowwords;
      fk[6] = 4 * (s1 - lo_slot) * rowwords;
      fk[13] = 4 * (s2 - s1) * rowwords;
      fk[20] = 4 * (lo_slot - s2) * rowwords + 32; /* back to the first row, one pair of pixels on */
      fk[45] = (int32_t)(intptr_t)o;
      fk[46] = C;
      fk[47] = (int32_t)(intptr_t)(o + out_w * C);
      lo_slot += 2;
      while (lo_slot >= R) lo_slot -= R;
      int32_t a0, a1, a2, a3, e0, e1, e2, e3, k0, k1, x0, x1;
      if (odd) NF_DWP2_LOOP(NF_DWP2_ODD);
      else NF_DWP2_LOOP(NF_DWP2_EVEN);
    }
  }
}
#endif

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
  int32_t rowwords = 2 * wp;
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
#if defined(__ARM_FEATURE_DSP)
  /* 3x3 stride 2 in ring mode, full range, even output width: the column-pair ring (nf_dwr_ring_3_2p),
   * rows of whole pairs (the output pairs' last window pair included) and three more words */
  int32_t pairs32 = !whole && dw == 1 && dh == 1 && kh == 3 && kw == 3 && sh == 2 && sw == 2 && p->act_min == -128 && p->act_max == 127 && !post && (out_w & 1) == 0;
  if (pairs32) {
    const int32_t np = out_w + 1 > (pl + 1) / 2 + (in_w + 1) / 2 ? out_w + 1 : (pl + 1) / 2 + (in_w + 1) / 2;
    const int32_t need = (R * 4 * np + rowk * kh + 28) * 4;
    if ((scratch && need <= in_h * in_w && ((uintptr_t)scratch & 7) == 0) || need <= NF_RING_STACK) rowwords = 4 * np;
    else pairs32 = 0;
  }
#else
  const int32_t pairs32 = 0;
#endif
  const int32_t words = R * rowwords + rowk * kh + 24 + 4 * pairs32; /* + the doubled biases of the group, twice, and its output constants */
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
#if defined(__ARM_FEATURE_DSP)
    if (pairs32) {
      nf_dwr_ring_3_2p(&g);
      return 1;
    }
#endif
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

