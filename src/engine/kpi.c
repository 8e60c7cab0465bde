/* kpi.c — KPIs over one run's accounts (kpi.h). */
#include "engine/kpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"

void kpi_init(KpiRun *k, const Program *p, Evaluator *ev) {
  memset(k, 0, sizeof *k);
  k->p = p;
  k->ev = ev;
  int32_t n = p->nkpi_aggs;
  arena_init(&k->arena, 4096);
  k->exprs = arena_alloc(&k->arena, (size_t)(n + 1) * sizeof *k->exprs);
  k->conds = arena_alloc(&k->arena, (size_t)(n + 1) * sizeof *k->conds);
  k->acc = arena_alloc(&k->arena, (size_t)(n + 1) * sizeof *k->acc);
  k->nodes = arena_alloc(&k->arena, (size_t)(2 * n + 1) * sizeof *k->nodes);
  for (int32_t i = 0; i < n; i++) {
    const KpiAgg *g = &p->kpi_aggs[i];
    k->nodes[2 * i] = g->cond;
    k->nodes[2 * i + 1] = g->fn == KPI_COUNT || g->fn == KPI_SHARE ? NULL : g->expr;
    k->exprs[i] = g->expr ? eval_compile(ev, &k->arena, g->expr) : NULL;
    k->conds[i] = g->cond ? eval_compile(ev, &k->arena, g->cond) : NULL;
    memset(&k->acc[i], 0, sizeof k->acc[i]);
  }
}

void kpi_free(KpiRun *k) {
  for (int32_t i = 0; i < k->p->nkpi_aggs; i++)
    free(k->acc[i].vals);
  arena_free(&k->arena);
}

void kpi_reset(KpiRun *k) {
  for (int32_t i = 0; i < k->p->nkpi_aggs; i++) {
    KpiAcc *a = &k->acc[i];
    a->n = 0;
    a->sum = a->min = a->max = 0;
    a->nvals = 0;
  }
  k->accounts = 0;
  k->done = false;
}

static void add_value(KpiAcc *a, uint8_t fn, double x) {
  if (a->n == 0 || x < a->min) a->min = x;
  if (a->n == 0 || x > a->max) a->max = x;
  a->n++;
  a->sum += x;
  if (fn != KPI_MEDIAN) return;
  if (a->nvals == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 64;
    double *v = realloc(a->vals, cap * sizeof *v);
    if (!v) abort();
    a->vals = v;
    a->cap = cap;
  }
  a->vals[a->nvals++] = x;
}

/* Adds an account: aggregate I's condition and value are CONDS[I] and
 * VALS[I] (each NULL when it has none), or evaluated with k->ev when VALUES
 * is NULL; else VALUES holds them, condition and value (kpi.h's nodes). */
static void add_account(KpiRun *k, const Value *values) {
  k->accounts++;
  for (int32_t i = 0; i < k->p->nkpi_aggs; i++) {
    const KpiAgg *g = &k->p->kpi_aggs[i];
    if (k->conds[i]) {
      Value c = values ? values[2 * i] : eval_compiled(k->ev, k->conds[i]);
      if (c.type != T_BOOL || !c.u.b) continue; /* missing counts as false */
    }
    if (g->fn == KPI_COUNT || g->fn == KPI_SHARE) {
      k->acc[i].n++;
      continue;
    }
    if (!k->exprs[i]) continue;
    Value v = values ? values[2 * i + 1] : eval_compiled(k->ev, k->exprs[i]);
    if (v.type == T_NUMBER && isfinite(v.u.num)) add_value(&k->acc[i], g->fn, v.u.num);
  }
}

void kpi_account(KpiRun *k) { add_account(k, NULL); }

void kpi_account_values(KpiRun *k, const Value *values) { add_account(k, values); }

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Puts the K-th smallest of V[0..N) at V[K], the smaller ones before it
 * and the others after (quickselect, median-of-three pivots: linear time,
 * where sorting the values took n log n; after 64 rounds, as on data made
 * to defeat the pivots, the rest is sorted). */
static void select_kth(double *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  for (int round = 0; lo < hi; round++) {
    if (round == 64) {
      qsort(v + lo, hi - lo + 1, sizeof *v, compare_double);
      return;
    }
    double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
    double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    /* now v[lo..j] <= pivot <= v[i..hi], and v(j..i) == pivot */
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

/* The median of V[0..N) (N > 0), exact: the middle value, or the mean of
 * the two middle values for an even count. Reorders V. */
static double median_of(double *v, size_t n) {
  select_kth(v, n, n / 2);
  double upper = v[n / 2];
  if (n % 2) return upper;
  double lower = v[0]; /* the largest of the values before the middle */
  for (size_t i = 1; i < n / 2; i++)
    if (v[i] > lower) lower = v[i];
  return (lower + upper) / 2;
}

static double agg_value(KpiRun *k, int32_t i) {
  const KpiAcc *a = &k->acc[i];
  switch ((KpiFn)k->p->kpi_aggs[i].fn) {
  case KPI_COUNT: return (double)a->n;
  case KPI_SHARE: return k->accounts ? (double)a->n / (double)k->accounts : NAN;
  case KPI_SUM: return a->n ? a->sum : NAN;
  case KPI_AVG: return a->n ? a->sum / (double)a->n : NAN;
  case KPI_MIN: return a->n ? a->min : NAN;
  case KPI_MAX: return a->n ? a->max : NAN;
  case KPI_MEDIAN: return a->nvals ? a->median : NAN;
  }
  return NAN;
}

static double expr_value(KpiRun *k, const Node *n) {
  switch ((NodeKind)n->kind) {
  case E_NUM: return n->num;
  case E_CALL: return agg_value(k, n->ref_index);
  case E_UNARY: return -expr_value(k, n->a);
  case E_BINARY: {
    double x = expr_value(k, n->a), y = expr_value(k, n->b);
    if (isnan(x) || isnan(y)) return NAN;
    switch ((Op)n->op) {
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_DIV: return y == 0 ? NAN : x / y;
    default: return NAN;
    }
  }
  default: return NAN;
  }
}

double kpi_value(KpiRun *k, int32_t i) {
  if (!k->done) {
    for (int32_t g = 0; g < k->p->nkpi_aggs; g++)
      if (k->acc[g].nvals) k->acc[g].median = median_of(k->acc[g].vals, k->acc[g].nvals);
    k->done = true;
  }
  double v = expr_value(k, k->p->kpis[i].expr);
  return isfinite(v) ? v : NAN;
}

int kpi_met(KpiRun *k, int32_t i) {
  const KpiDecl *d = &k->p->kpis[i];
  double v = kpi_value(k, i);
  if (d->target_op == OP_NONE || isnan(v)) return -1;
  switch ((Op)d->target_op) {
  case OP_GE: return v >= d->target;
  case OP_LE: return v <= d->target;
  case OP_GT: return v > d->target;
  case OP_LT: return v < d->target;
  default: return -1;
  }
}

const char *kpi_target_op(const Program *p, int32_t i) {
  switch ((Op)p->kpis[i].target_op) {
  case OP_GE: return ">=";
  case OP_LE: return "<=";
  case OP_GT: return ">";
  case OP_LT: return "<";
  default: return NULL;
  }
}

const char *kpi_text(const Program *p, int32_t i, double x, char *buf) {
  if (isnan(x)) {
    strcpy(buf, "missing");
    return buf;
  }
  if (!p->kpis[i].percent) return kpi_grouped(x, buf);
  int n = num_format2(x * 100, buf);
  buf[n] = '%';
  buf[n + 1] = '\0';
  return buf;
}

const char *kpi_grouped(double x, char *buf) {
  char raw[64];
  int n = num_format2(x, raw), digits = 0, o = 0;
  int start = raw[0] == '-' ? 1 : 0;
  while (start + digits < n && raw[start + digits] >= '0' && raw[start + digits] <= '9')
    digits++;
  for (int k = 0; k < n; k++) {
    buf[o++] = raw[k];
    int left = start + digits - 1 - k; /* integer digits still to come */
    if (k >= start && left > 0 && left % 3 == 0) buf[o++] = ',';
  }
  buf[o] = '\0';
  return buf;
}

const char *kpi_target_text(const Program *p, int32_t i, char *buf) {
  const char *op = kpi_target_op(p, i);
  if (!op) return NULL;
  char v[KPI_TEXT_SIZE];
  snprintf(buf, KPI_TARGET_SIZE, "%s %s", op, kpi_text(p, i, p->kpis[i].target, v));
  return buf;
}
