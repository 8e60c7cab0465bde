/* vec.c — the growth of growable arrays (see vec.h). */
#include "base/vec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t vec_capacity(size_t cap, size_t need, size_t first, size_t elem) {
  size_t c = cap ? cap : (first ? first : 1);
  while (c < need) {
    if (c > SIZE_MAX / 2)
      c = need;
    else
      c *= 2;
  }
  if (elem && c > SIZE_MAX / elem) {
    fprintf(stderr, "kenko: out of memory (%zu elements of %zu bytes)\n", c, elem);
    abort();
  }
  return c;
}

void *vec_arena_move(Arena *a, const void *data, size_t count, size_t cap, size_t elem) {
  void *p = arena_alloc(a, cap * elem);
  if (count) memcpy(p, data, count * elem);
  return p;
}
