/* fuzz_data.h — shared by the data-reader fuzz targets (fuzz_yaml.c,
 * fuzz_csv.c, fuzz_jsonl.c, fuzz_json.c): the reference scorecard is loaded once, each input is
 * written to a memory file and scored by run_program, exactly as `kenko
 * run` would, in one of the three output formats (chosen by the input's
 * length, so each input always takes the same path). */
#ifndef KENKO_FUZZ_DATA_H
#define KENKO_FUZZ_DATA_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check/check.h" /* program_load */
#include "front/program.h"
#include "run/run.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct FuzzData {
  Program *program;
  CProgram *rules; /* compiled, as kenko_load does */
  FILE *devnull;
  int fd;        /* memfd holding the current input */
  char path[64]; /* /proc/self/fd/N */
} FuzzData;

static FuzzData fuzz;

static void fuzz_drop_diag(void *ud, const kenko_diag *d) {
  size_t *total = ud;
  *total += strlen(d->rendered);
}

/* Loads the reference scorecard (KENKO_FUZZ_RULES, or rules/aiueo.kenko
 * from the working directory). */
static void fuzz_data_init(void) {
  const char *path = getenv("KENKO_FUZZ_RULES");
  if (!path) path = "rules/aiueo.kenko";
  Diag diag;
  diag_init(&diag, NULL, NULL, NULL);
  int errors = 0;
  fuzz.program = program_load(path, NULL, 0, &diag, &errors);
  fuzz.rules = errors ? NULL : compile_program(fuzz.program, &diag);
  if (!fuzz.rules) {
    fprintf(stderr, "fuzz: %s: %d errors (run from the repository root)\n", path, errors);
    exit(1);
  }
  fuzz.devnull = fopen("/dev/null", "w");
  fuzz.fd = memfd_create("kenko-fuzz", 0);
  if (fuzz.fd < 0 || !fuzz.devnull) {
    perror("fuzz");
    exit(1);
  }
  snprintf(fuzz.path, sizeof fuzz.path, "/proc/self/fd/%d", fuzz.fd);
}

/* Scores DATA read as FORMAT ("csv", "yaml", "jsonl" or "json"). */
static void fuzz_data_run(const uint8_t *data, size_t size, const char *format) {
  if (ftruncate(fuzz.fd, 0) != 0 || pwrite(fuzz.fd, data, size, 0) != (ssize_t)size) abort();
  size_t rendered = 0;
  kenko_run_opts opts;
  memset(&opts, 0, sizeof opts);
  static const kenko_format formats[] = {KENKO_FORMAT_JSONL, KENKO_FORMAT_CSV, KENKO_FORMAT_TEXT};
  opts.format = formats[size % 3];
  opts.explain = size % 2 == 0;
  opts.what_if = opts.format == KENKO_FORMAT_TEXT;
  opts.as_of = "2026-11-22";
  opts.input_format = format;
  opts.diag = fuzz_drop_diag;
  opts.diag_ud = &rendered;
  const char *files[] = {fuzz.path};
  kenko_run_stats stats;
  run_program(fuzz.rules, files, 1, &opts, fuzz.devnull, &stats);
  if (stats.accounts != stats.scored + stats.rejected) abort(); /* nothing lost */
}

#endif
