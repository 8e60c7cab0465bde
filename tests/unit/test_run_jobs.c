/* test_run_jobs.c — unit tests for run_jobs.c: an account scored on a
 * reading thread's evaluator and packed (JobWork.account) comes back to
 * the calling thread (job_result) as the very Result the calling
 * thread's own evaluator gives, field by field, at both depths, for every
 * inline test of the reference scorecard (its personas, segments, N/A
 * members, flags and journey) with the values of its KPIs' expressions
 * (ScoreSink.exprs) and its key's hash, one after another into the same JobResult (nothing
 * of an earlier account may stay). */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "check/check.h"
#include "front/program.h"
#include "engine/eval.h"
#include "engine/keys.h"
#include "engine/run_jobs.h"

static void quiet(void *ud, const kenko_diag *d) {
  (void)ud;
  (void)d;
}

/* Doubles equal as bytes would show them: NAN equals NAN. */
static void same_double(double a, double b, const char *what, int32_t i) {
  cr_assert(a == b || (isnan(a) && isnan(b)), "%s %d: %g against %g", what, i, a, b);
}

static void same_result(const Result *a, const Result *b) {
  cr_assert_eq(a->as_of, b->as_of);
  cr_assert_eq(a->persona, b->persona);
  cr_assert_eq(a->health_na, b->health_na);
  same_double(a->health, b->health, "health", 0);
  cr_assert_eq(a->grade, b->grade);
  cr_assert_eq(a->grade_set, b->grade_set);
  cr_assert_eq(a->bottleneck, b->bottleneck);
  cr_assert_eq(a->detailed, b->detailed);
  if (a->detailed) same_double(a->coverage, b->coverage, "coverage", 0);
  cr_assert_eq(memcmp(a->persona_tried, b->persona_tried, (size_t)a->npersonas), 0);
  cr_assert_eq(memcmp(a->segments, b->segments, (size_t)a->nsegments * sizeof *a->segments), 0);
  cr_assert_eq(memcmp(a->flags, b->flags, (size_t)a->nflags), 0);
  cr_assert_eq(memcmp(a->steps, b->steps, (size_t)a->nsteps), 0);
  cr_assert_eq(a->ndims, b->ndims);
  for (int32_t d = 0; d < a->ndims; d++) {
    const DimResult *x = &a->dims[d], *y = &b->dims[d];
    cr_assert_eq(x->na, y->na);
    cr_assert_eq(x->excluded, y->excluded);
    same_double(x->score, y->score, "dimension", d);
    cr_assert_eq(x->grade, y->grade);
    cr_assert_eq(x->grade_set, y->grade_set);
    same_double(x->weight, y->weight, "dimension weight", d);
    same_double(x->effective, y->effective, "dimension effective", d);
    cr_assert_eq(x->nmembers, y->nmembers);
    cr_assert_eq(y->members, b->members + (x->members - a->members), "dimension %d's members", d);
  }
  cr_assert_eq(a->nmembers, b->nmembers);
  for (int32_t m = 0; m < a->nmembers; m++) {
    const MemberResult *x = &a->members[m], *y = &b->members[m];
    cr_assert_eq(x->dim, y->dim);
    cr_assert_eq(x->index, y->index);
    cr_assert_eq(x->na, y->na, "member %d", m);
    cr_assert_eq(x->status, y->status, "member %d", m);
    if (x->na) cr_assert_eq(x->why, y->why, "member %d", m);
    cr_assert_eq(x->band, y->band, "member %d", m);
    same_double(x->score, y->score, "member", m);
    if (!a->detailed) continue;
    same_double(x->weight, y->weight, "member weight", m);
    same_double(x->effective, y->effective, "member effective", m);
    same_double(x->lost, y->lost, "member lost", m);
  }
}

/* The reference scorecard loaded, compiled and given an evaluator
 * (and an arena for what a test makes): what each test here starts
 * from (the tests' .init and .fini). */
static struct {
  Program *p;
  CProgram *cp;
  Evaluator *here;
  Arena arena;
} sc;

static void scorecard_open(void) {
  Diag diag;
  diag_init(&diag, NULL, quiet, NULL);
  int errors = 0;
  sc.p = program_load("rules/aiueo.kenko", NULL, 0, &diag, &errors);
  cr_assert_eq(errors, 0);
  sc.cp = compile_program(sc.p, &diag);
  cr_assert_not_null(sc.cp);
  sc.here = eval_new(sc.cp);
  arena_init(&sc.arena, 0);
}

static void scorecard_close(void) {
  arena_free(&sc.arena);
  eval_free(sc.here);
  compile_free(sc.cp);
  program_free(sc.p);
}

Test(run_jobs, packed_results_come_back_whole, .init = scorecard_open, .fini = scorecard_close) {
  Program *p = sc.p;
  Evaluator *here = sc.here;
  Arena *arena = &sc.arena;
  cr_assert_gt(p->ntests, 3, "the scorecard's tests are the accounts here");
  /* the KPIs' conditions and values, and one NULL */
  int32_t nexprs = 2 * p->nkpi_aggs + 1;
  cr_assert_gt(p->nkpi_aggs, 2);
  const Node **exprs = arena_alloc(arena, (size_t)nexprs * sizeof *exprs);
  for (int32_t i = 0; i < p->nkpi_aggs; i++) {
    exprs[2 * i] = p->kpi_aggs[i].cond;
    exprs[2 * i + 1] = p->kpi_aggs[i].expr;
  }
  const CExpr **compiled = job_compile(here, exprs, nexprs, arena);
  Value *values = arena_alloc(arena, (size_t)nexprs * sizeof *values);
  for (int depth = 0; depth < 2; depth++) {
    ScoreJob sj;
    memset(&sj, 0, sizeof sj);
    sj.like = here;
    sj.scores_only = depth == 0;
    sj.exprs = exprs;
    sj.nexprs = nexprs;
    sj.key_input = p->key_input;
    JobWork work = score_job_work(&sj);
    void *state = work.start(work.ud);
    JobResult jr;
    job_result_init(&jr, here, nexprs);
    for (int32_t t = 0; t < p->ntests; t++) {
      const TestDecl *td = &p->tests[t];
      sj.as_of = td->has_as_of ? td->as_of : date_from_ymd(2026, 1, 1);
      Account a;
      memset(&a, 0, sizeof a);
      a.values = eval_given_inputs(p, td->given, arena);
      a.id = td->name;
      const void *packed = work.account(state, &a, arena);
      cr_assert_not_null(packed);
      const Result *there = job_result(&jr, packed);
      const Result *r = eval_account(here, a.values, sj.as_of, depth == 0 ? EVAL_SCORES : EVAL_DETAILS);
      same_result(r, there);
      char buf[32];
      size_t n;
      const char *key = key_text(&a.values[p->key_input], a.id, buf, &n);
      cr_assert_eq(job_key_hash(packed), key_hash(key, n));
      job_values(here, compiled, nexprs, values);
      for (int32_t i = 0; i < nexprs; i++) {
        cr_assert_eq(values[i].type, jr.values[i].type, "expression %d", i);
        if (values[i].type == T_NUMBER) same_double(values[i].u.num, jr.values[i].u.num, "expression", i);
        if (values[i].type == T_BOOL) cr_assert_eq(values[i].u.b, jr.values[i].u.b, "expression %d", i);
      }
    }
    job_result_free(&jr);
    work.stop(state);
  }
}

/* A JobText writing one byte an account: what is packed beside it is
 * the test's. */
static void *one_byte_start(void *ud) { return ud; }
static void one_byte_write(void *state, const Account *a, const Result *r, Buf *b) {
  (void)state;
  (void)a;
  (void)r;
  buf_putc(b, '.');
}
static void one_byte_stop(void *state) { (void)state; }

/* An account written on a reading thread (ScoreJob.text) comes with a
 * head that holds its key's hash and text (job_key_hash, job_key_text)
 * and its id, where pack says: an id that is the key's own text (a text
 * key's: the same pointer) is not written twice, the key's text then
 * being the id; any other id (a number key's as written, a place id)
 * follows the key. */
Test(run_jobs, packed_heads_hold_the_key_and_the_id, .init = scorecard_open, .fini = scorecard_close) {
  Program *p = sc.p;
  Evaluator *here = sc.here;
  Arena *arena = &sc.arena;
  JobText text = {one_byte_start, one_byte_write, one_byte_stop, NULL};
  ScoreJob sj;
  memset(&sj, 0, sizeof sj);
  sj.like = here;
  sj.scores_only = true;
  sj.as_of = date_from_ymd(2026, 1, 1);
  sj.key_input = p->key_input;
  sj.text = &text;
  JobWork work = score_job_work(&sj);
  cr_assert_not_null(work.pack);
  void *state = work.start(work.ud);
  int keyed = 0;
  for (int32_t t = 0; t < p->ntests; t++) {
    Account a;
    memset(&a, 0, sizeof a);
    a.values = eval_given_inputs(p, p->tests[t].given, arena);
    const Value *key = &a.values[p->key_input];
    if (key->type != T_TEXT) continue;
    keyed++;
    for (int shared = 0; shared < 2; shared++) {
      a.id = shared ? key->u.text : p->tests[t].name;
      Buf head, out;
      buf_init(&head, NULL);
      buf_init(&out, NULL);
      size_t id = work.pack(state, &a, &head, &out);
      cr_assert_lt(id, head.len);
      cr_assert_str_eq(head.data + id, a.id, "test %d", t);
      size_t n;
      const char *k = job_key_text(head.data, &n);
      cr_assert_eq(n, key->len);
      cr_assert_eq(memcmp(k, key->u.text, n), 0);
      cr_assert_eq(job_key_hash(head.data), key_hash(key->u.text, key->len));
      cr_assert_eq(id, shared ? sizeof(PackedText) : sizeof(PackedText) + n + 1, "test %d, shared %d", t,
                   shared);
      cr_assert_eq(out.len, 1);
      buf_free(&head);
      buf_free(&out);
    }
  }
  cr_assert_gt(keyed, 0, "no test account has a key");
  work.stop(state);
}
