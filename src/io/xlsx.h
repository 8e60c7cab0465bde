/* xlsx.h — Excel workbooks through libxlsxwriter (a Debian package): a
 * sheet per table, the header row bold, frozen and filtered, each column
 * as wide as its widest cell (display width: a Japanese character counts
 * 2), numbers kept as numbers and shown with one decimal (or as whole
 * numbers, or percentages), grade cells coloured as in the HTML report.
 *
 * The workbook is made in a temporary file (libxlsxwriter writes to a
 * path and seeks in it) and copied to the output stream when it is
 * finished, so that it goes through the CLI's checked, atomically
 * replaced output like every other format. It is dated by the run's
 * date (the document's creation time, never the clock), so that the same
 * rules, data and --as-of give the same bytes. Cells are written left to right,
 * rows top to bottom (libxlsxwriter's constant-memory mode: a workbook
 * of a million accounts does not sit in memory). docs/cli.md, "xlsx". */
#ifndef KENKO_XLSX_H
#define KENKO_XLSX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/diag.h"

typedef struct Xlsx Xlsx;

typedef enum XlsxNum {
  XLSX_NUM1, /* shown "0.0": scores, lost points */
  XLSX_INT,  /* shown "0": counts */
  XLSX_PCT,  /* shown "0.0%": shares (0..1) */
  XLSX_GEN   /* Excel's General: amounts, KPI values */
} XlsxNum;

/* A workbook titled TITLE (or NULL; kept, not copied); NULL after
 * reporting through DIAG when no temporary file can be made. */
Xlsx *xlsx_new(const char *title, Diag *diag);
/* Starts sheet NAME (at most 31 characters are kept; characters Excel
 * refuses in a sheet name become `_`) with the header row HEAD[0..n). */
void xlsx_sheet(Xlsx *x, const char *name, const char *const *head, int n);
/* The next cell of the row: text (NULL: empty), a number (NaN: empty),
 * text on a background colour (#rrggbb, or NULL: none). */
void xlsx_text(Xlsx *x, const char *s);
void xlsx_num(Xlsx *x, double v, XlsxNum how);
void xlsx_colored(Xlsx *x, const char *s, const char *color);
/* Ends the row. False once the sheet is full (Excel's 1,048,576 rows;
 * reported once): write no more. */
bool xlsx_row(Xlsx *x);
/* Closes the workbook dated DATE (days since 1970-01-01: its creation
 * time), copies it to OUT and frees X. False when it could not be made
 * (reported) or copied (OUT's error, the caller's to report). */
bool xlsx_finish(Xlsx *x, int32_t date, FILE *out);
/* Frees X without writing anything (an aborted run). */
void xlsx_discard(Xlsx *x);

#endif
