/* explain.c — the explanation of one scored account as data (explain.h):
 * referenced values, N/A reasons, the persona trail's values, the drivers
 * and "what would change the grade".
 *
 * What would change the grade. Each member can rise to its best score
 * (100; for bands, the highest band value). A member's gain never grows
 * when others are raised first (a dimension's score and the health move
 * towards the best, their denominators grow), so the health with a set
 * raised is at most the health plus the sum of the members' gains alone.
 * The search uses that:
 *   - the next grade is out of reach when every member that can rise,
 *     raised together, falls short;
 *   - a set of k members can only reach it when the k largest gains add
 *     up to the gap, which gives the smallest k to try first;
 *   - a depth-first search over the members by gain (largest first) tries
 *     the sets of k members, cutting a branch when its set so far plus
 *     the next largest gains cannot reach the bound, or when its points
 *     cannot beat the cheapest set found; k grows until a set reaches.
 * The search stops after EXPLAIN_SEARCH_MAX steps, and is not tried for
 * sets of more than EXPLAIN_SET_MAX members (its recursion is one level a
 * member); then the largest gains, added one by one until the bound, are
 * the answer, marked as not searched through.
 * A set's health is computed from each dimension's sums with the set's
 * members at their best (the roll-up's formula, not an estimate). */
#include "engine/explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A member and its sort keys (sort_items). */
typedef struct SortItem {
  double key, key2;
  int32_t idx;
} SortItem;

struct Explainer {
  const CProgram *cp;
  const Program *p;
  Arena arena; /* the explainer's life */
  Explanation ex;
  Value *member_store; /* cp->nvalues */
  Value **flag_store;  /* per flag, one per ref */
  Value **step_store;  /* per step, one per ref */
  /* the members' and the steps' values, every account: */
  Value **copy_to;         /* those the evaluator keeps … */
  const Value **copy_from; /* … where it keeps them */
  int32_t ncopy;
  Value **ask_to;             /* those worked out when asked … */
  const ExplainRef **ask_ref; /* … by eval_ref_value */
  int32_t nask;
  const Evaluator *slots_of;       /* the evaluator copy_from points into */
  SortItem *sort_items, *sort_tmp; /* nmembers each */
  /* what-if workspace */
  int32_t *cand;         /* candidates, by gain (largest first) */
  double *gain;          /* per member: the health points it gives alone */
  double *alone;         /* … and the health it gives alone */
  double *target;        /* per member: the best score it can have (100; a
                            member's bands: the highest constant band value) */
  double *cost;          /* per member: target − score (n/a: target) */
  double *prefix;        /* prefix[k]: the k largest gains added */
  double *min_cost_from; /* min_cost_from[q]: cheapest candidate from q on */
  double *acc, *wsum;    /* per dimension: Σwᵢsᵢ, Σwᵢ of the account */
  double *dacc, *dwsum;  /* … what the set adds */
  int32_t *touched;      /* per dimension: members of the set in it */
  int32_t *dims;         /* dimensions the set touches */
  int32_t *chosen, *best;
  WhatIfMember *out;
};

/* ---- sorting: stable, n log n ------------------------------------------- */

/* Does A come before B: KEY larger, then KEY2 larger? */
static inline bool before(const SortItem *a, const SortItem *b) {
  return a->key > b->key || (a->key == b->key && a->key2 > b->key2);
}

/* Sorts ITEMS[0..N) by key, largest first, then by key2; equal keys keep
 * their order (TMP: N slots). The keys travel with their index, so a
 * comparison reads no table. Insertion sort for short runs, merged
 * bottom-up: n log n. */
static void sort_items(SortItem *items, int32_t n, SortItem *tmp) {
  enum { RUN = 16 };
  for (int32_t lo = 0; lo < n; lo += RUN) {
    int32_t hi = lo + RUN < n ? lo + RUN : n;
    for (int32_t i = lo + 1; i < hi; i++) {
      SortItem v = items[i];
      int32_t j = i;
      while (j > lo && before(&v, &items[j - 1])) {
        items[j] = items[j - 1];
        j--;
      }
      items[j] = v;
    }
  }
  for (int32_t width = RUN; width < n; width *= 2) {
    for (int32_t lo = 0; lo < n - width; lo += 2 * width) {
      int32_t mid = lo + width, hi = mid + width < n ? mid + width : n;
      int32_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = before(&items[j], &items[i]) ? items[j++] : items[i++];
      while (i < mid)
        tmp[k++] = items[i++];
      while (j < hi)
        tmp[k++] = items[j++];
      memcpy(items + lo, tmp + lo, (size_t)(hi - lo) * sizeof *items);
    }
  }
}

/* ---- values, reasons, drivers ------------------------------------------- */

/* Where EV keeps the value of each member's and step's reference
 * (copied every account), or that it works the value out when asked. */
static void bind_ref(Explainer *x, const Evaluator *ev, const ExplainRef *ref, Value *to) {
  const Value *slot = eval_ref_slot(ev, ref, false);
  if (slot) {
    x->copy_to[x->ncopy] = to;
    x->copy_from[x->ncopy++] = slot;
  } else {
    x->ask_to[x->nask] = to;
    x->ask_ref[x->nask++] = ref;
  }
}

static void bind_slots(Explainer *x, const Evaluator *ev) {
  const CProgram *cp = x->cp;
  x->ncopy = x->nask = 0;
  for (int32_t i = 0; i < cp->nmembers; i++) {
    const RefList *refs = &cp->members[i].refs;
    for (int32_t k = 0; k < refs->count; k++)
      bind_ref(x, ev, &refs->refs[k], x->member_store + cp->members[i].values_at + k);
  }
  for (int32_t s = 0; s < x->p->nsteps; s++)
    for (int32_t k = 0; k < cp->step_refs[s].count; k++)
      bind_ref(x, ev, &cp->step_refs[s].refs[k], x->step_store[s] + k);
  x->slots_of = ev;
}

static void explain_values(Explainer *x, const Evaluator *ev, const Result *r) {
  const CProgram *cp = x->cp;
  Explanation *ex = &x->ex;
  if (x->slots_of != ev) bind_slots(x, ev);
  for (int32_t i = 0; i < x->ncopy; i++)
    *x->copy_to[i] = *x->copy_from[i];
  for (int32_t i = 0; i < x->nask; i++)
    *x->ask_to[i] = eval_ref_value(ev, x->ask_ref[i], false);
  for (int32_t i = 0; i < r->nmembers; i++) {
    int32_t missing = -1;
    if (r->members[i].na) {
      const Value *vals = x->member_store + cp->members[i].values_at;
      for (int32_t k = 0; k < cp->members[i].refs.count && missing < 0; k++)
        if (vals[k].type == T_MISSING) missing = k;
    }
    ex->missing_ref[i] = missing;
  }
  for (int32_t i = 0; i < r->npersonas; i++)
    if (ex->persona_values[i])
      eval_ref_values(ev, &ex->persona_refs[i], (Value *)ex->persona_values[i], true);
  for (int32_t f = 0; f < r->nflags; f++) {
    bool raised = r->flags[f] == FLAG_RAISED;
    if (raised) eval_ref_values(ev, &ex->flag_refs[f], x->flag_store[f], false);
    ex->flag_values[f] = raised ? x->flag_store[f] : NULL;
  }
}

/* The members by lost points, largest first, ties in declaration order:
 * those that lost points sorted, then the others as they come (kept in
 * the candidates' array meanwhile: what_if fills it afresh). */
static void explain_drivers(Explainer *x, const Result *r) {
  int32_t *drv = x->ex.drivers, *others = x->cand, lost = 0, rest = 0;
  for (int32_t i = 0; i < r->nmembers; i++) {
    double l = r->members[i].lost;
    if (l > 0)
      x->sort_items[lost++] = (SortItem){l, 0, i};
    else
      others[rest++] = i;
  }
  sort_items(x->sort_items, lost, x->sort_tmp);
  for (int32_t k = 0; k < lost; k++)
    drv[k] = x->sort_items[k].idx;
  memcpy(drv + lost, others, (size_t)rest * sizeof *drv);
}

/* ---- what would change the grade --------------------------------------- */

/* The state of one search. */
typedef struct Search {
  Explainer *x;
  const Result *r;
  int32_t n;       /* candidates */
  double base_num; /* Σ W_d·S_d over the dimensions rolled up */
  double base_den; /* Σ W_d */
  double bound;
  int32_t ndims; /* dimensions touched */
  double points; /* of the set so far */
  double best_points;
  int32_t nbest;
  long steps;
} Search;

/* Member I (flat) raised to its target in the set, or taken out again. */
static void set_add(Search *s, int32_t i, int sign) {
  Explainer *x = s->x;
  const MemberResult *mr = &s->r->members[i];
  int32_t d = mr->dim;
  if (sign > 0 && x->touched[d]++ == 0) x->dims[s->ndims++] = d;
  if (mr->na) {
    x->dacc[d] += sign * x->target[i] * mr->weight;
    x->dwsum[d] += sign * mr->weight;
  } else {
    x->dacc[d] += sign * mr->weight * (x->target[i] - mr->score);
  }
  if (sign < 0 && --x->touched[d] == 0) {
    x->dacc[d] = 0;
    x->dwsum[d] = 0;
    for (int32_t k = 0; k < s->ndims; k++)
      if (x->dims[k] == d) {
        x->dims[k] = x->dims[--s->ndims];
        break;
      }
  }
}

/* Dimension D's part of the health, its members' sums moved by DACC and
 * DWSUM, added to *NUM and *DEN (whose start is the account's roll-up). */
static inline void add_dim(const Search *s, int32_t d, double dacc, double dwsum, double *num, double *den) {
  const DimResult *dr = &s->r->dims[d];
  double sw = s->x->wsum[d] + dwsum;
  if (!(sw > 0)) return;
  double score = (s->x->acc[d] + dacc) / sw;
  if (dr->na) {
    *num += dr->weight * score;
    *den += dr->weight;
  } else {
    *num += dr->weight * (score - dr->score);
  }
}

/* The health with the set at its best. */
static double set_health(const Search *s) {
  const Explainer *x = s->x;
  double num = s->base_num, den = s->base_den;
  for (int32_t k = 0; k < s->ndims; k++)
    add_dim(s, x->dims[k], x->dacc[x->dims[k]], x->dwsum[x->dims[k]], &num, &den);
  return den > 0 ? num / den : NAN;
}

/* The health with member I alone at its best (the same arithmetic as
 * set_health of the set {I}). */
static double health_alone(const Search *s, int32_t i) {
  const Explainer *x = s->x;
  const MemberResult *mr = &s->r->members[i];
  double num = s->base_num, den = s->base_den;
  if (mr->na)
    add_dim(s, mr->dim, x->target[i] * mr->weight, mr->weight, &num, &den);
  else
    add_dim(s, mr->dim, mr->weight * (x->target[i] - mr->score), 0, &num, &den);
  return den > 0 ? num / den : NAN;
}

/* Sets of K members from candidate FROM on, DEPTH chosen so far. */
static void search(Search *s, int32_t k, int32_t depth, int32_t from) {
  Explainer *x = s->x;
  double have = set_health(s);
  int32_t need = k - depth;
  for (int32_t q = from; q + need <= s->n; q++) {
    if (++s->steps > EXPLAIN_SEARCH_MAX) return;
    /* the largest gains left, q's and the next: the most the set can get */
    if (have + (x->prefix[q + need] - x->prefix[q]) < s->bound) break;
    int32_t c = x->cand[q];
    double points = s->points + x->cost[c];
    double rest = need > 1 ? (need - 1) * x->min_cost_from[q + 1] : 0; /* the cheapest rest */
    if (points + rest >= s->best_points) continue;
    if (depth == 0 && need == 1) { /* a set of one: its health is known */
      if (x->alone[c] >= s->bound) {
        s->best_points = points;
        s->nbest = 1;
        x->best[0] = c;
      }
      continue;
    }
    set_add(s, c, 1);
    x->chosen[depth] = c;
    s->points = points;
    if (need == 1) {
      if (set_health(s) >= s->bound) {
        s->best_points = points;
        s->nbest = k;
        memcpy(x->best, x->chosen, (size_t)k * sizeof *x->best);
      }
    } else {
      search(s, k, depth + 1, q + 1);
    }
    s->points -= x->cost[c];
    set_add(s, c, -1);
  }
}

/* WI's set from the members chosen (CHOSEN[0..N)), with the health they
 * give together. */
static void take_set(Search *s, WhatIf *wi, const int32_t *chosen, int32_t n) {
  Explainer *x = s->x;
  const Program *p = x->p;
  wi->members = x->out;
  wi->nmembers = n;
  wi->points = 0;
  for (int32_t k = 0; k < n; k++) {
    const MemberResult *mr = &s->r->members[chosen[k]];
    x->out[k].member = chosen[k];
    x->out[k].from = mr->na ? NAN : mr->score;
    x->out[k].to = x->target[chosen[k]];
    x->out[k].gain = x->gain[chosen[k]];
    wi->points += x->cost[chosen[k]];
    set_add(s, chosen[k], 1);
  }
  wi->health = set_health(s);
  wi->grade = eval_grade_of(p, s->r->grade_set, wi->health);
  for (int32_t k = 0; k < n; k++)
    set_add(s, chosen[k], -1);
}

static void what_if(Explainer *x, const Result *r, WhatIf *wi) {
  const Program *p = x->p;
  memset(wi, 0, sizeof *wi);
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

  /* the roll-up's sums, per dimension and for the health */
  Search s;
  memset(&s, 0, sizeof s);
  s.x = x;
  s.r = r;
  s.bound = wi->bound;
  s.best_points = INFINITY;
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    double acc = 0, sw = 0;
    for (int32_t m = 0; m < dr->nmembers; m++) {
      const MemberResult *mr = &dr->members[m];
      bool counts = !mr->na && mr->weight > 0;
      acc += counts ? mr->weight * mr->score : 0;
      sw += counts ? mr->weight : 0;
    }
    x->acc[d] = acc;
    x->wsum[d] = sw;
    if (!dr->na && !dr->excluded) {
      s.base_num += dr->weight * dr->score;
      s.base_den += dr->weight;
    }
  }
  /* the candidates: members that can rise and move the health; by gain,
   * largest first; then fewest points; then declaration order */
  for (int32_t i = 0; i < r->nmembers; i++) {
    const MemberResult *mr = &r->members[i];
    if (r->dims[mr->dim].excluded || !(mr->weight > 0) || (!mr->na && mr->score >= x->target[i])) continue;
    x->cost[i] = mr->na ? x->target[i] : x->target[i] - mr->score;
    x->alone[i] = health_alone(&s, i);
    x->gain[i] = x->alone[i] - r->health;
    if (x->gain[i] > 0) x->sort_items[s.n++] = (SortItem){x->gain[i], -x->cost[i], i};
  }
  sort_items(x->sort_items, s.n, x->sort_tmp);
  for (int32_t q = 0; q < s.n; q++)
    x->cand[q] = x->sort_items[q].idx;
  x->prefix[0] = 0;
  for (int32_t q = 0; q < s.n; q++)
    x->prefix[q + 1] = x->prefix[q] + x->gain[x->cand[q]];
  x->min_cost_from[s.n] = INFINITY;
  for (int32_t q = s.n - 1; q >= 0; q--)
    x->min_cost_from[q] =
        x->cost[x->cand[q]] < x->min_cost_from[q + 1] ? x->cost[x->cand[q]] : x->min_cost_from[q + 1];

  int32_t k = 1;
  while (k <= s.n && r->health + x->prefix[k] < wi->bound)
    k++;
  for (; k <= s.n && s.nbest == 0 && s.steps <= EXPLAIN_SEARCH_MAX; k++) {
    if (k > EXPLAIN_SET_MAX) {
      s.steps = EXPLAIN_SEARCH_MAX + 1; /* as if at the step limit */
      break;
    }
    search(&s, k, 0, 0);
  }
  bool complete = s.steps <= EXPLAIN_SEARCH_MAX;
  if (s.nbest > 0) {
    wi->status = WI_REACHABLE;
    take_set(&s, wi, x->best, s.nbest);
    wi->searched = complete;
    return;
  }
  /* every candidate at its best: the most the account's data allows
   * (unless an n/a member's best is below its dimension's score) */
  take_set(&s, wi, x->cand, s.n);
  if (complete || !(wi->health >= wi->bound)) {
    wi->status = WI_UNREACHABLE;
    wi->members = NULL;
    wi->nmembers = 0;
    wi->points = 0;
    wi->searched = complete;
    return;
  }
  /* the step limit: the largest gains, one by one, until the bound */
  wi->status = WI_REACHABLE;
  wi->searched = false;
  int32_t n = 0;
  while (n < s.n) {
    set_add(&s, x->cand[n++], 1);
    if (set_health(&s) >= wi->bound) break;
  }
  for (int32_t q = 0; q < n; q++)
    set_add(&s, x->cand[q], -1);
  take_set(&s, wi, x->cand, n);
}

/* ---- the API ---------------------------------------------------------------- */

#define ALLOC(x, n, T) ((T *)arena_alloc(&(x)->arena, ((size_t)(n) + 1) * sizeof(T)))

/* The what-if workspace: arrays a member, a place in the candidates'
 * order (nm + 1) and a dimension. */
static void what_if_alloc(Explainer *x, int32_t nm, int32_t nd) {
  double **by_member[] = {&x->gain, &x->alone, &x->cost, &x->target};
  double **by_place[] = {&x->prefix, &x->min_cost_from};
  double **by_dim[] = {&x->acc, &x->wsum, &x->dacc, &x->dwsum};
  int32_t **lists[] = {&x->cand, &x->chosen, &x->best}; /* of members */
  for (size_t i = 0; i < sizeof by_member / sizeof *by_member; i++)
    *by_member[i] = ALLOC(x, nm, double);
  for (size_t i = 0; i < sizeof by_place / sizeof *by_place; i++)
    *by_place[i] = ALLOC(x, nm + 1, double);
  for (size_t i = 0; i < sizeof by_dim / sizeof *by_dim; i++)
    *by_dim[i] = ALLOC(x, nd, double);
  for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
    *lists[i] = ALLOC(x, nm, int32_t);
  x->sort_items = ALLOC(x, nm, SortItem);
  x->sort_tmp = ALLOC(x, nm, SortItem);
  x->touched = ALLOC(x, nd, int32_t);
  x->dims = ALLOC(x, nd, int32_t);
  x->out = ALLOC(x, nm, WhatIfMember);
  for (int32_t i = 0; i < nm; i++)
    x->target[i] = x->cp->members[i].best;
}

Explainer *explain_new(const CProgram *cp) {
  const Program *p = cp->prog;
  Explainer *x = xcalloc(1, sizeof *x);
  x->cp = cp;
  x->p = p;
  arena_init(&x->arena, 16 * 1024);
  Explanation *ex = &x->ex;
  ex->trend_dates = ALLOC(x, p->ntrend_calls, int32_t);
  int32_t nm = cp->nmembers, nd = p->ndimensions;
  RefList *member_refs = ALLOC(x, nm, RefList);
  const Value **member_values = ALLOC(x, nm, const Value *);
  x->member_store = ALLOC(x, cp->nvalues, Value);
  for (int32_t i = 0; i < nm; i++) {
    member_refs[i] = cp->members[i].refs;
    member_values[i] = x->member_store + cp->members[i].values_at;
  }
  ex->member_refs = member_refs;
  ex->member_values = member_values;
  ex->missing_ref = ALLOC(x, nm, int32_t);
  ex->persona_refs = cp->persona_refs;
  ex->flag_refs = cp->flag_refs;
  ex->step_refs = cp->step_refs;
  const Value **persona_values = ALLOC(x, p->npersonas, const Value *);
  for (int32_t i = 0; i < p->npersonas; i++)
    persona_values[i] = p->personas[i].cond ? ALLOC(x, cp->persona_refs[i].count, Value) : NULL;
  ex->persona_values = persona_values;
  ex->flag_values = ALLOC(x, p->nflags, const Value *);
  x->flag_store = ALLOC(x, p->nflags, Value *);
  for (int32_t f = 0; f < p->nflags; f++)
    x->flag_store[f] = ALLOC(x, cp->flag_refs[f].count, Value);
  const Value **step_values = ALLOC(x, p->nsteps, const Value *);
  x->step_store = ALLOC(x, p->nsteps, Value *);
  int32_t nrefs = cp->nvalues;
  for (int32_t i = 0; i < p->nsteps; i++) {
    x->step_store[i] = ALLOC(x, cp->step_refs[i].count, Value);
    step_values[i] = x->step_store[i];
    nrefs += cp->step_refs[i].count;
  }
  ex->step_values = step_values;
  x->copy_to = ALLOC(x, nrefs, Value *);
  x->copy_from = ALLOC(x, nrefs, const Value *);
  x->ask_to = ALLOC(x, nrefs, Value *);
  x->ask_ref = ALLOC(x, nrefs, const ExplainRef *);
  ex->drivers = ALLOC(x, nm, int32_t);
  what_if_alloc(x, nm, nd);
  return x;
}

void explain_free(Explainer *x) {
  if (!x) return;
  arena_free(&x->arena);
  free(x);
}

const Explanation *explain_names(const Explainer *x) { return &x->ex; }

const Explanation *explain_account(Explainer *x, const Evaluator *ev, const Result *r, bool what_if_too) {
  explain_values(x, ev, r);
  for (int32_t i = 0; i < x->p->ntrend_calls; i++) {
    ExplainRef ref = {REF_TREND, i, -1, NULL};
    x->ex.trend_dates[i] = eval_ref_date(ev, &ref);
  }
  explain_drivers(x, r);
  if (what_if_too)
    what_if(x, r, &x->ex.what_if);
  else
    x->ex.what_if.status = WI_NONE;
  return &x->ex;
}
