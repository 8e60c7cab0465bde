/* run.h — the scoring run (run.c) and the inline tests (testrun.c) over a
 * checked Program; api.c exposes them as kenko_run and kenko_test. */
#ifndef KENKO_RUN_H
#define KENKO_RUN_H

#include <stdio.h>

#include "kenko.h"
#include "check/check.h"
#include "engine/eval.h"
#include "io/reader.h"
#include "base/buf.h"
#include "engine/result.h"

/* Where scored accounts go: a writer, or a portfolio aggregate. */
typedef struct ScoreSink {
  bool explain;     /* evaluate with the explanation trace */
  bool scores_only; /* reads no coverage, effective weights or lost
                       points (EVAL_SCORES): the CSV writer */
  void (*account)(void *ud, const Account *a, const Result *r);
  void (*file_done)(void *ud); /* after each data file (may be NULL) */
  void *ud;
} ScoreSink;

/* Reads every data file in order, rejects duplicate keys, scores each
 * account with EV as of AS_OF and hands it to SINK. Returns KENKO_OK,
 * KENKO_ERR_DATA or KENKO_ERR_USAGE; STATS add up: accounts = scored +
 * rejected. */
int score_accounts(const Program *p, Evaluator *ev, int32_t as_of, const char *const *data, int ndata,
                   const kenko_run_opts *opts, Diag *diag, const ScoreSink *sink, kenko_run_stats *stats);
/* `--as-of`: opts->as_of as YYYY-MM-DD, or today (local date) when it is
 * NULL; false after reporting a malformed date. */
bool run_parse_as_of(const kenko_run_opts *opts, Diag *diag, int32_t *as_of);
/* The start every command over data shares: zeroes STATS, sets up DIAG for
 * P's sources as OPTS say, and reads the as-of date. False (after
 * reporting) on a malformed date: a usage error. */
bool run_begin(const Program *p, const kenko_run_opts *opts, kenko_run_stats *stats, Diag *diag,
               int32_t *as_of);
/* Writes a document of figures dated AS_OF to OUT: AS_JSON or AS_TEXT
 * (as JSON says) over DATA, through one buffer. */
typedef void (*DatedWriter)(const void *data, Buf *b, const char *as_of);
void run_write_dated(FILE *out, int32_t as_of, bool json, DatedWriter as_json, DatedWriter as_text,
                     const void *data);

int run_program(const Program *p, const char *const *data, int ndata, const kenko_run_opts *opts, FILE *out,
                kenko_run_stats *stats);
/* Returns the number of failed tests; *passed gets the passed ones. */
int test_program(const Program *p, FILE *out, bool color, int *passed);

#endif
