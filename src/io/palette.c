/* palette.c — the grade colours (palette.h). */
#include "io/palette.h"

#include <math.h>

static const char *const grade_palette[] = {"#2e9e5b", "#8cc152", "#f0b429", "#f08a24", "#e0564b"};

const char *palette_grade_color(int32_t i, int32_t n) {
  if (i >= n - 1) return PALETTE_NA_COLOR;
  int32_t graded = n - 1;
  if (graded <= 1) return grade_palette[0];
  int k = (int)lround(4.0 * i / (graded - 1));
  return grade_palette[k];
}
