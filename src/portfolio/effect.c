/* effect.c — `kenko effect` (LANGUAGE.md §7): reads the action log with
 * the data readers, keeps each (account, snapshot)'s health, grade,
 * persona and lost points while every snapshot is scored, then finds
 * each event's before and after snapshots and its controls, and sums the
 * per-tag figures. effect.h lists what is kept. */
#include "portfolio/effect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "engine/eval.h"
#include "engine/result.h"
#include "engine/run.h"
#include "engine/snapshot.h"
#include "front/diag.h"
#include "io/reader.h"
#include "portfolio/history.h"
#include "portfolio/report.h"

/* Lost points that moved less than this are taken as unchanged. */
#define EFFECT_EPSILON 1e-4

typedef struct EffRec {
  int32_t acct;
  int16_t grade;   /* grade row: ngrade_names = n/a */
  int16_t persona; /* or -1 */
  float health;    /* NAN: none */
} EffRec;

typedef struct EffKey {
  int32_t acct, rec;
} EffKey;

typedef struct EffSnap {
  int32_t date;
  EffRec *recs;
  size_t n, cap;
  float *lost;   /* n × nmembers, in recs' order until sorted */
  EffKey *order; /* (account, index into recs) sorted by account */
} EffSnap;

typedef struct EffAction {
  int32_t acct, date, tag;
  const char *file, *key; /* where it was read; the key as written */
  uint32_t line;
} EffAction;

typedef struct EffRun {
  const Program *p;
  int32_t nm, rows;
  AcctTable table;
  bool *seen; /* per account index: in some snapshot */
  size_t nseen;
  EffSnap *snaps;
  size_t nsnaps, capsnaps;
  EffAction *acts;
  size_t nacts, capacts;
  char **tags;
  size_t ntags, captags;
  Arena arena; /* action file names */
  Diag *diag;
  uint64_t read, rejected;
} EffRun;

const char *effect_member_name(const Program *p, int32_t m, char *buf, size_t n, const char **label) {
  for (int32_t d = 0; d < p->ndimensions; d++) {
    const DimensionDecl *dim = &p->dimensions[d];
    if (m < dim->nmembers) {
      const Member *mem = &dim->members[m];
      snprintf(buf, n, "%s.%s", dim->name, mem->name);
      *label = mem->label && *mem->label ? mem->label : NULL;
      return buf;
    }
    m -= dim->nmembers;
  }
  snprintf(buf, n, "?");
  *label = NULL;
  return buf;
}

/* ---- durations ------------------------------------------------------------- */

static int days_in(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

/* DATE + N units of `d`, `w` or `mo` (§6: a month end stays a month end,
 * another day keeps its number clamped to the month's length). */
static int32_t date_plus(int32_t date, long n, char unit) {
  if (unit != 'm') return date + (int32_t)(unit == 'w' ? 7 * n : n);
  int y, m, d;
  date_to_ymd(date, &y, &m, &d);
  bool end = d == days_in(y, m);
  long months = (long)y * 12 + (m - 1) + n;
  y = (int)(months / 12);
  m = (int)(months % 12) + 1;
  int len = days_in(y, m);
  if (end || d > len) d = len;
  return date_from_ymd(y, m, d);
}

/* "90d", "12w", "3mo" → *N and *UNIT ('d', 'w', 'm'); false if not. */
static bool parse_duration(const char *s, long *n, char *unit) {
  char *end;
  if (!s || *s < '0' || *s > '9') return false;
  *n = strtol(s, &end, 10);
  if (*n <= 0 || *n > 100000) return false;
  if (strcmp(end, "d") == 0 || strcmp(end, "w") == 0)
    *unit = *end;
  else if (strcmp(end, "mo") == 0)
    *unit = 'm';
  else
    return false;
  return true;
}

/* ---- scoring: what is kept ------------------------------------------------- */

static int32_t account_of(EffRun *er, const char *id, size_t len) {
  int32_t i = acct_table_index(&er->table, id, len);
  if ((size_t)i >= er->nseen) {
    size_t n = er->nseen ? er->nseen : 256;
    while (n <= (size_t)i)
      n *= 2;
    er->seen = xrealloc(er->seen, n * sizeof *er->seen);
    memset(er->seen + er->nseen, 0, (n - er->nseen) * sizeof *er->seen);
    er->nseen = n;
  }
  return i;
}

static void on_snapshot_begin(void *ud, int32_t date) {
  EffRun *er = ud;
  VEC_GROW(er->snaps, er->nsnaps, er->capsnaps, 16);
  EffSnap *s = &er->snaps[er->nsnaps++];
  memset(s, 0, sizeof *s);
  s->date = date;
}

static void on_account(void *ud, const Account *a, const Result *res) {
  EffRun *er = ud;
  EffSnap *s = &er->snaps[er->nsnaps - 1];
  int32_t i = account_of(er, a->id, strlen(a->id));
  er->seen[i] = true;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->recs = xrealloc(s->recs, s->cap * sizeof *s->recs);
    s->lost = xrealloc(s->lost, s->cap * (size_t)(er->nm ? er->nm : 1) * sizeof *s->lost);
  }
  EffRec *r = &s->recs[s->n];
  r->acct = i;
  r->grade = (int16_t)(res->grade >= 0 ? res->grade : er->rows - 1);
  r->persona = (int16_t)res->persona;
  r->health = res->health_na ? NAN : (float)res->health;
  float *lost = s->lost + s->n * (size_t)er->nm;
  for (int32_t m = 0; m < er->nm; m++)
    lost[m] = m < res->nmembers && isfinite(res->members[m].lost) ? (float)res->members[m].lost : 0.0f;
  s->n++;
}

/* ---- the action log ---------------------------------------------------------- */

static int32_t tag_of(EffRun *er, const char *s, size_t n) {
  for (size_t t = 0; t < er->ntags; t++)
    if (strlen(er->tags[t]) == n && memcmp(er->tags[t], s, n) == 0) return (int32_t)t;
  VEC_GROW(er->tags, er->ntags, er->captags, 8);
  char *c = xmalloc(n + 1);
  memcpy(c, s, n);
  c[n] = '\0';
  er->tags[er->ntags] = c;
  return (int32_t)er->ntags++;
}

static bool on_action(void *ud, const Account *a, Arena *arena) {
  (void)arena;
  EffRun *er = ud;
  VEC_GROW(er->acts, er->nacts, er->capacts, 64);
  EffAction *ac = &er->acts[er->nacts++];
  ac->acct = account_of(er, a->values[0].u.text, a->values[0].len);
  ac->date = a->values[1].u.date;
  ac->tag = tag_of(er, a->values[2].u.text, a->values[2].len);
  size_t fl = strlen(a->file) + 1;
  char *f = arena_alloc(&er->arena, fl);
  memcpy(f, a->file, fl);
  ac->file = f;
  char *k = arena_alloc(&er->arena, a->values[0].len + 1);
  memcpy(k, a->values[0].u.text, a->values[0].len);
  k[a->values[0].len] = '\0';
  ac->key = k;
  ac->line = a->line;
  return true;
}

/* Reads LOG: the key column (as the rules' key input names it), `date`
 * and `action`. */
static int read_actions(EffRun *er, const char *log, const kenko_run_opts *opts) {
  Arena arena;
  arena_init(&arena, 0);
  Schema schema;
  eval_schema(er->p, &schema, &arena);
  FieldSchema f[3];
  memset(f, 0, sizeof f);
  f[0] = schema.inputs[schema.key_index];
  f[0].key = false; /* an account may be acted on many times */
  f[0].optional = false;
  f[0].type = T_TEXT;
  f[0].allowed = NULL;
  f[0].nallowed = 0;
  f[1].name = f[1].column = "date";
  f[1].type = T_DATE;
  f[2].name = f[2].column = "action";
  f[2].type = T_TEXT;
  Schema s = {f, 3, -1};
  ReadOpts ro;
  memset(&ro, 0, sizeof ro);
  ro.delimiter = opts->delimiter ? opts->delimiter : ',';
  ro.encoding = opts->encoding;
  ro.thousands = opts->thousands;
  ReadStats rs;
  memset(&rs, 0, sizeof rs);
  int status = read_data(log, reader_format(log, NULL, er->diag), &s, &ro, er->diag, on_action, er, &rs);
  er->read += rs.accounts;
  er->rejected += rs.rejected;
  arena_free(&arena);
  return status;
}

/* Rejects the actions on accounts no snapshot holds and those dated
 * outside the history (located, counted). */
static void check_actions(EffRun *er) {
  int32_t first = er->nsnaps ? er->snaps[0].date : SNAP_NONE;
  int32_t last = er->nsnaps ? er->snaps[er->nsnaps - 1].date : SNAP_NONE;
  size_t kept = 0;
  for (size_t i = 0; i < er->nacts; i++) {
    EffAction *a = &er->acts[i];
    char d[11], f[11], l[11];
    date_format(a->date, d);
    if (!er->seen[a->acct]) {
      diag_at(er->diag, KENKO_ERROR, a->file, (int)a->line, 1,
              "action on account \"%s\", which no snapshot of the data holds", a->key);
    } else if (a->date < first || a->date > last) {
      date_format(first, f);
      date_format(last, l);
      diag_at(er->diag, KENKO_ERROR, a->file, (int)a->line, 1,
              "action dated %s is outside the history (snapshots %s to %s)", d, f, l);
    } else {
      er->acts[kept++] = *a;
      continue;
    }
    er->rejected++;
  }
  er->nacts = kept;
}

/* ---- the comparison ---------------------------------------------------------- */

static int cmp_key(const void *x, const void *y) {
  const EffKey *a = x, *b = y;
  return (a->acct > b->acct) - (a->acct < b->acct);
}

static int cmp_action(const void *x, const void *y) {
  const EffAction *a = x, *b = y;
  if (a->tag != b->tag) return a->tag < b->tag ? -1 : 1;
  if (a->acct != b->acct) return a->acct < b->acct ? -1 : 1;
  return (a->date > b->date) - (a->date < b->date);
}

static void index_snaps(EffRun *er) {
  for (size_t i = 0; i < er->nsnaps; i++) {
    EffSnap *s = &er->snaps[i];
    s->order = xmalloc((s->n ? s->n : 1) * sizeof *s->order);
    for (size_t k = 0; k < s->n; k++)
      s->order[k] = (EffKey){s->recs[k].acct, (int32_t)k};
    qsort(s->order, s->n, sizeof *s->order, cmp_key);
  }
}

/* The record of account A in S, or -1. */
static int32_t rec_of(const EffSnap *s, int32_t a) {
  EffKey k = {a, 0};
  const EffKey *f = bsearch(&k, s->order, s->n, sizeof *s->order, cmp_key);
  return f ? f->rec : -1;
}

/* Does account A have an action of tag T dated in (LO, HI]? SORTED is
 * the actions in cmp_action order. */
static bool acted(const EffAction *sorted, size_t n, int32_t t, int32_t a, int32_t lo, int32_t hi) {
  size_t l = 0, h = n;
  EffAction k = {a, lo, t, NULL, NULL, 0};
  while (l < h) { /* the first action after (t, a, lo) */
    size_t mid = (l + h) / 2;
    if (cmp_action(&sorted[mid], &k) <= 0)
      l = mid + 1;
    else
      h = mid;
  }
  return l < n && sorted[l].tag == t && sorted[l].acct == a && sorted[l].date <= hi;
}

/* Per tag sums while the events are read. */
typedef struct TagSum {
  double sum, sumsq, improved, ctrl_improved;
  double *member; /* [nm] Σ relative change of lost points */
} TagSum;

static int bin_of(float health) {
  int k = (int)(health / 10);
  return k < 0 ? 0 : k >= EFFECT_BINS ? EFFECT_BINS - 1 : k;
}

static bool improved(const int32_t *rank, int32_t before, int32_t after) {
  return rank[before] >= 0 && rank[after] >= 0 && rank[after] < rank[before];
}

static void compare(EffRun *er, Effect *e, int32_t dur_n, char unit) {
  int32_t nm = er->nm;
  int32_t *rank = grade_ranks(er->p, er->rows);
  EffAction *sorted = xmalloc((er->nacts ? er->nacts : 1) * sizeof *sorted);
  if (er->nacts) memcpy(sorted, er->acts, er->nacts * sizeof *sorted);
  qsort(sorted, er->nacts, sizeof *sorted, cmp_action);
  e->ntags = er->ntags;
  e->tags = xcalloc(er->ntags ? er->ntags : 1, sizeof *e->tags);
  TagSum *ts = xcalloc(er->ntags ? er->ntags : 1, sizeof *ts);
  for (size_t t = 0; t < er->ntags; t++) {
    e->tags[t].name = er->tags[t];
    ts[t].member = xcalloc((size_t)nm + 1, sizeof *ts[t].member);
  }
  double *ctrl_lost = xmalloc(((size_t)nm + 1) * sizeof *ctrl_lost);
  for (size_t i = 0; i < er->nacts; i++) {
    const EffAction *a = &er->acts[i];
    EffTag *tg = &e->tags[a->tag];
    TagSum *sm = &ts[a->tag];
    tg->events++;
    int32_t lo = date_plus(a->date, -dur_n, unit), target = date_plus(a->date, dur_n, unit);
    size_t b = 0; /* the latest snapshot on or before t (one exists: checked) */
    while (b + 1 < er->nsnaps && er->snaps[b + 1].date <= a->date)
      b++;
    const EffSnap *sb = &er->snaps[b];
    int32_t rb = rec_of(sb, a->acct);
    if (rb < 0 || isnan(sb->recs[rb].health)) {
      tg->not_followed++;
      continue;
    }
    size_t s = b;
    while (s < er->nsnaps && er->snaps[s].date < target)
      s++;
    if (s == er->nsnaps) {
      tg->pending++;
      continue;
    }
    int32_t ra = -1;
    while (s < er->nsnaps && (ra = rec_of(&er->snaps[s], a->acct)) < 0)
      s++;
    if (ra < 0 || isnan(er->snaps[s].recs[ra].health)) {
      tg->not_followed++;
      continue;
    }
    const EffSnap *sa = &er->snaps[s];
    const EffRec *eb = &sb->recs[rb], *ea = &sa->recs[ra];
    double ctrl_sum = 0, ctrl_up = 0;
    uint64_t nc = 0;
    double ctrl_hist[2][EFFECT_BINS];
    memset(ctrl_hist, 0, sizeof ctrl_hist);
    memset(ctrl_lost, 0, ((size_t)nm + 1) * sizeof *ctrl_lost);
    for (size_t k = 0; k < sb->n; k++) {
      const EffRec *cb = &sb->recs[k];
      if (cb->acct == a->acct || cb->persona != eb->persona || cb->grade != eb->grade || isnan(cb->health))
        continue;
      int32_t rc = rec_of(sa, cb->acct);
      if (rc < 0 || isnan(sa->recs[rc].health)) continue;
      if (acted(sorted, er->nacts, a->tag, cb->acct, lo, target)) continue;
      const EffRec *ca = &sa->recs[rc];
      ctrl_sum += (double)ca->health - (double)cb->health;
      ctrl_hist[0][bin_of(cb->health)]++;
      ctrl_hist[1][bin_of(ca->health)]++;
      ctrl_up += improved(rank, cb->grade, ca->grade);
      const float *lb = sb->lost + k * (size_t)nm, *la = sa->lost + (size_t)rc * (size_t)nm;
      for (int32_t m = 0; m < nm; m++)
        ctrl_lost[m] += (double)la[m] - (double)lb[m];
      nc++;
    }
    if (nc == 0) {
      tg->no_control++;
      continue;
    }
    double d = ((double)ea->health - (double)eb->health) - ctrl_sum / (double)nc;
    tg->used++;
    tg->controls += nc;
    tg->hist[0][bin_of(eb->health)]++;
    tg->hist[1][bin_of(ea->health)]++;
    for (int k = 0; k < EFFECT_BINS; k++) {
      tg->hist[2][k] += ctrl_hist[0][k] / (double)nc;
      tg->hist[3][k] += ctrl_hist[1][k] / (double)nc;
    }
    sm->sum += d;
    sm->sumsq += d * d;
    sm->improved += improved(rank, eb->grade, ea->grade);
    sm->ctrl_improved += ctrl_up / (double)nc;
    const float *lb = sb->lost + (size_t)rb * (size_t)nm, *la = sa->lost + (size_t)ra * (size_t)nm;
    for (int32_t m = 0; m < nm; m++)
      sm->member[m] += ((double)la[m] - (double)lb[m]) - ctrl_lost[m] / (double)nc;
  }
  for (size_t t = 0; t < er->ntags; t++) {
    EffTag *tg = &e->tags[t];
    TagSum *sm = &ts[t];
    double n = (double)tg->used;
    tg->mean = tg->lo = tg->hi = tg->improved = tg->ctrl_improved = NAN;
    if (tg->used > 0) {
      tg->mean = sm->sum / n;
      tg->improved = sm->improved / n;
      tg->ctrl_improved = sm->ctrl_improved / n;
      for (int32_t m = 0; m < nm; m++) {
        double c = sm->member[m] / n;
        if (!(c < -EFFECT_EPSILON)) continue;
        int32_t at = tg->ntop;
        while (at > 0 && tg->top[at - 1].change > c)
          at--;
        if (at >= EFFECT_TOP_MEMBERS) continue;
        int32_t last = tg->ntop < EFFECT_TOP_MEMBERS ? tg->ntop : EFFECT_TOP_MEMBERS - 1;
        for (int32_t j = last; j > at; j--)
          tg->top[j] = tg->top[j - 1];
        tg->top[at] = (EffMember){m, c};
        if (tg->ntop < EFFECT_TOP_MEMBERS) tg->ntop++;
      }
    }
    if (tg->used >= 2) {
      double var = (sm->sumsq - sm->sum * sm->sum / n) / (n - 1);
      double half = 1.96 * sqrt(var > 0 ? var : 0) / sqrt(n);
      tg->lo = tg->mean - half;
      tg->hi = tg->mean + half;
    }
    free(sm->member);
  }
  free(ts);
  free(ctrl_lost);
  free(sorted);
  free(rank);
}

static void effrun_free(EffRun *er) {
  for (size_t i = 0; i < er->nsnaps; i++) {
    free(er->snaps[i].recs);
    free(er->snaps[i].lost);
    free(er->snaps[i].order);
  }
  free(er->snaps);
  free(er->acts);
  free(er->seen);
  acct_table_free(&er->table);
  arena_free(&er->arena);
}

int effect_program(const CProgram *cp, const char *const *data, int ndata, const kenko_effect_opts *opts,
                   FILE *out, kenko_run_stats *stats) {
  const Program *p = cp->prog;
  kenko_run_opts ro = opts->run;
  ro.account = NULL;
  ro.as_of = NULL;
  Diag diag;
  int32_t as_of;
  if (!run_begin(p, &ro, stats, &diag, &as_of)) return KENKO_ERR_USAGE;
  long dur_n = 90;
  char unit = 'd';
  const char *after = opts->after ? opts->after : "90d";
  if (!parse_duration(after, &dur_n, &unit)) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "--after needs a duration such as 90d, 12w or 3mo, found \"%s\"",
            after);
    return KENKO_ERR_USAGE;
  }
  if (p->key_input < 0) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0,
            "`kenko effect` follows accounts across snapshots: the rules need a `key` input");
    return KENKO_ERR_USAGE;
  }
  EffRun er;
  memset(&er, 0, sizeof er);
  er.p = p;
  er.rows = p->ngrade_names + 1;
  for (int32_t d = 0; d < p->ndimensions; d++)
    er.nm += p->dimensions[d].nmembers;
  er.diag = &diag;
  arena_init(&er.arena, 0);
  acct_table_init(&er.table);
  int status = read_actions(&er, opts->actions, &ro);
  int status2 = KENKO_OK;
  Evaluator *ev = NULL;
  if (status != KENKO_ERR_USAGE) {
    ev = eval_new(cp);
    if (!ev) status = KENKO_ERR_RULES;
  }
  if (ev) {
    ScoreSink sink;
    memset(&sink, 0, sizeof sink);
    sink.all_snapshots = true;
    sink.account = on_account;
    sink.snapshot_begin = on_snapshot_begin;
    sink.ud = &er;
    status2 = score_accounts(p, ev, as_of, data, ndata, &ro, &diag, &sink, stats);
    eval_free(ev);
  }
  if (ev && status2 != KENKO_ERR_USAGE) {
    uint64_t before = er.rejected;
    check_actions(&er);
    index_snaps(&er);
    Effect e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.after = after;
    compare(&er, &e, (int32_t)dur_n, unit);
    e.actions = er.read;
    e.rejected = er.rejected;
    if (out) {
      if (opts->json)
        effect_write_json(&e, out);
      else
        effect_write_text(&e, out);
    }
    if (opts->html) effect_write_html(&e, opts->html);
    free(e.tags);
    if (er.rejected > before || status == KENKO_ERR_DATA || er.rejected) status = KENKO_ERR_DATA;
  }
  if (status2 != KENKO_OK && status != KENKO_ERR_USAGE) status = status2;
  for (size_t t = 0; t < er.ntags; t++)
    free(er.tags[t]);
  free(er.tags);
  effrun_free(&er);
  return status;
}
