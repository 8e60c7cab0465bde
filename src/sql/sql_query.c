/* sql_query.c — the query of `kenko sql`: the stages of the evaluation
 * (eval.c) as CTEs, each adding its columns to the account row of the one
 * before (`a.*`), then the columns of `run --format csv`.
 *
 * What is computed per account forms the graph the checker ordered; here
 * every computed thing is a node (an indicator, the indicators persona
 * conditions see with the default thresholds, the persona, a segment, a
 * member, a dimension's weighted sums, a dimension's score and grade, the
 * health's sums, the health and grade, a flag, the journey). Each node
 * has a phase (that list's order) and a round: a node goes in the round
 * of its latest dependency, one later when that dependency is of its own
 * phase or a later one. The CTEs are the non-empty (round, phase) pairs
 * in order, so a column is only ever read from an earlier CTE, and the
 * usual rules read as one CTE per stage. Columns are named by kind
 * ("ind:active_ratio", "m:utilization.logins", "dim:outcome"), which can
 * clash with no data column since the inputs are renamed too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_int.h"

typedef enum Phase {
  PH_TREND, /* trend calls: joins on earlier snapshots (sql_history.c) */
  PH_INDICATOR,
  PH_INDICATOR_DEFAULT,
  PH_PERSONA,
  PH_SEGMENT,
  PH_MEMBER,
  PH_DIM_SUMS,
  PH_DIMENSION,
  PH_HEALTH_SUMS,
  PH_HEALTH,
  PH_FLAG,
  PH_JOURNEY,
  PH_COUNT
} Phase;

static const char *const phase_name[PH_COUNT] = {
    "trends",         "indicators", "persona_indicators", "persona", "segments", "members",
    "dimension_sums", "dimensions", "health_sums",        "health",  "flags",    "journey",
};

typedef struct Plan {
  int32_t base[PH_COUNT + 1]; /* node ids: base[phase] + index */
  int32_t n;
  int32_t *round;
  int32_t **deps; /* per node, -1 terminated */
} Plan;

static int32_t count_of(const Program *p, const CProgram *cp, Phase ph) {
  switch (ph) {
  case PH_TREND: return p->ntrend_calls;
  case PH_INDICATOR:
  case PH_INDICATOR_DEFAULT: return p->nindicators;
  case PH_PERSONA: return 1;
  case PH_SEGMENT: return p->nsegments;
  case PH_MEMBER: return cp->nmembers;
  case PH_DIM_SUMS:
  case PH_DIMENSION: return p->ndimensions;
  case PH_HEALTH_SUMS:
  case PH_HEALTH: return 1;
  case PH_FLAG: return p->nflags;
  case PH_JOURNEY: return p->has_journey ? 1 : 0;
  default: return 0;
  }
}

static Phase phase_of(const Plan *pl, int32_t node) {
  int ph = 0;
  while (ph + 1 < PH_COUNT && pl->base[ph + 1] <= node)
    ph++;
  return (Phase)ph;
}

/* Dependencies as a growable list of node ids. */
typedef struct Deps {
  int32_t *v;
  int32_t n, cap;
} Deps;

static void dep_add(Deps *d, int32_t node) {
  for (int32_t i = 0; i < d->n; i++)
    if (d->v[i] == node) return;
  if (d->n + 2 > d->cap) {
    d->cap = d->cap ? 2 * d->cap : 8;
    d->v = realloc(d->v, (size_t)d->cap * sizeof *d->v);
    if (!d->v) abort();
  }
  d->v[d->n++] = node;
}

/* The node a reference (KIND, INDEX, SUB) reads (persona conditions:
 * PERSONA_CTX). */
static void ref_deps(const SqlGen *g, const Plan *pl, int kind, int32_t i, int32_t sub, bool persona_ctx,
                     Deps *d) {
  const Program *p = g->p;
  switch ((RefKind)kind) {
  case REF_INDICATOR:
    dep_add(d,
            pl->base[persona_ctx && p->indicators[i].persona_defaults ? PH_INDICATOR_DEFAULT : PH_INDICATOR] +
                i);
    break;
  case REF_THRESHOLD:
    if (!persona_ctx && g->cp->threshold_varies[i]) dep_add(d, pl->base[PH_PERSONA]);
    break;
  case REF_DIMENSION:
  case REF_DIM_GRADE: dep_add(d, pl->base[PH_DIMENSION] + i); break;
  case REF_MEMBER: dep_add(d, pl->base[PH_MEMBER] + g->cp->member_first[i] + sub); break;
  case REF_SEGMENT: dep_add(d, pl->base[PH_SEGMENT] + i); break;
  case REF_HEALTH:
  case REF_GRADE: dep_add(d, pl->base[PH_HEALTH]); break;
  case REF_PERSONA: dep_add(d, pl->base[PH_PERSONA]); break;
  case REF_BOTTLENECK:
    if (p->has_journey) dep_add(d, pl->base[PH_JOURNEY]);
    break;
  case REF_FLAG: dep_add(d, pl->base[PH_FLAG] + i); break;
  default: break;
  }
}

/* The nodes expression E reads (persona conditions: PERSONA_CTX); a trend
 * call reads its own node, which reads what it looks back at. */
static void expr_deps(const SqlGen *g, const Plan *pl, const Node *e, bool persona_ctx, Deps *d) {
  if (!e) return;
  if (e->kind == E_CALL && e->ref_kind == REF_FUNC && e->ref_index >= FN_PAST &&
      e->ref_index <= FN_COUNT_OVER && e->ref_sub >= 0) {
    dep_add(d, pl->base[PH_TREND] + e->ref_sub);
    return;
  }
  if (e->kind == E_NAME || e->kind == E_FIELD || e->kind == E_CALL)
    ref_deps(g, pl, e->ref_kind, e->ref_index, e->ref_sub, persona_ctx, d);
  expr_deps(g, pl, e->a, persona_ctx, d);
  expr_deps(g, pl, e->b, persona_ctx, d);
  expr_deps(g, pl, e->c, persona_ctx, d);
  for (int32_t k = 0; k < e->list.count; k++)
    expr_deps(g, pl, e->list.items[k], persona_ctx, d);
}

/* The dimension of flat member I. */
static int32_t member_dim(const SqlGen *g, int32_t i) {
  int32_t d = 0;
  while (d + 1 < g->p->ndimensions && g->cp->member_first[d + 1] <= i)
    d++;
  return d;
}

static const Member *member_at(const SqlGen *g, int32_t i) {
  int32_t d = member_dim(g, i);
  return &g->p->dimensions[d].members[i - g->cp->member_first[d]];
}

static void node_deps(const SqlGen *g, const Plan *pl, int32_t node, Deps *d) {
  const Program *p = g->p;
  Phase ph = phase_of(pl, node);
  int32_t i = node - pl->base[ph];
  switch (ph) {
  case PH_TREND: {
    const TrendSubject *t = &p->trend_subjects[p->trend_calls[i].subject];
    ref_deps(g, pl, t->kind, t->index, t->sub, false, d);
    break;
  }
  case PH_INDICATOR: expr_deps(g, pl, p->indicators[i].expr, false, d); break;
  case PH_INDICATOR_DEFAULT: expr_deps(g, pl, p->indicators[i].expr, true, d); break;
  case PH_PERSONA:
    for (int32_t k = 0; k < p->npersonas; k++)
      expr_deps(g, pl, p->personas[k].cond, true, d);
    break;
  case PH_SEGMENT:
    for (int32_t k = 0; k < p->segments[i].ncases; k++)
      expr_deps(g, pl, p->segments[i].cases[k].cond, false, d);
    break;
  case PH_MEMBER: {
    const Member *m = member_at(g, i);
    expr_deps(g, pl, m->expr, false, d);
    for (int32_t k = 0; k < m->nbands; k++) {
      expr_deps(g, pl, m->bands[k].cond, false, d);
      expr_deps(g, pl, m->bands[k].value, false, d);
    }
    break;
  }
  case PH_DIM_SUMS:
    dep_add(d, pl->base[PH_PERSONA]);
    for (int32_t k = g->cp->member_first[i]; k < g->cp->member_first[i + 1]; k++)
      dep_add(d, pl->base[PH_MEMBER] + k);
    break;
  case PH_DIMENSION:
    dep_add(d, pl->base[PH_PERSONA]);
    dep_add(d, pl->base[PH_DIM_SUMS] + i);
    break;
  case PH_HEALTH_SUMS:
    dep_add(d, pl->base[PH_PERSONA]);
    for (int32_t k = 0; k < p->ndimensions; k++)
      dep_add(d, pl->base[PH_DIMENSION] + k);
    break;
  case PH_HEALTH:
    dep_add(d, pl->base[PH_PERSONA]);
    dep_add(d, pl->base[PH_HEALTH_SUMS]);
    break;
  case PH_FLAG: expr_deps(g, pl, p->flags[i].cond, false, d); break;
  case PH_JOURNEY:
    for (int32_t k = 0; k < p->nsteps; k++)
      expr_deps(g, pl, p->steps[k].cond, false, d);
    break;
  default: break;
  }
}

/* Rounds by relaxation: the graph is acyclic (the checker said so), so
 * this ends; the usual rules need two or three passes. */
static bool plan_rounds(const SqlGen *g, Plan *pl) {
  for (int ph = 0; ph <= PH_COUNT; ph++)
    pl->base[ph] = ph == 0 ? 0 : pl->base[ph - 1] + count_of(g->p, g->cp, (Phase)(ph - 1));
  pl->n = pl->base[PH_COUNT];
  pl->round = xcalloc((size_t)pl->n + 1, sizeof *pl->round);
  pl->deps = xcalloc((size_t)pl->n + 1, sizeof *pl->deps);
  for (int32_t v = 0; v < pl->n; v++) {
    Deps d = {NULL, 0, 0};
    node_deps(g, pl, v, &d);
    dep_add(&d, -1);
    d.n--;
    d.v[d.n] = -1;
    pl->deps[v] = d.v;
  }
  for (int32_t pass = 0; pass <= pl->n; pass++) {
    bool changed = false;
    for (int32_t v = 0; v < pl->n; v++) {
      Phase ph = phase_of(pl, v);
      int32_t r = 0;
      for (const int32_t *u = pl->deps[v]; *u >= 0; u++) {
        int32_t need = pl->round[*u] + (phase_of(pl, *u) >= ph ? 1 : 0);
        if (need > r) r = need;
      }
      if (r != pl->round[v]) {
        pl->round[v] = r;
        changed = true;
      }
    }
    if (!changed) return true;
  }
  return false; /* a cycle: see trend_cycles */
}

/* Whether node FROM reads node TO, directly or not (SEEN: per node). */
static bool plan_reaches(const Plan *pl, int32_t from, int32_t to, uint8_t *seen) {
  if (from == to) return true;
  if (seen[from]) return false;
  seen[from] = 1;
  for (const int32_t *u = pl->deps[from]; *u >= 0; u++)
    if (plan_reaches(pl, *u, to, seen)) return true;
  return false;
}

/* The first call of trend call K in E, or NULL. */
static const Node *find_trend_call(const Node *e, int32_t k) {
  if (!e) return NULL;
  if (e->kind == E_CALL && e->ref_kind == REF_FUNC && e->ref_index >= FN_PAST &&
      e->ref_index <= FN_COUNT_OVER && e->ref_sub == k)
    return e;
  const Node *kids[3] = {e->a, e->b, e->c}, *f;
  for (int i = 0; i < 3; i++)
    if ((f = find_trend_call(kids[i], k))) return f;
  for (int32_t i = 0; i < e->list.count; i++)
    if ((f = find_trend_call(e->list.items[i], k))) return f;
  return NULL;
}

/* The plan has a cycle only through a persona condition that looks back
 * at a value the persona decides (an indicator with the persona's
 * thresholds: the checker sees the default-threshold one, the snapshots
 * keep the persona's). Each stage of the query computes every snapshot
 * at once, so it cannot: each such trend call is refused. */
static void trend_cycles(SqlGen *g, const Plan *pl) {
  const Program *p = g->p;
  uint8_t *seen = xcalloc((size_t)pl->n + 1, 1);
  int32_t persona = pl->base[PH_PERSONA];
  for (int32_t k = 0; k < p->ntrend_calls; k++) {
    int32_t t = pl->base[PH_TREND] + k;
    memset(seen, 0, (size_t)pl->n + 1);
    if (!plan_reaches(pl, t, persona, seen)) continue;
    memset(seen, 0, (size_t)pl->n + 1);
    if (!plan_reaches(pl, persona, t, seen)) continue;
    const Node *at = NULL;
    for (int32_t i = 0; i < p->npersonas && !at; i++)
      at = find_trend_call(p->personas[i].cond, k);
    for (int32_t i = 0; i < p->nindicators && !at; i++)
      at = find_trend_call(p->indicators[i].expr, k);
    const TrendSubject *x = &p->trend_subjects[p->trend_calls[k].subject];
    sql_error(
        g, at ? at->span : p->personas[0].node->span,
        "kenko sql cannot translate this look back at `%s` for the persona: the snapshots keep `%s` as the "
        "persona decides it, and the query computes each stage for every snapshot at once",
        x->name, x->name);
  }
  free(seen);
}

static void plan_free(Plan *pl) {
  for (int32_t v = 0; v < pl->n; v++)
    free(pl->deps[v]);
  free(pl->deps);
  free(pl->round);
}

/* ---- writing the columns -------------------------------------------------- */

void sql_comment(SqlGen *g, Buf *b, const Node *at, const char *what, const char *name) {
  sql_comment_at(g, b, at ? at->span : SPAN_NONE, what, name);
}

void sql_comment_at(SqlGen *g, Buf *b, Span at, const char *what, const char *name) {
  buf_puts(b, "    -- ");
  if (at.file >= 0) {
    const Source *s = src_get(&g->p->sources, at.file);
    int line = 0, col = 0;
    src_line_col(s, at.begin, &line, &col);
    for (const char *c = s->path; *c; c++)
      buf_putc(b, *c == '\n' || *c == '\r' ? ' ' : *c);
    buf_printf(b, ":%d ", line);
  }
  buf_puts(b, what);
  if (name) {
    buf_putc(b, ' ');
    buf_puts(b, name);
  }
  buf_putc(b, '\n');
}

/* The column sql_col writes, as a string in T (initialised here). */
static const char *col_text(Buf *t, const char *prefix, const char *name, int32_t index) {
  buf_init(t, NULL);
  sql_col(t, prefix, name, index);
  buf_putc(t, '\0');
  return t->data;
}

/* "    EXPR AS COLUMN" (COLUMN written by sql_col, without the "a.") */
static void as_col(Buf *b, const char *prefix, const char *name, int32_t index) {
  Buf c;
  col_text(&c, prefix, name, index);
  buf_puts(b, " AS ");
  buf_puts(b, c.data + 2);
  buf_free(&c);
}

/* CASE choosing the first true condition (a NULL one counts as false):
 * the persona's or a segment's case index, NULL when none matches. */
static void first_true(SqlGen *g, Buf *b, Node *const *conds, int32_t n, size_t stride) {
  buf_puts(b, "    CASE");
  int32_t otherwise = -1;
  for (int32_t k = 0; k < n; k++) {
    const Node *c = *(Node *const *)((const char *)conds + (size_t)k * stride);
    if (!c) {
      otherwise = k;
      break;
    }
    buf_puts(b, "\n      WHEN ");
    sql_expr(g, b, c);
    buf_printf(b, " THEN %d", (int)k);
  }
  if (otherwise >= 0) buf_printf(b, "\n      ELSE %d", (int)otherwise);
  buf_puts(b, "\n    END");
}

/* Grade set SET of score X (NULL: no grade). */
static void grade_case(Buf *b, const Program *p, int32_t set, const char *x) {
  if (set < 0) {
    buf_puts(b, "CAST(NULL AS INTEGER)");
    return;
  }
  const GradeSet *gs = &p->grade_sets[set];
  buf_printf(b, "CASE WHEN %s IS NULL THEN NULL", x);
  for (int32_t k = 0; k + 1 < gs->nbands; k++) {
    char bound[64];
    num_format(gs->bands[k].bound, bound);
    buf_printf(b, " WHEN %s >= %s THEN %d", x, bound, (int)gs->bands[k].grade);
  }
  buf_printf(b, " ELSE %d END", (int)gs->bands[gs->nbands - 1].grade);
}

/* The grade of score X with the grade set each persona uses (SETS[k],
 * SETS[np] the default). */
static void persona_grade(SqlGen *g, Buf *b, const int32_t *sets, const char *x) {
  int32_t np = g->p->npersonas;
  bool same = true;
  for (int32_t k = 0; k < np; k++)
    if (sets[k] != sets[np]) same = false;
  if (same) {
    grade_case(b, g->p, sets[np], x);
    return;
  }
  buf_puts(b, "CASE a.\"persona\"");
  for (int32_t k = 0; k < np; k++) {
    if (sets[k] == sets[np]) continue;
    buf_printf(b, " WHEN %d THEN ", (int)k);
    grade_case(b, g->p, sets[k], x);
  }
  buf_puts(b, " ELSE ");
  grade_case(b, g->p, sets[np], x);
  buf_puts(b, " END");
}

/* Member I's weight in effect (DIM: dimension I's), per persona (<= 0:
 * takes no part, written 0). */
static void persona_weight(SqlGen *g, Buf *b, bool dim, int32_t i) {
  int32_t np = g->p->npersonas;
  double *w = xcalloc((size_t)np + 2, sizeof *w);
  for (int32_t k = 0; k <= np; k++) {
    double x = dim ? g->cp->variants[k].dim_weight[i] : g->cp->variants[k].member_weight[i];
    w[k] = x > 0 ? x : 0;
  }
  sql_persona_num(g, b, w);
  free(w);
}

static void member_weight(SqlGen *g, Buf *b, int32_t i) { persona_weight(g, b, false, i); }
static void dim_weight(SqlGen *g, Buf *b, int32_t d) { persona_weight(g, b, true, d); }

static void member_column(SqlGen *g, Buf *b, int32_t i) {
  const Member *m = member_at(g, i);
  Buf t;
  buf_init(&t, NULL);
  buf_puts(b, "    ");
  switch (m->kind) {
  case MEMBER_RULE:
    sql_expr(g, &t, m->expr);
    buf_putc(&t, '\0');
    buf_printf(b, "CASE WHEN %s THEN ", t.data);
    sql_num(g, b, 100);
    buf_printf(b, " WHEN NOT %s THEN ", t.data);
    sql_num(g, b, 0);
    buf_puts(b, " END");
    break;
  case MEMBER_SCORE:
    sql_expr(g, &t, m->expr);
    buf_putc(&t, '\0');
    if (m->expr->kind == E_CALL && m->expr->ref_kind == REF_FUNC && m->expr->ref_index == FN_SCALE)
      buf_puts(b, t.data); /* scale is within 0..100 already */
    else
      sql_clamp100(g, b, t.data);
    break;
  case MEMBER_BANDS:
    /* the first true band; a NULL condition before it makes the member N/A */
    buf_puts(b, "CASE");
    for (int32_t k = 0; k < m->nbands; k++) {
      const Band *band = &m->bands[k];
      Buf v;
      buf_init(&v, NULL);
      sql_expr(g, &v, band->value);
      buf_putc(&v, '\0');
      t.len = 0;
      if (band->cond) {
        sql_expr(g, &t, band->cond);
        buf_putc(&t, '\0');
        buf_printf(b, "\n      WHEN %s THEN ", t.data);
      } else {
        buf_puts(b, "\n      ELSE ");
      }
      if (band->value->kind == E_NUM) /* a constant, clamped here */
        sql_num(g, b, band->value->num < 0 ? 0 : band->value->num > 100 ? 100 : band->value->num);
      else
        sql_clamp100(g, b, v.data);
      if (band->cond) buf_printf(b, "\n      WHEN %s IS NULL THEN NULL", t.data);
      buf_free(&v);
      if (!band->cond) break;
    }
    buf_puts(b, "\n    END");
    break;
  }
  buf_free(&t);
}

void sql_weighted(SqlGen *g, Buf *b, const char *x, const char *w, bool times) {
  buf_printf(b, "CASE WHEN %s IS NULL THEN ", x);
  sql_num(g, b, 0);
  buf_printf(b, " ELSE %s", w);
  if (times) buf_printf(b, " * %s", x);
  buf_puts(b, " END");
}

/* Σ wᵢ·sᵢ (WEIGHTS: Σ wᵢ) over the members of dimension D (DIMS false)
 * or over the dimensions (DIMS true) that have a score: "a + b + c", 0 over
 * none. */
static void weighted_sum(SqlGen *g, Buf *b, bool dims, int32_t d, bool weights) {
  int32_t first = dims ? 0 : g->cp->member_first[d],
          last = dims ? g->p->ndimensions : g->cp->member_first[d + 1];
  if (first == last) sql_num(g, b, 0);
  Buf x, w;
  buf_init(&x, NULL);
  buf_init(&w, NULL);
  for (int32_t i = first; i < last; i++) {
    x.len = w.len = 0;
    if (dims)
      sql_col(&x, "dim", g->p->dimensions[i].name, i);
    else
      sql_member_col(g, &x, i);
    buf_putc(&x, '\0');
    persona_weight(g, &w, dims, i);
    buf_putc(&w, '\0');
    if (i > first) buf_puts(b, "\n      + ");
    sql_weighted(g, b, x.data, w.data, !weights);
  }
  buf_free(&x);
  buf_free(&w);
}

/* The columns node V adds, each ended by ",\n" (the caller trims). */
static void node_columns(SqlGen *g, const Plan *pl, Buf *b, int32_t v) {
  const Program *p = g->p;
  const CProgram *cp = g->cp;
  Phase ph = phase_of(pl, v);
  int32_t i = v - pl->base[ph];
  int32_t np = p->npersonas;
  switch (ph) {
  case PH_INDICATOR:
  case PH_INDICATOR_DEFAULT: {
    const IndicatorDecl *ind = &p->indicators[i];
    if (ph == PH_INDICATOR_DEFAULT && !ind->persona_defaults) return;
    if (ind->type == T_LIST) {
      sql_error(g, ind->node->name_span, "kenko sql cannot translate an indicator that is a list");
      return;
    }
    sql_comment(g, b, ind->node,
                ph == PH_INDICATOR ? "indicator" : "indicator (default thresholds, for personas)", ind->name);
    g->persona_ctx = ph == PH_INDICATOR_DEFAULT;
    buf_puts(b, "    ");
    sql_expr(g, b, ind->expr);
    g->persona_ctx = false;
    as_col(b, ph == PH_INDICATOR ? "ind" : "ind0", ind->name, i);
    break;
  }
  case PH_PERSONA: {
    if (np == 0) {
      buf_puts(b, "    CAST(NULL AS INTEGER) AS \"persona\"");
      break;
    }
    sql_comment(g, b, p->personas[0].node, "personas, first match", NULL);
    g->persona_ctx = true;
    first_true(g, b, &p->personas[0].cond, np, sizeof p->personas[0]);
    g->persona_ctx = false;
    buf_puts(b, " AS \"persona\"");
    break;
  }
  case PH_SEGMENT: {
    const SegmentDecl *s = &p->segments[i];
    sql_comment(g, b, s->node, "segment", s->name);
    first_true(g, b, &s->cases[0].cond, s->ncases, sizeof s->cases[0]);
    as_col(b, "seg", s->name, i);
    break;
  }
  case PH_MEMBER: {
    const Member *m = member_at(g, i);
    Buf name;
    buf_init(&name, NULL);
    buf_printf(&name, "%s %s.%s", m->kind == MEMBER_RULE ? "rule" : "score",
               p->dimensions[member_dim(g, i)].name, m->name);
    buf_putc(&name, '\0');
    sql_comment(g, b, m->node, name.data, NULL);
    buf_free(&name);
    member_column(g, b, i);
    buf_puts(b, " AS ");
    Buf c;
    buf_init(&c, NULL);
    sql_member_col(g, &c, i);
    buf_putc(&c, '\0');
    buf_puts(b, c.data + 2);
    buf_free(&c);
    break;
  }
  case PH_DIM_SUMS: {
    const DimensionDecl *dim = &p->dimensions[i];
    sql_comment(g, b, dim->node, "dimension (Σ wᵢ·sᵢ and Σ wᵢ over the members with a score)", dim->name);
    buf_puts(b, "    ");
    weighted_sum(g, b, false, i, false);
    as_col(b, "dnum", dim->name, i);
    buf_puts(b, ",\n    ");
    weighted_sum(g, b, false, i, true);
    as_col(b, "dden", dim->name, i);
    break;
  }
  case PH_DIMENSION: {
    const DimensionDecl *dim = &p->dimensions[i];
    sql_comment(g, b, dim->node, "dimension score and grade", dim->name);
    Buf x, num, den;
    buf_init(&x, NULL);
    col_text(&num, "dnum", dim->name, i);
    col_text(&den, "dden", dim->name, i);
    buf_printf(&x, "(%s / NULLIF(%s, 0))", num.data, den.data);
    buf_putc(&x, '\0');
    buf_printf(b, "    %s", x.data);
    as_col(b, "dim", dim->name, i);
    buf_puts(b, ",\n    ");
    int32_t *sets = xcalloc((size_t)np + 2, sizeof *sets);
    for (int32_t k = 0; k <= np; k++)
      sets[k] = cp->variants[k].dim_grades[i];
    persona_grade(g, b, sets, x.data);
    free(sets);
    as_col(b, "dgrade", dim->name, i);
    buf_free(&x);
    buf_free(&num);
    buf_free(&den);
    break;
  }
  case PH_HEALTH_SUMS:
    sql_comment(g, b, NULL, "health (Σ W_d·S_d and Σ W_d over the dimensions with a score)", NULL);
    buf_puts(b, "    ");
    weighted_sum(g, b, true, 0, false);
    buf_puts(b, " AS \"hnum\",\n    ");
    weighted_sum(g, b, true, 0, true);
    buf_puts(b, " AS \"hden\"");
    break;
  case PH_HEALTH: {
    sql_comment(g, b, NULL, "health and grade", NULL);
    const char *x = "(a.\"hnum\" / NULLIF(a.\"hden\", 0))";
    buf_printf(b, "    %s AS \"health\",\n    ", x);
    int32_t *sets = xcalloc((size_t)np + 2, sizeof *sets);
    for (int32_t k = 0; k <= np; k++)
      sets[k] = cp->variants[k].health_grades;
    persona_grade(g, b, sets, x);
    free(sets);
    buf_puts(b, " AS \"grade\"");
    break;
  }
  case PH_FLAG: {
    const FlagDecl *f = &p->flags[i];
    sql_comment(g, b, f->node, "flag", f->name);
    buf_puts(b, "    COALESCE(");
    sql_expr(g, b, f->cond);
    buf_puts(b, ", FALSE)");
    as_col(b, "flag", f->name, i);
    break;
  }
  case PH_JOURNEY:
    sql_comment(g, b, p->nsteps ? p->steps[0].node : NULL, "journey: the first step not passed", NULL);
    buf_puts(b, "    CASE");
    for (int32_t k = 0; k < p->nsteps; k++) {
      buf_puts(b, "\n      WHEN (");
      sql_expr(g, b, p->steps[k].cond);
      buf_printf(b, ") IS NOT TRUE THEN %d", (int)k);
    }
    buf_puts(b, "\n    END AS \"bottleneck\"");
    break;
  default: return;
  }
  buf_puts(b, ",\n");
}

/* ---- the query -------------------------------------------------------------- */

static void inputs_cte(SqlGen *g, Buf *b) {
  const Program *p = g->p;
  buf_puts(b, "inputs AS (\n  SELECT\n");
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    if (in->type == T_LIST) continue;
    sql_comment(g, b, in->node, "input", in->name);
    buf_puts(b, "    t.");
    sql_ident(b, in->column ? in->column : in->name);
    as_col(b, "in", in->name, i);
    buf_puts(b, ",\n");
  }
  if (sql_history(p)) { /* every row scored as of its snapshot */
    buf_puts(b, "    t.");
    sql_ident(b, sql_snapshot_column(p));
    buf_puts(b, " AS \"as_of\"\n");
  } else if (g->o->has_as_of) {
    char d[11];
    date_format(g->o->as_of, d);
    buf_printf(b, "    DATE '%s' AS \"as_of\"\n", d);
  } else {
    buf_puts(b, "    CURRENT_DATE AS \"as_of\"\n");
  }
  buf_puts(b, "  FROM ");
  sql_ident(b, g->o->table);
  buf_puts(b, " AS t");
  sql_history_rows(g, b);
  buf_puts(b, "\n)");
}

/* CASE mapping the symbol in column X to its name. */
static void symbol_names(Buf *b, const char *x, const char *const *names, size_t stride, int32_t n) {
  if (n == 0) {
    buf_puts(b, "CAST(NULL AS text)");
    return;
  }
  buf_printf(b, "CASE %s", x);
  for (int32_t k = 0; k < n; k++) {
    buf_printf(b, " WHEN %d THEN ", (int)k);
    sql_str(b, *(const char *const *)((const char *)names + (size_t)k * stride));
  }
  buf_puts(b, " END");
}

/* The `members` JSON column of --explain: per member its dimension, name,
 * status, score, weight in effect and lost points. */
static void members_json(SqlGen *g, Buf *b) {
  const Program *p = g->p;
  const SqlDialect *d = g->d;
  buf_printf(b, ",\n  %s(", d->json_array);
  int32_t nm = 0;
  for (int32_t di = 0; di < p->ndimensions; di++) {
    const DimensionDecl *dim = &p->dimensions[di];
    Buf score, dscore, dden;
    col_text(&dscore, "dim", dim->name, di);
    col_text(&dden, "dden", dim->name, di);
    for (int32_t k = 0; k < dim->nmembers; k++) {
      int32_t i = g->cp->member_first[di] + k;
      const Member *m = &dim->members[k];
      buf_init(&score, NULL);
      sql_member_col(g, &score, i);
      buf_putc(&score, '\0');
      const char *s = score.data;
      buf_printf(b, "%s\n    %s('dimension', ", nm++ ? "," : "", d->json_object);
      sql_str(b, dim->name);
      buf_puts(b, ", 'name', ");
      sql_str(b, m->name);
      if (m->kind == MEMBER_RULE)
        buf_printf(b, ", 'status', CASE WHEN %s IS NULL THEN 'n/a' WHEN %s = 100 THEN 'pass' ELSE 'fail' END",
                   s, s);
      else
        buf_printf(b, ", 'status', CASE WHEN %s IS NULL THEN 'n/a' ELSE 'scored' END", s);
      buf_printf(b, ", 'score', %s, 'weight', ", s);
      member_weight(g, b, i);
      /* lost = (W_d/ΣW)·(wᵢ/Σw_d)·(100 − sᵢ) for what counted (eval.c) */
      buf_printf(b, ", 'lost', CASE WHEN a.\"health\" IS NOT NULL AND %s IS NOT NULL AND %s IS NOT NULL AND ",
                 dscore.data, s);
      dim_weight(g, b, di);
      buf_puts(b, " > 0 AND ");
      member_weight(g, b, i);
      buf_puts(b, " > 0 THEN (");
      dim_weight(g, b, di);
      buf_puts(b, " / a.\"hden\") * (");
      member_weight(g, b, i);
      buf_printf(b, " / %s) * (100 - %s) ELSE ", dden.data, s);
      sql_num(g, b, 0);
      buf_puts(b, " END)");
      buf_free(&score);
    }
    buf_free(&dscore);
    buf_free(&dden);
  }
  buf_puts(b, "\n  ) AS \"members\"");
}

static void final_select(SqlGen *g, Buf *b, const char *last) {
  const Program *p = g->p;
  buf_puts(b, "SELECT\n  CAST(");
  sql_col(b, "in", p->inputs[p->key_input].name, p->key_input);
  buf_printf(b, " AS %s) AS \"id\",\n  ", g->d->text_type);
  bool history = sql_history(p); /* history --format csv's columns */
  if (history) buf_printf(b, "a.\"as_of\" AS \"as_of\",\n  '%s' AS \"rules\",\n  ", g->o->rules_id);
  symbol_names(b, "a.\"persona\"", &p->personas[0].name, sizeof p->personas[0], p->npersonas);
  buf_puts(b, " AS \"persona\",\n  a.\"health\" AS \"health\",\n  ");
  symbol_names(b, "a.\"grade\"", p->grade_names, sizeof p->grade_names[0], p->ngrade_names);
  buf_puts(b, " AS \"grade\"");
  if (history) {
    buf_puts(b, ",\n  ");
    sql_coverage(g, b);
    buf_puts(b, " AS \"coverage\"");
  }
  for (int32_t d = 0; d < p->ndimensions; d++) {
    const char *name = p->dimensions[d].name;
    buf_puts(b, ",\n  ");
    sql_col(b, "dim", name, d);
    buf_puts(b, " AS ");
    sql_ident(b, name);
    buf_puts(b, ",\n  ");
    Buf c, n;
    buf_init(&n, NULL);
    symbol_names(b, col_text(&c, "dgrade", name, d), p->grade_names, sizeof p->grade_names[0],
                 p->ngrade_names);
    buf_printf(&n, "%s_grade", name);
    buf_putc(&n, '\0');
    buf_puts(b, " AS ");
    sql_ident(b, n.data);
    buf_free(&c);
    buf_free(&n);
  }
  /* the raised flags joined with ';' (declaration order) */
  buf_puts(b, ",\n  ");
  if (p->nflags == 0) {
    buf_printf(b, "CAST('' AS %s)", g->d->text_type);
  } else {
    buf_puts(b, "substr(");
    for (int32_t f = 0; f < p->nflags; f++) {
      buf_puts(b, f ? "\n    || " : "");
      buf_puts(b, "CASE WHEN ");
      sql_col(b, "flag", p->flags[f].name, f);
      buf_printf(b, " THEN ';%s' ELSE '' END", p->flags[f].name);
    }
    buf_puts(b, ", 2)");
  }
  buf_puts(b, " AS \"flags\",\n  ");
  if (p->has_journey)
    symbol_names(b, "a.\"bottleneck\"", &p->steps[0].name, sizeof p->steps[0], p->nsteps);
  else
    buf_printf(b, "CAST(NULL AS %s)", g->d->text_type);
  buf_puts(b, " AS \"bottleneck\"");
  if (!history) buf_printf(b, ",\n  a.\"as_of\" AS \"as_of\",\n  '%s' AS \"rules\"", g->o->rules_id);
  if (g->o->explain) members_json(g, b);
  buf_printf(b, "\nFROM %s AS a", last);
  if (history) sql_history_order(g, b);
}

/* A name from the rules that the query or its tables use as is: refused
 * when the engine would cut it (PostgreSQL keeps 63 bytes: a long
 * dimension and its `_grade` column would become one column, two long
 * data columns with the same first 63 bytes one input, and a result's
 * column would not be named as kenko's CSV names it). */
static void name_fits(SqlGen *g, Span span, const char *name) {
  size_t n = strlen(name);
  if (g->d->ident_max <= 0 || n <= (size_t)g->d->ident_max) return;
  sql_error(g, span,
            "the SQL name `%s` is %zu bytes, and %s keeps only the first %d bytes of a name (two long "
            "names could become one): shorten it, or write for DuckDB (`--dialect duckdb`)",
            name, n, g->d->name, g->d->ident_max);
}

/* Every name of the rules the query writes as a name (not as a value):
 * the data's columns, a list's table and columns, the result's dimension
 * columns. */
static void names_fit(SqlGen *g) {
  const Program *p = g->p;
  Buf b;
  buf_init(&b, NULL);
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    const char *col = in->column ? in->column : in->name;
    if (in->type != T_LIST) {
      name_fits(g, in->node->span, col);
      continue;
    }
    b.len = 0;
    buf_printf(&b, "%s_%s", g->o->table, col);
    buf_putc(&b, '\0');
    name_fits(g, in->node->span, b.data);
    for (int32_t f = 0; f < in->nfields; f++)
      name_fits(g, in->fields[f].node->span, in->fields[f].name);
  }
  if (!g->o->kpis)
    for (int32_t d = 0; d < p->ndimensions; d++) {
      const DimensionDecl *dim = &p->dimensions[d];
      b.len = 0;
      buf_printf(&b, "%s_grade", dim->name); /* cut when the name is */
      buf_putc(&b, '\0');
      name_fits(g, dim->node->span, strlen(dim->name) > (size_t)g->d->ident_max ? dim->name : b.data);
    }
  buf_free(&b);
}

int sql_generate(const Program *p, const CProgram *cp, const SqlOptions *o, Buf *out, Diag *diag) {
  SqlGen g;
  memset(&g, 0, sizeof g);
  g.p = p;
  g.cp = cp;
  g.o = o;
  g.d = o->dialect;
  g.diag = diag;
  g.elem_alias = xcalloc((size_t)p->ninputs + 1, sizeof *g.elem_alias);
  if (p->key_input < 0 && !o->kpis) {
    const Source *s = src_get(&p->sources, 0);
    diag_at(diag, KENKO_ERROR, s ? s->path : "rules", 0, 0,
            "kenko sql needs a `key` input: it names each row of the result (`input id: text key`)");
    g.errors++;
  }
  names_fit(&g);
  if (sql_history(p) && p->snapshot_input < 0) {
    for (int32_t i = 0; i < p->ninputs; i++) {
      const InputDecl *in = &p->inputs[i];
      if (strcmp(in->column ? in->column : in->name, "snapshot") == 0)
        sql_error(
            &g, in->node->span,
            "kenko sql reads each row's snapshot date from the column `snapshot`, which this input "
            "reads too: declare it `snapshot` (`input %s: date snapshot`) or read it from another column",
            in->name);
    }
  }
  Plan pl;
  memset(&pl, 0, sizeof pl);
  if (!plan_rounds(&g, &pl)) trend_cycles(&g, &pl);
  int32_t max_round = 0;
  for (int32_t v = 0; v < pl.n; v++)
    if (pl.round[v] > max_round) max_round = pl.round[v];

  Buf body;
  buf_init(&body, NULL);
  buf_printf(out, "-- kenko sql (%s): ", g.d->name);
  if (p->title) buf_printf(out, "%s, ", p->title);
  buf_printf(out, "rules %s\n", o->rules_id);
  buf_puts(out, "WITH\n");
  inputs_cte(&g, out);
  const char *prev = "inputs";
  char *names = xcalloc((size_t)(max_round + 1) * PH_COUNT, 48);
  int used[PH_COUNT] = {0};
  int32_t *calls = xcalloc((size_t)p->ntrend_calls + 1, sizeof *calls);
  for (int32_t r = 0; r <= max_round; r++) {
    for (int ph = 0; ph < PH_COUNT; ph++) {
      if (ph == PH_TREND) {
        int32_t n = 0;
        for (int32_t v = pl.base[ph]; v < pl.base[ph + 1]; v++)
          if (pl.round[v] == r) calls[n++] = v - pl.base[ph];
        if (n == 0) continue;
        char *name = names + ((size_t)r * PH_COUNT + (size_t)ph) * 48;
        if (used[ph]++)
          snprintf(name, 48, "%s_%d", phase_name[ph], used[ph]);
        else
          snprintf(name, 48, "%s", phase_name[ph]);
        sql_history_ctes(&g, out, prev, name, calls, n);
        prev = name;
        continue;
      }
      body.len = 0;
      for (int32_t v = pl.base[ph]; v < pl.base[ph + 1]; v++)
        if (pl.round[v] == r) node_columns(&g, &pl, &body, v);
      if (body.len == 0) continue;
      body.len -= 2; /* the last ",\n" */
      char *name = names + ((size_t)r * PH_COUNT + (size_t)ph) * 48;
      if (used[ph]++)
        snprintf(name, 48, "%s_%d", phase_name[ph], used[ph]);
      else
        snprintf(name, 48, "%s", phase_name[ph]);
      buf_printf(out, ",\n%s AS (\n  SELECT\n    a.*,\n", name);
      buf_put(out, body.data, body.len);
      buf_printf(out, "\n  FROM %s AS a%s\n)", prev, g.d->fence);
      prev = name;
    }
  }
  buf_putc(out, '\n');
  if (o->kpis)
    sql_kpi_select(&g, out, prev);
  else if (p->key_input >= 0)
    final_select(&g, out, prev);
  buf_puts(out, ";\n");
  buf_free(&body);
  free(names);
  free(calls);
  plan_free(&pl);
  free(g.elem_alias);
  return g.errors;
}
