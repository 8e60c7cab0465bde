/* diag.h — diagnostics: collect, cap, render with a caret, suggest names.
 *
 * The library never prints. Each stage reports through diag_error /
 * diag_warning; a Diag renders the message as
 *     FILE:LINE:COL: error: MESSAGE
 *      LINE | source line
 *           | ^~~~~
 * and hands it to the caller's callback (kenko_diag_fn in kenko.h).
 * After KENKO_MAX_ERRORS errors, further errors are only counted;
 * diag_finish reports how many were not shown. */
#ifndef KENKO_DIAG_H
#define KENKO_DIAG_H

#include <stdbool.h>
#include <stdarg.h>

#include "kenko.h"
#include "front/source.h"

#define KENKO_MAX_ERRORS 20

typedef struct Diag {
  const SourceSet *sources;
  kenko_diag_fn fn; /* may be NULL: diagnostics are only counted */
  void *ud;
  int errors; /* all errors reported, shown or not */
  int warnings;
  int suppressed; /* errors past the cap */
  bool color;     /* ANSI colours in the rendered text */
  bool muted;     /* the last error was past the cap: drop its notes */
  /* Also (may be NULL): each delivered diagnostic with its span, for a
   * caller that needs the bytes rather than the rendered text (the
   * language server's ranges). */
  void (*on_span)(void *ud, kenko_level level, Span span, const char *message);
  void *span_ud;
} Diag;

void diag_init(Diag *d, const SourceSet *sources, kenko_diag_fn fn, void *ud);
void diag_error(Diag *d, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note attached to the previous diagnostic (e.g. "cycle goes through"). */
void diag_note(Diag *d, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_report(Diag *d, kenko_level level, Span span, const char *fmt, va_list ap);
/* A diagnostic located in a data file (not a rule source): rendered as
 * the single line "FILE:LINE:COL: error: MESSAGE" with no caret. Data
 * errors are not capped (each rejected account gets its line); LINE 0
 * means no line, and renders as "FILE: error: MESSAGE". */
void diag_at(Diag *d, kenko_level level, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Reports "N more errors not shown" when the cap was reached. */
void diag_finish(Diag *d);

/* Renders one diagnostic into a malloc'ed string (caller frees). */
char *diag_render(const SourceSet *sources, kenko_level level, Span span, const char *message, bool color);

/* The candidate closest to NAME by edit distance (Damerau–Levenshtein,
 * case-insensitive), when close enough to be a likely typo; else NULL.
 * Close enough: distance <= max(1, len/3), and not the name itself. */
const char *diag_suggest(const char *name, const char *const *candidates, int n);
/* Edit distance between two UTF-8 strings, counted in code points. */
int edit_distance(const char *a, const char *b);

#endif
