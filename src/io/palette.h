/* palette.h — the grade colours every writer for people shares: the HTML
 * pages' bars and pills (portfolio/html.c) and the xlsx grade cells
 * (io/write_xlsx.c). They sit here, below both, so that the io layer
 * never reaches up into the portfolio for a colour. */
#ifndef KENKO_PALETTE_H
#define KENKO_PALETTE_H

#include <stdint.h>

#define PALETTE_NA_COLOR "#b7bec9" /* the n/a grade row */

/* The colour ("#rrggbb") of the I-th of N grade rows, best first: green
 * to red over the graded rows; the last row (n/a) is PALETTE_NA_COLOR. */
const char *palette_grade_color(int32_t i, int32_t n);

#endif
