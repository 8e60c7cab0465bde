/* test_eval_fused.c — the evaluator's fast paths against its general
 * ones: each rule set is compiled twice, as kenko runs it
 * (compile_program: comparisons, `and`, `??` and scale() fused into the
 * steps, bands compared in one step, the health from sums the dimensions
 * add up) and plainly (compile_program_plain: every operation its own
 * instruction, every step on its general path), and both score the same
 * generated accounts, full of the values fast paths get wrong: missing
 * inputs, numbers on and around every threshold, zero and -0, huge and
 * tiny numbers, dates, text and booleans. Every field of the two Results
 * must be the same, bit for bit. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h" /* program_load */
#include "engine/eval.h"
#include "front/program.h"
#include "tricky_accounts.h"

static void print_diag(void *ud, const kenko_diag *d) {
  (void)ud;
  if (d->level == KENKO_ERROR) fputs(d->rendered, stderr);
}

static bool same_double(double a, double b) {
  return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* The two Results of account K are the same in every field. */
static void same_results(const Result *a, const Result *b, int k) {
  cr_assert_eq(a->persona, b->persona, "account %d: persona", k);
  for (int32_t i = 0; i < a->npersonas; i++)
    cr_assert_eq(a->persona_tried[i], b->persona_tried[i], "account %d: persona %d tried", k, i);
  for (int32_t i = 0; i < a->nsegments; i++)
    cr_assert_eq(a->segments[i], b->segments[i], "account %d: segment %d", k, i);
  cr_assert_eq(a->health_na, b->health_na, "account %d: health N/A", k);
  cr_assert(same_double(a->health, b->health), "account %d: health %.17g, plainly %.17g", k, a->health,
            b->health);
  cr_assert_eq(a->grade, b->grade, "account %d: grade", k);
  cr_assert_eq(a->grade_set, b->grade_set, "account %d: grade set", k);
  cr_assert(same_double(a->coverage, b->coverage), "account %d: coverage", k);
  for (int32_t d = 0; d < a->ndims; d++) {
    const DimResult *x = &a->dims[d], *y = &b->dims[d];
    cr_assert(x->na == y->na && x->excluded == y->excluded && same_double(x->score, y->score) &&
                  x->grade == y->grade && x->grade_set == y->grade_set && same_double(x->weight, y->weight) &&
                  same_double(x->effective, y->effective),
              "account %d: dimension %d", k, d);
  }
  for (int32_t i = 0; i < a->nmembers; i++) {
    const MemberResult *x = &a->members[i], *y = &b->members[i];
    cr_assert(x->na == y->na && x->status == y->status && x->band == y->band &&
                  same_double(x->score, y->score),
              "account %d: member %d: na %d/%d status %d/%d band %d/%d score %g/%g", k, i, x->na, y->na,
              x->status, y->status, x->band, y->band, x->score, y->score);
    if (x->na) cr_assert_eq(x->why, y->why, "account %d: member %d: why %d/%d", k, i, x->why, y->why);
    cr_assert(same_double(x->effective, y->effective) && same_double(x->lost, y->lost) &&
                  same_double(x->weight, y->weight),
              "account %d: member %d: weights", k, i);
  }
  for (int32_t i = 0; i < a->nflags; i++)
    cr_assert_eq(a->flags[i], b->flags[i], "account %d: flag %d", k, i);
  for (int32_t i = 0; i < a->nsteps; i++)
    cr_assert_eq(a->steps[i], b->steps[i], "account %d: step %d", k, i);
  cr_assert_eq(a->bottleneck, b->bottleneck, "account %d: bottleneck", k);
}

/* The values expressions read of the members, the dimensions, their
 * grades, the health and its grade (the slots the steps write) are the
 * same 16 bytes in both evaluators. */
static void same_slots(const Program *p, const Evaluator *ef, const Evaluator *ep, int k) {
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t i = 0; i < p->dimensions[d].nmembers; i++) {
      ExplainRef ref = {.kind = REF_MEMBER, .index = d, .sub = i};
      const Value *a = eval_ref_slot(ef, &ref, false), *b = eval_ref_slot(ep, &ref, false);
      cr_assert(a && b && memcmp(a, b, sizeof *a) == 0, "account %d: member %d of dimension %d's value", k, i,
                d);
    }
  static const uint8_t kinds[] = {REF_DIMENSION, REF_DIM_GRADE, REF_HEALTH, REF_GRADE};
  for (size_t x = 0; x < sizeof kinds; x++) {
    int32_t n = kinds[x] == REF_DIMENSION || kinds[x] == REF_DIM_GRADE ? p->ndimensions : 1;
    for (int32_t i = 0; i < n; i++) {
      ExplainRef ref = {.kind = kinds[x], .index = i, .sub = -1};
      const Value *a = eval_ref_slot(ef, &ref, false), *b = eval_ref_slot(ep, &ref, false);
      cr_assert(a && b && memcmp(a, b, sizeof *a) == 0, "account %d: slot of kind %d, %d", k, kinds[x], i);
    }
  }
}

/* Does CP's code use instruction OP? */
static bool uses(const CProgram *cp, int op) {
  for (int32_t i = 0; i < cp->ncode; i++)
    if (cp->code[i].op == op) return true;
  return false;
}

/* Scores ACCOUNTS generated accounts of the rules TEXT (or the file PATH)
 * both ways; the fused code must use every instruction of OPS (ending in
 * -1; NULL: none), the fast paths the test is there for. */
static void fused_matches_plain(const char *path, const char *text, int accounts, const int *ops) {
  Diag diag;
  diag_init(&diag, NULL, print_diag, NULL);
  int errors = 0;
  Program *p = program_load(path, text, text ? strlen(text) : 0, &diag, &errors);
  cr_assert_eq(errors, 0, "the rules have %d errors", errors);
  CProgram *fused = compile_program(p, &diag), *plain = compile_program_plain(p, &diag);
  cr_assert(fused && plain);
  for (const int *op = ops; op && *op >= 0; op++)
    cr_assert(uses(fused, *op) && !uses(plain, *op), "instruction %d: used by the fused code only", *op);
  Evaluator *ef = eval_new(fused), *ep = eval_new(plain);
  Arena arena;
  arena_init(&arena, 0);
  Value *in = arena_alloc(&arena, ((size_t)p->ninputs + 1) * sizeof *in);
  uint64_t rng = 17;
  int32_t as_of = date_from_ymd(2026, 11, 22);
  for (int k = 0; k < accounts; k++) {
    tricky_account(p, in, &rng, as_of, &arena);
    EvalDepth depth = k % 2 ? EVAL_DETAILS : EVAL_SCORES;
    const Result *a = eval_account(ef, in, as_of, depth), *b = eval_account(ep, in, as_of, depth);
    same_results(a, b, k);
    same_slots(p, ef, ep, k);
  }
  eval_free(ef);
  eval_free(ep);
  compile_free(fused);
  compile_free(plain);
  program_free(p);
  arena_free(&arena);
}

Test(eval_fused, aiueo_matches_the_plain_code) {
  static const int ops[] = {S_ROLLUP, S_BANDS_CMP, S_RULE_GE, S_SCORE_SCALE_NUM, I_SELECT, -1};
  fused_matches_plain("rules/aiueo.kenko", NULL, 20000, ops);
}

/* Bands compared in one step (S_BANDS_CMP) by every operator, over
 * numbers, dates and text, against constants, thresholds a persona
 * changes and inputs that may be missing; rules and segment cases of
 * every comparison; a dimension that reads another (so the health adds
 * its dimensions up out of order: S_HEALTH sub 0), a member that reads a
 * later one (so its dimension adds its members up itself: S_DIMENSION
 * sub 0); bands whose right sides and values the compiler knows to be
 * numbers (and values from 0 to 100: S_BANDS_CMP's aux), and not (a
 * value out of range, a date or a threshold as the value); scale()
 * with bounds known to be different numbers (S_SCORE_SCALE_NUM) and
 * with bounds a persona makes equal; rules comparing values missing
 * for different reasons (an input, a division by zero: the first one's
 * is the rule's); `if` between two values without code (I_SELECT),
 * its condition true, false or missing; round, abs,
 * min and max of one or two values (I_FN1, I_FN2)
 * over numbers, dates and missing values. */
static const char *const every_step_rules =
    "input x: number optional\n"
    "input y: number optional\n"
    "input z: number optional\n"
    "input d: date optional\n"
    "input s: text optional\n"
    "input t: bool optional\n"
    "threshold hi = 9\n"
    "threshold lo = 3\n"
    "threshold soon = 90\n"
    "threshold neg = -20\n"
    "persona big when y >= 50 and t { threshold hi = 50 threshold lo = 20 weight later = 0 }\n"
    "persona small when x < lo { threshold hi = 5 weight first = 3 }\n"
    "segment size { a when x >= 100  b when x == 5  c when x != 7  other otherwise }\n"
    "dimension first weight 2 {\n"
    "  score ge { 100 when x >= hi  50 when x >= lo  0 otherwise }\n"
    "  score gt { 100 when x > 10  70 when x > 5  30 when x > 0  5 otherwise }\n"
    "  score lt weight 2 { 0 when y < 1  50 when y < 10  100 otherwise }\n"
    "  score le { 10 when y <= z  90 otherwise }\n"
    "  score eq { 100 when x == 5  60 when x == y  20 otherwise }\n"
    "  score ne { 100 when x != 5  0 otherwise }\n"
    "  score dates { 100 when d >= as_of  40 when d >= 2026-01-01  0 otherwise }\n"
    "  score texts { 100 when s == \"pro\"  50 when s == \"basic\"  0 otherwise }\n"
    "  score big { 100 when x >= 100000000  0 otherwise }\n"
    "  score value { hi when y >= 0  lo when y < 0  1 otherwise }\n"
    "  score clamp { 150 when x >= hi  neg when x >= lo  50 otherwise }\n"
    "  score mixed { 100 when x > hi  50 when x > 2  20 when x > lo  0 otherwise }\n"
    "  rule r_later : later >= 50\n"
    "}\n"
    "dimension later weight 3 {\n"
    "  rule r_dep : later.sc >= 50\n"
    "  rule r_ge : x >= y\n"
    "  rule r_lt : x < lo\n"
    "  rule r_eq : s == \"pro\"\n"
    "  rule r_ne : d != as_of\n"
    "  rule r_co : t ?? false\n"
    "  rule r_and : t and x > 0\n"
    "  rule r_why : x >= y / z\n"
    "  rule r_why2 : y / z < x\n"
    "  rule r_if : x >= (if t then hi else y)\n"
    "  score sc_if : if x > 5 then y else lo\n"
    "  score sc : scale(x, 0, hi)\n"
    "  score sc_z : scale(y, z, 10)\n"
    "  score sc_eq : scale(x, lo, 20)\n"
    "  grades { good >= 80 fair >= 50 bad otherwise }\n"
    "}\n"
    "dimension empty weight 1 { rule never : x > 999999999 }\n"
    "dimension fns weight 1 {\n"
    "  score mx : max(x, y)\n"
    "  score mn : min(x, lo)\n"
    "  score rd : round(x / 3)\n"
    "  score ab : abs(y - 50)\n"
    "  score mx3 : max(x, y, z)\n"
    "  score rd2 : round(y, 1)\n"
    "  rule dmax : max(d, 2026-01-01) >= as_of\n"
    "  rule dmin : min(as_of, d) < 2026-06-01\n"
    "}\n"
    "grades { good >= 70 fair >= 40 bad otherwise }\n"
    "flag f1 when x >= hi and t\n"
    "flag f2 when grade == bad and y > 1\n"
    "journey { step j1 when t and x > 1  step j2 when later.grade != bad  step j3 when y >= lo }\n";

Test(eval_fused, every_fused_step_matches_the_plain_code) {
  static const int ops[] = {S_BANDS_CMP,     S_RULE_EQ,  S_RULE_NE,     S_RULE_LT,          S_RULE_GE,
                            S_RULE_COALESCE, S_RULE_AND, S_SCORE_SCALE, S_SCORE_SCALE_NUM,  S_CASE_GE,
                            S_CASE_EQ,       S_CASE_NE,  S_FLAG_AND,    S_JOURNEY_STEP_AND, I_FN1,
                            I_FN2,           I_SYM_EQ,   I_SYM_NE,      I_SELECT,           -1};
  fused_matches_plain("t.kenko", every_step_rules, 20000, ops);
}

/* The roll-up in one step (S_ROLLUP): dimensions b, c and e and the
 * health there, dimension a on its own before them (a member of c reads
 * it); a persona that takes b's weight away (excluded: not in the
 * health), b with grades of its own, and dimensions N/A when their
 * inputs are missing. */
static const char *const rollup_rules =
    "input x: number optional\n"
    "input y: number optional\n"
    "input t: bool optional\n"
    "persona p when x > 5 { weight b = 0 }\n"
    "persona q otherwise\n"
    "dimension a weight 2 { rule ra: x >= 3  score sa: scale(y, 0, 10) }\n"
    "dimension b weight 1 { rule rb: t ?? false  score sb: scale(x, 0, 20)\n"
    "  grades { good >= 80 fair >= 50 bad otherwise } }\n"
    "dimension c weight 3 { score sc: a  rule rc: y > 1 }\n"
    "dimension e weight 1 { rule re: x > 999999999 }\n"
    "grades { good >= 70 fair >= 40 bad otherwise }\n"
    "flag f when b.grade == bad and c.grade != good\n";

Test(eval_fused, rollup_matches_the_plain_code) {
  static const int ops[] = {S_ROLLUP, -1};
  fused_matches_plain("r.kenko", rollup_rules, 20000, ops);
}
