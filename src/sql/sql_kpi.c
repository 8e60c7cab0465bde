/* sql_kpi.c — `kenko sql --kpis` (LANGUAGE.md §10): the rules' KPIs as
 * the last part of the query, over the scored account rows of the stages
 * (sql_query.c), with the values of engine/kpi.c:
 *   - every aggregate of every KPI is one column of the CTE
 *     `kpi_aggregates`, an aggregate over all the account rows with its
 *     `where` as FILTER (WHERE (C) IS TRUE): a missing condition counts as
 *     false;
 *   - count is count(*), 0 over no account; share is that count over the
 *     count of all accounts, NULL when there is none;
 *   - sum, avg, min, max skip NULLs and are NULL with nothing to
 *     aggregate (SQL's own aggregates do both);
 *   - median is exact as kenko computes it: the middle value, or the mean
 *     of the two middle values (a + b) / 2 for an even count. The lower
 *     middle is percentile_disc(0.5) over the values in ascending order,
 *     the upper one the same in descending order; they are equal for an
 *     odd count;
 *   - the arithmetic between aggregates is + - * with NULL propagating,
 *     and / with a zero divisor giving NULL;
 *   - the result is a row per KPI in declaration order: kpi, label,
 *     value, op, target, met (met NULL without a target or a value), as
 *     the "kpis" of `report --format json`. */
#include <stdlib.h>
#include <string.h>

#include "engine/kpi.h"
#include "sql/sql_int.h"

/* The column of aggregate I in kpi_aggregates (PART: "" or the median's
 * ":lo" and ":hi"). */
static void agg_col(Buf *b, int32_t i, const char *part) { buf_printf(b, "a.\"agg:%d%s\"", (int)i, part); }

/* " FILTER (WHERE (C) IS TRUE)", or nothing without a condition. */
static void agg_filter(SqlGen *g, Buf *b, const Node *cond) {
  if (!cond) return;
  buf_puts(b, " FILTER (WHERE (");
  sql_expr(g, b, cond);
  buf_puts(b, ") IS TRUE)");
}

/* The count of the accounts where COND holds, as a double. */
static void agg_count(SqlGen *g, Buf *b, const Node *cond) {
  buf_puts(b, "CAST(count(*)");
  agg_filter(g, b, cond);
  buf_printf(b, " AS %s)", g->d->float_type);
}

/* The middle value of E over the accounts where COND holds, from one end
 * (DESC: the upper middle). */
static void agg_middle(SqlGen *g, Buf *b, const KpiAgg *k, bool desc) {
  buf_puts(b, "percentile_disc(0.5) WITHIN GROUP (ORDER BY ");
  sql_expr(g, b, k->expr);
  buf_puts(b, desc ? " DESC)" : ")");
  agg_filter(g, b, k->cond);
}

static const char *const agg_fn_name[] = {"count", "share", "sum", "avg", "min", "max", "median"};

/* Aggregate I's columns, each ended by ",\n". */
static void agg_columns(SqlGen *g, Buf *b, int32_t i) {
  const KpiAgg *k = &g->p->kpi_aggs[i];
  buf_printf(b, "    -- %s\n    ", agg_fn_name[k->fn]);
  switch ((KpiFn)k->fn) {
  case KPI_COUNT: agg_count(g, b, k->cond); break;
  case KPI_SHARE:
    agg_count(g, b, k->cond);
    buf_puts(b, " / ");
    buf_printf(b, "CAST(NULLIF(count(*), 0) AS %s)", g->d->float_type);
    break;
  case KPI_SUM:
  case KPI_AVG:
  case KPI_MIN:
  case KPI_MAX:
    buf_printf(b, "%s(", agg_fn_name[k->fn]);
    sql_expr(g, b, k->expr);
    buf_putc(b, ')');
    agg_filter(g, b, k->cond);
    break;
  case KPI_MEDIAN:
    agg_middle(g, b, k, false);
    buf_printf(b, " AS \"agg:%d:lo\",\n    ", (int)i);
    agg_middle(g, b, k, true);
    buf_printf(b, " AS \"agg:%d:hi\",\n", (int)i);
    return;
  }
  buf_printf(b, " AS \"agg:%d\",\n", (int)i);
}

/* KPI expression N (aggregates, numbers, + - * / between them) over the
 * row of kpi_aggregates. */
static void kpi_expr(SqlGen *g, Buf *b, const Node *n) {
  switch ((NodeKind)n->kind) {
  case E_NUM: sql_num(g, b, n->num); return;
  case E_CALL:
    if (g->p->kpi_aggs[n->ref_index].fn == KPI_MEDIAN) {
      Buf lo, hi;
      buf_init(&lo, NULL);
      buf_init(&hi, NULL);
      agg_col(&lo, n->ref_index, ":lo");
      buf_putc(&lo, '\0');
      agg_col(&hi, n->ref_index, ":hi");
      buf_putc(&hi, '\0');
      buf_printf(b, "CASE WHEN %s = %s THEN %s ELSE (%s + %s) / ", lo.data, hi.data, lo.data, lo.data,
                 hi.data);
      sql_num(g, b, 2);
      buf_puts(b, " END");
      buf_free(&lo);
      buf_free(&hi);
    } else {
      agg_col(b, n->ref_index, "");
    }
    return;
  case E_UNARY:
    buf_puts(b, "(- ");
    kpi_expr(g, b, n->a);
    buf_putc(b, ')');
    return;
  case E_BINARY:
    buf_putc(b, '(');
    kpi_expr(g, b, n->a);
    switch ((Op)n->op) {
    case OP_ADD: buf_puts(b, " + "); break;
    case OP_SUB: buf_puts(b, " - "); break;
    case OP_MUL: buf_puts(b, " * "); break;
    default: buf_puts(b, " / NULLIF("); break;
    }
    kpi_expr(g, b, n->b);
    buf_puts(b, n->op == OP_DIV ? ", 0))" : ")");
    return;
  default: buf_puts(b, "NULL"); return; /* the checker admits nothing else (check_kpi.c) */
  }
}

void sql_kpi_select(SqlGen *g, Buf *out, const char *last) {
  const Program *p = g->p;
  const SqlDialect *d = g->d;
  if (p->nkpis == 0) {
    const Source *s = src_get(&p->sources, 0);
    diag_at(g->diag, KENKO_ERROR, s ? s->path : "rules", 0, 0,
            "kenko sql --kpis: the rules declare no `kpi` (`kpi NAME \"label\" = count(accounts)`)");
    g->errors++;
    return;
  }
  /* the aggregates, in one pass over the account rows */
  buf_printf(out, ",\nkpi_aggregates AS (\n  SELECT\n");
  Buf body;
  buf_init(&body, NULL);
  for (int32_t i = 0; i < p->nkpi_aggs; i++)
    agg_columns(g, &body, i);
  body.len -= 2; /* the last ",\n" */
  buf_put(out, body.data, body.len);
  buf_free(&body);
  buf_printf(out, "\n  FROM %s AS a\n),\n", last);
  /* each KPI's value, from its aggregates */
  buf_puts(out, "kpi_values AS (\n  SELECT\n");
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    sql_comment(g, out, k->node, "kpi", k->name);
    buf_puts(out, "    ");
    kpi_expr(g, out, k->expr);
    buf_printf(out, " AS \"kpi:%d\"%s\n", (int)i, i + 1 < p->nkpis ? "," : "");
  }
  buf_puts(out, "  FROM kpi_aggregates AS a\n)\n");
  /* a row per KPI, in declaration order */
  buf_puts(out, "SELECT\n  k.\"kpi\", k.\"label\", k.\"value\", k.\"op\", k.\"target\",\n  CASE k.\"op\"");
  static const char *const ops[] = {">=", "<=", ">", "<"};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
    buf_printf(out, " WHEN '%s' THEN k.\"value\" %s k.\"target\"", ops[o], ops[o]);
  buf_puts(out, " END AS \"met\"\nFROM (\n  SELECT d.\"n\", d.\"kpi\", d.\"label\", CASE d.\"n\"");
  for (int32_t i = 0; i < p->nkpis; i++)
    buf_printf(out, " WHEN %d THEN v.\"kpi:%d\"", (int)i, (int)i);
  buf_printf(out, " END AS \"value\", d.\"op\", d.\"target\"\n  FROM kpi_values AS v CROSS JOIN (VALUES");
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    buf_printf(out, "%s\n    (%d, ", i ? "," : "", (int)i);
    sql_str(out, k->name);
    buf_puts(out, ", ");
    if (k->label && *k->label)
      sql_str(out, k->label);
    else
      buf_printf(out, "CAST(NULL AS %s)", d->text_type);
    buf_puts(out, ", ");
    const char *op = kpi_target_op(p, i);
    if (op) {
      buf_printf(out, "CAST('%s' AS %s), ", op, d->text_type);
      sql_num(g, out, k->target);
    } else {
      buf_printf(out, "CAST(NULL AS %s), CAST(NULL AS %s)", d->text_type, d->float_type);
    }
    buf_putc(out, ')');
  }
  buf_puts(out, "\n  ) AS d(\"n\", \"kpi\", \"label\", \"op\", \"target\")\n) AS k\nORDER BY k.\"n\"");
}
