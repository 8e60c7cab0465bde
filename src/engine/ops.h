/* ops.h — the compiled form of expressions: a flat register code (Ins),
 * one instruction per operation, and what running it needs (OpCtx).
 *
 * An expression compiles (compile.c) to a straight run of instructions
 * whose operands point at values: the account's inputs, indicators,
 * thresholds in effect, member and dimension scores and what earlier
 * steps decided (the value tables, compile.h), constants, and
 * temporaries. Each instruction writes its result to `dst`; `and`, `or`,
 * `??` and `if` jump forward over the code they do not need. Nothing is
 * called per operation: ops_step runs one instruction inline, and the
 * evaluator (eval.c) runs a whole account's code in one function by
 * threaded dispatch (Ins.go), the steps' own instructions (members,
 * dimensions, …) between the expressions'.
 * The rare and long operations (text comparisons, dates, aggregates,
 * trend functions, the less common built-ins) are functions in ops.c.
 *
 * A new kind of operation: an IOp below (before I_STEPS), its case in
 * ops_step (its semantics in ops.c when it is long), and the compiler's
 * case in compile.c. A new built-in that is a plain call needs no new
 * IOp: a Builtin (check.h) and its case in ops.c's ops_call. */
#ifndef KENKO_OPS_H
#define KENKO_OPS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "front/program.h"
#include "base/value.h"

/* Instructions. Operands are dst (written), a, b, c (read); n, sub, m,
 * len are integers whose meaning each operation gives. Jumps are relative
 * to the instruction after the jump. */
typedef enum IOp {
  I_MOVE,         /* dst = a */
  I_ELEM,         /* dst = field sub of the current element of list input n */
  I_NEG,          /* dst = -a */
  I_NOT,          /* dst = not a (Kleene) */
  I_ADD,          /* dst = a + b (numbers; date ± days) */
  I_SUB,          /* a - b */
  I_MUL,          /* a * b */
  I_DIV,          /* a / b; by zero: missing (MISS_DIV_ZERO) */
  I_MOD,          /* a % b, floored; by zero: missing (MISS_DIV_ZERO) */
  I_EQ,           /* dst = a == b */
  I_NE,           /* a != b */
  I_LT,           /* a < b */
  I_LE,           /* a <= b */
  I_GT,           /* a > b */
  I_GE,           /* a >= b */
  I_AND,          /* dst = a and b (Kleene) */
  I_OR,           /* dst = a or b (Kleene) */
  I_COALESCE,     /* dst = a ?? b */
  I_AND_SKIP,     /* a false: dst = a, skip n instructions (`and` needs no b) */
  I_OR_SKIP,      /* a true: dst = a, skip n (`or` needs no b) */
  I_PRESENT_SKIP, /* a present: dst = a, skip n (`??` needs no b) */
  I_BRANCH,       /* `if a`: true: go on; false: skip n (to the else);
                     missing or not a bool: dst = missing, skip sub (to
                     the end) */
  I_JUMP,         /* skip n */
  I_IS_MISSING,   /* dst = a is missing; sub 1: `is not missing` */
  I_IN,           /* dst = a in the n values from b on (Kleene or of ==) */
  I_CALL,         /* dst = built-in sub over the n values from a on */
  I_FN1,          /* dst = built-in sub of a (round, abs: numbers inline) */
  I_FN2,          /* dst = built-in sub of a and b (min, max: numbers
                     inline) */
  I_SCALE,        /* dst = scale(a, b, c) */
  I_DAYS,         /* dst = days(a, b) */
  I_DAYS_SINCE,   /* dst = days_since(a) */
  I_DAYS_UNTIL,   /* dst = days_until(a) */
  I_AGG,          /* dst = aggregate sub (Builtin) over list b (input n,
                     records of m values), field aux (-1: none)…; the len
                     instructions that follow compute the condition into
                     a (NULL: none), once per element */
  I_TREND,        /* dst = trend function: call sub (Program.trend_calls)
                     of subject n, a: the subject's value now */
  I_SYM_EQ,       /* dst = a == b, b a constant symbol (grade == bad,
                     persona != onboard, …): a symbol inline */
  I_SYM_NE,       /* a != b, the same */
  I_SELECT,       /* `if a then b else c` whose b and c need no code:
                     true: dst = b; false: c; missing or not a bool: as
                     I_BRANCH has it (no jump: which is the data's) */
  I_STEPS         /* from here on, the evaluator's steps (eval.c) */
} IOp;

typedef struct Ins {
  uint8_t op;  /* IOp, or a step (eval.c) */
  int32_t aux; /* I_AGG: the field, or -1 */
  int32_t n, sub, m, len;
  Value *dst;
  const Value *a, *b, *c;
  double *sums;   /* a member's step: its dimension's sums (eval.c:
                     member_add), set as go is, or NULL */
  void *out;      /* a member's or dimension's step: its MemberResult or
                     DimResult (eval.c), set as go is, or NULL */
  const void *go; /* the evaluator's code for op (its threaded dispatch:
                     set when an evaluator links its instance), or NULL */
} Ins;

/* What an instruction sees of the account being evaluated. The evaluator
 * holds one; constant folding uses an empty one (no account). */
typedef struct OpCtx {
  Value *const *base;            /* the value tables (compile.h: LoadBase) */
  const Value **elem;            /* per input: the element an aggregate is at */
  int32_t as_of;                 /* days since 1970-01-01 */
  Arena *text_arena;             /* where text made by lower()/upper() goes */
  const Program *prog;           /* trend calls */
  const struct TrendView *trend; /* the account's earlier snapshots
                                    (trend.h), or NULL: none */
} OpCtx;

/* ---- the long operations (ops.c) ------------------------------------- */

/* a OP b for OP in == != < <= > >= (Op); missing when either is. */
Value ops_compare(Op op, Value a, Value b);
/* a + - * / % b (value_arith) for I_ADD … I_MOD. */
Value ops_arith(IOp op, Value a, Value b);
Value ops_and(Value a, Value b);
Value ops_or(Value a, Value b);
Value ops_not(Value a);
Value ops_neg(Value a);
Value ops_in(Value a, const Value *list, int32_t n);
Value ops_call(OpCtx *E, Builtin fn, const Value *args, int32_t n);
Value ops_scale(Value x, Value lo, Value hi);
Value ops_days(Value from, Value to);
/* I_AGG at PC over a list (*pc->b is one): runs the condition's code for
 * every element; returns the instruction after it. */
const Ins *ops_aggregate(OpCtx *E, const Ins *pc);
Value ops_trend(OpCtx *E, const Ins *pc);

/* ---- one instruction ------------------------------------------------- */

static inline __attribute__((always_inline)) Value ops_bool(bool b) {
  Value v = {0};
  v.type = T_BOOL;
  v.u.b = b;
  return v;
}

/* A comparison: numbers, and symbols (grades, personas, …: by their
 * index, as ops_compare orders them) inline; a missing left side is the
 * result; the rest through ops_compare. */
#define OPS_CMP(OPCODE, HOLDS, NEXT)                                                                         \
  {                                                                                                          \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    if (pa->type == T_NUMBER && pb->type == T_NUMBER) {                                                      \
      double x = pa->u.num, y = pb->u.num;                                                                   \
      *pc->dst = ops_bool(HOLDS);                                                                            \
    } else if (pa->type == T_SYMBOL && pb->type == T_SYMBOL) {                                               \
      int32_t x = pa->u.sym, y = pb->u.sym;                                                                  \
      *pc->dst = ops_bool(HOLDS);                                                                            \
    } else if (((OPCODE) == OP_EQ || (OPCODE) == OP_NE) && pa->type == T_TEXT && pb->type == T_TEXT) {       \
      /* text (in)equality: x == y when the bytes are the same */                                            \
      int32_t x = !(pa->len == pb->len && (pa->len == 0 || memcmp(pa->u.text, pb->u.text, pa->len) == 0)),   \
              y = 0;                                                                                         \
      *pc->dst = ops_bool(HOLDS);                                                                            \
    } else if (pa->type == T_MISSING) {                                                                      \
      *pc->dst = *pa;                                                                                        \
    } else {                                                                                                 \
      *pc->dst = ops_compare(OPCODE, *pa, *pb);                                                              \
    }                                                                                                        \
    NEXT(pc + 1);                                                                                            \
  }

/* == or != (OPCODE, CMP) of a value and a constant symbol: a symbol (or
 * missing: the result) inline, the rest through ops_compare */
#define OPS_SYM_CMP(OPCODE, CMP, NEXT)                                                                       \
  {                                                                                                          \
    const Value *pa = pc->a;                                                                                 \
    if (pa->type == T_SYMBOL)                                                                                \
      *pc->dst = ops_bool(pa->u.sym CMP pc->b->u.sym);                                                       \
    else if (pa->type == T_MISSING)                                                                          \
      *pc->dst = *pa;                                                                                        \
    else                                                                                                     \
      *pc->dst = ops_compare(OPCODE, *pa, *pc->b);                                                           \
    NEXT(pc + 1);                                                                                            \
  }

/* + - * / of two numbers inline (RES from x and y; DIV: by zero is
 * missing), the rest through ops_arith. */
#define OPS_ARITH(OPCODE, RES, DIV, NEXT)                                                                    \
  {                                                                                                          \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    if (pa->type == T_NUMBER && pb->type == T_NUMBER) {                                                      \
      double x = pa->u.num, y = pb->u.num;                                                                   \
      if ((DIV) && y == 0) {                                                                                 \
        *pc->dst = val_missing(MISS_DIV_ZERO);                                                               \
        NEXT(pc + 1);                                                                                        \
      }                                                                                                      \
      double res = (RES);                                                                                    \
      *pc->dst = isfinite(res) ? val_num(res) : val_missing(MISS_DOMAIN);                                    \
    } else {                                                                                                 \
      *pc->dst = ops_arith(OPCODE, *pa, *pb);                                                                \
    }                                                                                                        \
    NEXT(pc + 1);                                                                                            \
  }

/* The cases that run the expression instruction at PC (op < I_STEPS)
 * with the OpCtx pointer CTX, each introduced by CASE(its IOp) and ending
 * in NEXT(the next instruction to run). Numbers, the comparison of
 * numbers and the Kleene logic of two booleans are inline; the rest calls
 * ops.c. ops_step is a switch of them (CASE: `case`); the evaluator's
 * loop (eval.c) puts them beside the steps' as the targets of its
 * threaded dispatch (CASE: a label, NEXT: a jump to the next
 * instruction's), so that an instruction costs one indirect jump
 * whatever its kind. */
#define OPS_EXPR_CASES(CTX, NEXT, CASE)                                                                      \
  CASE(I_MOVE) : *pc->dst = *pc->a;                                                                          \
  NEXT(pc + 1);                                                                                              \
  CASE(I_ELEM) : {                                                                                           \
    const Value *rec = (CTX)->elem[pc->n];                                                                   \
    *pc->dst = rec ? rec[pc->sub] : val_missing(MISS_ABSENT);                                                \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_NEG) : *pc->dst = ops_neg(*pc->a);                                                                  \
  NEXT(pc + 1);                                                                                              \
  CASE(I_NOT) : {                                                                                            \
    const Value *pa = pc->a;                                                                                 \
    *pc->dst = pa->type == T_BOOL ? ops_bool(!pa->u.b) : ops_not(*pa);                                       \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_ADD)                                                                                                \
      : OPS_ARITH(I_ADD, x + y, 0, NEXT) CASE(I_SUB)                                                         \
      : OPS_ARITH(I_SUB, x - y, 0, NEXT) CASE(I_MUL)                                                         \
      : OPS_ARITH(I_MUL, x * y, 0, NEXT) CASE(I_DIV)                                                         \
      : OPS_ARITH(I_DIV, x / y, 1, NEXT) CASE(I_MOD) : *pc->dst = ops_arith(I_MOD, *pc->a, *pc->b);          \
  NEXT(pc + 1);                                                                                              \
  CASE(I_EQ)                                                                                                 \
      : OPS_CMP(OP_EQ, x == y, NEXT) CASE(I_NE)                                                              \
      : OPS_CMP(OP_NE, x != y, NEXT) CASE(I_LT)                                                              \
      : OPS_CMP(OP_LT, x < y, NEXT) CASE(I_LE)                                                               \
      : OPS_CMP(OP_LE, x <= y, NEXT) CASE(I_GT)                                                              \
      : OPS_CMP(OP_GT, x > y, NEXT) CASE(I_GE) : OPS_CMP(OP_GE, x >= y, NEXT) CASE(I_AND) : {                \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    if (pa->type == T_BOOL && pb->type == T_BOOL)                                                            \
      *pc->dst = ops_bool(pa->u.b & pb->u.b);                                                                \
    else                                                                                                     \
      *pc->dst = ops_and(*pa, *pb);                                                                          \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_OR) : {                                                                                             \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    if (pa->type == T_BOOL && pb->type == T_BOOL)                                                            \
      *pc->dst = ops_bool(pa->u.b | pb->u.b);                                                                \
    else                                                                                                     \
      *pc->dst = ops_or(*pa, *pb);                                                                           \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_COALESCE) : *pc->dst = pc->a->type != T_MISSING ? *pc->a : *pc->b;                                  \
  NEXT(pc + 1);                                                                                              \
  CASE(I_AND_SKIP) : if (pc->a->type == T_BOOL && !pc->a->u.b) {                                             \
    *pc->dst = *pc->a;                                                                                       \
    NEXT(pc + 1 + pc->n);                                                                                    \
  }                                                                                                          \
  NEXT(pc + 1);                                                                                              \
  CASE(I_OR_SKIP) : if (pc->a->type == T_BOOL && pc->a->u.b) {                                               \
    *pc->dst = *pc->a;                                                                                       \
    NEXT(pc + 1 + pc->n);                                                                                    \
  }                                                                                                          \
  NEXT(pc + 1);                                                                                              \
  CASE(I_PRESENT_SKIP) : if (pc->a->type != T_MISSING) {                                                     \
    *pc->dst = *pc->a;                                                                                       \
    NEXT(pc + 1 + pc->n);                                                                                    \
  }                                                                                                          \
  NEXT(pc + 1);                                                                                              \
  CASE(I_BRANCH) : {                                                                                         \
    const Value *pa = pc->a;                                                                                 \
    if (pa->type == T_BOOL) NEXT(pc + 1 + (pa->u.b ? 0 : pc->n));                                            \
    *pc->dst = pa->type == T_MISSING ? *pa : val_missing(MISS_DOMAIN);                                       \
    NEXT(pc + 1 + pc->sub);                                                                                  \
  }                                                                                                          \
  CASE(I_JUMP) : NEXT(pc + 1 + pc->n);                                                                       \
  CASE(I_SELECT) : {                                                                                         \
    const Value *pa = pc->a;                                                                                 \
    if (pa->type == T_BOOL) {                                                                                \
      /* b or c by a mask, not a branch */                                                                   \
      uintptr_t take_b = -(uintptr_t)(pa->u.b != 0);                                                         \
      *pc->dst = *(const Value *)(((uintptr_t)pc->b & take_b) | ((uintptr_t)pc->c & ~take_b));               \
    } else {                                                                                                 \
      *pc->dst = pa->type == T_MISSING ? *pa : val_missing(MISS_DOMAIN);                                     \
    }                                                                                                        \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_IS_MISSING) : *pc->dst = ops_bool((pc->a->type == T_MISSING) != (pc->sub != 0));                    \
  NEXT(pc + 1);                                                                                              \
  CASE(I_IN) : *pc->dst = ops_in(*pc->a, pc->b, pc->n);                                                      \
  NEXT(pc + 1);                                                                                              \
  CASE(I_CALL) : *pc->dst = ops_call((CTX), (Builtin)pc->sub, pc->a, pc->n);                                 \
  NEXT(pc + 1);                                                                                              \
  CASE(I_FN1) : {                                                                                            \
    /* round(x) and abs(x) of a number inline (as ops_call has them) */                                      \
    const Value *pa = pc->a;                                                                                 \
    if (pa->type == T_NUMBER && pc->sub == FN_ROUND) {                                                       \
      double rounded = round(pa->u.num);                                                                     \
      *pc->dst = isfinite(rounded) ? val_num(rounded) : val_missing(MISS_DOMAIN);                            \
    } else if (pa->type == T_NUMBER && pc->sub == FN_ABS) {                                                  \
      *pc->dst = val_num(fabs(pa->u.num));                                                                   \
    } else {                                                                                                 \
      *pc->dst = ops_call((CTX), (Builtin)pc->sub, pa, 1);                                                   \
    }                                                                                                        \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_FN2) : {                                                                                            \
    /* min(x, y) and max(x, y) of two numbers inline: the first unless the                                   \
     * second is strictly beyond it (as ops_call has them) */                                                \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    if (pa->type == T_NUMBER && pb->type == T_NUMBER && (pc->sub == FN_MAX || pc->sub == FN_MIN)) {          \
      double x = pa->u.num, y = pb->u.num;                                                                   \
      bool second = pc->sub == FN_MAX ? y > x : y < x;                                                       \
      *pc->dst = val_num(second ? y : x);                                                                    \
    } else {                                                                                                 \
      Value args[2] = {*pa, *pb};                                                                            \
      *pc->dst = ops_call((CTX), (Builtin)pc->sub, args, 2);                                                 \
    }                                                                                                        \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_SCALE) : {                                                                                          \
    const Value *px = pc->a, *plo = pc->b, *phi = pc->c;                                                     \
    if (px->type == T_NUMBER && plo->type == T_NUMBER && phi->type == T_NUMBER &&                            \
        plo->u.num != phi->u.num) {                                                                          \
      double s = (px->u.num - plo->u.num) / (phi->u.num - plo->u.num) * 100;                                 \
      if (isfinite(s)) {                                                                                     \
        *pc->dst = val_num(s < 0 ? 0 : s > 100 ? 100 : s);                                                   \
        NEXT(pc + 1);                                                                                        \
      }                                                                                                      \
    }                                                                                                        \
    *pc->dst = ops_scale(*px, *plo, *phi);                                                                   \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_DAYS) : {                                                                                           \
    /* two dates inline (as ops_days has them), the rest there */                                            \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    *pc->dst = pa->type == T_DATE && pb->type == T_DATE ? val_num((double)pb->u.date - (double)pa->u.date)   \
                                                        : ops_days(*pa, *pb);                                \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_DAYS_SINCE) : {                                                                                     \
    const Value *pa = pc->a;                                                                                 \
    *pc->dst = pa->type == T_DATE ? val_num((double)(CTX)->as_of - (double)pa->u.date)                       \
                                  : ops_days(*pa, val_date((CTX)->as_of));                                   \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_DAYS_UNTIL) : {                                                                                     \
    const Value *pa = pc->a;                                                                                 \
    *pc->dst = pa->type == T_DATE ? val_num((double)pa->u.date - (double)(CTX)->as_of)                       \
                                  : ops_days(val_date((CTX)->as_of), *pa);                                   \
    NEXT(pc + 1);                                                                                            \
  }                                                                                                          \
  CASE(I_AGG) : if (pc->b->type != T_LIST) {                                                                 \
    /* no list: its condition's code is skipped (as ops_aggregate does) */                                   \
    *pc->dst = pc->sub == FN_COUNT        ? val_num(0)                                                       \
               : pc->b->type == T_MISSING ? *pc->b                                                           \
                                          : val_missing(MISS_DOMAIN);                                        \
    NEXT(pc + 1 + pc->len);                                                                                  \
  }                                                                                                          \
  NEXT(ops_aggregate((CTX), pc));                                                                            \
  CASE(I_TREND) : *pc->dst = ops_trend((CTX), pc);                                                           \
  NEXT(pc + 1);                                                                                              \
  CASE(I_SYM_EQ) : OPS_SYM_CMP(OP_EQ, ==, NEXT) CASE(I_SYM_NE) : OPS_SYM_CMP(OP_NE, !=, NEXT)

#define OPS_RETURN(next) return (next)
#define OPS_CASE(op)     case op

/* Runs the expression instruction at PC (op < I_STEPS) and returns the
 * next one to run. */
static inline __attribute__((always_inline)) const Ins *ops_step(OpCtx *E, const Ins *pc) {
  switch ((IOp)pc->op) {
    OPS_EXPR_CASES(E, OPS_RETURN, OPS_CASE)
  case I_STEPS: break;
  }
  return pc + 1;
}

/* Runs the expression instructions PC..END (aggregate conditions, KPIs,
 * `expect` lines). */
void ops_run(OpCtx *E, const Ins *pc, const Ins *end);

/* Constant folding: runs the one instruction X (which must not jump or
 * read the account) with its result in *OUT, text allocated in ARENA. */
void ops_fold(const Ins *x, Arena *arena, Value *out);

#endif
