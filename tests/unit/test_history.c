/* test_history.c — unit tests for history (LANGUAGE.md §6): the snapshot
 * a file name dates, and the scoring loop over snapshots as the `history`
 * command uses it (ScoreSink.all_snapshots, run.h): every snapshot handed
 * over in date order then input order, snapshot_begin/snapshot_done with
 * each snapshot's own figures, the Result dated by its snapshot. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h" /* program_load */
#include "front/program.h"
#include "engine/eval.h"
#include "run/run.h"
#include "engine/snapshot.h"

Test(history, date_of_path) {
  cr_assert_eq(snapshot_date_of_path("exports/accounts-2026-09-30.csv"), date_from_ymd(2026, 9, 30));
  cr_assert_eq(snapshot_date_of_path("2026-01-31.yaml"), date_from_ymd(2026, 1, 31));
  /* the first calendar date of the base name: the folder's does not count,
   * a shape that is no date is skipped */
  cr_assert_eq(snapshot_date_of_path("2025-01-01/x-2026-13-01-2026-02-28.csv"), date_from_ymd(2026, 2, 28));
  cr_assert_eq(snapshot_date_of_path("2025-12-31/accounts.csv"), SNAP_NONE);
  cr_assert_eq(snapshot_date_of_path("accounts-2026-9-30.csv"), SNAP_NONE);
}

typedef struct Seen {
  char log[2048];
} Seen;

static void add(Seen *s, const char *text) { strncat(s->log, text, sizeof s->log - strlen(s->log) - 1); }

static void on_begin(void *ud, int32_t date) {
  char day[11], line[64];
  date_format(date, day);
  snprintf(line, sizeof line, "[%s ", day);
  add(ud, line);
}

static void on_account(void *ud, const Account *a, const Result *r) {
  char day[11], line[96];
  date_format(r->as_of, day);
  snprintf(line, sizeof line, "%s@%s=%g ", a->id, day, r->health);
  add(ud, line);
}

static void on_done(void *ud, int32_t date, const kenko_run_stats *st) {
  char line[64];
  (void)date;
  snprintf(line, sizeof line, "%llu=%llu+%llu] ", st->accounts, st->scored, st->rejected);
  add(ud, line);
}

static void quiet(void *ud, const kenko_diag *d) {
  (void)ud;
  (void)d;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

static const char *rules = "input id: text key\n"
                           "input logins: number\n"
                           "dimension usage { score s : logins }\n";

/* Scores every snapshot of the data files DATA (given in this order). */
static int score_all(const char *const *data, int n, Seen *seen, kenko_run_stats *stats) {
  Diag diag;
  diag_init(&diag, NULL, quiet, NULL);
  int errors = 0;
  Program *p = program_load("h.kenko", rules, strlen(rules), &diag, &errors);
  cr_assert_eq(errors, 0);
  CProgram *cp = compile_program(p, &diag);
  cr_assert_not_null(cp);
  Evaluator *ev = eval_new(cp);
  kenko_run_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.diag = quiet;
  ScoreSink sink;
  memset(&sink, 0, sizeof sink);
  sink.all_snapshots = true;
  sink.account = on_account;
  sink.snapshot_begin = on_begin;
  sink.snapshot_done = on_done;
  sink.ud = seen;
  memset(seen, 0, sizeof *seen);
  int status = score_accounts(p, ev, 0, data, n, &opts, &diag, &sink, stats);
  eval_free(ev);
  compile_free(cp);
  program_free(p);
  return status;
}

Test(history, every_snapshot_in_date_order) {
  char dir[] = "/tmp/kenko-history-XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char f1[64], f2[64], f3[64];
  snprintf(f1, sizeof f1, "%s/acc-2026-02-28.csv", dir);
  snprintf(f2, sizeof f2, "%s/acc-2026-01-31.csv", dir);
  snprintf(f3, sizeof f3, "%s/more-2026-01-31.csv", dir);
  write_file(f1, "id,logins\nb,40\na,30\nc,x\n");
  write_file(f2, "id,logins\na,10\nb,20\n");
  write_file(f3, "id,logins\nc,5\na,11\n");
  const char *data[] = {f1, f2, f3};
  Seen seen;
  kenko_run_stats st;
  int status = score_all(data, 3, &seen, &st);
  /* January (both files, in the order given; a twice is a duplicate),
   * then February (c rejected for bad data) */
  cr_assert_str_eq(seen.log, "[2026-01-31 a@2026-01-31=10 b@2026-01-31=20 c@2026-01-31=5 4=3+1] "
                             "[2026-02-28 b@2026-02-28=40 a@2026-02-28=30 3=2+1] ");
  cr_assert_eq(status, KENKO_ERR_DATA);
  cr_assert_eq(st.scored, 5);
  cr_assert_eq(st.rejected, 2);
  cr_assert_eq(st.accounts, 7);
  cr_assert_eq(st.snapshots, 2);
  cr_assert_eq(st.snapshot, date_from_ymd(2026, 2, 28));
  unlink(f1);
  unlink(f2);
  unlink(f3);
  rmdir(dir);
}

Test(history, undated_file_is_a_usage_error) {
  const char *data[] = {"accounts.csv"};
  Seen seen;
  kenko_run_stats st;
  cr_assert_eq(score_all(data, 1, &seen, &st), KENKO_ERR_USAGE);
  cr_assert_str_eq(seen.log, "");
}
