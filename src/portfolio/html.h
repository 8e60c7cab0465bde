/* html.h — the building blocks of the self-contained HTML pages (html.c),
 * shared by `report --html` (report_html.c), `history --html`
 * (history_html.c) and `effect --html` (effect_html.c). Every function
 * appends to a Buf; text from the rules or the data goes through
 * html_esc. The pages' own words are translated with gettext (the
 * reader's language, docs/i18n.md); numbers are the same in every
 * language. */
#ifndef KENKO_HTML_H
#define KENKO_HTML_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "front/program.h"
#include "io/palette.h" /* the grade colours (palette_grade_color) */
#include "portfolio/report.h"

/* S as HTML text (also safe inside a quoted attribute); NULL writes nothing. */
void html_esc(Buf *b, const char *s);
/* "ラベル" with the name in a quieter span, or just the name. */
void html_esc_named(Buf *b, const char *label, const char *name);
/* LABEL when it is set and not empty, else NAME. */
const char *html_label(const char *label, const char *name);
enum { HTML_NUM = 32 }; /* room for a number written by html_*_text */
/* A share as "12.3%" ("–" for NAN), in OUT; returns OUT. */
const char *html_pct_text(char out[HTML_NUM], double share);
/* A share as "12.3%" ("–" for NAN). */
void html_pct(Buf *b, double share);
/* PART / WHOLE, NAN when WHOLE is 0. */
double html_ratio(uint64_t part, uint64_t whole);
/* One decimal ("–" for NAN or infinite), in OUT; returns OUT. */
const char *html_num1_text(char out[HTML_NUM], double x);
/* One decimal ("–" for NAN or infinite). */
void html_num1(Buf *b, double x);
/* A whole number with thousands separators: 1234567 → "1,234,567". */
void html_grouped(Buf *b, double x);
/* Approximate rendered width in SVG user units of S at 13px. */
double html_text_px(const char *s);

const char *html_severity_color(Severity s);
/* A table heading <th> (of class CLS unless NULL) with TEXT escaped. */
void html_th_class(Buf *b, const char *cls, const char *text);

/* "high", "medium", "low": a msgid, translated with _() where shown. */
const char *html_severity_name(Severity s);

/* One row of 100% stacked grade bars: a Tally by accounts or by a value
 * weight. */
typedef struct HtmlStackRow {
  const char *label;
  const char *name; /* or NULL */
  const Tally *tally;
  int32_t weighting; /* -1: by accounts; else by weight (value) */
} HtmlStackRow;

/* One SVG of 100% stacked bars, one per row, coloured by grade row
 * (GRADE_ROWS: report_grade_rows's order). */
void html_stacked(Buf *b, const Report *r, const char *aria, const HtmlStackRow *rows, int32_t n,
                  const int32_t *grade_rows, int32_t ngrades);
/* The grade colours' legend. */
void html_legend(Buf *b, const Report *r, const int32_t *grade_rows, int32_t ngrades);

/* One horizontal bar and the figure printed after it. */
typedef struct HtmlBar {
  const char *label;
  const char *name; /* or NULL */
  double value;
  const char *color;
  char text[64]; /* the figure printed after the bar */
} HtmlBar;

/* One SVG of horizontal bars scaled to MAX. */
void html_hbars(Buf *b, const char *aria, const HtmlBar *bars, int32_t n, double max);

/* A key-figure card: TITLE (escaped), the figure VALUE writes from ARG,
 * and SUB (already HTML). */
void html_card(Buf *b, const char *title, void (*value)(Buf *, const void *), const void *arg,
               const char *sub);
void html_v_count(Buf *b, const void *arg); /* an unsigned long long */
void html_v_score(Buf *b, const void *arg); /* a double, one decimal */
void html_v_pct(Buf *b, const void *arg);   /* a double share as a percentage */

/* The style sheet (a <style> element) and the script that makes every
 * table.sortable sortable by clicking its headings (a <script> element). */
extern const char html_style[];

/* The pages' language tag ("en", or the catalog's: "ja"), for <html lang>. */
const char *html_lang(void);

/* The page's start, up to the header's title: the doctype, <html lang>
 * (html_lang), the head (the title TITLE + " — " + KIND, html_style and
 * EXTRA_CSS when not NULL) and <main><header><h1>TITLE; the caller closes
 * the h1 and writes the header's line. */
void html_page_open(Buf *b, const char *title, const char *kind, const char *extra_css);
extern const char html_sort_script[];

#endif
