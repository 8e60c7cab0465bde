/* run.h — the scoring run (run.c) and the inline tests (testrun.c) over a
 * checked Program; api.c exposes them as kenko_run and kenko_test. */
#ifndef KENKO_RUN_H
#define KENKO_RUN_H

#include <stdio.h>

#include "kenko.h"
#include "front/program.h"
#include "engine/eval.h"
#include "engine/run_jobs.h"
#include "io/reader.h"
#include "base/buf.h"
#include "engine/result.h"

/* Where scored accounts go: a writer, or a portfolio aggregate.
 *
 * History (LANGUAGE.md §6). The data is read as snapshots when the rules
 * declare a `snapshot` input (a long table: each record dated by it),
 * when they use a trend function, or when the sink sets all_snapshots;
 * without a snapshot input each data file is then one snapshot, dated by
 * the first YYYY-MM-DD in its base name (a file without one is a usage
 * error), and the files are read in date order (stable for equal dates).
 * Records must come in non-decreasing snapshot order (one dated before an
 * earlier record is rejected, located); a key appears once per snapshot.
 * Every record is scored with as_of = its snapshot's date (Result.as_of),
 * the trend functions reading the same account's earlier snapshots.
 *
 *   all_snapshots = false (run, explain, report, validate, diff): ONE
 *     snapshot goes to `account`: the latest, or with --as-of D the
 *     latest dated on or before D. Earlier snapshots only feed the trend
 *     functions; later ones are not read. stats->snapshot says which one,
 *     stats->earlier_only counts the accounts seen only before it.
 *   all_snapshots = true (history, effect, validate --horizon): every
 *     snapshot goes to `account`, in snapshot order then input order
 *     (needs a key input: a usage error without one). --as-of is ignored.
 *
 * In both, snapshot_begin(ud, date) comes before a snapshot's first
 * account and snapshot_done(ud, date, stats) after its last, for every
 * snapshot handed over (also one whose records were all rejected); the
 * stats are that snapshot's own: accounts = scored + rejected. A record
 * the reader rejects (bad data) has no trustworthy date: it counts in the
 * snapshot being read. Data that is not history calls neither. */
typedef struct ScoreSink {
  bool explain;       /* evaluate with the details an explanation reads
                         (EVAL_DETAILS; explain.h) */
  bool scores_only;   /* reads no coverage, effective weights or lost
                         points (EVAL_SCORES): the CSV writer */
  bool all_snapshots; /* history: score and hand over every snapshot */
  bool result_only;   /* `account` reads the Account and the Result, not
                         the evaluator (as explanations and KPIs do): with
                         --jobs, accounts may be scored on other threads */
  void (*account)(void *ud, const Account *a, const Result *r);
  /* Expressions evaluated in each account's context once it is scored
   * (KPIs' conditions and values: KpiRun.nodes), NEXPRS of them (NULL
   * ones give missing): when set, account_values is called instead of
   * account with their values, numbers, booleans and dates (a text value
   * comes as missing). With --jobs they are evaluated where the account
   * is scored, so a sink with them can still be result_only. */
  const Node *const *exprs;
  int32_t nexprs;
  void (*account_values)(void *ud, const Account *a, const Result *r, const Value *values);
  /* A result_only sink that reads no input of an account but the NREADS
   * inputs READS (their indices; Account.values holds missing in the
   * others' places) besides its id, name, file, line and ordinal sets
   * INPUTS_DECLARED: with --jobs, each account's values then stay on the
   * reading thread, which packs the Result with just these inputs. */
  bool inputs_declared;
  const int32_t *reads;
  int32_t nreads;
  /* A result_only sink without exprs that only turns each account into
   * text may set these: with --jobs, over data that is not history, the
   * text is then made where the account is scored (text->write, on a
   * thread of its own), and `written` gets it in `account`'s stead, in the
   * file's order, once the key is found not to be a duplicate. TEXT
   * stays valid until written_end, which comes after each batch of
   * accounts from a reading thread (texts given before it may be kept,
   * not read, until then: they follow each other in a batch). */
  const JobText *text;
  void (*written)(void *ud, const Account *a, const char *text, size_t n);
  void (*written_end)(void *ud);                  /* (with written) */
  void (*file_done)(void *ud);                    /* after each data file (may be NULL) */
  void (*snapshot_begin)(void *ud, int32_t date); /* may be NULL */
  void (*snapshot_done)(void *ud, int32_t date, const kenko_run_stats *snap); /* may be NULL */
  void *ud;
  FILE *out; /* the stream written while scoring, or NULL: once writing
                to it failed, the run stops (nothing more can be shown) */
} ScoreSink;

/* Reads every data file in order, rejects duplicate keys, scores each
 * account with EV as of AS_OF and hands it to SINK. Returns KENKO_OK,
 * KENKO_ERR_DATA or KENKO_ERR_USAGE; STATS add up: accounts = scored +
 * rejected. */
int score_accounts(const Program *p, Evaluator *ev, int32_t as_of, const char *const *data, int ndata,
                   const kenko_run_opts *opts, Diag *diag, const ScoreSink *sink, kenko_run_stats *stats);
/* The date a run's output carries: over history the snapshot scored
 * (stats->snapshot), else AS_OF. */
static inline int32_t run_output_date(const kenko_run_stats *stats, int32_t as_of) {
  return stats->snapshots > 0 ? (int32_t)stats->snapshot : as_of;
}
/* `--as-of`: opts->as_of as YYYY-MM-DD, or today (local date) when it is
 * NULL; false after reporting a malformed date. */
/* How the data options of OPTS read the files (the --na list split into
 * ARENA). */
void run_read_opts(const kenko_run_opts *opts, ReadOpts *ro, Arena *arena);
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

/* Is the CSV meant for a spreadsheet? Then its cells are made formula-safe
 * (WriteCtx.excel_safe; `run` and `history`). One place decides: the
 * output options made for spreadsheets (issue 12's --bom and
 * --output-encoding) turn it on here too when they come. */
bool run_csv_for_spreadsheet(const kenko_run_opts *opts);

int run_program(const CProgram *cp, const char *const *data, int ndata, const kenko_run_opts *opts, FILE *out,
                kenko_run_stats *stats);
/* Returns the number of failed tests; *passed gets the passed ones. */
int test_program(const CProgram *cp, FILE *out, bool color, int *passed);
/* Runs each inline test and calls FN with its index, whether it passed,
 * and its report (the PASS/FAIL line and the failing expectations, as
 * `kenko test` prints them; valid during the call). */
typedef void (*TestResultFn)(void *ud, int32_t test, bool ok, const char *report, size_t len);
void test_each(const CProgram *cp, bool color, TestResultFn fn, void *ud);

#endif
