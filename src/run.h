/* run.h — the scoring run (run.c) and the inline tests (testrun.c) over a
 * checked Program; api.c exposes them as kenko_run and kenko_test. */
#ifndef KENKO_RUN_H
#define KENKO_RUN_H

#include <stdio.h>

#include "kenko.h"
#include "check.h"

int run_program(const Program *p, const char *const *data, int ndata, const kenko_run_opts *opts, FILE *out,
                kenko_run_stats *stats);
/* Returns the number of failed tests; *passed gets the passed ones. */
int test_program(const Program *p, FILE *out, bool color, int *passed);

#endif
