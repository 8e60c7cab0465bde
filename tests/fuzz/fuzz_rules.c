/* fuzz_rules.c — libFuzzer target: bytes as a rule file, through the
 * whole front end (UTF-8 check, scanner, parser, checker, lints), then
 * the compiler and the rules' inline tests when the file has no errors.
 * Diagnostics are rendered (caret lines, display widths) and dropped.
 * Every input is also formatted (`kenko fmt`): a file that formats must
 * format again to the same bytes (the formatter itself checks that its
 * tokens and comments are kept).
 *
 * Build and run: `make fuzz` (see the Makefile). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h" /* program_load */
#include "front/program.h"
#include "engine/eval.h"
#include "run/run.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* Touches every rendered diagnostic so a bad string is noticed. */
static void drop_diag(void *ud, const kenko_diag *d) {
  size_t *total = ud;
  *total += strlen(d->rendered) + strlen(d->message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  devnull = fopen("/dev/null", "w");
  return 0;
}

/* fmt(fmt(x)) == fmt(x) whenever x formats. */
static void check_fmt(const uint8_t *data, size_t size) {
  char *once = NULL, *twice = NULL;
  size_t n1 = 0, n2 = 0;
  if (kenko_fmt("fuzz.kenko", (const char *)data, size, NULL, &once, &n1) != KENKO_OK) return;
  if (kenko_fmt("fuzz.kenko", once, n1, NULL, &twice, &n2) != KENKO_OK || n1 != n2 ||
      memcmp(once, twice, n1) != 0)
    abort();
  free(once);
  free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_fmt(data, size);
  size_t rendered = 0;
  Diag diag;
  diag_init(&diag, NULL, drop_diag, &rendered);
  int errors = 0;
  /* The name lives in a directory that does not exist, so a relative
   * `include` finds nothing. */
  Program *p = program_load("/nonexistent/fuzz.kenko", (const char *)data, size, &diag, &errors);
  diag_finish(&diag);
  CProgram *cp = errors == 0 ? compile_program(p, &diag) : NULL;
  if (cp) {
    eval_free(eval_new(cp));
    int passed = 0;
    test_program(cp, devnull, false, &passed);
  }
  compile_free(cp);
  program_free(p);
  return 0;
}
