/* test_table.c — the text-table engine (io/table.c) has no most columns:
 * cells given past a row's last column add columns (the earlier rows
 * empty there), and the table of counts shows every column. Both built
 * with more than 32 columns, the old fixed limit its callers used. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "io/table.h"

enum { WIDE = 40 };

/* The printed table T as a NUL-ended string in B. */
static const char *printed(const Table *t, Buf *b) {
  b->len = 0;
  table_print(t, b, "", false);
  buf_putc(b, '\0');
  return b->data;
}

Test(table, cells_past_the_last_column_add_columns) {
  Table t;
  table_init(&t, NULL, "l"); /* one column to start with */
  table_new_row(&t);
  table_text(&t, "short");
  table_new_row(&t);
  table_text(&t, "row");
  for (int c = 1; c <= WIDE; c++)
    table_cell(&t, "%d", c);
  table_new_row(&t);
  table_text(&t, "last");
  table_cell(&t, "x");
  cr_assert_eq(t.ncols, WIDE + 1);
  Buf want, b;
  buf_init(&want, NULL);
  buf_init(&b, NULL);
  buf_puts(&want, "short\nrow  "); /* the first column: as wide as "short" */
  for (int c = 1; c <= WIDE; c++)  /* the added columns are aligned as the last one was: left */
    buf_printf(&want, "  %-*d", c == WIDE ? 0 : c < 10 ? 1 : 2, c);
  buf_puts(&want, "\nlast   x\n");
  buf_putc(&want, '\0');
  cr_assert_str_eq(printed(&t, &b), want.data);
  table_free(&t);
  buf_free(&want);
  buf_free(&b);
}

Test(table, figures_keep_right_alignment_when_grown) {
  Table t;
  table_init_figures(&t, NULL, 2);
  table_new_row(&t);
  table_text(&t, "n");
  for (int c = 0; c < WIDE; c++)
    table_cell(&t, "%d", c % 2 ? 7 : 100);
  table_new_row(&t);
  table_text(&t, "m");
  for (int c = 0; c < WIDE; c++)
    table_cell(&t, "%d", c % 2 ? 100 : 7);
  Buf b, want;
  buf_init(&b, NULL);
  buf_init(&want, NULL);
  buf_puts(&want, "n");
  for (int c = 0; c < WIDE; c++)
    buf_puts(&want, c % 2 ? "    7" : "  100");
  buf_puts(&want, "\nm");
  for (int c = 0; c < WIDE; c++)
    buf_puts(&want, c % 2 ? "  100" : "    7");
  buf_putc(&want, '\n');
  buf_putc(&want, '\0');
  cr_assert_str_eq(printed(&t, &b), want.data);
  table_free(&t);
  buf_free(&b);
  buf_free(&want);
}

Test(table, counts_show_every_column) {
  const char *heads[WIDE];
  char names[WIDE][16];
  uint64_t count[WIDE * WIDE];
  int32_t at[WIDE];
  for (int i = 0; i < WIDE; i++) {
    snprintf(names[i], sizeof names[i], "g%02d", i);
    heads[i] = names[i];
    at[i] = WIDE - 1 - i; /* row and column i show the counts' WIDE-1-i */
    for (int j = 0; j < WIDE; j++)
      count[i * WIDE + j] = (uint64_t)(i == j ? i : 0);
  }
  TableCounts m = {.corner = "a \\ b",
                   .row_heads = heads,
                   .col_heads = heads,
                   .nrows = WIDE,
                   .ncols = WIDE,
                   .count = count,
                   .stride = WIDE,
                   .row_at = at,
                   .col_at = at};
  Buf b;
  buf_init(&b, NULL);
  table_print_counts(&b, "", &m);
  buf_putc(&b, '\0');
  /* the header: the corner, then all 40 heads */
  const char *nl = strchr(b.data, '\n');
  cr_assert_not_null(nl);
  cr_assert(strncmp(nl - 3, "g39", 3) == 0, "the header ends at %.8s", nl - 8);
  /* the header and a row a head */
  int lines = 0;
  for (const char *s = b.data; *s; s++)
    lines += *s == '\n';
  cr_assert_eq(lines, WIDE + 1);
  /* row 0 (head g00) holds count[39 * 40 + 39] = 39 in its first column */
  const char *row = strstr(b.data, "\ng00");
  cr_assert_not_null(row);
  cr_assert(strncmp(row, "\ng00     39    0", 16) == 0, "row: %.20s", row);
  buf_free(&b);
}
