/* test_arena.c — the bump allocator (arena.c): memory comes zeroed, also
 * after a reset (which zeroes only what was used, and is inline when
 * nothing was), the oldest ordinary chunk is kept across resets, a large
 * block gets a chunk of its own. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "base/arena.h"

static bool all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

Test(arena, reset_of_an_unused_arena) {
  Arena a;
  arena_init(&a, 1024);
  arena_reset(&a);
  cr_assert_null(a.head);
  unsigned char *p = arena_alloc(&a, 100);
  cr_assert(all_zero(p, 100));
  cr_assert_eq((uintptr_t)p % 16, 0);
  arena_free(&a);
}

/* What was written is zero again after a reset, at the same place (the
 * first chunk is kept), and a second reset with nothing allocated in
 * between changes nothing. */
Test(arena, reset_zeroes_what_was_used) {
  Arena a;
  arena_init(&a, 1024);
  unsigned char *p = arena_alloc(&a, 200);
  memset(p, 0xAB, 200);
  unsigned char *q = arena_alloc(&a, 37);
  memset(q, 0xCD, 37);
  ArenaChunk *first = a.head;
  arena_reset(&a);
  cr_assert_eq(a.head, first);
  cr_assert_eq(a.head->used, 0);
  arena_reset(&a); /* nothing used: the inline case */
  cr_assert_eq(a.head, first);
  unsigned char *r = arena_alloc(&a, 300);
  cr_assert_eq(r, p);
  cr_assert(all_zero(r, 300));
  arena_free(&a);
}

/* Several chunks: all but the oldest freed, the oldest zeroed; a large
 * block (over a quarter of a chunk) gets its own chunk behind the current
 * one, which keeps taking small ones. */
Test(arena, reset_after_many_chunks_and_large_blocks) {
  Arena a;
  arena_init(&a, 1024);
  unsigned char *first = arena_alloc(&a, 16);
  memset(first, 0x11, 16);
  ArenaChunk *oldest = a.head;
  for (int i = 0; i < 50; i++) {
    unsigned char *p = arena_alloc(&a, 100);
    cr_assert(all_zero(p, 100));
    memset(p, 0x22, 100);
  }
  cr_assert_neq(a.head, oldest);
  ArenaChunk *current = a.head;
  unsigned char *big = arena_alloc(&a, 5000);
  cr_assert(all_zero(big, 5000));
  memset(big, 0x33, 5000);
  cr_assert_eq(a.head, current, "a large block does not become the current chunk");
  arena_reset(&a);
  cr_assert_eq(a.head, oldest);
  cr_assert_null(a.head->prev);
  unsigned char *again = arena_alloc(&a, 1024);
  cr_assert_eq(again, first);
  cr_assert(all_zero(again, 1024));
  arena_free(&a);
}

/* A large block as the first allocation: the arena's only chunk is not
 * an ordinary one, so a reset frees it. */
Test(arena, reset_frees_a_lone_large_block) {
  Arena a;
  arena_init(&a, 1024);
  unsigned char *big = arena_alloc(&a, 4096);
  memset(big, 0x44, 4096);
  arena_reset(&a);
  cr_assert_null(a.head);
  unsigned char *p = arena_alloc(&a, 64);
  cr_assert(all_zero(p, 64));
  arena_free(&a);
}

Test(arena, strings) {
  Arena a;
  arena_init(&a, 0);
  cr_assert_str_eq(arena_strndup(&a, "abcdef", 3), "abc");
  cr_assert_str_eq(arena_strdup(&a, "契約"), "契約");
  cr_assert_str_eq(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
  arena_free(&a);
}
