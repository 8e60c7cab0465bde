/* report_html.c — `kenko report --html FILE`: the report as one
 * self-contained HTML file. CSS and SVG charts are inline; nothing is
 * fetched from the network (no web fonts, no external scripts); a small
 * inline script makes the worst-accounts table sortable. All text from
 * the rules and the data is escaped. Japanese labels use the system's
 * Japanese fonts (Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo).
 *
 * Sections: key figures; grade composition (overall, by persona, by
 * segment, by --by group) as stacked bars; the forecast; the journey
 * funnel and bottlenecks; flags; drivers; score distributions; and the
 * REPORT_WORST accounts of lowest health with their top drivers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "portfolio/report.h"
#include "front/source.h"

/* ---- escaping and numbers ----------------------------------------------- */

/* S as HTML text (also safe inside a quoted attribute). */
static void esc(Buf *b, const char *s) {
  if (!s) return;
  const char *start = s;
  for (; *s; s++) {
    const char *rep = NULL;
    switch (*s) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: break;
    }
    if (!rep) continue;
    buf_put(b, start, (size_t)(s - start));
    buf_puts(b, rep);
    start = s + 1;
  }
  buf_put(b, start, (size_t)(s - start));
}

/* "ラベル" with the name in a quieter span, or just the name. */
static void esc_named(Buf *b, const char *label, const char *name) {
  if (label && *label && strcmp(label, name) != 0) {
    esc(b, label);
    buf_puts(b, " <span class=\"name\">");
    esc(b, name);
    buf_puts(b, "</span>");
  } else {
    esc(b, name);
  }
}

static const char *label_or(const char *label, const char *name) { return label && *label ? label : name; }

static void pct(Buf *b, double share) {
  if (isnan(share))
    buf_puts(b, "–");
  else
    buf_printf(b, "%.1f%%", share * 100);
}

static double ratio(uint64_t part, uint64_t whole) { return whole ? (double)part / (double)whole : NAN; }

static void num1(Buf *b, double x) {
  if (isnan(x) || isinf(x))
    buf_puts(b, "–");
  else
    buf_printf(b, "%.1f", x);
}

/* 1234567 → "1,234,567" */
static void grouped(Buf *b, double x) {
  char digits[64];
  snprintf(digits, sizeof digits, "%.0f", fabs(x));
  if (x < 0 && strcmp(digits, "0") != 0) buf_putc(b, '-');
  size_t len = strlen(digits);
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf_putc(b, ',');
    buf_putc(b, digits[i]);
  }
}

/* Approximate rendered width in SVG user units of S at 13px. */
static double text_px(const char *s) { return s ? utf8_display_width(s, strlen(s), 0) * 6.9 : 0; }

/* ---- colours ------------------------------------------------------------- */

static const char *const grade_palette[] = {"#2e9e5b", "#8cc152", "#f0b429", "#f08a24", "#e0564b"};
#define NA_COLOR "#b7bec9"

/* The colour of the I-th of N grade rows (the last row, n/a, is grey). */
static const char *grade_color(int32_t i, int32_t n) {
  if (i >= n - 1) return NA_COLOR;
  int32_t graded = n - 1;
  if (graded <= 1) return grade_palette[0];
  int k = (int)lround(4.0 * i / (graded - 1));
  return grade_palette[k];
}

static const char *severity_color(Severity s) {
  return s == SEV_HIGH ? "#e0564b" : s == SEV_LOW ? "#6c8ebf" : "#f0b429";
}

static const char *severity_name(Severity s) {
  return s == SEV_HIGH ? "high" : s == SEV_LOW ? "low" : "medium";
}

static const char *severity_ja(Severity s) { return s == SEV_HIGH ? "高" : s == SEV_LOW ? "低" : "中"; }

/* ---- stacked composition bars -------------------------------------------- */

typedef struct StackRow {
  const char *label;
  const char *name; /* or NULL */
  const Tally *tally;
  int32_t weighting; /* -1: by accounts; else by weight (value) */
} StackRow;

/* One SVG of 100% stacked bars, one per row, coloured by grade row. */
static void svg_stacked(Buf *b, const Report *r, const char *aria, const StackRow *rows, int32_t n,
                        const int32_t *grade_rows, int32_t ngrades) {
  double label_w = 120;
  for (int32_t i = 0; i < n; i++) {
    double w = text_px(rows[i].label) + (rows[i].name ? text_px(rows[i].name) + 14 : 0);
    if (w + 16 > label_w) label_w = w + 16;
  }
  if (label_w > 420) label_w = 420;
  const double width = 1000, bar_h = 26, gap = 12, right = 110;
  double bar_w = width - label_w - right;
  double height = n * (bar_h + gap) + 6;
  buf_printf(b, "<svg class=\"chart stacked\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             height);
  esc(b, aria);
  buf_puts(b, "\">\n");
  for (int32_t i = 0; i < n; i++) {
    const StackRow *row = &rows[i];
    double y = 3 + i * (bar_h + gap);
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 12,
               y + bar_h / 2 + 4.5);
    esc(b, row->label);
    if (row->name) {
      buf_puts(b, " <tspan class=\"name\">");
      esc(b, row->name);
      buf_puts(b, "</tspan>");
    }
    buf_puts(b, "</text>\n");
    double total = 0;
    for (int32_t g = 0; g < ngrades; g++) {
      int32_t gr = grade_rows[g];
      total += row->weighting < 0 ? (double)row->tally->grades[gr]
                                  : row->tally->weight[(size_t)row->weighting * (size_t)r->rows + (size_t)gr];
    }
    buf_printf(b, "<rect class=\"track\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"4\"/>\n",
               label_w, y, bar_w, bar_h);
    double x = label_w;
    for (int32_t g = 0; g < ngrades && total > 0; g++) {
      int32_t gr = grade_rows[g];
      double v = row->weighting < 0
                     ? (double)row->tally->grades[gr]
                     : row->tally->weight[(size_t)row->weighting * (size_t)r->rows + (size_t)gr];
      if (v <= 0) continue;
      double w = bar_w * v / total;
      buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"><title>", x, y, w,
                 bar_h, grade_color(g, ngrades));
      esc(b, report_grade_label(r, gr));
      buf_puts(b, ": ");
      if (row->weighting < 0)
        buf_printf(b, "%.0f", v);
      else
        grouped(b, v);
      buf_puts(b, " (");
      pct(b, v / total);
      buf_puts(b, ")</title></rect>\n");
      if (w >= 34) {
        buf_printf(b, "<text class=\"in\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x + w / 2,
                   y + bar_h / 2 + 4.5);
        if (row->weighting < 0 && w >= 64) buf_printf(b, "%.0f · ", v);
        buf_printf(b, "%.0f%%</text>\n", 100 * v / total);
      }
      x += w;
    }
    buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", label_w + bar_w + 10, y + bar_h / 2 + 4.5);
    if (row->weighting < 0)
      buf_printf(b, "%llu 件", (unsigned long long)row->tally->accounts);
    else
      grouped(b, total);
    buf_puts(b, "</text>\n");
  }
  buf_puts(b, "</svg>\n");
}

static void legend(Buf *b, const Report *r, const int32_t *grade_rows, int32_t ngrades) {
  buf_puts(b, "<div class=\"legend\">");
  for (int32_t g = 0; g < ngrades; g++) {
    buf_printf(b, "<span><i style=\"background:%s\"></i>", grade_color(g, ngrades));
    esc(b, report_grade_label(r, grade_rows[g]));
    buf_puts(b, "</span>");
  }
  buf_puts(b, "</div>\n");
}

/* ---- simple horizontal bars ---------------------------------------------- */

typedef struct HBar {
  const char *label;
  const char *name; /* or NULL */
  double value;
  const char *color;
  char text[64]; /* the figure printed after the bar */
} HBar;

static void svg_hbars(Buf *b, const char *aria, const HBar *bars, int32_t n, double max) {
  double label_w = 140;
  for (int32_t i = 0; i < n; i++) {
    double w = text_px(bars[i].label) + (bars[i].name ? text_px(bars[i].name) + 14 : 0);
    if (w + 16 > label_w) label_w = w + 16;
  }
  if (label_w > 560) label_w = 560;
  const double width = 1000, bar_h = 20, gap = 10, right = 150;
  double bar_w = width - label_w - right;
  double height = n * (bar_h + gap) + 6;
  buf_printf(b, "<svg class=\"chart bars\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             height);
  esc(b, aria);
  buf_puts(b, "\">\n");
  for (int32_t i = 0; i < n; i++) {
    double y = 3 + i * (bar_h + gap);
    double w = max > 0 ? bar_w * bars[i].value / max : 0;
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 12,
               y + bar_h / 2 + 4.5);
    esc(b, bars[i].label);
    if (bars[i].name) {
      buf_puts(b, " <tspan class=\"name\">");
      esc(b, bars[i].name);
      buf_puts(b, "</tspan>");
    }
    buf_puts(b, "</text>\n");
    buf_printf(b, "<rect class=\"track\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"3\"/>\n",
               label_w, y, bar_w, bar_h);
    if (w > 0)
      buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"3\" fill=\"%s\"/>\n",
                 label_w, y, w, bar_h, bars[i].color);
    buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", label_w + bar_w + 10, y + bar_h / 2 + 4.5);
    esc(b, bars[i].text);
    buf_puts(b, "</text>\n");
  }
  buf_puts(b, "</svg>\n");
}

/* ---- sections ---------------------------------------------------------------- */

static const char style[] =
    "<style>\n"
    ":root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--card:#fff;--accent:#2f6fb3}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.6 \"Noto Sans CJK JP\",\"Noto Sans JP\","
    "\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\",\"Yu Gothic\",\"Meiryo\",sans-serif}\n"
    "main{max-width:1180px;margin:0 auto;padding:28px 24px 48px}\n"
    "header h1{font-size:24px;margin:0 0 4px}\n"
    "header p{margin:0;color:var(--muted)}\n"
    "h2{font-size:18px;margin:0 0 12px;display:flex;align-items:baseline;gap:10px}\n"
    "h2 small,.name{color:var(--muted);font-weight:normal;font-size:12px}\n"
    "h3{font-size:14px;margin:18px 0 6px;color:var(--muted)}\n"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;"
    "margin-top:20px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:14px;margin-top:20px}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px}\n"
    ".card b{display:block;font-size:28px;line-height:1.3}\n"
    ".card span{color:var(--muted);font-size:12px}\n"
    "svg.chart{display:block;width:100%;height:auto;margin:4px 0 8px}\n"
    "svg text{font-size:13px;fill:var(--ink)}\n"
    "svg .name{fill:var(--muted);font-size:11px}\n"
    "svg text.in{fill:#fff;font-size:12px;font-weight:bold}\n"
    "svg text.val{fill:var(--muted)}\n"
    "svg text.axis{fill:var(--muted);font-size:11px}\n"
    "svg .track{fill:#eef1f4}\n"
    "svg .grid{stroke:#e4e7eb;stroke-width:1}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:16px;font-size:12px;color:var(--muted)}\n"
    ".legend "
    "i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "th{color:var(--muted);font-weight:normal;white-space:nowrap}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.sortable th{cursor:pointer;user-select:none}\n"
    "table.sortable th::after{content:\" ↕\";color:#c1c7cd}\n"
    "table.sortable th[aria-sort=ascending]::after{content:\" ↑\";color:var(--accent)}\n"
    "table.sortable th[aria-sort=descending]::after{content:\" ↓\";color:var(--accent)}\n"
    ".pill{display:inline-block;padding:0 "
    "8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}\n"
    ".flagcell .pill{white-space:normal;line-height:1.45;margin:1px 0;border-radius:6px}\n"
    ".drivers{margin:0;padding:0;list-style:none}\n"
    ".drivers li{white-space:nowrap}\n"
    ".drivers em{font-style:normal;color:#e0564b;margin-left:6px}\n"
    ".note{color:var(--muted);font-size:12px;margin:6px 0 0}\n"
    ".scroll{overflow-x:auto}\n"
    "td.id{white-space:nowrap;font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:12px}\n"
    ".action{color:var(--muted);font-size:12px}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:24px}\n"
    "</style>\n";

static const char sort_script[] =
    "<script>\n"
    "document.querySelectorAll('table.sortable').forEach(function (t) {\n"
    "  t.querySelectorAll('th').forEach(function (th, col) {\n"
    "    th.addEventListener('click', function () {\n"
    "      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
    "      var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
    "      t.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });\n"
    "      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
    "      function key(row) { var c = row.cells[col]; return c.getAttribute('data-v') || c.textContent; }\n"
    "      rows.sort(function (a, b) {\n"
    "        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);\n"
    "        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'ja');\n"
    "        return asc ? d : -d;\n"
    "      });\n"
    "      rows.forEach(function (row) { body.appendChild(row); });\n"
    "    });\n"
    "  });\n"
    "});\n"
    "</script>\n";

static void card(Buf *b, const char *title, void (*value)(Buf *, const void *), const void *arg,
                 const char *sub) {
  buf_puts(b, "<div class=\"card\"><span>");
  esc(b, title);
  buf_puts(b, "</span><b>");
  value(b, arg);
  buf_puts(b, "</b><span>");
  buf_puts(b, sub); /* already HTML */
  buf_puts(b, "</span></div>\n");
}

static void v_count(Buf *b, const void *arg) { buf_printf(b, "%llu", *(const unsigned long long *)arg); }
static void v_score(Buf *b, const void *arg) { num1(b, *(const double *)arg); }
static void v_pct(Buf *b, const void *arg) { pct(b, *(const double *)arg); }

static void html_cards(Report *r, Buf *b) {
  const Program *p = r->p;
  Buf sub;
  buf_init(&sub, NULL);
  buf_puts(b, "<div class=\"cards\">\n");
  unsigned long long scored = r->stats.scored;
  buf_printf(&sub, "%llu 件を除外 (rejected)", (unsigned long long)r->stats.rejected);
  buf_putc(&sub, '\0');
  card(b, "スコア対象の顧客 accounts", v_count, &scored, sub.data);
  sub.len = 0;
  double mean = r->all.health_n ? r->all.health_sum / (double)r->all.health_n : NAN;
  buf_puts(&sub, "中央値 median ");
  num1(&sub, report_decile(&r->health, 5));
  buf_putc(&sub, '\0');
  card(b, "平均ヘルススコア mean health", v_score, &mean, sub.data);
  if (p->nforecasts > 0) {
    uint64_t rated, out;
    double expected = report_expected(r, &r->all, 0, &rated, &out);
    sub.len = 0;
    if (p->forecasts[0].weight_input >= 0) {
      double total;
      uint64_t wout;
      double weighted = report_expected_weighted(r, &r->all, 0, &total, &wout);
      esc(&sub, p->inputs[p->forecasts[0].weight_input].name);
      buf_puts(&sub, " 加重 weighted ");
      pct(&sub, weighted);
    } else {
      buf_puts(&sub, "件数ベース by accounts");
    }
    buf_putc(&sub, '\0');
    Buf title;
    buf_init(&title, NULL);
    buf_puts(&title, label_or(p->forecasts[0].label, p->forecasts[0].name));
    buf_puts(&title, " forecast");
    buf_putc(&title, '\0');
    card(b, title.data, v_pct, &expected, sub.data);
    buf_free(&title);
  }
  double below = ratio(r->coverage_below_half, r->all.accounts);
  sub.len = 0;
  buf_printf(&sub, "%llu 件がウェイトの半分未満で採点", (unsigned long long)r->coverage_below_half);
  buf_putc(&sub, '\0');
  card(b, "データ不足 coverage < 50%", v_pct, &below, sub.data);
  buf_puts(b, "</div>\n");
  buf_free(&sub);
}

static void html_composition(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  buf_puts(b, "<section id=\"composition\">\n<h2>グレード構成 <small>composition</small></h2>\n");
  legend(b, r, rows, nrows);
  StackRow all[2];
  int32_t nall = 0;
  all[nall++] = (StackRow){"全体", "accounts", &r->all, -1};
  if (r->nweights > 0) all[nall++] = (StackRow){"全体", p->inputs[r->weight_input[0]].name, &r->all, 0};
  svg_stacked(b, r, "grade composition", all, nall, rows, nrows);
  if (p->npersonas > 0) {
    StackRow *pr = xmalloc(((size_t)p->npersonas + 1) * sizeof *pr);
    int32_t n = 0;
    for (int32_t i = 0; i <= p->npersonas; i++) {
      if (i == p->npersonas && r->by_persona[i].accounts == 0) break;
      pr[n++] =
          (StackRow){i < p->npersonas ? label_or(p->personas[i].label, p->personas[i].name) : "(該当なし)",
                     i < p->npersonas ? p->personas[i].name : NULL, &r->by_persona[i], -1};
    }
    buf_puts(b, "<h3>ペルソナ別 by persona</h3>\n");
    svg_stacked(b, r, "grade composition by persona", pr, n, rows, nrows);
    free(pr);
  }
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    StackRow *sr = xmalloc(((size_t)sd->ncases + 1) * sizeof *sr);
    int32_t n = 0;
    for (int32_t c = 0; c <= sd->ncases; c++) {
      if (c == sd->ncases && r->by_case[s][c].accounts == 0) break;
      sr[n++] = (StackRow){c < sd->ncases ? label_or(sd->cases[c].label, sd->cases[c].name) : "(該当なし)",
                           c < sd->ncases ? sd->cases[c].name : NULL, &r->by_case[s][c], -1};
    }
    buf_puts(b, "<h3>");
    esc_named(b, sd->label, sd->name);
    buf_puts(b, "</h3>\n");
    svg_stacked(b, r, sd->name, sr, n, rows, nrows);
    free(sr);
  }
  if (r->by != BY_NONE) {
    int32_t *order = xmalloc(((size_t)r->ngroups + 1) * sizeof *order);
    int32_t n = report_group_order(r, order);
    StackRow *gr = xmalloc(((size_t)n + 1) * sizeof *gr);
    for (int32_t i = 0; i < n; i++) {
      const ReportGroup *g = &r->groups[order[i]];
      const char *label = order[i] == r->other_group ? "(その他 other)"
                          : !g->value ? (r->by == BY_INPUT ? "(欠損 missing)" : "(該当なし)")
                                      : label_or(g->label, g->value);
      gr[i] = (StackRow){label, g->value && g->label ? g->value : NULL, &g->tally, -1};
    }
    buf_puts(b, "<h3>グループ別 by ");
    esc(b, r->by_text);
    buf_puts(b, "</h3>\n");
    svg_stacked(b, r, r->by_text, gr, n, rows, nrows);
    free(gr);
    free(order);
  }
  buf_puts(b, "</section>\n");
}

static void html_forecasts(Report *r, Buf *b, const int32_t *rows, int32_t nrows) {
  const Program *p = r->p;
  if (p->nforecasts == 0) return;
  buf_puts(b, "<section id=\"forecast\">\n<h2>想定継続率 "
              "<small>forecast</small></h2>\n<table>\n<thead><tr><th>forecast</th>");
  for (int32_t i = 0; i < nrows - 1; i++) {
    buf_puts(b, "<th class=\"num\">");
    esc(b, report_grade_label(r, rows[i]));
    buf_puts(b, "</th>");
  }
  buf_puts(b, "<th class=\"num\">件数ベース by accounts</th><th class=\"num\">金額加重 "
              "weighted</th></tr></thead>\n<tbody>\n");
  for (int32_t f = 0; f < p->nforecasts; f++) {
    const ForecastDecl *fd = &p->forecasts[f];
    buf_puts(b, "<tr><td>");
    esc_named(b, fd->label, fd->name);
    buf_puts(b, "</td>");
    for (int32_t i = 0; i < nrows - 1; i++) {
      buf_puts(b, "<td class=\"num\">");
      pct(b, fd->rate[rows[i]]);
      buf_puts(b, "</td>");
    }
    uint64_t rated, out, wout;
    double total;
    buf_puts(b, "<td class=\"num\"><b>");
    pct(b, report_expected(r, &r->all, f, &rated, &out));
    buf_printf(b, "</b><br><span class=\"name\">%llu 件", (unsigned long long)rated);
    if (out) buf_printf(b, " (%llu 件除外)", (unsigned long long)out);
    buf_puts(b, "</span></td><td class=\"num\">");
    if (fd->weight_input >= 0) {
      buf_puts(b, "<b>");
      pct(b, report_expected_weighted(r, &r->all, f, &total, &wout));
      buf_puts(b, "</b><br><span class=\"name\">");
      esc(b, p->inputs[fd->weight_input].name);
      buf_putc(b, ' ');
      grouped(b, total);
      if (wout) buf_printf(b, " (%llu 件除外)", (unsigned long long)wout);
      buf_puts(b, "</span>");
    } else {
      buf_puts(b, "–");
    }
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</tbody></table>\n<p class=\"note\">件数ベース = Σ 構成比 × 継続率。グレードが n/a、"
              "または継続率のないグレードの顧客は除外 (left out) しています。</p>\n</section>\n");
}

static void html_journey(Report *r, Buf *b) {
  const Program *p = r->p;
  if (!p->has_journey || p->nsteps == 0) return;
  uint64_t n = r->all.accounts;
  buf_puts(b, "<section id=\"funnel\">\n<h2>");
  esc(b, p->journey_label ? p->journey_label : "journey");
  buf_puts(b, " <small>journey funnel</small></h2>\n");
  /* the funnel: reached (light) and reached-and-passed (dark) per step */
  double label_w = 160;
  for (int32_t s = 0; s < p->nsteps; s++) {
    double w = text_px(label_or(p->steps[s].label, p->steps[s].name)) + 16;
    if (w > label_w) label_w = w;
  }
  if (label_w > 460) label_w = 460;
  const double width = 1000, bar_h = 30, gap = 14, right = 250;
  double bar_w = width - label_w - right;
  buf_printf(
      b,
      "<svg class=\"chart funnel\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"journey funnel\">\n",
      width, p->nsteps * (bar_h + gap) + 6);
  uint64_t reached = n;
  for (int32_t s = 0; s < p->nsteps; s++) {
    double y = 3 + s * (bar_h + gap);
    uint64_t through = reached - r->bottleneck[s];
    double wr = n ? bar_w * (double)reached / (double)n : 0;
    double wt = n ? bar_w * (double)through / (double)n : 0;
    double x0 = label_w + (bar_w - wr) / 2;
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 12,
               y + bar_h / 2 + 4.5);
    esc(b, label_or(p->steps[s].label, p->steps[s].name));
    buf_puts(b, "</text>\n");
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"4\" "
               "fill=\"#cfe0f3\"><title>reached %llu</title></rect>\n",
               x0, y, wr, bar_h, (unsigned long long)reached);
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"4\" "
               "fill=\"#2f6fb3\"><title>passed through %llu</title></rect>\n",
               label_w + (bar_w - wt) / 2, y + 5, wt, bar_h - 10, (unsigned long long)through);
    buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">到達 %llu → 通過 %llu (", label_w + bar_w + 10,
               y + bar_h / 2 + 4.5, (unsigned long long)reached, (unsigned long long)through);
    pct(b, ratio(through, n));
    buf_printf(b, ") · 単体 %llu</text>\n", (unsigned long long)r->step_passed[s]);
    reached = through;
  }
  buf_puts(b, "</svg>\n<div class=\"legend\"><span><i style=\"background:#cfe0f3\"></i>到達 reached "
              "(前のステップをすべて通過)</span>"
              "<span><i style=\"background:#2f6fb3\"></i>到達して通過 passed through</span>"
              "<span>単体 = そのステップ自体を通過した顧客 (passed the step itself)</span></div>\n");
  /* bottlenecks */
  HBar *bars = xcalloc((size_t)p->nsteps + 1, sizeof *bars);
  double max = 0;
  for (int32_t s = 0; s <= p->nsteps; s++) {
    HBar *h = &bars[s];
    h->label = s < p->nsteps ? label_or(p->steps[s].label, p->steps[s].name) : "ボトルネックなし";
    h->name = s < p->nsteps ? p->steps[s].name : "none";
    h->value = (double)r->bottleneck[s];
    h->color = s < p->nsteps ? "#f08a24" : "#2e9e5b";
    snprintf(h->text, sizeof h->text, "%llu 件 (%.1f%%)", (unsigned long long)r->bottleneck[s],
             n ? 100.0 * (double)r->bottleneck[s] / (double)n : 0.0);
    if (h->value > max) max = h->value;
  }
  buf_puts(b, "<h3>ボトルネックの分布 bottlenecks</h3>\n");
  svg_hbars(b, "bottlenecks", bars, p->nsteps + 1, max);
  free(bars);
  buf_puts(b, "</section>\n");
}

static void html_flags(Report *r, Buf *b) {
  const Program *p = r->p;
  if (p->nflags == 0) return;
  uint64_t n = r->all.accounts;
  buf_puts(b, "<section id=\"flags\">\n<h2>フラグ <small>flags</small></h2>\n");
  HBar *bars = xcalloc((size_t)p->nflags, sizeof *bars);
  double max = 0;
  for (int32_t f = 0; f < p->nflags; f++) {
    HBar *h = &bars[f];
    h->label = label_or(p->flags[f].label, p->flags[f].name);
    h->name = p->flags[f].label ? p->flags[f].name : NULL;
    h->value = (double)r->flag_raised[f];
    h->color = severity_color(p->flags[f].severity);
    snprintf(h->text, sizeof h->text, "%llu 件 (%.1f%%)", (unsigned long long)r->flag_raised[f],
             n ? 100.0 * (double)r->flag_raised[f] / (double)n : 0.0);
    if (h->value > max) max = h->value;
  }
  svg_hbars(b, "flags raised", bars, p->nflags, max);
  free(bars);
  buf_puts(b, "<table>\n<thead><tr><th>flag</th><th>重要度 severity</th><th "
              "class=\"num\">件数</th><th>アクション action</th></tr></thead>\n<tbody>\n");
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    buf_puts(b, "<tr><td>");
    esc_named(b, fd->label, fd->name);
    buf_printf(b,
               "</td><td><span class=\"pill\" style=\"background:%s\">%s %s</span></td><td "
               "class=\"num\">%llu</td><td class=\"action\">",
               severity_color(fd->severity), severity_ja(fd->severity), severity_name(fd->severity),
               (unsigned long long)r->flag_raised[f]);
    esc(b, fd->action ? fd->action : "");
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</tbody></table>\n</section>\n");
}

static void member_names(const Report *r, int32_t m, const char **label, const char **name, char *qualified,
                         size_t n) {
  const DimensionDecl *d = &r->p->dimensions[r->member_dim[m]];
  const Member *mem = &d->members[r->member_index[m]];
  snprintf(qualified, n, "%s.%s", d->name, mem->name);
  *label = label_or(mem->label, mem->name);
  *name = qualified;
}

static void html_drivers(Report *r, Buf *b) {
  buf_puts(b, "<section id=\"drivers\">\n<h2>スコアを下げている要因 <small>drivers: lost health points, "
              "total</small></h2>\n");
  int32_t order[REPORT_TOP_DRIVERS];
  int32_t n = report_top_members(r, r->lost_total, order, REPORT_TOP_DRIVERS);
  HBar *bars = xcalloc((size_t)n + 1, sizeof *bars);
  char(*names)[512] = xcalloc((size_t)n + 1, sizeof *names);
  double max = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t m = order[i];
    member_names(r, m, &bars[i].label, &bars[i].name, names[i], sizeof names[i]);
    bars[i].value = r->lost_total[m];
    bars[i].color = "#e0564b";
    snprintf(bars[i].text, sizeof bars[i].text, "%.1f 点 (平均 %.2f)", r->lost_total[m],
             r->all.health_n ? r->lost_total[m] / (double)r->all.health_n : 0.0);
    if (bars[i].value > max) max = bars[i].value;
  }
  if (n)
    svg_hbars(b, "drivers", bars, n, max);
  else
    buf_puts(b, "<p class=\"note\">減点された項目はありません (no member lost points).</p>\n");
  free(names);
  free(bars);
  buf_puts(b, "<p class=\"note\">失点 (lost points) = 項目の実効ウェイト × (100 − 項目スコア)。"
              "全顧客の合計と、ヘルススコアのある顧客 1 件あたりの平均。</p>\n</section>\n");
}

static void html_scores(Report *r, Buf *b) {
  const Program *p = r->p;
  int32_t n = p->ndimensions + 1;
  double label_w = 160;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    double w = text_px(label_or(p->dimensions[d].label, p->dimensions[d].name)) + 16;
    if (w > label_w) label_w = w;
  }
  const double width = 1000, row_h = 30, top = 22, right = 120;
  double plot_w = width - label_w - right;
  buf_puts(b, "<section id=\"scores\">\n<h2>スコアの分布 <small>score distributions: min · 10–90% · median · "
              "max</small></h2>\n");
  buf_printf(b,
             "<svg class=\"chart dist\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"score "
             "distributions\">\n",
             width, top + n * row_h + 4);
  for (int t = 0; t <= 100; t += 20) {
    double x = label_w + plot_w * t / 100;
    buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", x, top - 4, x,
               top + n * row_h);
    buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%d</text>\n", x, t);
  }
  for (int32_t i = 0; i < n; i++) {
    const ScoreHist *h = i == 0 ? &r->health : &r->dims[i - 1];
    const char *label =
        i == 0 ? "ヘルススコア" : label_or(p->dimensions[i - 1].label, p->dimensions[i - 1].name);
    double y = top + i * row_h + row_h / 2;
    buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>", label_w - 12, y + 4.5,
               i == 0 ? " font-weight=\"bold\"" : "");
    esc(b, label);
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
               "stroke-width=\"2.5\"><title>median %.1f</title></line>\n",
               X(p50), y - 10, X(p50), y + 10, p50);
    buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">平均 %.1f", label_w + plot_w + 12, y + 4.5,
               h->sum / (double)h->n);
    if (h->na) buf_printf(b, " · n/a %llu", (unsigned long long)h->na);
    buf_puts(b, "</text>\n");
#undef X
  }
  buf_puts(b, "</svg>\n<p class=\"note\">十分位は 0.1 幅のヒストグラムから最近順位法で求めています "
              "(docs/report.md)。</p>\n</section>\n");
}

static void html_worst(Report *r, Buf *b) {
  const Program *p = r->p;
  report_sort_worst(r);
  buf_printf(b,
             "<section id=\"worst\">\n<h2>ヘルススコアの低い顧客 <small>the %d accounts with the lowest "
             "health</small></h2>\n",
             (int)r->nworst);
  buf_puts(b,
           "<div class=\"scroll\"><table class=\"sortable\" id=\"worst-accounts\">\n<thead><tr><th "
           "class=\"num\">#</th><th>顧客ID</th>"
           "<th>ペルソナ</th><th class=\"num\">ヘルス</th><th>グレード</th><th class=\"num\">カバレッジ</th>"
           "<th>ボトルネック</th><th>主な減点要因 (失点)</th><th>フラグ</th></tr></thead>\n<tbody>\n");
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  for (int32_t i = 0; i < r->nworst; i++) {
    const WorstAccount *w = &r->worst[i];
    buf_printf(b, "<tr class=\"worst-row\"><td class=\"num\">%d</td><td class=\"id\">", (int)i + 1);
    esc(b, w->id);
    buf_puts(b, "</td><td>");
    if (w->persona >= 0) esc(b, label_or(p->personas[w->persona].label, p->personas[w->persona].name));
    buf_printf(b, "</td><td class=\"num\" data-v=\"%.6f\">", w->health);
    num1(b, w->health);
    int32_t row = w->grade >= 0 ? w->grade : r->rows - 1, pos = nrows - 1;
    for (int32_t k = 0; k < nrows; k++)
      if (rows[k] == row) pos = k;
    buf_printf(b, "</td><td data-v=\"%d\"><span class=\"pill\" style=\"background:%s\">", (int)pos,
               grade_color(pos, nrows));
    esc(b, report_grade_label(r, row));
    buf_printf(b, "</span></td><td class=\"num\" data-v=\"%.6f\">", w->coverage);
    pct(b, w->coverage);
    buf_printf(b, "</td><td data-v=\"%d\">", w->bottleneck >= 0 ? (int)w->bottleneck : (int)p->nsteps);
    if (w->bottleneck >= 0)
      esc(b, label_or(p->steps[w->bottleneck].label, p->steps[w->bottleneck].name));
    else if (p->has_journey)
      buf_puts(b, "なし");
    buf_puts(b, "</td><td><ul class=\"drivers\">");
    for (int32_t k = 0; k < w->ndrivers; k++) {
      const char *label, *name;
      char qualified[512];
      member_names(r, w->driver[k], &label, &name, qualified, sizeof qualified);
      buf_puts(b, "<li title=\"");
      esc(b, name);
      buf_puts(b, "\">");
      esc(b, label);
      buf_printf(b, "<em>−%.1f</em></li>", w->driver_lost[k]);
    }
    buf_printf(b, "</ul></td><td class=\"flagcell\" data-v=\"%d\">", (int)w->nflags);
    for (int32_t k = 0; k < w->nflags && k < REPORT_WORST_FLAGS; k++) {
      const FlagDecl *fd = &p->flags[w->flag[k]];
      buf_printf(b, "<span class=\"pill\" style=\"background:%s\" title=\"", severity_color(fd->severity));
      esc(b, fd->name);
      buf_puts(b, "\">");
      esc(b, label_or(fd->label, fd->name));
      buf_puts(b, "</span> ");
    }
    if (w->nflags > REPORT_WORST_FLAGS) buf_printf(b, "+%d", (int)(w->nflags - REPORT_WORST_FLAGS));
    buf_puts(b, "</td></tr>\n");
  }
  free(rows);
  buf_puts(b, "</tbody></table></div>\n<p class=\"note\">列の見出しをクリックすると並べ替えられます (click a "
              "heading to sort)。"
              "ヘルススコアが n/a の顧客は含みません。</p>\n</section>\n");
}

void report_write_html(Report *r, FILE *out) {
  const Program *p = r->p;
  Buf b;
  buf_init(&b, out);
  int32_t *rows = xmalloc((size_t)r->rows * sizeof *rows);
  int32_t nrows = report_grade_rows(r, rows);
  const char *title = p->title ? p->title : "kenko report";
  buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  esc(&b, title);
  buf_puts(&b, " — レポート</title>\n");
  buf_puts(&b, style);
  buf_puts(&b, "</head>\n<body>\n<main>\n<header>\n<h1>");
  esc(&b, title);
  buf_printf(&b,
             "</h1>\n<p>ポートフォリオ レポート · 基準日 as of %s · rules %s · %llu 件を採点、%llu "
             "件を除外</p>\n</header>\n",
             r->as_of, r->rules, (unsigned long long)r->stats.scored, (unsigned long long)r->stats.rejected);
  html_cards(r, &b);
  html_composition(r, &b, rows, nrows);
  html_forecasts(r, &b, rows, nrows);
  html_journey(r, &b);
  html_flags(r, &b);
  html_drivers(r, &b);
  html_scores(r, &b);
  html_worst(r, &b);
  buf_printf(&b, "<footer>kenko %s · as of %s · rules %s</footer>\n</main>\n", KENKO_VERSION, r->as_of,
             r->rules);
  buf_puts(&b, sort_script);
  buf_puts(&b, "</body>\n</html>\n");
  free(rows);
  buf_flush(&b, 0);
  buf_free(&b);
}
