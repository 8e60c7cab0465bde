/* eval.c — runs the compiled program over one account: one pass over
 * its code (compile.h) by threaded dispatch, the expressions'
 * instructions as ops.h's cases (OPS_EXPR_CASES), the steps' here: members, the roll-up with the persona's
 * weights and grades, personas, segments, flags, the journey; and the
 * values explanations read.
 *
 * Where LANGUAGE.md is silent, this is what kenko does (docs/ repeats it):
 *   - Scores (and band values) are clamped to 0..100.
 *   - Coverage is 0 when no member carries weight.
 *   - Member and dimension weights <= 0 take no part in the roll-up. */
#include "engine/eval.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct Evaluator {
  /* what the instructions see (ops.h): base is cp->tables, the value
   * tables at the start of the registers the code is linked to: the
   * inputs (copied in), indicators, thresholds in effect (copied in), …;
   * text made by lower()/upper() goes to &scratch */
  OpCtx ops;
  const Program *p;
  const CProgram *cp;       /* &instance */
  const CProgram *compiled; /* the rules' (eval_new_like) */
  CProgram instance;        /* the rules' compiled program, linked to this
                               evaluator's registers (compile_instance) */
  Arena arena;              /* result arrays, refs, the instance: the
                               evaluator's life */
  Arena scratch;            /* per account: text made by lower()/upper() */
  Arena exprs;              /* eval_expr_in_account compilations (per account) */
  /* the account being scored */
  const Variant *variant;         /* the persona's (the default until it is known) */
  const Variant *default_variant; /* no persona's */
  const Variant *in_table;        /* whose thresholds the LB_THRESHOLD table holds */
  Value *indicators;
  Value *member_values; /* score, or missing (N/A) */
  Value *dim_values;
  Value *state;       /* LB_STATE (compile.h: StateSlot) */
  double *dim_wsum;   /* Σwᵢ over the members the dimension used */
  double health_wsum; /* ΣW_d over the dimensions the health used */
  /* the health's sums as the dimensions' steps add to them: ΣW_d·S_d
   * and ΣW_d of those so far (taken and zeroed by step_health) */
  double health_sums[2];
  /* the same per dimension as its members' steps add to them (2 each;
   * taken and zeroed by step_dimension) */
  double *dim_sums;
  const double *wpos; /* variant->member_wpos */
  Value *dim_grades;  /* the LB_STATE slots of the dimensions' grades */
  Result r;
};

/* ---- small value helpers ------------------------------------------------ */

static Value sym_or_na(int32_t sym) { return sym >= 0 ? val_sym(sym) : val_missing(MISS_NOT_APPLICABLE); }

/* The first 8 bytes of V (its type, reason and length). */
static inline uint64_t head_word(Value v) {
  uint64_t w;
  memcpy(&w, &v, sizeof w);
  return w;
}

/* *DST = sym_or_na(SYM), its two words chosen without building either
 * value (N/A's payload is zero) */
static inline void put_sym_or_na(Value *dst, int32_t sym) {
  bool na = sym < 0;
  uint64_t w0 = na ? head_word(val_missing(MISS_NOT_APPLICABLE)) : head_word(val_sym(0));
  Value v = val_sym(sym);
  uint64_t w1;
  memcpy(&w1, &v.u, 8);
  w1 = na ? 0 : w1;
  memcpy(dst, &w0, 8);
  memcpy(&dst->u, &w1, 8);
}

/* *DST = the number X, or missing (N/A) when NA: its two words chosen
 * and stored as words. (Built as a Value and copied, the 16 bytes were
 * written to the stack as two 8-byte stores and read back as one 16-byte
 * load, which cannot be forwarded from them: a stall of about a dozen
 * cycles that perf showed as a tenth of run's time.) */
static inline void put_num_or_na(Value *dst, bool na, double x) {
  uint64_t w0 = na ? head_word(val_missing(MISS_NOT_APPLICABLE)) : head_word(val_num(0)), w1;
  memcpy(&w1, &x, 8);
  w1 = na ? 0 : w1;
  memcpy(dst, &w0, 8);
  memcpy(&dst->u, &w1, 8);
}

/* ---- the steps ------------------------------------------------------------ */

/* Makes V the variant in effect: its weights and grades, and its
 * thresholds in the table the code reads (copied only when another
 * variant's are there). */
static inline void use_variant(Evaluator *E, const Variant *v) {
  E->variant = v;
  E->wpos = v->member_wpos;
  if (E->in_table == v) return;
  /* the others hold the one value every variant has (reset_state) */
  Value *table = E->ops.base[LB_THRESHOLD];
  const int32_t *varying = E->cp->varying;
  for (int32_t k = 0; k < E->cp->nvarying; k++)
    table[varying[k]] = v->thresholds[varying[k]];
  E->in_table = v;
}

static void member_na(MemberResult *mr, uint8_t why) {
  mr->na = true;
  mr->status = MS_NA;
  mr->why = why;
  mr->score = NAN;
}

/* A score value: clamped to 0..100; missing or not a number is N/A. */
static inline void member_score(MemberResult *mr, Value v) {
  if (v.type == T_NUMBER && !isnan(v.u.num)) {
    double s = v.u.num;
    mr->na = false;
    mr->status = MS_SCORED;
    mr->score = s < 0 ? 0 : s > 100 ? 100 : s;
  } else {
    member_na(mr, v.type == T_MISSING ? v.why : MISS_DOMAIN);
  }
}

/* Member I before its outcome: no band, N/A when WHY. */
static inline MemberResult *member_begin(Evaluator *E, int32_t i, bool na) {
  MemberResult *mr = &E->r.members[i];
  mr->band = -1;
  mr->why = 0;
  if (na) member_na(mr, MISS_NOT_APPLICABLE); /* no band matched */
  return mr;
}

/* The band member of PC's outcome where expressions read it, and its
 * weighted score in its dimension's sums (N/A: nothing; selects, not a
 * branch: whether a member counts is the data's). */
static inline void member_store(Evaluator *E, const Ins *pc) {
  const MemberResult *mr = pc->out;
  double s = mr->score, w = E->wpos[pc->n];
  E->member_values[pc->n] = mr->na ? val_missing(MISS_NOT_APPLICABLE) : val_num(s);
  bool counts = !mr->na;
  pc->sums[0] += counts ? w * s : 0;
  pc->sums[1] += counts ? w : 0;
}

/* The 8 bytes of a MemberResult from na to band (na, status, why, its
 * padding and band) of a member scored with STATUS in band BAND, as one
 * word: one store instead of four. */
static inline uint64_t member_head(uint8_t status, int32_t band) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (uint64_t)status << 8 | (uint64_t)(uint32_t)band << 32;
#else
  MemberResult m;
  memset(&m, 0, sizeof m);
  m.status = status;
  m.band = band;
  uint64_t w;
  memcpy(&w, &m.na, sizeof w);
  return w;
#endif
}
_Static_assert(offsetof(MemberResult, status) == offsetof(MemberResult, na) + 1 &&
                   offsetof(MemberResult, why) == offsetof(MemberResult, na) + 2 &&
                   offsetof(MemberResult, band) == offsetof(MemberResult, na) + 4 && sizeof(bool) == 1,
               "na, status, why and band are one word");

/* The outcome of the rule or score member of PC (pc->n): its result,
 * and its value where expressions read it (pc->dst, its slot). A rule or
 * score member's band is always -1. */
static inline void member_put(Evaluator *E, const Ins *pc, uint64_t head, double score, Value *dst) {
  MemberResult *mr = pc->out;
  memcpy(&mr->na, &head, sizeof head);
  mr->score = score;
  *dst = val_num(score);
  double w = E->wpos[pc->n];
  pc->sums[0] += w * score;
  pc->sums[1] += w;
}

static inline void member_scored(Evaluator *E, const Ins *pc, uint8_t status, double score) {
  member_put(E, pc, member_head(status, -1), score, pc->dst);
}

/* A band member scored SCORE in band BAND; its value kept for
 * expressions in E->member_values. */
static inline void band_scored(Evaluator *E, const Ins *pc, int32_t band, double score) {
  member_put(E, pc, member_head(MS_SCORED, band), score, &E->member_values[pc->n]);
}

/* The head word (member_head) of a member that is N/A for the reason
 * WHY (as member_na leaves it; a member whose band is -1). */
static inline uint64_t member_head_na(uint8_t why) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return 1u | (uint64_t)MS_NA << 8 | (uint64_t)why << 16 | (uint64_t)(uint32_t)-1 << 32;
#else
  MemberResult m;
  memset(&m, 0, sizeof m);
  m.na = true;
  m.status = MS_NA;
  m.why = why;
  m.band = -1;
  uint64_t w;
  memcpy(&w, &m.na, sizeof w);
  return w;
#endif
}

/* The outcome of the member of PC whose band is BAND (-1: a rule or
 * score): SCORE with STATUS, or (NA) N/A for the reason WHY, chosen by
 * selects, not a branch (whether an input is missing is the data's):
 * its result, its value where expressions read it (DST) and, when it is
 * scored, its weighted score in its dimension's sums (N/A adds +0 to
 * both: the sums are never -0, so they are the same bit for bit). */
static inline void member_put_or_na(Evaluator *E, const Ins *pc, bool na, uint8_t why, uint8_t status,
                                    int32_t band, double score, Value *dst) {
  MemberResult *mr = pc->out;
  uint64_t head = na ? member_head_na(why) : member_head(status, band);
  memcpy(&mr->na, &head, sizeof head);
  mr->score = na ? NAN : score;
  put_num_or_na(dst, na, score);
  double w = E->wpos[pc->n], ws = w * score;
  pc->sums[0] += na ? 0 : ws;
  pc->sums[1] += na ? 0 : w;
}

/* The type bits of the values of types A and B: no other than those of
 * MASK (1 << type, …)? */
static inline bool types_within(unsigned a, unsigned b, unsigned mask) {
  return (((1u << a) | (1u << b)) & ~mask) == 0;
}
#define NUM_OR_MISSING (1u << T_NUMBER | 1u << T_MISSING)

static inline void member_unscored(const Ins *pc, const Value *v) {
  member_na(pc->out, v->type == T_MISSING ? v->why : MISS_DOMAIN);
  *pc->dst = val_missing(MISS_NOT_APPLICABLE);
}

/* rule → 100 / 0 / N/A. Pass or fail by arithmetic: a branch on it would
 * be mispredicted as often as the accounts differ. */
static inline void rule_outcome(Evaluator *E, const Ins *pc, unsigned pass) {
  member_scored(E, pc, (uint8_t)(MS_FAIL - pass) /* MS_PASS is MS_FAIL − 1 */, (double)(100u * pass));
}

static inline void step_rule(Evaluator *E, const Ins *pc, const Value *c) {
  if (c->type == T_BOOL)
    rule_outcome(E, pc, c->u.b);
  else
    member_unscored(pc, c);
}

/* score: clamped to 0..100; missing or not a number is N/A */
static inline void step_score(Evaluator *E, const Ins *pc, const Value *v) {
  if (v->type == T_NUMBER && !isnan(v->u.num)) {
    double s = v->u.num;
    member_scored(E, pc, MS_SCORED, s < 0 ? 0 : s > 100 ? 100 : s);
  } else {
    member_unscored(pc, v);
  }
}

/* bands, all conditions evaluated (S_BANDS): the first band that is not
 * false, taken from a bit mask (the band an account falls in is the
 * data's, and a loop that stopped there would mispredict its exit); N/A
 * when its condition is missing. */
static void bands_outcome(Evaluator *E, const Ins *pc, const Value *c) {
  MemberResult *mr = member_begin(E, pc->n, true);
  int32_t nconds = pc->m;
  uint32_t stops = pc->len > nconds ? 1u << nconds : 0; /* `otherwise` */
  for (int32_t b = 0; b < nconds; b++)
    stops |= (uint32_t) !(c[b].type == T_BOOL && !c[b].u.b) << b;
  if (stops) {
    int32_t b = __builtin_ctz(stops);
    if (b < nconds && c[b].type != T_BOOL) {
      member_na(mr, c[b].type == T_MISSING ? c[b].why : MISS_DOMAIN);
    } else {
      mr->band = b;
      member_score(mr, pc->b[b]);
    }
  }
  member_store(E, pc);
}

static void step_bands(Evaluator *E, const Ins *pc) { bands_outcome(E, pc, pc->a); }

/* bands whose conditions compare one value with others (S_BANDS_CMP):
 * a number against numbers here, a missing value (every condition is
 * missing with its reason: N/A) at once, the rest as ops_compare has
 * it. (BANDS_HOLD: which of the conditions hold, HOLDS of v and y,
 * and, unless the compiler knows it, KNOWN, whether every right side is
 * a number.) */
#define BANDS_HOLD(OP, HOLDS, KNOWN)                                                                         \
  case OP:                                                                                                   \
    for (int32_t b = 0; b < nconds; b++) {                                                                   \
      double y = k[b].u.num;                                                                                 \
      if (!(KNOWN)) numbers &= k[b].type == T_NUMBER;                                                        \
      holds |= (uint32_t)(HOLDS) << b;                                                                       \
    }                                                                                                        \
    break;
static inline __attribute__((always_inline)) void step_bands_cmp(Evaluator *E, const Ins *pc) {
  const Value *x = pc->a, *k = pc->c;
  int32_t nconds = pc->m;
  if (pc->aux && pc->len > nconds && types_within(x->type, x->type, NUM_OR_MISSING)) {
    /* the compiler found every right side a number in every account and
     * every band value a number from 0 to 100 (emit_eager_bands), and
     * there is an `otherwise`: a band is taken, or (a missing value: every
     * condition is missing with its reason) N/A, chosen by a select, not
     * a branch */
    double v = x->u.num;
    uint32_t holds = 1u << nconds;
    bool numbers = true;
    switch ((Op)pc->sub) {
      BANDS_HOLD(OP_EQ, v == y, 1)
      BANDS_HOLD(OP_NE, v != y, 1)
      BANDS_HOLD(OP_LT, v < y, 1)
      BANDS_HOLD(OP_LE, v <= y, 1)
      BANDS_HOLD(OP_GT, v > y, 1)
      BANDS_HOLD(OP_GE, v >= y, 1)
    default: numbers = false; break;
    }
    if (numbers) {
      int32_t b = __builtin_ctz(holds);
      bool na = x->type == T_MISSING;
      member_put_or_na(E, pc, na, x->why, MS_SCORED, b, pc->b[b].u.num, &E->member_values[pc->n]);
      return;
    }
  }
  if (x->type == T_MISSING) {
    member_na(member_begin(E, pc->n, false), x->why);
    member_store(E, pc);
    return;
  }
#define BANDS_HOLDS(KNOWN)                                                                                   \
  switch ((Op)pc->sub) {                                                                                     \
    BANDS_HOLD(OP_EQ, v == y, KNOWN)                                                                         \
    BANDS_HOLD(OP_NE, v != y, KNOWN)                                                                         \
    BANDS_HOLD(OP_LT, v < y, KNOWN)                                                                          \
    BANDS_HOLD(OP_LE, v <= y, KNOWN)                                                                         \
    BANDS_HOLD(OP_GT, v > y, KNOWN)                                                                          \
    BANDS_HOLD(OP_GE, v >= y, KNOWN)                                                                         \
  default: numbers = false; break;                                                                           \
  }
  if (pc->aux && x->type == T_NUMBER) {
    /* the compiler found every right side a number in every account
     * and every band value a number from 0 to 100 (emit_eager_bands):
     * no test of either */
    double v = x->u.num;
    uint32_t holds = pc->len > nconds ? 1u << nconds : 0; /* `otherwise` */
    bool numbers = true;
    BANDS_HOLDS(1)
    if (holds && numbers) {
      int32_t b = __builtin_ctz(holds);
      band_scored(E, pc, b, pc->b[b].u.num);
      return;
    }
  }
  if (x->type == T_NUMBER) {
    double v = x->u.num;
    uint32_t holds = pc->len > nconds ? 1u << nconds : 0; /* `otherwise` */
    bool numbers = true;
    BANDS_HOLDS(0)
#undef BANDS_HOLDS
#undef BANDS_HOLD
    if (numbers && holds) {
      /* band B taken; its value a number (the usual: a literal) here */
      int32_t b = __builtin_ctz(holds);
      const Value *val = &pc->b[b];
      if (val->type == T_NUMBER && !isnan(val->u.num)) {
        double s = val->u.num;
        band_scored(E, pc, b, s < 0 ? 0 : s > 100 ? 100 : s);
        return;
      }
    }
    if (numbers) {
      MemberResult *mr = member_begin(E, pc->n, !holds);
      if (holds) {
        int32_t b = __builtin_ctz(holds);
        mr->band = b;
        member_score(mr, pc->b[b]);
      }
      member_store(E, pc);
      return;
    }
  }
  Value c[EAGER_BANDS_MAX];
  for (int32_t b = 0; b < nconds; b++)
    c[b] = ops_compare((Op)pc->sub, *x, k[b]);
  bands_outcome(E, pc, c);
}

/* The grade of SCORE (not NAN) by cut points G: the number of bounds
 * above it, counted without a branch that would depend on the score. */
static inline int32_t grade_cut(const CGrades *g, double score) {
  const double *bound = g->bound;
  int32_t band;
  switch (g->nbounds) { /* the usual sizes unrolled */
  case 1: band = score < bound[0]; break;
  case 2: band = (score < bound[0]) + (score < bound[1]); break;
  case 3: band = (score < bound[0]) + (score < bound[1]) + (score < bound[2]); break;
  default:
    band = 0;
    for (int32_t b = 0; b < g->nbounds; b++)
      band += score < bound[b];
    break;
  }
  return g->grade[band];
}

int32_t eval_grade_of(const Program *p, int32_t set, double score) {
  if (set < 0 || set >= p->ngrade_sets || isnan(score)) return -1;
  const GradeSet *gs = &p->grade_sets[set];
  /* The bounds decrease and the last is -inf (`otherwise`). */
  int32_t band = 0;
  for (int32_t b = 0; b < gs->nbands - 1; b++)
    band += score < gs->bands[b].bound;
  return gs->bands[band].grade;
}

/* Dimension D's outcome from ACC and SW, the Σ(wᵢ·sᵢ) and Σwᵢ over its
 * scored members with wᵢ > 0 (N/A when nothing is left): its result DR
 * (PLAN: the variant's), its grade, its value where expressions read it
 * (DST), and its part of the health's sums HS (ΣW_d·S_d, ΣW_d). */
static inline void dimension_outcome(Evaluator *E, int32_t d, const DimPlan *plan, double acc, double sw,
                                     DimResult *dr, Value *dst, double *hs) {
  E->dim_wsum[d] = sw;
  bool na = !(sw > 0);
  double score = na ? NAN : acc / sw;
  const CGrades *cut = plan->cut;
  int32_t grade = na || !cut ? -1 : grade_cut(cut, score);
  dr->na = na;
  dr->excluded = plan->excluded;
  dr->score = score;
  dr->weight = plan->weight;
  dr->grade_set = plan->grade_set;
  dr->grade = grade;
  dr->effective = 0;
  bool counts = !na && !plan->excluded;
  hs[0] += counts ? plan->weight * score : 0;
  hs[1] += counts ? plan->weight : 0;
  put_num_or_na(dst, na, score);
  put_sym_or_na(&E->dim_grades[d], grade);
}

/* Dimension D: from the sums its members' steps added to (pc->sub: see
 * emit_steps, compile.c), or adding its members up here. */
static void step_dimension(Evaluator *E, const Ins *pc) {
  int32_t d = pc->n;
  const Variant *v = E->variant;
  double *sums = pc->sums;
  double acc = sums[0], sw = sums[1];
  sums[0] = sums[1] = 0;
  if (!pc->sub) {
    const double *w = v->member_wpos;
    const MemberResult *members = E->r.members;
    int32_t first = E->cp->member_first[d], last = E->cp->member_first[d + 1];
    acc = sw = 0;
    for (int32_t i = first; i < last; i++) {
      double s = members[i].score, wi = w[i];
      /* selects, not a branch: whether a member counts is the data's (a
       * member without weight adds 0 to both) */
      bool counts = !isnan(s);
      acc += counts ? wi * s : 0;
      sw += counts ? wi : 0;
    }
  }
  dimension_outcome(E, d, &v->dims[d], acc, sw, pc->out, pc->dst, E->health_sums);
}

/* health = ACC/SW, ACC and SW the Σ(W_d·S_d) and ΣW_d over the
 * dimensions not N/A with W_d > 0; its grade, and both where expressions
 * read them. */
static inline void health_outcome(Evaluator *E, double acc, double sw) {
  Result *r = &E->r;
  E->health_wsum = sw;
  bool na = !(sw > 0);
  const CGrades *cut = E->variant->health_cut;
  r->health_na = na;
  r->health = na ? NAN : acc / sw;
  r->grade_set = E->variant->health_grades;
  r->grade = na || !cut ? -1 : grade_cut(cut, r->health);
  put_num_or_na(&E->state[ST_HEALTH], na, r->health);
  put_sym_or_na(&E->state[ST_GRADE], r->grade);
}

/* The health: from the sums the dimensions' steps added to (pc->sub: see
 * emit_steps, compile.c), or adding them up here. */
static void step_health(Evaluator *E, const Ins *pc) {
  const Result *r = &E->r;
  double acc = E->health_sums[0], sw = E->health_sums[1];
  E->health_sums[0] = E->health_sums[1] = 0;
  if (!pc->sub) {
    acc = sw = 0;
    for (int32_t d = 0; d < r->ndims; d++) {
      const DimResult *dr = &r->dims[d];
      bool counts = !dr->na && !dr->excluded;
      acc += counts ? dr->weight * dr->score : 0;
      sw += counts ? dr->weight : 0;
    }
  }
  health_outcome(E, acc, sw);
}

/* S_ROLLUP: dimensions n … n + m − 1, each from the sums its members'
 * steps added to, then the health from the sums they add to (what
 * S_DIMENSION and S_HEALTH with sub 1 do, in the same order: the same
 * results bit for bit), in one step. Their results, value slots and sums
 * follow one another: pc->out, pc->dst and pc->sums are the first
 * dimension's. */
static void step_rollup(Evaluator *E, const Ins *pc) {
  const DimPlan *plan = &E->variant->dims[pc->n];
  double *sums = pc->sums;
  DimResult *dr = pc->out;
  double hs[2] = {E->health_sums[0], E->health_sums[1]};
  for (int32_t k = 0; k < pc->m; k++) {
    double acc = sums[2 * k], sw = sums[2 * k + 1];
    sums[2 * k] = sums[2 * k + 1] = 0;
    dimension_outcome(E, pc->n + k, &plan[k], acc, sw, &dr[k], &pc->dst[k], hs);
  }
  E->health_sums[0] = E->health_sums[1] = 0;
  health_outcome(E, hs[0], hs[1]);
}

/* After the steps (no rule can refer to them): every dimension's and
 * member's effective weight, the lost points and the coverage. */
static void rollup_details(Evaluator *E) {
  const CProgram *cp = E->cp;
  Result *r = &E->r;
  const Variant *v = E->variant;
  double sw = E->health_wsum, covered = 0;
  const double *member_weight = v->member_weight, *coverage_weight = v->coverage_weight;
  for (int32_t d = 0; d < r->ndims; d++) {
    DimResult *dr = &r->dims[d];
    bool in = !r->health_na && !dr->na && !dr->excluded;
    double effective = in ? dr->weight / sw : 0, wsum = E->dim_wsum[d];
    dr->effective = effective;
    int32_t first = cp->member_first[d], last = cp->member_first[d + 1];
    for (int32_t i = first; i < last; i++) {
      MemberResult *mr = &r->members[i];
      double w = member_weight[i];
      mr->weight = w;
      if (in && !mr->na && w > 0) {
        mr->effective = effective * (w / wsum);
        mr->lost = mr->effective * (100 - mr->score);
      } else {
        mr->effective = 0;
        mr->lost = 0;
      }
      if (!mr->na) covered += coverage_weight[i];
    }
  }
  r->coverage = v->coverage_total > 0 ? covered / v->coverage_total : 0;
  r->detailed = true;
}

/* Flag N: raised (1), not (0), or FLAG_UNKNOWN (its condition missing:
 * not raised). FLAG_OFF and FLAG_RAISED are 0 and 1. */
_Static_assert(FLAG_OFF == 0 && FLAG_RAISED == 1, "a condition's bool is its flag's status");
static inline void step_flag(Evaluator *E, const Ins *pc, unsigned how) {
  E->r.flags[pc->n] = (uint8_t)how;
  *pc->dst = val_bool(how == FLAG_RAISED);
}

/* One account's code: the expressions' instructions (ops.h) and the
 * steps' here, in one function, by threaded dispatch: each instruction
 * holds the address of its code (Ins.go, set by link_labels), and each
 * case ends in a jump to the next one's. With LABELS non-NULL it only
 * gives the table of those addresses, by op. */
static void run(Evaluator *E, const Ins *pc, const void *const **labels) {
#define RUN_LABEL(op) &&L_##op
  static const void *const go[S_END + 1] = {
      [I_MOVE] = RUN_LABEL(I_MOVE),
      [I_ELEM] = RUN_LABEL(I_ELEM),
      [I_NEG] = RUN_LABEL(I_NEG),
      [I_NOT] = RUN_LABEL(I_NOT),
      [I_ADD] = RUN_LABEL(I_ADD),
      [I_SUB] = RUN_LABEL(I_SUB),
      [I_MUL] = RUN_LABEL(I_MUL),
      [I_DIV] = RUN_LABEL(I_DIV),
      [I_MOD] = RUN_LABEL(I_MOD),
      [I_EQ] = RUN_LABEL(I_EQ),
      [I_NE] = RUN_LABEL(I_NE),
      [I_LT] = RUN_LABEL(I_LT),
      [I_LE] = RUN_LABEL(I_LE),
      [I_GT] = RUN_LABEL(I_GT),
      [I_GE] = RUN_LABEL(I_GE),
      [I_AND] = RUN_LABEL(I_AND),
      [I_OR] = RUN_LABEL(I_OR),
      [I_COALESCE] = RUN_LABEL(I_COALESCE),
      [I_AND_SKIP] = RUN_LABEL(I_AND_SKIP),
      [I_OR_SKIP] = RUN_LABEL(I_OR_SKIP),
      [I_PRESENT_SKIP] = RUN_LABEL(I_PRESENT_SKIP),
      [I_BRANCH] = RUN_LABEL(I_BRANCH),
      [I_JUMP] = RUN_LABEL(I_JUMP),
      [I_IS_MISSING] = RUN_LABEL(I_IS_MISSING),
      [I_IN] = RUN_LABEL(I_IN),
      [I_CALL] = RUN_LABEL(I_CALL),
      [I_FN1] = RUN_LABEL(I_FN1),
      [I_FN2] = RUN_LABEL(I_FN2),
      [I_SCALE] = RUN_LABEL(I_SCALE),
      [I_DAYS] = RUN_LABEL(I_DAYS),
      [I_DAYS_SINCE] = RUN_LABEL(I_DAYS_SINCE),
      [I_DAYS_UNTIL] = RUN_LABEL(I_DAYS_UNTIL),
      [I_AGG] = RUN_LABEL(I_AGG),
      [I_TREND] = RUN_LABEL(I_TREND),
      [I_SYM_EQ] = RUN_LABEL(I_SYM_EQ),
      [I_SYM_NE] = RUN_LABEL(I_SYM_NE),
      [I_SELECT] = RUN_LABEL(I_SELECT),
      [S_RULE] = RUN_LABEL(S_RULE),
      [S_RULE_EQ] = RUN_LABEL(S_RULE_EQ),
      [S_RULE_NE] = RUN_LABEL(S_RULE_NE),
      [S_RULE_LT] = RUN_LABEL(S_RULE_LT),
      [S_RULE_LE] = RUN_LABEL(S_RULE_LE),
      [S_RULE_GT] = RUN_LABEL(S_RULE_GT),
      [S_RULE_GE] = RUN_LABEL(S_RULE_GE),
      [S_RULE_COALESCE] = RUN_LABEL(S_RULE_COALESCE),
      [S_RULE_AND] = RUN_LABEL(S_RULE_AND),
      [S_SCORE] = RUN_LABEL(S_SCORE),
      [S_SCORE_SCALE] = RUN_LABEL(S_SCORE_SCALE),
      [S_SCORE_SCALE_NUM] = RUN_LABEL(S_SCORE_SCALE_NUM),
      [S_BANDS] = RUN_LABEL(S_BANDS),
      [S_BANDS_CMP] = RUN_LABEL(S_BANDS_CMP),
      [S_MEMBER_NA] = RUN_LABEL(S_MEMBER_NA),
      [S_BAND_TEST] = RUN_LABEL(S_BAND_TEST),
      [S_BAND_SET] = RUN_LABEL(S_BAND_SET),
      [S_MEMBER_STORE] = RUN_LABEL(S_MEMBER_STORE),
      [S_DIMENSION] = RUN_LABEL(S_DIMENSION),
      [S_HEALTH] = RUN_LABEL(S_HEALTH),
      [S_ROLLUP] = RUN_LABEL(S_ROLLUP),
      [S_PERSONA_BEGIN] = RUN_LABEL(S_PERSONA_BEGIN),
      [S_PERSONA_TRY] = RUN_LABEL(S_PERSONA_TRY),
      [S_PERSONA_TRY_AND] = RUN_LABEL(S_PERSONA_TRY_AND),
      [S_PERSONA_END] = RUN_LABEL(S_PERSONA_END),
      [S_SEGMENT_BEGIN] = RUN_LABEL(S_SEGMENT_BEGIN),
      [S_CASE] = RUN_LABEL(S_CASE),
      [S_CASE_EQ] = RUN_LABEL(S_CASE_EQ),
      [S_CASE_NE] = RUN_LABEL(S_CASE_NE),
      [S_CASE_LT] = RUN_LABEL(S_CASE_LT),
      [S_CASE_LE] = RUN_LABEL(S_CASE_LE),
      [S_CASE_GT] = RUN_LABEL(S_CASE_GT),
      [S_CASE_GE] = RUN_LABEL(S_CASE_GE),
      [S_SEGMENT_END] = RUN_LABEL(S_SEGMENT_END),
      [S_FLAG] = RUN_LABEL(S_FLAG),
      [S_FLAG_AND] = RUN_LABEL(S_FLAG_AND),
      [S_JOURNEY_BEGIN] = RUN_LABEL(S_JOURNEY_BEGIN),
      [S_JOURNEY_STEP] = RUN_LABEL(S_JOURNEY_STEP),
      [S_JOURNEY_STEP_AND] = RUN_LABEL(S_JOURNEY_STEP_AND),
      [S_JOURNEY_END] = RUN_LABEL(S_JOURNEY_END),
      [S_END] = RUN_LABEL(S_END),
  };
#undef RUN_LABEL
  if (labels) {
    *labels = go;
    return;
  }
  Result *r = &E->r;
  int32_t bottleneck = INT32_MAX;
#define RUN_NEXT(next)                                                                                       \
  {                                                                                                          \
    pc = (next);                                                                                             \
    goto * pc->go;                                                                                           \
  }
#define RUN_CASE(op) L_##op
  goto * pc->go;
  OPS_EXPR_CASES(&E->ops, RUN_NEXT, RUN_CASE)
L_S_RULE:
  step_rule(E, pc, pc->a);
  RUN_NEXT(pc + 1);
  /* a rule whose condition is a comparison: numbers (and a missing
   * one) inline, the rest (symbols, text, dates) as ops_compare has
   * it */
#define RUN_RULE_CMP(OPCODE, HOLDS)                                                                          \
  {                                                                                                          \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    unsigned ta = pa->type, tb = pb->type;                                                                   \
    if (ta == T_NUMBER && tb == T_NUMBER) {                                                                  \
      double x = pa->u.num, y = pb->u.num;                                                                   \
      rule_outcome(E, pc, HOLDS);                                                                            \
    } else if (types_within(ta, tb, NUM_OR_MISSING)) {                                                       \
      /* a number and a missing value, or two: N/A for the first one's                                       \
       * reason (as ops_compare and step_rule have it; no call) */                                           \
      member_unscored(pc, ta == T_MISSING ? pa : pb);                                                        \
    } else {                                                                                                 \
      Value c = ops_compare(OPCODE, *pa, *pb);                                                               \
      step_rule(E, pc, &c);                                                                                  \
    }                                                                                                        \
    RUN_NEXT(pc + 1);                                                                                        \
  }
  /* the six comparisons of a step: BODY(its Op, what holds of the
   * numbers x and y) at the label L_<STEP>_EQ … L_<STEP>_GE */
/* clang-format off */
#define RUN_CMP_CASES(STEP, BODY)                                                                            \
  L_##STEP##_EQ: BODY(OP_EQ, x == y)                                                                         \
  L_##STEP##_NE: BODY(OP_NE, x != y)                                                                         \
  L_##STEP##_LT: BODY(OP_LT, x < y)                                                                          \
  L_##STEP##_LE: BODY(OP_LE, x <= y)                                                                         \
  L_##STEP##_GT: BODY(OP_GT, x > y)                                                                          \
  L_##STEP##_GE: BODY(OP_GE, x >= y)
  /* clang-format on */
  RUN_CMP_CASES(S_RULE, RUN_RULE_CMP)
#undef RUN_RULE_CMP
L_S_RULE_COALESCE:
  step_rule(E, pc, pc->a->type != T_MISSING ? pc->a : pc->b);
  RUN_NEXT(pc + 1);
L_S_RULE_AND : {
  const Value *pa = pc->a, *pb = pc->b;
  if (pa->type == T_BOOL && pb->type == T_BOOL) {
    rule_outcome(E, pc, pa->u.b & pb->u.b);
    RUN_NEXT(pc + 1);
  }
  Value c = ops_and(*pa, *pb);
  step_rule(E, pc, &c);
  RUN_NEXT(pc + 1);
}
L_S_SCORE:
  step_score(E, pc, pc->a);
  RUN_NEXT(pc + 1);
L_S_SCORE_SCALE : {
  /* as I_SCALE (ops.h) */
  const Value *px = pc->a, *plo = pc->b, *phi = pc->c;
  if (px->type == T_NUMBER && plo->type == T_NUMBER && phi->type == T_NUMBER && plo->u.num != phi->u.num) {
    double s = (px->u.num - plo->u.num) / (phi->u.num - plo->u.num) * 100;
    if (isfinite(s)) {
      member_scored(E, pc, MS_SCORED, s < 0 ? 0 : s > 100 ? 100 : s);
      RUN_NEXT(pc + 1);
    }
  }
  Value v = ops_scale(*px, *plo, *phi);
  step_score(E, pc, &v);
  RUN_NEXT(pc + 1);
}
L_S_SCORE_SCALE_NUM : {
  /* as S_SCORE_SCALE, its bounds known to be numbers that differ; a
   * missing value (N/A for its reason, as ops_scale and step_score have
   * it) without a branch */
  const Value *px = pc->a;
  unsigned tx = px->type;
  if (types_within(tx, tx, NUM_OR_MISSING)) {
    double lo = pc->b->u.num, s = (px->u.num - lo) / (pc->c->u.num - lo) * 100;
    bool na = tx == T_MISSING;
    if (isfinite(s) | na) {
      member_put_or_na(E, pc, na, px->why, MS_SCORED, -1, s < 0 ? 0 : s > 100 ? 100 : s, pc->dst);
      RUN_NEXT(pc + 1);
    }
  }
  Value v = ops_scale(*px, *pc->b, *pc->c);
  step_score(E, pc, &v);
  RUN_NEXT(pc + 1);
}
L_S_BANDS:
  step_bands(E, pc);
  RUN_NEXT(pc + 1);
L_S_BANDS_CMP:
  step_bands_cmp(E, pc);
  RUN_NEXT(pc + 1);
L_S_MEMBER_NA:
  member_begin(E, pc->n, true);
  RUN_NEXT(pc + 1);
L_S_BAND_TEST : {
  /* bands one at a time: N/A when a missing condition comes first */
  Value c = *pc->a;
  if (c.type != T_BOOL) {
    member_na(&r->members[pc->n], c.type == T_MISSING ? c.why : MISS_DOMAIN);
    RUN_NEXT(pc + 1 + pc->len);
  }
  RUN_NEXT(pc + 1 + (c.u.b ? 0 : pc->m));
}
L_S_BAND_SET:
  r->members[pc->n].band = pc->sub;
  member_score(&r->members[pc->n], *pc->a);
  RUN_NEXT(pc + 1 + pc->len);
L_S_MEMBER_STORE:
  member_store(E, pc);
  RUN_NEXT(pc + 1);
L_S_DIMENSION:
  step_dimension(E, pc);
  RUN_NEXT(pc + 1);
L_S_HEALTH:
  step_health(E, pc);
  RUN_NEXT(pc + 1);
L_S_ROLLUP:
  step_rollup(E, pc);
  RUN_NEXT(pc + 1);
L_S_PERSONA_BEGIN:
  /* the default variant until a persona is known (the conditions read
   * the default thresholds as constants: the table is filled at
   * S_PERSONA_END, the first step that reads it) */
  E->variant = E->default_variant;
  E->wpos = E->default_variant->member_wpos;
  if (r->npersonas <= 8) { /* (the usual: one store; the array has room for 8) */
    uint64_t none = 0;
    _Static_assert(PT_NOT_TRIED == 0, "no persona tried is all zeros");
    memcpy(r->persona_tried, &none, sizeof none);
  } else {
    for (int32_t i = 0; i < r->npersonas; i++)
      r->persona_tried[i] = PT_NOT_TRIED;
  }
  r->persona = -1;
  RUN_NEXT(pc + 1);
#define RUN_PERSONA_TRY(C)                                                                                   \
  {                                                                                                          \
    Value c = (C);                                                                                           \
    if (c.type == T_BOOL && c.u.b) {                                                                         \
      r->persona = pc->n;                                                                                    \
      r->persona_tried[pc->n] = PT_MATCHED;                                                                  \
      RUN_NEXT(pc + 1 + pc->len);                                                                            \
    }                                                                                                        \
    r->persona_tried[pc->n] = c.type == T_BOOL ? PT_FALSE : PT_MISSING;                                      \
    RUN_NEXT(pc + 1);                                                                                        \
  }
L_S_PERSONA_TRY:
  RUN_PERSONA_TRY(pc->a ? *pc->a : val_bool(true))
L_S_PERSONA_TRY_AND : {
  const Value *pa = pc->a, *pb = pc->b;
  RUN_PERSONA_TRY(pa->type == T_BOOL && pb->type == T_BOOL ? val_bool(pa->u.b & pb->u.b) : ops_and(*pa, *pb))
}
#undef RUN_PERSONA_TRY
L_S_PERSONA_END:
  put_sym_or_na(&E->state[ST_PERSONA], r->persona);
  use_variant(E, &E->cp->variants[r->persona >= 0 ? r->persona : E->p->npersonas]);
  RUN_NEXT(pc + 1);
L_S_SEGMENT_BEGIN:
  r->segments[pc->n] = -1;
  RUN_NEXT(pc + 1);
L_S_CASE:
  if (!pc->a || (pc->a->type == T_BOOL && pc->a->u.b)) {
    r->segments[pc->n] = pc->sub;
    RUN_NEXT(pc + 1 + pc->len);
  }
  RUN_NEXT(pc + 1);
  /* a case whose condition is a comparison: numbers inline, the rest as
   * ops_compare has it (taken only when true) */
#define RUN_CASE_CMP(OPCODE, HOLDS)                                                                          \
  {                                                                                                          \
    const Value *pa = pc->a, *pb = pc->b;                                                                    \
    bool taken;                                                                                              \
    if (pa->type == T_NUMBER && pb->type == T_NUMBER) {                                                      \
      double x = pa->u.num, y = pb->u.num;                                                                   \
      taken = HOLDS;                                                                                         \
    } else {                                                                                                 \
      Value c = ops_compare(OPCODE, *pa, *pb);                                                               \
      taken = c.type == T_BOOL && c.u.b;                                                                     \
    }                                                                                                        \
    if (taken) {                                                                                             \
      r->segments[pc->n] = pc->sub;                                                                          \
      RUN_NEXT(pc + 1 + pc->len);                                                                            \
    }                                                                                                        \
    RUN_NEXT(pc + 1);                                                                                        \
  }
  RUN_CMP_CASES(S_CASE, RUN_CASE_CMP)
#undef RUN_CASE_CMP
#undef RUN_CMP_CASES
L_S_SEGMENT_END:
  put_sym_or_na(&E->state[E->cp->state_segment + pc->n], r->segments[pc->n]);
  RUN_NEXT(pc + 1);
L_S_FLAG : {
  Value c = *pc->a;
  step_flag(E, pc, c.type == T_BOOL ? c.u.b : FLAG_UNKNOWN);
  RUN_NEXT(pc + 1);
}
L_S_FLAG_AND : {
  const Value *pa = pc->a, *pb = pc->b;
  if (pa->type == T_BOOL && pb->type == T_BOOL) {
    step_flag(E, pc, pa->u.b & pb->u.b);
  } else {
    Value c = ops_and(*pa, *pb);
    step_flag(E, pc, c.type == T_BOOL ? c.u.b : FLAG_UNKNOWN);
  }
  RUN_NEXT(pc + 1);
}
L_S_JOURNEY_BEGIN:
  bottleneck = INT32_MAX;
  RUN_NEXT(pc + 1);
  /* the first step not passed, as a minimum (no branch on the data) */
#define RUN_JOURNEY_STEP(ST)                                                                                 \
  {                                                                                                          \
    uint8_t st = (ST);                                                                                       \
    r->steps[pc->n] = st;                                                                                    \
    uint32_t passed = -(uint32_t)(st == STEP_PASS); /* (a mask: a select gcc made a branch) */               \
    int32_t at = (int32_t)(((uint32_t)pc->n & ~passed) | ((uint32_t)INT32_MAX & passed));                    \
    bottleneck = at < bottleneck ? at : bottleneck;                                                          \
    RUN_NEXT(pc + 1);                                                                                        \
  }
  /* (a step passes when its condition is: STEP_PASS is true's 1,
   * STEP_FAIL false's 0, taken as they are rather than by a branch) */
  _Static_assert(STEP_FAIL == 0 && STEP_PASS == 1, "a condition's bool is its step's status");
L_S_JOURNEY_STEP : {
  const Value *c = pc->a;
  RUN_JOURNEY_STEP(c->type == T_BOOL ? (uint8_t)c->u.b : STEP_UNKNOWN)
}
L_S_JOURNEY_STEP_AND : {
  const Value *pa = pc->a, *pb = pc->b;
  if (pa->type == T_BOOL && pb->type == T_BOOL) RUN_JOURNEY_STEP((uint8_t)(pa->u.b & pb->u.b))
  Value c = ops_and(*pa, *pb);
  RUN_JOURNEY_STEP(c.type == T_BOOL ? (c.u.b ? STEP_PASS : STEP_FAIL) : STEP_UNKNOWN)
}
#undef RUN_JOURNEY_STEP
L_S_JOURNEY_END:
  r->bottleneck = bottleneck == INT32_MAX ? -1 : bottleneck;
  put_sym_or_na(&E->state[ST_BOTTLENECK], r->bottleneck);
  RUN_NEXT(pc + 1);
L_S_END:
  return;
#undef RUN_NEXT
#undef RUN_CASE
}

/* Points every instruction of the instance's code at its code in run,
 * and every member's step at its dimension's sums. */
static void link_labels(Evaluator *E) {
  const void *const *go;
  run(E, NULL, &go);
  Ins *code = E->instance.run;
  for (int32_t i = 0; i < E->instance.ncode; i++) {
    code[i].go = go[code[i].op];
    switch (code[i].op) {
    case S_RULE:
    case S_RULE_EQ:
    case S_RULE_NE:
    case S_RULE_LT:
    case S_RULE_LE:
    case S_RULE_GT:
    case S_RULE_GE:
    case S_RULE_COALESCE:
    case S_RULE_AND:
    case S_SCORE:
    case S_SCORE_SCALE:
    case S_SCORE_SCALE_NUM:
    case S_BANDS:
    case S_BANDS_CMP:
    case S_MEMBER_STORE:
      code[i].sums = &E->dim_sums[2 * E->cp->members[code[i].n].dim];
      code[i].out = &E->r.members[code[i].n];
      break;
    case S_DIMENSION:
    case S_ROLLUP: /* (its first dimension's) */
      code[i].sums = &E->dim_sums[2 * code[i].n];
      code[i].out = &E->r.dims[code[i].n];
      break;
    default: break;
    }
  }
}

/* ---- explanations ------------------------------------------------------- */

/* A trend call's value for the last account (REF_TREND), and in *FROM the
 * date of the snapshot it came from. */
static Value trend_ref(const Evaluator *E, const ExplainRef *ref, int32_t *from) {
  const TrendCall *call = &E->p->trend_calls[ref->index];
  const TrendSubject *t = &E->p->trend_subjects[call->subject];
  ExplainRef subject = {t->kind, t->index, t->sub, t->name};
  Value now = eval_ref_value(E, &subject, false);
  return trend_value(E->ops.trend, call, call->subject, now, E->ops.as_of, from);
}

/* eval_ref_value's body, inline in eval_ref_values (an explanation reads
 * about 18 references an account this way). */
static inline Value ref_value(const Evaluator *E, const ExplainRef *ref, bool default_thresholds) {
  const Result *r = &E->r;
  switch ((RefKind)ref->kind) {
  case REF_INPUT: return E->ops.base[LB_INPUT][ref->index];
  case REF_INDICATOR:
    if (default_thresholds && E->p->indicators[ref->index].persona_defaults)
      return E->indicators[E->p->nindicators + ref->index];
    return E->indicators[ref->index];
  case REF_THRESHOLD:
    return default_thresholds ? E->cp->variants[E->p->npersonas].thresholds[ref->index]
                              : E->variant->thresholds[ref->index];
  case REF_DIMENSION: return E->dim_values[ref->index];
  case REF_DIM_GRADE: return sym_or_na(r->dims[ref->index].grade);
  case REF_MEMBER: return E->member_values[E->cp->member_first[ref->index] + ref->sub];
  case REF_SEGMENT: return sym_or_na(r->segments[ref->index]);
  case REF_HEALTH: return r->health_na ? val_missing(MISS_NOT_APPLICABLE) : val_num(r->health);
  case REF_GRADE: return sym_or_na(r->grade);
  case REF_PERSONA: return sym_or_na(r->persona);
  case REF_BOTTLENECK: return sym_or_na(r->bottleneck);
  case REF_AS_OF: return val_date(E->ops.as_of);
  case REF_FLAG: return val_bool(r->flags[ref->index] == FLAG_RAISED);
  case REF_TREND: {
    int32_t from;
    return trend_ref(E, ref, &from);
  }
  default: return val_missing(MISS_DOMAIN);
  }
}

Value eval_ref_value(const Evaluator *E, const ExplainRef *ref, bool default_thresholds) {
  return ref_value(E, ref, default_thresholds);
}

const Value *eval_ref_slot(const Evaluator *E, const ExplainRef *ref, bool default_thresholds) {
  switch ((RefKind)ref->kind) {
  case REF_INPUT: return &E->ops.base[LB_INPUT][ref->index];
  case REF_INDICATOR:
    /* with the default thresholds: the copy computed with them for the
     * persona conditions, when there is one (as ref_value has it) */
    if (default_thresholds && E->p->indicators[ref->index].persona_defaults)
      return &E->indicators[E->p->nindicators + ref->index];
    return &E->indicators[ref->index];
  case REF_THRESHOLD:
    /* the table holds the thresholds of the variant in effect */
    return default_thresholds ? &E->cp->variants[E->p->npersonas].thresholds[ref->index]
                              : &E->ops.base[LB_THRESHOLD][ref->index];
  case REF_DIMENSION: return &E->dim_values[ref->index];
  case REF_MEMBER: return &E->member_values[E->cp->member_first[ref->index] + ref->sub];
  /* the state the steps put for expressions to read (the same 16 bytes
   * as ref_value's: put_sym_or_na, put_num_or_na, step_flag) */
  case REF_DIM_GRADE: return &E->dim_grades[ref->index];
  case REF_SEGMENT: return &E->state[E->cp->state_segment + ref->index];
  case REF_HEALTH: return &E->state[ST_HEALTH];
  case REF_GRADE: return &E->state[ST_GRADE];
  case REF_PERSONA: return &E->state[ST_PERSONA];
  case REF_BOTTLENECK: return &E->state[ST_BOTTLENECK];
  case REF_AS_OF: return &E->state[ST_AS_OF];
  case REF_FLAG: return &E->state[E->cp->state_flagged + ref->index];
  default: return NULL;
  }
}

int32_t eval_ref_date(const Evaluator *E, const ExplainRef *ref) {
  int32_t from = INT32_MIN;
  if (ref->kind == REF_TREND) trend_ref(E, ref, &from);
  return from;
}

void eval_set_trend(Evaluator *E, const TrendView *view) { E->ops.trend = view; }

void eval_trend_subjects(const Evaluator *E, Value *out) {
  const Program *p = E->p;
  for (int32_t i = 0; i < p->ntrend_subjects; i++) {
    const TrendSubject *t = &p->trend_subjects[i];
    ExplainRef ref = {t->kind, t->index, t->sub, t->name};
    out[i] = eval_ref_value(E, &ref, false);
  }
}

void eval_ref_values(const Evaluator *E, const RefList *refs, Value *out, bool default_thresholds) {
  for (int32_t k = 0; k < refs->count; k++)
    out[k] = ref_value(E, &refs->refs[k], default_thresholds);
}

/* ---- the API -------------------------------------------------------------- */

const Result *eval_account(Evaluator *E, const Value *inputs, int32_t as_of, EvalDepth depth) {
  const CProgram *cp = E->cp;
  /* (the arenas are seldom used: no call when nothing was ever
   * allocated in them) */
  if (E->scratch.head) arena_reset(&E->scratch);
  if (E->exprs.head) arena_reset(&E->exprs);
  if (inputs != E->ops.base[LB_INPUT])
    memcpy(E->ops.base[LB_INPUT], inputs, (size_t)E->p->ninputs * sizeof(Value));
  E->ops.as_of = as_of;
  E->r.as_of = as_of;
  E->state[ST_AS_OF] = val_date(as_of);
  run(E, cp->run, NULL);
  if (depth >= EVAL_DETAILS) {
    rollup_details(E);
  } else {
    E->r.detailed = false;
    E->r.coverage = NAN;
  }
  return &E->r;
}

Value *eval_inputs(Evaluator *E) { return E->ops.base[LB_INPUT]; }

const Result *eval_result(const Evaluator *E) { return &E->r; }

/* Sets every slot to "nothing known" (the state before any account). */
static void reset_state(Evaluator *E) {
  const Program *p = E->p;
  Result *r = &E->r;
  for (int32_t i = 0; i < p->ninputs; i++)
    E->ops.base[LB_INPUT][i] = val_missing(MISS_ABSENT);
  for (int32_t i = 0; i < 2 * p->nindicators; i++) /* then with the default thresholds */
    E->indicators[i] = val_missing(MISS_ABSENT);
  for (int32_t i = 0; i < r->nmembers; i++) {
    E->member_values[i] = val_missing(MISS_NOT_APPLICABLE);
    member_na(&r->members[i], MISS_NOT_APPLICABLE);
    r->members[i].band = -1;
  }
  for (int32_t d = 0; d < r->ndims; d++) {
    E->dim_values[d] = val_missing(MISS_NOT_APPLICABLE);
    r->dims[d].na = true;
    r->dims[d].score = NAN;
    r->dims[d].grade = -1;
    r->dims[d].grade_set = -1;
  }
  for (int32_t i = 0; i < r->nsegments; i++)
    r->segments[i] = -1;
  for (int32_t i = 0; i < r->npersonas; i++)
    r->persona_tried[i] = PT_NOT_TRIED;
  for (int32_t i = 0; i < r->nflags; i++)
    r->flags[i] = FLAG_OFF;
  for (int32_t i = 0; i < r->nsteps; i++)
    r->steps[i] = STEP_UNKNOWN;
  r->persona = -1;
  r->health_na = true;
  r->health = NAN;
  r->grade = -1;
  r->grade_set = -1;
  r->coverage = 0;
  r->bottleneck = -1;
  E->health_sums[0] = E->health_sums[1] = 0;
  for (int32_t i = 0; i < 2 * r->ndims; i++)
    E->dim_sums[i] = 0;
  for (int32_t i = 0; i < E->cp->nstate; i++)
    E->state[i] = val_missing(MISS_NOT_APPLICABLE);
  for (int32_t f = 0; f < r->nflags; f++)
    E->state[E->cp->state_flagged + f] = val_bool(false);
  E->state[ST_AS_OF] = val_date(E->ops.as_of);
  memcpy(E->ops.base[LB_THRESHOLD], E->cp->variants[p->npersonas].thresholds,
         (size_t)p->nthresholds * sizeof(Value));
  E->in_table = NULL;
  use_variant(E, &E->cp->variants[p->npersonas]);
}

#define ALLOC(E, n, T) ((T *)arena_alloc(&(E)->arena, ((size_t)(n) + 1) * sizeof(T)))

Evaluator *eval_new(const CProgram *compiled) {
  const Program *p = compiled->prog;
  Evaluator *E = xcalloc(1, sizeof *E);
  E->p = p;
  arena_init(&E->arena, 64 * 1024);
  arena_init(&E->scratch, 16 * 1024);
  arena_init(&E->exprs, 16 * 1024);
  E->compiled = compiled;
  compile_instance(compiled, &E->instance, &E->arena);
  const CProgram *cp = E->cp = &E->instance;
  E->dim_sums = ALLOC(E, 2 * p->ndimensions, double);
  E->default_variant = &cp->variants[p->npersonas];
  E->ops.text_arena = &E->scratch;
  E->ops.prog = p;
  Result *r = &E->r;
  r->npersonas = p->npersonas;
  r->nsegments = p->nsegments;
  r->ndims = p->ndimensions;
  r->nmembers = cp->nmembers;
  r->nflags = p->nflags;
  r->nsteps = p->nsteps;
  r->persona_tried = ALLOC(E, p->npersonas > 8 ? p->npersonas : 8, uint8_t); /* (S_PERSONA_BEGIN) */
  r->segments = ALLOC(E, p->nsegments, int32_t);
  r->dims = ALLOC(E, p->ndimensions, DimResult);
  r->members = ALLOC(E, cp->nmembers, MemberResult);
  r->flags = ALLOC(E, p->nflags, uint8_t);
  r->steps = ALLOC(E, p->nsteps, uint8_t);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    r->dims[d].members = r->members + cp->member_first[d];
    r->dims[d].nmembers = p->dimensions[d].nmembers;
    for (int32_t i = cp->member_first[d]; i < cp->member_first[d + 1]; i++) {
      r->members[i].dim = d;
      r->members[i].index = i - cp->member_first[d];
    }
  }
  link_labels(E); /* (after the Result's arrays: the steps point into them) */
  E->ops.base = cp->tables;
  E->indicators = cp->tables[LB_INDICATOR];
  E->member_values = cp->tables[LB_MEMBER];
  E->dim_values = cp->tables[LB_DIM];
  E->dim_wsum = ALLOC(E, p->ndimensions, double);
  E->ops.elem = ALLOC(E, p->ninputs, const Value *);
  E->state = cp->tables[LB_STATE];
  E->dim_grades = E->state + cp->state_dim_grade;
  reset_state(E);
  return E;
}

void eval_free(Evaluator *E) {
  if (!E) return;
  arena_free(&E->arena);
  arena_free(&E->scratch);
  arena_free(&E->exprs);
  free(E);
}

Value eval_expr_in_account(Evaluator *E, const Node *expr) {
  const CExpr *x = compile_expr(E->cp, &E->exprs, expr);
  if (!x) return val_missing(MISS_DOMAIN);
  return eval_compiled(E, x);
}

const CExpr *eval_compile(const Evaluator *E, Arena *arena, const Node *expr) {
  return compile_expr(E->cp, arena, expr);
}

Evaluator *eval_new_like(const Evaluator *E) { return eval_new(E->compiled); }

Value eval_compiled(Evaluator *E, const CExpr *x) {
  ops_run(&E->ops, x->code, x->code + x->ncode);
  return *x->result;
}

RefList eval_expr_refs(Evaluator *E, const Node *expr) {
  return compile_refs(E->cp, &E->arena, &expr, expr ? 1 : 0);
}

Value eval_threshold_value(const Evaluator *E, int32_t t, int32_t persona) {
  if (t < 0 || t >= E->p->nthresholds) return val_missing(MISS_DOMAIN);
  return compile_variant(E->cp, persona)->thresholds[t];
}

/* ---- test data ------------------------------------------------------------ */

/* A literal of a `given` block as a value (records are handled by the
 * caller). */
static Value literal_value(const Node *v) {
  switch ((NodeKind)v->kind) {
  case E_NUM: return val_num(v->num);
  case E_STR: return val_text(v->str, (uint32_t)strlen(v->str));
  case E_DATE: return val_date(v->date);
  case E_BOOL: return val_bool(v->num != 0);
  default: return val_missing(MISS_ABSENT);
  }
}

/* `[ { f: v, … }, … ]` as a list value of IN's records. */
static Value list_value(const InputDecl *in, const Node *v, Arena *arena) {
  int32_t n = v->list.count, width = in->nfields;
  Value *items = arena_alloc(arena, ((size_t)n * (size_t)width + 1) * sizeof *items);
  for (int32_t k = 0; k < n; k++) {
    Value *rec = items + (size_t)k * (size_t)width;
    for (int32_t f = 0; f < width; f++)
      rec[f] = val_missing(MISS_ABSENT);
    const Node *r = v->list.items[k];
    for (int32_t j = 0; j < r->list.count; j++) {
      const Node *fv = r->list.items[j];
      for (int32_t f = 0; f < width; f++)
        if (strcmp(in->fields[f].name, fv->name) == 0) rec[f] = literal_value(fv->a);
    }
  }
  Value list = {0};
  list.type = T_LIST;
  list.len = (uint32_t)n;
  list.u.items = items;
  return list;
}

Value *eval_given_inputs(const Program *p, const Node *given, Arena *arena) {
  Value *in = arena_alloc(arena, ((size_t)p->ninputs + 1) * sizeof *in);
  for (int32_t i = 0; i < p->ninputs; i++)
    in[i] = val_missing(MISS_ABSENT);
  if (!given) return in;
  for (int32_t k = 0; k < given->list.count; k++) {
    const Node *fv = given->list.items[k];
    for (int32_t i = 0; i < p->ninputs; i++) {
      if (strcmp(p->inputs[i].name, fv->name) != 0) continue;
      if (fv->a->kind == E_LIST && p->inputs[i].type == T_LIST)
        in[i] = list_value(&p->inputs[i], fv->a, arena);
      else
        in[i] = literal_value(fv->a);
    }
  }
  return in;
}

/* ---- the readers' schema ------------------------------------------------ */

/* A field of the readers' schema: what a top-level input and a list's
 * element field have in common (key and display are the caller's). */
static FieldSchema field_schema(const char *name, const char *column, uint8_t type, bool optional,
                                const char **allowed, int32_t nallowed) {
  return (FieldSchema){.name = name,
                       .column = column,
                       .type = type,
                       .optional = optional,
                       .allowed = (const char *const *)allowed,
                       .nallowed = nallowed};
}

void eval_schema(const Program *p, Schema *out, Arena *arena) {
  FieldSchema *fs = arena_alloc(arena, ((size_t)p->ninputs + 1) * sizeof *fs);
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    fs[i] = field_schema(in->name, in->column ? in->column : in->name, in->type, in->optional, in->allowed,
                         in->nallowed);
    fs[i].key = in->key;
    fs[i].display = in->display;
    if (in->type == T_LIST) {
      FieldSchema *el = arena_alloc(arena, ((size_t)in->nfields + 1) * sizeof *el);
      for (int32_t k = 0; k < in->nfields; k++) {
        const ListField *lf = &in->fields[k];
        el[k] = field_schema(lf->name, lf->name, lf->type, lf->optional, lf->allowed, lf->nallowed);
      }
      fs[i].fields = el;
      fs[i].nfields = in->nfields;
    }
  }
  out->inputs = fs;
  out->ninputs = p->ninputs;
  out->key_index = p->key_input;
}
