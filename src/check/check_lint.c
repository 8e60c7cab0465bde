/* check_lint.c — warnings: unused declarations, bands and personas that
 * can never match, personas without a catch-all, all-zero weights, scores
 * provably outside 0..100. None of them stops the rules from running. */
#include <math.h>
#include <string.h>

#include "check/check_int.h"
#include "base/i18n.h"

/* ---- unused ------------------------------------------------------------ */

static void lint_unused(Checker *c) {
  const Program *p = c->p;
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    if (!in->used && !in->key && !in->snapshot && !in->display && !in->kept && i != p->outcome_input)
      diag_warning(c->diag, in->node->name_span, "input `%s` is never used", in->name);
  }
  for (int32_t i = 0; i < p->nindicators; i++)
    if (!p->indicators[i].used)
      diag_warning(c->diag, p->indicators[i].node->name_span, "indicator `%s` is never used",
                   p->indicators[i].name);
  for (int32_t i = 0; i < p->nthresholds; i++)
    if (!p->thresholds[i].used)
      diag_warning(c->diag, p->thresholds[i].node->name_span, "threshold `%s` is never used",
                   p->thresholds[i].name);
}

/* ---- shadowed conditions ----------------------------------------------- */

/* Structural equality of two expressions (names, literals, operators). */
static bool same_expr(const Node *a, const Node *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->op != b->op || a->list.count != b->list.count) return false;
  if ((a->name == NULL) != (b->name == NULL)) return false;
  if (a->name && strcmp(a->name, b->name) != 0) return false;
  if ((a->str == NULL) != (b->str == NULL)) return false;
  if (a->str && strcmp(a->str, b->str) != 0) return false;
  if (a->num != b->num || a->date != b->date || (a->flags & NF_NEGATED) != (b->flags & NF_NEGATED))
    return false;
  if (!same_expr(a->a, b->a) || !same_expr(a->b, b->b) || !same_expr(a->c, b->c)) return false;
  for (int32_t i = 0; i < a->list.count; i++)
    if (!same_expr(a->list.items[i], b->list.items[i])) return false;
  return true;
}

/* A bound `EXPR op NUMBER` (or `NUMBER op EXPR`, turned around). */
typedef struct Bound {
  const Node *expr;
  Op op; /* OP_GE, OP_GT, OP_LE, OP_LT */
  double value;
} Bound;

static bool as_bound(const Node *cond, Bound *b) {
  if (!cond || cond->kind != E_BINARY) return false;
  Op op = (Op)cond->op;
  if (op != OP_GE && op != OP_GT && op != OP_LE && op != OP_LT) return false;
  if (cond->b->kind == E_NUM) {
    b->expr = cond->a;
    b->op = op;
    b->value = cond->b->num;
    return true;
  }
  if (cond->a->kind == E_NUM) {
    b->expr = cond->b;
    b->op = op == OP_GE ? OP_LE : op == OP_GT ? OP_LT : op == OP_LE ? OP_GE : OP_GT;
    b->value = cond->a->num;
    return true;
  }
  return false;
}

/* Does EARLIER take every value LATER would? */
static bool shadows(const Bound *earlier, const Bound *later) {
  if (!same_expr(earlier->expr, later->expr)) return false;
  bool up_e = earlier->op == OP_GE || earlier->op == OP_GT;
  bool up_l = later->op == OP_GE || later->op == OP_GT;
  if (up_e != up_l) return false;
  double a = earlier->value, b = later->value;
  bool strict_e = earlier->op == OP_GT || earlier->op == OP_LT;
  bool strict_l = later->op == OP_GT || later->op == OP_LT;
  if (up_e) {
    /* x >= a (or > a) takes all x with x >= b (or > b) when b >= a */
    if (b > a) return true;
    if (b == a) return !strict_e || strict_l;
    return false;
  }
  if (b < a) return true;
  if (b == a) return !strict_e || strict_l;
  return false;
}

static bool is_logic(const Node *n, Op op) { return n && n->kind == E_BINARY && n->op == op; }

/* Is EARLIER true whenever LATER is (so that a case after it never
 * matches)? Bounds on one expression (shadows), the same expression, and
 * through `and` / `or` on either side; a missing value makes neither true
 * (Kleene), so this holds with missing data too. DEPTH bounds the work on
 * deep expressions. */
static bool implies(const Node *later, const Node *earlier, int depth) {
  if (!later || !earlier || depth > 16) return false;
  if (same_expr(later, earlier)) return true;
  Bound bl, be;
  if (as_bound(later, &bl) && as_bound(earlier, &be) && shadows(&be, &bl)) return true;
  if (is_logic(earlier, OP_AND))
    return implies(later, earlier->a, depth + 1) && implies(later, earlier->b, depth + 1);
  if (is_logic(later, OP_OR))
    return implies(later->a, earlier, depth + 1) && implies(later->b, earlier, depth + 1);
  if (is_logic(later, OP_AND) &&
      (implies(later->a, earlier, depth + 1) || implies(later->b, earlier, depth + 1)))
    return true;
  if (is_logic(earlier, OP_OR))
    return implies(later, earlier->a, depth + 1) || implies(later, earlier->b, depth + 1);
  return false;
}

/* Warns about each condition in CONDS[0..n) that an earlier one shadows. */
static void lint_shadowed(Checker *c, Node *const *conds, int32_t n, const char *what) {
  /* Most conditions are bounds (bands): those pairs are compared directly. */
  Bound *bounds = arena_alloc(c->arena, (size_t)(n + 1) * sizeof *bounds);
  bool *is_bound = arena_alloc(c->arena, (size_t)(n + 1) * sizeof *is_bound);
  for (int32_t i = 0; i < n; i++)
    is_bound[i] = as_bound(conds[i], &bounds[i]);
  for (int32_t j = 1; j < n; j++) {
    if (!conds[j]) continue;
    for (int32_t i = 0; i < j; i++) {
      bool hit = is_bound[i] && is_bound[j] ? shadows(&bounds[i], &bounds[j])
                                            : conds[i] && implies(conds[j], conds[i], 0);
      if (!hit) continue;
      const Source *s = src_get(&c->p->sources, conds[i]->span.file);
      int line, col;
      src_line_col(s, conds[i]->span.begin, &line, &col);
      diag_warning(c->diag, conds[j]->span,
                   "this %s can never match: the one at line %d takes every account it would", what, line);
      break;
    }
  }
}

static void lint_bands(Checker *c) {
  const Program *p = c->p;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++) {
      const Member *mem = &p->dimensions[d].members[m];
      if (mem->kind != MEMBER_BANDS) continue;
      Node **conds = arena_alloc(c->arena, (size_t)(mem->nbands + 1) * sizeof *conds);
      for (int32_t b = 0; b < mem->nbands; b++)
        conds[b] = mem->bands[b].cond;
      lint_shadowed(c, conds, mem->nbands, _("band"));
      for (int32_t b = 0; b < mem->nbands; b++) {
        const Node *v = mem->bands[b].value;
        if (v->kind == E_NUM && (v->num < 0 || v->num > 100))
          diag_warning(c->diag, v->span, "a band value of %g is outside 0..100 and will be clamped", v->num);
      }
    }
}

static void lint_personas(Checker *c) {
  const Program *p = c->p;
  if (p->npersonas == 0) return;
  Node **conds = arena_alloc(c->arena, (size_t)(p->npersonas + 1) * sizeof *conds);
  bool otherwise = false;
  for (int32_t i = 0; i < p->npersonas; i++) {
    const PersonaDecl *pd = &p->personas[i];
    if (otherwise)
      diag_warning(c->diag, pd->node->name_span, "persona `%s` comes after `otherwise` and can never match",
                   pd->name);
    if (!pd->cond) otherwise = true;
    conds[i] = pd->cond;
  }
  lint_shadowed(c, conds, p->npersonas, _("persona"));
  if (!otherwise)
    diag_warning(c->diag, p->personas[p->npersonas - 1].node->name_span,
                 "accounts may match no persona; add a last `persona NAME otherwise`");
}

static void lint_segments(Checker *c) {
  const Program *p = c->p;
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *seg = &p->segments[s];
    Node **sc = arena_alloc(c->arena, (size_t)(seg->ncases + 1) * sizeof *sc);
    for (int32_t k = 0; k < seg->ncases; k++)
      sc[k] = seg->cases[k].cond;
    lint_shadowed(c, sc, seg->ncases, _("case"));
    if (!seg->has_otherwise && seg->ncases > 0)
      diag_warning(c->diag, seg->node->name_span,
                   "accounts may match no case of segment `%s`; add a last case with `otherwise`", seg->name);
  }
}

/* ---- weights ----------------------------------------------------------- */

static void lint_weights(Checker *c) {
  const Program *p = c->p;
  if (p->ndimensions == 0) {
    if (p->ninputs > 0)
      diag_warning(c->diag, p->inputs[0].node->span,
                   "no dimension is declared: every health score will be missing");
    return;
  }
  double total = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    total += p->dimensions[d].weight;
  if (total == 0)
    diag_warning(c->diag, p->dimensions[0].node->name_span,
                 "every dimension has weight 0: no account gets a health score");
  for (int32_t i = 0; i < p->npersonas; i++) {
    const PersonaDecl *pd = &p->personas[i];
    if (pd->nweights == 0) continue;
    double sum = 0;
    for (int32_t d = 0; d < p->ndimensions; d++) {
      double w = p->dimensions[d].weight;
      for (int32_t k = 0; k < pd->nweights; k++)
        if (pd->weights[k].dimension == d && pd->weights[k].member < 0) w = pd->weights[k].weight;
      sum += w;
    }
    if (sum == 0 && total != 0)
      diag_warning(c->diag, pd->node->name_span,
                   "every dimension has weight 0 for persona `%s`: its accounts get no health score",
                   pd->name);
  }
}

/* ---- score ranges ------------------------------------------------------ */

typedef struct Range {
  double lo, hi;
} Range;

static Range range_of(const Checker *c, const Node *n) {
  Range all = {-INFINITY, INFINITY};
  if (!n || n->type != T_NUMBER) return all;
  switch ((NodeKind)n->kind) {
  case E_NUM: return (Range){n->num, n->num};
  case E_NAME:
    if (n->ref_kind == REF_THRESHOLD && !c->p->thresholds[n->ref_index].overridden &&
        c->p->thresholds[n->ref_index].value.type == T_NUMBER) {
      double v = c->p->thresholds[n->ref_index].value.u.num;
      return (Range){v, v};
    }
    if (n->ref_kind == REF_DIMENSION || n->ref_kind == REF_HEALTH) return (Range){0, 100};
    return all;
  case E_FIELD:
    if (n->ref_kind == REF_MEMBER) return (Range){0, 100};
    return all;
  case E_UNARY: {
    Range r = range_of(c, n->a);
    return (Range){-r.hi, -r.lo};
  }
  case E_BINARY: {
    Range a = range_of(c, n->a), b = range_of(c, n->b);
    switch ((Op)n->op) {
    case OP_ADD: return (Range){a.lo + b.lo, a.hi + b.hi};
    case OP_SUB: return (Range){a.lo - b.hi, a.hi - b.lo};
    case OP_MUL:
      if (isfinite(a.lo) && isfinite(a.hi) && isfinite(b.lo) && isfinite(b.hi)) {
        double p1 = a.lo * b.lo, p2 = a.lo * b.hi, p3 = a.hi * b.lo, p4 = a.hi * b.hi;
        return (Range){fmin(fmin(p1, p2), fmin(p3, p4)), fmax(fmax(p1, p2), fmax(p3, p4))};
      }
      return all;
    case OP_COALESCE: return (Range){fmin(a.lo, b.lo), fmax(a.hi, b.hi)};
    default: return all;
    }
  }
  case E_IF: {
    Range a = range_of(c, n->b), b = range_of(c, n->c);
    return (Range){fmin(a.lo, b.lo), fmax(a.hi, b.hi)};
  }
  case E_CALL:
    if (n->ref_kind != REF_FUNC) return all;
    switch (n->ref_index) {
    case FN_SCALE: return (Range){0, 100};
    case FN_NPS: return (Range){-100, 100};
    case FN_CLAMP: {
      Range lo = range_of(c, n->list.items[1]), hi = range_of(c, n->list.items[2]);
      return (Range){lo.lo, hi.hi};
    }
    case FN_ABS: {
      Range r = range_of(c, n->list.items[0]);
      if (r.lo >= 0) return r;
      return (Range){0, fmax(fabs(r.lo), fabs(r.hi))};
    }
    case FN_COUNT: return (Range){0, INFINITY};
    case FN_MIN:
    case FN_MAX: {
      Range r = range_of(c, n->list.items[0]);
      for (int32_t i = 1; i < n->list.count; i++) {
        Range x = range_of(c, n->list.items[i]);
        if (n->ref_index == FN_MIN)
          r = (Range){fmin(r.lo, x.lo), fmin(r.hi, x.hi)};
        else
          r = (Range){fmax(r.lo, x.lo), fmax(r.hi, x.hi)};
      }
      return r;
    }
    default: return all;
    }
  default: return all;
  }
}

static void lint_score_ranges(Checker *c) {
  const Program *p = c->p;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++) {
      const Member *mem = &p->dimensions[d].members[m];
      if (mem->kind != MEMBER_SCORE || mem->expr->type != T_NUMBER) continue;
      Range r = range_of(c, mem->expr);
      if (r.lo > 100)
        diag_warning(c->diag, mem->expr->span,
                     "score `%s` is always above 100 (at least %g); it will be clamped to 100", mem->name,
                     r.lo);
      else if (r.hi < 0)
        diag_warning(c->diag, mem->expr->span,
                     "score `%s` is always below 0 (at most %g); it will be clamped to 0", mem->name, r.hi);
      else if (isfinite(r.lo) && isfinite(r.hi) && (r.lo < 0 || r.hi > 100))
        diag_warning(c->diag, mem->expr->span,
                     "score `%s` ranges over %g..%g, outside 0..100; it will be clamped", mem->name, r.lo,
                     r.hi);
    }
}

void check_lints(Checker *c) {
  lint_unused(c);
  lint_bands(c);
  lint_personas(c);
  lint_segments(c);
  lint_weights(c);
  lint_score_ranges(c);
}
