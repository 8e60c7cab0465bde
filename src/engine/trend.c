/* trend.c — the trend functions' values and the rings of earlier
 * snapshots they read (trend.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/trend.h"

/* ---- values ------------------------------------------------------------ */

/* The start of CALL's window for AS_OF (as_of − window), or INT32_MIN
 * when it reaches before the calendar. */
static int32_t window_start(const TrendCall *call, int32_t as_of) {
  int32_t start;
  return date_shift(as_of, -(int64_t)call->n, (DurUnit)call->unit, &start) ? start : INT32_MIN;
}

Value trend_value(const TrendView *view, const TrendCall *call, int32_t subject, Value current, int32_t as_of,
                  int32_t *from) {
  *from = INT32_MIN;
  int32_t n = view ? view->n : 0;
  int32_t stride = view ? view->nsubjects : 0;
  Builtin fn = (Builtin)call->fn;
  if (fn == FN_PREVIOUS) {
    if (n == 0) return val_missing(MISS_NO_SNAPSHOT);
    *from = view->dates[n - 1];
    return view->values[(size_t)(n - 1) * (size_t)stride + (size_t)subject];
  }
  int32_t start = window_start(call, as_of);
  if (fn == FN_PAST || fn == FN_CHANGE || fn == FN_PCT_CHANGE) {
    /* the latest earlier snapshot dated on or before as_of − window */
    int32_t i = n - 1;
    while (i >= 0 && view->dates[i] > start)
      i--;
    if (i < 0) return val_missing(MISS_NO_SNAPSHOT);
    *from = view->dates[i];
    Value past = view->values[(size_t)i * (size_t)stride + (size_t)subject];
    if (fn == FN_PAST) return past;
    if (current.type == T_MISSING) return current;
    if (past.type == T_MISSING) return past;
    if (current.type != T_NUMBER || past.type != T_NUMBER) return val_missing(MISS_DOMAIN);
    if (fn == FN_CHANGE) return val_num(current.u.num - past.u.num);
    if (past.u.num == 0) return val_missing(MISS_DIV_ZERO);
    double r = (current.u.num - past.u.num) / past.u.num;
    return isfinite(r) ? val_num(r) : val_missing(MISS_DOMAIN);
  }
  /* avg/min/max/count over the snapshots dated after as_of − window, this
   * one included, skipping missing values */
  double acc = 0, best = 0;
  int32_t count = 0;
  int32_t first = n;
  while (first > 0 && view->dates[first - 1] > start)
    first--;
  for (int32_t i = first; i <= n; i++) {
    Value v = i < n ? view->values[(size_t)i * (size_t)stride + (size_t)subject] : current;
    if (i < n && *from == INT32_MIN) *from = view->dates[i];
    if (v.type == T_MISSING) continue;
    count++;
    if (v.type != T_NUMBER) continue;
    double x = v.u.num;
    if (count == 1 || (fn == FN_MIN_OVER && x < best) || (fn == FN_MAX_OVER && x > best)) best = x;
    acc += x;
  }
  if (*from == INT32_MIN) *from = as_of;
  if (fn == FN_COUNT_OVER) return val_num(count);
  if (count == 0) return val_missing(MISS_EMPTY);
  if (fn == FN_AVG_OVER) return val_num(acc / count);
  return val_num(best);
}

/* ---- the store ---------------------------------------------------------- */

typedef struct TrendText {
  uint64_t hash; /* 0: empty */
  const char *text;
  uint32_t len;
} TrendText;

static uint64_t text_hash(const char *s, uint32_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h ? h : 1;
}

/* V with its text, when it has one, interned in S. */
static Value intern(TrendStore *s, Value v) {
  if (v.type != T_TEXT) return v;
  if ((s->ntexts + 1) * 2 > s->text_cap) {
    size_t cap = s->text_cap ? s->text_cap * 2 : 64;
    TrendText *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < s->text_cap; i++) {
      if (!s->texts[i].hash) continue;
      size_t j = (size_t)s->texts[i].hash & (cap - 1);
      while (t[j].hash)
        j = (j + 1) & (cap - 1);
      t[j] = s->texts[i];
    }
    free(s->texts);
    s->texts = t;
    s->text_cap = cap;
  }
  uint64_t h = text_hash(v.u.text, v.len);
  size_t j = (size_t)h & (s->text_cap - 1);
  while (s->texts[j].hash) {
    TrendText *e = &s->texts[j];
    if (e->hash == h && e->len == v.len && memcmp(e->text, v.u.text, v.len) == 0)
      return val_text(e->text, v.len);
    j = (j + 1) & (s->text_cap - 1);
  }
  TrendText *e = &s->texts[j];
  e->hash = h;
  e->len = v.len;
  e->text = arena_strndup(&s->text_arena, v.u.text, v.len);
  s->ntexts++;
  return val_text(e->text, v.len);
}

void trend_store_init(TrendStore *s, const Program *p) {
  memset(s, 0, sizeof *s);
  s->p = p;
  s->nsubjects = p->ntrend_subjects;
  arena_init(&s->text_arena, 0);
}

void trend_store_free(TrendStore *s) {
  for (size_t i = 0; i < s->nrings; i++) {
    free(s->rings[i].dates);
    free(s->rings[i].values);
  }
  free(s->rings);
  free(s->texts);
  arena_free(&s->text_arena);
}

static TrendRing *ring_of(TrendStore *s, int32_t account) {
  if ((size_t)account >= s->nrings) {
    size_t n = (size_t)account + 1;
    if (n > s->cap) {
      size_t cap = s->cap ? s->cap : 1024;
      while (cap < n)
        cap *= 2;
      s->rings = xrealloc(s->rings, cap * sizeof *s->rings);
      s->cap = cap;
    }
    memset(s->rings + s->nrings, 0, (n - s->nrings) * sizeof *s->rings);
    s->nrings = n;
  }
  return &s->rings[account];
}

/* The earliest date any window reaches from AS_OF: as_of minus the
 * longest window in days and in months, whichever is earlier. */
static int32_t reach(const Program *p, int32_t as_of) {
  int32_t start = as_of, d;
  if (p->trend_days > 0) start = date_shift(as_of, -(int64_t)p->trend_days, DUR_DAYS, &d) ? d : INT32_MIN;
  if (p->trend_months > 0 && start != INT32_MIN) {
    if (!date_shift(as_of, -(int64_t)p->trend_months, DUR_MONTHS, &d)) return INT32_MIN;
    if (d < start) start = d;
  }
  return start;
}

TrendView trend_store_view(TrendStore *s, int32_t account, int32_t as_of) {
  TrendRing *r = ring_of(s, account);
  /* keep the latest snapshot dated on or before the reach (past may look
   * at it) and everything after; previous() needs only the last one,
   * which is always kept */
  int32_t start = reach(s->p, as_of);
  int32_t keep = 0;
  for (int32_t i = r->n - 1; i >= 0; i--)
    if (r->dates[i] <= start) {
      keep = i;
      break;
    }
  if (keep > 0) {
    size_t stride = (size_t)s->nsubjects;
    memmove(r->dates, r->dates + keep, (size_t)(r->n - keep) * sizeof *r->dates);
    memmove(r->values, r->values + (size_t)keep * stride, (size_t)(r->n - keep) * stride * sizeof *r->values);
    r->n -= keep;
  }
  TrendView v = {r->dates, r->values, r->n, s->nsubjects};
  return v;
}

void trend_store_push(TrendStore *s, int32_t account, int32_t date, const Value *values) {
  TrendRing *r = ring_of(s, account);
  size_t stride = (size_t)s->nsubjects;
  if (r->n == r->cap) {
    int32_t cap = r->cap ? r->cap * 2 : 2;
    s->ring_bytes += (size_t)(cap - r->cap) * (sizeof *r->dates + stride * sizeof *r->values);
    if (s->ring_bytes > s->peak_bytes) s->peak_bytes = s->ring_bytes;
    r->dates = xrealloc(r->dates, (size_t)cap * sizeof *r->dates);
    r->values = xrealloc(r->values, (size_t)cap * stride * sizeof *r->values);
    r->cap = cap;
  }
  r->dates[r->n] = date;
  for (size_t k = 0; k < stride; k++)
    r->values[(size_t)r->n * stride + k] = intern(s, values[k]);
  r->n++;
}
