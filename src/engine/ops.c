/* ops.c — the operations of compiled expressions (ops.h): missing values
 * and Kleene logic, comparisons, arithmetic, built-ins and aggregates;
 * each node kind's function, faster ones for operands that are loads or
 * constants, and constant folding. The compiler picks the functions and
 * folds; the evaluator runs them.
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
 *     values: 100·(P − D)/N. */
#include "engine/ops.h"

#include <math.h>
#include <string.h>

#include "check/check.h"
#include "engine/trend.h"

/* ---- small value helpers ------------------------------------------------ */

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
static Value map_case(OpCtx *E, Value t, bool upper) {
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
static Value min_max(OpCtx *E, const CExpr *e, bool is_max) {
  Value best = ops_value(E, e->args[0]);
  if (best.type == T_MISSING) return best;
  for (int32_t i = 1; i < e->nargs; i++) {
    Value v = ops_value(E, e->args[i]);
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
__attribute__((noinline)) static Value call(OpCtx *E, const CExpr *e) {
  Builtin fn = (Builtin)e->aux;
  if (fn == FN_COALESCE) {
    Value v = val_missing(MISS_ABSENT);
    for (int32_t i = 0; i < e->nargs; i++) {
      v = ops_value(E, e->args[i]);
      if (v.type != T_MISSING) return v;
    }
    return v;
  }
  if (fn == FN_MIN || fn == FN_MAX) return min_max(E, e, fn == FN_MAX);
  Value v[3];
  int32_t n = e->nargs < 3 ? e->nargs : 3;
  for (int32_t i = 0; i < n; i++) {
    v[i] = ops_value(E, e->args[i]);
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
__attribute__((noinline)) static Value aggregate(OpCtx *E, const CExpr *e) {
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
      Value c = ops_value(E, e->a);
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
__attribute__((noinline)) static Value in_list(OpCtx *E, const CExpr *e) {
  Value a = ops_value(E, e->a);
  if (a.type == T_MISSING) return a;
  Value unknown = val_bool(false);
  for (int32_t i = 0; i < e->nargs; i++) {
    Value r = compare(OP_EQ, a, ops_value(E, e->args[i]));
    if (r.type == T_BOOL && r.u.b) return r;
    if (r.type == T_MISSING && unknown.type != T_MISSING) unknown = r;
  }
  return unknown;
}

/* One function per operation, each with only the frame it needs; every
 * node holds its operation's (CExpr.fn). */
#define OP_FN(name) __attribute__((noinline)) static Value name(OpCtx *E, const CExpr *e)

OP_FN(op_elem) {
  const Value *rec = E->elem[e->index];
  return rec ? rec[e->sub] : val_missing(MISS_ABSENT);
}

OP_FN(op_neg) {
  Value a = ops_value(E, e->a);
  if (a.type == T_NUMBER) return val_num(-a.u.num);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

OP_FN(op_not) {
  Value a = ops_value(E, e->a);
  if (a.type == T_BOOL) return val_bool(!a.u.b);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

OP_FN(op_arith) {
  Value a = ops_value(E, e->a);
  if (a.type == T_MISSING) return a;
  return arith((COp)e->op, a, ops_value(E, e->b));
}

OP_FN(op_cmp) {
  Value a = ops_value(E, e->a);
  if (a.type == T_MISSING) return a;
  Value b = ops_value(E, e->b);
  if (a.type == T_NUMBER && b.type == T_NUMBER) return val_bool(num_holds((Op)e->aux, a.u.num, b.u.num));
  if (a.type == T_SYMBOL && b.type == T_SYMBOL && (e->aux == OP_EQ || e->aux == OP_NE))
    return val_bool((a.u.sym == b.u.sym) == (e->aux == OP_EQ));
  return compare((Op)e->aux, a, b);
}

OP_FN(op_cmp_num_k) {
  Value a = ops_value(E, e->a);
  if (a.type == T_NUMBER) return val_bool(num_holds((Op)e->aux, a.u.num, e->k.u.num));
  return compare((Op)e->aux, a, e->k);
}

OP_FN(op_and) {
  Value a = ops_value(E, e->a);
  if (a.type == T_BOOL && !a.u.b) return a;
  Value b = ops_value(E, e->b);
  if (b.type == T_BOOL && !b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

OP_FN(op_or) {
  Value a = ops_value(E, e->a);
  if (a.type == T_BOOL && a.u.b) return a;
  Value b = ops_value(E, e->b);
  if (b.type == T_BOOL && b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

OP_FN(op_coalesce) {
  Value a = ops_value(E, e->a);
  return a.type != T_MISSING ? a : ops_value(E, e->b);
}

OP_FN(op_is_missing) {
  Value a = ops_value(E, e->a);
  return val_bool((a.type == T_MISSING) != (e->aux != 0));
}

OP_FN(op_if) {
  Value a = ops_value(E, e->a);
  if (a.type == T_BOOL) return ops_value(E, a.u.b ? e->b : e->c);
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

static inline Value leaf(const OpCtx *E, const CExpr *x) {
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
  Value x = ops_value(E, e->args[0]);
  if (x.type == T_MISSING) return x;
  Value lo = ops_value(E, e->args[1]);
  if (lo.type == T_MISSING) return lo;
  Value hi = ops_value(E, e->args[2]);
  if (hi.type == T_MISSING) return hi;
  return scale_of(x, lo, hi);
}

OP_FN(op_days) {
  Value from = ops_value(E, e->args[0]);
  if (from.type == T_MISSING) return from;
  Value to = ops_value(E, e->args[1]);
  if (to.type == T_MISSING) return to;
  return days_between(from, to);
}

OP_FN(op_days_since) {
  Value from = ops_value(E, e->args[0]);
  return from.type == T_MISSING ? from : days_between(from, val_date(E->as_of));
}

OP_FN(op_days_until) {
  Value to = ops_value(E, e->args[0]);
  return to.type == T_MISSING ? to : days_between(val_date(E->as_of), to);
}

/* a / b, a − b, a + b, a * b of two numbers inline; anything else (dates,
 * missing values, %, division by zero) through arith. */
OP_FN(op_arith_num) {
  Value a = ops_value(E, e->a);
  if (a.type == T_MISSING) return a;
  Value b = ops_value(E, e->b);
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
static bool cheap_ops_value(const CExpr *x, int depth) {
  if (is_leaf(x)) return true;
  if (depth == 0) return false;
  switch ((COp)x->op) {
  case C_CMP:
  case C_COALESCE: return cheap_ops_value(x->a, depth - 1) && cheap_ops_value(x->b, depth - 1);
  case C_CMP_NUM_K:
  case C_IS_MISSING:
  case C_NOT: return cheap_ops_value(x->a, depth - 1);
  default: return false;
  }
}

bool ops_cheap(const CExpr *x) { return cheap_ops_value(x, 2); }

CExprFn ops_node_fn(const CExpr *x) {
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
  return ops_fn((COp)x->op);
}

/* A trend function over the account's earlier snapshots (trend.c). */
static Value trend(OpCtx *E, const CExpr *e) {
  TrendCall call = {e->aux, (uint8_t)e->k.len, e->k.u.date, e->index};
  int32_t from;
  return trend_value(E->trend, &call, e->index, ops_value(E, e->a), E->as_of, &from);
}

CExprFn ops_fn(COp op) {
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
  case C_TREND: return trend;
  }
  return op_const;
}

/* ---- constant folding ---------------------------------------------------- */

static bool is_const(const CExpr *x) { return x->op == C_CONST; }

bool ops_fold(const CExpr *x, Arena *arena, Value *out) {
  if (x->a && !is_const(x->a)) return false;
  if (x->b && !is_const(x->b)) return false;
  if (x->c && !is_const(x->c)) return false;
  for (int32_t i = 0; i < x->nargs && x->args; i++)
    if (!is_const(x->args[i])) return false;
  OpCtx none;
  memset(&none, 0, sizeof none);
  none.text_arena = arena;
  *out = ops_eval(&none, x);
  return true;
}
