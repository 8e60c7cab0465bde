/* compile.c — checked AST → evaluation program: compact expression trees
 * with slot indices (no names, no AST), the steps in dependency order, and
 * one variant of thresholds, weights and grade sets per persona. */
#include "engine/compile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* State of one compilation. */
typedef struct Compiler {
  const CProgram *cp;
  Arena *arena; /* where the CExpr nodes go */
  Diag *diag;   /* may be NULL */
  bool failed;
  bool persona; /* compiling for persona conditions: indicators marked
                   persona_defaults read their default-threshold value */
} Compiler;

static const CExpr *cx(Compiler *c, const Node *e);

static CExpr *cx_new(Compiler *c, COp op) {
  CExpr *x = arena_alloc(c->arena, sizeof *x);
  x->op = (uint8_t)op;
  x->fn = ops_fn(op);
  return x;
}

static CExpr *cx_const(Compiler *c, Value v) {
  CExpr *x = cx_new(c, C_CONST);
  x->k = v;
  x->leaf = &x->k;
  return x;
}

/* Reports an expression the compiler does not know (a checker gap). */
static const CExpr *cx_fail(Compiler *c, const Node *e, const char *what) {
  c->failed = true;
  if (c->diag)
    diag_error(c->diag, e->span, "internal error: cannot compile %s (%s)", what,
               ast_kind_name((NodeKind)e->kind));
  return cx_const(c, val_missing(MISS_DOMAIN));
}

static bool is_const(const CExpr *x) { return x && x->op == C_CONST; }

/* Evaluates X now when all its operands are constants (X must be pure and
 * independent of the account: no as_of, no references). Either way X's
 * function is chosen here, knowing its operands. */
static const CExpr *fold(Compiler *c, CExpr *x) {
  x->fn = ops_node_fn(x); /* the operands are known now */
  Value k;
  return ops_fold(x, c->arena, &k) ? cx_const(c, k) : x;
}

static CExpr *cx_load(Compiler *c, LoadBase base, int32_t index) {
  CExpr *x = cx_new(c, C_LOAD);
  x->aux = (uint8_t)base;
  x->index = index;
  x->leaf = c->cp->tables[base] + index;
  return x;
}

/* A reference (E_NAME / E_FIELD annotated by the checker). */
static const CExpr *cx_ref(Compiler *c, const Node *e) {
  const CProgram *cp = c->cp;
  CExpr *x;
  switch ((RefKind)e->ref_kind) {
  case REF_INPUT: return cx_load(c, LB_INPUT, e->ref_index);
  case REF_INDICATOR:
    if (c->persona && cp->prog->indicators[e->ref_index].persona_defaults)
      return cx_load(c, LB_INDICATOR, cp->prog->nindicators + e->ref_index);
    return cx_load(c, LB_INDICATOR, e->ref_index);
  case REF_THRESHOLD:
    if (!cp->threshold_varies[e->ref_index])
      return cx_const(c, cp->variants[cp->prog->npersonas].thresholds[e->ref_index]);
    return cx_load(c, LB_THRESHOLD, e->ref_index);
  case REF_DIMENSION: return cx_load(c, LB_DIM, e->ref_index);
  case REF_DIM_GRADE: return cx_load(c, LB_STATE, cp->state_dim_grade + e->ref_index);
  case REF_MEMBER: return cx_load(c, LB_MEMBER, cp->member_first[e->ref_index] + e->ref_sub);
  case REF_SEGMENT: return cx_load(c, LB_STATE, cp->state_segment + e->ref_index);
  case REF_HEALTH: return cx_load(c, LB_STATE, ST_HEALTH);
  case REF_GRADE: return cx_load(c, LB_STATE, ST_GRADE);
  case REF_PERSONA: return cx_load(c, LB_STATE, ST_PERSONA);
  case REF_BOTTLENECK: return cx_load(c, LB_STATE, ST_BOTTLENECK);
  case REF_AS_OF: return cx_load(c, LB_STATE, ST_AS_OF);
  case REF_SYMBOL: return cx_const(c, val_sym(e->ref_sub));
  case REF_ELEM_FIELD:
    x = cx_new(c, C_ELEM);
    x->index = e->ref_index;
    x->sub = e->ref_sub;
    return x;
  default: return cx_fail(c, e, "this reference");
  }
}

/* count/sum/avg/min/max/any/all/nps over `L`, `L.f`, `L where C` or
 * `L.f where C`. nargs holds the list's record width. */
static const CExpr *cx_aggregate(Compiler *c, const Node *e, Builtin fn) {
  if (e->list.count != 1) return cx_fail(c, e, "this aggregate");
  const Node *target = e->list.items[0];
  const Node *cond = NULL;
  if (target->kind == E_WHERE) {
    cond = target->b;
    target = target->a;
  }
  CExpr *x = cx_new(c, C_AGG);
  x->aux = (uint8_t)fn;
  if (target->ref_kind == REF_LIST_FIELD) {
    x->index = target->ref_index;
    x->sub = target->ref_sub;
  } else if (target->ref_kind == REF_INPUT && target->type == T_LIST) {
    x->index = target->ref_index;
    x->sub = -1;
  } else {
    return cx_fail(c, e, "this aggregate's list");
  }
  x->nargs = c->cp->prog->inputs[x->index].nfields;
  if (cond) x->a = cx(c, cond);
  return x;
}

/* A trend function (the checker made its call in Program.trend_calls):
 * the subject's value now, and the window. */
static const CExpr *cx_trend(Compiler *c, const Node *e, Builtin fn) {
  const Program *p = c->cp->prog;
  if (e->ref_sub < 0 || e->ref_sub >= p->ntrend_calls || e->list.count < 1)
    return cx_fail(c, e, "this trend");
  const TrendCall *call = &p->trend_calls[e->ref_sub];
  CExpr *x = cx_new(c, C_TREND);
  x->aux = (uint8_t)fn;
  x->index = call->subject;
  x->sub = e->ref_sub;
  x->k = val_duration(call->n, (DurUnit)call->unit);
  x->a = cx(c, e->list.items[0]);
  return x;
}

/* Built-in calls; aggregates and flagged() have their own nodes. */
static const CExpr *cx_call(Compiler *c, const Node *e) {
  if (e->ref_kind != REF_FUNC && e->ref_kind != REF_FLAG) return cx_fail(c, e, "this call");
  if (e->ref_kind == REF_FLAG || e->ref_index == FN_FLAGGED) {
    int32_t flag = e->ref_kind == REF_FLAG ? e->ref_index
                   : e->list.count == 1    ? e->list.items[0]->ref_index
                                           : -1;
    if (flag < 0 || flag >= c->cp->prog->nflags) return cx_fail(c, e, "flagged()");
    return cx_load(c, LB_STATE, c->cp->state_flagged + flag);
  }
  Builtin fn = (Builtin)e->ref_index;
  if (builtin_is_aggregate(fn)) return cx_aggregate(c, e, fn);
  if (fn >= FN_PAST && fn <= FN_COUNT_OVER) return cx_trend(c, e, fn);
  int32_t n = e->list.count;
  static const int8_t min_args[BUILTIN_COUNT] = {
      [FN_MIN] = 1,   [FN_MAX] = 1,      [FN_ABS] = 1,      [FN_ROUND] = 1,      [FN_CLAMP] = 3,
      [FN_SCALE] = 3, [FN_COALESCE] = 1, [FN_DAYS] = 2,     [FN_DAYS_SINCE] = 1, [FN_DAYS_UNTIL] = 1,
      [FN_LOWER] = 1, [FN_UPPER] = 1,    [FN_CONTAINS] = 2, [FN_STARTS_WITH] = 2};
  static const int8_t max_args[BUILTIN_COUNT] = {
      [FN_MIN] = -1,  [FN_MAX] = -1,      [FN_ABS] = 1,      [FN_ROUND] = 2,      [FN_CLAMP] = 3,
      [FN_SCALE] = 3, [FN_COALESCE] = -1, [FN_DAYS] = 2,     [FN_DAYS_SINCE] = 1, [FN_DAYS_UNTIL] = 1,
      [FN_LOWER] = 1, [FN_UPPER] = 1,     [FN_CONTAINS] = 2, [FN_STARTS_WITH] = 2};
  if ((unsigned)fn >= BUILTIN_COUNT || min_args[fn] == 0 || n < min_args[fn] ||
      (max_args[fn] >= 0 && n > max_args[fn]))
    return cx_fail(c, e, "this call");
  CExpr *x = cx_new(c, C_CALL);
  x->aux = (uint8_t)fn;
  x->nargs = n;
  x->args = arena_alloc(c->arena, (size_t)n * sizeof *x->args);
  for (int32_t i = 0; i < n; i++)
    x->args[i] = cx(c, e->list.items[i]);
  /* days_since/days_until read as_of: never fold them */
  if (fn == FN_DAYS_SINCE || fn == FN_DAYS_UNTIL) return x;
  return fold(c, x);
}

/* The mirror of a comparison: a OP b == b MIRROR(OP) a. */
static Op mirror(Op op) {
  switch (op) {
  case OP_LT: return OP_GT;
  case OP_LE: return OP_GE;
  case OP_GT: return OP_LT;
  case OP_GE: return OP_LE;
  default: return op;
  }
}

static const CExpr *cx_binary(Compiler *c, const Node *e) {
  static const uint8_t arith[] = {
      [OP_ADD] = C_ADD, [OP_SUB] = C_SUB, [OP_MUL] = C_MUL, [OP_DIV] = C_DIV,
      [OP_MOD] = C_MOD, [OP_AND] = C_AND, [OP_OR] = C_OR,   [OP_COALESCE] = C_COALESCE};
  Op op = (Op)e->op;
  const CExpr *a = cx(c, e->a);
  const CExpr *b = cx(c, e->b);
  CExpr *x;
  switch (op) {
  case OP_EQ:
  case OP_NE:
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE:
    if (is_const(a) && is_const(b)) break;
    if (is_const(a) && a->k.type == T_NUMBER) {
      const CExpr *t = a;
      a = b;
      b = t;
      op = mirror(op);
    }
    if (is_const(b) && b->k.type == T_NUMBER) {
      x = cx_new(c, C_CMP_NUM_K);
      x->aux = (uint8_t)op;
      x->a = a;
      x->k = b->k;
      x->fn = ops_node_fn(x);
      return x;
    }
    break;
  case OP_ADD:
  case OP_SUB:
  case OP_MUL:
  case OP_DIV:
  case OP_MOD:
  case OP_AND:
  case OP_OR:
  case OP_COALESCE:
    x = cx_new(c, (COp)arith[op]);
    x->a = a;
    x->b = b;
    return fold(c, x);
  default: return cx_fail(c, e, "this operator");
  }
  x = cx_new(c, C_CMP);
  x->aux = (uint8_t)op;
  x->a = a;
  x->b = b;
  return fold(c, x);
}

/* expression -> a compact node; recursion is bounded by the parser's
 * expression depth limit. */
static const CExpr *cx(Compiler *c, const Node *e) {
  CExpr *x;
  switch ((NodeKind)e->kind) {
  case E_NUM: return cx_const(c, val_num(e->num));
  case E_STR: return cx_const(c, val_text(e->str, (uint32_t)strlen(e->str)));
  case E_DATE: return cx_const(c, val_date(e->date));
  case E_DURATION: return cx_const(c, val_duration((int32_t)e->num, (DurUnit)e->op));
  case E_BOOL: return cx_const(c, val_bool(e->num != 0));
  case E_MISSING: return cx_const(c, val_missing(MISS_ABSENT));
  case E_NAME:
  case E_FIELD: return cx_ref(c, e);
  case E_CALL: return cx_call(c, e);
  case E_UNARY:
    x = cx_new(c, e->op == OP_NEG ? C_NEG : C_NOT);
    x->a = cx(c, e->a);
    return fold(c, x);
  case E_BINARY: return cx_binary(c, e);
  case E_IN: {
    const Node *list = e->b;
    x = cx_new(c, C_IN);
    x->a = cx(c, e->a);
    x->nargs = list->list.count;
    x->args = arena_alloc(c->arena, (size_t)(x->nargs + 1) * sizeof *x->args);
    for (int32_t i = 0; i < x->nargs; i++)
      x->args[i] = cx(c, list->list.items[i]);
    return fold(c, x);
  }
  case E_IS_MISSING:
    x = cx_new(c, C_IS_MISSING);
    x->aux = (e->flags & NF_NEGATED) ? 1 : 0;
    x->a = cx(c, e->a);
    return fold(c, x);
  case E_IF:
    x = cx_new(c, C_IF);
    x->a = cx(c, e->a);
    x->b = cx(c, e->b);
    x->c = cx(c, e->c);
    if (is_const(x->a)) {
      /* a constant condition picks its branch now */
      Value k = x->a->k;
      if (k.type == T_MISSING) return x->a;
      if (k.type == T_BOOL) return k.u.b ? x->b : x->c;
    }
    return x;
  default: return cx_fail(c, e, "this expression");
  }
}

const CExpr *compile_expr(const CProgram *cp, Arena *arena, const Node *e) {
  Compiler c = {cp, arena, NULL, false, false};
  const CExpr *x = cx(&c, e);
  return c.failed ? NULL : x;
}

/* ---- references, for explanations ------------------------------------ */

typedef struct RefSet {
  ExplainRef *items;
  int32_t count, cap;
} RefSet;

static void refset_add(RefSet *s, uint8_t kind, int32_t index, int32_t sub) {
  for (int32_t i = 0; i < s->count; i++)
    if (s->items[i].kind == kind && s->items[i].index == index && s->items[i].sub == sub) return;
  if (s->count == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 8;
    s->items = xrealloc(s->items, (size_t)s->cap * sizeof *s->items);
  }
  ExplainRef *r = &s->items[s->count++];
  r->kind = kind;
  r->index = index;
  r->sub = sub;
  r->name = NULL;
}

/* Collects the references of E in order of first use (recursion bounded by
 * the expression depth limit). */
static void collect_refs(RefSet *s, const Node *e) {
  if (!e) return;
  switch ((NodeKind)e->kind) {
  case E_NAME:
  case E_FIELD:
    switch ((RefKind)e->ref_kind) {
    case REF_INPUT:
    case REF_INDICATOR:
    case REF_THRESHOLD:
    case REF_DIMENSION:
    case REF_DIM_GRADE:
    case REF_MEMBER:
    case REF_SEGMENT:
      refset_add(s, e->ref_kind, e->ref_index, e->ref_kind == REF_MEMBER ? e->ref_sub : -1);
      return;
    case REF_HEALTH:
    case REF_GRADE:
    case REF_PERSONA:
    case REF_BOTTLENECK:
    case REF_AS_OF: refset_add(s, e->ref_kind, -1, -1); return;
    case REF_LIST_FIELD: refset_add(s, REF_INPUT, e->ref_index, -1); return;
    default: return; /* symbols, element fields */
    }
  case E_CALL:
    if (e->ref_kind == REF_FLAG) {
      refset_add(s, REF_FLAG, e->ref_index, -1);
      return;
    }
    if (e->ref_kind == REF_FUNC && e->ref_index == FN_FLAGGED) {
      if (e->list.count == 1) refset_add(s, REF_FLAG, e->list.items[0]->ref_index, -1);
      return;
    }
    if (e->ref_kind == REF_FUNC && e->ref_index >= FN_PAST && e->ref_index <= FN_COUNT_OVER) {
      refset_add(s, REF_TREND, e->ref_sub, -1); /* the value looked back at, then the subject now */
      if (e->list.count >= 1) collect_refs(s, e->list.items[0]);
      return;
    }
    for (int32_t i = 0; i < e->list.count; i++)
      collect_refs(s, e->list.items[i]);
    return;
  default:
    collect_refs(s, e->a);
    collect_refs(s, e->b);
    collect_refs(s, e->c);
    for (int32_t i = 0; i < e->list.count; i++)
      collect_refs(s, e->list.items[i]);
    return;
  }
}

/* The display name of a reference. */
static const char *ref_name(const Program *p, Arena *a, const ExplainRef *r) {
  switch ((RefKind)r->kind) {
  case REF_INPUT: return p->inputs[r->index].name;
  case REF_INDICATOR: return p->indicators[r->index].name;
  case REF_THRESHOLD: return p->thresholds[r->index].name;
  case REF_DIMENSION: return p->dimensions[r->index].name;
  case REF_DIM_GRADE: return arena_printf(a, "%s.grade", p->dimensions[r->index].name);
  case REF_MEMBER:
    return arena_printf(a, "%s.%s", p->dimensions[r->index].name,
                        p->dimensions[r->index].members[r->sub].name);
  case REF_SEGMENT: return p->segments[r->index].name;
  case REF_HEALTH: return "health";
  case REF_GRADE: return "grade";
  case REF_PERSONA: return "persona";
  case REF_BOTTLENECK: return "bottleneck";
  case REF_AS_OF: return "as_of";
  case REF_FLAG: return arena_printf(a, "flagged(%s)", p->flags[r->index].name);
  case REF_TREND: {
    const TrendCall *t = &p->trend_calls[r->index];
    const char *x = p->trend_subjects[t->subject].name;
    const char *unit = duration_unit_text(t->unit);
    switch ((Builtin)t->fn) {
    case FN_PAST: return arena_printf(a, "%s %d%s back", x, t->n, unit);
    case FN_PREVIOUS: return arena_printf(a, "previous %s", x);
    case FN_CHANGE: return arena_printf(a, "change(%s, %d%s)", x, t->n, unit);
    case FN_PCT_CHANGE: return arena_printf(a, "pct_change(%s, %d%s)", x, t->n, unit);
    case FN_AVG_OVER: return arena_printf(a, "avg_over(%s, %d%s)", x, t->n, unit);
    case FN_MIN_OVER: return arena_printf(a, "min_over(%s, %d%s)", x, t->n, unit);
    case FN_MAX_OVER: return arena_printf(a, "max_over(%s, %d%s)", x, t->n, unit);
    default: return arena_printf(a, "count_over(%s, %d%s)", x, t->n, unit);
    }
  }
  default: return "?";
  }
}

RefList compile_refs(const CProgram *cp, Arena *arena, const Node *const *exprs, int32_t n) {
  RefSet s = {0};
  for (int32_t i = 0; i < n; i++)
    collect_refs(&s, exprs[i]);
  RefList out = {NULL, 0, false};
  if (s.count > 0) {
    ExplainRef *refs = arena_alloc(arena, (size_t)s.count * sizeof *refs);
    for (int32_t i = 0; i < s.count; i++) {
      refs[i] = s.items[i];
      refs[i].name = ref_name(cp->prog, arena, &refs[i]);
    }
    out.refs = refs;
    out.count = s.count;
  }
  free(s.items);
  return out;
}

/* ---- variants: what each persona changes ------------------------------ */

/* Fills variant V for persona PERSONA (-1: the default). */
static void build_variant(CProgram *cp, Variant *v, int32_t persona) {
  const Program *p = cp->prog;
  Arena *a = &cp->arena;
  const PersonaDecl *pd = persona >= 0 ? &p->personas[persona] : NULL;
  v->thresholds = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof *v->thresholds);
  for (int32_t t = 0; t < p->nthresholds; t++)
    v->thresholds[t] = p->thresholds[t].value;
  v->dim_weight = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *v->dim_weight);
  v->member_weight = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *v->member_weight);
  v->coverage_weight = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *v->coverage_weight);
  v->dim_grades = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *v->dim_grades);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    v->dim_weight[d] = p->dimensions[d].weight;
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      v->member_weight[cp->member_first[d] + m] = p->dimensions[d].members[m].weight;
  }
  int32_t persona_grades = -1;
  if (pd) {
    for (int32_t k = 0; k < pd->nthresholds; k++)
      v->thresholds[pd->thresholds[k].threshold] = pd->thresholds[k].value;
    for (int32_t k = 0; k < pd->nderived; k++)
      v->thresholds[pd->derived[k].threshold] = pd->derived[k].value;
    for (int32_t k = 0; k < pd->nweights; k++) {
      const WeightOverride *w = &pd->weights[k];
      if (w->member < 0)
        v->dim_weight[w->dimension] = w->weight;
      else
        v->member_weight[cp->member_first[w->dimension] + w->member] = w->weight;
    }
    persona_grades = pd->grades;
  }
  v->health_grades = persona_grades >= 0 ? persona_grades : p->default_grades;
  for (int32_t d = 0; d < p->ndimensions; d++)
    v->dim_grades[d] = p->dimensions[d].grades >= 0 ? p->dimensions[d].grades : v->health_grades;

  /* coverage: every member's share of the health when nothing is N/A */
  double dim_total = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    if (v->dim_weight[d] > 0) dim_total += v->dim_weight[d];
  v->coverage_total = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    double wd = v->dim_weight[d], member_total = 0;
    int32_t first = cp->member_first[d], last = cp->member_first[d + 1];
    for (int32_t i = first; i < last; i++)
      if (v->member_weight[i] > 0) member_total += v->member_weight[i];
    for (int32_t i = first; i < last; i++) {
      double w = v->member_weight[i];
      double cw = wd > 0 && w > 0 && member_total > 0 ? (wd / dim_total) * (w / member_total) : 0;
      v->coverage_weight[i] = cw;
      v->coverage_total += cw;
    }
  }
}

/* Does some persona's value of threshold T differ from the default? */
static bool threshold_varies(const CProgram *cp, int32_t t) {
  const Value *def = &cp->variants[cp->prog->npersonas].thresholds[t];
  for (int32_t i = 0; i < cp->prog->npersonas; i++) {
    const Value *v = &cp->variants[i].thresholds[t];
    if (v->type != def->type || v->len != def->len || memcmp(&v->u, &def->u, sizeof v->u) != 0) return true;
  }
  return false;
}

/* ---- the steps ---------------------------------------------------------- */

/* Appends a step, to the last run when it continues it. */
static void add_step(CProgram *cp, DepKind kind, int32_t index) {
  CStep *last = cp->nsteps > 0 ? &cp->steps[cp->nsteps - 1] : NULL;
  if (last && last->kind == kind && index >= 0 && last->index + last->count == index) {
    last->count++;
    return;
  }
  cp->steps[cp->nsteps].kind = (uint8_t)kind;
  cp->steps[cp->nsteps].index = index;
  cp->steps[cp->nsteps].count = 1;
  cp->nsteps++;
}

/* Program.order without the threshold nodes (the variant tables replace
 * them), with every member numbered flat. Whatever the order lacks is
 * appended in a safe phase order (persona, segments, indicators, members,
 * dimensions, health, flags, journey), so every result slot is written
 * for every account. */
static void build_steps(CProgram *cp) {
  const Program *p = cp->prog;
  int32_t total = 1 + p->nsegments + p->nindicators + cp->nmembers + p->ndimensions + 1 + p->nflags + 1;
  cp->steps = arena_alloc(&cp->arena, (size_t)total * sizeof *cp->steps);
  /* seen[] is indexed by a per-kind base + index */
  int32_t base_segment = 1, base_indicator = base_segment + p->nsegments,
          base_member = base_indicator + p->nindicators, base_dim = base_member + cp->nmembers,
          base_health = base_dim + p->ndimensions, base_flag = base_health + 1,
          base_journey = base_flag + p->nflags;
  bool *seen = xcalloc((size_t)total + 1, 1);
  for (int32_t i = 0; i < p->norder; i++) {
    const DepNode *n = &p->order[i];
    int32_t slot, index = n->index;
    switch ((DepKind)n->kind) {
    case DEP_PERSONA: slot = 0; break;
    case DEP_SEGMENT: slot = base_segment + index; break;
    case DEP_INDICATOR: slot = base_indicator + index; break;
    case DEP_MEMBER:
      index = cp->member_first[n->index] + n->sub;
      slot = base_member + index;
      break;
    case DEP_DIMENSION: slot = base_dim + index; break;
    case DEP_HEALTH: slot = base_health; break;
    case DEP_FLAG: slot = base_flag + index; break;
    case DEP_JOURNEY: slot = base_journey; break;
    default: continue; /* DEP_THRESHOLD: the variant tables */
    }
    if (seen[slot]) continue;
    seen[slot] = true;
    add_step(cp, (DepKind)n->kind, index);
  }
  if (!seen[0]) add_step(cp, DEP_PERSONA, -1);
  for (int32_t i = 0; i < p->nsegments; i++)
    if (!seen[base_segment + i]) add_step(cp, DEP_SEGMENT, i);
  for (int32_t i = 0; i < p->nindicators; i++)
    if (!seen[base_indicator + i]) add_step(cp, DEP_INDICATOR, i);
  for (int32_t i = 0; i < cp->nmembers; i++)
    if (!seen[base_member + i]) add_step(cp, DEP_MEMBER, i);
  for (int32_t i = 0; i < p->ndimensions; i++)
    if (!seen[base_dim + i]) add_step(cp, DEP_DIMENSION, i);
  if (!seen[base_health]) add_step(cp, DEP_HEALTH, -1);
  for (int32_t i = 0; i < p->nflags; i++)
    if (!seen[base_flag + i]) add_step(cp, DEP_FLAG, i);
  if (!seen[base_journey]) add_step(cp, DEP_JOURNEY, -1);
  free(seen);
}

/* ---- members and the other expressions ---------------------------------- */

static void compile_member(CProgram *cp, Compiler *c, int32_t d, int32_t m) {
  const Member *src = &cp->prog->dimensions[d].members[m];
  CMember *cm = &cp->members[cp->member_first[d] + m];
  cm->kind = (uint8_t)src->kind;
  cm->dim = d;
  cm->index = m;
  if (src->kind == MEMBER_BANDS) {
    cm->nbands = src->nbands;
    cm->bands = arena_alloc(&cp->arena, (size_t)(src->nbands + 1) * sizeof *cm->bands);
    const Node **exprs = xmalloc(((size_t)src->nbands * 2 + 1) * sizeof *exprs);
    int32_t n = 0;
    for (int32_t b = 0; b < src->nbands; b++) {
      cm->bands[b].value = cx(c, src->bands[b].value);
      cm->bands[b].cond = src->bands[b].cond ? cx(c, src->bands[b].cond) : NULL;
      if (src->bands[b].cond) exprs[n++] = src->bands[b].cond;
      exprs[n++] = src->bands[b].value;
    }
    cm->eager_bands = src->nbands <= EAGER_BANDS_MAX;
    for (int32_t b = 0; b < src->nbands; b++)
      if (cm->bands[b].cond && !ops_cheap(cm->bands[b].cond)) cm->eager_bands = false;
    cm->refs = compile_refs(cp, &cp->arena, exprs, n);
    free(exprs);
  } else {
    cm->expr = src->expr ? cx(c, src->expr) : cx_const(c, val_missing(MISS_ABSENT));
    const Node *e = src->expr;
    cm->refs = compile_refs(cp, &cp->arena, &e, e ? 1 : 0);
  }
  cm->values_at = cp->nvalues;
  cp->nvalues += cm->refs.count;
}

/* A condition (NULL stays NULL: `otherwise`) and its references. */
static const CExpr *compile_cond(CProgram *cp, Compiler *c, const Node *cond, RefList *refs) {
  if (refs) *refs = compile_refs(cp, &cp->arena, &cond, cond ? 1 : 0);
  return cond ? cx(c, cond) : NULL;
}

/* Sizes of the value tables, by LoadBase. */
static void table_sizes(const CProgram *cp, int32_t size[LB_COUNT]) {
  const Program *p = cp->prog;
  size[LB_INPUT] = p->ninputs;
  size[LB_INDICATOR] = 2 * p->nindicators; /* then each one with the default thresholds */
  size[LB_THRESHOLD] = p->nthresholds;
  size[LB_MEMBER] = cp->nmembers;
  size[LB_DIM] = p->ndimensions;
  size[LB_STATE] = cp->nstate;
}

static void alloc_tables(CProgram *cp, Arena *a) {
  int32_t size[LB_COUNT];
  table_sizes(cp, size);
  for (int b = 0; b < LB_COUNT; b++)
    cp->tables[b] = arena_alloc(a, ((size_t)size[b] + 1) * sizeof(Value));
}

CProgram *compile_program(const Program *p, Diag *diag) {
  CProgram *cp = xcalloc(1, sizeof *cp);
  cp->prog = p;
  arena_init(&cp->arena, 64 * 1024);
  Arena *a = &cp->arena;
  Compiler c = {cp, a, diag, false, false};

  cp->member_first = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *cp->member_first);
  for (int32_t d = 0; d < p->ndimensions; d++)
    cp->member_first[d + 1] = cp->member_first[d] + p->dimensions[d].nmembers;
  cp->nmembers = cp->member_first[p->ndimensions];
  cp->state_dim_grade = ST_FIXED;
  cp->state_segment = cp->state_dim_grade + p->ndimensions;
  cp->state_flagged = cp->state_segment + p->nsegments;
  cp->nstate = cp->state_flagged + p->nflags;
  alloc_tables(cp, a);

  cp->variants = arena_alloc(a, (size_t)(p->npersonas + 1) * sizeof *cp->variants);
  for (int32_t i = 0; i <= p->npersonas; i++)
    build_variant(cp, &cp->variants[i], i < p->npersonas ? i : -1);
  cp->threshold_varies = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof *cp->threshold_varies);
  for (int32_t t = 0; t < p->nthresholds; t++)
    cp->threshold_varies[t] = threshold_varies(cp, t);

  build_steps(cp);

  cp->indicators = arena_alloc(a, (size_t)(p->nindicators + 1) * sizeof *cp->indicators);
  for (int32_t i = 0; i < p->nindicators; i++)
    cp->indicators[i] =
        p->indicators[i].expr ? cx(&c, p->indicators[i].expr) : cx_const(&c, val_missing(MISS_ABSENT));

  cp->members = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *cp->members);
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      compile_member(cp, &c, d, m);

  /* Persona conditions see the default thresholds: compile them against
   * the default values (a varying threshold reads the table in effect,
   * which is the default one while personas are matched). An indicator
   * that depends on an overridden threshold is computed once more, with
   * the defaults, before the personas are matched (in the order's order,
   * so each one's marked indicators come first), and the conditions read
   * that value. */
  c.persona = true;
  cp->default_indicators = arena_alloc(a, (size_t)(p->nindicators + 1) * sizeof *cp->default_indicators);
  cp->default_exprs = arena_alloc(a, (size_t)(p->nindicators + 1) * sizeof *cp->default_exprs);
  for (int32_t k = 0; k < p->norder; k++) {
    const DepNode *n = &p->order[k];
    if (n->kind != DEP_INDICATOR || !p->indicators[n->index].persona_defaults) continue;
    cp->default_indicators[cp->ndefault_indicators] = n->index;
    cp->default_exprs[cp->ndefault_indicators++] = cx(&c, p->indicators[n->index].expr);
  }
  cp->persona_cond = arena_alloc(a, (size_t)(p->npersonas + 1) * sizeof *cp->persona_cond);
  cp->persona_refs = arena_alloc(a, (size_t)(p->npersonas + 1) * sizeof *cp->persona_refs);
  for (int32_t i = 0; i < p->npersonas; i++) {
    cp->persona_cond[i] = compile_cond(cp, &c, p->personas[i].cond, &cp->persona_refs[i]);
    cp->persona_refs[i].default_thresholds = true;
  }
  c.persona = false;

  cp->case_cond = arena_alloc(a, (size_t)(p->nsegments + 1) * sizeof *cp->case_cond);
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *seg = &p->segments[s];
    cp->case_cond[s] = arena_alloc(a, (size_t)(seg->ncases + 1) * sizeof **cp->case_cond);
    for (int32_t k = 0; k < seg->ncases; k++)
      cp->case_cond[s][k] = compile_cond(cp, &c, seg->cases[k].cond, NULL);
  }
  cp->flag_cond = arena_alloc(a, (size_t)(p->nflags + 1) * sizeof *cp->flag_cond);
  cp->flag_refs = arena_alloc(a, (size_t)(p->nflags + 1) * sizeof *cp->flag_refs);
  for (int32_t i = 0; i < p->nflags; i++) {
    cp->flag_cond[i] = compile_cond(cp, &c, p->flags[i].cond, &cp->flag_refs[i]);
    if (!cp->flag_cond[i]) cp->flag_cond[i] = cx_const(&c, val_bool(false));
  }
  cp->step_cond = arena_alloc(a, (size_t)(p->nsteps + 1) * sizeof *cp->step_cond);
  cp->step_refs = arena_alloc(a, (size_t)(p->nsteps + 1) * sizeof *cp->step_refs);
  for (int32_t i = 0; i < p->nsteps; i++) {
    cp->step_cond[i] = compile_cond(cp, &c, p->steps[i].cond, &cp->step_refs[i]);
    if (!cp->step_cond[i]) cp->step_cond[i] = cx_const(&c, val_bool(true));
  }

  if (c.failed) {
    compile_free(cp);
    return NULL;
  }
  return cp;
}

void compile_free(CProgram *cp) {
  if (!cp) return;
  arena_free(&cp->arena);
  free(cp);
}

/* ---- instances: one per evaluator ------------------------------------ */

/* A copy of X (NULL stays NULL) in ARENA whose loads read TABLES. Every
 * pointer a node holds is followed here (recursion bounded by the
 * expression depth limit). */
static const CExpr *copy_expr(const CExpr *x, Arena *arena, Value *const *tables) {
  if (!x) return NULL;
  CExpr *y = arena_alloc(arena, sizeof *y);
  *y = *x;
  if (x->op == C_CONST) y->leaf = &y->k;
  if (x->op == C_LOAD) y->leaf = tables[x->aux] + x->index;
  y->a = copy_expr(x->a, arena, tables);
  y->b = copy_expr(x->b, arena, tables);
  y->c = copy_expr(x->c, arena, tables);
  if (x->args) {
    const CExpr **args = arena_alloc(arena, ((size_t)x->nargs + 1) * sizeof *args);
    for (int32_t i = 0; i < x->nargs; i++)
      args[i] = copy_expr(x->args[i], arena, tables);
    y->args = args;
  }
  return y;
}

/* N expressions copied. */
static const CExpr **copy_exprs(const CExpr *const *xs, int32_t n, Arena *arena, Value *const *tables) {
  const CExpr **out = arena_alloc(arena, ((size_t)n + 1) * sizeof *out);
  for (int32_t i = 0; i < n; i++)
    out[i] = copy_expr(xs[i], arena, tables);
  return out;
}

void compile_instance(const CProgram *cp, CProgram *out, Arena *arena) {
  const Program *p = cp->prog;
  *out = *cp;
  memset(&out->arena, 0, sizeof out->arena);
  alloc_tables(out, arena);
  Value *const *t = out->tables;
  out->indicators = copy_exprs(cp->indicators, p->nindicators, arena, t);
  CMember *members = arena_alloc(arena, ((size_t)cp->nmembers + 1) * sizeof *members);
  for (int32_t i = 0; i < cp->nmembers; i++) {
    const CMember *m = &cp->members[i];
    members[i] = *m;
    members[i].expr = copy_expr(m->expr, arena, t);
    if (m->bands) {
      members[i].bands = arena_alloc(arena, ((size_t)m->nbands + 1) * sizeof *m->bands);
      for (int32_t b = 0; b < m->nbands; b++) {
        members[i].bands[b].value = copy_expr(m->bands[b].value, arena, t);
        members[i].bands[b].cond = copy_expr(m->bands[b].cond, arena, t);
      }
    }
  }
  out->members = members;
  out->persona_cond = copy_exprs(cp->persona_cond, p->npersonas, arena, t);
  out->default_exprs = copy_exprs(cp->default_exprs, cp->ndefault_indicators, arena, t);
  out->case_cond = arena_alloc(arena, ((size_t)p->nsegments + 1) * sizeof *out->case_cond);
  for (int32_t s = 0; s < p->nsegments; s++)
    out->case_cond[s] = copy_exprs(cp->case_cond[s], p->segments[s].ncases, arena, t);
  out->flag_cond = copy_exprs(cp->flag_cond, p->nflags, arena, t);
  out->step_cond = copy_exprs(cp->step_cond, p->nsteps, arena, t);
}

const Variant *compile_variant(const CProgram *cp, int32_t persona) {
  if (persona < 0 || persona >= cp->prog->npersonas) return &cp->variants[cp->prog->npersonas];
  return &cp->variants[persona];
}
