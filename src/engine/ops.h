/* ops.h — the compiled expression: its nodes (CExpr), one operation per
 * node kind, and what evaluating one needs (OpCtx).
 *
 * The compiler (compile.c) builds the nodes, choosing each node's
 * function here and folding constant operations here; the evaluator
 * (eval.c) runs them. Neither calls the other.
 *
 * A new kind of node: a COp below, its function in ops.c (ops_fn, and
 * ops_node_fn when its operands allow a faster one), the compiler's case
 * in compile.c, and in compile_instance (compile.c) any pointer field it
 * adds. A new built-in that is a plain call needs no new COp: a Builtin
 * (check.h) and its case in ops.c's `call`. */
#ifndef KENKO_OPS_H
#define KENKO_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "engine/value.h"

/* Compiled expression operations. */
typedef enum COp {
  C_CONST,      /* k */
  C_LOAD,       /* slot `index` of the value table `aux` (LoadBase) */
  C_ELEM,       /* field `sub` of the current element of list input `index` */
  C_NEG,        /* -a */
  C_NOT,        /* not a (Kleene) */
  C_ADD,        /* a + b (numbers; date ± days) */
  C_SUB,        /* a - b */
  C_MUL,        /* a * b */
  C_DIV,        /* a / b; by zero: missing (MISS_DIV_ZERO) */
  C_MOD,        /* a % b, floored; by zero: missing (MISS_DIV_ZERO) */
  C_CMP,        /* a OP b, aux: Op (OP_EQ … OP_GE) */
  C_CMP_NUM_K,  /* a OP k.u.num, k a number constant, aux: Op */
  C_AND,        /* a and b (Kleene, short-circuit) */
  C_OR,         /* a or b (Kleene, short-circuit) */
  C_COALESCE,   /* a ?? b */
  C_IN,         /* a in [args…] (Kleene or of a == arg) */
  C_IS_MISSING, /* a is missing; aux 1: `is not missing` */
  C_IF,         /* if a then b else c */
  C_CALL,       /* built-in `aux` (Builtin) over args */
  C_AGG,        /* aggregate `aux` over list input `index`, field `sub`
                   (or -1), condition a (or NULL); nargs: record width */
  C_TREND       /* trend function `aux` (Builtin) of subject `index`
                   (Program.trend_subjects), trend call `sub`
                   (Program.trend_calls), window k (a duration), a: the
                   subject's value now; reads OpCtx.trend */
} COp;

/* The value tables a C_LOAD reads (OpCtx.base). */
typedef enum LoadBase {
  LB_INPUT,     /* the account's inputs */
  LB_INDICATOR, /* indicators (computed earlier in the order) */
  LB_THRESHOLD, /* thresholds of the variant in effect */
  LB_MEMBER,    /* member scores, by flat index (missing: N/A) */
  LB_DIM,       /* dimension scores (missing: N/A) */
  LB_STATE,     /* what earlier steps decided, as values (compile.h) */
  LB_COUNT
} LoadBase;

/* What an operation sees of the account being evaluated. The evaluator
 * holds one; constant folding uses an empty one (no account). */
typedef struct OpCtx {
  Value *const *base;            /* the value tables, by LoadBase: aggregates read
                                    their list from base[LB_INPUT] */
  const Value **elem;            /* per input: the element an aggregate is at */
  int32_t as_of;                 /* days since 1970-01-01 */
  Arena *text_arena;             /* where text made by lower()/upper() goes */
  const struct TrendView *trend; /* the account's earlier snapshots
                                    (trend.h), or NULL: none */
} OpCtx;

typedef struct CExpr CExpr;
/* Evaluates a node (ops.c has one per operation). */
typedef Value (*CExprFn)(OpCtx *E, const CExpr *e);

struct CExpr {
  CExprFn fn;  /* ops_fn(op), or ops_node_fn once the operands are set */
  uint8_t op;  /* COp */
  uint8_t aux; /* LoadBase of C_LOAD, Op of C_CMP*, Builtin of
                  C_CALL/C_AGG, 1 for `is not missing` */
  int32_t index;
  int32_t sub;
  int32_t nargs;
  Value k;           /* C_CONST, C_CMP_NUM_K */
  const Value *leaf; /* C_CONST: &k; C_LOAD: its slot in the value
                        tables; NULL for every other node */
  const CExpr *a, *b, *c;
  const CExpr **args; /* C_CALL, C_IN */
};

/* Evaluates E. Recursion follows the expression tree, whose depth the
 * parser caps. */
static inline Value ops_eval(OpCtx *E, const CExpr *e) { return e->fn(E, e); }

/* An operand: table loads and constants without a call (most leaves). */
static inline Value ops_value(OpCtx *E, const CExpr *x) {
  if (x->leaf) return *x->leaf;
  return x->fn(E, x);
}

/* The function that evaluates nodes of operation OP. */
CExprFn ops_fn(COp op);
/* The same for node X, whose operands are set: some operations have a
 * faster function when their operands are loads or constants. */
CExprFn ops_node_fn(const CExpr *x);
/* X costs about as much as a mispredicted branch or less. */
bool ops_cheap(const CExpr *x);

/* Constant folding: when every operand of X is a constant, evaluates X
 * (which must not read the account: no as_of, no loads) into *OUT, text
 * allocated in ARENA, and returns true; false otherwise. */
bool ops_fold(const CExpr *x, Arena *arena, Value *out);

#endif
