/* fuzz_csv.c — libFuzzer target: bytes as CSV account data, read and
 * scored against rules/aiueo.kenko (see fuzz_data.h). */
#include "fuzz_data.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_data_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_data_run(data, size, "csv");
  return 0;
}
