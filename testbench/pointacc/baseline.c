/* nacc PointAcc CPU baseline: the mapping ops and layers of a point-cloud network in plain C99,
 * compiled with -O3 and timed on the host. Reads a plan (one layer per line) and a binary file
 * of int32 data (index streams, coordinates) the plan points into; prints one line per layer:
 * `layer NAME ms`, then `total ms`. Fixed source (not generated); nacc writes the plan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int32_t *blob;
static long blob_len;
static int8_t *arena_a, *arena_b, *weights;
static int32_t *acc;
static float *pts, *dist;
static volatile int64_t sink;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static uint32_t lcg = 12345u;
static uint32_t rnd(void) { lcg = lcg * 1664525u + 1013904223u; return lcg >> 8; }

static void fill_points(long n, int dims) {
  for (long i = 0; i < n * dims; i++) pts[i] = (float)(rnd() % 20000) / 10000.0f - 1.0f;
}

static void fill_bytes(int8_t *p, long n) {
  for (long i = 0; i < n; i++) p[i] = (int8_t)(rnd() & 0x7f) - 64;
}

static void op_fps(long n, long m) {
  fill_points(n, 3);
  for (long i = 0; i < n; i++) dist[i] = 1e30f;
  long last = 0;
  for (long it = 1; it < m; it++) {
    float best = -1.0f;
    long besti = 0;
    const float lx = pts[3 * last], ly = pts[3 * last + 1], lz = pts[3 * last + 2];
    for (long i = 0; i < n; i++) {
      float dx = pts[3 * i] - lx, dy = pts[3 * i + 1] - ly, dz = pts[3 * i + 2] - lz;
      float d = dx * dx + dy * dy + dz * dz;
      if (d < dist[i]) dist[i] = d;
      if (dist[i] > best) { best = dist[i]; besti = i; }
    }
    last = besti;
  }
  sink += last;
}

/* k nearest (by squared distance, then index) of the first m points among n, dims-dimensional. */
static void op_knn(long n, long m, long k, int dims) {
  fill_points(n, dims);
  float *bd = (float *)malloc(sizeof(float) * (size_t)k);
  long *bi = (long *)malloc(sizeof(long) * (size_t)k);
  for (long c = 0; c < m; c++) {
    long cnt = 0;
    for (long i = 0; i < n; i++) {
      float d = 0.0f;
      for (int a = 0; a < dims; a++) { float t = pts[i * dims + a] - pts[c * dims + a]; d += t * t; }
      if (cnt == k && d >= bd[k - 1]) continue;
      long j = cnt < k ? cnt++ : k - 1;
      while (j > 0 && bd[j - 1] > d) { bd[j] = bd[j - 1]; bi[j] = bi[j - 1]; j--; }
      bd[j] = d; bi[j] = i;
    }
    sink += bi[0];
  }
  free(bd);
  free(bi);
}

static void op_ball(long n, long m, long k, float r2) {
  fill_points(n, 3);
  for (long c = 0; c < m; c++) {
    long cnt = 0, first = 0;
    for (long i = 0; i < n && cnt < k; i++) {
      float dx = pts[3 * i] - pts[3 * c], dy = pts[3 * i + 1] - pts[3 * c + 1], dz = pts[3 * i + 2] - pts[3 * c + 2];
      if (dx * dx + dy * dy + dz * dz < r2) { if (cnt == 0) first = i; cnt++; }
    }
    sink += cnt + first;
  }
}

static void op_gather(long rows, long row_bytes, long src_rows, long off) {
  fill_bytes(arena_a, src_rows * row_bytes);
  for (long r = 0; r < rows; r++) {
    long i = off >= 0 ? blob[off + r] : r;
    memcpy(arena_b + r * row_bytes, arena_a + i * row_bytes, (size_t)row_bytes);
  }
  sink += arena_b[rows * row_bytes - 1];
}

static int8_t requant(int32_t v) {
  v = (v + (1 << 9)) >> 10;
  return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
}

static void op_mlp(long rows, long cin, long cout) {
  fill_bytes(arena_a, rows * cin);
  fill_bytes(weights, cin * cout);
  for (long r = 0; r < rows; r++) {
    const int8_t *x = arena_a + r * cin;
    for (long o = 0; o < cout; o++) {
      const int8_t *w = weights + o * cin;
      int32_t s = 0;
      for (long c = 0; c < cin; c++) s += (int32_t)x[c] * (int32_t)w[c];
      arena_b[r * cout + o] = requant(s);
    }
  }
  sink += arena_b[0];
}

static void op_reduce(long rows, long groups, long c) {
  fill_bytes(arena_a, rows * c);
  long per = rows / groups;
  for (long g = 0; g < groups; g++) {
    for (long ch = 0; ch < c; ch++) {
      int8_t m = -128;
      for (long r = 0; r < per; r++) { int8_t v = arena_a[(g * per + r) * c + ch]; if (v > m) m = v; }
      arena_b[g * c + ch] = m;
    }
  }
  sink += arena_b[0];
}

/* Kernel map by open-addressing hash: coordinates of nin inputs at blob[cin_off], nout outputs at blob[cout_off]. */
static void op_kmap(long nin, long nout, long k, long stride, long cin_off, long cout_off) {
  long cap = 1;
  int bits = 0;
  while (cap < 2 * nin) { cap <<= 1; bits++; }
  if (bits == 0) bits = 1, cap = 2;
  int64_t *keys = (int64_t *)malloc(sizeof(int64_t) * (size_t)cap);
  int32_t *vals = (int32_t *)malloc(sizeof(int32_t) * (size_t)cap);
  for (long i = 0; i < cap; i++) keys[i] = INT64_MIN;
#define KEY(x, y, z) ((((int64_t)(x) + 65536) * 131072 + ((int64_t)(y) + 65536)) * 131072 + ((int64_t)(z) + 65536))
  for (long i = 0; i < nin; i++) {
    int64_t key = KEY(blob[cin_off + 3 * i], blob[cin_off + 3 * i + 1], blob[cin_off + 3 * i + 2]);
    uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - bits); /* Fibonacci hashing: high bits */
    while (keys[h] != INT64_MIN && keys[h] != key) h = (h + 1) & (uint64_t)(cap - 1);
    if (keys[h] == INT64_MIN) { keys[h] = key; vals[h] = (int32_t)i; }
  }
  long lo = k % 2 ? -(k / 2) : 0, pairs = 0;
  for (long dz = lo; dz < lo + k; dz++)
    for (long dy = lo; dy < lo + k; dy++)
      for (long dx = lo; dx < lo + k; dx++)
        for (long o = 0; o < nout; o++) {
          int64_t key = KEY(blob[cout_off + 3 * o] + dx * stride, blob[cout_off + 3 * o + 1] + dy * stride, blob[cout_off + 3 * o + 2] + dz * stride);
          uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - bits); /* Fibonacci hashing: high bits */
          while (keys[h] != INT64_MIN && keys[h] != key) h = (h + 1) & (uint64_t)(cap - 1);
          if (keys[h] == key) { pairs++; sink += vals[h]; }
        }
  sink += pairs;
  free(keys);
  free(vals);
}

/* Sparse conv: per pair, gather the input row, multiply by the offset's weights, accumulate into the output row. */
static void op_spconv(long npairs, long cin, long cout, long nin, long nout, long pairs_off) {
  fill_bytes(arena_a, nin * cin);
  fill_bytes(weights, cin * cout);
  memset(acc, 0, sizeof(int32_t) * (size_t)(nout * cout));
  for (long p = 0; p < npairs; p++) {
    const int8_t *x = arena_a + (long)blob[pairs_off + 2 * p] * cin;
    int32_t *y = acc + (long)blob[pairs_off + 2 * p + 1] * cout;
    for (long o = 0; o < cout; o++) {
      const int8_t *w = weights + o * cin;
      int32_t s = 0;
      for (long c = 0; c < cin; c++) s += (int32_t)x[c] * (int32_t)w[c];
      y[o] += s;
    }
  }
  for (long i = 0; i < nout * cout; i++) arena_b[i] = requant(acc[i]);
  sink += arena_b[0];
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: baseline PLAN BLOB MAXBYTES\n"); return 2; }
  FILE *bf = fopen(argv[2], "rb");
  if (!bf) { fprintf(stderr, "cannot open %s\n", argv[2]); return 2; }
  fseek(bf, 0, SEEK_END);
  blob_len = ftell(bf) / 4;
  fseek(bf, 0, SEEK_SET);
  blob = (int32_t *)malloc(sizeof(int32_t) * (size_t)(blob_len + 1));
  if (fread(blob, 4, (size_t)blob_len, bf) != (size_t)blob_len) { fprintf(stderr, "short read\n"); return 2; }
  fclose(bf);
  long maxb = atol(argv[3]);
  arena_a = (int8_t *)malloc((size_t)maxb);
  arena_b = (int8_t *)malloc((size_t)maxb);
  weights = (int8_t *)malloc((size_t)maxb);
  acc = (int32_t *)malloc(sizeof(int32_t) * (size_t)maxb);
  pts = (float *)malloc(sizeof(float) * (size_t)maxb);
  dist = (float *)malloc(sizeof(float) * (size_t)maxb);
  FILE *pf = fopen(argv[1], "r");
  if (!pf) { fprintf(stderr, "cannot open %s\n", argv[1]); return 2; }
  char name[128], op[32];
  long a, b, c, d, e, f;
  double total = 0.0;
  while (fscanf(pf, "%127s %31s %ld %ld %ld %ld %ld %ld", name, op, &a, &b, &c, &d, &e, &f) == 8) {
    double t0 = now_ms();
    if (!strcmp(op, "fps")) op_fps(a, b);
    else if (!strcmp(op, "knn")) op_knn(a, b, c, (int)d);
    else if (!strcmp(op, "ball")) op_ball(a, b, c, (float)d / 1e6f);
    else if (!strcmp(op, "gather")) op_gather(a, b, c, d);
    else if (!strcmp(op, "mlp")) op_mlp(a, b, c);
    else if (!strcmp(op, "reduce")) op_reduce(a, b, c);
    else if (!strcmp(op, "kmap")) op_kmap(a, b, c, d, e, f);
    else if (!strcmp(op, "spconv")) op_spconv(a, b, c, d, e, f);
    double ms = now_ms() - t0;
    total += ms;
    printf("layer %s %.6f\n", name, ms);
  }
  fclose(pf);
  printf("total %.6f\n", total);
  fprintf(stderr, "checksum %lld\n", (long long)sink);
  return 0;
}
