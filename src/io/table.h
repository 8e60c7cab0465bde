/* table.h — aligned text tables for the portfolio commands' output for
 * people (validate, diff): cells are collected first, then printed with
 * every column as wide as its widest cell, counted in display columns (a
 * Japanese label is two columns a character). */
#ifndef KENKO_TABLE_H
#define KENKO_TABLE_H

#include "base/arena.h"
#include "base/buf.h"

enum { TABLE_MAX_COLS = 32 };

typedef struct Table {
  Arena *arena; /* the cells' text (the caller's arena) */
  int ncols;
  char align[TABLE_MAX_COLS]; /* 'l' or 'r' per column */
  const char **cells;         /* nrows × ncols */
  int nrows;
  size_t cap; /* cells allocated */
} Table;

/* ALIGN is one letter per column, "lrr…"; at most TABLE_MAX_COLS. */
void table_init(Table *t, Arena *arena, const char *align);
/* Adds a row of ncols cells; NULL cells print empty. The text is copied. */
void table_row(Table *t, const char *const *cells);
/* Prints each row after INDENT, columns two spaces apart, no trailing
 * spaces. */
void table_print(const Table *t, Buf *b, const char *indent);
void table_free(Table *t);

/* printf into the table's arena, for building cells. */
const char *table_fmt(Table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A number for people: at most 2 decimals, trailing zeros dropped. */
const char *table_num2(Table *t, double x);

#endif
