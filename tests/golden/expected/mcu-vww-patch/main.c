/* Entry point of the generated program for model vww_patch: read the input tensor(s), run one
 * inference, write the output tensor(s) one after another in the model's output order.
 * Usage (host): ./model input.bin output.bin; on the board the names default to those. */
#include <stdint.h>
#include "model.h"
#include "nacc_io.h"

#ifdef NACC_DEBUG_DUMP
static int dump_handle = -1;
void nacc_dump(int32_t op, const void *data, int32_t bytes) {
  const int32_t header[2] = {op, bytes};
  if (dump_handle < 0) return;
  nacc_io_write(dump_handle, header, sizeof header);
  nacc_io_write(dump_handle, data, (uint32_t)bytes);
}
#endif

#ifdef NACC_INPUT_STREAMED
/* This harness's input source for a streamed (patch-based) program: the input file, read
 * region by region as nacc_run asks for it (model.h documents the callback). */
static int input_handle = -1;
int nacc_read_input(int32_t x, int32_t y, int32_t w, int32_t h, void *buf) {
  const uint32_t pixel = (uint32_t)NACC_INPUT_PIXEL_BYTES;
  if (input_handle < 0 || x < 0 || y < 0 || w < 0 || h < 0 || x + w > NACC_INPUT_W || y + h > NACC_INPUT_H) return -1;
  for (int32_t r = 0; r < h; r++) {
    const uint32_t at = ((uint32_t)(y + r) * (uint32_t)NACC_INPUT_W + (uint32_t)x) * pixel;
    if (nacc_io_read_at(input_handle, at, (uint8_t *)buf + (uint32_t)r * (uint32_t)w * pixel, (uint32_t)w * pixel) != 0) return -1;
  }
  return 0;
}
void nacc_input_failed(void) {
  nacc_io_print("nacc: cannot read an input patch from the input file\n");
  nacc_exit(2);
}
#endif

static void print_u32(const char *label, uint32_t v) {
  char buf[48];
  int n = 0;
  char digits[12];
  int d = 0;
  while (label[n] && n < 32) {
    buf[n] = label[n];
    n++;
  }
  do {
    digits[d++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v && d < 11);
  while (d) buf[n++] = digits[--d];
  buf[n++] = '\n';
  buf[n] = 0;
  nacc_io_print(buf);
}

int main(int argc, char **argv) {
  const char *in_path = argc > 1 ? argv[1] : "input.bin";
  const char *out_path = argc > 2 ? argv[2] : "output.bin";
#ifdef NACC_INPUT_STREAMED
  input_handle = nacc_io_open_read(in_path, (uint32_t)NACC_INPUT_BYTES);
  if (input_handle < 0) {
#else
  if (nacc_io_read(in_path, nacc_input(0), (uint32_t)nacc_input_bytes(0)) != 0) {
#endif
    nacc_io_print("nacc: cannot read the input file (missing, or not exactly the input tensor's size)\n");
    nacc_exit(2);
  }
#ifdef NACC_DEBUG_DUMP
  dump_handle = nacc_io_open_write(argc > 3 ? argv[3] : "ops.bin");
#endif
  nacc_timer_start();
  nacc_run();
  const uint32_t ticks = nacc_timer_ticks();
#ifdef NACC_DEBUG_DUMP
  nacc_io_close(dump_handle);
#endif
  const int h = nacc_io_open_write(out_path);
  if (h < 0) {
    nacc_io_print("nacc: cannot write the output file\n");
    nacc_exit(2);
  }
  for (int32_t i = 0; i < NACC_NUM_OUTPUTS; i++) nacc_io_write(h, nacc_output(i), (uint32_t)nacc_output_bytes(i));
  nacc_io_close(h);
  print_u32("NACC_TICKS ", ticks);
  print_u32("NACC_STACK ", nacc_stack_used());
  nacc_exit(0);
  return 0;
}
