/* table.h — aligned text tables, the one engine behind every table for
 * people (report, validate, diff, history, effect): cells are collected
 * first, then printed with every column as wide as its widest cell,
 * counted in display columns (a Japanese label is two columns a
 * character), two spaces between columns, no line ending in a space.
 *
 * A row is given whole (table_row) or cell by cell (table_new_row, then
 * table_cell for each); a note (table_note) is one line printed as it is
 * and left out of the column widths. There is no most columns: a cell
 * given past a row's last column adds a column (aligned as the last one
 * was; the rows before have it empty), so no caller loses a column. Cell text is kept with its control
 * characters shown as escapes (buf_shown): cells hold labels from the
 * rules and ids from the data. The cells sit in one buffer, each by its
 * offset, so a table of many small cells (a row per group, a column per
 * grade) stays small. */
#ifndef KENKO_TABLE_H
#define KENKO_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

typedef struct Table {
  Arena *arena; /* table_fmt/table_num2's text (NULL when they are not used) */
  int ncols;
  char *align;   /* 'l' or 'r' per column */
  size_t *cells; /* nrows × ncols: 1 + the offset of the cell's text; 0: empty */
  bool *note;    /* per row: a note */
  Buf text;      /* the cells' text, each ended by a NUL */
  int nrows, cap, col;
} Table;

/* ALIGN is one letter per column, "lrr…". */
void table_init(Table *t, Arena *arena, const char *align);
/* table_init for a column of labels (left-aligned) followed by NCOLS - 1
 * columns of figures (right-aligned). */
void table_init_figures(Table *t, Arena *arena, int ncols);
/* Adds a row of ncols cells; NULL cells print empty. The text is copied. */
void table_row(Table *t, const char *const *cells);
/* Starts a row whose cells table_cell then gives, left to right (cells not
 * given stay empty; one past the last column adds a column). */
void table_new_row(Table *t);
void table_cell(Table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* table_cell of TEXT as it is (NULL: an empty cell). */
void table_text(Table *t, const char *text);
/* A row that is one line of text, printed after the indent as it is. */
void table_note(Table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints each row after INDENT; with BOLD the first row (the header) is
 * in bold (ANSI). B is flushed to its file as it fills, when it has one. */
void table_print(const Table *t, Buf *b, const char *indent, bool bold);
/* Frees the rows; the table can be initialised again. */
void table_free(Table *t);

/* A table of counts (a transition matrix): the header row CORNER, then
 * the column heads; then a row a row head, holding the counts
 * COUNT[ROW_AT[r] * STRIDE + COL_AT[c]] (ROW_AT, COL_AT NULL: r and c
 * themselves). */
typedef struct TableCounts {
  const char *corner;
  const char *const *row_heads, *const *col_heads;
  int nrows, ncols;
  const uint64_t *count;
  size_t stride;
  const int32_t *row_at, *col_at;
} TableCounts;
/* The table of counts M printed to B after INDENT (table_print). */
void table_print_counts(Buf *b, const char *indent, const TableCounts *m);

/* printf into the table's arena, for building cells. */
const char *table_fmt(Table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A number for people: at most 2 decimals, trailing zeros dropped. */
const char *table_num2(Table *t, double x);

#endif
