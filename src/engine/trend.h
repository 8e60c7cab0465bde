/* trend.h — what the trend functions read (LANGUAGE.md §6): an account's
 * earlier snapshots, kept only as far back as the rules look.
 *
 * For each account followed across snapshots the store keeps a ring of
 * its earlier snapshots: each one's date and the values of the trend
 * subjects (Program.trend_subjects: the names the trend functions look
 * back at), nothing else. Before an account's snapshot is scored the ring
 * drops what no window can reach any more: snapshots older than the
 * latest one dated on or before as_of − the longest window (`past` may
 * still need that one). So memory grows with the accounts times the
 * snapshots inside the longest window, never with the whole history
 * (docs/history.md has the figure). Text values are interned in the
 * store, so a ring holds no pointer into a reader's arena. */
#ifndef KENKO_TREND_H
#define KENKO_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "front/program.h"
#include "base/value.h"

/* An account's earlier snapshots as the evaluator sees them. */
typedef struct TrendView {
  const int32_t *dates; /* n snapshots before the one scored, oldest first */
  const Value *values;  /* subject s of snapshot i: values[i * nsubjects + s] */
  int32_t n;
  int32_t nsubjects;
} TrendView;

/* The value of trend call CALL for an account scored AS_OF whose earlier
 * snapshots are VIEW (NULL: none) and whose subject has the value CURRENT
 * now. *FROM gets the date of the snapshot the value came from (past,
 * previous, change, pct_change: the one looked back at; the *_over
 * functions: the oldest one in the window), or SNAP_NONE-like INT32_MIN
 * when none. Missing with MISS_NO_SNAPSHOT when there is no snapshot to
 * look back at. */
Value trend_value(const TrendView *view, const TrendCall *call, int32_t subject, Value current, int32_t as_of,
                  int32_t *from);

/* One account's ring. */
typedef struct TrendRing {
  int32_t *dates;
  Value *values;
  int32_t n, cap;
} TrendRing;

typedef struct TrendStore {
  const Program *p;
  int32_t nsubjects;
  TrendRing *rings; /* by account (AcctHist.index) */
  size_t nrings, cap;
  /* interned text: open addressing over (hash, text) */
  struct TrendText *texts;
  size_t ntexts, text_cap;
  Arena text_arena;
  size_t ring_bytes; /* bytes the rings hold now */
  size_t peak_bytes; /* the most they held */
} TrendStore;

void trend_store_init(TrendStore *s, const Program *p);
void trend_store_free(TrendStore *s);
/* Account ACCOUNT's earlier snapshots for scoring it AS_OF, after
 * dropping those no window reaches from AS_OF on. */
TrendView trend_store_view(TrendStore *s, int32_t account, int32_t as_of);
/* Appends snapshot DATE of ACCOUNT with its subjects' VALUES
 * (nsubjects of them; text is interned). */
void trend_store_push(TrendStore *s, int32_t account, int32_t date, const Value *values);

#endif
