/* report_write.c — `kenko report` for people (aligned text tables, labels
 * in Japanese lined up by display width) and for machines (one JSON
 * object; its shape is documented in docs/report.md and is stable). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "portfolio/report.h"
#include "front/source.h"
#include "io/json.h"
#include "io/table.h"

#define C_BOLD "\033[1m"
#define C_OFF  "\033[0m"

/* ---- text helpers ---------------------------------------------------------- */

/* S (in OUT, N bytes) with its control characters shown as escapes
 * (buf_shown): labels come from the rules, group names from the data. */
static const char *shown_in(char *out, size_t n) {
  size_t len = strlen(out);
  if (!text_has_controls(out, len)) return out;
  Buf shown;
  buf_init(&shown, NULL);
  buf_shown(&shown, out, len, false);
  snprintf(out, n, "%.*s", (int)shown.len, shown.data);
  buf_free(&shown);
  return out;
}

/* "ラベル (name)", or just the name; in a static-free caller buffer, shown
 * for a terminal. */
static const char *named(char *out, size_t n, const char *label, const char *name) {
  if (label && *label && strcmp(label, name) != 0)
    snprintf(out, n, "%s (%s)", label, name);
  else
    snprintf(out, n, "%s", name);
  return shown_in(out, n);
}

static const char *pct(char *out, size_t n, double share) {
  if (isnan(share))
    snprintf(out, n, "-");
  else
    snprintf(out, n, "%.1f%%", share * 100);
  return out;
}

static const char *share_of(char *out, size_t n, uint64_t part, uint64_t whole) {
  return pct(out, n, whole ? (double)part / (double)whole : NAN);
}

static const char *score1(char *out, size_t n, double x) {
  if (isnan(x) || isinf(x))
    snprintf(out, n, "-");
  else
    snprintf(out, n, "%.1f", x);
  return out;
}

/* A rate for people: "95%", "87.5%" (OUT holds at least 8 bytes). */
static const char *rate_text(char *out, size_t n, double rate) {
  snprintf(out, n - 1, "%.2f", rate * 100);
  char *end = out + strlen(out) - 1;
  while (end > out && *end == '0')
    *end-- = '\0';
  if (*end == '.') *end = '\0';
  strcat(out, "%");
  return out;
}

/* 1234567.8 → "1,234,568" */
static const char *grouped(char *out, size_t n, double x) {
  char digits[64];
  snprintf(digits, sizeof digits, "%.0f", fabs(x));
  size_t len = strlen(digits), k = 0;
  char tmp[96];
  if (x < 0 && strcmp(digits, "0") != 0) tmp[k++] = '-';
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) tmp[k++] = ',';
    tmp[k++] = digits[i];
  }
  tmp[k] = '\0';
  snprintf(out, n, "%s", tmp);
  return out;
}

/* How many persona rows to show: each declared persona, then "no persona
 * matched" when some account matched none (never when there are none). */
static int32_t persona_rows(const Report *r) {
  int32_t n = r->p->npersonas;
  return n > 0 && r->by_persona[n].accounts > 0 ? n + 1 : n;
}

static double mean_health(const Tally *t) { return t->health_n ? t->health_sum / (double)t->health_n : NAN; }

/* The grade columns' header cells. */
static void grade_header(const Report *r, Table *t, const int32_t *rows, int32_t nrows) {
  for (int32_t i = 0; i < nrows; i++)
    table_cell(t, "%s", report_grade_label(r, rows[i]));
}

static void grade_cells(const Report *r, Table *t, const Tally *tally, const int32_t *rows, int32_t nrows) {
  for (int32_t i = 0; i < nrows; i++)
    table_cell(t, "%llu", (unsigned long long)report_count(r, tally, rows[i]));
}

/* "lrr…r": a label column and N right-aligned ones. */
static char *align_spec(int n) {
  char *s = xmalloc((size_t)n + 2);
  s[0] = 'l';
  memset(s + 1, 'r', (size_t)n);
  s[n + 1] = '\0';
  return s;
}

static const char *member_name(const Report *r, int32_t m, char *out, size_t n) {
  const DimensionDecl *d = &r->p->dimensions[r->member_dim[m]];
  const Member *mem = &d->members[r->member_index[m]];
  char qualified[512];
  snprintf(qualified, sizeof qualified, "%s.%s", d->name, mem->name);
  return named(out, n, mem->label, qualified);
}

/* ---- text sections ---------------------------------------------------------- */

static void text_header(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (color) buf_puts(b, C_BOLD);
  buf_puts(b, "━━ ");
  buf_shown_str(b, p->title ? p->title : _("report"));
  buf_puts(b, " ━━");
  if (color) buf_puts(b, C_OFF);
  buf_printf(b, p->title ? _("  report as of %s · rules %s\n") : _("  as of %s · rules %s\n"), r->as_of,
             r->rules);
  buf_printf(b, _("accounts  %llu scored, %llu rejected\n"), (unsigned long long)r->stats.scored,
             (unsigned long long)r->stats.rejected);
  char m[32], med[32];
  buf_printf(b, _("health    mean %s · median %s"), score1(m, sizeof m, mean_health(&r->all)),
             score1(med, sizeof med, report_decile(&r->health, 5)));
  if (r->health.na)
    buf_printf(b,
               P_(" · %llu account without a health score", " · %llu accounts without a health score",
                  (unsigned long)r->health.na),
               (unsigned long long)r->health.na);
  buf_puts(b, "\n\n");
}

static void text_grades(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  int32_t weighting = r->nweights > 0 ? 0 : -1;
  const InputDecl *win = weighting >= 0 ? &p->inputs[r->weight_input[0]] : NULL;
  Table t;
  table_init(&t, NULL, weighting >= 0 ? "lrrr" : "lrr");
  table_new_row(&t);
  table_cell(&t, "%s", _("grades"));
  table_cell(&t, "%s", _("accounts"));
  table_cell(&t, "%s", _("share"));
  if (win) table_cell(&t, _("%s share"), win->name);
  double total = 0;
  uint64_t unweighted = 0;
  for (int32_t g = 0; g < r->rows && win; g++) {
    total += report_weight(r, &r->all, 0, g);
    unweighted += report_unweighted(r, &r->all, 0, g);
  }
  for (int32_t i = 0; i < nrows; i++) {
    char name[512], s[32];
    int32_t g = rows[i];
    table_new_row(&t);
    table_cell(&t, "  %s",
               g < r->rows - 1 ? named(name, sizeof name, p->grade_labels[g], p->grade_names[g]) : "n/a");
    table_cell(&t, "%llu", (unsigned long long)report_count(r, &r->all, g));
    table_cell(&t, "%s", share_of(s, sizeof s, report_count(r, &r->all, g), r->all.accounts));
    if (win)
      table_cell(&t, "%s", pct(s, sizeof s, total > 0 ? report_weight(r, &r->all, 0, g) / total : NAN));
  }
  if (win) {
    char name[512], sum[64];
    table_note(&t, _("  %s share: Σ %s per grade over %s in total"), win->name,
               named(name, sizeof name, win->label, win->name), grouped(sum, sizeof sum, total));
    if (unweighted)
      table_note(&t,
                 P_("  %llu account without %s left out of the %s share",
                    "  %llu accounts without %s left out of the %s share", (unsigned long)unweighted),
                 (unsigned long long)unweighted, win->name, win->name);
  }
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

/* A composition table: one row per persona, segment case or --by group. */
static void text_composition(Report *r, Buf *b, bool color, const char *title, const Tally *const *tallies,
                             const char *const *labels, int32_t n, const int32_t *rows, int32_t nrows,
                             bool with_forecast) {
  const Program *p = r->p;
  int extra = with_forecast ? 1 + p->nforecasts : 0;
  char *align = align_spec(2 + nrows + extra);
  Table t;
  table_init(&t, NULL, align);
  table_new_row(&t);
  table_cell(&t, "%s", title);
  table_cell(&t, "%s", _("accounts"));
  table_cell(&t, "%s", _("share"));
  grade_header(r, &t, rows, nrows);
  if (with_forecast) {
    table_cell(&t, "%s", _("health"));
    for (int32_t f = 0; f < p->nforecasts; f++)
      table_cell(&t, "%s", p->forecasts[f].label ? p->forecasts[f].label : p->forecasts[f].name);
  }
  for (int32_t i = 0; i < n; i++) {
    char s[32];
    table_new_row(&t);
    table_cell(&t, "  %s", labels[i]);
    table_cell(&t, "%llu", (unsigned long long)tallies[i]->accounts);
    table_cell(&t, "%s", share_of(s, sizeof s, tallies[i]->accounts, r->all.accounts));
    grade_cells(r, &t, tallies[i], rows, nrows);
    if (with_forecast) {
      table_cell(&t, "%s", score1(s, sizeof s, mean_health(tallies[i])));
      for (int32_t f = 0; f < p->nforecasts; f++) {
        uint64_t rated, out;
        table_cell(&t, "%s", pct(s, sizeof s, report_expected(r, tallies[i], f, &rated, &out)));
      }
    }
  }
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
  free(align);
}

static void text_by(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
  int32_t n = report_group_order(r, order);
  const Tally **tallies = xmalloc(((size_t)n + 1) * sizeof *tallies);
  const char **labels = xmalloc(((size_t)n + 1) * sizeof *labels);
  char **owned = xcalloc((size_t)n + 1, sizeof *owned);
  for (int32_t i = 0; i < n; i++) {
    const ReportGroup *g = &r->groups[order[i]];
    tallies[i] = &g->tally;
    char buf[1024];
    if (order[i] == r->other_group)
      snprintf(buf, sizeof buf, "%s", _("(other values)"));
    else if (!g->value)
      snprintf(buf, sizeof buf, "%s", r->by == BY_INPUT ? _("(missing)") : _("(none)"));
    else
      named(buf, sizeof buf, g->label, g->value);
    labels[i] = owned[i] = xstrdup(buf);
  }
  char title[1024], name[512];
  if (r->by == BY_PERSONA)
    snprintf(title, sizeof title, "%s", _("by persona"));
  else if (r->by == BY_SEGMENT)
    snprintf(title, sizeof title, _("by %s"),
             named(name, sizeof name, p->segments[r->by_index].label, p->segments[r->by_index].name));
  else
    snprintf(title, sizeof title, _("by %s"),
             named(name, sizeof name, p->inputs[r->by_index].label, p->inputs[r->by_index].name));
  text_composition(r, b, color, title, tallies, labels, n, rows, nrows, true);
  if (r->other_group >= 0)
    buf_printf(b, _("  (more than %d distinct values: the rest are grouped as \"(other values)\")\n\n"),
               REPORT_MAX_GROUPS);
  for (int32_t i = 0; i < n; i++)
    free(owned[i]);
  free(owned);
  free(labels);
  free(tallies);
  free(order);
}

static void text_personas(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (p->npersonas == 0) return;
  const Tally **tallies = xmalloc(((size_t)p->npersonas + 1) * sizeof *tallies);
  const char **labels = xmalloc(((size_t)p->npersonas + 1) * sizeof *labels);
  char **owned = xcalloc((size_t)p->npersonas + 1, sizeof *owned);
  int32_t n = 0;
  for (int32_t i = 0; i < persona_rows(r); i++) {
    char buf[512];
    tallies[n] = &r->by_persona[i];
    labels[n] = owned[n] =
        xstrdup(i < p->npersonas ? named(buf, sizeof buf, p->personas[i].label, p->personas[i].name)
                                 : _("(no persona matched)"));
    n++;
  }
  text_composition(r, b, color, _("personas"), tallies, labels, n, rows, nrows, false);
  for (int32_t i = 0; i < n; i++)
    free(owned[i]);
  free(owned);
  free(labels);
  free(tallies);
}

static void text_segments(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    const Tally **tallies = xmalloc(((size_t)sd->ncases + 1) * sizeof *tallies);
    const char **labels = xmalloc(((size_t)sd->ncases + 1) * sizeof *labels);
    char **owned = xcalloc((size_t)sd->ncases + 1, sizeof *owned);
    int32_t n = 0;
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      char buf[512];
      tallies[n] = &r->by_case[s][c];
      labels[n] = owned[n] =
          xstrdup(c < sd->ncases ? named(buf, sizeof buf, sd->cases[c].label, sd->cases[c].name)
                                 : _("(no case matched)"));
      n++;
    }
    char title[1024], name[512];
    snprintf(title, sizeof title, _("segment %s"), named(name, sizeof name, sd->label, sd->name));
    text_composition(r, b, color, title, tallies, labels, n, rows, nrows, false);
    for (int32_t i = 0; i < n; i++)
      free(owned[i]);
    free(owned);
    free(labels);
    free(tallies);
  }
}

static void text_forecasts(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    char name[512], rate[32], s[32], sum[64];
    if (color) buf_puts(b, C_BOLD);
    buf_printf(b, _("forecast %s"), named(name, sizeof name, fd->label, fd->name));
    if (color) buf_puts(b, C_OFF);
    buf_puts(b, _("\n  rates   "));
    bool first = true;
    for (int32_t i = 0; i < nrows; i++) {
      int32_t g = rows[i];
      if (g >= r->rows - 1 || isnan(fd->rate[g])) continue;
      buf_puts(b, first ? "" : " · ");
      buf_shown_str(b, report_grade_label(r, g));
      buf_printf(b, " %s", rate_text(rate, sizeof rate, fd->rate[g]));
      first = false;
    }
    if (first) buf_puts(b, _("(none)"));
    buf_putc(b, '\n');
    Table t;
    table_init(&t, NULL, "lrl");
    uint64_t rated, out;
    double expected = report_expected(r, &r->all, f, &rated, &out);
    table_new_row(&t);
    table_cell(&t, "%s", _("  by accounts"));
    table_cell(&t, "%s", pct(s, sizeof s, expected));
    table_cell(&t, P_("over %llu account", "over %llu accounts", (unsigned long)rated),
               (unsigned long long)rated);
    if (out)
      table_note(&t,
                 P_("  %llu account left out: grade n/a or without a rate",
                    "  %llu accounts left out: grade n/a or without a rate", (unsigned long)out),
                 (unsigned long long)out);
    if (fd->weight_input >= 0) {
      const InputDecl *in = &p->inputs[fd->weight_input];
      double total;
      uint64_t wout;
      double weighted = report_expected_weighted(r, &r->all, f, &total, &wout);
      table_new_row(&t);
      table_cell(&t, _("  by %s"), in->name);
      table_cell(&t, "%s", pct(s, sizeof s, weighted));
      table_cell(&t, _("over %s %s"), in->name, grouped(sum, sizeof sum, total));
      if (wout)
        table_note(&t,
                   P_("  %llu account left out: grade n/a, without a rate, or without %s",
                      "  %llu accounts left out: grade n/a, without a rate, or without %s",
                      (unsigned long)wout),
                   (unsigned long long)wout, in->name);
    }
    /* the table's header is its first row: no bold here */
    table_print(&t, b, "", false);
    table_free(&t);
    buf_putc(b, '\n');
  }
}

static void text_journey(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (!p->has_journey || p->nsteps == 0) return;
  Table t;
  table_init(&t, NULL, "lrrrrrrr");
  table_new_row(&t);
  table_cell(&t, "%s%s%s", _("journey"), p->journey_label ? " " : "",
             p->journey_label ? p->journey_label : "");
  table_cell(&t, "%s", _("passed"));
  table_cell(&t, "%s", _("share"));
  table_cell(&t, "%s", _("unknown"));
  table_cell(&t, "%s", _("reached"));
  table_cell(&t, "%s", _("share"));
  table_cell(&t, "%s", _("bottleneck"));
  table_cell(&t, "%s", _("share"));
  uint64_t n = r->all.accounts, reached = n;
  for (int32_t s = 0; s < p->nsteps; s++) {
    char name[512], a[32], c[32], d[32];
    table_new_row(&t);
    table_cell(&t, "  %s", named(name, sizeof name, p->steps[s].label, p->steps[s].name));
    table_cell(&t, "%llu", (unsigned long long)r->step_passed[s]);
    table_cell(&t, "%s", share_of(a, sizeof a, r->step_passed[s], n));
    table_cell(&t, "%llu", (unsigned long long)r->step_unknown[s]);
    table_cell(&t, "%llu", (unsigned long long)reached);
    table_cell(&t, "%s", share_of(c, sizeof c, reached, n));
    table_cell(&t, "%llu", (unsigned long long)r->bottleneck[s]);
    table_cell(&t, "%s", share_of(d, sizeof d, r->bottleneck[s], n));
    reached -= r->bottleneck[s];
  }
  char d[32];
  table_new_row(&t);
  table_cell(&t, "%s", _("  none: every step passed"));
  for (int i = 0; i < 5; i++)
    table_cell(&t, "%s", "");
  table_cell(&t, "%llu", (unsigned long long)r->bottleneck[p->nsteps]);
  table_cell(&t, "%s", share_of(d, sizeof d, r->bottleneck[p->nsteps], n));
  table_note(&t, "%s",
             _("  reached: every earlier step passed; unknown: the condition was missing (not passed)"));
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

static const char *severity_name(Severity s) {
  return s == SEV_HIGH ? "high" : s == SEV_LOW ? "low" : "medium";
}

static void text_flags(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (p->nflags == 0) return;
  Table t;
  table_init(&t, NULL, "llrr");
  table_new_row(&t);
  table_cell(&t, "%s", _("flags"));
  table_cell(&t, "%s", _("severity"));
  table_cell(&t, "%s", _("raised"));
  table_cell(&t, "%s", _("share"));
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    char name[512], s[32];
    table_new_row(&t);
    table_cell(&t, "  %s", named(name, sizeof name, fd->label, fd->name));
    table_cell(&t, "%s", _(severity_name(fd->severity)));
    table_cell(&t, "%llu", (unsigned long long)r->flag_raised[f]);
    table_cell(&t, "%s", share_of(s, sizeof s, r->flag_raised[f], r->all.accounts));
    if (fd->action) table_note(&t, "    → %s", fd->action);
  }
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

const char *const report_kpi_heads[] = {N_("KPIs"), N_("value"), N_("target"), N_("status"), NULL};

const char *report_kpi_status(int met, bool target) {
  return met == 1 ? _("met") : met == 0 ? _("not met") : target ? _("neither (no value)") : NULL;
}

static void text_kpis(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (!r->kpis) return;
  Table t;
  table_init(&t, NULL, "lrrl");
  table_new_row(&t);
  for (const char *const *h = report_kpi_heads; *h; h++)
    table_cell(&t, "%s", _(*h));
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    char name[512], v[KPI_TEXT_SIZE], tg[KPI_TARGET_SIZE];
    table_new_row(&t);
    table_cell(&t, "  %s", named(name, sizeof name, k->label, k->name));
    table_cell(&t, "%s", kpi_text(p, i, kpi_value(r->kpis, i), v));
    const char *op = kpi_target_text(p, i, tg);
    table_cell(&t, "%s", op ? op : "-");
    const char *st = report_kpi_status(kpi_met(r->kpis, i), op != NULL);
    table_cell(&t, "%s", st ? st : "-");
  }
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

static void json_kpis(Report *r, Json *j) {
  const Program *p = r->p;
  if (!r->kpis) return;
  json_key(j, "kpis");
  json_array(j);
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    json_object(j);
    json_field_str(j, "kpi", k->name);
    json_field_str(j, "label", k->label && *k->label ? k->label : NULL);
    report_kpi_fields(j, r->kpis, i);
    json_end(j);
  }
  json_end(j);
}

/* Rows of drivers from LOST (per member), the mean over HEALTH_N accounts. */
static void driver_rows(Report *r, Table *t, const double *lost, uint64_t health_n, int32_t max,
                        const char *indent) {
  int32_t *order = xmalloc(((size_t)max + 1) * sizeof *order);
  int32_t n = report_top_members(r, lost, order, max);
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    char name[1024], tot[32], mean[32];
    table_new_row(t);
    table_cell(t, "%s%d. %s", indent, (int)i + 1, member_name(r, m, name, sizeof name));
    table_cell(t, "%s", score1(tot, sizeof tot, lost[m]));
    table_cell(t, "%s", score1(mean, sizeof mean, health_n ? lost[m] / (double)health_n : NAN));
    if (lost == r->lost_total) table_cell(t, "%llu", (unsigned long long)r->losing[m]);
  }
  if (n == 0) table_note(t, _("%s(no member lost points)"), indent);
  free(order);
}

static void text_drivers(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  Table t;
  table_init(&t, NULL, "lrrr");
  table_new_row(&t);
  table_cell(&t, "%s", _("drivers: lost health points"));
  table_cell(&t, "%s", _("total"));
  table_cell(&t, "%s", _("per account"));
  table_cell(&t, "%s", _("accounts"));
  driver_rows(r, &t, r->lost_total, r->all.health_n, REPORT_TOP_DRIVERS, "  ");
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
  if (p->npersonas == 0) return;
  table_init(&t, NULL, "lrr");
  table_new_row(&t);
  table_cell(&t, "%s", _("drivers by persona"));
  table_cell(&t, "%s", _("total"));
  table_cell(&t, "%s", _("per account"));
  for (int32_t i = 0; i < persona_rows(r); i++) {
    const Tally *pt = &r->by_persona[i];
    char name[512];
    table_note(&t, P_("  %s · %llu account", "  %s · %llu accounts", (unsigned long)pt->accounts),
               i < p->npersonas ? named(name, sizeof name, p->personas[i].label, p->personas[i].name)
                                : _("(no persona matched)"),
               (unsigned long long)pt->accounts);
    driver_rows(r, &t, report_persona_lost(r, i), pt->health_n, REPORT_PERSONA_DRIVERS, "    ");
  }
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

static void hist_row(Table *t, const char *label, const ScoreHist *h) {
  char s[32];
  table_new_row(t);
  table_cell(t, "  %s", label);
  table_cell(t, "%llu", (unsigned long long)h->n);
  table_cell(t, "%llu", (unsigned long long)h->na);
  table_cell(t, "%s", score1(s, sizeof s, h->n ? h->sum / (double)h->n : NAN));
  table_cell(t, "%s", score1(s, sizeof s, h->n ? h->min : NAN));
  for (int k = 1; k <= 9; k++)
    table_cell(t, "%s", score1(s, sizeof s, report_decile(h, k)));
  table_cell(t, "%s", score1(s, sizeof s, h->n ? h->max : NAN));
}

static void text_scores(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  Table t;
  table_init(&t, NULL, "lrrrrrrrrrrrrrr");
  table_new_row(&t);
  table_cell(&t, "%s", _("scores"));
  table_cell(&t, "n");
  table_cell(&t, "n/a");
  table_cell(&t, "%s", _("mean"));
  table_cell(&t, "%s", _("min"));
  for (int k = 1; k <= 9; k++)
    table_cell(&t, "%d%%", k * 10);
  table_cell(&t, "%s", _("max"));
  hist_row(&t, _("health"), &r->health);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    char name[512];
    hist_row(&t, named(name, sizeof name, p->dimensions[d].label, p->dimensions[d].name), &r->dims[d]);
  }
  table_note(&t, "%s", _("  deciles: nearest rank, from a histogram of 0.1-wide bins (docs/report.md)"));
  table_print(&t, b, "", color);
  table_free(&t);
  buf_putc(b, '\n');
}

static void text_coverage(Report *r, Buf *b, bool color) {
  char s[32], m[32];
  uint64_t n = r->all.accounts;
  if (color) buf_puts(b, C_BOLD);
  buf_puts(b, _("coverage"));
  if (color) buf_puts(b, C_OFF);
  buf_printf(b,
             P_("  %llu of %llu account (%s) scored on less than half their weight · mean coverage %s\n",
                "  %llu of %llu accounts (%s) scored on less than half their weight · mean coverage %s\n",
                (unsigned long)n),
             (unsigned long long)r->coverage_below_half, (unsigned long long)n,
             share_of(s, sizeof s, r->coverage_below_half, n),
             pct(m, sizeof m, n ? r->coverage_sum / (double)n : NAN));
}

void report_write_text(Report *r, FILE *out, bool color) {
  Buf b;
  buf_init(&b, out);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  text_header(r, &b, color);
  text_kpis(r, &b, color);
  text_grades(r, &b, color, rows, nrows);
  if (r->by != BY_NONE) text_by(r, &b, color, rows, nrows);
  text_personas(r, &b, color, rows, nrows);
  text_segments(r, &b, color, rows, nrows);
  text_forecasts(r, &b, color, rows, nrows);
  text_journey(r, &b, color);
  text_flags(r, &b, color);
  text_drivers(r, &b, color);
  text_scores(r, &b, color);
  text_coverage(r, &b, color);
  free(rows);
  buf_flush(&b, 0);
  buf_free(&b);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_share(Json *j, const char *key, uint64_t part, uint64_t whole) {
  json_field_num(j, key, whole ? (double)part / (double)whole : NAN);
}

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

/* "grades":{"good":3,"normal":1,"n/a":0} */
static void json_grades(const Report *r, Json *j, const Tally *t, const int32_t *rows, int32_t nrows) {
  json_key(j, "grades");
  json_object(j);
  for (int32_t i = 0; i < nrows; i++)
    json_field_count(j, report_grade_name(r, rows[i]), report_count(r, t, rows[i]));
  json_end(j);
}

/* "forecasts":{"retention":{"expected":…,"weighted":…}} for one tally */
static void json_group_forecasts(const Report *r, Json *j, const Tally *t) {
  json_key(j, "forecasts");
  json_object(j);
  for (int32_t f = 0; f < r->p->nforecasts; f++) {
    uint64_t rated, out;
    double total;
    json_key(j, r->p->forecasts[f].name);
    json_object(j);
    json_field_num(j, "expected", report_expected(r, t, f, &rated, &out));
    json_field_num(j, "weighted", report_expected_weighted(r, t, f, &total, &out));
    json_end(j);
  }
  json_end(j);
}

/* "accounts":…,"share":…,"grades":{…}: the members of a composition row */
static void json_tally(const Report *r, Json *j, const Tally *t, const int32_t *rows, int32_t nrows) {
  json_field_count(j, "accounts", t->accounts);
  json_share(j, "share", t->accounts, r->all.accounts);
  json_grades(r, j, t, rows, nrows);
}

/* A number that is there only when the report is weighted (else null). */
static void json_weighted(Json *j, const char *key, bool weighted, double x) {
  if (weighted)
    json_field_num(j, key, x);
  else
    json_field_null(j, key);
}

static void json_composition(Report *r, Json *j, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  json_key(j, "composition");
  json_object(j);
  json_field_str(j, "weighted_by", r->nweights ? p->inputs[r->weight_input[0]].name : NULL);
  double total = 0;
  uint64_t unweighted = 0;
  for (int32_t g = 0; g < r->rows && r->nweights; g++) {
    total += report_weight(r, &r->all, 0, g);
    unweighted += report_unweighted(r, &r->all, 0, g);
  }
  json_weighted(j, "weight_total", r->nweights, total);
  json_field_count(j, "unweighted", unweighted);
  json_key(j, "grades");
  json_array(j);
  for (int32_t i = 0; i < nrows; i++) {
    int32_t g = rows[i];
    json_object(j);
    json_field_str(j, "grade", report_grade_name(r, g));
    json_field_str(j, "label", g < r->rows - 1 ? nonempty(p->grade_labels[g]) : NULL);
    json_field_count(j, "accounts", report_count(r, &r->all, g));
    json_share(j, "share", report_count(r, &r->all, g), r->all.accounts);
    json_weighted(j, "weight", r->nweights, report_weight(r, &r->all, 0, g));
    json_weighted(j, "weighted_share", r->nweights,
                  total > 0 ? report_weight(r, &r->all, 0, g) / total : NAN);
    json_end(j);
  }
  json_end(j);
  json_end(j);
}

static void json_personas(Report *r, Json *j, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  json_key(j, "personas");
  json_array(j);
  for (int32_t i = 0; i < persona_rows(r); i++) {
    json_object(j);
    json_field_str(j, "persona", i < p->npersonas ? p->personas[i].name : NULL);
    json_field_str(j, "label", i < p->npersonas ? nonempty(p->personas[i].label) : NULL);
    json_tally(r, j, &r->by_persona[i], rows, nrows);
    json_end(j);
  }
  json_end(j);
}

static void json_segments(Report *r, Json *j, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  json_key(j, "segments");
  json_array(j);
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    json_object(j);
    json_field_str(j, "segment", sd->name);
    json_field_str(j, "label", nonempty(sd->label));
    json_key(j, "cases");
    json_array(j);
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      json_object(j);
      json_field_str(j, "case", c < sd->ncases ? sd->cases[c].name : NULL);
      json_field_str(j, "label", c < sd->ncases ? nonempty(sd->cases[c].label) : NULL);
      json_tally(r, j, &r->by_case[s][c], rows, nrows);
      json_end(j);
    }
    json_end(j);
    json_end(j);
  }
  json_end(j);
}

static void json_by(Report *r, Json *j, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  json_key(j, "by");
  if (r->by == BY_NONE) {
    json_null(j);
    return;
  }
  json_object(j);
  json_field_str(j, "kind", r->by == BY_PERSONA ? "persona" : r->by == BY_SEGMENT ? "segment" : "input");
  json_field_str(j, "name",
                 r->by == BY_PERSONA   ? NULL
                 : r->by == BY_SEGMENT ? p->segments[r->by_index].name
                                       : p->inputs[r->by_index].name);
  json_key(j, "groups");
  json_array(j);
  int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
  int32_t n = report_group_order(r, order);
  for (int32_t i = 0; i < n; i++) {
    const ReportGroup *g = &r->groups[order[i]];
    json_object(j);
    json_field_str(j, "value", g->value);
    json_field_str(j, "label", order[i] == r->other_group ? NULL : nonempty(g->label));
    json_field_bool(j, "other", order[i] == r->other_group);
    json_tally(r, j, &g->tally, rows, nrows);
    json_field_num(j, "mean_health", mean_health(&g->tally));
    json_group_forecasts(r, j, &g->tally);
    json_end(j);
  }
  free(order);
  json_end(j);
  json_end(j);
}

static void json_forecasts(Report *r, Json *j, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  json_key(j, "forecasts");
  json_array(j);
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    json_object(j);
    json_field_str(j, "name", fd->name);
    json_field_str(j, "label", nonempty(fd->label));
    json_field_str(j, "weighted_by", fd->weight_input >= 0 ? p->inputs[fd->weight_input].name : NULL);
    json_key(j, "rates");
    json_object(j);
    /* the grade rows' order, then rated grades that are not a row */
    for (int32_t i = 0; i < nrows + r->rows - 1; i++) {
      int32_t g = i < nrows ? rows[i] : i - nrows;
      if (g >= r->rows - 1 || isnan(fd->rate[g])) continue;
      bool shown = false;
      for (int32_t k = 0; i >= nrows && k < nrows; k++)
        shown = shown || rows[k] == g;
      if (shown) continue;
      json_field_num(j, p->grade_names[g], fd->rate[g]);
    }
    json_end(j);
    uint64_t rated, out, wout;
    double total;
    json_field_num(j, "expected", report_expected(r, &r->all, f, &rated, &out));
    json_field_count(j, "rated", rated);
    json_field_count(j, "left_out", out);
    double weighted = report_expected_weighted(r, &r->all, f, &total, &wout);
    json_field_num(j, "weighted", weighted);
    json_weighted(j, "weight_total", fd->weight_input >= 0, total);
    if (fd->weight_input >= 0)
      json_field_count(j, "weighted_left_out", wout);
    else
      json_field_null(j, "weighted_left_out");
    json_end(j);
  }
  json_end(j);
}

static void json_journey(Report *r, Json *j) {
  const Program *p = r->p;
  json_key(j, "journey");
  if (!p->has_journey) {
    json_null(j);
    return;
  }
  json_object(j);
  json_field_str(j, "label", nonempty(p->journey_label));
  json_key(j, "steps");
  json_array(j);
  uint64_t reached = r->all.accounts;
  for (int32_t s = 0; s < p->nsteps; s++) {
    json_object(j);
    json_field_str(j, "step", p->steps[s].name);
    json_field_str(j, "label", nonempty(p->steps[s].label));
    json_field_count(j, "passed", r->step_passed[s]);
    json_field_count(j, "unknown", r->step_unknown[s]);
    json_field_count(j, "reached", reached);
    json_field_count(j, "bottleneck", r->bottleneck[s]);
    json_end(j);
    reached -= r->bottleneck[s];
  }
  json_end(j);
  json_field_count(j, "no_bottleneck", r->bottleneck[p->nsteps]);
  json_end(j);
}

static void json_flags(Report *r, Json *j) {
  const Program *p = r->p;
  json_key(j, "flags");
  json_array(j);
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    json_object(j);
    json_field_str(j, "flag", fd->name);
    json_field_str(j, "label", nonempty(fd->label));
    json_field_str(j, "severity", severity_name(fd->severity));
    json_field_str(j, "action", fd->action);
    json_field_count(j, "raised", r->flag_raised[f]);
    json_share(j, "share", r->flag_raised[f], r->all.accounts);
    json_field_count(j, "unknown", r->flag_unknown[f]);
    json_end(j);
  }
  json_end(j);
}

static void json_driver_list(Report *r, Json *j, const double *lost, uint64_t health_n, int32_t max) {
  const Program *p = r->p;
  int32_t *order = xmalloc(((size_t)max + 1) * sizeof *order);
  int32_t n = report_top_members(r, lost, order, max);
  json_array(j);
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    const DimensionDecl *d = &p->dimensions[r->member_dim[m]];
    const Member *mem = &d->members[r->member_index[m]];
    json_object(j);
    json_field_str(j, "dimension", d->name);
    json_field_str(j, "member", mem->name);
    json_field_str(j, "label", nonempty(mem->label));
    json_field_num(j, "lost", lost[m]);
    json_field_num(j, "mean", health_n ? lost[m] / (double)health_n : NAN);
    if (lost == r->lost_total) json_field_count(j, "accounts", r->losing[m]);
    json_end(j);
  }
  json_end(j);
  free(order);
}

static void json_drivers(Report *r, Json *j) {
  const Program *p = r->p;
  json_key(j, "drivers");
  json_object(j);
  json_key(j, "top");
  json_driver_list(r, j, r->lost_total, r->all.health_n, REPORT_TOP_DRIVERS);
  json_key(j, "by_persona");
  json_array(j);
  for (int32_t i = 0; i < persona_rows(r); i++) {
    const Tally *pt = &r->by_persona[i];
    json_object(j);
    json_field_str(j, "persona", i < p->npersonas ? p->personas[i].name : NULL);
    json_field_count(j, "accounts", pt->accounts);
    json_key(j, "drivers");
    json_driver_list(r, j, report_persona_lost(r, i), pt->health_n, REPORT_PERSONA_DRIVERS);
    json_end(j);
  }
  json_end(j);
  json_end(j);
}

static void json_hist(Json *j, const char *name, const char *label, const ScoreHist *h) {
  json_object(j);
  json_field_str(j, "name", name);
  json_field_str(j, "label", nonempty(label));
  json_field_count(j, "scored", h->n);
  json_field_count(j, "n_a", h->na);
  json_field_num(j, "mean", h->n ? h->sum / (double)h->n : NAN);
  json_field_num(j, "min", h->n ? h->min : NAN);
  json_field_num(j, "max", h->n ? h->max : NAN);
  json_key(j, "deciles");
  if (!h->n) {
    json_null(j);
  } else {
    json_array(j);
    for (int k = 1; k <= 9; k++)
      json_num(j, report_decile(h, k));
    json_end(j);
  }
  json_end(j);
}

void report_write_json(Report *r, FILE *out) {
  const Program *p = r->p;
  Buf b;
  buf_init(&b, out);
  Json j;
  json_init(&j, &b);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  json_object(&j);
  json_field_str(&j, "title", p->title);
  json_field_str(&j, "as_of", r->as_of);
  json_field_str(&j, "rules", r->rules);
  json_key(&j, "accounts");
  json_object(&j);
  json_field_count(&j, "scored", r->stats.scored);
  json_field_count(&j, "rejected", r->stats.rejected);
  json_end(&j);
  json_key(&j, "health");
  json_object(&j);
  json_field_num(&j, "mean", mean_health(&r->all));
  json_field_num(&j, "median", report_decile(&r->health, 5));
  json_field_count(&j, "n_a", r->health.na);
  json_end(&j);
  json_kpis(r, &j);
  json_composition(r, &j, rows, nrows);
  json_by(r, &j, rows, nrows);
  json_personas(r, &j, rows, nrows);
  json_segments(r, &j, rows, nrows);
  json_forecasts(r, &j, rows, nrows);
  json_journey(r, &j);
  json_flags(r, &j);
  json_drivers(r, &j);
  json_key(&j, "scores");
  json_array(&j);
  json_hist(&j, "health", NULL, &r->health);
  for (int32_t d = 0; d < p->ndimensions; d++)
    json_hist(&j, p->dimensions[d].name, p->dimensions[d].label, &r->dims[d]);
  json_end(&j);
  uint64_t n = r->all.accounts;
  json_key(&j, "coverage");
  json_object(&j);
  json_field_num(&j, "mean", n ? r->coverage_sum / (double)n : NAN);
  json_field_count(&j, "below_half", r->coverage_below_half);
  json_share(&j, "below_half_share", r->coverage_below_half, n);
  json_end(&j);
  json_end(&j);
  buf_putc(&b, '\n');
  free(rows);
  buf_flush(&b, 0);
  buf_free(&b);
}

void report_kpi_fields(Json *j, KpiRun *k, int32_t i) {
  const Program *p = k->p;
  json_field_num(j, "value", kpi_value(k, i));
  const char *op = kpi_target_op(p, i);
  json_key(j, "target");
  if (op) {
    json_object(j);
    json_field_str(j, "op", op);
    json_field_num(j, "value", p->kpis[i].target);
    json_end(j);
  } else
    json_null(j);
  json_key(j, "met");
  int met = kpi_met(k, i);
  if (met < 0)
    json_null(j);
  else
    json_bool(j, met == 1);
}
