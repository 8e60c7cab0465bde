/* ops.c — the long operations of the compiled code (ops.h): missing
 * values and Kleene logic, comparisons, arithmetic, built-ins, aggregates
 * and trend functions, the loop that runs expression code, and constant
 * folding. ops_step (ops.h) runs the short ones inline and calls these.
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

#include "front/program.h"
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

static bool num_holds(Op op, double x, double y) {
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
Value ops_compare(Op op, Value a, Value b) {
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

Value ops_arith(IOp op, Value a, Value b) {
  static const char sign[] = {[I_ADD] = '+', [I_SUB] = '-', [I_MUL] = '*', [I_DIV] = '/', [I_MOD] = '%'};
  if (a.type == T_MISSING) return a;
  return value_arith((unsigned)op < sizeof sign ? sign[op] : '?', a, b);
}

Value ops_and(Value a, Value b) {
  if (a.type == T_BOOL && !a.u.b) return a;
  if (b.type == T_BOOL && !b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

Value ops_or(Value a, Value b) {
  if (a.type == T_BOOL && a.u.b) return a;
  if (b.type == T_BOOL && b.u.b) return b;
  if (a.type != T_BOOL) return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
  if (b.type != T_BOOL) return b.type == T_MISSING ? b : val_missing(MISS_DOMAIN);
  return b;
}

Value ops_not(Value a) {
  if (a.type == T_BOOL) return val_bool(!a.u.b);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

Value ops_neg(Value a) {
  if (a.type == T_NUMBER) return val_num(-a.u.num);
  return a.type == T_MISSING ? a : val_missing(MISS_DOMAIN);
}

/* a in [list…]: the Kleene `or` of a == element. */
Value ops_in(Value a, const Value *list, int32_t n) {
  if (a.type == T_MISSING) return a;
  Value unknown = val_bool(false);
  for (int32_t i = 0; i < n; i++) {
    Value r = ops_compare(OP_EQ, a, list[i]);
    if (r.type == T_BOOL && r.u.b) return r;
    if (r.type == T_MISSING && unknown.type != T_MISSING) unknown = r;
  }
  return unknown;
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
static Value min_max(const Value *args, int32_t n, bool is_max) {
  Value best = args[0];
  if (best.type == T_MISSING) return best;
  for (int32_t i = 1; i < n; i++) {
    Value v = args[i];
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

/* scale(x, lo, hi): (x − lo)/(hi − lo)·100 clamped to 0..100; the first
 * missing argument is the result. */
Value ops_scale(Value x, Value lo, Value hi) {
  if (x.type == T_MISSING) return x;
  if (lo.type == T_MISSING) return lo;
  if (hi.type == T_MISSING) return hi;
  if (x.type != T_NUMBER || lo.type != T_NUMBER || hi.type != T_NUMBER || lo.u.num == hi.u.num)
    return val_missing(MISS_DOMAIN);
  double s = (x.u.num - lo.u.num) / (hi.u.num - lo.u.num) * 100;
  if (!isfinite(s)) return val_missing(MISS_DOMAIN);
  return val_num(s < 0 ? 0 : s > 100 ? 100 : s);
}

/* days(from, to); the first missing argument is the result. */
Value ops_days(Value from, Value to) {
  if (from.type == T_MISSING) return from;
  if (to.type == T_MISSING) return to;
  if (from.type != T_DATE || to.type != T_DATE) return val_missing(MISS_DOMAIN);
  return val_num((double)to.u.date - (double)from.u.date);
}

/* A call of a built-in that is not an aggregate, over its N arguments
 * (left to right: the first missing one is the result). */
Value ops_call(OpCtx *E, Builtin fn, const Value *args, int32_t n) {
  if (fn == FN_COALESCE) {
    Value v = val_missing(MISS_ABSENT);
    for (int32_t i = 0; i < n; i++) {
      v = args[i];
      if (v.type != T_MISSING) return v;
    }
    return v;
  }
  if (fn == FN_MIN || fn == FN_MAX) return min_max(args, n, fn == FN_MAX);
  Value v[3];
  n = n < 3 ? n : 3;
  for (int32_t i = 0; i < n; i++) {
    v[i] = args[i];
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
  case FN_SCALE: return ops_scale(v[0], v[1], v[2]);
  case FN_DAYS: return ops_days(v[0], v[1]);
  case FN_DAYS_SINCE: return ops_days(v[0], val_date(E->as_of));
  case FN_DAYS_UNTIL: return ops_days(val_date(E->as_of), v[0]);
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
const Ins *ops_aggregate(OpCtx *E, const Ins *pc) {
  Builtin fn = (Builtin)pc->sub;
  const Ins *cond = pc + 1, *next = pc + 1 + pc->len;
  Value list = *pc->b; /* a list: the caller (OPS_EXPR_CASES) has the rest */
  int32_t input = pc->n, width = pc->m, field = pc->aux;
  const Value *saved = E->elem[input];
  double acc = 0;
  int64_t n = 0, promoters = 0, detractors = 0;
  bool any = false, all = true;
  Value best = val_missing(MISS_EMPTY);
  for (uint32_t k = 0; k < list.len; k++) {
    const Value *rec = list.u.items + (size_t)k * (size_t)width;
    bool selected = true;
    if (pc->a) {
      E->elem[input] = rec;
      ops_run(E, cond, next);
      selected = pc->a->type == T_BOOL && pc->a->u.b;
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
  E->elem[input] = saved;
  Value r;
  switch (fn) {
  case FN_COUNT: r = val_num((double)n); break;
  case FN_ANY: r = val_bool(any); break;
  case FN_ALL: r = val_bool(all); break;
  case FN_SUM: r = num_result(acc); break;
  case FN_AVG: r = n ? num_result(acc / (double)n) : val_missing(MISS_EMPTY); break;
  case FN_AGG_MIN:
  case FN_AGG_MAX: r = best; break;
  case FN_NPS:
    r = n ? val_num(100.0 * (double)(promoters - detractors) / (double)n) : val_missing(MISS_EMPTY);
    break;
  default: r = val_missing(MISS_DOMAIN); break;
  }
  *pc->dst = r;
  return next;
}

/* A trend function over the account's earlier snapshots (trend.c). */
Value ops_trend(OpCtx *E, const Ins *pc) {
  int32_t from;
  return trend_value(E->trend, &E->prog->trend_calls[pc->sub], pc->n, *pc->a, E->as_of, &from);
}

void ops_run(OpCtx *E, const Ins *pc, const Ins *end) {
  while (pc < end)
    pc = ops_step(E, pc);
}

void ops_fold(const Ins *x, Arena *arena, Value *out) {
  OpCtx none;
  memset(&none, 0, sizeof none);
  none.text_arena = arena;
  Ins one = *x;
  one.dst = out;
  ops_step(&none, &one);
}
