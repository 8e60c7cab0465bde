/* portfolio.h — what every command over the whole portfolio (report,
 * validate, diff) does first and how it scores: the run's diagnostics and
 * as-of date set up once, and every account of the data handed to one
 * function (no `--account`: a portfolio counts every account). */
#ifndef KENKO_PORTFOLIO_H
#define KENKO_PORTFOLIO_H

#include <stdbool.h>
#include <stdint.h>

#include "kenko.h"
#include "engine/compile.h"
#include "engine/kpi.h"
#include "run/run.h"
#include "front/diag.h"
#include "front/program.h"

typedef struct PortfolioRun {
  const Program *p;
  kenko_run_opts run; /* the command's run options, with no --account */
  Diag diag;          /* P's sources, reported as the options say */
  int32_t as_of;      /* --as-of, or today */
  /* How portfolio_score hands the accounts over (ScoreSink, run.h): the
   * function reads nothing but the Account and the Result; with KPIS,
   * ACCOUNT_KPIS gets each account instead, with the values of their
   * nodes. Zero by portfolio_begin. */
  bool result_only;
  /* the inputs FN reads (ScoreSink.inputs_declared), when declared */
  bool inputs_declared;
  const int32_t *reads;
  int32_t nreads;
  const KpiRun *kpis;
  void (*account_kpis)(void *ud, const Account *a, const Result *r, const Value *values);
} PortfolioRun;

/* Sets PR up for CP's program and the run options OPTS (run_begin: STATS
 * zeroed). False after reporting a malformed --as-of: a usage error. */
bool portfolio_begin(PortfolioRun *pr, const CProgram *cp, const kenko_run_opts *opts,
                     kenko_run_stats *stats);

/* Scores every account of DATA under P with EV (score_accounts, as of
 * PR's date, with PR's run options) and hands each one to FN with UD;
 * reports through DIAG. Returns score_accounts's status. */
int portfolio_score(const PortfolioRun *pr, const Program *p, Evaluator *ev, const char *const *data,
                    int ndata, Diag *diag, void (*fn)(void *ud, const Account *a, const Result *r), void *ud,
                    kenko_run_stats *stats);

#endif
