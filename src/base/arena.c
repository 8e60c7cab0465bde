/* arena.c — bump allocator (see arena.h). */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n) {
  fprintf(stderr, "kenko: out of memory (allocating %zu bytes)\n", n);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) out_of_memory(n);
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) out_of_memory(n * size);
  return p;
}

void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) out_of_memory(n);
  return q;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xmalloc(n);
  memcpy(p, s, n);
  return p;
}

void arena_init(Arena *a, size_t chunk_size) {
  a->head = NULL;
  a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
}

/* A zeroed chunk: calloc's, which need not write memory the system
 * gives zeroed (a large block is mapped afresh). */
static ArenaChunk *new_chunk(ArenaChunk *prev, size_t size) {
  ArenaChunk *c = xcalloc(1, sizeof *c + size);
  c->prev = prev;
  c->size = size;
  return c;
}

void *arena_alloc(Arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  ArenaChunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t size = a->chunk_size;
    if (n > size / 4) {
      /* A large block gets a chunk of its own behind the current one, so
       * the free space of the current chunk is not wasted. */
      ArenaChunk *big = new_chunk(c ? c->prev : NULL, n);
      big->used = n;
      if (c)
        c->prev = big;
      else
        a->head = big;
      return big->data;
    }
    c = a->head = new_chunk(c, size);
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  char *p = arena_alloc(a, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void arena_reset_chunks(Arena *a) {
  ArenaChunk *c = a->head;
  if (!c) return;
  while (c->prev) {
    ArenaChunk *prev = c->prev;
    free(c);
    c = prev;
  }
  /* c is the oldest chunk; keep it only if it is an ordinary one. */
  if (c->size != a->chunk_size) {
    free(c);
    a->head = NULL;
    return;
  }
  memset(c->data, 0, c->used);
  c->used = 0;
  a->head = c;
}

void arena_free(Arena *a) {
  ArenaChunk *c = a->head;
  while (c) {
    ArenaChunk *prev = c->prev;
    free(c);
    c = prev;
  }
  a->head = NULL;
}
