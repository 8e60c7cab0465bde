/* html.c — the building blocks of kenko's self-contained HTML pages
 * (`report --html`, `history --html`): escaping, numbers for people,
 * the grade and severity colours, 100% stacked grade bars, horizontal
 * bars, key-figure cards, the shared style sheet and the table-sorting
 * script. Nothing here fetches anything from the network. */
#include "portfolio/html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "front/source.h"

/* ---- escaping and numbers ----------------------------------------------- */

/* S as HTML text (also safe inside a quoted attribute). Control
 * characters other than tab and line breaks (C0, DEL, C1: not allowed in
 * HTML text) are shown as \xHH, as the text outputs show them. */
void html_esc(Buf *b, const char *s) {
  if (!s) return;
  const char *start = s;
  for (; *s; s++) {
    const char *rep = NULL;
    unsigned char c = (unsigned char)*s;
    size_t ctl = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ? 1
                 : c == 0xC2 && text_has_controls(s, 2)                         ? 2
                                                                                : 0;
    if (ctl) {
      buf_put(b, start, (size_t)(s - start));
      buf_shown(b, s, ctl, false);
      s += ctl - 1;
      start = s + 1;
      continue;
    }
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
void html_esc_named(Buf *b, const char *label, const char *name) {
  if (label && *label && strcmp(label, name) != 0) {
    html_esc(b, label);
    buf_puts(b, " <span class=\"name\">");
    html_esc(b, name);
    buf_puts(b, "</span>");
  } else {
    html_esc(b, name);
  }
}

const char *html_label(const char *label, const char *name) { return label && *label ? label : name; }

const char *html_pct_text(char out[HTML_NUM], double share) {
  if (isnan(share))
    snprintf(out, HTML_NUM, "–");
  else
    snprintf(out, HTML_NUM, "%.1f%%", share * 100);
  return out;
}

void html_pct(Buf *b, double share) {
  char t[HTML_NUM];
  buf_puts(b, html_pct_text(t, share));
}

double html_ratio(uint64_t part, uint64_t whole) { return whole ? (double)part / (double)whole : NAN; }

const char *html_num1_text(char out[HTML_NUM], double x) {
  if (isnan(x) || isinf(x))
    snprintf(out, HTML_NUM, "–");
  else
    snprintf(out, HTML_NUM, "%.1f", x);
  return out;
}

void html_num1(Buf *b, double x) {
  char t[HTML_NUM];
  buf_puts(b, html_num1_text(t, x));
}

/* 1234567 → "1,234,567" */
void html_grouped(Buf *b, double x) {
  char digits[64];
  snprintf(digits, sizeof digits, "%.0f", fabs(x));
  if (x < 0 && strcmp(digits, "0") != 0) buf_putc(b, '-');
  size_t len = strlen(digits);
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf_putc(b, ',');
    buf_putc(b, digits[i]);
  }
}

void html_th_class(Buf *b, const char *cls, const char *text) {
  if (cls)
    buf_printf(b, "<th class=\"%s\">", cls);
  else
    buf_puts(b, "<th>");
  html_esc(b, text);
  buf_puts(b, "</th>");
}

/* Approximate rendered width in SVG user units of S at 13px. */
double html_text_px(const char *s) { return s ? utf8_display_width(s, strlen(s), 0) * 6.9 : 0; }

/* ---- colours ------------------------------------------------------------- */

const char *html_severity_color(Severity s) {
  return s == SEV_HIGH ? "#e0564b" : s == SEV_LOW ? "#6c8ebf" : "#f0b429";
}

const char *html_severity_name(Severity s) {
  return s == SEV_HIGH ? N_("high") : s == SEV_LOW ? N_("low") : N_("medium");
}

/* ---- row charts: a column of labels, then a bar per row ------------------ */

/* The label column's width for rows labelled LABEL (and NAME beside it,
 * when given): W, or wider when that label needs it. */
static double label_column(double w, const char *label, const char *name) {
  double need = html_text_px(label) + (name ? html_text_px(name) + 14 : 0) + 16;
  return need > w ? need : w;
}

/* <svg class="chart CLS" …> of WIDTH × HEIGHT, described by ARIA. */
static void svg_chart_open(Buf *b, const char *cls, double width, double height, const char *aria) {
  buf_printf(b, "<svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", cls, width,
             height);
  html_esc(b, aria);
  buf_puts(b, "\">\n");
}

/* A row's label, right-aligned at X, beside a bar at Y of height H. */
static void row_label(Buf *b, double x, double y, double h, const char *label, const char *name) {
  buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x, y + h / 2 + 4.5);
  html_esc(b, label);
  if (name) {
    buf_puts(b, " <tspan class=\"name\">");
    html_esc(b, name);
    buf_puts(b, "</tspan>");
  }
  buf_puts(b, "</text>\n");
}

/* A chart of rows: a label column, then a bar a row (on its track), then
 * the row's value; 1000 wide. */
typedef struct RowChart {
  double label_w, bar_w, bar_h, gap, rx;
} RowChart;

/* Opens the SVG (class CLS, described by ARIA) of N rows of bars BAR_H
 * high and GAP apart (corners RX), after a label column LABEL_W wide but
 * at most LABEL_MAX, with RIGHT left after the bars for the values. */
static RowChart row_chart_open(Buf *b, const char *cls, const char *aria, int32_t n, double label_w,
                               double label_max, double bar_h, double gap, double right, double rx) {
  const double width = 1000;
  RowChart c = {label_w > label_max ? label_max : label_w, 0, bar_h, gap, rx};
  c.bar_w = width - c.label_w - right;
  svg_chart_open(b, cls, width, n * (bar_h + gap) + 6, aria);
  return c;
}

/* Row I of chart C: its label (LABEL, and NAME beside it) and its bar's
 * empty track; returns the row's top. */
static double row_chart_row(Buf *b, const RowChart *c, int32_t i, const char *label, const char *name) {
  double y = 3 + i * (c->bar_h + c->gap);
  row_label(b, c->label_w - 12, y, c->bar_h, label, name);
  buf_printf(b, "<rect class=\"track\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"%.0f\"/>\n",
             c->label_w, y, c->bar_w, c->bar_h, c->rx);
  return y;
}

/* Opens the value text of the row at Y, right of its bar. */
static void row_chart_value(Buf *b, const RowChart *c, double y) {
  buf_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", c->label_w + c->bar_w + 10,
             y + c->bar_h / 2 + 4.5);
}

/* ---- stacked composition bars -------------------------------------------- */

/* One SVG of 100% stacked bars, one per row, coloured by grade row. */
void html_stacked(Buf *b, const Report *r, const char *aria, const HtmlStackRow *rows, int32_t n,
                  const int32_t *grade_rows, int32_t ngrades) {
  double label_w = 120;
  for (int32_t i = 0; i < n; i++)
    label_w = label_column(label_w, rows[i].label, rows[i].name);
  RowChart c = row_chart_open(b, "stacked", aria, n, label_w, 420, 26, 12, 110, 4);
  const double bar_h = c.bar_h;
  for (int32_t i = 0; i < n; i++) {
    const HtmlStackRow *row = &rows[i];
    double y = row_chart_row(b, &c, i, row->label, row->name);
    double total = 0;
    for (int32_t g = 0; g < ngrades; g++) {
      int32_t gr = grade_rows[g];
      total += row->weighting < 0 ? (double)report_count(r, row->tally, gr)
                                  : report_weight(r, row->tally, row->weighting, gr);
    }
    double x = c.label_w;
    for (int32_t g = 0; g < ngrades && total > 0; g++) {
      int32_t gr = grade_rows[g];
      double v = row->weighting < 0 ? (double)report_count(r, row->tally, gr)
                                    : report_weight(r, row->tally, row->weighting, gr);
      if (v <= 0) continue;
      double w = c.bar_w * v / total;
      buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"><title>", x, y, w,
                 bar_h, palette_grade_color(g, ngrades));
      html_esc(b, report_grade_label(r, gr));
      buf_puts(b, ": ");
      if (row->weighting < 0)
        buf_printf(b, "%.0f", v);
      else
        html_grouped(b, v);
      buf_puts(b, " (");
      html_pct(b, v / total);
      buf_puts(b, ")</title></rect>\n");
      if (w >= 34) {
        buf_printf(b, "<text class=\"in\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x + w / 2,
                   y + bar_h / 2 + 4.5);
        if (row->weighting < 0 && w >= 64) buf_printf(b, "%.0f · ", v);
        buf_printf(b, "%.0f%%</text>\n", 100 * v / total);
      }
      x += w;
    }
    row_chart_value(b, &c, y);
    if (row->weighting < 0)
      buf_printf(b, P_("%llu account", "%llu accounts", (unsigned long)row->tally->accounts),
                 (unsigned long long)row->tally->accounts);
    else
      html_grouped(b, total);
    buf_puts(b, "</text>\n");
  }
  buf_puts(b, "</svg>\n");
}

void html_legend(Buf *b, const Report *r, const int32_t *grade_rows, int32_t ngrades) {
  buf_puts(b, "<div class=\"legend\">");
  for (int32_t g = 0; g < ngrades; g++) {
    buf_printf(b, "<span><i style=\"background:%s\"></i>", palette_grade_color(g, ngrades));
    html_esc(b, report_grade_label(r, grade_rows[g]));
    buf_puts(b, "</span>");
  }
  buf_puts(b, "</div>\n");
}

/* ---- simple horizontal bars ---------------------------------------------- */

void html_hbars(Buf *b, const char *aria, const HtmlBar *bars, int32_t n, double max) {
  double label_w = 140;
  for (int32_t i = 0; i < n; i++)
    label_w = label_column(label_w, bars[i].label, bars[i].name);
  RowChart c = row_chart_open(b, "bars", aria, n, label_w, 560, 20, 10, 150, 3);
  for (int32_t i = 0; i < n; i++) {
    double y = row_chart_row(b, &c, i, bars[i].label, bars[i].name);
    double w = max > 0 ? c.bar_w * bars[i].value / max : 0;
    if (w > 0)
      buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"3\" fill=\"%s\"/>\n",
                 c.label_w, y, w, c.bar_h, bars[i].color);
    row_chart_value(b, &c, y);
    html_esc(b, bars[i].text);
    buf_puts(b, "</text>\n");
  }
  buf_puts(b, "</svg>\n");
}

/* ---- sections ---------------------------------------------------------------- */

const char html_style[] =
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

const char html_sort_script[] =
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

void html_card(Buf *b, const char *title, void (*value)(Buf *, const void *), const void *arg,
               const char *sub) {
  buf_puts(b, "<div class=\"card\"><span>");
  html_esc(b, title);
  buf_puts(b, "</span><b>");
  value(b, arg);
  buf_puts(b, "</b><span>");
  buf_puts(b, sub); /* already HTML */
  buf_puts(b, "</span></div>\n");
}

void html_v_count(Buf *b, const void *arg) { buf_printf(b, "%llu", *(const unsigned long long *)arg); }
void html_v_score(Buf *b, const void *arg) { html_num1(b, *(const double *)arg); }
void html_v_pct(Buf *b, const void *arg) { html_pct(b, *(const double *)arg); }

/* The page's language: the language of the catalog in use. */
const char *html_lang(void) {
  /* TRANSLATORS: the language tag of kenko's HTML pages, <html lang="…">:
     your language's BCP 47 tag ("ja" for Japanese), not a word to translate. */
  return _("en");
}

void html_page_open(Buf *b, const char *title, const char *kind, const char *extra_css) {
  buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
  html_esc(b, html_lang());
  buf_puts(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  html_esc(b, title);
  buf_puts(b, " — ");
  html_esc(b, kind);
  buf_puts(b, "</title>\n");
  buf_puts(b, html_style);
  if (extra_css) buf_puts(b, extra_css);
  buf_puts(b, "</head>\n<body>\n<main>\n<header>\n<h1>");
  html_esc(b, title);
}
