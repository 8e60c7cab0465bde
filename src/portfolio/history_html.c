/* history_html.c — `kenko history --html FILE`: one self-contained page
 * (the blocks of html.c, in the reader's language like `report --html`): key
 * figures; the grade composition of each snapshot as stacked bars; the
 * expected retention per snapshot; the mean health per persona over time;
 * and the accounts whose grade fell between the last two snapshots, each
 * with a sparkline of its health and what fell. Nothing is fetched from
 * the network; all text from the rules and the data is escaped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "portfolio/history.h"
#include "portfolio/html.h"
#include "engine/kpi.h"

/* Line colours (personas, forecasts), in order. */
static const char *const line_palette[] = {"#2f6fb3", "#e0564b", "#2e9e5b", "#f0b429",
                                           "#8e6cbf", "#f08a24", "#3aa5a0", "#616e7c"};
enum { LINE_COLORS = 8 };

/* One line of a line chart: a value per snapshot (NAN: none). */
typedef struct Line {
  const char *label;
  const char *name; /* or NULL */
  double *values;   /* [nsnaps] */
} Line;

/* "2026-11-30" → "26-11" would lose the day of non-month-end snapshots;
 * the axis shows the full date, every K-th when they are many. */
static void axis_date(Buf *b, int32_t date) {
  char day[11];
  date_format(date, day);
  buf_puts(b, day);
}

/* A line chart over the snapshots: Y from LO to HI, the values written
 * as percentages (PERCENT) or with one decimal; TARGET (unless NAN) a
 * dashed horizontal line. */
static void svg_lines(Buf *b, const History *h, const char *aria, const Line *lines, int32_t n, double lo,
                      double hi, bool percent, double target) {
  const double width = 1000, height = 300, left = 56, right = 52, top = 14, bottom = 40;
  double plot_w = width - left - right, plot_h = height - top - bottom;
  size_t ns = h->nsnaps;
  buf_printf(b, "<svg class=\"chart lines\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             height);
  html_esc(b, aria);
  buf_puts(b, "\">\n");
#define X(i) (left + (ns > 1 ? plot_w * (double)(i) / (double)(ns - 1) : plot_w / 2))
#define Y(v) (top + plot_h * (1 - ((v)-lo) / (hi - lo)))
  for (int k = 0; k <= 4; k++) {
    double v = lo + (hi - lo) * k / 4;
    buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, Y(v),
               width - right, Y(v));
    buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, Y(v) + 4);
    if (percent)
      buf_printf(b, "%.0f%%", 100 * v);
    else
      buf_printf(b, "%.0f", v);
    buf_puts(b, "</text>\n");
  }
  if (!isnan(target) && target >= lo && target <= hi)
    buf_printf(b,
               "<line class=\"target\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c62828\" "
               "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
               left, Y(target), width - right, Y(target));
  size_t every = ns > 12 ? (ns + 11) / 12 : 1;
  for (size_t i = 0; i < ns; i++) {
    if (i % every != 0 && i != ns - 1) continue;
    buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", X(i), height - 14);
    axis_date(b, h->snaps[i].date);
    buf_puts(b, "</text>\n");
  }
  for (int32_t l = 0; l < n; l++) {
    const char *color = line_palette[l % LINE_COLORS];
    /* one polyline per run of snapshots with a value: a gap stays a gap */
    bool open = false;
    for (size_t i = 0; i < ns; i++) {
      double v = lines[l].values[i];
      if (isnan(v)) {
        if (open) buf_puts(b, "\"/>\n");
        open = false;
        continue;
      }
      if (!open)
        buf_printf(b, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"",
                   color);
      open = true;
      buf_printf(b, "%.1f,%.1f ", X(i), Y(v));
    }
    if (open) buf_puts(b, "\"/>\n");
    for (size_t i = 0; i < ns; i++) {
      double v = lines[l].values[i];
      if (isnan(v)) continue;
      buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>", X(i), Y(v), color);
      html_esc(b, lines[l].label);
      buf_puts(b, " · ");
      axis_date(b, h->snaps[i].date);
      buf_puts(b, ": ");
      if (percent)
        html_pct(b, v);
      else
        html_num1(b, v);
      buf_puts(b, "</title></circle>\n");
    }
  }
#undef X
#undef Y
  buf_puts(b, "</svg>\n<div class=\"legend\">");
  for (int32_t l = 0; l < n; l++) {
    buf_printf(b, "<span><i style=\"background:%s\"></i>", line_palette[l % LINE_COLORS]);
    html_esc_named(b, lines[l].label, lines[l].name ? lines[l].name : lines[l].label);
    buf_puts(b, "</span>");
  }
  buf_puts(b, "</div>\n");
}

/* The range LO..HI that holds every value of LINES, widened to steps of
 * STEP and kept within FLOOR..CEIL. */
static void value_range(const Line *lines, int32_t n, size_t ns, double step, double floor_, double ceil_,
                        double *lo, double *hi) {
  double mn = INFINITY, mx = -INFINITY;
  for (int32_t l = 0; l < n; l++)
    for (size_t i = 0; i < ns; i++) {
      double v = lines[l].values[i];
      if (isnan(v)) continue;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
  if (mn > mx) {
    *lo = floor_;
    *hi = ceil_;
    return;
  }
  *lo = floor(mn / step) * step;
  *hi = ceil(mx / step) * step;
  if (*hi <= *lo) *hi = *lo + step;
  if (*lo < floor_) *lo = floor_;
  if (*hi > ceil_) *hi = ceil_;
  if (*hi <= *lo) *lo = *hi - step;
}

/* ---- sections ------------------------------------------------------------------ */

static void html_cards(History *h, Buf *b) {
  const Program *p = h->p;
  const HistSnap *first = &h->snaps[0], *last = &h->snaps[h->nsnaps - 1];
  Buf sub;
  buf_init(&sub, NULL);
  buf_puts(b, "<div class=\"cards\">\n");
  unsigned long long snaps = h->nsnaps;
  char d0[11], d1[11];
  date_format(first->date, d0);
  date_format(last->date, d1);
  buf_printf(&sub, _("%s to %s"), d0, d1);
  buf_putc(&sub, '\0');
  html_card(b, _("Snapshots"), html_v_count, &snaps, sub.data);
  sub.len = 0;
  unsigned long long accounts = last->scored;
  buf_printf(&sub, _("first: %llu · rejected: %llu"), (unsigned long long)first->scored,
             (unsigned long long)last->rejected);
  buf_putc(&sub, '\0');
  html_card(b, _("Accounts, latest"), html_v_count, &accounts, sub.data);
  sub.len = 0;
  double m0 = first->tally.health_n ? first->tally.health_sum / (double)first->tally.health_n : NAN;
  double m1 = last->tally.health_n ? last->tally.health_sum / (double)last->tally.health_n : NAN;
  char num[HTML_NUM];
  if (!isnan(m1 - m0))
    buf_printf(&sub, _("from %s: %+.1f points"), html_num1_text(num, m0), m1 - m0);
  else
    buf_printf(&sub, _("first: %s"), html_num1_text(num, m0));
  buf_putc(&sub, '\0');
  html_card(b, _("Mean health, latest"), html_v_score, &m1, sub.data);
  if (p->nforecasts > 0) {
    uint64_t rated, out;
    double e0 = report_expected(&h->r, &first->tally, 0, &rated, &out);
    double e1 = report_expected(&h->r, &last->tally, 0, &rated, &out);
    sub.len = 0;
    if (!isnan(e1 - e0))
      buf_printf(&sub, _("from %s: %+.1f percentage points"), html_pct_text(num, e0), 100 * (e1 - e0));
    else
      buf_printf(&sub, _("first: %s"), html_pct_text(num, e0));
    buf_putc(&sub, '\0');
    Buf title;
    buf_init(&title, NULL);
    buf_printf(&title, _("%s, latest"), html_label(p->forecasts[0].label, p->forecasts[0].name));
    buf_putc(&title, '\0');
    html_card(b, title.data, html_v_pct, &e1, sub.data);
    buf_free(&title);
  }
  sub.len = 0;
  unsigned long long falling = 0;
  for (size_t i = 0; i < h->nchanges; i++)
    falling += h->changes[i].fell;
  buf_puts(&sub, _("between the last two snapshots"));
  buf_putc(&sub, '\0');
  html_card(b, _("Accounts whose grade fell"), html_v_count, &falling, sub.data);
  buf_puts(b, "</div>\n");
  buf_free(&sub);
}

static void html_composition(History *h, Buf *b, const int32_t *rows, int32_t nrows) {
  buf_puts(b, "<section id=\"composition\">\n<h2>");
  html_esc(b, _("Grade composition per snapshot"));
  buf_puts(b, "</h2>\n");
  html_legend(b, &h->r, rows, nrows);
  HtmlStackRow *sr = xmalloc((h->nsnaps + 1) * sizeof *sr);
  char(*days)[11] = xmalloc((h->nsnaps + 1) * sizeof *days);
  for (size_t i = 0; i < h->nsnaps; i++) {
    date_format(h->snaps[i].date, days[i]);
    sr[i] = (HtmlStackRow){days[i], NULL, &h->snaps[i].tally, -1};
  }
  html_stacked(b, &h->r, _("Grade composition per snapshot"), sr, (int32_t)h->nsnaps, rows, nrows);
  free(days);
  free(sr);
  buf_puts(b, "</section>\n");
}

static void html_retention(History *h, Buf *b) {
  const Program *p = h->p;
  if (p->nforecasts == 0) return;
  size_t ns = h->nsnaps;
  buf_puts(b, "<section id=\"retention\">\n<h2>");
  html_esc(b, _("Forecasts per snapshot"));
  buf_puts(b, "</h2>\n");
  Line *lines = xcalloc((size_t)p->nforecasts * 2 + 1, sizeof *lines);
  char(*names)[256] = xcalloc((size_t)p->nforecasts * 2 + 1, sizeof *names);
  int32_t n = 0;
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    for (int weighted = 0; weighted < 2; weighted++) {
      if (weighted && fd->weight_input < 0) continue;
      Line *l = &lines[n];
      l->values = xmalloc((ns + 1) * sizeof *l->values);
      if (weighted)
        snprintf(names[n], sizeof names[n], _("%s, weighted by %s"), html_label(fd->label, fd->name),
                 p->inputs[fd->weight_input].name);
      else
        snprintf(names[n], sizeof names[n], _("%s, by accounts"), html_label(fd->label, fd->name));
      l->label = names[n];
      for (size_t i = 0; i < ns; i++) {
        uint64_t rated, out;
        double total;
        l->values[i] = weighted ? report_expected_weighted(&h->r, &h->snaps[i].tally, f, &total, &out)
                                : report_expected(&h->r, &h->snaps[i].tally, f, &rated, &out);
      }
      n++;
    }
  }
  double lo, hi;
  value_range(lines, n, ns, 0.05, 0, 1, &lo, &hi);
  svg_lines(b, h, _("Forecasts per snapshot"), lines, n, lo, hi, true, NAN);
  buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
  html_th_class(b, NULL, _("snapshot"));
  for (int32_t l = 0; l < n; l++) {
    buf_puts(b, "<th class=\"num\">");
    html_esc(b, lines[l].label);
    buf_puts(b, "</th>");
  }
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < ns; i++) {
    buf_puts(b, "<tr class=\"retention-row\"><td>");
    axis_date(b, h->snaps[i].date);
    buf_puts(b, "</td>");
    for (int32_t l = 0; l < n; l++) {
      buf_puts(b, "<td class=\"num\">");
      html_pct(b, lines[l].values[i]);
      buf_puts(b, "</td>");
    }
    buf_puts(b, "</tr>\n");
  }
  buf_puts(b, "</tbody></table></div>\n<p class=\"note\">");
  html_esc(b, _("By accounts = Σ share of the grade × its rate (accounts whose grade is n/a are left out); "
                "weighted: each account weighs its `weighted by` value."));
  buf_puts(b, "</p>\n</section>\n");
  for (int32_t l = 0; l < n; l++)
    free(lines[l].values);
  free(names);
  free(lines);
}

static void html_personas(History *h, Buf *b) {
  const Program *p = h->p;
  size_t ns = h->nsnaps;
  buf_puts(b, "<section id=\"personas\">\n<h2>");
  html_esc(b, _("Mean health per persona"));
  buf_puts(b, "</h2>\n");
  int32_t cap = p->npersonas + 2;
  Line *lines = xcalloc((size_t)cap, sizeof *lines);
  int32_t n = 0;
  /* the whole portfolio first, then each persona that had accounts */
  for (int32_t k = -1; k <= p->npersonas; k++) {
    bool any = false;
    for (size_t i = 0; i < ns && k >= 0; i++)
      any |= h->snaps[i].persona_n[k] > 0;
    if (k >= 0 && !any) continue;
    Line *l = &lines[n++];
    l->values = xmalloc((ns + 1) * sizeof *l->values);
    if (k < 0) {
      l->label = _("All");
      l->name = NULL;
    } else if (k < p->npersonas) {
      l->label = html_label(p->personas[k].label, p->personas[k].name);
      l->name = p->personas[k].name;
    } else {
      l->label = _("(no persona matched)");
      l->name = NULL;
    }
    for (size_t i = 0; i < ns; i++) {
      const HistSnap *s = &h->snaps[i];
      uint64_t cnt = k < 0 ? s->tally.health_n : s->persona_n[k];
      double sum = k < 0 ? s->tally.health_sum : s->persona_health[k];
      l->values[i] = cnt ? sum / (double)cnt : NAN;
    }
  }
  double lo, hi;
  value_range(lines, n, ns, 10, 0, 100, &lo, &hi);
  svg_lines(b, h, _("Mean health per persona"), lines, n, lo, hi, false, NAN);
  buf_puts(b, "<p class=\"note\">");
  html_esc(b, _("An account's persona is decided at each snapshot: accounts move between personas."));
  buf_puts(b, "</p>\n</section>\n");
  for (int32_t l = 0; l < n; l++)
    free(lines[l].values);
  free(lines);
}

/* A small line of one account's health over the snapshots shown. */
static void sparkline(Buf *b, const History *h, int32_t account) {
  const double w = 140, hgt = 30;
  size_t ns = h->nsnaps;
  buf_printf(b,
             "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
             "aria-label=\"",
             w, hgt, w, hgt);
  html_esc(b, _("Health"));
  buf_puts(b, "\"><polyline fill=\"none\" stroke=\"#2f6fb3\" stroke-width=\"1.8\" points=\"");
  double last_x = -1, last_y = -1;
  for (size_t i = 0; i < ns; i++) {
    const HistSnap *s = &h->snaps[i];
    if ((size_t)account >= s->nhealth || s->health[account] == HISTORY_NO_HEALTH) continue;
    double x = ns > 1 ? 3 + (w - 6) * (double)i / (double)(ns - 1) : w / 2;
    double y = 3 + (hgt - 6) * (1 - s->health[account] / 100.0);
    buf_printf(b, "%.1f,%.1f ", x, y);
    last_x = x;
    last_y = y;
  }
  buf_puts(b, "\"/>");
  if (last_x >= 0)
    buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#e0564b\"/>", last_x, last_y);
  buf_puts(b, "</svg>");
}

static void html_falling(History *h, Buf *b, const int32_t *rows, int32_t nrows) {
  size_t nfell = 0;
  for (size_t i = 0; i < h->nchanges; i++)
    nfell += h->changes[i].fell;
  size_t shown = nfell < HISTORY_HTML_FALLING ? nfell : HISTORY_HTML_FALLING;
  char before[11] = "-", after[11] = "-";
  if (h->changes_prev != SNAP_NONE) date_format(h->changes_prev, before);
  date_format(h->changes_date, after);
  buf_puts(b, "<section id=\"falling\">\n<h2>");
  html_esc(b, _("Accounts whose grade fell"));
  buf_puts(b, " <small>");
  buf_printf(b,
             P_("between %s and %s: %llu account", "between %s and %s: %llu accounts", (unsigned long)nfell),
             before, after, (unsigned long long)nfell);
  if (shown < nfell) buf_printf(b, _(", the %llu largest falls shown"), (unsigned long long)shown);
  buf_puts(b, "</small></h2>\n");
  if (nfell == 0) {
    buf_puts(b, "<p class=\"note\">");
    html_esc(b, _("No account's grade fell between the last two snapshots."));
    buf_puts(b, "</p>\n</section>\n");
    return;
  }
  buf_puts(b, "<div class=\"scroll\"><table class=\"sortable\" id=\"falling-accounts\">\n<thead><tr>");
  html_th_class(b, NULL, _("account"));
  if (h->p->display_input >= 0) html_th_class(b, NULL, _("account name"));
  html_th_class(b, NULL, _("grade"));
  html_th_class(b, "num", _("health"));
  html_th_class(b, "num", _("change"));
  html_th_class(b, NULL, _("health over time"));
  html_th_class(b, NULL, _("why it fell (lost points grown)"));
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  size_t listed = 0;
  for (size_t i = 0; i < h->nchanges && listed < shown; i++) {
    const HistChange *c = &h->changes[i];
    if (!c->fell) continue;
    listed++;
    int32_t pos_from = nrows - 1, pos_to = nrows - 1;
    for (int32_t k = 0; k < nrows; k++) {
      if (rows[k] == c->from) pos_from = k;
      if (rows[k] == c->to) pos_to = k;
    }
    buf_puts(b, "<tr class=\"falling-row\"><td class=\"id\">");
    html_esc(b, c->id);
    if (h->p->display_input >= 0) {
      buf_puts(b, "</td><td class=\"name\">");
      if (c->name) html_esc(b, c->name);
    }
    buf_printf(b, "</td><td data-v=\"%d\"><span class=\"pill\" style=\"background:%s\">", (int)pos_to,
               palette_grade_color(pos_from, nrows));
    html_esc(b, report_grade_label(&h->r, c->from));
    buf_printf(b, "</span> → <span class=\"pill\" style=\"background:%s\">",
               palette_grade_color(pos_to, nrows));
    html_esc(b, report_grade_label(&h->r, c->to));
    buf_printf(b, "</span></td><td class=\"num\" data-v=\"%.6f\">", c->health_after);
    html_num1(b, c->health_before);
    buf_puts(b, " → ");
    html_num1(b, c->health_after);
    double d = c->health_after - c->health_before;
    buf_printf(b, "</td><td class=\"num\" data-v=\"%.6f\">", isnan(d) ? 0.0 : d);
    if (isnan(d))
      buf_puts(b, "–");
    else
      buf_printf(b, "%+.1f", d);
    buf_puts(b, "</td><td>");
    sparkline(b, h, c->account);
    buf_puts(b, "</td><td><ul class=\"drivers\">");
    for (int32_t k = 0; k < c->ntop; k++) {
      char name[512];
      const char *label;
      history_member_name(h, c->top[k].member, name, sizeof name, &label);
      buf_puts(b, "<li title=\"");
      html_esc(b, name);
      buf_puts(b, "\">");
      html_esc(b, label ? label : name);
      buf_printf(b, "<em>−%.1f → −%.1f</em></li>", c->top[k].before, c->top[k].after);
    }
    if (c->ntop == 0) {
      buf_puts(b, "<li>");
      html_esc(b, _("(the grade bands moved, not a member)"));
      buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></td></tr>\n");
  }
  buf_puts(b, "</tbody></table></div>\n<p class=\"note\">");
  html_esc(b,
           _("Why it fell: the members whose lost points grew most since the previous snapshot. Health over "
             "time: the health in each snapshot shown. Click a heading to sort."));
  buf_puts(b, "</p>\n</section>\n");
}

/* A line chart per KPI over the snapshots, its target a dashed red line,
 * then a table of the values (met / not met). */
static void html_kpis(History *h, Buf *b) {
  const Program *p = h->p;
  if (p->nkpis == 0 || !h->snaps[0].kpi) return;
  size_t ns = h->nsnaps;
  buf_puts(b, "<section id=\"kpis\">\n<h2>");
  html_esc(b, _("KPIs per snapshot"));
  buf_puts(b, " <small>");
  html_esc(b, _("the target dashed"));
  buf_puts(b, "</small></h2>\n");
  Line line;
  line.values = xmalloc((ns + 1) * sizeof *line.values);
  for (int32_t k = 0; k < p->nkpis; k++) {
    const KpiDecl *kd = &p->kpis[k];
    line.label = html_label(kd->label, kd->name);
    line.name = kd->name;
    for (size_t i = 0; i < ns; i++)
      line.values[i] = h->snaps[i].kpi[k];
    double target = kd->target_op != OP_NONE ? kd->target : NAN;
    /* the range holds the values and the target, from 0 when all are positive */
    double mn = isnan(target) ? INFINITY : target, mx = isnan(target) ? -INFINITY : target;
    for (size_t i = 0; i < ns; i++)
      if (!isnan(line.values[i])) {
        mn = fmin(mn, line.values[i]);
        mx = fmax(mx, line.values[i]);
      }
    double lo = mn >= 0 ? 0 : mn, hi = mx > lo ? mx * (mx > 0 ? 1.1 : 0.9) : lo + 1;
    if (kd->percent && mn >= 0 && mx <= 1) hi = 1;
    char tg[KPI_TARGET_SIZE], v[KPI_TEXT_SIZE];
    const char *tt = kpi_target_text(p, k, tg);
    buf_puts(b, "<div class=\"kpi-chart\">\n<h3>");
    html_esc_named(b, kd->label, kd->name);
    if (tt) {
      Buf small;
      buf_init(&small, NULL);
      buf_printf(&small, _("target %s"), tt);
      buf_putc(&small, '\0');
      buf_puts(b, " <small>");
      html_esc(b, small.data);
      buf_puts(b, "</small>");
      buf_free(&small);
    }
    buf_puts(b, "</h3>\n");
    svg_lines(b, h, line.label, &line, 1, lo, hi, kd->percent, target);
    buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
    html_th_class(b, NULL, _("snapshot"));
    for (size_t i = 0; i < ns; i++) {
      buf_puts(b, "<th class=\"num\">");
      axis_date(b, h->snaps[i].date);
      buf_puts(b, "</th>");
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n<tr class=\"kpi-row\"><td>");
    html_esc(b, _("value"));
    buf_puts(b, "</td>");
    for (size_t i = 0; i < ns; i++) {
      int met = h->snaps[i].kpi_met[k];
      buf_printf(b, "<td class=\"num\"%s>",
                 met == 1   ? " style=\"color:#2e7d32\""
                 : met == 0 ? " style=\"color:#c62828\""
                            : "");
      /* a missing value in words, as report --html's KPI panel shows it */
      html_esc(b, isnan(line.values[i]) ? _("no value") : kpi_text(p, k, line.values[i], v));
      if (met == 1 || met == 0) {
        buf_putc(b, ' ');
        html_esc(b, report_kpi_status(met, true));
      }
      buf_puts(b, "</td>");
    }
    buf_puts(b, "</tr>\n</tbody></table></div>\n</div>\n");
  }
  free(line.values);
  buf_puts(b, "<p class=\"note\">");
  html_esc(b, _("Dashed: the target. Each value is the KPI over every account scored in that snapshot."));
  buf_puts(b, "</p>\n</section>\n");
}

static const char history_css[] = "<style>\n"
                                  "svg.spark{display:block}\n"
                                  "svg .line{stroke-linejoin:round;stroke-linecap:round}\n"
                                  ".kpi-row td{white-space:nowrap}\n"
                                  "</style>\n";

void history_write_html(History *h, FILE *out) {
  const Program *p = h->p;
  Buf b;
  buf_init(&b, out);
  const char *title = p->title ? p->title : "kenko history";
  html_page_open(&b, title, _("history"), history_css);
  buf_puts(&b, "</h1>\n<p>");
  buf_printf(&b, _("Health over time · rules %s · every snapshot scored again with the same rules"),
             h->r.rules);
  buf_puts(&b, "</p>\n</header>\n");
  if (h->nsnaps == 0) {
    buf_puts(&b, "<section id=\"empty\"><p class=\"note\">");
    html_esc(&b, _("No snapshot shown."));
    buf_puts(&b, "</p></section>\n");
  } else {
    int32_t *rows = xmalloc((size_t)h->r.rows * sizeof *rows);
    int32_t nrows = report_grade_rows(&h->r, rows);
    history_sort_changes(h);
    html_cards(h, &b);
    html_kpis(h, &b);
    html_composition(h, &b, rows, nrows);
    html_retention(h, &b);
    html_personas(h, &b);
    html_falling(h, &b, rows, nrows);
    free(rows);
  }
  buf_puts(&b, "<footer>");
  buf_printf(&b, _("kenko %s · rules %s"), KENKO_VERSION, h->r.rules);
  buf_puts(&b, "</footer>\n</main>\n");
  buf_puts(&b, html_sort_script);
  buf_puts(&b, "</body>\n</html>\n");
  buf_flush(&b, 0);
  buf_free(&b);
}
