/* sql_int.h — what the two halves of the translator share: the state of
 * one translation, column names, literals (sql_expr.c writes expressions,
 * sql_query.c the stages). */
#ifndef KENKO_SQL_INT_H
#define KENKO_SQL_INT_H

#include "sql/sql.h"

typedef struct SqlGen {
  const Program *p;
  const CProgram *cp;
  const SqlOptions *o;
  const SqlDialect *d;
  Diag *diag;
  int errors;
  /* writing a persona condition (or an indicator for one): thresholds
   * take their default values, and indicators that depend on an
   * overridden threshold read their default-threshold column */
  bool persona_ctx;
  int32_t *elem_alias; /* per input: the alias number of the aggregate over
                          it being written (e3."field"), 0 outside */
  int32_t next_alias;
} SqlGen;

/* An identifier, quoted ("a""b"). */
void sql_ident(Buf *b, const char *s);
/* The column of the account row that holds PREFIX NAME: a."PREFIX:NAME",
 * or a."PREFIX#INDEX" when that is longer than an identifier may be. */
void sql_col(Buf *b, const char *prefix, const char *name, int32_t index);
/* A member's column (flat member index I). */
void sql_member_col(SqlGen *g, Buf *b, int32_t i);
/* A text literal of the N bytes at S ('' for a quote inside). */
void sql_text(Buf *b, const char *s, size_t n);
/* A text literal of the string S. */
void sql_str(Buf *b, const char *s);
/* A number as a double literal. */
void sql_num(SqlGen *g, Buf *b, double x);
/* A constant value (a threshold's) as a literal. */
void sql_value(SqlGen *g, Buf *b, Value v);
/* A number that depends on the persona: VALS[k] for persona k, VALS[np]
 * the default (no persona); a literal when they are all the same. */
void sql_persona_num(SqlGen *g, Buf *b, const double *vals);
/* TPL with $1 and $2 replaced by A1 and A2 (may be NULL). */
void sql_tpl(Buf *b, const char *tpl, const char *a1, const char *a2);
/* Expression E (checked), in the account row `a`. */
void sql_expr(SqlGen *g, Buf *b, const Node *e);
/* X clamped to 0..100 (NULL stays NULL). */
void sql_clamp100(SqlGen *g, Buf *b, const char *x);
/* DATE (SQL) moved by N units of UNIT (months: a month's last day to the
 * target month's last day, as date_shift). */
void sql_date_shift_by(SqlGen *g, Buf *b, const char *date, DurUnit unit, int64_t n);

/* ---- history (sql_history.c) ---- */
/* Trend call E (past, previous, …): its column, computed by the stage
 * sql_history_ctes writes. */
void sql_trend_col(SqlGen *g, Buf *b, const Node *e);
/* The inputs' WHERE: the rows kenko would reject as records (a missing
 * key; with history, a missing snapshot date) are skipped. */
void sql_history_rows(SqlGen *g, Buf *b);
/* History's ORDER BY: by snapshot, then key. */
void sql_history_order(SqlGen *g, Buf *b);
/* The two CTEs computing trend calls CALLS[0..N) (indices into
 * Program.trend_calls) over the stage PREV, the second one named NAME. */
void sql_history_ctes(SqlGen *g, Buf *out, const char *prev, const char *name, const int32_t *calls,
                      int32_t n);
/* The `coverage` of the row `a` (history's CSV has it). */
void sql_coverage(SqlGen *g, Buf *b);

/* "    -- FILE:LINE WHAT NAME" (a line before a column; AT may be NULL). */
void sql_comment(SqlGen *g, Buf *b, const Node *at, const char *what, const char *name);
/* The same at span AT (SPAN_NONE: no location). */
void sql_comment_at(SqlGen *g, Buf *b, Span at, const char *what, const char *name);
/* The KPIs' query after the stages (sql_kpi.c): LAST is the name of the
 * last stage's CTE, whose rows are the scored accounts. */
void sql_kpi_select(SqlGen *g, Buf *out, const char *last);
/* "CASE WHEN X IS NULL THEN 0 ELSE W[ * X] END": X's term of a weighted
 * sum (TIMES) or of the sum of the weights of what has a value. */
void sql_weighted(SqlGen *g, Buf *b, const char *x, const char *w, bool times);
/* Reports what cannot be translated (counted in g->errors). */
void sql_error(SqlGen *g, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
