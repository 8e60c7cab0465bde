/* compile.h — the checked Program turned into an evaluation program:
 * compact expression trees with every name replaced by a slot, the steps
 * of Program.order, and one precomputed variant (thresholds, weights,
 * grade sets) per persona plus the default one.
 *
 * Internal to the library: eval.c runs what this builds. A CProgram lives
 * in its own arena and borrows the Program (which must outlive it). */
#ifndef KENKO_COMPILE_H
#define KENKO_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "check/check.h"
#include "front/diag.h"
#include "engine/result.h"
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
  C_AGG         /* aggregate `aux` over list input `index`, field `sub`
                   (or -1), condition a (or NULL); nargs: record width */
} COp;

/* The value tables a C_LOAD reads (Evaluator.base). */
typedef enum LoadBase {
  LB_INPUT,     /* the account's inputs */
  LB_INDICATOR, /* indicators (computed earlier in the order) */
  LB_THRESHOLD, /* thresholds of the variant in effect */
  LB_MEMBER,    /* member scores, by flat index (missing: N/A) */
  LB_DIM,       /* dimension scores (missing: N/A) */
  LB_STATE,     /* what earlier steps decided, as values (StateSlot) */
  LB_COUNT
} LoadBase;

/* The slots of the LB_STATE table. Each step stores its outcome there as
 * the value an expression sees (a symbol, or missing when there is none),
 * so that references to grades, personas, segments, flags and the like
 * are plain loads. */
typedef enum StateSlot {
  ST_HEALTH,     /* health (missing: N/A) */
  ST_GRADE,      /* grade of the health */
  ST_PERSONA,    /* the account's persona */
  ST_BOTTLENECK, /* the journey's bottleneck step */
  ST_AS_OF,      /* the evaluation date */
  ST_FIXED       /* then: CProgram.state_dim_grade + d, state_segment + s,
                    state_flagged + f */
} StateSlot;

typedef struct CExpr CExpr;
struct Evaluator;
/* Evaluates a node (eval.c has one per operation). */
typedef Value (*CExprFn)(struct Evaluator *E, const CExpr *e);

struct CExpr {
  CExprFn fn;  /* eval_op_fn(op), set when the node is made */
  uint8_t op;  /* COp */
  uint8_t aux; /* LoadBase of C_LOAD, Op of C_CMP*, Builtin of
                  C_CALL/C_AGG, 1 for `is not missing` */
  int32_t index;
  int32_t sub;
  int32_t nargs;
  Value k;           /* C_CONST, C_CMP_NUM_K */
  const Value *leaf; /* C_CONST: &k; C_LOAD: its slot in the program's
                        tables; NULL for every other node */
  const CExpr *a, *b, *c;
  const CExpr **args; /* C_CALL, C_IN */
};

/* One band of a `score NAME { V when C … }` member. */
typedef struct CBand {
  const CExpr *value; /* a number or a threshold (per persona) */
  const CExpr *cond;  /* NULL for `otherwise` */
} CBand;

typedef struct CMember {
  uint8_t kind;      /* MemberKind */
  int32_t dim;       /* dimension index */
  int32_t index;     /* member index within the dimension */
  const CExpr *expr; /* rule condition or score expression */
  CBand *bands;
  int32_t nbands;
  bool eager_bands;  /* every band condition is cheap (eval_cheap) and
                        there are at most EAGER_BANDS_MAX: all are
                        evaluated, then the first that stops is taken */
  RefList refs;      /* names referenced (conditions and band values) */
  int32_t values_at; /* its first slot in the explain value table */
} CMember;

/* Everything that depends on the persona, precomputed. */
typedef struct Variant {
  Value *thresholds;       /* per threshold: the value in effect */
  double *dim_weight;      /* W_d per dimension */
  double *member_weight;   /* wᵢ per member (flat) */
  double *coverage_weight; /* per member: (W_d/ΣW_all)·(wᵢ/Σw_d,all), 0 for
                              dimensions with W_d = 0 */
  double coverage_total;   /* Σ coverage_weight */
  int32_t *dim_grades;     /* GradeSet per dimension, or -1 */
  int32_t health_grades;   /* GradeSet for the health, or -1 */
} Variant;

/* A run of steps of the evaluation, in dependency order: COUNT steps of
 * one kind on consecutive indices (one dispatch for the lot). */
typedef struct CStep {
  uint8_t kind;  /* DepKind */
  int32_t index; /* the first: as in DepNode; DEP_MEMBER: the flat
                    member */
  int32_t count; /* steps in the run: index, index + 1, … */
} CStep;

typedef struct CProgram {
  const Program *prog;
  Arena arena; /* everything below */
  CStep *steps;
  int32_t nsteps;
  const CExpr **indicators; /* per indicator */
  CMember *members;         /* flat */
  int32_t nmembers;
  int32_t *member_first;      /* per dimension, plus one: flat ranges */
  const CExpr **persona_cond; /* per persona; NULL for `otherwise` */
  const CExpr ***case_cond;   /* [segment][case]; NULL for `otherwise` */
  const CExpr **flag_cond;    /* per flag */
  const CExpr **step_cond;    /* per journey step */
  RefList *persona_refs;      /* explanations of the conditions */
  RefList *flag_refs;
  RefList *step_refs;
  Variant *variants;       /* npersonas + 1; the last is the default */
  bool *threshold_varies;  /* some persona overrides the threshold */
  int32_t state_dim_grade; /* LB_STATE slot of dimension 0's grade */
  int32_t state_segment;   /* … of segment 0's case */
  int32_t state_flagged;   /* … of flagged(flag 0) */
  int32_t nstate;          /* slots of the LB_STATE table */
  /* The value tables C_LOAD nodes point into, one per LoadBase, sized
   * here; the evaluator this program is compiled for (eval_new compiles
   * its own) fills them: the account's inputs and the thresholds in
   * effect are copied in, the rest is written by the steps. */
  Value *tables[LB_COUNT];
  int32_t nvalues; /* slots of the explain value table */
  bool failed;     /* an expression could not be compiled */
} CProgram;

/* The function that evaluates nodes of operation OP (eval.c). */
CExprFn eval_op_fn(COp op);
/* The same for node X, whose operands are set: some operations have a
 * faster function when their operands are loads or constants. */
CExprFn eval_node_fn(const CExpr *x);
/* X costs about as much as a mispredicted branch or less (eval.c). */
bool eval_cheap(const CExpr *x);
#define EAGER_BANDS_MAX 16

/* Compiles P (which must have no check errors). Returns NULL and reports
 * through DIAG when something cannot be compiled (an internal error). */
CProgram *compile_program(const Program *p, Diag *diag);
void compile_free(CProgram *cp);

/* Compiles one checked expression into ARENA (for `expect` lines and
 * other expressions outside the program). NULL when E cannot be
 * compiled. */
const CExpr *compile_expr(const CProgram *cp, Arena *arena, const Node *e);

/* The distinct names the expressions EXPRS[0..N) reference (NULLs are
 * skipped), allocated in ARENA. */
RefList compile_refs(const CProgram *cp, Arena *arena, const Node *const *exprs, int32_t n);

/* The default variant (no persona) and persona I's (-1: the default). */
const Variant *compile_variant(const CProgram *cp, int32_t persona);

#endif
