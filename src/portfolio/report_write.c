/* report_write.c — `kenko report` for people (aligned text tables, labels
 * in Japanese lined up by display width) and for machines (one JSON
 * object; its shape is documented in docs/report.md and is stable). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "portfolio/report.h"
#include "front/source.h"

#define C_BOLD "\033[1m"
#define C_OFF  "\033[0m"

/* ---- text tables ---------------------------------------------------------- */

/* Rows of cells, printed with columns aligned by display width. A note row
 * is one line printed as it is, left out of the column widths. */
typedef struct TextTable {
  int ncols;
  const char *align; /* per column: 'l' or 'r' */
  char **cells;      /* nrows × ncols, malloc'ed; NULL: empty */
  bool *note;
  int nrows, cap, col;
} TextTable;

static void tt_init(TextTable *t, const char *align) {
  memset(t, 0, sizeof *t);
  t->align = align;
  t->ncols = (int)strlen(align);
}

static void tt_row(TextTable *t) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->cells = xrealloc(t->cells, (size_t)t->cap * (size_t)t->ncols * sizeof *t->cells);
    t->note = xrealloc(t->note, (size_t)t->cap * sizeof *t->note);
  }
  memset(t->cells + (size_t)t->nrows * (size_t)t->ncols, 0, (size_t)t->ncols * sizeof *t->cells);
  t->note[t->nrows] = false;
  t->nrows++;
  t->col = 0;
}

/* A cell's text, its control characters shown as escapes (buf_shown):
 * group names and account ids come from the data. */
static char *vformat(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  char *s = xmalloc((size_t)(n > 0 ? n : 0) + 1);
  vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
  Buf shown;
  buf_init(&shown, NULL);
  buf_shown(&shown, s, strlen(s), false);
  free(s);
  buf_putc(&shown, '\0');
  return shown.data;
}

static void tt_cell(TextTable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tt_cell(TextTable *t, const char *fmt, ...) {
  if (t->col >= t->ncols) return;
  va_list ap;
  va_start(ap, fmt);
  t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols + (size_t)t->col++] = vformat(fmt, ap);
  va_end(ap);
}

static void tt_note(TextTable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tt_note(TextTable *t, const char *fmt, ...) {
  tt_row(t);
  t->note[t->nrows - 1] = true;
  va_list ap;
  va_start(ap, fmt);
  t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols] = vformat(fmt, ap);
  va_end(ap);
}

static int text_width(const char *s) { return s ? utf8_display_width(s, strlen(s), 0) : 0; }

static void spaces(Buf *b, int n) {
  for (int i = 0; i < n; i++)
    buf_putc(b, ' ');
}

/* Writes T (the first row in bold when COLOR) and frees it. Columns are
 * two spaces apart; no line ends in a space. */
static void tt_write(TextTable *t, Buf *b, bool color) {
  int *width = xcalloc((size_t)t->ncols, sizeof *width);
  for (int r = 0; r < t->nrows; r++) {
    if (t->note[r]) continue;
    for (int c = 0; c < t->ncols; c++) {
      int w = text_width(t->cells[(size_t)r * (size_t)t->ncols + (size_t)c]);
      if (w > width[c]) width[c] = w;
    }
  }
  for (int r = 0; r < t->nrows; r++) {
    char **row = t->cells + (size_t)r * (size_t)t->ncols;
    if (r == 0 && color) buf_puts(b, C_BOLD);
    if (t->note[r]) {
      buf_puts(b, row[0]);
    } else {
      /* the last non-empty cell: nothing is padded after it */
      int last = t->ncols - 1;
      while (last > 0 && !row[last])
        last--;
      int pending = 0;
      for (int c = 0; c <= last; c++) {
        int w = text_width(row[c]);
        if (c > 0) pending += 2;
        if (t->align[c] == 'r') {
          spaces(b, pending + width[c] - w);
          pending = 0;
          if (row[c]) buf_puts(b, row[c]);
        } else {
          spaces(b, pending);
          if (row[c]) buf_puts(b, row[c]);
          pending = width[c] - w;
        }
      }
    }
    if (r == 0 && color) buf_puts(b, C_OFF);
    buf_putc(b, '\n');
  }
  for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  free(t->note);
  free(width);
}

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
static void grade_header(const Report *r, TextTable *t, const int32_t *rows, int32_t nrows) {
  for (int32_t i = 0; i < nrows; i++)
    tt_cell(t, "%s", report_grade_label(r, rows[i]));
}

static void grade_cells(TextTable *t, const Tally *tally, const int32_t *rows, int32_t nrows) {
  for (int32_t i = 0; i < nrows; i++)
    tt_cell(t, "%llu", (unsigned long long)tally->grades[rows[i]]);
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
  buf_shown_str(b, p->title ? p->title : "report");
  buf_puts(b, " ━━");
  if (color) buf_puts(b, C_OFF);
  buf_printf(b, "  %sas of %s · rules %s\n", p->title ? "report " : "", r->as_of, r->rules);
  buf_printf(b, "accounts  %llu scored, %llu rejected\n", (unsigned long long)r->stats.scored,
             (unsigned long long)r->stats.rejected);
  char m[32], med[32];
  buf_printf(b, "health    mean %s · median %s", score1(m, sizeof m, mean_health(&r->all)),
             score1(med, sizeof med, report_decile(&r->health, 5)));
  if (r->health.na)
    buf_printf(b, " · %llu account%s without a health score", (unsigned long long)r->health.na,
               r->health.na == 1 ? "" : "s");
  buf_puts(b, "\n\n");
}

static void text_grades(Report *r, Buf *b, bool color, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  int32_t weighting = r->nweights > 0 ? 0 : -1;
  const InputDecl *win = weighting >= 0 ? &p->inputs[r->weight_input[0]] : NULL;
  TextTable t;
  tt_init(&t, weighting >= 0 ? "lrrr" : "lrr");
  tt_row(&t);
  tt_cell(&t, "grades");
  tt_cell(&t, "accounts");
  tt_cell(&t, "share");
  if (win) tt_cell(&t, "%s share", win->name);
  double total = 0;
  uint64_t unweighted = 0;
  for (int32_t g = 0; g < r->rows && win; g++) {
    total += r->all.weight[g];
    unweighted += r->all.unweighted[g];
  }
  for (int32_t i = 0; i < nrows; i++) {
    char name[512], s[32];
    int32_t g = rows[i];
    tt_row(&t);
    tt_cell(&t, "  %s",
            g < r->rows - 1 ? named(name, sizeof name, p->grade_labels[g], p->grade_names[g]) : "n/a");
    tt_cell(&t, "%llu", (unsigned long long)r->all.grades[g]);
    tt_cell(&t, "%s", share_of(s, sizeof s, r->all.grades[g], r->all.accounts));
    if (win) tt_cell(&t, "%s", pct(s, sizeof s, total > 0 ? r->all.weight[g] / total : NAN));
  }
  if (win) {
    char name[512], sum[64];
    tt_note(&t, "  %s share: Σ %s per grade over %s in total", win->name,
            named(name, sizeof name, win->label, win->name), grouped(sum, sizeof sum, total));
    if (unweighted)
      tt_note(&t, "  %llu account%s without %s left out of the %s share", (unsigned long long)unweighted,
              unweighted == 1 ? "" : "s", win->name, win->name);
  }
  tt_write(&t, b, color);
  buf_putc(b, '\n');
}

/* A composition table: one row per persona, segment case or --by group. */
static void text_composition(Report *r, Buf *b, bool color, const char *title, const Tally *const *tallies,
                             const char *const *labels, int32_t n, const int32_t *rows, int32_t nrows,
                             bool with_forecast) {
  const Program *p = r->p;
  int extra = with_forecast ? 1 + p->nforecasts : 0;
  char *align = align_spec(2 + nrows + extra);
  TextTable t;
  tt_init(&t, align);
  tt_row(&t);
  tt_cell(&t, "%s", title);
  tt_cell(&t, "accounts");
  tt_cell(&t, "share");
  grade_header(r, &t, rows, nrows);
  if (with_forecast) {
    tt_cell(&t, "health");
    for (int32_t f = 0; f < p->nforecasts; f++)
      tt_cell(&t, "%s", p->forecasts[f].label ? p->forecasts[f].label : p->forecasts[f].name);
  }
  for (int32_t i = 0; i < n; i++) {
    char s[32];
    tt_row(&t);
    tt_cell(&t, "  %s", labels[i]);
    tt_cell(&t, "%llu", (unsigned long long)tallies[i]->accounts);
    tt_cell(&t, "%s", share_of(s, sizeof s, tallies[i]->accounts, r->all.accounts));
    grade_cells(&t, tallies[i], rows, nrows);
    if (with_forecast) {
      tt_cell(&t, "%s", score1(s, sizeof s, mean_health(tallies[i])));
      for (int32_t f = 0; f < p->nforecasts; f++) {
        uint64_t rated, out;
        tt_cell(&t, "%s", pct(s, sizeof s, report_expected(r, tallies[i], f, &rated, &out)));
      }
    }
  }
  tt_write(&t, b, color);
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
      snprintf(buf, sizeof buf, "(other values)");
    else if (!g->value)
      snprintf(buf, sizeof buf, r->by == BY_INPUT ? "(missing)" : "(none)");
    else
      named(buf, sizeof buf, g->label, g->value);
    labels[i] = owned[i] = xstrdup(buf);
  }
  char title[1024], name[512];
  if (r->by == BY_PERSONA)
    snprintf(title, sizeof title, "by persona");
  else if (r->by == BY_SEGMENT)
    snprintf(title, sizeof title, "by %s",
             named(name, sizeof name, p->segments[r->by_index].label, p->segments[r->by_index].name));
  else
    snprintf(title, sizeof title, "by %s",
             named(name, sizeof name, p->inputs[r->by_index].label, p->inputs[r->by_index].name));
  text_composition(r, b, color, title, tallies, labels, n, rows, nrows, true);
  if (r->other_group >= 0)
    buf_printf(b, "  (more than %d distinct values: the rest are grouped as \"(other values)\")\n\n",
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
                                 : "(no persona matched)");
    n++;
  }
  text_composition(r, b, color, "personas", tallies, labels, n, rows, nrows, false);
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
                                 : "(no case matched)");
      n++;
    }
    char title[1024], name[512];
    snprintf(title, sizeof title, "segment %s", named(name, sizeof name, sd->label, sd->name));
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
    buf_printf(b, "forecast %s", named(name, sizeof name, fd->label, fd->name));
    if (color) buf_puts(b, C_OFF);
    buf_puts(b, "\n  rates   ");
    bool first = true;
    for (int32_t i = 0; i < nrows; i++) {
      int32_t g = rows[i];
      if (g >= r->rows - 1 || isnan(fd->rate[g])) continue;
      buf_puts(b, first ? "" : " · ");
      buf_shown_str(b, report_grade_label(r, g));
      buf_printf(b, " %s", rate_text(rate, sizeof rate, fd->rate[g]));
      first = false;
    }
    if (first) buf_puts(b, "(none)");
    buf_putc(b, '\n');
    TextTable t;
    tt_init(&t, "lrl");
    uint64_t rated, out;
    double expected = report_expected(r, &r->all, f, &rated, &out);
    tt_row(&t);
    tt_cell(&t, "  by accounts");
    tt_cell(&t, "%s", pct(s, sizeof s, expected));
    tt_cell(&t, "over %llu account%s", (unsigned long long)rated, rated == 1 ? "" : "s");
    if (out)
      tt_note(&t, "  %llu account%s left out: grade n/a or without a rate", (unsigned long long)out,
              out == 1 ? "" : "s");
    if (fd->weight_input >= 0) {
      const InputDecl *in = &p->inputs[fd->weight_input];
      double total;
      uint64_t wout;
      double weighted = report_expected_weighted(r, &r->all, f, &total, &wout);
      tt_row(&t);
      tt_cell(&t, "  by %s", in->name);
      tt_cell(&t, "%s", pct(s, sizeof s, weighted));
      tt_cell(&t, "over %s %s", in->name, grouped(sum, sizeof sum, total));
      if (wout)
        tt_note(&t, "  %llu account%s left out: grade n/a, without a rate, or without %s",
                (unsigned long long)wout, wout == 1 ? "" : "s", in->name);
    }
    /* the table's header is its first row: no bold here */
    tt_write(&t, b, false);
    buf_putc(b, '\n');
  }
}

static void text_journey(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (!p->has_journey || p->nsteps == 0) return;
  TextTable t;
  tt_init(&t, "lrrrrrrr");
  tt_row(&t);
  tt_cell(&t, "journey%s%s", p->journey_label ? " " : "", p->journey_label ? p->journey_label : "");
  tt_cell(&t, "passed");
  tt_cell(&t, "share");
  tt_cell(&t, "unknown");
  tt_cell(&t, "reached");
  tt_cell(&t, "share");
  tt_cell(&t, "bottleneck");
  tt_cell(&t, "share");
  uint64_t n = r->all.accounts, reached = n;
  for (int32_t s = 0; s < p->nsteps; s++) {
    char name[512], a[32], c[32], d[32];
    tt_row(&t);
    tt_cell(&t, "  %s", named(name, sizeof name, p->steps[s].label, p->steps[s].name));
    tt_cell(&t, "%llu", (unsigned long long)r->step_passed[s]);
    tt_cell(&t, "%s", share_of(a, sizeof a, r->step_passed[s], n));
    tt_cell(&t, "%llu", (unsigned long long)r->step_unknown[s]);
    tt_cell(&t, "%llu", (unsigned long long)reached);
    tt_cell(&t, "%s", share_of(c, sizeof c, reached, n));
    tt_cell(&t, "%llu", (unsigned long long)r->bottleneck[s]);
    tt_cell(&t, "%s", share_of(d, sizeof d, r->bottleneck[s], n));
    reached -= r->bottleneck[s];
  }
  char d[32];
  tt_row(&t);
  tt_cell(&t, "  none: every step passed");
  for (int i = 0; i < 5; i++)
    tt_cell(&t, "%s", "");
  tt_cell(&t, "%llu", (unsigned long long)r->bottleneck[p->nsteps]);
  tt_cell(&t, "%s", share_of(d, sizeof d, r->bottleneck[p->nsteps], n));
  tt_note(&t, "  reached: every earlier step passed; unknown: the condition was missing (not passed)");
  tt_write(&t, b, color);
  buf_putc(b, '\n');
}

static const char *severity_name(Severity s) {
  return s == SEV_HIGH ? "high" : s == SEV_LOW ? "low" : "medium";
}

static void text_flags(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  if (p->nflags == 0) return;
  TextTable t;
  tt_init(&t, "llrr");
  tt_row(&t);
  tt_cell(&t, "flags");
  tt_cell(&t, "severity");
  tt_cell(&t, "raised");
  tt_cell(&t, "share");
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    char name[512], s[32];
    tt_row(&t);
    tt_cell(&t, "  %s", named(name, sizeof name, fd->label, fd->name));
    tt_cell(&t, "%s", severity_name(fd->severity));
    tt_cell(&t, "%llu", (unsigned long long)r->flag_raised[f]);
    tt_cell(&t, "%s", share_of(s, sizeof s, r->flag_raised[f], r->all.accounts));
    if (fd->action) tt_note(&t, "    → %s", fd->action);
  }
  tt_write(&t, b, color);
  buf_putc(b, '\n');
}

/* Rows of drivers from LOST (per member), the mean over HEALTH_N accounts. */
static void driver_rows(Report *r, TextTable *t, const double *lost, uint64_t health_n, int32_t max,
                        const char *indent) {
  int32_t *order = xmalloc(((size_t)max + 1) * sizeof *order);
  int32_t n = report_top_members(r, lost, order, max);
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    char name[1024], tot[32], mean[32];
    tt_row(t);
    tt_cell(t, "%s%d. %s", indent, (int)i + 1, member_name(r, m, name, sizeof name));
    tt_cell(t, "%s", score1(tot, sizeof tot, lost[m]));
    tt_cell(t, "%s", score1(mean, sizeof mean, health_n ? lost[m] / (double)health_n : NAN));
    if (lost == r->lost_total) tt_cell(t, "%llu", (unsigned long long)r->losing[m]);
  }
  if (n == 0) tt_note(t, "%s(no member lost points)", indent);
  free(order);
}

static void text_drivers(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  TextTable t;
  tt_init(&t, "lrrr");
  tt_row(&t);
  tt_cell(&t, "drivers: lost health points");
  tt_cell(&t, "total");
  tt_cell(&t, "per account");
  tt_cell(&t, "accounts");
  driver_rows(r, &t, r->lost_total, r->all.health_n, REPORT_TOP_DRIVERS, "  ");
  tt_write(&t, b, color);
  buf_putc(b, '\n');
  if (p->npersonas == 0) return;
  tt_init(&t, "lrr");
  tt_row(&t);
  tt_cell(&t, "drivers by persona");
  tt_cell(&t, "total");
  tt_cell(&t, "per account");
  for (int32_t i = 0; i < persona_rows(r); i++) {
    const Tally *pt = &r->by_persona[i];
    char name[512];
    tt_note(&t, "  %s · %llu account%s",
            i < p->npersonas ? named(name, sizeof name, p->personas[i].label, p->personas[i].name)
                             : "(no persona matched)",
            (unsigned long long)pt->accounts, pt->accounts == 1 ? "" : "s");
    driver_rows(r, &t, r->persona_lost + (size_t)i * (size_t)r->nmembers, pt->health_n,
                REPORT_PERSONA_DRIVERS, "    ");
  }
  tt_write(&t, b, color);
  buf_putc(b, '\n');
}

static void hist_row(TextTable *t, const char *label, const ScoreHist *h) {
  char s[32];
  tt_row(t);
  tt_cell(t, "  %s", label);
  tt_cell(t, "%llu", (unsigned long long)h->n);
  tt_cell(t, "%llu", (unsigned long long)h->na);
  tt_cell(t, "%s", score1(s, sizeof s, h->n ? h->sum / (double)h->n : NAN));
  tt_cell(t, "%s", score1(s, sizeof s, h->n ? h->min : NAN));
  for (int k = 1; k <= 9; k++)
    tt_cell(t, "%s", score1(s, sizeof s, report_decile(h, k)));
  tt_cell(t, "%s", score1(s, sizeof s, h->n ? h->max : NAN));
}

static void text_scores(Report *r, Buf *b, bool color) {
  const Program *p = r->p;
  TextTable t;
  tt_init(&t, "lrrrrrrrrrrrrrr");
  tt_row(&t);
  tt_cell(&t, "scores");
  tt_cell(&t, "n");
  tt_cell(&t, "n/a");
  tt_cell(&t, "mean");
  tt_cell(&t, "min");
  for (int k = 1; k <= 9; k++)
    tt_cell(&t, "%d%%", k * 10);
  tt_cell(&t, "max");
  hist_row(&t, "health", &r->health);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    char name[512];
    hist_row(&t, named(name, sizeof name, p->dimensions[d].label, p->dimensions[d].name), &r->dims[d]);
  }
  tt_note(&t, "  deciles: nearest rank, from a histogram of 0.1-wide bins (docs/report.md)");
  tt_write(&t, b, color);
  buf_putc(b, '\n');
}

static void text_coverage(Report *r, Buf *b, bool color) {
  char s[32], m[32];
  uint64_t n = r->all.accounts;
  if (color) buf_puts(b, C_BOLD);
  buf_puts(b, "coverage");
  if (color) buf_puts(b, C_OFF);
  buf_printf(b, "  %llu of %llu account%s (%s) scored on less than half their weight · mean coverage %s\n",
             (unsigned long long)r->coverage_below_half, (unsigned long long)n, n == 1 ? "" : "s",
             share_of(s, sizeof s, r->coverage_below_half, n),
             pct(m, sizeof m, n ? r->coverage_sum / (double)n : NAN));
}

void report_write_text(Report *r, FILE *out, bool color) {
  Buf b;
  buf_init(&b, out);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  text_header(r, &b, color);
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

static void jstr(Buf *b, const char *s) {
  if (s)
    buf_json_str(b, s, strlen(s));
  else
    buf_puts(b, "null");
}

static void jnum(Buf *b, double x) {
  if (isnan(x) || isinf(x))
    buf_puts(b, "null");
  else
    buf_num(b, x);
}

static void jcount(Buf *b, uint64_t n) { buf_printf(b, "%llu", (unsigned long long)n); }

static void jshare(Buf *b, uint64_t part, uint64_t whole) {
  jnum(b, whole ? (double)part / (double)whole : NAN);
}

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

/* {"good":3,"normal":1,"n/a":0} */
static void json_grades(const Report *r, Buf *b, const Tally *t, const int32_t *rows, int32_t nrows) {
  buf_putc(b, '{');
  for (int32_t i = 0; i < nrows; i++) {
    if (i) buf_putc(b, ',');
    jstr(b, report_grade_name(r, rows[i]));
    buf_putc(b, ':');
    jcount(b, t->grades[rows[i]]);
  }
  buf_putc(b, '}');
}

/* "forecasts":{"retention":{"expected":…,"weighted":…}} for one tally */
static void json_group_forecasts(const Report *r, Buf *b, const Tally *t) {
  buf_puts(b, "\"forecasts\":{");
  for (int32_t f = 0; f < r->p->nforecasts; f++) {
    uint64_t rated, out;
    double total;
    if (f) buf_putc(b, ',');
    jstr(b, r->p->forecasts[f].name);
    buf_puts(b, ":{\"expected\":");
    jnum(b, report_expected(r, t, f, &rated, &out));
    buf_puts(b, ",\"weighted\":");
    jnum(b, report_expected_weighted(r, t, f, &total, &out));
    buf_putc(b, '}');
  }
  buf_putc(b, '}');
}

/* {"accounts":…,"share":…,"grades":{…}} members of a composition row */
static void json_tally(const Report *r, Buf *b, const Tally *t, const int32_t *rows, int32_t nrows) {
  buf_puts(b, "\"accounts\":");
  jcount(b, t->accounts);
  buf_puts(b, ",\"share\":");
  jshare(b, t->accounts, r->all.accounts);
  buf_puts(b, ",\"grades\":");
  json_grades(r, b, t, rows, nrows);
}

static void json_composition(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, ",\"composition\":{\"weighted_by\":");
  jstr(b, r->nweights ? p->inputs[r->weight_input[0]].name : NULL);
  double total = 0;
  uint64_t unweighted = 0;
  for (int32_t g = 0; g < r->rows && r->nweights; g++) {
    total += r->all.weight[g];
    unweighted += r->all.unweighted[g];
  }
  buf_puts(b, ",\"weight_total\":");
  if (r->nweights)
    jnum(b, total);
  else
    buf_puts(b, "null");
  buf_puts(b, ",\"unweighted\":");
  jcount(b, unweighted);
  buf_puts(b, ",\"grades\":[");
  for (int32_t i = 0; i < nrows; i++) {
    int32_t g = rows[i];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"grade\":");
    jstr(b, report_grade_name(r, g));
    buf_puts(b, ",\"label\":");
    jstr(b, g < r->rows - 1 ? nonempty(p->grade_labels[g]) : NULL);
    buf_puts(b, ",\"accounts\":");
    jcount(b, r->all.grades[g]);
    buf_puts(b, ",\"share\":");
    jshare(b, r->all.grades[g], r->all.accounts);
    buf_puts(b, ",\"weight\":");
    if (r->nweights)
      jnum(b, r->all.weight[g]);
    else
      buf_puts(b, "null");
    buf_puts(b, ",\"weighted_share\":");
    if (r->nweights)
      jnum(b, total > 0 ? r->all.weight[g] / total : NAN);
    else
      buf_puts(b, "null");
    buf_putc(b, '}');
  }
  buf_puts(b, "]}");
}

static void json_personas(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, ",\"personas\":[");
  for (int32_t i = 0; i < persona_rows(r); i++) {
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"persona\":");
    jstr(b, i < p->npersonas ? p->personas[i].name : NULL);
    buf_puts(b, ",\"label\":");
    jstr(b, i < p->npersonas ? nonempty(p->personas[i].label) : NULL);
    buf_putc(b, ',');
    json_tally(r, b, &r->by_persona[i], rows, nrows);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void json_segments(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, ",\"segments\":[");
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    if (s) buf_putc(b, ',');
    buf_puts(b, "{\"segment\":");
    jstr(b, sd->name);
    buf_puts(b, ",\"label\":");
    jstr(b, nonempty(sd->label));
    buf_puts(b, ",\"cases\":[");
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      if (c) buf_putc(b, ',');
      buf_puts(b, "{\"case\":");
      jstr(b, c < sd->ncases ? sd->cases[c].name : NULL);
      buf_puts(b, ",\"label\":");
      jstr(b, c < sd->ncases ? nonempty(sd->cases[c].label) : NULL);
      buf_putc(b, ',');
      json_tally(r, b, &r->by_case[s][c], rows, nrows);
      buf_putc(b, '}');
    }
    buf_puts(b, "]}");
  }
  buf_putc(b, ']');
}

static void json_by(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, ",\"by\":");
  if (r->by == BY_NONE) {
    buf_puts(b, "null");
    return;
  }
  buf_puts(b, "{\"kind\":");
  jstr(b, r->by == BY_PERSONA ? "persona" : r->by == BY_SEGMENT ? "segment" : "input");
  buf_puts(b, ",\"name\":");
  jstr(b, r->by == BY_PERSONA   ? NULL
          : r->by == BY_SEGMENT ? p->segments[r->by_index].name
                                : p->inputs[r->by_index].name);
  buf_puts(b, ",\"groups\":[");
  int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
  int32_t n = report_group_order(r, order);
  for (int32_t i = 0; i < n; i++) {
    const ReportGroup *g = &r->groups[order[i]];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"value\":");
    jstr(b, g->value);
    buf_puts(b, ",\"label\":");
    jstr(b, order[i] == r->other_group ? NULL : nonempty(g->label));
    buf_puts(b, ",\"other\":");
    buf_puts(b, order[i] == r->other_group ? "true" : "false");
    buf_putc(b, ',');
    json_tally(r, b, &g->tally, rows, nrows);
    buf_puts(b, ",\"mean_health\":");
    jnum(b, mean_health(&g->tally));
    buf_putc(b, ',');
    json_group_forecasts(r, b, &g->tally);
    buf_putc(b, '}');
  }
  free(order);
  buf_puts(b, "]}");
}

static void json_forecasts(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, ",\"forecasts\":[");
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    if (f) buf_putc(b, ',');
    buf_puts(b, "{\"name\":");
    jstr(b, fd->name);
    buf_puts(b, ",\"label\":");
    jstr(b, nonempty(fd->label));
    buf_puts(b, ",\"weighted_by\":");
    jstr(b, fd->weight_input >= 0 ? p->inputs[fd->weight_input].name : NULL);
    buf_puts(b, ",\"rates\":{");
    /* the grade rows' order, then rated grades that are not a row */
    bool first = true;
    for (int32_t i = 0; i < nrows + r->rows - 1; i++) {
      int32_t g = i < nrows ? rows[i] : i - nrows;
      if (g >= r->rows - 1 || isnan(fd->rate[g])) continue;
      bool shown = false;
      for (int32_t k = 0; i >= nrows && k < nrows; k++)
        shown = shown || rows[k] == g;
      if (shown) continue;
      if (!first) buf_putc(b, ',');
      first = false;
      jstr(b, p->grade_names[g]);
      buf_putc(b, ':');
      jnum(b, fd->rate[g]);
    }
    uint64_t rated, out, wout;
    double total;
    buf_puts(b, "},\"expected\":");
    jnum(b, report_expected(r, &r->all, f, &rated, &out));
    buf_puts(b, ",\"rated\":");
    jcount(b, rated);
    buf_puts(b, ",\"left_out\":");
    jcount(b, out);
    double weighted = report_expected_weighted(r, &r->all, f, &total, &wout);
    buf_puts(b, ",\"weighted\":");
    jnum(b, weighted);
    buf_puts(b, ",\"weight_total\":");
    if (fd->weight_input >= 0)
      jnum(b, total);
    else
      buf_puts(b, "null");
    buf_puts(b, ",\"weighted_left_out\":");
    if (fd->weight_input >= 0)
      jcount(b, wout);
    else
      buf_puts(b, "null");
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void json_journey(Report *r, Buf *b) {
  const Program *p = r->p;
  buf_puts(b, ",\"journey\":");
  if (!p->has_journey) {
    buf_puts(b, "null");
    return;
  }
  buf_puts(b, "{\"label\":");
  jstr(b, nonempty(p->journey_label));
  buf_puts(b, ",\"steps\":[");
  uint64_t reached = r->all.accounts;
  for (int32_t s = 0; s < p->nsteps; s++) {
    if (s) buf_putc(b, ',');
    buf_puts(b, "{\"step\":");
    jstr(b, p->steps[s].name);
    buf_puts(b, ",\"label\":");
    jstr(b, nonempty(p->steps[s].label));
    buf_puts(b, ",\"passed\":");
    jcount(b, r->step_passed[s]);
    buf_puts(b, ",\"unknown\":");
    jcount(b, r->step_unknown[s]);
    buf_puts(b, ",\"reached\":");
    jcount(b, reached);
    buf_puts(b, ",\"bottleneck\":");
    jcount(b, r->bottleneck[s]);
    buf_putc(b, '}');
    reached -= r->bottleneck[s];
  }
  buf_puts(b, "],\"no_bottleneck\":");
  jcount(b, r->bottleneck[p->nsteps]);
  buf_putc(b, '}');
}

static void json_flags(Report *r, Buf *b) {
  const Program *p = r->p;
  buf_puts(b, ",\"flags\":[");
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    if (f) buf_putc(b, ',');
    buf_puts(b, "{\"flag\":");
    jstr(b, fd->name);
    buf_puts(b, ",\"label\":");
    jstr(b, nonempty(fd->label));
    buf_puts(b, ",\"severity\":");
    jstr(b, severity_name(fd->severity));
    buf_puts(b, ",\"action\":");
    jstr(b, fd->action);
    buf_puts(b, ",\"raised\":");
    jcount(b, r->flag_raised[f]);
    buf_puts(b, ",\"share\":");
    jshare(b, r->flag_raised[f], r->all.accounts);
    buf_puts(b, ",\"unknown\":");
    jcount(b, r->flag_unknown[f]);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void json_driver_list(Report *r, Buf *b, const double *lost, uint64_t health_n, int32_t max) {
  const Program *p = r->p;
  int32_t *order = xmalloc(((size_t)max + 1) * sizeof *order);
  int32_t n = report_top_members(r, lost, order, max);
  buf_putc(b, '[');
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    const DimensionDecl *d = &p->dimensions[r->member_dim[m]];
    const Member *mem = &d->members[r->member_index[m]];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"dimension\":");
    jstr(b, d->name);
    buf_puts(b, ",\"member\":");
    jstr(b, mem->name);
    buf_puts(b, ",\"label\":");
    jstr(b, nonempty(mem->label));
    buf_puts(b, ",\"lost\":");
    jnum(b, lost[m]);
    buf_puts(b, ",\"mean\":");
    jnum(b, health_n ? lost[m] / (double)health_n : NAN);
    if (lost == r->lost_total) {
      buf_puts(b, ",\"accounts\":");
      jcount(b, r->losing[m]);
    }
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
  free(order);
}

static void json_drivers(Report *r, Buf *b) {
  const Program *p = r->p;
  buf_puts(b, ",\"drivers\":{\"top\":");
  json_driver_list(r, b, r->lost_total, r->all.health_n, REPORT_TOP_DRIVERS);
  buf_puts(b, ",\"by_persona\":[");
  for (int32_t i = 0; i < persona_rows(r); i++) {
    const Tally *pt = &r->by_persona[i];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"persona\":");
    jstr(b, i < p->npersonas ? p->personas[i].name : NULL);
    buf_puts(b, ",\"accounts\":");
    jcount(b, pt->accounts);
    buf_puts(b, ",\"drivers\":");
    json_driver_list(r, b, r->persona_lost + (size_t)i * (size_t)r->nmembers, pt->health_n,
                     REPORT_PERSONA_DRIVERS);
    buf_putc(b, '}');
  }
  buf_puts(b, "]}");
}

static void json_hist(Buf *b, const char *name, const char *label, const ScoreHist *h) {
  buf_puts(b, "{\"name\":");
  jstr(b, name);
  buf_puts(b, ",\"label\":");
  jstr(b, nonempty(label));
  buf_puts(b, ",\"scored\":");
  jcount(b, h->n);
  buf_puts(b, ",\"n_a\":");
  jcount(b, h->na);
  buf_puts(b, ",\"mean\":");
  jnum(b, h->n ? h->sum / (double)h->n : NAN);
  buf_puts(b, ",\"min\":");
  jnum(b, h->n ? h->min : NAN);
  buf_puts(b, ",\"max\":");
  jnum(b, h->n ? h->max : NAN);
  buf_puts(b, ",\"deciles\":");
  if (!h->n) {
    buf_puts(b, "null}");
    return;
  }
  buf_putc(b, '[');
  for (int k = 1; k <= 9; k++) {
    if (k > 1) buf_putc(b, ',');
    jnum(b, report_decile(h, k));
  }
  buf_puts(b, "]}");
}

void report_write_json(Report *r, FILE *out) {
  const Program *p = r->p;
  Buf b;
  buf_init(&b, out);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  buf_puts(&b, "{\"title\":");
  jstr(&b, p->title);
  buf_puts(&b, ",\"as_of\":");
  jstr(&b, r->as_of);
  buf_puts(&b, ",\"rules\":");
  jstr(&b, r->rules);
  buf_puts(&b, ",\"accounts\":{\"scored\":");
  jcount(&b, r->stats.scored);
  buf_puts(&b, ",\"rejected\":");
  jcount(&b, r->stats.rejected);
  buf_puts(&b, "},\"health\":{\"mean\":");
  jnum(&b, mean_health(&r->all));
  buf_puts(&b, ",\"median\":");
  jnum(&b, report_decile(&r->health, 5));
  buf_puts(&b, ",\"n_a\":");
  jcount(&b, r->health.na);
  buf_putc(&b, '}');
  json_composition(r, &b, rows, nrows);
  json_by(r, &b, rows, nrows);
  json_personas(r, &b, rows, nrows);
  json_segments(r, &b, rows, nrows);
  json_forecasts(r, &b, rows, nrows);
  json_journey(r, &b);
  json_flags(r, &b);
  json_drivers(r, &b);
  buf_puts(&b, ",\"scores\":[");
  json_hist(&b, "health", NULL, &r->health);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    buf_putc(&b, ',');
    json_hist(&b, p->dimensions[d].name, p->dimensions[d].label, &r->dims[d]);
  }
  uint64_t n = r->all.accounts;
  buf_puts(&b, "],\"coverage\":{\"mean\":");
  jnum(&b, n ? r->coverage_sum / (double)n : NAN);
  buf_puts(&b, ",\"below_half\":");
  jcount(&b, r->coverage_below_half);
  buf_puts(&b, ",\"below_half_share\":");
  jshare(&b, r->coverage_below_half, n);
  buf_puts(&b, "}}\n");
  free(rows);
  buf_flush(&b, 0);
  buf_free(&b);
}
