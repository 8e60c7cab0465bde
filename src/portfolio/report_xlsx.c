/* report_xlsx.c — `kenko report --xlsx FILE`: the report as an Excel
 * workbook (io/xlsx.h), a sheet per table of the text report: the key
 * figures, the KPIs, the grade composition, the --by groups, the
 * personas, each segment, the forecasts, the journey, the flags, the
 * drivers and the score distributions. Headings and sheet names are
 * translated (the reader's language, like the text report); every row
 * names its thing twice, its label for people and its name from the
 * rules, so a filter or a lookup can use either. Numbers are numbers in
 * full precision (counts as whole numbers, shares as percentages, scores
 * with one decimal); grade cells have the HTML report's grade colours.
 * docs/report.md, "Excel". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "portfolio/report.h"
#include "portfolio/html.h"
#include "io/xlsx.h"

/* Header cells are gathered in a fixed array: the widest sheet is a
 * composition table (name, label, accounts, share, a column per grade
 * row, health, a column per forecast). */
typedef struct Head {
  const char **cells;
  char **owned; /* cells made with a format, freed by head_free */
  int n, cap;
} Head;

static void head_init(Head *h, int cap) {
  h->cells = xcalloc((size_t)cap + 1, sizeof *h->cells);
  h->owned = xcalloc((size_t)cap + 1, sizeof *h->owned);
  h->n = 0;
  h->cap = cap;
}

static void head_add(Head *h, const char *text) {
  if (h->n < h->cap) h->cells[h->n++] = text;
}

/* The headings MSGIDS (NULL-terminated), translated. */
static void head_words(Head *h, const char *const *msgids) {
  for (; *msgids; msgids++)
    head_add(h, _(*msgids));
}

/* A heading made from FMT with one %s. */
static void head_addf(Head *h, const char *fmt, const char *arg) {
  if (h->n >= h->cap) return;
  size_t n = strlen(fmt) + strlen(arg) + 1;
  char *s = xmalloc(n);
  snprintf(s, n, fmt, arg);
  h->owned[h->n] = s;
  h->cells[h->n++] = s;
}

static void head_sheet(Head *h, Xlsx *x, const char *name) {
  xlsx_sheet(x, name, h->cells, h->n);
  for (int i = 0; i < h->n; i++)
    free(h->owned[i]);
  free(h->owned);
  free(h->cells);
}

/* The label of a thing for people: its label, or else its name. */
static const char *shown(const char *label, const char *name) { return label && *label ? label : name; }

static double share(uint64_t part, uint64_t whole) { return whole ? (double)part / (double)whole : NAN; }

static double mean_health(const Tally *t) { return t->health_n ? t->health_sum / (double)t->health_n : NAN; }

/* A grade cell: the grade row's label on the colour the HTML report gives
 * it (its place POS among the NROWS rows shown). */
static void grade_label_cell(const Report *r, Xlsx *x, int32_t row, int32_t pos, int32_t nrows) {
  xlsx_colored(x, report_grade_label(r, row), palette_grade_color(pos, nrows));
}

static void sheet_summary(Report *r, Xlsx *x) {
  Head h;
  head_init(&h, 2);
  static const char *const summary_head[] = {N_("item"), N_("value"), NULL};
  head_words(&h, summary_head);
  head_sheet(&h, x, _("summary"));
  xlsx_text(x, _("title"));
  xlsx_text(x, r->p->title);
  xlsx_row(x);
  xlsx_text(x, _("as of"));
  xlsx_text(x, r->as_of);
  xlsx_row(x);
  xlsx_text(x, _("rules"));
  xlsx_text(x, r->rules);
  xlsx_row(x);
  xlsx_text(x, _("accounts scored"));
  xlsx_num(x, (double)r->stats.scored, XLSX_INT);
  xlsx_row(x);
  xlsx_text(x, _("accounts rejected"));
  xlsx_num(x, (double)r->stats.rejected, XLSX_INT);
  xlsx_row(x);
  xlsx_text(x, _("mean health"));
  xlsx_num(x, mean_health(&r->all), XLSX_NUM1);
  xlsx_row(x);
  xlsx_text(x, _("median health"));
  xlsx_num(x, report_decile(&r->health, 5), XLSX_NUM1);
  xlsx_row(x);
  xlsx_text(x, _("accounts without a health score"));
  xlsx_num(x, (double)r->health.na, XLSX_INT);
  xlsx_row(x);
  uint64_t n = r->all.accounts;
  xlsx_text(x, _("mean coverage"));
  xlsx_num(x, n ? r->coverage_sum / (double)n : NAN, XLSX_PCT);
  xlsx_row(x);
  xlsx_text(x, _("accounts scored on less than half their weight"));
  xlsx_num(x, (double)r->coverage_below_half, XLSX_INT);
  xlsx_row(x);
}

static void sheet_kpis(Report *r, Xlsx *x) {
  const Program *p = r->p;
  if (!r->kpis) return;
  Head h;
  head_init(&h, 5);
  static const char *const kpi_head[] = {N_("KPIs"),   N_("name"),   N_("value"),
                                         N_("target"), N_("status"), NULL};
  head_words(&h, kpi_head);
  head_sheet(&h, x, _("KPIs"));
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    char tg[KPI_TARGET_SIZE];
    xlsx_text(x, shown(k->label, k->name));
    xlsx_text(x, k->name);
    xlsx_num(x, kpi_value(r->kpis, i), k->percent ? XLSX_PCT : XLSX_GEN);
    const char *op = kpi_target_text(p, i, tg);
    xlsx_text(x, op);
    xlsx_text(x, report_kpi_status(kpi_met(r->kpis, i), op != NULL));
    xlsx_row(x);
  }
}

static void sheet_grades(Report *r, Xlsx *x, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  const InputDecl *win = r->nweights > 0 ? &p->inputs[r->weight_input[0]] : NULL;
  Head h;
  head_init(&h, 6);
  static const char *const grade_head[] = {N_("grades"), N_("name"), N_("accounts"), N_("share"), NULL};
  head_words(&h, grade_head);
  if (win) {
    head_add(&h, win->name);
    head_addf(&h, _("%s share"), win->name);
  }
  head_sheet(&h, x, _("grades"));
  double total = 0;
  for (int32_t g = 0; g < r->rows && win; g++)
    total += report_weight(r, &r->all, 0, g);
  for (int32_t i = 0; i < nrows; i++) {
    int32_t g = rows[i];
    grade_label_cell(r, x, g, i, nrows);
    xlsx_text(x, report_grade_name(r, g));
    xlsx_num(x, (double)report_count(r, &r->all, g), XLSX_INT);
    xlsx_num(x, share(report_count(r, &r->all, g), r->all.accounts), XLSX_PCT);
    if (win) {
      xlsx_num(x, report_weight(r, &r->all, 0, g), XLSX_GEN);
      xlsx_num(x, total > 0 ? report_weight(r, &r->all, 0, g) / total : NAN, XLSX_PCT);
    }
    xlsx_row(x);
  }
}

/* One row of a composition sheet. */
typedef struct CompRow {
  const char *label, *name;
  const Tally *tally;
} CompRow;

/* A composition sheet NAME headed TITLE: a row per group, its accounts,
 * share and accounts per grade row; with FORECASTS, also its mean health
 * and each forecast's expected rate (the --by table). */
static void sheet_composition(Report *r, Xlsx *x, const char *name, const char *title, const CompRow *cr,
                              int32_t n, const int32_t *rows, int32_t nrows, bool forecasts) {
  const Program *p = r->p;
  Head h;
  head_init(&h, 5 + nrows + p->nforecasts);
  head_add(&h, title);
  static const char *const composition_head[] = {N_("name"), N_("accounts"), N_("share"), NULL};
  head_words(&h, composition_head);
  for (int32_t i = 0; i < nrows; i++)
    head_add(&h, report_grade_label(r, rows[i]));
  if (forecasts) {
    head_add(&h, _("health"));
    for (int32_t f = 0; f < p->nforecasts; f++)
      head_add(&h, shown(p->forecasts[f].label, p->forecasts[f].name));
  }
  head_sheet(&h, x, name);
  for (int32_t i = 0; i < n; i++) {
    xlsx_text(x, cr[i].label);
    xlsx_text(x, cr[i].name);
    xlsx_num(x, (double)cr[i].tally->accounts, XLSX_INT);
    xlsx_num(x, share(cr[i].tally->accounts, r->all.accounts), XLSX_PCT);
    for (int32_t k = 0; k < nrows; k++)
      xlsx_num(x, (double)report_count(r, cr[i].tally, rows[k]), XLSX_INT);
    if (forecasts) {
      xlsx_num(x, mean_health(cr[i].tally), XLSX_NUM1);
      for (int32_t f = 0; f < p->nforecasts; f++) {
        uint64_t rated, out;
        xlsx_num(x, report_expected(r, cr[i].tally, f, &rated, &out), XLSX_PCT);
      }
    }
    xlsx_row(x);
  }
}

static void sheet_by(Report *r, Xlsx *x, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (r->by == BY_NONE) return;
  int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
  int32_t n = report_group_order(r, order);
  CompRow *cr = xcalloc((size_t)n + 1, sizeof *cr);
  for (int32_t i = 0; i < n; i++) {
    const ReportGroup *g = &r->groups[order[i]];
    cr[i].tally = &g->tally;
    if (order[i] == r->other_group)
      cr[i].label = _("(other values)");
    else if (!g->value)
      cr[i].label = r->by == BY_INPUT ? _("(missing)") : _("(none)");
    else
      cr[i].label = shown(g->label, g->value);
    cr[i].name = order[i] == r->other_group ? NULL : g->value;
  }
  const char *what = r->by == BY_PERSONA ? NULL
                     : r->by == BY_SEGMENT
                         ? shown(p->segments[r->by_index].label, p->segments[r->by_index].name)
                         : shown(p->inputs[r->by_index].label, p->inputs[r->by_index].name);
  char title[512];
  if (what)
    snprintf(title, sizeof title, _("by %s"), what);
  else
    snprintf(title, sizeof title, "%s", _("by persona"));
  sheet_composition(r, x, title, title, cr, n, rows, nrows, true);
  free(cr);
  free(order);
}

static void sheet_personas(Report *r, Xlsx *x, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (p->npersonas == 0) return;
  CompRow *cr = xcalloc((size_t)p->npersonas + 1, sizeof *cr);
  int32_t n = 0;
  for (int32_t i = 0; i <= p->npersonas; i++) {
    if (i == p->npersonas && r->by_persona[i].accounts == 0) break;
    cr[n].tally = &r->by_persona[i];
    cr[n].label =
        i < p->npersonas ? shown(p->personas[i].label, p->personas[i].name) : _("(no persona matched)");
    cr[n++].name = i < p->npersonas ? p->personas[i].name : NULL;
  }
  sheet_composition(r, x, _("personas"), _("personas"), cr, n, rows, nrows, false);
  free(cr);
}

static void sheet_segments(Report *r, Xlsx *x, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    CompRow *cr = xcalloc((size_t)sd->ncases + 1, sizeof *cr);
    int32_t n = 0;
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      cr[n].tally = &r->by_case[s][c];
      cr[n].label = c < sd->ncases ? shown(sd->cases[c].label, sd->cases[c].name) : _("(no case matched)");
      cr[n++].name = c < sd->ncases ? sd->cases[c].name : NULL;
    }
    char title[512];
    snprintf(title, sizeof title, _("segment %s"), shown(sd->label, sd->name));
    sheet_composition(r, x, title, title, cr, n, rows, nrows, false);
    free(cr);
  }
}

static void sheet_forecasts(Report *r, Xlsx *x, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (p->nforecasts == 0) return;
  Head h;
  head_init(&h, 8 + nrows);
  static const char *const forecast_head[] = {N_("forecast"), N_("name"), NULL};
  head_words(&h, forecast_head);
  for (int32_t i = 0; i + 1 < nrows; i++)
    head_add(&h, report_grade_label(r, rows[i]));
  static const char *const forecast_tail[] = {N_("by accounts"),
                                              N_("accounts rated"),
                                              N_("accounts left out"),
                                              N_("weighted by"),
                                              N_("weighted"),
                                              N_("weight in total"),
                                              NULL};
  head_words(&h, forecast_tail);
  head_sheet(&h, x, _("forecasts"));
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    xlsx_text(x, shown(fd->label, fd->name));
    xlsx_text(x, fd->name);
    for (int32_t i = 0; i + 1 < nrows; i++)
      xlsx_num(x, fd->rate[rows[i]], XLSX_PCT);
    uint64_t rated, out;
    xlsx_num(x, report_expected(r, &r->all, f, &rated, &out), XLSX_PCT);
    xlsx_num(x, (double)rated, XLSX_INT);
    xlsx_num(x, (double)out, XLSX_INT);
    if (fd->weight_input >= 0) {
      double total;
      uint64_t wout;
      double weighted = report_expected_weighted(r, &r->all, f, &total, &wout);
      xlsx_text(x, p->inputs[fd->weight_input].name);
      xlsx_num(x, weighted, XLSX_PCT);
      xlsx_num(x, total, XLSX_GEN);
    }
    xlsx_row(x);
  }
}

static void sheet_journey(Report *r, Xlsx *x) {
  const Program *p = r->p;
  if (!p->has_journey || p->nsteps == 0) return;
  Head h;
  head_init(&h, 9);
  head_add(&h, p->journey_label ? p->journey_label : _("journey"));
  static const char *const journey_head[] = {N_("name"),       N_("passed"), N_("unknown"), N_("reached"),
                                             N_("bottleneck"), N_("share"),  NULL};
  head_words(&h, journey_head);
  head_sheet(&h, x, _("journey"));
  uint64_t n = r->all.accounts, reached = n;
  for (int32_t s = 0; s <= p->nsteps; s++) {
    xlsx_text(x, s < p->nsteps ? shown(p->steps[s].label, p->steps[s].name) : _("none: every step passed"));
    xlsx_text(x, s < p->nsteps ? p->steps[s].name : NULL);
    if (s < p->nsteps) {
      xlsx_num(x, (double)r->step_passed[s], XLSX_INT);
      xlsx_num(x, (double)r->step_unknown[s], XLSX_INT);
      xlsx_num(x, (double)reached, XLSX_INT);
      reached -= r->bottleneck[s];
    } else {
      for (int k = 0; k < 3; k++)
        xlsx_text(x, NULL);
    }
    xlsx_num(x, (double)r->bottleneck[s], XLSX_INT);
    xlsx_num(x, share(r->bottleneck[s], n), XLSX_PCT);
    xlsx_row(x);
  }
}

static void sheet_flags(Report *r, Xlsx *x) {
  const Program *p = r->p;
  if (p->nflags == 0) return;
  Head h;
  head_init(&h, 7);
  static const char *const flag_head[] = {N_("flags"), N_("name"),    N_("severity"), N_("raised"),
                                          N_("share"), N_("unknown"), N_("action"),   NULL};
  head_words(&h, flag_head);
  head_sheet(&h, x, _("flags"));
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    xlsx_text(x, shown(fd->label, fd->name));
    xlsx_text(x, fd->name);
    xlsx_colored(x, _(html_severity_name(fd->severity)), html_severity_color(fd->severity));
    xlsx_num(x, (double)r->flag_raised[f], XLSX_INT);
    xlsx_num(x, share(r->flag_raised[f], r->all.accounts), XLSX_PCT);
    xlsx_num(x, (double)r->flag_unknown[f], XLSX_INT);
    xlsx_text(x, fd->action);
    xlsx_row(x);
  }
}

static void sheet_drivers(Report *r, Xlsx *x) {
  const Program *p = r->p;
  Head h;
  head_init(&h, 5);
  static const char *const driver_head[] = {
      N_("drivers: lost health points"), N_("name"), N_("total"), N_("per account"), N_("accounts"), NULL};
  head_words(&h, driver_head);
  head_sheet(&h, x, _("drivers"));
  int32_t order[REPORT_TOP_DRIVERS];
  int32_t n = report_top_members(r, r->lost_total, order, REPORT_TOP_DRIVERS);
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    const DimensionDecl *d = &p->dimensions[r->member_dim[m]];
    const Member *mem = &d->members[r->member_index[m]];
    char qualified[512];
    snprintf(qualified, sizeof qualified, "%s.%s", d->name, mem->name);
    xlsx_text(x, shown(mem->label, qualified));
    xlsx_text(x, qualified);
    xlsx_num(x, r->lost_total[m], XLSX_NUM1);
    xlsx_num(x, r->all.health_n ? r->lost_total[m] / (double)r->all.health_n : NAN, XLSX_NUM1);
    xlsx_num(x, (double)r->losing[m], XLSX_INT);
    xlsx_row(x);
  }
}

static void score_row(Xlsx *x, const char *label, const char *name, const ScoreHist *hist) {
  xlsx_text(x, label);
  xlsx_text(x, name);
  xlsx_num(x, (double)hist->n, XLSX_INT);
  xlsx_num(x, (double)hist->na, XLSX_INT);
  xlsx_num(x, hist->n ? hist->sum / (double)hist->n : NAN, XLSX_NUM1);
  xlsx_num(x, hist->n ? hist->min : NAN, XLSX_NUM1);
  for (int k = 1; k <= 9; k++)
    xlsx_num(x, report_decile(hist, k), XLSX_NUM1);
  xlsx_num(x, hist->n ? hist->max : NAN, XLSX_NUM1);
  xlsx_row(x);
}

static void sheet_scores(Report *r, Xlsx *x) {
  const Program *p = r->p;
  static const char *const deciles[] = {"10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%"};
  Head h;
  head_init(&h, 16);
  static const char *const score_head[] = {N_("scores"), N_("name"), NULL};
  head_words(&h, score_head);
  head_add(&h, "n");
  head_add(&h, "n/a");
  static const char *const score_mid[] = {N_("mean"), N_("min"), NULL};
  head_words(&h, score_mid);
  for (int k = 0; k < 9; k++)
    head_add(&h, deciles[k]);
  head_add(&h, _("max"));
  head_sheet(&h, x, _("scores"));
  score_row(x, _("health"), "health", &r->health);
  for (int32_t d = 0; d < p->ndimensions; d++)
    score_row(x, shown(p->dimensions[d].label, p->dimensions[d].name), p->dimensions[d].name, &r->dims[d]);
}

bool report_write_xlsx(Report *r, FILE *out, Diag *diag, int32_t date) {
  Xlsx *x = xlsx_new(r->p->title, diag);
  if (!x) return false;
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  sheet_summary(r, x);
  sheet_kpis(r, x);
  sheet_grades(r, x, rows, nrows);
  sheet_by(r, x, rows, nrows);
  sheet_personas(r, x, rows, nrows);
  sheet_segments(r, x, rows, nrows);
  sheet_forecasts(r, x, rows, nrows);
  sheet_journey(r, x);
  sheet_flags(r, x);
  sheet_drivers(r, x);
  sheet_scores(r, x);
  free(rows);
  return xlsx_finish(x, date, out);
}
