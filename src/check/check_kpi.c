/* check_kpi.c — KPIs (LANGUAGE.md §10): a KPI is aggregates over the
 * accounts (count, share, sum, avg, min, max, median), numbers, and
 * + - * / between them; inside an aggregate any per-account expression
 * is checked as usual. The aggregates are collected in Program.kpi_aggs
 * for the evaluator (engine/kpi.c). */
#include <string.h>

#include "check/check_int.h"

static const struct {
  const char *name;
  KpiFn fn;
} kpi_fns[] = {
    {"count", KPI_COUNT}, {"share", KPI_SHARE}, {"sum", KPI_SUM},       {"avg", KPI_AVG},
    {"min", KPI_MIN},     {"max", KPI_MAX},     {"median", KPI_MEDIAN},
};

static int kpi_fn(const Node *n) {
  if (n->kind != E_CALL) return -1;
  for (size_t i = 0; i < sizeof kpi_fns / sizeof *kpi_fns; i++)
    if (strcmp(n->name, kpi_fns[i].name) == 0) return (int)kpi_fns[i].fn;
  return -1;
}

static int32_t count_aggs(const Node *n) {
  if (!n) return 0;
  if (kpi_fn(n) >= 0) return 1;
  return count_aggs(n->a) + count_aggs(n->b);
}

static bool is_accounts(const Node *n) { return n->kind == E_NAME && strcmp(n->name, "accounts") == 0; }

/* One aggregate call N of function FN. */
static void check_agg(Checker *c, Node *n, KpiFn fn) {
  Program *p = c->p;
  n->type = T_NUMBER;
  if (n->list.count != 1) {
    diag_error(c->diag, n->span, "`%s` in a KPI takes one argument, as in `%s`, but %d were given", n->name,
               fn == KPI_COUNT || fn == KPI_SHARE ? arena_printf(c->arena, "%s(accounts where …)", n->name)
                                                  : arena_printf(c->arena, "%s(arr where …)", n->name),
               (int)n->list.count);
    return;
  }
  Node *arg = n->list.items[0];
  Node *target = arg->kind == E_WHERE ? arg->a : arg;
  Node *cond = arg->kind == E_WHERE ? arg->b : NULL;
  bool ok = true;
  if (fn == KPI_COUNT || fn == KPI_SHARE) {
    if (!is_accounts(target)) {
      diag_error(c->diag, target->span, "`%s` in a KPI counts accounts, as in `%s(accounts where …)`",
                 n->name, n->name);
      ok = false;
    }
    if (fn == KPI_SHARE && !cond) {
      diag_error(c->diag, n->span, "`share` needs a condition, as in `share(accounts where grade == good)`");
      ok = false;
    }
    target = NULL;
  } else if (is_accounts(target)) {
    diag_error(c->diag, target->span, "`%s` aggregates a per-account number, as in `%s(arr)`, not `accounts`",
               n->name, n->name);
    ok = false;
    target = NULL;
  } else {
    check_expr(c, target, -1);
    if (target->type != T_NUMBER && target->type != T_ERROR && target->type != T_ANY) {
      diag_error(c->diag, target->span, "`%s` in a KPI needs a number per account, but this is %s", n->name,
                 check_type_text(c, target->type, target->type_aux));
      ok = false;
    }
  }
  if (cond) check_condition(c, cond, "`where`");
  if (!ok) return;
  n->ref_index = p->nkpi_aggs;
  KpiAgg *g = &p->kpi_aggs[p->nkpi_aggs++];
  g->fn = (uint8_t)fn;
  g->expr = target;
  g->cond = cond;
}

/* The KPI-level expression N of KPI K. */
static void check_kpi_expr(Checker *c, const KpiDecl *k, Node *n) {
  int fn = kpi_fn(n);
  if (fn >= 0) {
    check_agg(c, n, (KpiFn)fn);
    return;
  }
  switch ((NodeKind)n->kind) {
  case E_NUM: n->type = T_NUMBER; return;
  case E_UNARY:
    if (n->op == OP_NEG) {
      check_kpi_expr(c, k, n->a);
      n->type = T_NUMBER;
      return;
    }
    break;
  case E_BINARY:
    if (n->op == OP_ADD || n->op == OP_SUB || n->op == OP_MUL || n->op == OP_DIV) {
      check_kpi_expr(c, k, n->a);
      check_kpi_expr(c, k, n->b);
      n->type = T_NUMBER;
      return;
    }
    break;
  default: break;
  }
  n->type = T_ERROR;
  diag_error(c->diag, n->span,
             "KPI `%s` must be aggregates over the accounts (count, share, sum, avg, min, max, median) and "
             "numbers joined by + - * /; this is not one",
             k->name);
}

void check_kpis(Checker *c) {
  Program *p = c->p;
  c->ctx = CTX_NORMAL;
  c->owner = -1;
  int32_t n = 0;
  for (int32_t i = 0; i < p->nkpis; i++)
    n += count_aggs(p->kpis[i].expr);
  p->kpi_aggs = arena_alloc(c->arena, (size_t)(n + 1) * sizeof *p->kpi_aggs);
  for (int32_t i = 0; i < p->nkpis; i++)
    check_kpi_expr(c, &p->kpis[i], (Node *)p->kpis[i].expr);
}
