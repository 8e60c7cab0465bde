/* eval.h — scoring accounts: runs the compiled program (compile.h) over
 * one account's inputs and fills a Result (result.h).
 *
 * An Evaluator owns its instance of the compiled program (its own value
 * tables), its Result and a per-account arena; it borrows the rules'
 * compiled program and the Program, which must outlive it. Nothing on the
 * per-account path calls malloc once the arena has grown to its working
 * size. An Evaluator is not shared between threads; several may run at
 * once over the same compiled program.
 *
 * Semantics (LANGUAGE.md §2–3) and the choices made where the contract is
 * silent are listed at the top of ops.c (expressions) and eval.c (members,
 * the roll-up). */
#ifndef KENKO_EVAL_H
#define KENKO_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "front/program.h"
#include "engine/compile.h"
#include "front/diag.h"
#include "engine/account.h"
#include "engine/result.h"
#include "engine/trend.h"
#include "base/value.h"

typedef struct Evaluator Evaluator;

/* An evaluator of the compiled program CP (the rules', compile.h), which
 * must outlive it. */
Evaluator *eval_new(const CProgram *cp);
void eval_free(Evaluator *ev);
/* Another evaluator of the compiled program EV was made from (for
 * another thread). */
Evaluator *eval_new_like(const Evaluator *ev);

/* How much of the Result eval_account fills. */
typedef enum EvalDepth {
  EVAL_SCORES, /* health, grades, scores, persona, segments, flags, journey */
  EVAL_DETAILS /* and the effective weights, lost points and coverage
                  (what an explanation needs: explain.h) */
} EvalDepth;

/* Scores one account. INPUTS are in Program.inputs order (a reader's
 * Account.values); AS_OF is days since 1970-01-01; DEPTH says what is
 * filled (Result.detailed, Result.explained tell). The Result, and any
 * text it or eval_* values point to, stay valid until the next call. */
const Result *eval_account(Evaluator *ev, const Value *inputs, int32_t as_of, EvalDepth depth);
/* The evaluator's own table of an account's inputs (Program.inputs
 * order): a reader may put an account's values straight into it
 * (ReadOpts.values) and pass it as eval_account's INPUTS, which then
 * copies nothing. Nothing but eval_account writes it. */
Value *eval_inputs(Evaluator *ev);
/* History (trend.h): the earlier snapshots of the account scored next
 * (VIEW must stay valid through eval_account; NULL: none, so every trend
 * function is missing), and, after scoring it, the values of the trend
 * subjects (Program.trend_subjects) to keep for its later snapshots. */
void eval_set_trend(Evaluator *ev, const TrendView *view);
void eval_trend_subjects(const Evaluator *ev, Value *out);
/* The last account's result. */
const Result *eval_result(const Evaluator *ev);

/* Evaluates a checked expression in the last account's context (`expect`
 * lines, explanations). Missing when EXPR cannot be compiled. */
Value eval_expr_in_account(Evaluator *ev, const Node *expr);
/* Compiles a checked expression into ARENA once (NULL when it cannot be),
 * for eval_compiled to evaluate in each account's context (KPIs). */
const CExpr *eval_compile(const Evaluator *ev, Arena *arena, const Node *expr);
Value eval_compiled(Evaluator *ev, const CExpr *x);
/* The names EXPR references (allocated in the evaluator; valid until
 * eval_free). */
RefList eval_expr_refs(Evaluator *ev, const Node *expr);

/* The value of one reference in the last account's context; thresholds
 * take the account's persona's value unless DEFAULT_THRESHOLDS. */
Value eval_ref_value(const Evaluator *ev, const ExplainRef *ref, bool default_thresholds);

/* Where the value of REF is kept between accounts, when it is kept (an
 * input, indicator, threshold, dimension or member score, and the state
 * expressions read: grades, segments, the persona, flags, the health,
 * the bottleneck, as_of): after each account the slot holds what
 * eval_ref_value gives with the same DEFAULT_THRESHOLDS (an indicator a
 * persona condition reads with the default thresholds has a slot of its
 * own for that). NULL for the values that are worked out when asked
 * (trend values). */
const Value *eval_ref_slot(const Evaluator *ev, const ExplainRef *ref, bool default_thresholds);

/* The values of every reference of REFS into OUT (REFS->count of them),
 * as eval_ref_value gives them. */
void eval_ref_values(const Evaluator *ev, const RefList *refs, Value *out, bool default_thresholds);

/* The date of the snapshot a trend reference's value came from (REF_TREND,
 * trend.h: trend_value), or INT32_MIN (other references; no snapshot). */
int32_t eval_ref_date(const Evaluator *ev, const ExplainRef *ref);

/* Threshold T's value for PERSONA (-1: the default). */
Value eval_threshold_value(const Evaluator *ev, int32_t t, int32_t persona);
/* The grade of SCORE under grade set SET (index into Program.grade_sets),
 * or -1 when SET is -1 or SCORE is NAN. */
int32_t eval_grade_of(const Program *p, int32_t set, double score);

/* The inputs a test's `given { … }` (a P_GIVEN node, or NULL) describes,
 * in Program.inputs order; inputs it does not list are missing. Allocated
 * in ARENA. */
Value *eval_given_inputs(const Program *p, const Node *given, Arena *arena);

/* The reader's schema of P's inputs, allocated in ARENA. */
void eval_schema(const Program *p, Schema *out, Arena *arena);

#endif
