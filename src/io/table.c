/* table.c — aligned text tables (see table.h). */
#include "io/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "front/source.h"
#include "engine/value.h"
#include "base/vec.h"

void table_init(Table *t, Arena *arena, const char *align) {
  memset(t, 0, sizeof *t);
  t->arena = arena;
  t->ncols = (int)strlen(align);
  if (t->ncols > TABLE_MAX_COLS) t->ncols = TABLE_MAX_COLS;
  memcpy(t->align, align, (size_t)t->ncols);
}

/* S in ARENA, its control characters shown as escapes (buf_shown): cells
 * hold labels from the rules and ids from the data. */
static const char *shown_copy(Arena *arena, const char *s) {
  size_t n = strlen(s);
  if (!text_has_controls(s, n)) return arena_strdup(arena, s);
  Buf shown;
  buf_init(&shown, NULL);
  buf_shown(&shown, s, n, false);
  buf_putc(&shown, '\0');
  const char *copy = arena_strdup(arena, shown.data);
  buf_free(&shown);
  return copy;
}

void table_row(Table *t, const char *const *cells) {
  VEC_RESERVE(t->cells, t->cap, (size_t)(t->nrows + 1) * (size_t)t->ncols, 16 * (size_t)t->ncols);
  for (int c = 0; c < t->ncols; c++)
    t->cells[(size_t)t->nrows * (size_t)t->ncols + (size_t)c] =
        cells[c] ? shown_copy(t->arena, cells[c]) : "";
  t->nrows++;
}

static int width_of(const char *s) { return utf8_display_width(s, strlen(s), 0); }

static void spaces(Buf *b, int n) {
  for (int i = 0; i < n; i++)
    buf_putc(b, ' ');
}

void table_print(const Table *t, Buf *b, const char *indent) {
  int width[TABLE_MAX_COLS] = {0};
  for (int r = 0; r < t->nrows; r++)
    for (int c = 0; c < t->ncols; c++) {
      int w = width_of(t->cells[(size_t)r * (size_t)t->ncols + (size_t)c]);
      if (w > width[c]) width[c] = w;
    }
  for (int r = 0; r < t->nrows; r++) {
    const char *const *row = &t->cells[(size_t)r * (size_t)t->ncols];
    int last = t->ncols - 1;
    while (last > 0 && !row[last][0])
      last--;
    buf_puts(b, indent);
    for (int c = 0; c <= last; c++) {
      int gap = width[c] - width_of(row[c]);
      if (c > 0) buf_puts(b, "  ");
      if (t->align[c] == 'r') spaces(b, gap);
      buf_puts(b, row[c]);
      if (t->align[c] != 'r' && c < last) spaces(b, gap);
    }
    buf_putc(b, '\n');
  }
}

void table_free(Table *t) {
  free(t->cells);
  t->cells = NULL;
  t->nrows = t->cap = 0;
}

const char *table_fmt(Table *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return "";
  char *s = arena_alloc(t->arena, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

const char *table_num2(Table *t, double x) {
  char tmp[64];
  num_format2(x, tmp);
  return arena_strdup(t->arena, tmp);
}
