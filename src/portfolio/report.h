/* report.h — `kenko report`: portfolio aggregates built while the accounts
 * stream past (report.c), and the three ways of showing them: text for
 * people and JSON (report.c), and one self-contained HTML file
 * (report_html.c).
 *
 * Memory grows with what the accounts fill, never with the declarations
 * times the shape of a table: a tally keeps the grade rows its accounts
 * fell in, a histogram the bins scores fell in, a persona's lost points
 * are made when its accounts lose some. Nothing grows past the declared
 * groups (grades, personas, segment cases, members, at most
 * REPORT_MAX_GROUPS `--by input` values), and the HTML "worst accounts"
 * table is a bounded heap of REPORT_WORST entries. docs/report.md
 * describes every figure. */
#ifndef KENKO_REPORT_H
#define KENKO_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kenko.h"
#include "base/arena.h"
#include "base/buf.h"
#include "front/diag.h"
#include "front/program.h"
#include "engine/compile.h"
#include "io/reader.h"
#include "engine/kpi.h"
#include "io/json.h"

enum {
  REPORT_HIST_BINS = 1000,    /* score histogram: 0.1-wide bins over 0..100 */
  REPORT_TOP_DRIVERS = 10,    /* drivers listed for the whole portfolio */
  REPORT_PERSONA_DRIVERS = 5, /* drivers listed per persona */
  REPORT_WORST = 50,          /* HTML: the worst accounts kept */
  REPORT_WORST_DRIVERS = 3,   /* HTML: drivers shown per worst account */
  REPORT_WORST_FLAGS = 3,     /* HTML: flags shown per worst account */
  REPORT_MAX_GROUPS = 10000   /* `--by input`: distinct values kept */
};

/* One bin of a score histogram that some score fell in. */
typedef struct HistBin {
  int32_t bin; /* [bin/10, (bin+1)/10); 100 joins the last bin */
  uint64_t n;  /* accounts in it */
  double min;  /* the smallest score seen in it */
  double max;  /* the largest */
} HistBin;

/* The distribution of one score (health or a dimension): only the bins
 * that scores fell in are kept (sorted by bin), so a histogram costs
 * nothing until scores fill it — at most REPORT_HIST_BINS bins, 32 KB. */
typedef struct ScoreHist {
  HistBin *bins; /* [nbins] by bin; malloc'ed */
  int32_t nbins, cap;
  uint64_t n;  /* accounts with a score */
  uint64_t na; /* accounts without (N/A) */
  double sum, min, max;
} ScoreHist;

/* Accounts per grade row, with the value weights the forecasts need. A
 * grade row is a grade index (Program.grade_names); the last row (index
 * ngrade_names) is "n/a": no health grade. The per-row figures are cells
 * of Report.cells, made when an account fills them (read them with
 * report_count, report_weight, report_unweighted), so a tally costs the
 * rows its accounts fell in, not every grade the rules declare. */
typedef struct Tally {
  uint64_t accounts;
  int32_t id;        /* its key among the cells */
  double health_sum; /* over accounts with a health score */
  uint64_t health_n;
} Tally;

/* The tallies' per-row figures: (tally, grade row) → a cell, in a hash
 * table whose size follows the cells filled. */
typedef struct TallyCells {
  uint64_t *keys; /* [cap] (id + 1) << 32 | row; 0: empty */
  int32_t *cell;  /* [cap] the cell of each key */
  size_t cap;     /* a power of two, at most half full */
  int32_t n;
  size_t vcap;          /* capacity of the arrays below, in cells */
  uint64_t *count;      /* [n] accounts */
  double *weight;       /* [n·nweights] Σ weight, per weighting */
  uint64_t *unweighted; /* [n·nweights] accounts whose weight is missing */
} TallyCells;

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
  char *name;       /* the display name, malloc'ed, or NULL */
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

  TallyCells cells;
  int32_t ntallies;
  Tally all;
  Tally *by_persona; /* [npersonas + 1]; the last: no persona matched */
  Tally **by_case;   /* [nsegments][ncases + 1]; the last: no case */

  ScoreHist health;
  ScoreHist *dims; /* [ndimensions] */
  double coverage_sum;
  uint64_t coverage_below_half;

  double *lost_total;    /* [nmembers] Σ lost points */
  uint64_t *losing;      /* [nmembers] accounts where the member lost points */
  double **persona_lost; /* [npersonas + 1] → [nmembers], made when the
                            persona's accounts first lose points */
  double *no_lost;       /* [nmembers] zeros */

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

  KpiRun *kpis; /* the rules' KPIs (`kenko report`), or NULL */

  kenko_run_stats stats;
} Report;

/* A report with empty tallies for P (no --by, no worst accounts), and
 * its release. `kenko history` keeps one for its grade rows and
 * forecasts, with a Tally per snapshot. */
void report_init(Report *r, const Program *p);
void report_free(Report *r);
/* An empty Tally of R (its cells are made as accounts fill them). */
void report_tally_init(Report *r, Tally *t);
/* Adds one account of grade row ROW, health H (NAN: none) and the value
 * weights W (NAN: missing; r->nweights of them) to T. */
void report_tally_add(Report *r, Tally *t, int32_t row, double h, const double *w);
/* The account's value weights (the forecasts' `weighted by` inputs; NAN
 * when missing or negative) into W, r->nweights of them. */
void report_weights(const Report *r, const Account *a, double *w);
/* The inputs of an account the report reads (report_weights', --by's),
 * *N of them, in r's arena: ScoreSink.reads. */
const int32_t *report_reads(Report *r, int32_t *n);
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

/* Tally T's figures for grade row ROW (0 when no account filled it), and
 * for weighting K. */
uint64_t report_count(const Report *r, const Tally *t, int32_t row);
double report_weight(const Report *r, const Tally *t, int32_t k, int32_t row);
uint64_t report_unweighted(const Report *r, const Tally *t, int32_t k, int32_t row);
/* The lost points per member of persona row I (npersonas: none). */
const double *report_persona_lost(const Report *r, int32_t i);

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
/* The headings of the KPI table (text and HTML): msgids, NULL-terminated. */
extern const char *const report_kpi_heads[];
/* A KPI's status for people, translated: "met", "not met" or "neither (no
 * value)" for kpi_met's 1, 0, -1; NULL when the KPI has no TARGET. */
const char *report_kpi_status(int met, bool target);
void report_write_json(Report *r, FILE *out);

/* report_html.c: the HTML report. */
void report_write_html(Report *r, FILE *out);

/* report_write.c: the fields of KPI I in the open JSON object: "value" (null when
 * missing), "target" ({op, value} or null), "met" (true, false, or null:
 * no target or no value). */
void report_kpi_fields(Json *j, KpiRun *k, int32_t i);

/* report_xlsx.c: the report as an Excel workbook dated DATE (days since
 * 1970-01-01) to OUT; false when it could not be made (reported through
 * DIAG) or written (OUT's error, the caller's to report). */
bool report_write_xlsx(Report *r, FILE *out, Diag *diag, int32_t date);

#endif
