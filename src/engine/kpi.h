/* kpi.h — KPIs (LANGUAGE.md §10) computed while the accounts stream past.
 *
 * Each aggregate keeps a count, a sum, a minimum and a maximum; `median`
 * is the one that keeps values: every non-missing value, 8 bytes an
 * account, its middle ones selected once at the end (quickselect, linear
 * time). docs/language.md says so. */
#ifndef KENKO_KPI_H
#define KENKO_KPI_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "front/program.h"
#include "engine/eval.h"

typedef struct KpiAcc {
  uint64_t n; /* accounts where the condition held (count, share), or
                 values aggregated (sum … median) */
  double sum, min, max;
  double *vals; /* median only: the values, malloc'ed */
  size_t nvals, cap;
  double median; /* median only: once the values are all in (done) */
} KpiAcc;

typedef struct KpiRun {
  const Program *p;
  Evaluator *ev;
  Arena arena;         /* the compiled expressions */
  const CExpr **exprs; /* [nkpi_aggs] or NULL */
  const CExpr **conds; /* [nkpi_aggs] or NULL */
  KpiAcc *acc;         /* [nkpi_aggs] */
  /* [2 × nkpi_aggs]: each aggregate's condition and value expression, NULL
   * where it has none (count and share read no value), to be evaluated in
   * each account's context elsewhere (ScoreSink.exprs, run.h) */
  const Node **nodes;
  uint64_t accounts; /* accounts seen */
  bool done;         /* medians computed */
} KpiRun;

/* KPIs of P, evaluated with EV (the evaluator that scores the accounts). */
void kpi_init(KpiRun *k, const Program *p, Evaluator *ev);
void kpi_free(KpiRun *k);
/* Starts over with no account (the next snapshot of a history); the
 * compiled expressions and the medians' buffers are kept. */
void kpi_reset(KpiRun *k);
/* Adds the account EV has just scored. */
void kpi_account(KpiRun *k);
/* Adds an account whose k->nodes, evaluated in its context, gave VALUES
 * (the same order; a missing value where a node is NULL). */
void kpi_account_values(KpiRun *k, const Value *values);
/* KPI I's value; NAN when missing (nothing to aggregate, division by
 * zero). */
double kpi_value(KpiRun *k, int32_t i);
/* 1: the target is met, 0: not met, -1: no target or a missing value. */
int kpi_met(KpiRun *k, int32_t i);
/* The comparison of KPI I's target as written (">=", …), or NULL. */
const char *kpi_target_op(const Program *p, int32_t i);
/* The sizes of the buffers kpi_text and kpi_target_text write. */
enum { KPI_TEXT_SIZE = 96, KPI_TARGET_SIZE = 112 };

/* X, a value of KPI I, for people: at most two decimals, the thousands
 * grouped ("30,360,000"), or as a percent ("62.5%") when the KPI is a
 * share or its target is written as a percent; "missing" for NAN.
 * Returns BUF (KPI_TEXT_SIZE bytes). */
const char *kpi_text(const Program *p, int32_t i, double x, char *buf);
/* X with at most two decimals and its thousands grouped ("-7,440,000");
 * BUF holds KPI_TEXT_SIZE bytes. */
const char *kpi_grouped(double x, char *buf);
/* KPI I's target for people (">= 60%"), or NULL without one.
 * BUF holds KPI_TARGET_SIZE bytes. */
const char *kpi_target_text(const Program *p, int32_t i, char *buf);

#endif
