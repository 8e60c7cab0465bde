/* eval.c — runs the compiled program over one account: missing values
 * and Kleene logic, built-ins and aggregates, members, the roll-up with
 * the persona's weights and grades, flags, the journey, and the
 * explanation trace.
 *
 * Where LANGUAGE.md is silent, this is what kenko does (docs/ repeats it):
 *   - A missing result carries the reason of the missing value it came
 *     from (an input's MISS_ABSENT, MISS_DIV_ZERO from a division, …), so
 *     "division by zero" survives `scale(a / b, 0, 1)`. A reference to an
 *     N/A member or dimension, or to a grade, persona, segment or
 *     bottleneck that has none, is missing with MISS_NOT_APPLICABLE.
 *   - Arithmetic whose result is not finite (overflow) is missing
 *     (MISS_DOMAIN). `a % b` is the floored modulo (the sign of b, like
 *     spreadsheets): -7 % 3 == 2. `%` by zero is missing (MISS_DIV_ZERO).
 *   - date ± n moves by trunc(n) days; a result outside 0001-01-01 ..
 *     9999-12-31 is missing (MISS_DOMAIN).
 *   - `x in [a, b]` is the Kleene `or` of `x == a`, `x == b`: a missing
 *     element gives missing unless another element matches.
 *   - round(x, d) rounds half away from zero at d decimals (d truncated to
 *     an integer; negative d rounds to tens, hundreds, …); it works on the
 *     double x·10^d, so round(2.675, 2) is 2.67 as in most languages.
 *   - clamp(x, lo, hi) is min(max(x, lo), hi). scale(x, lo, hi) is
 *     (x − lo)/(hi − lo)·100 clamped to 0..100; lo == hi is missing
 *     (MISS_DOMAIN).
 *   - lower/upper change ASCII letters only; contains/starts_with compare
 *     bytes (so they are exact for any UTF-8 text).
 *   - Aggregates: count(L) with L missing is 0 (count never propagates);
 *     sum/avg/min/max/any/all/nps of a missing list are missing (the
 *     contract's rule for calls). Over a present list, an element whose
 *     `where` is missing is not selected; sum/avg/min/max/nps skip missing
 *     field values; sum of nothing is 0; avg/min/max/nps of nothing are
 *     missing (MISS_EMPTY); any of nothing is false, all of nothing true;
 *     all(L where C) is false when C is false or missing for an element.
 *     count(L.f where C) counts the selected elements whose f is present.
 *   - nps: values >= 9 are promoters, <= 6 detractors, over the present
 *     values: 100·(P − D)/N.
 *   - Scores (and band values) are clamped to 0..100.
 *   - Coverage is 0 when no member carries weight.
 *   - Member and dimension weights <= 0 take no part in the roll-up. */
#include "engine/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct Evaluator {
  const Program *p;
  CProgram *cp;
  Arena arena;       /* result arrays, refs: the evaluator's life */
  Arena scratch;     /* per account: text made by lower()/upper() */
  Arena exprs;       /* eval_expr_in_account compilations (per account) */
  Arena *text_arena; /* where new text goes (&scratch) */
  /* the account being scored */
  Value *const *base; /* cp->tables, what C_LOAD nodes point into: the
                         inputs (copied in), indicators, thresholds in
                         effect (copied in), … */
  int32_t as_of;
  const Variant *variant;  /* the persona's (the default until it is known) */
  const Variant *in_table; /* whose thresholds the LB_THRESHOLD table holds */
  Value *indicators;
  Value *member_values; /* score, or missing (N/A) */
  Value *dim_values;
  Value *state;          /* LB_STATE (compile.h: StateSlot) */
  double *dim_wsum;      /* Σwᵢ over the members the dimension used */
  double health_wsum;    /* ΣW_d over the dimensions the health used */
  const Value **elem;    /* per input: the element an aggregate is at */
  Value *explain_values; /* cp->nvalues */
  Result r;
};

/* Evaluates E in the account's context: a call of the node's function.
 * Recursion follows the expression tree, whose depth the parser caps. */
static inline Value ev(Evaluator *E, const CExpr *e) { return e->fn(E, e); }

/* An operand: table loads and constants without a call (most leaves). */
static inline Value operand(Evaluator *E, const CExpr *x) {
  if (x->leaf) return *x->leaf;
  return x->fn(E, x);
}

/* ---- small value helpers ------------------------------------------------ */

static Value sym_or_na(int32_t sym) { return sym >= 0 ? val_sym(sym) : val_missing(MISS_NOT_APPLICABLE); }

static Value num_result(double x) { return isfinite(x) ? val_num(x) : val_missing(MISS_DOMAIN); }

static bool op_holds(Op op, int c) {
  switch (op) {
  case OP_EQ: return c == 0;
  case OP_NE: return c != 0;
  case OP_LT: return c < 0;
  case OP_LE: return c <= 0;
  case OP_GT: return c > 0;
  case OP_GE: return c >= 0;
  default: return false;
  }
}

static inline __attribute__((always_inline)) bool num_holds(Op op, double x, double y) {
  switch (op) {
  case OP_EQ: return x == y;
  case OP_NE: return x != y;
  case OP_LT: return x < y;
  case OP_LE: return x <= y;
  case OP_GT: return x > y;
  case OP_GE: return x >= y;
  default: return false;
  }
}

static int sign3(int64_t x) { return (x > 0) - (x < 0); }

/* a OP b; missing when either is missing. Text orders by bytes. */
__attribute__((noinline)) static Value compare(Op op, Value a, Value b) {
  if (a.type == T_MISSING) return a;
  if (b.type == T_MISSING) return b;
  if (a.type == T_NUMBER && b.type == T_NUMBER) return val_bool(num_holds(op, a.u.num, b.u.num));
  if (a.type != b.type) {
    if (op == OP_EQ || op == OP_NE) return val_bool(op == OP_NE);
    return val_missing(MISS_DOMAIN);
  }
  int c;
  switch ((ValueType)a.type) {
  case T_TEXT: {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.u.text, b.u.text, n) : 0;
    c = r != 0 ? (r > 0) - (r < 0) : sign3((int64_t)a.len - (int64_t)b.len);
    break;
  }
  case T_BOOL: c = (int)a.u.b - (int)b.u.b; break;
  case T_DATE: c = sign3((int64_t)a.u.date - b.u.date); break;
  case T_SYMBOL: c = sign3((int64_t)a.u.sym - b.u.sym); break;
  default: return val_missing(MISS_DOMAIN);
  }
  return val_bool(op_holds(op, c));
}

/* a + - * / % b (value_arith), out of the operations' way. */
__attribute__((noinline)) static Value arith(COp op, Value a, Value b) {
  static const char sign[] = {[C_ADD] = '+', [C_SUB] = '-', [C_MUL] = '*', [C_DIV] = '/', [C_MOD] = '%'};
  return value_arith((unsigned)op < sizeof sign ? sign[op] : '?', a, b);
}

/* ---- built-ins ------------------------------------------------------------ */

/* lower()/upper(): a copy with ASCII letters mapped. */
static Value map_case(Evaluator *E, Value t, bool upper) {
  char *s = arena_alloc(E->text_arena, (size_t)t.len + 1);
  for (uint32_t i = 0; i < t.len; i++) {
    char ch = t.u.text[i];
    if (upper && ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
    if (!upper && ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    s[i] = ch;
  }
  s[t.len] = '\0';
  return val_text(s, t.len);
}

static bool text_contains(Value t, Value s) {
  if (s.len == 0) return true;
  if (s.len > t.len) return false;
  for (uint32_t i = 0; i + s.len <= t.len; i++)
    if (t.u.text[i] == s.u.text[0] && memcmp(t.u.text + i, s.u.text, s.len) == 0) return true;
  return false;
}

/* min/max of several values (numbers or dates). */
static Value min_max(Evaluator *E, const CExpr *e, bool is_max) {
  Value best = operand(E, e->args[0]);
  if (best.type == T_MISSING) return best;
  for (int32_t i = 1; i < e->nargs; i++) {
    Value v = operand(E, e->args[i]);
    if (v.type == T_MISSING) return v;
    if (v.type != best.type) return val_missing(MISS_DOMAIN);
    bool better;
    if (v.type == T_NUMBER)
      better = is_max ? v.u.num > best.u.num : v.u.num < best.u.num;
    else if (v.type == T_DATE)
      better = is_max ? v.u.date > best.u.date : v.u.date < best.u.date;
    else
      return val_missing(MISS_DOMAIN);
    if (better) best = v;
  }
  if (best.type != T_NUMBER && best.type != T_DATE) return val_missing(MISS_DOMAIN);
  return best;
}

/* scale(x, lo, hi): (x − lo)/(hi − lo)·100 clamped to 0..100 (present
 * arguments). */
static inline Value scale_of(Value x, Value lo, Value hi) {
  if (x.type != T_NUMBER || lo.type != T_NUMBER || hi.type != T_NUMBER || lo.u.num == hi.u.num)
    return val_missing(MISS_DOMAIN);
  double s = (x.u.num - lo.u.num) / (hi.u.num - lo.u.num) * 100;
  if (!isfinite(s)) return val_missing(MISS_DOMAIN);
  return val_num(s < 0 ? 0 : s > 100 ? 100 : s);
}

/* days(from, to) of two present arguments. */
static inline Value days_between(Value from, Value to) {
  if (from.type != T_DATE || to.type != T_DATE) return val_missing(MISS_DOMAIN);
  return val_num((double)to.u.date - (double)from.u.date);
}

/* A call of a built-in that is not an aggregate (kept out of ev so that
 * ev's frame stays small). */
__attribute__((noinline)) static Value call(Evaluator *E, const CExpr *e) {
  Builtin fn = (Builtin)e->aux;
  if (fn == FN_COALESCE) {
    Value v = val_missing(MISS_ABSENT);
    for (int32_t i = 0; i < e->nargs; i++) {
      v = operand(E, e->args[i]);
      if (v.type != T_MISSING) return v;
    }
    return v;
  }
  if (fn == FN_MIN || fn == FN_MAX) return min_max(E, e, fn == FN_MAX);
  Value v[3];
  int32_t n = e->nargs < 3 ? e->nargs : 3;
  for (int32_t i = 0; i < n; i++) {
    v[i] = operand(E, e->args[i]);
    if (v[i].type == T_MISSING) return v[i];
  }
  switch (fn) {
  case FN_ABS:
    if (v[0].type != T_NUMBER) break;
    return val_num(fabs(v[0].u.num));
  case FN_ROUND:
    if (v[0].type != T_NUMBER || (n > 1 && v[1].type != T_NUMBER)) break;
    return num_result(value_round(v[0].u.num, n > 1 ? v[1].u.num : 0));
  case FN_CLAMP:
    if (v[0].type != T_NUMBER || v[1].type != T_NUMBER || v[2].type != T_NUMBER) break;
    return val_num(fmin(fmax(v[0].u.num, v[1].u.num), v[2].u.num));
  case FN_SCALE: return scale_of(v[0], v[1], v[2]);
  case FN_DAYS: return days_between(v[0], v[1]);
  case FN_DAYS_SINCE: return days_between(v[0], val_date(E->as_of));
  case FN_DAYS_UNTIL: return days_between(val_date(E->as_of), v[0]);
  case FN_LOWER:
  case FN_UPPER:
    if (v[0].type != T_TEXT) break;
    return map_case(E, v[0], fn == FN_UPPER);
  case FN_CONTAINS:
    if (v[0].type != T_TEXT || v[1].type != T_TEXT) break;
    return val_bool(text_contains(v[0], v[1]));
  case FN_STARTS_WITH:
    if (v[0].type != T_TEXT || v[1].type != T_TEXT) break;
    return val_bool(v[1].len <= v[0].len && memcmp(v[0].u.text, v[1].u.text, v[1].len) == 0);
  default: break;
  }
  return val_missing(MISS_DOMAIN);
}

/* count/sum/avg/min/max/any/all/nps over a list input (see the top of the
 * file for missing lists, missing conditions and empty selections). */
__attribute__((noinline)) static Value aggregate(Evaluator *E, const CExpr *e) {
  Builtin fn = (Builtin)e->aux;
  Value list = E->base[LB_INPUT][e->index];
  if (list.type != T_LIST) {
    if (fn == FN_COUNT) return val_num(0);
    return list.type == T_MISSING ? list : val_missing(MISS_DOMAIN);
  }
  const Value *saved = E->elem[e->index];
  int32_t width = e->nargs, field = e->sub;
  double acc = 0;
  int64_t n = 0, promoters = 0, detractors = 0;
  bool any = false, all = true;
  Value best = val_missing(MISS_EMPTY);
  for (uint32_t k = 0; k < list.len; k++) {
    const Value *rec = list.u.items + (size_t)k * (size_t)width;
    bool selected = true;
    if (e->a) {
      E->elem[e->index] = rec;
      Value c = operand(E, e->a);
      selected = c.type == T_BOOL && c.u.b;
    }
    Value v = field >= 0 ? rec[field] : val_bool(true);
    switch (fn) {
    case FN_COUNT:
      if (selected && v.type != T_MISSING) n++;
      break;
    case FN_ANY:
      if (selected && v.type == T_BOOL && v.u.b) any = true;
      break;
    case FN_ALL:
      if (!(selected && v.type == T_BOOL && v.u.b)) all = false;
      break;
    case FN_SUM:
    case FN_AVG:
      if (selected && v.type == T_NUMBER) {
        acc += v.u.num;
        n++;
      }
      break;
    case FN_AGG_MIN:
    case FN_AGG_MAX:
      if (!selected || (v.type != T_NUMBER && v.type != T_DATE)) break;
      if (best.type == T_MISSING) {
        best = v;
      } else if (v.type == best.type) {
        bool is_max = fn == FN_AGG_MAX;
        bool better = v.type == T_NUMBER ? (is_max ? v.u.num > best.u.num : v.u.num < best.u.num)
                                         : (is_max ? v.u.date > best.u.date : v.u.date < best.u.date);
        if (better) best = v;
      }
      break;
    case FN_NPS:
      if (selected && v.type == T_NUMBER) {
        n++;
        if (v.u.num >= 9)
          promoters++;
        else if (v.u.num <= 6)
          detractors++;
      }
      break;
    default: break;
    }
  }
  E->elem[e->index] = saved;
  switch (fn) {
  case FN_COUNT: return val_num((double)n);
  case FN_ANY: return val_bool(any);
  case FN_ALL: return val_bool(all);
  case FN_SUM: return num_result(acc);
  case FN_AVG: return n ? num_result(acc / (double)n) : val_missing(MISS_EMPTY);
  case FN_AGG_MIN:
  case FN_AGG_MAX: return best;
  case FN_NPS:
    return n ? val_num(100.0 * (double)(promoters - detractors) / (double)n) : val_missing(MISS_EMPTY);
  default: return val_missing(MISS_DOMAIN);
  }
}

/* ---- expressions --------------------------------------------------------- */

/* a in [args…]: the Kleene `or` of a == arg. */
__attribute__((noinline)) static Value in_list(Evaluator *E, const CExpr *e) {
  Value a = operand(E, e->a);
  if (a.type == T_MISSING) return a;
  Value unknown = val_bool(false);
  for (int32_t i = 0; i < e->nargs; i++) {
    Value r = compare(OP_EQ, a, operand(E, e->args[i]));
    if (r.type == T_BOOL && r.u.b) return r;
    if (r.type == T_MISSING && unknown.type != T_MISSING) unknown = r;
  }
  return unknown;
}

/* One function per operation, each with only the frame it needs; every
 * node holds its operation's (CExpr.fn). */
#define OP_FN(name) __attribute__((noinline)) static Value name(Evaluator *E, const CExpr *e)

OP_FN(op_elem) {
  const Value *rec = E->elem[e->index];
  return rec ? rec[e->sub] : val_missing(MISS_ABSENT);
}

OP_FN(op_neg) {
  Value a = operand(E, e->a);
  if (a.type == T_NUMBER) return val_num(-a.u.num);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

OP_FN(op_not) {
  Value a = operand(E, e->a);
  if (a.type == T_BOOL) return val_bool(!a.u.b);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

OP_FN(op_arith) {
  Value a = operand(E, e->a);
  if (a.type == T_MISSING) return a;
  return arith((COp)e->op, a, operand(E, e->b));
}

OP_FN(op_cmp) {
  Value a = operand(E, e->a);
  if (a.type == T_MISSING) return a;
  Value b = operand(E, e->b);
  if (a.type == T_NUMBER && b.type == T_NUMBER) return val_bool(num_holds((Op)e->aux, a.u.num, b.u.num));
  if (a.type == T_SYMBOL && b.type == T_SYMBOL && (e->aux == OP_EQ || e->aux == OP_NE))
    return val_bool((a.u.sym == b.u.sym) == (e->aux == OP_EQ));
  return compare((Op)e->aux, a, b);
}

OP_FN(op_cmp_num_k) {
  Value a = operand(E, e->a);
  if (a.type == T_NUMBER) return val_bool(num_holds((Op)e->aux, a.u.num, e->k.u.num));
  return compare((Op)e->aux, a, e->k);
}

OP_FN(op_and) {
  Value a = operand(E, e->a);
  if (a.type == T_BOOL && !a.u.b) return a;
  Value b = operand(E, e->b);
  if (b.type == T_BOOL && !b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

OP_FN(op_or) {
  Value a = operand(E, e->a);
  if (a.type == T_BOOL && a.u.b) return a;
  Value b = operand(E, e->b);
  if (b.type == T_BOOL && b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

OP_FN(op_coalesce) {
  Value a = operand(E, e->a);
  return a.type != T_MISSING ? a : operand(E, e->b);
}

OP_FN(op_is_missing) {
  Value a = operand(E, e->a);
  return val_bool((a.type == T_MISSING) != (e->aux != 0));
}

OP_FN(op_if) {
  Value a = operand(E, e->a);
  if (a.type == T_BOOL) return operand(E, a.u.b ? e->b : e->c);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

OP_FN(op_const) {
  (void)E;
  return *e->leaf;
}

OP_FN(op_load) {
  (void)E;
  return *e->leaf;
}

/* ---- operations on leaves --------------------------------------------------
 * When every operand is a load or a constant, the operation needs no call
 * and so no saved registers: these variants are leaf functions. */

static inline bool is_leaf(const CExpr *x) { return x->leaf != NULL; }

static inline Value leaf(const Evaluator *E, const CExpr *x) {
  (void)E;
  return *x->leaf;
}

/* A comparison of two leaves or of a leaf with a number constant, one
 * function per operator (the operator is not switched on at run time):
 * numbers inline; symbols (grades, personas, …) against each other with
 * == and !=; the rest through compare. */
static inline __attribute__((always_inline)) Value cmp_other(Op op, Value a, Value b) {
  if (a.type == T_SYMBOL && b.type == T_SYMBOL && (op == OP_EQ || op == OP_NE))
    return val_bool((a.u.sym == b.u.sym) == (op == OP_EQ));
  return compare(op, a, b);
}

#define CMP_SHAPES(SUFFIX, OPCODE, HOLDS)                                                                    \
  OP_FN(op_##SUFFIX##_leaves) {                                                                              \
    Value a = leaf(E, e->a);                                                                                 \
    if (a.type == T_MISSING) return a;                                                                       \
    Value b = leaf(E, e->b);                                                                                 \
    if (a.type == T_NUMBER && b.type == T_NUMBER) {                                                          \
      double x = a.u.num, y = b.u.num;                                                                       \
      return val_bool(HOLDS);                                                                                \
    }                                                                                                        \
    return cmp_other(OPCODE, a, b);                                                                          \
  }                                                                                                          \
  OP_FN(op_##SUFFIX##_num_k_leaf) {                                                                          \
    Value a = leaf(E, e->a);                                                                                 \
    if (a.type == T_NUMBER) {                                                                                \
      double x = a.u.num, y = e->k.u.num;                                                                    \
      return val_bool(HOLDS);                                                                                \
    }                                                                                                        \
    return compare(OPCODE, a, e->k);                                                                         \
  }

CMP_SHAPES(eq, OP_EQ, x == y)
CMP_SHAPES(ne, OP_NE, x != y)
CMP_SHAPES(lt, OP_LT, x < y)
CMP_SHAPES(le, OP_LE, x <= y)
CMP_SHAPES(gt, OP_GT, x > y)
CMP_SHAPES(ge, OP_GE, x >= y)

/* The function for comparison OP of leaves (NUM_K: with a number). */
static CExprFn cmp_leaf_fn(Op op, bool num_k) {
  switch (op) {
  case OP_EQ: return num_k ? op_eq_num_k_leaf : op_eq_leaves;
  case OP_NE: return num_k ? op_ne_num_k_leaf : op_ne_leaves;
  case OP_LT: return num_k ? op_lt_num_k_leaf : op_lt_leaves;
  case OP_LE: return num_k ? op_le_num_k_leaf : op_le_leaves;
  case OP_GT: return num_k ? op_gt_num_k_leaf : op_gt_leaves;
  case OP_GE: return num_k ? op_ge_num_k_leaf : op_ge_leaves;
  default: return NULL;
  }
}

OP_FN(op_coalesce_leaves) {
  Value a = leaf(E, e->a);
  return a.type != T_MISSING ? a : leaf(E, e->b);
}

OP_FN(op_is_missing_leaf) {
  Value a = leaf(E, e->a);
  return val_bool((a.type == T_MISSING) != (e->aux != 0));
}

/* ---- calls of the common built-ins ---------------------------------------
 * The same semantics as `call` (arguments left to right, the first missing
 * one is the result), without its loop and switch. */

OP_FN(op_scale) {
  Value x = operand(E, e->args[0]);
  if (x.type == T_MISSING) return x;
  Value lo = operand(E, e->args[1]);
  if (lo.type == T_MISSING) return lo;
  Value hi = operand(E, e->args[2]);
  if (hi.type == T_MISSING) return hi;
  return scale_of(x, lo, hi);
}

OP_FN(op_days) {
  Value from = operand(E, e->args[0]);
  if (from.type == T_MISSING) return from;
  Value to = operand(E, e->args[1]);
  if (to.type == T_MISSING) return to;
  return days_between(from, to);
}

OP_FN(op_days_since) {
  Value from = operand(E, e->args[0]);
  return from.type == T_MISSING ? from : days_between(from, val_date(E->as_of));
}

OP_FN(op_days_until) {
  Value to = operand(E, e->args[0]);
  return to.type == T_MISSING ? to : days_between(val_date(E->as_of), to);
}

/* a / b, a − b, a + b, a * b of two numbers inline; anything else (dates,
 * missing values, %, division by zero) through arith. */
OP_FN(op_arith_num) {
  Value a = operand(E, e->a);
  if (a.type == T_MISSING) return a;
  Value b = operand(E, e->b);
  if (a.type == T_NUMBER && b.type == T_NUMBER) {
    double x = a.u.num, y = b.u.num, r;
    switch ((COp)e->op) {
    case C_ADD: r = x + y; break;
    case C_SUB: r = x - y; break;
    case C_MUL: r = x * y; break;
    case C_DIV:
      if (y == 0) return val_missing(MISS_DIV_ZERO);
      r = x / y;
      break;
    default: return arith((COp)e->op, a, b);
    }
    return num_result(r);
  }
  return arith((COp)e->op, a, b);
}

/* A load or a constant, or a comparison, `??`, `is missing` or `not` of
 * such (two levels at most). */
static bool cheap_operand(const CExpr *x, int depth) {
  if (is_leaf(x)) return true;
  if (depth == 0) return false;
  switch ((COp)x->op) {
  case C_CMP:
  case C_COALESCE: return cheap_operand(x->a, depth - 1) && cheap_operand(x->b, depth - 1);
  case C_CMP_NUM_K:
  case C_IS_MISSING:
  case C_NOT: return cheap_operand(x->a, depth - 1);
  default: return false;
  }
}

bool eval_cheap(const CExpr *x) { return cheap_operand(x, 2); }

CExprFn eval_node_fn(const CExpr *x) {
  switch ((COp)x->op) {
  case C_CMP:
    if (is_leaf(x->a) && is_leaf(x->b) && cmp_leaf_fn((Op)x->aux, false))
      return cmp_leaf_fn((Op)x->aux, false);
    break;
  case C_CMP_NUM_K:
    if (is_leaf(x->a) && cmp_leaf_fn((Op)x->aux, true)) return cmp_leaf_fn((Op)x->aux, true);
    break;
  case C_COALESCE:
    if (is_leaf(x->a) && is_leaf(x->b)) return op_coalesce_leaves;
    break;
  case C_IS_MISSING:
    if (is_leaf(x->a)) return op_is_missing_leaf;
    break;
  case C_ADD:
  case C_SUB:
  case C_MUL:
  case C_DIV: return op_arith_num;
  case C_CALL:
    switch ((Builtin)x->aux) {
    case FN_SCALE:
      if (x->nargs == 3) return op_scale;
      break;
    case FN_DAYS:
      if (x->nargs == 2) return op_days;
      break;
    case FN_DAYS_SINCE:
      if (x->nargs == 1) return op_days_since;
      break;
    case FN_DAYS_UNTIL:
      if (x->nargs == 1) return op_days_until;
      break;
    default: break;
    }
    break;
  default: break;
  }
  return eval_op_fn((COp)x->op);
}

CExprFn eval_op_fn(COp op) {
  switch (op) {
  case C_CONST: return op_const;
  case C_LOAD: return op_load;
  case C_ELEM: return op_elem;
  case C_NEG: return op_neg;
  case C_NOT: return op_not;
  case C_ADD:
  case C_SUB:
  case C_MUL:
  case C_DIV:
  case C_MOD: return op_arith;
  case C_CMP: return op_cmp;
  case C_CMP_NUM_K: return op_cmp_num_k;
  case C_AND: return op_and;
  case C_OR: return op_or;
  case C_COALESCE: return op_coalesce;
  case C_IN: return in_list;
  case C_IS_MISSING: return op_is_missing;
  case C_IF: return op_if;
  case C_CALL: return call;
  case C_AGG: return aggregate;
  }
  return op_const;
}

Value eval_constant(const CExpr *e, Arena *arena) {
  Evaluator tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.text_arena = arena;
  return ev(&tmp, e);
}

/* ---- the steps ------------------------------------------------------------ */

/* Makes V the variant in effect: its weights and grades, and its
 * thresholds in the table C_LOAD nodes read (copied only when another
 * variant's are there). */
static void use_variant(Evaluator *E, const Variant *v) {
  E->variant = v;
  if (E->in_table == v) return;
  memcpy(E->base[LB_THRESHOLD], v->thresholds, (size_t)E->p->nthresholds * sizeof(Value));
  E->in_table = v;
}

/* The first persona whose condition is true (conditions see the default
 * thresholds); then the persona's variant takes effect. */
static void step_persona(Evaluator *E) {
  const CProgram *cp = E->cp;
  int32_t np = E->p->npersonas;
  use_variant(E, &cp->variants[np]);
  int32_t match = -1;
  for (int32_t i = 0; i < np; i++) {
    if (match >= 0) {
      E->r.persona_tried[i] = PT_NOT_TRIED;
      continue;
    }
    const CExpr *cond = cp->persona_cond[i];
    Value c = cond ? operand(E, cond) : val_bool(true);
    if (c.type == T_BOOL && c.u.b) {
      match = i;
      E->r.persona_tried[i] = PT_MATCHED;
    } else {
      E->r.persona_tried[i] = c.type == T_BOOL ? PT_FALSE : PT_MISSING;
    }
  }
  E->r.persona = match;
  E->state[ST_PERSONA] = sym_or_na(match);
  if (match >= 0) use_variant(E, &cp->variants[match]);
}

static void step_segment(Evaluator *E, int32_t s) {
  const SegmentDecl *seg = &E->p->segments[s];
  int32_t match = -1;
  for (int32_t k = 0; k < seg->ncases && match < 0; k++) {
    const CExpr *cond = E->cp->case_cond[s][k];
    Value c = cond ? operand(E, cond) : val_bool(true);
    if (c.type == T_BOOL && c.u.b) match = k;
  }
  E->r.segments[s] = match;
  E->state[E->cp->state_segment + s] = sym_or_na(match);
}

static void member_na(MemberResult *mr, uint8_t why) {
  mr->na = true;
  mr->status = MS_NA;
  mr->why = why;
  mr->score = NAN;
}

/* A score value: clamped to 0..100; missing or not a number is N/A. */
static void member_score(MemberResult *mr, Value v) {
  if (v.type == T_NUMBER && !isnan(v.u.num)) {
    double s = v.u.num;
    mr->na = false;
    mr->status = MS_SCORED;
    mr->score = s < 0 ? 0 : s > 100 ? 100 : s;
  } else {
    member_na(mr, v.type == T_MISSING ? v.why : MISS_DOMAIN);
  }
}

/* rule → 100 / 0 / N/A; score → clamped; bands → the first true band,
 * N/A when a missing condition comes before it. */
static void step_member(Evaluator *E, int32_t i) {
  const CMember *m = &E->cp->members[i];
  MemberResult *mr = &E->r.members[i];
  mr->band = -1;
  mr->why = 0;
  switch ((MemberKind)m->kind) {
  case MEMBER_RULE: {
    Value c = operand(E, m->expr);
    if (c.type == T_BOOL) {
      /* pass or fail by arithmetic: a branch on it would be mispredicted
       * as often as the accounts differ */
      unsigned pass = c.u.b;
      mr->na = false;
      mr->status = (uint8_t)(MS_FAIL - pass); /* MS_PASS is MS_FAIL − 1 */
      mr->score = (double)(100u * pass);
    } else {
      member_na(mr, c.type == T_MISSING ? c.why : MISS_DOMAIN);
    }
    break;
  }
  case MEMBER_SCORE: member_score(mr, operand(E, m->expr)); break;
  case MEMBER_BANDS: {
    member_na(mr, MISS_NOT_APPLICABLE); /* no band matched */
    if (m->eager_bands) {
      /* Every condition evaluated (they are cheap and have no effects),
       * then the first that is not false taken from a bit mask: the
       * band an account falls in is the data's, and a loop that stopped
       * there would mispredict its exit. */
      Value c[EAGER_BANDS_MAX];
      uint32_t stops = 0;
      for (int32_t b = 0; b < m->nbands; b++) {
        const CExpr *cond = m->bands[b].cond;
        c[b] = cond ? operand(E, cond) : val_bool(true);
        stops |= (uint32_t) !(c[b].type == T_BOOL && !c[b].u.b) << b;
      }
      if (!stops) break;
      int32_t b = __builtin_ctz(stops);
      if (c[b].type != T_BOOL) {
        member_na(mr, c[b].type == T_MISSING ? c[b].why : MISS_DOMAIN);
        break;
      }
      mr->band = b;
      member_score(mr, operand(E, m->bands[b].value));
      break;
    }
    for (int32_t b = 0; b < m->nbands; b++) {
      const CBand *band = &m->bands[b];
      if (band->cond) {
        Value c = operand(E, band->cond);
        if (c.type != T_BOOL) {
          member_na(mr, c.type == T_MISSING ? c.why : MISS_DOMAIN);
          break;
        }
        if (!c.u.b) continue;
      }
      mr->band = b;
      member_score(mr, operand(E, band->value));
      break;
    }
    break;
  }
  }
  E->member_values[i] = mr->na ? val_missing(MISS_NOT_APPLICABLE) : val_num(mr->score);
}

/* Σ(wᵢ·sᵢ)/Σwᵢ over the scored members of dimension D with wᵢ > 0; member
 * CHANGED (flat, or -1) counts as scoring CHANGED_SCORE (NAN: N/A). NAN
 * when nothing is left. *WSUM receives Σwᵢ. */
static inline __attribute__((always_inline)) double dim_score(const Evaluator *E, int32_t d, int32_t changed,
                                                              double changed_score, double *wsum) {
  const double *w = E->variant->member_weight;
  const MemberResult *members = E->r.members;
  int32_t first = E->cp->member_first[d], last = E->cp->member_first[d + 1];
  double acc = 0, sw = 0;
  for (int32_t i = first; i < last; i++) {
    double s = i == changed ? changed_score : members[i].score, wi = w[i];
    /* selects, not a branch: whether a member counts is the data's */
    bool counts = !isnan(s) && wi > 0;
    acc += counts ? wi * s : 0;
    sw += counts ? wi : 0;
  }
  *wsum = sw;
  return sw > 0 ? acc / sw : NAN;
}

int32_t eval_grade_of(const Program *p, int32_t set, double score) {
  if (set < 0 || set >= p->ngrade_sets || isnan(score)) return -1;
  const GradeSet *gs = &p->grade_sets[set];
  /* The bounds decrease and the last is -inf (`otherwise`): the band is
   * the number of bounds above the score, counted without a branch that
   * would depend on the score. */
  int32_t band = 0;
  for (int32_t b = 0; b < gs->nbands - 1; b++)
    band += score < gs->bands[b].bound;
  return gs->bands[band].grade;
}

static void step_dimension(Evaluator *E, int32_t d) {
  DimResult *dr = &E->r.dims[d];
  double s = dim_score(E, d, -1, 0, &E->dim_wsum[d]);
  dr->na = isnan(s);
  dr->score = s;
  dr->weight = E->variant->dim_weight[d];
  dr->excluded = !(dr->weight > 0);
  dr->grade_set = E->variant->dim_grades[d];
  dr->grade = eval_grade_of(E->p, dr->grade_set, s);
  dr->effective = 0;
  E->dim_values[d] = dr->na ? val_missing(MISS_NOT_APPLICABLE) : val_num(s);
  E->state[E->cp->state_dim_grade + d] = sym_or_na(dr->grade);
}

/* health = Σ(W_d·S_d)/ΣW_d over the dimensions not N/A with W_d > 0. */
static void step_health(Evaluator *E) {
  Result *r = &E->r;
  double acc = 0, sw = 0;
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    if (dr->na || dr->excluded) continue;
    acc += dr->weight * dr->score;
    sw += dr->weight;
  }
  E->health_wsum = sw;
  r->health_na = !(sw > 0);
  r->health = r->health_na ? NAN : acc / sw;
  r->grade_set = E->variant->health_grades;
  r->grade = eval_grade_of(E->p, r->grade_set, r->health);
  E->state[ST_HEALTH] = r->health_na ? val_missing(MISS_NOT_APPLICABLE) : val_num(r->health);
  E->state[ST_GRADE] = sym_or_na(r->grade);
}

/* After the steps (no rule can refer to them): every dimension's and
 * member's effective weight, the lost points and the coverage. */
static void rollup_details(Evaluator *E) {
  const CProgram *cp = E->cp;
  Result *r = &E->r;
  const Variant *v = E->variant;
  double sw = E->health_wsum, covered = 0;
  const double *member_weight = v->member_weight, *coverage_weight = v->coverage_weight;
  for (int32_t d = 0; d < r->ndims; d++) {
    DimResult *dr = &r->dims[d];
    bool in = !r->health_na && !dr->na && !dr->excluded;
    double effective = in ? dr->weight / sw : 0, wsum = E->dim_wsum[d];
    dr->effective = effective;
    int32_t first = cp->member_first[d], last = cp->member_first[d + 1];
    for (int32_t i = first; i < last; i++) {
      MemberResult *mr = &r->members[i];
      double w = member_weight[i];
      mr->weight = w;
      if (in && !mr->na && w > 0) {
        mr->effective = effective * (w / wsum);
        mr->lost = mr->effective * (100 - mr->score);
      } else {
        mr->effective = 0;
        mr->lost = 0;
      }
      if (!mr->na) covered += coverage_weight[i];
    }
  }
  r->coverage = v->coverage_total > 0 ? covered / v->coverage_total : 0;
  r->detailed = true;
}

static void step_flag(Evaluator *E, int32_t f) {
  Value c = operand(E, E->cp->flag_cond[f]);
  bool raised = c.type == T_BOOL && c.u.b;
  E->r.flags[f] = raised ? FLAG_RAISED : c.type == T_BOOL ? FLAG_OFF : FLAG_UNKNOWN;
  E->state[E->cp->state_flagged + f] = val_bool(raised);
}

static void step_journey(Evaluator *E) {
  /* the first step not passed, as a minimum (no branch on the data) */
  int32_t bottleneck = INT32_MAX;
  for (int32_t s = 0; s < E->r.nsteps; s++) {
    Value c = operand(E, E->cp->step_cond[s]);
    uint8_t st = c.type == T_BOOL ? (c.u.b ? STEP_PASS : STEP_FAIL) : STEP_UNKNOWN;
    E->r.steps[s] = st;
    int32_t at = st != STEP_PASS ? s : INT32_MAX;
    bottleneck = at < bottleneck ? at : bottleneck;
  }
  E->r.bottleneck = bottleneck == INT32_MAX ? -1 : bottleneck;
  E->state[ST_BOTTLENECK] = sym_or_na(E->r.bottleneck);
}

/* ---- explanations ------------------------------------------------------- */

Value eval_ref_value(const Evaluator *E, const ExplainRef *ref, bool default_thresholds) {
  const Result *r = &E->r;
  switch ((RefKind)ref->kind) {
  case REF_INPUT: return E->base[LB_INPUT][ref->index];
  case REF_INDICATOR: return E->indicators[ref->index];
  case REF_THRESHOLD:
    return default_thresholds ? E->cp->variants[E->p->npersonas].thresholds[ref->index]
                              : E->variant->thresholds[ref->index];
  case REF_DIMENSION: return E->dim_values[ref->index];
  case REF_DIM_GRADE: return sym_or_na(r->dims[ref->index].grade);
  case REF_MEMBER: return E->member_values[E->cp->member_first[ref->index] + ref->sub];
  case REF_SEGMENT: return sym_or_na(r->segments[ref->index]);
  case REF_HEALTH: return r->health_na ? val_missing(MISS_NOT_APPLICABLE) : val_num(r->health);
  case REF_GRADE: return sym_or_na(r->grade);
  case REF_PERSONA: return sym_or_na(r->persona);
  case REF_BOTTLENECK: return sym_or_na(r->bottleneck);
  case REF_AS_OF: return val_date(E->as_of);
  case REF_FLAG: return val_bool(r->flags[ref->index] == FLAG_RAISED);
  default: return val_missing(MISS_DOMAIN);
  }
}

/* Captures every member's referenced values, the first missing one of
 * each N/A member, and the drivers (by lost points, stable). */
static void explain(Evaluator *E) {
  const CProgram *cp = E->cp;
  Result *r = &E->r;
  for (int32_t i = 0; i < r->nmembers; i++) {
    const CMember *m = &cp->members[i];
    MemberResult *mr = &r->members[i];
    Value *vals = E->explain_values + m->values_at;
    mr->missing_ref = -1;
    for (int32_t k = 0; k < m->refs.count; k++) {
      vals[k] = eval_ref_value(E, &m->refs.refs[k], false);
      if (mr->na && mr->missing_ref < 0 && vals[k].type == T_MISSING) mr->missing_ref = k;
    }
    mr->values = vals;
  }
  int32_t *drv = r->drivers;
  for (int32_t i = 0; i < r->nmembers; i++) {
    int32_t j = i;
    while (j > 0 && r->members[drv[j - 1]].lost < r->members[i].lost) {
      drv[j] = drv[j - 1];
      j--;
    }
    drv[j] = i;
  }
  r->explained = true;
}

static void no_explain(Result *r) {
  if (!r->explained) return;
  for (int32_t i = 0; i < r->nmembers; i++) {
    r->members[i].values = NULL;
    r->members[i].missing_ref = -1;
  }
  r->explained = false;
}

/* ---- the API -------------------------------------------------------------- */

const Result *eval_account(Evaluator *E, const Value *inputs, int32_t as_of, EvalDepth depth) {
  const CProgram *cp = E->cp;
  arena_reset(&E->scratch);
  arena_reset(&E->exprs);
  memcpy(E->base[LB_INPUT], inputs, (size_t)E->p->ninputs * sizeof(Value));
  E->as_of = as_of;
  E->r.as_of = as_of;
  E->state[ST_AS_OF] = val_date(as_of);
  use_variant(E, &cp->variants[E->p->npersonas]);
  for (int32_t s = 0; s < cp->nsteps; s++) {
    const CStep *st = &cp->steps[s];
    int32_t first = st->index, end = st->index + st->count;
    switch ((DepKind)st->kind) {
    case DEP_INDICATOR:
      for (int32_t i = first; i < end; i++)
        E->indicators[i] = operand(E, cp->indicators[i]);
      break;
    case DEP_PERSONA: step_persona(E); break;
    case DEP_SEGMENT:
      for (int32_t i = first; i < end; i++)
        step_segment(E, i);
      break;
    case DEP_MEMBER:
      for (int32_t i = first; i < end; i++)
        step_member(E, i);
      break;
    case DEP_DIMENSION:
      for (int32_t i = first; i < end; i++)
        step_dimension(E, i);
      break;
    case DEP_HEALTH: step_health(E); break;
    case DEP_FLAG:
      for (int32_t i = first; i < end; i++)
        step_flag(E, i);
      break;
    case DEP_JOURNEY: step_journey(E); break;
    case DEP_THRESHOLD: break;
    }
  }
  if (depth >= EVAL_DETAILS) {
    rollup_details(E);
  } else {
    E->r.detailed = false;
    E->r.coverage = NAN;
  }
  if (depth == EVAL_EXPLAIN)
    explain(E);
  else
    no_explain(&E->r);
  return &E->r;
}

const Result *eval_result(const Evaluator *E) { return &E->r; }

/* Sets every slot to "nothing known" (the state before any account). */
static void reset_state(Evaluator *E) {
  const Program *p = E->p;
  Result *r = &E->r;
  for (int32_t i = 0; i < p->ninputs; i++)
    E->base[LB_INPUT][i] = val_missing(MISS_ABSENT);
  for (int32_t i = 0; i < p->nindicators; i++)
    E->indicators[i] = val_missing(MISS_ABSENT);
  for (int32_t i = 0; i < r->nmembers; i++) {
    E->member_values[i] = val_missing(MISS_NOT_APPLICABLE);
    member_na(&r->members[i], MISS_NOT_APPLICABLE);
    r->members[i].band = -1;
    r->members[i].missing_ref = -1;
  }
  for (int32_t d = 0; d < r->ndims; d++) {
    E->dim_values[d] = val_missing(MISS_NOT_APPLICABLE);
    r->dims[d].na = true;
    r->dims[d].score = NAN;
    r->dims[d].grade = -1;
    r->dims[d].grade_set = -1;
  }
  for (int32_t i = 0; i < r->nsegments; i++)
    r->segments[i] = -1;
  for (int32_t i = 0; i < r->npersonas; i++)
    r->persona_tried[i] = PT_NOT_TRIED;
  for (int32_t i = 0; i < r->nflags; i++)
    r->flags[i] = FLAG_OFF;
  for (int32_t i = 0; i < r->nsteps; i++)
    r->steps[i] = STEP_UNKNOWN;
  r->persona = -1;
  r->health_na = true;
  r->health = NAN;
  r->grade = -1;
  r->grade_set = -1;
  r->coverage = 0;
  r->bottleneck = -1;
  r->explained = false;
  for (int32_t i = 0; i < E->cp->nstate; i++)
    E->state[i] = val_missing(MISS_NOT_APPLICABLE);
  for (int32_t f = 0; f < r->nflags; f++)
    E->state[E->cp->state_flagged + f] = val_bool(false);
  E->state[ST_AS_OF] = val_date(E->as_of);
  E->in_table = NULL;
  use_variant(E, &E->cp->variants[p->npersonas]);
}

#define ALLOC(E, n, T) ((T *)arena_alloc(&(E)->arena, ((size_t)(n) + 1) * sizeof(T)))

Evaluator *eval_new(const Program *p, Diag *diag) {
  CProgram *cp = compile_program(p, diag);
  if (!cp) return NULL;
  Evaluator *E = xcalloc(1, sizeof *E);
  E->p = p;
  E->cp = cp;
  arena_init(&E->arena, 64 * 1024);
  arena_init(&E->scratch, 16 * 1024);
  arena_init(&E->exprs, 16 * 1024);
  E->text_arena = &E->scratch;
  Result *r = &E->r;
  r->npersonas = p->npersonas;
  r->nsegments = p->nsegments;
  r->ndims = p->ndimensions;
  r->nmembers = cp->nmembers;
  r->nflags = p->nflags;
  r->nsteps = p->nsteps;
  r->persona_tried = ALLOC(E, p->npersonas, uint8_t);
  r->segments = ALLOC(E, p->nsegments, int32_t);
  r->dims = ALLOC(E, p->ndimensions, DimResult);
  r->members = ALLOC(E, cp->nmembers, MemberResult);
  r->flags = ALLOC(E, p->nflags, uint8_t);
  r->steps = ALLOC(E, p->nsteps, uint8_t);
  r->drivers = ALLOC(E, cp->nmembers, int32_t);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    r->dims[d].members = r->members + cp->member_first[d];
    r->dims[d].nmembers = p->dimensions[d].nmembers;
    for (int32_t i = cp->member_first[d]; i < cp->member_first[d + 1]; i++) {
      r->members[i].dim = d;
      r->members[i].index = i - cp->member_first[d];
    }
  }
  for (int32_t i = 0; i < cp->nmembers; i++)
    r->drivers[i] = i;
  E->base = cp->tables;
  E->indicators = cp->tables[LB_INDICATOR];
  E->member_values = cp->tables[LB_MEMBER];
  E->dim_values = cp->tables[LB_DIM];
  E->dim_wsum = ALLOC(E, p->ndimensions, double);
  E->elem = ALLOC(E, p->ninputs, const Value *);
  E->explain_values = ALLOC(E, cp->nvalues, Value);
  E->state = cp->tables[LB_STATE];
  reset_state(E);
  return E;
}

void eval_free(Evaluator *E) {
  if (!E) return;
  compile_free(E->cp);
  arena_free(&E->arena);
  arena_free(&E->scratch);
  arena_free(&E->exprs);
  free(E);
}

Value eval_expr_in_account(Evaluator *E, const Node *expr) {
  const CExpr *x = compile_expr(E->cp, &E->exprs, expr);
  if (!x) return val_missing(MISS_DOMAIN);
  return ev(E, x);
}

RefList eval_expr_refs(Evaluator *E, const Node *expr) {
  return compile_refs(E->cp, &E->arena, &expr, expr ? 1 : 0);
}

Value eval_threshold_value(const Evaluator *E, int32_t t, int32_t persona) {
  if (t < 0 || t >= E->p->nthresholds) return val_missing(MISS_DOMAIN);
  return compile_variant(E->cp, persona)->thresholds[t];
}

const Variant *eval_variant(const Evaluator *E, int32_t persona) { return compile_variant(E->cp, persona); }

const RefList *eval_member_refs(const Evaluator *E, int32_t member) { return &E->cp->members[member].refs; }

const RefList *eval_persona_refs(const Evaluator *E, int32_t persona) {
  return &E->cp->persona_refs[persona];
}

const RefList *eval_flag_refs(const Evaluator *E, int32_t flag) { return &E->cp->flag_refs[flag]; }

const RefList *eval_step_refs(const Evaluator *E, int32_t step) { return &E->cp->step_refs[step]; }

int32_t eval_member_index(const Evaluator *E, int32_t d, int32_t m) { return E->cp->member_first[d] + m; }

double eval_health_if(const Evaluator *E, int32_t member, double score) {
  const Result *r = &E->r;
  int32_t changed_dim = member >= 0 && member < r->nmembers ? r->members[member].dim : -1;
  if (!isnan(score)) score = score < 0 ? 0 : score > 100 ? 100 : score;
  double acc = 0, sw = 0, wsum;
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    if (dr->excluded) continue;
    double s = d == changed_dim ? dim_score(E, d, member, score, &wsum) : dr->score;
    if (isnan(s)) continue;
    acc += dr->weight * s;
    sw += dr->weight;
  }
  return sw > 0 ? acc / sw : NAN;
}

/* ---- test data ------------------------------------------------------------ */

/* A literal of a `given` block as a value (records are handled by the
 * caller). */
static Value literal_value(const Node *v) {
  switch ((NodeKind)v->kind) {
  case E_NUM: return val_num(v->num);
  case E_STR: return val_text(v->str, (uint32_t)strlen(v->str));
  case E_DATE: return val_date(v->date);
  case E_BOOL: return val_bool(v->num != 0);
  default: return val_missing(MISS_ABSENT);
  }
}

/* `[ { f: v, … }, … ]` as a list value of IN's records. */
static Value list_value(const InputDecl *in, const Node *v, Arena *arena) {
  int32_t n = v->list.count, width = in->nfields;
  Value *items = arena_alloc(arena, ((size_t)n * (size_t)width + 1) * sizeof *items);
  for (int32_t k = 0; k < n; k++) {
    Value *rec = items + (size_t)k * (size_t)width;
    for (int32_t f = 0; f < width; f++)
      rec[f] = val_missing(MISS_ABSENT);
    const Node *r = v->list.items[k];
    for (int32_t j = 0; j < r->list.count; j++) {
      const Node *fv = r->list.items[j];
      for (int32_t f = 0; f < width; f++)
        if (strcmp(in->fields[f].name, fv->name) == 0) rec[f] = literal_value(fv->a);
    }
  }
  Value list = {0};
  list.type = T_LIST;
  list.len = (uint32_t)n;
  list.u.items = items;
  return list;
}

Value *eval_given_inputs(const Program *p, const Node *given, Arena *arena) {
  Value *in = arena_alloc(arena, ((size_t)p->ninputs + 1) * sizeof *in);
  for (int32_t i = 0; i < p->ninputs; i++)
    in[i] = val_missing(MISS_ABSENT);
  if (!given) return in;
  for (int32_t k = 0; k < given->list.count; k++) {
    const Node *fv = given->list.items[k];
    for (int32_t i = 0; i < p->ninputs; i++) {
      if (strcmp(p->inputs[i].name, fv->name) != 0) continue;
      if (fv->a->kind == E_LIST && p->inputs[i].type == T_LIST)
        in[i] = list_value(&p->inputs[i], fv->a, arena);
      else
        in[i] = literal_value(fv->a);
    }
  }
  return in;
}

/* ---- the readers' schema ------------------------------------------------ */

void eval_schema(const Program *p, Schema *out, Arena *arena) {
  FieldSchema *fs = arena_alloc(arena, ((size_t)p->ninputs + 1) * sizeof *fs);
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    fs[i].name = in->name;
    fs[i].column = in->column ? in->column : in->name;
    fs[i].type = in->type;
    fs[i].optional = in->optional;
    fs[i].key = in->key;
    fs[i].allowed = in->allowed;
    fs[i].nallowed = in->nallowed;
    if (in->type == T_LIST) {
      FieldSchema *el = arena_alloc(arena, ((size_t)in->nfields + 1) * sizeof *el);
      for (int32_t k = 0; k < in->nfields; k++) {
        const ListField *lf = &in->fields[k];
        el[k].name = lf->name;
        el[k].column = lf->name;
        el[k].type = lf->type;
        el[k].optional = lf->optional;
        el[k].allowed = lf->allowed;
        el[k].nallowed = lf->nallowed;
      }
      fs[i].fields = el;
      fs[i].nfields = in->nfields;
    }
  }
  out->inputs = fs;
  out->ninputs = p->ninputs;
  out->key_index = p->key_input;
}
