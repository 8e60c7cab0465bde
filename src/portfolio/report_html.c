/* report_html.c — `kenko report --html FILE`: the report as one
 * self-contained HTML file, built from the blocks of html.c. CSS and SVG charts are inline; nothing is
 * fetched from the network (no web fonts, no external scripts); a small
 * inline script makes the worst-accounts table sortable. All text from
 * the rules and the data is escaped. The page's own words are in the
 * reader's language (gettext, like the text report; lang= follows);
 * Japanese text uses the system's Japanese fonts (Noto Sans CJK JP,
 * Hiragino Sans, Yu Gothic, Meiryo).
 *
 * Sections: key figures; grade composition (overall, by persona, by
 * segment, by --by group) as stacked bars; the forecast; the journey
 * funnel and bottlenecks; flags; drivers; score distributions; and the
 * REPORT_WORST accounts of lowest health with their top drivers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "portfolio/report.h"
#include "portfolio/html.h"
#include "base/numfmt.h"

/* Bar H's value: COUNT accounts of N, and its text ("3 accounts (7.5%)"). */
static void bar_count(HtmlBar *h, uint64_t count, uint64_t n) {
  h->value = (double)count;
  snprintf(h->text, sizeof h->text,
           P_("%llu account (%.1f%%)", "%llu accounts (%.1f%%)", (unsigned long)count),
           (unsigned long long)count, n ? 100.0 * (double)count / (double)n : 0.0);
}

static void html_cards(Report *r, Buf *b) {
  const Program *p = r->p;
  Buf sub;
  buf_init(&sub, NULL);
  buf_puts(b, "<div class=\"cards\">\n");
  unsigned long long scored = r->stats.scored;
  buf_printf(&sub, _("%llu rejected"), (unsigned long long)r->stats.rejected);
  buf_putc(&sub, '\0');
  html_card(b, _("Accounts scored"), html_v_count, &scored, sub.data);
  sub.len = 0;
  double mean = r->all.health_n ? r->all.health_sum / (double)r->all.health_n : NAN;
  char num[HTML_NUM];
  buf_printf(&sub, _("median %s"), html_num1_text(num, report_decile(&r->health, 5)));
  buf_putc(&sub, '\0');
  html_card(b, _("Mean health"), html_v_score, &mean, sub.data);
  if (p->nforecasts > 0) {
    uint64_t rated, out;
    double expected = report_expected(r, &r->all, 0, &rated, &out);
    sub.len = 0;
    if (p->forecasts[0].weight_input >= 0) {
      double total;
      uint64_t wout;
      double weighted = report_expected_weighted(r, &r->all, 0, &total, &wout);
      Buf name;
      buf_init(&name, NULL);
      html_esc(&name, p->inputs[p->forecasts[0].weight_input].name);
      buf_putc(&name, '\0');
      buf_printf(&sub, _("weighted by %s: %s"), name.data, html_pct_text(num, weighted));
      buf_free(&name);
    } else {
      buf_puts(&sub, _("by accounts"));
    }
    buf_putc(&sub, '\0');
    Buf title;
    buf_init(&title, NULL);
    buf_printf(&title, _("Forecast: %s"), html_label(p->forecasts[0].label, p->forecasts[0].name));
    buf_putc(&title, '\0');
    html_card(b, title.data, html_v_pct, &expected, sub.data);
    buf_free(&title);
  }
  double below = html_ratio(r->coverage_below_half, r->all.accounts);
  sub.len = 0;
  buf_printf(&sub,
             P_("%llu account scored on less than half its weight",
                "%llu accounts scored on less than half their weight", (unsigned long)r->coverage_below_half),
             (unsigned long long)r->coverage_below_half);
  buf_putc(&sub, '\0');
  /* xgettext:no-c-format */
  html_card(b, _("Coverage below 50%"), html_v_pct, &below, sub.data);
  buf_puts(b, "</div>\n");
  buf_free(&sub);
}

static void html_composition(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, "<section id=\"composition\">\n<h2>");
  html_esc(b, _("Grade composition"));
  buf_puts(b, "</h2>\n");
  html_legend(b, r, rows, nrows);
  HtmlStackRow all[2];
  int32_t nall = 0;
  all[nall++] = (HtmlStackRow){_("All"), _("accounts"), &r->all, -1};
  if (r->nweights > 0) all[nall++] = (HtmlStackRow){_("All"), p->inputs[r->weight_input[0]].name, &r->all, 0};
  html_stacked(b, r, _("Grade composition"), all, nall, rows, nrows);
  if (p->npersonas > 0) {
    HtmlStackRow *pr = xmalloc(((size_t)p->npersonas + 1) * sizeof *pr);
    int32_t n = 0;
    for (int32_t i = 0; i <= p->npersonas; i++) {
      if (i == p->npersonas && r->by_persona[i].accounts == 0) break;
      pr[n++] = (HtmlStackRow){i < p->npersonas ? html_label(p->personas[i].label, p->personas[i].name)
                                                : _("(no persona matched)"),
                               i < p->npersonas ? p->personas[i].name : NULL, &r->by_persona[i], -1};
    }
    buf_puts(b, "<h3>");
    html_esc(b, _("By persona"));
    buf_puts(b, "</h3>\n");
    html_stacked(b, r, _("By persona"), pr, n, rows, nrows);
    free(pr);
  }
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    HtmlStackRow *sr = xmalloc(((size_t)sd->ncases + 1) * sizeof *sr);
    int32_t n = 0;
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      sr[n++] = (HtmlStackRow){c < sd->ncases ? html_label(sd->cases[c].label, sd->cases[c].name)
                                              : _("(no case matched)"),
                               c < sd->ncases ? sd->cases[c].name : NULL, &r->by_case[s][c], -1};
    }
    buf_puts(b, "<h3>");
    html_esc_named(b, sd->label, sd->name);
    buf_puts(b, "</h3>\n");
    html_stacked(b, r, sd->name, sr, n, rows, nrows);
    free(sr);
  }
  if (r->by != BY_NONE) {
    int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
    int32_t n = report_group_order(r, order);
    HtmlStackRow *gr = xmalloc(((size_t)n + 1) * sizeof *gr);
    for (int32_t i = 0; i < n; i++) {
      const ReportGroup *g = &r->groups[order[i]];
      const char *label = order[i] == r->other_group ? _("(other values)")
                          : !g->value                ? (r->by == BY_INPUT ? _("(missing)") : _("(none)"))
                                                     : html_label(g->label, g->value);
      gr[i] = (HtmlStackRow){label, g->value && g->label ? g->value : NULL, &g->tally, -1};
    }
    Buf h3;
    buf_init(&h3, NULL);
    buf_printf(&h3, _("By %s"), r->by_text);
    buf_putc(&h3, '\0');
    buf_puts(b, "<h3>");
    html_esc(b, h3.data);
    buf_puts(b, "</h3>\n");
    buf_free(&h3);
    html_stacked(b, r, r->by_text, gr, n, rows, nrows);
    free(gr);
    free(order);
  }
  buf_puts(b, "</section>\n");
}

static void html_forecasts(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (p->nforecasts == 0) return;
  buf_puts(b, "<section id=\"forecast\">\n<h2>");
  html_esc(b, _("Forecasts"));
  buf_puts(b, "</h2>\n<table>\n<thead><tr>");
  html_th_class(b, NULL, _("forecast"));
  for (int32_t i = 0; i < nrows - 1; i++) {
    buf_puts(b, "<th class=\"num\">");
    html_esc(b, report_grade_label(r, rows[i]));
    buf_puts(b, "</th>");
  }
  html_th_class(b, "num", _("by accounts"));
  html_th_class(b, "num", _("weighted"));
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    buf_puts(b, "<tr><td>");
    html_esc_named(b, fd->label, fd->name);
    buf_puts(b, "</td>");
    for (int32_t i = 0; i < nrows - 1; i++) {
      buf_puts(b, "<td class=\"num\">");
      html_pct(b, fd->rate[rows[i]]);
      buf_puts(b, "</td>");
    }
    uint64_t rated, out, wout;
    double total;
    buf_puts(b, "<td class=\"num\"><b>");
    html_pct(b, report_expected(r, &r->all, f, &rated, &out));
    buf_puts(b, "</b><br><span class=\"name\">");
    buf_printf(b, P_("%llu account", "%llu accounts", (unsigned long)rated), (unsigned long long)rated);
    if (out) buf_printf(b, _(" (%llu left out)"), (unsigned long long)out);
    buf_puts(b, "</span></td><td class=\"num\">");
    if (fd->weight_input >= 0) {
      buf_puts(b, "<b>");
      html_pct(b, report_expected_weighted(r, &r->all, f, &total, &wout));
      buf_puts(b, "</b><br><span class=\"name\">");
      html_esc(b, p->inputs[fd->weight_input].name);
      buf_putc(b, ' ');
      html_grouped(b, total);
      if (wout) buf_printf(b, _(" (%llu left out)"), (unsigned long long)wout);
      buf_puts(b, "</span>");
    } else {
      buf_puts(b, "–");
    }
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</tbody></table>\n<p class=\"note\">");
  html_esc(b, _("By accounts = Σ share of the grade × its rate. Accounts whose grade is n/a or has no rate "
                "are left out."));
  buf_puts(b, "</p>\n</section>\n");
}

static void html_journey(Report *r, Buf *b) {
  const Program *p = r->p;
  if (!p->has_journey || p->nsteps == 0) return;
  uint64_t n = r->all.accounts;
  buf_puts(b, "<section id=\"funnel\">\n<h2>");
  html_esc(b, p->journey_label ? p->journey_label : _("Journey"));
  buf_puts(b, " <small>");
  html_esc(b, _("funnel"));
  buf_puts(b, "</small></h2>\n");
  /* the funnel: reached (light) and reached-and-passed (dark) per step */
  double label_w = 160;
  for (int32_t s = 0; s < p->nsteps; s++) {
    double w = html_text_px(html_label(p->steps[s].label, p->steps[s].name)) + 16;
    if (w > label_w) label_w = w;
  }
  if (label_w > 460) label_w = 460;
  const double width = 1000, bar_h = 30, gap = 14, right = 250;
  double bar_w = width - label_w - right;
  buf_printf(b, "<svg class=\"chart funnel\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             p->nsteps * (bar_h + gap) + 6);
  html_esc(b, _("Journey funnel"));
  buf_puts(b, "\">\n");
  uint64_t reached = n;
  for (int32_t s = 0; s < p->nsteps; s++) {
    double y = 3 + s * (bar_h + gap);
    uint64_t through = reached - r->bottleneck[s];
    double wr = n ? bar_w * (double)reached / (double)n : 0;
    double wt = n ? bar_w * (double)through / (double)n : 0;
    double x0 = label_w + (bar_w - wr) / 2;
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 12,
               y + bar_h / 2 + 4.5);
    html_esc(b, html_label(p->steps[s].label, p->steps[s].name));
    buf_puts(b, "</text>\n");
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"4\" "
               "fill=\"#cfe0f3\"><title>",
               x0, y, wr, bar_h);
    buf_printf(b, _("reached %llu"), (unsigned long long)reached);
    buf_printf(b,
               "</title></rect>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"4\" "
               "fill=\"#2f6fb3\"><title>",
               label_w + (bar_w - wt) / 2, y + 5, wt, bar_h - 10);
    buf_printf(b, _("passed through %llu"), (unsigned long long)through);
    buf_printf(b, "</title></rect>\n<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", label_w + bar_w + 10,
               y + bar_h / 2 + 4.5);
    char pct[HTML_NUM];
    buf_printf(b, _("reached %llu → passed through %llu (%s) · the step alone %llu"),
               (unsigned long long)reached, (unsigned long long)through,
               html_pct_text(pct, html_ratio(through, n)), (unsigned long long)r->step_passed[s]);
    buf_puts(b, "</text>\n");
    reached = through;
  }
  buf_puts(b, "</svg>\n<div class=\"legend\"><span><i style=\"background:#cfe0f3\"></i>");
  html_esc(b, _("reached: every earlier step passed"));
  buf_puts(b, "</span><span><i style=\"background:#2f6fb3\"></i>");
  html_esc(b, _("reached and passed through"));
  buf_puts(b, "</span><span>");
  html_esc(b, _("the step alone: the accounts that passed the step itself"));
  buf_puts(b, "</span></div>\n");
  /* bottlenecks */
  HtmlBar *bars = xcalloc((size_t)p->nsteps + 1, sizeof *bars);
  double max = 0;
  for (int32_t s = 0; s <= p->nsteps; s++) {
    HtmlBar *h = &bars[s];
    h->label = s < p->nsteps ? html_label(p->steps[s].label, p->steps[s].name) : _("No bottleneck");
    h->name = s < p->nsteps ? p->steps[s].name : "none";
    h->color = s < p->nsteps ? "#f08a24" : "#2e9e5b";
    bar_count(h, r->bottleneck[s], n);
    if (h->value > max) max = h->value;
  }
  buf_puts(b, "<h3>");
  html_esc(b, _("Bottlenecks"));
  buf_puts(b, "</h3>\n");
  html_hbars(b, _("Bottlenecks"), bars, p->nsteps + 1, max);
  free(bars);
  buf_puts(b, "</section>\n");
}

static void html_flags(Report *r, Buf *b) {
  const Program *p = r->p;
  if (p->nflags == 0) return;
  uint64_t n = r->all.accounts;
  buf_puts(b, "<section id=\"flags\">\n<h2>");
  html_esc(b, _("Flags"));
  buf_puts(b, "</h2>\n");
  HtmlBar *bars = xcalloc((size_t)p->nflags, sizeof *bars);
  double max = 0;
  for (int32_t f = 0; f < p->nflags; f++) {
    HtmlBar *h = &bars[f];
    h->label = html_label(p->flags[f].label, p->flags[f].name);
    h->name = p->flags[f].label ? p->flags[f].name : NULL;
    h->color = html_severity_color(p->flags[f].severity);
    bar_count(h, r->flag_raised[f], n);
    if (h->value > max) max = h->value;
  }
  html_hbars(b, _("Flags raised"), bars, p->nflags, max);
  free(bars);
  buf_puts(b, "<table>\n<thead><tr>");
  html_th_class(b, NULL, _("flags"));
  html_th_class(b, NULL, _("severity"));
  html_th_class(b, "num", _("raised"));
  html_th_class(b, NULL, _("action"));
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    buf_puts(b, "<tr><td>");
    html_esc_named(b, fd->label, fd->name);
    buf_printf(b,
               "</td><td><span class=\"pill\" style=\"background:%s\">%s</span></td><td "
               "class=\"num\">%llu</td><td class=\"action\">",
               html_severity_color(fd->severity), _(html_severity_name(fd->severity)),
               (unsigned long long)r->flag_raised[f]);
    html_esc(b, fd->action ? fd->action : "");
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</tbody></table>\n</section>\n");
}

static void member_names(const Report *r, int32_t m, const char **label, const char **name, char *qualified,
                         size_t n) {
  const DimensionDecl *d = &r->p->dimensions[r->member_dim[m]];
  const Member *mem = &d->members[r->member_index[m]];
  snprintf(qualified, n, "%s.%s", d->name, mem->name);
  *label = html_label(mem->label, mem->name);
  *name = qualified;
}

static void html_drivers(Report *r, Buf *b) {
  buf_puts(b, "<section id=\"drivers\">\n<h2>");
  html_esc(b, _("Drivers"));
  buf_puts(b, " <small>");
  html_esc(b, _("lost health points, in total"));
  buf_puts(b, "</small></h2>\n");
  int32_t order[REPORT_TOP_DRIVERS];
  int32_t n = report_top_members(r, r->lost_total, order, REPORT_TOP_DRIVERS);
  HtmlBar *bars = xcalloc((size_t)n + 1, sizeof *bars);
  char(*names)[512] = xcalloc((size_t)n + 1, sizeof *names);
  double max = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    member_names(r, m, &bars[i].label, &bars[i].name, names[i], sizeof names[i]);
    bars[i].value = r->lost_total[m];
    bars[i].color = "#e0564b";
    snprintf(bars[i].text, sizeof bars[i].text, _("%.1f points (mean %.2f)"), r->lost_total[m],
             r->all.health_n ? r->lost_total[m] / (double)r->all.health_n : 0.0);
    if (bars[i].value > max) max = bars[i].value;
  }
  if (n) {
    html_hbars(b, _("Drivers"), bars, n, max);
  } else {
    buf_puts(b, "<p class=\"note\">");
    html_esc(b, _("No member lost points."));
    buf_puts(b, "</p>\n");
  }
  free(names);
  free(bars);
  buf_puts(b, "<p class=\"note\">");
  html_esc(b, _("Lost points = a member's effective weight × (100 − its score): the total over every "
                "account, and the mean per account with a health score."));
  buf_puts(b, "</p>\n</section>\n");
}

static void html_scores(Report *r, Buf *b) {
  const Program *p = r->p;
  int32_t n = p->ndimensions + 1;
  double label_w = 160;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    double w = html_text_px(html_label(p->dimensions[d].label, p->dimensions[d].name)) + 16;
    if (w > label_w) label_w = w;
  }
  const double width = 1000, row_h = 30, top = 22, right = 120;
  double plot_w = width - label_w - right;
  buf_puts(b, "<section id=\"scores\">\n<h2>");
  html_esc(b, _("Score distributions"));
  buf_puts(b, " <small>");
  /* xgettext:no-c-format */
  html_esc(b, _("min · 10–90% · median · max"));
  buf_puts(b, "</small></h2>\n");
  buf_printf(b, "<svg class=\"chart dist\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             top + n * row_h + 4);
  html_esc(b, _("Score distributions"));
  buf_puts(b, "\">\n");
  for (int t = 0; t <= 100; t += 20) {
    double x = label_w + plot_w * t / 100;
    buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", x, top - 4, x,
               top + n * row_h);
    buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%d</text>\n", x, t);
  }
  for (int32_t i = 0; i < n; i++) {
    const ScoreHist *h = i == 0 ? &r->health : &r->dims[i - 1];
    const char *label =
        i == 0 ? _("Health") : html_label(p->dimensions[i - 1].label, p->dimensions[i - 1].name);
    double y = top + i * row_h + row_h / 2;
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>", label_w - 12, y + 4.5,
               i == 0 ? " font-weight=\"bold\"" : "");
    html_esc(b, label);
    buf_puts(b, "</text>\n");
    if (h->n == 0) {
      buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">n/a</text>\n", label_w, y + 4.5);
      continue;
    }
#define X(v) (label_w + plot_w * (v) / 100)
    double p10 = report_decile(h, 1), p50 = report_decile(h, 5), p90 = report_decile(h, 9);
    const char *color = i == 0 ? "#2f6fb3" : "#7aa6d6";
    buf_printf(
        b,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa5b1\" stroke-width=\"1.5\"/>\n",
        X(h->min), y, X(h->max), y);
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" rx=\"3\" fill=\"%s\"><title>10%%: "
               "%.1f · 90%%: %.1f</title></rect>\n",
               X(p10), y - 7, X(p90) - X(p10) > 1.5 ? X(p90) - X(p10) : 1.5, color, p10, p90);
    buf_printf(b,
               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1f2933\" "
               "stroke-width=\"2.5\"><title>",
               X(p50), y - 10, X(p50), y + 10);
    buf_printf(b, _("median %.1f"), p50);
    buf_printf(b, "</title></line>\n<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", label_w + plot_w + 12,
               y + 4.5);
    buf_printf(b, _("mean %.1f"), h->sum / (double)h->n);
    if (h->na) buf_printf(b, " · n/a %llu", (unsigned long long)h->na);
    buf_puts(b, "</text>\n");
#undef X
  }
  buf_puts(b, "</svg>\n<p class=\"note\">");
  html_esc(b, _("Deciles by nearest rank, from a histogram of 0.1-wide bins (docs/report.md)."));
  buf_puts(b, "</p>\n</section>\n");
}

static void html_worst(Report *r, Buf *b) {
  const Program *p = r->p;
  report_sort_worst(r);
  buf_puts(b, "<section id=\"worst\">\n<h2>");
  html_esc(b, _("Accounts with the lowest health"));
  buf_puts(b, " <small>");
  buf_printf(b, P_("%llu account", "%llu accounts", (unsigned long)r->nworst), (unsigned long long)r->nworst);
  buf_puts(b, "</small></h2>\n<div class=\"scroll\"><table class=\"sortable\" "
              "id=\"worst-accounts\">\n<thead><tr><th class=\"num\">#</th>");
  html_th_class(b, NULL, _("account"));
  if (p->display_input >= 0) html_th_class(b, NULL, _("account name"));
  html_th_class(b, NULL, _("persona"));
  html_th_class(b, "num", _("health"));
  html_th_class(b, NULL, _("grade"));
  html_th_class(b, "num", _("coverage"));
  html_th_class(b, NULL, _("bottleneck"));
  html_th_class(b, NULL, _("top drivers (lost points)"));
  html_th_class(b, NULL, _("flags"));
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  for (int32_t i = 0; i < r->nworst; i++) {
    const WorstAccount *w = &r->worst[i];
    buf_printf(b, "<tr class=\"worst-row\"><td class=\"num\">%d</td><td class=\"id\">", (int)i + 1);
    html_esc(b, w->id);
    if (p->display_input >= 0) {
      buf_puts(b, "</td><td class=\"name\">");
      if (w->name) html_esc(b, w->name);
    }
    buf_puts(b, "</td><td>");
    if (w->persona >= 0) html_esc(b, html_label(p->personas[w->persona].label, p->personas[w->persona].name));
    buf_printf(b, "</td><td class=\"num\" data-v=\"%.6f\">", w->health);
    html_num1(b, w->health);
    int32_t row = w->grade >= 0 ? w->grade : r->rows - 1, pos = nrows - 1;
    for (int32_t k = 0; k < nrows; k++)
      if (rows[k] == row) pos = k;
    buf_printf(b, "</td><td data-v=\"%d\"><span class=\"pill\" style=\"background:%s\">", (int)pos,
               palette_grade_color(pos, nrows));
    html_esc(b, report_grade_label(r, row));
    buf_printf(b, "</span></td><td class=\"num\" data-v=\"%.6f\">", w->coverage);
    html_pct(b, w->coverage);
    buf_printf(b, "</td><td data-v=\"%d\">", w->bottleneck >= 0 ? (int)w->bottleneck : (int)p->nsteps);
    if (w->bottleneck >= 0)
      html_esc(b, html_label(p->steps[w->bottleneck].label, p->steps[w->bottleneck].name));
    else if (p->has_journey)
      html_esc(b, _("none"));
    buf_puts(b, "</td><td><ul class=\"drivers\">");
    for (int32_t k = 0; k < w->ndrivers; k++) {
      const char *label, *name;
      char qualified[512];
      member_names(r, w->driver[k], &label, &name, qualified, sizeof qualified);
      buf_puts(b, "<li title=\"");
      html_esc(b, name);
      buf_puts(b, "\">");
      html_esc(b, label);
      buf_printf(b, "<em>−%.1f</em></li>", w->driver_lost[k]);
    }
    buf_printf(b, "</ul></td><td class=\"flagcell\" data-v=\"%d\">", (int)w->nflags);
    for (int32_t k = 0; k < w->nflags && k < REPORT_WORST_FLAGS; k++) {
      const FlagDecl *fd = &p->flags[w->flag[k]];
      buf_printf(b, "<span class=\"pill\" style=\"background:%s\" title=\"",
                 html_severity_color(fd->severity));
      html_esc(b, fd->name);
      buf_puts(b, "\">");
      html_esc(b, html_label(fd->label, fd->name));
      buf_puts(b, "</span> ");
    }
    if (w->nflags > REPORT_WORST_FLAGS) buf_printf(b, "+%d", (int)(w->nflags - REPORT_WORST_FLAGS));
    buf_puts(b, "</td></tr>\n");
  }
  free(rows);
  buf_puts(b, "</tbody></table></div>\n<p class=\"note\">");
  html_esc(b, _("Click a heading to sort. Accounts whose health is n/a are not listed."));
  buf_puts(b, "</p>\n</section>\n");
}

/* The KPI panel: each KPI's value against its target, met or not. */
static void html_kpis(Report *r, Buf *b) {
  const Program *p = r->p;
  if (!r->kpis) return;
  buf_puts(b, "<section id=\"kpis\">\n<h2>");
  html_esc(b, _("KPIs"));
  buf_puts(b, " <small>");
  html_esc(b, _("the portfolio's figures against their targets"));
  buf_puts(b, "</small></h2>\n<table>\n<thead><tr>");
  /* KPI, value, target, status: the text report's table */
  for (int32_t c = 0; report_kpi_heads[c]; c++)
    html_th_class(b, c == 1 || c == 2 ? "num" : NULL, _(report_kpi_heads[c]));
  buf_puts(b, "</tr></thead>\n<tbody>\n");
  for (int32_t i = 0; i < p->nkpis; i++) {
    const KpiDecl *k = &p->kpis[i];
    char v[KPI_TARGET_SIZE];
    double x = kpi_value(r->kpis, i);
    buf_puts(b, "<tr><td>");
    html_esc_named(b, k->label, k->name);
    buf_puts(b, "</td><td class=\"num\">");
    if (isnan(x))
      html_esc(b, _("no value"));
    else
      html_esc(b, kpi_text(p, i, x, v));
    buf_puts(b, "</td><td class=\"num\">");
    const char *op = kpi_target_text(p, i, v);
    html_esc(b, op ? op : "-");
    int met = kpi_met(r->kpis, i);
    const char *status = report_kpi_status(met, op != NULL);
    buf_puts(b, "</td><td>");
    if (met == 1 || met == 0)
      buf_printf(b, "<span class=\"pill\" style=\"background:%s\">", met == 1 ? "#2e7d32" : "#c62828");
    html_esc(b, status ? status : "-");
    buf_puts(b, met == 1 || met == 0 ? "</span></td></tr>\n" : "</td></tr>\n");
  }
  buf_puts(b, "</tbody></table>\n</section>\n");
}

void report_write_html(Report *r, FILE *out) {
  const Program *p = r->p;
  Buf b;
  buf_init(&b, out);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  const char *title = p->title ? p->title : "kenko report";
  html_page_open(&b, title, _("report"), NULL);
  buf_puts(&b, "</h1>\n<p>");
  buf_printf(&b, _("Portfolio report · as of %s · rules %s · %llu scored, %llu rejected"), r->as_of, r->rules,
             (unsigned long long)r->stats.scored, (unsigned long long)r->stats.rejected);
  buf_puts(&b, "</p>\n</header>\n");
  html_kpis(r, &b);
  html_cards(r, &b);
  html_composition(r, &b, rows, nrows);
  html_forecasts(r, &b, rows, nrows);
  html_journey(r, &b);
  html_flags(r, &b);
  html_drivers(r, &b);
  html_scores(r, &b);
  html_worst(r, &b);
  buf_puts(&b, "<footer>");
  buf_printf(&b, _("kenko %s · as of %s · rules %s"), KENKO_VERSION, r->as_of, r->rules);
  buf_puts(&b, "</footer>\n</main>\n");
  buf_puts(&b, html_sort_script);
  buf_puts(&b, "</body>\n</html>\n");
  free(rows);
  buf_flush(&b, 0);
  buf_free(&b);
}
