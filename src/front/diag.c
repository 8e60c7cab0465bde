/* diag.c — diagnostics: count and cap them, render them clang-style with
 * the source line and a caret under the span, suggest misspelled names
 * (see diag.h). The library never prints: everything goes to d->fn. */
#include "front/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/shown.h"

#define COLOR_BOLD  "\033[1m"
#define COLOR_RESET "\033[0m"
#define COLOR_CARET "\033[32m"

/* Renders go to a Buf (base/buf.h); what is delivered is its text. */
static char *buf_text(Buf *b) {
  buf_putc(b, '\0');
  return b->data;
}

static void put_repeat(Buf *b, char ch, int n) {
  for (int i = 0; i < n; i++)
    buf_putc(b, ch);
}

/* Puts S in bold (or plain) when COLOR is set. */
static void put_styled(Buf *b, bool color, const char *style, const char *s) {
  if (color) buf_puts(b, style);
  buf_puts(b, s);
  if (color) buf_puts(b, COLOR_RESET);
}

/* A malloc'ed string formatted from FMT and AP, its control characters
 * shown as escapes: messages quote labels, paths and values from rule
 * files and data, which must not drive the terminal (docs/security.md). */
static char *format_message(const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, again);
  va_end(again);
  if (n < 0) return xstrdup(fmt);
  char *s = xmalloc((size_t)n + 1);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  char *shown = shown_dup(s, (size_t)n);
  free(s);
  return shown;
}

/* ---- rendering ---------------------------------------------------------- */

static const char *level_name(kenko_level level) {
  switch (level) {
  case KENKO_ERROR: return _("error:");
  case KENKO_WARNING: return _("warning:");
  case KENKO_NOTE: return _("note:");
  }
  return _("error:");
}

static const char *level_color(kenko_level level) {
  switch (level) {
  case KENKO_ERROR: return "\033[1;31m";
  case KENKO_WARNING: return "\033[1;35m";
  case KENKO_NOTE: return "\033[1;36m";
  }
  return "\033[1;31m";
}

/* "LOCATION: LEVEL: MESSAGE\n", where LOCATION is already formatted. */
static void render_header(Buf *b, const char *location, kenko_level level, const char *message, bool color) {
  char *shown = shown_dup(location, strlen(location)); /* a file name may hold anything */
  put_styled(b, color, COLOR_BOLD, shown);
  free(shown);
  buf_puts(b, " ");
  put_styled(b, color, level_color(level), level_name(level));
  buf_puts(b, " ");
  buf_puts(b, message);
  buf_puts(b, "\n");
}

/* Where a diagnostic points: the source and the span clamped to it. */
typedef struct Place {
  const Source *src;
  uint32_t begin, end; /* begin <= end <= src->len */
  int line, col;       /* of begin */
} Place;

/* Resolves SPAN in SOURCES. False when the span has no location. A span
 * at the end of a file that ends with a line break points just after the
 * last character of the last line instead of at the empty line after it. */
static bool resolve_place(const SourceSet *sources, Span span, Place *p) {
  if (!sources || span.file < 0) return false;
  const Source *src = src_get(sources, span.file);
  if (!src) return false;
  uint32_t begin = span.begin < src->len ? span.begin : src->len;
  uint32_t end = span.end < src->len ? span.end : src->len;
  if (begin == src->len && begin > 0 && src->text[begin - 1] == '\n') {
    begin--;
    if (begin > 0 && src->text[begin - 1] == '\r') begin--;
  }
  if (end < begin) end = begin;
  p->src = src;
  p->begin = begin;
  p->end = end;
  src_line_col(src, begin, &p->line, &p->col);
  return true;
}

/* Appends the line's bytes as a terminal shows them: tabs expanded to the
 * next multiple of 8, invalid UTF-8 and control characters as '?', a BOM
 * dropped; so display columns match utf8_display_width. */
static void render_source_line(Buf *b, const char *text, uint32_t len) {
  const unsigned char *p = (const unsigned char *)text;
  int col = 0;
  uint32_t i = 0;
  while (i < len) {
    uint32_t cp;
    int n = utf8_decode(p + i, len - i, &cp);
    if (n == 0) {
      buf_puts(b, "?");
      col++;
      i++;
      continue;
    }
    if (cp == '\t') {
      int spaces = 8 - col % 8;
      put_repeat(b, ' ', spaces);
      col += spaces;
    } else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
      buf_puts(b, "?");
      col++;
    } else if (cp != 0xFEFF) {
      buf_put(b, text + i, (size_t)n);
      col += utf8_cp_width(cp);
    }
    i += (uint32_t)n;
  }
}

/* Longest source line quoted whole; a longer one is shown as a window
 * around the span, with "…" where it was cut (as clang does). */
#define DIAG_MAX_LINE_BYTES 400
#define DIAG_WINDOW_BEFORE  80
#define DIAG_WINDOW_AFTER   160

/* Moves OFFSET back to the start of a UTF-8 sequence. */
static uint32_t char_start(const char *text, uint32_t offset, uint32_t floor) {
  while (offset > floor && ((unsigned char)text[offset] & 0xC0) == 0x80)
    offset--;
  return offset;
}

/* The two lines under the header: the numbered source line and the caret
 * line, "^" then "~" over the rest of the span on that line. */
static void render_excerpt(Buf *b, const Place *p, bool color) {
  uint32_t line_len;
  const char *line_text = src_line_text(p->src, p->line, &line_len);
  uint32_t line_start = (uint32_t)(line_text - p->src->text);
  uint32_t line_end = line_start + line_len;
  const char *text = p->src->text;

  /* the part of the line shown, and the caret column within it */
  uint32_t shown_begin = line_start, shown_end = line_end;
  int caret_col = p->col;
  bool cut_left = false, cut_right = false;
  if (line_len > DIAG_MAX_LINE_BYTES) {
    if (p->begin > line_start + DIAG_WINDOW_BEFORE) {
      shown_begin = char_start(text, p->begin - DIAG_WINDOW_BEFORE, line_start);
      cut_left = true;
    }
    if (p->begin + DIAG_WINDOW_AFTER < line_end) {
      shown_end = char_start(text, p->begin + DIAG_WINDOW_AFTER, p->begin);
      cut_right = true;
    }
    caret_col = 1 + (cut_left ? 1 : 0) + utf8_display_width(text + shown_begin, p->begin - shown_begin, 0);
  }

  char number[16];
  int digits = snprintf(number, sizeof number, "%d", p->line);
  int gutter = digits > 5 ? digits : 5;
  char prefix[32];
  snprintf(prefix, sizeof prefix, "%*d | ", gutter, p->line);
  buf_puts(b, prefix);
  if (cut_left) buf_puts(b, "…");
  render_source_line(b, text + shown_begin, shown_end - shown_begin);
  if (cut_right) buf_puts(b, "…");
  buf_puts(b, "\n");

  uint32_t under_begin = p->begin < shown_end ? p->begin : shown_end;
  uint32_t under_end = p->end < shown_end ? p->end : shown_end;
  if (under_end < under_begin) under_end = under_begin;
  int width = utf8_display_width(text + under_begin, under_end - under_begin, caret_col - 1);
  put_repeat(b, ' ', gutter);
  buf_puts(b, " | ");
  put_repeat(b, ' ', caret_col - 1);
  if (color) buf_puts(b, COLOR_CARET);
  buf_puts(b, "^");
  put_repeat(b, '~', width - 1);
  if (color) buf_puts(b, COLOR_RESET);
  buf_puts(b, "\n");
}

/* Renders a diagnostic whose place is already resolved (P may be NULL). */
static char *render_place(const Place *p, kenko_level level, const char *message, bool color) {
  Buf b = {0};
  if (!p) {
    render_header(&b, "kenko:", level, message, color);
    return buf_text(&b);
  }
  size_t need = strlen(p->src->path) + 32;
  char *location = xmalloc(need);
  snprintf(location, need, "%s:%d:%d:", p->src->path, p->line, p->col);
  render_header(&b, location, level, message, color);
  free(location);
  render_excerpt(&b, p, color);
  return buf_text(&b);
}

char *diag_render(const SourceSet *sources, kenko_level level, Span span, const char *message, bool color) {
  Place place;
  bool located = resolve_place(sources, span, &place);
  return render_place(located ? &place : NULL, level, message, color);
}

/* ---- reporting ------------------------------------------------------------- */

void diag_init(Diag *d, const SourceSet *sources, kenko_diag_fn fn, void *ud) {
  d->sources = sources;
  d->fn = fn;
  d->ud = ud;
  d->errors = 0;
  d->warnings = 0;
  d->suppressed = 0;
  d->color = false;
  d->muted = false;
  d->on_span = NULL;
  d->span_ud = NULL;
}

/* Renders MESSAGE at SPAN and hands it to the callback. */
static void deliver(Diag *d, kenko_level level, Span span, const char *message) {
  if (d->on_span) d->on_span(d->span_ud, level, span, message);
  if (!d->fn) return;
  Place place;
  bool located = resolve_place(d->sources, span, &place);
  char *rendered = render_place(located ? &place : NULL, level, message, d->color);
  kenko_diag out = {
      .level = level,
      .file = located ? place.src->path : NULL,
      .line = located ? place.line : 0,
      .col = located ? place.col : 0,
      .message = message,
      .rendered = rendered,
  };
  d->fn(d->ud, &out);
  free(rendered);
}

/* Counts the diagnostic, applies the error cap (a note shares the fate of
 * the error before it), then formats and delivers it. */
void diag_report(Diag *d, kenko_level level, Span span, const char *fmt, va_list ap) {
  if (level == KENKO_ERROR) {
    d->errors++;
    d->muted = d->errors > KENKO_MAX_ERRORS;
    if (d->muted) {
      d->suppressed++;
      return;
    }
  } else if (level == KENKO_WARNING) {
    d->warnings++;
    d->muted = false;
  } else if (d->muted) {
    return;
  }
  if (!d->fn && !d->on_span) return;
  char *message = format_message(_(fmt), ap);
  deliver(d, level, span, message);
  free(message);
}

/* diag_error, diag_warning, diag_note: diag_report at their level. */
#define DIAG_AT(name, level)                                                                                 \
  void name(Diag *d, Span span, const char *fmt, ...) {                                                      \
    va_list ap;                                                                                              \
    va_start(ap, fmt);                                                                                       \
    diag_report(d, level, span, fmt, ap);                                                                    \
    va_end(ap);                                                                                              \
  }
DIAG_AT(diag_error, KENKO_ERROR)
DIAG_AT(diag_warning, KENKO_WARNING)
DIAG_AT(diag_note, KENKO_NOTE)
#undef DIAG_AT

/* A data-file diagnostic: one line, never capped. */
void diag_at(Diag *d, kenko_level level, const char *file, int line, int col, const char *fmt, ...) {
  if (level == KENKO_ERROR)
    d->errors++;
  else if (level == KENKO_WARNING)
    d->warnings++;
  if (!d->fn) return;
  va_list ap;
  va_start(ap, fmt);
  char *message = format_message(_(fmt), ap);
  va_end(ap);

  const char *name = file ? file : "kenko";
  size_t need = strlen(name) + 32;
  char *location = xmalloc(need);
  if (!file || line <= 0)
    snprintf(location, need, "%s:", name);
  else if (col <= 0)
    snprintf(location, need, "%s:%d:", name, line);
  else
    snprintf(location, need, "%s:%d:%d:", name, line, col);
  Buf b = {0};
  render_header(&b, location, level, message, d->color);
  free(location);

  kenko_diag out = {
      .level = level,
      .file = file,
      .line = file && line > 0 ? line : 0,
      .col = file && line > 0 && col > 0 ? col : 0,
      .message = message,
      .rendered = buf_text(&b),
  };
  d->fn(d->ud, &out);
  free(b.data);
  free(message);
}

/* Call once, after the last diagnostic of a run. */
void diag_finish(Diag *d) {
  if (d->suppressed <= 0 || !d->fn) return;
  char message[160];
  snprintf(message, sizeof message,
           P_("%d more error not shown (limit is %d)", "%d more errors not shown (limit is %d)",
              (unsigned long)d->suppressed),
           d->suppressed, KENKO_MAX_ERRORS);
  char *rendered = render_place(NULL, KENKO_ERROR, message, d->color);
  kenko_diag out = {
      .level = KENKO_ERROR,
      .file = NULL,
      .line = 0,
      .col = 0,
      .message = message,
      .rendered = rendered,
  };
  d->fn(d->ud, &out);
  free(rendered);
}

/* ---- suggestions ------------------------------------------------------------ */

/* Decodes S into code points (ASCII letters folded to lower case; an
 * invalid byte becomes a value no code point has). *N gets the count. */
static uint32_t *code_points(const char *s, size_t *n) {
  size_t len = strlen(s);
  uint32_t *cps = xmalloc((len + 1) * sizeof *cps);
  const unsigned char *p = (const unsigned char *)s;
  size_t count = 0, i = 0;
  while (i < len) {
    uint32_t cp;
    int step = utf8_decode(p + i, len - i, &cp);
    if (step == 0) {
      cp = 0x80000000u | p[i];
      step = 1;
    }
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    cps[count++] = cp;
    i += (size_t)step;
  }
  *n = count;
  return cps;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of two neighbours each cost 1. Three rolling rows. */
static int cp_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
  size_t *before = xmalloc((nb + 1) * sizeof *before);
  size_t *prev = xmalloc((nb + 1) * sizeof *prev);
  size_t *cur = xmalloc((nb + 1) * sizeof *cur);
  for (size_t j = 0; j <= nb; j++)
    prev[j] = j;
  for (size_t i = 1; i <= na; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = min_size(prev[j] + 1, cur[j - 1] + 1);
      best = min_size(best, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        best = min_size(best, before[j - 2] + 1);
      cur[j] = best;
    }
    size_t *spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  int distance = (int)prev[nb];
  free(before);
  free(prev);
  free(cur);
  return distance;
}

int edit_distance(const char *a, const char *b) {
  size_t na, nb;
  uint32_t *ca = code_points(a, &na);
  uint32_t *cb = code_points(b, &nb);
  int distance = cp_distance(ca, na, cb, nb);
  free(ca);
  free(cb);
  return distance;
}

const char *diag_suggest(const char *name, const char *const *candidates, int n) {
  size_t nname;
  uint32_t *cname = code_points(name, &nname);
  int limit = (int)(nname / 3) > 1 ? (int)(nname / 3) : 1;
  const char *best = NULL;
  int best_distance = limit + 1;
  for (int i = 0; i < n; i++) {
    if (!candidates[i] || strcmp(candidates[i], name) == 0) continue;
    size_t ncand;
    uint32_t *ccand = code_points(candidates[i], &ncand);
    int distance = cp_distance(cname, nname, ccand, ncand);
    free(ccand);
    /* (a distance as large as the name means nothing in common) */
    if (distance < best_distance && (size_t)distance < nname) {
      best = candidates[i];
      best_distance = distance;
    }
  }
  free(cname);
  return best;
}
