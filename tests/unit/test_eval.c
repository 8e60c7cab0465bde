/* test_eval.c — unit tests for compile.c and eval.c: missing values and
 * Kleene logic, arithmetic and dates, built-ins and aggregates, bands,
 * personas (thresholds, weights, grades), the roll-up (N/A, weight 0,
 * coverage, lost points), flags, the journey, explanations, and the
 * reference scorecard's inline tests. Rules come from source text through
 * program_load; inputs from the rules' own `test` blocks. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "check/check.h" /* program_load */
#include "front/program.h"
#include "engine/eval.h"
#include "engine/explain.h"

typedef struct Fx {
  Diag diag;
  Program *p;
  CProgram *cp;
  Evaluator *ev;
  Explainer *x;
  const Explanation *ex; /* of the last fx_run */
  Arena arena;           /* test inputs */
} Fx;

/* Shows errors (warnings of the small rule sets here are expected). */
static void print_diag(void *ud, const kenko_diag *d) {
  (void)ud;
  if (d->level == KENKO_ERROR) fputs(d->rendered, stderr);
}

/* Loads and compiles rule TEXT (or the file PATH when TEXT is NULL). */
static void fx_load(Fx *f, const char *path, const char *text) {
  memset(f, 0, sizeof *f);
  diag_init(&f->diag, NULL, print_diag, NULL);
  int errors = 0;
  f->p = program_load(path, text, text ? strlen(text) : 0, &f->diag, &errors);
  cr_assert_eq(errors, 0, "the rules have %d errors", errors);
  f->cp = compile_program(f->p, &f->diag);
  cr_assert_not_null(f->cp, "the rules did not compile");
  f->ev = eval_new(f->cp);
  f->x = explain_new(f->cp);
  arena_init(&f->arena, 0);
}

static void fx_free(Fx *f) {
  explain_free(f->x);
  eval_free(f->ev);
  compile_free(f->cp);
  program_free(f->p);
  arena_free(&f->arena);
}

/* The index of the test called NAME. */
static int32_t test_index(const Fx *f, const char *name) {
  for (int32_t t = 0; t < f->p->ntests; t++)
    if (strcmp(f->p->tests[t].name, name) == 0) return t;
  cr_assert_fail("no test \"%s\"", name);
  return -1;
}

/* Scores the account of test NAME and explains it (f->ex), what would
 * change the grade included. */
static const Result *fx_run(Fx *f, const char *name) {
  const TestDecl *t = &f->p->tests[test_index(f, name)];
  const Value *in = eval_given_inputs(f->p, t->given, &f->arena);
  const Result *r =
      eval_account(f->ev, in, t->has_as_of ? t->as_of : date_from_ymd(2026, 1, 1), EVAL_DETAILS);
  f->ex = explain_account(f->x, f->ev, r, true);
  return r;
}

/* Runs every test of the rules; each `expect` must be true. */
static void fx_run_all(Fx *f) {
  int failed = 0;
  for (int32_t t = 0; t < f->p->ntests; t++) {
    const TestDecl *td = &f->p->tests[t];
    fx_run(f, td->name);
    for (int32_t k = 0; k < td->nexpects; k++) {
      const Node *e = td->expects[k];
      Value v = eval_expr_in_account(f->ev, e);
      if (v.type == T_BOOL && v.u.b) continue;
      const Source *s = src_get(&f->p->sources, e->span.file);
      fprintf(stderr, "test \"%s\": expect %.*s → %s\n", td->name, (int)(e->span.end - e->span.begin),
              s->text + e->span.begin, v.type == T_BOOL ? "false" : value_type_name((ValueType)v.type));
      failed++;
    }
  }
  cr_assert_eq(failed, 0, "%d expectations failed", failed);
}

/* Loads TEXT and runs all its tests. */
static void expect_tests_pass(const char *text) {
  Fx f;
  fx_load(&f, "t.kenko", text);
  fx_run_all(&f);
  fx_free(&f);
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* ---- expressions ---------------------------------------------------------- */

Test(eval_expr, kleene_logic) {
  expect_tests_pass("input t: bool\n"
                    "input f: bool\n"
                    "input m: bool optional\n"
                    "test \"kleene\" {\n"
                    "  given { t: true, f: false }\n"
                    "  expect (t and m) is missing\n"
                    "  expect (m and t) is missing\n"
                    "  expect (f and m) == false\n"
                    "  expect (m and f) == false\n"
                    "  expect (m and m) is missing\n"
                    "  expect t and t\n"
                    "  expect not (t and f)\n"
                    "  expect (t or m) == true\n"
                    "  expect (m or t) == true\n"
                    "  expect (f or m) is missing\n"
                    "  expect (m or f) is missing\n"
                    "  expect not (f or f)\n"
                    "  expect (not m) is missing\n"
                    "  expect not f\n"
                    "  expect (if m then 1 else 2) is missing\n"
                    "  expect (if t then 1 else 2) == 1\n"
                    "  expect (if f then 1 else 2) == 2\n"
                    "  expect m is missing and t is not missing\n"
                    "}\n");
}

/* The flat code's jumps: `and`, `or`, `??` skip a right side of more
 * than one instruction when the left decides, `if` jumps over the branch
 * not taken; both kinds nested, inside an aggregate's condition, and as
 * the values of a call's and an `in` list's arguments. */
Test(eval_expr, skips_and_branches_in_flat_code) {
  expect_tests_pass("input t: bool\n"
                    "input f: bool\n"
                    "input m: bool optional\n"
                    "input x: number optional\n"
                    "input y: number optional\n"
                    "input s: text optional\n"
                    "input l: list { v: number optional, ok: bool optional } optional\n"
                    "test \"skips\" {\n"
                    "  given { t: true, f: false, x: 4, y: 0, s: \"Ab\",\n"
                    "          l: [ { v: 1, ok: true }, { v: 5, ok: false }, { v: 7 } ] }\n"
                    "  expect (f and (x / y > 1 or x + 1 > 2)) == false\n"
                    "  expect ((x / y > 1 or x + 1 > 2) and t) == true\n"
                    "  expect (m and (x * 2 > 1 and x - 1 > 2)) is missing\n"
                    "  expect (m and (x * 2 > 1 and x - 1 > 9)) == false\n"
                    "  expect (t or (x / y > 1 and m)) == true\n"
                    "  expect (f or (x / y > 1 and m)) is missing\n"
                    "  expect ((x / y) ?? (x * 2 + 1)) == 9\n"
                    "  expect (x ?? (y / 0 + 1)) == 4\n"
                    "  expect ((y / 0) is missing) and ((y / 0 + 1) ?? 3) == 3\n"
                    "  expect (if x > 3 then (if y > 0 then 1 else x * 10) else x / y) == 40\n"
                    "  expect (if m then 1 else 2) is missing\n"
                    "  expect (if x / y > 1 then 1 else 2) is missing\n"
                    "  expect (if f then x / y else (if t then y + 2 else 0)) == 2\n"
                    "  expect count(l where (ok ?? (v > 6)) and (v > 0 or v is missing)) == 2\n"
                    "  expect sum(l.v where (if ok is missing then v > 6 else not ok)) == 12\n"
                    "  expect max(x * 2, y + 1, if t then 3 else 99) == 8\n"
                    "  expect (x + 1) in [y, x * 2 - 3, 9]\n"
                    "  expect not ((x + 2) in [y, x * 2 - 3])\n"
                    "  expect (m in [t, f]) is missing\n"
                    "  expect lower(s) == lower(\"AB\") and upper(\"ab\") == \"AB\"\n"
                    "  expect round(x / 3, 2) == 1.33\n"
                    "}\n");
}

Test(eval_expr, arithmetic_and_missing) {
  expect_tests_pass("input a: number optional\n"
                    "input b: number optional\n"
                    "input z: number\n"
                    "test \"arith\" {\n"
                    "  given { a: 7, z: 0 }\n"
                    "  expect (a + b) is missing\n"
                    "  expect (b * 0) is missing\n"
                    "  expect (a / z) is missing\n"
                    "  expect (a % z) is missing\n"
                    "  expect (-b) is missing\n"
                    "  expect (a > b) is missing\n"
                    "  expect (b == b) is missing\n"
                    "  expect a ?? 1 == 7\n"
                    "  expect b ?? 1 == 1\n"
                    "  expect (b ?? a) + 1 == 8\n"
                    "  expect a % 3 == 1\n"
                    "  expect -a % 3 == 2\n"
                    "  expect a % -3 == -2\n"
                    "  expect a / 2 == 3.5\n"
                    "  expect 50% == 0.5\n"
                    "  expect coalesce(b, a) == 7\n"
                    "  expect coalesce(b, b) is missing\n"
                    "  expect a in [1, 7]\n"
                    "  expect not (a in [1, 2])\n"
                    "  expect (b in [1, 2]) is missing\n"
                    "  expect a != z\n"
                    "}\n");
}

/* Each comparison operator, in each shape the compiler gives its own
 * function (two loads, a load and a number constant, anything else):
 * numbers below, equal and above, texts (== and != only), dates,
 * symbols, missing. */
Test(eval_expr, comparison_operators) {
  expect_tests_pass(
      "input a: number\n"
      "input b: number\n"
      "input c: number\n"
      "input m: number optional\n"
      "input d: date\n"
      "input e: date\n"
      "input s: text\n"
      "input t: text\n"
      "threshold five = 5\n"
      "dimension x { rule r : a < b }\n"
      "grades { good >= 50 bad otherwise }\n"
      "test \"operators\" {\n"
      "  as_of 2026-03-01\n"
      "  given { a: 3, b: 5, c: 3, d: 2026-01-01, e: 2026-02-01, s: \"ab\", t: \"b\" }\n"
      "  expect (a < b) == true\n  expect (b < a) == false\n  expect (a < c) == false\n"
      "  expect (a <= b) == true\n  expect (b <= a) == false\n  expect (a <= c) == true\n"
      "  expect (a > b) == false\n  expect (b > a) == true\n  expect (a > c) == false\n"
      "  expect (a >= b) == false\n  expect (b >= a) == true\n  expect (a >= c) == true\n"
      "  expect (a == b) == false\n  expect (a == c) == true\n"
      "  expect (a != b) == true\n  expect (a != c) == false\n"
      "  expect (a < 5) == true\n  expect (b < 5) == false\n  expect (a < 3) == false\n"
      "  expect (a <= 3) == true\n  expect (b <= 3) == false\n  expect (a <= 2) == false\n"
      "  expect (a > 2) == true\n  expect (a > 3) == false\n  expect (a > 4) == false\n"
      "  expect (a >= 3) == true\n  expect (a >= 4) == false\n  expect (b >= 3) == true\n"
      "  expect (a == 3) == true\n  expect (a == 4) == false\n"
      "  expect (a != 3) == false\n  expect (a != 4) == true\n"
      "  expect (b >= five) == true\n  expect (a >= five) == false\n  expect (b == five) == true\n"
      "  expect (m < b) is missing\n  expect (m == 3) is missing\n  expect (a != m) is missing\n"
      "  expect (m >= five) is missing\n"
      "  expect (d < e) == true\n  expect (e <= d) == false\n  expect (d != e) == true\n"
      "  expect (d == d) == true\n  expect (e > d) == true\n  expect (d >= e) == false\n"
      "  expect (s == \"ab\") == true\n  expect (s != \"ab\") == false\n"
      "  expect (s == t) == false\n  expect (s != t) == true\n"
      "  expect (grade == good) == true\n  expect (grade != good) == false\n"
      "  expect (grade == bad) == false\n  expect (x.grade != bad) == true\n"
      "}\n");
}

/* A comparison of numbers with a missing side is missing for the reason
 * of the missing side (the left one's when both are), in every shape. */
Test(eval_expr, comparison_keeps_the_missing_reason) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input a: number\n"
          "input z: number\n"
          "input m: number optional\n"
          "indicator ratio = a / z\n"
          "dimension d {\n"
          "  rule k : ratio > 1\n"
          "  rule left : ratio >= a\n"
          "  rule right : a <= ratio\n"
          "  rule absent : m > a\n"
          "  rule both : m < ratio\n"
          "  rule both2 : ratio < m\n"
          "  rule fine : a > z\n"
          "}\n"
          "test \"zero\" { given { a: 3, z: 0 } }\n");
  const Result *r = fx_run(&f, "zero");
  const uint8_t want[] = {MISS_DIV_ZERO, MISS_DIV_ZERO, MISS_DIV_ZERO,
                          MISS_ABSENT,   MISS_ABSENT,   MISS_DIV_ZERO};
  for (int i = 0; i < 6; i++) {
    cr_assert(r->members[i].na, "member %d is N/A", i);
    cr_assert_eq(r->members[i].why, want[i], "member %d: why %d, want %d", i, r->members[i].why, want[i]);
  }
  cr_assert_eq(r->members[6].status, MS_PASS);
  fx_free(&f);
}

Test(eval_expr, dates) {
  expect_tests_pass("input d: date\n"
                    "input e: date optional\n"
                    "test \"dates\" {\n"
                    "  as_of 2026-03-01\n"
                    "  given { d: 2026-02-01 }\n"
                    "  expect days(d, as_of) == 28\n"
                    "  expect days(as_of, d) == -28\n"
                    "  expect days_since(d) == 28\n"
                    "  expect days_until(d) == -28\n"
                    "  expect d + 28 == as_of\n"
                    "  expect 28 + d == as_of\n"
                    "  expect as_of - 28 == d\n"
                    "  expect d + 1.9 == 2026-02-02\n"
                    "  expect days(2024-02-28, 2024-03-01) == 2\n"
                    "  expect days(2023-02-28, 2023-03-01) == 1\n"
                    "  expect days_since(e) is missing\n"
                    "  expect (e + 1) is missing\n"
                    "  expect d < as_of\n"
                    "  expect max(d, as_of) == as_of\n"
                    "  expect min(d, as_of) == d\n"
                    "}\n");
}

Test(eval_expr, builtins) {
  expect_tests_pass("input x: number\n"
                    "input n: number optional\n"
                    "input s: text\n"
                    "input lo: number\n"
                    "test \"builtins\" {\n"
                    "  given { x: 2.5, s: \"Hello World\", lo: 10 }\n"
                    "  expect min(3, x, 7) == 2.5\n"
                    "  expect max(3, x, 7) == 7\n"
                    "  expect min(1, n) is missing\n"
                    "  expect abs(-x) == 2.5\n"
                    "  expect round(x) == 3\n"
                    "  expect round(-x) == -3\n"
                    "  expect round(x * 1.01, 2) == 2.53\n"
                    "  expect round(1234 + x, -2) == 1200\n"
                    "  expect round(n) is missing\n"
                    "  expect clamp(x * 100, 0, 100) == 100\n"
                    "  expect clamp(-x, 0, 100) == 0\n"
                    "  expect clamp(x, 0, 100) == 2.5\n"
                    "  expect scale(x, 0, 10) == 25\n"
                    "  expect scale(x * 10, 0, 10) == 100\n"
                    "  expect scale(-x, 0, 10) == 0\n"
                    "  expect scale(x, lo, 0) == 75\n"
                    "  expect scale(x, lo, lo) is missing\n"
                    "  expect scale(n, 0, 1) is missing\n"
                    "  expect lower(s) == \"hello world\"\n"
                    "  expect upper(s) == \"HELLO WORLD\"\n"
                    "  expect contains(s, \"o W\")\n"
                    "  expect not contains(s, \"xyz\")\n"
                    "  expect contains(s, \"\")\n"
                    "  expect starts_with(s, \"Hell\")\n"
                    "  expect not starts_with(s, \"hell\")\n"
                    "  expect not starts_with(\"He\", s)\n"
                    "  expect s in [\"a\", \"Hello World\"]\n"
                    "  expect lower(\"ÄB\") == \"Äb\"\n"
                    "}\n");
}

Test(eval_expr, aggregates) {
  expect_tests_pass(
      "input items: list { v: number optional, k: text, ok: bool optional, at: date optional } optional\n"
      "test \"list\" {\n"
      "  given { items: [ { v: 10, k: \"a\", ok: true, at: 2026-01-05 },\n"
      "                   { v: 20, k: \"b\", ok: false, at: 2026-01-01 },\n"
      "                   { k: \"a\" },\n"
      "                   { v: 5, k: \"c\", ok: true } ] }\n"
      "  expect count(items) == 4\n"
      "  expect count(items where k == \"a\") == 2\n"
      "  expect count(items where ok) == 2\n"
      "  expect count(items where not ok) == 1\n"
      "  expect sum(items.v) == 35\n"
      "  expect sum(items.v where k == \"a\") == 10\n"
      "  expect round(avg(items.v), 6) == 11.666667\n"
      "  expect avg(items.v where ok) == 7.5\n"
      "  expect min(items.v) == 5\n"
      "  expect max(items.v) == 20\n"
      "  expect max(items.v where k != \"b\") == 10\n"
      "  expect min(items.at) == 2026-01-01\n"
      "  expect any(items where ok)\n"
      "  expect not any(items where k == \"z\")\n"
      "  expect not all(items where ok)\n"
      "  expect all(items where k != \"z\")\n"
      "  expect any(items.ok)\n"
      "  expect not all(items.ok)\n"
      "  expect avg(items.v where k == \"z\") is missing\n"
      "  expect min(items.v where k == \"z\") is missing\n"
      "  expect sum(items.v where k == \"z\") == 0\n"
      "}\n"
      "test \"missing list\" {\n"
      "  given { }\n"
      "  expect count(items) == 0\n"
      "  expect count(items where ok) == 0\n"
      "  expect sum(items.v) is missing\n"
      "  expect avg(items.v) is missing\n"
      "  expect max(items.v) is missing\n"
      "  expect any(items where ok) is missing\n"
      "  expect all(items where ok) is missing\n"
      "}\n"
      "test \"empty list\" {\n"
      "  given { items: [] }\n"
      "  expect count(items) == 0\n"
      "  expect sum(items.v) == 0\n"
      "  expect avg(items.v) is missing\n"
      "  expect not any(items where ok)\n"
      "  expect all(items where ok)\n"
      "}\n");
}

Test(eval_expr, nps) {
  expect_tests_pass("input answers: list { rating: number optional } optional\n"
                    "test \"balanced\" {\n"
                    "  given { answers: [ { rating: 10 }, { rating: 9 }, { rating: 8 }, { rating: 6 },\n"
                    "                     { rating: 0 }, { } ] }\n"
                    "  expect nps(answers.rating) == 0\n"
                    "  expect round(nps(answers.rating where rating >= 7), 2) == 66.67\n"
                    "  expect nps(answers.rating where rating < 7) == -100\n"
                    "  expect nps(answers.rating where rating > 10) is missing\n"
                    "}\n"
                    "test \"positive\" {\n"
                    "  given { answers: [ { rating: 10 }, { rating: 10 }, { rating: 7 }, { rating: 3 } ] }\n"
                    "  expect nps(answers.rating) == 25\n"
                    "}\n"
                    "test \"none\" {\n"
                    "  given { answers: [] }\n"
                    "  expect nps(answers.rating) is missing\n"
                    "}\n");
}

Test(eval_expr, division_by_zero_reason) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input a: number\n"
          "input z: number\n"
          "input b: number optional\n"
          "indicator ratio = a / z\n"
          "dimension d {\n"
          "  score direct : a / z * 100\n"
          "  score through : scale(ratio, 0, 1)\n"
          "  score absent : b + a\n"
          "  rule ok : a > 0\n"
          "}\n"
          "test \"zero\" { given { a: 3, z: 0 } }\n");
  const Result *r = fx_run(&f, "zero");
  cr_assert(r->members[0].na);
  cr_assert_eq(r->members[0].why, MISS_DIV_ZERO);
  cr_assert_eq(f.ex->missing_ref[0], -1, "no name is missing: the division is");
  cr_assert(r->members[1].na);
  cr_assert_eq(r->members[1].why, MISS_DIV_ZERO);
  cr_assert_eq(f.ex->missing_ref[1], 0); /* ratio */
  cr_assert(r->members[2].na);
  cr_assert_eq(r->members[2].why, MISS_ABSENT);
  const RefList *refs = &f.ex->member_refs[2];
  cr_assert_eq(refs->count, 2);
  cr_assert_str_eq(refs->refs[0].name, "b");
  cr_assert_str_eq(refs->refs[1].name, "a");
  cr_assert_eq(f.ex->missing_ref[2], 0);
  cr_assert(f.ex->member_values[2][0].type == T_MISSING);
  cr_assert(f.ex->member_values[2][1].type == T_NUMBER && f.ex->member_values[2][1].u.num == 3);
  cr_assert_eq(r->members[3].status, MS_PASS);
  cr_assert(NEAR(r->health, 100));
  cr_assert(NEAR(r->coverage, 0.25));
  fx_free(&f);
}

/* ---- members, personas and the roll-up ------------------------------------ */

static const char *const persona_rules =
    "input ratio: number optional\n"
    "input tenure: number\n"
    "threshold good_ratio = 60%\n"
    "threshold fair_ratio = 30%\n"
    "threshold bonus = 80\n"
    "dimension u weight 40 {\n"
    "  score usage weight 2 {\n"
    "    100 when ratio >= good_ratio\n"
    "    bonus when ratio >= fair_ratio\n"
    "    0 otherwise\n"
    "  }\n"
    "  rule r1 : ratio > 0\n"
    "}\n"
    "dimension i weight 20 {\n"
    "  rule kick : tenure > 60\n"
    "}\n"
    "dimension x weight 10 {\n"
    "  score long { 100 when tenure > 1000  50 when ratio >= 0.5  0 otherwise }\n"
    "}\n"
    "grades { good >= 70  normal >= 40  bad otherwise }\n"
    "persona newbie when tenure < 90 and ratio < good_ratio + 0.39 {\n"
    "  threshold good_ratio = 40%\n"
    "  threshold bonus = 50\n"
    "  weight u = 30\n"
    "  weight i = 70\n"
    "  weight x = 0\n"
    "  weight u.r1 = 0\n"
    "  grades { good >= 60  normal >= 30  bad otherwise }\n"
    "}\n"
    "persona active otherwise\n"
    "segment size { big when tenure >= 365  small when tenure >= 30  tiny otherwise }\n"
    "flag weak severity high when grade == bad action \"call them\"\n"
    "flag high_usage when ratio > 0.5\n"
    "journey { step s1 when tenure > 10  step s2 when ratio > 0.1  step s3 when grade == good }\n"
    "test \"band edge\" { given { ratio: 60%, tenure: 2000 }\n"
    "  expect u.usage == 100\n"
    "  expect persona == active\n"
    "  expect size == big\n"
    "  expect x.long == 100\n"
    "  expect bottleneck is missing\n"
    "  expect grade == good\n"
    "}\n"
    "test \"active\" { given { ratio: 45%, tenure: 100 }\n"
    "  expect u.usage == 80\n"
    "  expect size == small\n"
    "}\n"
    "test \"fair edge\" { given { ratio: 30%, tenure: 100 } expect u.usage == 80 }\n"
    "test \"below fair\" { given { ratio: 29%, tenure: 100 } expect u.usage == 0 }\n"
    "test \"newbie\" { given { ratio: 45%, tenure: 50 }\n"
    "  expect persona == newbie\n"
    "  expect u.usage == 100\n"
    "  expect i.kick == 0\n"
    "  expect health == 30\n"
    "  expect grade == normal\n"
    "  expect flagged(weak) == false\n"
    "  expect bottleneck == s3\n"
    "  expect persona in [newbie, active]\n"
    "  expect size in [tiny, small]\n"
    "  expect not (size in [big])\n"
    "}\n"
    "test \"newbie high ratio\" { given { ratio: 85%, tenure: 50 }\n"
    "  expect persona == newbie\n"
    "  expect u.usage == 100\n"
    "}\n"
    "test \"newbie bonus\" { given { ratio: 35%, tenure: 50 }\n"
    "  expect u.usage == 50\n"
    "  expect health == 15\n"
    "  expect grade == bad\n"
    "  expect flagged(weak)\n"
    "}\n"
    "test \"no ratio\" { given { tenure: 100 }\n"
    "  expect u.usage is missing\n"
    "  expect u is missing\n"
    "  expect u.grade is missing\n"
    "}\n"
    "test \"no ratio newbie\" { given { tenure: 50 } expect persona == active }\n";

Test(eval_roll_up, inline_expectations) { expect_tests_pass(persona_rules); }

/* Bands stop at the first condition that is not false: a true one gives
 * its score (`otherwise` is true), a missing one makes the member N/A,
 * and what comes after does not matter. Three members must agree: one whose conditions are
 * all evaluated up front (cheap, at most EAGER_BANDS_MAX), one with 17
 * bands and one with a call in a condition (both tried one by one). */
Test(eval_roll_up, bands_stop_at_the_first_condition_not_false) {
  char rules[4096];
  char many[1024] = "";
  for (int k = 0; k < 14; k++) {
    size_t n = strlen(many);
    snprintf(many + n, sizeof many - n, "  1 when x >= %d\n", 1000 + k);
  }
  snprintf(rules, sizeof rules,
           "input x: number optional\n"
           "input y: number optional\n"
           "dimension d {\n"
           "  score cheap { 100 when x >= 10  50 when y >= 5  0 otherwise }\n"
           "  score long {\n%s  100 when x >= 10\n  50 when y >= 5\n  0 otherwise\n  }\n"
           "  score called { 100 when abs(x) >= 10 and x > 0  50 when y >= 5  0 otherwise }\n"
           "}\n"
           "test \"first\" { given { x: 12 } }\n"
           "test \"missing before\" { given { x: 3 } }\n"
           "test \"second\" { given { x: 3, y: 6 } }\n"
           "test \"last\" { given { x: 3, y: 4 } }\n"
           "test \"otherwise\" { given { x: -1, y: 1 } }\n"
           "test \"missing first\" { given { y: 9 } }\n",
           many);
  Fx f;
  fx_load(&f, "bands.kenko", rules);
  struct {
    const char *test;
    bool na;
    uint8_t why;
    int32_t band; /* in the three-band members */
    double score;
  } want[] = {
      {"first", false, 0, 0, 100},   {"missing before", true, MISS_ABSENT, -1, NAN},
      {"second", false, 0, 1, 50},   {"last", false, 0, 2, 0},
      {"otherwise", false, 0, 2, 0}, {"missing first", true, MISS_ABSENT, -1, NAN},
  };
  for (size_t t = 0; t < sizeof want / sizeof *want; t++) {
    const Result *r = fx_run(&f, want[t].test);
    for (int32_t m = 0; m < 3; m++) {
      const MemberResult *mr = &r->members[m];
      int32_t band = want[t].band < 0 || m != 1 ? want[t].band : want[t].band + 14;
      cr_assert_eq(mr->na, want[t].na, "%s, member %d: na", want[t].test, m);
      cr_assert_eq(mr->band, band, "%s, member %d: band %d, want %d", want[t].test, m, mr->band, band);
      if (want[t].na)
        cr_assert_eq(mr->why, want[t].why, "%s, member %d: why", want[t].test, m);
      else
        cr_assert(NEAR(mr->score, want[t].score), "%s, member %d: score", want[t].test, m);
    }
  }
  fx_free(&f);
}

/* Steps that do their expression's last operation themselves (compile.c:
 * fuse_last): a rule's comparison or `??`, a score's scale(), a flag's,
 * journey step's or persona's `and`, a segment case's comparison; with
 * missing operands, text and symbols (not two numbers), and where a jump
 * lands after the last operation (an `if`: not fused). */
Test(eval_roll_up, fused_steps_outside_numbers) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input x: number optional\n"
          "input y: number optional\n"
          "input s: text optional\n"
          "input t: bool\n"
          "input m: bool optional\n"
          "persona p1 when m and t\n"
          "persona p2 when t and t\n"
          "segment seg { hi when x >= 10  mid when s == \"b\"  lo otherwise }\n"
          "dimension d {\n"
          "  rule r_missing : x >= y\n"
          "  rule r_text : s == \"b\"\n"
          "  rule r_symbol : seg == mid\n"
          "  rule r_coalesce : m ?? false\n"
          "  score s_domain : scale(y, 3, 3)\n"
          "  score s_scale : scale(y, 0, 12)\n"
          "  rule r_if : if t then x >= 1 else y >= 2\n"
          "  rule r_if_else : if not t then x >= 1 else y >= 2\n"
          "}\n"
          "flag f_unknown when t and m\n"
          "flag f_raised when t and t\n"
          "flag f_off when m and not t\n"
          "journey { step j1 when t and t  step j2 when m and t  step j3 when t }\n"
          "test \"fused\" { given { y: 3, s: \"b\", t: true } }\n");
  const Result *r = fx_run(&f, "fused");
  cr_assert_eq(r->persona_tried[0], PT_MISSING);
  cr_assert_eq(r->persona_tried[1], PT_MATCHED);
  cr_assert_eq(r->persona, 1);
  cr_assert_eq(r->segments[0], 1, "x missing: not hi; s == \"b\": mid");
  const MemberResult *mr = r->members;
  cr_assert(mr[0].na && mr[0].why == MISS_ABSENT && mr[0].band == -1);
  cr_assert_eq(mr[1].status, MS_PASS);
  cr_assert_eq(mr[2].status, MS_PASS);
  cr_assert(!mr[3].na && mr[3].status == MS_FAIL && mr[3].score == 0);
  cr_assert(mr[4].na && mr[4].why == MISS_DOMAIN);
  cr_assert(mr[5].status == MS_SCORED && NEAR(mr[5].score, 25));
  cr_assert(mr[6].na && mr[6].why == MISS_ABSENT, "t: x >= 1, x missing");
  cr_assert_eq(mr[7].status, MS_PASS, "not t: y >= 2");
  cr_assert_eq(r->flags[0], FLAG_UNKNOWN);
  cr_assert_eq(r->flags[1], FLAG_RAISED);
  cr_assert_eq(r->flags[2], FLAG_OFF);
  cr_assert_eq(r->steps[0], STEP_PASS);
  cr_assert_eq(r->steps[1], STEP_UNKNOWN);
  cr_assert_eq(r->steps[2], STEP_PASS);
  cr_assert_eq(r->bottleneck, 1);
  fx_free(&f);
}

Test(eval_roll_up, lost_points_sum_to_the_gap) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const char *names[] = {"band edge", "active",       "fair edge", "below fair",
                         "newbie",    "newbie bonus", "no ratio"};
  for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
    const Result *r = fx_run(&f, names[n]);
    cr_assert(!r->health_na);
    double lost = 0, eff = 0;
    for (int32_t i = 0; i < r->nmembers; i++) {
      lost += r->members[i].lost;
      eff += r->members[i].effective;
    }
    cr_assert(fabs(lost - (100 - r->health)) < 1e-9, "%s: Σ lost %.17g, 100 − health %.17g", names[n], lost,
              100 - r->health);
    cr_assert(fabs(eff - 1) < 1e-9, "%s: effective weights sum to %.17g", names[n], eff);
  }
  fx_free(&f);
}

Test(eval_roll_up, active_account_numbers) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const Result *r = fx_run(&f, "active");
  /* u = (2·80 + 100)/3; i = 100; x: tenure 100, ratio 0.45 → 0;
   * health = (40·u + 20·100 + 10·0)/70 */
  double u = (2 * 80.0 + 100) / 3;
  cr_assert_eq(r->persona, 1);
  cr_assert_eq(r->persona_tried[0], PT_FALSE);
  cr_assert_eq(r->persona_tried[1], PT_MATCHED);
  cr_assert(NEAR(r->dims[0].score, u));
  cr_assert(NEAR(r->health, (40 * u + 20 * 100.0 + 10 * 0.0) / 70));
  cr_assert(NEAR(r->members[0].lost, (40.0 / 70) * (2.0 / 3) * 20));
  cr_assert(NEAR(r->members[3].lost, (10.0 / 70) * 100));
  cr_assert(NEAR(r->dims[0].effective, 40.0 / 70));
  cr_assert(NEAR(r->coverage, 1));
  cr_assert_eq(r->members[0].band, 1);
  cr_assert_eq(r->members[0].status, MS_SCORED);
  cr_assert_eq(r->members[1].status, MS_PASS);
  /* drivers: x.long (14.29), u.usage (7.62), then the others in order */
  cr_assert_eq(f.ex->drivers[0], 3);
  cr_assert_eq(f.ex->drivers[1], 0);
  cr_assert_eq(f.ex->drivers[2], 1);
  cr_assert_eq(f.ex->drivers[3], 2);
  cr_assert_str_eq(f.p->grade_names[r->grade], "good");
  cr_assert_eq(r->segments[0], 1);
  cr_assert_eq(r->flags[0], FLAG_OFF);
  cr_assert_eq(r->flags[1], FLAG_OFF);
  fx_free(&f);
}

Test(eval_roll_up, persona_overrides_weights_thresholds_grades) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const Result *r = fx_run(&f, "newbie");
  cr_assert_eq(r->persona, 0);
  /* weight u.r1 = 0: usage alone makes u; x has weight 0: reported, excluded */
  cr_assert(NEAR(r->dims[0].score, 100));
  cr_assert(NEAR(r->dims[0].weight, 30));
  cr_assert(NEAR(r->members[1].weight, 0));
  cr_assert(NEAR(r->members[1].lost, 0));
  cr_assert(NEAR(r->members[1].effective, 0));
  cr_assert(r->dims[2].excluded);
  cr_assert(!r->dims[2].na);
  cr_assert(NEAR(r->dims[2].score, 0));
  cr_assert_str_eq(f.p->grade_names[r->dims[2].grade], "bad");
  cr_assert(NEAR(r->dims[2].effective, 0));
  cr_assert(NEAR(r->members[3].lost, 0));
  cr_assert(NEAR(r->health, 30));
  /* the persona's grades: 30 is normal (it would be bad by default) */
  cr_assert_str_eq(f.p->grade_names[r->grade], "normal");
  cr_assert_eq(eval_grade_of(f.p, f.p->default_grades, r->health), r->dims[2].grade);
  cr_assert(NEAR(eval_threshold_value(f.ev, 0, 0).u.num, 0.4));
  cr_assert(NEAR(eval_threshold_value(f.ev, 0, -1).u.num, 0.6));
  /* the explanation shows the persona's threshold values */
  const RefList *refs = &f.ex->member_refs[0];
  cr_assert_eq(refs->count, 4); /* ratio, good_ratio, fair_ratio, bonus */
  cr_assert_str_eq(refs->refs[1].name, "good_ratio");
  cr_assert(NEAR(f.ex->member_values[0][1].u.num, 0.4));
  cr_assert(NEAR(f.ex->member_values[0][3].u.num, 50));
  cr_assert_eq(r->steps[0], STEP_PASS);
  cr_assert_eq(r->steps[1], STEP_PASS);
  cr_assert_eq(r->steps[2], STEP_FAIL);
  cr_assert_eq(r->bottleneck, 2);
  fx_free(&f);
}

Test(eval_roll_up, all_na_dimension_and_coverage) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const Result *r = fx_run(&f, "no ratio");
  /* ratio missing: persona newbie's condition is not tried (tenure 100 is
   * false first), u is N/A, x.long's second band is missing → N/A */
  cr_assert(r->dims[0].na);
  cr_assert(isnan(r->dims[0].score));
  cr_assert_eq(r->dims[0].grade, -1);
  cr_assert(r->members[0].na);
  cr_assert_eq(r->members[0].status, MS_NA);
  cr_assert(r->members[3].na);
  cr_assert(r->dims[2].na);
  cr_assert(NEAR(r->health, 100)); /* i alone */
  cr_assert(NEAR(r->dims[1].effective, 1));
  /* coverage: only i (20 of 70) had data */
  cr_assert(NEAR(r->coverage, 20.0 / 70));
  cr_assert_eq(r->flags[1], FLAG_UNKNOWN);
  cr_assert_eq(r->steps[1], STEP_UNKNOWN);
  cr_assert_eq(r->bottleneck, 1);
  cr_assert_eq(f.ex->missing_ref[0], 0);
  fx_free(&f);
}

Test(eval_roll_up, persona_conditions_see_default_thresholds) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const Result *r = fx_run(&f, "newbie");
  r = fx_run(&f, "newbie high ratio");
  cr_assert_eq(r->persona, 0);
  const RefList *refs = &f.ex->persona_refs[0];
  cr_assert_eq(refs->count, 3);
  cr_assert(refs->default_thresholds);
  cr_assert_str_eq(refs->refs[2].name, "good_ratio");
  cr_assert(NEAR(f.ex->persona_values[0][2].u.num, 0.6)); /* the default */
  cr_assert(NEAR(eval_ref_value(f.ev, &refs->refs[2], false).u.num, 0.4));
  /* an expression's references, for `expect` explanations */
  const TestDecl *t = &f.p->tests[test_index(&f, "newbie")];
  RefList er = eval_expr_refs(f.ev, t->expects[3]); /* health == 30 */
  cr_assert_eq(er.count, 1);
  cr_assert_str_eq(er.refs[0].name, "health");
  fx_free(&f);
}

/* eval_ref_slot holds what eval_ref_value gives, with and without the
 * default thresholds: an indicator that reads a threshold a persona
 * overrides, read by that persona's condition, has two values (the
 * default-threshold one the condition saw, and the persona's). */
Test(eval_roll_up, ref_slots_hold_the_ref_values) {
  static const char *const rules = "input x: number optional\n"
                                   "threshold t = 5\n"
                                   "indicator ind = x + t\n"
                                   "persona p when ind > 10 { threshold t = 100 }\n"
                                   "persona q otherwise\n"
                                   "dimension d weight 1 {\n"
                                   "  rule r : ind > t\n"
                                   "  score s : scale(x, 0, t)\n"
                                   "}\n";
  Fx f;
  fx_load(&f, "t.kenko", rules);
  cr_assert(f.p->indicators[0].persona_defaults);
  const Node *exprs[] = {f.p->dimensions[0].members[0].expr, f.p->dimensions[0].members[1].expr};
  RefList refs = compile_refs(f.cp, &f.arena, exprs, 2); /* ind, t, x */
  cr_assert_eq(refs.count, 3);
  static const double xs[] = {6, 1, -100};
  for (size_t k = 0; k < sizeof xs / sizeof *xs; k++) {
    Value in = val_num(xs[k]);
    const Result *r = eval_account(f.ev, &in, date_from_ymd(2026, 1, 1), EVAL_SCORES);
    cr_assert_eq(r->persona, k == 0 ? 0 : 1);
    for (int dflt = 0; dflt < 2; dflt++)
      for (int32_t i = 0; i < refs.count; i++) {
        const Value *slot = eval_ref_slot(f.ev, &refs.refs[i], dflt);
        Value v = eval_ref_value(f.ev, &refs.refs[i], dflt);
        cr_assert_not_null(slot, "%s has a slot", refs.refs[i].name);
        cr_assert(slot->type == v.type && memcmp(&slot->u, &v.u, sizeof v.u) == 0,
                  "x = %g, %s (default thresholds %d): slot and value differ", xs[k], refs.refs[i].name,
                  dflt);
      }
  }
  /* x = 6: the persona saw ind = 11 (t = 5); the member, ind = 106 */
  Value six = val_num(6);
  eval_account(f.ev, &six, date_from_ymd(2026, 1, 1), EVAL_SCORES);
  cr_assert(NEAR(eval_ref_slot(f.ev, &refs.refs[0], true)->u.num, 11));
  cr_assert(NEAR(eval_ref_slot(f.ev, &refs.refs[0], false)->u.num, 106));
  fx_free(&f);
}

Test(eval_roll_up, missing_persona_condition_counts_as_not_matching) {
  Fx f;
  fx_load(&f, "t.kenko", persona_rules);
  const Result *r = fx_run(&f, "no ratio newbie");
  cr_assert_eq(r->persona_tried[0], PT_MISSING);
  cr_assert_eq(r->persona, 1);
  fx_free(&f);
}

Test(eval_roll_up, no_grades_no_personas_everything_na) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input a: number optional\n"
          "dimension d { rule r : a > 1 }\n"
          "dimension e weight 0 { rule q : a > 2 }\n"
          "test \"empty\" { given { } expect health is missing expect grade is missing\n"
          "  expect persona is missing }\n"
          "test \"one\" { given { a: 3 } expect health == 100 expect grade is missing }\n");
  fx_run_all(&f);
  const Result *r = fx_run(&f, "empty");
  cr_assert(r->health_na);
  cr_assert(isnan(r->health));
  cr_assert_eq(r->grade, -1);
  cr_assert_eq(r->persona, -1);
  cr_assert(NEAR(r->coverage, 0));
  r = fx_run(&f, "one");
  cr_assert(NEAR(r->coverage, 1));
  cr_assert(r->dims[1].excluded);
  cr_assert(NEAR(r->dims[1].score, 100));
  fx_free(&f);
}

Test(eval_roll_up, dimension_own_grades_beat_the_persona_grades) {
  expect_tests_pass(
      "input a: number\n"
      "dimension d {\n"
      "  score s : a\n"
      "  grades { top >= 90  low otherwise }\n"
      "}\n"
      "dimension e { score t : a }\n"
      "grades { good >= 50  bad otherwise }\n"
      "persona p when a < 60 { grades { good >= 20  bad otherwise } }\n"
      "test \"p\" { given { a: 30 }\n"
      "  expect d.grade == low\n"
      "  expect e.grade == good\n"
      "  expect grade == good\n"
      "}\n"
      "test \"default\" { given { a: 95 }\n"
      "  expect d.grade == top\n"
      "  expect e.grade == good\n"
      "  expect persona is missing\n"
      "}\n"
      "test \"default low\" { given { a: 70 } expect d.grade == low expect e.grade == good }\n");
}

Test(eval_roll_up, scores_are_clamped) {
  expect_tests_pass(
      "input a: number\n"
      "dimension d { score s : a * 10  score t : a - 50 }\n"
      "test \"clamp\" { given { a: 20 } expect d.s == 100 expect d.t == 0 expect health == 50 }\n");
}

/* ---- what would change the grade ------------------------------------------ */

/* Three scores of one dimension: the health is their mean. */
static const char *const what_if_rules = "input p: number optional\n"
                                         "input q: number\n"
                                         "input r: number\n"
                                         "dimension x { score sp : p  score sq : q  score sr : r }\n"
                                         "grades { good >= 80  fair >= 50  bad otherwise }\n"
                                         "test \"one\" { given { p: 0, q: 60, r: 90 } }\n"
                                         "test \"two\" { given { p: 41, q: 52, r: 60 } }\n"
                                         "test \"na\" { given { q: 40, r: 40 } }\n"
                                         "test \"none\" { given { } }\n"
                                         "test \"best\" { given { p: 90, q: 90, r: 90 } }\n";

/* Member K of the set of the last account. */
static int32_t wi_member(const Fx *f, int32_t k) {
  cr_assert_lt(k, f->ex->what_if.nmembers);
  return f->ex->what_if.members[k].member;
}

/* 50 (fair), 30 from good: sp alone gives 33.33. */
Test(eval_what_if, one_member_is_enough) {
  Fx f;
  fx_load(&f, "t.kenko", what_if_rules);
  const Result *r = fx_run(&f, "one");
  cr_assert(NEAR(r->health, 50));
  const WhatIf *wi = &f.ex->what_if;
  cr_assert_eq(wi->status, WI_REACHABLE);
  cr_assert_str_eq(f.p->grade_names[wi->next_grade], "good");
  cr_assert(NEAR(wi->bound, 80));
  cr_assert(NEAR(wi->away, 30));
  cr_assert_eq(wi->nmembers, 1);
  cr_assert_eq(wi_member(&f, 0), 0);
  cr_assert(NEAR(wi->members[0].from, 0) && NEAR(wi->members[0].to, 100));
  cr_assert(NEAR(wi->members[0].gain, 100.0 / 3));
  cr_assert(NEAR(wi->health, 250.0 / 3));
  cr_assert_str_eq(f.p->grade_names[wi->grade], "good");
  cr_assert(NEAR(wi->points, 100));
  cr_assert(wi->searched);
  fx_free(&f);
}

/* 51, 29 from good: no member alone (the best gives 19.67); of the pairs
 * that reach it, sq + sr moves the fewest points (48 + 40), not the pair of
 * the largest gains (sp + sq, 59 + 48). */
Test(eval_what_if, fewest_members_then_fewest_points) {
  Fx f;
  fx_load(&f, "t.kenko", what_if_rules);
  const Result *r = fx_run(&f, "two");
  cr_assert(NEAR(r->health, 51));
  const WhatIf *wi = &f.ex->what_if;
  cr_assert_eq(wi->status, WI_REACHABLE);
  cr_assert_eq(wi->nmembers, 2);
  cr_assert_eq(wi_member(&f, 0), 1);
  cr_assert_eq(wi_member(&f, 1), 2);
  cr_assert(NEAR(wi->points, 88));
  cr_assert(NEAR(wi->health, 241.0 / 3));
  cr_assert(wi->searched);
  fx_free(&f);
}

/* p n/a: the health is (40 + 40) / 2 = 40 (bad), 10 from fair. Raising
 * the n/a member adds it to the roll-up ((40 + 40 + 100) / 3 = 60, +20);
 * sq alone gives (100 + 40) / 2 = 70, +30, for fewer points (60 < 100). */
Test(eval_what_if, an_n_a_member_joins_the_roll_up) {
  Fx f;
  fx_load(&f, "t.kenko", what_if_rules);
  const Result *r = fx_run(&f, "na");
  cr_assert(NEAR(r->health, 40));
  const WhatIf *wi = &f.ex->what_if;
  cr_assert_eq(wi->status, WI_REACHABLE);
  cr_assert_eq(wi->nmembers, 1);
  cr_assert_eq(wi_member(&f, 0), 1);
  cr_assert(NEAR(wi->health, 70));
  cr_assert(NEAR(wi->points, 60));
  fx_free(&f);
}

Test(eval_what_if, no_health_and_best_grade) {
  Fx f;
  fx_load(&f, "t.kenko", what_if_rules);
  fx_run(&f, "none");
  cr_assert_eq(f.ex->what_if.status, WI_NO_HEALTH);
  fx_run(&f, "best");
  cr_assert_eq(f.ex->what_if.status, WI_BEST_GRADE);
  fx_free(&f);
}

/* Bands whose best value is 50 can only rise to 50: good (at 60) is out
 * of reach whatever is raised. */
Test(eval_what_if, out_of_reach) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input t: number\n"
          "dimension x { score capped { 50 when t > 10  0 otherwise }  rule ok : t > 0 }\n"
          "grades { good >= 80  fair >= 30  bad otherwise }\n"
          "test \"low\" { given { t: 5 } }\n");
  const Result *r = fx_run(&f, "low");
  cr_assert(NEAR(r->health, 50)); /* 0 and 100 */
  const WhatIf *wi = &f.ex->what_if;
  cr_assert_eq(wi->status, WI_UNREACHABLE);
  cr_assert_str_eq(f.p->grade_names[wi->next_grade], "good");
  cr_assert_eq(wi->nmembers, 0);
  cr_assert(NEAR(wi->health, 75)); /* capped at its best, 50 */
  fx_free(&f);
}

/* 1,000 rules of one dimension, all failing: good at 80 needs 800 of them,
 * more than the search tries (EXPLAIN_SET_MAX): the largest gains, one by
 * one, are the answer, said to be not searched through. */
Test(eval_what_if, very_large_sets_are_not_searched) {
  Buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "input a: number\ndimension x {\n");
  for (int i = 0; i < 1000; i++)
    buf_printf(&b, "  rule r%d : a > %d\n", i, 10 + i % 7);
  buf_puts(&b, "}\ngrades { good >= 80  bad otherwise }\ntest \"low\" { given { a: 0 } }\n");
  buf_putc(&b, '\0');
  Fx f;
  fx_load(&f, "t.kenko", b.data);
  const Result *r = fx_run(&f, "low");
  cr_assert(NEAR(r->health, 0));
  const WhatIf *wi = &f.ex->what_if;
  cr_assert_eq(wi->status, WI_REACHABLE);
  cr_assert_gt(wi->nmembers, EXPLAIN_SET_MAX);
  cr_assert(!wi->searched);
  cr_assert(wi->health >= 80);
  fx_free(&f);
  buf_free(&b);
}

/* ---- the reference scorecard ---------------------------------------------- */

Test(eval_aiueo, inline_tests_pass) {
  Fx f;
  fx_load(&f, "rules/aiueo.kenko", NULL);
  fx_run_all(&f);
  fx_free(&f);
}

Test(eval_aiueo, lost_points_and_coverage) {
  Fx f;
  fx_load(&f, "rules/aiueo.kenko", NULL);
  for (int32_t t = 0; t < f.p->ntests; t++) {
    const Result *r = fx_run(&f, f.p->tests[t].name);
    if (r->health_na) continue;
    double lost = 0;
    for (int32_t i = 0; i < r->nmembers; i++)
      lost += r->members[i].lost;
    cr_assert(fabs(lost - (100 - r->health)) < 1e-9);
    cr_assert(r->coverage > 0 && r->coverage <= 1 + 1e-12);
  }
  fx_free(&f);
}

/* EvalDepth: the scores do not depend on the depth; EVAL_SCORES leaves
 * the roll-up details unfilled (and says so), EVAL_DETAILS fills the same
 * lost points and coverage as explaining reads. */
Test(eval_aiueo, depth_changes_what_is_filled_not_the_scores) {
  Fx f;
  fx_load(&f, "rules/aiueo.kenko", NULL);
  for (int32_t t = 0; t < f.p->ntests; t++) {
    const TestDecl *td = &f.p->tests[t];
    const Value *in = eval_given_inputs(f.p, td->given, &f.arena);
    int32_t as_of = td->has_as_of ? td->as_of : date_from_ymd(2026, 1, 1);
    const Result *r = eval_account(f.ev, in, as_of, EVAL_DETAILS);
    cr_assert(r->detailed);
    double health = r->health, coverage = r->coverage, lost[64];
    int32_t grade = r->grade, persona = r->persona, bottleneck = r->bottleneck;
    cr_assert_leq(r->nmembers, 64);
    for (int32_t i = 0; i < r->nmembers; i++)
      lost[i] = r->members[i].lost;

    r = eval_account(f.ev, in, as_of, EVAL_SCORES);
    cr_assert(!r->detailed);
    cr_assert(isnan(r->coverage));
    cr_assert(r->health == health || (isnan(r->health) && isnan(health)));
    cr_assert_eq(r->grade, grade);
    cr_assert_eq(r->persona, persona);
    cr_assert_eq(r->bottleneck, bottleneck);

    r = eval_account(f.ev, in, as_of, EVAL_DETAILS);
    cr_assert(r->detailed);
    cr_assert(r->coverage == coverage);
    for (int32_t i = 0; i < r->nmembers; i++)
      cr_assert(r->members[i].lost == lost[i]);
  }
  fx_free(&f);
}

/* One compiled program, two evaluators (its instances): scoring accounts
 * one after the other on both, interleaved, gives each evaluator the
 * results it would give alone (their value tables are their own). */
Test(eval_aiueo, two_evaluators_over_one_compiled_program) {
  Fx f;
  fx_load(&f, "rules/aiueo.kenko", NULL);
  Evaluator *other = eval_new(f.cp);
  cr_assert_geq(f.p->ntests, 2);
  for (int32_t t = 0; t + 1 < f.p->ntests; t++) {
    const TestDecl *a = &f.p->tests[t], *b = &f.p->tests[t + 1];
    const Value *in_a = eval_given_inputs(f.p, a->given, &f.arena);
    const Value *in_b = eval_given_inputs(f.p, b->given, &f.arena);
    int32_t day_a = a->has_as_of ? a->as_of : date_from_ymd(2026, 1, 1);
    int32_t day_b = b->has_as_of ? b->as_of : date_from_ymd(2026, 1, 1);
    const Result *alone = eval_account(other, in_b, day_b, EVAL_DETAILS);
    double health_b = alone->health;
    int32_t persona_b = alone->persona;
    const Result *ra = eval_account(f.ev, in_a, day_a, EVAL_DETAILS);
    double health_a = ra->health;
    const Result *rb = eval_account(other, in_b, day_b, EVAL_DETAILS);
    cr_assert(rb->health == health_b || (isnan(rb->health) && isnan(health_b)));
    cr_assert_eq(rb->persona, persona_b);
    /* the first evaluator's tables still hold account a */
    for (int32_t k = 0; k < a->nexpects; k++) {
      Value v = eval_expr_in_account(f.ev, a->expects[k]);
      cr_assert(v.type == T_BOOL && v.u.b, "test \"%s\", expect %d after another evaluator ran", a->name, k);
    }
    cr_assert(eval_result(f.ev)->health == health_a || isnan(health_a));
  }
  eval_free(other);
  fx_free(&f);
}

Test(eval_schema, mirrors_the_inputs) {
  Fx f;
  fx_load(&f, "t.kenko",
          "input id: text key\n"
          "input plan: text in [\"a\", \"b\"] from \"契約プラン\"\n"
          "input items: list { v: number optional, k: text } optional\n");
  Schema s;
  eval_schema(f.p, &s, &f.arena);
  cr_assert_eq(s.ninputs, 3);
  cr_assert_eq(s.key_index, 0);
  cr_assert(s.inputs[0].key);
  cr_assert_str_eq(s.inputs[1].column, "契約プラン");
  cr_assert_str_eq(s.inputs[1].name, "plan");
  cr_assert_eq(s.inputs[1].nallowed, 2);
  cr_assert_eq(s.inputs[2].type, T_LIST);
  cr_assert(s.inputs[2].optional);
  cr_assert_eq(s.inputs[2].nfields, 2);
  cr_assert_str_eq(s.inputs[2].fields[0].name, "v");
  cr_assert(s.inputs[2].fields[0].optional);
  cr_assert_eq(s.inputs[2].fields[1].type, T_TEXT);
  fx_free(&f);
}
