/* diff.c — `kenko diff`: what changed between two rule versions over the
 * same data (or between two data snapshots under one rule set): the grade
 * transition matrix, the accounts whose grade changed with the members
 * whose lost points moved most, what the CSM feels besides grades (flags
 * raised and cleared, health moves of --min-change points within a
 * grade, bottleneck changes), and the change in the forecast.
 *
 * The two versions may declare different inputs, so each reads the data
 * with its own schema: the data is streamed once per version, and a third
 * time (old version again) only when some account changed grade or was
 * scored by the old run alone. What is kept per account is small: its
 * old grade, health, bottleneck and raised flags (one bit a flag), about
 * 24 bytes in arrays by place in the data (the
 * same data), or by its key's index in a table of the keys, compared by
 * their text (two snapshots; keys.h). The lost points are kept only for
 * the accounts whose grade changed — the account list the output shows:
 * the new run's per member, until the third pass pairs them with the old
 * run's and keeps the DIFF_TOP_MEMBERS that moved most. */
#include "base/i18n.h"
#include "portfolio/diff.h"
#include "portfolio/portfolio.h"
#include "portfolio/report.h" /* report_kpi_fields */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/numfmt.h"
#include "base/vec.h"
#include "front/diag.h"
#include "engine/eval.h"
#include "engine/keys.h"
#include "io/reader.h"
#include "engine/result.h"
#include "run/run.h"
#include "io/json.h"
#include "io/table.h"
#include "engine/kpi.h"

/* Lost points that moved less than this are taken as unchanged. */
#define DIFF_EPSILON 1e-9

/* ---- accounts of the old run, by identity ------------------------------ */

/* What is kept of each account the old run scored. */
typedef struct AccountInfo {
  int32_t changed; /* index into Diff.changed, or -1 */
  int16_t grade;   /* the old grade, or -1 */
  uint8_t seen;    /* the new run scored it too */
  uint8_t present; /* the old run scored it */
} AccountInfo;

/* The same data: an array by place in the data. Two snapshots: an array
 * by the index of the key in KEYS (8 bytes an account, plus the key). */
typedef struct AccountMap {
  bool by_key;
  KeyTable keys;
  AccountInfo *places;
  size_t nplaces, cap;
  /* beside places, by the same index: the old run's health (NAN: none),
   * bottleneck (old step, -1: none) and raised flags (fwords words) */
  double *health;
  int32_t *bottleneck;
  uint64_t *flags;
  int32_t fwords;
} AccountMap;

/* The identity of account A read with P's rules: its place in the data,
 * or (two snapshots) its key's index, the key added to the table when
 * ADD, else -1 when it is not there. */
static int64_t identity(AccountMap *m, const Program *p, const Account *a, bool add) {
  if (!m->by_key) return (int64_t)a->ordinal;
  char buf[32];
  size_t n;
  const char *text = key_text(&a->values[p->key_input], a->id, buf, &n);
  uint64_t h = key_hash(text, n);
  if (!add) return keys_find(&m->keys, h, text, n);
  bool added;
  return keys_put(&m->keys, h, text, n, &added);
}

static AccountInfo *map_find(AccountMap *m, const Program *p, const Account *a) {
  int64_t id = identity(m, p, a, false);
  return id >= 0 && (size_t)id < m->nplaces && m->places[id].present ? &m->places[id] : NULL;
}

/* The entry of account A, made when new. */
static AccountInfo *map_add(AccountMap *m, const Program *p, const Account *a) {
  size_t id = (size_t)identity(m, p, a, true);
  if (id >= m->nplaces) {
    if (id >= m->cap) {
      size_t cap = m->cap ? m->cap : 1024;
      while (cap <= id)
        cap *= 2;
      m->places = xrealloc(m->places, cap * sizeof *m->places);
      m->health = xrealloc(m->health, cap * sizeof *m->health);
      m->bottleneck = xrealloc(m->bottleneck, cap * sizeof *m->bottleneck);
      m->flags = xrealloc(m->flags, cap * (size_t)m->fwords * sizeof *m->flags + 1);
      m->cap = cap;
    }
    memset(m->places + m->nplaces, 0, (id + 1 - m->nplaces) * sizeof *m->places);
    memset(m->flags + m->nplaces * (size_t)m->fwords, 0,
           (id + 1 - m->nplaces) * (size_t)m->fwords * sizeof *m->flags);
    m->nplaces = id + 1;
  }
  AccountInfo *info = &m->places[id];
  if (!info->present) {
    info->present = 1;
    info->changed = -1;
    info->grade = -1;
  }
  return info;
}

/* ---- one version: rules, data, and what its run adds up ---------------- */

typedef struct Side {
  const Program *p;
  Evaluator *ev;
  const char *const *data;
  int ndata;
  int32_t nmembers;
  int32_t *member_dim;   /* flat member → dimension */
  const Member **member; /* flat member → declaration */
  int32_t *other_member; /* flat member → the other version's member of
                            the same DIM.MEMBER name, or -1 */
  int32_t *other_grade;  /* grade → the other version's grade of the same
                            name, or -1 */
  int32_t *other_flag;   /* flag → the other version's flag of the same
                            name, or -1 */
  int32_t *other_step;   /* journey step → the other version's, or -1 */
  uint64_t *grades;      /* accounts per grade, then no grade */
  double *weight;        /* [forecast × grade]: Σ `weighted by` values */
  uint64_t scored;
  kenko_run_stats stats;
  KpiRun *kpis; /* the KPIs over this version's run, or NULL */
} Side;

/* How one member's lost points moved for an account. */
typedef struct Move {
  int32_t old_member, new_member; /* flat; -1 when absent in that version */
  double old_lost, new_lost;
} Move;

typedef struct Changed {
  char *id;
  char *name; /* the display name in the new run, or NULL */
  int32_t old_grade, new_grade;
  double old_health, new_health; /* NAN when missing */
  double *new_lost;              /* per new member, until the third pass */
  Move top[DIFF_TOP_MEMBERS];
  int32_t ntop;
} Changed;

/* An account scored by one run only. */
typedef struct Listed {
  char *id;
  char *name; /* the display name, or NULL */
  int32_t grade;
  double health;
} Listed;

/* An account whose health moved at least --min-change points while its
 * grade stayed. */
typedef struct Moved {
  char *id;
  char *name;    /* the display name, or NULL */
  int32_t grade; /* the new grade */
  double old_health, new_health;
  uint64_t order; /* its place among the compared accounts (ties) */
} Moved;

/* An account whose raised flags changed: flag pairs (FlagPair index)
 * raised and cleared, in pair order. */
typedef struct FlagChange {
  char *id;
  char *name;
  int32_t *raised, *cleared;
  int32_t nraised, ncleared;
} FlagChange;

/* A flag of either version, paired by name (-1 where absent), with the
 * accounts that raised it anew and those that cleared it. */
typedef struct FlagPair {
  int32_t old_flag, new_flag;
  uint64_t raised, cleared;
} FlagPair;

/* An account whose bottleneck (the first journey step not passed; -1:
 * every step passed) changed. */
typedef struct StepChange {
  char *id;
  char *name;
  int32_t old_step, new_step;
} StepChange;

typedef struct Diff {
  Side old, new;
  double min_change; /* --min-change: points of health */
  FlagPair *fpairs;
  int32_t nfpairs;
  int32_t *new_fpair; /* new flag → its pair */
  int32_t *old_fpair; /* old flag → its pair */
  Moved *moved;
  size_t nmoved, capmoved;
  FlagChange *fchanges;
  size_t nfchanges, capfchanges;
  StepChange *steps;
  size_t nsteps, capsteps;
  bool by_key; /* two snapshots: accounts matched by key */
  AccountMap map;
  uint64_t *matrix; /* (old grades + 1) × (new grades + 1) */
  uint64_t compared;
  Changed *changed;
  size_t nchanged, capchanged;
  Listed *added, *removed;
  size_t nadded, capadded, nremoved, capremoved;
  unsigned long long limit; /* text: accounts listed per list (0: all) */
} Diff;

static double health_of(const Result *r) { return r->health_na ? NAN : r->health; }

/* Counts the account for SIDE's forecast. */
static void side_count(Side *s, const Account *a, const Result *r) {
  const Program *p = s->p;
  s->scored++;
  if (s->kpis) kpi_account(s->kpis);
  s->grades[r->grade >= 0 ? r->grade : p->ngrade_names]++;
  if (r->grade < 0) return;
  for (int32_t f = 0; f < p->nforecasts; f++) {
    int32_t in = p->forecasts[f].weight_input;
    if (in < 0) continue;
    Value v = a->values[in];
    if (v.type == T_NUMBER && isfinite(v.u.num) && v.u.num >= 0)
      s->weight[(size_t)f * (size_t)p->ngrade_names + (size_t)r->grade] += v.u.num;
  }
}

static Listed listed(const Account *a, const Result *r) {
  Listed l = {xstrdup(a->id), a->name ? xstrdup(a->name) : NULL, r->grade, health_of(r)};
  return l;
}

static bool same_grade(const Diff *d, int32_t old_grade, int32_t new_grade) {
  if (old_grade < 0 || new_grade < 0) return old_grade < 0 && new_grade < 0;
  return d->old.other_grade[old_grade] == new_grade;
}

/* Pass 1: the old run. */
static void on_old(void *ud, const Account *a, const Result *r) {
  Diff *d = ud;
  AccountInfo *s = map_add(&d->map, d->old.p, a);
  s->grade = (int16_t)r->grade;
  size_t at = (size_t)(s - d->map.places);
  d->map.health[at] = health_of(r);
  d->map.bottleneck[at] = r->bottleneck;
  uint64_t *bits = d->map.flags + at * (size_t)d->map.fwords;
  for (int32_t f = 0; f < r->nflags; f++)
    if (r->flags[f] == FLAG_RAISED) bits[f / 64] |= (uint64_t)1 << (f % 64);
  side_count(&d->old, a, r);
}

/* What the CSM feels besides the grade, for account A (new result R) and
 * its old run's entry AT: flags raised and cleared, a health move of
 * --min-change points within the same grade, a bottleneck change. */
static void compare_felt(Diff *d, const Account *a, const Result *r, size_t at) {
  const AccountMap *m = &d->map;
  const uint64_t *bits = m->flags + at * (size_t)m->fwords;
  int32_t raised[64], cleared[64], nr = 0, nc = 0;
  int32_t *rs = d->nfpairs > 64 ? xcalloc((size_t)d->nfpairs, sizeof *rs) : raised;
  int32_t *cs = d->nfpairs > 64 ? xcalloc((size_t)d->nfpairs, sizeof *cs) : cleared;
  for (int32_t k = 0; k < d->nfpairs; k++) {
    FlagPair *fp = &d->fpairs[k];
    bool was = fp->old_flag >= 0 && (bits[fp->old_flag / 64] >> (fp->old_flag % 64) & 1);
    bool is = fp->new_flag >= 0 && r->flags[fp->new_flag] == FLAG_RAISED;
    if (is && !was) {
      rs[nr++] = k;
      fp->raised++;
    } else if (was && !is) {
      cs[nc++] = k;
      fp->cleared++;
    }
  }
  if (nr || nc) {
    VEC_GROW(d->fchanges, d->nfchanges, d->capfchanges, 64);
    FlagChange *fc = &d->fchanges[d->nfchanges++];
    fc->id = xstrdup(a->id);
    fc->name = a->name ? xstrdup(a->name) : NULL;
    fc->raised = xcalloc((size_t)nr + 1, sizeof *fc->raised);
    fc->cleared = xcalloc((size_t)nc + 1, sizeof *fc->cleared);
    memcpy(fc->raised, rs, (size_t)nr * sizeof *rs);
    memcpy(fc->cleared, cs, (size_t)nc * sizeof *cs);
    fc->nraised = nr;
    fc->ncleared = nc;
  }
  if (rs != raised) free(rs);
  if (cs != cleared) free(cs);
  double old_h = m->health[at], new_h = health_of(r);
  if (!isnan(old_h) && !isnan(new_h) && fabs(new_h - old_h) >= d->min_change &&
      same_grade(d, m->places[at].grade, r->grade)) {
    VEC_GROW(d->moved, d->nmoved, d->capmoved, 64);
    d->moved[d->nmoved++] =
        (Moved){xstrdup(a->id), a->name ? xstrdup(a->name) : NULL, r->grade, old_h, new_h, d->compared};
  }
  int32_t old_step = m->bottleneck[at], new_step = r->bottleneck;
  bool same_step = old_step < 0 ? new_step < 0 : d->old.other_step[old_step] == new_step && new_step >= 0;
  if (!same_step) {
    VEC_GROW(d->steps, d->nsteps, d->capsteps, 64);
    d->steps[d->nsteps++] =
        (StepChange){xstrdup(a->id), a->name ? xstrdup(a->name) : NULL, old_step, new_step};
  }
}

/* Larger moves first; equal ones in data order. */
static int by_move(const void *x, const void *y) {
  const Moved *a = x, *b = y;
  double da = fabs(a->new_health - a->old_health), db = fabs(b->new_health - b->old_health);
  if (da != db) return da > db ? -1 : 1;
  return (a->order > b->order) - (a->order < b->order);
}

/* The flags of both versions paired by name: the new version's in order,
 * then those only the old one declares. */
static void flag_pairs(Diff *d) {
  const Program *op = d->old.p, *np = d->new.p;
  d->fpairs = xcalloc((size_t)(op->nflags + np->nflags) + 1, sizeof *d->fpairs);
  d->new_fpair = xcalloc((size_t)np->nflags + 1, sizeof *d->new_fpair);
  d->old_fpair = xcalloc((size_t)op->nflags + 1, sizeof *d->old_fpair);
  for (int32_t f = 0; f < np->nflags; f++) {
    int32_t o = d->new.other_flag[f];
    d->new_fpair[f] = d->nfpairs;
    if (o >= 0) d->old_fpair[o] = d->nfpairs;
    d->fpairs[d->nfpairs++] = (FlagPair){o, f, 0, 0};
  }
  for (int32_t o = 0; o < op->nflags; o++)
    if (d->old.other_flag[o] < 0) {
      d->old_fpair[o] = d->nfpairs;
      d->fpairs[d->nfpairs++] = (FlagPair){o, -1, 0, 0};
    }
}

/* Pass 2: the new run, matched with the old. */
static void on_new(void *ud, const Account *a, const Result *r) {
  Diff *d = ud;
  side_count(&d->new, a, r);
  AccountInfo *s = map_find(&d->map, d->new.p, a);
  if (!s || s->seen) {
    VEC_GROW(d->added, d->nadded, d->capadded, 64);
    d->added[d->nadded++] = listed(a, r);
    return;
  }
  s->seen = 1;
  d->compared++;
  compare_felt(d, a, r, (size_t)(s - d->map.places));
  int32_t row = s->grade >= 0 ? s->grade : d->old.p->ngrade_names;
  int32_t col = r->grade >= 0 ? r->grade : d->new.p->ngrade_names;
  d->matrix[(size_t)row * (size_t)(d->new.p->ngrade_names + 1) + (size_t)col]++;
  if (same_grade(d, s->grade, r->grade)) return;
  VEC_GROW(d->changed, d->nchanged, d->capchanged, 64);
  Changed *c = &d->changed[d->nchanged];
  memset(c, 0, sizeof *c);
  c->id = xstrdup(a->id);
  c->name = a->name ? xstrdup(a->name) : NULL;
  c->old_grade = s->grade;
  c->new_grade = r->grade;
  c->old_health = NAN;
  c->new_health = health_of(r);
  c->new_lost = xmalloc(((size_t)r->nmembers + 1) * sizeof *c->new_lost);
  for (int32_t m = 0; m < r->nmembers; m++)
    c->new_lost[m] = r->members[m].lost;
  s->changed = (int32_t)d->nchanged++;
}

/* Keeps MV among C's top moves (largest change first; the earlier of two
 * equal changes first). */
static void consider(Changed *c, Move mv) {
  double delta = fabs(mv.new_lost - mv.old_lost);
  if (!(delta > DIFF_EPSILON)) return;
  int32_t at = c->ntop;
  while (at > 0 && fabs(c->top[at - 1].new_lost - c->top[at - 1].old_lost) < delta)
    at--;
  if (at >= DIFF_TOP_MEMBERS) return;
  int32_t last = c->ntop < DIFF_TOP_MEMBERS ? c->ntop : DIFF_TOP_MEMBERS - 1;
  for (int32_t i = last; i > at; i--)
    c->top[i] = c->top[i - 1];
  c->top[at] = mv;
  if (c->ntop < DIFF_TOP_MEMBERS) c->ntop++;
}

/* The members whose lost points moved most between R_OLD and C's new run:
 * new members in order (a member the old version lacks lost nothing
 * there), then the old version's members that the new one dropped. */
static void pick_moves(const Diff *d, Changed *c, const Result *r_old) {
  for (int32_t j = 0; j < d->new.nmembers; j++) {
    int32_t i = d->new.other_member[j];
    Move mv = {i, j, i >= 0 ? r_old->members[i].lost : 0, c->new_lost[j]};
    consider(c, mv);
  }
  for (int32_t i = 0; i < d->old.nmembers; i++) {
    if (d->old.other_member[i] >= 0) continue;
    Move mv = {i, -1, r_old->members[i].lost, 0};
    consider(c, mv);
  }
}

/* Pass 3: the old run again, for the changed accounts' old lost points
 * and the accounts only the old run scored. */
static void on_old_again(void *ud, const Account *a, const Result *r) {
  Diff *d = ud;
  AccountInfo *s = map_find(&d->map, d->old.p, a);
  if (!s) return;
  if (s->changed >= 0) {
    Changed *c = &d->changed[s->changed];
    c->old_health = health_of(r);
    pick_moves(d, c, r);
    free(c->new_lost);
    c->new_lost = NULL;
  } else if (!s->seen) {
    VEC_GROW(d->removed, d->nremoved, d->capremoved, 64);
    d->removed[d->nremoved++] = listed(a, r);
    s->seen = 1;
  }
}

/* Flat member tables of S, and the pairing of S's members and grades with
 * OTHER's by name. */
static void side_init(Side *s, const Program *p, const Program *other) {
  s->p = p;
  s->nmembers = program_members(p, NULL, NULL);
  s->member_dim = xcalloc((size_t)s->nmembers + 1, sizeof *s->member_dim);
  s->member = xcalloc((size_t)s->nmembers + 1, sizeof *s->member);
  s->other_member = xcalloc((size_t)s->nmembers + 1, sizeof *s->other_member);
  program_members(p, s->member, s->member_dim);
  int32_t nother = program_members(other, NULL, NULL);
  const Member **other_decl = xcalloc((size_t)nother + 1, sizeof *other_decl);
  int32_t *other_dim = xcalloc((size_t)nother + 1, sizeof *other_dim);
  program_members(other, other_decl, other_dim);
  for (int32_t flat = 0; flat < s->nmembers; flat++) {
    s->other_member[flat] = -1;
    const char *dim = p->dimensions[s->member_dim[flat]].name;
    for (int32_t o = 0; o < nother; o++)
      if (strcmp(other->dimensions[other_dim[o]].name, dim) == 0 &&
          strcmp(other_decl[o]->name, s->member[flat]->name) == 0)
        s->other_member[flat] = o;
  }
  free(other_decl);
  free(other_dim);
  s->other_grade = xcalloc((size_t)p->ngrade_names + 1, sizeof *s->other_grade);
  for (int32_t g = 0; g < p->ngrade_names; g++) {
    s->other_grade[g] = -1;
    for (int32_t og = 0; og < other->ngrade_names; og++)
      if (strcmp(p->grade_names[g], other->grade_names[og]) == 0) s->other_grade[g] = og;
  }
  s->other_flag = xcalloc((size_t)p->nflags + 1, sizeof *s->other_flag);
  for (int32_t f = 0; f < p->nflags; f++) {
    s->other_flag[f] = -1;
    for (int32_t of = 0; of < other->nflags; of++)
      if (strcmp(p->flags[f].name, other->flags[of].name) == 0) s->other_flag[f] = of;
  }
  s->other_step = xcalloc((size_t)p->nsteps + 1, sizeof *s->other_step);
  for (int32_t st = 0; st < p->nsteps; st++) {
    s->other_step[st] = -1;
    for (int32_t os = 0; os < other->nsteps; os++)
      if (strcmp(p->steps[st].name, other->steps[os].name) == 0) s->other_step[st] = os;
  }
  s->grades = xcalloc((size_t)p->ngrade_names + 1, sizeof *s->grades);
  s->weight = xcalloc((size_t)p->nforecasts * (size_t)p->ngrade_names + 1, sizeof *s->weight);
}

static void side_free(Side *s) {
  free(s->member_dim);
  free(s->member);
  free(s->other_member);
  free(s->other_grade);
  free(s->other_flag);
  free(s->other_step);
  free(s->grades);
  free(s->weight);
  if (s->kpis) {
    kpi_free(s->kpis);
    free(s->kpis);
  }
  if (s->ev) eval_free(s->ev);
}

static void diff_free(Diff *d) {
  side_free(&d->old);
  side_free(&d->new);
  if (d->map.by_key) keys_free(&d->map.keys);
  free(d->map.places);
  free(d->map.health);
  free(d->map.bottleneck);
  free(d->map.flags);
  free(d->matrix);
  free(d->fpairs);
  free(d->new_fpair);
  free(d->old_fpair);
  for (size_t i = 0; i < d->nmoved; i++) {
    free(d->moved[i].id);
    free(d->moved[i].name);
  }
  free(d->moved);
  for (size_t i = 0; i < d->nfchanges; i++) {
    free(d->fchanges[i].id);
    free(d->fchanges[i].name);
    free(d->fchanges[i].raised);
    free(d->fchanges[i].cleared);
  }
  free(d->fchanges);
  for (size_t i = 0; i < d->nsteps; i++) {
    free(d->steps[i].id);
    free(d->steps[i].name);
  }
  free(d->steps);
  for (size_t i = 0; i < d->nchanged; i++) {
    free(d->changed[i].id);
    free(d->changed[i].name);
    free(d->changed[i].new_lost);
  }
  free(d->changed);
  for (size_t i = 0; i < d->nadded; i++) {
    free(d->added[i].id);
    free(d->added[i].name);
  }
  free(d->added);
  for (size_t i = 0; i < d->nremoved; i++) {
    free(d->removed[i].id);
    free(d->removed[i].name);
  }
  free(d->removed);
}

/* ---- the forecast ------------------------------------------------------ */

/* Expected rate of forecast F over SIDE's accounts: count-weighted
 * (Σ accounts·rate / Σ accounts over the grades with a rate), and
 * value-weighted by its `weighted by` input (NAN without one). */
static double forecast_expected(const Side *s, int32_t f, uint64_t *rated) {
  const ForecastDecl *fd = &s->p->forecasts[f];
  double sum = 0;
  uint64_t n = 0;
  for (int32_t g = 0; g < s->p->ngrade_names; g++) {
    if (isnan(fd->rate[g]) || s->grades[g] == 0) continue;
    sum += (double)s->grades[g] * fd->rate[g];
    n += s->grades[g];
  }
  *rated = n;
  return n ? sum / (double)n : NAN;
}

static double forecast_weighted(const Side *s, int32_t f) {
  const ForecastDecl *fd = &s->p->forecasts[f];
  if (fd->weight_input < 0) return NAN;
  double sum = 0, total = 0;
  for (int32_t g = 0; g < s->p->ngrade_names; g++) {
    if (isnan(fd->rate[g])) continue;
    double w = s->weight[(size_t)f * (size_t)s->p->ngrade_names + (size_t)g];
    sum += w * fd->rate[g];
    total += w;
  }
  return total > 0 ? sum / total : NAN;
}

/* Pairs of declarations matched by name (old index, new index; -1 when
 * absent): the new version's in order, then those only the old one has.
 * COUNT and NAME read one kind of declaration (forecasts, KPIs). */
typedef int32_t (*DeclCount)(const Program *p);
typedef const char *(*DeclName)(const Program *p, int32_t i);

static int32_t name_pairs(const Diff *d, DeclCount count, DeclName name, int32_t (*pairs)[2]) {
  const Program *op = d->old.p, *np = d->new.p;
  int32_t n = 0, nold = count(op), nnew = count(np);
  for (int32_t f = 0; f < nnew; f++) {
    pairs[n][0] = -1;
    for (int32_t o = 0; o < nold; o++)
      if (strcmp(name(op, o), name(np, f)) == 0) pairs[n][0] = o;
    pairs[n++][1] = f;
  }
  for (int32_t o = 0; o < nold; o++) {
    bool matched = false;
    for (int32_t f = 0; f < nnew; f++)
      matched |= strcmp(name(op, o), name(np, f)) == 0;
    if (matched) continue;
    pairs[n][0] = o;
    pairs[n++][1] = -1;
  }
  return n;
}

static int32_t forecast_count(const Program *p) { return p->nforecasts; }
static const char *forecast_name(const Program *p, int32_t i) { return p->forecasts[i].name; }
static int32_t forecast_pairs(const Diff *d, int32_t (*pairs)[2]) {
  return name_pairs(d, forecast_count, forecast_name, pairs);
}

static int32_t kpi_count(const Program *p) { return p->nkpis; }
static const char *kpi_name(const Program *p, int32_t i) { return p->kpis[i].name; }
/* KPI pairs, as forecast_pairs; PAIRS holds old + new KPIs. */
static int32_t kpi_pairs(const Diff *d, int32_t (*pairs)[2]) {
  return name_pairs(d, kpi_count, kpi_name, pairs);
}

/* ---- JSON -------------------------------------------------------------- */

static const char *grade_name(const Program *p, int32_t g) { return g >= 0 ? p->grade_names[g] : NULL; }

static void member_name(Json *j, const Side *s, int32_t m) {
  json_field_str(j, "dimension", s->p->dimensions[s->member_dim[m]].name);
  json_field_str(j, "member", s->member[m]->name);
}

static void json_side(Json *j, const Side *s) {
  char rules[13];
  snprintf(rules, sizeof rules, "%.12s", s->p->fingerprint);
  json_object(j);
  json_field_str(j, "rules", rules);
  json_field_str(j, "title", s->p->title);
  json_key(j, "data");
  json_array(j);
  for (int i = 0; i < s->ndata; i++)
    json_cstr(j, s->data[i]);
  json_end(j);
  json_field_count(j, "scored", s->scored);
  json_field_count(j, "rejected", s->stats.rejected);
  json_end(j);
}

/* A row of a long list: on its own line, the buffer flushed now and then. */
static void json_row(Json *j) {
  buf_flush(j->b, 1 << 16);
  json_break(j, "\n ");
  json_object(j);
}

/* Whether either rule version declares a display name (then the JSON
 * lists give each account's "name", null when it has none). */
static bool has_names(const Diff *d) { return d->old.p->display_input >= 0 || d->new.p->display_input >= 0; }

static void json_listed(Json *j, const char *key, const Program *p, const Listed *l, size_t n, bool names) {
  json_break(j, "\n");
  json_key(j, key);
  json_array(j);
  for (size_t i = 0; i < n; i++) {
    json_row(j);
    json_field_str(j, "id", l[i].id);
    if (names) json_field_str(j, "name", l[i].name);
    json_field_str(j, "grade", grade_name(p, l[i].grade));
    json_field_num(j, "health", l[i].health);
    json_end(j);
  }
  json_end(j);
}

static void json_forecast_side(Json *j, const char *key, const Side *s, int32_t f) {
  json_key(j, key);
  if (f < 0) {
    json_null(j);
    return;
  }
  uint64_t rated;
  double expected = forecast_expected(s, f, &rated);
  json_object(j);
  json_field_num(j, "expected", expected);
  json_field_count(j, "accounts", rated);
  json_field_num(j, "weighted", forecast_weighted(s, f));
  json_end(j);
}

static void json_grade_names(Json *j, const char *key, const Program *p) {
  json_key(j, key);
  json_array(j);
  for (int32_t g = 0; g <= p->ngrade_names; g++)
    json_cstr(j, grade_name(p, g < p->ngrade_names ? g : -1));
  json_end(j);
}

static void json_lost(Json *j, const char *key, int32_t member, double lost) {
  if (member >= 0)
    json_field_num(j, key, lost);
  else
    json_field_null(j, key);
}

static void json_changed(Json *j, const Diff *d) {
  const Program *op = d->old.p, *np = d->new.p;
  json_break(j, "\n");
  json_key(j, "accounts");
  json_array(j);
  for (size_t i = 0; i < d->nchanged; i++) {
    const Changed *c = &d->changed[i];
    json_row(j);
    json_field_str(j, "id", c->id);
    if (has_names(d)) json_field_str(j, "name", c->name);
    json_key(j, "old");
    json_object(j);
    json_field_str(j, "grade", grade_name(op, c->old_grade));
    json_field_num(j, "health", c->old_health);
    json_end(j);
    json_key(j, "new");
    json_object(j);
    json_field_str(j, "grade", grade_name(np, c->new_grade));
    json_field_num(j, "health", c->new_health);
    json_end(j);
    json_key(j, "members");
    json_array(j);
    for (int32_t k = 0; k < c->ntop; k++) {
      const Move *mv = &c->top[k];
      json_object(j);
      if (mv->new_member >= 0)
        member_name(j, &d->new, mv->new_member);
      else
        member_name(j, &d->old, mv->old_member);
      json_lost(j, "old_lost", mv->old_member, mv->old_lost);
      json_lost(j, "new_lost", mv->new_member, mv->new_lost);
      json_end(j);
    }
    json_end(j);
    json_end(j);
  }
  json_end(j);
}

/* A flag pair's name (both versions call it the same) and label (the
 * new version's, else the old's). */
static const FlagDecl *pair_flag(const Diff *d, int32_t k) {
  const FlagPair *fp = &d->fpairs[k];
  return fp->new_flag >= 0 ? &d->new.p->flags[fp->new_flag] : &d->old.p->flags[fp->old_flag];
}

static const char *step_name(const Program *p, int32_t st) { return st >= 0 ? p->steps[st].name : NULL; }

static void json_pair_names(Json *j, const char *key, const Diff *d, const int32_t *pairs, int32_t n) {
  json_key(j, key);
  json_array(j);
  for (int32_t i = 0; i < n; i++)
    json_cstr(j, pair_flag(d, pairs[i])->name);
  json_end(j);
}

/* What the CSM feels besides grades: health moves within a grade, flags
 * raised and cleared (per flag and per account), bottleneck changes. */
static void json_felt(Json *j, const Diff *d) {
  json_break(j, "\n");
  json_key(j, "health_moved");
  json_array(j);
  for (size_t i = 0; i < d->nmoved; i++) {
    const Moved *mv = &d->moved[i];
    json_row(j);
    json_field_str(j, "id", mv->id);
    if (has_names(d)) json_field_str(j, "name", mv->name);
    json_field_str(j, "grade", grade_name(d->new.p, mv->grade));
    json_field_num(j, "old_health", mv->old_health);
    json_field_num(j, "new_health", mv->new_health);
    json_field_num(j, "change", mv->new_health - mv->old_health);
    json_end(j);
  }
  json_end(j);
  json_break(j, "\n");
  json_key(j, "flags");
  json_array(j);
  for (int32_t k = 0; k < d->nfpairs; k++) {
    const FlagDecl *fd = pair_flag(d, k);
    json_break(j, "\n ");
    json_object(j);
    json_field_str(j, "name", fd->name);
    json_field_str(j, "label", fd->label);
    json_field_count(j, "raised", d->fpairs[k].raised);
    json_field_count(j, "cleared", d->fpairs[k].cleared);
    json_end(j);
  }
  json_end(j);
  json_break(j, "\n");
  json_key(j, "flag_changes");
  json_array(j);
  for (size_t i = 0; i < d->nfchanges; i++) {
    const FlagChange *fc = &d->fchanges[i];
    json_row(j);
    json_field_str(j, "id", fc->id);
    if (has_names(d)) json_field_str(j, "name", fc->name);
    json_pair_names(j, "raised", d, fc->raised, fc->nraised);
    json_pair_names(j, "cleared", d, fc->cleared, fc->ncleared);
    json_end(j);
  }
  json_end(j);
  json_break(j, "\n");
  json_key(j, "bottlenecks");
  json_array(j);
  for (size_t i = 0; i < d->nsteps; i++) {
    const StepChange *sc = &d->steps[i];
    json_row(j);
    json_field_str(j, "id", sc->id);
    if (has_names(d)) json_field_str(j, "name", sc->name);
    json_field_str(j, "old", step_name(d->old.p, sc->old_step));
    json_field_str(j, "new", step_name(d->new.p, sc->new_step));
    json_end(j);
  }
  json_end(j);
}

static void json_forecasts(Json *j, const Diff *d) {
  const Program *op = d->old.p, *np = d->new.p;
  json_break(j, "\n");
  json_key(j, "forecasts");
  json_array(j);
  int32_t(*pairs)[2] = xcalloc((size_t)(op->nforecasts + np->nforecasts) + 1, sizeof *pairs);
  int32_t npairs = forecast_pairs(d, pairs);
  for (int32_t i = 0; i < npairs; i++) {
    int32_t o = pairs[i][0], n = pairs[i][1];
    const ForecastDecl *fd = n >= 0 ? &np->forecasts[n] : &op->forecasts[o];
    json_break(j, "\n ");
    json_object(j);
    json_field_str(j, "name", fd->name);
    json_field_str(j, "label", fd->label);
    json_forecast_side(j, "old", &d->old, o);
    json_forecast_side(j, "new", &d->new, n);
    uint64_t rated;
    double old_e = o >= 0 ? forecast_expected(&d->old, o, &rated) : NAN;
    double new_e = n >= 0 ? forecast_expected(&d->new, n, &rated) : NAN;
    double old_w = o >= 0 ? forecast_weighted(&d->old, o) : NAN;
    double new_w = n >= 0 ? forecast_weighted(&d->new, n) : NAN;
    json_field_num(j, "change", new_e - old_e);
    json_field_num(j, "weighted_change", new_w - old_w);
    json_end(j);
  }
  free(pairs);
  json_end(j);
}

/* One version's side of a KPI pair: {value, target, met}, or null when
 * that version lacks the KPI. */
static void json_kpi_side(Json *j, const char *key, const Side *s, int32_t i) {
  json_key(j, key);
  if (i < 0) {
    json_null(j);
    return;
  }
  json_object(j);
  report_kpi_fields(j, s->kpis, i);
  json_end(j);
}

static void json_kpis(Json *j, const Diff *d) {
  const Program *op = d->old.p, *np = d->new.p;
  if (op->nkpis == 0 && np->nkpis == 0) return;
  json_break(j, "\n");
  json_key(j, "kpis");
  json_array(j);
  int32_t(*pairs)[2] = xcalloc((size_t)(op->nkpis + np->nkpis) + 1, sizeof *pairs);
  int32_t npairs = kpi_pairs(d, pairs);
  for (int32_t i = 0; i < npairs; i++) {
    int32_t o = pairs[i][0], n = pairs[i][1];
    const KpiDecl *k = n >= 0 ? &np->kpis[n] : &op->kpis[o];
    json_break(j, "\n ");
    json_object(j);
    json_field_str(j, "kpi", k->name);
    json_field_str(j, "label", k->label && *k->label ? k->label : NULL);
    json_kpi_side(j, "old", &d->old, o);
    json_kpi_side(j, "new", &d->new, n);
    double ov = o >= 0 ? kpi_value(d->old.kpis, o) : NAN, nv = n >= 0 ? kpi_value(d->new.kpis, n) : NAN;
    json_field_num(j, "change", nv - ov);
    json_end(j);
  }
  free(pairs);
  json_end(j);
}

static void json_output(const void *data, Buf *b, const char *as_of) {
  const Diff *d = data;
  const Program *op = d->old.p, *np = d->new.p;
  Json j;
  json_init(&j, b);
  json_object(&j);
  json_field_str(&j, "command", "diff");
  json_field_str(&j, "mode", d->by_key ? "data" : "rules");
  json_field_str(&j, "as_of", as_of);
  json_break(&j, "\n");
  json_key(&j, "old");
  json_side(&j, &d->old);
  json_break(&j, "\n");
  json_key(&j, "new");
  json_side(&j, &d->new);
  json_break(&j, "\n");
  json_field_count(&j, "compared", d->compared);
  json_field_count(&j, "changed", d->nchanged);
  json_field_count(&j, "added", d->nadded);
  json_field_count(&j, "removed", d->nremoved);
  json_field_num(&j, "min_change", d->min_change);
  json_field_count(&j, "moved", d->nmoved);
  json_field_count(&j, "flags_changed", d->nfchanges);
  json_field_count(&j, "bottlenecks_changed", d->nsteps);
  json_kpis(&j, d);
  json_break(&j, "\n");
  json_key(&j, "grades");
  json_object(&j);
  json_grade_names(&j, "old", op);
  json_grade_names(&j, "new", np);
  json_end(&j);
  json_break(&j, "\n");
  json_key(&j, "transitions");
  json_array(&j);
  for (int32_t r = 0; r <= op->ngrade_names; r++) {
    json_break(&j, "\n ");
    json_array(&j);
    for (int32_t c = 0; c <= np->ngrade_names; c++)
      json_count(&j, d->matrix[(size_t)r * (size_t)(np->ngrade_names + 1) + (size_t)c]);
    json_end(&j);
  }
  json_end(&j);
  json_changed(&j, d);
  json_felt(&j, d);
  json_listed(&j, "added_accounts", np, d->added, d->nadded, has_names(d));
  json_listed(&j, "removed_accounts", op, d->removed, d->nremoved, has_names(d));
  json_forecasts(&j, d);
  json_end(&j);
  buf_putc(b, '\n');
}

/* ---- text for people --------------------------------------------------- */

static const char *percent(Table *t, double x) { return isnan(x) ? "-" : table_fmt(t, "%.2f%%", 100 * x); }

static const char *grade_text(const Program *p, int32_t g) { return g >= 0 ? p->grade_names[g] : "n/a"; }

static void text_side(Buf *b, const char *which, const Side *s) {
  buf_printf(b, _("%s  rules %.12s"), which, s->p->fingerprint);
  if (s->p->title) {
    buf_puts(b, " (");
    buf_shown_str(b, s->p->title);
    buf_putc(b, ')');
  }
  buf_puts(b, _(", data"));
  for (int i = 0; i < s->ndata; i++)
    buf_printf(b, " %s", s->data[i]);
  buf_printf(b, _(": %llu scored, %llu rejected\n"), (unsigned long long)s->scored,
             (unsigned long long)s->stats.rejected);
}

static void text_matrix(const Diff *d, Buf *b, Arena *arena) {
  const Program *op = d->old.p, *np = d->new.p;
  size_t cols = (size_t)np->ngrade_names + 1;
  /* The n/a row and column only when some account is in them. */
  uint64_t na_row = 0, na_col = 0;
  for (size_t c = 0; c < cols; c++)
    na_row += d->matrix[(size_t)op->ngrade_names * cols + c];
  for (int32_t r = 0; r <= op->ngrade_names; r++)
    na_col += d->matrix[(size_t)r * cols + (size_t)np->ngrade_names];
  int32_t ncols = np->ngrade_names + (na_col ? 1 : 0);
  int32_t nrows = op->ngrade_names + (na_row ? 1 : 0);
  /* the n/a row and column are the matrix's last: r and c themselves */
  const char **row_heads = arena_alloc(arena, ((size_t)nrows + (size_t)ncols) * sizeof *row_heads);
  const char **col_heads = row_heads + nrows;
  for (int32_t r = 0; r < nrows; r++)
    row_heads[r] = grade_text(op, r < op->ngrade_names ? r : -1);
  for (int32_t c = 0; c < ncols; c++)
    col_heads[c] = grade_text(np, c < np->ngrade_names ? c : -1);
  TableCounts m = {.corner = _("old \\ new"),
                   .row_heads = row_heads,
                   .col_heads = col_heads,
                   .nrows = nrows,
                   .ncols = ncols,
                   .count = d->matrix,
                   .stride = cols};
  table_print_counts(b, "  ", &m);
}

static void text_member(Buf *b, const Side *s, int32_t m) {
  buf_printf(b, "%s.%s", s->p->dimensions[s->member_dim[m]].name, s->member[m]->name);
  const char *label = s->member[m]->label;
  if (label && *label) {
    buf_putc(b, ' ');
    buf_shown_str(b, label);
  }
}

/* How many of N accounts a text list shows. */
static size_t shown(const Diff *d, size_t n) {
  return d->limit && d->limit < (unsigned long long)n ? (size_t)d->limit : n;
}

/* The line that ends a list cut by --limit. */
static void text_more(const Diff *d, Buf *b, size_t n) {
  if (shown(d, n) < n)
    buf_printf(b, _("  … and %llu more (--limit 0 lists them all; --format json has every one)\n"),
               (unsigned long long)(n - shown(d, n)));
}

static void text_changed(const Diff *d, Buf *b) {
  for (size_t i = 0; i < shown(d, d->nchanged); i++) {
    const Changed *c = &d->changed[i];
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, c->id, c->name);
    buf_printf(b, _(": %s → %s, health "), grade_text(d->old.p, c->old_grade),
               grade_text(d->new.p, c->new_grade));
    buf_num2(b, c->old_health);
    buf_puts(b, " → ");
    buf_num2(b, c->new_health);
    buf_putc(b, '\n');
    if (c->ntop == 0) buf_puts(b, _("      no member's lost points moved: the grade bands did\n"));
    for (int32_t k = 0; k < c->ntop; k++) {
      const Move *mv = &c->top[k];
      buf_puts(b, "      ");
      if (mv->new_member >= 0)
        text_member(b, &d->new, mv->new_member);
      else
        text_member(b, &d->old, mv->old_member);
      buf_puts(b, _(": lost "));
      if (mv->old_member >= 0)
        buf_num2(b, mv->old_lost);
      else
        buf_puts(b, _("(absent)"));
      buf_puts(b, " → ");
      if (mv->new_member >= 0)
        buf_num2(b, mv->new_lost);
      else
        buf_puts(b, _("(absent)"));
      buf_putc(b, '\n');
    }
  }
}

static void text_listed(const Diff *d, Buf *b, const Program *p, const Listed *l, size_t n) {
  for (size_t i = 0; i < shown(d, n); i++) {
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, l[i].id, l[i].name);
    buf_printf(b, _(": %s, health "), grade_text(p, l[i].grade));
    buf_num2(b, l[i].health);
    buf_putc(b, '\n');
  }
}

/* "name label" of flag pair K for people. */
static void text_flag(Buf *b, const Diff *d, int32_t k) {
  const FlagDecl *fd = pair_flag(d, k);
  buf_puts(b, fd->name);
  if (fd->label && *fd->label) {
    buf_putc(b, ' ');
    buf_shown_str(b, fd->label);
  }
}

static void text_moved(const Diff *d, Buf *b) {
  for (size_t i = 0; i < shown(d, d->nmoved); i++) {
    const Moved *mv = &d->moved[i];
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, mv->id, mv->name);
    buf_printf(b, _(": %s, health "), grade_text(d->new.p, mv->grade));
    buf_num2(b, mv->old_health);
    buf_puts(b, " → ");
    buf_num2(b, mv->new_health);
    buf_puts(b, mv->new_health > mv->old_health ? " (+" : " (");
    buf_num2(b, mv->new_health - mv->old_health);
    buf_puts(b, ")\n");
  }
}

static void text_flag_table(const Diff *d, Buf *b, Arena *arena) {
  Table t;
  table_init(&t, arena, "lrr");
  const char *head[] = {_("flag"), _("raised"), _("cleared")};
  table_row(&t, head);
  Buf name;
  buf_init(&name, NULL);
  for (int32_t k = 0; k < d->nfpairs; k++) {
    const FlagPair *fp = &d->fpairs[k];
    if (!fp->raised && !fp->cleared) continue;
    name.len = 0;
    text_flag(&name, d, k);
    buf_putc(&name, '\0');
    const char *row[] = {table_fmt(&t, "%s", name.data),
                         table_fmt(&t, "%llu", (unsigned long long)fp->raised),
                         table_fmt(&t, "%llu", (unsigned long long)fp->cleared)};
    table_row(&t, row);
  }
  buf_free(&name);
  table_print(&t, b, "  ", false);
  table_free(&t);
}

static void text_flag_list(Buf *b, const Diff *d, const char *what, const int32_t *pairs, int32_t n) {
  if (!n) return;
  buf_puts(b, what);
  for (int32_t i = 0; i < n; i++) {
    buf_puts(b, i ? ", " : " ");
    text_flag(b, d, pairs[i]);
  }
}

static void text_flag_changes(const Diff *d, Buf *b) {
  for (size_t i = 0; i < shown(d, d->nfchanges); i++) {
    const FlagChange *fc = &d->fchanges[i];
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, fc->id, fc->name);
    buf_putc(b, ':');
    text_flag_list(b, d, _(" raised"), fc->raised, fc->nraised);
    if (fc->nraised && fc->ncleared) buf_putc(b, ';');
    text_flag_list(b, d, _(" cleared"), fc->cleared, fc->ncleared);
    buf_putc(b, '\n');
  }
}

static void text_step(Buf *b, const Program *p, int32_t st) {
  if (st < 0) {
    buf_puts(b, _("none (every step passed)"));
    return;
  }
  buf_puts(b, p->steps[st].name);
  if (p->steps[st].label && *p->steps[st].label) {
    buf_putc(b, ' ');
    buf_shown_str(b, p->steps[st].label);
  }
}

static void text_steps(const Diff *d, Buf *b) {
  for (size_t i = 0; i < shown(d, d->nsteps); i++) {
    const StepChange *sc = &d->steps[i];
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, sc->id, sc->name);
    buf_puts(b, ": ");
    text_step(b, d->old.p, sc->old_step);
    buf_puts(b, " → ");
    text_step(b, d->new.p, sc->new_step);
    buf_putc(b, '\n');
  }
}

/* The sections of what the CSM feels besides grades (empty ones left out). */
static void text_felt(const Diff *d, Buf *b, Arena *arena) {
  char pts[64];
  num_format2(d->min_change, pts);
  if (d->nmoved) {
    buf_printf(b, _("\nHealth moved at least %s points within the same grade (%llu), largest first\n"), pts,
               (unsigned long long)d->nmoved);
    text_moved(d, b);
    text_more(d, b, d->nmoved);
  }
  if (d->nfchanges) {
    buf_printf(b, _("\nFlags raised and cleared (%llu accounts)\n"), (unsigned long long)d->nfchanges);
    text_flag_table(d, b, arena);
    buf_putc(b, '\n');
    text_flag_changes(d, b);
    text_more(d, b, d->nfchanges);
  }
  if (d->nsteps) {
    buf_printf(b, _("\nBottleneck changed (%llu): the first journey step not passed\n"),
               (unsigned long long)d->nsteps);
    text_steps(d, b);
    text_more(d, b, d->nsteps);
  }
}

static void text_forecasts(const Diff *d, Buf *b, Arena *arena) {
  const Program *op = d->old.p, *np = d->new.p;
  int32_t(*pairs)[2] = xcalloc((size_t)(op->nforecasts + np->nforecasts) + 1, sizeof *pairs);
  int32_t npairs = forecast_pairs(d, pairs);
  if (npairs > 0)
    buf_puts(b, _("\nForecast (expected rate over the graded accounts; a \"weighted by\" row weights it by "
                  "that input)\n"));
  Table t;
  table_init(&t, arena, "lrrr");
  for (int32_t i = 0; i < npairs; i++) {
    int32_t o = pairs[i][0], n = pairs[i][1];
    const ForecastDecl *fd = n >= 0 ? &np->forecasts[n] : &op->forecasts[o];
    uint64_t rated;
    double old_e = o >= 0 ? forecast_expected(&d->old, o, &rated) : NAN;
    double new_e = n >= 0 ? forecast_expected(&d->new, n, &rated) : NAN;
    const char *name = fd->label && *fd->label ? table_fmt(&t, "%s %s", fd->name, fd->label) : fd->name;
    const char *row[] = {name, percent(&t, old_e), table_fmt(&t, "→ %s", percent(&t, new_e)),
                         isnan(new_e - old_e) ? ""
                                              : table_fmt(&t, _("(%+.2f points)"), 100 * (new_e - old_e))};
    table_row(&t, row);
    double old_w = o >= 0 ? forecast_weighted(&d->old, o) : NAN;
    double new_w = n >= 0 ? forecast_weighted(&d->new, n) : NAN;
    if (isnan(old_w) && isnan(new_w)) continue;
    int32_t in = fd->weight_input;
    const Program *fp = n >= 0 ? np : op;
    const char *wrow[] = {table_fmt(&t, _("  weighted by %s"), in >= 0 ? fp->inputs[in].name : "?"),
                          percent(&t, old_w), table_fmt(&t, "→ %s", percent(&t, new_w)),
                          isnan(new_w - old_w) ? ""
                                               : table_fmt(&t, _("(%+.2f points)"), 100 * (new_w - old_w))};
    table_row(&t, wrow);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
  free(pairs);
}

/* "met", "not met" or "-" (no target, or no value). */
static const char *met_text(KpiRun *k, int32_t i) {
  int met = i >= 0 ? kpi_met(k, i) : -1;
  return met == 1 ? _("met") : met == 0 ? _("not met") : "-";
}

/* Each KPI before and after: what the change did to the team's numbers. */
static void text_kpis(const Diff *d, Buf *b, Arena *arena) {
  const Program *op = d->old.p, *np = d->new.p;
  if (op->nkpis == 0 && np->nkpis == 0) return;
  int32_t(*pairs)[2] = xcalloc((size_t)(op->nkpis + np->nkpis) + 1, sizeof *pairs);
  int32_t npairs = kpi_pairs(d, pairs);
  buf_puts(b, "\n\n");
  buf_puts(b, _("KPIs (old → new)"));
  buf_putc(b, '\n');
  Table t;
  table_init(&t, arena, "lrrrlll");
  const char *head[] = {"", _("old"), _("new"), _("change"), _("target"), _("old status"), _("new status")};
  /* (absent): the version has no such KPI */
  table_row(&t, head);
  for (int32_t i = 0; i < npairs; i++) {
    int32_t o = pairs[i][0], n = pairs[i][1];
    const Program *kp = n >= 0 ? np : op;
    int32_t ki = n >= 0 ? n : o;
    const KpiDecl *k = &kp->kpis[ki];
    char ov[KPI_TEXT_SIZE], nv[KPI_TEXT_SIZE], tg[KPI_TARGET_SIZE];
    double x_old = o >= 0 ? kpi_value(d->old.kpis, o) : NAN, x_new = n >= 0 ? kpi_value(d->new.kpis, n) : NAN;
    const char *change = "";
    if (!isnan(x_new - x_old)) {
      char num[KPI_TEXT_SIZE];
      kpi_grouped(k->percent ? 100 * (x_new - x_old) : x_new - x_old, num);
      const char *sign = x_new - x_old > 0 ? "+" : "";
      change = k->percent ? table_fmt(&t, _("%s%s points"), sign, num) : table_fmt(&t, "%s%s", sign, num);
    }
    /* the target, or both when the change moved it */
    char otg[KPI_TARGET_SIZE];
    const char *target = kpi_target_text(kp, ki, tg);
    const char *old_target = o >= 0 && n >= 0 ? kpi_target_text(op, o, otg) : target;
    if (old_target != target && (!old_target || !target || strcmp(old_target, target) != 0))
      target = table_fmt(&t, "%s → %s", old_target ? old_target : "-", target ? target : "-");
    const char *row[] = {k->label && *k->label ? table_fmt(&t, "%s (%s)", k->label, k->name) : k->name,
                         o >= 0 ? table_fmt(&t, "%s", kpi_text(op, o, x_old, ov)) : _("(absent)"),
                         n >= 0 ? table_fmt(&t, "%s", kpi_text(np, n, x_new, nv)) : _("(absent)"),
                         change,
                         target ? table_fmt(&t, "%s", target) : "-",
                         o >= 0 ? met_text(d->old.kpis, o) : "",
                         n >= 0 ? met_text(d->new.kpis, n) : ""};
    table_row(&t, row);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
  free(pairs);
  /* the section ends where the next one's "\n\n" begins */
  if (b->len > 0 && b->data[b->len - 1] == '\n') b->len--;
}

static void text_output(const void *data, Buf *b, const char *as_of) {
  const Diff *d = data;
  Arena arena;
  arena_init(&arena, 0);
  buf_printf(b, _("kenko diff: %s, as of %s\n"),
             d->by_key ? _("two data snapshots, accounts matched by key")
                       : _("two rule versions over the same data"),
             as_of);
  text_side(b, _("old"), &d->old);
  text_side(b, _("new"), &d->new);
  buf_printf(b, _("\naccounts  %llu compared, %llu changed grade"), (unsigned long long)d->compared,
             (unsigned long long)d->nchanged);
  if (d->by_key)
    buf_printf(b, _("; %llu added, %llu removed"), (unsigned long long)d->nadded,
               (unsigned long long)d->nremoved);
  else if (d->nadded || d->nremoved)
    buf_printf(b, _("; %llu scored by the new rules only, %llu by the old only"),
               (unsigned long long)d->nadded, (unsigned long long)d->nremoved);
  char pts[64];
  num_format2(d->min_change, pts);
  buf_printf(
      b,
      _("\n          %llu moved %s+ points within their grade, %llu changed flags, %llu changed bottleneck"),
      (unsigned long long)d->nmoved, pts, (unsigned long long)d->nfchanges, (unsigned long long)d->nsteps);
  text_kpis(d, b, &arena);
  buf_puts(b, _("\n\nGrade transitions (rows: old grade, columns: new grade)\n"));
  text_matrix(d, b, &arena);
  if (d->nchanged) {
    buf_printf(b, _("\nAccounts whose grade changed (%llu), with the members whose lost points moved most\n"),
               (unsigned long long)d->nchanged);
    text_changed(d, b);
    text_more(d, b, d->nchanged);
  }
  text_felt(d, b, &arena);
  if (d->nadded) {
    buf_puts(b, d->by_key ? _("\nAdded (only in the new data)\n")
                          : _("\nScored by the new rules only (the old rejected them)\n"));
    text_listed(d, b, d->new.p, d->added, d->nadded);
    text_more(d, b, d->nadded);
  }
  if (d->nremoved) {
    buf_puts(b, d->by_key ? _("\nRemoved (only in the old data)\n")
                          : _("\nScored by the old rules only (the new rejected them)\n"));
    text_listed(d, b, d->old.p, d->removed, d->nremoved);
    text_more(d, b, d->nremoved);
  }
  text_forecasts(d, b, &arena);
  arena_free(&arena);
}

/* ---- the run ----------------------------------------------------------- */

static int worse(int a, int b) {
  if (a == KENKO_ERR_USAGE || b == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
  if (a == KENKO_ERR_RULES || b == KENKO_ERR_RULES) return KENKO_ERR_RULES;
  return a != KENKO_OK ? a : b;
}

/* One pass over SIDE's data (OLD_DATA for the old side with --data),
 * reporting data errors through DIAG. */
static int pass(const PortfolioRun *pr, Diff *d, Side *s, Diag *diag,
                void (*fn)(void *, const Account *, const Result *), kenko_run_stats *stats) {
  return portfolio_score(pr, s->p, s->ev, s->data, s->ndata, diag, fn, d, stats);
}

int diff_programs(const CProgram *old_cp, const CProgram *new_cp, const char *const *data, int ndata,
                  const kenko_diff_opts *opts, FILE *out, kenko_run_stats *stats) {
  const Program *old_p = old_cp->prog, *new_p = new_cp->prog;
  const kenko_run_opts *ro = &opts->run;
  PortfolioRun pr;
  if (!portfolio_begin(&pr, new_cp, ro, stats)) return KENKO_ERR_USAGE;
  Diag old_diag, quiet;
  diag_init(&old_diag, &old_p->sources, ro->diag, ro->diag_ud); /* the old rules' own locations */
  old_diag.color = ro->diag_color;
  diag_init(&quiet, &old_p->sources, NULL, NULL);
  Diff d;
  memset(&d, 0, sizeof d);
  d.by_key = opts->nold_data > 0;
  d.limit = opts->limit;
  d.map.by_key = d.by_key;
  if (d.by_key && (old_p->key_input < 0 || new_p->key_input < 0)) {
    diag_at(&pr.diag, KENKO_ERROR, NULL, 0, 0,
            "`--data` matches the accounts of two snapshots by their key, but the rules declare no key input "
            "(e.g. `input id: text key`)");
    return KENKO_ERR_USAGE;
  }
  const char *const *old_data = d.by_key ? opts->old_data : data;
  for (int i = 0; i < (d.by_key ? opts->nold_data : ndata); i++)
    if (strcmp(old_data[i], "-") == 0) {
      diag_at(&pr.diag, KENKO_ERROR, NULL, 0, 0,
              "standard input (`-`) can be read only once, and diff reads the %s twice: give it as a file",
              d.by_key ? _("old data (`--data`)") : _("data"));
      return KENKO_ERR_USAGE;
    }
  if (d.by_key) keys_init(&d.map.keys);
  side_init(&d.old, old_p, new_p);
  side_init(&d.new, new_p, old_p);
  d.min_change = opts->min_change > 0 ? opts->min_change : DIFF_MIN_CHANGE;
  d.map.fwords = (old_p->nflags + 63) / 64;
  flag_pairs(&d);
  d.old.data = d.by_key ? opts->old_data : data;
  d.old.ndata = d.by_key ? opts->nold_data : ndata;
  d.new.data = data;
  d.new.ndata = ndata;
  d.matrix = xcalloc(((size_t)old_p->ngrade_names + 1) * ((size_t)new_p->ngrade_names + 1), sizeof *d.matrix);
  d.old.ev = eval_new(old_cp);
  d.new.ev = eval_new(new_cp);
  Side *sides[] = {&d.old, &d.new};
  for (int i = 0; i < 2; i++)
    if (sides[i]->p->nkpis > 0) {
      sides[i]->kpis = xmalloc(sizeof *sides[i]->kpis);
      kpi_init(sides[i]->kpis, sides[i]->p, sides[i]->ev);
    }

  /* The same data under two rule versions: the new version reports the
   * data's problems (the old one's would mostly repeat them). */
  int old_status = pass(&pr, &d, &d.old, d.by_key ? &old_diag : &quiet, on_old, &d.old.stats);
  int status = pass(&pr, &d, &d.new, &pr.diag, on_new, &d.new.stats);
  if (old_status == KENKO_ERR_USAGE && status != KENKO_ERR_USAGE) {
    diag_at(&pr.diag, KENKO_ERROR, NULL, 0, 0, "the data could not be read with the old rules");
    status = KENKO_ERR_USAGE;
  }
  if (d.by_key) status = worse(status, old_status);
  if (status != KENKO_ERR_USAGE && (d.nchanged > 0 || d.compared < d.old.scored)) {
    kenko_run_stats again;
    Diag silent;
    diag_init(&silent, &old_p->sources, NULL, NULL);
    pass(&pr, &d, &d.old, &silent, on_old_again, &again);
  }
  if (d.nmoved > 1) qsort(d.moved, d.nmoved, sizeof *d.moved, by_move);
  *stats = d.new.stats;
  if (d.by_key) {
    stats->accounts += d.old.stats.accounts;
    stats->scored += d.old.stats.scored;
    stats->rejected += d.old.stats.rejected;
  }
  if (status != KENKO_ERR_USAGE) {
    run_write_dated(out, run_output_date(stats, pr.as_of), opts->json, json_output, text_output, &d);
  }
  diff_free(&d);
  return status;
}
