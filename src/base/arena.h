/* arena.h — bump allocation for everything whose life is the rule set's
 * or one account's. Memory is zeroed. Reset keeps the first chunk so a
 * per-account arena stops calling malloc after the first few accounts. */
#ifndef KENKO_ARENA_H
#define KENKO_ARENA_H

#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

/* A block of an arena (arena.c allocates and frees them; seen here so
 * that arena_reset's common case is inline). */
struct ArenaChunk {
  ArenaChunk *prev;
  size_t size; /* bytes usable in data[] */
  size_t used;
  _Alignas(16) unsigned char data[];
};

typedef struct Arena {
  ArenaChunk *head;  /* current chunk (a list through ->prev) */
  size_t chunk_size; /* default size of a new chunk */
} Arena;

void arena_init(Arena *a, size_t chunk_size);
/* Zeroed, 16-byte aligned memory; aborts on out-of-memory. */
void *arena_alloc(Arena *a, size_t n);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees all chunks but the oldest, and rewinds it (zeroing what was
 * used). */
void arena_reset_chunks(Arena *a);
/* The same, inline when there is nothing to do (an arena reset once an
 * account, with nothing allocated since: no call). */
static inline void arena_reset(Arena *a) {
  const ArenaChunk *c = a->head;
  if (c && (c->used || c->prev)) arena_reset_chunks(a);
}
void arena_free(Arena *a);

/* Allocation failure outside arenas: print and abort (never returns NULL). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
