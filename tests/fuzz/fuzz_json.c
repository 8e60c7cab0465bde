/* fuzz_json.c — libFuzzer target: bytes as one JSON document of account
 * data (a `.json` file, read with jansson: an object with `accounts`, or
 * an array of accounts), read and scored against rules/aiueo.kenko (see
 * fuzz_data.h). */
#include "fuzz_data.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_data_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_data_run(data, size, "json");
  return 0;
}
