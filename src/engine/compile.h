/* compile.h — the checked Program turned into flat code: every
 * expression a run of register instructions (ops.h) whose operands point
 * at slots of the value tables, constants or temporaries; the steps of
 * Program.order as instructions of their own between them, so one account
 * is one pass over one instruction array; and one precomputed variant
 * (thresholds, weights, grade sets) per persona plus the default one.
 *
 * Internal to the library. The rules (api.c: kenko_load) own the compiled
 * program, built once when they are loaded; it lives in its own arena and
 * borrows the Program (which must outlive it). It is never written
 * afterwards: each evaluator (eval.c) runs its own instance
 * (compile_instance), the code linked to the evaluator's own registers,
 * so several evaluators may run over one compiled program. */
#ifndef KENKO_COMPILE_H
#define KENKO_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "front/program.h"
#include "front/diag.h"
#include "engine/ops.h"
#include "engine/result.h"
#include "base/value.h"

/* The value tables, one after the other at the start of an evaluator's
 * registers (temporaries follow them). */
typedef enum LoadBase {
  LB_INPUT,     /* the account's inputs */
  LB_INDICATOR, /* indicators, then each one with the default thresholds */
  LB_THRESHOLD, /* thresholds of the variant in effect */
  LB_MEMBER,    /* member scores, by flat index (missing: N/A) */
  LB_DIM,       /* dimension scores (missing: N/A) */
  LB_STATE,     /* what earlier steps decided, as values (below) */
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

typedef struct CMember {
  uint8_t kind;  /* MemberKind */
  int32_t dim;   /* dimension index */
  int32_t index; /* member index within the dimension */
  int32_t nbands;
  double best;       /* the best score it can have: 100, or for bands the
                        highest band value that is a constant (a threshold
                        a persona changes counts as 100) */
  RefList refs;      /* names referenced (conditions and band values) */
  int32_t values_at; /* its first slot in the explain value table */
} CMember;

/* The steps' instructions (after the expressions' in ops.h), run by the
 * evaluator (eval.c); member M is n, the operands as said. */
typedef enum StepOp {
  S_RULE = I_STEPS,  /* rule member n: condition a; its score to dst (its
                        slot of LB_MEMBER, as for every member step that
                        has a dst) */
  S_RULE_EQ,         /* rule member n: condition a == b (the comparison
                        fused into the step: fuse_last, compile.c) */
  S_RULE_NE,         /* … a != b */
  S_RULE_LT,         /* … a < b */
  S_RULE_LE,         /* … a <= b */
  S_RULE_GT,         /* … a > b */
  S_RULE_GE,         /* … a >= b */
  S_RULE_COALESCE,   /* … a ?? b */
  S_RULE_AND,        /* … a and b */
  S_SCORE,           /* score member n: value a */
  S_SCORE_SCALE,     /* score member n: scale(a, b, c) */
  S_SCORE_SCALE_NUM, /* … b and c numbers that differ in every account
                        (the compiler found them so: no test) */
  S_BANDS,           /* band member n, all at once: the m conditions from a
                        on, the len values from b on */
  S_BANDS_CMP,       /* … each condition `a OP c[k]` (OP: sub, an Op
                        from OP_EQ to OP_GE; the m right sides from c
                        on): the comparisons fused into the step */
  S_MEMBER_NA,       /* band member n, one band at a time: N/A until a
                        band is taken */
  S_BAND_TEST,       /* band sub of member n, condition a: false: skip m
                        (to the next band); missing: N/A, skip len (to
                        S_MEMBER_STORE) */
  S_BAND_SET,        /* band sub of member n taken, value a; skip len */
  S_MEMBER_STORE,    /* member n's score into its slot */
  S_DIMENSION,       /* dimension n from its members; its score to dst;
                        sub 1: from the sums its members' steps added to
                        (emit_steps), 0: adding them up */
  S_HEALTH,          /* the health from the dimensions; sub 1: from the
                        sums their steps added to (emit_steps, compile.c),
                        0: adding them up */
  S_ROLLUP,          /* dimensions n … n + m - 1 (their slots from dst
                        on), then the health, in one step: what
                        S_DIMENSION and S_HEALTH with sub 1 do (a run of
                        them that ends in the health's: emit_steps) */
  S_PERSONA_BEGIN,   /* the default variant; no persona yet */
  S_PERSONA_TRY,     /* persona n, condition a (NULL: otherwise): true:
                        skip len (to S_PERSONA_END) */
  S_PERSONA_TRY_AND, /* … condition a and b (fused: fuse_last) */
  S_PERSONA_END,     /* the persona's variant takes effect */
  S_SEGMENT_BEGIN,   /* segment n: no case yet */
  S_CASE,            /* case sub of segment n, condition a: true: skip len
                        (to S_SEGMENT_END) */
  S_CASE_EQ,         /* … condition a == b (fused: fuse_last) */
  S_CASE_NE,         /* … a != b */
  S_CASE_LT,         /* … a < b */
  S_CASE_LE,         /* … a <= b */
  S_CASE_GT,         /* … a > b */
  S_CASE_GE,         /* … a >= b */
  S_SEGMENT_END,     /* segment n's case into its slot */
  S_FLAG,            /* flag n: condition a; flagged(n) to dst */
  S_FLAG_AND,        /* flag n: condition a and b (fused: fuse_last) */
  S_JOURNEY_BEGIN,
  S_JOURNEY_STEP,     /* journey step n: condition a */
  S_JOURNEY_STEP_AND, /* journey step n: condition a and b */
  S_JOURNEY_END,
  S_END
} StepOp;

/* An operand while compiling: a register (>= 0: the value tables, then
 * temporaries), a constant (< 0: constant -1 - k), or none. */
typedef int32_t Addr;
#define NO_ADDR INT32_MIN

/* An instruction before it is linked to an evaluator's registers. */
typedef struct CIns {
  uint8_t op;
  int32_t aux, n, sub, m, len;
  Addr dst, a, b, c;
} CIns;

/* A grade set as the roll-up reads it: the score's grade is grade[the
 * number of bounds above it]. */
typedef struct CGrades {
  int32_t nbounds;      /* the bands but the last (`otherwise`) */
  const double *bound;  /* decreasing */
  const int32_t *grade; /* nbounds + 1 */
} CGrades;

/* What the roll-up reads of one dimension in a variant. */
typedef struct DimPlan {
  double weight;      /* W_d */
  const CGrades *cut; /* its grade set's, or NULL */
  int32_t grade_set;  /* or -1 */
  bool excluded;      /* !(W_d > 0): reported, not rolled up */
} DimPlan;

/* Everything that depends on the persona, precomputed. */
typedef struct Variant {
  Value *thresholds;       /* per threshold: the value in effect */
  double *dim_weight;      /* W_d per dimension */
  double *member_weight;   /* wᵢ per member (flat) */
  double *member_wpos;     /* wᵢ where > 0, else 0: the roll-up's weights
                              (a member with none adds 0 to both sums) */
  double *coverage_weight; /* per member: (W_d/ΣW_all)·(wᵢ/Σw_d,all), 0 for
                              dimensions with W_d = 0 */
  double coverage_total;   /* Σ coverage_weight */
  int32_t *dim_grades;     /* GradeSet per dimension, or -1 */
  int32_t health_grades;   /* GradeSet for the health, or -1 */
  DimPlan *dims;           /* per dimension: its weight and grades */
  const CGrades *health_cut;
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
  /* one account's code, every step in order, ending in S_END: as
   * compiled (the rules'), and linked to the registers (an instance's;
   * NULL in the rules') */
  CIns *code;
  int32_t ncode;
  Ins *run;
  Value *consts; /* the code's constants */
  int32_t nconsts;
  int32_t table_at[LB_COUNT + 1]; /* where each table starts in the
                                     registers; [LB_COUNT]: their end */
  int32_t nregs;                  /* the tables and the temporaries */
  Value *regs;                    /* an instance's registers (NULL in the
                                     rules') */
  Value *tables[LB_COUNT];        /* … each table's first slot */
  CMember *members;               /* flat */
  int32_t nmembers;
  int32_t *member_first; /* per dimension, plus one: flat ranges */
  RefList *persona_refs; /* explanations of the conditions */
  RefList *flag_refs;
  RefList *step_refs;
  Variant *variants;      /* npersonas + 1; the last is the default */
  bool *threshold_varies; /* some persona overrides the threshold */
  int32_t *varying;       /* the thresholds that vary, ascending: what a
                             change of variant copies */
  int32_t nvarying;
  CGrades *grades;         /* per Program.grade_sets */
  int32_t state_dim_grade; /* LB_STATE slot of dimension 0's grade */
  int32_t state_segment;   /* … of segment 0's case */
  int32_t state_flagged;   /* … of flagged(flag 0) */
  int32_t nstate;          /* slots of the LB_STATE table */
  int32_t nvalues;         /* slots of the explain value table */
} CProgram;

/* A compiled expression outside the program (`expect` lines, KPIs):
 * its code, linked to one evaluator's registers, and where its value is
 * once the code has run. */
typedef struct CExpr {
  const Ins *code;
  int32_t ncode;
  const Value *result;
} CExpr;

/* Band members with more bands than this take one band at a time. */
#define EAGER_BANDS_MAX 32

/* Compiles P (which must have no check errors). Returns NULL and reports
 * through DIAG when something cannot be compiled (an internal error). */
CProgram *compile_program(const Program *p, Diag *diag);
/* The same without fusing operations into steps (S_RULE_EQ, S_BANDS_CMP,
 * …): every operation its own instruction, every step on its general
 * path. The same results, slower: what tests compare the fused steps
 * with. */
CProgram *compile_program_plain(const Program *p, Diag *diag);
void compile_free(CProgram *cp);

/* An instance of CP for one evaluator, in *OUT: registers (OUT->regs,
 * OUT->tables) and CP's code linked to them (OUT->run), in ARENA;
 * everything else is shared with CP, which must outlive it. OUT owns no
 * arena of its own: never compile_free it. */
void compile_instance(const CProgram *cp, CProgram *out, Arena *arena);

/* Compiles one checked expression into ARENA (for `expect` lines and
 * other expressions outside the program), linked to the registers of the
 * instance CP (its temporaries in ARENA). NULL when E cannot be
 * compiled. */
const CExpr *compile_expr(const CProgram *cp, Arena *arena, const Node *e);

/* The distinct names the expressions EXPRS[0..N) reference (NULLs are
 * skipped), allocated in ARENA. */
RefList compile_refs(const CProgram *cp, Arena *arena, const Node *const *exprs, int32_t n);

/* The default variant (no persona) and persona I's (-1: the default). */
const Variant *compile_variant(const CProgram *cp, int32_t persona);

#endif
