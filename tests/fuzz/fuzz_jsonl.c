/* fuzz_jsonl.c — libFuzzer target: bytes as JSON Lines account data (one
 * account per line, read with jansson), read and scored against
 * rules/aiueo.kenko (see fuzz_data.h). */
#include "fuzz_data.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_data_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_data_run(data, size, "jsonl");
  return 0;
}
