/* table.c — aligned text tables (see table.h). */
#include "io/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "front/source.h"

#define C_BOLD "\033[1m"
#define C_OFF  "\033[0m"

void table_init(Table *t, Arena *arena, const char *align) {
  memset(t, 0, sizeof *t);
  t->arena = arena;
  t->ncols = (int)strlen(align);
  t->align = xmalloc((size_t)t->ncols + 1);
  memcpy(t->align, align, (size_t)t->ncols + 1);
  buf_init(&t->text, NULL);
}

void table_init_figures(Table *t, Arena *arena, int ncols) {
  char *align = xmalloc((size_t)ncols + 1);
  memset(align, 'r', (size_t)ncols);
  align[0] = 'l';
  align[ncols] = '\0';
  table_init(t, arena, align);
  free(align);
}

void table_new_row(Table *t) {
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

/* Appends S (N bytes) to the cells' text, its control characters shown as
 * escapes; returns 1 + its offset. */
static size_t put_text(Table *t, const char *s, size_t n) {
  size_t at = t->text.len;
  buf_shown(&t->text, s, n, false);
  buf_putc(&t->text, '\0');
  return at + 1;
}

/* put_text of the printf of FMT and AP. */
static size_t put_vfmt(Table *t, const char *fmt, va_list ap) {
  char small[256];
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) n = 0;
  char *s = small;
  if ((size_t)n >= sizeof small) {
    s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
  }
  size_t at = put_text(t, s, (size_t)n);
  if (s != small) free(s);
  return at;
}

void table_row(Table *t, const char *const *cells) {
  table_new_row(t);
  size_t *row = &t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols];
  for (int c = 0; c < t->ncols; c++)
    if (cells[c]) row[c] = put_text(t, cells[c], strlen(cells[c]));
  t->col = t->ncols;
}

/* One more column, aligned as the last one (rows so far: empty in it). */
static void add_column(Table *t) {
  size_t old = (size_t)t->ncols, cols = old + 1;
  t->align = xrealloc(t->align, cols + 1);
  t->align[old] = old ? t->align[old - 1] : 'l';
  t->align[cols] = '\0';
  if (t->cap) {
    t->cells = xrealloc(t->cells, (size_t)t->cap * cols * sizeof *t->cells);
    for (size_t r = (size_t)t->nrows; r-- > 0;) { /* from the last row, so nothing is overwritten unread */
      memmove(t->cells + r * cols, t->cells + r * old, old * sizeof *t->cells);
      t->cells[r * cols + old] = 0;
    }
  }
  t->ncols = (int)cols;
}

/* The next cell of the current row: where its text's offset goes. */
static size_t *next_cell(Table *t) {
  if (t->nrows == 0) table_new_row(t);
  if (t->col >= t->ncols) add_column(t);
  return &t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols + (size_t)t->col++];
}

void table_cell(Table *t, const char *fmt, ...) {
  size_t *cell = next_cell(t);
  va_list ap;
  va_start(ap, fmt);
  *cell = put_vfmt(t, fmt, ap);
  va_end(ap);
}

void table_text(Table *t, const char *text) {
  size_t *cell = next_cell(t);
  if (text) *cell = put_text(t, text, strlen(text));
}

void table_note(Table *t, const char *fmt, ...) {
  table_new_row(t);
  t->note[t->nrows - 1] = true;
  va_list ap;
  va_start(ap, fmt);
  t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols] = put_vfmt(t, fmt, ap);
  va_end(ap);
}

/* The text of cell C of row R ("" when empty). */
static const char *cell_at(const Table *t, int r, int c) {
  size_t at = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
  return at ? t->text.data + at - 1 : "";
}

static int width_of(const char *s) { return utf8_display_width(s, strlen(s), 0); }

static void spaces(Buf *b, int n) {
  for (int i = 0; i < n; i++)
    buf_putc(b, ' ');
}

void table_print(const Table *t, Buf *b, const char *indent, bool bold) {
  int *width = xcalloc((size_t)t->ncols + 1, sizeof *width);
  for (int r = 0; r < t->nrows; r++) {
    if (t->note[r]) continue;
    for (int c = 0; c < t->ncols; c++) {
      int w = width_of(cell_at(t, r, c));
      if (w > width[c]) width[c] = w;
    }
  }
  for (int r = 0; r < t->nrows; r++) {
    buf_puts(b, indent);
    if (r == 0 && bold) buf_puts(b, C_BOLD);
    if (t->note[r]) {
      buf_puts(b, cell_at(t, r, 0));
    } else {
      /* the last non-empty cell: nothing is padded after it */
      int last = t->ncols - 1;
      while (last > 0 && !cell_at(t, r, last)[0])
        last--;
      for (int c = 0; c <= last; c++) {
        const char *cell = cell_at(t, r, c);
        int gap = width[c] - width_of(cell);
        if (c > 0) buf_puts(b, "  ");
        if (t->align[c] == 'r') spaces(b, gap);
        buf_puts(b, cell);
        if (t->align[c] != 'r' && c < last) spaces(b, gap);
      }
    }
    if (r == 0 && bold) buf_puts(b, C_OFF);
    buf_putc(b, '\n');
    if (b->out) buf_flush(b, 1 << 16);
  }
  free(width);
}

void table_free(Table *t) {
  free(t->cells);
  free(t->note);
  free(t->align);
  buf_free(&t->text);
  t->cells = NULL;
  t->note = NULL;
  t->align = NULL;
  t->nrows = t->cap = t->col = 0;
}

void table_print_counts(Buf *b, const char *indent, const TableCounts *m) {
  Table t;
  table_init_figures(&t, NULL, m->ncols + 1);
  table_new_row(&t);
  table_text(&t, m->corner);
  for (int c = 0; c < m->ncols; c++)
    table_text(&t, m->col_heads[c]);
  for (int r = 0; r < m->nrows; r++) {
    table_new_row(&t);
    table_text(&t, m->row_heads[r]);
    size_t row = m->row_at ? (size_t)m->row_at[r] : (size_t)r;
    for (int c = 0; c < m->ncols; c++) {
      size_t col = m->col_at ? (size_t)m->col_at[c] : (size_t)c;
      table_cell(&t, "%llu", (unsigned long long)m->count[row * m->stride + col]);
    }
  }
  table_print(&t, b, indent, false);
  table_free(&t);
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
