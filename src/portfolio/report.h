/* report.h — `kenko report`: portfolio aggregates built while the accounts
 * stream past (report.c), and the three ways of showing them: text for
 * people and JSON (report.c), and one self-contained HTML file
 * (report_html.c).
 *
 * Memory grows with the number of groups (grades, personas, segment cases,
 * members, `--by input` values), never with the number of accounts, except
 * for the HTML "worst accounts" table, which keeps a bounded heap of
 * REPORT_WORST entries. docs/report.md describes every figure. */
#ifndef KENKO_REPORT_H
#define KENKO_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kenko.h"
#include "base/arena.h"
#include "base/buf.h"
#include "check/check.h"
#include "engine/compile.h"
#include "io/reader.h"

enum {
  REPORT_HIST_BINS = 1000,    /* score histogram: 0.1-wide bins over 0..100 */
  REPORT_TOP_DRIVERS = 10,    /* drivers listed for the whole portfolio */
  REPORT_PERSONA_DRIVERS = 5, /* drivers listed per persona */
  REPORT_WORST = 50,          /* HTML: the worst accounts kept */
  REPORT_WORST_DRIVERS = 3,   /* HTML: drivers shown per worst account */
  REPORT_WORST_FLAGS = 3,     /* HTML: flags shown per worst account */
  REPORT_MAX_GROUPS = 10000   /* `--by input`: distinct values kept */
};

/* The distribution of one score (health or a dimension). */
typedef struct ScoreHist {
  uint64_t bins[REPORT_HIST_BINS];  /* accounts per 0.1-wide bin */
  double bin_min[REPORT_HIST_BINS]; /* smallest score seen in each bin */
  double bin_max[REPORT_HIST_BINS]; /* largest score seen in each bin */
  uint64_t n;                       /* accounts with a score */
  uint64_t na;                      /* accounts without (N/A) */
  double sum, min, max;
} ScoreHist;

/* Accounts per grade row, with the value weights the forecasts need. A
 * grade row is a grade index (Program.grade_names); the last row (index
 * ngrade_names) is "n/a": no health grade. */
typedef struct Tally {
  uint64_t accounts;
  uint64_t *grades;     /* [rows] accounts per grade row */
  double *weight;       /* [nweights·rows] Σ weight, per weighting and row */
  uint64_t *unweighted; /* [nweights·rows] accounts whose weight is missing */
  double health_sum;    /* over accounts with a health score */
  uint64_t health_n;
} Tally;

/* One group of the `--by` section. */
typedef struct ReportGroup {
  const char *value; /* persona / case name or input value; NULL: none */
  const char *label; /* or NULL */
  Tally tally;
} ReportGroup;

typedef enum ReportBy {
  BY_NONE,    /* no --by */
  BY_PERSONA, /* --by persona */
  BY_SEGMENT, /* --by segment NAME */
  BY_INPUT    /* --by input NAME (a text or bool input) */
} ReportBy;

/* One of the accounts with the lowest health (HTML table). */
typedef struct WorstAccount {
  char *id;         /* malloc'ed */
  uint64_t ordinal; /* place in the run (ties: earlier first) */
  double health;
  double coverage;
  int32_t grade;      /* or -1 */
  int32_t persona;    /* or -1 */
  int32_t bottleneck; /* or -1 */
  int32_t ndrivers;
  int32_t driver[REPORT_WORST_DRIVERS]; /* flat member index */
  double driver_lost[REPORT_WORST_DRIVERS];
  int32_t nflags;                   /* flags raised (all of them) */
  int32_t flag[REPORT_WORST_FLAGS]; /* the first few, by severity */
} WorstAccount;

typedef struct Report {
  const Program *p;
  Arena arena; /* group values and tables */
  char as_of[11];
  char rules[13];
  int32_t rows;          /* grade rows: ngrade_names + 1 (n/a) */
  int32_t nmembers;      /* members, flat (dimension by dimension) */
  int32_t *member_dim;   /* [nmembers] its dimension */
  int32_t *member_index; /* [nmembers] its index in the dimension */

  /* value weights: the distinct `weighted by` inputs of the forecasts */
  int32_t nweights;
  int32_t *weight_input;    /* [nweights] input index */
  int32_t *forecast_weight; /* [nforecasts] weighting index, or -1 */

  Tally all;
  Tally *by_persona; /* [npersonas + 1]; the last: no persona matched */
  Tally **by_case;   /* [nsegments][ncases + 1]; the last: no case */

  ScoreHist health;
  ScoreHist *dims; /* [ndimensions] */
  double coverage_sum;
  uint64_t coverage_below_half;

  double *lost_total;   /* [nmembers] Σ lost points */
  uint64_t *losing;     /* [nmembers] accounts where the member lost points */
  double *persona_lost; /* [(npersonas + 1)·nmembers] */

  uint64_t *flag_raised;  /* [nflags] */
  uint64_t *flag_unknown; /* [nflags] condition missing */
  uint64_t *step_passed;  /* [nsteps] */
  uint64_t *step_unknown; /* [nsteps] */
  uint64_t *bottleneck;   /* [nsteps + 1]; the last: none (all passed) */

  /* --by */
  ReportBy by;
  int32_t by_index;    /* the segment or input */
  const char *by_text; /* "persona", "segment touch", "input plan" */
  ReportGroup *groups;
  int32_t ngroups, groups_cap;
  int32_t missing_group; /* --by input: the group of missing values, or -1 */
  int32_t other_group;   /* past REPORT_MAX_GROUPS values, or -1 */
  uint64_t *group_slots; /* hash → group index + 1 (0 = empty) */
  size_t group_cap;

  /* HTML */
  bool keep_worst;
  WorstAccount worst[REPORT_WORST]; /* a max-heap by (health, ordinal) */
  int32_t nworst;

  kenko_run_stats stats;
} Report;

/* A report with empty tallies for P (no --by, no worst accounts), and
 * its release. `kenko history` keeps one for its grade rows and
 * forecasts, with a Tally per snapshot. */
void report_init(Report *r, const Program *p);
void report_free(Report *r);
/* An empty Tally in R's arena. */
void report_tally_init(Report *r, Tally *t);
/* Adds one account of grade row ROW, health H (NAN: none) and the value
 * weights W (NAN: missing; r->nweights of them) to T. */
void report_tally_add(const Report *r, Tally *t, int32_t row, double h, const double *w);
/* The account's value weights (the forecasts' `weighted by` inputs; NAN
 * when missing or negative) into W, r->nweights of them. */
void report_weights(const Report *r, const Account *a, double *w);
/* A 64-bit FNV-1a hash of N bytes of S (never 0). */
uint64_t report_hash_text(const char *s, size_t n);

/* `kenko report` over a checked Program (api.c: kenko_report). */
int report_program(const CProgram *cp, const char *const *data, int ndata, const kenko_report_opts *opts,
                   FILE *out, kenko_run_stats *stats);

/* The grade rows to show, in order: the default grades, then any other
 * grade that occurred, then n/a (rows − 1). Returns the count; ROWS must
 * hold r->rows entries. */
int32_t report_grade_rows(const Report *r, int32_t *rows);
/* A grade row's name ("n/a" for the last row) and label (else its name). */
const char *report_grade_name(const Report *r, int32_t row);
const char *report_grade_label(const Report *r, int32_t row);

/* Forecast F over tally T: the count-weighted expected rate (NAN when no
 * account has a rated grade); *rated / *left_out receive the accounts in
 * and out. */
double report_expected(const Report *r, const Tally *t, int32_t f, uint64_t *rated, uint64_t *left_out);
/* The value-weighted figure (NAN without `weighted by` or weight);
 * *weight_total gets Σ weight in, *left_out the accounts out. */
double report_expected_weighted(const Report *r, const Tally *t, int32_t f, double *weight_total,
                                uint64_t *left_out);

/* Decile K (1..9) of H by nearest rank (see docs/report.md); NAN when empty. */
double report_decile(const ScoreHist *h, int k);

/* Members ordered by lost points (LOST, nmembers wide), largest first,
 * ties in declaration order; members that lost nothing are left out.
 * Returns how many were written to ORDER (at most MAX). */
int32_t report_top_members(const Report *r, const double *lost, int32_t *order, int32_t max);

/* The worst accounts, lowest health first (sorts the heap in place). */
void report_sort_worst(Report *r);

/* The --by groups in the order they are shown; returns how many. ORDER
 * must hold r->ngroups entries. */
int32_t report_group_order(const Report *r, int32_t *order);

/* report_write.c: the report for people, and as JSON (docs/report.md). */
void report_write_text(Report *r, FILE *out, bool color);
void report_write_json(Report *r, FILE *out);

/* report_html.c: the HTML report. */
void report_write_html(Report *r, FILE *out);

#endif
