/* compile.h — the checked Program turned into an evaluation program:
 * compact expression trees with every name replaced by a slot, the steps
 * of Program.order, and one precomputed variant (thresholds, weights,
 * grade sets) per persona plus the default one.
 *
 * Internal to the library. The rules (api.c: kenko_load) own the compiled
 * program, built once when they are loaded; it lives in its own arena and
 * borrows the Program (which must outlive it). It is never written
 * afterwards: each evaluator (eval.c) runs its own instance
 * (compile_instance), whose loads point at the evaluator's own value
 * tables, so several evaluators may run over one compiled program. */
#ifndef KENKO_COMPILE_H
#define KENKO_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "check/check.h"
#include "front/diag.h"
#include "engine/ops.h"
#include "engine/result.h"
#include "engine/value.h"

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
  bool eager_bands;  /* every band condition is cheap (ops_cheap) and
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
  /* the indicators persona conditions read computed with the default
   * thresholds (IndicatorDecl.persona_defaults), in evaluation order, and
   * their expressions; their values go to LB_INDICATOR slot nindicators +
   * the indicator */
  int32_t *default_indicators;
  const CExpr **default_exprs;
  int32_t ndefault_indicators;
  CMember *members; /* flat */
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
   * here. An instance's are its evaluator's: the account's inputs and the
   * thresholds in effect are copied in, the rest is written by the steps.
   * The compiled program's own are never written (its loads only need a
   * place to point at). */
  Value *tables[LB_COUNT];
  int32_t nvalues; /* slots of the explain value table */
  bool failed;     /* an expression could not be compiled */
} CProgram;

/* Bands with more conditions than this are evaluated lazily. */
#define EAGER_BANDS_MAX 16

/* Compiles P (which must have no check errors). Returns NULL and reports
 * through DIAG when something cannot be compiled (an internal error). */
CProgram *compile_program(const Program *p, Diag *diag);
void compile_free(CProgram *cp);

/* An instance of CP for one evaluator, in *OUT: CP's expressions copied
 * into ARENA with their loads pointing at new value tables (OUT->tables,
 * also in ARENA); everything else is shared with CP, which must outlive
 * it. OUT owns no arena of its own: never compile_free it. */
void compile_instance(const CProgram *cp, CProgram *out, Arena *arena);

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
