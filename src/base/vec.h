/* vec.h — growable arrays. An array is three fields its owner keeps: a
 * pointer, a count and a capacity (of any integer type). VEC_RESERVE makes
 * room for NEED elements, doubling the capacity (starting at FIRST) so
 * that appending one at a time costs amortised O(1).
 *
 * Ownership: VEC_RESERVE's memory is malloc'ed (out of memory aborts, like
 * xrealloc) and the owner frees it with free(); VEC_RESERVE_IN's comes
 * from an arena and lives as long as the arena (the old block is left
 * there). The macros evaluate their arguments more than once: pass plain
 * lvalues. */
#ifndef KENKO_VEC_H
#define KENKO_VEC_H

#include <stddef.h>

#include "base/arena.h"

/* The capacity to grow CAP to so that NEED elements of ELEM bytes fit: CAP
 * (FIRST when 0) doubled until it does. Aborts if the bytes overflow. */
size_t vec_capacity(size_t cap, size_t need, size_t first, size_t elem);
/* A copy of the first COUNT elements of DATA (ELEM bytes each) in a new
 * arena block of CAP elements. */
void *vec_arena_move(Arena *a, const void *data, size_t count, size_t cap, size_t elem);

#define VEC_RESERVE(ptr, cap, need, first)                                                                   \
  do {                                                                                                       \
    if ((size_t)(need) > (size_t)(cap)) {                                                                    \
      size_t vec_cap_ = vec_capacity((size_t)(cap), (size_t)(need), (first), sizeof *(ptr));                 \
      (ptr) = xrealloc((ptr), vec_cap_ * sizeof *(ptr));                                                     \
      (cap) = vec_cap_;                                                                                      \
    }                                                                                                        \
  } while (0)

#define VEC_RESERVE_IN(arena, ptr, count, cap, need, first)                                                  \
  do {                                                                                                       \
    if ((size_t)(need) > (size_t)(cap)) {                                                                    \
      size_t vec_cap_ = vec_capacity((size_t)(cap), (size_t)(need), (first), sizeof *(ptr));                 \
      (ptr) = vec_arena_move((arena), (ptr), (size_t)(count), vec_cap_, sizeof *(ptr));                      \
      (cap) = vec_cap_;                                                                                      \
    }                                                                                                        \
  } while (0)

/* Room for one more element after the COUNT there are. */
#define VEC_GROW(ptr, count, cap, first) VEC_RESERVE(ptr, cap, (size_t)(count) + 1, first)

#endif
