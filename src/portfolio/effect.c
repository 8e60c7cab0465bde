/* effect.c — `kenko effect` (LANGUAGE.md §7): reads the action log with
 * the data readers, keeps each (account, snapshot)'s health, grade,
 * persona and lost points while every snapshot is scored, then finds
 * each event's before and after snapshots and its controls, and sums the
 * per-tag figures. effect.h lists what is kept. */
#include "portfolio/effect.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "engine/eval.h"
#include "engine/result.h"
#include "run/run.h"
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

typedef struct EffSnap {
  int32_t date;
  EffRec *recs;
  size_t n, cap;
  float *lost;  /* n × nmembers, in recs' order */
  int32_t *pos; /* per account index: its record in recs, or -1 */
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
  int32_t naccts;   /* account indices given out: 0 … naccts − 1 */
  int32_t personas; /* the highest persona index a record has, + 1 */
  EffSnap *snaps;
  size_t nsnaps, capsnaps;
  EffAction *acts;
  size_t nacts, capacts;
  char **tags;
  size_t ntags, captags;
  Arena arena; /* action file names */
  Diag *diag;
  const char *log_path; /* the action log being read */
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
  if (i >= er->naccts) er->naccts = i + 1;
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
  if (r->persona + 1 > er->personas) er->personas = r->persona + 1;
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

/* A bad record of the action log, reported as one: the shared reader
 * words it as an account ("account \"log.csv:4\"") since it reads
 * accounts, but a line of the log is an action, not a customer. */
static void on_action_reject(void *ud, int line, int col, const char *field, const char *id,
                             const char *msg) {
  EffRun *er = ud;
  (void)id;
  if (field)
    diag_at(er->diag, KENKO_ERROR, er->log_path, line, col, "action record: field \"%s\": %s", field, msg);
  else
    diag_at(er->diag, KENKO_ERROR, er->log_path, line, col, "action record: %s", msg);
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
  ro.on_reject = on_action_reject;
  ro.reject_ud = er;
  er->log_path = log;
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

/* How the controls are found without scanning every account per event
 * (docs/effect.md, "Speed"): an event's controls depend only on its before
 * and after snapshots, its persona and grade in the before snapshot, its
 * tag and its date (the window). So the events are sorted by that key;
 * per (before, after) pair the accounts present with a health in both are
 * grouped by (persona, grade) once, in the before snapshot's order; per
 * (before, after, tag) the window slides over the dates, and the accounts
 * with an action of the tag in it are stamped (the event's own account
 * among them: its action is in its window); a key's controls are its group
 * minus the stamped. Their sums are the group's minus the stamped ones'
 * when that is exact (below), else the group is summed one by one,
 * skipping the stamped: the same bits either way, those of adding the
 * controls in the before snapshot's order. The per-tag sums then run over
 * the events in the log's order. */

static void index_snaps(EffRun *er) {
  size_t na = er->naccts ? (size_t)er->naccts : 1;
  for (size_t i = 0; i < er->nsnaps; i++) {
    EffSnap *s = &er->snaps[i];
    s->pos = xmalloc(na * sizeof *s->pos);
    for (size_t a = 0; a < na; a++)
      s->pos[a] = -1;
    for (size_t k = 0; k < s->n; k++)
      s->pos[s->recs[k].acct] = (int32_t)k;
  }
}

/* The record of account A in S, or -1. */
static int32_t rec_of(const EffSnap *s, int32_t a) { return s->pos[a]; }

static bool improved(const int32_t *rank, int32_t before, int32_t after) {
  return rank[before] >= 0 && rank[after] >= 0 && rank[after] < rank[before];
}

static int bin_of(float health) {
  int k = (int)(health / 10);
  return k < 0 ? 0 : k >= EFFECT_BINS ? EFFECT_BINS - 1 : k;
}

enum { EV_USED, EV_PENDING, EV_NOT_FOLLOWED };

/* An event's snapshots and records, and its controls' sums (ctl: an index
 * into the sums, or -1: no control). */
typedef struct EffEvent {
  int32_t b, s, rb, ra, ctl;
  int32_t state;
} EffEvent;

/* The sums over one key's controls. */
typedef struct EffCtl {
  uint64_t n;
  double sum, up; /* Σ health change, Σ grade improved */
  double hist[2][EFFECT_BINS];
} EffCtl;

/* An event with both snapshots, by the key its controls depend on. */
typedef struct EffKeyed {
  int32_t b, s, tag, date, group, ev;
} EffKeyed;

static int cmp_keyed(const void *x, const void *y) {
  const EffKeyed *a = x, *b = y;
  if (a->b != b->b) return a->b < b->b ? -1 : 1;
  if (a->s != b->s) return a->s < b->s ? -1 : 1;
  if (a->tag != b->tag) return a->tag < b->tag ? -1 : 1;
  if (a->date != b->date) return a->date < b->date ? -1 : 1;
  if (a->group != b->group) return a->group < b->group ? -1 : 1;
  return (a->ev > b->ev) - (a->ev < b->ev);
}

/* The actions by tag and date, for the window stamps. */
typedef struct EffDated {
  int32_t tag, date, acct;
} EffDated;

static int cmp_dated(const void *x, const void *y) {
  const EffDated *a = x, *b = y;
  if (a->tag != b->tag) return a->tag < b->tag ? -1 : 1;
  if (a->date != b->date) return a->date < b->date ? -1 : 1;
  return (a->acct > b->acct) - (a->acct < b->acct);
}

/* Exact sums. A group's controls are its candidates minus the ones
 * stamped for the key, and the figures must be those of adding the
 * controls one by one in the before snapshot's order. Adding them one by
 * one in doubles is exact, in any order, when every value is a multiple
 * of 2^-Q and the sum of their magnitudes is below 2^52·2^-Q: every
 * partial sum is then such a multiple below 2^53 units. So per group and
 * per value (the health change, each member's change of lost points) the
 * pair finds the least such Q and checks the bound; when every value of
 * the group passes, its candidates' values are added once as integers of
 * 2^-Q units, and a key's sums are the group's totals minus its stamped
 * candidates' (a few, where the scan would visit the whole group), turned
 * back to a double exactly. A group that does not pass (values with very
 * many binary digits) is summed candidate by candidate, skipping the
 * stamped ones. Either way the figures are the same bits. */

/* The least Q ≥ 0 such that V is a multiple of 2^-Q (V finite). */
static int frac_bits(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  int exp = (int)((b >> 52) & 0x7ff);
  uint64_t mant = b & ((UINT64_C(1) << 52) - 1);
  if (exp == 0x7ff) return INT_MAX;
  if (exp == 0) { /* zero or subnormal: mant × 2^-1074 */
    if (mant == 0) return 0;
    exp = 1;
  } else {
    mant |= UINT64_C(1) << 52; /* mant × 2^(exp − 1075) */
  }
  int tz = 0;
  while (!(mant & 1)) {
    mant >>= 1;
    tz++;
  }
  int q = 1075 - exp - tz;
  return q > 0 ? q : 0;
}

/* The candidates of one (before, after) pair: the records k of the before
 * snapshot whose account is in the after snapshot (record rc), both with
 * a health, by group (persona, grade), each group in the before
 * snapshot's order: group g is [start[g], start[g + 1]). Per group its
 * counts over every candidate and whether its sums are exact; per (group,
 * value) the scale 2^Q and the total in units of 2^-Q. */
typedef struct EffPair {
  int32_t *k, *rc, *grp; /* per candidate */
  int32_t *j_of;         /* per account: its candidate, or -1 */
  size_t *start;
  EffCtl *all; /* per group: every candidate counted */
  bool *exact;
  double *scale;
  int64_t *tot;
} EffPair;

static int32_t group_of(const EffRun *er, const EffRec *r) { return (r->persona + 1) * er->rows + r->grade; }

/* Candidate J's values into V: [0] its health change, [1 + m] member m's
 * change of lost points (each computed as the scan computes it). */
static void cand_values(const EffRun *er, const EffSnap *sb, const EffSnap *sa, const EffPair *px, size_t j,
                        double *v) {
  size_t nm = (size_t)er->nm;
  v[0] = (double)sa->recs[px->rc[j]].health - (double)sb->recs[px->k[j]].health;
  const float *lb = sb->lost + (size_t)px->k[j] * nm, *la = sa->lost + (size_t)px->rc[j] * nm;
  for (size_t m = 0; m < nm; m++)
    v[1 + m] = (double)la[m] - (double)lb[m];
}

/* Counts candidate J in C: its health bins and grade improvement. */
static void count_cand(EffCtl *c, const EffSnap *sb, const EffSnap *sa, const EffPair *px, size_t j,
                       const int32_t *rank) {
  const EffRec *cb = &sb->recs[px->k[j]], *ca = &sa->recs[px->rc[j]];
  c->hist[0][bin_of(cb->health)]++;
  c->hist[1][bin_of(ca->health)]++;
  c->up += improved(rank, cb->grade, ca->grade);
  c->n++;
}

static void pair_build(const EffRun *er, const EffSnap *sb, const EffSnap *sa, const int32_t *rank, double *v,
                       EffPair *px) {
  size_t ng = (size_t)(er->personas + 1) * (size_t)er->rows, nx = (size_t)er->nm + 1;
  size_t n = sb->n ? sb->n : 1;
  px->start = xcalloc(ng + 1, sizeof *px->start);
  px->k = xmalloc(n * sizeof *px->k);
  px->rc = xmalloc(n * sizeof *px->rc);
  px->grp = xmalloc(n * sizeof *px->grp);
  px->j_of = xmalloc((er->naccts ? (size_t)er->naccts : 1) * sizeof *px->j_of);
  for (int32_t a = 0; a < er->naccts; a++)
    px->j_of[a] = -1;
  for (size_t k = 0; k < sb->n; k++) {
    const EffRec *cb = &sb->recs[k];
    int32_t rc = rec_of(sa, cb->acct);
    if (!isnan(cb->health) && rc >= 0 && !isnan(sa->recs[rc].health)) px->start[group_of(er, cb) + 1]++;
  }
  for (size_t g = 0; g < ng; g++)
    px->start[g + 1] += px->start[g];
  size_t *at = xmalloc(ng * sizeof *at);
  memcpy(at, px->start, ng * sizeof *at);
  for (size_t k = 0; k < sb->n; k++) {
    const EffRec *cb = &sb->recs[k];
    int32_t rc = rec_of(sa, cb->acct);
    if (isnan(cb->health) || rc < 0 || isnan(sa->recs[rc].health)) continue;
    int32_t g = group_of(er, cb);
    size_t j = at[g]++;
    px->k[j] = (int32_t)k;
    px->rc[j] = rc;
    px->grp[j] = g;
    px->j_of[cb->acct] = (int32_t)j;
  }
  free(at);
  px->all = xcalloc(ng, sizeof *px->all);
  px->exact = xcalloc(ng, sizeof *px->exact);
  px->scale = xmalloc(ng * nx * sizeof *px->scale);
  px->tot = xcalloc(ng * nx, sizeof *px->tot);
  int *q = xmalloc(nx * sizeof *q);
  double *mag = xmalloc(nx * sizeof *mag);
  for (size_t g = 0; g < ng; g++) {
    for (size_t x = 0; x < nx; x++) {
      q[x] = 0;
      mag[x] = 0;
    }
    for (size_t j = px->start[g]; j < px->start[g + 1]; j++) {
      count_cand(&px->all[g], sb, sa, px, j, rank);
      cand_values(er, sb, sa, px, j, v);
      for (size_t x = 0; x < nx; x++) {
        int fb = frac_bits(v[x]);
        if (fb > q[x]) q[x] = fb;
        mag[x] += fabs(v[x]);
      }
    }
    bool exact = true;
    for (size_t x = 0; x < nx && exact; x++) {
      exact = q[x] <= 1000 && ldexp(mag[x], q[x]) < 0x1p52;
      px->scale[g * nx + x] = exact ? ldexp(1.0, q[x]) : 0;
    }
    px->exact[g] = exact;
    if (!exact) continue;
    int64_t *tot = px->tot + g * nx;
    for (size_t j = px->start[g]; j < px->start[g + 1]; j++) {
      cand_values(er, sb, sa, px, j, v);
      for (size_t x = 0; x < nx; x++)
        tot[x] += (int64_t)(v[x] * px->scale[g * nx + x]);
    }
  }
  free(q);
  free(mag);
}

static void pair_free(EffPair *px) {
  free(px->k);
  free(px->rc);
  free(px->grp);
  free(px->j_of);
  free(px->start);
  free(px->all);
  free(px->exact);
  free(px->scale);
  free(px->tot);
  memset(px, 0, sizeof *px);
}

/* Finds each event's before and after snapshots and records, or why it is
 * not used. */
static void locate(const EffRun *er, EffEvent *ev, int32_t dur_n, char unit) {
  for (size_t i = 0; i < er->nacts; i++) {
    const EffAction *a = &er->acts[i];
    EffEvent *v = &ev[i];
    v->ctl = -1;
    int32_t target = date_plus(a->date, dur_n, unit);
    size_t b = 0; /* the latest snapshot on or before t (one exists: checked) */
    while (b + 1 < er->nsnaps && er->snaps[b + 1].date <= a->date)
      b++;
    const EffSnap *sb = &er->snaps[b];
    int32_t rb = rec_of(sb, a->acct);
    v->state = EV_NOT_FOLLOWED;
    if (rb < 0 || isnan(sb->recs[rb].health)) continue;
    size_t s = b;
    while (s < er->nsnaps && er->snaps[s].date < target)
      s++;
    if (s == er->nsnaps) {
      v->state = EV_PENDING;
      continue;
    }
    int32_t ra = -1;
    while (s < er->nsnaps && (ra = rec_of(&er->snaps[s], a->acct)) < 0)
      s++;
    if (ra < 0 || isnan(er->snaps[s].recs[ra].health)) continue;
    *v = (EffEvent){(int32_t)b, (int32_t)s, rb, ra, -1, EV_USED};
  }
}

/* Counts an action of account ACCT into the window (BY = 1) or out of it
 * (BY = −1): when the account becomes stamped or stops being, its
 * candidate in an exact group is added to or taken from RM and RTOT. */
static void window_count(const EffRun *er, const EffPair *px, const EffSnap *sb, const EffSnap *sa,
                         const int32_t *rank, double *v, uint32_t *cnt, EffCtl *rm, int64_t *rtot,
                         int32_t acct, int by) {
  if (by > 0 ? cnt[acct]++ != 0 : --cnt[acct] != 0) return;
  int32_t j = px->j_of[acct];
  if (j < 0 || !px->exact[px->grp[j]]) return;
  size_t g = (size_t)px->grp[j], nx = (size_t)er->nm + 1;
  EffCtl one;
  memset(&one, 0, sizeof one);
  count_cand(&one, sb, sa, px, (size_t)j, rank);
  cand_values(er, sb, sa, px, (size_t)j, v);
  EffCtl *r = &rm[g];
  r->n = by > 0 ? r->n + 1 : r->n - 1;
  r->up += by * one.up;
  for (int b = 0; b < 2; b++)
    for (int k = 0; k < EFFECT_BINS; k++)
      r->hist[b][k] += by * one.hist[b][k];
  for (size_t x = 0; x < nx; x++)
    rtot[g * nx + x] += by * (int64_t)(v[x] * px->scale[g * nx + x]);
}

/* Sums the controls of every event that has both snapshots: EV's ctl
 * indexes *CTLS (n per control set) and *LOST (nm per control set). */
static void find_controls(EffRun *er, EffEvent *ev, int32_t dur_n, char unit, const int32_t *rank,
                          EffCtl **ctls, double **lost) {
  size_t nm = (size_t)er->nm, nx = nm + 1, ng = (size_t)(er->personas + 1) * (size_t)er->rows;
  EffKeyed *keyed = xmalloc((er->nacts ? er->nacts : 1) * sizeof *keyed);
  size_t nk = 0;
  for (size_t i = 0; i < er->nacts; i++) {
    const EffEvent *v = &ev[i];
    if (v->state != EV_USED) continue;
    const EffAction *a = &er->acts[i];
    keyed[nk++] =
        (EffKeyed){v->b, v->s, a->tag, a->date, group_of(er, &er->snaps[v->b].recs[v->rb]), (int32_t)i};
  }
  qsort(keyed, nk, sizeof *keyed, cmp_keyed);
  EffDated *dated = xmalloc((er->nacts ? er->nacts : 1) * sizeof *dated);
  for (size_t i = 0; i < er->nacts; i++)
    dated[i] = (EffDated){er->acts[i].tag, er->acts[i].date, er->acts[i].acct};
  qsort(dated, er->nacts, sizeof *dated, cmp_dated);
  uint32_t *cnt = xcalloc(er->naccts ? (size_t)er->naccts : 1, sizeof *cnt); /* actions in the window */
  size_t in = 0, out = 0; /* dated[out, in): the actions in the window */
  double *v = xmalloc(nx * sizeof *v);
  EffCtl *rm = xcalloc(ng, sizeof *rm);           /* per group: its stamped candidates */
  int64_t *rtot = xcalloc(ng * nx, sizeof *rtot); /* and their values, in 2^-Q units */
  size_t nctl = 0, capctl = 0;
  EffCtl *ctl = NULL;
  double *cl = NULL;
  EffPair px;
  memset(&px, 0, sizeof px);
  for (size_t i = 0; i < nk;) {
    const EffKeyed *key = &keyed[i];
    const EffSnap *sb = &er->snaps[key->b], *sa = &er->snaps[key->s];
    bool new_pair = i == 0 || key->b != keyed[i - 1].b || key->s != keyed[i - 1].s;
    if (new_pair) {
      for (; out < in; out++) /* the last pair's window emptied */
        window_count(er, &px, er->snaps + keyed[i - 1].b, er->snaps + keyed[i - 1].s, rank, v, cnt, rm, rtot,
                     dated[out].acct, -1);
      pair_free(&px);
      pair_build(er, sb, sa, rank, v, &px);
    }
    /* the tag's window (lo, hi] for this date: the actions entering it
     * are counted in, those leaving it out (both ends only move forward
     * over a (before, after, tag)'s dates); an account counted is
     * "stamped", and the stamped candidates of the exact groups are summed
     * into rm/rtot as they come and go */
    if (new_pair || key->tag != keyed[i - 1].tag) {
      for (; out < in; out++) /* the last run's window emptied */
        window_count(er, &px, sb, sa, rank, v, cnt, rm, rtot, dated[out].acct, -1);
      memset(rm, 0, ng * sizeof *rm);
      memset(rtot, 0, ng * nx * sizeof *rtot);
      size_t l = 0, h = er->nacts;
      while (l < h) { /* the tag's first action */
        size_t mid = (l + h) / 2;
        if (dated[mid].tag < key->tag)
          l = mid + 1;
        else
          h = mid;
      }
      in = out = l;
    }
    if (new_pair || key->tag != keyed[i - 1].tag || key->date != keyed[i - 1].date) {
      int32_t lo = date_plus(key->date, -dur_n, unit), hi = date_plus(key->date, dur_n, unit);
      for (; in < er->nacts && dated[in].tag == key->tag && dated[in].date <= hi; in++)
        window_count(er, &px, sb, sa, rank, v, cnt, rm, rtot, dated[in].acct, 1);
      for (; out < in && dated[out].date <= lo; out++)
        window_count(er, &px, sb, sa, rank, v, cnt, rm, rtot, dated[out].acct, -1);
    }
    if (nctl == capctl) {
      capctl = capctl ? 2 * capctl : 64;
      ctl = xrealloc(ctl, capctl * sizeof *ctl);
      cl = xrealloc(cl, capctl * nx * sizeof *cl);
    }
    EffCtl *c = &ctl[nctl];
    memset(c, 0, sizeof *c);
    double *c_lost = cl + nctl * nx;
    memset(c_lost, 0, nx * sizeof *c_lost);
    size_t g = (size_t)key->group;
    if (px.exact[g]) { /* the group's totals minus the stamped */
      const EffCtl *all = &px.all[g], *r = &rm[g];
      const int64_t *tot = px.tot + g * nx, *rt = rtot + g * nx;
      const double *scale = px.scale + g * nx;
      c->n = all->n - r->n;
      c->up = all->up - r->up;
      for (int b = 0; b < 2; b++)
        for (int k = 0; k < EFFECT_BINS; k++)
          c->hist[b][k] = all->hist[b][k] - r->hist[b][k];
      c->sum = (double)(tot[0] - rt[0]) / scale[0];
      for (size_t m = 0; m < nm; m++)
        c_lost[m] = (double)(tot[1 + m] - rt[1 + m]) / scale[1 + m];
    } else { /* one by one */
      for (size_t j = px.start[g]; j < px.start[g + 1]; j++) {
        if (cnt[sb->recs[px.k[j]].acct]) continue;
        count_cand(c, sb, sa, &px, j, rank);
        cand_values(er, sb, sa, &px, j, v);
        c->sum += v[0];
        for (size_t m = 0; m < nm; m++)
          c_lost[m] += v[1 + m];
      }
    }
    int32_t at = c->n ? (int32_t)nctl++ : -1;
    size_t j = i;
    for (; j < nk && keyed[j].b == key->b && keyed[j].s == key->s && keyed[j].tag == key->tag &&
           keyed[j].date == key->date && keyed[j].group == key->group;
         j++)
      ev[keyed[j].ev].ctl = at;
    i = j;
  }
  pair_free(&px);
  free(v);
  free(rm);
  free(rtot);
  free(cnt);
  free(dated);
  free(keyed);
  *ctls = ctl;
  *lost = cl;
}

/* Per tag sums while the events are read. */
typedef struct TagSum {
  double sum, sumsq, improved, ctrl_improved;
  double *member; /* [nm] Σ relative change of lost points */
} TagSum;

static void compare(EffRun *er, Effect *e, int32_t dur_n, char unit) {
  int32_t nm = er->nm;
  int32_t *rank = grade_ranks(er->p, er->rows);
  e->ntags = er->ntags;
  e->tags = xcalloc(er->ntags ? er->ntags : 1, sizeof *e->tags);
  TagSum *ts = xcalloc(er->ntags ? er->ntags : 1, sizeof *ts);
  for (size_t t = 0; t < er->ntags; t++) {
    e->tags[t].name = er->tags[t];
    ts[t].member = xcalloc((size_t)nm + 1, sizeof *ts[t].member);
  }
  EffEvent *ev = xmalloc((er->nacts ? er->nacts : 1) * sizeof *ev);
  locate(er, ev, dur_n, unit);
  EffCtl *ctls = NULL;
  double *ctl_lost = NULL;
  find_controls(er, ev, dur_n, unit, rank, &ctls, &ctl_lost);
  for (size_t i = 0; i < er->nacts; i++) {
    const EffAction *a = &er->acts[i];
    const EffEvent *v = &ev[i];
    EffTag *tg = &e->tags[a->tag];
    TagSum *sm = &ts[a->tag];
    tg->events++;
    if (v->state == EV_PENDING) {
      tg->pending++;
      continue;
    }
    if (v->state == EV_NOT_FOLLOWED) {
      tg->not_followed++;
      continue;
    }
    if (v->ctl < 0) {
      tg->no_control++;
      continue;
    }
    const EffSnap *sb = &er->snaps[v->b], *sa = &er->snaps[v->s];
    const EffRec *eb = &sb->recs[v->rb], *ea = &sa->recs[v->ra];
    const EffCtl *c = &ctls[v->ctl];
    const double *c_lost = ctl_lost + (size_t)v->ctl * ((size_t)nm + 1);
    double nc = (double)c->n;
    double d = ((double)ea->health - (double)eb->health) - c->sum / nc;
    tg->used++;
    tg->controls += c->n;
    tg->hist[0][bin_of(eb->health)]++;
    tg->hist[1][bin_of(ea->health)]++;
    for (int k = 0; k < EFFECT_BINS; k++) {
      tg->hist[2][k] += c->hist[0][k] / nc;
      tg->hist[3][k] += c->hist[1][k] / nc;
    }
    sm->sum += d;
    sm->sumsq += d * d;
    sm->improved += improved(rank, eb->grade, ea->grade);
    sm->ctrl_improved += c->up / nc;
    const float *lb = sb->lost + (size_t)v->rb * (size_t)nm, *la = sa->lost + (size_t)v->ra * (size_t)nm;
    for (int32_t m = 0; m < nm; m++)
      sm->member[m] += ((double)la[m] - (double)lb[m]) - c_lost[m] / nc;
  }
  free(ev);
  free(ctls);
  free(ctl_lost);
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
  free(rank);
}

static void effrun_free(EffRun *er) {
  for (size_t i = 0; i < er->nsnaps; i++) {
    free(er->snaps[i].recs);
    free(er->snaps[i].lost);
    free(er->snaps[i].pos);
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
