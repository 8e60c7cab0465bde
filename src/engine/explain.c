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

/* A member that lost points (the drivers, sorted as they come). */
typedef struct Driver {
  double lost;
  int32_t idx;
} Driver;
static const Driver DRIVER_FIRST = {INFINITY, -1}; /* before [0]: the sentinel */

/* A value copied every account from where the evaluator keeps it into a
 * store of a list with a value worked out when asked … */
typedef struct Copy {
  Value *to;
  const Value *from;
} Copy;

/* … or worked out when asked. */
typedef struct Ask {
  Value *to;
  const ExplainRef *ref;
  bool default_thresholds;
} Ask;

struct Explainer {
  const CProgram *cp;
  const Program *p;
  Arena arena; /* the explainer's life */
  Explanation ex;
  Value *member_store;   /* cp->nvalues */
  Value **flag_store;    /* per flag, one per ref */
  Value **step_store;    /* per step, one per ref */
  Value **persona_store; /* per persona with a condition, one per ref */
  const Value **member_values, **step_values, **persona_values; /* ex's */
  /* where the values are for each account (bind_refs): the lists whose
   * values are in the evaluator's slots one after the other are read
   * there; those in slots elsewhere are copied from FROM[k] to VALS[k],
   * the members', steps' and personas' [0, nfrom_all) every account, a
   * flag's [flag_first, + count) when it is raised; the lists with a
   * value worked out when asked go to their store by COPY and ASK */
  const Value **from;
  Value *vals;
  int32_t nfrom, nfrom_all;
  const Value **flag_at; /* per flag: where its values are when raised */
  int32_t *flag_first;   /* … its copies (-1: asked, eval_ref_values) */
  Copy *copy;            /* the lists with a value worked out when asked: */
  int32_t ncopy;         /* the others from their slots */
  Ask *ask;              /* and that one (eval_ref_value) */
  int32_t nask;
  const Evaluator *slots_of; /* the evaluator the values are bound to */
  Driver *drivers;           /* nmembers, after DRIVER_FIRST */
  SortItem *cand_items;      /* nmembers, after SORT_FIRST */
  SortItem *sort_tmp;        /* nmembers */
  /* what-if workspace */
  int32_t *cand;         /* candidates, by gain (largest first) */
  double *delta;         /* per member: what it adds to its dimension's
                            Σwᵢsᵢ at its best */
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
  int32_t nlost; /* the drivers that lost points (drivers[0, nlost)) */
  WhatIfMember *out;
};

/* ---- sorting: stable, n log n ------------------------------------------- */

/* Does A come before B: KEY larger, then KEY2 larger, then the smaller
 * index (the order a stable sort of the items by index gives)? */
static inline bool before(const SortItem *a, const SortItem *b) {
  return a->key > b->key ||
         (a->key == b->key && (a->key2 > b->key2 || (a->key2 == b->key2 && a->idx < b->idx)));
}

/* Sorts ITEMS[0..N) by key, largest first, then by key2, then by index
 * (TMP: N slots); keys are never NaN, so the order does not depend on the
 * order the items come in. The keys travel with their index, so a
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

/* The most items sorted by insertion as they come (ITEMS[-1] is a
 * sentinel that nothing comes before); past it, sort_items. */
#define SORT_SHORT 32
static const SortItem SORT_FIRST = {INFINITY, INFINITY, -1};

/* ---- values, reasons, drivers ------------------------------------------- */

/* Where the values of REFS are for each account (DT: with the default
 * thresholds): in EV's slots themselves when they are kept there one
 * after the other (read there, nothing copied); else copied every
 * account from the slots to the next places of x->vals (one after the
 * other) when ALWAYS or when asked for (*FIRST: the first of them, else
 * -1); else (a value worked out when asked) in STORE, copied and asked
 * every account when ALWAYS (x->copy, x->ask). */
static const Value *bind_refs(Explainer *x, const Evaluator *ev, const RefList *refs, bool dt, Value *store,
                              bool always, int32_t *first) {
  int32_t n = refs->count;
  const Value *at = n ? eval_ref_slot(ev, &refs->refs[0], dt) : NULL;
  bool in_place = at != NULL, slots = true;
  for (int32_t k = 0; k < n; k++) {
    const Value *slot = eval_ref_slot(ev, &refs->refs[k], dt);
    in_place = in_place && slot == at + k;
    slots = slots && slot;
  }
  *first = -1;
  if (in_place) return at;
  if (slots) {
    *first = x->nfrom;
    for (int32_t k = 0; k < n; k++)
      x->from[x->nfrom++] = eval_ref_slot(ev, &refs->refs[k], dt);
    return x->vals + *first;
  }
  for (int32_t k = 0; always && k < n; k++) {
    const ExplainRef *ref = &refs->refs[k];
    const Value *slot = eval_ref_slot(ev, ref, dt);
    if (slot)
      x->copy[x->ncopy++] = (Copy){store + k, slot};
    else
      x->ask[x->nask++] = (Ask){store + k, ref, dt};
  }
  return store;
}

static void bind_slots(Explainer *x, const Evaluator *ev) {
  const CProgram *cp = x->cp;
  const Program *p = x->p;
  int32_t first;
  x->ncopy = x->nask = x->nfrom = 0;
  for (int32_t i = 0; i < cp->nmembers; i++)
    x->member_values[i] = bind_refs(x, ev, &cp->members[i].refs, false,
                                    x->member_store + cp->members[i].values_at, true, &first);
  for (int32_t s = 0; s < p->nsteps; s++)
    x->step_values[s] = bind_refs(x, ev, &cp->step_refs[s], false, x->step_store[s], true, &first);
  /* the personas' conditions with the default thresholds, tried or not */
  for (int32_t i = 0; i < p->npersonas; i++)
    if (x->persona_values[i])
      x->persona_values[i] = bind_refs(x, ev, &cp->persona_refs[i], true, x->persona_store[i], true, &first);
  x->nfrom_all = x->nfrom;
  for (int32_t f = 0; f < p->nflags; f++) {
    x->flag_at[f] = bind_refs(x, ev, &cp->flag_refs[f], false, x->flag_store[f], false, &first);
    x->flag_first[f] = x->flag_at[f] == x->flag_store[f] ? -2 : first; /* -2: asked */
  }
  x->slots_of = ev;
}

static void explain_values(Explainer *x, const Evaluator *ev, const Result *r) {
  Explanation *ex = &x->ex;
  if (x->slots_of != ev) bind_slots(x, ev);
  const Value *const *from = x->from;
  Value *to = x->vals;
  int32_t n = x->nfrom_all, k = 0;
  for (; n - k >= 4; k += 4) { /* (four at a time: half the loop's cost) */
    to[k] = *from[k];
    to[k + 1] = *from[k + 1];
    to[k + 2] = *from[k + 2];
    to[k + 3] = *from[k + 3];
  }
  for (; k < n; k++)
    to[k] = *from[k];
  for (const Copy *c = x->copy, *end = c + x->ncopy; c < end; c++)
    *c->to = *c->from;
  for (const Ask *a = x->ask, *a_end = a + x->nask; a < a_end; a++)
    *a->to = eval_ref_value(ev, a->ref, a->default_thresholds);
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) {
      ex->flag_values[f] = NULL;
      continue;
    }
    int32_t first = x->flag_first[f];
    if (first == -2) eval_ref_values(ev, &ex->flag_refs[f], x->flag_store[f], false);
    for (int32_t j = first; first >= 0 && j < first + ex->flag_refs[f].count; j++)
      x->vals[j] = *x->from[j];
    ex->flag_values[f] = x->flag_at[f];
  }
}

/* Each member's N/A reason (the first missing value it references), the
 * members by lost points, largest first, ties in declaration order (those
 * that lost points sorted, then the others as they come), and each
 * dimension's Σwᵢsᵢ and Σwᵢ of the account (acc, wsum: what the what-if
 * search moves). */
static void explain_members(Explainer *x, const Result *r) {
  const CMember *cm = x->cp->members;
  const MemberResult *members = r->members;
  int32_t *drv = x->ex.drivers, *others = x->cand, *missing_ref = x->ex.missing_ref, lost = 0, rest = 0;
  Driver *items = x->drivers; /* items[-1]: DRIVER_FIRST */
  int32_t i = 0;
  for (int32_t d = 0; d < r->ndims; d++) {
    double acc = 0, sw = 0; /* the roll-up's sums, in its order */
    for (int32_t end = i + r->dims[d].nmembers; i < end; i++) {
      const MemberResult *mr = &members[i];
      int32_t missing = -1;
      if (mr->na) {
        const Value *vals = x->member_values[i];
        for (int32_t k = 0; k < cm[i].refs.count && missing < 0; k++)
          if (vals[k].type == T_MISSING) missing = k;
      }
      missing_ref[i] = missing;
      bool counts = !mr->na && mr->weight > 0;
      acc += counts ? mr->weight * mr->score : 0;
      sw += counts ? mr->weight : 0;
      double l = mr->lost;
      if (!(l > 0)) {
        others[rest++] = i;
        continue;
      }
      /* inserted in its place at once while they are few (declaration
       * order: equal lost points stay in it) */
      int32_t j = lost++;
      if (lost <= SORT_SHORT)
        for (; l > items[j - 1].lost; j--)
          items[j] = items[j - 1];
      items[j] = (Driver){l, i};
    }
    x->acc[d] = acc;
    x->wsum[d] = sw;
  }
  if (lost > SORT_SHORT) { /* many: sorted n log n */
    SortItem *all = x->cand_items;
    for (int32_t k = 0; k < lost; k++)
      all[k] = (SortItem){items[k].lost, 0, items[k].idx};
    sort_items(all, lost, x->sort_tmp);
    for (int32_t k = 0; k < lost; k++)
      drv[k] = all[k].idx;
  } else {
    for (int32_t k = 0; k < lost; k++)
      drv[k] = items[k].idx;
  }
  memcpy(drv + lost, others, (size_t)rest * sizeof *drv);
  x->nlost = lost;
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
  double have;   /* the health with no member raised */
  int32_t ndims; /* dimensions touched */
  double points; /* of the set so far */
  double best_points;
  int32_t nbest;
  long steps;
} Search;

/* Member I (flat) raised to its target in the set (SIGN 1), or taken
 * out again (-1): its dimension's sums moved by ±delta (and ±weight for
 * an n/a member), exactly as sign · target · weight (n/a) and
 * sign · weight · (target − score) would move them. */
static inline void set_add(Search *s, int32_t i, int sign) {
  Explainer *x = s->x;
  const MemberResult *mr = &s->r->members[i];
  int32_t d = mr->dim;
  if (sign > 0) {
    if (x->touched[d]++ == 0) x->dims[s->ndims++] = d;
    x->dacc[d] += x->delta[i];
    if (mr->na) x->dwsum[d] += mr->weight;
    return;
  }
  if (--x->touched[d] == 0) {
    x->dacc[d] = 0;
    x->dwsum[d] = 0;
    for (int32_t k = 0; k < s->ndims; k++)
      if (x->dims[k] == d) {
        x->dims[k] = x->dims[--s->ndims];
        break;
      }
    return;
  }
  x->dacc[d] -= x->delta[i];
  if (mr->na) x->dwsum[d] -= mr->weight;
}

/* Takes the whole set out at once: the sums of every dimension it
 * touched back to 0 (where taking its members out one by one ends). */
static void set_clear(Search *s) {
  Explainer *x = s->x;
  for (int32_t k = 0; k < s->ndims; k++) {
    int32_t d = x->dims[k];
    x->touched[d] = 0;
    x->dacc[d] = 0;
    x->dwsum[d] = 0;
  }
  s->ndims = 0;
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

/* The health's sums with the set at its best, into *NUM and *DEN. */
__attribute__((always_inline)) static inline void set_sums(const Search *s, double *num, double *den) {
  const Explainer *x = s->x;
  *num = s->base_num;
  *den = s->base_den;
  for (int32_t k = 0; k < s->ndims; k++)
    add_dim(s, x->dims[k], x->dacc[x->dims[k]], x->dwsum[x->dims[k]], num, den);
}

/* The health with the set at its best. */
__attribute__((always_inline)) static inline double set_health(const Search *s) {
  double num, den;
  set_sums(s, &num, &den);
  return den > 0 ? num / den : NAN;
}

/* set_sums with dimension D's sums (D one of the set's) at DACC and
 * DWSUM instead of the set's. */
static void set_sums_with(const Search *s, int32_t d, double dacc, double dwsum, double *num, double *den) {
  const Explainer *x = s->x;
  *num = s->base_num;
  *den = s->base_den;
  for (int32_t k = 0; k < s->ndims; k++) {
    int32_t e = x->dims[k];
    add_dim(s, e, e == d ? dacc : x->dacc[e], e == d ? dwsum : x->dwsum[e], num, den);
  }
}

/* The health with the set and member C at their best: set_health after
 * set_add(s, C, 1), the same arithmetic, and the set as set_add(s, C,
 * -1) leaves it (a dimension of the set keeps its sums moved there and
 * back, (a + δ) − δ, which need not be a; NUM and DEN, the set's sums,
 * follow). */
static inline double health_with(Search *s, int32_t c, double *num, double *den) {
  Explainer *x = s->x;
  const MemberResult *mr = &s->r->members[c];
  int32_t d = mr->dim;
  double delta = x->delta[c], n = *num, e = *den;
  if (x->touched[d] == 0) { /* its dimension added last, its sums from 0 */
    add_dim(s, d, delta, mr->na ? mr->weight : 0, &n, &e);
    return e > 0 ? n / e : NAN;
  }
  double acc = x->dacc[d] + delta, wsum = mr->na ? x->dwsum[d] + mr->weight : x->dwsum[d];
  set_sums_with(s, d, acc, wsum, &n, &e);
  double back = acc - delta, wback = mr->na ? wsum - mr->weight : wsum;
  if (memcmp(&back, &x->dacc[d], sizeof back) != 0 || memcmp(&wback, &x->dwsum[d], sizeof wback) != 0) {
    x->dacc[d] = back;
    x->dwsum[d] = wback;
    set_sums(s, num, den);
  }
  return e > 0 ? n / e : NAN;
}

/* The health with member I alone at its best (the same arithmetic as
 * set_health of the set {I}). */
static double health_alone(const Search *s, int32_t i) {
  const Explainer *x = s->x;
  const MemberResult *mr = &s->r->members[i];
  double num = s->base_num, den = s->base_den;
  add_dim(s, mr->dim, x->delta[i], mr->na ? mr->weight : 0, &num, &den);
  return den > 0 ? num / den : NAN;
}

/* ---- the search ---------------------------------------------------------- */

/* Sets of K members from candidate FROM on, DEPTH chosen so far. */
static void search(Search *s, int32_t k, int32_t depth, int32_t from) {
  Explainer *x = s->x;
  const double *prefix = x->prefix, *cost = x->cost, *min_cost_from = x->min_cost_from, *alone = x->alone;
  const int32_t *cand = x->cand;
  double num = 0, den = 0, bound = s->bound;
  if (depth) set_sums(s, &num, &den);
  double have = depth ? (den > 0 ? num / den : NAN) : s->have;
  int32_t need = k - depth;
  if (need == 1 && depth > 0) { /* the last member: the set stays as it is */
    for (int32_t q = from; q < s->n; q++) {
      if (++s->steps > EXPLAIN_SEARCH_MAX) return;
      if (have + (prefix[q + 1] - prefix[q]) < bound) break;
      int32_t c = cand[q];
      double points = s->points + cost[c];
      if (points >= s->best_points) continue;
      if (health_with(s, c, &num, &den) >= bound) {
        s->best_points = points;
        s->nbest = k;
        x->chosen[depth] = c;
        memcpy(x->best, x->chosen, (size_t)k * sizeof *x->best);
      }
      s->points = points - cost[c]; /* (where adding and taking out leave it) */
    }
    return;
  }
  for (int32_t q = from; q + need <= s->n; q++) {
    if (++s->steps > EXPLAIN_SEARCH_MAX) return;
    /* the largest gains left, q's and the next: the most the set can get */
    if (have + (prefix[q + need] - prefix[q]) < bound) break;
    int32_t c = cand[q];
    double points = s->points + cost[c];
    double rest = need > 1 ? (need - 1) * min_cost_from[q + 1] : 0; /* the cheapest rest */
    if (points + rest >= s->best_points) continue;
    if (depth == 0 && need == 1) { /* a set of one: its health is known */
      if (alone[c] >= bound) {
        s->best_points = points;
        s->nbest = 1;
        x->best[0] = c;
      }
      continue;
    }
    set_add(s, c, 1);
    x->chosen[depth] = c;
    s->points = points;
    search(s, k, depth + 1, q + 1);
    s->points -= cost[c];
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
  }
  if (n == 1 && x->cost[chosen[0]] > 0) {
    /* a set of one: the health it gives alone (the same arithmetic);
     * its points are its cost (0 + cost) */
    wi->health = x->alone[chosen[0]];
  } else {
    for (int32_t k = 0; k < n; k++)
      set_add(s, chosen[k], 1);
    wi->health = set_health(s);
    set_clear(s);
  }
  wi->grade = eval_grade_of(p, s->r->grade_set, wi->health);
}

/* What would change the grade, before the search: whether there is a
 * next grade to reach (true: WI's bound and distance set, the search
 * to do). */
static bool what_if_start(const Explainer *x, const Result *r, WhatIf *wi) {
  const Program *p = x->p;
  memset(wi, 0, sizeof *wi);
  wi->next_grade = -1;
  wi->grade = -1;
  wi->searched = true;
  if (r->grade_set < 0) {
    wi->status = WI_NO_GRADES;
    return false;
  }
  if (r->health_na) {
    wi->status = WI_NO_HEALTH;
    return false;
  }
  const GradeSet *gs = &p->grade_sets[r->grade_set];
  int32_t at = -1;
  for (int32_t i = 0; i < gs->nbands; i++)
    if (gs->bands[i].grade == r->grade) at = i;
  if (at <= 0) {
    wi->status = WI_BEST_GRADE;
    return false;
  }
  wi->next_grade = gs->bands[at - 1].grade;
  wi->bound = gs->bands[at - 1].bound;
  wi->away = wi->bound - r->health;
  return true;
}

/* The search (after explain_members: the dimensions' sums, and the
 * drivers, whose order the candidates are taken in). */
static void what_if(Explainer *x, const Result *r, WhatIf *wi) {
  /* the roll-up's sums for the health */
  Search s;
  memset(&s, 0, sizeof s);
  s.x = x;
  s.r = r;
  s.bound = wi->bound;
  s.best_points = INFINITY;
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    if (!dr->na && !dr->excluded) {
      s.base_num += dr->weight * dr->score;
      s.base_den += dr->weight;
    }
  }
  s.have = set_health(&s);
  /* the candidates: members that can rise and move the health; by gain,
   * largest first; then fewest points; then declaration order (taken in
   * the drivers' order, which is close to it) */
  SortItem *items = x->cand_items;
  const int32_t *order = x->ex.drivers;
  for (int32_t k = 0, nlost = x->nlost; k < r->nmembers; k++) {
    int32_t i = order[k];
    const MemberResult *mr = &r->members[i];
    double target = x->target[i], w = mr->weight, cost, alone;
    if (k < nlost) {
      /* a driver lost points: scored, weight > 0, in a dimension rolled
       * up and not N/A (its Σwᵢ > 0), so health_alone's arithmetic is
       * this */
      if (mr->score >= target) continue;
      int32_t d = mr->dim;
      const DimResult *dr = &r->dims[d];
      cost = target - mr->score;
      double delta = w * (target - mr->score);
      x->delta[i] = delta;
      double num = s.base_num + dr->weight * ((x->acc[d] + delta) / x->wsum[d] - dr->score);
      alone = s.base_den > 0 ? num / s.base_den : NAN;
    } else {
      if (r->dims[mr->dim].excluded || !(w > 0) || (!mr->na && mr->score >= target)) continue;
      cost = mr->na ? target : target - mr->score;
      x->delta[i] = mr->na ? target * w : w * (target - mr->score);
      alone = health_alone(&s, i);
    }
    x->cost[i] = cost;
    double gain = alone - r->health;
    x->alone[i] = alone;
    x->gain[i] = gain;
    if (!(gain > 0)) continue;
    /* inserted in its place at once while they are few */
    SortItem v = {gain, -cost, i};
    int32_t j = s.n++;
    if (s.n <= SORT_SHORT)
      for (; before(&v, &items[j - 1]); j--)
        items[j] = items[j - 1];
    items[j] = v;
  }
  if (s.n > SORT_SHORT) sort_items(items, s.n, x->sort_tmp); /* many: n log n */
  x->prefix[0] = 0;
  for (int32_t q = 0; q < s.n; q++) {
    x->cand[q] = items[q].idx;
    x->prefix[q + 1] = x->prefix[q] + items[q].key;
  }
  int32_t k = 1;
  while (k <= s.n && r->health + x->prefix[k] < wi->bound)
    k++;
  for (bool mins = false; k <= s.n && s.nbest == 0 && s.steps <= EXPLAIN_SEARCH_MAX; k++) {
    if (k > EXPLAIN_SET_MAX) {
      s.steps = EXPLAIN_SEARCH_MAX + 1; /* as if at the step limit */
      break;
    }
    if (k > 1 && !mins) { /* (a set of one reads none) */
      double cheapest = INFINITY;
      x->min_cost_from[s.n] = cheapest;
      for (int32_t q = s.n - 1; q >= 0; q--) {
        double cost = -items[q].key2;
        cheapest = cost < cheapest ? cost : cheapest;
        x->min_cost_from[q] = cheapest;
      }
      mins = true;
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
  set_clear(&s);
  take_set(&s, wi, x->cand, n);
}

/* ---- the API ---------------------------------------------------------------- */

#define ALLOC(x, n, T) ((T *)arena_alloc(&(x)->arena, ((size_t)(n) + 1) * sizeof(T)))

/* The what-if workspace: arrays a member, a place in the candidates'
 * order (nm + 1) and a dimension. */
static void what_if_alloc(Explainer *x, int32_t nm, int32_t nd) {
  double **by_member[] = {&x->gain, &x->alone, &x->cost, &x->target, &x->delta};
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
  x->cand_items = ALLOC(x, nm + 1, SortItem);
  *x->cand_items++ = SORT_FIRST; /* before [0]: the sentinel */
  x->drivers = ALLOC(x, nm + 1, Driver);
  *x->drivers++ = DRIVER_FIRST;
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
  x->persona_store = ALLOC(x, p->npersonas, Value *);
  for (int32_t i = 0; i < p->npersonas; i++) {
    x->persona_store[i] = p->personas[i].cond ? ALLOC(x, cp->persona_refs[i].count, Value) : NULL;
    persona_values[i] = x->persona_store[i];
  }
  ex->persona_values = persona_values;
  ex->flag_values = ALLOC(x, p->nflags, const Value *);
  x->flag_store = ALLOC(x, p->nflags, Value *);
  x->flag_at = ALLOC(x, p->nflags, const Value *);
  x->flag_first = ALLOC(x, p->nflags, int32_t);
  int32_t nrefs = cp->nvalues;
  for (int32_t f = 0; f < p->nflags; f++) {
    x->flag_store[f] = ALLOC(x, cp->flag_refs[f].count, Value);
    nrefs += cp->flag_refs[f].count;
  }
  const Value **step_values = ALLOC(x, p->nsteps, const Value *);
  x->step_store = ALLOC(x, p->nsteps, Value *);
  for (int32_t i = 0; i < p->nsteps; i++) {
    x->step_store[i] = ALLOC(x, cp->step_refs[i].count, Value);
    step_values[i] = x->step_store[i];
    nrefs += cp->step_refs[i].count;
  }
  for (int32_t i = 0; i < p->npersonas; i++)
    nrefs += cp->persona_refs[i].count;
  ex->step_values = step_values;
  x->member_values = member_values;
  x->step_values = step_values;
  x->persona_values = persona_values;
  x->from = ALLOC(x, nrefs, const Value *);
  x->vals = ALLOC(x, nrefs, Value);
  x->copy = ALLOC(x, nrefs, Copy);
  x->ask = ALLOC(x, nrefs, Ask);
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
  bool search = what_if_too && what_if_start(x, r, &x->ex.what_if);
  if (!what_if_too) x->ex.what_if.status = WI_NONE;
  explain_members(x, r);
  if (search) what_if(x, r, &x->ex.what_if);
  return &x->ex;
}
