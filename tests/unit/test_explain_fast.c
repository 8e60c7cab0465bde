/* test_explain_fast.c — explain.c's fast paths against the straightforward
 * explanation, over generated accounts (tricky_accounts.h):
 *   - every referenced value (members, journey steps, personas with the
 *     default thresholds, raised flags) as eval_ref_value gives it, byte
 *     for byte, whether explain.c copied it from a slot or asked for it;
 *   - the N/A reasons (the first missing value a member references);
 *   - the drivers, by a plain stable sort of the lost points;
 *   - what would change the grade, by the search as explain.c had it
 *     before its fast paths (2eb5531: a stable sort of every candidate,
 *     a set's members added to and taken out of the dimensions' sums one
 *     by one), kept here as the reference; every field bit for bit.
 * The rule sets: the reference scorecard, and small ones made for ties
 * (members of equal weight and score), bands whose best is below 100,
 * weight 0 and excluded dimensions, N/A dimensions, and sets big enough
 * for the search's step limit. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h" /* program_load */
#include "engine/eval.h"
#include "engine/explain.h"
#include "front/program.h"
#include "tricky_accounts.h"

static void print_diag(void *ud, const kenko_diag *d) {
  (void)ud;
  if (d->level == KENKO_ERROR) fputs(d->rendered, stderr);
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---- the reference: the search before the fast paths ---------------------- */

typedef struct RefItem {
  double key, key2;
  int32_t idx;
} RefItem;

/* A stable sort, KEY then KEY2 largest first (insertion: the tests' sets
 * are small). */
static void ref_sort(RefItem *it, int32_t n) {
  for (int32_t i = 1; i < n; i++) {
    RefItem v = it[i];
    int32_t j = i;
    while (j > 0 && (v.key > it[j - 1].key || (v.key == it[j - 1].key && v.key2 > it[j - 1].key2))) {
      it[j] = it[j - 1];
      j--;
    }
    it[j] = v;
  }
}

typedef struct Ref {
  const Program *p;
  const Result *r;
  int32_t n;
  double base_num, base_den, bound, points, best_points;
  int32_t ndims, nbest;
  long steps;
  double target[256], cost[256], alone[256], gain[256], prefix[257], min_cost_from[257];
  double acc[64], wsum[64], dacc[64], dwsum[64];
  int32_t touched[64], dims[64], cand[256], chosen[256], best[256];
  WhatIfMember out[256];
} Ref;

static void ref_set_add(Ref *s, int32_t i, int sign) {
  const MemberResult *mr = &s->r->members[i];
  int32_t d = mr->dim;
  if (sign > 0 && s->touched[d]++ == 0) s->dims[s->ndims++] = d;
  if (mr->na) {
    s->dacc[d] += sign * s->target[i] * mr->weight;
    s->dwsum[d] += sign * mr->weight;
  } else {
    s->dacc[d] += sign * mr->weight * (s->target[i] - mr->score);
  }
  if (sign < 0 && --s->touched[d] == 0) {
    s->dacc[d] = 0;
    s->dwsum[d] = 0;
    for (int32_t k = 0; k < s->ndims; k++)
      if (s->dims[k] == d) {
        s->dims[k] = s->dims[--s->ndims];
        break;
      }
  }
}

static void ref_add_dim(const Ref *s, int32_t d, double dacc, double dwsum, double *num, double *den) {
  const DimResult *dr = &s->r->dims[d];
  double sw = s->wsum[d] + dwsum;
  if (!(sw > 0)) return;
  double score = (s->acc[d] + dacc) / sw;
  if (dr->na) {
    *num += dr->weight * score;
    *den += dr->weight;
  } else {
    *num += dr->weight * (score - dr->score);
  }
}

static double ref_set_health(const Ref *s) {
  double num = s->base_num, den = s->base_den;
  for (int32_t k = 0; k < s->ndims; k++)
    ref_add_dim(s, s->dims[k], s->dacc[s->dims[k]], s->dwsum[s->dims[k]], &num, &den);
  return den > 0 ? num / den : NAN;
}

static void ref_search(Ref *s, int32_t k, int32_t depth, int32_t from) {
  double have = ref_set_health(s);
  int32_t need = k - depth;
  for (int32_t q = from; q + need <= s->n; q++) {
    if (++s->steps > EXPLAIN_SEARCH_MAX) return;
    if (have + (s->prefix[q + need] - s->prefix[q]) < s->bound) break;
    int32_t c = s->cand[q];
    double points = s->points + s->cost[c];
    double rest = need > 1 ? (need - 1) * s->min_cost_from[q + 1] : 0;
    if (points + rest >= s->best_points) continue;
    if (depth == 0 && need == 1) {
      if (s->alone[c] >= s->bound) {
        s->best_points = points;
        s->nbest = 1;
        s->best[0] = c;
      }
      continue;
    }
    ref_set_add(s, c, 1);
    s->chosen[depth] = c;
    s->points = points;
    if (need == 1) {
      if (ref_set_health(s) >= s->bound) {
        s->best_points = points;
        s->nbest = k;
        memcpy(s->best, s->chosen, (size_t)k * sizeof *s->best);
      }
    } else {
      ref_search(s, k, depth + 1, q + 1);
    }
    s->points -= s->cost[c];
    ref_set_add(s, c, -1);
  }
}

static void ref_take_set(Ref *s, WhatIf *wi, const int32_t *chosen, int32_t n) {
  wi->members = s->out;
  wi->nmembers = n;
  wi->points = 0;
  for (int32_t k = 0; k < n; k++) {
    const MemberResult *mr = &s->r->members[chosen[k]];
    s->out[k].member = chosen[k];
    s->out[k].from = mr->na ? NAN : mr->score;
    s->out[k].to = s->target[chosen[k]];
    s->out[k].gain = s->gain[chosen[k]];
    wi->points += s->cost[chosen[k]];
    ref_set_add(s, chosen[k], 1);
  }
  wi->health = ref_set_health(s);
  wi->grade = eval_grade_of(s->p, s->r->grade_set, wi->health);
  for (int32_t k = 0; k < n; k++)
    ref_set_add(s, chosen[k], -1);
}

static void ref_what_if(Ref *s, const CProgram *cp, const Result *r, WhatIf *wi) {
  const Program *p = cp->prog;
  cr_assert(r->nmembers <= 256 && r->ndims <= 64, "the reference's arrays are too small");
  memset(s, 0, sizeof *s);
  memset(wi, 0, sizeof *wi);
  s->p = p;
  s->r = r;
  for (int32_t i = 0; i < r->nmembers; i++)
    s->target[i] = cp->members[i].best;
  wi->next_grade = -1;
  wi->grade = -1;
  wi->searched = true;
  if (r->grade_set < 0) {
    wi->status = WI_NO_GRADES;
    return;
  }
  if (r->health_na) {
    wi->status = WI_NO_HEALTH;
    return;
  }
  const GradeSet *gs = &p->grade_sets[r->grade_set];
  int32_t at = -1;
  for (int32_t i = 0; i < gs->nbands; i++)
    if (gs->bands[i].grade == r->grade) at = i;
  if (at <= 0) {
    wi->status = WI_BEST_GRADE;
    return;
  }
  wi->next_grade = gs->bands[at - 1].grade;
  wi->bound = gs->bands[at - 1].bound;
  wi->away = wi->bound - r->health;
  s->bound = wi->bound;
  s->best_points = INFINITY;
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    double acc = 0, sw = 0;
    for (int32_t m = 0; m < dr->nmembers; m++) {
      const MemberResult *mr = &dr->members[m];
      bool counts = !mr->na && mr->weight > 0;
      acc += counts ? mr->weight * mr->score : 0;
      sw += counts ? mr->weight : 0;
    }
    s->acc[d] = acc;
    s->wsum[d] = sw;
    if (!dr->na && !dr->excluded) {
      s->base_num += dr->weight * dr->score;
      s->base_den += dr->weight;
    }
  }
  RefItem items[256];
  for (int32_t i = 0; i < r->nmembers; i++) {
    const MemberResult *mr = &r->members[i];
    if (r->dims[mr->dim].excluded || !(mr->weight > 0) || (!mr->na && mr->score >= s->target[i])) continue;
    s->cost[i] = mr->na ? s->target[i] : s->target[i] - mr->score;
    double num = s->base_num, den = s->base_den;
    if (mr->na)
      ref_add_dim(s, mr->dim, s->target[i] * mr->weight, mr->weight, &num, &den);
    else
      ref_add_dim(s, mr->dim, mr->weight * (s->target[i] - mr->score), 0, &num, &den);
    s->alone[i] = den > 0 ? num / den : NAN;
    s->gain[i] = s->alone[i] - r->health;
    if (s->gain[i] > 0) items[s->n++] = (RefItem){s->gain[i], -s->cost[i], i};
  }
  ref_sort(items, s->n);
  for (int32_t q = 0; q < s->n; q++)
    s->cand[q] = items[q].idx;
  for (int32_t q = 0; q < s->n; q++)
    s->prefix[q + 1] = s->prefix[q] + s->gain[s->cand[q]];
  s->min_cost_from[s->n] = INFINITY;
  for (int32_t q = s->n - 1; q >= 0; q--)
    s->min_cost_from[q] =
        s->cost[s->cand[q]] < s->min_cost_from[q + 1] ? s->cost[s->cand[q]] : s->min_cost_from[q + 1];
  int32_t k = 1;
  while (k <= s->n && r->health + s->prefix[k] < wi->bound)
    k++;
  for (; k <= s->n && s->nbest == 0 && s->steps <= EXPLAIN_SEARCH_MAX; k++) {
    if (k > EXPLAIN_SET_MAX) {
      s->steps = EXPLAIN_SEARCH_MAX + 1;
      break;
    }
    ref_search(s, k, 0, 0);
  }
  bool complete = s->steps <= EXPLAIN_SEARCH_MAX;
  if (s->nbest > 0) {
    wi->status = WI_REACHABLE;
    ref_take_set(s, wi, s->best, s->nbest);
    wi->searched = complete;
    return;
  }
  ref_take_set(s, wi, s->cand, s->n);
  if (complete || !(wi->health >= wi->bound)) {
    wi->status = WI_UNREACHABLE;
    wi->members = NULL;
    wi->nmembers = 0;
    wi->points = 0;
    wi->searched = complete;
    return;
  }
  wi->status = WI_REACHABLE;
  wi->searched = false;
  int32_t n = 0;
  while (n < s->n) {
    ref_set_add(s, s->cand[n++], 1);
    if (ref_set_health(s) >= wi->bound) break;
  }
  for (int32_t q = 0; q < n; q++)
    ref_set_add(s, s->cand[q], -1);
  ref_take_set(s, wi, s->cand, n);
}

/* ---- the comparison -------------------------------------------------------- */

/* REFS' values in GOT are eval_ref_value's, byte for byte. */
static void same_values(const Evaluator *ev, const RefList *refs, const Value *got, bool default_thresholds,
                        const char *what, int32_t which, int account) {
  for (int32_t k = 0; k < refs->count; k++) {
    Value want = eval_ref_value(ev, &refs->refs[k], default_thresholds);
    cr_assert(memcmp(&want, &got[k], sizeof want) == 0, "account %d: %s %d, value %d (%s): type %d/%d",
              account, what, which, k, refs->refs[k].name ? refs->refs[k].name : "?", got[k].type, want.type);
  }
}

typedef struct Tally {
  int status[WI_UNREACHABLE + 1];
  int by_size[4]; /* sets of 1, 2, 3, more */
  int not_searched;
  int in_place, copied; /* members' values read where the evaluator keeps
                           them, or copied (explain.c: bind_refs) */
  int flags_raised;
} Tally;

static void same_explanation(const CProgram *cp, const Evaluator *ev, const Result *r, const Explanation *ex,
                             Ref *ref, int account, Tally *tally) {
  const Program *p = cp->prog;
  for (int32_t i = 0; i < r->nmembers; i++) {
    const RefList *refs = &ex->member_refs[i];
    same_values(ev, refs, ex->member_values[i], false, "member", i, account);
    if (refs->count > 0 && ex->member_values[i] == eval_ref_slot(ev, &refs->refs[0], false))
      tally->in_place++;
    else
      tally->copied++;
    int32_t missing = -1;
    for (int32_t k = 0; r->members[i].na && k < refs->count && missing < 0; k++)
      if (ex->member_values[i][k].type == T_MISSING) missing = k;
    cr_assert_eq(ex->missing_ref[i], missing, "account %d: member %d's N/A reason", account, i);
  }
  for (int32_t s = 0; s < p->nsteps; s++)
    same_values(ev, &ex->step_refs[s], ex->step_values[s], false, "step", s, account);
  for (int32_t i = 0; i < p->npersonas; i++)
    if (p->personas[i].cond)
      same_values(ev, &ex->persona_refs[i], ex->persona_values[i], true, "persona", i, account);
    else
      cr_assert_null(ex->persona_values[i]);
  for (int32_t f = 0; f < p->nflags; f++)
    if (r->flags[f] == FLAG_RAISED) {
      same_values(ev, &ex->flag_refs[f], ex->flag_values[f], false, "flag", f, account);
      tally->flags_raised++;
    } else
      cr_assert_null(ex->flag_values[f], "account %d: flag %d not raised", account, f);

  /* the drivers: a stable sort of those that lost points, then the rest */
  RefItem items[256];
  int32_t n = 0, drv[256];
  for (int32_t i = 0; i < r->nmembers; i++)
    if (r->members[i].lost > 0) items[n++] = (RefItem){r->members[i].lost, 0, i};
  ref_sort(items, n);
  for (int32_t k = 0; k < n; k++)
    drv[k] = items[k].idx;
  for (int32_t i = 0; i < r->nmembers; i++)
    if (!(r->members[i].lost > 0)) drv[n++] = i;
  for (int32_t k = 0; k < r->nmembers; k++)
    cr_assert_eq(ex->drivers[k], drv[k], "account %d: driver %d is member %d, not %d", account, k,
                 ex->drivers[k], drv[k]);

  WhatIf want;
  ref_what_if(ref, cp, r, &want);
  const WhatIf *got = &ex->what_if;
  cr_assert_eq(got->status, want.status, "account %d: what-if status %d, not %d", account, got->status,
               want.status);
  cr_assert(got->next_grade == want.next_grade && same_bits(got->bound, want.bound) &&
                same_bits(got->away, want.away) && got->searched == want.searched,
            "account %d: what-if's grade, bound or search", account);
  cr_assert_eq(got->nmembers, want.nmembers, "account %d: what-if's set of %d members, not %d", account,
               got->nmembers, want.nmembers);
  for (int32_t k = 0; k < want.nmembers; k++) {
    const WhatIfMember *a = &got->members[k], *b = &want.members[k];
    cr_assert(a->member == b->member && same_bits(a->from, b->from) && same_bits(a->to, b->to) &&
                  same_bits(a->gain, b->gain),
              "account %d: what-if member %d: %d, not %d", account, k, a->member, b->member);
  }
  if (want.status == WI_REACHABLE || want.status == WI_UNREACHABLE)
    cr_assert(same_bits(got->points, want.points) && same_bits(got->health, want.health) &&
                  got->grade == want.grade,
              "account %d: what-if's points %.17g/%.17g, health %.17g/%.17g, grade %d/%d", account,
              got->points, want.points, got->health, want.health, got->grade, want.grade);
  tally->status[want.status]++;
  if (want.status == WI_REACHABLE) tally->by_size[want.nmembers < 4 ? want.nmembers - 1 : 3]++;
  tally->not_searched += !want.searched;
}

/* Explains ACCOUNTS generated accounts of the rules TEXT (or the file
 * PATH) and compares each explanation with the reference; the tally of
 * what-if outcomes they covered goes to *TALLY. */
static void fast_matches_reference(const char *path, const char *text, int accounts, uint64_t seed,
                                   Tally *tally) {
  Diag diag;
  diag_init(&diag, NULL, print_diag, NULL);
  int errors = 0;
  Program *p = program_load(path, text, text ? strlen(text) : 0, &diag, &errors);
  cr_assert_eq(errors, 0, "the rules have %d errors", errors);
  CProgram *cp = compile_program(p, &diag);
  cr_assert_not_null(cp);
  Evaluator *ev = eval_new(cp);
  Explainer *x = explain_new(cp);
  Ref *ref = calloc(1, sizeof *ref);
  Arena arena;
  arena_init(&arena, 0);
  Value *in = arena_alloc(&arena, ((size_t)p->ninputs + 1) * sizeof *in);
  uint64_t rng = seed;
  int32_t as_of = date_from_ymd(2026, 11, 22);
  memset(tally, 0, sizeof *tally);
  for (int k = 0; k < accounts; k++) {
    tricky_account(p, in, &rng, as_of, &arena);
    const Result *r = eval_account(ev, in, as_of, EVAL_DETAILS);
    const Explanation *ex = explain_account(x, ev, r, true);
    same_explanation(cp, ev, r, ex, ref, k, tally);
  }
  /* an explanation bound to another evaluator of the same rules reads its
   * values (the slots rebound) */
  Evaluator *other = eval_new(cp);
  tricky_account(p, in, &rng, as_of, &arena);
  const Result *r = eval_account(other, in, as_of, EVAL_DETAILS);
  same_explanation(cp, other, r, explain_account(x, other, r, true), ref, accounts, tally);
  eval_free(other);
  free(ref);
  arena_free(&arena);
  explain_free(x);
  eval_free(ev);
  compile_free(cp);
  program_free(p);
}

Test(explain_fast, aiueo_matches_the_reference) {
  Tally t;
  fast_matches_reference("rules/aiueo.kenko", NULL, 20000, 17, &t);
  /* the accounts reach every outcome the scorecard can have */
  cr_assert(t.status[WI_REACHABLE] > 1000 && t.status[WI_BEST_GRADE] > 0 && t.status[WI_NO_HEALTH] >= 0,
            "reachable %d, best %d", t.status[WI_REACHABLE], t.status[WI_BEST_GRADE]);
  cr_assert(t.by_size[0] > 0 && t.by_size[1] > 0 && t.by_size[2] > 0, "sets of 1, 2, 3: %d %d %d",
            t.by_size[0], t.by_size[1], t.by_size[2]);
  /* both ways to the members' values, and raised flags' values, compared */
  cr_assert(t.in_place > 0 && t.copied > 0 && t.flags_raised > 0, "in place %d, copied %d, flags %d",
            t.in_place, t.copied, t.flags_raised);
}

/* Ties everywhere (members of one weight that pass or fail together),
 * bands whose best is 60, a member of weight 0 and a dimension a persona
 * excludes, a dimension that is often N/A (its only input missing), grades
 * on the dimensions and the health, flags and a journey that read them. */
static const char *const ties_rules =
    "input a: number optional\n"
    "input b: number optional\n"
    "input c: number optional\n"
    "input t: bool optional\n"
    "input s: text optional\n"
    "threshold lo = 3\n"
    "segment kind { big when a >= 100  small otherwise }\n"
    "persona lean when t { weight spare = 0  threshold lo = 5 }\n"
    "persona wide when s == \"pro\" { weight first = 3 }\n"
    "dimension first weight 2 {\n"
    "  rule r1 : a >= lo\n"
    "  rule r2 : a >= lo\n"
    "  rule r3 : b >= lo\n"
    "  rule r4 weight 2 : b >= lo\n"
    "  rule r5 weight 2 : c >= lo\n"
    "  rule r6 weight 0 : c > 1\n"
    "  score sa : scale(a, 0, 10)\n"
    "  score sb { 60 when b >= 5  30 when b >= 1  0 otherwise }\n"
    "}\n"
    "dimension second weight 3 {\n"
    "  rule q1 : t ?? false\n"
    "  rule q2 : s == \"pro\"\n"
    "  rule q3 : c >= 0.5\n"
    "  score sc : scale(c, 0, 1)\n"
    "  score band { 60 when a >= 5  20 otherwise }\n"
    "  grades { good >= 80 fair >= 50 bad otherwise }\n"
    "}\n"
    "dimension spare weight 1 {\n"
    "  rule p1 : c >= 2\n"
    "  rule p2 : c >= 2\n"
    "}\n"
    "dimension rare weight 2 { rule only : b > 7 }\n"
    "dimension capped weight 3 { score cap { 10 when a >= 1  0 otherwise } }\n"
    "grades { top >= 90 good >= 70 fair >= 40 bad otherwise }\n"
    "flag low when grade == bad and kind == small\n"
    "flag second_bad when second.grade == bad\n"
    "journey { step j1 when first >= 50  step j2 when second.grade != bad and kind == big }\n";

Test(explain_fast, ties_match_the_reference) {
  Tally t;
  fast_matches_reference("ties.kenko", ties_rules, 20000, 5, &t);
  cr_assert(t.status[WI_REACHABLE] > 0 && t.status[WI_BEST_GRADE] > 0 && t.status[WI_UNREACHABLE] > 0,
            "reachable %d, best %d, unreachable %d", t.status[WI_REACHABLE], t.status[WI_BEST_GRADE],
            t.status[WI_UNREACHABLE]);
  cr_assert(t.by_size[0] > 0 && t.by_size[1] > 0 && t.by_size[2] > 0 && t.by_size[3] > 0,
            "sets of 1, 2, 3, more: %d %d %d %d", t.by_size[0], t.by_size[1], t.by_size[2], t.by_size[3]);
}

/* A dimension of thirty rules on one input, all N/A when it is missing
 * (then raising any one of them brings the whole dimension in at 100, and
 * raising more adds nothing: the gains alone promise sets far smaller than
 * any that reaches), beside thirty rules of another: the search for the
 * set meets its step limit (the answer is then the largest gains one by
 * one). */
Test(explain_fast, the_step_limit_matches_the_reference) {
  char rules[8192];
  size_t n = 0;
  n += (size_t)snprintf(rules + n, sizeof rules - n, "input v: number optional\ninput g: number optional\n");
  n += (size_t)snprintf(rules + n, sizeof rules - n, "dimension ghost weight 5 {\n");
  for (int i = 0; i < 30; i++)
    n += (size_t)snprintf(rules + n, sizeof rules - n, "  rule g%d : g >= %d\n", i, i);
  n += (size_t)snprintf(rules + n, sizeof rules - n, "}\ndimension many weight 1 {\n");
  for (int i = 0; i < 30; i++)
    n += (size_t)snprintf(rules + n, sizeof rules - n, "  rule m%d%s : v >= %d\n", i,
                          i % 3 ? "" : " weight 2", i);
  snprintf(rules + n, sizeof rules - n, "}\ngrades { top >= 99 good >= 60 bad otherwise }\n");
  Tally t;
  fast_matches_reference("many.kenko", rules, 300, 3, &t);
  cr_assert(t.not_searched > 0, "no account met the step limit");
}
