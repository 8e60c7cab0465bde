/* history.h — `kenko history` (LANGUAGE.md §6): every snapshot scored,
 * and how the portfolio and each account moved. history.c aggregates
 * while the (account, snapshot) results stream past; history_write.c
 * writes the text, history_html.c the self-contained HTML page;
 * --format jsonl|csv go straight through the run's writers.
 *
 * What is kept (docs/history.md, "Memory"):
 *   - per snapshot shown: a report Tally (grade rows, value weights,
 *     health sum) and the health sum and count per persona: a few hundred
 *     bytes a snapshot;
 *   - per account (by key hash): its grade in the first snapshot shown,
 *     its date, grade and health in the last one it was seen in, and the
 *     lost points of each member there (a float per member): what the
 *     transition matrix and "what fell" need, ~24 + 4·members bytes an
 *     account, whatever the number of snapshots;
 *   - the accounts whose grade changed in the latest snapshot seen, with
 *     the HISTORY_TOP_MEMBERS members that moved most (dropped when the
 *     next snapshot begins);
 *   - with --html only: each account's health in each snapshot shown, one
 *     byte (rounded; 255 = none), for the sparklines: accounts × snapshots
 *     bytes, 1.2 MB for 100,000 accounts × 12 snapshots;
 *   - with --account: that account's series (one row a snapshot).
 * Nothing else grows with accounts × snapshots. */
#ifndef KENKO_HISTORY_H
#define KENKO_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kenko.h"
#include "base/buf.h"
#include "front/program.h"
#include "engine/compile.h"
#include "engine/snapshot.h"
#include "portfolio/report.h"

enum {
  HISTORY_TOP_MEMBERS = 3,   /* members listed for an account that moved */
  HISTORY_HTML_FALLING = 30, /* falling accounts shown on the HTML page */
  HISTORY_NO_HEALTH = 255    /* HTML series: no health that snapshot */
};

/* One snapshot shown. */
typedef struct HistSnap {
  int32_t date;
  Tally tally;            /* grade rows, value weights, health sum */
  double *persona_health; /* [npersonas + 1] Σ health; the last: none */
  uint64_t *persona_n;    /* [npersonas + 1] accounts with a health */
  uint64_t *flag_raised;  /* [nflags] */
  uint64_t scored, rejected;
  uint8_t *health; /* --html: [naccounts] health (rounded), or
                      HISTORY_NO_HEALTH */
  size_t nhealth;  /* accounts covered by health[] */
  double *kpi;     /* [nkpis] each KPI over this snapshot (NAN: missing),
                      or NULL when the rules declare none */
  int8_t *kpi_met; /* [nkpis] 1 met, 0 not met, -1 neither */
} HistSnap;

/* One account, followed by key. */
typedef struct HistAcct {
  int32_t last_date;   /* the last snapshot shown it was in, or SNAP_NONE */
  int16_t first_grade; /* grade row in the first snapshot shown, or -1:
                          absent from it */
  int16_t last_grade;  /* grade row in last_date's snapshot */
  float last_health;   /* NAN: none */
  float *lost;         /* [nmembers] lost points in last_date's snapshot */
} HistAcct;

/* How one member's lost points moved between two snapshots. */
typedef struct HistMove {
  int32_t member; /* flat index */
  double before, after;
} HistMove;

/* An account whose grade changed between the two latest snapshots. */
typedef struct HistChange {
  char *id;
  char *name;       /* the display name, or NULL */
  int32_t account;  /* index into History.accts */
  int32_t from, to; /* grade rows */
  double health_before, health_after;
  HistMove top[HISTORY_TOP_MEMBERS];
  int32_t ntop;
  bool fell; /* to a worse grade (else better) */
} HistChange;

/* --account: one row of the series. */
typedef struct HistPoint {
  int32_t date;
  int32_t persona;                   /* or -1 */
  int32_t grade;                     /* grade row */
  double health;                     /* NAN: none */
  uint32_t nflags;                   /* raised flags */
  int32_t *flags;                    /* flag indexes (malloc'ed) */
  HistMove top[HISTORY_TOP_MEMBERS]; /* moved most since the row before */
  int32_t ntop;
} HistPoint;

typedef struct History {
  const Program *p;
  Report r;            /* the report's tallies, grade rows and forecasts */
  int32_t from, to;    /* --from/--to (SNAP_NONE: open) */
  const char *account; /* --account ID, or NULL */
  bool html;

  HistSnap *snaps; /* the snapshots shown, in date order */
  size_t nsnaps, capsnaps;
  bool in_range;           /* the snapshot being read is shown */
  int32_t reading;         /* its date */
  uint64_t read_snapshots; /* every snapshot read (shown or not) */

  AcctTable table; /* key hash → index into accts */
  HistAcct *accts;
  size_t naccts, capaccts;
  float *lost_pool;    /* per account, nmembers floats: accts[i].lost */
  int32_t *grade_rank; /* grade row → its place best first (n/a: -1) */

  HistChange *changes; /* the latest snapshot's grade changes */
  size_t nchanges, capchanges;
  int32_t changes_date, changes_prev; /* the two snapshots they compare */

  HistPoint *series; /* --account */
  size_t nseries, capseries;
  bool found;
  char *account_name; /* --account: the account's display name (the latest), or NULL */

  kenko_run_stats stats;
} History;

/* `kenko history` over a checked Program (api.c: kenko_history). */
int history_program(const CProgram *cp, const char *const *data, int ndata, const kenko_history_opts *opts,
                    FILE *out, kenko_run_stats *stats);

/* Each grade row's place, best first (malloc'ed, ROWS entries): the
 * default grades in order, then the grades only other grade sets
 * (personas') list, in the order of the first set that lists them; n/a
 * (and a grade no set lists) has none (-1). History and effect share it. */
int32_t *grade_ranks(const Program *p, int32_t rows);
/* history.c: derived figures for the writers. */
/* The first→last transition matrix: rows × rows counts by grade row
 * (malloc'ed); *both, *joined, *left get the accounts in both, only in
 * the last, only in the first. */
uint64_t *history_transitions(const History *h, uint64_t *both, uint64_t *joined, uint64_t *left);
/* The changes ordered for people: falls first (the largest drop in
 * health first), then rises (the largest rise first). */
void history_sort_changes(History *h);
/* "utilization.seat_usage" and the member's label (or NULL). */
const char *history_member_name(const History *h, int32_t m, char *buf, size_t n, const char **label);

/* history_write.c / history_html.c */
void history_write_text(History *h, FILE *out);
void history_write_account(History *h, FILE *out);
void history_write_html(History *h, FILE *out);

#endif
