/* portfolio.c — the start and the scoring pass the portfolio commands
 * share (portfolio.h). */
#include "portfolio/portfolio.h"

#include <string.h>

bool portfolio_begin(PortfolioRun *pr, const CProgram *cp, const kenko_run_opts *opts,
                     kenko_run_stats *stats) {
  *pr = (PortfolioRun){.p = cp->prog, .run = *opts};
  pr->run.account = NULL;
  return run_begin(pr->p, opts, stats, &pr->diag, &pr->as_of);
}

int portfolio_score(const PortfolioRun *pr, const Program *p, Evaluator *ev, const char *const *data,
                    int ndata, Diag *diag, void (*fn)(void *ud, const Account *a, const Result *r), void *ud,
                    kenko_run_stats *stats) {
  ScoreSink sink;
  memset(&sink, 0, sizeof sink);
  sink.account = fn;
  sink.ud = ud;
  sink.result_only = pr->result_only;
  sink.inputs_declared = pr->inputs_declared;
  sink.reads = pr->reads;
  sink.nreads = pr->nreads;
  if (pr->kpis) {
    sink.exprs = pr->kpis->nodes;
    sink.nexprs = 2 * p->nkpi_aggs;
    sink.account_values = pr->account_kpis;
  }
  return score_accounts(p, ev, pr->as_of, data, ndata, &pr->run, diag, &sink, stats);
}
