/* sql_history.c — history in `kenko sql` (LANGUAGE.md §6, §8): the table
 * holds one row per account per snapshot, every row is scored as of its
 * snapshot's date, and the trend functions become joins on the same
 * account's earlier rows (docs/sql.md, "History").
 *
 * The snapshot's date is the column of the input declared `snapshot` (a
 * long table, as warehouses export it), or, when the rules have none,
 * a column named `snapshot` (the date kenko takes from each data file's
 * name). It is each row's `as_of`.
 *
 * The trend calls (Program.trend_calls) are nodes of the query's plan
 * (sql_query.c): each sits in the first stage after the value it looks
 * back at. A stage of them is two CTEs over the stage before (`prev`):
 *   NAME_look: per (account, snapshot), from a join of the account's rows
 *     on themselves (h dated on or before c): the date each `past`,
 *     `change`, `pct_change` and `previous` looks back at (the latest
 *     earlier snapshot dated on or before as_of − window: an as-of
 *     lookup), and the windows' aggregates (avg/min/max/count over the
 *     snapshots dated after as_of − window, this one included; NULLs
 *     skipped, as kenko skips missing values);
 *   NAME: the row, joined with its look and, per window, with the row of
 *     the snapshot looked back at; each trend call one column `tr:K`.
 * A missing value there (no snapshot that old, no earlier snapshot, the
 * value missing in it) is NULL, as everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_int.h"

bool sql_history(const Program *p) { return p->snapshot_input >= 0 || p->uses_trend; }

const char *sql_snapshot_column(const Program *p) {
  if (p->snapshot_input < 0) return "snapshot";
  const InputDecl *in = &p->inputs[p->snapshot_input];
  return in->column ? in->column : in->name;
}

void sql_history_rows(SqlGen *g, Buf *b) {
  const Program *p = g->p;
  if (p->key_input < 0) return;
  buf_puts(b, "\n  -- the records kenko rejects: no key");
  if (sql_history(p)) buf_puts(b, ", no snapshot date");
  buf_puts(b, "\n  WHERE t.");
  const InputDecl *key = &p->inputs[p->key_input];
  sql_ident(b, key->column ? key->column : key->name);
  buf_puts(b, " IS NOT NULL");
  if (sql_history(p)) {
    buf_puts(b, " AND t.");
    sql_ident(b, sql_snapshot_column(p));
    buf_puts(b, " IS NOT NULL");
  }
}

void sql_history_order(SqlGen *g, Buf *b) {
  const Program *p = g->p;
  /* kenko history: snapshot order, then the order read (which a table
   * has not): the key's, text by its bytes */
  buf_puts(b, "\nORDER BY a.\"as_of\", ");
  sql_col(b, "in", p->inputs[p->key_input].name, p->key_input);
  if (p->inputs[p->key_input].type == T_TEXT) buf_puts(b, g->d->byte_order);
}

static const char *const trend_names[] = {"past",     "previous", "change",   "pct_change",
                                          "avg_over", "min_over", "max_over", "count_over"};

/* A window as text: "30d", "4w", "1mo". */
static void window_text(char *out, size_t n, const TrendCall *t) {
  snprintf(out, n, "%d%s", (int)t->n, t->unit == DUR_MONTHS ? "mo" : t->unit == DUR_WEEKS ? "w" : "d");
}

/* The SQL column written by sql_col (a."…") with ALIAS instead of `a`. */
static void aliased(Buf *b, const char *alias, const Buf *col) {
  buf_puts(b, alias);
  buf_put(b, col->data + 1, col->len - 1);
}

/* The key's column of the row ALIAS. */
static void key_col(SqlGen *g, Buf *b, const char *alias) {
  const Program *p = g->p;
  Buf c;
  buf_init(&c, NULL);
  sql_col(&c, "in", p->inputs[p->key_input].name, p->key_input);
  aliased(b, alias, &c);
  buf_free(&c);
}

/* The column of the row ALIAS holding trend subject S (as kenko keeps it
 * in the snapshots: indicators with the persona's thresholds, flags as
 * raised or not). */
static void subject_col(SqlGen *g, Buf *b, const char *alias, const TrendSubject *s) {
  Node n;
  memset(&n, 0, sizeof n);
  n.kind = E_NAME;
  n.ref_kind = s->kind;
  n.ref_index = s->index;
  n.ref_sub = s->sub;
  n.type = s->kind == REF_INPUT ? g->p->inputs[s->index].type : T_NUMBER;
  bool saved = g->persona_ctx;
  g->persona_ctx = false;
  Buf c;
  buf_init(&c, NULL);
  sql_expr(g, &c, &n);
  g->persona_ctx = saved;
  aliased(b, alias, &c);
  buf_free(&c);
}

/* "X.key = Y.key" */
static void same_key(SqlGen *g, Buf *b, const char *x, const char *y) {
  key_col(g, b, x);
  buf_puts(b, " = ");
  key_col(g, b, y);
}

/* " AS "tr:K"": the column of trend call K. */
static void as_trend(Buf *b, int32_t k) {
  char name[16];
  snprintf(name, sizeof name, "%d", (int)k);
  Buf col;
  buf_init(&col, NULL);
  sql_col(&col, "tr", name, k);
  buf_puts(b, " AS ");
  buf_put(b, col.data + 2, col.len - 2);
  buf_free(&col);
}

static bool looks_back(Builtin fn) { return fn == FN_PAST || fn == FN_CHANGE || fn == FN_PCT_CHANGE; }

void sql_trend_col(SqlGen *g, Buf *b, const Node *e) {
  (void)g;
  char k[16];
  snprintf(k, sizeof k, "%d", (int)e->ref_sub);
  sql_col(b, "tr", k, e->ref_sub);
}

/* The windows the calls of a stage look back at (past, change,
 * pct_change: by window; previous: one of its own), each a join. */
typedef struct Lookback {
  bool previous;
  uint8_t unit;
  int32_t n;
} Lookback;

static int32_t lookback_of(const Lookback *lb, int32_t nlb, const TrendCall *t) {
  for (int32_t i = 0; i < nlb; i++) {
    if (t->fn == FN_PREVIOUS ? lb[i].previous : !lb[i].previous && lb[i].unit == t->unit && lb[i].n == t->n)
      return i;
  }
  return -1;
}

/* The date as_of − the window of T for the row `c`. */
static void window_start(SqlGen *g, Buf *b, uint8_t unit, int32_t n) {
  sql_date_shift_by(g, b, "c.\"as_of\"", (DurUnit)unit, -(int64_t)n);
}

static void call_comment(SqlGen *g, Buf *b, int32_t k) {
  const TrendCall *t = &g->p->trend_calls[k];
  char w[32];
  window_text(w, sizeof w, t);
  Buf what;
  buf_init(&what, NULL);
  buf_printf(&what, "%s(%s%s%s)", trend_names[t->fn - FN_PAST], g->p->trend_subjects[t->subject].name,
             t->fn == FN_PREVIOUS ? "" : ", ", t->fn == FN_PREVIOUS ? "" : w);
  buf_putc(&what, '\0');
  sql_comment_at(g, b, t->span, what.data, NULL);
  buf_free(&what);
}

void sql_history_ctes(SqlGen *g, Buf *out, const char *prev, const char *name, const int32_t *calls,
                      int32_t n) {
  const Program *p = g->p;
  Lookback *lb = xcalloc((size_t)n + 1, sizeof *lb);
  int32_t nlb = 0;
  for (int32_t i = 0; i < n; i++) {
    const TrendCall *t = &p->trend_calls[calls[i]];
    if (t->fn != FN_PREVIOUS && !looks_back((Builtin)t->fn)) continue;
    if (lookback_of(lb, nlb, t) >= 0) continue;
    lb[nlb].previous = t->fn == FN_PREVIOUS;
    lb[nlb].unit = t->unit;
    lb[nlb].n = t->n;
    nlb++;
  }
  Buf col;
  buf_init(&col, NULL);

  /* NAME_look: per (account, snapshot), the dates looked back at and the
   * windows' aggregates */
  buf_printf(out, ",\n%s_look AS (\n  SELECT\n    ", name);
  key_col(g, out, "c");
  buf_puts(out, " AS \"key\",\n    c.\"as_of\" AS \"as_of\"");
  for (int32_t i = 0; i < nlb; i++) {
    if (lb[i].previous) {
      buf_printf(out,
                 ",\n    -- previous(): the snapshot just before\n"
                 "    max(h.\"as_of\") FILTER (WHERE h.\"as_of\" < c.\"as_of\") AS \"at:%d\"",
                 (int)i);
      continue;
    }
    TrendCall t = {FN_PAST, lb[i].unit, lb[i].n, 0, SPAN_NONE};
    char w[32];
    window_text(w, sizeof w, &t);
    buf_printf(out,
               ",\n    -- the latest earlier snapshot dated on or before as_of - %s\n"
               "    max(h.\"as_of\") FILTER (WHERE h.\"as_of\" < c.\"as_of\" AND h.\"as_of\" <= ",
               w);
    window_start(g, out, lb[i].unit, lb[i].n);
    buf_printf(out, ") AS \"at:%d\"", (int)i);
  }
  for (int32_t i = 0; i < n; i++) {
    const TrendCall *t = &p->trend_calls[calls[i]];
    if (t->fn == FN_PREVIOUS || looks_back((Builtin)t->fn)) continue;
    buf_puts(out, ",\n");
    call_comment(g, out, calls[i]);
    buf_puts(out, "    ");
    col.len = 0;
    subject_col(g, &col, "h", &p->trend_subjects[t->subject]);
    buf_putc(&col, '\0');
    switch ((Builtin)t->fn) {
    case FN_AVG_OVER: buf_printf(out, "avg(%s)", col.data); break;
    case FN_MIN_OVER: buf_printf(out, "min(%s)", col.data); break;
    case FN_MAX_OVER: buf_printf(out, "max(%s)", col.data); break;
    default: buf_printf(out, "CAST(count(%s)", col.data); break;
    }
    buf_puts(out, " FILTER (WHERE h.\"as_of\" > ");
    window_start(g, out, t->unit, t->n);
    buf_putc(out, ')');
    if (t->fn == FN_COUNT_OVER) buf_printf(out, " AS %s)", g->d->float_type);
    as_trend(out, calls[i]);
  }
  buf_printf(out, "\n  FROM %s AS c\n  JOIN %s AS h ON ", prev, prev);
  same_key(g, out, "h", "c");
  buf_puts(out, " AND h.\"as_of\" <= c.\"as_of\"\n  GROUP BY ");
  key_col(g, out, "c");
  buf_puts(out, ", c.\"as_of\"\n)");

  /* NAME: the row with its trend values */
  buf_printf(out, ",\n%s AS (\n  SELECT\n    a.*", name);
  for (int32_t i = 0; i < n; i++) {
    const TrendCall *t = &p->trend_calls[calls[i]];
    const TrendSubject *s = &p->trend_subjects[t->subject];
    char k[16], alias[24];
    snprintf(k, sizeof k, "%d", (int)calls[i]);
    buf_puts(out, ",\n");
    call_comment(g, out, calls[i]);
    buf_puts(out, "    ");
    if (t->fn == FN_PREVIOUS || looks_back((Builtin)t->fn)) {
      snprintf(alias, sizeof alias, "p%d", (int)lookback_of(lb, nlb, t));
      Buf then, now;
      buf_init(&then, NULL);
      buf_init(&now, NULL);
      subject_col(g, &then, alias, s);
      buf_putc(&then, '\0');
      subject_col(g, &now, "a", s);
      buf_putc(&now, '\0');
      if (t->fn == FN_CHANGE)
        buf_printf(out, "(%s - %s)", now.data, then.data);
      else if (t->fn == FN_PCT_CHANGE)
        buf_printf(out, "((%s - %s) / NULLIF(%s, 0))", now.data, then.data, then.data);
      else
        buf_puts(out, then.data);
      buf_free(&then);
      buf_free(&now);
    } else {
      col.len = 0;
      sql_col(&col, "tr", k, calls[i]);
      aliased(out, "l", &col);
    }
    as_trend(out, calls[i]);
  }
  buf_printf(out, "\n  FROM %s AS a\n  LEFT JOIN %s_look AS l ON l.\"key\" = ", prev, name);
  key_col(g, out, "a");
  buf_puts(out, " AND l.\"as_of\" = a.\"as_of\"");
  for (int32_t i = 0; i < nlb; i++) {
    char alias[24];
    snprintf(alias, sizeof alias, "p%d", (int)i);
    buf_printf(out, "\n  LEFT JOIN %s AS %s ON ", prev, alias);
    same_key(g, out, alias, "a");
    buf_printf(out, " AND %s.\"as_of\" = l.\"at:%d\"", alias, (int)i);
  }
  buf_printf(out, "%s\n)", g->d->fence);
  buf_free(&col);
  free(lb);
}

void sql_coverage(SqlGen *g, Buf *b) {
  const CProgram *cp = g->cp;
  int32_t np = g->p->npersonas;
  double *w = xcalloc((size_t)np + 2, sizeof *w);
  bool any = false;
  for (int32_t k = 0; k <= np; k++)
    if (cp->variants[k].coverage_total > 0) any = true;
  if (!any || cp->nmembers == 0) {
    sql_num(g, b, 0);
    free(w);
    return;
  }
  /* Σ over the members with a score of their share when nothing is N/A,
   * over the total of those shares (per persona; 0 when it is 0) */
  for (int32_t k = 0; k <= np; k++)
    w[k] = cp->variants[k].coverage_total > 0 ? cp->variants[k].coverage_total : 0;
  Buf total;
  buf_init(&total, NULL);
  sql_persona_num(g, &total, w);
  buf_putc(&total, '\0');
  buf_printf(b, "CASE WHEN %s <= 0 THEN ", total.data);
  sql_num(g, b, 0);
  buf_puts(b, " ELSE (");
  bool first = true;
  for (int32_t i = 0; i < cp->nmembers; i++) {
    bool counts = false;
    for (int32_t k = 0; k <= np; k++) {
      w[k] = cp->variants[k].coverage_weight[i];
      if (w[k] != 0) counts = true;
    }
    if (!counts) continue;
    buf_puts(b, first ? "" : "\n    + ");
    first = false;
    Buf x, wt;
    buf_init(&x, NULL);
    buf_init(&wt, NULL);
    sql_member_col(g, &x, i);
    buf_putc(&x, '\0');
    sql_persona_num(g, &wt, w);
    buf_putc(&wt, '\0');
    sql_weighted(g, b, x.data, wt.data, false);
    buf_free(&x);
    buf_free(&wt);
  }
  if (first) sql_num(g, b, 0);
  buf_printf(b, ") / %s END", total.data);
  buf_free(&total);
  free(w);
}
