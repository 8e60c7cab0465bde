/* sql_expr.c — kenko expressions as SQL expressions over the account row
 * `a`, with the interpreter's semantics (ops.c, value.c) spelled out:
 *   - a missing value is NULL; and/or/not/in are SQL's, which are Kleene's;
 *   - `if` on NULL is NULL: CASE WHEN c THEN x WHEN NOT c THEN y END;
 *   - a / b is a / NULLIF(b, 0); a % b is floored: a - b·floor(a/b);
 *   - min/max/clamp are NULL when an argument is (GREATEST and LEAST skip
 *     NULLs, so they are guarded);
 *   - round is half away from zero, exactly: trunc(x) plus sign(x) when
 *     |x − trunc(x)| >= 0.5 (x − trunc(x) is exact in binary floating
 *     point); its digits must be a constant;
 *   - lower/upper map ASCII letters only (translate), text orders by bytes;
 *   - every number is a double (a literal is cast), so no integer or
 *     decimal arithmetic sneaks in;
 *   - aggregates over a list input are correlated subqueries over its
 *     child table (TABLE_COLUMN: the key column and the element fields);
 *     an account with no rows there has the list missing.
 * Whatever has no translation is reported with its location. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_int.h"

/* PostgreSQL's longest identifier (bytes); longer names are cut. */
enum { SQL_IDENT_MAX = 63 };

void sql_error(SqlGen *g, Span span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_report(g->diag, KENKO_ERROR, span, fmt, ap);
  va_end(ap);
  g->errors++;
}

void sql_ident(Buf *b, const char *s) {
  buf_putc(b, '"');
  for (; *s; s++) {
    if (*s == '"') buf_putc(b, '"');
    buf_putc(b, *s);
  }
  buf_putc(b, '"');
}

void sql_col(Buf *b, const char *prefix, const char *name, int32_t index) {
  buf_puts(b, "a.\"");
  buf_puts(b, prefix);
  if (strlen(prefix) + 1 + strlen(name) > SQL_IDENT_MAX) {
    buf_printf(b, "#%d\"", (int)index);
    return;
  }
  buf_putc(b, ':');
  for (const char *s = name; *s; s++) {
    if (*s == '"') buf_putc(b, '"');
    buf_putc(b, *s);
  }
  buf_putc(b, '"');
}

void sql_member_col(SqlGen *g, Buf *b, int32_t i) {
  const Program *p = g->p;
  int32_t d = 0;
  while (d + 1 < p->ndimensions && g->cp->member_first[d + 1] <= i)
    d++;
  const DimensionDecl *dim = &p->dimensions[d];
  const Member *m = &dim->members[i - g->cp->member_first[d]];
  Buf name;
  buf_init(&name, NULL);
  buf_puts(&name, dim->name);
  buf_putc(&name, '.');
  buf_puts(&name, m->name);
  buf_putc(&name, '\0');
  sql_col(b, "m", name.data, i);
  buf_free(&name);
}

void sql_tpl(Buf *b, const char *tpl, const char *a1, const char *a2) {
  for (const char *s = tpl; *s; s++) {
    if (s[0] == '$' && (s[1] == '1' || s[1] == '2')) {
      const char *arg = s[1] == '1' ? a1 : a2;
      if (arg) buf_puts(b, arg);
      s++;
      continue;
    }
    buf_putc(b, *s);
  }
}

void sql_num(SqlGen *g, Buf *b, double x) {
  char text[64];
  num_format(x, text);
  bool plain = true; /* digits and at most one point: a numeric literal */
  for (const char *s = text[0] == '-' ? text + 1 : text; *s; s++)
    if (!(*s >= '0' && *s <= '9') && *s != '.') plain = false;
  if (text[0] == '-') buf_putc(b, '(');
  if (plain) {
    buf_puts(b, text);
  } else {
    buf_putc(b, '\'');
    buf_puts(b, text);
    buf_putc(b, '\'');
  }
  buf_puts(b, "::");
  buf_puts(b, g->d->float_type);
  if (text[0] == '-') buf_putc(b, ')');
}

void sql_text(Buf *b, const char *s, size_t n) {
  buf_putc(b, '\'');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\'') buf_putc(b, '\'');
    buf_putc(b, s[i]);
  }
  buf_putc(b, '\'');
}

void sql_str(Buf *b, const char *s) { sql_text(b, s, strlen(s)); }

static void sql_date(Buf *b, int32_t days) {
  char text[11];
  date_format(days, text);
  buf_puts(b, "DATE '");
  buf_puts(b, text);
  buf_putc(b, '\'');
}

/* A typed NULL (T_ANY and the rest: a bare NULL). */
static void sql_null(SqlGen *g, Buf *b, uint8_t type) {
  const char *t = NULL;
  switch ((ValueType)type) {
  case T_NUMBER: t = g->d->float_type; break;
  case T_TEXT: t = g->d->text_type; break;
  case T_BOOL: t = "BOOLEAN"; break;
  case T_DATE: t = "DATE"; break;
  case T_SYMBOL: t = "INTEGER"; break;
  default: break;
  }
  if (!t) {
    buf_puts(b, "NULL");
    return;
  }
  buf_printf(b, "CAST(NULL AS %s)", t);
}

void sql_value(SqlGen *g, Buf *b, Value v) {
  switch ((ValueType)v.type) {
  case T_NUMBER: sql_num(g, b, v.u.num); break;
  case T_TEXT: sql_text(b, v.u.text, v.len); break;
  case T_BOOL: buf_puts(b, v.u.b ? "TRUE" : "FALSE"); break;
  case T_DATE: sql_date(b, v.u.date); break;
  case T_SYMBOL: buf_printf(b, "%d", (int)v.u.sym); break;
  default: buf_puts(b, "NULL"); break;
  }
}

void sql_persona_num(SqlGen *g, Buf *b, const double *vals) {
  int32_t np = g->p->npersonas;
  bool same = true;
  for (int32_t k = 0; k < np; k++)
    if (vals[k] != vals[np]) same = false;
  if (same) {
    sql_num(g, b, vals[np]);
    return;
  }
  buf_puts(b, "CASE a.\"persona\"");
  for (int32_t k = 0; k < np; k++) {
    if (vals[k] == vals[np]) continue;
    buf_printf(b, " WHEN %d THEN ", (int)k);
    sql_num(g, b, vals[k]);
  }
  buf_puts(b, " ELSE ");
  sql_num(g, b, vals[np]);
  buf_puts(b, " END");
}

static bool same_value(Value x, Value y) {
  if (x.type != y.type) return false;
  switch ((ValueType)x.type) {
  case T_NUMBER: return x.u.num == y.u.num;
  case T_TEXT: return x.len == y.len && memcmp(x.u.text, y.u.text, x.len) == 0;
  case T_BOOL: return x.u.b == y.u.b;
  case T_DATE: return x.u.date == y.u.date;
  case T_SYMBOL: return x.u.sym == y.u.sym;
  default: return true;
  }
}

/* Threshold T: its value in effect, by persona when a persona overrides
 * it (persona conditions see the default). */
static void threshold(SqlGen *g, Buf *b, int32_t t) {
  const CProgram *cp = g->cp;
  int32_t np = g->p->npersonas;
  Value def = cp->variants[np].thresholds[t];
  if (g->persona_ctx || !cp->threshold_varies[t]) {
    sql_value(g, b, def);
    return;
  }
  buf_puts(b, "CASE a.\"persona\"");
  for (int32_t k = 0; k < np; k++) {
    Value v = cp->variants[k].thresholds[t];
    if (same_value(v, def)) continue;
    buf_printf(b, " WHEN %d THEN ", (int)k);
    sql_value(g, b, v);
  }
  buf_puts(b, " ELSE ");
  sql_value(g, b, def);
  buf_puts(b, " END");
}

/* ---- list inputs ------------------------------------------------------- */

/* The child table of list input LI and the join of alias eN to the
 * account: " FROM "accounts_tickets" AS eN WHERE eN."id" = a."in:id"". */
static bool child_from(SqlGen *g, Buf *b, const Node *at, int32_t li, int32_t alias) {
  const Program *p = g->p;
  if (p->key_input < 0) {
    sql_error(g, at->span,
              "kenko sql needs a `key` input to read list input `%s`: its child table is joined on the key",
              p->inputs[li].name);
    return false;
  }
  const InputDecl *in = &p->inputs[li], *key = &p->inputs[p->key_input];
  Buf name;
  buf_init(&name, NULL);
  buf_puts(&name, g->o->table);
  buf_putc(&name, '_');
  buf_puts(&name, in->column ? in->column : in->name);
  buf_putc(&name, '\0');
  buf_puts(b, " FROM ");
  sql_ident(b, name.data);
  buf_printf(b, " AS e%d WHERE e%d.", (int)alias, (int)alias);
  sql_ident(b, key->column ? key->column : key->name);
  buf_puts(b, " = ");
  sql_col(b, "in", key->name, p->key_input);
  if (sql_history(p)) { /* history: the rows of the same snapshot */
    buf_printf(b, " AND e%d.", (int)alias);
    sql_ident(b, sql_snapshot_column(p));
    buf_puts(b, " = a.\"as_of\"");
  }
  buf_free(&name);
  return true;
}

static void list_missing(SqlGen *g, Buf *b, const Node *e, bool negated) {
  int32_t alias = ++g->next_alias;
  buf_puts(b, negated ? "EXISTS (SELECT 1" : "NOT EXISTS (SELECT 1");
  child_from(g, b, e, e->a->ref_index, alias);
  buf_putc(b, ')');
}

/* count/sum/avg/min/max/any/all/nps over `L`, `L.f`, with `where C`. */
static void aggregate(SqlGen *g, Buf *b, const Node *e, Builtin fn) {
  if (e->list.count != 1) {
    sql_error(g, e->span, "kenko sql cannot translate this aggregate");
    return;
  }
  const Node *target = e->list.items[0], *cond = NULL;
  if (target->kind == E_WHERE) {
    cond = target->b;
    target = target->a;
  }
  int32_t li = target->ref_index, field = -1;
  if (target->ref_kind == REF_LIST_FIELD)
    field = target->ref_sub;
  else if (!(target->ref_kind == REF_INPUT && target->type == T_LIST)) {
    sql_error(g, target->span, "kenko sql cannot translate this aggregate's list");
    return;
  }
  int32_t alias = ++g->next_alias, saved = g->elem_alias[li];
  g->elem_alias[li] = alias;
  Buf sel, v;
  buf_init(&sel, NULL);
  buf_init(&v, NULL);
  if (cond) {
    buf_putc(&sel, '(');
    sql_expr(g, &sel, cond);
    buf_puts(&sel, ") IS TRUE");
  } else {
    buf_puts(&sel, "TRUE");
  }
  buf_putc(&sel, '\0');
  if (field >= 0) {
    buf_printf(&v, "e%d.", (int)alias);
    sql_ident(&v, g->p->inputs[li].fields[field].name);
  } else {
    buf_puts(&v, "TRUE");
  }
  buf_putc(&v, '\0');
  const char *S = sel.data, *V = v.data, *F = g->d->float_type;
  switch (fn) {
  case FN_COUNT:
    if (field >= 0)
      buf_printf(b, "CAST((SELECT count(%s) FILTER (WHERE %s)", V, S);
    else
      buf_printf(b, "CAST((SELECT count(*) FILTER (WHERE %s)", S);
    break;
  case FN_SUM:
    buf_printf(
        b, "CAST((SELECT CASE WHEN count(*) = 0 THEN NULL ELSE COALESCE(sum(%s) FILTER (WHERE %s), 0) END", V,
        S);
    break;
  case FN_AVG: buf_printf(b, "CAST((SELECT avg(%s) FILTER (WHERE %s)", V, S); break;
  case FN_AGG_MIN: buf_printf(b, "((SELECT min(%s) FILTER (WHERE %s)", V, S); break;
  case FN_AGG_MAX: buf_printf(b, "((SELECT max(%s) FILTER (WHERE %s)", V, S); break;
  case FN_ANY:
    buf_printf(
        b, "((SELECT CASE WHEN count(*) = 0 THEN NULL ELSE COALESCE(bool_or(%s AND (%s) IS TRUE), FALSE) END",
        S, V);
    break;
  case FN_ALL:
    buf_printf(b, "((SELECT CASE WHEN count(*) = 0 THEN NULL ELSE bool_and(%s AND (%s) IS TRUE) END", S, V);
    break;
  case FN_NPS:
    buf_printf(b,
               "((SELECT CAST(100 AS %s) * CAST(count(*) FILTER (WHERE %s AND %s >= 9) - count(*) FILTER "
               "(WHERE %s AND %s <= 6) AS %s) / CAST(NULLIF(count(%s) FILTER (WHERE %s), 0) AS %s)",
               F, S, V, S, V, F, V, S, F);
    break;
  default: sql_error(g, e->span, "kenko sql cannot translate this aggregate"); break;
  }
  child_from(g, b, target, li, alias);
  buf_putc(b, ')');
  if (fn == FN_COUNT || fn == FN_SUM || fn == FN_AVG)
    buf_printf(b, " AS %s)", F);
  else
    buf_putc(b, ')');
  g->elem_alias[li] = saved;
  buf_free(&sel);
  buf_free(&v);
}

/* ---- calls -------------------------------------------------------------- */

/* The SQL of E as a NUL-terminated string in T (initialised here). */
static const char *expr_text(SqlGen *g, Buf *t, const Node *e) {
  buf_init(t, NULL);
  sql_expr(g, t, e);
  buf_putc(t, '\0');
  return t->data;
}

/* round(X) of a number, half away from zero, exactly like C's round. */
static void round0(Buf *b, const char *x) {
  buf_printf(b, "(trunc(%s) + CASE WHEN abs(%s - trunc(%s)) >= 0.5 THEN sign(%s) ELSE 0 END)", x, x, x, x);
}

/* A constant number written as a literal (possibly negated), or false. */
static bool constant_number(const Node *e, double *out) {
  if (e->kind == E_NUM) {
    *out = e->num;
    return true;
  }
  if (e->kind == E_UNARY && e->op == OP_NEG && e->a->kind == E_NUM) {
    *out = -e->a->num;
    return true;
  }
  return false;
}

/* round(x[, digits]) as value_round (value.c) computes it. */
static void round_call(SqlGen *g, Buf *b, const Node *e) {
  double digits = 0;
  if (e->list.count > 1 && !constant_number(e->list.items[1], &digits)) {
    sql_error(g, e->list.items[1]->span, "kenko sql needs round's digits as a number written in the rule");
    return;
  }
  Buf t, in;
  const char *x = expr_text(g, &t, e->list.items[0]);
  double d = trunc(digits);
  buf_init(&in, NULL);
  if (d == 0) {
    round0(b, x);
  } else if (d > 15) {
    buf_puts(b, x);
  } else if (d < -308) {
    buf_printf(b, "CASE WHEN %s IS NULL THEN NULL ELSE ", x);
    sql_num(g, b, 0);
    buf_puts(b, " END");
  } else {
    double p = pow(10, d > 0 ? d : -d);
    buf_printf(&in, "(%s %s ", x, d > 0 ? "*" : "/");
    sql_num(g, &in, p);
    buf_puts(&in, ")");
    buf_putc(&in, '\0');
    buf_putc(b, '(');
    round0(b, in.data);
    buf_puts(b, d > 0 ? " / " : " * ");
    sql_num(g, b, p);
    buf_putc(b, ')');
  }
  buf_free(&in);
  buf_free(&t);
}

/* NULL when any argument is NULL, else WHAT (a format with %s for the
 * argument list, comma-separated). */
static void guarded(SqlGen *g, Buf *b, const Node *e, const char *fn_name) {
  int32_t n = e->list.count;
  Buf *t = xcalloc((size_t)n + 1, sizeof *t);
  buf_puts(b, "CASE WHEN ");
  for (int32_t i = 0; i < n; i++) {
    expr_text(g, &t[i], e->list.items[i]);
    buf_printf(b, "%s%s IS NULL", i ? " OR " : "", t[i].data);
  }
  buf_printf(b, " THEN NULL ELSE %s(", fn_name);
  for (int32_t i = 0; i < n; i++)
    buf_printf(b, "%s%s", i ? ", " : "", t[i].data);
  buf_puts(b, ") END");
  for (int32_t i = 0; i < n; i++)
    buf_free(&t[i]);
  free(t);
}

void sql_clamp100(SqlGen *g, Buf *b, const char *x) {
  buf_printf(b, "CASE WHEN %s < 0 THEN ", x);
  sql_num(g, b, 0);
  buf_printf(b, " WHEN %s > 100 THEN ", x);
  sql_num(g, b, 100);
  buf_printf(b, " ELSE %s END", x);
}

static void days_of(SqlGen *g, Buf *b, const char *from, const char *to) {
  buf_puts(b, "CAST(");
  sql_tpl(b, g->d->days, from, to);
  buf_printf(b, " AS %s)", g->d->float_type);
}

static void call(SqlGen *g, Buf *b, const Node *e) {
  if (e->ref_kind == REF_FLAG) {
    sql_col(b, "flag", g->p->flags[e->ref_index].name, e->ref_index);
    return;
  }
  if (e->ref_kind != REF_FUNC) {
    sql_error(g, e->span, "kenko sql cannot translate this call");
    return;
  }
  Builtin fn = (Builtin)e->ref_index;
  if (fn == FN_FLAGGED && e->list.count == 1) {
    sql_expr(g, b, e->list.items[0]);
    return;
  }
  if (builtin_is_aggregate(fn)) {
    aggregate(g, b, e, fn);
    return;
  }
  if (fn >= FN_PAST && fn <= FN_COUNT_OVER) {
    sql_trend_col(g, b, e);
    return;
  }
  int32_t n = e->list.count;
  Buf t[3];
  const char *x[3] = {NULL, NULL, NULL};
  switch (fn) {
  case FN_MIN: guarded(g, b, e, "LEAST"); return;
  case FN_MAX: guarded(g, b, e, "GREATEST"); return;
  case FN_ROUND: round_call(g, b, e); return;
  case FN_COALESCE:
    buf_puts(b, "COALESCE(");
    for (int32_t i = 0; i < n; i++) {
      if (i) buf_puts(b, ", ");
      sql_expr(g, b, e->list.items[i]);
    }
    buf_putc(b, ')');
    return;
  case FN_ABS:
  case FN_CLAMP:
  case FN_SCALE:
  case FN_DAYS:
  case FN_DAYS_SINCE:
  case FN_DAYS_UNTIL:
  case FN_LOWER:
  case FN_UPPER:
  case FN_CONTAINS:
  case FN_STARTS_WITH: break;
  default:
    sql_error(g, e->name_span.file >= 0 ? e->name_span : e->span, "kenko sql cannot translate `%s`", e->name);
    return;
  }
  if (n > 3) n = 3;
  for (int32_t i = 0; i < n; i++)
    x[i] = expr_text(g, &t[i], e->list.items[i]);
  switch (fn) {
  case FN_ABS: buf_printf(b, "abs(%s)", x[0]); break;
  case FN_CLAMP:
    buf_printf(
        b, "CASE WHEN %s IS NULL OR %s IS NULL OR %s IS NULL THEN NULL ELSE LEAST(GREATEST(%s, %s), %s) END",
        x[0], x[1], x[2], x[0], x[1], x[2]);
    break;
  case FN_SCALE: {
    Buf s;
    buf_init(&s, NULL);
    buf_printf(&s, "((%s - %s) / NULLIF(%s - %s, 0) * 100)", x[0], x[1], x[2], x[1]);
    buf_putc(&s, '\0');
    sql_clamp100(g, b, s.data);
    buf_free(&s);
    break;
  }
  case FN_DAYS: days_of(g, b, x[0], x[1]); break;
  case FN_DAYS_SINCE: days_of(g, b, x[0], "a.\"as_of\""); break;
  case FN_DAYS_UNTIL: days_of(g, b, "a.\"as_of\"", x[0]); break;
  case FN_LOWER:
    buf_printf(b, "translate(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')", x[0]);
    break;
  case FN_UPPER:
    buf_printf(b, "translate(%s, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')", x[0]);
    break;
  case FN_CONTAINS: buf_printf(b, "(strpos(%s, %s) > 0)", x[0], x[1]); break;
  case FN_STARTS_WITH: buf_printf(b, "starts_with(%s, %s)", x[0], x[1]); break;
  default: break;
  }
  for (int32_t i = 0; i < n; i++)
    buf_free(&t[i]);
}

/* ---- references ---------------------------------------------------------- */

static void ref(SqlGen *g, Buf *b, const Node *e) {
  const Program *p = g->p;
  int32_t i = e->ref_index;
  switch ((RefKind)e->ref_kind) {
  case REF_INPUT:
    if (p->inputs[i].type == T_LIST) break;
    sql_col(b, "in", p->inputs[i].name, i);
    return;
  case REF_INDICATOR:
    if (g->persona_ctx && p->indicators[i].persona_defaults)
      sql_col(b, "ind0", p->indicators[i].name, i);
    else
      sql_col(b, "ind", p->indicators[i].name, i);
    return;
  case REF_THRESHOLD: threshold(g, b, i); return;
  case REF_DIMENSION: sql_col(b, "dim", p->dimensions[i].name, i); return;
  case REF_DIM_GRADE: sql_col(b, "dgrade", p->dimensions[i].name, i); return;
  case REF_MEMBER: sql_member_col(g, b, g->cp->member_first[i] + e->ref_sub); return;
  case REF_SEGMENT: sql_col(b, "seg", p->segments[i].name, i); return;
  case REF_HEALTH: buf_puts(b, "a.\"health\""); return;
  case REF_GRADE: buf_puts(b, "a.\"grade\""); return;
  case REF_PERSONA: buf_puts(b, "a.\"persona\""); return;
  case REF_BOTTLENECK: buf_puts(b, "a.\"bottleneck\""); return;
  case REF_AS_OF: buf_puts(b, "a.\"as_of\""); return;
  case REF_SYMBOL: buf_printf(b, "%d", (int)e->ref_sub); return;
  case REF_FLAG: sql_col(b, "flag", p->flags[i].name, i); return;
  case REF_ELEM_FIELD:
    if (g->elem_alias[i] <= 0) break;
    buf_printf(b, "e%d.", (int)g->elem_alias[i]);
    sql_ident(b, p->inputs[i].fields[e->ref_sub].name);
    return;
  default: break;
  }
  sql_error(g, e->span, "kenko sql cannot translate this reference here");
}

/* ---- operators ------------------------------------------------------------ */

void sql_date_shift_by(SqlGen *g, Buf *b, const char *date, DurUnit unit, int64_t n) {
  char count[32];
  if (unit == DUR_MONTHS) {
    snprintf(count, sizeof count, "%lld", (long long)n);
    Buf moved, last;
    buf_init(&moved, NULL);
    buf_init(&last, NULL);
    sql_tpl(&moved, g->d->add_months, date, count);
    buf_putc(&moved, '\0');
    sql_tpl(&last, g->d->last_day, moved.data, NULL);
    buf_putc(&last, '\0');
    /* a month's last day moves to the target month's last day */
    buf_printf(b, "CASE WHEN %s = ", date);
    sql_tpl(b, g->d->last_day, date, NULL);
    buf_printf(b, " THEN %s ELSE %s END", last.data, moved.data);
    buf_free(&moved);
    buf_free(&last);
    return;
  }
  snprintf(count, sizeof count, "%lld", (long long)(unit == DUR_WEEKS ? 7 * n : n));
  sql_tpl(b, g->d->add_days, date, count);
}

/* DATE (SQL) moved by the duration literal DUR, forward (SIGN 1) or back. */
static void sql_date_shift(SqlGen *g, Buf *b, const char *date, const Node *dur, int sign) {
  if (dur->kind != E_DURATION) {
    sql_error(g, dur->span, "kenko sql needs the duration written in the rule (`30d`, `6mo`)");
    return;
  }
  sql_date_shift_by(g, b, date, (DurUnit)dur->op, (int64_t)(sign * dur->num));
}

/* OPEN L MID R CLOSE, L and R as SQL. */
static void infix(SqlGen *g, Buf *b, const char *open, const Node *l, const char *mid, const Node *r,
                  const char *close) {
  buf_puts(b, open);
  sql_expr(g, b, l);
  buf_puts(b, mid);
  sql_expr(g, b, r);
  buf_puts(b, close);
}

/* The SQL of comparison OP, or NULL when OP is not one. */
static const char *cmp_text(Op op) {
  switch (op) {
  case OP_EQ: return "=";
  case OP_NE: return "<>";
  case OP_LT: return "<";
  case OP_LE: return "<=";
  case OP_GT: return ">";
  case OP_GE: return ">=";
  default: return NULL;
  }
}

static void binary(SqlGen *g, Buf *b, const Node *e) {
  const Node *l = e->a, *r = e->b;
  Op op = (Op)e->op;
  if (op == OP_ADD || op == OP_SUB) {
    bool ldate = l->type == T_DATE, rdate = r->type == T_DATE;
    if (ldate || rdate) {
      const Node *date = ldate ? l : r, *n = ldate ? r : l;
      Buf t, k;
      const char *d = expr_text(g, &t, date);
      if (n->type == T_DURATION || n->kind == E_DURATION) {
        sql_date_shift(g, b, d, n, op == OP_SUB ? -1 : 1);
      } else {
        buf_init(&k, NULL);
        buf_printf(&k, "%strunc(", op == OP_SUB ? "- " : "");
        sql_expr(g, &k, n);
        buf_putc(&k, ')');
        buf_putc(&k, '\0');
        sql_tpl(b, g->d->add_days, d, k.data);
        buf_free(&k);
      }
      buf_free(&t);
      return;
    }
  }
  const char *cmp = cmp_text(op);
  if (cmp) {
    /* text orders by bytes */
    bool order = op != OP_EQ && op != OP_NE && l->type == T_TEXT;
    buf_putc(b, '(');
    if (order) buf_putc(b, '(');
    sql_expr(g, b, l);
    if (order) {
      buf_putc(b, ')');
      buf_puts(b, g->d->byte_order);
    }
    buf_printf(b, " %s ", cmp);
    sql_expr(g, b, r);
    buf_putc(b, ')');
    return;
  }
  switch (op) {
  case OP_ADD: infix(g, b, "(", l, " + ", r, ")"); return;
  case OP_SUB: infix(g, b, "(", l, " - ", r, ")"); return;
  case OP_MUL: infix(g, b, "(", l, " * ", r, ")"); return;
  case OP_DIV: infix(g, b, "(", l, " / NULLIF(", r, ", 0))"); return;
  case OP_MOD: {
    /* floored: the sign of the divisor, like value_arith's fmod fix-up */
    Buf tl, tr;
    const char *x = expr_text(g, &tl, l), *y = expr_text(g, &tr, r);
    buf_printf(b, "(%s - %s * floor(%s / NULLIF(%s, 0)))", x, y, x, y);
    buf_free(&tl);
    buf_free(&tr);
    return;
  }
  case OP_AND: infix(g, b, "(", l, " AND ", r, ")"); return;
  case OP_OR: infix(g, b, "(", l, " OR ", r, ")"); return;
  case OP_COALESCE: infix(g, b, "COALESCE(", l, ", ", r, ")"); return;
  default: sql_error(g, e->span, "kenko sql cannot translate this operator"); return;
  }
}

void sql_expr(SqlGen *g, Buf *b, const Node *e) {
  switch ((NodeKind)e->kind) {
  case E_NUM: sql_num(g, b, e->num); return;
  case E_STR: sql_str(b, e->str); return;
  case E_DATE: sql_date(b, e->date); return;
  case E_BOOL: buf_puts(b, e->num != 0 ? "TRUE" : "FALSE"); return;
  case E_MISSING: sql_null(g, b, e->type); return;
  case E_NAME:
  case E_FIELD: ref(g, b, e); return;
  case E_CALL: call(g, b, e); return;
  case E_UNARY:
    buf_puts(b, e->op == OP_NOT ? "(NOT " : "(- ");
    sql_expr(g, b, e->a);
    buf_putc(b, ')');
    return;
  case E_BINARY: binary(g, b, e); return;
  case E_IN:
    buf_putc(b, '(');
    sql_expr(g, b, e->a);
    buf_puts(b, " IN (");
    for (int32_t i = 0; i < e->b->list.count; i++) {
      if (i) buf_puts(b, ", ");
      sql_expr(g, b, e->b->list.items[i]);
    }
    buf_puts(b, "))");
    return;
  case E_IS_MISSING:
    if (e->a->type == T_LIST && (e->a->kind == E_NAME) && e->a->ref_kind == REF_INPUT) {
      list_missing(g, b, e, (e->flags & NF_NEGATED) != 0);
      return;
    }
    buf_putc(b, '(');
    sql_expr(g, b, e->a);
    buf_puts(b, (e->flags & NF_NEGATED) ? " IS NOT NULL)" : " IS NULL)");
    return;
  case E_IF: {
    Buf t;
    const char *c = expr_text(g, &t, e->a);
    buf_printf(b, "CASE WHEN %s THEN ", c);
    sql_expr(g, b, e->b);
    buf_printf(b, " WHEN NOT %s THEN ", c);
    sql_expr(g, b, e->c);
    buf_puts(b, " END");
    buf_free(&t);
    return;
  }
  default: break;
  }
  sql_error(g, e->span, "kenko sql cannot translate this expression");
}
